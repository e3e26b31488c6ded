/**
 * One Kerberos security context with a DC's LDAP service: the token exchange of the bind, then wrap
 * and unwrap of the connection's messages (signed, or signed and sealed).
 */
import { platform } from 'node:os';
import { ConnectionError } from '../../errors.js';
import { acquireCredential, gssapi, GSS, importName, loadGssapi, OID, statusText, takeBuffer } from './gssapi.js';
import { gssError } from './errors.js';
import type { KerberosContext, KerberosContextOptions } from './kerberos-context.js';
import { loadSspi, SspiContext } from './sspi.js';

type Out<T> = [T];

/** Loads the platform's Kerberos library once: SSPI on Windows, else GSS-API (`library`, or the platform's). */
export async function loadKerberos(library: string | undefined): Promise<void> {
  if (platform() === 'win32') await loadSspi();
  else await loadGssapi(library);
}

/** A new context with the DC's service, after loadKerberos(). */
export function securityContext(options: KerberosContextOptions): KerberosContext {
  return platform() === 'win32' ? new SspiContext(options) : new GssContext(options);
}

class GssContext implements KerberosContext {
  private readonly lib = gssapi();
  private context: unknown = null;
  private readonly target: unknown;
  private readonly credential: unknown;
  private done = false;

  constructor(private readonly options: KerberosContextOptions) {
    this.credential = acquireCredential(this.lib, options);
    this.target = importName(this.lib, options.service, 'service');
  }

  get established(): boolean {
    return this.done;
  }

  /** Takes the server's last token (none at first) and returns the next one to send (empty when there is none). */
  step(input: Buffer | undefined): Buffer {
    const flags =
      GSS.MUTUAL_FLAG |
      GSS.SEQUENCE_FLAG |
      (this.options.channelBinding === undefined ? GSS.INTEG_FLAG : 0) |
      (this.options.confidentiality === true ? GSS.CONF_FLAG : 0);
    const bindings =
      this.options.channelBinding === undefined
        ? null
        : {
            initiator_addrtype: 0,
            initiator_address: { length: 0, value: null },
            acceptor_addrtype: 0,
            acceptor_address: { length: 0, value: null },
            application_data: { length: this.options.channelBinding.length, value: this.options.channelBinding },
          };
    const minor: Out<number> = [0];
    const context: Out<unknown> = [this.context];
    const output = { length: 0, value: null };
    const token = input === undefined ? null : { length: input.length, value: input };
    const mech = { length: OID.krb5.length, elements: OID.krb5 };
    const major = this.lib.initSecContext(minor, this.credential ?? null, context, this.target, mech, flags, 0, bindings, token, [null], output, [0], [0]);
    this.context = context[0];
    const bytes = takeBuffer(this.lib, output);
    if (major >>> 16 !== 0)
      throw gssError(
        major,
        statusText(this.lib, major, GSS.C_GSS_CODE),
        statusText(this.lib, minor[0], GSS.C_MECH_CODE),
        this.options.service.replace('@', '/'),
      );
    this.done = (major & GSS.CONTINUE_NEEDED) === 0;
    return bytes;
  }

  /** A token carrying `data`, signed, and sealed when `confidential`. */
  wrap(data: Buffer, confidential: boolean): Buffer {
    const minor: Out<number> = [0];
    const output = { length: 0, value: null };
    const major = this.lib.wrap(minor, this.context, confidential ? 1 : 0, 0, { length: data.length, value: data }, [0], output);
    const bytes = takeBuffer(this.lib, output);
    if (major >>> 16 !== 0) throw new ConnectionError(`Kerberos: cannot protect a message: ${statusText(this.lib, minor[0], GSS.C_MECH_CODE)}`);
    return bytes;
  }

  /** The data a token carries, checked, and whether it was sealed. */
  unwrap(token: Buffer): { data: Buffer; confidential: boolean } {
    const minor: Out<number> = [0];
    const output = { length: 0, value: null };
    const sealed: Out<number> = [0];
    const major = this.lib.unwrap(minor, this.context, { length: token.length, value: token }, output, sealed, [0]);
    const data = takeBuffer(this.lib, output);
    if (major >>> 16 !== 0)
      throw new ConnectionError(`Kerberos: a message from the DC failed its integrity check: ${statusText(this.lib, minor[0], GSS.C_MECH_CODE)}`);
    return { data, confidential: sealed[0] !== 0 };
  }

  /** Releases the context, the target name and the credential. Never throws. */
  dispose(): void {
    if (this.context !== null) this.lib.deleteSecContext([0], [this.context], null);
    this.lib.releaseName([0], [this.target]);
    if (this.credential !== undefined) this.lib.releaseCred([0], [this.credential]);
    this.context = null;
  }
}
