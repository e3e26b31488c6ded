import { Attribute, type BerReader, type Filter } from 'ldapts';

import { invalidDnSyntax, type LdapResult, noSuchObject } from './ad-diagnostics.js';
import type { Directory, Entry } from './directory.js';
import { isWithin, parseDn } from './dn.js';
import { readFilter, SID_ATTRIBUTES } from './filter.js';
import type { LdifAttribute } from './ldif.js';
import { sidToBuffer } from './sid.js';

/** The fields of a SearchRequest the mock uses, attribute names as sent. */
export interface SearchParameters {
  baseDN: string;
  scope: 'base' | 'one' | 'sub' | 'children';
  sizeLimit: number;
  typesOnly: boolean;
  filter: Filter;
  attributes: string[];
}

const SCOPES = ['base', 'one', 'sub', 'children'] as const;

/** Decodes a SearchRequest body. ldapts's SearchRequest.parseMessage lowercases attribute names and loses binary filter values. */
export function readSearchRequest(body: BerReader): SearchParameters {
  const baseDN = body.readString() ?? '';
  const scope = SCOPES[body.readEnumeration() ?? -1];
  if (!scope) throw new Error('invalid search scope');
  body.readEnumeration(); // derefAliases: AD has no aliases.
  const sizeLimit = body.readInt() ?? 0;
  body.readInt(); // timeLimit: every search here is instant.
  const typesOnly = body.readBoolean() ?? false;
  const filter = readFilter(body);
  const attributes: string[] = [];
  if (body.readSequence(0x30) !== null) {
    const end = body.offset + body.length;
    while (body.offset < end) attributes.push(body.readString() ?? '');
  }
  return { baseDN, scope, sizeLimit, typesOnly, filter, attributes };
}

/** What the directory needs to know about naming contexts. */
export interface NamingContexts {
  dnsDomain: string;
  /** DNs of the naming context roots: the domain, configuration and schema NCs. */
  roots: string[];
}

/** Entries in scope that match, and continuation references to subordinate naming contexts. */
export interface SearchHits {
  entries: Entry[];
  references: string[];
}

/**
 * Finds the entries a search returns. Like AD, a search never crosses into a subordinate naming
 * context: a subtree search of the domain skips CN=Configuration and its children and returns a
 * continuation reference `ldap[s]://<dnsDomain>/CN=Configuration,...` instead (the client's scheme).
 */
export function findEntries(
  directory: Directory,
  contexts: NamingContexts,
  search: SearchParameters,
  matches: (entry: Entry) => boolean,
  scheme: 'ldap' | 'ldaps' = 'ldap',
): SearchHits | LdapResult {
  let baseRdns: string[];
  try {
    baseRdns = parseDn(search.baseDN);
  } catch {
    return invalidDnSyntax(search.baseDN);
  }
  const base = directory.find(search.baseDN);
  if (!base) return noSuchObject(directory.matchedDn(search.baseDN));
  const roots = contexts.roots.map((root) => directory.find(root)).filter((root): root is Entry => root !== undefined);
  const contextOf = (rdns: readonly string[]): Entry | undefined =>
    roots.filter((root) => isWithin(rdns, root.rdns)).sort((left, right) => right.rdns.length - left.rdns.length)[0];
  const baseContext = contextOf(baseRdns);
  const depth = (entry: Entry): number => entry.rdns.length - baseRdns.length;
  const inScope = (entry: Entry): boolean => {
    if (!isWithin(entry.rdns, baseRdns)) return false;
    if (search.scope === 'base') return depth(entry) === 0;
    if (search.scope === 'one') return depth(entry) === 1;
    return search.scope === 'sub' || depth(entry) > 0;
  };
  const entries = [...directory.entries()].filter((entry) => inScope(entry) && contextOf(entry.rdns) === baseContext && matches(entry));
  const references = roots
    .filter((root) => root !== baseContext && search.scope !== 'base' && inScope(root) && contextOf(root.rdns.slice(1)) === baseContext)
    .map((root) => `${scheme}://${contexts.dnsDomain}/${root.dn}`);
  return { entries, references };
}

/**
 * The attributes returned for an entry: none or `*` for all user attributes, `1.1` for none,
 * otherwise the requested ones (case-insensitive) in the stored casing. SIDs are served binary.
 */
export function projectEntry(attributes: readonly LdifAttribute[], requested: readonly string[], typesOnly: boolean): Attribute[] {
  const wanted = new Set(requested.map((name) => name.toLowerCase()));
  const all = wanted.size === 0 || wanted.has('*');
  return attributes
    .filter((attribute) => all || wanted.has(attribute.name.toLowerCase()))
    .map((attribute) => new Attribute({ type: attribute.name, values: typesOnly ? [] : serveValues(attribute) }));
}

function serveValues(attribute: LdifAttribute): Buffer[] | string[] {
  if (!SID_ATTRIBUTES.has(attribute.name.toLowerCase())) return attribute.values;
  try {
    return attribute.values.map(sidToBuffer);
  } catch {
    return attribute.values;
  }
}

/** Identity of the simulated domain controller. */
export interface DomainControllerInfo {
  domainDn: string;
  dnsDomain: string;
  /** Supported control OIDs. */
  controls: string[];
  /** Supported extended operation OIDs. */
  extensions: string[];
}

/** The RootDSE of a Windows Server 2016 (functional level 7) domain controller named DC01. */
export function rootDse(info: DomainControllerInfo): LdifAttribute[] {
  const configuration = `CN=Configuration,${info.domainDn}`;
  const server = `CN=DC01,CN=Servers,CN=Default-First-Site-Name,CN=Sites,${configuration}`;
  const now = new Date().toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, '.0Z');
  const dse: Record<string, string[]> = {
    currentTime: [now],
    subschemaSubentry: [`CN=Aggregate,CN=Schema,${configuration}`],
    dsServiceName: [`CN=NTDS Settings,${server}`],
    namingContexts: [info.domainDn, configuration, `CN=Schema,${configuration}`],
    defaultNamingContext: [info.domainDn],
    rootDomainNamingContext: [info.domainDn],
    configurationNamingContext: [configuration],
    schemaNamingContext: [`CN=Schema,${configuration}`],
    serverName: [server],
    // LDAP_CAP_ACTIVE_DIRECTORY, _V51, _LDAP_INTEG, _V61, _V61_R2, _W8: how clients recognise AD and its version.
    supportedCapabilities: ['800', '1670', '1791', '1935', '2080', '2237'].map((suffix) => `1.2.840.113556.1.4.${suffix}`),
    supportedControl: info.controls,
    supportedExtension: info.extensions,
    supportedLDAPVersion: ['3', '2'],
    dnsHostName: [`dc01.${info.dnsDomain}`],
    ldapServiceName: [`${info.dnsDomain}:dc01$@${info.dnsDomain.toUpperCase()}`],
    isSynchronized: ['TRUE'],
    isGlobalCatalogReady: ['TRUE'],
    domainFunctionality: ['7'],
    forestFunctionality: ['7'],
    domainControllerFunctionality: ['7'],
  };
  return Object.entries(dse).map(([name, values]) => ({ name, values }));
}
