/**
 * StartTLS (RFC 4511 4.14) on a socket of our own, for a Kerberos bind inside TLS: the extended
 * request on plain LDAP, then TLS over the same socket. ldapts's own startTLS works on its client,
 * which does not exist yet when the GSSAPI bind runs.
 */
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions, type TLSSocket } from 'node:tls';
import { BerWriter } from 'ldapts';
import { ConnectionError } from '../../errors.js';
import { MessageReader, readLdapResult } from './sasl-bind.js';

const START_TLS_OID = '1.3.6.1.4.1.1466.20037';
const EXTENDED_REQUEST = 0x77;
const EXTENDED_RESPONSE = 0x78;

function startTlsRequest(messageId: number): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(EXTENDED_REQUEST);
  writer.writeString(START_TLS_OID, 0x80);
  writer.endSequence();
  writer.endSequence();
  return writer.buffer;
}

/** Asks for StartTLS on `socket` and completes the TLS handshake over it. */
export async function startTls(socket: Socket, tls: TlsOptions & { host: string }, url: string, timeoutMs: number): Promise<TLSSocket> {
  const reader = new MessageReader(socket);
  try {
    socket.write(startTlsRequest(1));
    const { code, diagnostic } = readLdapResult(await reader.next(timeoutMs), EXTENDED_RESPONSE, 'StartTLS');
    if (code !== 0)
      throw new ConnectionError(
        `${url}: the DC refused StartTLS (LDAP result ${code}${diagnostic === '' ? '' : `: ${diagnostic.trim()}`}): use ldaps://, or ldap:// without StartTLS`,
      );
  } finally {
    reader.detach();
  }
  // RFC 6066 forbids an address as SNI: then the certificate is checked against the address.
  const servername = tls.servername ?? (isIP(tls.host) === 0 ? tls.host : undefined);
  const secure = tlsConnect({ ...tls, socket, ...(servername === undefined ? {} : { servername }) });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ConnectionError(`${url}: no TLS handshake after StartTLS within ${timeoutMs} ms`)), timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      resolve();
    });
    secure.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return secure;
}
