/**
 * A Kerberos-authenticated ldapts client: our own socket, the GSSAPI bind on it, then the socket (or
 * the signing/sealing stream over it) handed to ldapts through createConnection.
 *
 * - ldap:// (389): SASL GSSAPI with the integrity layer, or confidentiality with `seal`; a bind without
 *   a layer is refused there (it would leave the connection unprotected).
 * - ldaps:// (636), or ldap:// with StartTLS: GSSAPI with no SASL layer (AD refuses one inside TLS,
 *   MS-ADTS 5.1.2.1) and a tls-server-end-point channel binding.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions, type TLSSocket } from 'node:tls';
import { Client } from 'ldapts';
import { AuthError, ConfigError, ConnectionError, setting, wording } from '../../errors.js';
import { decodeAdBindData, translateLdapError } from '../errors.js';
import { tlsServerEndPoint } from './channel-binding.js';
import { saslGssapiBind } from './sasl-bind.js';
import { startTls } from './start-tls.js';
import { SaslStream } from './sasl-stream.js';
import { loadKerberos, securityContext } from './security-context.js';

export interface KerberosConnectOptions {
  url: URL;
  seal: boolean;
  startTls: boolean;
  tls: TlsOptions;
  tlsServername: string | undefined;
  principal: string | undefined;
  keytab: string | undefined;
  servicePrincipal: string | undefined;
  library: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
}

const UNWILLING_TO_PERFORM = 53;
const STRONGER_AUTH_REQUIRED = 8;

/** `ldap@dc01.corp.example.com`, from the service principal given or the DC's name. */
function serviceName(options: KerberosConnectOptions): string {
  if (options.servicePrincipal !== undefined) return options.servicePrincipal.replace('/', '@');
  const host = options.url.hostname.replace(/^\[|\]$/g, '');
  const name = isIP(host) === 0 ? host : options.tlsServername;
  if (name === undefined) {
    throw new ConfigError(
      wording`${setting('url')} ${options.url.href} holds an address: Kerberos needs the DC's name for its ticket: connect by name, or give it with ${setting('tlsServername')}`,
    );
  }
  return `ldap@${name.toLowerCase()}`;
}

function refusal(url: string, insideTls: boolean) {
  return (code: number, diagnostic: string): Error => {
    const data = decodeAdBindData(diagnostic);
    if (insideTls && (code === UNWILLING_TO_PERFORM || code === STRONGER_AUTH_REQUIRED)) {
      return new AuthError(
        wording`${url}: this DC refuses Kerberos inside TLS (Samba does by default): use Kerberos on ldap:// without ${setting('startTls')}: signed, or sealed with ${setting('seal')}`,
      );
    }
    if (/80090346/i.test(diagnostic))
      return new AuthError(`${url}: the DC refused the channel binding (49 / 80090346): is something between you and the DC terminating TLS?`);
    if (code === STRONGER_AUTH_REQUIRED) return new AuthError(`${url}: the DC requires a stronger security layer (${diagnostic.trim()})`);
    const why = data === undefined ? diagnostic.trim() : `${data.meaning} (AD data ${data.code})`;
    return new AuthError(`${url}: the Kerberos bind was refused: LDAP result ${code}${why === '' ? '' : `: ${why}`}`);
  };
}

function opened<T extends Socket>(socket: T, event: 'connect' | 'secureConnect', url: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionError(wording`cannot reach ${url}: no connection within the connect timeout (${setting('connectTimeoutMs')})`));
    }, timeoutMs);
    socket.once(event, () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(translateLdapError(error, { url, phase: 'connect' }));
    });
  });
}

type Credentials = { principal?: string; keytab?: string };

/** ldap:// then StartTLS on a socket of our own: the TLS socket, for ldapts to use as its connection. */
export async function openStartTls(url: URL, tls: TlsOptions, connectTimeoutMs: number): Promise<TLSSocket> {
  const address = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 389) };
  const plain = await opened(netConnect(address), 'connect', url.href, connectTimeoutMs);
  return startTls(plain, { ...tls, host: address.host }, url.href, connectTimeoutMs).catch((error: unknown) => {
    plain.destroy();
    throw error instanceof ConnectionError ? error : translateLdapError(error, { url: url.href, phase: 'starttls' });
  });
}

/** Inside TLS (ldaps://, or ldap:// after StartTLS): GSSAPI with a channel binding and no SASL layer. */
async function insideTls(
  options: KerberosConnectOptions,
  service: string,
  credentials: Credentials,
  address: { host: string; port: number },
): Promise<TLSSocket> {
  const { url } = options;
  let tlsSocket: TLSSocket;
  if (url.protocol === 'ldaps:') {
    tlsSocket = await opened(tlsConnect({ ...options.tls, ...address }), 'secureConnect', url.href, options.connectTimeoutMs);
  } else {
    tlsSocket = await openStartTls(url, options.tls, options.connectTimeoutMs);
  }
  const context = securityContext({ service, ...credentials, channelBinding: tlsServerEndPoint(tlsSocket.getPeerCertificate(true).raw) });
  try {
    await saslGssapiBind(tlsSocket, context, 'none', refusal(url.href, true), options.timeoutMs);
    return tlsSocket;
  } catch (error) {
    tlsSocket.destroy();
    throw error;
  } finally {
    // Without a SASL layer the context is not needed after the bind.
    context.dispose();
  }
}

/** Connects and binds with Kerberos; returns the ldapts client over the protected connection, and how it is protected. */
export async function kerberosClient(options: KerberosConnectOptions): Promise<{ client: Client; authMethod: string }> {
  const { url } = options;
  const service = serviceName(options);
  await loadKerberos(options.library);
  const address = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'ldaps:' ? 636 : 389)) };
  const credentials: Credentials = {
    ...(options.principal === undefined ? {} : { principal: options.principal }),
    ...(options.keytab === undefined ? {} : { keytab: options.keytab }),
  };
  const common = { url: url.href, timeout: options.timeoutMs, connectTimeout: options.connectTimeoutMs, strictDN: false };
  if (url.protocol === 'ldaps:' || options.startTls) {
    const tlsSocket = await insideTls(options, service, credentials, address);
    const handOver = url.protocol === 'ldaps:' ? { tlsOptions: options.tls, createSecureConnection: () => tlsSocket } : { createConnection: () => tlsSocket };
    return {
      client: new Client({ ...common, ...handOver }),
      authMethod: url.protocol === 'ldaps:' ? 'kerberos (TLS, channel binding)' : 'kerberos (StartTLS, channel binding)',
    };
  }
  const socket = await opened(netConnect(address), 'connect', url.href, options.connectTimeoutMs);
  const context = securityContext({ service, ...credentials, confidentiality: options.seal });
  try {
    const negotiated = await saslGssapiBind(socket, context, options.seal ? 'confidentiality' : 'integrity', refusal(url.href, false), options.timeoutMs);
    const stream = new SaslStream(socket, context, { confidential: options.seal, maxOutgoing: negotiated.maxOutgoing, pending: negotiated.leftover });
    stream.once('close', () => context.dispose());
    // ldapts asks createConnection for a net.Socket; it uses only the Duplex side and `connecting`/`readyState`.
    return {
      client: new Client({ ...common, createConnection: () => stream as unknown as Socket }),
      authMethod: options.seal ? 'kerberos (sealed)' : 'kerberos (signed)',
    };
  } catch (error) {
    context.dispose();
    socket.destroy();
    throw error;
  }
}
