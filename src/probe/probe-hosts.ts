/**
 * The probe: a TCP connection to each Hyper-V host's live-migration port, with a timeout and a bounded
 * number of connections in flight. It runs before the rules (HV011 reads its results from the model), so
 * no rule ever touches the network. Nothing is sent beyond the TCP handshake.
 */
import { lookup } from 'node:dns/promises';
import { connect, isIP } from 'node:net';
import { shortName } from '../directory/account.js';
import type { AuditModel } from '../directory/audit-model.js';
import { ConfigError } from '../errors.js';
import { LIVE_MIGRATION_PORT, type ProbeReport, type ProbeResult, type ProbeStatus } from '../directory/probe-result.js';

/** Where `--resolve NAME=ADDRESS[:PORT]` sends a name. */
export interface ResolveOverride {
  address: string;
  /** Replaces the probe's port for this name (tests, port forwards). Default: the probe's port. */
  port?: number;
}

export interface ProbeOptions {
  /** The TCP port to try. Default 6600 (VMMS's live-migration listener). */
  port?: number;
  /** Milliseconds allowed for name resolution, and again for the TCP handshake. Default 3000. */
  timeoutMs?: number;
  /** Connection attempts in flight at once. Default 16. */
  concurrency?: number;
  /** Name → address overrides, like curl's --resolve; keys are lower-case short names or DNS names. Default: none. */
  resolve?: ReadonlyMap<string, ResolveOverride>;
}

/** One host to probe. */
export interface ProbeTarget {
  host: string;
  dn: string;
  /** The DNS name to resolve and connect to. */
  target: string;
  /** Other names the host answers to (its short name), for `resolve` overrides. Default: none. */
  aliases?: string[];
}

export const PROBE_DEFAULTS = { port: LIVE_MIGRATION_PORT, timeoutMs: 3000, concurrency: 16 } as const;

const PORT_TEXT = /^\d{1,5}$/;

/** Parses a TCP port number; `flag` names the option in the error. */
export function parsePort(text: string, flag = '--port'): number {
  const port = Number(text);
  if (!PORT_TEXT.test(text.trim()) || port < 1 || port > 65535) throw new ConfigError(`${flag} takes a TCP port from 1 to 65535, not ${JSON.stringify(text)}`);
  return port;
}

/**
 * Parses `NAME=ADDRESS`, `NAME=ADDRESS:PORT` or `NAME=[IPv6]:PORT` (curl's --resolve, with `=`). The
 * address must be an IP address: an override that needed DNS would defeat its purpose.
 */
export function parseResolve(text: string): [string, ResolveOverride] {
  const at = text.indexOf('=');
  const name = at < 0 ? '' : text.slice(0, at).trim().replace(/\.$/, '').toLowerCase();
  const value = at < 0 ? '' : text.slice(at + 1).trim();
  const usage = `--resolve takes NAME=ADDRESS or NAME=ADDRESS:PORT with an IP address (e.g. HV01.corp.example.com=10.0.0.11), not ${JSON.stringify(text)}`;
  if (name === '' || value === '') throw new ConfigError(usage);
  let address = value;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (bracketed) {
    address = bracketed[1]!;
    port = bracketed[2];
  } else if (value.split(':').length === 2) {
    [address, port] = value.split(':') as [string, string];
  }
  if (isIP(address) === 0) throw new ConfigError(usage);
  return [name, port === undefined ? { address } : { address, port: parsePort(port, '--resolve') }];
}

/** The enabled hosts of a model as probe targets: dNSHostName, or short name + the domain's DNS name when it has none. */
export function probeTargets(model: AuditModel): ProbeTarget[] {
  return model.hosts
    .filter((h) => h.account.enabled)
    .map(({ account }) => {
      const short = shortName(account);
      return { host: account.sAMAccountName, dn: account.dn, target: account.dnsHostName ?? `${short}.${model.directory.dnsDomain}`, aliases: [short] };
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolver error codes that mean "this name has no address from here". */
const RESOLVER_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ECONNREFUSED', 'ETIMEOUT']);

async function resolveTarget(
  target: ProbeTarget,
  options: Required<Omit<ProbeOptions, 'resolve'>> & Pick<ProbeOptions, 'resolve'>,
): Promise<{ address: string; port: number } | { error: string }> {
  for (const name of [target.target, ...(target.aliases ?? [])]) {
    const override = options.resolve?.get(name.replace(/\.$/, '').toLowerCase());
    if (override !== undefined) return { address: override.address, port: override.port ?? options.port };
  }
  if (isIP(target.target) !== 0) return { address: target.target, port: options.port };
  try {
    const answer = await withTimeout(lookup(target.target), options.timeoutMs);
    if (answer === 'timeout') return { error: `the resolver gave no answer within ${options.timeoutMs} ms` };
    return { address: answer.address, port: options.port };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && RESOLVER_CODES.has(code)) return { error: code };
    throw error;
  }
}

function statusOf(code: string | undefined): ProbeStatus {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    default:
      return 'error';
  }
}

/** One TCP handshake: open, refused, timed out, or another socket error. The socket is closed at once. */
function tcpHandshake(address: string, port: number, timeoutMs: number): Promise<{ status: ProbeStatus; detail: string | null }> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let settled = false;
    const finish = (status: ProbeStatus, detail: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, detail });
    };
    const timer = setTimeout(() => finish('timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => finish('open', null));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(statusOf(error.code), error.code ?? error.message));
  });
}

async function probeOne(target: ProbeTarget, options: Required<Omit<ProbeOptions, 'resolve'>> & Pick<ProbeOptions, 'resolve'>): Promise<ProbeResult> {
  const base = { host: target.host, dn: target.dn, target: target.target };
  const resolved = await resolveTarget(target, options);
  if ('error' in resolved) return { ...base, address: null, port: options.port, status: 'unresolvable', detail: resolved.error };
  const { status, detail } = await tcpHandshake(resolved.address, resolved.port, options.timeoutMs);
  return { ...base, address: resolved.address, port: resolved.port, status, detail };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Probes every target's port; one result each, sorted by host name. */
export async function probeHosts(targets: readonly ProbeTarget[], options: ProbeOptions = {}): Promise<ProbeReport> {
  const resolved = {
    port: options.port ?? PROBE_DEFAULTS.port,
    timeoutMs: options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs,
    concurrency: Math.max(1, options.concurrency ?? PROBE_DEFAULTS.concurrency),
    resolve: options.resolve,
  };
  const results = await mapBounded(targets, resolved.concurrency, (target) => probeOne(target, resolved));
  results.sort((a, b) => a.host.toLowerCase().localeCompare(b.host.toLowerCase()) || a.dn.localeCompare(b.dn));
  return { port: resolved.port, timeoutMs: resolved.timeoutMs, results };
}

/** Warnings for the hosts the probe could not test: their names did not resolve, or the network said no. */
function probeWarnings(report: ProbeReport): string[] {
  return report.results
    .filter((r) => r.status === 'unresolvable' || r.status === 'unreachable' || r.status === 'error')
    .map((r) =>
      r.status === 'unresolvable'
        ? `probe: ${r.target} (${r.host}) did not resolve (${r.detail ?? 'no address'}): not tested; --resolve NAME=ADDRESS names its address`
        : `probe: ${r.target}:${r.port} (${r.host}) could not be tested: ${r.status === 'unreachable' ? 'no route to it' : 'socket error'} (${r.detail ?? 'unknown'})`,
    );
}

/** The model with the probe's results (and its warnings) added: what HV011 reads. */
export async function probeModel(model: AuditModel, options: ProbeOptions = {}, onProgress?: (line: string) => void): Promise<AuditModel> {
  const targets = probeTargets(model);
  onProgress?.(`probing TCP ${options.port ?? PROBE_DEFAULTS.port} on ${targets.length} host${targets.length === 1 ? '' : 's'}`);
  const probe = await probeHosts(targets, options);
  return { ...model, probe, warnings: [...model.warnings, ...probeWarnings(probe)] };
}
