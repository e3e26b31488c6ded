/**
 * The audit's query plan: a fixed handful of paged searches, whatever the size of the domain.
 *
 *   1. RootDSE                               naming contexts
 *   2. the domain object (base)              domain SID; read by 3 when the base is the domain head
 *   3. security groups                       their nesting (memberOf), computed in the client
 *   4. members of the privileged groups, Protected Users and --hosts-group (nested ones included)
 *   5. accounts with delegation, a migration SPN, DCs, explicitly named hosts, adminCount=1: two
 *      searches at once, the users and the machines (with trust accounts), by sAMAccountType
 *   6. computers in --hosts-ou               (only with --hosts-ou)
 *   7. computers named by migration and cifs entries that 5 and 6 did not return, by name (if any)
 *   8. the user-type members found in 4 that 5 and 6 did not return, by DN; primaryGroupID; RID 500;
 *      for the DG rules and the inventory, the holders of the other delegation targets not read yet,
 *      by SPN (and its sPNMappings form) or resource-based SID. 7 and 8 run side by side.
 *
 * No search depends on the number of hosts or accounts; large OR filters replace per-object lookups.
 * With the default base, 2 rides with 3 and 5 takes two searches: eight at most, as with 5 in one.
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
import { parentDn } from '../ldap/codecs/dn.js';
import { present } from '../ldap/filter.js';
import type { LdapSession } from '../ldap/session.js';
import { DirectoryReadError } from '../errors.js';
import { ACCOUNT_ATTRIBUTES } from './account.js';
import { discoverHosts } from './discover-hosts.js';
import type { Directory } from './model.js';
import { AccountReader } from './read-accounts.js';
import { readGroups } from './read-groups.js';
import { DEFAULT_SPN_MAPPINGS, parseSpnMappings } from './spn-mappings.js';

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

/** What the audit reads of each account. */
export const READ_ATTRIBUTES = ACCOUNT_ATTRIBUTES;

/**
 * Reads the directory. `openSide`, when given, opens a second connection to the same DC
 * (LdapSession.sibling) for the searches that do not wait for the accounts: the domain object, the
 * groups, their privileged members, sPNMappings and the machines' half of the accounts scan go there,
 * side by side with the users' half on `session`. Should it not open, everything goes on `session`.
 *
 * It is asked for once the users' search has gone out on `session`: Samba's prefork model gives each
 * connection to one of a few worker processes, each answering its connections one request at a time,
 * and a worker busy with that scan cannot take the new connection too (opened any earlier, both often
 * landed on one worker, which then answered the two halves one after the other).
 */
export async function readDirectory(
  session: LdapSession,
  options: ReadDirectoryOptions = {},
  openSide?: () => Promise<LdapSession | undefined>,
): Promise<Directory> {
  // 1. and 2.: the naming contexts and the domain SID.
  const rootDse = await session.rootDse(['defaultNamingContext', 'configurationNamingContext', 'dnsHostName']);
  const domainDN = rootDse.string('defaultNamingContext');
  if (domainDN === undefined) {
    throw new DirectoryReadError(`${session.url}: the RootDSE has no defaultNamingContext: is this an Active Directory domain controller?`);
  }
  const baseDN = options.baseDN ?? domainDN;
  const configurationDN = rootDse.string('configurationNamingContext');
  // Independent searches run at once on the connection (LDAP allows several outstanding operations):
  // the read takes about as long as its slowest chain, not the sum. Each stage keeps its own warnings
  // and references, joined in a fixed order, so the result does not depend on which answer came first.
  const groupWarnings: string[] = [];
  const groupReferences: string[] = [];
  const readerWarnings: string[] = [];
  const readerReferences: string[] = [];
  const mappingWarnings: string[] = [];
  const reader = new AccountReader(session, baseDN, readerWarnings, readerReferences);
  let opened: Promise<LdapSession> | undefined;
  const second = (): Promise<LdapSession> =>
    (opened ??= (async () => {
      // After this turn of the event loop: the users' search, sent in it, is on the wire.
      await new Promise((resolve) => setImmediate(resolve));
      return (await openSide?.()) ?? session;
    })());
  // 5. needs the hosts group's members (4) only with --hosts-group; otherwise it starts now, first.
  const delegating = options.hostsGroup === undefined ? reader.readDelegating(options.hosts ?? [], [], second) : undefined;
  const sidAndGroups = (async () => {
    const session = await second();
    // The groups search reads the domain head too when it is in its scope (the default base): one search less.
    const read = await readGroups({
      session,
      baseDN,
      domainDN,
      privilegedGroups: options.privilegedGroups ?? [],
      hostsGroup: options.hostsGroup,
      warnings: groupWarnings,
      references: groupReferences,
    });
    return { domainSid: read.domainSid, groups: read };
  })();
  //    AD's own sPNMappings say which classes the HOST/ SPN serves: read once, for the inventory only.
  const mappings = options.delegationTargets === true ? second().then((on) => readSpnMappings(on, configurationDN, mappingWarnings)) : undefined;
  const [{ domainSid, groups }, spnMappings] = await Promise.all([sidAndGroups, mappings, delegating]);
  if (delegating === undefined) await reader.readDelegating(options.hosts ?? [], groups.hostsGroupMembers, second);
  if (options.hostsOu !== undefined) await reader.readHostsOu(options.hostsOu);
  // 7. and 8. build their filters from what is read so far before either answer arrives.
  const referenced = reader.referenced(spnMappings);
  await Promise.all([reader.readReferenced(referenced), reader.readPrivileged(groups, domainSid, referenced, await second())]);
  const missingNames = reader.missingNames(referenced);
  const warnings = [...groupWarnings, ...readerWarnings, ...mappingWarnings];
  const references = [...groupReferences, ...readerReferences];

  return {
    url: session.url,
    dc: rootDse.string('dnsHostName') ?? session.dcName,
    baseDN,
    domainDN,
    dnsDomain: dnsDomainOf(domainDN),
    domainSid,
    configurationDN,
    accounts: reader.accounts,
    groups: groups.groups,
    references: [...new Set(references)],
    warnings,
    missingNames,
    hostSources: discoverHosts(reader.accounts, reader.explicit),
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
    if (error instanceof DirectoryReadError && error.message.includes('does not exist')) return fallback(`not read: ${base} does not exist`);
    throw error;
  }
  return values.length === 0 ? fallback(`are empty on ${base}`) : parseSpnMappings(values);
}

/** `DC=corp,DC=example,DC=com` → `corp.example.com`. */
function dnsDomainOf(domainDN: string): string {
  const labels: string[] = [];
  let dn = domainDN;
  while (dn !== '') {
    const match = /^\s*dc\s*=\s*([^,]+)/i.exec(dn);
    if (match) labels.push(match[1]!.trim());
    dn = parentDn(dn);
  }
  return labels.join('.').toLowerCase();
}
