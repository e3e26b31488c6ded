/**
 * Kerberos on Windows: SSPI (secur32.dll) through koffi, with the interface of the GSS-API context
 * (security-context.ts), so that the bind, the signing and sealing layer and the channel binding are
 * the same code on every platform. It signs in as the logged-on user (or the account a scheduled task
 * runs as); there are no keytabs on Windows.
 *
 * UNTESTED: no Windows machine is reachable from where delegaudit is built. The calls follow
 * Microsoft's documentation of InitializeSecurityContext (Kerberos package, channel bindings in a
 * SECBUFFER_CHANNEL_BINDINGS input) and of SASL wrapping with EncryptMessage/DecryptMessage
 * (KERB_WRAP_NO_ENCRYPT for integrity only), as pyspnego and ldap3 do.
 */
import type * as KoffiModule from 'koffi';
import { ConfigError, ConnectionError } from '../../errors.js';
import { gssError } from './errors.js';
import type { KerberosContext, KerberosContextOptions } from './kerberos-context.js';

type Koffi = typeof KoffiModule.default;
type Pointer = unknown;

const SEC_E_OK = 0;
const SEC_I_CONTINUE_NEEDED = 0x00090312;
const SECPKG_CRED_OUTBOUND = 2;
const SECURITY_NATIVE_DREP = 0x10;
const ISC_REQ = { MUTUAL_AUTH: 0x2, SEQUENCE_DETECT: 0x8, CONFIDENTIALITY: 0x10, ALLOCATE_MEMORY: 0x100, INTEGRITY: 0x10000 } as const;
const SECBUFFER = { DATA: 1, TOKEN: 2, PADDING: 9, STREAM: 10, CHANNEL_BINDINGS: 14 } as const;
const SECPKG_ATTR_SIZES = 0;
const KERB_WRAP_NO_ENCRYPT = 0x80000001;

/** SSPI's status codes for the failures gssError words, as the texts MIT's library gives for them. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  0x8009030e: 'No Kerberos credentials available (SEC_E_NO_CREDENTIALS)',
  0x80090303: 'Server not found in Kerberos database (SEC_E_TARGET_UNKNOWN)',
  0x80090324: 'Clock skew too great (SEC_E_TIME_SKEW)',
  0x80090311: 'Cannot contact any KDC (SEC_E_NO_AUTHENTICATING_AUTHORITY)',
  0x80090317: 'Ticket expired (SEC_E_CONTEXT_EXPIRED)',
};

/* eslint-disable @typescript-eslint/no-explicit-any -- koffi's function objects are untyped: each is given its C signature below */
interface Sspi {
  koffi: Koffi;
  acquire: (...args: any[]) => number;
  initialize: (...args: any[]) => number;
  query: (...args: any[]) => number;
  encrypt: (...args: any[]) => number;
  decrypt: (...args: any[]) => number;
  freeBuffer: (...args: any[]) => number;
  deleteContext: (...args: any[]) => number;
  freeCredentials: (...args: any[]) => number;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

let loaded: Sspi | undefined;
let declared = false;

/** SSPI's structures, for koffi: on any platform (the tests marshal buffers on Linux). */
export function declareSspiTypes(koffi: Koffi): void {
  if (declared) return;
  declared = true;
  koffi.struct('SecHandle', { dwLower: 'uintptr_t', dwUpper: 'uintptr_t' });
  koffi.struct('SecBuffer', { cbBuffer: 'uint32', BufferType: 'uint32', pvBuffer: 'void *' });
  koffi.struct('SecBufferDesc', { ulVersion: 'uint32', cBuffers: 'uint32', pBuffers: 'void *' });
  koffi.struct('SecPkgContext_Sizes', { cbMaxToken: 'uint32', cbMaxSignature: 'uint32', cbBlockSize: 'uint32', cbSecurityTrailer: 'uint32' });
}

/** Loads secur32.dll's Kerberos functions, once. */
export async function loadSspi(): Promise<void> {
  if (loaded !== undefined) return;
  const koffi = (await import('koffi')).default;
  const lib = koffi.load('secur32.dll');
  declareSspiTypes(koffi);
  loaded = {
    koffi,
    acquire: lib.func(
      'int32 __stdcall AcquireCredentialsHandleW(str16 principal, str16 package, uint32 use, void *logonId, void *authData, void *getKey, void *getKeyArg, _Out_ SecHandle *cred, _Out_ int64 *expiry)',
    ),
    initialize: lib.func(
      'int32 __stdcall InitializeSecurityContextW(SecHandle *cred, SecHandle *ctx, str16 target, uint32 req, uint32 r1, uint32 rep, SecBufferDesc *input, uint32 r2, _Out_ SecHandle *newCtx, SecBufferDesc *output, _Out_ uint32 *attrs, _Out_ int64 *expiry)',
    ),
    query: lib.func('int32 __stdcall QueryContextAttributesW(SecHandle *ctx, uint32 attribute, _Out_ SecPkgContext_Sizes *sizes)'),
    encrypt: lib.func('int32 __stdcall EncryptMessage(SecHandle *ctx, uint32 qop, SecBufferDesc *message, uint32 seq)'),
    decrypt: lib.func('int32 __stdcall DecryptMessage(SecHandle *ctx, SecBufferDesc *message, uint32 seq, _Out_ uint32 *qop)'),
    freeBuffer: lib.func('int32 __stdcall FreeContextBuffer(void *buffer)'),
    deleteContext: lib.func('int32 __stdcall DeleteSecurityContext(SecHandle *ctx)'),
    freeCredentials: lib.func('int32 __stdcall FreeCredentialsHandle(SecHandle *cred)'),
  };
}

export interface SecBuffer {
  cbBuffer: number;
  BufferType: number;
  pvBuffer: Pointer;
}

/** SecBuffers in native memory that SSPI may rewrite in place, and the native blocks they point to. */
export class Buffers {
  private readonly blocks: Pointer[] = [];
  private readonly array: Pointer;

  constructor(
    private readonly koffi: Koffi,
    private readonly specs: Array<{ type: number; bytes?: Buffer; size?: number }>,
  ) {
    const buffers: SecBuffer[] = specs.map((spec) => {
      const size = spec.bytes?.length ?? spec.size ?? 0;
      if (size === 0) return { cbBuffer: 0, BufferType: spec.type, pvBuffer: null };
      const block: Pointer = koffi.alloc('uint8', size);
      this.blocks.push(block);
      if (spec.bytes !== undefined) new Uint8Array(koffi.view(block, size)).set(spec.bytes);
      return { cbBuffer: size, BufferType: spec.type, pvBuffer: block };
    });
    this.array = koffi.alloc('SecBuffer', buffers.length);
    koffi.encode(this.array, 'SecBuffer', buffers, buffers.length);
  }

  get desc(): { ulVersion: number; cBuffers: number; pBuffers: Pointer } {
    return { ulVersion: 0, cBuffers: this.specs.length, pBuffers: this.array };
  }

  /** The buffers as SSPI left them. */
  read(): SecBuffer[] {
    return this.koffi.decode(this.array, 'SecBuffer', this.specs.length) as SecBuffer[];
  }

  bytes(buffer: SecBuffer): Buffer {
    return buffer.cbBuffer === 0 || buffer.pvBuffer === null ? Buffer.alloc(0) : Buffer.from(new Uint8Array(this.koffi.view(buffer.pvBuffer, buffer.cbBuffer)));
  }

  free(): void {
    for (const block of this.blocks) this.koffi.free(block);
    this.koffi.free(this.array);
  }
}

/** SEC_CHANNEL_BINDINGS (eight 32-bit fields) followed by the application data: tls-server-end-point. */
export function channelBindings(data: Buffer): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt32LE(data.length, 24);
  header.writeUInt32LE(32, 28);
  return Buffer.concat([header, data]);
}

const failed = (status: number): boolean => status >>> 0 >= 0x80000000;

export class SspiContext implements KerberosContext {
  private readonly sspi: Sspi;
  private readonly credential: unknown;
  private context: unknown = null;
  private done = false;
  private sizes: { cbBlockSize: number; cbSecurityTrailer: number } | undefined;

  constructor(private readonly options: KerberosContextOptions) {
    if (loaded === undefined) throw new Error('SspiContext before loadSspi()');
    if (options.principal !== undefined || options.keytab !== undefined) {
      throw new ConfigError(
        'on Windows Kerberos signs in as the logged-on user: leave out --user and --keytab (run delegaudit as that account, e.g. a scheduled task)',
      );
    }
    this.sspi = loaded;
    const credential = {};
    const status = this.sspi.acquire(null, 'Kerberos', SECPKG_CRED_OUTBOUND, null, null, null, null, credential, [0]);
    if (failed(status)) throw this.error(status, 'the credentials of the logged-on user');
    this.credential = credential;
  }

  get established(): boolean {
    return this.done;
  }

  private error(status: number, what: string): Error {
    const code = status >>> 0;
    const text = STATUS_TEXT[code] ?? `SSPI status 0x${code.toString(16).toUpperCase()}`;
    return gssError(0, text, '', what);
  }

  step(input: Buffer | undefined): Buffer {
    const { koffi } = this.sspi;
    const inputs = [
      ...(input === undefined ? [] : [{ type: SECBUFFER.TOKEN, bytes: input }]),
      ...(this.options.channelBinding === undefined ? [] : [{ type: SECBUFFER.CHANNEL_BINDINGS, bytes: channelBindings(this.options.channelBinding) }]),
    ];
    const inBuffers = inputs.length === 0 ? undefined : new Buffers(koffi, inputs);
    const outBuffers = new Buffers(koffi, [{ type: SECBUFFER.TOKEN }]);
    const request =
      ISC_REQ.MUTUAL_AUTH |
      ISC_REQ.SEQUENCE_DETECT |
      ISC_REQ.ALLOCATE_MEMORY |
      (this.options.channelBinding === undefined ? ISC_REQ.INTEGRITY : 0) |
      (this.options.confidentiality === true ? ISC_REQ.CONFIDENTIALITY : 0);
    try {
      const next = {};
      const target = this.options.service.replace('@', '/');
      const status = this.sspi.initialize(
        this.credential,
        this.context,
        target,
        request,
        0,
        SECURITY_NATIVE_DREP,
        inBuffers?.desc ?? null,
        0,
        next,
        outBuffers.desc,
        [0],
        [0],
      );
      if (failed(status)) throw this.error(status, target);
      this.context = next;
      this.done = status === SEC_E_OK;
      if (status !== SEC_E_OK && status !== SEC_I_CONTINUE_NEEDED) throw this.error(status, target);
      const [token] = outBuffers.read();
      const bytes = outBuffers.bytes(token!);
      if (token!.pvBuffer !== null) this.sspi.freeBuffer(token!.pvBuffer);
      return bytes;
    } finally {
      inBuffers?.free();
      outBuffers.free();
    }
  }

  private contextSizes(): { cbBlockSize: number; cbSecurityTrailer: number } {
    if (this.sizes === undefined) {
      const sizes = { cbMaxToken: 0, cbMaxSignature: 0, cbBlockSize: 0, cbSecurityTrailer: 0 };
      const status = this.sspi.query(this.context, SECPKG_ATTR_SIZES, sizes);
      if (failed(status)) throw new ConnectionError(`Kerberos: cannot size the security layer (SSPI status 0x${(status >>> 0).toString(16)})`);
      this.sizes = sizes;
    }
    return this.sizes;
  }

  /** token | data | padding, as RFC 4752 frames a wrap token. */
  wrap(data: Buffer, confidential: boolean): Buffer {
    const sizes = this.contextSizes();
    const buffers = new Buffers(this.sspi.koffi, [
      { type: SECBUFFER.TOKEN, size: sizes.cbSecurityTrailer },
      { type: SECBUFFER.DATA, bytes: data },
      { type: SECBUFFER.PADDING, size: sizes.cbBlockSize },
    ]);
    try {
      const status = this.sspi.encrypt(this.context, confidential ? 0 : KERB_WRAP_NO_ENCRYPT, buffers.desc, 0);
      if (failed(status)) throw new ConnectionError(`Kerberos: cannot protect a message (SSPI status 0x${(status >>> 0).toString(16)})`);
      return Buffer.concat(buffers.read().map((buffer) => buffers.bytes(buffer)));
    } finally {
      buffers.free();
    }
  }

  unwrap(token: Buffer): { data: Buffer; confidential: boolean } {
    const buffers = new Buffers(this.sspi.koffi, [{ type: SECBUFFER.STREAM, bytes: token }, { type: SECBUFFER.DATA }]);
    try {
      const qop: [number] = [0];
      const status = this.sspi.decrypt(this.context, buffers.desc, 0, qop);
      if (failed(status)) {
        throw new ConnectionError(`Kerberos: a message from the DC failed its integrity check (SSPI status 0x${(status >>> 0).toString(16)})`);
      }
      const data = buffers.read().find((buffer) => buffer.BufferType === SECBUFFER.DATA);
      return { data: data === undefined ? Buffer.alloc(0) : buffers.bytes(data), confidential: qop[0] >>> 0 !== KERB_WRAP_NO_ENCRYPT };
    } finally {
      buffers.free();
    }
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.context !== null) this.sspi.deleteContext(this.context);
    this.sspi.freeCredentials(this.credential);
    this.context = null;
  }
}
