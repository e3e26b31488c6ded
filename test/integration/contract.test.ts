/**
 * The contract: what delegaudit relies on from a directory, checked identically on mock-ldap and on
 * a real AD implementation (Samba). Where they differ, the mock is wrong.
 */
import { expect } from 'chai';
import { Change, Attribute, Client, NoSuchAttributeError, TypeOrValueExistsError, InsufficientAccessError, UnwillingToPerformError } from 'ldapts';
import { AuthError } from '../../src/errors.js';
import { LdapSession } from '../../src/ldap/session.js';
import { eq, present } from '../../src/ldap/filter.js';
import { sidToString } from '../../src/ldap/codecs/sid.js';
import { forEachTarget, readLabPassword, type Target, type TargetUser } from '../helpers/targets.js';
import { errorText } from '../../src/cli/flag-advice.js';
import { SAM_ACCOUNT_TYPE } from '../../src/directory/well-known.js';

const MIG = 'Microsoft Virtual System Migration Service';

function open(target: Target, user: string, password: string, extra: { url?: string; startTls?: boolean } = {}) {
  return LdapSession.open(
    { url: extra.url ?? target.url, startTls: extra.startTls, caFile: target.caFile, tlsServername: target.servername },
    { user, password },
  );
}

async function withClient<T>(target: Target, user: TargetUser, fn: (client: Client) => Promise<T>): Promise<T> {
  const { readFileSync } = await import('node:fs');
  const client = new Client({ url: target.url, tlsOptions: { ca: [readFileSync(target.caFile)], servername: target.servername } });
  try {
    await client.bind(user.dn, user.password);
    return await fn(client);
  } finally {
    await client.unbind();
  }
}

async function names(client: Client, base: string, filter: string): Promise<string[]> {
  const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes: ['sAMAccountName'] });
  return searchEntries.map((e) => String(e.sAMAccountName)).sort();
}

forEachTarget('directory contract', (label, target) => {
  describe('binds', () => {
    for (const form of ['dn', 'upn', 'netbios'] as const) {
      it(`[${label}] accepts a simple bind by ${form}`, async () => {
        const t = target();
        const session = await open(t, t.admin[form], t.admin.password);
        await session.close();
      });
    }
    it(`[${label}] refuses a bad password with invalidCredentials, data 52e decoded`, async () => {
      const t = target();
      const error = await open(t, t.admin.upn, 'not-the-password').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AuthError);
      expect((error as Error).message).to.contain('bad password (or unknown user) (AD data 52e)');
    });
    it(`[${label}] refuses a Protected Users member's simple bind with data 52f, decoded`, async () => {
      const t = target();
      const password = t.name === 'mock' ? 'Lab-Protected-Passw0rd' : readLabPassword('admin.protected');
      const error = await open(t, 'CORP\\admin.protected', password).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AuthError);
      expect((error as Error).message).to.contain('account restriction (a Protected Users member may not use simple binds');
    });
    it(`[${label}] refuses a plain-LDAP simple bind with strongerAuthRequired, and we say to use TLS`, async () => {
      const t = target();
      const error = await open(t, t.admin.dn, t.admin.password, { url: t.startTlsUrl }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AuthError);
      // The wire layer names the setting; the command line spells it as the flag.
      expect((error as Error).message).to.contain(
        'this DC requires signing or TLS: use ldaps:// or startTls, or sign with Kerberos on ldap:// (auth kerberos, no certificate needed)',
      );
      expect(errorText(error)).to.contain(
        'this DC requires signing or TLS: use ldaps:// or --starttls, or sign with Kerberos on ldap:// (--auth kerberos, no certificate needed)',
      );
    });
    it(`[${label}] binds after StartTLS`, async () => {
      const t = target();
      const session = await open(t, t.admin.netbios, t.admin.password, { url: t.startTlsUrl, startTls: true });
      const root = await session.rootDse(['defaultNamingContext']);
      await session.close();
      expect(root.string('defaultNamingContext')).to.equal(t.baseDN);
    });
  });

  describe('reads', () => {
    it(`[${label}] serves the RootDSE with the naming contexts and the paged results control`, async () => {
      const t = target();
      const session = await open(t, t.reader.upn, t.reader.password);
      const root = await session.rootDse(['defaultNamingContext', 'configurationNamingContext', 'supportedControl', 'dnsHostName']);
      await session.close();
      expect(root.string('defaultNamingContext')).to.equal('DC=corp,DC=example,DC=com');
      expect(root.string('configurationNamingContext')).to.equal('CN=Configuration,DC=corp,DC=example,DC=com');
      expect(root.strings('supportedControl')).to.include('1.2.840.113556.1.4.319');
      expect(root.string('dnsHostName')?.toLowerCase()).to.equal('dc01.corp.example.com');
    });
    it(`[${label}] pages a search across several pages and returns every entry once`, async () => {
      const t = target();
      const session = await open(t, t.reader.upn, t.reader.password);
      const spec = { base: t.baseDN, scope: 'sub' as const, filter: eq('objectClass', 'user'), attributes: ['sAMAccountName'], purpose: 'users' };
      const paged = await session.search({ ...spec, pageSize: 3 });
      const whole = await session.search(spec);
      await session.close();
      const dns = paged.entries.map((e) => e.dn.toLowerCase());
      expect(dns.length).to.be.above(9);
      expect(new Set(dns).size).to.equal(dns.length);
      expect(dns.sort()).to.deep.equal(whole.entries.map((e) => e.dn.toLowerCase()).sort());
    });
    it(`[${label}] returns a search reference for the configuration naming context, unchased`, async () => {
      const t = target();
      const session = await open(t, t.reader.upn, t.reader.password);
      const result = await session.search({ base: t.baseDN, scope: 'sub', filter: eq('sAMAccountName', 'HV01$'), attributes: ['cn'], purpose: 'HV01' });
      await session.close();
      expect(result.entries.map((e) => e.dn)).to.have.length(1);
      expect(result.references).to.deep.equal(['ldaps://corp.example.com/CN=Configuration,DC=corp,DC=example,DC=com']);
    });
    it(`[${label}] round-trips objectSid as binary and matches it with a binary filter`, async () => {
      const t = target();
      const session = await open(t, t.reader.upn, t.reader.password);
      const da = await session.search({
        base: t.baseDN,
        scope: 'sub',
        filter: eq('sAMAccountName', 'Domain Admins'),
        attributes: ['objectSid'],
        binaryAttributes: ['objectSid'],
        purpose: 'Domain Admins',
      });
      const raw = da.entries[0]!.buffer('objectSid')!;
      expect(raw.length).to.equal(28);
      expect(sidToString(raw)).to.equal('S-1-5-21-1004336348-1177238915-682003330-512');
      const back = await session.search({ base: t.baseDN, scope: 'sub', filter: eq('objectSid', raw), attributes: ['sAMAccountName'], purpose: 'by SID' });
      const domain = await session.search({
        base: t.baseDN,
        scope: 'base',
        filter: present('objectClass'),
        attributes: ['objectSid'],
        binaryAttributes: ['objectSid'],
        purpose: 'domain',
      });
      await session.close();
      expect(back.entries.map((e) => e.string('sAMAccountName'))).to.deep.equal(['Domain Admins']);
      expect(sidToString(domain.entries[0]!.buffer('objectSid')!)).to.equal('S-1-5-21-1004336348-1177238915-682003330');
    });
    it(`[${label}] applies the bitwise AND (803) and OR (804) matching rules, negative groupType included`, async () => {
      const t = target();
      await withClient(t, t.reader, async (client) => {
        expect(await names(client, t.baseDN, '(userAccountControl:1.2.840.113556.1.4.803:=16781312)')).to.deep.equal(['HV01$']);
        expect(await names(client, t.baseDN, '(&(objectClass=computer)(userAccountControl:1.2.840.113556.1.4.804:=16785408))')).to.include.members([
          'HV01$',
          'DC01$',
        ]);
        const global = await names(client, t.baseDN, '(groupType:1.2.840.113556.1.4.803:=2147483650)');
        expect(global).to.include.members(['Domain Admins', 'Tier0 Operators', 'Protected Users']);
        expect(global).to.not.include('Administrators');
      });
    });
    it(`[${label}] follows nested membership with the in-chain rule (1941), but not primaryGroupID`, async () => {
      const t = target();
      await withClient(t, t.reader, async (client) => {
        const chain = await names(client, t.baseDN, `(memberOf:1.2.840.113556.1.4.1941:=CN=Domain Admins,CN=Users,${t.baseDN})`);
        expect(chain).to.include.members(['admin.nested', 'admin.protected', 'Administrator', 'Tier0 Operators', 'Infrastructure Admins']);
        expect(chain).to.not.include('admin.primary');
        expect(await names(client, t.baseDN, `(memberOf=CN=Domain Admins,CN=Users,${t.baseDN})`)).to.not.include('admin.nested');
      });
    });
  });

  describe('account types', () => {
    it(`[${label}] gives every user-class object a sAMAccountType, so users and machines split (objectClass=user) exactly`, async () => {
      const t = target();
      await withClient(t, t.reader, async (client) => {
        const all = await names(client, t.baseDN, '(objectClass=user)');
        const users = await names(client, t.baseDN, `(&(objectClass=user)(sAMAccountType=${SAM_ACCOUNT_TYPE.USER}))`);
        const machines = await names(
          client,
          t.baseDN,
          `(&(objectClass=user)(|(sAMAccountType=${SAM_ACCOUNT_TYPE.MACHINE})(sAMAccountType=${SAM_ACCOUNT_TYPE.TRUST})))`,
        );
        expect(users).to.include.members(['Administrator', 'krbtgt', 'svc-sql', 'admin.protected']);
        expect(machines).to.include.members(['DC01$', 'HV01$', 'HV02$', 'HV03$']);
        expect(users.filter((name) => machines.includes(name))).to.deep.equal([]);
        expect([...users, ...machines].sort()).to.deep.equal(all);
      });
    });
  });

  describe('writes (each rejected, nothing changes)', () => {
    const hv02 = (t: Target) => `CN=HV02,OU=Hyper-V,${t.baseDN}`;
    const modify = (client: Client, dn: string, changes: Array<['add' | 'delete', string, string]>) =>
      client.modify(
        dn,
        changes.map(([operation, type, value]) => new Change({ operation, modification: new Attribute({ type, values: [value] }) })),
      );
    const delegation = async (client: Client, dn: string) => {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['msDS-AllowedToDelegateTo', 'userAccountControl'] });
      return searchEntries[0]!;
    };

    it(`[${label}] answers 20 when adding a value that exists`, async () => {
      const t = target();
      await withClient(t, t.admin, async (client) => {
        const error = await modify(client, hv02(t), [['add', 'msDS-AllowedToDelegateTo', `${MIG}/HV01`]]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(TypeOrValueExistsError);
      });
    });
    it(`[${label}] answers 16 when deleting a value that is not there`, async () => {
      const t = target();
      await withClient(t, t.admin, async (client) => {
        const error = await modify(client, hv02(t), [['delete', 'msDS-AllowedToDelegateTo', `${MIG}/HV99`]]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(NoSuchAttributeError);
      });
    });
    it(`[${label}] rejects a delete-old/add-new of userAccountControl whose old value is stale, changing nothing`, async () => {
      const t = target();
      await withClient(t, t.admin, async (client) => {
        const before = await delegation(client, hv02(t));
        expect(before.userAccountControl).to.equal('4096');
        const error = await modify(client, hv02(t), [
          ['delete', 'userAccountControl', '4098'],
          ['add', 'userAccountControl', String(4096 | 0x1000000)],
        ]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(NoSuchAttributeError);
        const after = await delegation(client, hv02(t));
        expect(after).to.deep.equal(before);
      });
    });
    it(`[${label}] refuses a write of sAMAccountType, which the SAM keeps, with unwillingToPerform`, async () => {
      const t = target();
      await withClient(t, t.admin, async (client) => {
        const error = await modify(client, hv02(t), [['add', 'sAMAccountType', String(SAM_ACCOUNT_TYPE.USER)]]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(UnwillingToPerformError);
        const { searchEntries } = await client.search(hv02(t), { scope: 'base', attributes: ['sAMAccountType'] });
        expect(searchEntries[0]?.sAMAccountType).to.equal(String(SAM_ACCOUNT_TYPE.MACHINE));
      });
    });

    it(`[${label}] refuses writes from an ordinary user with insufficientAccessRights`, async () => {
      const t = target();
      await withClient(t, t.reader, async (client) => {
        const error = await modify(client, hv02(t), [['add', 'msDS-AllowedToDelegateTo', 'cifs/HV77']]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(InsufficientAccessError);
      });
    });
  });
});
