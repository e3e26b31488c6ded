/**
 * What a TCP probe of a host's live-migration port found. Plain data: the probe (src/probe/probe-hosts.ts)
 * produces it before the rules run, the model carries it, HV011 reads it, and the report prints it.
 */

/** The port VMMS listens on for live migrations. */
export const LIVE_MIGRATION_PORT = 6600;

export const PROBE_STATUSES = ['open', 'refused', 'timeout', 'unresolvable', 'unreachable', 'error'] as const;

/**
 * - `open`: the TCP handshake completed.
 * - `refused`: the host answered with a reset: it is up and nothing listens on the port.
 * - `timeout`: no answer within the timeout: nothing listening, or a firewall drops the packets.
 * - `unresolvable`: the name did not resolve from where the probe ran (nothing was sent).
 * - `unreachable`: no route to the host or its network (EHOSTUNREACH, ENETUNREACH).
 * - `error`: any other socket error (`detail` names it).
 */
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

export interface ProbeResult {
  /** The host's sAMAccountName. */
  host: string;
  dn: string;
  /** The name the probe resolved and connected to: the host's dNSHostName. */
  target: string;
  /** The address connected to; null when the name did not resolve. */
  address: string | null;
  port: number;
  status: ProbeStatus;
  /** The OS or resolver error code (ECONNREFUSED, ENOTFOUND, …) or the timeout; null when open. */
  detail: string | null;
}

export interface ProbeReport {
  port: number;
  timeoutMs: number;
  /** One result per enabled host, sorted by host name. */
  results: ProbeResult[];
}

/** The statuses HV011 reports: the host answered that nothing listens, or nothing answered at all. */
export function isNotListening(status: ProbeStatus): boolean {
  return status === 'refused' || status === 'timeout';
}
