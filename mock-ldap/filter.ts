import { TextDecoder } from 'node:util';

import {
  AndFilter,
  ApproximateFilter,
  Ber,
  type BerReader,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SearchFilter,
  SubstringFilter,
} from 'ldapts';

import { DN_ATTRIBUTES, type Directory, type Entry, equalityKey, sameValue } from './directory.js';
import { dnKey } from './dn.js';
import { isSidText, sidToBuffer, SidError, sidToString } from './sid.js';

/** Matching rules AD implements for extensible matches. */
const MatchingRule = {
  bitAnd: '1.2.840.113556.1.4.803',
  bitOr: '1.2.840.113556.1.4.804',
  inChain: '1.2.840.113556.1.4.1941',
} as const;

/** Attributes stored as S-1-... text and served, and matched, as binary SIDs. */
export const SID_ATTRIBUTES = new Set(['objectsid', 'sidhistory']);

const strictUtf8 = new TextDecoder('utf8', { fatal: true });

/**
 * Reads a search filter (RFC 4511 section 4.5.1) into ldapts filter objects. ldapts's own
 * FilterParser is client-oriented: it decodes assertion values as UTF-8 (losing binary SIDs) and
 * its PresenceFilter reads from the start of the buffer, so the server decodes filters itself.
 * Equality values that are not valid UTF-8 stay Buffers.
 */
export function readFilter(reader: BerReader): Filter {
  const tag = reader.readSequence();
  if (tag === null) throw new Error('truncated filter');
  const end = reader.offset + reader.length;
  const text = (): string => need(reader.readString());
  let filter: Filter;
  switch (tag) {
    case SearchFilter.and:
    case SearchFilter.or: {
      const filters: Filter[] = [];
      while (reader.offset < end) filters.push(readFilter(reader));
      filter = tag === SearchFilter.and ? new AndFilter({ filters }) : new OrFilter({ filters });
      break;
    }
    case SearchFilter.not:
      filter = new NotFilter({ filter: readFilter(reader) });
      break;
    case SearchFilter.equalityMatch: {
      const attribute = text();
      const bytes = need(reader.readString(Ber.OctetString, true));
      filter = new EqualityFilter({ attribute, value: decodeIfText(bytes) });
      break;
    }
    case SearchFilter.greaterOrEqual:
    case SearchFilter.lessOrEqual:
    case SearchFilter.approxMatch: {
      const options = { attribute: text(), value: text() };
      if (tag === SearchFilter.approxMatch) filter = new ApproximateFilter(options);
      else filter = tag === SearchFilter.greaterOrEqual ? new GreaterThanEqualsFilter(options) : new LessThanEqualsFilter(options);
      break;
    }
    case SearchFilter.present:
      filter = new PresenceFilter({ attribute: reader.buffer.subarray(reader.offset, end).toString('utf8') });
      reader.offset = end;
      break;
    case SearchFilter.substrings: {
      const substring = new SubstringFilter({ attribute: text() });
      need(reader.readSequence());
      while (reader.offset < end) {
        const part = reader.peek();
        const value = need(reader.readString(part ?? 0));
        if (part === 0x80) substring.initial = value;
        else if (part === 0x81) substring.any.push(value);
        else if (part === 0x82) substring.final = value;
        else throw new Error(`invalid substring choice 0x${(part ?? 0).toString(16)}`);
      }
      filter = substring;
      break;
    }
    case SearchFilter.extensibleMatch: {
      const extensible = new ExtensibleFilter();
      while (reader.offset < end) {
        const part = reader.peek();
        if (part === 0x81) extensible.rule = need(reader.readString(0x81));
        else if (part === 0x82) extensible.matchType = need(reader.readString(0x82));
        else if (part === 0x83) extensible.value = need(reader.readString(0x83));
        else if (part === 0x84) extensible.dnAttributes = need(reader.readTag(0x84)) !== 0;
        else throw new Error(`invalid extensible match field 0x${(part ?? 0).toString(16)}`);
      }
      filter = extensible;
      break;
    }
    default:
      throw new Error(`invalid filter choice 0x${tag.toString(16)}`);
  }
  if (reader.offset !== end) throw new Error('filter length mismatch');
  return filter;
}

function need<T>(value: T | null): T {
  if (value === null) throw new Error('truncated filter');
  return value;
}

function decodeIfText(bytes: Buffer): Buffer | string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return bytes;
  }
}

/** Evaluates a filter against an entry with AD's semantics (case-insensitive text, binary SIDs, AD matching rules). */
export function matchesFilter(filter: Filter, entry: Entry, directory: Directory): boolean {
  return compileFilter(filter, directory)(entry);
}

/**
 * Turns a filter into a predicate once per search, so that a search over 60,000 entries does not
 * redo per entry what depends only on the filter: lower-casing attribute names and assertions,
 * canonicalising DN assertions, parsing integers and SIDs.
 */
export function compileFilter(filter: Filter, directory: Directory): (entry: Entry) => boolean {
  if (filter instanceof AndFilter) {
    const parts = filter.filters.map((child) => compileFilter(child, directory));
    return (entry) => {
      for (const part of parts) if (!part(entry)) return false;
      return true;
    };
  }
  if (filter instanceof OrFilter) return compileOr(filter.filters, directory);
  if (filter instanceof NotFilter) {
    const part = compileFilter(filter.filter, directory);
    return (entry) => !part(entry);
  }
  if (filter instanceof PresenceFilter) {
    const name = filter.attribute.toLowerCase();
    return (entry) => directory.valuesOf(entry, name).length > 0;
  }
  if (filter instanceof EqualityFilter || filter instanceof ApproximateFilter) return compileEquality(filter.attribute, filter.value, directory);
  if (filter instanceof SubstringFilter) {
    const initial = filter.initial.toLowerCase();
    const any = filter.any.map((part) => part.toLowerCase());
    const final = filter.final.toLowerCase();
    const name = filter.attribute.toLowerCase();
    return (entry) => {
      for (const value of directory.lowerValues(entry, name)) if (matchesLowerSubstring(value, initial, any, final)) return true;
      return false;
    };
  }
  if (filter instanceof GreaterThanEqualsFilter)
    return (entry) => directory.values(entry, filter.attribute).some((value) => compareValues(value, filter.value) >= 0);
  if (filter instanceof LessThanEqualsFilter)
    return (entry) => directory.values(entry, filter.attribute).some((value) => compareValues(value, filter.value) <= 0);
  if (filter instanceof ExtensibleFilter) return compileExtensible(filter, directory);
  return () => false;
}

const INTEGER = /^-?\d+$/;

/**
 * The entries a filter can match, from the directory's equality indexes, or undefined when it
 * takes a scan (presence, substrings, bit tests, NOT): an equality term gives its index entry, an
 * OR of indexed terms their union, an AND its smallest indexed term. The caller still applies the
 * whole filter to each candidate; this only spares it the other 60,000 objects.
 */
export function candidateEntries(filter: Filter, directory: Directory): readonly Entry[] | undefined {
  if (filter instanceof EqualityFilter) {
    const name = filter.attribute.toLowerCase();
    const text = Buffer.isBuffer(filter.value) ? undefined : filter.value;
    let key: string | undefined;
    if (SID_ATTRIBUTES.has(name)) {
      try {
        key = Buffer.isBuffer(filter.value) ? sidToString(filter.value) : isSidText(filter.value) ? filter.value.trim() : undefined;
      } catch {
        key = undefined;
      }
      key = key?.toLowerCase();
    } else if (text !== undefined) {
      if (DN_ATTRIBUTES.has(name)) {
        try {
          key = dnKey(text);
        } catch {
          key = undefined; // a non-DN assertion on a DN attribute: scan
        }
      } else {
        key = equalityKey(name, text);
      }
    }
    return key === undefined ? undefined : directory.lookup(name, key);
  }
  if (filter instanceof OrFilter) {
    const parts = filter.filters.map((child) => candidateEntries(child, directory));
    if (parts.some((part) => part === undefined)) return undefined;
    const union = new Set<Entry>();
    for (const part of parts) for (const entry of part!) union.add(entry);
    return [...union].sort((a, b) => directory.position(a) - directory.position(b));
  }
  if (filter instanceof AndFilter) {
    let smallest: readonly Entry[] | undefined;
    for (const child of filter.filters) {
      const part = candidateEntries(child, directory);
      if (part !== undefined && (smallest === undefined || part.length < smallest.length)) smallest = part;
    }
    return smallest;
  }
  return undefined;
}

/**
 * An OR of many equalities on one attribute (33 memberOf= terms for the privileged groups, 500
 * distinguishedName= terms for a range follow-up, sAMAccountName= terms for referenced hosts)
 * becomes one set lookup per value instead of one comparison per term.
 */
function compileOr(children: readonly Filter[], directory: Directory): (entry: Entry) => boolean {
  const sets = new Map<string, Set<string>>();
  const rest: Array<(entry: Entry) => boolean> = [];
  // Bit tests on one attribute ((userAccountControl:803:=524288) OR (…:=16777216) …): one pass, one answer per distinct value.
  const bitTests = new Map<string, ExtensibleFilter[]>();
  for (const child of children) {
    if (child instanceof ExtensibleFilter && (child.rule === MatchingRule.bitAnd || child.rule === MatchingRule.bitOr)) {
      const name = child.matchType.toLowerCase();
      bitTests.set(name, [...(bitTests.get(name) ?? []), child]);
    }
  }
  for (const [name, tests] of bitTests) {
    const predicates = tests.map((test) => compileExtensible(test, directory));
    const answers = new Map<string, boolean>();
    rest.push((entry) => {
      for (const value of directory.valuesOf(entry, name)) {
        let answer = answers.get(value);
        if (answer === undefined) {
          const probe: Entry = { dn: '', rdns: [], key: '', attributes: new Map([[name, { name, values: [value] }]]) };
          answer = predicates.some((predicate) => predicate(probe));
          answers.set(value, answer);
        }
        if (answer) return true;
      }
      return false;
    });
  }
  for (const child of children) {
    if (
      child instanceof ExtensibleFilter &&
      bitTests.has(child.matchType.toLowerCase()) &&
      (child.rule === MatchingRule.bitAnd || child.rule === MatchingRule.bitOr)
    )
      continue;
    const key = child instanceof EqualityFilter ? setKey(child.attribute, child.value) : undefined;
    if (key === undefined) {
      rest.push(compileFilter(child, directory));
      continue;
    }
    const name = (child as EqualityFilter).attribute.toLowerCase();
    let set = sets.get(name);
    if (set === undefined) sets.set(name, (set = new Set()));
    set.add(key);
  }
  const lookups = [...sets].map(([name, set]): ((entry: Entry) => boolean) =>
    name === 'memberof'
      ? (entry) => directory.memberOfEntries(entry).some((group) => set.has(group.key))
      : name === 'distinguishedname'
        ? (entry) => set.has(entry.key)
        : DN_ATTRIBUTES.has(name)
          ? (entry) => directory.values(entry, name).some((value) => set.has(dnKeyOrText(value)))
          : (entry) => directory.lowerValues(entry, name).some((value) => set.has(value)),
  );
  const parts = [...lookups, ...rest];
  return (entry) => {
    for (const part of parts) if (part(entry)) return true;
    return false;
  };
}

/** The set key of an equality assertion that compares as plain text or as a DN; undefined for the others (SIDs, integers, non-DNs). */
function setKey(attribute: string, value: Buffer | string): string | undefined {
  const name = attribute.toLowerCase();
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (SID_ATTRIBUTES.has(name) || INTEGER.test(text)) return undefined;
  if (!DN_ATTRIBUTES.has(name)) return text.toLowerCase();
  try {
    return dnKey(text);
  } catch {
    return undefined;
  }
}

function dnKeyOrText(value: string): string {
  try {
    return dnKey(value);
  } catch {
    return value.toLowerCase();
  }
}

/** Equality as sameValue() decides it, with everything about the assertion worked out once. */
function compileEquality(attribute: string, value: Buffer | string, directory: Directory): (entry: Entry) => boolean {
  const name = attribute.toLowerCase();
  if (SID_ATTRIBUTES.has(name)) {
    // SIDs are stored as S-1-… text: turn the assertion (binary, or text) into that once.
    let sid: string | undefined;
    try {
      sid = Buffer.isBuffer(value) ? sidToString(value) : isSidText(value) ? value.trim() : undefined;
    } catch {
      sid = undefined;
    }
    if (sid === undefined) return (entry) => directory.values(entry, name).some((stored) => sidEquals(stored, value));
    const wanted = sid.toLowerCase();
    return (entry) => directory.values(entry, name).some((stored) => stored.toLowerCase() === wanted);
  }
  const assertion = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  const lower = assertion.toLowerCase();
  const text = (stored: string): boolean => stored.toLowerCase() === lower;
  if (DN_ATTRIBUTES.has(name)) {
    let key: string | undefined;
    try {
      key = dnKey(assertion);
    } catch {
      return (entry) => directory.values(entry, name).some(text);
    }
    // memberOf and distinguishedName come from the store already canonical: no DN parsing per entry.
    if (name === 'memberof' || name === 'distinguishedname') return (entry) => directory.valueKeys(entry, name).includes(key);
    return (entry) =>
      directory.values(entry, name).some((stored) => {
        try {
          return dnKey(stored) === key;
        } catch {
          return text(stored);
        }
      });
  }
  if (INTEGER.test(assertion)) {
    // Integers compare as numbers ("0512" = "512"); the canonical spelling settles almost every value without parsing.
    const number = BigInt(assertion);
    const canonical = number.toString();
    return (entry) =>
      directory.valuesOf(entry, name).some((stored) => stored === canonical || (INTEGER.test(stored) ? BigInt(stored) === number : text(stored)));
  }
  return (entry) => directory.lowerValues(entry, name).includes(lower);
}

function compileExtensible(filter: ExtensibleFilter, directory: Directory): (entry: Entry) => boolean {
  if (filter.rule !== MatchingRule.bitAnd && filter.rule !== MatchingRule.bitOr) return (entry) => matchesExtensible(filter, entry, directory);
  const assertion = toUnsigned(filter.value);
  if (assertion === undefined) return () => false;
  const all = filter.rule === MatchingRule.bitAnd;
  const name = filter.matchType.toLowerCase();
  // userAccountControl and groupType take few distinct values: parse each once per search.
  const parsed = new Map<string, bigint | undefined>();
  const unsigned = (value: string): bigint | undefined => {
    if (!parsed.has(value)) parsed.set(value, toUnsigned(value));
    return parsed.get(value);
  };
  return (entry) =>
    directory.valuesOf(entry, name).some((value) => {
      const bits = unsigned(value);
      if (bits === undefined) return false;
      return all ? (bits & assertion) === assertion : (bits & assertion) !== 0n;
    });
}

function sidEquals(stored: string, assertion: Buffer | string): boolean {
  // AD accepts both the binary SID and its S-1-... text in an equality filter.
  const text = Buffer.isBuffer(assertion) ? undefined : assertion;
  if (text !== undefined && isSidText(text)) return stored.toLowerCase() === text.trim().toLowerCase();
  try {
    return sidToBuffer(stored).equals(Buffer.isBuffer(assertion) ? assertion : Buffer.from(assertion, 'utf8'));
  } catch (error) {
    if (error instanceof SidError) return false;
    throw error;
  }
}

/** Substring match of a lower-cased value against lower-cased parts. */
function matchesLowerSubstring(haystack: string, initial: string, any: readonly string[], final: string): boolean {
  let position = 0;
  if (initial) {
    if (!haystack.startsWith(initial)) return false;
    position = initial.length;
  }
  for (const part of any) {
    const found = haystack.indexOf(part, position);
    if (found < 0) return false;
    position = found + part.length;
  }
  return !final || (haystack.length - final.length >= position && haystack.endsWith(final));
}

function compareValues(left: string, right: string): number {
  if (/^-?\d+$/.test(left) && /^-?\d+$/.test(right)) {
    const difference = BigInt(left) - BigInt(right);
    return difference === 0n ? 0 : difference > 0n ? 1 : -1;
  }
  const [a, b] = [left.toLowerCase(), right.toLowerCase()];
  return a === b ? 0 : a > b ? 1 : -1;
}

function matchesExtensible(filter: ExtensibleFilter, entry: Entry, directory: Directory): boolean {
  const values = directory.values(entry, filter.matchType);
  switch (filter.rule) {
    case '':
      return values.some((value) => sameValue(filter.matchType, value, filter.value));
    case MatchingRule.bitAnd:
    case MatchingRule.bitOr: {
      const assertion = toUnsigned(filter.value);
      if (assertion === undefined) return false;
      return values.some((value) => {
        const bits = toUnsigned(value);
        if (bits === undefined) return false;
        return filter.rule === MatchingRule.bitAnd ? (bits & assertion) === assertion : (bits & assertion) !== 0n;
      });
    }
    case MatchingRule.inChain:
      return directory.inChain(entry, filter.matchType, filter.value);
    default:
      return false;
  }
}

/** AD stores 32-bit flags such as groupType signed (-2147483646); the bitwise rules see them as unsigned. */
function toUnsigned(text: string): bigint | undefined {
  if (!/^-?\d+$/.test(text.trim())) return undefined;
  const value = BigInt(text.trim());
  if (value >= 0n) return value;
  return value >= -(2n ** 31n) ? BigInt.asUintN(32, value) : BigInt.asUintN(64, value);
}
