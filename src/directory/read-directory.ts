/**
 * The audit's query plan: a fixed handful of paged searches, whatever the size of the domain.
 *
 *   1. RootDSE                               naming contexts
 *   2. the domain object (base)              domain SID
 *   3. security groups                       their nesting (memberOf), computed in the client
 *   4. members of the privileged groups, Protected Users and --hosts-group (nested ones included)
 *   5. accounts with delegation, a migration SPN, DCs, explicitly named hosts, adminCount=1
 *   6. computers in --hosts-ou               (only with --hosts-ou)
 *   7. computers named by delegation entries that 5 and 6 did not return (only when there are any)
 *   8. the user-type members found in 4 that 5-7 did not return, by DN; primaryGroupID; RID 500
 *
 * No search depends on the number of hosts or accounts; large OR filters replace per-object lookups.
 *
 * Group membership is read where it is small. A group's `member` list can hold every user of the
 * domain ("All Staff"): AD returns it 1500 values at a time (MaxValRange), so reading every group's
 * members costs a search per 1500 members of the largest group and transfers the membership of the
 * whole domain. So search 3 reads only the groups' own memberOf (the nesting), and search 4 the
 * member lists of the few groups the rules need. Filters on memberOf are avoided: Samba does not
 * index them, and one OR of 23 memberOf terms took 12.5 s on a 60,000-object Samba domain, against
 * 0.02 s for search 4 and 0.1 s for an OR of DNs. Group.members holds the nested groups of every
 * group and the full member lists of the groups search 4 reads.
 */
import { dnKey, parentDn } from '../ldap/codecs/dn.js';
import type { LdapEntry } from '../ldap/entry.js';
import { and, bitsAll, eq, type Filter, or, prefix, present } from '../ldap/filter.js';
import type { LdapSession } from '../ldap/session.js';
import { sidToBuffer } from '../ldap/codecs/sid.js';
import { parseSpn, shortHostKey } from '../ldap/codecs/spn.js';
import { UAC } from '../ldap/codecs/uac.js';
import { DirectoryReadError } from '../errors.js';
import { SD_FLAGS_DACL } from '../ldap/sd-flags-control.js';
import { ACCOUNT_ATTRIBUTES, RBCD_ATTRIBUTE, readSid, toAccount } from './account.js';
import { DEFAULT_SPN_MAPPINGS, mappedSpn, parseSpnMappings } from './spn-mappings.js';
import { discoverHosts, indexComputers } from './discover-hosts.js';
import { MembershipGraph } from './membership.js';
import type { Account, Directory, Group, HostSource } from './model.js';
import { privilegedRoots } from './privileged.js';
import { CIFS_SERVICE_CLASS, MIGRATION_SERVICE_CLASS, RID } from './well-known.js';

export interface ReadDirectoryOptions {
  /** Where to search. Default: the RootDSE's defaultNamingContext. */
  baseDN?: string;
  /** Computers to treat as Hyper-V hosts, by name (`HV01`, `HV01$` or `hv01.corp.example.com`). Default: none. */
  hosts?: string[];
  /** An OU whose computers are Hyper-V hosts. Default: none. */
  hostsOu?: string;
  /** A group (DN) whose computer members are Hyper-V hosts. Default: none. */
  hostsGroup?: string;
  /** More privileged groups, by DN or SID. Default: none. */
  privilegedGroups?: string[];
  /**
   * Also look up every delegation target (each SPN, after AD's default sPNMappings, and each
   * resource-based SID) in the search for computers named by delegation entries, for the inventory
   * and the DG rules. Default: false (only cifs and migration targets).
   */
  delegationTargets?: boolean;
}

const BINARY = ['objectSid', RBCD_ATTRIBUTE];
/** What the audit reads of each account. */
export const READ_ATTRIBUTES = ACCOUNT_ATTRIBUTES;

function explicitHostFilter(name: string): Filter[] {
  const trimmed = name.trim().replace(/\$$/, '');
  const short = trimmed.includes('.') ? trimmed.slice(0, trimmed.indexOf('.')) : trimmed;
  const parts: Filter[] = [eq('sAMAccountName', `${short}$`)];
  if (trimmed.includes('.')) parts.push(eq('dNSHostName', trimmed));
  return parts;
}

export async function readDirectory(session: LdapSession, options: ReadDirectoryOptions = {}): Promise<Directory> {
  const rootDse = await session.rootDse(['defaultNamingContext', 'configurationNamingContext', 'dnsHostName']);
  const domainDN = rootDse.string('defaultNamingContext');
  if (domainDN === undefined) {
    throw new DirectoryReadError(`${session.url}: the RootDSE has no defaultNamingContext: is this an Active Directory domain controller?`);
  }
  const baseDN = options.baseDN ?? domainDN;
  const warnings: string[] = [];
  const references: string[] = [];

  const domain = await session.search({ base: domainDN, scope: 'base', filter: present('objectClass'), attributes: ['objectSid'], binaryAttributes: BINARY, purpose: 'the domain object' });
  const domainSid = domain.entries[0] ? readSid(domain.entries[0]) : undefined;
  if (domainSid === undefined) {
    throw new DirectoryReadError(`${session.url}: ${domainDN} has no objectSid: is this an Active Directory domain?`);
  }

  // 3. Security groups: only they carry privilege and Protected Users membership. Their memberOf
  //    gives the nesting, without reading member lists that can hold the whole domain.
  const groupResult = await session.search({
    base: baseDN,
    scope: 'sub',
    filter: and([eq('objectClass', 'group'), bitsAll('groupType', 0x80000000)]),
    attributes: ['objectSid', 'sAMAccountName', 'memberOf'],
    binaryAttributes: BINARY,
    purpose: 'security groups',
  });
  references.push(...groupResult.references);
  const groups = new Map<string, Group>();
  for (const entry of groupResult.entries) {
    groups.set(dnKey(entry.dn), { dn: entry.dn, sid: readSid(entry), sAMAccountName: entry.string('sAMAccountName') ?? entry.dn, members: [] });
  }
  const memberKeys = new Map<string, Set<string>>();
  const addMember = (groupKey: string, memberDn: string): void => {
    const group = groups.get(groupKey);
    if (group === undefined) return;
    let seen = memberKeys.get(groupKey);
    if (seen === undefined) memberKeys.set(groupKey, (seen = new Set()));
    const member = dnKey(memberDn);
    if (seen.has(member)) return;
    seen.add(member);
    group.members.push(memberDn);
  };
  for (const entry of groupResult.entries) for (const parent of entry.strings('memberOf')) addMember(dnKey(parent), entry.dn);
  const graph = new MembershipGraph(groups, domainSid);

  // 4. The member lists the rules need: every group in a privileged closure or in Protected Users'
  //    (PA001-PA004, HV009), and --hosts-group. One OR of DNs; AD returns long lists by range.
  const { roots, unknown } = privilegedRoots(graph, domainSid, options.privilegedGroups ?? []);
  for (const ref of unknown) warnings.push(`--privileged-group ${ref}: no security group with that DN or SID under ${baseDN}`);
  if (graph.groupKeyBySid(`${domainSid}-${RID.DOMAIN_ADMINS}`) === undefined) {
    warnings.push(`Domain Admins (${domainSid}-${RID.DOMAIN_ADMINS}) was not found under ${baseDN}: privileged account checks are incomplete`);
  }
  const protectedKey = graph.groupKeyBySid(`${domainSid}-${RID.PROTECTED_USERS}`);
  const closure = new Set<string>();
  for (const root of roots) for (const key of root.reach.keys()) closure.add(key);
  if (protectedKey !== undefined) for (const key of graph.reach(protectedKey).keys()) closure.add(key);
  let hostsGroupKey: string | undefined;
  if (options.hostsGroup !== undefined) {
    hostsGroupKey = dnKey(options.hostsGroup);
    if (!groups.has(hostsGroupKey)) {
      warnings.push(`--hosts-group ${options.hostsGroup}: no security group with that DN under ${baseDN}`);
      hostsGroupKey = undefined;
    }
  }
  const listed = [...new Set([...closure, ...(hostsGroupKey === undefined ? [] : [hostsGroupKey])])];
  if (listed.length > 0) {
    const memberLists = await session.search({
      base: baseDN,
      scope: 'sub',
      filter: or(listed.map((key) => eq('distinguishedName', groups.get(key)!.dn))),
      attributes: ['member'],
      purpose: 'members of the privileged groups',
    });
    for (const entry of memberLists.entries) for (const member of entry.strings('member')) addMember(dnKey(entry.dn), member);
  }
  const isGroup = (dn: string): boolean => groups.has(dnKey(dn));
  const hostsGroupMembers = hostsGroupKey === undefined ? [] : groups.get(hostsGroupKey)!.members.filter((dn) => !isGroup(dn));

  // 5. Accounts with any delegation, a migration SPN, domain controllers, explicitly named hosts,
  //    and adminCount=1 (for PA004): one scan of the accounts, which the delegation bits need anyway.
  const accounts = new Map<string, Account>();
  const explicit = new Map<string, HostSource>();
  const add = (entries: LdapEntry[]): Account[] =>
    entries.map((entry) => {
      const account = toAccount(entry);
      accounts.set(dnKey(account.dn), account);
      return account;
    });
  const explicitNames = options.hosts ?? [];
  const delegationFilter = and([
    eq('objectClass', 'user'),
    or([
      prefix('servicePrincipalName', `${MIGRATION_SERVICE_CLASS}/`),
      present('msDS-AllowedToDelegateTo'),
      present(RBCD_ATTRIBUTE),
      bitsAll('userAccountControl', UAC.TRUSTED_FOR_DELEGATION),
      bitsAll('userAccountControl', UAC.TRUSTED_TO_AUTH_FOR_DELEGATION),
      bitsAll('userAccountControl', UAC.SERVER_TRUST_ACCOUNT),
      bitsAll('userAccountControl', UAC.PARTIAL_SECRETS_ACCOUNT),
      eq('adminCount', '1'),
      ...explicitNames.flatMap(explicitHostFilter),
      ...hostsGroupMembers.map((dn) => eq('distinguishedName', dn)),
    ]),
  ]);
  const delegating = await session.search({ base: baseDN, scope: 'sub', filter: delegationFilter, attributes: ACCOUNT_ATTRIBUTES, binaryAttributes: BINARY, sdFlags: SD_FLAGS_DACL, purpose: 'accounts with delegation and Hyper-V hosts' });
  references.push(...delegating.references);
  add(delegating.entries);
  let names = indexComputers(accounts.values());
  for (const name of explicitNames) {
    const key = name.trim().replace(/\$$/, '').toLowerCase();
    const account = names.get(key) ?? names.get(shortHostKey(key));
    if (account === undefined) warnings.push(`--host ${name}: no computer account with that name under ${baseDN}`);
    else explicit.set(dnKey(account.dn), 'explicit');
  }
  for (const dn of hostsGroupMembers) {
    if (accounts.get(dnKey(dn))?.kind === 'computer') explicit.set(dnKey(dn), 'group');
  }

  // 6. Computers in the hosts OU.
  if (options.hostsOu !== undefined) {
    const ou = await session.search({ base: options.hostsOu, scope: 'sub', filter: eq('objectClass', 'computer'), attributes: ACCOUNT_ATTRIBUTES, binaryAttributes: BINARY, sdFlags: SD_FLAGS_DACL, purpose: `computers in --hosts-ou ${options.hostsOu}` });
    for (const account of add(ou.entries)) {
      if (!account.isDomainController) explicit.set(dnKey(account.dn), 'ou');
    }
    names = indexComputers(accounts.values());
  }

  // 7. Computers named by migration and cifs delegation entries but not read yet: one OR search.
  const wanted = new Map<string, Filter[]>();
  for (const account of accounts.values()) {
    for (const entry of account.allowedToDelegateTo) {
      const spn = parseSpn(entry);
      const service = spn?.serviceClass.toLowerCase();
      if (spn === undefined || (service !== MIGRATION_SERVICE_CLASS.toLowerCase() && service !== CIFS_SERVICE_CLASS)) continue;
      const key = spn.host.toLowerCase();
      if (names.has(key) || wanted.has(key)) continue;
      wanted.set(key, key.includes('.') ? [eq('dNSHostName', spn.host)] : [eq('sAMAccountName', `${spn.host}$`)]);
    }
  }
  //    With delegationTargets, the same search also finds the holder of every other target SPN (or of
  //    the HOST/ SPN that serves it through sPNMappings) and every resource-based principal by SID.
  //    AD's own sPNMappings say which classes the HOST/ SPN serves: read once, for the inventory only.
  const spnMappings = options.delegationTargets === true ? await readSpnMappings(session, rootDse.string('configurationNamingContext'), warnings) : undefined;
  const targets = spnMappings === undefined ? [] : targetFilters(accounts.values(), spnMappings);
  if (wanted.size > 0 || targets.length > 0) {
    const computers = wanted.size > 0 ? [and([eq('objectClass', 'computer'), or([...wanted.values()].flat())])] : [];
    const filter = targets.length === 0 ? computers[0]! : or([...computers, ...targets]);
    const referenced = await session.search({ base: baseDN, scope: 'sub', filter, attributes: ACCOUNT_ATTRIBUTES, binaryAttributes: BINARY, sdFlags: SD_FLAGS_DACL, purpose: 'computers named by delegation entries' });
    add(referenced.entries);
    names = indexComputers(accounts.values());
  }
  const missingNames = new Set([...wanted.keys()].filter((key) => !names.has(key)));

  // 8. Privileged candidates not read yet: the members found in 4 (by DN: an indexed lookup each),
  //    accounts whose primaryGroupID is a privileged group (never visible in member), RID 500.
  const unread = new Set<string>();
  for (const key of closure) {
    for (const dn of groups.get(key)!.members) if (!isGroup(dn) && !accounts.has(dnKey(dn))) unread.add(dn);
  }
  const rids = new Set<number>();
  for (const root of roots) for (const rid of graph.domainRids(root.reach)) rids.add(rid);
  const privilegedFilter = and([
    eq('objectClass', 'user'),
    or([
      ...[...unread].map((dn) => eq('distinguishedName', dn)),
      ...[...rids].sort((a, b) => a - b).map((rid) => eq('primaryGroupID', String(rid))),
      eq('objectSid', sidToBuffer(`${domainSid}-${RID.ADMINISTRATOR}`)),
    ]),
  ]);
  const privileged = await session.search({ base: baseDN, scope: 'sub', filter: privilegedFilter, attributes: ACCOUNT_ATTRIBUTES, binaryAttributes: BINARY, sdFlags: SD_FLAGS_DACL, purpose: 'privileged accounts' });
  add(privileged.entries);

  return {
    url: session.url,
    baseDN,
    domainDN,
    dnsDomain: dnsDomainOf(domainDN),
    domainSid,
    configurationDN: rootDse.string('configurationNamingContext'),
    accounts,
    groups,
    references: [...new Set(references)],
    warnings,
    missingNames,
    hostSources: discoverHosts(accounts, explicit),
    ...(options.delegationTargets === true ? { delegationTargetsRead: true } : {}),
    ...(spnMappings === undefined ? {} : { spnMappings }),
  };
}

/**
 * sPNMappings from CN=Directory Service,CN=Windows NT,CN=Services,<configuration NC>. A directory
 * without the object (or without the attribute) gets a fresh forest's default, with a warning.
 */
async function readSpnMappings(session: LdapSession, configurationDN: string | undefined, warnings: string[]): Promise<Map<string, string>> {
  const fallback = (why: string): Map<string, string> => {
    warnings.push(`sPNMappings ${why}: using a fresh forest's default (cifs and the other aliases of HOST)`);
    return parseSpnMappings(DEFAULT_SPN_MAPPINGS);
  };
  if (configurationDN === undefined) return fallback('not read: the RootDSE names no configuration naming context');
  const base = `CN=Directory Service,CN=Windows NT,CN=Services,${configurationDN}`;
  let values: string[];
  try {
    const { entries } = await session.search({ base, scope: 'base', filter: present('objectClass'), attributes: ['sPNMappings'], purpose: 'sPNMappings' });
    values = entries[0]?.strings('sPNMappings') ?? [];
  } catch (error) {
    if (error instanceof DirectoryReadError && /does not exist/.test(error.message)) return fallback(`not read: ${base} does not exist`);
    throw error;
  }
  return values.length === 0 ? fallback(`are empty on ${base}`) : parseSpnMappings(values);
}

/** Equality filters for the delegation targets that no account read holds: SPNs (and their sPNMappings form) and RBCD SIDs. */
function targetFilters(read: Iterable<Account>, mappings: ReadonlyMap<string, string>): Filter[] {
  const accounts = [...read];
  const held = new Set(accounts.flatMap((a) => a.servicePrincipalNames.map((spn) => spn.toLowerCase())));
  const sids = new Set(accounts.flatMap((a) => (a.sid === undefined ? [] : [a.sid.toUpperCase()])));
  const spns = new Map<string, string>();
  const wantedSids = new Map<string, string>();
  for (const account of accounts) {
    for (const entry of account.allowedToDelegateTo) {
      const mapped = mappedSpn(entry, mappings);
      if (held.has(entry.trim().toLowerCase()) || (mapped !== undefined && held.has(mapped.toLowerCase()))) continue;
      for (const spn of [entry.trim(), ...(mapped === undefined ? [] : [mapped])]) spns.set(spn.toLowerCase(), spn);
    }
    for (const sid of account.allowedToActOnBehalfOf ?? []) if (!sids.has(sid.toUpperCase())) wantedSids.set(sid.toUpperCase(), sid);
  }
  return [...[...spns.values()].map((spn) => eq('servicePrincipalName', spn)), ...[...wantedSids.values()].map((sid) => eq('objectSid', sidToBuffer(sid)))];
}

/** `DC=corp,DC=example,DC=com` → `corp.example.com`. */
export function dnsDomainOf(domainDN: string): string {
  const labels: string[] = [];
  let dn = domainDN;
  while (dn !== '') {
    const match = /^\s*dc\s*=\s*([^,]+)/i.exec(dn);
    if (match) labels.push(match[1]!.trim());
    dn = parentDn(dn);
  }
  return labels.join('.').toLowerCase();
}
