/**
 * The connection flags every command that talks to a DC shares, and their merge with the config file.
 */
import { type Command, Option } from 'commander';
import type { Config } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { endpointsOf, locateDomainControllers, srvName } from '../../ldap/dc-locator.js';
import type { BindCredentials, KerberosOptions, LdapConnectOptions } from '../../ldap/session.js';
import { readPassword } from '../password.js';

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) <= 0)
      throw new ConfigError(`${flag} takes a positive whole number of milliseconds, not ${JSON.stringify(value)}`);
    return Number(value);
  };
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--config <file>', 'JSON config file; flags override its keys')
    .option('--url <url>', 'the DC: ldaps://dc01.corp.example.com, or ldap://… with --starttls')
    .option('--domain <name>', 'the domain instead of one DC: its DCs are found in DNS (_ldap._tcp.dc._msdcs.<name>), the next tried when one does not answer')
    .option('--site <name>', 'with --domain: only the DCs of this AD site (_ldap._tcp.<site>._sites.dc._msdcs.<name>)')
    .option('--dns-server <address>', "with --domain: ask this DNS server (10.0.0.53 or 10.0.0.53:5353), not the system's")
    .option('--starttls', 'upgrade an ldap:// connection with StartTLS before binding')
    .option('--base-dn <dn>', 'where to search (default: the RootDSE defaultNamingContext)')
    .addOption(
      new Option('--auth <method>', 'sign in with a password (simple, the default) or with your Kerberos tickets (kerberos: no password)').choices([
        'simple',
        'kerberos',
      ]),
    )
    .option('--user <name>', 'bind as a UPN (admin@corp.example.com), DN, or DOMAIN\\name; with --auth kerberos, the principal to use (optional)')
    .option('--seal', 'with --auth kerberos on ldap://: encrypt the connection, not only sign it')
    .option('--keytab <file>', 'with --auth kerberos: sign in from this client keytab (scheduled jobs; also KRB5_CLIENT_KTNAME)')
    .option('--password-file <file>', `read the password from this file (else ${'DELEGAUDIT_PASSWORD'}, else a prompt)`)
    .option('--ca-file <pem>', 'trust this CA for the DC certificate')
    .option('--tls-servername <name>', 'the name expected in the DC certificate')
    .option('--insecure', 'skip TLS certificate checks (never in production)')
    .option('--timeout <ms>', 'per-request timeout (default 30000)', positiveInt('--timeout'))
    .option('--connect-timeout <ms>', 'connection timeout (default 10000)', positiveInt('--connect-timeout'))
    .option('--debug', 'print stack traces on errors')
    .option('--quiet', 'print only the report (and warnings): no progress or summary lines')
    .addOption(new Option('--password <value>', 'never accepted: see --password-file').hideHelp());
}

/** What the connection flags resolve to, after the config file and the password source. */
export interface ResolvedConnection {
  connect: LdapConnectOptions;
  /** The user and password of a simple bind; none with Kerberos. */
  credentials: BindCredentials | undefined;
  warnings: string[];
}

export async function resolveConnection(
  merged: Config & { password?: string },
  io: { env: NodeJS.ProcessEnv; stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream },
  progress: ((line: string) => void) | undefined = undefined,
): Promise<ResolvedConnection> {
  const resolved = await resolveSignIn(merged, io);
  if (merged.domain === undefined) return resolved;
  return { ...resolved, connect: await domainConnection(merged, resolved.connect, progress) };
}

/** --domain: the DCs DNS names, in RFC 2782's order; the first is `url`, the others its failover. */
async function domainConnection(merged: Config, connect: LdapConnectOptions, progress: ((line: string) => void) | undefined): Promise<LdapConnectOptions> {
  const domain = merged.domain!;
  const targets = await locateDomainControllers({ domain, site: merged.site, dnsServer: merged.dnsServer });
  const scheme = merged.auth === 'kerberos' || merged.starttls === true ? 'ldap' : 'ldaps';
  const [first, ...alternates] = await endpointsOf(targets, scheme, merged.dnsServer);
  progress?.(`DNS names ${targets.length} DC(s) for ${domain} (${srvName(domain, merged.site)}): ${targets.map((t) => t.name).join(', ')}`);
  return {
    ...connect,
    url: first!.url,
    tlsServername: first!.name,
    alternates,
    knownDcs: [first!, ...alternates],
    ...(merged.dnsServer === undefined ? {} : { dnsServer: merged.dnsServer }),
  };
}

/** The sign-in: Kerberos, or a simple bind with a password from the file, the environment or the prompt. */
async function resolveSignIn(
  merged: Config & { password?: string },
  io: { env: NodeJS.ProcessEnv; stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream },
): Promise<ResolvedConnection> {
  if (merged.password !== undefined) {
    throw new ConfigError(
      'passwords are never taken from the command line (other users can read it): use DELEGAUDIT_PASSWORD, --password-file FILE, or the prompt',
    );
  }
  const url = checkTarget(merged);
  if (merged.auth === 'kerberos') return kerberosConnection(merged, url);
  if (merged.seal === true || merged.keytab !== undefined) throw new ConfigError(`--${merged.seal === true ? 'seal' : 'keytab'} goes with --auth kerberos`);
  if (merged.user === undefined) throw new ConfigError('--user is required (a UPN such as admin@corp.example.com, a DN, or DOMAIN\\name)');
  const warnings: string[] = [];
  if (merged.insecure === true) warnings.push('--insecure: TLS certificate checks are OFF; anyone on the network path can read the bind password');
  if (url.toLowerCase().startsWith('ldap://') && merged.starttls !== true) {
    warnings.push('ldap:// without --starttls: the password travels in clear text (and most DCs refuse the bind)');
  }
  const password = await readPassword(merged.user, { passwordFile: merged.passwordFile, ...io });
  return { connect: transport(merged, url), credentials: { user: merged.user, password }, warnings };
}

/** --url, or --domain (then a placeholder until DNS names the DCs): exactly one of them. */
function checkTarget(merged: Config): string {
  if (merged.domain !== undefined) {
    if (merged.url !== undefined) throw new ConfigError('--url and --domain both name where to connect: give one (--domain finds the DCs in DNS)');
    if (merged.tlsServername !== undefined) throw new ConfigError('--tls-servername goes with --url: with --domain each DC is checked against its own name');
    return `${merged.starttls === true || merged.auth === 'kerberos' ? 'ldap' : 'ldaps'}://${merged.domain}`;
  }
  for (const key of ['site', 'dnsServer'] as const) {
    if (merged[key] !== undefined) throw new ConfigError(`--${key === 'site' ? 'site' : 'dns-server'} goes with --domain`);
  }
  if (merged.url === undefined) throw new ConfigError('--url or --domain is required (e.g. --domain corp.example.com, or --url ldaps://dc01.corp.example.com)');
  return merged.url;
}

/** The TLS and timeout settings every sign-in shares. */
function transport(merged: Config, url: string): LdapConnectOptions {
  return {
    url,
    startTls: merged.starttls,
    caFile: merged.caFile,
    tlsServername: merged.tlsServername,
    insecure: merged.insecure,
    timeoutMs: merged.timeout,
    connectTimeoutMs: merged.connectTimeout,
  };
}

/** Whose tickets, from which keytab, through which GSS-API library (DELEGAUDIT_GSSAPI_LIBRARY, for a library in another place). */
export function kerberosOptions(principal: string | undefined, keytab: string | undefined): KerberosOptions {
  const named = process.env['DELEGAUDIT_GSSAPI_LIBRARY'];
  const library = named === '' ? undefined : named;
  return {
    ...(principal === undefined ? {} : { principal }),
    ...(keytab === undefined ? {} : { keytab }),
    ...(library === undefined ? {} : { library }),
  };
}

/** Kerberos: no password is asked for or read; the ticket cache (or the keytab) signs in. */
function kerberosConnection(merged: Config & { password?: string }, url: string): ResolvedConnection {
  if (merged.user !== undefined && !/^[^\\@=,]+@[^@]+$/.test(merged.user)) {
    throw new ConfigError(
      `--user ${JSON.stringify(merged.user)}: with --auth kerberos it names a Kerberos principal (auditor@CORP.EXAMPLE.COM), not a DN or DOMAIN\\name`,
    );
  }
  const warnings: string[] = [];
  if (merged.passwordFile !== undefined) warnings.push('--password-file is not read with --auth kerberos');
  if (merged.insecure === true) warnings.push('--insecure: TLS certificate checks are OFF');
  const kerberos = kerberosOptions(merged.user, merged.keytab);
  return { connect: { ...transport(merged, url), auth: 'kerberos', seal: merged.seal === true, kerberos }, credentials: undefined, warnings };
}
