/**
 * The host × host view of a migration group, derived from the report's host rows (the same data
 * the findings came from): what row host A lacks to migrate to column host B.
 */
import { CIFS_SERVICE_CLASS, MIGRATION_SERVICE_CLASS } from '../../directory/well-known.js';
import { parseSpn } from '../../directory/keys.js';
import type { Report, ReportHost } from '../schema.js';
import { withoutDollar } from '../../text/names.js';

export type CellStatus = 'self' | 'ok' | 'kerberos-only' | 'missing' | 'disabled';

/** The words for a cell's state, the same in every format (the terminal abbreviates some, with a legend). */
export const STATE_WORDS = {
  ok: 'ok',
  kerberosOnly: 'Kerberos only',
  missing: 'missing',
  empty: 'empty',
  emptyDetail: 'no delegation entries',
  unconstrained: 'unconstrained',
  disabled: 'disabled',
  rbcd: 'resource-based (--accept-rbcd)',
} as const;

export interface MatrixCell {
  status: CellStatus;
  /** Missing services toward the column host: `migration`, `cifs`, or `cifs (FQDN)` when one form is missing. */
  missing: string[];
  kerberosOnly: boolean;
  unconstrained: boolean;
  /** The row host has no delegation entries at all (a re-joined host, HV003). */
  empty: boolean;
  /** The column host's resource-based delegation names the row host, and --accept-rbcd counts it. */
  rbcd: boolean;
}

const SERVICE_LABELS = new Map([
  [MIGRATION_SERVICE_CLASS.toLowerCase(), 'migration'],
  [CIFS_SERVICE_CLASS, 'cifs'],
]);

function names(host: ReportHost): Set<string> {
  const set = new Set([withoutDollar(host.sAMAccountName).toLowerCase()]);
  if (host.dnsHostName) set.add(host.dnsHostName.toLowerCase());
  return set;
}

function matrixCell(from: ReportHost, to: ReportHost): MatrixCell {
  const base = { missing: [], kerberosOnly: false, unconstrained: from.unconstrained, empty: from.allowedToDelegateTo.length === 0, rbcd: false };
  if (from.dn === to.dn) return { ...base, status: 'self' };
  if (!from.enabled || !to.enabled) return { ...base, status: 'disabled' };
  if (from.rbcdAccepted?.includes(to.sAMAccountName) === true) return { ...base, status: 'ok', rbcd: true };
  const target = names(to);
  const forms = new Map<string, string[]>();
  for (const spn of from.missing) {
    const parsed = parseSpn(spn);
    if (parsed === undefined || !target.has(parsed.host.toLowerCase())) continue;
    const label = SERVICE_LABELS.get(parsed.serviceClass.toLowerCase()) ?? parsed.serviceClass;
    forms.set(label, [...(forms.get(label) ?? []), parsed.host.includes('.') ? 'FQDN' : 'short name']);
  }
  const missing = [...forms].map(([label, which]) => (which.length >= 2 ? label : `${label} (${which[0]})`));
  const kerberosOnly = !from.protocolTransition && from.allowedToDelegateTo.length > 0;
  if (missing.length > 0) return { ...base, status: 'missing', missing, kerberosOnly };
  return { ...base, status: kerberosOnly ? 'kerberos-only' : 'ok', kerberosOnly };
}

/**
 * One line per host of `hosts` whose resource-based delegation names peers: plain text, for each
 * format to escape. Counted in place of constrained delegation only with --accept-rbcd.
 */
export function rbcdNotes(hosts: readonly ReportHost[]): string[] {
  const accepted = hosts.some((host) => (host.rbcdAccepted ?? []).length > 0);
  const note = accepted ? 'counted as constrained delegation: --accept-rbcd' : 'information: it does not replace constrained delegation';
  return (
    hosts
      .filter((host) => (host.rbcdFromPeers ?? []).length > 0)
      // The attribute is on the host it names the peers in: the peers delegate to it.
      .map((host) => `${host.rbcdFromPeers!.join(', ')} can delegate to ${host.sAMAccountName} (resource-based, set on ${host.sAMAccountName}; ${note})`)
  );
}

/** The rows of one group: hosts in report order, each with a cell per host. */
export function groupMatrix(report: Report, groupName: string): { hosts: ReportHost[]; cells: MatrixCell[][] } {
  const hosts = report.hosts.filter((h) => h.group === groupName);
  return { hosts, cells: hosts.map((from) => hosts.map((to) => matrixCell(from, to))) };
}
