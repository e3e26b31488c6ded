import { expect } from 'chai';
import { ConfigError } from '../../src/errors.js';
import { parsePort, parseResolve, probeHosts, type ProbeTarget } from '../../src/probe/probe-hosts.js';
import { closedPort, listener, silentPort } from '../helpers/listeners.js';

const target = (host: string, name = `${host}.corp.example.com`): ProbeTarget => ({
  host: `${host}$`,
  dn: `CN=${host},OU=Hyper-V,DC=corp,DC=example,DC=com`,
  target: name,
  aliases: [host],
});

describe('probe: TCP connections to the live-migration port', () => {
  it('tells open, refused, timed out and unresolvable apart', async () => {
    const open = await listener();
    const closed = await closedPort();
    const silent = await silentPort();
    try {
      const report = await probeHosts([target('HV01'), target('HV02'), target('HV03'), target('HV04', 'hv04.delegaudit-test.invalid')], {
        timeoutMs: 700,
        resolve: new Map([
          ['hv01.corp.example.com', { address: '127.0.0.1', port: open.port }],
          ['hv02', { address: '127.0.0.1', port: closed }],
          ['hv03.corp.example.com', { address: '127.0.0.1', port: silent.port }],
        ]),
      });
      expect(report.results.map((r) => [r.host, r.status, r.address])).to.deep.equal([
        ['HV01$', 'open', '127.0.0.1'],
        ['HV02$', 'refused', '127.0.0.1'],
        ['HV03$', 'timeout', '127.0.0.1'],
        ['HV04$', 'unresolvable', null],
      ]);
      expect(report.results[0]!.detail).to.equal(null);
      expect(report.results[1]!.detail).to.equal('ECONNREFUSED');
      expect(report.results[2]!.detail).to.equal('no answer within 700 ms');
      expect(report.results[3]!.detail).to.be.a('string').and.not.equal('');
      expect(report.results.map((r) => r.port)).to.deep.equal([open.port, closed, silent.port, 6600]);
      expect(report).to.include({ port: 6600, timeoutMs: 700 });
      expect(await open.accepted(1)).to.equal(1);
    } finally {
      await Promise.all([open.close(), silent.close()]);
    }
  });

  it('uses --port for every host without its own port', async () => {
    const open = await listener();
    try {
      const report = await probeHosts([target('HV01'), target('HV02')], {
        port: open.port,
        resolve: new Map([
          ['hv01', { address: '127.0.0.1' }],
          ['hv02', { address: '127.0.0.1' }],
        ]),
      });
      expect(report.results.map((r) => [r.status, r.port])).to.deep.equal([
        ['open', open.port],
        ['open', open.port],
      ]);
      expect(await open.accepted(2)).to.equal(2);
    } finally {
      await open.close();
    }
  });

  it('keeps at most --probe-concurrency connections in flight', async function () {
    this.timeout(20000);
    const silent = await silentPort();
    try {
      const hosts = ['HV01', 'HV02', 'HV03', 'HV04'].map((h) => target(h));
      const resolve = new Map(hosts.map((h) => [h.target.toLowerCase(), { address: '127.0.0.1', port: silent.port }]));
      const timed = async (concurrency: number): Promise<number> => {
        const start = Date.now();
        const report = await probeHosts(hosts, { timeoutMs: 400, concurrency, resolve });
        expect(report.results.every((r) => r.status === 'timeout')).to.equal(true);
        return Date.now() - start;
      };
      // Four silent hosts at 400 ms each: one at a time takes four timeouts, two at a time two, four at a time one.
      expect(await timed(1)).to.be.within(1550, 3000);
      expect(await timed(2)).to.be.within(750, 1500);
      expect(await timed(4)).to.be.within(350, 750);
    } finally {
      await silent.close();
    }
  });

  it('sorts results by host name whatever order they finish in', async () => {
    const closed = await closedPort();
    const resolve = new Map(['b', 'a', 'c'].map((h) => [h, { address: '127.0.0.1', port: closed }]));
    const report = await probeHosts([target('c', 'c'), target('a', 'a'), target('b', 'b')], { resolve });
    expect(report.results.map((r) => r.host)).to.deep.equal(['a$', 'b$', 'c$']);
  });
});

describe('probe options', () => {
  const valid: Array<[string, [string, { address: string; port?: number }]]> = [
    ['HV01.corp.example.com=127.0.0.1', ['hv01.corp.example.com', { address: '127.0.0.1' }]],
    ['HV01=127.0.0.1:16600', ['hv01', { address: '127.0.0.1', port: 16600 }]],
    ['hv01.corp.example.com.=::1', ['hv01.corp.example.com', { address: '::1' }]],
    ['hv01=[::1]:6601', ['hv01', { address: '::1', port: 6601 }]],
  ];
  for (const [text, expected] of valid) {
    it(`parses --resolve ${text}`, () => {
      expect(parseResolve(text)).to.deep.equal(expected);
    });
  }
  for (const text of ['HV01', '=127.0.0.1', 'HV01=', 'HV01=hv01.example.com', 'HV01=127.0.0.1:0', 'HV01=127.0.0.1:70000', 'HV01=300.1.1.1', 'HV01=[::1]:x']) {
    it(`refuses --resolve ${JSON.stringify(text)}`, () => {
      expect(() => parseResolve(text)).to.throw(ConfigError, /--resolve/);
    });
  }
  it('accepts ports 1 to 65535 only', () => {
    expect(parsePort('6600')).to.equal(6600);
    expect(parsePort('1')).to.equal(1);
    expect(parsePort('65535')).to.equal(65535);
    for (const bad of ['0', '65536', '-1', '66a', '', '6600.5']) expect(() => parsePort(bad), bad).to.throw(ConfigError, /--port takes a TCP port/);
  });
});
