import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change } from 'ldapts';
import { applyFix, audit, planFixFor, readJournal } from '../../src/index.js';
import { readLabConnection } from '../ad-lab/connection.js';
import { CLI, runCli, mockFlags } from '../helpers/run-cli.js';
import { startMockLdap } from '../../mock-ldap/index.js';
import { forEachTarget, LAB_LDIF, resetLab, type Target, withAdminClient } from '../helpers/targets.js';
import { requireTool } from '../helpers/requires.js';
import { tempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const MIG = 'Microsoft Virtual System Migration Service';
const DNS = 'corp.example.com';
const required = (peers: string[]): string[] => peers.flatMap((p) => [`${MIG}/${p}`, `${MIG}/${p}.${DNS}`, `cifs/${p}`, `cifs/${p}.${DNS}`]);

const connection = (t: Target, user = t.admin): string[] => [
  '--url',
  t.url,
  '--ca-file',
  t.caFile,
  '--tls-servername',
  t.servername,
  '--user',
  user.dn,
  '--quiet',
];
const env = (t: Target, user = t.admin) => ({ DELEGAUDIT_PASSWORD: user.password });
const options = (t: Target, user = t.admin) => ({
  url: t.url,
  caFile: t.caFile,
  tlsServername: t.servername,
  credentials: { user: user.dn, password: user.password },
});

interface State {
  uac: number;
  delegation: string[];
}

/** The two attributes fix writes, for the lab's hosts and admins. */
async function snapshot(t: Target): Promise<Record<string, State>> {
  return withAdminClient(t, async (client) => {
    const { searchEntries } = await client.search(t.baseDN, {
      scope: 'sub',
      filter: '(|(sAMAccountName=HV0*)(sAMAccountName=admin.*))',
      attributes: ['sAMAccountName', 'userAccountControl', 'msDS-AllowedToDelegateTo'],
    });
    const state: Record<string, State> = {};
    for (const e of searchEntries) {
      const values = e['msDS-AllowedToDelegateTo'];
      state[String(e.sAMAccountName)] = {
        uac: Number(e.userAccountControl),
        delegation: (Array.isArray(values) ? values.map(String) : values ? [String(values)] : []).sort(),
      };
    }
    return state;
  });
}

function fixDir(): Promise<string> {
  return tempDir('delegaudit-fix-');
}

forEachTarget(
  'fix and rollback',
  (label, target) => {
    it(`[${label}] fix --apply --yes leaves no HV001/HV002/HV003, keeps unrelated entries, and sets protocol transition`, async () => {
      const t = target();
      await withAdminClient(t, (client) =>
        client.modify(
          `CN=HV01,OU=Hyper-V,${t.baseDN}`,
          new Change({ operation: 'add', modification: new Attribute({ type: 'msDS-AllowedToDelegateTo', values: ['cifs/FS01.corp.example.com'] }) }),
        ),
      );
      const dir = await fixDir();
      const r = await runCli(['fix', ...connection(t), '--apply', '--yes', '--journal', join(dir, 'j.jsonl')], env(t));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('Findings before → after: 10 → 8');
      expect(r.stdout).to.contain('klist purge -li 0x3e7');
      const { report } = await audit(options(t));
      expect(report.findings.filter((f) => /^HV00[123]$/.test(f.rule))).to.deep.equal([]);
      const state = await snapshot(t);
      expect(state['HV01$']!.delegation).to.deep.equal([...required(['HV02', 'HV03']), 'cifs/FS01.corp.example.com'].sort());
      expect(state['HV02$']!.delegation).to.deep.equal(required(['HV01', 'HV03']).sort());
      expect(state['HV03$']!.delegation).to.deep.equal(required(['HV01', 'HV02']).sort());
      for (const host of ['HV01$', 'HV02$', 'HV03$']) expect(state[host]!.uac).to.equal(4096 | 0x1000000);
      if (label === 'samba') {
        // samba-tool reads the DC's database directly: the same facts, from another client.
        const lab = readLabConnection()!;
        for (const host of ['HV01$', 'HV02$', 'HV03$']) {
          const { stdout } = await run('samba-tool', ['delegation', 'show', host, '-H', join(lab.labDir, 'private', 'sam.ldb')]);
          expect(stdout).to.contain('UF_TRUSTED_TO_AUTHENTICATE_FOR_DELEGATION: True');
          const listed = stdout
            .split('\n')
            .filter((l) => l.startsWith('msDS-AllowedToDelegateTo: '))
            .map((l) => l.slice('msDS-AllowedToDelegateTo: '.length))
            .sort();
          expect(listed).to.deep.equal(state[host]!.delegation);
        }
      }
    });

    it(`[${label}] fix --host HV03 changes HV03 only`, async () => {
      const t = target();
      const before = await snapshot(t);
      const dir = await fixDir();
      const r = await runCli(['fix', ...connection(t), '--host', 'HV03', '--apply', '--yes', '--journal', join(dir, 'j.jsonl')], env(t));
      expect(r.code, r.stderr).to.equal(0);
      const after = await snapshot(t);
      expect(after['HV03$']).to.deep.equal({ uac: 4096 | 0x1000000, delegation: required(['HV01', 'HV02']).sort() });
      expect({ ...after, HV03$: undefined }).to.deep.equal({ ...before, HV03$: undefined });
    });

    it(`[${label}] rollback --apply restores every touched attribute to its exact previous values`, async () => {
      const t = target();
      const before = await snapshot(t);
      const dir = await fixDir();
      const journal = join(dir, 'fix.jsonl');
      expect((await runCli(['fix', ...connection(t), '--protect-privileged', '--apply', '--yes', '--journal', journal], env(t))).code).to.equal(0);
      expect(await snapshot(t)).to.not.deep.equal(before);
      const dry = await runCli(['rollback', journal, ...connection(t)], env(t));
      expect(dry.code).to.equal(0);
      expect(dry.stdout).to.contain('dry run: nothing is written');
      expect(await snapshot(t)).to.not.deep.equal(before);
      // No connection flags: the journal holds the URL, CA file, TLS name, auth method and user of the fix (never the password).
      const begin = JSON.parse((await readFile(journal, 'utf8')).split('\n')[0]!) as { connection: Record<string, unknown> };
      expect(begin.connection).to.deep.equal({ caFile: t.caFile, tlsServername: t.servername, auth: 'simple', user: t.admin.dn });
      const r = await runCli(['rollback', journal, '--apply', '--yes', '--journal', join(dir, 'rollback.jsonl')], env(t));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.contain(`from the journal: --url ${t.url} --ca-file ${t.caFile} --tls-servername ${t.servername} --auth simple --user ${t.admin.dn}`);
      expect(await snapshot(t)).to.deep.equal(before);
      const again = await runCli(['rollback', journal, ...connection(t), '--apply', '--yes', '--journal', join(dir, 'rollback2.jsonl')], env(t));
      expect(again.stdout).to.contain('Nothing to restore');
    });

    it(`[${label}] a second fix --apply plans nothing and writes nothing`, async () => {
      const t = target();
      const dir = await fixDir();
      expect((await runCli(['fix', ...connection(t), '--apply', '--yes', '--journal', join(dir, 'first.jsonl')], env(t))).code).to.equal(0);
      t.mock?.resetStats();
      const second = await runCli(['fix', ...connection(t), '--apply', '--yes', '--journal', join(dir, 'second.jsonl')], env(t));
      expect(second.code).to.equal(0);
      expect(second.stdout).to.contain('Plan: 0 accounts');
      expect(second.stdout).to.contain('Nothing to do');
      expect(existsSync(join(dir, 'second.jsonl'))).to.equal(false);
      if (t.mock) expect(t.mock.stats.modifies).to.equal(0);
    });

    it(`[${label}] detects a concurrent userAccountControl change between plan and apply, and does not clobber it`, async () => {
      const t = target();
      const { plan } = await planFixFor({ ...options(t), hosts: ['HV02'] });
      expect(plan.changes.map((c) => c.sAMAccountName)).to.deep.equal(['HV02$']);
      // Someone else sets "password never expires" on HV02 after our read.
      await withAdminClient(t, (client) =>
        client.modify(
          `CN=HV02,OU=Hyper-V,${t.baseDN}`,
          new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(4096 | 0x10000)] }) }),
        ),
      );
      const dir = await fixDir();
      const journal = join(dir, 'j.jsonl');
      const result = await applyFix(plan, { ...options(t), journal });
      expect(result.outcomes.map((o) => o.status)).to.deep.equal(['done']);
      const lines = readJournal(journal)
        .filter((l) => l.type !== 'begin' && l.type !== 'end')
        .map((l) => `${l.type} ${'attempt' in l ? l.attempt : ''}${'code' in l && l.code !== undefined ? ` ${l.code}` : ''}`);
      expect(lines).to.deep.equal(['intent 1', 'failed 1 16', 'intent 2', 'done 2']);
      expect((await snapshot(t))['HV02$']!.uac).to.equal(4096 | 0x10000 | 0x1000000);
    });

    it(`[${label}] an LDIF plan applied with ldapmodify gives the same end state as --apply`, async function ldapmodify() {
      requireTool(this, 'ldapmodify', 'apt-get install ldap-utils; the Samba lab installs it');
      const t = target();
      const dir = await fixDir();
      const ldif = await runCli(['fix', ...connection(t), '--protect-privileged', '--format', 'ldif'], env(t));
      expect(ldif.code).to.equal(0);
      const file = join(dir, 'plan.ldif');
      await writeFile(file, ldif.stdout);
      const pw = join(dir, 'pw');
      await writeFile(pw, t.admin.password, { mode: 0o600 });
      await run('ldapmodify', ['-H', t.url, '-x', '-D', t.admin.dn, '-y', pw, '-f', file], {
        env: { ...process.env, LDAPTLS_CACERT: t.caFile, LDAPTLS_REQCERT: 'allow' },
      });
      const viaLdapmodify = await snapshot(t);
      await resetLab(t);
      expect((await runCli(['fix', ...connection(t), '--protect-privileged', '--apply', '--yes', '--journal', join(dir, 'j.jsonl')], env(t))).code).to.equal(0);
      expect(await snapshot(t)).to.deep.equal(viaLdapmodify);
    });

    it(`[${label}] a read-only bind gets the insufficient-rights message, exit 3, and a journal with nothing done`, async () => {
      const t = target();
      const before = await snapshot(t);
      const dir = await fixDir();
      const journal = join(dir, 'j.jsonl');
      const r = await runCli(['fix', ...connection(t, t.reader), '--apply', '--yes', '--journal', journal], env(t, t.reader));
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('SeEnableDelegationPrivilege');
      const lines = readJournal(journal);
      expect(lines.filter((l) => l.type === 'done')).to.deep.equal([]);
      expect(lines.filter((l) => l.type === 'failed')).to.have.length(1);
      expect(await snapshot(t)).to.deep.equal(before);
      expect((await readdir(dir)).sort()).to.deep.equal(['j.jsonl']);
    });
  },
  { writes: true },
);

describe('fix on the command line [mock]', () => {
  it('[mock] refuses --apply without --yes when not on a terminal, writing nothing', async () => {
    const mock = await startMockLdap({ ldif: LAB_LDIF });
    try {
      const dir = await fixDir();
      const r = await runCli(['fix', ...mockFlags(mock, 'CORP\\Administrator'), '--apply', '--journal', join(dir, 'j.jsonl')], {
        DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd',
      });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('pass --yes');
      expect(mock.stats.modifies).to.equal(0);
      expect(existsSync(join(dir, 'j.jsonl'))).to.equal(false);
    } finally {
      await mock.close();
    }
  });
  it('[mock] asks y/N on a terminal: "n" writes nothing, "y" applies', async () => {
    const mock = await startMockLdap({ ldif: LAB_LDIF });
    try {
      const dir = await fixDir();
      const answer = async (reply: string, journal: string): Promise<{ code: number | null; output: string }> => {
        const args = ['fix', ...mockFlags(mock, 'CORP\\Administrator'), '--apply', '--quiet', '--journal', join(dir, journal)];
        const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
        const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' } });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          output += d;
          if (output.includes('[y/N] ') && !child.stdin.writableEnded) child.stdin.end(`${reply}\r`);
        });
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        return { code, output };
      };
      const no = await answer('n', 'no.jsonl');
      expect(no.code).to.equal(0);
      expect(no.output).to.contain('Apply these changes to 2 account(s)');
      expect(no.output).to.contain('Not applied.');
      expect(mock.stats.modifies).to.equal(0);
      expect(existsSync(join(dir, 'no.jsonl'))).to.equal(false);
      const yes = await answer('y', 'yes.jsonl');
      expect(yes.code).to.equal(0);
      expect(yes.output).to.contain('Applied: 2 done');
      expect(mock.stats.modifies).to.equal(2);
    } finally {
      await mock.close();
    }
  });
  it('[mock] refuses a damaged journal, naming the line, exit 2', async () => {
    const dir = await fixDir();
    const file = join(dir, 'bad.jsonl');
    const good = '{"type":"begin","operation":"fix","tool":"delegaudit","version":"0.1.0","url":"ldaps://x","baseDN":"DC=x","at":"t"}';
    await writeFile(file, `${good}\n{"type":"intent","seq":0}\n`);
    const r = await runCli(['rollback', file, '--user', 'x'], { DELEGAUDIT_PASSWORD: 'x' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/journal .*bad\.jsonl line 2: /);
    await writeFile(file, `${good}\n{"type":"done","seq":0,"att`);
    const truncated = await runCli(['rollback', file, '--user', 'x'], { DELEGAUDIT_PASSWORD: 'x' });
    expect(truncated.code).to.equal(2);
    expect(truncated.stderr).to.contain('line 2: not JSON (truncated?)');
    expect(readFileSync(file, 'utf8')).to.contain('"att');
  });
});
