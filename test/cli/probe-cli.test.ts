import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { runCli, mockFlags } from '../helpers/run-cli.js';
import { closedPort, type Endpoint, listener } from '../helpers/listeners.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';
import { LAB_DG_CRITICAL, LAB_HV_PA } from '../helpers/lab-findings.js';

const pw = { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' };

describe('delegaudit probe (spawned) [mock]', () => {
  let mock: MockLdap;
  let hv01: Endpoint;
  let hv02: Endpoint;
  let closed: number;
  let dir: string;
  const conn = (): string[] => [...mockFlags(mock, 'Administrator@corp.example.com')];
  /** HV01 and HV02 listen; nothing listens where HV03 points. */
  const resolve = (): string[] => [
    '--resolve',
    `HV01.corp.example.com=127.0.0.1:${hv01.port}`,
    '--resolve',
    `HV02.corp.example.com=127.0.0.1:${hv02.port}`,
    '--resolve',
    `HV03.corp.example.com=127.0.0.1:${closed}`,
  ];

  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    [hv01, hv02, closed] = await Promise.all([listener(), listener(), closedPort()]);
    dir = await tempDir('delegaudit-probe-');
  });
  after(async () => {
    await Promise.all([mock.close(), hv01.close(), hv02.close()]);
  });

  it('reports exactly one HV011 for two listeners and one closed port, and exits 1 (--fail-on defaults to medium)', async () => {
    const r = await runCli(['probe', ...conn(), ...resolve(), '--format', 'json'], pw);
    expect(r.code, r.stderr).to.equal(1);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal(['HV011 HV03$']);
    expect(report.findings[0]!.details).to.include({ status: 'refused', port: closed, address: '127.0.0.1' });
    expect(report.probe!.results.map((p) => [p.host, p.status])).to.deep.equal([
      ['HV01$', 'open'],
      ['HV02$', 'open'],
      ['HV03$', 'refused'],
    ]);
    expect(r.stderr).to.contain('probing TCP 6600 on 3 hosts');
  });

  it('prints a table of the results and the fix', async () => {
    const r = await runCli(['probe', ...conn(), ...resolve()], pw);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/HV01\$\s+│\s+HV01\.corp\.example\.com\s+│\s+127\.0\.0\.1:\d+\s+│\s+listening/);
    expect(r.stdout).to.match(/HV03\$\s+│\s+HV03\.corp\.example\.com\s+│\s+127\.0\.0\.1:\d+\s+│\s+refused: nothing listens\s+│\s+ECONNREFUSED/);
    expect(r.stdout).to.contain('HV011 vmms-not-listening: 1 host');
    expect(r.stdout).to.contain("fix: Invoke-Command -ComputerName 'HV03.corp.example.com' -ScriptBlock { Set-Service -Name vmms -StartupType Automatic;");
  });

  it('writes the PowerShell fix for the affected hosts only', async () => {
    const r = await runCli(['probe', ...conn(), ...resolve(), '--format', 'powershell', '--quiet'], pw);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain("$hosts = @('HV03.corp.example.com')");
    expect(r.stdout).to.contain('Set-Service -Name vmms -StartupType Automatic');
    expect(r.stdout).to.contain("Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Services\\vmms' -Name DelayedAutoStart -Value 1 -Type DWord");
    expect(r.stdout).to.not.contain('HV01.corp');
  });

  it('exits 0 when every host listens, and with --fail-on high', async () => {
    const all = ['--resolve', `HV01=127.0.0.1:${hv01.port}`, '--resolve', `HV02=127.0.0.1:${hv02.port}`, '--resolve', `HV03=127.0.0.1:${hv02.port}`];
    const clean = await runCli(['probe', ...conn(), ...all, '--format', 'json'], pw);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(reportSchema.parse(JSON.parse(clean.stdout)).findings).to.deep.equal([]);
    expect((await runCli(['probe', ...conn(), ...resolve(), '--fail-on', 'high'], pw)).code).to.equal(0);
  });

  it('--port sets the port for hosts --resolve gives only an address', async () => {
    const r = await runCli(
      [
        'probe',
        ...conn(),
        '--port',
        String(hv01.port),
        '--resolve',
        'HV01=127.0.0.1',
        '--resolve',
        'HV02=127.0.0.1',
        '--resolve',
        'HV03=127.0.0.1',
        '--format',
        'json',
      ],
      pw,
    );
    expect(r.code, r.stderr).to.equal(0);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.probe!.port).to.equal(hv01.port);
    expect(report.probe!.results.map((p) => p.status)).to.deep.equal(['open', 'open', 'open']);
  });

  it("audit --probe adds HV011 to the audit's findings, in every format", async () => {
    const r = await runCli(['audit', ...conn(), '--probe', ...resolve(), '--format', 'json'], pw);
    expect(r.code).to.equal(1);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal([
      ...LAB_DG_CRITICAL,
      ...LAB_HV_PA,
      'DG005 svc-web',
      'HV011 HV03$',
      'DG004 svc-web',
    ]);
    const file = join(dir, 'probe.html');
    expect((await runCli(['audit', ...conn(), '--probe', ...resolve(), '--format', 'html', '--output', file], pw)).code).to.equal(1);
    const html = await readFile(file, 'utf8');
    expect(html).to.contain('<strong>HV011</strong> vmms-not-listening');
    expect(html).to.contain('Live-migration port probe (TCP 6600)');
    const csv = await runCli(['audit', ...conn(), '--probe', ...resolve(), '--format', 'csv'], pw);
    expect(csv.stdout).to.match(/\r\nmedium,HV011,vmms-not-listening,migration,HV03\$,computer,/);
    const table = await runCli(['audit', ...conn(), '--probe', ...resolve()], pw);
    expect(table.stdout).to.match(/Port probe: TCP 6600 on 3 hosts \(timeout 3000 ms\): 2 listening, 1 refused: nothing listens/);
  });

  it('audit without --probe never probes', async () => {
    const r = await runCli(['audit', ...conn(), '--format', 'json'], pw);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.probe).to.equal(undefined);
    expect(r.stderr).to.not.contain('probing');
  });

  it('exits 2 on a bad --resolve, a bad --port, or probe flags on an audit without --probe', async () => {
    const badResolve = await runCli(['probe', ...conn(), '--resolve', 'HV01=hv01.example.com'], pw);
    expect(badResolve.code).to.equal(2);
    expect(badResolve.stderr).to.contain('--resolve takes NAME=ADDRESS or NAME=ADDRESS:PORT with an IP address');
    const badPort = await runCli(['probe', ...conn(), '--port', '70000'], pw);
    expect(badPort.code).to.equal(2);
    expect(badPort.stderr).to.contain('--port takes a TCP port from 1 to 65535, not "70000"');
    const noProbe = await runCli(['audit', ...conn(), '--resolve', 'HV01=127.0.0.1'], pw);
    expect(noProbe.code).to.equal(2);
    expect(noProbe.stderr).to.contain('need --probe');
  });

  it('exits 3 when the directory cannot be reached', async () => {
    const r = await runCli(['probe', '--url', `ldaps://127.0.0.1:${closed}`, '--user', 'x'], pw);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('connection refused');
  });
});
