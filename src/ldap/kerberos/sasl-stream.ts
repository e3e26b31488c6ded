/**
 * The connection after a SASL bind with a security layer, as ldapts sees it: a Duplex that sends each
 * write as 4-byte length + wrap token (split under the DC's largest message) and gives back the
 * unwrapped data of every frame, however the frames arrive (split across reads, several in one).
 */
import { Duplex } from 'node:stream';
import { ConnectionError } from '../../errors.js';

export interface FrameCodec {
  wrap(data: Buffer, confidential: boolean): Buffer;
  unwrap(token: Buffer): { data: Buffer; confidential: boolean };
}

export interface SaslStreamOptions {
  /** Seal outgoing data, and refuse incoming frames that are not sealed. */
  confidential: boolean;
  /** The largest frame the DC accepts (from the negotiation); writes are split below it. */
  maxOutgoing: number;
  /** Bytes that arrived on the socket after the bind and belong to the layer. Default: none. */
  pending?: Buffer;
}

/** Room for the wrap token's own header and checksum inside a frame. */
const WRAP_OVERHEAD = 1024;

export class SaslStream extends Duplex {
  /** ldapts treats a socket that is not `connecting` and `open` as connected already. */
  readonly connecting = false;
  readonly readyState = 'open';
  private received: Buffer;

  constructor(
    private readonly socket: Duplex,
    private readonly codec: FrameCodec,
    private readonly options: SaslStreamOptions,
  ) {
    super();
    this.received = options.pending ?? Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.once('end', () => this.push(null));
    socket.once('close', () => this.destroy());
    socket.on('error', (error: Error) => this.destroy(error));
    if (this.received.length > 0) queueMicrotask(() => this.onData(Buffer.alloc(0)));
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    while (this.received.length >= 4) {
      const length = this.received.readUInt32BE(0);
      if (this.received.length < 4 + length) return;
      const token = this.received.subarray(4, 4 + length);
      this.received = this.received.subarray(4 + length);
      try {
        const { data, confidential } = this.codec.unwrap(token);
        if (this.options.confidential && !confidential)
          throw new ConnectionError('the DC sent a message that was not sealed on a sealed connection: closing it');
        this.push(data);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
    }
  }

  override _read(): void {
    // Data is pushed as frames arrive.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      const room = Math.max(1, this.options.maxOutgoing - WRAP_OVERHEAD);
      for (let offset = 0; offset < chunk.length; offset += room) {
        const token = this.codec.wrap(chunk.subarray(offset, offset + room), this.options.confidential);
        const header = Buffer.alloc(4);
        header.writeUInt32BE(token.length, 0);
        this.socket.write(Buffer.concat([header, token]));
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
