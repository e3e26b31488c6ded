/**
 * A bound LDAP session: connect (LDAPS or StartTLS), bind, search (ldap/search.ts), modify. Every
 * failure leaves here as a marker error (ldap/errors.ts).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions, TLSSocket } from 'node:tls';
import { Attribute, Change, Client } from 'ldapts';
import { AuthError, ConfigError, ConnectionError, setting, wording } from '../errors.js';
import type { DcEndpoint } from './dc-locator.js';
import type { LdapEntry } from './entry.js';
import { isRetryableRead, translateLdapError, translateReadError } from './errors.js';
import { kerberosClient, openStartTls } from './kerberos/kerberos-connect.js';
import { searchAll, type SearchLogEntry, type SearchResult, type SearchSpec, type SessionStats } from './search.js';

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
  /** How to sign in: a simple bind with a password, or Kerberos with the caller's tickets. Default: 'simple'. */
  auth?: 'simple' | 'kerberos';
  /** Kerberos on plain LDAP: encrypt (seal) as well as sign. Default: false (signed). */
  seal?: boolean;
  /** Kerberos: whose tickets, from which client keytab, for which service. Default: the credential cache's principal, ldap/<DC name>. */
  kerberos?: KerberosOptions;
  /**
   * Other DCs of the domain, in the order to try them when `url` refuses the connection, times out,
   * or answers busy or unavailable (failover). Default: none. Never used for writes.
   */
  alternates?: DcEndpoint[];
  /** Every DC DNS named, to reach one by its name (replication checks, --compare-dcs, --write-dc). Default: none. */
  knownDcs?: DcEndpoint[];
  /** The DNS server that named the DCs (`locateDomainControllers`), to find other DCs' addresses with. Default: the system's. */
  dnsServer?: string;
  /** Told each time a DC is left for the next one: why, and which is next. Default: silent. */
  onFailover?: (line: string) => void;
}

export interface KerberosOptions {
  /** The client principal (user@REALM) to use from the cache collection or the keytab. Default: the cache's default principal. */
  principal?: string;
  /** A client keytab, for scheduled jobs. Default: none (MIT's KRB5_CLIENT_KTNAME still applies). */
  keytab?: string;
  /** The DC's service principal. Default: ldap/<the URL's host name, or tlsServername when the URL holds an address>. */
  servicePrincipal?: string;
  /** The GSS-API library to load (a file name or path). Default: the platform's (libgssapi_krb5.so.2 on Linux). */
  library?: string;
}

export interface BindCredentials {
  /** A DN, a UPN (`name@domain`) or `DOMAIN\name`: AD accepts all three for a simple bind. */
  user: string;
  password: string;
}

/** A modification of one attribute, as in RFC 4511's ModifyRequest. */
export interface AttributeChange {
  operation: 'add' | 'delete' | 'replace';
  attribute: string;
  values: string[];
}

/** The URL parsed, or a ConfigError that says what a DC's URL looks like. */
export function validateUrl(url: string): URL {
  const url_ = setting('url');
  const startTls = setting('startTls');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(wording`${url_} ${JSON.stringify(url)} is not a URL: use ldaps://dc01.example.com or ldap://dc01.example.com with ${startTls}`);
  }
  if (parsed.protocol !== 'ldaps:' && parsed.protocol !== 'ldap:') {
    throw new ConfigError(wording`${url_} ${JSON.stringify(url)}: the scheme must be ldaps:// or ldap:// (with ${startTls})`);
  }
  if (parsed.hostname === '' || (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
    throw new ConfigError(wording`${url_} ${JSON.stringify(url)}: give only scheme, host and port (the base DN goes in ${setting('baseDn')})`);
  }
  return parsed;
}

async function buildTlsOptions(options: LdapConnectOptions, url: URL): Promise<TlsOptions> {
  const tls: TlsOptions = { rejectUnauthorized: options.insecure !== true };
  if (options.caFile !== undefined) {
    try {
      tls.ca = [await readFile(options.caFile)];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new ConfigError(wording`${setting('caFile')} ${options.caFile}: cannot read it (${code})`, { cause: error });
    }
  }
  // RFC 6066 forbids an IP address as SNI; for an IP URL, Node checks the certificate against the IP instead.
  const servername = options.tlsServername ?? (isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0 ? url.hostname : undefined);
  if (servername !== undefined) tls.servername = servername;
  return tls;
}

/** What a session counts and logs; a sibling (a second connection to the same DC) shares its session's. */
interface Ledger {
  stats: SessionStats;
  searchLog: SearchLogEntry[];
}

export class LdapSession {
  readonly url: string;
  readonly stats: SessionStats;
  /** Every search sent, in order. */
  readonly searchLog: SearchLogEntry[];
  private readonly client: Client;
  /** The settings it was opened with, for a sibling. */
  private readonly options: LdapConnectOptions;

  private constructor(
    options: LdapConnectOptions,
    client: Client,
    /** How the session signed in, for progress lines and journals: `simple`, `kerberos (signed)`, … */
    readonly authMethod = 'simple',
    /** The DC's name: the URL's host, or the name it was found by (DNS SRV, --tls-servername). */
    readonly dcName = '',
    ledger: Ledger = { stats: { searches: 0, rangeSearches: 0, entries: 0, modifies: 0 }, searchLog: [] },
  ) {
    this.url = options.url;
    this.options = options;
    this.client = client;
    this.stats = ledger.stats;
    this.searchLog = ledger.searchLog;
  }

  /**
   * A second connection to the same DC, signed in the same way, counting into this session's stats
   * and search log: for independent searches to run side by side on a server that answers one
   * connection's requests one after the other (Samba does; AD works on them at once either way).
   */
  sibling(credentials?: BindCredentials): Promise<LdapSession> {
    return LdapSession.openOne({ ...this.options, alternates: [] }, credentials, this.dcName, this);
  }

  /** Kerberos: the bind happens on a socket of our own (kerberos/kerberos-connect.ts), then ldapts takes it over. */
  private static async openKerberos(options: LdapConnectOptions, url: URL, tls: TlsOptions, dcName: string, ledger?: Ledger): Promise<LdapSession> {
    const { client, authMethod } = await kerberosClient({
      url,
      seal: options.seal === true,
      startTls: options.startTls === true,
      tls,
      tlsServername: options.tlsServername,
      principal: options.kerberos?.principal,
      keytab: options.kerberos?.keytab,
      servicePrincipal: options.kerberos?.servicePrincipal,
      library: options.kerberos?.library,
      timeoutMs: options.timeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    });
    const session = new LdapSession(options, client, authMethod, dcName, ledger);
    try {
      // ldapts connects on the first request and does not share a connect between concurrent ones:
      // one request now, before any search fans out.
      await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['supportedSASLMechanisms'] });
    } catch (error) {
      await session.close();
      throw translateLdapError(error, { url: options.url, phase: 'bind' });
    }
    return session;
  }

  /**
   * Connects, upgrades with StartTLS when asked, and binds; with `alternates`, the first DC that
   * answers. A refused bind is never retried on another DC (the same password would be refused
   * there too, and count towards a lockout).
   */
  static async open(options: LdapConnectOptions, credentials?: BindCredentials): Promise<LdapSession> {
    const candidates = dcCandidates(options);
    const failures: string[] = [];
    for (const [index, candidate] of candidates.entries()) {
      const next = candidates[index + 1];
      try {
        return await LdapSession.openOne({ ...options, ...candidate.connect }, credentials, candidate.name);
      } catch (error) {
        if (next === undefined || !canFailOver(error)) {
          if (failures.length === 0) throw error;
          throw new ConnectionError(`no DC answered: ${[...failures, `${candidate.name}: ${(error as Error).message}`].join('; ')}`, { cause: error });
        }
        failures.push(`${candidate.name}: ${(error as Error).message}`);
        options.onFailover?.(`${candidate.name} did not answer (${(error as Error).message}); trying ${next.name}`);
      }
    }
    throw new ConfigError('no DC to connect to');
  }

  private static async openOne(options: LdapConnectOptions, credentials: BindCredentials | undefined, dcName: string, ledger?: Ledger): Promise<LdapSession> {
    const url = validateUrl(options.url);
    if (options.startTls === true && url.protocol === 'ldaps:') {
      throw new ConfigError(wording`${setting('startTls')} goes with ldap:// URLs; ldaps:// is already encrypted`);
    }
    const tlsOptions = await buildTlsOptions(options, url);
    if (options.auth === 'kerberos') return LdapSession.openKerberos(options, url, tlsOptions, dcName, ledger);
    const secured: TLSSocket | undefined = options.startTls === true ? await openStartTls(url, tlsOptions, options.connectTimeoutMs ?? 10_000) : undefined;
    const client = new Client({
      url: options.url,
      timeout: options.timeoutMs ?? 30_000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      // ldapts turns any tlsOptions into an LDAPS connection: give them only to ldaps:// (StartTLS gets them below).
      ...(url.protocol === 'ldaps:' ? { tlsOptions } : {}),
      // StartTLS on a socket of our own, handed over as the connection: after ldapts's own startTLS() it
      // watches only the socket under TLS, so a dropped connection went unnoticed until the request timeout.
      ...(options.startTls === true ? { createConnection: () => secured! } : {}),
      strictDN: false,
    });
    const session = new LdapSession(options, client, 'simple', dcName, ledger);
    try {
      if (credentials === undefined) throw new ConfigError(wording`a simple bind needs a user and a password`);
      await session.step('bind', () => client.bind(credentials.user, credentials.password), credentials.user);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Runs one request of the connection's set-up, translating its failure. */
  private async step(phase: 'starttls' | 'bind', run: () => Promise<void>, user?: string): Promise<void> {
    try {
      await run();
    } catch (error) {
      // translateReadError marks busy and unavailable answers, which send a failover to the next DC.
      throw translateReadError(error, { url: this.url, phase, ...(user === undefined ? {} : { user }) });
    }
  }

  /** Reads the RootDSE (one base search). */
  async rootDse(attributes: string[]): Promise<LdapEntry> {
    const { entries } = await this.search({ base: '', scope: 'base', filter: { op: 'present', attribute: 'objectClass' }, attributes, purpose: 'the RootDSE' });
    const entry = entries[0];
    if (entry === undefined) throw new ConnectionError(`${this.url} returned no RootDSE: is this an LDAP directory?`);
    return entry;
  }

  /** A paged search that returns every entry, ranged attributes read to the end (ldap/search.ts). */
  search(spec: SearchSpec): Promise<SearchResult> {
    return searchAll({ client: this.client, url: this.url, stats: this.stats, log: this.searchLog }, spec);
  }

  /** One modify request; changes apply atomically or not at all (RFC 4511 4.6). */
  async modify(dn: string, changes: readonly AttributeChange[]): Promise<void> {
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
}

/** The DC a URL names: its host, or the certificate name when the URL holds an address. */
export function dcNameOf(url: string, tlsServername: string | undefined): string {
  const host = validateUrl(url).hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 && tlsServername !== undefined ? tlsServername : host;
}

/** The DCs to try, in order: `url`, then the alternates (each checked against its own name). */
function dcCandidates(options: LdapConnectOptions): Array<{ name: string; connect: Partial<LdapConnectOptions> }> {
  validateUrl(options.url);
  const first = { name: dcNameOf(options.url, options.tlsServername), connect: { alternates: [] } };
  return [
    first,
    ...(options.alternates ?? []).map((dc) => ({
      name: dc.name,
      connect: pinned(options, dc),
    })),
  ];
}

/** Refused, timed out, unreachable, busy, unavailable: another DC may answer. A refused bind may not. */
function canFailOver(error: unknown): boolean {
  if (error instanceof AuthError || error instanceof ConfigError) return false;
  return error instanceof ConnectionError || isRetryableRead(error);
}

/** The same settings for exactly one DC, never another: where a plan is written and each DC verified. */
export function pinned(options: LdapConnectOptions, dc: DcEndpoint): LdapConnectOptions {
  if (dc.url === options.url) return { ...options, alternates: [] };
  return { ...options, url: dc.url, tlsServername: dc.name, alternates: [], kerberos: { ...options.kerberos, servicePrincipal: undefined } };
}

/** The same settings with the DC after the one in `url` first: a read that failed on one DC starts again on the next. */
export function nextDcFirst(options: LdapConnectOptions, failedUrl: string): LdapConnectOptions {
  const alternates = options.alternates ?? [];
  const [next, ...rest] = alternates;
  if (next === undefined || failedUrl !== options.url) return options;
  const current: DcEndpoint = { name: dcNameOf(options.url, options.tlsServername), url: options.url };
  return { ...options, url: next.url, tlsServername: next.name, alternates: [...rest, current] };
}
