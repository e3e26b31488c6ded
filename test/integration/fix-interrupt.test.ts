import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import { join } from 'node:path';
import { startMockLdap } from '../../mock-ldap/index.js';
import { type JournalOutcome, readJournal } from '../../src/fix/journal.js';
import { CLI, mockFlags } from '../helpers/run-cli.js';
import { labWithHosts } from '../helpers/synthetic-domain.js';
import { tempDir } from '../helpers/temp.js';

async function interruptFixWith(signal: NodeJS.Signals): Promise<void> {
  const mock = await startMockLdap({ entries: labWithHosts(300) });
  const dir = await tempDir('delegaudit-int-');
  const journal = join(dir, 'j.jsonl');
  try {
    const child = spawn(process.execPath, [CLI, 'fix', ...mockFlags(mock, 'CORP\\Administrator'), '--apply', '--yes', '--quiet', '--journal', journal], {
      env: { ...process.env, NO_COLOR: '1', DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Signal once a few modifies are through: then the run is mid-way, with more to go.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (!existsSync(journal) || readFileSync(journal, 'utf8').split('"type":"done"').length < 4)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill(signal);
    const code = await exited;
    expect(code, stderr).to.equal(4);
    expect(stderr).to.contain(`${signal}: stopping after the modify in flight`);
    const lines = readJournal(journal);
    const intents = lines.filter((l) => l.type === 'intent');
    const outcomes = lines.filter((l): l is JournalOutcome => l.type === 'done' || l.type === 'failed' || l.type === 'unknown');
    expect(outcomes).to.have.length(intents.length); // nothing in flight is left unrecorded
    const end = lines[lines.length - 1]!;
    expect(end).to.include({ type: 'end', interrupted: true });
    expect(intents.length).to.be.above(2).and.below(300);
    // The journal says exactly what the directory holds: done accounts changed, the rest untouched.
    for (const intent of intents) {
      if (intent.type !== 'intent') continue;
      const entry = mock.getEntry(intent.dn)!;
      const done = outcomes.some((o) => o.seq === intent.seq && o.type === 'done');
      expect(Number(entry.get('userAccountControl')[0]), intent.dn).to.equal(
        done ? (intent.change.userAccountControl?.to ?? intent.before.userAccountControl) : intent.before.userAccountControl,
      );
      expect(entry.get('msDS-AllowedToDelegateTo'), intent.dn).to.have.length(intent.before.allowedToDelegateTo.length + (done ? intent.change.add.length : 0));
    }
    const untouched = mock.getEntry('CN=GEN0299,OU=Generated,DC=corp,DC=example,DC=com')!;
    expect(untouched.get('msDS-AllowedToDelegateTo')).to.have.length(3);
  } finally {
    await mock.close();
  }
}

describe('fix --apply interrupted [mock]', () => {
  it('[mock] SIGINT lets the modify in flight finish, records it, and exits 4', async () => {
    await interruptFixWith('SIGINT');
  });
  it('[mock] SIGTERM does the same', async () => {
    await interruptFixWith('SIGTERM');
  });
});
