import { expect } from 'chai';
import { dnKey, escapeDnValue, formatDn, isUnder, parentDn, parseDn } from '../../src/ldap/codecs/dn.js';
import { and, bitsAll, eq, escapeFilterValue, filterToString, or, prefix, unescapeFilterValue } from '../../src/ldap/filter.js';
import { domainOf, isSid, ridOf, sidToBuffer, sidToString } from '../../src/ldap/codecs/sid.js';
import { parseSpn, shortHostKey, spnKey } from '../../src/ldap/codecs/spn.js';
import { decodeUac, encodeUac, hasFlag, parseUac, UAC, withFlag } from '../../src/ldap/codecs/uac.js';

describe('userAccountControl codec', () => {
  it('decodes flags by name', () => {
    expect(decodeUac(16781312)).to.deep.equal(['WORKSTATION_TRUST_ACCOUNT', 'TRUSTED_TO_AUTH_FOR_DELEGATION']);
    expect(decodeUac(532480)).to.deep.equal(['SERVER_TRUST_ACCOUNT', 'TRUSTED_FOR_DELEGATION']);
  });
  it('round-trips through encode', () => {
    expect(encodeUac(['NORMAL_ACCOUNT', 'NOT_DELEGATED', 'DONT_EXPIRE_PASSWORD'])).to.equal(1114624);
    expect(decodeUac(1114624)).to.deep.equal(['NORMAL_ACCOUNT', 'DONT_EXPIRE_PASSWORD', 'NOT_DELEGATED']);
  });
  it('reports unknown bits in hex', () => {
    expect(decodeUac(0x200 | 0x80000000)).to.deep.equal(['NORMAL_ACCOUNT', '0x80000000']);
  });
  it('parses decimal text, including negative 32-bit values, and rejects junk', () => {
    expect(parseUac('4096')).to.equal(4096);
    expect(parseUac('-2147483646')).to.equal(0x80000002);
    expect(parseUac('12x')).to.equal(undefined);
    expect(parseUac(undefined)).to.equal(undefined);
    expect(parseUac('99999999999')).to.equal(undefined);
  });
  it('sets and clears one flag without touching others', () => {
    const v = withFlag(4096 | UAC.ACCOUNTDISABLE, 'TRUSTED_TO_AUTH_FOR_DELEGATION', true);
    expect(v).to.equal(4096 | 2 | 0x1000000);
    expect(hasFlag(v, 'ACCOUNTDISABLE')).to.equal(true);
    expect(withFlag(v, 'TRUSTED_TO_AUTH_FOR_DELEGATION', false)).to.equal(4096 | 2);
  });
});

describe('SID codec', () => {
  const sid = 'S-1-5-21-1004336348-1177238915-682003330-512';
  it('round-trips a domain SID through its 28-byte binary form', () => {
    const buffer = sidToBuffer(sid);
    expect(buffer.length).to.equal(28);
    expect(buffer.subarray(0, 8).toString('hex')).to.equal('0105000000000005');
    expect(sidToString(buffer)).to.equal(sid);
  });
  it('round-trips built-in and well-known SIDs', () => {
    for (const text of ['S-1-5-32-544', 'S-1-5-18', 'S-1-1-0', 'S-1-5-21-4294967295-0-1-500']) {
      expect(sidToString(sidToBuffer(text))).to.equal(text);
    }
  });
  it('rejects malformed input', () => {
    expect(() => sidToString(Buffer.from([1, 5, 0, 0]))).to.throw(RangeError);
    expect(() => sidToString(Buffer.from('010200000000000515000000', 'hex'))).to.throw(RangeError);
    expect(() => sidToBuffer('S-1-5-x')).to.throw(RangeError);
    expect(() => sidToBuffer('S-1-5-4294967296')).to.throw(RangeError);
    expect(isSid('CN=Domain Admins')).to.equal(false);
  });
  it('splits RID and domain', () => {
    expect(ridOf(sid)).to.equal(512);
    expect(domainOf(sid)).to.equal('S-1-5-21-1004336348-1177238915-682003330');
  });
});

describe('SPN parsing', () => {
  it('parses a service class with spaces', () => {
    const spn = parseSpn('Microsoft Virtual System Migration Service/HV01.corp.example.com');
    expect(spn).to.include({ serviceClass: 'Microsoft Virtual System Migration Service', host: 'HV01.corp.example.com' });
  });
  it('parses port and service name', () => {
    expect(parseSpn('MSSQLSvc/SQL01.corp.example.com:1433')).to.include({ host: 'SQL01.corp.example.com', port: 1433 });
    expect(parseSpn('GC/DC01.corp.example.com/corp.example.com')).to.include({ host: 'DC01.corp.example.com', serviceName: 'corp.example.com' });
  });
  it('rejects text without a class or host', () => {
    expect(parseSpn('cifs')).to.equal(undefined);
    expect(parseSpn('/HV01')).to.equal(undefined);
    expect(parseSpn('cifs/')).to.equal(undefined);
  });
  it('compares case-insensitively', () => {
    expect(spnKey('CIFS/hv01.Corp.Example.com')).to.equal(spnKey('cifs/HV01.corp.example.com'));
    expect(shortHostKey('HV01.corp.example.com')).to.equal('hv01');
  });
});

describe('DN escaping (RFC 4514)', () => {
  const nasty = [
    'Smith, John',
    'a+b',
    '"quoted"',
    '#leading hash',
    ' leading and trailing ',
    'back\\slash',
    'semi;colon',
    'less<more>',
    'nul\u0000byte',
    'équipe',
  ];
  for (const value of nasty) {
    it(`round-trips ${JSON.stringify(value)}`, () => {
      const dn = formatDn([
        { type: 'CN', value },
        { type: 'OU', value: 'Hyper-V' },
        { type: 'DC', value: 'corp' },
      ]);
      expect(parseDn(dn)[0]).to.deep.equal({ type: 'CN', value });
    });
  }
  it('escapes the characters RFC 4514 names', () => {
    expect(escapeDnValue('a,b+c"d\\e<f>g;h=i')).to.equal('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
    expect(escapeDnValue('#x ')).to.equal('\\#x\\ ');
  });
  it('decodes hex escapes as UTF-8', () => {
    expect(parseDn('CN=\\c3\\a9quipe,DC=corp')[0]!.value).to.equal('équipe');
  });
  it('compares DNs as AD does', () => {
    expect(dnKey('CN=HV01, OU=Hyper-V ,DC=Corp,DC=Example,DC=com')).to.equal(dnKey('cn=hv01,ou=hyper-v,dc=corp,dc=example,dc=com'));
    expect(parentDn('CN=HV01,OU=Hyper-V,DC=corp')).to.equal('OU=Hyper-V,DC=corp');
    expect(isUnder('CN=HV01,OU=Hyper-V,DC=corp', 'dc=CORP')).to.equal(true);
    expect(isUnder('CN=HV01,OU=Hyper-V,DC=corp', 'OU=Other,DC=corp')).to.equal(false);
  });
  it('rejects malformed DNs', () => {
    expect(() => parseDn('CN=x,junk')).to.throw(SyntaxError);
    expect(() => parseDn('CN=x\\')).to.throw(SyntaxError);
  });
});

describe('filters (RFC 4515)', () => {
  it('escapes metacharacters so a value cannot change the filter', () => {
    expect(escapeFilterValue('*)(objectClass=*')).to.equal('\\2a\\29\\28objectClass=\\2a');
    expect(escapeFilterValue('a\\b\u0000')).to.equal('a\\5cb\\00');
    expect(filterToString(eq('sAMAccountName', 'HV*)(uid=*$'))).to.equal('(sAMAccountName=HV\\2a\\29\\28uid=\\2a$)');
  });
  it('escapes binary values byte by byte', () => {
    expect(filterToString(eq('objectSid', sidToBuffer('S-1-5-32-544')))).to.equal(
      '(objectSid=\\01\\02\\00\\00\\00\\00\\00\\05\\20\\00\\00\\00\\20\\02\\00\\00)',
    );
  });
  it('round-trips any value through escape and unescape', () => {
    for (const value of ['plain', '*)(|(x=*', 'é€😀', '\u0000\u0001\\']) {
      expect(unescapeFilterValue(escapeFilterValue(value)).toString('utf8')).to.equal(value);
    }
  });
  it('renders composite filters', () => {
    const f = and([
      eq('objectClass', 'user'),
      or([prefix('servicePrincipalName', 'Microsoft Virtual System Migration Service/'), bitsAll('userAccountControl', 0x80000)]),
    ]);
    expect(filterToString(f)).to.equal(
      '(&(objectClass=user)(|(servicePrincipalName=Microsoft Virtual System Migration Service/*)(userAccountControl:1.2.840.113556.1.4.803:=524288)))',
    );
  });
});
