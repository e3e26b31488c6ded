/**
 * Where samba listens: its own network namespace joined by a veth pair on a free /29 (host side .1,
 * DC01 .2, DC02 .3), or 127.0.0.1 (one DC) where namespaces cannot be made. Inside the namespace the
 * DCs answer to their names (/etc/netns/NAME/hosts) and serve the domain's DNS (/etc/netns/NAME/resolv.conf).
 */
import * as dgram from 'node:dgram';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { DC_COUNT, DC_NAMES, dcFqdn, DNS_DOMAIN, LAB_ID, NETNS, PREFIX_LENGTH, STOP_COMMAND, TCP_PORTS, UDP_PORTS, VETH_HOST, VETH_NS } from './config.js';
import { LabError, log, mustRun, run } from './process.js';
import { type LabState, saveState } from './state.js';
import { type Tools } from './packages.js';

export interface Network {
  isolation: 'netns' | 'loopback';
  /** Address DC01 binds and clients connect to. */
  address: string;
  /** smb.conf `interfaces` value of DC01. */
  interfaces: string;
  /** One per DC, DC01 first: its name, address and smb.conf `interfaces` value. */
  dcs: Array<{ name: string; address: string; interfaces: string }>;
  /** The nameservers /etc/netns/NAME/resolv.conf lists (the DCs' own DNS); none on loopback. */
  dnsServers: string[];
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** IPv4 prefixes already on the machine (addresses and routes), as [first, last] ranges. */
async function usedRanges(ip: string): Promise<Array<[number, number]>> {
  const ranges: Array<[number, number]> = [];
  const add = (addr: string, len: number): void => {
    const size = 2 ** (32 - len);
    const start = Math.floor(ipToInt(addr) / size) * size;
    ranges.push([start, start + size - 1]);
  };
  const addrs = JSON.parse((await mustRun(ip, ['-j', '-4', 'addr', 'show'], 'ip addr')).stdout || '[]') as Array<{
    addr_info?: Array<{ local?: string; prefixlen?: number }>;
  }>;
  for (const link of addrs) for (const a of link.addr_info ?? []) if (a.local) add(a.local, a.prefixlen ?? 32);
  const routes = JSON.parse((await mustRun(ip, ['-j', '-4', 'route', 'show', 'table', 'all'], 'ip route')).stdout || '[]') as Array<{
    dst?: string;
  }>;
  for (const r of routes) {
    if (!r.dst || r.dst === 'default') continue;
    const [addr, len] = r.dst.split('/');
    if (addr && /^\d+\.\d+\.\d+\.\d+$/.test(addr)) add(addr, len === undefined ? 32 : Number(len));
  }
  return ranges;
}

/** A free /29 in 10.213.0.0/16, starting at a per-checkout offset: the host side's address and one per DC. */
async function pickSubnet(ip: string, dcs: number): Promise<{ hostSide: string; dcAddresses: string[] }> {
  const used = await usedRanges(ip);
  const base = ipToInt('10.213.0.0');
  const size = 2 ** (32 - PREFIX_LENGTH);
  const blocks = 2 ** 16 / size;
  const offset = parseInt(LAB_ID.slice(0, 4), 16) % blocks;
  for (let i = 0; i < blocks; i++) {
    const start = base + ((offset + i) % blocks) * size;
    const end = start + size - 1;
    if (used.some(([a, b]) => start <= b && a <= end)) continue;
    return { hostSide: intToIp(start + 1), dcAddresses: Array.from({ length: dcs }, (_, k) => intToIp(start + 2 + k)) };
  }
  throw new LabError(`no free /${PREFIX_LENGTH} in 10.213.0.0/16 for the lab namespace`);
}

export async function namespaceExists(ip: string, name: string): Promise<boolean> {
  const r = await run(ip, ['netns', 'list']);
  return r.code === 0 && r.stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** What `ip netns exec NAME` mounts over /etc: the lab's own hosts and resolv.conf. */
const netnsEtc = (name: string): string => join('/etc/netns', name);

/** An alias that resolves to DC01 but that no SPN names: the tests' "wrong DC name". */
const UNKNOWN_ALIAS = `ldap-alias.${DNS_DOMAIN}`;

/**
 * /etc/netns/NAME/hosts and resolv.conf. Inside the namespace each DC answers to its name
 * (DC01.corp.example.com, DC01), as on a domain member, so that Kerberos tests connect by name
 * rather than by address; and the DCs' own DNS servers (Samba's internal DNS, the zone seed.py
 * writes) answer the domain's SRV records, DC01 first, then DC02: with DC01 stopped its address
 * refuses at once and the resolver asks DC02.
 */
function writeNamespaceEtc(name: string, dcs: Network['dcs']): void {
  const dir = netnsEtc(name);
  mkdirSync(dir, { recursive: true });
  const hosts = dcs.map((dc, i) => `${dc.address} ${dcFqdn(dc.name)} ${dc.name}${i === 0 ? ` ${UNKNOWN_ALIAS}` : ''}\n`).join('');
  writeFileSync(join(dir, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n${hosts}`);
  const nameservers = dcs.map((dc) => `nameserver ${dc.address}\n`).join('');
  writeFileSync(join(dir, 'resolv.conf'), `# delegaudit AD lab: the DCs' own DNS\n${nameservers}options timeout:1 attempts:2\n`);
}

export async function removeNamespace(ip: string | undefined, name: string, vethHost: string | undefined): Promise<void> {
  rmSync(netnsEtc(name), { recursive: true, force: true });
  if (!ip) return;
  if (vethHost) await run(ip, ['link', 'del', vethHost]); // absent already: fine
  if (await namespaceExists(ip, name)) await mustRun(ip, ['netns', 'del', name], `ip netns del ${name}`);
}

async function setupNamespace(ip: string, state: LabState): Promise<Network> {
  if (await namespaceExists(ip, NETNS)) {
    // Left over from an earlier lab of this checkout whose state file is gone.
    const pids = (await run(ip, ['netns', 'pids', NETNS])).stdout.trim();
    if (pids) throw new LabError(`namespace ${NETNS} still has processes (${pids.split('\n').join(', ')}); run "${STOP_COMMAND}"`);
    await removeNamespace(ip, NETNS, VETH_HOST);
  }
  const { hostSide, dcAddresses } = await pickSubnet(ip, DC_COUNT);
  await mustRun(ip, ['netns', 'add', NETNS], 'ip netns add');
  state.netns = NETNS;
  state.vethHost = VETH_HOST;
  saveState(state);
  const len = `/${PREFIX_LENGTH}`;
  const steps: string[][] = [
    ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS, 'netns', NETNS],
    ['addr', 'add', `${hostSide}${len}`, 'dev', VETH_HOST],
    ['link', 'set', VETH_HOST, 'up'],
    // Every DC's address on the namespace's end; each samba binds only its own (bind interfaces only).
    ...dcAddresses.map((a) => ['-n', NETNS, 'addr', 'add', `${a}${len}`, 'dev', VETH_NS]),
    ['-n', NETNS, 'link', 'set', VETH_NS, 'up'],
    ['-n', NETNS, 'link', 'set', 'lo', 'up'],
  ];
  for (const args of steps) await mustRun(ip, args, `ip ${args.join(' ')}`);
  const dcs = dcAddresses.map((address, i) => ({ name: DC_NAMES[i] ?? `DC${i + 1}`, address, interfaces: `${address}${len}` }));
  writeNamespaceEtc(NETNS, dcs);
  log(`network namespace ${NETNS}: host ${hostSide}${len} <-> ${dcs.map((dc) => `${dc.name} ${dc.address}`).join(', ')}`);
  const first = dcs[0]!;
  return { isolation: 'netns', address: first.address, interfaces: first.interfaces, dcs, dnsServers: dcs.map((dc) => dc.address) };
}

export function portFree(port: number, udp: boolean): Promise<boolean> {
  return new Promise((resolvePromise) => {
    if (udp) {
      const sock = dgram.createSocket('udp4');
      sock.once('error', () => resolvePromise(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolvePromise(true)));
    } else {
      const srv = net.createServer();
      srv.once('error', () => resolvePromise(false));
      srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolvePromise(true)));
    }
  });
}

async function setupLoopback(): Promise<Network> {
  const taken: string[] = [];
  for (const p of TCP_PORTS) if (!(await portFree(p, false))) taken.push(`${p}/tcp`);
  for (const p of UDP_PORTS) if (!(await portFree(p, true))) taken.push(`${p}/udp`);
  if (taken.length > 0) {
    throw new LabError(
      `loopback mode: 127.0.0.1 ports ${taken.join(', ')} are already in use (see "ss -ltnup"); ` +
        `samba's AD DC cannot move them. Free them, or run as root where network namespaces work.`,
    );
  }
  if (DC_COUNT > 1) log('loopback mode runs one DC (DC01): two cannot share 127.0.0.1');
  return {
    isolation: 'loopback',
    address: '127.0.0.1',
    interfaces: '127.0.0.1',
    dcs: [{ name: DC_NAMES[0], address: '127.0.0.1', interfaces: '127.0.0.1' }],
    dnsServers: [],
  };
}

export async function setupNetwork(tools: Tools, state: LabState): Promise<Network> {
  const forced = process.env['AD_LAB_ISOLATION'];
  if (forced !== undefined && forced !== 'netns' && forced !== 'loopback') {
    throw new LabError(`AD_LAB_ISOLATION must be "netns" or "loopback", not "${forced}"`);
  }
  if (forced !== 'loopback') {
    if (tools.ip) {
      try {
        return await setupNamespace(tools.ip, state);
      } catch (err) {
        if (forced === 'netns') throw err;
        log(`cannot use a network namespace (${(err as Error).message}); falling back to 127.0.0.1`);
        await removeNamespace(tools.ip, NETNS, VETH_HOST);
        delete state.netns;
        delete state.vethHost;
        saveState(state);
      }
    } else if (forced === 'netns') {
      throw new LabError('AD_LAB_ISOLATION=netns needs the ip command (iproute2)');
    }
  }
  return setupLoopback();
}
