/**
 * Security identifiers: AD serves objectSid as binary (MS-DTYP 2.4.2.2); people and rules use the
 * S-1-5-21-… text form.
 */

const SID_TEXT = /^S-1-(\d+)((?:-\d+)*)$/i;

/** Decodes a binary SID. Throws RangeError on a malformed buffer. */
export function sidToString(buffer: Uint8Array): string {
  if (buffer.length < 8) {
    throw new RangeError(`SID too short: ${buffer.length} bytes`);
  }
  const revision = buffer[0]!;
  const count = buffer[1]!;
  if (buffer.length !== 8 + count * 4) {
    throw new RangeError(`SID length ${buffer.length} does not match its ${count} sub-authorities`);
  }
  let authority = 0;
  for (let i = 2; i < 8; i += 1) {
    authority = authority * 256 + buffer[i]!;
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i += 1) {
    parts.push(String(view.getUint32(8 + i * 4, true)));
  }
  return parts.join('-');
}

/** Encodes an S-1-… string. Throws RangeError when it is not a SID. */
export function sidToBuffer(text: string): Buffer {
  const match = SID_TEXT.exec(text.trim());
  if (!match) {
    throw new RangeError(`not a SID: ${JSON.stringify(text)}`);
  }
  const authority = Number(match[1]);
  const subs = match[2] ? match[2].slice(1).split('-').map(Number) : [];
  if (subs.length > 15 || !Number.isSafeInteger(authority) || authority >= 2 ** 48 || subs.some((s) => s > 0xffffffff)) {
    throw new RangeError(`not a SID: ${JSON.stringify(text)}`);
  }
  const buffer = Buffer.alloc(8 + subs.length * 4);
  buffer[0] = 1;
  buffer[1] = subs.length;
  buffer.writeUIntBE(authority, 2, 6);
  subs.forEach((sub, i) => buffer.writeUInt32LE(sub, 8 + i * 4));
  return buffer;
}

export function isSid(text: string): boolean {
  try {
    sidToBuffer(text);
    return true;
  } catch {
    return false;
  }
}

/** The relative identifier (last sub-authority), or undefined for a SID with none. */
export function ridOf(sid: string): number | undefined {
  // More than three parts (S-1-authority-…): the last one. Without splitting: ridOf runs per delegation row.
  let dashes = 0;
  for (let i = sid.indexOf('-'); i !== -1 && dashes < 3; i = sid.indexOf('-', i + 1)) dashes += 1;
  return dashes >= 3 ? Number(sid.slice(sid.lastIndexOf('-') + 1)) : undefined;
}

/** The SID without its RID: the domain SID for a domain account. */
export function domainOf(sid: string): string {
  return sid.slice(0, sid.lastIndexOf('-'));
}
