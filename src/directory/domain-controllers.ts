/**
 * The domain's DCs as the directory itself lists them, and each DC's view of the delegation
 * attributes: what replication verification and `audit --compare-dcs` read.
 */
import { DirectoryReadError } from '../errors.js';
import { dnKey, parentDn, parseDn } from '../ldap/codecs/dn.js';
import { spnKey } from '../ldap/codecs/spn.js';
import { decodeUac, UAC } from '../ldap/codecs/uac.js';
import { bitsAll, eq, or, present } from '../ldap/filter.js';
import type { LdapSession } from '../ldap/session.js';
import { toAccount } from './account.js';
import type { Account } from './model.js';
import { BINARY_ATTRIBUTES } from './read-accounts.js';

/** The userAccountControl bits that say how an account delegates or may be delegated. */
const DELEGATION_BITS = (UAC.TRUSTED_FOR_DELEGATION | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION | UAC.NOT_DELEGATED) >>> 0;

export interface DomainController {
  /** dNSHostName of the server object. */
  name: string;
  /** The server object under CN=Sites. */
  serverDN: string;
  site: string;
}

/** The naming contexts the RootDSE names. */
async function namingContexts(session: LdapSession): Promise<{ configuration: string; domain: string }> {
  const rootDse = await session.rootDse(['configurationNamingContext', 'defaultNamingContext']);
  const configuration = rootDse.string('configurationNamingContext');
  const domain = rootDse.string('defaultNamingContext');
  if (configuration === undefined || domain === undefined)
    throw new DirectoryReadError(`${session.url}: the RootDSE names no configuration or domain naming context`);
  return { configuration, domain };
}

/** Where an NTDS Settings object says its DC holds naming contexts (writable, or an RODC's full replicas). */
const NC_ATTRIBUTES = ['hasMasterNCs', 'msDS-hasMasterNCs', 'msDS-hasFullReplicaNCs'];

/**
 * The DCs that hold this domain: the server objects under CN=Sites with an nTDSDSA child (NTDS
 * Settings) that holds the domain's naming context (a forest's other domains' DCs are left out),
 * with their dNSHostName. One search (and the RootDSE).
 */
export async function listDomainControllers(session: LdapSession): Promise<DomainController[]> {
  const { configuration, domain } = await namingContexts(session);
  const base = `CN=Sites,${configuration}`;
  const { entries } = await session.search({
    base,
    scope: 'sub',
    filter: or([eq('objectClass', 'server'), eq('objectClass', 'nTDSDSA')]),
    attributes: ['objectClass', 'dNSHostName', ...NC_ATTRIBUTES],
    purpose: `the domain controllers (${base})`,
  });
  const isDsa = (classes: string[]): boolean => classes.some((c) => c.toLowerCase() === 'ntdsdsa');
  const holdsDomain = (dsa: (typeof entries)[number]): boolean => {
    const held = NC_ATTRIBUTES.flatMap((a) => dsa.strings(a));
    return held.length === 0 || held.some((nc) => dnKey(nc) === dnKey(domain));
  };
  const withDsa = new Set(entries.filter((e) => isDsa(e.strings('objectClass')) && holdsDomain(e)).map((e) => dnKey(parentDn(e.dn))));
  return entries
    .filter((e) => !isDsa(e.strings('objectClass')) && withDsa.has(dnKey(e.dn)))
    .flatMap((e) => {
      const name = e.string('dNSHostName');
      return name === undefined ? [] : [{ name, serverDN: e.dn, site: siteOf(e.dn) }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** CN=DC01,CN=Servers,CN=<site>,CN=Sites,…: the site's name. */
function siteOf(serverDN: string): string {
  return parseDn(serverDN)[2]?.value ?? '';
}

/** The PDC emulator's name: the domain head's fSMORoleOwner (an NTDS Settings DN), its server's dNSHostName. */
export async function pdcEmulator(session: LdapSession): Promise<string> {
  const { domain: domainDN } = await namingContexts(session);
  const head = await session.search({
    base: domainDN,
    scope: 'base',
    filter: present('objectClass'),
    attributes: ['fSMORoleOwner'],
    purpose: 'the PDC emulator role',
  });
  const owner = head.entries[0]?.string('fSMORoleOwner');
  if (owner === undefined) throw new DirectoryReadError(`${session.url}: ${domainDN} has no fSMORoleOwner: cannot tell the PDC emulator`);
  const server = await session.search({
    base: parentDn(owner),
    scope: 'base',
    filter: present('objectClass'),
    attributes: ['dNSHostName'],
    purpose: 'the PDC emulator',
  });
  const name = server.entries[0]?.string('dNSHostName');
  if (name === undefined) throw new DirectoryReadError(`${session.url}: the PDC emulator's server object ${parentDn(owner)} has no dNSHostName`);
  return name;
}

/** One account's delegation as one DC holds it: comparable across DCs. */
export interface DelegationState {
  dn: string;
  sAMAccountName: string;
  /** The account as this DC returned it (for a finding's subject). */
  account: Account;
  /** userAccountControl & DELEGATION_BITS. */
  bits: number;
  /** Those bits by name (TRUSTED_TO_AUTH_FOR_DELEGATION, …). */
  flags: string[];
  /** msDS-AllowedToDelegateTo, sorted as spnKey. */
  allowedToDelegateTo: string[];
  /** The SIDs msDS-AllowedToActOnBehalfOfOtherIdentity allows, sorted. */
  allowedToActOnBehalfOf: string[];
}

/**
 * Every account with a delegation attribute or bit set (or just the accounts `only` names), as this DC
 * holds it: one search, whatever the number of hosts. Keyed by dnKey; an account absent from the map has no delegation on this DC.
 */
export async function readDelegationStates(session: LdapSession, baseDN: string, only?: readonly string[]): Promise<Map<string, DelegationState>> {
  const { entries } = await session.search({
    base: baseDN,
    scope: 'sub',
    // `only`: these accounts (an OR of their DNs), whatever they hold; else every account that delegates.
    filter:
      only !== undefined
        ? or(only.map((dn) => eq('distinguishedName', dn)))
        : or([
            present('msDS-AllowedToDelegateTo'),
            present('msDS-AllowedToActOnBehalfOfOtherIdentity'),
            bitsAll('userAccountControl', UAC.TRUSTED_FOR_DELEGATION),
            bitsAll('userAccountControl', UAC.TRUSTED_TO_AUTH_FOR_DELEGATION),
            bitsAll('userAccountControl', UAC.NOT_DELEGATED),
          ]),
    attributes: ['objectClass', 'objectSid', 'sAMAccountName', 'userAccountControl', 'msDS-AllowedToDelegateTo', 'msDS-AllowedToActOnBehalfOfOtherIdentity'],
    binaryAttributes: BINARY_ATTRIBUTES,
    sdFlags: 4,
    purpose: 'the delegation attributes, for comparing DCs',
  });
  const states = new Map<string, DelegationState>();
  for (const entry of entries) {
    const account = toAccount(entry);
    states.set(dnKey(account.dn), {
      dn: account.dn,
      sAMAccountName: account.sAMAccountName,
      account,
      bits: (account.userAccountControl & DELEGATION_BITS) >>> 0,
      flags: decodeUac((account.userAccountControl & DELEGATION_BITS) >>> 0),
      allowedToDelegateTo: [...new Set(account.allowedToDelegateTo.map(spnKey))].sort(),
      allowedToActOnBehalfOf: [...(account.allowedToActOnBehalfOf ?? [])].sort(),
    });
  }
  return states;
}

/** Whether two DCs hold the same delegation for an account (undefined: none at all). */
export function sameDelegation(a: DelegationState | undefined, b: DelegationState | undefined): boolean {
  const of = (s: DelegationState | undefined): string =>
    s === undefined ? '0||' : `${s.bits}|${s.allowedToDelegateTo.join(',')}|${s.allowedToActOnBehalfOf.join(',')}`;
  return of(a) === of(b);
}

/** What `audit --compare-dcs` found: which DCs answered, and the accounts they disagree on. */
export interface DcComparison {
  dcs: Array<{ dc: string; reachable: boolean; error?: string }>;
  differences: Array<{ dn: string; account: Account; byDc: Array<{ dc: string; state: DelegationState | undefined }> }>;
}

/** The accounts whose delegation is not the same on every DC that answered. */
export function compareStates(byDc: ReadonlyArray<{ dc: string; states: Map<string, DelegationState> }>): DcComparison['differences'] {
  const keys = new Set(byDc.flatMap(({ states }) => [...states.keys()]));
  const differences: DcComparison['differences'] = [];
  for (const key of keys) {
    const views = byDc.map(({ dc, states }) => ({ dc, state: states.get(key) }));
    if (views.every((view) => sameDelegation(view.state, views[0]?.state))) continue;
    const known = views.find((view) => view.state !== undefined)!.state!;
    differences.push({ dn: known.dn, account: known.account, byDc: views });
  }
  return differences.sort((a, b) => a.account.sAMAccountName.localeCompare(b.account.sAMAccountName));
}
