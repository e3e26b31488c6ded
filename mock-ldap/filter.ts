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

import { type Directory, type Entry, sameValue } from './directory.js';
import { isSidText, sidToBuffer, SidError } from './sid.js';

/** Matching rules AD implements for extensible matches. */
export const MatchingRule = {
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
  if (filter instanceof AndFilter) return filter.filters.every((child) => matchesFilter(child, entry, directory));
  if (filter instanceof OrFilter) return filter.filters.some((child) => matchesFilter(child, entry, directory));
  if (filter instanceof NotFilter) return !matchesFilter(filter.filter, entry, directory);
  if (filter instanceof PresenceFilter) return directory.values(entry, filter.attribute).length > 0;
  if (filter instanceof EqualityFilter || filter instanceof ApproximateFilter) {
    const values = directory.values(entry, filter.attribute);
    if (SID_ATTRIBUTES.has(filter.attribute.toLowerCase())) return values.some((value) => sidEquals(value, filter.value));
    const assertion = Buffer.isBuffer(filter.value) ? filter.value.toString('utf8') : filter.value;
    return values.some((value) => sameValue(filter.attribute, value, assertion));
  }
  if (filter instanceof SubstringFilter) return directory.values(entry, filter.attribute).some((value) => matchesSubstring(value, filter));
  if (filter instanceof GreaterThanEqualsFilter) return directory.values(entry, filter.attribute).some((value) => compareValues(value, filter.value) >= 0);
  if (filter instanceof LessThanEqualsFilter) return directory.values(entry, filter.attribute).some((value) => compareValues(value, filter.value) <= 0);
  if (filter instanceof ExtensibleFilter) return matchesExtensible(filter, entry, directory);
  return false;
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

function matchesSubstring(value: string, filter: SubstringFilter): boolean {
  const haystack = value.toLowerCase();
  let position = 0;
  if (filter.initial) {
    if (!haystack.startsWith(filter.initial.toLowerCase())) return false;
    position = filter.initial.length;
  }
  for (const part of filter.any) {
    const found = haystack.indexOf(part.toLowerCase(), position);
    if (found < 0) return false;
    position = found + part.length;
  }
  const final = filter.final.toLowerCase();
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
