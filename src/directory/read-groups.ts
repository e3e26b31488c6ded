/**
 * Searches 2 to 4 of the query plan (read-directory.ts): the domain head for its SID (read by the
 * groups search when the base is the head), the security groups with their nesting, then the member
 * lists of the few groups the rules need.
 */
import { GROUP_TYPE } from '../ldap/codecs/group-type.js';
import { dnKey } from '../ldap/codecs/dn.js';
import { and, bitsAll, eq, or, present } from '../ldap/filter.js';
import type { LdapEntry } from '../ldap/entry.js';
import type { LdapSession } from '../ldap/session.js';
import { readSid } from './account.js';
import { MembershipGraph } from './membership.js';
import type { Group } from './model.js';
import { privilegedRoots, type PrivilegedRoot } from './privileged.js';
import { RID } from './well-known.js';
import { DirectoryReadError } from '../errors.js';

/** What the group searches found, for the account searches that follow. */
export interface GroupsRead {
  /** The domain SID, from the domain head. */
  domainSid: string;
  groups: Map<string, Group>;
  graph: MembershipGraph;
  /** The privileged groups, each with the groups that nest in it. */
  roots: PrivilegedRoot[];
  /** dnKeys of every group in a privileged closure or in Protected Users'. */
  closure: Set<string>;
  /** The non-group members of --hosts-group, by DN. */
  hostsGroupMembers: string[];
  isGroup(dn: string): boolean;
}

export interface GroupSearchOptions {
  session: LdapSession;
  baseDN: string;
  /**
   * The domain head, whose objectSid is the domain SID. When `baseDN` is the head (the default), the
   * groups search reads it too; below the head, one base search reads it first.
   */
  domainDN: string;
  privilegedGroups: readonly string[];
  hostsGroup: string | undefined;
  warnings: string[];
  references: string[];
}

/** Group members without duplicates, in the order found. */
class MemberLists {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly groups: Map<string, Group>) {}

  add(groupKey: string, memberDn: string): void {
    const group = this.groups.get(groupKey);
    if (group === undefined) return;
    let seen = this.seen.get(groupKey);
    if (seen === undefined) this.seen.set(groupKey, (seen = new Set()));
    const member = dnKey(memberDn);
    if (seen.has(member)) return;
    seen.add(member);
    group.members.push(memberDn);
  }
}

export async function readGroups(options: GroupSearchOptions): Promise<GroupsRead> {
  const { session, baseDN, domainDN, warnings } = options;
  // 3. Security groups: only they carry privilege and Protected Users membership. Their memberOf
  //    gives the nesting, without reading member lists that can hold the whole domain.
  const securityGroups = and([eq('objectClass', 'group'), bitsAll('groupType', GROUP_TYPE.SECURITY_ENABLED)]);
  const withHead = dnKey(baseDN) === dnKey(domainDN);
  const readApart = withHead ? undefined : await readDomainHead(session, domainDN);
  const groupResult = await session.search({
    base: baseDN,
    scope: 'sub',
    filter: withHead ? or([securityGroups, eq('distinguishedName', domainDN)]) : securityGroups,
    attributes: ['objectSid', 'sAMAccountName', 'memberOf'],
    binaryAttributes: ['objectSid'],
    purpose: withHead ? 'the domain object and the security groups' : 'security groups',
  });
  options.references.push(...groupResult.references);
  const headKey = dnKey(domainDN);
  const found = withHead ? groupResult.entries.find((entry) => dnKey(entry.dn) === headKey) : undefined;
  const head = found ?? readApart;
  const domainSid = head === undefined ? undefined : readSid(head);
  if (domainSid === undefined) throw new DirectoryReadError(`${session.url}: ${domainDN} has no objectSid: is this an Active Directory domain?`);
  const groupEntries = found === undefined ? groupResult.entries : groupResult.entries.filter((entry) => entry !== found);
  const groups = new Map<string, Group>();
  for (const entry of groupEntries) {
    groups.set(dnKey(entry.dn), { dn: entry.dn, sid: readSid(entry), sAMAccountName: entry.string('sAMAccountName') ?? entry.dn, members: [] });
  }
  const members = new MemberLists(groups);
  for (const entry of groupEntries) for (const parent of entry.strings('memberOf')) members.add(dnKey(parent), entry.dn);
  const graph = new MembershipGraph(groups, domainSid);

  // 4. The member lists the rules need: every group in a privileged closure or in Protected Users'
  //    (PA001-PA004, HV009), and --hosts-group. One OR of DNs; AD returns long lists by range.
  const { roots, unknown } = privilegedRoots(graph, domainSid, options.privilegedGroups);
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
    for (const entry of memberLists.entries) for (const member of entry.strings('member')) members.add(dnKey(entry.dn), member);
  }
  const isGroup = (dn: string): boolean => groups.has(dnKey(dn));
  const hostsGroupMembers = hostsGroupKey === undefined ? [] : groups.get(hostsGroupKey)!.members.filter((dn) => !isGroup(dn));
  return { domainSid, groups, graph, roots, closure, hostsGroupMembers, isGroup };
}

/** The domain head alone (a base search), when the groups search cannot read it: a base below it. */
async function readDomainHead(session: LdapSession, domainDN: string): Promise<LdapEntry | undefined> {
  const result = await session.search({
    base: domainDN,
    scope: 'base',
    filter: present('objectClass'),
    attributes: ['objectSid'],
    binaryAttributes: ['objectSid'],
    purpose: 'the domain object',
  });
  return result.entries[0];
}
