import { expect } from 'chai';
import { Attribute, Change } from 'ldapts';
import { inventory } from '../../src/index.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import { forEachTarget, type Target, withAdminClient } from '../helpers/targets.js';

const SVC_SQL = 'CN=svc-sql,OU=Service Accounts,DC=corp,DC=example,DC=com';
const connect = (t: Target) => ({
  url: t.url,
  caFile: t.caFile,
  tlsServername: t.servername,
  credentials: { user: t.reader.upn, password: t.reader.password },
});

async function setDelegation(t: Target, dn: string, uac: number, entries: string[]): Promise<void> {
  await withAdminClient(t, (client) =>
    client.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(uac)] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'msDS-AllowedToDelegateTo', values: entries }) }),
    ]),
  );
}

forEachTarget(
  'delegation inventory and DG rules on a changed lab',
  (label, target) => {
    it(`[${label}] an account with unconstrained delegation, a list, protocol transition, a ghost, a DC service and krbtgt`, async () => {
      const t = target();
      const before = await inventory(connect(t));
      const dc = [...before.model.directory.accounts.values()].find((a) => a.isDomainController && a.dnsHostName !== undefined)!;
      // cifs/ through sPNMappings: Samba registers no ldap/ SPN on its DC object, Windows and the mock do.
      const dcService = `cifs/${dc.dnsHostName!}`;
      const svc = UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD | UAC.TRUSTED_FOR_DELEGATION | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
      await setDelegation(t, SVC_SQL, svc, ['cifs/FS01', 'cifs/GHOST01', dcService, 'krbtgt/CORP.EXAMPLE.COM']);

      const { inventory: report, stats } = await inventory(connect(t));
      // krbtgt/REALM is "yes" when the krbtgt account was read (it is on some targets as a privileged candidate), else "unknown".
      const rows = report.rows
        .filter((r) => r.sAMAccountName === 'svc-sql')
        .map((r) => `${r.delegation} ${r.target.toLowerCase()} ${r.targetIsKrbtgt ? (r.targetExists === 'no' ? 'no' : 'krbtgt') : r.targetExists}`);
      expect(rows).to.have.members([
        'unconstrained  n/a',
        'constrained-protocol-transition cifs/fs01 yes',
        'constrained-protocol-transition cifs/ghost01 no',
        `constrained-protocol-transition ${dcService.toLowerCase()} yes`,
        'constrained-protocol-transition krbtgt/corp.example.com krbtgt',
      ]);
      expect(report.findings.filter((f) => f.subject.sAMAccountName === 'svc-sql').map((f) => f.rule)).to.deep.equal([
        'DG001',
        'DG002',
        'DG003',
        'DG005',
        'DG004',
      ]);
      const others = (findings: typeof report.findings) =>
        findings.filter((f) => f.subject.sAMAccountName !== 'svc-sql').map((f) => `${f.rule} ${f.subject.sAMAccountName}`);
      expect(others(report.findings)).to.deep.equal(others(before.inventory.findings));
      expect(stats.searches).to.be.at.most(8);
    });
  },
  { writes: true },
);
