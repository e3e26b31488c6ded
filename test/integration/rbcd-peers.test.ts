import { expect } from 'chai';
import { Attribute, Change } from 'ldapts';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { audit } from '../../src/index.js';
import { rbcdDescriptor } from '../../src/ldap/security-descriptor.js';
import { sidToBuffer } from '../../src/ldap/sid.js';
import { runCli } from '../helpers/run-cli.js';
import { LAB_LDIF, type Target, withAdminClient } from '../helpers/targets.js';

// Samba 4.17 refuses LDAP writes of msDS-AllowedToActOnBehalfOfOtherIdentity ("can only be modified
// as system"), so this scenario is set up on mock-ldap only.
describe('resource-based delegation between Hyper-V peers [mock]', () => {
  let mock: MockLdap;
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    const target = { url: mock.ldapsUrl!, caFile: mock.caFile, servername: mock.servername, admin: { dn: 'CN=Administrator,CN=Users,DC=corp,DC=example,DC=com', password: 'Lab-Admin-Passw0rd' } } as unknown as Target;
    const hv01 = sidToBuffer('S-1-5-21-1004336348-1177238915-682003330-1140');
    await withAdminClient(target, (client) =>
      client.modify('CN=HV02,OU=Hyper-V,DC=corp,DC=example,DC=com', new Change({ operation: 'replace', modification: new Attribute({ type: 'msDS-AllowedToActOnBehalfOfOtherIdentity', values: [rbcdDescriptor([hv01])] }) })),
    );
  });
  after(async () => {
    await mock.close();
  });

  it('[mock] shows on the host row which peers its RBCD lets act on its behalf, as information only', async () => {
    const { report } = await audit({ url: mock.ldapsUrl!, caFile: mock.caFile, tlsServername: mock.servername, credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' } });
    expect(report.hosts.map((h) => [h.sAMAccountName, h.rbcdFromPeers])).to.deep.equal([
      ['HV01$', []],
      ['HV02$', ['HV01$']],
      ['HV03$', []],
    ]);
    expect(report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`)).to.deep.equal(['HV001 HV02$', 'HV003 HV03$', 'PA001 admin.nested', 'PA001 admin.primary']);
    const r = await runCli(['audit', '--url', mock.ldapsUrl!, '--ca-file', mock.caFile, '--tls-servername', mock.servername, '--user', 'CORP\\Administrator', '--fail-on', 'never'], { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' });
    expect(r.stdout).to.contain('HV02$ has resource-based delegation from HV01$ (information: it does not replace the constrained delegation above)');
  });
});
