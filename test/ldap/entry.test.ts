import { expect } from 'chai';
import { LdapEntry } from '../../src/ldap/entry.js';

describe('LdapEntry', () => {
  it("takes ldapts's arrays as they are, and hands out copies: changing what strings() returns changes nothing", () => {
    const list = ['cifs/HV01', 'cifs/HV01.corp.example.com'];
    const entry = LdapEntry.fromRaw({ dn: 'CN=HV02', 'msDS-AllowedToDelegateTo': list, sAMAccountName: 'HV02$' });
    const strings = entry.strings('msds-allowedtodelegateto');
    expect(strings).to.deep.equal(list);
    expect(strings).not.to.equal(list);
    strings.push('http/evil');
    expect(entry.strings('msDS-AllowedToDelegateTo')).to.deep.equal(['cifs/HV01', 'cifs/HV01.corp.example.com']);
    expect(entry.string('sAMAccountName')).to.equal('HV02$');
    expect(entry.string('description')).to.equal(undefined);
    expect(entry.strings('description')).to.deep.equal([]);
  });

  it('keeps text and bytes only, and gives the first value in either form', () => {
    const sid = Buffer.from([1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]);
    const entry = LdapEntry.fromRaw({ dn: 'CN=x', objectSid: sid, cn: ['x', 42, null, 'y'], memberOf: [] });
    expect(entry.strings('cn')).to.deep.equal(['x', 'y']);
    expect(entry.buffer('objectSid')).to.equal(sid);
    expect(entry.buffer('cn')).to.deep.equal(Buffer.from('x'));
    expect(entry.string('objectSid')).to.equal(sid.toString('utf8'));
    expect(entry.has('memberOf')).to.equal(false);
  });
});
