/**
 * A bound LDAP session: connect (LDAPS or StartTLS), bind, paged searches with AD's ranged
 * attribute retrieval, modifies. Every failure leaves here as a marker error (ldap/errors.ts).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import {
  AndFilter,
  Attribute,
  Change,
  Client,
  EqualityFilter,
  ExtensibleFilter,
  type Filter as LdaptsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
} from 'ldapts';
import { ConfigError, ConnectionError } from '../errors.js';
import { LdapEntry } from './entry.js';
import { SdFlagsControl } from './sd-flags-control.js';
import { translateLdapError, translateReadError } from './errors.js';
import { type Filter, filterToString, MATCHING_RULE_BIT_AND } from './filter.js';

export interface LdapConnectOptions {
  /** `ldaps://host[:port]`, or `ldap://host[:port]` (then use `startTls`). */
  url: string;
  /** Upgrade an `ldap://` connection with StartTLS before binding. Default: false. */
  startTls?: boolean;
  /** PEM file with the CA that issued the DC's certificate. Default: Node's trusted roots. */
  caFile?: string;
  /** The name expected in the DC's certificate, when it differs from the URL's host. Default: the URL's host. */
  tlsServername?: string;
  /** Skip certificate verification. Default: false. The CLI warns on every run that uses it. */
  insecure?: boolean;
  /** Milliseconds to wait for each LDAP response. Default: 30000. */
  timeoutMs?: number;
  /** Milliseconds to wait for the TCP/TLS connection. Default: 10000. */
  connectTimeoutMs?: number;
}

export interface BindCredentials {
  /** A DN, a UPN (`name@domain`) or `DOMAIN\name`: AD accepts all three for a simple bind. */
  user: string;
  password: string;
}

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
  /** Entries it returned. */
  entries: number;
  /** Milliseconds from the request to the last page. */
  ms: number;
}

/** AD's MaxPageSize: Windows DCs cap pages at 1000 entries. */
export const AD_MAX_PAGE_SIZE = 1000;

const RANGE_ATTRIBUTE = /^(.+);range=(\d+)-(\d+|\*)$/i;

/** An attribute of an entry that the server returned in part: where the next range starts. */
interface PendingRange {
  entry: LdapEntry;
  attribute: string;
  next: number;
  /** How many values the server returned in its last answer (its MaxValRange, 1500 on AD). */
  window: number;
}

/** At most this many entries' ranges are asked for in one follow-up search (one OR filter of DNs). */
const RANGE_BATCH = 1000;

export function toLdaptsFilter(filter: Filter): LdaptsFilter {
  switch (filter.op) {
    case 'and':
      return new AndFilter({ filters: filter.parts.map(toLdaptsFilter) });
    case 'or':
      return new OrFilter({ filters: filter.parts.map(toLdaptsFilter) });
    case 'not':
      return new NotFilter({ filter: toLdaptsFilter(filter.part) });
    case 'eq':
      return new EqualityFilter({ attribute: filter.attribute, value: filter.value });
    case 'present':
      return new PresenceFilter({ attribute: filter.attribute });
    case 'prefix':
      return new SubstringFilter({ attribute: filter.attribute, initial: filter.prefix, any: [] });
    case 'bitsAll':
      return new ExtensibleFilter({ matchType: filter.attribute, rule: MATCHING_RULE_BIT_AND, value: String(filter.bits) });
  }
}

function validateUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--url ${JSON.stringify(url)} is not a URL: use ldaps://dc01.example.com or ldap://dc01.example.com with --starttls`);
  }
  if (parsed.protocol !== 'ldaps:' && parsed.protocol !== 'ldap:') {
    throw new ConfigError(`--url ${JSON.stringify(url)}: the scheme must be ldaps:// or ldap:// (with --starttls)`);
  }
  if (parsed.hostname === '' || (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
    throw new ConfigError(`--url ${JSON.stringify(url)}: give only scheme, host and port (the base DN goes in --base-dn)`);
  }
  return parsed;
}

export class LdapSession {
  readonly url: string;
  readonly stats: SessionStats = { searches: 0, rangeSearches: 0, entries: 0, modifies: 0 };
  /** Every search sent, in order. */
  readonly searchLog: SearchLogEntry[] = [];
  private readonly client: Client;

  private constructor(url: string, client: Client) {
    this.url = url;
    this.client = client;
  }

  /** Connects, upgrades with StartTLS when asked, and binds. */
  static async open(options: LdapConnectOptions, credentials: BindCredentials): Promise<LdapSession> {
    const url = validateUrl(options.url);
    if (options.startTls === true && url.protocol === 'ldaps:') {
      throw new ConfigError('--starttls goes with ldap:// URLs; ldaps:// is already encrypted');
    }
    const tlsOptions = await buildTlsOptions(options, url);
    const client = new Client({
      url: options.url,
      timeout: options.timeoutMs ?? 30_000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      // ldapts turns any tlsOptions into an LDAPS connection: give them only to ldaps:// (StartTLS gets them below).
      ...(url.protocol === 'ldaps:' ? { tlsOptions } : {}),
      strictDN: false,
    });
    const session = new LdapSession(options.url, client);
    try {
      if (options.startTls === true) {
        try {
          await client.startTLS(tlsOptions);
        } catch (error) {
          throw translateLdapError(error, { url: options.url, phase: 'starttls' });
        }
      }
      try {
        await client.bind(credentials.user, credentials.password);
      } catch (error) {
        throw translateLdapError(error, { url: options.url, phase: 'bind', user: credentials.user });
      }
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Reads the RootDSE (one base search). */
  async rootDse(attributes: string[]): Promise<LdapEntry> {
    const { entries } = await this.search({
      base: '',
      scope: 'base',
      filter: { op: 'present', attribute: 'objectClass' },
      attributes,
      purpose: 'the RootDSE',
    });
    const entry = entries[0];
    if (entry === undefined) {
      throw new ConnectionError(`${this.url} returned no RootDSE: is this an LDAP directory?`);
    }
    return entry;
  }

  /**
   * A paged search that returns every entry, with multi-valued attributes that the server returned
   * in ranges (`member;range=0-1499`) read to the end.
   */
  async search(spec: SearchSpec): Promise<SearchResult> {
    const { entries, references } = await this.pagedSearch(spec.base, spec.scope, spec.filter, spec.attributes, spec);
    this.stats.entries += entries.length;
    await this.completeRanges(entries, spec);
    return { entries, references };
  }

  private async pagedSearch(base: string, scope: SearchScope, filter: Filter, attributes: string[], spec: SearchSpec): Promise<SearchResult> {
    const binary = spec.binaryAttributes ?? [];
    const explicitBufferAttributes = [...new Set([...binary, ...binary.map((b) => b.toLowerCase())])];
    const entries: LdapEntry[] = [];
    const references: string[] = [];
    this.stats.searches += 1;
    const logged: SearchLogEntry = { base, scope, filter: filterToString(filter), attributes, purpose: spec.purpose, entries: 0, ms: 0 };
    const started = performance.now();
    this.searchLog.push(logged);
    try {
      const pages = this.client.searchPaginated(base, {
        scope,
        filter: toLdaptsFilter(filter),
        attributes,
        explicitBufferAttributes,
        paged: { pageSize: Math.min(spec.pageSize ?? AD_MAX_PAGE_SIZE, AD_MAX_PAGE_SIZE) },
        // ldapts asks the server to give up after 10 s unless told otherwise, and Samba then answers
        // "Operations error" (an unindexed search of a 60,000-object domain can take longer). The
        // client's own per-request timeout (--timeout) is the limit that applies.
        timeLimit: 0,
      }, spec.sdFlags === undefined ? undefined : [new SdFlagsControl(spec.sdFlags)]);
      for await (const page of pages) {
        for (const raw of page.searchEntries) {
          entries.push(LdapEntry.fromRaw(raw));
        }
        references.push(...page.searchReferences);
      }
    } catch (error) {
      throw translateReadError(error, { url: this.url, phase: 'search', what: spec.purpose });
    }
    logged.entries = entries.length;
    logged.ms = Math.round(performance.now() - started);
    return { entries, references };
  }

  /**
   * AD returns at most MaxValRange (1500) values of an attribute per entry and names the part it
   * sent (`member;range=0-1499`); the rest must be asked for by range (`member;range=1500-2999`),
   * until the answer ends in `-*`. Entries that need the same range of the same attribute are read
   * together, in one search whose filter names them by DN, so the number of follow-ups depends on
   * how many values the largest attribute has, not on how many entries have many values.
   */
  private async completeRanges(entries: LdapEntry[], spec: SearchSpec): Promise<void> {
    let pending: PendingRange[] = [];
    for (const entry of entries) {
      for (const name of entry.names()) {
        const match = RANGE_ATTRIBUTE.exec(name);
        if (!match) continue;
        const attribute = match[1]!;
        const values = entry.raw(name);
        entry.delete(name);
        entry.append(attribute, values);
        if (match[3] !== '*') pending.push({ entry, attribute, next: Number(match[3]) + 1, window: Number(match[3]) - Number(match[2]) + 1 });
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
          following.push(...(await this.readRange(group.slice(offset, offset + RANGE_BATCH), spec)));
        }
      }
      pending = following;
    }
  }

  /** Reads the next range of one attribute for a batch of entries; returns those with still more to read. */
  private async readRange(batch: PendingRange[], spec: SearchSpec): Promise<PendingRange[]> {
    const { attribute, next, window } = batch[0]!;
    const requested = `${attribute};range=${next}-${next + window - 1}`;
    const byDn = new Map(batch.map((item) => [item.entry.dn.toLowerCase(), item]));
    const single = batch.length === 1;
    const filter: Filter = single ? { op: 'present', attribute: 'objectClass' } : { op: 'or', parts: batch.map((item) => ({ op: 'eq', attribute: 'distinguishedName', value: item.entry.dn })) };
    this.stats.rangeSearches += 1;
    const { entries } = await this.pagedSearch(single ? batch[0]!.entry.dn : spec.base, single ? 'base' : 'sub', filter, [requested], {
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
      if (match[3] !== '*') more.push({ ...item, next: Number(match[3]) + 1, window: Number(match[3]) - Number(match[2]) + 1 });
    }
    return more;
  }

  /** One modify request; changes apply atomically or not at all (RFC 4511 4.6). */
  async modify(dn: string, changes: ReadonlyArray<{ operation: 'add' | 'delete' | 'replace'; attribute: string; values: string[] }>): Promise<void> {
    this.stats.modifies += 1;
    try {
      await this.client.modify(
        dn,
        changes.map((c) => new Change({ operation: c.operation, modification: new Attribute({ type: c.attribute, values: c.values }) })),
      );
    } catch (error) {
      throw translateLdapError(error, { url: this.url, phase: 'modify', what: dn });
    }
  }

  /** Unbinds and closes the socket. Never throws. */
  async close(): Promise<void> {
    try {
      await this.client.unbind();
    } catch {
      // The socket is gone either way; nothing to report on the way out.
    }
  }

  /** For logs: the filter as RFC 4515 text. */
  static describe(spec: SearchSpec): string {
    return `${spec.purpose}: base=${spec.base} scope=${spec.scope} filter=${filterToString(spec.filter)}`;
  }
}

async function buildTlsOptions(options: LdapConnectOptions, url: URL): Promise<TlsOptions> {
  const tls: TlsOptions = { rejectUnauthorized: options.insecure !== true };
  if (options.caFile !== undefined) {
    try {
      tls.ca = [await readFile(options.caFile)];
    } catch (error) {
      throw new ConfigError(`--ca-file ${options.caFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  }
  // RFC 6066 forbids an IP address as SNI; for an IP URL, Node checks the certificate against the IP instead.
  const servername = options.tlsServername ?? (isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0 ? url.hostname : undefined);
  if (servername !== undefined) {
    tls.servername = servername;
  }
  return tls;
}
