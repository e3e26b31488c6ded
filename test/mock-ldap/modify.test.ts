import { expect } from 'chai';
import {
  AlreadyExistsError,
  Attribute,
  Change,
  Client,
  InsufficientAccessError,
  NoSuchAttributeError,
  NoSuchObjectError,
  NotAllowedOnNonLeafError,
  OperationsError,
  TypeOrValueExistsError,
  UnwillingToPerformError,
} from 'ldapts';

import type { MockLdap } from '../../mock-ldap/index.js';
import { AUDITOR, boundClient, dn, DOMAIN, rejection, startLab, tlsOptions } from './helpers.js';

const change = (operation: 'add' | 'delete' | 'replace', type: string, values: string[] = []): Change =>
  new Change({ operation, modification: new Attribute({ type, values }) });

describe('mock-ldap writes', () => {
  let mock: MockLdap;
  let admin: Client;

  beforeEach(async () => {
    mock = await startLab();
    admin = await boundClient(mock);
  });
  afterEach(async () => {
    await admin.unbind();
    await mock.close();
  });

  it('adds, deletes and replaces values', async () => {
    await admin.modify(dn.hv03, [
      change('add', 'msDS-AllowedToDelegateTo', ['cifs/HV01.corp.example.com', 'cifs/HV01']),
      change('replace', 'description', ['fixed']),
      change('delete', 'servicePrincipalName', ['Microsoft Virtual Console Service/HV03']),
    ]);
    const hv03 = mock.getEntry(dn.hv03);
    expect(hv03?.get('msds-allowedtodelegateto')).to.deep.equal(['cifs/HV01.corp.example.com', 'cifs/HV01']);
    expect(hv03?.attributes['msDS-AllowedToDelegateTo']).to.have.length(2);
    expect(hv03?.get('description')).to.deep.equal(['fixed']);
    expect(hv03?.get('servicePrincipalName')).to.have.length(5).and.not.include('Microsoft Virtual Console Service/HV03');
  });

  it('answers attributeOrValueExists (20) for a value already there, compared case-insensitively', async () => {
    const error = await rejection(() => admin.modify(dn.hv01, [change('add', 'msDS-AllowedToDelegateTo', ['CIFS/hv02.CORP.example.com'])]));
    expect(error).to.be.instanceOf(TypeOrValueExistsError);
    expect(error.message).to.include('ATT_OR_VALUE_EXISTS');
  });

  it('answers noSuchAttribute (16) for a missing value or a missing attribute', async () => {
    const missingValue = await rejection(() => admin.modify(dn.hv01, [change('delete', 'msDS-AllowedToDelegateTo', ['cifs/NOPE'])]));
    expect(missingValue).to.be.instanceOf(NoSuchAttributeError);
    const missingAttribute = await rejection(() => admin.modify(dn.hv03, [change('delete', 'msDS-AllowedToDelegateTo')]));
    expect(missingAttribute).to.be.instanceOf(NoSuchAttributeError);
  });

  it('deletes values case-insensitively, and a whole attribute with no values', async () => {
    await admin.modify(dn.hv01, [change('delete', 'msDS-AllowedToDelegateTo', ['CIFS/HV03'])]);
    expect(mock.getEntry(dn.hv01)?.get('msDS-AllowedToDelegateTo')).to.have.length(7).and.not.include('cifs/HV03');
    await admin.modify(dn.hv01, [change('delete', 'msDS-AllowedToDelegateTo')]);
    expect(mock.getEntry(dn.hv01)?.get('msDS-AllowedToDelegateTo')).to.deep.equal([]);
  });

  it('removes the attribute on replace with no values, even when absent', async () => {
    await admin.modify(dn.hv02, [change('replace', 'msDS-AllowedToDelegateTo')]);
    await admin.modify(dn.hv03, [change('replace', 'msDS-AllowedToDelegateTo')]);
    expect(mock.getEntry(dn.hv02)?.attributes).not.to.have.property('msDS-AllowedToDelegateTo');
  });

  it('answers noSuchObject (32) for an unknown DN', async () => {
    const error = await rejection(() => admin.modify(`CN=HV09,OU=Hyper-V,${DOMAIN}`, [change('replace', 'description', ['x'])]));
    expect(error).to.be.instanceOf(NoSuchObjectError);
  });

  it('applies all changes or none', async () => {
    const error = await rejection(() =>
      admin.modify(dn.hv02, [change('replace', 'description', ['half done']), change('delete', 'msDS-AllowedToDelegateTo', ['cifs/NOPE'])]),
    );
    expect(error).to.be.instanceOf(NoSuchAttributeError);
    expect(mock.getEntry(dn.hv02)?.get('description')).to.deep.equal([]);
    expect(mock.getEntry(dn.hv02)?.get('msDS-AllowedToDelegateTo')).to.have.length(8);
  });

  it('detects a concurrent edit: a stale userAccountControl delete+add fails with 16 and changes nothing', async () => {
    const trustedToAuth = String(4096 | 0x1000000);
    await admin.modify(dn.hv02, [change('delete', 'userAccountControl', ['4096']), change('add', 'userAccountControl', [trustedToAuth])]);
    expect(mock.getEntry(dn.hv02)?.get('userAccountControl')).to.deep.equal([trustedToAuth]);
    const stale = await rejection(() =>
      admin.modify(dn.hv02, [change('delete', 'userAccountControl', ['4096']), change('add', 'userAccountControl', ['4096'])]),
    );
    expect(stale).to.be.instanceOf(NoSuchAttributeError);
    expect(mock.getEntry(dn.hv02)?.get('userAccountControl')).to.deep.equal([trustedToAuth]);
  });

  it('refuses writes from a non-administrator with insufficientAccessRights (50)', async () => {
    const auditor = await boundClient(mock, AUDITOR);
    try {
      const error = await rejection(() => auditor.modify(dn.hv03, [change('replace', 'description', ['x'])]));
      expect(error).to.be.instanceOf(InsufficientAccessError);
      expect(error.message).to.include('00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0');
      expect(mock.getEntry(dn.hv03)?.get('description')[0]).to.match(/^Re-joined/);
      expect(await rejection(() => auditor.del(dn.hv03))).to.be.instanceOf(InsufficientAccessError);
      expect(mock.getEntry(dn.hv03)).not.to.equal(undefined);
    } finally {
      await auditor.unbind();
    }
  });

  it('lets nested Domain Admins write (member chain and primary group)', async () => {
    for (const [account, password] of [
      [dn.adminNested, 'Lab-Nested-Passw0rd'],
      [dn.adminPrimary, 'Lab-Primary-Passw0rd'],
    ] as const) {
      const client = await boundClient(mock, { dn: account, password });
      await client.modify(dn.hv03, [change('replace', 'description', [account])]);
      await client.unbind();
      expect(mock.getEntry(dn.hv03)?.get('description')).to.deep.equal([account]);
    }
  });

  it('refuses writes on an anonymous connection with operationsError', async () => {
    const anonymous = new Client({ url: mock.ldapsUrl ?? '', tlsOptions: tlsOptions(mock) });
    const error = await rejection(() => anonymous.modify(dn.hv03, [change('replace', 'description', ['x'])]));
    expect(error).to.be.instanceOf(OperationsError);
    await anonymous.unbind();
  });

  it('keeps memberOf in step with member changes', async () => {
    const memberOf = async (account: string): Promise<unknown> =>
      (await admin.search(account, { scope: 'base', attributes: ['memberOf'] })).searchEntries[0]?.memberOf;
    await admin.modify(dn.hypervOperators, [change('add', 'member', [dn.adminNested.toLowerCase()])]);
    expect(await memberOf(dn.adminNested)).to.deep.equal([dn.tier0, dn.hypervOperators]);
    expect(mock.getEntry(dn.hypervOperators)?.get('member')).to.deep.equal([dn.alice, dn.adminNested]);
    await admin.modify(dn.tier0, [change('delete', 'member', [dn.adminNested])]);
    expect(await memberOf(dn.adminNested)).to.equal(dn.hypervOperators);
    const inChain = await admin.search(DOMAIN, { filter: `(memberOf:1.2.840.113556.1.4.1941:=${dn.domainAdmins})`, attributes: ['cn'] });
    expect(inChain.searchEntries.map((entry) => entry.cn)).not.to.include('admin.nested');
    const error = await rejection(() => admin.modify(dn.hypervOperators, [change('add', 'member', [`CN=ghost,${DOMAIN}`])]));
    expect(error).to.be.instanceOf(NoSuchObjectError);
  });

  it('follows in-chain membership through a group cycle without looping', async () => {
    await admin.modify(dn.tier0, [change('add', 'member', [dn.domainAdmins])]);
    const filter = `(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=${dn.tier0}))`;
    const result = await admin.search(DOMAIN, { filter, attributes: ['cn'] });
    expect(result.searchEntries.map((entry) => entry.cn).sort()).to.deep.equal(['Administrator', 'admin.nested', 'admin.protected']);
  });

  it('adds and deletes entries with AD result codes', async () => {
    const hv04 = `CN=HV04,OU=Hyper-V,${DOMAIN}`;
    await admin.add(hv04, { objectClass: ['top', 'computer'], sAMAccountName: 'HV04$', userAccountControl: '4096' });
    expect(mock.getEntry(hv04)?.get('samaccountname')).to.deep.equal(['HV04$']);
    expect(await rejection(() => admin.add(hv04, { objectClass: 'computer' }))).to.be.instanceOf(AlreadyExistsError);
    expect(await rejection(() => admin.add(`CN=x,OU=Nowhere,${DOMAIN}`, { objectClass: 'computer' }))).to.be.instanceOf(NoSuchObjectError);
    expect(await rejection(() => admin.del(`OU=Hyper-V,${DOMAIN}`))).to.be.instanceOf(NotAllowedOnNonLeafError);
    await admin.modify(dn.hypervOperators, [change('add', 'member', [hv04])]);
    await admin.del(hv04);
    expect(mock.getEntry(hv04)).to.equal(undefined);
    expect(mock.getEntry(dn.hypervOperators)?.get('member')).to.deep.equal([dn.alice]);
    expect(await rejection(() => admin.del(hv04))).to.be.instanceOf(NoSuchObjectError);
  });

  it("keeps sAMAccountType from the object's class and userAccountControl, as AD's SAM does, and refuses writes to it", async () => {
    const type = (entry: string): string[] | undefined => mock.getEntry(entry)?.get('sAMAccountType');
    expect(type(dn.alice)).to.deep.equal(['805306368']);
    expect(type(dn.hv01)).to.deep.equal(['805306369']);
    expect(type(dn.domainAdmins)).to.deep.equal(['268435456']);
    const hv04 = `CN=HV04,OU=Hyper-V,${DOMAIN}`;
    await admin.add(hv04, { objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'], sAMAccountName: 'HV04$', userAccountControl: '4096' });
    expect(type(hv04)).to.deep.equal(['805306369']);
    await admin.modify(dn.alice, [change('replace', 'userAccountControl', ['2048'])]);
    expect(type(dn.alice)).to.deep.equal(['805306370']);
    const refused = await rejection(() => admin.modify(dn.hv01, [change('replace', 'sAMAccountType', ['805306368'])]));
    expect(refused).to.be.instanceOf(UnwillingToPerformError);
    expect(type(dn.hv01)).to.deep.equal(['805306369']);
  });

  it('answers compare requests', async () => {
    expect(await admin.compare(dn.hv01, 'userAccountControl', '16781312')).to.equal(true);
    expect(await admin.compare(dn.hv01, 'sAMAccountName', 'hv01$')).to.equal(true);
    expect(await admin.compare(dn.hv01, 'sAMAccountName', 'HV02$')).to.equal(false);
  });
});
