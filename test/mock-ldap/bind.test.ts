import { readFile, rm } from 'node:fs/promises';

import { expect } from 'chai';
import { Client, InvalidCredentialsError, OperationsError, StrongAuthRequiredError } from 'ldapts';

import { ensureCertificates, type MockLdap } from '../../mock-ldap/index.js';
import { ADMIN, AUDITOR, DOMAIN, EXTRA_ACCOUNTS, labFixture, rejection, startLab, tlsOptions } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

describe('mock-ldap binds and TLS', () => {
  let mock: MockLdap;
  const clients: Client[] = [];
  const ldaps = (): Client => {
    const client = new Client({ url: mock.ldapsUrl ?? '', tlsOptions: tlsOptions(mock) });
    clients.push(client);
    return client;
  };
  const whoAmI = async (client: Client): Promise<string | undefined> => (await client.exop('1.3.6.1.4.1.4203.1.11.3')).value;

  before(async () => {
    mock = await startLab({ entries: [...(await labFixture()), ...EXTRA_ACCOUNTS] });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.unbind().catch(() => undefined)));
  });
  after(async () => {
    await mock.close();
  });

  const names: Array<[string, string]> = [
    ['a DN', ADMIN.dn],
    ['a DN in another case and spacing', 'cn=administrator, cn=users, dc=CORP, dc=example, dc=com'],
    ['the UPN', 'Administrator@corp.example.com'],
    ['NETBIOS\\name', 'CORP\\Administrator'],
    ['netbios\\NAME in lower case', 'corp\\ADMINISTRATOR'],
  ];
  for (const [what, name] of names) {
    it(`binds over LDAPS by ${what}`, async () => {
      const client = ldaps();
      await client.bind(name, ADMIN.password);
      expect(await whoAmI(client)).to.equal('u:CORP\\Administrator');
    });
  }

  it('binds by the implicit UPN sAMAccountName@dnsDomain', async () => {
    const client = ldaps();
    await client.bind('svc-sql@CORP.EXAMPLE.COM', 'Lab-SqlSvc-Passw0rd');
    expect(await whoAmI(client)).to.equal('u:CORP\\svc-sql');
  });

  it('answers 49 / data 52e for a wrong password and for an unknown user alike', async () => {
    for (const [name, password] of [
      [ADMIN.dn, 'wrong'],
      ['CORP\\nobody', 'whatever'],
      [`CN=nobody,${DOMAIN}`, 'whatever'],
      ['OTHERDOMAIN\\Administrator', ADMIN.password],
    ] as const) {
      const error = await rejection(() => ldaps().bind(name, password));
      expect(error, name).to.be.instanceOf(InvalidCredentialsError);
      expect(error.message).to.include('80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563');
    }
  });

  it('answers data 533 for a disabled account and 775 for a locked one, given the right password', async () => {
    const disabled = await rejection(() => ldaps().bind('CORP\\disabled.user', 'Disabled-Passw0rd'));
    expect(disabled).to.be.instanceOf(InvalidCredentialsError);
    expect(disabled.message).to.include('data 533');
    const locked = await rejection(() => ldaps().bind('CORP\\locked.user', 'Locked-Passw0rd'));
    expect(locked.message).to.include('data 775');
    const wrongPassword = await rejection(() => ldaps().bind('CORP\\disabled.user', 'nope'));
    expect(wrongPassword.message).to.include('data 52e');
  });

  it('refuses a password bind over plain LDAP with strongerAuthRequired', async () => {
    const client = new Client({ url: mock.url });
    clients.push(client);
    const error = await rejection(() => client.bind(ADMIN.dn, ADMIN.password));
    expect(error).to.be.instanceOf(StrongAuthRequiredError);
    expect(error.message).to.include('00002028: LdapErr: DSID-0C090259');
  });

  it('accepts the bind after StartTLS on the plain port', async () => {
    const client = new Client({ url: mock.url });
    clients.push(client);
    await client.startTLS(tlsOptions(mock));
    await client.bind(AUDITOR.dn, AUDITOR.password);
    expect(await whoAmI(client)).to.equal('u:CORP\\auditor');
    const result = await client.search(DOMAIN, { scope: 'base', attributes: ['dc'] });
    expect(result.searchEntries[0]?.dc).to.equal('corp');
  });

  it('allows plain binds when requireTls is false', async () => {
    const relaxed = await startLab({ requireTls: false, tlsPort: false });
    try {
      expect(relaxed.ldapsUrl).to.equal(undefined);
      const client = new Client({ url: relaxed.url });
      await client.bind('alice@corp.example.com', 'Lab-Alice-Passw0rd');
      expect(await whoAmI(client)).to.equal('u:CORP\\alice');
      await client.unbind();
    } finally {
      await relaxed.close();
    }
  });

  it('lets an anonymous connection read the RootDSE and nothing else', async () => {
    const client = new Client({ url: mock.url });
    clients.push(client);
    await client.bind('', '');
    const rootDse = await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] });
    expect(rootDse.searchEntries[0]?.defaultNamingContext).to.equal(DOMAIN);
    const error = await rejection(() => client.search(DOMAIN, { scope: 'base' }));
    expect(error).to.be.instanceOf(OperationsError);
    expect(error.message).to.include(
      '000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection.',
    );
  });

  it('treats a name with an empty password as an anonymous bind, like AD', async () => {
    const client = ldaps();
    await client.bind(ADMIN.dn, '');
    expect(await whoAmI(client)).to.equal('');
    expect(await rejection(() => client.search(DOMAIN, { scope: 'base' }))).to.be.instanceOf(OperationsError);
  });

  it('drops the previous identity when a later bind fails', async () => {
    const client = ldaps();
    await client.bind(ADMIN.dn, ADMIN.password);
    await rejection(() => client.bind(ADMIN.dn, 'wrong'));
    expect(await whoAmI(client)).to.equal('');
  });

  it('rejects LDAPS from a client that trusts another CA', async () => {
    const otherDir = await tempDir('mock-ldap-other-ca-');
    try {
      const other = await ensureCertificates(otherDir);
      const client = new Client({ url: mock.ldapsUrl ?? '', tlsOptions: { ca: [await readFile(other.caFile)], servername: 'localhost' } });
      const error = await rejection(() => client.bind(ADMIN.dn, ADMIN.password));
      expect((error as NodeJS.ErrnoException).code).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('rejects LDAPS when the servername is not in the certificate', async () => {
    const client = new Client({ url: mock.ldapsUrl ?? '', tlsOptions: { ...tlsOptions(mock), servername: 'evil.example.com' } });
    const error = await rejection(() => client.bind(ADMIN.dn, ADMIN.password));
    expect((error as NodeJS.ErrnoException).code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
