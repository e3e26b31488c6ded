import { expect } from 'chai';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { BerReader, BerWriter } from 'ldapts';
import { type BindingContext, saslGssapiBind } from '../../../src/ldap/kerberos/sasl-bind.js';

/**
 * A stand-in for a GSS-API context: one token out (T1), one server token in (S1), then established;
 * wrap and unwrap put a marker byte (S sealed, I signed) before the data.
 */
function fakeContext(): BindingContext & { tokensSeen: Buffer[] } {
  let established = false;
  const tokensSeen: Buffer[] = [];
  return {
    tokensSeen,
    get established() {
      return established;
    },
    step(input) {
      if (input === undefined) return Buffer.from('T1');
      tokensSeen.push(input);
      established = true;
      return Buffer.alloc(0);
    },
    wrap: (data, confidential) => Buffer.concat([Buffer.from(confidential ? 'S' : 'I'), data]),
    unwrap: (token) => ({ data: token.subarray(1), confidential: token[0] === 'S'.charCodeAt(0) }),
  };
}

function bindResponse(messageId: number, code: number, credentials?: Buffer, diagnostic = ''): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(0x61);
  writer.writeEnumeration(code);
  writer.writeString('');
  writer.writeString(diagnostic);
  if (credentials !== undefined) writer.writeBuffer(credentials, 0x87);
  writer.endSequence();
  writer.endSequence();
  return writer.buffer;
}

/** The SASL credentials of a BindRequest the client sent. */
function credentialsOf(message: Buffer): Buffer {
  const reader = new BerReader(message);
  reader.readSequence();
  reader.readInt();
  reader.readSequence(0x60);
  reader.readInt();
  reader.readString();
  reader.readSequence(0xa3);
  expect(reader.readString()).to.equal('GSSAPI');
  return reader.readString(0x04, true) ?? Buffer.alloc(0);
}

const offer = (layers: number, maxBuffer: number): Buffer =>
  Buffer.concat([Buffer.from('I'), Buffer.from([layers, maxBuffer >> 16, (maxBuffer >> 8) & 0xff, maxBuffer & 0xff])]);

describe('SASL GSSAPI bind and security-layer negotiation (RFC 4752), against a local fake DC', () => {
  let server: Server;
  let client: Socket;
  const requests: Buffer[] = [];
  const sockets: Socket[] = [];

  /** A server that answers the n-th bind request with answers[n] (each a list of chunks written separately). */
  async function serve(answers: Buffer[][]): Promise<void> {
    requests.length = 0;
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (d: Buffer) => {
        requests.push(d);
        for (const chunk of answers[requests.length - 1] ?? []) socket.write(chunk);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
  }
  afterEach(async () => {
    client.destroy();
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const refused = (code: number, diagnostic: string): Error => new Error(`refused ${code}: ${diagnostic}`);

  it('exchanges tokens, picks the layer asked for, says our largest message, and hands back bytes that came after the bind', async () => {
    const final = bindResponse(3, 0);
    const afterBind = Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5]);
    // The last response arrives split in two reads, its tail in the same read as the first security-layer frame.
    await serve([
      [bindResponse(1, 14, Buffer.from('S1'))],
      [bindResponse(2, 14, offer(0x07, 4096))],
      [final.subarray(0, 3), Buffer.concat([final.subarray(3), afterBind])],
    ]);
    const context = fakeContext();
    const negotiated = await saslGssapiBind(client, context, 'integrity', refused, 5000);
    // What arrives later goes to whoever reads the socket next (the security layer): collect it as that would.
    const later: Buffer[] = [];
    client.on('data', (d: Buffer) => later.push(d));
    expect(negotiated.layer).to.equal('integrity');
    expect(negotiated.maxOutgoing).to.equal(4096);
    expect(context.tokensSeen.map(String)).to.deep.equal(['S1']);
    expect(requests.map(credentialsOf).map((c) => c.toString('latin1'))).to.deep.equal(['T1', '', 'I\x02\xff\xff\xff']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat([negotiated.leftover, ...later])).to.deep.equal(afterBind);
  });

  it('asks for confidentiality when sealing', async () => {
    await serve([[bindResponse(1, 14, Buffer.from('S1'))], [bindResponse(2, 14, offer(0x06, 65536))], [bindResponse(3, 0)]]);
    await saslGssapiBind(client, fakeContext(), 'confidentiality', refused, 5000);
    expect(credentialsOf(requests[2]!)[1]).to.equal(0x04);
  });

  it('refuses a DC that offers no security layer on plain LDAP (it would leave the connection unprotected)', async () => {
    await serve([[bindResponse(1, 14, Buffer.from('S1'))], [bindResponse(2, 14, offer(0x01, 0))]]);
    const error = await saslGssapiBind(client, fakeContext(), 'integrity', refused, 5000).catch((e: unknown) => e as Error);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.equal('the DC does not offer the integrity security layer (it offers none): use ldaps://');
    expect(requests).to.have.length(2);
  });

  it('refuses a bind that completes without negotiating a layer', async () => {
    await serve([[bindResponse(1, 14, Buffer.from('S1'))], [bindResponse(2, 0)]]);
    const error = await saslGssapiBind(client, fakeContext(), 'integrity', refused, 5000).catch((e: unknown) => e as Error);
    expect((error as Error).message).to.equal('the DC completed the GSSAPI bind without negotiating a security layer');
  });

  it("passes the DC's refusal (code and diagnostic) to the caller's wording", async () => {
    await serve([[bindResponse(1, 49, undefined, '80090346: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data 80090346, v4563')]]);
    const error = await saslGssapiBind(client, fakeContext(), 'integrity', refused, 5000).catch((e: unknown) => e as Error);
    expect((error as Error).message).to.match(/^refused 49: 80090346/);
  });

  it('says when the DC does not answer within the timeout', async () => {
    await serve([]);
    const error = await saslGssapiBind(client, fakeContext(), 'integrity', refused, 200).catch((e: unknown) => e as Error);
    expect((error as Error).message).to.equal('the DC did not answer the Kerberos bind within 200 ms');
  });
});
