import { expect } from 'chai';
import { inventory } from '../../src/index.js';
import { changeRbcd, forEachTarget, type Target } from '../helpers/targets.js';

const connect = (t: Target) => ({
  url: t.url,
  caFile: t.caFile,
  tlsServername: t.servername,
  credentials: { user: t.reader.upn, password: t.reader.password },
});
const rbcdRows = (rows: Array<{ delegation: string; sAMAccountName: string; target: string; targetExists: string }>) =>
  rows.filter((r) => r.delegation === 'resource-based').map((r) => `${r.sAMAccountName} ${r.target} ${r.targetExists}`);

forEachTarget(
  'resource-based delegation in the inventory',
  (label, target) => {
    // On Samba the change is `samba-tool delegation add-principal|del-principal` (see changeRbcd).
    it(`[${label}] a principal added to RBCD is listed, resolved from its SID in the same searches; removing one drops DG003`, async () => {
      const t = target();
      const before = await inventory(connect(t));
      // alice is read by no other search: her SID is resolved by the one OR search for delegation targets.
      expect([...before.model.directory.accounts.values()].some((a) => a.sAMAccountName === 'alice')).to.equal(false);
      await changeRbcd(t, 'add', 'FS01$', 'alice');
      await changeRbcd(t, 'del', 'DC01$', 'APP01$');
      try {
        const { inventory: report, model, stats } = await inventory(connect(t));
        const sid = (name: string) => [...model.directory.accounts.values()].find((a) => a.sAMAccountName === name)!.sid!;
        expect(rbcdRows(report.rows)).to.have.members([
          'FS01$ svc-web yes',
          `FS01$ ${report.directory.domainSid}-1199 no`,
          'FS01$ alice yes',
          'HV01$ HV03$ yes',
          'HV02$ HV03$ yes',
        ]);
        const alice = report.rows.find((r) => r.sAMAccountName === 'FS01$' && r.target === 'alice')!;
        expect(alice).to.include({ kind: 'computer', delegation: 'resource-based', targetSid: sid('alice'), targetAccount: 'alice' });
        expect(report.findings.filter((f) => f.rule === 'DG003')).to.deep.equal([]);
        expect(stats.searches).to.equal(before.stats.searches);
      } finally {
        await changeRbcd(t, 'del', 'FS01$', 'alice');
        await changeRbcd(t, 'add', 'DC01$', 'APP01$');
      }
      const after = await inventory(connect(t));
      expect(rbcdRows(after.inventory.rows)).to.have.members(rbcdRows(before.inventory.rows));
      expect(after.inventory.findings.filter((f) => f.rule === 'DG003').map((f) => f.subject.sAMAccountName)).to.deep.equal(['DC01$']);
    });
  },
  { writes: true },
);
