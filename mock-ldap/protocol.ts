import { type Attribute, Ber, BerReader, BerWriter, type Control, ProtocolOperation } from 'ldapts';

import type { LdapResult } from './ad-diagnostics.js';

/** A request the server cannot frame or decode; the connection is dropped after a notice of disconnection. */
export class ProtocolViolation extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

/** Larger messages are refused rather than buffered (AD's MaxReceiveBuffer is 10 MB). */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Splits a TCP byte stream into LDAPMessage frames: several per chunk, or one across chunks. */
export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk and returns the complete messages it finishes. Throws ProtocolViolation on garbage. */
  public push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Buffer[] = [];
    while (this.pending.length > 0) {
      if (this.pending[0] !== 0x30) throw new ProtocolViolation('expected an LDAPMessage SEQUENCE');
      const reader = new BerReader(this.pending);
      let tag: number | null;
      try {
        tag = reader.readSequence(0x30);
      } catch (error) {
        throw new ProtocolViolation((error as Error).message);
      }
      if (tag === null) break;
      if (reader.length < 0 || reader.length > MAX_MESSAGE_BYTES) throw new ProtocolViolation(`message too large (${reader.length} bytes)`);
      const total = reader.offset + reader.length;
      if (this.pending.length < total) break;
      frames.push(this.pending.subarray(0, total));
      this.pending = this.pending.subarray(total);
    }
    return frames;
  }
}

/** A request control as sent, critical flag included, unknown types kept. */
export interface RequestControl {
  type: string;
  critical: boolean;
  value: Buffer;
}

/** The envelope of one request: messageID, protocolOp tag and content, controls. */
export interface RequestEnvelope {
  messageId: number;
  tag: number;
  /** A reader over the protocolOp content only, positioned at its start. */
  body: BerReader;
  controls: RequestControl[];
}

/** Decodes `LDAPMessage ::= SEQUENCE { messageID, protocolOp, controls [0] OPTIONAL }`. */
export function openMessage(frame: Buffer): RequestEnvelope {
  try {
    const reader = new BerReader(frame);
    reader.readSequence(0x30);
    const messageId = reader.readInt();
    const tag = reader.readSequence();
    if (messageId === null || messageId < 0 || tag === null) throw new Error('truncated LDAPMessage');
    const end = reader.offset + reader.length;
    if (end > frame.length) throw new Error('protocolOp longer than the message');
    const body = new BerReader(frame.subarray(reader.offset, end));
    reader.offset = end;
    const controls: RequestControl[] = [];
    if (reader.peek() === ProtocolOperation.LDAP_CONTROLS) {
      reader.readSequence(ProtocolOperation.LDAP_CONTROLS);
      const controlsEnd = reader.offset + reader.length;
      while (reader.offset < controlsEnd) {
        reader.readSequence(0x30);
        const controlEnd = reader.offset + reader.length;
        const type = reader.readString() ?? '';
        const critical = reader.peek() === Ber.Boolean ? (reader.readBoolean() ?? false) : false;
        const value = reader.offset < controlEnd ? (reader.readString(Ber.OctetString, true) ?? Buffer.alloc(0)) : Buffer.alloc(0);
        controls.push({ type, critical, value });
        reader.offset = controlEnd;
      }
    }
    return { messageId, tag, body, controls };
  } catch (error) {
    throw new ProtocolViolation(`malformed LDAPMessage: ${(error as Error).message}`);
  }
}

/** Encodes one response message; `writeBody` writes the protocolOp content. */
function encodeMessage(messageId: number, tag: number, writeBody: (writer: BerWriter) => void, controls: readonly Control[] = []): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(tag);
  writeBody(writer);
  writer.endSequence();
  if (controls.length) {
    writer.startSequence(ProtocolOperation.LDAP_CONTROLS);
    for (const control of controls) control.write(writer);
    writer.endSequence();
  }
  writer.endSequence();
  return writer.buffer;
}

/** Encodes an LDAPResult-shaped response; `writeExtra` appends fields such as ExtendedResponse's responseName. */
export function encodeResult(
  messageId: number,
  tag: number,
  result: LdapResult,
  writeExtra?: (writer: BerWriter) => void,
  controls?: readonly Control[],
): Buffer {
  return encodeMessage(
    messageId,
    tag,
    (writer) => {
      writer.writeEnumeration(result.status);
      writer.writeString(result.matchedDN ?? '');
      writer.writeString(result.message ?? '');
      writeExtra?.(writer);
    },
    controls,
  );
}

/** Encodes a SearchResultEntry. */
export function encodeEntry(messageId: number, dn: string, attributes: readonly Attribute[]): Buffer {
  return encodeMessage(messageId, ProtocolOperation.LDAP_RES_SEARCH_ENTRY, (writer) => {
    writer.writeString(dn);
    writer.startSequence();
    for (const attribute of attributes) attribute.write(writer);
    writer.endSequence();
  });
}

/** Encodes a SearchResultReference (continuation reference). */
export function encodeReference(messageId: number, uris: readonly string[]): Buffer {
  return encodeMessage(messageId, ProtocolOperation.LDAP_RES_SEARCH_REF, (writer) => uris.forEach((uri) => writer.writeString(uri)));
}

/** RFC 4511 section 4.4.1: the unsolicited notice sent before the server drops a connection. */
export const NOTICE_OF_DISCONNECTION = '1.3.6.1.4.1.1466.20036';

/** Encodes an ExtendedResponse, optionally naming the response OID. */
export function encodeExtended(messageId: number, result: LdapResult, oid?: string, value?: string): Buffer {
  return encodeResult(messageId, ProtocolOperation.LDAP_RES_EXTENSION, result, (writer) => {
    if (oid) writer.writeString(oid, 0x8a);
    if (value !== undefined) writer.writeString(value, 0x8b);
  });
}
