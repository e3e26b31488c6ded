import { expect } from 'chai';
import { audit, inventory } from '../../src/index.js';
import { INVENTORY_CSV_COLUMNS } from '../../src/report/formats/inventory.js';
import { reportSchema } from '../../src/report/schema.js';
import { parseCsv } from '../helpers/csv.js';
import { runCli } from '../helpers/run-cli.js';
import { forEachTarget, type Target } from '../helpers/targets.js';
import { readLabConnection } from '../ad-lab/connection.js';
import { LAB_FINDINGS, LAB_HV_PA } from '../helpers/lab-findings.js';

const DNS = 'corp.example.com';
const connect = (t: Target) => ({
  url: t.url,
  caFile: t.caFile,
  tlsServername: t.servername,
  credentials: { user: t.reader.upn, password: t.reader.password },
});
const args = (t: Target): string[] => ['--url', t.url, '--ca-file', t.caFile, '--tls-servername', t.servername, '--user', t.reader.dn, '--quiet'];

forEachTarget('delegation inventory of the lab', (label, target) => {
  it(`[${label}] lists the domain controller's unconstrained flag as expected, not as a finding`, async () => {
    const { inventory: report } = await inventory(connect(target()));
    const dcs = report.rows.filter((r) => r.isDomainController && r.delegation === 'unconstrained');
    expect(dcs).to.have.length.at.least(1);
    for (const dc of dcs) expect(dc).to.include({ expected: true, targetExists: 'n/a', kind: 'computer' });
    expect(report.findings.filter((f) => f.rule === 'DG001').map((f) => f.subject.sAMAccountName)).to.deep.equal(['APP01$']);
  });

  it(`[${label}] lists every kind of delegation the lab has, one row each, with every DG rule where it belongs`, async () => {
    const { inventory: report } = await inventory(connect(target()));
    const domainSid = report.directory.domainSid;
    // The Samba lab's other DCs (DC02, joined with samba-tool; lab.ldif has DC01 only) are unconstrained, as every DC is: expected.
    const otherDcs = label === 'samba' ? (readLabConnection()?.dcs.slice(1) ?? []).map((dc) => `${dc.name}$ unconstrained (expected)  n/a`) : [];
    const rows = report.rows
      .filter((r) => !['HV01$', 'HV02$'].includes(r.sAMAccountName) || r.delegation === 'resource-based')
      .map((r) => `${r.sAMAccountName} ${r.delegation}${r.expected ? ' (expected)' : ''} ${r.target.toLowerCase()} ${r.targetExists}`);
    expect(rows).to.have.members([
      // unconstrained delegation that also kept a constrained list: a row for each
      'APP01$ unconstrained  n/a',
      'APP01$ constrained cifs/fs01.corp.example.com yes',
      'APP01$ constrained mssqlsvc/sql01.corp.example.com:1433 yes',
      'DC01$ unconstrained (expected)  n/a',
      'DC01$ resource-based app01$ yes',
      'FS01$ resource-based svc-web yes',
      `FS01$ resource-based ${domainSid.toLowerCase()}-1199 no`,
      'HV01$ resource-based hv03$ yes',
      'HV02$ resource-based hv03$ yes',
      'svc-sql constrained cifs/fs01 yes',
      `svc-sql constrained cifs/fs01.${DNS} yes`,
      `svc-web constrained-protocol-transition cifs/dc01.${DNS} yes`,
      'svc-web constrained-protocol-transition http/web01.corp.example.com no',
      ...otherDcs,
    ]);
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.have.members([
      'DG001 APP01$',
      'DG002 svc-web',
      'DG003 DC01$',
      'DG004 svc-web',
      'DG005 svc-web',
    ]);
    const rbcd = report.rows.find((r) => r.sAMAccountName === 'DC01$' && r.delegation === 'resource-based')!;
    expect(rbcd).to.include({ targetAccount: 'APP01$', isDomainController: true });
  });

  it(`[${label}] tells protocol transition from Kerberos only, one row per entry, with targets resolved`, async () => {
    const { inventory: report } = await inventory(connect(target()));
    const row = (account: string, entry: string) => report.rows.find((r) => r.sAMAccountName === account && r.target.toLowerCase() === entry.toLowerCase());
    expect(row('HV01$', `cifs/HV02.${DNS}`)).to.include({
      delegation: 'constrained-protocol-transition',
      targetExists: 'yes',
      targetAccount: 'HV02$',
      kind: 'computer',
      enabled: true,
    });
    expect(row('HV02$', 'cifs/HV01')).to.include({ delegation: 'constrained', targetExists: 'yes', targetAccount: 'HV01$' });
    expect(report.rows.filter((r) => r.sAMAccountName === 'HV01$' && r.delegation !== 'resource-based')).to.have.length(8);
    expect(report.rows.filter((r) => r.sAMAccountName === 'HV03$')).to.deep.equal([]);
  });

  it(`[${label}] resolves cifs/ through sPNMappings to the computer's HOST/ SPN`, async () => {
    const { inventory: report } = await inventory(connect(target()));
    const rows = report.rows
      .filter((r) => r.sAMAccountName === 'svc-sql')
      .map((r) => [r.kind, r.delegation, r.target.toLowerCase(), r.targetExists, r.targetAccount]);
    expect(rows).to.have.deep.members([
      ['user', 'constrained', 'cifs/fs01', 'yes', 'FS01$'],
      ['user', 'constrained', `cifs/fs01.${DNS}`, 'yes', 'FS01$'],
    ]);
  });

  it(`[${label}] reads the inventory in at most 8 searches, like the audit`, async () => {
    const { stats } = await inventory(connect(target()));
    expect(stats.searches).to.be.at.most(8);
  });

  it(`[${label}] runs the DG rules in the default audit, and --rules narrows`, async () => {
    const byDefault = await audit(connect(target()));
    expect(byDefault.report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal(LAB_FINDINGS);
    const { report } = await audit({ ...connect(target()), rules: ['HV001', 'HV003', 'PA001'] });
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal(LAB_HV_PA);
  });

  it(`[${label}] delegaudit inventory --format csv starts with findDelegation's columns`, async () => {
    const r = await runCli(['inventory', ...args(target()), '--format', 'csv'], { DELEGAUDIT_PASSWORD: target().reader.password, NO_COLOR: '1' });
    expect(r.code, r.stderr).to.equal(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).to.deep.equal([...INVENTORY_CSV_COLUMNS]);
    expect(header!.slice(0, 5)).to.deep.equal(['AccountName', 'AccountType', 'DelegationType', 'DelegationRightsTo', 'SPN Exists']);
    const hv01 = rows.find((c) => c[0] === 'HV01$' && c[3]!.toLowerCase() === 'cifs/hv02')!;
    expect(hv01.slice(1, 5)).to.deep.equal(['Computer', 'Constrained w/ Protocol Transition', hv01[3], 'Yes']);
    const dc = rows.find((c) => c[0] === 'DC01$' && c[2] === 'Unconstrained')!;
    expect([dc[3], dc[4], dc[15]]).to.deep.equal(['N/A', 'N/A', 'yes']);
    // findDelegation would call APP01 "Constrained"; here it has an Unconstrained row and a row per entry.
    expect(rows.filter((c) => c[0] === 'APP01$').map((c) => c[2])).to.have.members(['Unconstrained', 'Constrained', 'Constrained']);
    expect(rows.find((c) => c[0] === 'FS01$' && c[3] === 'svc-web')!.slice(1, 5)).to.deep.equal(['Computer', 'Resource-Based Constrained', 'svc-web', 'Yes']);
  });

  it(`[${label}] delegaudit audit --inventory adds every delegation and the DG findings to the audit report`, async () => {
    const t = target();
    const { inventory: expected } = await inventory(connect(t));
    const json = await runCli(['audit', ...args(t), '--inventory', '--format', 'json', '--fail-on', 'never'], {
      DELEGAUDIT_PASSWORD: t.reader.password,
      NO_COLOR: '1',
    });
    expect(json.code, json.stderr).to.equal(0);
    const report = reportSchema.parse(JSON.parse(json.stdout));
    expect(report.delegations).to.deep.equal(JSON.parse(JSON.stringify(expected.rows)));
    expect(report.findings.map((f) => f.rule)).to.include.members(['HV001', 'HV003', 'PA001', 'DG001', 'DG002', 'DG003', 'DG004', 'DG005']);
    const html = await runCli(['audit', ...args(t), '--inventory', '--format', 'html', '--fail-on', 'never'], { DELEGAUDIT_PASSWORD: t.reader.password });
    expect(html.stdout).to.contain(`<h2>Delegation inventory (${expected.rows.length})</h2>`);
    expect(html.stdout.match(/<tr><td>svc-web<\/td>/g)).to.have.length(2);
    const plain = await runCli(['audit', ...args(t), '--format', 'json', '--fail-on', 'never'], { DELEGAUDIT_PASSWORD: t.reader.password });
    expect(JSON.parse(plain.stdout)).to.not.have.property('delegations');
    const csv = await runCli(['audit', ...args(t), '--inventory', '--format', 'csv', '--fail-on', 'never'], { DELEGAUDIT_PASSWORD: t.reader.password });
    expect(csv.code, csv.stderr).to.equal(0);
    expect(csv.stderr).to.contain('--inventory: the CSV report has one row per finding; for the delegation rows use `delegaudit inventory --format csv`');
  });

  it(`[${label}] delegaudit inventory prints a table and --format json the rows`, async () => {
    const t = target();
    const table = await runCli(['inventory', ...args(t)], { DELEGAUDIT_PASSWORD: t.reader.password, NO_COLOR: '1' });
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/Delegation inventory of corp\.example\.com: \d+ delegations on \d+ accounts/);
    expect(table.stdout).to.contain('unconstrained (expected: DC)');
    expect(table.stdout).to.contain('constrained (Kerberos only)');
    const json = await runCli(['inventory', ...args(t), '--format', 'json'], { DELEGAUDIT_PASSWORD: t.reader.password, NO_COLOR: '1' });
    const parsed = JSON.parse(json.stdout) as { schemaVersion: number; rows: unknown[]; summary: { rows: number } };
    expect(parsed.schemaVersion).to.equal(1);
    expect(parsed.rows).to.have.length(parsed.summary.rows);
  });
});
