/** Thrown when a SID is neither valid `S-1-...` text nor a valid binary SID. */
export class SidError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'SidError';
  }
}

const SID_TEXT = /^S-1-(\d+)((?:-\d+)*)$/i;

/**
 * Converts `S-1-5-21-...` text to AD's binary SID layout: revision byte, sub-authority count,
 * 6-byte big-endian identifier authority, then little-endian uint32 sub-authorities.
 */
export function sidToBuffer(text: string): Buffer {
  const match = SID_TEXT.exec(text.trim());
  if (!match) throw new SidError(`not a SID: ${text}`);
  const authority = Number(match[1]);
  const subAuthorities = (match[2] ?? '').split('-').filter(Boolean).map(Number);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48) throw new SidError(`SID authority out of range: ${text}`);
  if (subAuthorities.length > 15 || subAuthorities.some((value) => value > 0xffffffff)) {
    throw new SidError(`SID sub-authorities out of range: ${text}`);
  }
  const buffer = Buffer.alloc(8 + 4 * subAuthorities.length);
  buffer.writeUInt8(1, 0);
  buffer.writeUInt8(subAuthorities.length, 1);
  buffer.writeUIntBE(authority, 2, 6);
  subAuthorities.forEach((value, index) => buffer.writeUInt32LE(value, 8 + 4 * index));
  return buffer;
}

/** Converts a binary SID to its `S-1-...` text form. */
export function sidToString(buffer: Buffer): string {
  const count = buffer.length >= 8 ? buffer.readUInt8(1) : -1;
  if (count < 0 || buffer.readUInt8(0) !== 1 || buffer.length !== 8 + 4 * count) {
    throw new SidError(`not a binary SID (${buffer.length} bytes)`);
  }
  const parts = [`S-1-${buffer.readUIntBE(2, 6)}`];
  for (let index = 0; index < count; index += 1) parts.push(String(buffer.readUInt32LE(8 + 4 * index)));
  return parts.join('-');
}

/** True for `S-1-...` text. */
export function isSidText(text: string): boolean {
  return SID_TEXT.test(text.trim());
}
