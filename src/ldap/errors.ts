/**
 * The one place where LDAP and socket failures become messages a domain admin can act on.
 */
import {
  BusyError,
  ConfidentialityRequiredError,
  InsufficientAccessError,
  InvalidCredentialsError,
  MessageParserError,
  NoSuchAttributeError,
  NoSuchObjectError,
  ResultCodeError,
  StrongAuthRequiredError,
  TypeOrValueExistsError,
  UnavailableError,
} from 'ldapts';
import { AuthError, ConnectionError, DirectoryReadError, NoSuchValueError, setting, ValueExistsError, wording, WriteConflictError } from '../errors.js';

/** AD's bind diagnostics carry `data <hex>`: the reason a password check failed (MS-ADTS, common LDAP bind errors). */
const AD_BIND_DATA_CODES: Readonly<Record<string, string>> = {
  '525': 'no such user',
  '52e': 'bad password (or unknown user)',
  '52f': 'account restriction (a Protected Users member may not use simple binds: use another account)',
  '530': 'not permitted to log on at this time (logon hours)',
  '531': 'not permitted to log on from this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '701': 'account expired',
  '773': 'user must change password before logging on',
  '775': 'account locked out',
};

/** Extracts and explains AD's `data 52e`-style code from a diagnostic message. */
export function decodeAdBindData(message: string): { code: string; meaning: string } | undefined {
  const match = /\bdata ([0-9a-f]{3,4})\b/i.exec(message);
  if (!match) {
    return undefined;
  }
  const code = match[1]!.toLowerCase();
  const meaning = AD_BIND_DATA_CODES[code];
  return meaning === undefined ? undefined : { code, meaning };
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the DC up, and is this the LDAP port?)',
  ECONNRESET: 'the connection was reset by the server',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS lookup failed)',
  EPIPE: 'the connection was closed by the server',
};

/** LDAP result 10, referral: ldapts has no class of its own for it. */
const LDAP_REFERRAL = 10;

/** What the caller was doing when the error happened, for the message. */
export interface ErrorContext {
  url: string;
  phase: 'connect' | 'starttls' | 'bind' | 'search' | 'modify';
  /** The bind name, for bind failures. */
  user?: string;
  /** What was being read or written, for search and modify failures. */
  what?: string;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** strongerAuthRequired on a simple bind: the three ways that work. */
const signingRequired = (url: string) =>
  wording`${url}: this DC requires signing or TLS: use ldaps:// or ${setting('startTls')}, or sign with Kerberos on ldap:// (${setting('auth')} kerberos, no certificate needed)`;

/**
 * Translates an error from ldapts or the socket into a marker error with a one-line, actionable
 * message. Errors it does not recognise are returned unchanged (they are bugs, not conditions).
 */
export function translateLdapError(error: unknown, context: ErrorContext): Error {
  const { url, phase } = context;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);

  if (code !== undefined && TLS_TRUST_CODES.has(code)) {
    return new ConnectionError(
      wording`TLS certificate of ${url} is not trusted (${code}): pass the issuing CA with ${setting('caFile')} PEM (or fix the DC's certificate)`,
      { cause: error },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ConnectionError(
      wording`TLS certificate of ${url} does not match the host name (${message}): connect by the name in the certificate or pass ${setting('tlsServername')} NAME`,
      { cause: error },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new ConnectionError(`TLS certificate of ${url} is not valid now (${code}): renew the DC's certificate`, { cause: error });
  }
  if (code !== undefined && NETWORK_CODES[code] !== undefined) {
    return new ConnectionError(`cannot reach ${url}: ${NETWORK_CODES[code]}`, { cause: error });
  }
  if (/Connection timeout/i.test(message)) {
    return new ConnectionError(wording`cannot reach ${url}: no connection within the connect timeout (${setting('connectTimeoutMs')})`, { cause: error });
  }
  if (/Operation timed out/i.test(message)) {
    return new ConnectionError(wording`${url} did not answer a ${phase} request within the request timeout (${setting('timeoutMs')})`, { cause: error });
  }
  if (error instanceof MessageParserError) {
    const what = context.what ? ` to the ${phase} of ${context.what}` : ` to a ${phase} request`;
    return new ConnectionError(`${url} answered${what} with a message that is not valid LDAP (${message.trim()})`, { cause: error });
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(message)) {
    return new ConnectionError(
      wording`TLS handshake with ${url} failed (${message.trim()}): is this an LDAPS port? For port 389 use ldap:// with ${setting('startTls')}`,
      { cause: error },
    );
  }

  if (error instanceof StrongAuthRequiredError || error instanceof ConfidentialityRequiredError) {
    return new AuthError(signingRequired(url), { cause: error });
  }
  if (error instanceof InvalidCredentialsError) {
    const data = decodeAdBindData(message);
    const who = context.user === undefined ? 'the bind' : `bind as ${context.user}`;
    const why = data === undefined ? 'invalid credentials' : `${data.meaning} (AD data ${data.code})`;
    return new AuthError(`${url}: ${who} refused: ${why}`, { cause: error });
  }
  if (error instanceof InsufficientAccessError) {
    if (phase === 'modify') {
      return new AuthError(
        `${url}: insufficient access rights to modify ${context.what ?? 'the account'}: setting delegation needs SeEnableDelegationPrivilege (Domain Admins by default) and write access to the account; this bind can only read`,
        { cause: error },
      );
    }
    return new AuthError(`${url}: insufficient access rights for ${phase}${context.what ? ` of ${context.what}` : ''}`, { cause: error });
  }
  if (error instanceof ResultCodeError && phase === 'modify') {
    const refused = `${url}: modify of ${context.what ?? 'the account'} refused: ${message.trim()} (LDAP result ${error.code})`;
    // 20 and 16 mean the account changed since it was read (fix/apply.ts re-reads it once).
    const Conflict = error instanceof TypeOrValueExistsError ? ValueExistsError : error instanceof NoSuchAttributeError ? NoSuchValueError : WriteConflictError;
    return new Conflict(refused, error.code, { cause: error });
  }
  if (error instanceof NoSuchObjectError && phase === 'search') {
    return new DirectoryReadError(wording`${url}: ${context.what ?? 'the search base'} does not exist (check ${setting('baseDn')})`, { cause: error });
  }
  if (error instanceof ResultCodeError && error.code === LDAP_REFERRAL) {
    return new DirectoryReadError(
      wording`${url}: the DC referred the ${phase} of ${context.what ?? 'the base'} to another server: point ${setting('url')} at a DC of the domain that holds it (referrals are not chased)`,
      { cause: error },
    );
  }
  if (error instanceof ResultCodeError) {
    const what = context.what ? ` of ${context.what}` : '';
    return new DirectoryReadError(`${url}: ${phase}${what} failed: ${message.trim()} (LDAP result ${error.code})`, { cause: error });
  }
  if (/^Socket error|Connection closed before message response/i.test(message)) {
    const what = context.what ? ` while reading ${context.what}` : '';
    return new ConnectionError(`${url}: the connection broke during ${phase}${what}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}

/** Marks errors that a new connection may cure: the DC was busy (51) or unavailable (52), or the connection dropped mid-read. */
const RETRYABLE = new WeakSet<Error>();

export function isRetryableRead(error: unknown): boolean {
  return error instanceof Error && RETRYABLE.has(error);
}

/** translateLdapError for reads, remembering which failures are worth a new connection. */
export function translateReadError(error: unknown, context: ErrorContext): Error {
  const translated = translateLdapError(error, context);
  const message = error instanceof Error ? error.message : '';
  if (
    error instanceof BusyError ||
    error instanceof UnavailableError ||
    error instanceof MessageParserError ||
    /^Socket error|Connection closed before message response|ECONNRESET|EPIPE/i.test(message) ||
    errorCode(error) === 'ECONNRESET'
  ) {
    RETRYABLE.add(translated);
  }
  return translated;
}
