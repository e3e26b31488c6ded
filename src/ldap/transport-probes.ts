/**
 * What a DC offers, tried without credentials (delegaudit doctor): LDAPS and its certificate,
 * StartTLS, and whether a simple bind on plain LDAP would be taken. Read-only; no password is sent.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import { Client, StrongAuthRequiredError } from 'ldapts';

export interface ProbeOutcome {
  ok: boolean;
  /** One line: what happened. */
  detail: string;
}

export interface TransportProbeOptions {
  host: string;
  /** The name expected in the DC's certificate. Default: `host` when it is a name. */
  servername?: string;
  /** PEM file of the CA that issued the DC's certificate. Default: Node's trusted roots. */
  caFile?: string;
  /** Milliseconds for each attempt. Default 5000. */
  timeoutMs?: number;
}

async function caOf(options: TransportProbeOptions): Promise<Buffer[] | undefined> {
  return options.caFile === undefined ? undefined : [await readFile(options.caFile)];
}

const serverName = (options: TransportProbeOptions): string | undefined => options.servername ?? (isIP(options.host) === 0 ? options.host : undefined);

function namesOf(cert: PeerCertificate): string {
  const alt = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((name) => name.startsWith('DNS:'))
    .map((name) => name.slice(4));
  return alt.length > 0 ? alt.join(', ') : String(cert.subject.CN ?? '(no name)');
}

/** A TLS handshake on 636: is the certificate trusted, for which names, until when. */
export async function probeLdaps(options: TransportProbeOptions, port = 636): Promise<ProbeOutcome> {
  const ca = await caOf(options);
  const servername = serverName(options);
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port, ca, servername, rejectUnauthorized: false, timeout: options.timeoutMs ?? 5000 });
    const done = (outcome: ProbeOutcome): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const names = namesOf(cert);
      const trusted = socket.authorized ? 'trusted' : `not trusted (${String(socket.authorizationError)})`;
      done({ ok: socket.authorized, detail: `certificate for ${names}, ${trusted}, valid until ${cert.valid_to}` });
    });
    socket.once('timeout', () => done({ ok: false, detail: `no TLS answer within ${options.timeoutMs ?? 5000} ms` }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, detail: `no LDAPS (${error.code ?? error.message})` }));
  });
}

/** StartTLS on 389, with the certificate checked. */
export async function probeStartTls(options: TransportProbeOptions, port = 389): Promise<ProbeOutcome> {
  const client = new Client({ url: `ldap://${options.host}:${port}`, timeout: options.timeoutMs ?? 5000, connectTimeout: options.timeoutMs ?? 5000 });
  try {
    const ca = await caOf(options);
    const servername = serverName(options);
    await client.startTLS({ ...(ca === undefined ? {} : { ca }), ...(servername === undefined ? {} : { servername }) });
    return { ok: true, detail: 'offered, certificate trusted' };
  } catch (error) {
    return { ok: false, detail: `not usable (${(error as Error).message.trim()})` };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * A simple bind on plain 389 as an account that does not exist, with a random password: a DC that
 * requires signing refuses it before looking at the name (strongerAuthRequired); one that does not
 * answers "invalid credentials". No real account is named, so nothing counts towards a lockout.
 */
export async function probePlainSimpleBind(options: TransportProbeOptions, port = 389): Promise<ProbeOutcome> {
  const client = new Client({ url: `ldap://${options.host}:${port}`, timeout: options.timeoutMs ?? 5000, connectTimeout: options.timeoutMs ?? 5000 });
  try {
    await client.bind('CN=delegaudit-doctor-probe', `probe-${Math.random().toString(36).slice(2)}-Aa9`);
    return { ok: false, detail: 'a bind for a name that does not exist succeeded: this DC is not one to trust' };
  } catch (error) {
    if (error instanceof StrongAuthRequiredError) return { ok: true, detail: 'refused (strongerAuthRequired): the DC requires signing or TLS, as it should' };
    return { ok: false, detail: `accepted without TLS (${(error as Error).message.trim()}): passwords sent this way travel in clear text` };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
