import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportSchema } from '../../src/index.js';
import { DC_NAME, kerberosMissing, labKerberos, type LabKerberos, REALM, UNKNOWN_ALIAS } from '../helpers/kinit.js';
import { skipBecause } from '../helpers/requires.js';
import { runCli } from '../helpers/run-cli.js';
import { LAB_REQUIRED, readLabPassword, resetLab, sambaTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';

/** Findings as `RULE account`, from a JSON report on stdout. */
const findings = (stdout: string): string[] => reportSchema.parse(JSON.parse(stdout)).findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`);

describe('Kerberos sign-in [samba]', function kerberos() {
  this.timeout(60_000);
  const target = sambaTarget();
  let t: Target;
  let krb: LabKerberos;
  const reader = `auditor@${REALM}`;
  const admin = `admin.protected@${REALM}`;

  before(async function setUp() {
    const missing = target === undefined ? 'no Samba AD DC lab (npm run lab:start)' : kerberosMissing();
    if (missing !== undefined) skipBecause(this, missing);
    t = target!;
    if (t.netns === undefined && LAB_REQUIRED)
      throw new Error('the lab runs on loopback: the Kerberos tests need its namespace, where the DC answers to its name');
    krb = await labKerberos(t);
    await krb.kinit(reader, t.reader.password);
  });

  const kerberosUrl = (): string => `ldap://${new URL(t.url).hostname}`;
  /** Inside the lab's namespace the DC answers to its name, as on a domain member; on a loopback lab, the address and --tls-servername. */
  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    t.netns === undefined
      ? runCli([...args, '--url', kerberosUrl(), '--tls-servername', DC_NAME], env)
      : runCli([...args, '--url', `ldap://${DC_NAME}`], env, undefined, { netns: t.netns });
  const audit = (env: NodeJS.ProcessEnv, ...extra: string[]) => cli(['audit', '--auth', 'kerberos', '--format', 'json', ...extra], env);
  /** From outside the namespace, by address: the traffic crosses the lab's veth, where tcpdump sees it. */
  const auditByAddress = (env: NodeJS.ProcessEnv, ...extra: string[]) =>
    runCli(['audit', '--auth', 'kerberos', '--url', kerberosUrl(), '--tls-servername', DC_NAME, '--format', 'json', ...extra], env);

  it('[samba] audits by the DC name (ldap://DC01.corp.example.com) with the cached ticket, signed and sealed, with exactly the findings of the simple-bind audit, no password anywhere', async () => {
    const simple = await runCli(
      ['audit', '--url', t.url, '--ca-file', t.caFile, '--tls-servername', t.servername, '--user', t.reader.upn, '--format', 'json'],
      {
        DELEGAUDIT_PASSWORD: t.reader.password,
      },
    );
    const signed = await audit(krb.as(reader));
    const sealed = await audit(krb.as(reader), '--seal');
    expect(signed.stderr).to.not.contain('password');
    expect(JSON.parse(signed.stdout)).to.nested.include({ 'directory.url': `ldap://${t.netns === undefined ? new URL(t.url).hostname : DC_NAME}` });
    expect(findings(signed.stdout)).to.deep.equal(findings(simple.stdout));
    expect(findings(sealed.stdout)).to.deep.equal(findings(simple.stdout));
    expect(signed.code).to.equal(simple.code);
  });

  it('[samba] sealed traffic carries no DN in clear text; signed traffic does', async function capture() {
    if (!['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].some(existsSync)) skipBecause(this, 'tcpdump is missing (apt-get install tcpdump; .ci/run does)');
    const dir = await tempDir('delegaudit-capture-');
    // The interface the lab is reached through (its veth pair, or lo): tcpdump on "any" attaches too slowly to rely on.
    const route = await new Promise<string>((resolve) => {
      const ip = spawn('ip', ['route', 'get', new URL(t.url).hostname]);
      let out = '';
      ip.stdout.on('data', (d: Buffer) => (out += d.toString()));
      ip.on('close', () => resolve(out));
    });
    const device = /\bdev (\S+)/.exec(route)?.[1] ?? 'any';
    const captured = async (extra: string[]): Promise<Buffer> => {
      const file = join(dir, `${extra.length === 0 ? 'signed' : 'sealed'}.pcap`);
      // --immediate-mode: without it libpcap hands packets over a block at a time, when the block fills or
      // its timer (tcpdump's 1 s) runs out, and a block not yet handed over when tcpdump is stopped is lost:
      // the capture then held the file header alone (24 bytes), in some runs.
      const tcpdump = spawn(
        'tcpdump',
        ['-Z', 'root', '-i', device, '--immediate-mode', '-U', '-w', file, 'host', new URL(t.url).hostname, 'and', 'tcp', 'port', '389'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      // tcpdump says "listening on" once it captures; -Z root: it would drop to its own user, who cannot write into the test's 0700 folder.
      await new Promise<void>((resolve) => tcpdump.stderr.on('data', (d: Buffer) => d.toString().includes('listening on') && resolve()));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const run = await auditByAddress(krb.as(reader), ...extra);
      await new Promise((resolve) => setTimeout(resolve, 500));
      tcpdump.kill('SIGINT');
      await new Promise((resolve) => tcpdump.once('close', resolve));
      // A capture without DNs must mean sealing, not an audit that read nothing.
      expect(run.stdout, `audit ${extra.join(' ')} exited ${run.code}: ${run.stderr}`).to.contain('"baseDN"');
      return readFile(file);
    };
    const signed = await captured([]);
    const sealed = await captured(['--seal']);
    // Both runs read the same entries: the signed capture shows their DNs, the sealed one none.
    expect(signed.includes('DC=corp,DC=example'), `signed capture of ${signed.length} bytes on ${device}`).to.equal(true);
    expect(signed.includes('Hyper-V')).to.equal(true);
    expect(sealed.length).to.be.greaterThan(10_000);
    expect(sealed.includes('DC=corp')).to.equal(false);
    expect(sealed.includes('Hyper-V')).to.equal(false);
  });

  it('[samba] a scheduled job signs in from a keytab: no cache, no password, no terminal', async () => {
    const keytab = await krb.keytab(reader);
    const env = { ...process.env, KRB5_CONFIG: krb.config, KRB5CCNAME: `FILE:${join(krb.dir, 'none.ccache')}` };
    const run = await audit(env, '--keytab', keytab, '--user', reader);
    expect(run.stderr).to.not.match(/password|prompt/i);
    expect(findings(run.stdout)).to.include('HV001 HV02$');
  });

  it('[samba] a Protected Users Domain Admin, refused a simple bind (52f), fixes and rolls back with Kerberos; the directory ends as before', async () => {
    const simple = await runCli(['audit', '--url', t.url, '--ca-file', t.caFile, '--tls-servername', t.servername, '--user', `CORP\\admin.protected`], {
      DELEGAUDIT_PASSWORD: readLabPassword('admin.protected'),
    });
    expect(simple.code).to.equal(3);
    expect(simple.stderr).to.contain('data 52f');
    await krb.kinit(admin, readLabPassword('admin.protected'));
    const dir = await tempDir('delegaudit-kerberos-fix-');
    const before = await audit(krb.as(admin));
    try {
      const fix = await runCli(
        ['fix', '--auth', 'kerberos', '--url', kerberosUrl(), '--tls-servername', DC_NAME, '--apply', '--yes', '--journal', join(dir, 'fix.jsonl')],
        krb.as(admin),
      );
      expect(fix.code, fix.stderr).to.equal(0);
      expect(fix.stdout).to.contain('Applied: 2 done');
      const journal = (await readFile(join(dir, 'fix.jsonl'), 'utf8')).split('\n')[0]!;
      expect(JSON.parse(journal)).to.include({ auth: 'kerberos (signed)' });
      // The journal says how the fix signed in: the rollback needs no flags to do the same.
      const rollback = await runCli(['rollback', join(dir, 'fix.jsonl'), '--apply', '--yes', '--journal', join(dir, 'rollback.jsonl')], krb.as(admin));
      expect(rollback.stderr).to.contain('--auth kerberos');
      expect(rollback.code, rollback.stderr).to.equal(0);
      const after = await audit(krb.as(admin));
      const snapshot = (stdout: string) =>
        reportSchema.parse(JSON.parse(stdout)).hosts.map((h) => [h.sAMAccountName, h.protocolTransition, [...h.allowedToDelegateTo].sort()]);
      expect(snapshot(after.stdout)).to.deep.equal(snapshot(before.stdout));
    } finally {
      await resetLab(t);
    }
  });

  describe('errors, each one line with its exit code and no stack trace', () => {
    const oneLine = (stderr: string): void => {
      expect(stderr).to.not.match(/\n\s+at /);
    };
    it('[samba] no ticket: run kinit (exit 3)', async () => {
      const r = await audit({ ...process.env, KRB5_CONFIG: krb.config, KRB5CCNAME: `FILE:${join(krb.dir, 'empty.ccache')}` });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('run kinit user@REALM, or give a client keytab with --keytab');
      oneLine(r.stderr);
    });
    it('[samba] a DC name the KDC does not know (an alias no SPN names): connect by the DC name (exit 3)', async () => {
      const args = ['audit', '--auth', 'kerberos'];
      const r =
        t.netns === undefined
          ? await runCli([...args, '--url', kerberosUrl(), '--tls-servername', UNKNOWN_ALIAS], krb.as(reader))
          : await runCli([...args, '--url', `ldap://${UNKNOWN_ALIAS}`], krb.as(reader), undefined, { netns: t.netns });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain("connect by the DC's name as AD knows it");
      oneLine(r.stderr);
    });
    it('[samba] no security layer on 389: a simple bind without TLS is refused (strongerAuthRequired) with the flags that work (exit 3)', async () => {
      const r = await runCli(['audit', '--url', kerberosUrl(), '--user', t.reader.upn], { DELEGAUDIT_PASSWORD: t.reader.password });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain(
        'this DC requires signing or TLS: use ldaps:// or --starttls, or sign with Kerberos on ldap:// (--auth kerberos, no certificate needed)',
      );
      expect(r.stderr).to.not.contain(t.reader.password);
      oneLine(r.stderr);
    });
    it('[samba] an address in the URL and no DC name (exit 2)', async () => {
      const r = await runCli(['audit', '--auth', 'kerberos', '--url', kerberosUrl()], krb.as(reader));
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain("holds an address: Kerberos needs the DC's name");
      expect(r.stderr).to.contain('--tls-servername');
      oneLine(r.stderr);
    });
    it('[samba] Kerberos inside TLS, which Samba refuses: use ldap:// with Kerberos (exit 3)', async () => {
      const r = await runCli(['audit', '--auth', 'kerberos', '--url', t.url, '--ca-file', t.caFile, '--tls-servername', DC_NAME], krb.as(reader));
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('this DC refuses Kerberos inside TLS');
      oneLine(r.stderr);
    });
    it('[samba] Kerberos after StartTLS: the TLS upgrade is made on our socket and the certificate checked; Samba then refuses GSSAPI inside TLS (exit 3)', async () => {
      const args = ['audit', '--auth', 'kerberos', '--starttls'];
      const untrusted = await cli(args, krb.as(reader));
      expect(untrusted.code).to.equal(3);
      expect(untrusted.stderr).to.contain('is not trusted');
      const r = await cli([...args, '--ca-file', t.caFile], krb.as(reader));
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain(
        'this DC refuses Kerberos inside TLS (Samba does by default): use Kerberos on ldap:// without --starttls: signed, or sealed with --seal',
      );
      oneLine(r.stderr);
    });
    it('[samba] a simple bind on 389 without a layer stays refused, and doctor says which flags work (signed, sealed)', async () => {
      const r = await runCli(['doctor', '--url', kerberosUrl(), '--ca-file', t.caFile, '--tls-servername', DC_NAME], krb.as(reader));
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/simple bind on 389 without TLS\s+ok: refused \(strongerAuthRequired\)/);
      expect(r.stdout).to.match(/Kerberos on 389, signed\s+ok/);
      expect(r.stdout).to.match(/Kerberos on 389, sealed\s+ok/);
      expect(r.stdout).to.match(/Kerberos over TLS, channel binding\s+no: .*refuses Kerberos inside TLS/);
      expect(r.stdout).to.contain('--auth kerberos --seal --url ldap://');
    });
  });
});
