/**
 * `--domain` against the Samba lab's two DCs (DC01 and DC02, replicating through DRS), found through
 * the lab's DNS (SRV records) from inside its namespace, as a domain member finds them: failover with a
 * DC stopped, --verify-replication with replication running and with DC02's inbound replication
 * disabled, --compare-dcs, and losing the DC being written mid-apply.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLabConnection } from '../ad-lab/connection.js';
import { replicateNow, setInboundReplication, startDc, stopDc } from '../ad-lab/dcs.js';
import { type JournalLine, readJournal } from '../../src/fix/journal.js';
import { reportSchema } from '../../src/index.js';
import { LAB_FINDINGS } from '../helpers/lab-findings.js';
import { skipBecause } from '../helpers/requires.js';
import { CLI, runCli } from '../helpers/run-cli.js';
import { resetLab, sambaTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';

const DOMAIN = 'corp.example.com';
const SRV = `_ldap._tcp.dc._msdcs.${DOMAIN}`;
const DC01 = `DC01.${DOMAIN}`;
const DC02 = `DC02.${DOMAIN}`;

const findings = (stdout: string): string[] => reportSchema.parse(JSON.parse(stdout)).findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`);

/** Each journal's intents have an outcome, and the journal ends: nothing in flight went unrecorded. */
function expectComplete(lines: JournalLine[]): void {
  const intents = lines.filter((l) => l.type === 'intent').length;
  expect(lines.filter((l) => l.type === 'done' || l.type === 'failed' || l.type === 'unknown')).to.have.length(intents);
  expect(lines.at(-1)).to.include({ type: 'end' });
}

/** DRS from DC01 to DC02 now; right after DC01 restarts, its RPC server may need a few seconds more than LDAPS. */
async function catchUp(): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await replicateNow('DC02', 'DC01');
    } catch (error) {
      if (attempt >= 15) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

describe('the domain, not one DC: two Samba DCs [samba]', function twoDcs() {
  this.timeout(180_000);
  const target = sambaTarget();
  let t: Target;
  let netns: string;
  let dir: string;
  let flags: string[];
  let env: Record<string, string>;

  before(async function setUp() {
    const lab = readLabConnection();
    if (target === undefined || lab === undefined) return skipBecause(this, 'no Samba AD DC lab (npm run lab:start)');
    if (lab.netns === undefined || (lab.dcs?.length ?? 0) < 2) return skipBecause(this, 'the lab runs one DC on loopback: two DCs need its network namespace');
    t = target;
    netns = lab.netns;
    dir = await tempDir('delegaudit-two-dcs-');
    // Each DC has a self-signed CA of its own: trust both, as an enterprise CA bundle would.
    const bundle = join(dir, 'cas.pem');
    writeFileSync(bundle, lab.dcs.map((dc) => readFileSync(dc.caFile, 'utf8')).join('\n'));
    flags = ['--domain', DOMAIN, '--ca-file', bundle, '--user', t.admin.upn];
    env = { DELEGAUDIT_PASSWORD: t.admin.password };
  });

  beforeEach(async () => {
    await resetLab(t);
    await catchUp();
  });

  after(async () => {
    if (t === undefined) return;
    await startDc('DC01');
    await setInboundReplication('DC02', true);
    await resetLab(t);
    await catchUp();
  });

  /** The CLI inside the lab's namespace, where DNS (resolv.conf) is the lab's. */
  const cli = (args: string[]) => runCli(args, env, undefined, { netns });

  /** rollback --apply --verify-replication of a fix's journal: exit 0, and DC02 converged. */
  async function rollbackConverges(journal: string, name: string, wait: number): Promise<void> {
    const rollback = await cli([
      'rollback',
      journal,
      ...flags,
      '--apply',
      '--yes',
      '--journal',
      join(dir, name),
      '--verify-replication',
      '--wait',
      String(wait),
    ]);
    expect(rollback.code, rollback.stderr + rollback.stdout).to.equal(0);
    expect(rollback.stdout).to.match(new RegExp(`${DC02}\\s+converged after [\\d.]+ s`, 'i'));
  }

  it('[samba] audit --domain finds both DCs by SRV, with no --url, and reports exactly the findings of --url', async () => {
    const r = await cli(['audit', ...flags, '--format', 'json']);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.match(
      new RegExp(`DNS names 2 DC\\(s\\) for ${DOMAIN} \\(${SRV.replaceAll('.', '\\.')}\\): (DC01|DC02)\\.${DOMAIN}, (DC01|DC02)\\.${DOMAIN}`, 'i'),
    );
    expect(findings(r.stdout)).to.deep.equal(LAB_FINDINGS);
    const byUrl = await runCli(
      ['audit', '--url', t.url, '--ca-file', t.caFile, '--tls-servername', t.servername, '--user', t.admin.upn, '--format', 'json'],
      env,
    );
    expect(findings(r.stdout)).to.deep.equal(findings(byUrl.stdout));
    expect(JSON.parse(r.stdout))
      .to.have.nested.property('directory.dc')
      .that.matches(/^DC0[12]\.corp\.example\.com$/i);
  });

  it('[samba] with DC01 stopped, fails over to DC02, says so, and reports the same findings', async () => {
    await stopDc('DC01');
    try {
      // DNS lists both DCs with the same priority and weight: whichever comes first, the report is DC02's.
      const runs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => cli(['audit', ...flags, '--format', 'json'])));
      for (const r of runs) {
        expect(r.code, r.stderr).to.equal(1);
        expect(findings(r.stdout)).to.deep.equal(LAB_FINDINGS);
        expect(JSON.parse(r.stdout))
          .to.have.nested.property('directory.dc')
          .that.matches(/^DC02\.corp\.example\.com$/i);
      }
      const failedOver = runs.filter((r) => r.stderr.includes(`${DC01} did not answer (`));
      expect(failedOver.length, 'at least one of six runs tried DC01 first').to.be.above(0);
      expect(failedOver[0]!.stderr).to.match(new RegExp(`${DC01} did not answer \\(.*refused.*\\); trying ${DC02}`));
    } finally {
      await startDc('DC01');
    }
  });

  it('[samba] fix --apply --verify-replication with replication running: both DCs converged (exit 0), and rollback too', async () => {
    const journal = join(dir, 'converge.jsonl');
    const fix = await cli(['fix', ...flags, '--write-dc', 'DC01', '--apply', '--yes', '--journal', journal, '--verify-replication', '--wait', '60']);
    expect(fix.code, fix.stderr + fix.stdout).to.equal(0);
    expect(fix.stdout).to.match(new RegExp(`${DC01}\\s+written here`, 'i'));
    expect(fix.stdout).to.match(new RegExp(`${DC02}\\s+converged after [\\d.]+ s`, 'i'));
    await rollbackConverges(journal, 'converge-rb.jsonl', 60);
  });

  it('[samba] with inbound replication disabled on DC02: "not yet" within --wait 20 (exit 5, journal complete), --compare-dcs reports the disagreement; re-enabled, the rollback converges and the DCs agree', async () => {
    const journal = join(dir, 'stalled.jsonl');
    await setInboundReplication('DC02', false);
    try {
      const started = Date.now();
      const fix = await cli(['fix', ...flags, '--write-dc', 'DC01', '--apply', '--yes', '--journal', journal, '--verify-replication', '--wait', '20']);
      expect(fix.code, fix.stderr + fix.stdout).to.equal(5);
      expect(Date.now() - started).to.be.below(45_000);
      expect(fix.stdout).to.match(new RegExp(`${DC02}\\s+not yet after 20 s: HV02\\$, HV03\\$ still differ`, 'i'));
      expectComplete(readJournal(journal));

      const compared = await cli(['audit', ...flags, '--compare-dcs', '--format', 'json']);
      const report = reportSchema.parse(JSON.parse(compared.stdout));
      expect(report.comparedDcs?.map((d) => d.dc.toUpperCase()).sort()).to.deep.equal([DC01.toUpperCase(), DC02.toUpperCase()]);
      const differ = report.findings.filter((f) => f.rule === 'DG006');
      expect(differ.map((f) => f.subject.sAMAccountName)).to.deep.equal(['HV02$', 'HV03$']);
      const hv03 = (differ[1]!.details as { dcs: Array<{ dc: string; flags: string[]; allowedToDelegateTo: string[] }> }).dcs;
      const on = (name: string) => hv03.find((v) => v.dc.toUpperCase() === name.toUpperCase())!;
      expect(on(DC01).flags).to.include('TRUSTED_TO_AUTH_FOR_DELEGATION');
      expect(on(DC01).allowedToDelegateTo.length).to.be.above(on(DC02).allowedToDelegateTo.length);
      expect(on(DC02).flags).to.not.include('TRUSTED_TO_AUTH_FOR_DELEGATION');
    } finally {
      await setInboundReplication('DC02', true);
    }
    await rollbackConverges(journal, 'stalled-rb.jsonl', 120);
    const agree = await cli(['audit', ...flags, '--compare-dcs', '--format', 'json']);
    expect(findings(agree.stdout).filter((f) => f.startsWith('DG006'))).to.deep.equal([]);
    expect(agree.stderr).to.match(/agree on every delegation/);
  });

  it('[samba] losing the DC being written mid-apply: journal complete, exit 3; a second fix --apply converges', async () => {
    const journal = join(dir, 'lost.jsonl');
    const child = spawn(
      'ip',
      ['netns', 'exec', netns, process.execPath, CLI, 'fix', ...flags, '--write-dc', 'DC01', '--apply', '--yes', '--journal', journal],
      {
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // After the first modify is through, freeze the CLI, stop the DC it writes to, and let it go on.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(existsSync(journal) && readFileSync(journal, 'utf8').includes('"type":"done"')))
        await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGSTOP');
      await stopDc('DC01');
      child.kill('SIGCONT');
      expect(await exited, stderr).to.equal(3);
      const lines = readJournal(journal);
      expectComplete(lines);
      expect(lines.filter((l) => l.type === 'done').length).to.be.below(4);
    } finally {
      await startDc('DC01');
    }
    const again = await cli(['fix', ...flags, '--write-dc', 'DC01', '--protect-privileged', '--apply', '--yes', '--journal', join(dir, 'again.jsonl')]);
    expect(again.code, again.stderr + again.stdout).to.equal(0);
    const check = await cli(['fix', ...flags, '--write-dc', 'DC01', '--protect-privileged']);
    expect(check.stdout).to.contain(': 0 accounts, 0 values to add, 0 to remove, 0 flag changes');
  });
});
