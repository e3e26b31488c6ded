/**
 * Everything the rules look at, computed once from the directory: hosts and their groups, the
 * privileged accounts, and indexes by name.
 */
import { dnKey } from '../ldap/codecs/dn.js';
import { ridOf } from '../ldap/codecs/sid.js';
import { MembershipGraph } from './membership.js';
import { buildMigrationGroups, type HostState, type MigrationGroup, type MigrationOptions } from './migration.js';
import type { Account, Directory } from './model.js';
import { classifyPrivileged, isUserType, privilegedRoots, type PrivilegedAccount } from './privileged.js';
import { nameKeys } from './discover-hosts.js';
import type { ProbeReport } from './probe-result.js';
import type { DcComparison } from './domain-controllers.js';
import { RID, type ServiceName } from './well-known.js';

export interface AuditModelOptions extends MigrationOptions {
  /** Account names (sAMAccountName or DN) kept out of the privileged-account rules PA001/PA002. Default: none. */
  exclude?: string[];
  /** More privileged groups, by DN or SID. Default: none. */
  privilegedGroups?: string[];
}

export interface AuditModel {
  directory: Directory;
  groups: MigrationGroup[];
  hosts: HostState[];
  privileged: PrivilegedAccount[];
  /** User-type accounts with adminCount=1 that are not privileged (krbtgt excluded: SDProp protects it). */
  staleAdminCount: Account[];
  services: ServiceName[];
  /** Lower-case host names (short and FQDN) → host. */
  hostByName: Map<string, HostState>;
  /** Lower-case computer names (short and FQDN) → computer, for every computer read. */
  computerByName: Map<string, Account>;
  isExcluded(account: Account): boolean;
  warnings: string[];
  /** What the port probe found (`audit --probe`, `delegaudit probe`), run before the rules; undefined when not probed. */
  probe?: ProbeReport;
  /** Every DC's view of the delegation attributes (`audit --compare-dcs`); undefined when not compared. */
  dcComparison?: DcComparison;
}

export function buildAuditModel(directory: Directory, options: AuditModelOptions = {}): AuditModel {
  const graph = new MembershipGraph(directory.groups, directory.domainSid);
  const protectedKey = graph.groupKeyBySid(`${directory.domainSid}-${RID.PROTECTED_USERS}`);
  const protectedReach = protectedKey === undefined ? undefined : graph.reach(protectedKey);
  const isProtectedUser = (account: Account): boolean => protectedReach !== undefined && graph.pathOf(protectedReach, account) !== undefined;

  const { groups, warnings } = buildMigrationGroups(directory, options, isProtectedUser);
  const hosts = groups.flatMap((g) => g.hosts).sort((a, b) => a.account.sAMAccountName.localeCompare(b.account.sAMAccountName));

  const { roots } = privilegedRoots(graph, directory.domainSid, options.privilegedGroups ?? []);
  const privileged = classifyPrivileged(directory.accounts.values(), graph, roots, protectedReach);
  const privilegedKeys = new Set(privileged.map((p) => dnKey(p.account.dn)));
  const staleAdminCount = [...directory.accounts.values()]
    .filter((a) => a.adminCount === 1 && isUserType(a) && !privilegedKeys.has(dnKey(a.dn)))
    .filter((a) => a.sid === undefined || ridOf(a.sid) !== RID.KRBTGT)
    .sort((a, b) => a.sAMAccountName.localeCompare(b.sAMAccountName));

  const hostByName = new Map<string, HostState>();
  for (const host of hosts) for (const key of nameKeys(host.account)) hostByName.set(key, host);
  const computerByName = new Map<string, Account>();
  for (const account of directory.accounts.values()) {
    if (account.kind === 'computer') for (const key of nameKeys(account)) computerByName.set(key, account);
  }

  return {
    directory,
    groups,
    hosts,
    privileged,
    staleAdminCount,
    services: options.services ?? ['migration', 'cifs'],
    hostByName,
    computerByName,
    isExcluded: exclusion(options.exclude ?? []),
    warnings: [...directory.warnings, ...warnings],
  };
}

/** Whether an account is one of `names` (sAMAccountName, any case, or DN): --exclude, for the rules and for fix. */
export function exclusion(names: readonly string[]): (account: Pick<Account, 'sAMAccountName' | 'dn'>) => boolean {
  const excluded = new Set(names.map((e) => e.trim().toLowerCase()));
  const excludedDns = new Set(names.map(dnKey));
  return (account) => excluded.has(account.sAMAccountName.toLowerCase()) || excludedDns.has(dnKey(account.dn));
}
