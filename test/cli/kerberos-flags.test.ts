import { expect } from 'chai';
import { runCli } from '../helpers/run-cli.js';

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
});
