import { expect } from 'chai';

import { dnKey, formatLdif, LdifError, loadLdifFile, parseDn, parseLdif, sidToBuffer, sidToString } from '../../mock-ldap/index.js';
import { DOMAIN, LAB_LDIF } from './helpers.js';

describe('mock-ldap LDIF parsing', () => {
  it('reads version, comments, folded lines and base64 values, keeping attribute casing', () => {
    const entries = parseLdif(
      [
        '# a comment',
        '#  folded comment line',
        ' that continues here',
        'version: 1',
        '',
        'dn: CN=HV01,OU=Hyper-V,',
        ' DC=corp,DC=example,DC=com',
        'objectClass: computer',
        'servicePrincipalName: Microsoft Virtual System Migration',
        '  Service/HV01',
        'description:: w4lsw6ltZW50IGRlIHRlc3Q=',
        'servicePrincipalName: HOST/HV01',
        '',
        '',
        'dn: CN=other,DC=corp,DC=example,DC=com',
        'cn: other',
      ].join('\n'),
      'unit.ldif',
    );
    expect(entries).to.have.length(2);
    const [first, second] = entries;
    expect(first?.dn).to.equal('CN=HV01,OU=Hyper-V,DC=corp,DC=example,DC=com');
    expect(first?.line).to.equal(6);
    expect(first?.attributes).to.deep.equal([
      { name: 'objectClass', values: ['computer'] },
      { name: 'servicePrincipalName', values: ['Microsoft Virtual System Migration Service/HV01', 'HOST/HV01'] },
      { name: 'description', values: ['Élément de test'] },
    ]);
    expect(second?.line).to.equal(15);
  });

  it('turns a base64 binary objectSid into S-1-... text', () => {
    const sid = 'S-1-5-21-1004336348-1177238915-682003330-1140';
    const [entry] = parseLdif(`dn: CN=x,${DOMAIN}\nobjectSid:: ${sidToBuffer(sid).toString('base64')}\n`);
    expect(entry?.attributes[0]?.values).to.deep.equal([sid]);
  });

  const errors: Array<[string, string, RegExp]> = [
    ['a record without dn', 'version: 1\n\ncn: nobody\n', /bad\.ldif line 3: expected "dn:"/],
    ['a line without a colon', `dn: CN=x,${DOMAIN}\nobjectClass top\n`, /bad\.ldif line 2: expected "attribute: value"/],
    ['invalid base64', `dn: CN=x,${DOMAIN}\ncn:: not base64!\n`, /bad\.ldif line 2: invalid base64/],
    ['a change record', `dn: CN=x,${DOMAIN}\nchangetype: modify\n`, /bad\.ldif line 2: change records/],
    ['two dn lines in one record', `dn: CN=x,${DOMAIN}\ncn: x\ndn: CN=y,${DOMAIN}\n`, /bad\.ldif line 3: second "dn:"/],
    ['a continuation with nothing to continue', `\n continued\n`, /bad\.ldif line 2: continuation/],
  ];
  for (const [what, text, message] of errors) {
    it(`reports ${what} with the file name and line number`, () => {
      let caught: unknown;
      try {
        parseLdif(text, 'bad.ldif');
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(LdifError);
      expect((caught as LdifError).message).to.match(message);
    });
  }

  it('round-trips through formatLdif, base64-encoding and folding where needed', () => {
    const entries = [
      {
        dn: `CN=Ünïcode,${DOMAIN}`,
        attributes: [
          { name: 'description', values: [' leading space', 'trailing space ', ':colon', 'plain'] },
          { name: 'msDS-AllowedToDelegateTo', values: ['Microsoft Virtual System Migration Service/HV02.corp.example.com'.repeat(3)] },
        ],
      },
    ];
    const text = formatLdif(entries);
    expect(text).to.match(/^version: 1\n\ndn:: /);
    expect(text.split('\n').every((line) => line.length <= 76)).to.equal(true);
    expect(text).to.include('description: plain');
    expect(parseLdif(text).map(({ dn, attributes }) => ({ dn, attributes }))).to.deep.equal(entries);
  });

  it('loads the lab fixture', async () => {
    const entries = await loadLdifFile(LAB_LDIF);
    expect(entries.length).to.be.greaterThan(40);
    expect(entries[0]?.dn).to.equal(DOMAIN);
  });
});

describe('mock-ldap DNs and SIDs', () => {
  it('compares DNs ignoring case, spaces around separators and escape style', () => {
    expect(dnKey('CN=Domain Admins, CN=Users , dc=Corp,DC=example,DC=com')).to.equal(dnKey(`cn=domain admins,cn=users,${DOMAIN}`));
    expect(dnKey('CN=Smith\\, John,DC=corp')).to.equal(dnKey('CN=Smith\\2C John,DC=corp'));
    expect(parseDn('CN=Smith\\, John,DC=corp')).to.have.length(2);
    expect(dnKey('CN=a\\,b,DC=corp')).not.to.equal(dnKey('CN=a,CN=b,DC=corp'));
    expect(() => parseDn('not a dn')).to.throw(/invalid DN/);
  });

  it('converts SIDs to the AD binary layout and back', () => {
    const binary = sidToBuffer('S-1-5-21-1004336348-1177238915-682003330-512');
    expect(binary).to.have.length(28);
    expect(binary.subarray(0, 8).toString('hex')).to.equal('0105000000000005');
    expect(binary.readUInt32LE(8)).to.equal(21);
    expect(binary.readUInt32LE(24)).to.equal(512);
    expect(sidToString(binary)).to.equal('S-1-5-21-1004336348-1177238915-682003330-512');
    expect(sidToBuffer('S-1-5-32-544').toString('hex')).to.equal('01020000000000052000000020020000');
    expect(() => sidToString(Buffer.from([1, 2, 3]))).to.throw(/not a binary SID/);
  });
});
