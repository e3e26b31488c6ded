/**
 * Faults injected into mock-ldap, and what delegaudit does about them: retry what a new connection
 * can cure, otherwise stop with exit 3 and no report; never present a partial read as an audit.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaultAction, type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { audit } from '../../src/index.js';
import { readJournal } from '../../src/fix/journal.js';
import { SAM_ACCOUNT_TYPE } from '../../src/directory/well-known.js';
import { runCli, mockFlags } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';
import { LAB_DG_BELOW_HIGH, LAB_DG_CRITICAL, LAB_FINDINGS } from '../helpers/lab-findings.js';

const PASSWORD = 'Lab-Admin-Passw0rd';

describe('faults we survive [mock]', () => {
  let mock: MockLdap;
  let dir: string;
  beforeEach(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    dir = await tempDir('delegaudit-faults-');
  });
  afterEach(async () => {
    await mock.close();
  });

  const auditMock = (extra: Record<string, unknown> = {}) =>
    audit({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'CORP\\Administrator', password: PASSWORD },
      retryDelayMs: 5,
      ...extra,
    });
  const cli = (args: string[]) =>
    runCli([...args, ...mockFlags(mock, 'CORP\\Administrator'), ...(args[0] === 'rollback' ? [] : ['--retry-delay', '5'])], { DELEGAUDIT_PASSWORD: PASSWORD });
  const findings = (r: Awaited<ReturnType<typeof auditMock>>) => r.report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`);
  const clean = LAB_FINDINGS;

  for (const [name, action] of [
    ['busy (51)', { type: 'result', code: 51, message: 'busy' }],
    ['unavailable (52)', { type: 'result', code: 52, message: 'unavailable' }],
    ['a connection dropped after 5 entries', { type: 'close-after-entries', entries: 5 }],
  ] as Array<[string, FaultAction]>) {
    it(`[mock] reads again on a new connection after ${name}, and the audit is complete`, async () => {
      mock.faults.add({ on: 'search', nth: 3, times: 1, action });
      const lines: string[] = [];
      const result = await auditMock({ onProgress: (l: string) => lines.push(l) });
      expect(findings(result)).to.deep.equal(clean);
      expect(mock.faults.fired).to.equal(1);
      expect(lines.some((l) => l.includes('reading again in 5 ms on a new connection'))).to.equal(true);
    });
  }

  it('[mock] reads on one connection, and says so, when the second connection to the DC is refused; the audit is complete', async () => {
    // The first bind opens the read's connection; the second is its sibling's.
    mock.faults.add({ on: 'bind', nth: 2, times: 1, action: { type: 'result', code: 51, message: 'busy' } });
    const lines: string[] = [];
    const result = await auditMock({ onProgress: (l: string) => lines.push(l) });
    expect(findings(result)).to.deep.equal(clean);
    expect(mock.faults.fired).to.equal(1);
    expect(lines.some((l) => /a second connection to .* did not open \(.*busy.*\); reading on one/.test(l))).to.equal(true);
    // The same searches as a read on two connections (7 on this fixture: no computer named by a migration or cifs entry is left to look up by name).
    expect(result.stats.searches)
      .to.equal((await auditMock()).stats.searches)
      .and.to.equal(7);
  });

  it('[mock] gives up after the configured retries with "directory read incomplete", exit 3, and no report file', async () => {
    // One search of each attempt, the users' half of the accounts scan (the other searches of the read run at the same time and are not made to fail).
    mock.faults.add({ on: 'search', match: `sAMAccountType=${SAM_ACCOUNT_TYPE.USER})`, times: 99, action: { type: 'result', code: 51, message: 'busy' } });
    const output = join(dir, 'report.json');
    const r = await cli(['audit', '--format', 'json', '--output', output, '--retries', '2']);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.match(/error: directory read incomplete: .*busy.*\(gave up after 3 attempts\); no report was produced/);
    expect(existsSync(output)).to.equal(false);
    expect(await readdir(dir)).to.deep.equal([]);
    expect(mock.faults.fired).to.equal(3);
  });

  for (const [name, code] of [
    ['adminLimitExceeded (11)', 11],
    ['timeLimitExceeded (3)', 3],
    ['sizeLimitExceeded (4)', 4],
  ] as Array<[string, number]>) {
    it(`[mock] stops at once on ${name}: exit 3, naming what was not read`, async () => {
      // One of the two searches of the accounts with delegation (the only ones that ask for adminCount=1).
      mock.faults.add({ on: 'search', match: 'adminCount=1', times: 1, action: { type: 'result', code, message: 'limit' } });
      const r = await cli(['audit', '--format', 'json']);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('directory read incomplete');
      expect(r.stderr).to.contain('accounts with delegation and Hyper-V hosts');
      expect(r.stdout).to.equal('');
      expect(mock.faults.fired).to.equal(1);
    });
  }

  it('[mock] stops on a referral for the base and says to point --url at the right domain', async () => {
    // The domain object, which the search of the security groups reads with the default base.
    mock.faults.add({
      on: 'search',
      match: '(distinguishedName=DC=corp,DC=example,DC=com)',
      times: 1,
      action: { type: 'result', code: 10, message: 'referral', referral: 'ldap://other.example.com/DC=corp,DC=example,DC=com' },
    });
    const r = await cli(['audit']);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('directory read incomplete');
    expect(r.stderr).to.contain(
      'referred the search of the domain object and the security groups to another server: point --url at a DC of the domain that holds it',
    );
    expect(r.stdout).to.equal('');
  });

  it('[mock] treats a malformed answer as a broken read, not a crash', async () => {
    mock.faults.add({ on: 'search', nth: 3, times: 99, action: { type: 'malformed' } });
    const r = await cli(['audit', '--retries', '1']);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('directory read incomplete');
    expect(r.stderr).to.contain('with a message that is not valid LDAP');
    expect(r.stderr).to.not.contain('unexpected');
  });

  it('[mock] says which timeout fired when the DC stops answering', async () => {
    mock.faults.add({ on: 'search', nth: 3, times: 99, action: { type: 'delay', ms: 5000 } });
    const r = await cli(['audit', '--timeout', '300', '--retries', '0']);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('within the request timeout (--timeout)');
  });

  it('[mock] reports a DC that drops every new connection, exit 3', async () => {
    mock.faults.refuseConnections = true;
    const r = await cli(['audit']);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.match(/cannot reach|connection/);
  });

  describe('a connection that drops during fix --apply', () => {
    for (const action of [{ type: 'close-after-apply' }, { type: 'close' }] as FaultAction[]) {
      it(`[mock] ${action.type}: the journal says what was applied, a second fix converges, rollback restores`, async () => {
        const before = ['HV02', 'HV03', 'admin.nested', 'admin.primary'].map((n) => snapshot(mock, n));
        mock.faults.add({ on: 'modify', nth: 2, times: 1, action });
        const journal = join(dir, 'fix.jsonl');
        const first = await cli(['fix', '--protect-privileged', '--apply', '--yes', '--journal', journal]);
        expect(first.code).to.equal(3);
        const lines = readJournal(journal);
        const outcomes = lines.filter((l) => l.type === 'done' || l.type === 'unknown' || l.type === 'failed').map((l) => l.type);
        expect(outcomes).to.deep.equal(['done', 'unknown']);
        const second = lines.filter((l) => l.type === 'intent')[1]!;
        if (second.type !== 'intent') throw new Error('not an intent');
        const uacNow = Number(mock.getEntry(second.dn)!.get('userAccountControl')[0]);
        expect(uacNow).to.equal(action.type === 'close' ? second.before.userAccountControl : second.change.userAccountControl!.to);

        const again = await cli(['fix', '--protect-privileged', '--apply', '--yes', '--journal', join(dir, 'again.jsonl')]);
        expect(again.code, again.stderr).to.equal(0);
        // What fix does not touch stays: PA002 (advice) and the DG findings outside Hyper-V.
        expect(findings(await auditMock()).filter((f) => !f.startsWith('PA002'))).to.deep.equal([...LAB_DG_CRITICAL, ...LAB_DG_BELOW_HIGH]);

        const undo = await cli(['rollback', journal, '--apply', '--yes', '--journal', join(dir, 'undo.jsonl')]);
        expect(undo.code, undo.stderr).to.equal(0);
        // The first journal's accounts are back; the second fix's are its own to undo.
        const undoAgain = await cli(['rollback', join(dir, 'again.jsonl'), '--apply', '--yes', '--journal', join(dir, 'undo2.jsonl')]);
        expect(undoAgain.code, undoAgain.stderr).to.equal(0);
        expect(['HV02', 'HV03', 'admin.nested', 'admin.primary'].map((n) => snapshot(mock, n))).to.deep.equal(before);
      });
    }
  });
});

function snapshot(mock: MockLdap, name: string): string {
  const dn = name.startsWith('HV') ? `CN=${name},OU=Hyper-V,DC=corp,DC=example,DC=com` : `CN=${name},OU=Admins,DC=corp,DC=example,DC=com`;
  const entry = mock.getEntry(dn)!;
  return `${name} ${entry.get('userAccountControl').join()} ${entry.get('msDS-AllowedToDelegateTo').sort().join('|')}`;
}
