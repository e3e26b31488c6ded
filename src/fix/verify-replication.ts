/**
 * After a write: has every DC of the domain got it? The accounts written are read back on the DC
 * written, then on each other DC (listed from CN=Sites) until they agree or the wait ends.
 */
import { listDomainControllers, readDelegationStates, sameDelegation, type DelegationState } from '../directory/domain-controllers.js';
import { dnKey } from '../ldap/codecs/dn.js';
import { endpointFor } from '../ldap/dc-locator.js';
import { type BindCredentials, type LdapConnectOptions, LdapSession, pinned } from '../ldap/session.js';

export type ReplicationStatus = 'written' | 'converged' | 'not-yet' | 'unreachable';

export interface DcReplication {
  dc: string;
  status: ReplicationStatus;
  /** converged: seconds after the check began. */
  seconds?: number;
  /** not-yet: the accounts that still differ from the DC written. */
  differing?: string[];
  /** unreachable: the last connection error. */
  error?: string;
}

export interface VerifyOptions {
  /** The DC written, exactly (no alternates). */
  connect: LdapConnectOptions;
  credentials: BindCredentials | undefined;
  baseDN: string;
  /** The accounts written. */
  dns: readonly string[];
  /** Seconds to wait for every DC. Default 300. */
  waitSeconds?: number;
  /** Milliseconds between reads of a DC that has not converged. Default 2000. */
  intervalMs?: number;
  onProgress?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The written accounts' delegation as one DC holds it: one search of just those accounts. */
function statesOf(session: LdapSession, baseDN: string, dns: readonly string[]): Promise<Map<string, DelegationState>> {
  return readDelegationStates(session, baseDN, dns);
}

function differences(expected: Map<string, DelegationState>, actual: Map<string, DelegationState>, names: Map<string, string>): string[] {
  return [...names].filter(([key]) => !sameDelegation(expected.get(key), actual.get(key))).map(([, name]) => name);
}

/** Reads the written accounts on every DC until each agrees with the DC written, or the wait ends. */
export async function verifyReplication(options: VerifyOptions): Promise<DcReplication[]> {
  const progress = options.onProgress ?? (() => undefined);
  const writer = await LdapSession.open(options.connect, options.credentials);
  let expected: Map<string, DelegationState>;
  let dcs: string[];
  let self: string;
  try {
    self = (await writer.rootDse(['dnsHostName'])).string('dnsHostName') ?? writer.dcName;
    expected = await statesOf(writer, options.baseDN, options.dns);
    dcs = (await listDomainControllers(writer)).map((dc) => dc.name);
  } finally {
    await writer.close();
  }
  const names = new Map(options.dns.map((dn) => [dnKey(dn), expected.get(dnKey(dn))?.sAMAccountName ?? dn]));
  const written = self.toLowerCase();
  const others = dcs.filter((dc) => dc.toLowerCase() !== written);
  const waitMs = (options.waitSeconds ?? 300) * 1000;
  progress(`checking ${others.length} other DC(s) for the change, for up to ${Math.round(waitMs / 1000)} s`);
  const started = Date.now();
  const results = await Promise.all(others.map((dc) => watchDc(dc, { ...options, expected, names, started, deadline: started + waitMs })));
  return [{ dc: dcs.find((dc) => dc.toLowerCase() === written) ?? self, status: 'written' }, ...results];
}

interface Watch extends VerifyOptions {
  expected: Map<string, DelegationState>;
  names: Map<string, string>;
  started: number;
  deadline: number;
}

/** One DC: connect (again, while it does not answer), read, compare, until it agrees or the deadline. */
async function watchDc(dc: string, watch: Watch): Promise<DcReplication> {
  const endpoint = await endpointFor(dc, watch.connect);
  const connect = { ...pinned(watch.connect, endpoint), connectTimeoutMs: Math.min(watch.connect.connectTimeoutMs ?? 10_000, 5000) };
  let session: LdapSession | undefined;
  let error = '';
  let differing: string[] | undefined;
  try {
    for (;;) {
      try {
        session ??= await LdapSession.open(connect, watch.credentials);
        const actual = await statesOf(session, watch.baseDN, watch.dns);
        differing = differences(watch.expected, actual, watch.names);
        if (differing.length === 0) return { dc, status: 'converged', seconds: Math.round((Date.now() - watch.started) / 100) / 10 };
      } catch (caught) {
        error = (caught as Error).message;
        await session?.close();
        session = undefined;
      }
      if (Date.now() + (watch.intervalMs ?? 2000) > watch.deadline) break;
      await sleep(watch.intervalMs ?? 2000);
    }
  } finally {
    await session?.close();
  }
  return differing === undefined ? { dc, status: 'unreachable', error } : { dc, status: 'not-yet', differing };
}

/** Whether every DC has the change. */
export function allConverged(results: readonly DcReplication[]): boolean {
  return results.every((r) => r.status === 'written' || r.status === 'converged');
}
