import { expect } from 'chai';
import { Client, EqualityFilter, NoSuchObjectError, SizeLimitExceededError } from 'ldapts';

import { type MockLdap, sidToBuffer } from '../../mock-ldap/index.js';
import { boundClient, dn, DOMAIN, DOMAIN_SID, rejection, startLab } from './helpers.js';

describe('mock-ldap search', () => {
  let mock: MockLdap;
  let client: Client;
  const names = async (filter: string, base = DOMAIN, scope: 'base' | 'one' | 'sub' = 'sub'): Promise<string[]> => {
    const result = await client.search(base, { scope, filter, attributes: ['cn'] });
    return result.searchEntries.map((entry) => String(entry.cn)).sort();
  };

  before(async () => {
    mock = await startLab();
    client = await boundClient(mock);
  });
  after(async () => {
    await client.unbind();
    await mock.close();
  });

  describe('RootDSE', () => {
    it('describes a Windows Server 2016 domain controller', async () => {
      const [rootDse] = (await client.search('', { scope: 'base', filter: '(objectClass=*)' })).searchEntries;
      expect(rootDse).to.include({
        defaultNamingContext: DOMAIN,
        rootDomainNamingContext: DOMAIN,
        configurationNamingContext: `CN=Configuration,${DOMAIN}`,
        schemaNamingContext: `CN=Schema,CN=Configuration,${DOMAIN}`,
        dnsHostName: 'dc01.corp.example.com',
        domainFunctionality: '7',
        forestFunctionality: '7',
        domainControllerFunctionality: '7',
        isGlobalCatalogReady: 'TRUE',
      });
      expect(rootDse?.namingContexts).to.include.members([DOMAIN, `CN=Configuration,${DOMAIN}`]);
      expect(rootDse?.supportedLDAPVersion).to.include('3');
      expect(rootDse?.supportedControl).to.include.members(['1.2.840.113556.1.4.319', '1.2.840.113556.1.4.801']);
      expect(rootDse?.supportedExtension).to.include('1.3.6.1.4.1.1466.20037');
      expect(String(rootDse?.currentTime)).to.match(/^\d{14}\.0Z$/);
    });

    it('returns only the requested RootDSE attributes, and nothing for a filter that does not match', async () => {
      const [rootDse] = (await client.search('', { scope: 'base', attributes: ['DEFAULTNAMINGCONTEXT'] })).searchEntries;
      expect(Object.keys(rootDse ?? {})).to.deep.equal(['dn', 'defaultNamingContext']);
      expect((await client.search('', { scope: 'base', filter: '(cn=nothing)' })).searchEntries).to.deep.equal([]);
    });
  });

  describe('scopes and base objects', () => {
    it('base scope returns the base entry only', async () => {
      expect(await names('(objectClass=*)', dn.hv01, 'base')).to.deep.equal(['HV01']);
    });

    it('one-level scope returns direct children only', async () => {
      expect(await names('(objectClass=*)', `OU=Hyper-V,${DOMAIN}`, 'one')).to.deep.equal(['HV01', 'HV02', 'HV03']);
      const oneLevel = await client.search(DOMAIN, { scope: 'one', attributes: ['1.1'] });
      expect(oneLevel.searchEntries.map((entry) => entry.dn))
        .to.include(`CN=Users,${DOMAIN}`)
        .and.not.include(dn.alice);
    });

    it('subtree scope includes the base and all descendants', async () => {
      const subtree = await client.search(`OU=Hyper-V,${DOMAIN}`, { attributes: ['1.1'] });
      expect(subtree.searchEntries.map((entry) => entry.dn)).to.deep.equal([`OU=Hyper-V,${DOMAIN}`, dn.hv01, dn.hv02, dn.hv03]);
      expect(await names('(objectClass=computer)')).to.deep.equal(['APP01', 'DC01', 'FS01', 'HV01', 'HV02', 'HV03']);
    });

    it('answers noSuchObject with AD matchedDN for a missing base', async () => {
      const error = await rejection(() => client.search(`CN=missing,OU=Hyper-V,${DOMAIN}`, { scope: 'base' }));
      expect(error).to.be.instanceOf(NoSuchObjectError);
      expect(error.message).to.include(`0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'OU=Hyper-V,${DOMAIN}'`);
    });
  });

  describe('the configuration naming context', () => {
    it('is not searched from the domain: one continuation reference instead', async () => {
      const result = await client.search(DOMAIN, { filter: '(objectClass=*)', attributes: ['1.1'] });
      expect(result.searchEntries.map((entry) => entry.dn).filter((name) => /CN=Configuration,/i.test(name))).to.deep.equal([]);
      expect(result.searchReferences).to.deep.equal([`ldaps://corp.example.com/CN=Configuration,${DOMAIN}`]);
    });

    it('is searched normally from CN=Configuration, without references', async () => {
      const result = await client.search(dn.configuration, { filter: '(objectClass=nTDSService)', attributes: ['sPNMappings'] });
      expect(result.searchEntries).to.have.length(1);
      expect(String(result.searchEntries[0]?.sPNMappings)).to.match(/^host=alerter,/);
      expect(result.searchReferences).to.deep.equal([]);
    });
  });

  describe('attributes', () => {
    it('serves requested attributes case-insensitively in the stored casing', async () => {
      const [entry] = (await client.search(dn.hv01, { scope: 'base', attributes: ['MSDS-ALLOWEDTODELEGATETO', 'useraccountcontrol'] })).searchEntries;
      expect(entry?.['msDS-AllowedToDelegateTo']).to.have.length(8);
      expect(entry?.userAccountControl).to.equal('16781312');
    });

    it('returns all user attributes for none or *, synthesised distinguishedName and memberOf included, never userPassword', async () => {
      for (const attributes of [[], ['*'], ['*', 'userPassword']]) {
        const [entry] = (await client.search(dn.adminNested, { scope: 'base', attributes })).searchEntries;
        expect(entry?.sAMAccountName).to.equal('admin.nested');
        expect(entry?.distinguishedName).to.equal(dn.adminNested);
        expect(entry?.memberOf).to.equal(dn.tier0);
        expect(entry?.userPassword ?? []).to.deep.equal([]);
        expect(JSON.stringify(entry)).not.to.include('Lab-Nested-Passw0rd');
      }
    });

    it('returns no attributes for 1.1', async () => {
      const [entry] = (await client.search(dn.hv01, { scope: 'base', attributes: ['1.1'] })).searchEntries;
      expect(entry).to.deep.equal({ dn: dn.hv01, '1.1': [] });
    });

    it('serves objectSid as the 28-byte binary SID', async () => {
      const [entry] = (await client.search(dn.hv01, { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] })).searchEntries;
      const sid = entry?.objectSid;
      expect(Buffer.isBuffer(sid)).to.equal(true);
      expect(sid).to.have.length(28);
      expect((sid as Buffer).equals(sidToBuffer(`${DOMAIN_SID}-1140`))).to.equal(true);
    });
  });

  describe('filters', () => {
    it('matches equality case-insensitively, presence, and/or/not', async () => {
      expect(await names('(sAMAccountName=ADMIN.NESTED)')).to.deep.equal(['admin.nested']);
      expect(await names('(&(objectClass=computer)(msDS-AllowedToDelegateTo=*))')).to.deep.equal(['APP01', 'HV01', 'HV02']);
      expect(await names('(&(objectClass=computer)(!(servicePrincipalName=*Virtual*)))')).to.deep.equal(['APP01', 'DC01', 'FS01']);
      expect(await names('(|(cn=alice)(cn=auditor)(cn=nobody))')).to.deep.equal(['alice', 'auditor']);
      expect(await names('(msDS-AllowedToDelegateTo=CIFS/hv03.CORP.example.com)')).to.deep.equal(['HV01', 'HV02']);
    });

    it('matches substrings on SPNs (initial, any, final)', async () => {
      expect(await names('(servicePrincipalName=Microsoft Virtual System Migration Service/*)')).to.deep.equal(['HV01', 'HV02', 'HV03']);
      expect(await names('(servicePrincipalName=*/hv0*.corp.example.COM)')).to.deep.equal(['HV01', 'HV02', 'HV03']);
      expect(await names('(servicePrincipalName=ldap*dc01*com)')).to.deep.equal(['DC01']);
      expect(await names('(servicePrincipalName=HOST/HV01.corp*local)')).to.deep.equal([]);
    });

    it('compares >= and <= numerically for numbers, as text otherwise', async () => {
      expect(await names('(&(objectClass=user)(userAccountControl>=16000000))')).to.deep.equal(['HV01', 'svc-web']);
      expect(await names('(&(objectClass=user)(userAccountControl<=514))')).to.deep.equal([
        'admin.nested',
        'admin.primary',
        'admin.protected',
        'alice',
        'krbtgt',
      ]);
      expect(await names('(&(objectClass=user)(whenCreated<=20120101000000.0Z))')).to.deep.equal(['Administrator', 'DC01', 'Guest', 'krbtgt']);
    });

    it('implements bitwise AND (803) and OR (804), reading negative groupType as unsigned 32-bit', async () => {
      const trustedForDelegation = await names('(userAccountControl:1.2.840.113556.1.4.803:=524288)');
      expect(trustedForDelegation).to.deep.equal(['APP01', 'DC01']);
      expect(await names('(userAccountControl:1.2.840.113556.1.4.803:=16777216)')).to.deep.equal(['HV01', 'svc-web']);
      expect(await names('(userAccountControl:1.2.840.113556.1.4.804:=16777218)')).to.deep.equal(['Guest', 'HV01', 'krbtgt', 'svc-web']);
      const securityGroups = await names('(groupType:1.2.840.113556.1.4.803:=2147483648)');
      expect(securityGroups).to.include.members(['Domain Admins', 'Administrators', 'Tier0 Operators']).and.have.length(22);
      expect(await names('(groupType:1.2.840.113556.1.4.803:=-2147483646)'))
        .to.include('Domain Admins')
        .and.not.include('Administrators');
      expect(await names('(groupType:1.2.840.113556.1.4.803:=4)'))
        .to.include('Administrators')
        .and.not.include('Domain Admins');
      expect(await names('(&(objectClass=group)(groupType:1.2.840.113556.1.4.804:=8))')).to.deep.equal([
        'Enterprise Admins',
        'Enterprise Key Admins',
        'Schema Admins',
      ]);
    });

    it('follows nested membership with LDAP_MATCHING_RULE_IN_CHAIN (1941) on memberOf and member', async () => {
      const inChain = await names(`(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=${dn.domainAdmins}))`);
      expect(inChain).to.deep.equal(['Administrator', 'admin.nested', 'admin.protected']);
      expect(await names(`(&(objectClass=user)(memberOf=${dn.domainAdmins}))`)).to.deep.equal(['Administrator', 'admin.protected']);
      const groupsOfNested = await names(`(member:1.2.840.113556.1.4.1941:=${dn.adminNested})`);
      expect(groupsOfNested).to.deep.equal(['Administrators', 'Domain Admins', 'Infrastructure Admins', 'Tier0 Operators']);
    });

    it('matches objectSid against a binary assertion (and S-1-... text)', async () => {
      const filter = new EqualityFilter({ attribute: 'objectSid', value: sidToBuffer(`${DOMAIN_SID}-512`) });
      const result = await client.search(DOMAIN, { filter, attributes: ['cn'] });
      expect(result.searchEntries.map((entry) => entry.cn)).to.deep.equal(['Domain Admins']);
      expect(await names('(objectSid=S-1-5-32-544)')).to.deep.equal(['Administrators']);
      const wrong = new EqualityFilter({ attribute: 'objectSid', value: sidToBuffer(`${DOMAIN_SID}-999`) });
      expect((await client.search(DOMAIN, { filter: wrong })).searchEntries).to.deep.equal([]);
    });

    it('never matches userPassword', async () => {
      expect(await names('(userPassword=*)')).to.deep.equal([]);
      expect(await names('(userPassword=Lab-Admin-Passw0rd)')).to.deep.equal([]);
    });
  });

  describe('size limits and paging', () => {
    it('honours the request size limit with sizeLimitExceeded after that many entries', async () => {
      const result = await client.search(DOMAIN, { filter: '(objectClass=user)', sizeLimit: 3, attributes: ['cn'] });
      expect(result.searchEntries).to.have.length(3);
      const exact = await client.search(`OU=Hyper-V,${DOMAIN}`, { filter: '(objectClass=computer)', sizeLimit: 3, attributes: ['cn'] });
      expect(exact.searchEntries).to.have.length(3);
    });

    it('pages with the paged results control', async () => {
      mock.resetStats();
      const result = await client.search(DOMAIN, { filter: '(objectClass=user)', paged: { pageSize: 2 }, attributes: ['cn'] });
      expect(result.searchEntries).to.have.length(16);
      expect(new Set(result.searchEntries.map((entry) => entry.dn)).size).to.equal(16);
      expect(mock.stats.searches).to.equal(8);
    });

    it('returns the configuration reference once, at the end of a paged search', async () => {
      const result = await client.search(DOMAIN, { filter: '(objectClass=organizationalUnit)', paged: { pageSize: 2 }, attributes: ['1.1'] });
      expect(result.searchEntries).to.have.length(5);
      expect(result.searchReferences).to.deep.equal([`ldaps://corp.example.com/CN=Configuration,${DOMAIN}`]);
    });

    it('caps pages at maxPageSize and stops unpaged searches there with sizeLimitExceeded', async () => {
      const small = await startLab({ maxPageSize: 5, tlsPort: false, requireTls: false });
      const smallClient = await boundClientPlain(small);
      try {
        const error = await rejection(() => smallClient.search(DOMAIN, { filter: '(objectClass=user)' }));
        expect(error).to.be.instanceOf(SizeLimitExceededError);
        small.resetStats();
        const paged = await smallClient.search(DOMAIN, { filter: '(objectClass=user)', paged: { pageSize: 100 }, attributes: ['cn'] });
        expect(paged.searchEntries).to.have.length(16);
        expect(small.stats.searches).to.equal(4);
      } finally {
        await smallClient.unbind();
        await small.close();
      }
    });
  });
});

async function boundClientPlain(mock: MockLdap): Promise<Client> {
  const client = new Client({ url: mock.url });
  await client.bind('CORP\\Administrator', 'Lab-Admin-Passw0rd');
  return client;
}
