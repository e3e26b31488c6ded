import net from 'node:net';

import { expect } from 'chai';
import {
  Attribute,
  BindRequest,
  Change,
  Control,
  ExtendedResponse,
  type BindResponse,
  Client,
  MessageParser,
  PresenceFilter,
  SearchEntry,
  SearchRequest,
  SearchResponse,
  UnavailableCriticalExtensionError,
} from 'ldapts';

import type { MockLdap } from '../../mock-ldap/index.js';
import { ADMIN, boundClient, dn, DOMAIN, rejection, startLab, tlsOptions } from './helpers.js';

/** The responses these tests expect (ldapts does not export its MessageResponse base class). */
type Response = BindResponse | SearchEntry | SearchResponse | ExtendedResponse;

/** A raw TCP connection that collects decoded LDAP responses. */
class RawConnection {
  public readonly messages: Response[] = [];
  public readonly closed: Promise<void>;
  private readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const parser = new MessageParser();
    parser.on('message', (message) => this.messages.push(message));
    socket.on('data', (data: Buffer) => parser.read(data, new Map()));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  public static async open(port: number): Promise<RawConnection> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawConnection(socket);
  }

  public write(data: Buffer): void {
    this.socket.write(data);
  }

  public async waitFor(count: number): Promise<Response[]> {
    for (let waited = 0; this.messages.length < count; waited += 10) {
      if (waited > 5000) throw new Error(`got ${this.messages.length} of ${count} messages`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.messages;
  }

  public destroy(): void {
    this.socket.destroy();
  }
}

const rootDseRequest = (messageId: number): Buffer =>
  new SearchRequest({ messageId, baseDN: '', scope: 'base', filter: new PresenceFilter({ attribute: 'objectClass' }), attributes: ['dnsHostName'] }).write();

describe('mock-ldap protocol handling', () => {
  let mock: MockLdap;
  let raw: RawConnection | undefined;

  beforeEach(async () => {
    mock = await startLab();
  });
  afterEach(async () => {
    raw?.destroy();
    raw = undefined;
    await mock.close();
  });

  it('handles several messages in one TCP chunk', async () => {
    raw = await RawConnection.open(mock.port);
    raw.write(Buffer.concat([new BindRequest({ messageId: 1 }).write(), rootDseRequest(2), rootDseRequest(3)]));
    const messages = await raw.waitFor(5);
    expect(messages.map((message) => [message.constructor.name, message.messageId])).to.deep.equal([
      ['BindResponse', 1],
      ['SearchEntry', 2],
      ['SearchResponse', 2],
      ['SearchEntry', 3],
      ['SearchResponse', 3],
    ]);
    expect((messages[1] as SearchEntry).attributes[0]?.values).to.deep.equal(['dc01.corp.example.com']);
  });

  it('handles a message split across chunks', async () => {
    raw = await RawConnection.open(mock.port);
    const request = rootDseRequest(7);
    for (const [start, end] of [
      [0, 1],
      [1, 2],
      [2, 10],
      [10, request.length],
    ] as const) {
      raw.write(request.subarray(start, end));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const messages = await raw.waitFor(2);
    expect(messages[1]).to.be.instanceOf(SearchResponse);
    expect(messages[1]?.status).to.equal(0);
  });

  const malformed: Array<[string, Buffer]> = [
    ['bytes that are not BER', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['a truncated modify request', Buffer.from('3006020105660100', 'hex')],
    ['an unknown protocol operation', Buffer.from('3005020109' + '7f00', 'hex')],
    ['a length beyond any sane message', Buffer.from('3084ffffffff', 'hex')],
  ];
  for (const [what, bytes] of malformed) {
    it(`drops the connection after a notice of disconnection for ${what}, and keeps serving others`, async () => {
      raw = await RawConnection.open(mock.port);
      raw.write(bytes);
      await raw.closed;
      const [notice] = raw.messages;
      expect(notice).to.be.instanceOf(ExtendedResponse);
      expect(notice?.messageId).to.equal(0);
      expect(notice?.status).to.equal(2);
      expect((notice as ExtendedResponse).oid).to.equal('1.3.6.1.4.1.1466.20036');
      const client = await boundClient(mock);
      expect((await client.search(DOMAIN, { scope: 'base' })).searchEntries).to.have.length(1);
      await client.unbind();
    });
  }

  it('answers a malformed search with protocolError without dropping the connection', async () => {
    raw = await RawConnection.open(mock.port);
    raw.write(Buffer.concat([Buffer.from('30050201036300', 'hex'), rootDseRequest(4)]));
    const messages = await raw.waitFor(3);
    expect([messages[0]?.messageId, messages[0]?.status]).to.deep.equal([3, 2]);
    expect(messages[2]).to.be.instanceOf(SearchResponse);
  });

  it('refuses unknown critical controls with unavailableCriticalExtension and ignores non-critical ones', async () => {
    const client = await boundClient(mock);
    try {
      const error = await rejection(() => client.search(DOMAIN, { scope: 'base' }, new Control('1.2.3.4.5', { critical: true })));
      expect(error).to.be.instanceOf(UnavailableCriticalExtensionError);
      const result = await client.search(DOMAIN, { scope: 'base' }, [new Control('1.2.3.4.5'), new Control('1.2.840.113556.1.4.801', { critical: true })]);
      expect(result.searchEntries).to.have.length(1);
    } finally {
      await client.unbind();
    }
  });

  it('counts every request in stats and logs searches as sent', async () => {
    mock.resetStats();
    const client = await boundClient(mock);
    await client.search(DOMAIN, {
      scope: 'sub',
      filter: '(&(objectClass=computer)(msDS-AllowedToDelegateTo=*))',
      attributes: ['sAMAccountName', 'msDS-AllowedToDelegateTo'],
    });
    await client.search('', { scope: 'base' });
    await client.modify(dn.hv03, [new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['x'] }) })]);
    await client.add(`CN=tmp,${DOMAIN}`, { objectClass: 'container' });
    await client.del(`CN=tmp,${DOMAIN}`);
    await client.compare(dn.hv03, 'cn', 'HV03');
    await client.exop('1.3.6.1.4.1.4203.1.11.3');
    await client.unbind();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { searchLog, ...counters } = mock.stats;
    expect(counters).to.deep.equal({ binds: 1, searches: 2, modifies: 1, adds: 1, deletes: 1, compares: 1, extended: 1, total: 9 });
    expect(searchLog).to.deep.equal([
      {
        baseDN: DOMAIN,
        scope: 'sub',
        filter: '(&(objectClass=computer)(msDS-AllowedToDelegateTo=*))',
        attributes: ['sAMAccountName', 'msDS-AllowedToDelegateTo'],
      },
      { baseDN: '', scope: 'base', filter: '(objectclass=*)', attributes: [] },
    ]);
    mock.resetStats();
    expect(mock.stats.total).to.equal(0);
    expect(mock.stats.searchLog).to.deep.equal([]);
  });

  it('close() destroys open connections and stops listening', async () => {
    raw = await RawConnection.open(mock.port);
    const ldapsClient = await boundClient(mock, ADMIN);
    const startTlsClient = new Client({ url: mock.url });
    await startTlsClient.startTLS(tlsOptions(mock));
    await startTlsClient.bind(ADMIN.dn, ADMIN.password);
    await mock.close();
    await raw.closed;
    for (let waited = 0; ldapsClient.isConnected && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ldapsClient.isConnected).to.equal(false);
    // ldapts keeps isConnected true after StartTLS (it watches the pre-TLS socket), so probe the connection instead.
    const probe = await rejection(() => startTlsClient.search(DOMAIN, { scope: 'base' }));
    expect(probe.message).to.match(/closed|socket|ECONNRESET|EPIPE|write after end/i);
    const refused = await rejection(() => RawConnection.open(mock.port));
    expect((refused as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
    const refusedTls = await rejection(() => RawConnection.open(mock.tlsPort ?? 0));
    expect((refusedTls as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
    mock = await startLab(); // for afterEach
  });
});
