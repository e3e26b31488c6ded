import { expect } from 'chai';
import { BerWriter } from 'ldapts';
import { formatLdif, parseLdif } from '../../mock-ldap/ldif.js';
import { rbcdDescriptor } from '../../src/ldap/codecs/security-descriptor.js';
import { SD_FLAGS_DACL, SD_FLAGS_OID, SdFlagsControl } from '../../src/ldap/sd-flags-control.js';
import { sidToBuffer } from '../../src/ldap/codecs/sid.js';

describe('resource-based delegation on the wire', () => {
  it('encodes the SD flags control as SEQUENCE { INTEGER 4 } (DACL only), not critical', () => {
    const writer = new BerWriter();
    new SdFlagsControl(SD_FLAGS_DACL).write(writer);
    const bytes = writer.buffer;
    expect(bytes.includes(Buffer.from(SD_FLAGS_OID))).to.equal(true);
    expect(bytes.subarray(bytes.length - 7).toString('hex')).to.equal('04053003020104');
    expect(bytes.includes(Buffer.from('0101ff', 'hex'))).to.equal(false);
  });

  it('mock-ldap keeps msDS-AllowedToActOnBehalfOfOtherIdentity as base64 through LDIF', () => {
    const descriptor = rbcdDescriptor([sidToBuffer('S-1-5-21-1-2-3-1104')]);
    const ldif = `dn: CN=FS01,DC=corp,DC=example,DC=com\nobjectClass: computer\nmsDS-AllowedToActOnBehalfOfOtherIdentity:: ${descriptor.toString('base64')}\n`;
    const [entry] = parseLdif(ldif, 'test.ldif');
    const stored = entry!.attributes.find((a) => a.name === 'msDS-AllowedToActOnBehalfOfOtherIdentity')!.values[0]!;
    expect(Buffer.from(stored, 'base64').equals(descriptor)).to.equal(true);
    const again = parseLdif(formatLdif([entry!]), 'again.ldif')[0]!;
    expect(again.attributes).to.deep.equal(entry!.attributes);
  });
});
