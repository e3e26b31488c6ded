/**
 * RFC 5929 tls-server-end-point channel binding: the hash of the DC's certificate, with the hash of
 * the certificate's own signature algorithm (SHA-256 where that is MD5 or SHA-1), so that a DC that
 * enforces LDAP channel binding (49 / 80090346 otherwise) accepts a Kerberos bind inside TLS.
 */
import { createHash } from 'node:crypto';
import { BerReader } from 'ldapts';

/** Signature algorithm OIDs and the hash each uses (RFC 5929 4.1: MD5 and SHA-1 become SHA-256). */
const HASH_OF: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** The OID of a DER certificate's signatureAlgorithm (the field after tbsCertificate). */
export function signatureAlgorithm(der: Buffer): string | undefined {
  try {
    const reader = new BerReader(der);
    reader.readSequence(); // Certificate
    reader.readSequence(); // tbsCertificate: skipped whole
    reader.offset += reader.length;
    reader.readSequence(); // signatureAlgorithm
    return reader.readOID() ?? undefined;
  } catch {
    return undefined;
  }
}

/** The hash RFC 5929 picks for the certificate: its signature's, or SHA-256 (also for algorithms not listed, such as RSASSA-PSS with defaults). */
export function bindingHash(der: Buffer): 'sha256' | 'sha384' | 'sha512' {
  return HASH_OF[signatureAlgorithm(der) ?? ''] ?? 'sha256';
}

/** The application data of the GSS-API channel bindings: `tls-server-end-point:` + the hash. */
export function tlsServerEndPoint(der: Buffer): Buffer {
  return Buffer.concat([Buffer.from('tls-server-end-point:', 'ascii'), createHash(bindingHash(der)).update(der).digest()]);
}
