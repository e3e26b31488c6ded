/**
 * Drift between two JSON reports: findings that appeared, were resolved or changed severity; hosts
 * added and removed; per host, delegation entries added and removed and flags that changed; the
 * same for privileged accounts. Objects are matched by sAMAccountName (unique in a domain, and it
 * survives a move to another OU); delegation entries case-insensitively, as Kerberos does.
 */
import { spnKey } from '../ldap/codecs/spn.js';
import type { Report, ReportFinding, ReportHost, ReportPrivilegedAccount } from '../report/schema.js';
import { severityRank, type Severity } from '../rules/rule.js';

export interface FlagChange {
  flag: string;
  before: string | boolean | null;
  after: string | boolean | null;
}

export interface HostChange {
  host: string;
  dn: string;
  entriesAdded: string[];
  entriesRemoved: string[];
  flags: FlagChange[];
}

export interface AccountChange {
  account: string;
  dn: string;
  flags: FlagChange[];
}

export interface FindingChange {
  before: ReportFinding;
  after: ReportFinding;
}

export interface ObjectRef {
  sAMAccountName: string;
  dn: string;
}

export interface ReportDiff {
  old: { generatedAt: string; url: string; domainSid: string };
  new: { generatedAt: string; url: string; domainSid: string };
  findings: { appeared: ReportFinding[]; resolved: ReportFinding[]; changed: FindingChange[] };
  hosts: { added: Array<ObjectRef & { group: string }>; removed: Array<ObjectRef & { group: string }>; changed: HostChange[] };
  privilegedAccounts: { added: ObjectRef[]; removed: ObjectRef[]; changed: AccountChange[] };
  /** Why the comparison may mislead (e.g. two different domains). */
  warnings: string[];
}

const HOST_FLAGS = ['enabled', 'protocolTransition', 'unconstrained', 'protectedUsers', 'group', 'dnsHostName', 'whenCreated', 'dn'] as const;
const ACCOUNT_FLAGS = ['enabled', 'sensitive', 'protectedUsers', 'dn'] as const;

const nameKey = (name: string): string => name.toLowerCase();

/** Findings keyed by rule and subject; a second finding of the same rule on the same subject gets its message added. */
function keyFindings(findings: readonly ReportFinding[]): Map<string, ReportFinding> {
  const keyed = new Map<string, ReportFinding>();
  for (const finding of findings) {
    const key = `${finding.rule}|${nameKey(finding.subject.sAMAccountName)}`;
    keyed.set(keyed.has(key) ? `${key}|${finding.message}` : key, finding);
  }
  return keyed;
}

function byName<T extends { sAMAccountName: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [nameKey(item.sAMAccountName), item]));
}

function flagChanges<T extends object>(before: T, after: T, flags: ReadonlyArray<keyof T & string>): FlagChange[] {
  const changes: FlagChange[] = [];
  for (const flag of flags) {
    const a = before[flag] as string | boolean | null;
    const b = after[flag] as string | boolean | null;
    const same = typeof a === 'string' && typeof b === 'string' && flag !== 'whenCreated' ? a.toLowerCase() === b.toLowerCase() : a === b;
    if (!same) changes.push({ flag, before: a, after: b });
  }
  return changes;
}

function entryChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const had = new Set(before.map(spnKey));
  const has = new Set(after.map(spnKey));
  return { added: after.filter((e) => !had.has(spnKey(e))), removed: before.filter((e) => !has.has(spnKey(e))) };
}

const ref = (item: { sAMAccountName: string; dn: string }): ObjectRef => ({ sAMAccountName: item.sAMAccountName, dn: item.dn });
const hostRef = (host: ReportHost): ObjectRef & { group: string } => ({ ...ref(host), group: host.group });

/** Compares two reports (validated with reportSchema); `before` is the older one. */
export function diffReports(before: Report, after: Report): ReportDiff {
  const warnings: string[] = [];
  if (before.directory.domainSid !== after.directory.domainSid) {
    warnings.push(`the reports are from different domains (${before.directory.domainSid} and ${after.directory.domainSid}): every object differs`);
  }
  if (Date.parse(after.generatedAt) < Date.parse(before.generatedAt)) {
    warnings.push(`the second report (${after.generatedAt}) is older than the first (${before.generatedAt}): "appeared" and "resolved" are reversed`);
  }

  const oldFindings = keyFindings(before.findings);
  const newFindings = keyFindings(after.findings);
  const appeared = [...newFindings].filter(([key]) => !oldFindings.has(key)).map(([, f]) => f);
  const resolved = [...oldFindings].filter(([key]) => !newFindings.has(key)).map(([, f]) => f);
  const changed: FindingChange[] = [];
  for (const [key, finding] of newFindings) {
    const old = oldFindings.get(key);
    if (old !== undefined && (old.severity !== finding.severity || old.message !== finding.message)) changed.push({ before: old, after: finding });
  }

  const oldHosts = byName(before.hosts);
  const newHosts = byName(after.hosts);
  const hostChanges: HostChange[] = [];
  for (const [key, host] of newHosts) {
    const old = oldHosts.get(key);
    if (old === undefined) continue;
    const entries = entryChanges(old.allowedToDelegateTo, host.allowedToDelegateTo);
    const flags = flagChanges(old, host, HOST_FLAGS);
    if (entries.added.length + entries.removed.length + flags.length > 0) {
      hostChanges.push({ host: host.sAMAccountName, dn: host.dn, entriesAdded: entries.added, entriesRemoved: entries.removed, flags });
    }
  }

  const oldAccounts = byName(before.privilegedAccounts);
  const newAccounts = byName(after.privilegedAccounts);
  const accountChanges: AccountChange[] = [];
  for (const [key, account] of newAccounts) {
    const old = oldAccounts.get(key);
    if (old === undefined) continue;
    const flags = flagChanges<ReportPrivilegedAccount>(old, account, ACCOUNT_FLAGS);
    if (flags.length > 0) accountChanges.push({ account: account.sAMAccountName, dn: account.dn, flags });
  }

  const side = (r: Report) => ({ generatedAt: r.generatedAt, url: r.directory.url, domainSid: r.directory.domainSid });
  return {
    old: side(before),
    new: side(after),
    findings: { appeared, resolved, changed },
    hosts: {
      added: after.hosts.filter((h) => !oldHosts.has(nameKey(h.sAMAccountName))).map(hostRef),
      removed: before.hosts.filter((h) => !newHosts.has(nameKey(h.sAMAccountName))).map(hostRef),
      changed: hostChanges,
    },
    privilegedAccounts: {
      added: after.privilegedAccounts.filter((a) => !oldAccounts.has(nameKey(a.sAMAccountName))).map(ref),
      removed: before.privilegedAccounts.filter((a) => !newAccounts.has(nameKey(a.sAMAccountName))).map(ref),
      changed: accountChanges,
    },
    warnings,
  };
}

/** Whether the diff has anything to say. */
export function isEmptyDiff(diff: ReportDiff): boolean {
  const { findings, hosts, privilegedAccounts } = diff;
  return [
    findings.appeared,
    findings.resolved,
    findings.changed,
    hosts.added,
    hosts.removed,
    hosts.changed,
    privilegedAccounts.added,
    privilegedAccounts.removed,
    privilegedAccounts.changed,
  ].every((list) => list.length === 0);
}

/**
 * The findings that make `diff` exit 1: those that appeared at or above the threshold, and those that
 * rose to it (medium → critical).
 */
export function driftAtOrAbove(diff: ReportDiff, threshold: Severity): ReportFinding[] {
  const limit = severityRank(threshold);
  return [
    ...diff.findings.appeared.filter((f) => severityRank(f.severity) <= limit),
    ...diff.findings.changed
      .filter((c) => severityRank(c.after.severity) <= limit && severityRank(c.after.severity) < severityRank(c.before.severity))
      .map((c) => c.after),
  ];
}
