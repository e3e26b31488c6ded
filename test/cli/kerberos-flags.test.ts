import { expect } from 'chai';
import { startMockLdap } from '../../mock-ldap/index.js';
import { mockFlags, runCli } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';

describe('--auth kerberos flags (spawned, no DC needed)', () => {
  it('exits 2 when --user is a DN or DOMAIN\\name: with Kerberos it names a principal', async () => {
    for (const user of ['CORP\\admin', 'CN=admin,DC=corp,DC=example,DC=com']) {
      const r = await runCli(['audit', '--auth', 'kerberos', '--url', 'ldap://dc01.corp.example.com', '--user', user]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('with --auth kerberos it names a Kerberos principal (auditor@CORP.EXAMPLE.COM)');
    }
  });
  it('exits 2 for --seal or --keytab without --auth kerberos, before asking for a password', async () => {
    const r = await runCli(['audit', '--url', 'ldaps://dc01.corp.example.com', '--user', 'auditor@corp.example.com', '--seal']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--seal goes with --auth kerberos');
  });

  describe('on a machine without the GSS-API library (simulated: DELEGAUDIT_GSSAPI_LIBRARY names a file that is not there)', () => {
    const missing = { DELEGAUDIT_GSSAPI_LIBRARY: '/nonexistent/libgssapi_krb5.so.2' };
    it('--auth kerberos says what to install, in one line, exit 2', async () => {
      const r = await runCli(['audit', '--auth', 'kerberos', '--url', 'ldap://dc01.corp.example.com'], missing);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('Kerberos needs the system GSS-API library (/nonexistent/libgssapi_krb5.so.2), which is not installed (or did not load)');
      expect(r.stderr).to.contain('apt-get install libgssapi-krb5-2');
      expect(r.stderr).to.not.match(/\n\s+at /);
    });
    it('everything else works: the library is loaded only for Kerberos', async () => {
      const mock = await startMockLdap({ ldif: LAB_LDIF });
      try {
        const r = await runCli(['audit', ...mockFlags(mock, 'auditor@corp.example.com'), '--format', 'json'], {
          ...missing,
          DELEGAUDIT_PASSWORD: 'Lab-Auditor-Passw0rd',
        });
        expect(r.stderr).to.not.contain('GSS-API');
        expect(JSON.parse(r.stdout)).to.have.property('findings').that.is.not.empty;
      } finally {
        await mock.close();
      }
    });
  });
});
