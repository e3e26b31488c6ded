import {
  attributeError,
  ENTRY_EXISTS,
  invalidAttributeSyntax,
  invalidDnSyntax,
  type LdapResult,
  noSuchObject,
  NOT_ALLOWED_ON_NON_LEAF,
  OBJECT_CLASS_VIOLATION,
  protocolError,
  SUCCESS,
  unwillingToPerform,
} from './ad-diagnostics.js';
import { dnKey, isWithin, parseDn } from './dn.js';
import type { LdifAttribute, LdifEntry } from './ldif.js';
import { LdifError } from './ldif.js';

/** One object. `attributes` is keyed by lowercased name; each keeps the casing it was written with. */
export interface Entry {
  dn: string;
  /** Canonical RDNs, leaf first (see parseDn). */
  rdns: string[];
  /** Canonical DN, the store's key. */
  key: string;
  attributes: Map<string, LdifAttribute>;
}

/** One change of a modify request (RFC 4511 section 4.6). */
export interface Modification {
  operation: 'add' | 'delete' | 'replace';
  name: string;
  values: string[];
}

/** Attributes whose values are DNs: compared as DNs, and cleaned up when their target is deleted. */
export const DN_ATTRIBUTES: ReadonlySet<string> = new Set(['member', 'manager', 'managedby', 'distinguishedname', 'memberof']);
/** Attributes the DC maintains itself; stored copies are ignored and writes refused, like AD. */
const CONSTRUCTED = new Set(['distinguishedname', 'memberof']);
/** Attributes the DC keeps on each object from others (see withAccountType); written by it alone, like AD's SAM. */
const MAINTAINED = new Set(['samaccounttype']);
/** Bind secrets: never served, never matched by filters. */
const SECRETS = new Set(['userpassword']);
const NO_VALUES: readonly string[] = Object.freeze([]);
const NO_ENTRIES: readonly Entry[] = Object.freeze([]);

/**
 * The form in which two values of `attribute` (lower case) are equal exactly when sameValue() says
 * so: DNs canonical, integers in their shortest decimal spelling, other text lower-cased.
 */
export function equalityKey(attribute: string, value: string): string {
  if (DN_ATTRIBUTES.has(attribute)) {
    try {
      return dnKey(value);
    } catch {
      // Not a DN: compared as text.
    }
  }
  if (/^-?\d+$/.test(value)) return BigInt(value).toString();
  return value.toLowerCase();
}
/** Integer-syntax attributes delegaudit reads or writes; AD refuses non-numeric values. */
const INTEGERS = new Set(['useraccountcontrol', 'primarygroupid', 'grouptype', 'admincount', 'lockouttime', 'msds-supportedencryptiontypes']);

/** True when two values of `attribute` are equal: DNs as DNs, integers as numbers, text case-insensitively (AD's default). */
export function sameValue(attribute: string, left: string, right: string): boolean {
  const lower = attribute.toLowerCase();
  if (SECRETS.has(lower)) return left === right;
  if (DN_ATTRIBUTES.has(lower)) {
    try {
      return dnKey(left) === dnKey(right);
    } catch {
      // Not DNs: compare as text.
    }
  }
  if (/^-?\d+$/.test(left) && /^-?\d+$/.test(right)) return BigInt(left) === BigInt(right);
  return left.toLowerCase() === right.toLowerCase();
}

/** The in-memory directory: entries in LDIF order, DNs compared canonically, `memberOf` derived from `member`. */
export class Directory {
  private readonly byKey = new Map<string, Entry>();
  private memberOfIndex = new Map<string, Entry[]>();
  /** In-chain answers per (attribute, target), valid until the next write. */
  private chainCache = new Map<string, Set<string>>();
  /** Equality indexes by lower-case attribute name, built on first use (see lookup). */
  private indexes = new Map<string, Map<string, Entry[]>>();
  private positions: Map<Entry, number> | undefined;

  /** @param source names the LDIF in errors (a DN that does not parse, a duplicate entry). */
  public constructor(records: readonly LdifEntry[], source = 'LDIF') {
    for (const record of records) {
      try {
        const entry = makeEntry(record.dn, record.attributes);
        withAccountType(entry.attributes);
        if (this.byKey.has(entry.key)) throw new Error(`duplicate entry ${record.dn}`);
        for (const [name, attribute] of entry.attributes) if (DN_ATTRIBUTES.has(name)) attribute.values.forEach((value) => parseDn(value));
        this.byKey.set(entry.key, entry);
      } catch (error) {
        throw new LdifError(source, record.line, (error as Error).message);
      }
    }
    this.reindex();
  }

  /** The entry named by `dn`, or undefined (also for a DN that does not parse). */
  public find(dn: string): Entry | undefined {
    try {
      return this.byKey.get(dnKey(dn));
    } catch {
      return undefined;
    }
  }

  /** All entries, in LDIF order (then in order of addition). */
  public entries(): IterableIterator<Entry> {
    return this.byKey.values();
  }

  /** The DN of the deepest existing ancestor of `dn` (AD's matchedDN), or '' when none exists. */
  public matchedDn(dn: string): string {
    let rdns: string[];
    try {
      rdns = parseDn(dn);
    } catch {
      return '';
    }
    for (let depth = 1; depth < rdns.length; depth += 1) {
      const ancestor = this.byKey.get(rdns.slice(depth).join(','));
      if (ancestor) return ancestor.dn;
    }
    return '';
  }

  /** Values of an attribute as clients see them: constructed attributes included, secrets hidden. */
  public values(entry: Entry, name: string): string[] {
    const lower = name.toLowerCase();
    if (lower === 'distinguishedname') return entry.rdns.length ? [entry.dn] : [];
    if (lower === 'memberof') return (this.memberOfIndex.get(entry.key) ?? []).map((group) => group.dn);
    if (SECRETS.has(lower)) return [];
    return entry.attributes.get(lower)?.values ?? [];
  }

  /**
   * values() for a name already in lower case, without copying: what compiled filters call for each
   * of 60,000 entries. The result must not be modified.
   */
  public valuesOf(entry: Entry, lower: string): readonly string[] {
    if (lower === 'distinguishedname' || lower === 'memberof' || SECRETS.has(lower)) return this.values(entry, lower);
    return entry.attributes.get(lower)?.values ?? NO_VALUES;
  }

  /** Values lower-cased, for case-insensitive matching (name in lower case); cached with the stored value list. */
  public lowerValues(entry: Entry, lowerName: string): readonly string[] {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the assertion adds the cache field LdifAttribute does not declare; without it `lowered` has no type
    const stored = entry.attributes.get(lowerName) as (LdifAttribute & { lowered?: { of: string[]; values: string[] } }) | undefined;
    if (stored === undefined || lowerName === 'distinguishedname' || lowerName === 'memberof' || SECRETS.has(lowerName)) {
      return this.valuesOf(entry, lowerName).map((value) => value.toLowerCase());
    }
    // Writes replace an attribute's value list (or the attribute): the cache is valid while it holds the same list.
    if (stored.lowered?.of !== stored.values) stored.lowered = { of: stored.values, values: stored.values.map((value) => value.toLowerCase()) };
    return stored.lowered.values;
  }

  /** The groups whose `member` names this entry (its memberOf), without copying. */
  public memberOfEntries(entry: Entry): readonly Entry[] {
    return this.memberOfIndex.get(entry.key) ?? [];
  }

  /** Canonical DNs (dnKey) of `distinguishedName` or `memberOf`, straight from the store. */
  public valueKeys(entry: Entry, name: 'distinguishedname' | 'memberof'): string[] {
    if (name === 'distinguishedname') return entry.rdns.length ? [entry.key] : [];
    return (this.memberOfIndex.get(entry.key) ?? []).map((group) => group.key);
  }

  /** The attributes a `*` read returns: stored ones in LDIF order without secrets, then distinguishedName and memberOf. */
  public visibleAttributes(entry: Entry): LdifAttribute[] {
    const stored = [...entry.attributes].filter(([name]) => !SECRETS.has(name)).map(([, attribute]) => attribute);
    const constructed = ['distinguishedName', 'memberOf'].map((name) => ({ name, values: this.values(entry, name) }));
    return [...stored, ...constructed.filter((attribute) => attribute.values.length > 0)];
  }

  /** LDAP_MATCHING_RULE_IN_CHAIN: is `targetDn` reachable from `entry` by following `attribute` (member, memberOf, manager...) transitively? */
  public inChain(entry: Entry, attribute: string, targetDn: string): boolean {
    let target: string;
    try {
      target = dnKey(targetDn);
    } catch {
      return false;
    }
    const cacheKey = `${attribute.toLowerCase()}\n${target}`;
    let sources = this.chainCache.get(cacheKey);
    if (!sources) {
      sources = this.chainSources(attribute, target);
      this.chainCache.set(cacheKey, sources);
    }
    return sources.has(entry.key);
  }

  /** Keys of the entries that reach `target` through `attribute`, found by walking the links backwards once per search target (cycles stop). */
  private chainSources(attribute: string, target: string): Set<string> {
    const referrers = new Map<string, Entry[]>();
    for (const entry of this.byKey.values()) {
      for (const value of this.values(entry, attribute)) {
        const key = this.find(value)?.key;
        if (key === undefined) continue;
        const list = referrers.get(key);
        if (list) list.push(entry);
        else referrers.set(key, [entry]);
      }
    }
    const sources = new Set<string>();
    const queue = [target];
    for (const key of queue) {
      for (const referrer of referrers.get(key) ?? []) {
        if (sources.has(referrer.key)) continue;
        sources.add(referrer.key);
        queue.push(referrer.key);
      }
    }
    return sources;
  }

  /** Every group in the account's security token: nested `member` links plus the primary group (primaryGroupID), like AD's tokenGroups. */
  public tokenGroups(account: Entry): Entry[] {
    const queue = [...(this.memberOfIndex.get(account.key) ?? [])];
    const primary = this.primaryGroup(account);
    if (primary) queue.push(primary);
    const seen = new Set<string>();
    const groups: Entry[] = [];
    for (const group of queue) {
      if (seen.has(group.key)) continue;
      seen.add(group.key);
      groups.push(group);
      queue.push(...(this.memberOfIndex.get(group.key) ?? []));
    }
    return groups;
  }

  /** The account a simple bind name designates: a DN, a UPN (explicit or sAMAccountName@dnsDomain), or DOMAIN\sAMAccountName. */
  public findAccount(name: string, netbiosName: string, dnsDomain: string): Entry | undefined {
    if (name.includes('=')) {
      const byDn = this.find(name);
      if (byDn) return byDn;
    }
    const slash = name.indexOf('\\');
    if (slash > 0 && !name.includes('=')) {
      const domain = name.slice(0, slash).toLowerCase();
      if (domain !== netbiosName.toLowerCase() && domain !== dnsDomain.toLowerCase()) return undefined;
      return this.findBy('sAMAccountName', name.slice(slash + 1));
    }
    const at = name.lastIndexOf('@');
    if (at > 0) {
      const explicit = this.findBy('userPrincipalName', name);
      if (explicit) return explicit;
      if (name.slice(at + 1).toLowerCase() === dnsDomain.toLowerCase()) return this.findBy('sAMAccountName', name.slice(0, at));
    }
    return undefined;
  }

  /** True when `password` is one of the account's userPassword values (case-sensitive). */
  public checkPassword(account: Entry, password: string): boolean {
    return (account.attributes.get('userpassword')?.values ?? []).includes(password);
  }

  /** Applies all changes or none (RFC 4511 section 4.6). */
  public modify(dn: string, modifications: readonly Modification[]): LdapResult {
    const entry = this.find(dn);
    if (!entry) return this.absent(dn);
    const working = new Map([...entry.attributes].map(([name, attribute]) => [name, { name: attribute.name, values: [...attribute.values] }]));
    for (const modification of modifications) {
      const { operation, name } = modification;
      const lower = name.toLowerCase();
      if (CONSTRUCTED.has(lower) || MAINTAINED.has(lower)) return unwillingToPerform(`${name} is maintained by the directory`);
      const problem = this.checkValues(name, modification.values);
      if (problem) return problem;
      const values = this.linkTargets(name, modification.values);
      const existing = working.get(lower);
      if (operation === 'add') {
        if (values.length === 0) return protocolError(`add of ${name} without values`);
        const current = existing?.values ?? [];
        for (const [index, value] of values.entries()) {
          const duplicate = [...current, ...values.slice(0, index)].some((other) => sameValue(name, other, value));
          if (duplicate) return attributeError(20, name);
        }
        working.set(lower, { name: existing?.name ?? name, values: [...current, ...values] });
      } else if (operation === 'delete') {
        if (!existing) return attributeError(16, name);
        const remaining = [...existing.values];
        for (const value of values) {
          const index = remaining.findIndex((other) => sameValue(name, other, value));
          if (index < 0) return attributeError(16, name);
          remaining.splice(index, 1);
        }
        if (values.length === 0 || remaining.length === 0) working.delete(lower);
        else working.set(lower, { name: existing.name, values: remaining });
      } else if (values.length === 0) {
        working.delete(lower);
      } else {
        if (values.some((value, index) => values.slice(0, index).some((other) => sameValue(name, other, value)))) return attributeError(20, name);
        working.set(lower, { name: existing?.name ?? name, values: [...values] });
      }
    }
    withAccountType(working);
    entry.attributes = working;
    this.reindex();
    return SUCCESS;
  }

  /** Adds an object under an existing parent. */
  public add(dn: string, attributes: readonly LdifAttribute[]): LdapResult {
    let entry: Entry;
    try {
      entry = makeEntry(dn, []);
    } catch {
      return invalidDnSyntax(dn);
    }
    if (this.byKey.has(entry.key)) return ENTRY_EXISTS;
    if (!this.byKey.has(entry.rdns.slice(1).join(','))) return noSuchObject(this.matchedDn(dn));
    for (const { name, values } of attributes) {
      const lower = name.toLowerCase();
      if (CONSTRUCTED.has(lower) || MAINTAINED.has(lower)) return unwillingToPerform(`${name} is maintained by the directory`);
      const problem = this.checkValues(name, values);
      if (problem) return problem;
      const existing = entry.attributes.get(lower) ?? { name, values: [] };
      for (const value of this.linkTargets(name, values)) {
        if (existing.values.some((other) => sameValue(name, other, value))) return attributeError(20, name);
        existing.values.push(value);
      }
      if (existing.values.length) entry.attributes.set(lower, existing);
    }
    if (!entry.attributes.has('objectclass')) return OBJECT_CLASS_VIOLATION;
    withAccountType(entry.attributes);
    this.byKey.set(entry.key, entry);
    this.reindex();
    return SUCCESS;
  }

  /** Deletes a leaf object and, like AD's link cleanup, removes DN references to it. */
  public delete(dn: string): LdapResult {
    const entry = this.find(dn);
    if (!entry) return this.absent(dn);
    if ([...this.byKey.values()].some((other) => other !== entry && isWithin(other.rdns, entry.rdns))) return NOT_ALLOWED_ON_NON_LEAF;
    this.byKey.delete(entry.key);
    for (const other of this.byKey.values()) {
      for (const [name, attribute] of other.attributes) {
        if (!DN_ATTRIBUTES.has(name)) continue;
        attribute.values = attribute.values.filter((value) => !sameValue(name, value, entry.dn));
        if (attribute.values.length === 0) other.attributes.delete(name);
      }
    }
    this.reindex();
    return SUCCESS;
  }

  /** The error for a DN that names no entry: invalidDnSyntax or noSuchObject with AD's matchedDN. */
  public absent(dn: string): LdapResult {
    try {
      parseDn(dn);
    } catch {
      return invalidDnSyntax(dn);
    }
    return noSuchObject(this.matchedDn(dn));
  }

  /** Syntax checks AD applies before writing: integers must be integers, linked DNs must name existing objects. */
  private checkValues(name: string, values: readonly string[]): LdapResult | undefined {
    const lower = name.toLowerCase();
    if (INTEGERS.has(lower) && values.some((value) => !/^-?\d+$/.test(value))) return invalidAttributeSyntax(name);
    if (!DN_ATTRIBUTES.has(lower)) return undefined;
    for (const value of values) {
      try {
        parseDn(value);
      } catch {
        return invalidDnSyntax(value);
      }
      if (!this.find(value)) return noSuchObject(this.matchedDn(value));
    }
    return undefined;
  }

  /** DN values name objects, so AD stores (and serves) the target's own DN whatever spelling the client used. */
  private linkTargets(name: string, values: readonly string[]): string[] {
    if (!DN_ATTRIBUTES.has(name.toLowerCase())) return [...values];
    return values.map((value) => this.find(value)?.dn ?? value);
  }

  private findBy(attribute: string, value: string): Entry | undefined {
    const lower = attribute.toLowerCase();
    for (const entry of this.byKey.values()) {
      if (entry.attributes.get(lower)?.values.some((candidate) => candidate.toLowerCase() === value.toLowerCase())) return entry;
    }
    return undefined;
  }

  private primaryGroup(account: Entry): Entry | undefined {
    const sid = account.attributes.get('objectsid')?.values[0];
    const rid = account.attributes.get('primarygroupid')?.values[0];
    if (!sid || !rid) return undefined;
    return this.findBy('objectSid', sid.replace(/-\d+$/, `-${rid}`));
  }

  /**
   * Entries whose `attribute` has a value equal to `key` as equalityKey() spells it: an index built
   * on first use and dropped on every write, like the attribute indexes a DC answers equality
   * filters from. `memberOf` is answered from the groups' member lists.
   */
  public lookup(attribute: string, key: string): readonly Entry[] {
    const name = attribute.toLowerCase();
    if (name === 'distinguishedname') {
      const entry = this.byKey.get(key);
      return entry ? [entry] : [];
    }
    if (name === 'memberof') {
      const group = this.byKey.get(key);
      return (group?.attributes.get('member')?.values ?? [])
        .map((member) => this.find(member))
        .filter((entry): entry is Entry => entry !== undefined)
        .sort((a, b) => this.position(a) - this.position(b));
    }
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = new Map();
      for (const entry of this.byKey.values()) {
        for (const value of this.valuesOf(entry, name)) {
          const valueKey = equalityKey(name, value);
          const list = index.get(valueKey);
          if (list === undefined) index.set(valueKey, [entry]);
          else if (list[list.length - 1] !== entry) list.push(entry);
        }
      }
      this.indexes.set(name, index);
    }
    return index.get(key) ?? NO_ENTRIES;
  }

  /** Position of an entry in directory order (LDIF order, then order of addition), to keep indexed answers in that order. */
  public position(entry: Entry): number {
    if (this.positions === undefined) {
      this.positions = new Map();
      let i = 0;
      for (const each of this.byKey.values()) this.positions.set(each, i++);
    }
    return this.positions.get(entry) ?? Number.MAX_SAFE_INTEGER;
  }

  private reindex(): void {
    this.chainCache = new Map();
    this.indexes = new Map();
    this.positions = undefined;
    this.memberOfIndex = new Map();
    for (const group of this.byKey.values()) {
      for (const member of group.attributes.get('member')?.values ?? []) {
        const key = dnKey(member);
        const groups = this.memberOfIndex.get(key) ?? [];
        groups.push(group);
        this.memberOfIndex.set(key, groups);
      }
    }
  }
}

/** MS-SAMR's SAM_ACCOUNT_TYPE values (sAMAccountType). */
const ACCOUNT_TYPE = {
  GROUP: 0x10000000,
  NON_SECURITY_GROUP: 0x10000001,
  ALIAS: 0x20000000,
  NON_SECURITY_ALIAS: 0x20000001,
  USER: 0x30000000,
  MACHINE: 0x30000001,
  TRUST: 0x30000002,
} as const;

/**
 * Sets sAMAccountType from the object's class and its userAccountControl or groupType, as AD's SAM
 * does on every add and modify (MS-ADTS 3.1.1.5.2.2 and MS-SAMR 3.1.1.8.10): every user-class object
 * is a user, a machine (workstation or server trust: computers, DCs, gMSAs) or a trust account.
 */
function withAccountType(attributes: Map<string, LdifAttribute>): void {
  const classes = new Set((attributes.get('objectclass')?.values ?? []).map((c) => c.toLowerCase()));
  let type: number | undefined;
  if (classes.has('user') || classes.has('computer')) {
    const uac = Number(attributes.get('useraccountcontrol')?.values[0] ?? 0);
    if (uac & 0x800) type = ACCOUNT_TYPE.TRUST;
    else if (uac & (0x1000 | 0x2000) || (!(uac & 0x200) && classes.has('computer'))) type = ACCOUNT_TYPE.MACHINE;
    else type = ACCOUNT_TYPE.USER;
  } else if (classes.has('group')) {
    const groupType = Number(attributes.get('grouptype')?.values[0] ?? 0);
    const alias = (groupType & 0x4) !== 0 || (groupType & 0x1) !== 0;
    const security = (groupType & 0x80000000) !== 0;
    type = alias ? (security ? ACCOUNT_TYPE.ALIAS : ACCOUNT_TYPE.NON_SECURITY_ALIAS) : security ? ACCOUNT_TYPE.GROUP : ACCOUNT_TYPE.NON_SECURITY_GROUP;
  }
  if (type === undefined) attributes.delete('samaccounttype');
  else attributes.set('samaccounttype', { name: 'sAMAccountType', values: [String(type)] });
}

function makeEntry(dn: string, attributes: readonly LdifAttribute[]): Entry {
  const rdns = parseDn(dn);
  const stored = attributes.filter((attribute) => !CONSTRUCTED.has(attribute.name.toLowerCase()) && !MAINTAINED.has(attribute.name.toLowerCase()));
  return {
    dn,
    rdns,
    key: rdns.join(','),
    attributes: new Map(stored.map((attribute) => [attribute.name.toLowerCase(), { name: attribute.name, values: [...attribute.values] }])),
  };
}
