/**
 * Where samba listens: its own network namespace joined by a veth pair on a free /30, or
 * 127.0.0.1 where namespaces cannot be made.
 */
import * as dgram from 'node:dgram';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { DNS_DOMAIN, HOST_NAME, LAB_ID, NETNS, STOP_COMMAND, TCP_PORTS, UDP_PORTS, VETH_HOST, VETH_NS } from './config.js';
import { LabError, log, mustRun, run } from './process.js';
import { type LabState, saveState } from './state.js';
import { type Tools } from './packages.js';

export interface Network {
  isolation: 'netns' | 'loopback';
  /** Address samba binds and clients connect to. */
  address: string;
  /** smb.conf `interfaces` value. */
  interfaces: string;
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

/** A free /30 in 10.213.0.0/16, starting at a per-checkout offset. */
async function pickSubnet(ip: string): Promise<{ hostSide: string; nsSide: string }> {
  const used = await usedRanges(ip);
  const base = ipToInt('10.213.0.0');
  const blocks = 2 ** 14;
  const offset = parseInt(LAB_ID.slice(0, 4), 16) % blocks;
  for (let i = 0; i < blocks; i++) {
    const start = base + ((offset + i) % blocks) * 4;
    const end = start + 3;
    if (used.some(([a, b]) => start <= b && a <= end)) continue;
    return { hostSide: intToIp(start + 1), nsSide: intToIp(start + 2) };
  }
  throw new LabError('no free /30 in 10.213.0.0/16 for the lab namespace');
}

export async function namespaceExists(ip: string, name: string): Promise<boolean> {
  const r = await run(ip, ['netns', 'list']);
  return r.code === 0 && r.stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** What `ip netns exec NAME` mounts over /etc: the lab's own hosts file (and, later, resolv.conf). */
const netnsEtc = (name: string): string => join('/etc/netns', name);

/** An alias that resolves to the DC but that no SPN names: the tests' "wrong DC name". */
const UNKNOWN_ALIAS = `ldap-alias.${DNS_DOMAIN}`;

/**
 * /etc/netns/NAME/hosts: inside the namespace the DC answers to its name (DC01.corp.example.com, DC01), as
 * on a domain member, so that Kerberos tests connect by name rather than by address.
 */
function writeNamespaceHosts(name: string, address: string): void {
  const dir = netnsEtc(name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n${address} ${HOST_NAME}.${DNS_DOMAIN} ${HOST_NAME} ${UNKNOWN_ALIAS}\n`);
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
  const { hostSide, nsSide } = await pickSubnet(ip);
  await mustRun(ip, ['netns', 'add', NETNS], 'ip netns add');
  state.netns = NETNS;
  state.vethHost = VETH_HOST;
  saveState(state);
  const steps: string[][] = [
    ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS, 'netns', NETNS],
    ['addr', 'add', `${hostSide}/30`, 'dev', VETH_HOST],
    ['link', 'set', VETH_HOST, 'up'],
    ['-n', NETNS, 'addr', 'add', `${nsSide}/30`, 'dev', VETH_NS],
    ['-n', NETNS, 'link', 'set', VETH_NS, 'up'],
    ['-n', NETNS, 'link', 'set', 'lo', 'up'],
  ];
  for (const args of steps) await mustRun(ip, args, `ip ${args.join(' ')}`);
  writeNamespaceHosts(NETNS, nsSide);
  log(`network namespace ${NETNS}: host ${hostSide}/30 <-> samba ${nsSide}/30`);
  return { isolation: 'netns', address: nsSide, interfaces: `${nsSide}/30` };
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
  return { isolation: 'loopback', address: '127.0.0.1', interfaces: '127.0.0.1' };
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
