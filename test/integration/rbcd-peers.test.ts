import { expect } from 'chai';
import { audit, planFixFor } from '../../src/index.js';
import { groupMatrix } from '../../src/report/formats/matrix.js';
import { runCli } from '../helpers/run-cli.js';
import { changeRbcd, forEachTarget, type Target } from '../helpers/targets.js';
import { LAB_FINDINGS } from '../helpers/lab-findings.js';

// The lab: HV01's and HV02's resource-based delegation names HV03$ (set as a workaround after HV03
// was re-joined). Microsoft documents classic constrained delegation for live migration only.
const connect = (t: Target) => ({ url: t.url, caFile: t.caFile, tlsServername: t.servername, credentials: { user: t.admin.upn, password: t.admin.password } });
const args = (t: Target): string[] => ['--url', t.url, '--ca-file', t.caFile, '--tls-servername', t.servername, '--user', t.admin.upn, '--fail-on', 'never'];
const findings = (report: { findings: Array<{ rule: string; subject: { sAMAccountName: string } }> }) =>
  report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`);

forEachTarget('resource-based delegation between Hyper-V peers', (label, target) => {
  it(`[${label}] shows on the host rows which peers their RBCD names, as information only`, async () => {
    const { report } = await audit(connect(target()));
    expect(report.hosts.map((h) => [h.sAMAccountName, h.rbcdFromPeers, h.rbcdAccepted])).to.deep.equal([
      ['HV01$', ['HV03$'], undefined],
      ['HV02$', ['HV03$'], undefined],
      ['HV03$', [], undefined],
    ]);
    expect(findings(report)).to.deep.equal(LAB_FINDINGS);
    const r = await runCli(['audit', ...args(target())], { DELEGAUDIT_PASSWORD: target().admin.password, NO_COLOR: '1' });
    expect(r.stdout).to.contain('HV03$ can delegate to HV01$ (resource-based, set on HV01$; information: it does not replace constrained delegation)');
  });

  it(`[${label}] --accept-rbcd counts it: HV03 reaches both peers, so no HV003, and fix plans nothing for HV03`, async () => {
    const { report } = await audit({ ...connect(target()), acceptRbcd: true });
    expect(findings(report)).to.deep.equal(LAB_FINDINGS.filter((f) => f !== 'HV003 HV03$'));
    const hv03 = report.hosts.find((h) => h.sAMAccountName === 'HV03$')!;
    expect(hv03).to.deep.include({ rbcdAccepted: ['HV01$', 'HV02$'], missing: [] });
    const { hosts, cells } = groupMatrix(report, 'all hosts');
    const row = cells[hosts.indexOf(hv03)]!.map((c) => `${c.status}${c.rbcd ? ' rbcd' : ''}`);
    expect(row).to.deep.equal(['ok rbcd', 'ok rbcd', 'self']);
    const { plan } = await planFixFor({ ...connect(target()), acceptRbcd: true });
    expect(plan.changes.map((c) => c.sAMAccountName)).to.deep.equal(['HV02$']);

    const r = await runCli(['audit', ...args(target()), '--accept-rbcd'], { DELEGAUDIT_PASSWORD: target().admin.password, NO_COLOR: '1' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/HV03 +│ ✓ R +│ ✓ R +│ · /);
    expect(r.stdout).to.contain('HV03$ can delegate to HV01$ (resource-based, set on HV01$; counted as constrained delegation: --accept-rbcd)');
  });
});

forEachTarget(
  'resource-based delegation between Hyper-V peers, partly',
  (label, target) => {
    it(`[${label}] --accept-rbcd with RBCD from one peer only: HV003 asks for the other peer's entries, and fix adds just those`, async () => {
      const t = target();
      await changeRbcd(t, 'del', 'HV02$', 'HV03$');
      try {
        const { report } = await audit({ ...connect(t), acceptRbcd: true });
        const hv003 = report.findings.find((f) => f.rule === 'HV003')!;
        expect(hv003.subject.sAMAccountName).to.equal('HV03$');
        expect(hv003.details).to.include({ requiredCount: 4 });
        expect(hv003.message).to.contain('HV01, HV02 still delegate to it');
        const { plan } = await planFixFor({ ...connect(t), acceptRbcd: true });
        const change = plan.changes.find((c) => c.sAMAccountName === 'HV03$')!;
        expect(change.add.map((s) => s.toLowerCase()).sort()).to.deep.equal([
          'cifs/hv02',
          'cifs/hv02.corp.example.com',
          'microsoft virtual system migration service/hv02',
          'microsoft virtual system migration service/hv02.corp.example.com',
        ]);
        expect(change.setFlags).to.deep.equal(['TRUSTED_TO_AUTH_FOR_DELEGATION']);
      } finally {
        await changeRbcd(t, 'add', 'HV02$', 'HV03$');
      }
    });
  },
  { writes: true },
);
