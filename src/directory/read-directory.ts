/**
 * The audit's query plan: a fixed handful of paged searches, whatever the size of the domain.
 *
 *   1. RootDSE                               naming contexts
 *   2. the domain object (base)              domain SID
 *   3. security groups                       nesting (their memberOf), computed in the client
 *   4. accounts with delegation, a migration SPN, DCs, explicitly named hosts
 *   5. computers in --hosts-ou               (only with --hosts-ou)
 *   6. computers named by delegation entries that 4 and 5 did not return (only when there are any)
 *   7. user-type members of the privileged groups, by memberOf and primaryGroupID, and adminCount=1
 *
 * No search depends on the number of hosts or accounts; large OR filters replace per-object lookups.
 *
 * Membership is read from the member's side: `memberOf` of the groups (the nesting) and of the
 * accounts read. A group's own `member` list can hold every user of the domain ("All Staff"), which
 * AD returns 1500 values at a time (MaxValRange): reading it would cost a search per 1500 members
 * and transfer the whole membership of the domain, when the audit needs only the memberships of the
 * few accounts it reads. Group.members therefore lists nested groups and the accounts read.
 */
import { dnKey, parentDn } from '../ldap/dn.js';
import type { LdapEntry } from '../ldap/entry.js';
import { and, bitsAll, eq, type Filter, or, prefix, present } from '../ldap/filter.js';
import type { LdapSession } from '../ldap/connection.js';
import { sidToBuffer } from '../ldap/sid.js';
import { parseSpn, shortHostKey } from '../ldap/spn.js';
import { UAC } from '../ldap/uac.js';
import { DirectoryReadError } from '../errors.js';
import { ACCOUNT_ATTRIBUTES, readSid, toAccount } from './account.js';
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
}

const BINARY = ['objectSid'];
/** What the audit reads of each account: the model's attributes and the groups it is a direct member of. */
const READ_ATTRIBUTES = [...ACCOUNT_ATTRIBUTES, 'memberOf'];

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
  //    gives the nesting; their member lists are filled in from the memberOf of what is read.
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
  /** Records `entry` as a member of each security group in its memberOf; returns those groups' keys. */
  const link = (entry: LdapEntry): string[] => {
    const keys: string[] = [];
    for (const parent of entry.strings('memberOf')) {
      const key = dnKey(parent);
      const group = groups.get(key);
      if (group === undefined) continue;
      keys.push(key);
      let seen = memberKeys.get(key);
      if (seen === undefined) memberKeys.set(key, (seen = new Set()));
      const member = dnKey(entry.dn);
      if (seen.has(member)) continue;
      seen.add(member);
      group.members.push(entry.dn);
    }
    return keys;
  };
  for (const entry of groupResult.entries) link(entry);
  const graph = new MembershipGraph(groups, domainSid);

  // 4. Accounts with any delegation, a migration SPN, domain controllers, and explicitly named hosts.
  const accounts = new Map<string, Account>();
  const explicit = new Map<string, HostSource>();
  const inHostsGroup = new Set<string>();
  let hostsGroupKey: string | undefined;
  const add = (entries: LdapEntry[]): Account[] =>
    entries.map((entry) => {
      const account = toAccount(entry);
      accounts.set(dnKey(account.dn), account);
      const memberOf = link(entry);
      if (hostsGroupKey !== undefined && memberOf.includes(hostsGroupKey)) inHostsGroup.add(dnKey(account.dn));
      return account;
    });
  const explicitNames = options.hosts ?? [];
  let hostsGroupDn: string | undefined;
  if (options.hostsGroup !== undefined) {
    const group = groups.get(dnKey(options.hostsGroup));
    if (group === undefined) warnings.push(`--hosts-group ${options.hostsGroup}: no security group with that DN under ${baseDN}`);
    else [hostsGroupKey, hostsGroupDn] = [dnKey(group.dn), group.dn];
  }
  const delegationFilter = and([
    eq('objectClass', 'user'),
    or([
      prefix('servicePrincipalName', `${MIGRATION_SERVICE_CLASS}/`),
      present('msDS-AllowedToDelegateTo'),
      bitsAll('userAccountControl', UAC.TRUSTED_FOR_DELEGATION),
      bitsAll('userAccountControl', UAC.TRUSTED_TO_AUTH_FOR_DELEGATION),
      bitsAll('userAccountControl', UAC.SERVER_TRUST_ACCOUNT),
      bitsAll('userAccountControl', UAC.PARTIAL_SECRETS_ACCOUNT),
      ...explicitNames.flatMap(explicitHostFilter),
      // Direct members of --hosts-group (memberOf equality matches direct membership only).
      ...(hostsGroupDn === undefined ? [] : [eq('memberOf', hostsGroupDn)]),
    ]),
  ]);
  const delegating = await session.search({ base: baseDN, scope: 'sub', filter: delegationFilter, attributes: READ_ATTRIBUTES, binaryAttributes: BINARY, purpose: 'accounts with delegation and Hyper-V hosts' });
  references.push(...delegating.references);
  add(delegating.entries);
  let names = indexComputers(accounts.values());
  for (const name of explicitNames) {
    const key = name.trim().replace(/\$$/, '').toLowerCase();
    const account = names.get(key) ?? names.get(shortHostKey(key));
    if (account === undefined) warnings.push(`--host ${name}: no computer account with that name under ${baseDN}`);
    else explicit.set(dnKey(account.dn), 'explicit');
  }
  for (const key of inHostsGroup) {
    if (accounts.get(key)?.kind === 'computer') explicit.set(key, 'group');
  }

  // 5. Computers in the hosts OU.
  if (options.hostsOu !== undefined) {
    const ou = await session.search({ base: options.hostsOu, scope: 'sub', filter: eq('objectClass', 'computer'), attributes: READ_ATTRIBUTES, binaryAttributes: BINARY, purpose: `computers in --hosts-ou ${options.hostsOu}` });
    for (const account of add(ou.entries)) {
      if (!account.isDomainController) explicit.set(dnKey(account.dn), 'ou');
    }
    names = indexComputers(accounts.values());
  }

  // 6. Computers named by migration and cifs delegation entries but not read yet: one OR search.
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
  if (wanted.size > 0) {
    const referenced = await session.search({ base: baseDN, scope: 'sub', filter: and([eq('objectClass', 'computer'), or([...wanted.values()].flat())]), attributes: READ_ATTRIBUTES, binaryAttributes: BINARY, purpose: 'computers named by delegation entries' });
    add(referenced.entries);
    names = indexComputers(accounts.values());
  }
  const missingNames = new Set([...wanted.keys()].filter((key) => !names.has(key)));
  // 7. Privileged candidates: members of any group in a privileged closure, by memberOf (indexed in AD)
  //    and by primaryGroupID; the RID-500 account; adminCount=1 for stale-adminCount checks.
  const { roots, unknown } = privilegedRoots(graph, domainSid, options.privilegedGroups ?? []);
  for (const ref of unknown) warnings.push(`--privileged-group ${ref}: no security group with that DN or SID under ${baseDN}`);
  if (graph.groupKeyBySid(`${domainSid}-${RID.DOMAIN_ADMINS}`) === undefined) {
    warnings.push(`Domain Admins (${domainSid}-${RID.DOMAIN_ADMINS}) was not found under ${baseDN}: privileged account checks are incomplete`);
  }
  const protectedKey = graph.groupKeyBySid(`${domainSid}-${RID.PROTECTED_USERS}`);
  const closure = new Set<string>();
  for (const root of roots) for (const key of root.reach.keys()) closure.add(key);
  if (protectedKey !== undefined) for (const key of graph.reach(protectedKey).keys()) closure.add(key);
  const rids = new Set<number>();
  for (const root of roots) for (const rid of graph.domainRids(root.reach)) rids.add(rid);
  const privilegedFilter = and([
    eq('objectClass', 'user'),
    or([
      ...[...closure].map((key) => eq('memberOf', groups.get(key)!.dn)),
      ...[...rids].sort((a, b) => a - b).map((rid) => eq('primaryGroupID', String(rid))),
      eq('objectSid', sidToBuffer(`${domainSid}-${RID.ADMINISTRATOR}`)),
      eq('adminCount', '1'),
    ]),
  ]);
  const privileged = await session.search({ base: baseDN, scope: 'sub', filter: privilegedFilter, attributes: READ_ATTRIBUTES, binaryAttributes: BINARY, purpose: 'privileged accounts' });
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
  };
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
