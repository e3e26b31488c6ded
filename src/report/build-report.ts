/**
 * Builds the one report object that every format prints. Reporters format it; none recomputes it.
 */
import type { AuditModel } from '../directory/audit-model.js';
import { dnKey } from '../directory/keys.js';
import type { Finding, Rule } from '../rules/rule.js';
import { SEVERITIES } from '../rules/rule.js';
import { TOOL } from '../version.js';
import type { Report } from './schema.js';
import { REPORT_SCHEMA_VERSION } from './schema-version.js';

/** Case-insensitively, then as written. */
function compareText(a: { value: string; key: string }, b: { value: string; key: string }): number {
  return a.key.localeCompare(b.key) || a.value.localeCompare(b.value);
}

/** More than any list's length (a host's msDS-AllowedToDelegateTo), and rank × POSITIONS stays an exact integer. */
const POSITIONS = 2 ** 24;

/**
 * Sorts lists of text (compareText) by the rank of each value in one sort of the distinct values of
 * every list: the hosts of a migration group name the same peers, so the large benchmark's 503 lists
 * hold about 2,000 distinct values among 29,000, and one sort of those replaces 503 sorts.
 */
export function textSorter(lists: Iterable<readonly string[]>): (values: readonly string[]) => string[] {
  const ranks = new Map<string, number>();
  for (const values of lists) for (const value of values) ranks.set(value, 0);
  const sorted = [...ranks.keys()].map((value) => ({ value, key: value.toLowerCase() })).sort(compareText);
  // Values that compare equal share a rank, so a list keeps their order as the stable sort would.
  let rank = 0;
  sorted.forEach((entry, i) => {
    if (i > 0 && compareText(sorted[i - 1]!, entry) !== 0) rank = i;
    ranks.set(entry.value, rank);
  });
  // Each list sorted as numbers (rank, then position: a stable sort), natively, without a comparator.
  return (values) => {
    const keys = new Float64Array(values.length);
    values.forEach((value, i) => (keys[i] = ranks.get(value)! * POSITIONS + i));
    return Array.from(keys.sort(), (key) => values[key % POSITIONS]!);
  };
}

/** The peers a host's resource-based delegation names (by SID), by sAMAccountName. */
function rbcdFromPeers(host: AuditModel['hosts'][number]): string[] {
  const allowed = new Set((host.account.allowedToActOnBehalfOf ?? []).map((sid) => sid.toUpperCase()));
  return host.peers.filter((peer) => peer.sid !== undefined && allowed.has(peer.sid.toUpperCase())).map((peer) => peer.sAMAccountName);
}

export function buildReport(model: AuditModel, findings: Finding[], generatedAt: Date = new Date(), rules?: readonly Rule[]): Report {
  const { directory } = model;
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Report['summary']['findings'];
  const sortedByText = textSorter(model.hosts.flatMap((host) => [host.account.allowedToDelegateTo, host.extra]));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: generatedAt.toISOString(),
    directory: { url: directory.url, dc: directory.dc, baseDN: directory.baseDN, dnsDomain: directory.dnsDomain, domainSid: directory.domainSid },
    summary: {
      hosts: model.hosts.length,
      groups: model.groups.length,
      privilegedAccounts: model.privileged.length,
      findings: counts,
      ...(rules === undefined ? {} : { rules: rules.map((rule) => rule.id) }),
    },
    groups: model.groups.map((g) => ({ name: g.name, hosts: g.hosts.map((h) => h.account.sAMAccountName) })),
    hosts: model.hosts.map((host) => ({
      dn: host.account.dn,
      sAMAccountName: host.account.sAMAccountName,
      dnsHostName: host.account.dnsHostName ?? null,
      group: host.group,
      enabled: host.account.enabled,
      whenCreated: host.account.whenCreated ?? null,
      protocolTransition: host.account.protocolTransition,
      unconstrained: host.account.unconstrained,
      allowedToDelegateTo: sortedByText(host.account.allowedToDelegateTo),
      missing: [...host.missingByPeer.values()].flat().map((e) => e.spn),
      extra: sortedByText(host.extra),
      peers: host.peers.map((p) => p.sAMAccountName),
      source: host.source,
      protectedUsers: host.inProtectedUsers,
      rbcdFromPeers: rbcdFromPeers(host),
      ...(host.rbcdPeers.size === 0 ? {} : { rbcdAccepted: host.peers.filter((p) => host.rbcdPeers.has(dnKey(p.dn))).map((p) => p.sAMAccountName) }),
    })),
    privilegedAccounts: model.privileged.map((p) => ({
      dn: p.account.dn,
      sAMAccountName: p.account.sAMAccountName,
      objectClass: p.account.kind,
      enabled: p.account.enabled,
      sensitive: p.account.sensitive,
      protectedUsers: p.protectedUsers,
      via: p.via.map((chain) => chain.join(' → ')),
      viaPrimaryGroup: p.viaPrimaryGroup ?? null,
    })),
    findings,
    warnings: [...model.warnings],
    ...(model.probe === undefined
      ? {}
      : { probe: { port: model.probe.port, timeoutMs: model.probe.timeoutMs, results: model.probe.results.map((r) => ({ ...r })) } }),
    ...(model.dcComparison === undefined ? {} : { comparedDcs: model.dcComparison.dcs.map((dc) => ({ ...dc })) }),
  };
}
