/**
 * The system GSS-API (MIT's libgssapi_krb5, or Heimdal's on macOS) through koffi's prebuilt FFI: no
 * compiler, no native addon. Loaded on first use only, so that delegaudit runs where the library is
 * missing as long as nobody asks for Kerberos.
 *
 * The npm `kerberos` addon was measured and left out: on Unix its wrap() ignores the payload (7.0.0),
 * it passes no channel bindings, and it needs a compiler to install.
 */
import { randomBytes } from 'node:crypto';
import { platform } from 'node:os';
import { ConfigError } from '../../errors.js';
import { gssError } from './errors.js';

/** GSS-API status bits and flags (RFC 2744). */
export const GSS = {
  COMPLETE: 0,
  CONTINUE_NEEDED: 1,
  MUTUAL_FLAG: 2,
  SEQUENCE_FLAG: 8,
  CONF_FLAG: 16,
  INTEG_FLAG: 32,
  C_INITIATE: 1,
  C_GSS_CODE: 1,
  C_MECH_CODE: 2,
} as const;

/** DER bodies of the OIDs delegaudit names (RFC 1964, RFC 2744). */
export const OID = {
  hostBasedService: Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x01, 0x04]),
  userName: Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x01, 0x01]),
  krb5: Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]),
};

type Handle = unknown;
type Out<T> = [T];
interface GssBuffer {
  length: number | bigint;
  value: unknown;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- koffi's function objects are untyped: each is given its C signature below */
interface Library {
  koffi: { view(pointer: unknown, length: number): ArrayBuffer };
  importName: (...args: any[]) => number;
  initSecContext: (...args: any[]) => number;
  acquireCredFrom: ((...args: any[]) => number) | undefined;
  wrap: (...args: any[]) => number;
  unwrap: (...args: any[]) => number;
  releaseBuffer: (...args: any[]) => number;
  releaseName: (...args: any[]) => number;
  releaseCred: (...args: any[]) => number;
  deleteSecContext: (...args: any[]) => number;
  displayStatus: (...args: any[]) => number;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const LIBRARIES: Readonly<Partial<Record<NodeJS.Platform, string[]>>> = {
  linux: ['libgssapi_krb5.so.2', 'libgssapi_krb5.so'],
  darwin: ['/usr/lib/libgssapi_krb5.dylib', '/System/Library/Frameworks/GSS.framework/GSS'],
  freebsd: ['libgssapi_krb5.so.2', 'libgssapi.so.10'],
};

let loaded: Library | undefined;

interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => number };
  struct(name: string, fields: Record<string, string>): unknown;
  pointer(name: string, type: unknown): unknown;
  opaque(): unknown;
  view(pointer: unknown, length: number): ArrayBuffer;
}

function openLibrary(koffi: Koffi, library: string | undefined): ReturnType<Koffi['load']> {
  const names = library === undefined ? (LIBRARIES[platform()] ?? []) : [library];
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch {
      // try the next name
    }
  }
  throw new ConfigError(
    `Kerberos needs the system GSS-API library (${names.join(' or ') || 'libgssapi_krb5'}), which is not installed (or did not load): on Debian or Ubuntu \`apt-get install libgssapi-krb5-2 krb5-user\`, on RHEL \`dnf install krb5-libs krb5-workstation\``,
  );
}

/** The library's functions, once loadGssapi() has loaded them. */
export function gssapi(): Library {
  if (loaded === undefined) throw new Error('gssapi() before loadGssapi()');
  return loaded;
}

/** Loads koffi and the system GSS-API library (or `library`), once; a clear ConfigError where either is missing. */
export async function loadGssapi(library?: string): Promise<Library> {
  if (loaded !== undefined) return loaded;
  let koffi: Koffi;
  try {
    koffi = ((await import('koffi')) as { default: Koffi }).default;
  } catch (error) {
    throw new ConfigError(`Kerberos needs the koffi package, which did not load (${(error as Error).message}): reinstall delegaudit`, { cause: error });
  }
  const lib = openLibrary(koffi, library);
  koffi.struct('gss_buffer_desc', { length: 'size_t', value: 'void *' });
  koffi.struct('gss_OID_desc', { length: 'uint32', elements: 'void *' });
  koffi.struct('gss_channel_bindings', {
    initiator_addrtype: 'uint32',
    initiator_address: 'gss_buffer_desc',
    acceptor_addrtype: 'uint32',
    acceptor_address: 'gss_buffer_desc',
    application_data: 'gss_buffer_desc',
  });
  koffi.struct('gss_key_value_element', { key: 'const char *', value: 'const char *' });
  koffi.struct('gss_key_value_set', { count: 'uint32', elements: 'gss_key_value_element *' });
  koffi.pointer('gss_handle', koffi.opaque());
  let acquireCredFrom: Library['acquireCredFrom'];
  try {
    acquireCredFrom = lib.func(
      'uint32 gss_acquire_cred_from(_Out_ uint32 *minor, gss_handle name, uint32 time, void *mechs, int usage, gss_key_value_set *store, _Out_ gss_handle *cred, _Out_ void **actual, _Out_ uint32 *timerec)',
    );
  } catch {
    acquireCredFrom = undefined; // Heimdal: no credential store; KRB5CCNAME and KRB5_CLIENT_KTNAME still work
  }
  loaded = {
    koffi,
    importName: lib.func('uint32 gss_import_name(_Out_ uint32 *minor, gss_buffer_desc *name, gss_OID_desc *type, _Out_ gss_handle *out)'),
    initSecContext: lib.func(
      'uint32 gss_init_sec_context(_Out_ uint32 *minor, gss_handle cred, _Inout_ gss_handle *ctx, gss_handle target, gss_OID_desc *mech, uint32 flags, uint32 time, gss_channel_bindings *cb, gss_buffer_desc *input, _Out_ void **actual, _Out_ gss_buffer_desc *output, _Out_ uint32 *retflags, _Out_ uint32 *timerec)',
    ),
    acquireCredFrom,
    wrap: lib.func(
      'uint32 gss_wrap(_Out_ uint32 *minor, gss_handle ctx, int conf, uint32 qop, gss_buffer_desc *input, _Out_ int *confstate, _Out_ gss_buffer_desc *output)',
    ),
    unwrap: lib.func(
      'uint32 gss_unwrap(_Out_ uint32 *minor, gss_handle ctx, gss_buffer_desc *input, _Out_ gss_buffer_desc *output, _Out_ int *confstate, _Out_ uint32 *qop)',
    ),
    releaseBuffer: lib.func('uint32 gss_release_buffer(_Out_ uint32 *minor, gss_buffer_desc *buffer)'),
    releaseName: lib.func('uint32 gss_release_name(_Out_ uint32 *minor, _Inout_ gss_handle *name)'),
    releaseCred: lib.func('uint32 gss_release_cred(_Out_ uint32 *minor, _Inout_ gss_handle *cred)'),
    deleteSecContext: lib.func('uint32 gss_delete_sec_context(_Out_ uint32 *minor, _Inout_ gss_handle *ctx, void *token)'),
    displayStatus: lib.func(
      'uint32 gss_display_status(_Out_ uint32 *minor, uint32 status, int type, void *mech, _Inout_ uint32 *context, _Out_ gss_buffer_desc *text)',
    ),
  };
  return loaded;
}

/** Copies a buffer GSS-API allocated, and releases it. */
export function takeBuffer(lib: Library, buffer: GssBuffer): Buffer {
  const length = Number(buffer.length);
  // Buffer.from(ArrayBuffer) would share the memory that gss_release_buffer frees: copy it first.
  const bytes = length === 0 || buffer.value === null ? Buffer.alloc(0) : Buffer.from(new Uint8Array(lib.koffi.view(buffer.value, length)));
  lib.releaseBuffer([0], buffer);
  return bytes;
}

/** The text GSS-API gives for a status code (major or mechanism-specific minor). */
export function statusText(lib: Library, code: number, type: number): string {
  const parts: string[] = [];
  const context: Out<number> = [0];
  do {
    const text: GssBuffer = { length: 0, value: null };
    lib.displayStatus([0], code, type, null, context, text);
    parts.push(takeBuffer(lib, text).toString('utf8'));
  } while (context[0] !== 0 && parts.length < 8);
  return parts.join('; ');
}

function check(lib: Library, major: number, minor: Out<number>, what: string): void {
  if (major >>> 16 === 0) return;
  throw gssError(major, statusText(lib, major, GSS.C_GSS_CODE), statusText(lib, minor[0], GSS.C_MECH_CODE), what);
}

/** A GSS name: a host-based service (`ldap@dc01.corp.example.com`) or a user principal (`auditor@CORP.EXAMPLE.COM`). */
export function importName(lib: Library, name: string, kind: 'service' | 'user'): Handle {
  const bytes = Buffer.from(name, 'utf8');
  const type = kind === 'service' ? OID.hostBasedService : OID.userName;
  const minor: Out<number> = [0];
  const out: Out<Handle> = [null];
  check(lib, lib.importName(minor, { length: bytes.length, value: bytes }, { length: type.length, elements: type }, out), minor, `the name ${name}`);
  return out[0];
}

export interface CredentialOptions {
  /** The client principal. Default: the credential cache's. */
  principal?: string;
  /** A client keytab: a ticket is obtained from it into a private in-memory cache. Default: none. */
  keytab?: string;
}

/** The credential to initiate with; undefined (no principal or keytab given) means GSS-API's default: KRB5CCNAME, KRB5_CLIENT_KTNAME. */
export function acquireCredential(lib: Library, options: CredentialOptions): Handle {
  if (options.principal === undefined && options.keytab === undefined) return undefined;
  if (lib.acquireCredFrom === undefined) {
    throw new ConfigError('this GSS-API library cannot pick a principal or a keytab: set KRB5CCNAME or KRB5_CLIENT_KTNAME instead');
  }
  const name = options.principal === undefined ? null : importName(lib, options.principal, 'user');
  // A keytab gets a cache of its own in memory, so the user's ticket cache is never touched.
  const store =
    options.keytab === undefined
      ? { count: 0, elements: null }
      : {
          count: 2,
          elements: [
            { key: 'client_keytab', value: options.keytab },
            { key: 'ccache', value: `MEMORY:delegaudit-${randomBytes(6).toString('hex')}` },
          ],
        };
  const minor: Out<number> = [0];
  const cred: Out<Handle> = [null];
  const major = lib.acquireCredFrom(minor, name, 0, null, GSS.C_INITIATE, store, cred, [null], [0]);
  if (name !== null) lib.releaseName([0], [name]);
  check(lib, major, minor, options.keytab === undefined ? `the credentials of ${options.principal}` : `a ticket from the keytab ${options.keytab}`);
  return cred[0];
}
