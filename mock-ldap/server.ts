// mock-ldap relies on ldapts 8.2 internals: BerReader/BerWriter, the request classes'
// parseMessage(), Attribute, the filter and PagedResultsControl classes. package.json pins
// ldapts "~8.2.0"; re-run test/mock-ldap when upgrading it.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';

import { ensureCertificates } from './certs.js';
import { Directory } from './directory.js';
import { parseDn } from './dn.js';
import { AD_MAX_VAL_RANGE } from './search.js';
import { type LdifEntry, loadLdifFile } from './ldif.js';
import { type MockLdapStats, OID, type ServerContext, Session, SUPPORTED_CONTROLS } from './session.js';
import { FaultSet } from './faults.js';

export type { MockLdapStats } from './session.js';

/** Options of {@link startMockLdap}. One of `ldif` or `entries` is required. */
export interface MockLdapOptions {
  /** Path of an LDIF file to serve. No default. */
  ldif?: string;
  /** Parsed LDIF entries to serve (instead of `ldif`). No default. */
  entries?: readonly LdifEntry[];
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Plain LDAP port. Default 0: a random free port. */
  port?: number;
  /** LDAPS port; `false` disables LDAPS. Default 0: a random free port. */
  tlsPort?: number | false;
  /** Refuse simple binds with a password over plain LDAP without StartTLS (resultCode 8), like a DC requiring LDAP signing. Default true. */
  requireTls?: boolean;
  /** NetBIOS domain name for `NETBIOS\user` binds. Default: first label of the domain DN, uppercased (CORP). */
  netbiosName?: string;
  /** DNS domain name for implicit UPNs and referrals. Default: the DC= components of the domain DN (corp.example.com). */
  dnsDomain?: string;
  /** The domain naming context. Default: the shortest DN of the LDIF made only of DC= components. */
  domainDn?: string;
  /** AD's MaxPageSize: larger pages are capped, unpaged searches stop there with sizeLimitExceeded. Default 1000. */
  maxPageSize?: number;
  /** AD's MaxValRange: a search returns at most this many values of an attribute, then `name;range=0-1499` (read the rest by range). Default 1500. */
  maxValRange?: number;
  /** The DC's host name, for its RootDSE (dnsHostName `<dcName>.<dnsDomain>`). Default `DC01`. */
  dcName?: string;
  /** Certificate cache directory. Default `<project>/mock-ldap/.certs`. */
  certsDir?: string;
}

/** An entry as stored, for test assertions (userPassword and objectSid text included). */
export interface EntrySnapshot {
  dn: string;
  /** Values by attribute name as written in the LDIF; memberOf and distinguishedName included. */
  attributes: Record<string, string[]>;
  /** Values of one attribute, name case-insensitive; [] when absent. */
  get(name: string): string[];
}

/** A running mock domain controller. */
export interface MockLdap {
  /** `ldap://127.0.0.1:<port>` */
  url: string;
  /** `ldaps://127.0.0.1:<tlsPort>`, undefined when LDAPS is disabled. */
  ldapsUrl: string | undefined;
  /** The CA certificate that signed the server certificate (for LDAPS and StartTLS). */
  caFile: string;
  /** A TLS servername the certificate matches: 'localhost'. */
  servername: string;
  port: number;
  tlsPort: number | undefined;
  domainDn: string;
  dnsDomain: string;
  netbiosName: string;
  stats: MockLdapStats;
  /** Fault injection: add rules, or refuse new connections; clear() restores normal service. */
  faults: FaultSet;
  resetStats(): void;
  /** The entry named by `dn` (case-insensitive), or undefined. */
  getEntry(dn: string): EntrySnapshot | undefined;
  /** Closes both listeners and destroys every open client connection. */
  close(): Promise<void>;
}

/** Starts a mock Active Directory domain controller speaking LDAP v3 on real sockets. */
export async function startMockLdap(options: MockLdapOptions): Promise<MockLdap> {
  const records = options.entries ?? (options.ldif ? await loadLdifFile(options.ldif) : undefined);
  if (!records) throw new Error('startMockLdap: pass `ldif` (a path) or `entries`');
  const directory = new Directory(records, options.ldif ?? 'entries');
  const domainDn = options.domainDn ?? findDomainDn(records);
  const dnsDomain = options.dnsDomain ?? [...domainDn.matchAll(/DC\s*=\s*([^,]+)/gi)].map((match) => (match[1] ?? '').trim()).join('.');
  const netbiosName = options.netbiosName ?? (dnsDomain.split('.')[0] ?? '').toUpperCase();
  const host = options.host ?? '127.0.0.1';
  const certificates = await ensureCertificates(options.certsDir);
  const [key, cert] = await Promise.all([readFile(certificates.keyFile), readFile(certificates.certFile)]);
  const stats: MockLdapStats = { binds: 0, searches: 0, modifies: 0, adds: 0, deletes: 0, compares: 0, extended: 0, total: 0, searchLog: [] };
  const faults = new FaultSet();
  const context: ServerContext = {
    directory,
    faults,
    stats,
    secureContext: tls.createSecureContext({ key, cert }),
    requireTls: options.requireTls ?? true,
    maxPageSize: options.maxPageSize ?? 1000,
    maxValRange: options.maxValRange ?? AD_MAX_VAL_RANGE,
    netbiosName,
    dnsDomain,
    namingContexts: { dnsDomain, roots: [domainDn, `CN=Configuration,${domainDn}`, `CN=Schema,CN=Configuration,${domainDn}`] },
    dcInfo: { domainDn, dnsDomain, dcName: options.dcName ?? 'DC01', controls: [...SUPPORTED_CONTROLS], extensions: [OID.startTls, OID.whoAmI] },
  };

  // Track raw sockets, not sessions: a TLS handshake in progress has no session yet but must not keep close() waiting.
  const sockets = new Set<net.Socket>();
  const sessions = new Set<Session>();
  const accept =
    (secure: boolean) =>
    (socket: net.Socket): void => {
      if (faults.refuseConnections) return void socket.destroy();
      const session = new Session(context, socket, secure);
      sessions.add(session);
      socket.on('close', () => sessions.delete(session));
    };
  const plainServer = net.createServer(accept(false));
  const tlsServer = options.tlsPort === false ? undefined : tls.createServer({ key, cert }, accept(true));
  tlsServer?.on('tlsClientError', (_error, socket) => socket.destroy());
  for (const server of [plainServer, tlsServer]) {
    server?.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    });
  }
  const port = await listenOn(plainServer, host, options.port ?? 0);
  const tlsPort = tlsServer ? await listenOn(tlsServer, host, options.tlsPort === false ? 0 : (options.tlsPort ?? 0)) : undefined;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `ldap://${urlHost}:${port}`,
    ldapsUrl: tlsPort === undefined ? undefined : `ldaps://${urlHost}:${tlsPort}`,
    caFile: certificates.caFile,
    servername: 'localhost',
    port,
    tlsPort,
    domainDn,
    dnsDomain,
    netbiosName,
    stats,
    faults,
    resetStats() {
      Object.assign(stats, { binds: 0, searches: 0, modifies: 0, adds: 0, deletes: 0, compares: 0, extended: 0, total: 0 });
      stats.searchLog.length = 0;
    },
    getEntry(dn) {
      const entry = directory.find(dn);
      if (!entry) return undefined;
      const constructed = ['distinguishedName', 'memberOf'].map((name) => ({ name, values: directory.values(entry, name) }));
      const all = [...entry.attributes.values(), ...constructed.filter((attribute) => attribute.values.length > 0)];
      const attributes = Object.fromEntries(all.map((attribute) => [attribute.name, [...attribute.values]]));
      return { dn: entry.dn, attributes, get: (name) => [...(all.find((attribute) => attribute.name.toLowerCase() === name.toLowerCase())?.values ?? [])] };
    },
    async close() {
      const closing = [plainServer, tlsServer].map((server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await Promise.all(closing);
    },
  };
}

function findDomainDn(records: readonly LdifEntry[]): string {
  const candidates = records.filter((record) => {
    try {
      const rdns = parseDn(record.dn);
      return rdns.length > 0 && rdns.every((rdn) => rdn.startsWith('dc='));
    } catch {
      return false;
    }
  });
  const shortest = candidates.sort((left, right) => parseDn(left.dn).length - parseDn(right.dn).length)[0];
  if (!shortest) throw new Error('startMockLdap: no DC=... entry in the LDIF; pass domainDn');
  return shortest.dn;
}

function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
