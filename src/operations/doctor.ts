/**
 * `delegaudit doctor`: what a DC offers, tried one way at a time, and the flags that will work.
 * Read-only: no password is read or sent; Kerberos uses the caller's tickets, if any.
 */
import { DelegauditError } from '../errors.js';
import { type KerberosOptions, type LdapConnectOptions, LdapSession, validateUrl } from '../ldap/session.js';
import { probeLdaps, probePlainSimpleBind, probeStartTls, type ProbeOutcome } from '../ldap/transport-probes.js';
import type { DoctorCheck, DoctorCheckName, DoctorReport } from '../report/doctor-schema.js';

export interface DoctorOptions {
  /** The DC: ldap://name or ldaps://name (the port is ignored: doctor tries 389 and 636). */
  url: string;
  caFile?: string;
  /** The DC's name, for TLS and Kerberos, when the URL holds an address. Default: the URL's host. */
  tlsServername?: string;
  kerberos?: KerberosOptions;
  /** Milliseconds for each attempt. Default 5000. */
  timeoutMs?: number;
  /** The ports to try. Default: 389 and 636, or the URL's port for its own scheme. */
  ports?: { ldap?: number; ldaps?: number };
}

function outcome(name: DoctorCheckName, result: ProbeOutcome): DoctorCheck {
  return { name, ok: result.ok, detail: result.detail };
}

async function kerberosCheck(name: DoctorCheckName, connect: LdapConnectOptions): Promise<DoctorCheck> {
  try {
    const session = await LdapSession.open(connect);
    await session.rootDse(['defaultNamingContext']);
    await session.close();
    return { name, ok: true, detail: 'bound and read the RootDSE' };
  } catch (error) {
    const wording = error instanceof DelegauditError ? error.wording : undefined;
    return { name, ok: false, detail: (error as Error).message, ...(wording === undefined ? {} : { wording }) };
  }
}

/** Tries LDAPS, StartTLS, a plain simple bind (to see whether signing is required) and Kerberos signed, sealed and over TLS. */
export async function doctor(options: DoctorOptions): Promise<DoctorReport> {
  const given = validateUrl(options.url);
  const host = given.hostname.replace(/^\[|\]$/g, '');
  const probe = {
    host,
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    ...(options.tlsServername === undefined ? {} : { servername: options.tlsServername }),
  };
  const kerberos = {
    auth: 'kerberos' as const,
    timeoutMs: probe.timeoutMs,
    connectTimeoutMs: probe.timeoutMs,
    ...(options.kerberos === undefined ? {} : { kerberos: options.kerberos }),
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    ...(options.tlsServername === undefined ? {} : { tlsServername: options.tlsServername }),
  };
  const portOf = (scheme: 'ldap' | 'ldaps', standard: number): number =>
    options.ports?.[scheme] ?? (given.protocol === `${scheme}:` && given.port !== '' ? Number(given.port) : standard);
  const port = { ldap: portOf('ldap', 389), ldaps: portOf('ldaps', 636) };
  const urlOf = (scheme: 'ldap' | 'ldaps'): string => `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port[scheme]}`;
  const checks = [
    outcome('ldaps', await probeLdaps(probe, port.ldaps)),
    outcome('starttls', await probeStartTls(probe, port.ldap)),
    outcome('plain-simple-bind', await probePlainSimpleBind(probe, port.ldap)),
    await kerberosCheck('kerberos-signed', { ...kerberos, url: urlOf('ldap') }),
    await kerberosCheck('kerberos-sealed', { ...kerberos, url: urlOf('ldap'), seal: true }),
    await kerberosCheck('kerberos-tls', { ...kerberos, url: urlOf('ldaps') }),
  ];
  const preference: DoctorCheckName[] = ['kerberos-sealed', 'kerberos-signed', 'kerberos-tls', 'ldaps', 'starttls'];
  const working = preference.filter((name) => checks.find((c) => c.name === name)?.ok === true);
  return { host, checks, working };
}
