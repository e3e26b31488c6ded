import { expect } from 'chai';
import { Attribute, Change } from 'ldapts';
import { inventory } from '../../src/index.js';
import { rbcdDescriptor } from '../../src/ldap/security-descriptor.js';
import { sidToBuffer, sidToString } from '../../src/ldap/sid.js';
import { forEachTarget, type Target, withAdminClient } from '../helpers/targets.js';

const RBCD = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
const FS01 = 'CN=FS01,CN=Computers,DC=corp,DC=example,DC=com';
const connect = (t: Target) => ({ url: t.url, caFile: t.caFile, tlsServername: t.servername, credentials: { user: t.reader.upn, password: t.reader.password } });

async function setRbcd(t: Target, dn: string, sids: string[]): Promise<void> {
  const values = sids.length === 0 ? [] : [rbcdDescriptor(sids.map(sidToBuffer))];
  await withAdminClient(t, (client) => client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: RBCD, values }) })]));
}

forEachTarget(
  'resource-based delegation in the inventory',
  (label, target) => {
    // Samba 4.17 lets only the system write msDS-AllowedToActOnBehalfOfOtherIdentity ("can only be
    // modified as system"): on Samba the scenario needs the seeder (samba-tool delegation add-principal).
    if (label !== 'mock') return;
    it(`[${label}] lists RBCD on the resource with the principals resolved from their SIDs, and DG003 on a DC`, async () => {
      const t = target();
      const before = await inventory(connect(t));
      const accounts = [...before.model.directory.accounts.values()];
      const sidOf = (name: string) => accounts.find((a) => a.sAMAccountName === name)!.sid!;
      const dc = accounts.find((a) => a.isDomainController)!;
      // alice is read by no other search of the audit: her SID is resolved by the one OR search for targets.
      expect(accounts.some((a) => a.sAMAccountName === 'alice')).to.equal(false);
      const aliceSid = await withAdminClient(t, async (client) => {
        const { searchEntries } = await client.search(t.baseDN, { scope: 'sub', filter: '(sAMAccountName=alice)', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
        return sidToString(searchEntries[0]!.objectSid as Buffer);
      });
      try {
        await setRbcd(t, FS01, [sidOf('HV01$'), aliceSid, `${before.model.directory.domainSid}-99999`]);
        await setRbcd(t, dc.dn, [sidOf('svc-sql')]);
        const { inventory: report, stats } = await inventory(connect(t));
        const rows = report.rows.filter((r) => r.delegation === 'resource-based').map((r) => `${r.sAMAccountName} ${r.target} ${r.targetExists}`);
        expect(rows).to.have.members([`FS01$ HV01$ yes`, `FS01$ alice yes`, `FS01$ ${before.model.directory.domainSid}-99999 no`, `${dc.sAMAccountName} svc-sql yes`]);
        expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal([`DG003 ${dc.sAMAccountName}`]);
        const fs01 = report.rows.find((r) => r.sAMAccountName === 'FS01$' && r.target === 'alice')!;
        expect(fs01).to.include({ kind: 'computer', delegation: 'resource-based', targetSid: aliceSid });
        expect(stats.searches).to.be.at.most(8);
      } finally {
        await setRbcd(t, dc.dn, []);
      }
    });
  },
  { writes: true },
);
