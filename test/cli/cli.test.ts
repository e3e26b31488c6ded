import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { CLI, runCli, mockFlags } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';
import { LAB_FINDINGS } from '../helpers/lab-findings.js';

const PASSWORD = 'Lab-Admin-Passw0rd';

describe('delegaudit CLI (spawned) [mock]', () => {
  let mock: MockLdap;
  let dir: string;
  const conn = (): string[] => [...mockFlags(mock, 'Administrator@corp.example.com')];
  const pw = { DELEGAUDIT_PASSWORD: PASSWORD };

  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    dir = await tempDir('delegaudit-cli-');
  });
  after(async () => {
    await mock.close();
  });

  describe('exit codes', () => {
    it('exits 1 when findings reach --fail-on (default high), report on stdout, progress on stderr', async () => {
      const r = await runCli(['audit', ...conn(), '--format', 'json'], pw);
      expect(r.code).to.equal(1);
      const report = reportSchema.parse(JSON.parse(r.stdout));
      expect(report.summary.findings.high).to.equal(4);
      expect(report.summary.findings.critical).to.equal(3);
      expect(r.stderr).to.match(/^delegaudit: connecting to ldaps:/m);
      expect(r.stdout).to.not.contain('delegaudit: ');
    });
    it('runs every rule by default and says so; --rules narrows, and the summary says that too', async () => {
      const all = await runCli(['audit', ...conn(), '--fail-on', 'never'], pw);
      expect(all.stdout).to.contain(
        'Findings: 3 critical, 4 high, 1 medium, 1 low, 0 info\nRules: all 21 (Hyper-V hosts, privileged accounts, every delegation)',
      );
      const narrowed = await runCli(['audit', ...conn(), '--rules', 'HV001,PA001', '--format', 'json', '--fail-on', 'never'], pw);
      expect(reportSchema.parse(JSON.parse(narrowed.stdout)).summary.rules).to.deep.equal(['HV001', 'PA001']);
      const table = await runCli(['audit', ...conn(), '--rules', 'HV001,PA001', '--fail-on', 'never'], pw);
      expect(table.stdout).to.contain('Rules: 2 of 21: HV001, PA001');
    });
    it('exits 0 when no finding reaches --fail-on', async () => {
      // The lab's critical findings are the DG ones: without them nothing is critical.
      expect((await runCli(['audit', ...conn(), '--fail-on', 'critical'], pw)).code).to.equal(1);
      expect((await runCli(['audit', ...conn(), '--rules', 'HV001,HV003,PA001', '--fail-on', 'critical'], pw)).code).to.equal(0);
      expect((await runCli(['audit', ...conn(), '--fail-on', 'never'], pw)).code).to.equal(0);
    });
    it('exits 2 on an unknown flag', async () => {
      const r = await runCli(['audit', '--frobnicate'], pw);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain("unknown option '--frobnicate'");
    });
    it('exits 2 and refuses a password on the command line, without echoing it', async () => {
      const r = await runCli(['audit', ...conn(), '--password', 'S3cret-on-argv']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('never taken from the command line');
      expect(r.stderr + r.stdout).to.not.contain('S3cret-on-argv');
    });
    it('exits 2 without --url, naming it', async () => {
      const r = await runCli(['audit', '--user', 'x'], pw);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.equal(
        'delegaudit: error: --url or --domain is required (e.g. --domain corp.example.com, or --url ldaps://dc01.corp.example.com)',
      );
    });
    it('exits 2 on a URL with another scheme', async () => {
      const r = await runCli(['audit', '--url', 'http://dc01', '--user', 'x'], pw);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('the scheme must be ldaps:// or ldap://');
    });
    it('exits 2 on a format it does not know', async () => {
      const r = await runCli(['audit', ...conn(), '--format', 'pdf'], pw);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain("argument 'pdf' is invalid");
    });
    it('exits 2 when there is no password source and no terminal', async () => {
      const r = await runCli(['audit', ...conn()]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('set DELEGAUDIT_PASSWORD, pass --password-file FILE, or run in a terminal');
    });
    it('exits 3 with AD data 52e decoded on a bad password', async () => {
      const r = await runCli(['audit', ...conn()], { DELEGAUDIT_PASSWORD: 'wrong-password' });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('bind as Administrator@corp.example.com refused: bad password (or unknown user) (AD data 52e)');
      expect(r.stderr).to.not.contain('    at ');
    });
    it('exits 3 with the TLS hint on a plain simple bind', async () => {
      const r = await runCli(['audit', '--url', mock.url, '--user', 'CORP\\Administrator'], pw);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('ldap:// without --starttls: the password travels in clear text');
      expect(r.stderr).to.contain(
        'this DC requires signing or TLS: use ldaps:// or --starttls, or sign with Kerberos on ldap:// (--auth kerberos, no certificate needed)',
      );
    });
    it('binds with StartTLS on ldap://', async () => {
      const r = await runCli(
        [
          'audit',
          '--url',
          mock.url,
          '--starttls',
          '--ca-file',
          mock.caFile,
          '--tls-servername',
          mock.servername,
          '--user',
          'CORP\\Administrator',
          '--fail-on',
          'never',
        ],
        pw,
      );
      expect(r.code).to.equal(0);
    });
    it('exits 3 and suggests --ca-file when the certificate is not trusted', async () => {
      const r = await runCli(['audit', '--url', mock.ldapsUrl!, '--user', 'Administrator@corp.example.com'], pw);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.match(/TLS certificate of .* is not trusted .*--ca-file/);
    });
    it('exits 3 and suggests --tls-servername on a name mismatch', async () => {
      const r = await runCli(
        ['audit', '--url', mock.ldapsUrl!, '--ca-file', mock.caFile, '--tls-servername', 'dc99.other.example', '--user', 'Administrator@corp.example.com'],
        pw,
      );
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('does not match the host name');
      expect(r.stderr).to.contain('--tls-servername');
    });
    it('exits 3 when nothing listens', async () => {
      const port = await closedPort();
      const r = await runCli(['audit', '--url', `ldaps://127.0.0.1:${port}`, '--user', 'x'], pw);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('connection refused');
    });
    it('adds the stack only with --debug', async () => {
      const r = await runCli(['audit', ...conn(), '--debug'], { DELEGAUDIT_PASSWORD: 'wrong-password' });
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('    at ');
    });
  });

  describe('output', () => {
    it('prints no ANSI escapes with NO_COLOR', async () => {
      const r = await runCli(['audit', ...conn()], pw);
      expect(r.stdout).to.contain('Migration group "all hosts"');
      expect(r.stdout).to.not.match(/\u001b\[/);
    });
    it('writes --output with mode 0600 and leaves stdout empty', async () => {
      const file = join(dir, 'report.json');
      const r = await runCli(['audit', ...conn(), '--format', 'json', '--output', file], pw);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      expect(reportSchema.parse(JSON.parse(await readFile(file, 'utf8'))).findings).to.have.length(LAB_FINDINGS.length);
    });
    it('reads the password from --password-file and never prints it', async () => {
      const file = join(dir, 'pw');
      await writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
      const r = await runCli(['audit', ...conn(), '--password-file', file, '--format', 'json']);
      expect(r.code).to.equal(1);
      expect(r.stdout + r.stderr).to.not.contain(PASSWORD);
    });
    it('prompts for the password on a terminal without echoing it', async () => {
      // script(1) gives the CLI a pseudo-terminal; the password is typed once the prompt is up.
      const command = [CLI, 'audit', ...conn(), '--fail-on', 'never', '--format', 'json', '--quiet'].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
      const child = spawn('script', ['-qec', `${process.execPath} ${command}`, '/dev/null'], {
        env: { ...process.env, NO_COLOR: '1', DELEGAUDIT_PASSWORD: '' },
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        if (output.includes('Password for Administrator@corp.example.com: ') && !child.stdin.writableEnded) child.stdin.end(`${PASSWORD}\r`);
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).to.equal(0);
      expect(output).to.contain('"schemaVersion": 1');
      expect(output).to.not.contain(PASSWORD);
    });
    it('warns loudly with --insecure', async () => {
      const r = await runCli(['audit', '--url', mock.ldapsUrl!, '--insecure', '--user', 'CORP\\Administrator', '--fail-on', 'never'], pw);
      expect(r.code).to.equal(0);
      expect(r.stderr).to.contain('warning: --insecure: TLS certificate checks are OFF');
    });
    it('prints help and exits 0', async () => {
      const r = await runCli(['audit', '--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.contain('--fail-on <severity>');
      expect(r.stdout).to.not.contain('--password <');
    });
  });

  describe('config file', () => {
    it('takes options from the file, and flags override it', async () => {
      const file = join(dir, 'config.json');
      await writeFile(
        file,
        JSON.stringify({
          url: mock.ldapsUrl,
          caFile: mock.caFile,
          tlsServername: mock.servername,
          user: 'CORP\\Administrator',
          failOn: 'never',
          format: 'json',
        }),
      );
      const fromFile = await runCli(['audit', '--config', file], pw);
      expect(fromFile.code).to.equal(0);
      expect(reportSchema.parse(JSON.parse(fromFile.stdout)).schemaVersion).to.equal(1);
      const overridden = await runCli(['audit', '--config', file, '--fail-on', 'high'], pw);
      expect(overridden.code).to.equal(1);
    });
    it('exits 2 naming the path of a bad key', async () => {
      const file = join(dir, 'bad.json');
      await writeFile(file, JSON.stringify({ url: 'ldaps://x', groups: [{ name: 'a', hosts: ['HV01', 7] }], timout: 5 }));
      const r = await runCli(['audit', '--config', file], pw);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('unknown key timout');
      expect(r.stderr).to.contain('groups[0].hosts[1]: ');
    });
    it('refuses a password in the config file', async () => {
      const file = join(dir, 'pw.json');
      await writeFile(file, JSON.stringify({ url: 'ldaps://x', password: 'x' }));
      const r = await runCli(['audit', '--config', file], pw);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('unknown key password (passwords come from DELEGAUDIT_PASSWORD');
    });
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
