/**
 * Searches 5 to 8 of the query plan (read-directory.ts): the accounts the rules look at.
 */
import { dnKey } from '../ldap/codecs/dn.js';
import { sidToBuffer } from '../ldap/codecs/sid.js';
import { hasServiceClass, parseSpn, shortHostKey } from '../ldap/codecs/spn.js';
import { UAC } from '../ldap/codecs/uac.js';
import { and, bitsAll, eq, type Filter, or, prefix, present } from '../ldap/filter.js';
import type { LdapSession } from '../ldap/session.js';
import { SD_FLAGS_DACL } from '../ldap/sd-flags-control.js';
import { withoutDollar } from '../text/names.js';
import { ACCOUNT_ATTRIBUTES, RBCD_ATTRIBUTE, toAccount } from './account.js';
import { indexComputers } from './discover-hosts.js';
import type { Account, HostSource } from './model.js';
import type { GroupsRead } from './read-groups.js';
import { mappedSpn } from './spn-mappings.js';
import { CIFS_SERVICE_CLASS, MIGRATION_CLASS_KEY, MIGRATION_SERVICE_CLASS, RID, SAM_ACCOUNT_TYPE } from './well-known.js';

export const BINARY_ATTRIBUTES = ['objectSid', RBCD_ATTRIBUTE];

/** The accounts read so far, by dnKey, and the searches that add to them. */
export class AccountReader {
  readonly accounts = new Map<string, Account>();
  /** Hosts the admin named (--host, --hosts-ou, --hosts-group), by dnKey. */
  readonly explicit = new Map<string, HostSource>();
  private index: Map<string, Account> | undefined;
  /**
   * Every distinct msDS-AllowedToDelegateTo value of the accounts read, noted as each page arrives
   * (while the server sends the next): the 16 peers of a migration group name the same targets.
   */
  private readonly delegationEntries = new Set<string>();

  /** Computers by name (short, sAMAccountName, DNS), rebuilt only after a search added accounts. */
  get names(): Map<string, Account> {
    this.index ??= indexComputers(this.accounts.values());
    return this.index;
  }

  constructor(
    private readonly session: LdapSession,
    private readonly baseDN: string,
    private readonly warnings: string[],
    private readonly references: string[],
  ) {}

  /** One search of accounts, every attribute the model needs; the accounts found join the others. */
  async search(base: string, filter: Filter, purpose: string, keepReferences = false, session = this.session): Promise<Account[]> {
    const found = await this.find(base, filter, purpose, session);
    this.join(found, keepReferences);
    return found.accounts;
  }

  /** The accounts found join the others, in the order given (and the references, when kept). */
  private join(found: Found, keepReferences: boolean): void {
    for (const account of found.accounts) this.accounts.set(dnKey(account.dn), account);
    if (keepReferences) this.references.push(...found.references);
    this.index = undefined;
  }

  /** One search of accounts, every attribute the model needs; the caller joins them (join). */
  private async find(base: string, filter: Filter, purpose: string, session: LdapSession): Promise<Found> {
    // Each account is made as its page arrives (while the server sends the next), and joins the others
    // in the order of the result once the search is done.
    const found: Account[] = [];
    const result = await session.search({
      base,
      scope: 'sub',
      filter,
      attributes: ACCOUNT_ATTRIBUTES,
      binaryAttributes: BINARY_ATTRIBUTES,
      sdFlags: SD_FLAGS_DACL,
      purpose,
      onEntry: (entry, index) => {
        const account = toAccount(entry);
        found[index] = account;
        for (const value of account.allowedToDelegateTo) this.delegationEntries.add(value);
      },
    });
    return { accounts: found, references: result.references };
  }

  /**
   * 5. Accounts with any delegation, a migration SPN, domain controllers, explicitly named hosts, and
   *    adminCount=1 (for PA004): a scan of the accounts, which the delegation bits need anyway. The
   *    server tests every account against the bits, so the scan is taken apart by sAMAccountType
   *    (indexed): the users on this connection, the machines and trust accounts on `side` (a second
   *    connection to the same DC) at the same time. AD's SAM gives every user-class object one of the
   *    three types, so the two searches return what one `(objectClass=user)` search would. On the
   *    benchmark's large Samba domain (TDB), 1.3 s in one search; 0.95 s and 0.38 s apart.
   *    The accounts join the others users first, whichever answer comes first.
   */
  async readDelegating(
    explicitNames: readonly string[],
    hostsGroupMembers: readonly string[],
    side: () => LdapSession | Promise<LdapSession> = () => this.session,
  ): Promise<void> {
    const wanted = or([
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
    ]);
    const ofType = (...types: number[]): Filter =>
      and([
        eq('objectClass', 'user'),
        types.length === 1 ? eq('sAMAccountType', String(types[0])) : or(types.map((t) => eq('sAMAccountType', String(t)))),
        wanted,
      ]);
    const [users, machines] = await Promise.all([
      this.find(this.baseDN, ofType(SAM_ACCOUNT_TYPE.USER), 'accounts with delegation and Hyper-V hosts: users', this.session),
      (async () =>
        this.find(
          this.baseDN,
          ofType(SAM_ACCOUNT_TYPE.MACHINE, SAM_ACCOUNT_TYPE.TRUST),
          'accounts with delegation and Hyper-V hosts: machines and trusts',
          await side(),
        ))(),
    ]);
    this.join(users, true);
    this.join(machines, true);
    for (const name of explicitNames) {
      const key = withoutDollar(name.trim()).toLowerCase();
      const account = this.names.get(key) ?? this.names.get(shortHostKey(key));
      if (account === undefined) this.warnings.push(`--host ${name}: no computer account with that name under ${this.baseDN}`);
      else this.explicit.set(dnKey(account.dn), 'explicit');
    }
    for (const dn of hostsGroupMembers) {
      if (this.accounts.get(dnKey(dn))?.kind === 'computer') this.explicit.set(dnKey(dn), 'group');
    }
  }

  /** 6. Computers in the hosts OU. */
  async readHostsOu(hostsOu: string): Promise<void> {
    for (const account of await this.search(hostsOu, eq('objectClass', 'computer'), `computers in --hosts-ou ${hostsOu}`)) {
      if (!account.isDomainController) this.explicit.set(dnKey(account.dn), 'ou');
    }
  }

  /**
   * What 7 and 8 look for beyond their own terms, from the accounts read so far: the computers named
   * by migration and cifs delegation entries but not read yet, by name; with sPNMappings
   * (delegationTargets), the holder of every other target SPN (or of the HOST/ SPN that serves it)
   * and every resource-based principal, by SID.
   */
  referenced(spnMappings: ReadonlyMap<string, string> | undefined): Referenced {
    // This runs between the accounts search and the next two: each distinct entry once.
    const entries = this.delegationEntries;
    const wanted = new Map<string, Filter[]>();
    for (const entry of entries) {
      const spn = hasServiceClass(entry, MIGRATION_CLASS_KEY) || hasServiceClass(entry, CIFS_SERVICE_CLASS) ? parseSpn(entry) : undefined;
      if (spn === undefined) continue;
      const key = spn.host.toLowerCase();
      if (this.names.has(key) || wanted.has(key)) continue;
      wanted.set(key, key.includes('.') ? [eq('dNSHostName', spn.host)] : [eq('sAMAccountName', `${spn.host}$`)]);
    }
    return { wanted, targets: spnMappings === undefined ? [] : targetFilters(this.accounts.values(), entries, spnMappings) };
  }

  /**
   * 7. The computers `referenced` names, by name: one OR search. Their names are not all indexed
   *    (dNSHostName is not, on AD either), so the server tests every computer against this OR; the
   *    target SPNs and SIDs, all indexed, ride with 8 instead, which runs beside it on the second
   *    connection. At the benchmark's large size on Samba (lmdb), one search of both took 0.6-0.9 s;
   *    apart and side by side, 0.11 s and 0.13 s.
   */
  async readReferenced({ wanted }: Referenced): Promise<void> {
    if (wanted.size === 0) return;
    await this.search(this.baseDN, and([eq('objectClass', 'computer'), or([...wanted.values()].flat())]), 'computers named by delegation entries');
  }

  /** The names `referenced` looked for that no computer answers to. */
  missingNames({ wanted }: Referenced): Set<string> {
    return new Set([...wanted.keys()].filter((key) => !this.names.has(key)));
  }

  /**
   * 8. Privileged candidates not read yet: the members found in 4 (by DN: an indexed lookup each),
   *    accounts whose primaryGroupID is a privileged group (never visible in member), RID 500; and
   *    the delegation targets `referenced` looks for by SPN or SID. On `session` when given (a second
   *    connection to the same DC), else the reader's.
   */
  async readPrivileged(read: GroupsRead, domainSid: string, { targets }: Referenced, session = this.session): Promise<void> {
    const unread = new Set<string>();
    for (const key of read.closure) {
      for (const dn of read.groups.get(key)!.members) if (!read.isGroup(dn) && !this.accounts.has(dnKey(dn))) unread.add(dn);
    }
    const rids = new Set<number>();
    for (const root of read.roots) for (const rid of read.graph.domainRids(root.reach)) rids.add(rid);
    const privileged = and([
      eq('objectClass', 'user'),
      or([
        ...[...unread].map((dn) => eq('distinguishedName', dn)),
        ...[...rids].sort((a, b) => a - b).map((rid) => eq('primaryGroupID', String(rid))),
        eq('objectSid', sidToBuffer(`${domainSid}-${RID.ADMINISTRATOR}`)),
      ]),
    ]);
    const filter = targets.length === 0 ? privileged : or([privileged, ...targets]);
    await this.search(this.baseDN, filter, targets.length === 0 ? 'privileged accounts' : 'privileged accounts and delegation targets', false, session);
  }
}

/** The accounts one search found, and the continuation references it returned. */
interface Found {
  accounts: Account[];
  references: string[];
}

/** What searches 7 and 8 look for beyond their own terms (AccountReader.referenced). */
export interface Referenced {
  /** Computers by the name a delegation entry gives (lower case), with the filter terms that find them. */
  wanted: Map<string, Filter[]>;
  /** Equality filters for the target SPNs and resource-based SIDs no account read holds. */
  targets: Filter[];
}

function explicitHostFilter(name: string): Filter[] {
  const trimmed = withoutDollar(name.trim());
  const short = trimmed.includes('.') ? trimmed.slice(0, trimmed.indexOf('.')) : trimmed;
  const parts: Filter[] = [eq('sAMAccountName', `${short}$`)];
  if (trimmed.includes('.')) parts.push(eq('dNSHostName', trimmed));
  return parts;
}

/** Equality filters for the delegation targets that no account read holds: SPNs (and their sPNMappings form) and RBCD SIDs. */
function targetFilters(read: Iterable<Account>, entries: ReadonlySet<string>, mappings: ReadonlyMap<string, string>): Filter[] {
  const accounts = [...read];
  const held = new Set<string>();
  const sids = new Set<string>();
  for (const account of accounts) {
    for (const spn of account.servicePrincipalNames) held.add(spn.toLowerCase());
    if (account.sid !== undefined) sids.add(account.sid.toUpperCase());
  }
  const spns = new Map<string, string>();
  const wantedSids = new Map<string, string>();
  for (const entry of entries) {
    const trimmed = entry.trim();
    const key = trimmed.toLowerCase();
    if (held.has(key) || spns.has(key)) continue;
    const mapped = mappedSpn(trimmed, mappings);
    if (mapped !== undefined && held.has(mapped.toLowerCase())) continue;
    spns.set(key, trimmed);
    if (mapped !== undefined) spns.set(mapped.toLowerCase(), mapped);
  }
  for (const account of accounts) {
    for (const sid of account.allowedToActOnBehalfOf ?? []) if (!sids.has(sid.toUpperCase())) wantedSids.set(sid.toUpperCase(), sid);
  }
  return [...[...spns.values()].map((spn) => eq('servicePrincipalName', spn)), ...[...wantedSids.values()].map((sid) => eq('objectSid', sidToBuffer(sid)))];
}
