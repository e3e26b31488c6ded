/** What a Kerberos security context offers the bind and the security layer, whichever library makes it. */
import type { CredentialOptions } from './gssapi.js';
import type { BindingContext } from './sasl-bind.js';

/** A Kerberos security context, from GSS-API or (on Windows) SSPI. */
export interface KerberosContext extends BindingContext {
  /** Releases what the context holds. Never throws. */
  dispose(): void;
}

export interface KerberosContextOptions extends CredentialOptions {
  /** The DC's service as a host-based name: `ldap@dc01.corp.example.com`. */
  service: string;
  /** Ask for confidentiality (sealing) as well as integrity. Default: false. */
  confidentiality?: boolean;
  /** tls-server-end-point channel binding data (RFC 5929), inside TLS. Default: none. */
  channelBinding?: Buffer;
}
