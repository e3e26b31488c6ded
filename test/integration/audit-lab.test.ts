import { expect } from 'chai';
import { audit, reportSchema } from '../../src/index.js';
import { forEachTarget, type Target } from '../helpers/targets.js';
import { LAB_FINDINGS } from '../helpers/lab-findings.js';

function auditOf(target: Target, extra: Partial<Parameters<typeof audit>[0]> = {}) {
  return audit({
    url: target.url,
    caFile: target.caFile,
    tlsServername: target.servername,
    credentials: { user: target.admin.upn, password: target.admin.password },
    ...extra,
  });
}

forEachTarget('the lab audit', (label, target) => {
  it(`[${label}] finds exactly HV001 for HV02, HV003 for HV03, PA001 for the two exposed admins, and the DG findings of the delegation outside Hyper-V`, async () => {
    const { report } = await auditOf(target());
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal(LAB_FINDINGS);
  });

  it(`[${label}] audit finds HV003 for the re-joined host, with rejoinSuspected`, async () => {
    const { report } = await auditOf(target());
    const hv003 = report.findings.find((f) => f.rule === 'HV003')!;
    expect(hv003.details).to.include({ rejoinSuspected: true });
    expect(hv003.details.delegatingPeers).to.deep.equal(['HV01', 'HV02']);
    // People read the creation time in ISO form, in UTC; the JSON keeps AD's raw value.
    expect(hv003.message).to.match(/\(created \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\)$/);
    expect(hv003.details.whenCreated).to.match(/^\d{14}\.\d+Z$/);
  });

  it(`[${label}] sees three hosts in one group and the lab's four privileged accounts`, async () => {
    const { report } = await auditOf(target());
    expect(report.hosts.map((h) => [h.sAMAccountName, h.protocolTransition, h.allowedToDelegateTo.length, h.missing.length])).to.deep.equal([
      ['HV01$', true, 8, 0],
      ['HV02$', false, 8, 0],
      ['HV03$', false, 0, 8],
    ]);
    expect(report.privilegedAccounts.map((p) => [p.sAMAccountName, p.sensitive, p.protectedUsers])).to.deep.equal([
      ['admin.nested', false, false],
      ['admin.primary', false, false],
      ['admin.protected', false, true],
      ['Administrator', true, false],
    ]);
    const primary = report.privilegedAccounts.find((p) => p.sAMAccountName === 'admin.primary')!;
    expect(primary.viaPrimaryGroup).to.equal('Domain Admins');
    const nested = report.privilegedAccounts.find((p) => p.sAMAccountName === 'admin.nested')!;
    expect(nested.via).to.deep.equal(['Tier0 Operators → Infrastructure Admins → Domain Admins']);
  });

  it(`[${label}] produces a report that validates against the published schema`, async () => {
    const { report } = await auditOf(target());
    const roundTripped = reportSchema.parse(JSON.parse(JSON.stringify(report)));
    expect(roundTripped.schemaVersion).to.equal(1);
    expect(roundTripped.directory.dnsDomain).to.equal('corp.example.com');
    expect(roundTripped.directory.domainSid).to.equal('S-1-5-21-1004336348-1177238915-682003330');
  });

  it(`[${label}] reads the directory in at most 8 searches (the DG rules' delegation targets included)`, async () => {
    const { stats } = await auditOf(target());
    expect(stats.searches).to.be.within(5, 8);
  });

  it(`[${label}] audits with an ordinary user's read access`, async () => {
    const t = target();
    const { report } = await audit({
      url: t.url,
      caFile: t.caFile,
      tlsServername: t.servername,
      credentials: { user: t.reader.upn, password: t.reader.password },
    });
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.have.members(LAB_FINDINGS);
  });
});
