/**
 * The part of a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6) that resource-based constrained
 * delegation uses: the DACL's ACEs and their SIDs. msDS-AllowedToActOnBehalfOfOtherIdentity holds
 * one; each ACCESS_ALLOWED ACE names a principal that may act on behalf of users to this account.
 */
import { sidToString } from './sid.js';

export interface Ace {
  type: 'allow' | 'deny' | 'other';
  /** The ACE type byte (0 allowed, 1 denied, 5 allowed-object, 6 denied-object…). */
  aceType: number;
  mask: number;
  sid: string;
}

/** Decodes the DACL's ACEs. Throws RangeError on a truncated or inconsistent descriptor. */
export function daclAces(descriptor: Uint8Array): Ace[] {
  const view = new DataView(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength);
  if (descriptor.length < 20 || descriptor[0] !== 1) throw new RangeError('not a self-relative security descriptor');
  const daclOffset = view.getUint32(16, true);
  if (daclOffset === 0) return [];
  if (daclOffset + 8 > descriptor.length) throw new RangeError('DACL offset beyond the descriptor');
  const aceCount = view.getUint16(daclOffset + 4, true);
  const aces: Ace[] = [];
  let offset = daclOffset + 8;
  for (let i = 0; i < aceCount; i += 1) {
    if (offset + 8 > descriptor.length) throw new RangeError('ACE beyond the descriptor');
    const aceType = descriptor[offset]!;
    const aceSize = view.getUint16(offset + 2, true);
    if (aceSize < 8 || offset + aceSize > descriptor.length) throw new RangeError('ACE size out of range');
    const mask = view.getUint32(offset + 4, true);
    let sidStart = offset + 8;
    if (aceType === 5 || aceType === 6) {
      // Object ACEs carry flags and up to two GUIDs before the SID.
      const flags = view.getUint32(offset + 8, true);
      sidStart = offset + 12 + (flags & 1 ? 16 : 0) + (flags & 2 ? 16 : 0);
    }
    if (sidStart + 8 > offset + aceSize) throw new RangeError('ACE without room for a SID');
    const count = descriptor[sidStart + 1]!;
    const sid = sidToString(descriptor.subarray(sidStart, sidStart + 8 + count * 4));
    const type = aceType === 0 || aceType === 5 ? 'allow' : aceType === 1 || aceType === 6 ? 'deny' : 'other';
    aces.push({ type, aceType, mask, sid });
    offset += aceSize;
  }
  return aces;
}

/** Builds a descriptor as samba-tool and Set-ADComputer -PrincipalsAllowedToDelegateToAccount do: owner Administrators, one allow ACE per SID. For tests and fixtures. */
export function rbcdDescriptor(sids: readonly Buffer[]): Buffer {
  const owner = Buffer.from('010200000000000520000000' + '20020000', 'hex'); // S-1-5-32-544
  const aces = sids.map((sid) => {
    const ace = Buffer.alloc(8 + sid.length);
    ace[0] = 0; // ACCESS_ALLOWED_ACE_TYPE
    ace[1] = 0;
    ace.writeUInt16LE(ace.length, 2);
    ace.writeUInt32LE(0x000f01ff, 4); // full control, as the AD tools write it
    sid.copy(ace, 8);
    return ace;
  });
  const acl = Buffer.alloc(8);
  const aclSize = 8 + aces.reduce((n, a) => n + a.length, 0);
  acl[0] = 4; // ACL_REVISION_DS
  acl.writeUInt16LE(aclSize, 2);
  acl.writeUInt16LE(aces.length, 4);
  const header = Buffer.alloc(20);
  header[0] = 1;
  header.writeUInt16LE(0x8004, 2); // SE_SELF_RELATIVE | SE_DACL_PRESENT
  header.writeUInt32LE(20, 4); // owner
  header.writeUInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(20 + owner.length, 16); // DACL
  return Buffer.concat([header, owner, acl, ...aces]);
}
