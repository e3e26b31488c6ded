/**
 * The SASL GSSAPI bind (RFC 4752) on a socket of our own, before ldapts gets it: ldapts's bindSASL
 * sends its credentials as UTF-8 text in one step, which GSSAPI's binary tokens and several round
 * trips do not survive. After the token exchange comes the security-layer negotiation: the DC offers
 * layers and its largest message, we choose one and say ours.
 */
import type { Duplex } from 'node:stream';
import { BerReader, BerWriter } from 'ldapts';
import { AuthError, ConnectionError } from '../../errors.js';
import type { FrameCodec } from './sasl-stream.js';

/** What the bind needs of a Kerberos security context (GSS-API's, or SSPI's on Windows). */
export interface BindingContext extends FrameCodec {
  readonly established: boolean;
  /** Takes the server's last token (none at first) and returns the next one to send. */
  step(input: Buffer | undefined): Buffer;
}

/** RFC 4752 security layers, as bits of the first byte of the negotiation. */
export const LAYER = { none: 1, integrity: 2, confidentiality: 4 } as const;
export type Layer = keyof typeof LAYER;

const layerNames = (bits: number): string => (Object.keys(LAYER) as Layer[]).filter((name) => (bits & LAYER[name]) !== 0).join(', ') || 'nothing';

const SASL_BIND_IN_PROGRESS = 14;
const BIND_RESPONSE = 0x61;
/** Our largest incoming message: what we tell the DC it may send (RFC 4752: 3 bytes). */
const OUR_MAX_BUFFER = 0xffffff;

/** One BindRequest with SASL mechanism GSSAPI (RFC 4511 4.2), as BER. */
function bindRequest(messageId: number, credentials: Buffer): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(0x60);
  writer.writeInt(3);
  writer.writeString('');
  writer.startSequence(0xa3);
  writer.writeString('GSSAPI');
  writer.writeBuffer(credentials, 0x04);
  writer.endSequence();
  writer.endSequence();
  writer.endSequence();
  return writer.buffer;
}

interface BindResult {
  code: number;
  diagnostic: string;
  serverCredentials: Buffer | undefined;
}

/**
 * The LDAPResult (RFC 4511 4.1.9) of a response with protocol tag `tag`: its result code and diagnostic,
 * and the reader left at what follows them.
 */
export function readLdapResult(message: Buffer, tag: number, what: string): { code: number; diagnostic: string; reader: BerReader } {
  const reader = new BerReader(message);
  reader.readSequence();
  reader.readInt();
  if (reader.readSequence() !== tag) throw new ConnectionError(`the DC answered ${what} with something else`);
  const code = reader.readEnumeration() ?? -1;
  reader.readString();
  return { code, diagnostic: reader.readString() ?? '', reader };
}

function parseBindResponse(message: Buffer): BindResult {
  const { code, diagnostic, reader } = readLdapResult(message, BIND_RESPONSE, 'the bind');
  let serverCredentials: Buffer | undefined;
  while (reader.remain > 0) {
    const tag = reader.peek();
    if (tag === 0x87) serverCredentials = reader.readString(0x87, true) ?? undefined;
    else if (tag === 0xa3) reader.readSequence(0xa3);
    else break;
  }
  return { code, diagnostic, serverCredentials };
}

/** Reads whole BER messages (tag, length, value) from a stream, one at a time. */
export class MessageReader {
  private pending = Buffer.alloc(0);
  private waiting: ((error?: Error) => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: Duplex) {
    socket.on('data', this.onData);
    socket.once('error', this.onEnd);
    socket.once('close', this.onEnd);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending = Buffer.concat([this.pending, chunk]);
    this.waiting?.();
  };

  private readonly onEnd = (error?: Error): void => {
    this.failure = error instanceof Error ? error : new ConnectionError('the DC closed the connection during the Kerberos bind');
    this.waiting?.(this.failure);
  };

  private complete(): number | undefined {
    if (this.pending.length < 2) return undefined;
    const first = this.pending[1]!;
    if (first < 0x80) return this.pending.length >= 2 + first ? 2 + first : undefined;
    const bytes = first & 0x7f;
    if (this.pending.length < 2 + bytes) return undefined;
    const length = this.pending.subarray(2, 2 + bytes).reduce((n, b) => n * 256 + b, 0);
    return this.pending.length >= 2 + bytes + length ? 2 + bytes + length : undefined;
  }

  async next(timeoutMs: number): Promise<Buffer> {
    const timer = setTimeout(() => this.onEnd(new ConnectionError(`the DC did not answer the Kerberos bind within ${timeoutMs} ms`)), timeoutMs);
    try {
      return await this.read();
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(): Promise<Buffer> {
    for (;;) {
      const size = this.complete();
      if (size !== undefined) {
        const message = this.pending.subarray(0, size);
        this.pending = this.pending.subarray(size);
        return message;
      }
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        this.waiting = (error) => (error === undefined ? resolve() : reject(error));
      });
      this.waiting = undefined;
    }
  }

  /** Stops reading; what arrived after the bind (nothing, in LDAP) is handed back. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onEnd);
    this.socket.off('close', this.onEnd);
    return this.pending;
  }
}

export interface Negotiated {
  layer: Layer;
  /** The largest message the DC accepts from us. */
  maxOutgoing: number;
  /** Bytes that arrived after the bind's last response: the first frames of the security layer, if any. */
  leftover: Buffer;
}

/**
 * Binds with GSSAPI on `socket` and negotiates `want` (none inside TLS). Refuses a DC that does not
 * offer the layer asked for; throws AuthError with the DC's diagnostic when the bind is refused.
 */
export async function saslGssapiBind(
  socket: Duplex,
  context: BindingContext,
  want: Layer,
  refused: (code: number, diagnostic: string) => Error,
  timeoutMs: number,
): Promise<Negotiated> {
  const reader = new MessageReader(socket);
  try {
    let messageId = 1;
    let token = context.step(undefined);
    for (;;) {
      socket.write(bindRequest(messageId++, token));
      const result = parseBindResponse(await reader.next(timeoutMs));
      if (result.code !== SASL_BIND_IN_PROGRESS && result.code !== 0) throw refused(result.code, result.diagnostic);
      if (!context.established) {
        token = context.step(result.serverCredentials ?? Buffer.alloc(0));
        continue;
      }
      if (result.code === 0) throw new AuthError('the DC completed the GSSAPI bind without negotiating a security layer');
      // RFC 4752 3.1: the last server token wraps 4 bytes: the layers it offers and its largest message.
      const offer = context.unwrap(result.serverCredentials ?? Buffer.alloc(0)).data;
      if (offer.length !== 4) throw new AuthError(`the DC's security-layer offer is ${offer.length} bytes, not 4`);
      const offered = offer[0]!;
      if ((offered & LAYER[want]) === 0)
        throw new AuthError(`the DC does not offer the ${want} security layer (it offers ${layerNames(offered)}): use ldaps://`);
      const reply = Buffer.from([LAYER[want], (OUR_MAX_BUFFER >> 16) & 0xff, (OUR_MAX_BUFFER >> 8) & 0xff, OUR_MAX_BUFFER & 0xff]);
      socket.write(bindRequest(messageId++, context.wrap(reply, false)));
      const final = parseBindResponse(await reader.next(timeoutMs));
      if (final.code !== 0) throw refused(final.code, final.diagnostic);
      return { layer: want, maxOutgoing: offer.readUIntBE(1, 3), leftover: reader.detach() };
    }
  } finally {
    reader.detach();
  }
}
