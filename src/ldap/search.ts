/**
 * Paged searches with AD's ranged attribute retrieval: every entry, and every value of attributes
 * the server returned in ranges (`member;range=0-1499`), read to the end.
 */
import type { Client } from 'ldapts';
import { LdapEntry } from './entry.js';
import { translateReadError } from './errors.js';
import { type Filter, filterToString } from './filter.js';
import { toLdaptsFilter } from './ldapts-filter.js';
import { SdFlagsControl } from './sd-flags-control.js';

export type SearchScope = 'base' | 'one' | 'sub';

export interface SearchSpec {
  base: string;
  scope: SearchScope;
  filter: Filter;
  attributes: string[];
  /** Attributes to keep as bytes (objectSid). Listed in the server's casing and lower case: ldapts matches names exactly. */
  binaryAttributes?: string[];
  /** What this search reads, for messages ("Hyper-V hosts"). */
  purpose: string;
  /** Page size. Default 1000, AD's MaxPageSize. */
  pageSize?: number;
  /** Send the SD flags control with these flags (4: DACL only), for security-descriptor attributes. Default: no control. */
  sdFlags?: number;
  /**
   * Told of each entry once it is complete, with its place in the result: as its page arrives, or,
   * for an entry with attributes in ranges, once they are read to the end. The caller can build on
   * an entry while the server sends the next page. Default: none.
   */
  onEntry?: (entry: LdapEntry, index: number) => void;
}

export interface SearchResult {
  entries: LdapEntry[];
  /** Continuation references the server returned; not chased. */
  references: string[];
}

/** Counters for what a session did, for the benchmark and the constant-search-count test. */
export interface SessionStats {
  /** Search requests sent, the follow-ups of ranged attributes included. */
  searches: number;
  /** Of `searches`, the follow-ups that read the rest of attributes AD returned in ranges. */
  rangeSearches: number;
  /** Entries returned by the searches (not counting the follow-ups, which return entries already counted). */
  entries: number;
  modifies: number;
}

/** One search as sent, for the benchmark (which replays the plan with ldapsearch) and for debugging. */
export interface SearchLogEntry {
  base: string;
  scope: SearchScope;
  /** RFC 4515 text. */
  filter: string;
  attributes: string[];
  purpose: string;
  /** The SD flags control's flags, when the search sent it. */
  sdFlags?: number;
  /** Entries it returned. */
  entries: number;
  /** Milliseconds from the request to the last page. */
  ms: number;
}

/** AD's MaxPageSize: Windows DCs cap pages at 1000 entries. */
const AD_MAX_PAGE_SIZE = 1000;

const RANGE_ATTRIBUTE = /^(.+);range=(\d+)-(\d+|\*)$/i;

/** At most this many entries' ranges are asked for in one follow-up search (one OR filter of DNs). */
const RANGE_BATCH = 1000;

/** An attribute of an entry that the server returned in part: where the next range starts. */
interface PendingRange {
  entry: LdapEntry;
  attribute: string;
  next: number;
  /** How many values the server returned in its last answer (its MaxValRange, 1500 on AD). */
  window: number;
}

/** What a search needs of the session it runs on. */
export interface SearchContext {
  client: Client;
  url: string;
  stats: SessionStats;
  log: SearchLogEntry[];
}

/** A paged search that returns every entry, with ranged attributes read to the end. */
export async function searchAll(context: SearchContext, spec: SearchSpec): Promise<SearchResult> {
  const ranged: number[] = [];
  const { entries, references } = await pagedSearch(context, spec.base, spec.scope, spec.filter, spec.attributes, spec, (entry, index) => {
    if (entry.names().some((name) => RANGE_ATTRIBUTE.test(name))) ranged.push(index);
    else spec.onEntry?.(entry, index);
  });
  context.stats.entries += entries.length;
  await completeRanges(context, entries, spec);
  for (const index of ranged) spec.onEntry?.(entries[index]!, index);
  return { entries, references };
}

async function pagedSearch(
  context: SearchContext,
  base: string,
  scope: SearchScope,
  filter: Filter,
  attributes: string[],
  spec: SearchSpec,
  onEntry?: (entry: LdapEntry, index: number) => void,
): Promise<SearchResult> {
  const binary = spec.binaryAttributes ?? [];
  const explicitBufferAttributes = [...new Set([...binary, ...binary.map((b) => b.toLowerCase())])];
  const entries: LdapEntry[] = [];
  const references: string[] = [];
  context.stats.searches += 1;
  const logged: SearchLogEntry = {
    base,
    scope,
    filter: filterToString(filter),
    attributes,
    purpose: spec.purpose,
    ...(spec.sdFlags === undefined ? {} : { sdFlags: spec.sdFlags }),
    entries: 0,
    ms: 0,
  };
  const started = performance.now();
  context.log.push(logged);
  try {
    const pages = context.client.searchPaginated(
      base,
      {
        scope,
        filter: toLdaptsFilter(filter),
        attributes,
        explicitBufferAttributes,
        paged: { pageSize: Math.min(spec.pageSize ?? AD_MAX_PAGE_SIZE, AD_MAX_PAGE_SIZE) },
        // ldapts asks the server to give up after 10 s unless told otherwise, and Samba then answers
        // "Operations error" (an unindexed search of a 60,000-object domain can take longer). The
        // client's own per-request timeout (--timeout) is the limit that applies.
        timeLimit: 0,
      },
      spec.sdFlags === undefined ? undefined : [new SdFlagsControl(spec.sdFlags)],
    );
    for await (const page of pages) {
      for (const raw of page.searchEntries) {
        const entry = LdapEntry.fromRaw(raw);
        entries.push(entry);
        onEntry?.(entry, entries.length - 1);
      }
      references.push(...page.searchReferences);
    }
  } catch (error) {
    throw translateReadError(error, { url: context.url, phase: 'search', what: spec.purpose });
  }
  logged.entries = entries.length;
  logged.ms = Math.round(performance.now() - started);
  return { entries, references };
}

/** Where the next range of `name` starts, or undefined when the server sent the last one (`-*`). */
function nextRange(match: RegExpExecArray): { next: number; window: number } | undefined {
  if (match[3] === '*') return undefined;
  return { next: Number(match[3]) + 1, window: Number(match[3]) - Number(match[2]) + 1 };
}

/**
 * AD returns at most MaxValRange (1500) values of an attribute per entry and names the part it
 * sent (`member;range=0-1499`); the rest must be asked for by range (`member;range=1500-2999`),
 * until the answer ends in `-*`. Entries that need the same range of the same attribute are read
 * together, in one search whose filter names them by DN, so the number of follow-ups depends on
 * how many values the largest attribute has, not on how many entries have many values.
 */
async function completeRanges(context: SearchContext, entries: LdapEntry[], spec: SearchSpec): Promise<void> {
  let pending: PendingRange[] = [];
  for (const entry of entries) {
    for (const name of entry.names()) {
      const match = RANGE_ATTRIBUTE.exec(name);
      if (!match) continue;
      const attribute = match[1]!;
      const values = entry.raw(name);
      entry.delete(name);
      entry.append(attribute, values);
      const range = nextRange(match);
      if (range !== undefined) pending.push({ entry, attribute, ...range });
    }
  }
  while (pending.length > 0) {
    const batches = new Map<string, PendingRange[]>();
    for (const item of pending) {
      const key = `${item.attribute.toLowerCase()};${item.next};${item.window}`;
      const batch = batches.get(key);
      if (batch === undefined) batches.set(key, [item]);
      else batch.push(item);
    }
    const following: PendingRange[] = [];
    for (const group of batches.values()) {
      for (let offset = 0; offset < group.length; offset += RANGE_BATCH) {
        following.push(...(await readRange(context, group.slice(offset, offset + RANGE_BATCH), spec)));
      }
    }
    pending = following;
  }
}

/** Reads the next range of one attribute for a batch of entries; returns those with still more to read. */
async function readRange(context: SearchContext, batch: PendingRange[], spec: SearchSpec): Promise<PendingRange[]> {
  const { attribute, next, window } = batch[0]!;
  const requested = `${attribute};range=${next}-${next + window - 1}`;
  const byDn = new Map(batch.map((item) => [item.entry.dn.toLowerCase(), item]));
  const single = batch.length === 1;
  const filter: Filter = single
    ? { op: 'present', attribute: 'objectClass' }
    : { op: 'or', parts: batch.map((item) => ({ op: 'eq', attribute: 'distinguishedName', value: item.entry.dn })) };
  context.stats.rangeSearches += 1;
  const { entries } = await pagedSearch(context, single ? batch[0]!.entry.dn : spec.base, single ? 'base' : 'sub', filter, [requested], {
    ...spec,
    purpose: `${attribute} values from ${next} (${spec.purpose})`,
  });
  const more: PendingRange[] = [];
  const prefix = `${attribute.toLowerCase()};range=`;
  for (const part of entries) {
    const item = byDn.get(part.dn.toLowerCase()) ?? (single ? batch[0] : undefined);
    // ldapts also lists each requested attribute the server did not return, with no values.
    const name = part.names().find((n) => n.startsWith(prefix) && part.raw(n).length > 0);
    const match = name === undefined ? null : RANGE_ATTRIBUTE.exec(name);
    if (item === undefined || name === undefined || !match) continue;
    item.entry.append(attribute, part.raw(name));
    const range = nextRange(match);
    if (range !== undefined) more.push({ ...item, ...range });
  }
  return more;
}
