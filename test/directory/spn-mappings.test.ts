import { expect } from 'chai';
import { Attribute, Change } from 'ldapts';
import { inventory } from '../../src/index.js';
import { forEachTarget, type Target, withAdminClient } from '../helpers/targets.js';

const DS = 'CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=corp,DC=example,DC=com';
const connect = (t: Target) => ({ url: t.url, caFile: t.caFile, tlsServername: t.servername, credentials: { user: t.admin.upn, password: t.admin.password } });

async function setMappings(t: Target, values: string[]): Promise<void> {
  await withAdminClient(t, (client) => client.modify(DS, new Change({ operation: 'replace', modification: new Attribute({ type: 'sPNMappings', values }) })));
}

forEachTarget('sPNMappings as the directory has them', (label, target) => {
  it(`[${label}] reads sPNMappings once: without cifs among HOST's aliases, cifs/FS01 has no holder`, async () => {
    const t = target();
    const before = await withAdminClient(
      t,
      async (client) => (await client.search(DS, { scope: 'base', attributes: ['sPNMappings'] })).searchEntries[0]!.sPNMappings,
    );
    const original = (Array.isArray(before) ? before : [before]).map(String);
    try {
      await setMappings(t, ['host=alerter,http,www']);
      const { inventory: report } = await inventory(connect(t));
      const row = report.rows.find((r) => r.sAMAccountName === 'svc-sql' && r.target.toLowerCase() === 'cifs/fs01')!;
      expect(row.targetExists).to.equal('no');
    } finally {
      await setMappings(t, original);
    }
    const { inventory: restored } = await inventory(connect(t));
    expect(restored.rows.find((r) => r.sAMAccountName === 'svc-sql' && r.target.toLowerCase() === 'cifs/fs01')!.targetExists).to.equal('yes');
  });
});
