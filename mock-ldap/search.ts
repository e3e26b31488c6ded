import { Attribute, type BerReader, type Filter } from 'ldapts';

import { invalidDnSyntax, type LdapResult, noSuchObject } from './ad-diagnostics.js';
import type { Directory, Entry } from './directory.js';
import { isWithin, parseDn } from './dn.js';
import { readFilter, SID_ATTRIBUTES } from './filter.js';
import { BINARY_ATTRIBUTES, type LdifAttribute } from './ldif.js';
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
 * Finds the entries a search returns (`candidates`, when given, are the only ones that can match:
 * see candidateEntries). Like AD, a search never crosses into a subordinate naming
 * context: a subtree search of the domain skips CN=Configuration and its children and returns a
 * continuation reference `ldap[s]://<dnsDomain>/CN=Configuration,...` instead (the client's scheme).
 */
export function findEntries(
  directory: Directory,
  contexts: NamingContexts,
  search: SearchParameters,
  matches: (entry: Entry) => boolean,
  scheme: 'ldap' | 'ldaps' = 'ldap',
  candidates?: readonly Entry[],
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
  // An entry belongs to the base's naming context unless a context nested in it holds the entry:
  // worked out once per search, not per entry (a subtree search of the domain visits every object).
  const nested = roots.filter((root) => root !== baseContext && (baseContext === undefined || isWithin(root.rdns, baseContext.rdns)));
  const inBaseContext = (entry: Entry): boolean =>
    (baseContext === undefined || isWithin(entry.rdns, baseContext.rdns)) && !nested.some((root) => isWithin(entry.rdns, root.rdns));
  const depth = (entry: Entry): number => entry.rdns.length - baseRdns.length;
  const inScope = (entry: Entry): boolean => {
    if (!isWithin(entry.rdns, baseRdns)) return false;
    if (search.scope === 'base') return depth(entry) === 0;
    if (search.scope === 'one') return depth(entry) === 1;
    return search.scope === 'sub' || depth(entry) > 0;
  };
  const entries: Entry[] = [];
  // A base search looks at one object; an indexed filter at its candidates (in directory order); the rest scan.
  const visit = search.scope === 'base' ? [base] : (candidates ?? directory.entries());
  for (const entry of visit) if (inScope(entry) && inBaseContext(entry) && matches(entry)) entries.push(entry);
  const references = roots
    .filter((root) => root !== baseContext && search.scope !== 'base' && inScope(root) && contextOf(root.rdns.slice(1)) === baseContext)
    .map((root) => `${scheme}://${contexts.dnsDomain}/${root.dn}`);
  return { entries, references };
}

/** AD's MaxValRange: a search returns at most this many values of one attribute per entry. */
export const AD_MAX_VAL_RANGE = 1500;

/** An attribute as requested: its name, and the `;range=low-high` option when one was given. */
interface RequestedAttribute {
  low: number;
  /** Inclusive; Infinity for `*`. */
  high: number;
  ranged: boolean;
}

const RANGE_OPTION = /^([^;]+);range=(\d+)-(\d+|\*)$/i;

/**
 * The attributes returned for an entry: none or `*` for all user attributes, `1.1` for none,
 * otherwise the requested ones (case-insensitive) in the stored casing. SIDs are served binary.
 *
 * Like AD, at most `maxValRange` values of an attribute come back at once (MS-ADTS 3.1.1.3.1.3.3):
 * more values than that, or a request with `;range=low-high`, answer `name;range=low-last` with
 * those values, and `name;range=low-*` when the answer ends with the last value. A range that
 * starts beyond the last value returns nothing for the attribute.
 */
export function projectEntry(
  attributes: readonly LdifAttribute[],
  requested: readonly string[],
  typesOnly: boolean,
  maxValRange = Number.POSITIVE_INFINITY,
): Attribute[] {
  const wanted = new Map<string, RequestedAttribute>();
  for (const name of requested) {
    const match = RANGE_OPTION.exec(name);
    if (match)
      wanted.set(match[1]!.toLowerCase(), { low: Number(match[2]), high: match[3] === '*' ? Number.POSITIVE_INFINITY : Number(match[3]), ranged: true });
    else if (!wanted.has(name.toLowerCase())) wanted.set(name.toLowerCase(), { low: 0, high: Number.POSITIVE_INFINITY, ranged: false });
  }
  const all = wanted.size === 0 || wanted.has('*');
  const out: Attribute[] = [];
  for (const attribute of attributes) {
    const request = wanted.get(attribute.name.toLowerCase()) ?? (all ? { low: 0, high: Number.POSITIVE_INFINITY, ranged: false } : undefined);
    if (request === undefined) continue;
    const count = attribute.values.length;
    if (!request.ranged && count <= maxValRange) {
      out.push(new Attribute({ type: attribute.name, values: typesOnly ? [] : serveValues(attribute) }));
      continue;
    }
    if (request.low >= count || request.high < request.low) continue;
    const last = Math.min(count - 1, request.high, request.low + maxValRange - 1);
    const type = `${attribute.name};range=${request.low}-${last === count - 1 ? '*' : String(last)}`;
    const values = serveValues({ name: attribute.name, values: attribute.values.slice(request.low, last + 1) });
    out.push(new Attribute({ type, values: typesOnly ? [] : values }));
  }
  return out;
}

function serveValues(attribute: LdifAttribute): Buffer[] | string[] {
  // Binary attributes are stored as base64 text (see BINARY_ATTRIBUTES) and served as their bytes.
  if (BINARY_ATTRIBUTES.has(attribute.name.toLowerCase())) return attribute.values.map((value) => Buffer.from(value, 'base64'));
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
  /** The DC's host name (DC01): its RootDSE dnsHostName is `<name>.<dnsDomain>`. */
  dcName: string;
  /** Supported control OIDs. */
  controls: string[];
  /** Supported extended operation OIDs. */
  extensions: string[];
}

/** The RootDSE of a Windows Server 2016 (functional level 7) domain controller (DC01 unless named otherwise). */
export function rootDse(info: DomainControllerInfo): LdifAttribute[] {
  const configuration = `CN=Configuration,${info.domainDn}`;
  const server = `CN=${info.dcName},CN=Servers,CN=Default-First-Site-Name,CN=Sites,${configuration}`;
  const now = new Date()
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '.0Z');
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
    dnsHostName: [`${info.dcName.toLowerCase()}.${info.dnsDomain}`],
    ldapServiceName: [`${info.dnsDomain}:${info.dcName.toLowerCase()}$@${info.dnsDomain.toUpperCase()}`],
    isSynchronized: ['TRUE'],
    isGlobalCatalogReady: ['TRUE'],
    domainFunctionality: ['7'],
    forestFunctionality: ['7'],
    domainControllerFunctionality: ['7'],
  };
  return Object.entries(dse).map(([name, values]) => ({ name, values }));
}
