import { expect } from 'chai';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { type FrameCodec, SaslStream } from '../../../src/ldap/kerberos/sasl-stream.js';

/** A stand-in for gss_wrap/gss_unwrap: a marker byte (S sealed, I signed) before the data, reversible and checkable. */
const codec: FrameCodec = {
  wrap: (data, confidential) => Buffer.concat([Buffer.from(confidential ? 'S' : 'I'), data]),
  unwrap: (token) => ({ data: token.subarray(1), confidential: token[0] === 'S'.charCodeAt(0) }),
};

const frame = (token: Buffer): Buffer => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(token.length, 0);
  return Buffer.concat([header, token]);
};

describe('SASL security layer framing (RFC 4752 / RFC 4422)', () => {
  let server: Server;
  let peer: Promise<Socket>;
  let client: Socket;
  const received: Buffer[] = [];

  beforeEach(async () => {
    received.length = 0;
    let accept: (socket: Socket) => void = () => undefined;
    peer = new Promise((resolve) => (accept = resolve));
    server = createServer((socket) => {
      socket.on('data', (d: Buffer) => received.push(d));
      accept(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
  });
  afterEach(async () => {
    client.destroy();
    (await peer).destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const reads = (stream: SaslStream, count: number): Promise<Buffer[]> =>
    new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      stream.on('data', (d: Buffer) => {
        out.push(d);
        if (out.length === count) resolve(out);
      });
      stream.once('error', reject);
    });

  it('unwraps a frame split across reads, and several frames arriving in one read', async () => {
    const stream = new SaslStream(client, codec, { confidential: false, maxOutgoing: 65_536 });
    const got = reads(stream, 3);
    const socket = await peer;
    const one = frame(codec.wrap(Buffer.from('first message'), false));
    socket.write(one.subarray(0, 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(one.subarray(3, 9));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(Buffer.concat([one.subarray(9), frame(codec.wrap(Buffer.from('second'), false)), frame(codec.wrap(Buffer.from('third'), false))]));
    expect((await got).map((b) => b.toString())).to.deep.equal(['first message', 'second', 'third']);
  });

  it('sends each write as length + wrap token, split below the largest message the DC accepts', async () => {
    const stream = new SaslStream(client, codec, { confidential: true, maxOutgoing: 1024 + 100 });
    const payload = Buffer.alloc(250, 0x61);
    await new Promise<void>((resolve, reject) => stream.write(payload, (error) => (error ? reject(error) : resolve())));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const bytes = Buffer.concat(received);
    const frames: Buffer[] = [];
    for (let offset = 0; offset < bytes.length;) {
      const length = bytes.readUInt32BE(offset);
      frames.push(bytes.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    expect(frames.map((f) => f.length)).to.deep.equal([101, 101, 51]);
    expect(frames.every((f) => f[0] === 'S'.charCodeAt(0))).to.equal(true);
    expect(Buffer.concat(frames.map((f) => f.subarray(1)))).to.deep.equal(payload);
  });

  it('refuses a frame that is not sealed on a sealed connection', async () => {
    const stream = new SaslStream(client, codec, { confidential: true, maxOutgoing: 65_536 });
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    (await peer).write(frame(codec.wrap(Buffer.from('sneaky plain text'), false)));
    expect((await failed).message).to.contain('not sealed on a sealed connection');
  });

  it('tells ldapts it is connected already (not connecting, open)', () => {
    const stream = new SaslStream(client, codec, { confidential: false, maxOutgoing: 65_536 });
    expect(stream.connecting).to.equal(false);
    expect(stream.readyState).to.equal('open');
  });
});
