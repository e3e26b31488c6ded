/**
 * Finding a domain's DCs the way Windows does: DNS SRV records `_ldap._tcp.dc._msdcs.<domain>` (or
 * the site's `_ldap._tcp.<site>._sites.dc._msdcs.<domain>`), tried in the order of RFC 2782
 * (lowest priority first; within a priority, a weighted random draw).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError, ConnectionError } from '../errors.js';

export interface SrvTarget {
  /** The DC's DNS name, as the SRV record gives it (no trailing dot). */
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** A DC to connect to: its name, and the URL to connect with (by address when a DNS server was named). */
export interface DcEndpoint {
  name: string;
  url: string;
}

export interface LocateOptions {
  /** The domain's DNS name: corp.example.com. */
  domain: string;
  /** Only the DCs of this AD site. Default: every DC of the domain. */
  site?: string;
  /** Ask this DNS server (address, or address:port) instead of the system's resolvers. */
  dnsServer?: string;
  /** Milliseconds per DNS query attempt. Default 3000. */
  timeoutMs?: number;
  /** For tests of the weighted draw. Default Math.random. */
  random?: () => number;
}

/** The SRV name AD's DC locator asks for (MS-ADTS 6.3.2.3). */
export function srvName(domain: string, site?: string): string {
  return site === undefined ? `_ldap._tcp.dc._msdcs.${domain}` : `_ldap._tcp.${site}._sites.dc._msdcs.${domain}`;
}

/**
 * RFC 2782's order: priorities ascending; inside one priority, repeatedly draw a record with
 * probability proportional to its weight (weight-0 records first in the running sums, so they are
 * picked rarely but still picked).
 */
export function orderSrv(records: readonly SrvTarget[], random: () => number = Math.random): SrvTarget[] {
  const ordered: SrvTarget[] = [];
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  for (const priority of priorities) {
    const left = records.filter((r) => r.priority === priority).sort((a, b) => a.weight - b.weight);
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0);
      const draw = Math.floor(random() * (total + 1));
      let running = 0;
      const index = left.findIndex((r) => (running += r.weight) >= draw);
      ordered.push(...left.splice(index < 0 ? 0 : index, 1));
    }
  }
  return ordered;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function resolverFor(options: LocateOptions): Resolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: 2 });
  if (options.dnsServer !== undefined) {
    try {
      resolver.setServers([options.dnsServer]);
    } catch {
      throw new ConfigError(`--dns-server ${JSON.stringify(options.dnsServer)} is not an address (10.0.0.53, or 10.0.0.53:5353)`);
    }
  }
  return resolver;
}

const DNS_WORDS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'no such name',
  ENODATA: 'no SRV records',
  ETIMEOUT: 'no DNS server answered',
  ECONNREFUSED: 'the DNS server refused the query',
  ESERVFAIL: 'the DNS server failed (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query',
};

function dnsError(name: string, error: unknown, server: string | undefined): ConnectionError {
  const code = (error as { code?: string }).code ?? String(error);
  const from = server === undefined ? '' : ` from ${server}`;
  return new ConnectionError(
    `DNS${from} has no DC for ${name}: ${DNS_WORDS[code] ?? code} (check the domain name, the site, and that this machine uses the domain's DNS)`,
    {
      cause: error,
    },
  );
}

/** The domain's DCs from DNS, in the order to try them. A domain with none is a ConnectionError. */
export async function locateDomainControllers(options: LocateOptions): Promise<SrvTarget[]> {
  const domain = options.domain.replace(/\.$/, '');
  if (!DOMAIN_NAME.test(domain)) throw new ConfigError(`--domain ${JSON.stringify(options.domain)} is not a DNS domain name (corp.example.com)`);
  const name = srvName(domain, options.site);
  const resolver = resolverFor(options);
  let records: SrvTarget[];
  try {
    records = (await resolver.resolveSrv(name)).map((r) => ({ ...r, name: r.name.replace(/\.$/, '') }));
  } catch (error) {
    throw dnsError(name, error, options.dnsServer);
  }
  // A target of "." says the service is decidedly not available there (RFC 2782).
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  if (usable.length === 0) throw dnsError(name, Object.assign(new Error('no usable target'), { code: 'ENODATA' }), options.dnsServer);
  return orderSrv(usable, options.random);
}

/**
 * The address to connect to for a DC's name, asked of the named DNS server; without one, the name
 * itself (the system resolver looks it up when connecting).
 */
async function addressOf(name: string, dnsServer: string | undefined): Promise<string> {
  if (dnsServer === undefined || isIP(name) !== 0) return name;
  const resolver = resolverFor({ domain: name, dnsServer });
  try {
    const [address] = await resolver.resolve4(name);
    if (address !== undefined) return address;
  } catch {
    // falls through: the connection attempt then names the failure
  }
  return name;
}

/**
 * How to reach a DC by its name with the settings of a session: the endpoint DNS gave for it, or
 * the session's scheme and port with the DC's name (its address from the named DNS server).
 */
export async function endpointFor(
  name: string,
  connect: { url: string; tlsServername?: string; knownDcs?: DcEndpoint[]; dnsServer?: string },
): Promise<DcEndpoint> {
  const same = (other: string): boolean => other.toLowerCase() === name.toLowerCase();
  const known = connect.knownDcs?.find((dc) => same(dc.name));
  if (known !== undefined) return known;
  const url = new URL(connect.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (same(host) || (isIP(host) !== 0 && connect.tlsServername !== undefined && same(connect.tlsServername))) return { name, url: connect.url };
  url.hostname = await addressOf(name, connect.dnsServer);
  return { name, url: `${url.protocol}//${url.host}` };
}

/**
 * The URL of each DC DNS named: LDAPS on 636 for simple binds, or the SRV record's port (389) with
 * StartTLS or Kerberos, by the DC's name (or, with a named DNS server, by the address it gives).
 */
export async function endpointsOf(targets: readonly SrvTarget[], scheme: 'ldaps' | 'ldap', dnsServer: string | undefined): Promise<DcEndpoint[]> {
  return Promise.all(
    targets.map(async (target) => {
      const port = scheme === 'ldaps' ? 636 : target.port;
      const host = await addressOf(target.name, dnsServer);
      return { name: target.name, url: `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}` };
    }),
  );
}
