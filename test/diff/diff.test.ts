import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { diffReports, driftAtOrAbove, isEmptyDiff, type ReportDiff } from '../../src/diff/diff-reports.js';
import { readReportFile } from '../../src/diff/read-report.js';
import { ConfigError } from '../../src/errors.js';
import { audit } from '../../src/index.js';
import { type Report, reportSchema } from '../../src/report/schema.js';
import { runCli } from '../helpers/run-cli.js';
import { forEachTarget, LAB_LDIF, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';

const MIG = 'Microsoft Virtual System Migration Service';
const clone = (report: Report): Report => JSON.parse(JSON.stringify(report)) as Report;
const keys = (findings: Report['findings']): string[] => findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`);

forEachTarget(
  'diff of the lab before and after fix --apply',
  (label, target) => {
    const connection = (t: Target): string[] => ['--url', t.url, '--ca-file', t.caFile, '--tls-servername', t.servername, '--user', t.admin.upn, '--quiet'];

    it(`[${label}] lists the resolved findings, the added entries and the flag changes; exits 0, and 1 the other way round`, async () => {
      const t = target();
      const env = { DELEGAUDIT_PASSWORD: t.admin.password };
      const dir = await tempDir('delegaudit-diff-');
      const [before, after] = [join(dir, 'before.json'), join(dir, 'after.json')];
      expect((await runCli(['audit', ...connection(t), '--format', 'json', '--output', before], env)).code).to.equal(1);
      const fix = await runCli(['fix', ...connection(t), '--apply', '--yes', '--journal', join(dir, 'fix.jsonl')], env);
      expect(fix.code, fix.stderr).to.equal(0);
      expect((await runCli(['audit', ...connection(t), '--format', 'json', '--output', after], env)).code).to.equal(1);

      const json = await runCli(['diff', before, after, '--format', 'json'], env);
      expect(json.code, json.stderr).to.equal(0);
      const diff = JSON.parse(json.stdout) as ReportDiff;
      expect(keys(diff.findings.resolved)).to.deep.equal(['HV001 HV02$', 'HV003 HV03$']);
      expect(diff.findings.appeared).to.deep.equal([]);
      expect(diff.hosts.added).to.deep.equal([]);
      expect(diff.hosts.removed).to.deep.equal([]);
      const byHost = Object.fromEntries(diff.hosts.changed.map((h) => [h.host, h]));
      expect(Object.keys(byHost)).to.deep.equal(['HV02$', 'HV03$']);
      expect(byHost['HV02$']).to.deep.include({ entriesAdded: [], entriesRemoved: [], flags: [{ flag: 'protocolTransition', before: false, after: true }] });
      expect(byHost['HV03$']!.entriesAdded.map((e) => e.toLowerCase()).sort()).to.deep.equal(
        ['HV01', 'HV01.corp.example.com', 'HV02', 'HV02.corp.example.com']
          .flatMap((h) => [`${MIG}/${h}`, `cifs/${h}`])
          .map((e) => e.toLowerCase())
          .sort(),
      );
      expect(byHost['HV03$']!.flags).to.deep.equal([{ flag: 'protocolTransition', before: false, after: true }]);

      const table = await runCli(['diff', before, after], env);
      expect(table.code).to.equal(0);
      expect(table.stdout).to.contain('Findings: 0 appeared, 2 resolved, 0 changed; hosts: 0 added, 0 removed, 2 changed');
      expect(table.stdout).to.match(/│ resolved │ high\s+│ HV001\s+│ HV02\$/);
      expect(table.stdout).to.match(/│ resolved │ high\s+│ HV003\s+│ HV03\$/);
      expect(table.stdout).to.match(/\+ cifs\/HV01\.corp\.example\.com/i);
      expect(table.stdout).to.contain('protocol transition: no → yes');

      // A nightly job comparing the other way round sees high findings appear: exit 1.
      const drift = await runCli(['diff', after, before], env);
      expect(drift.code).to.equal(1);
      expect(drift.stderr).to.contain('2 findings at or above high appeared');
      expect((await runCli(['diff', after, before, '--fail-on', 'critical'], env)).code).to.equal(0);
    });
  },
  { writes: true },
);

describe('diffReports', () => {
  let mock: MockLdap;
  let lab: Report;
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    ({ report: lab } = await audit({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'Administrator@corp.example.com', password: 'Lab-Admin-Passw0rd' },
    }));
  });
  after(async () => {
    await mock.close();
  });

  it('finds no drift between a report and itself', () => {
    const diff = diffReports(lab, clone(lab));
    expect(isEmptyDiff(diff)).to.equal(true);
    expect(diff.warnings).to.deep.equal([]);
    expect(driftAtOrAbove(diff, 'info')).to.deep.equal([]);
  });

  it('sees a host added and one removed, by sAMAccountName', () => {
    const after = clone(lab);
    const hv04 = { ...after.hosts[0]!, dn: 'CN=HV04,OU=Hyper-V,DC=corp,DC=example,DC=com', sAMAccountName: 'HV04$' };
    after.hosts = [...after.hosts.filter((h) => h.sAMAccountName !== 'HV03$'), hv04];
    const diff = diffReports(lab, after);
    expect(diff.hosts.added).to.deep.equal([{ sAMAccountName: 'HV04$', dn: hv04.dn, group: 'all hosts' }]);
    expect(diff.hosts.removed.map((h) => h.sAMAccountName)).to.deep.equal(['HV03$']);
  });

  it('sees a silent re-join: a new whenCreated, the entries gone, HV003 appearing; exit-worthy at high', () => {
    const before = clone(lab);
    const after = clone(lab);
    const hv01 = after.hosts.find((h) => h.sAMAccountName === 'HV01$')!;
    const removed = [...hv01.allowedToDelegateTo];
    Object.assign(hv01, { whenCreated: '20250101000000.0Z', allowedToDelegateTo: [], protocolTransition: false });
    const hv003 = { ...after.findings.find((f) => f.rule === 'HV003')!, subject: { dn: hv01.dn, sAMAccountName: 'HV01$', kind: 'computer' } };
    after.findings.push(hv003);
    after.generatedAt = new Date(Date.parse(before.generatedAt) + 86_400_000).toISOString();
    const diff = diffReports(before, after);
    expect(keys(diff.findings.appeared)).to.deep.equal(['HV003 HV01$']);
    const change = diff.hosts.changed.find((h) => h.host === 'HV01$')!;
    expect(change.entriesRemoved).to.deep.equal(removed);
    expect(change.flags.map((f) => f.flag)).to.deep.equal(['protocolTransition', 'whenCreated']);
    expect(keys(driftAtOrAbove(diff, 'high'))).to.deep.equal(['HV003 HV01$']);
    expect(driftAtOrAbove(diff, 'critical')).to.deep.equal([]);
  });

  it('compares delegation entries without case, as Kerberos does', () => {
    const after = clone(lab);
    const hv01 = after.hosts.find((h) => h.sAMAccountName === 'HV01$')!;
    hv01.allowedToDelegateTo = hv01.allowedToDelegateTo.map((e) => e.toUpperCase());
    expect(isEmptyDiff(diffReports(lab, after))).to.equal(true);
  });

  it('reports a finding whose severity rose as changed, and alerts on it', () => {
    const before = clone(lab);
    const after = clone(lab);
    const hv001 = after.findings.find((f) => f.rule === 'HV001')!;
    before.findings.find((f) => f.rule === 'HV001')!.severity = 'medium';
    hv001.severity = 'critical';
    const diff = diffReports(before, after);
    expect(diff.findings.changed.map((c) => [c.before.severity, c.after.severity])).to.deep.equal([['medium', 'critical']]);
    expect(keys(driftAtOrAbove(diff, 'high'))).to.deep.equal(['HV001 HV02$']);
    // Falling severity is not drift to alert on.
    expect(driftAtOrAbove(diffReports(after, before), 'info')).to.deep.equal([]);
  });

  it('tracks privileged accounts and their flags', () => {
    const after = clone(lab);
    after.privilegedAccounts.find((p) => p.sAMAccountName === 'admin.nested')!.sensitive = true;
    after.privilegedAccounts = after.privilegedAccounts.filter((p) => p.sAMAccountName !== 'admin.primary');
    const diff = diffReports(lab, after);
    expect(diff.privilegedAccounts.changed).to.deep.equal([
      { account: 'admin.nested', dn: 'CN=admin.nested,OU=Admins,DC=corp,DC=example,DC=com', flags: [{ flag: 'sensitive', before: false, after: true }] },
    ]);
    expect(diff.privilegedAccounts.removed.map((a) => a.sAMAccountName)).to.deep.equal(['admin.primary']);
  });

  it('warns when the reports come from different domains or the order looks reversed', () => {
    const other = clone(lab);
    other.directory.domainSid = 'S-1-5-21-1-2-3';
    other.generatedAt = '2000-01-01T00:00:00.000Z';
    expect(diffReports(lab, other).warnings).to.deep.equal([
      `the reports are from different domains (${lab.directory.domainSid} and S-1-5-21-1-2-3): every object differs`,
      `the second report (2000-01-01T00:00:00.000Z) is older than the first (${lab.generatedAt}): "appeared" and "resolved" are reversed`,
    ]);
  });
});

describe('reading reports back', () => {
  let dir: string;
  let lab: Report;
  before(async () => {
    dir = await tempDir('delegaudit-read-');
    const mock = await startMockLdap({ ldif: LAB_LDIF });
    try {
      ({ report: lab } = await audit({
        url: mock.ldapsUrl!,
        caFile: mock.caFile,
        tlsServername: mock.servername,
        credentials: { user: 'Administrator@corp.example.com', password: 'Lab-Admin-Passw0rd' },
      }));
    } finally {
      await mock.close();
    }
  });
  const write = async (name: string, content: unknown): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('reads a valid report', async () => {
    const path = await write('ok.json', lab);
    expect(await readReportFile(path)).to.deep.equal(reportSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
  });

  const refusals: Array<[string, () => unknown, RegExp]> = [
    ['another schemaVersion', () => ({ ...lab, schemaVersion: 2 }), /v2\.json is a schemaVersion 2 report; this delegaudit reads schemaVersion 1/],
    ['no schemaVersion', () => ({ findings: [] }), /is not a delegaudit JSON report \(no schemaVersion\)/],
    [
      'a finding of unknown severity',
      () => ({ ...lab, findings: [{ ...lab.findings[0], severity: 'urgent' }] }),
      /does not validate as a schemaVersion 1 report: findings\.0\.severity: /,
    ],
    ['a host without its flags', () => ({ ...lab, hosts: [{ dn: 'x' }] }), /hosts\.0\.sAMAccountName: .*\(and \d+ more\)/],
    ['text that is not JSON', () => 'HV01,HV02', /is not JSON .*diff compares reports written with --format json/],
  ];
  for (const [name, content, message] of refusals) {
    it(`refuses ${name} with a message that says what to do (exit 2)`, async () => {
      const path = await write(name === 'another schemaVersion' ? 'v2.json' : `${name.replace(/\W+/g, '-')}.json`, content());
      let error: unknown;
      await readReportFile(path).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.match(message);
      const r = await runCli(['diff', path, path]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(message);
    });
  }

  it('exits 2 on a missing file', async () => {
    const r = await runCli(['diff', join(dir, 'nope.json'), join(dir, 'nope.json')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('nope.json: cannot read it (ENOENT)');
  });
});
