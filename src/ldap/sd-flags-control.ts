/**
 * LDAP_SERVER_SD_FLAGS_OID (MS-ADTS 3.1.1.3.4.1.11): which parts of a security descriptor AD returns.
 * Reading msDS-AllowedToActOnBehalfOfOtherIdentity needs only its DACL (the principals allowed to act);
 * asking for the DACL alone keeps AD from withholding the value from a reader who may not see the SACL.
 */
import { BerWriter, Control } from 'ldapts';

export const SD_FLAGS_OID = '1.2.840.113556.1.4.801';

/** DACL_SECURITY_INFORMATION. */
export const SD_FLAGS_DACL = 0x4;

export class SdFlagsControl extends Control {
  constructor(private readonly flags: number) {
    // Not critical: a server that does not know it returns the whole descriptor, which decodes the same.
    super(SD_FLAGS_OID, { critical: false });
  }

  protected override writeControl(writer: BerWriter): void {
    // controlValue: SDFlagsRequestValue ::= SEQUENCE { Flags INTEGER }
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flags);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}
