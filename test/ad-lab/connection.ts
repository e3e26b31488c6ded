/**
 * What `npm run lab:start` (test/ad-lab/lab.ts) leaves behind for tests: the address of the
 * Samba AD DC, its CA, the domain's names and the bind accounts. Passwords are never in the
 * connection file, only in 0600 files next to it (see `readLabPassword`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: test/ad-lab/../.. */
export const projectRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Git-ignored directory (mode 0700) holding the connection file, password files and lab state. */
export const labStateDir: string = join(projectRoot, '.ad-lab');
/** The connection file tests read. It exists only while the lab is up and verified. */
export const labConnectionFile: string = join(labStateDir, 'connection.json');

/**
 * Where a lab instance keeps its state: the default lab (no name) in .ad-lab/, a named one (the
 * benchmark's `bench`) in .ad-lab-NAME/.
 */
export function labPaths(name?: string): { stateDir: string; connectionFile: string } {
  const stateDir = name === undefined ? labStateDir : join(projectRoot, `.ad-lab-${name}`);
  return { stateDir, connectionFile: join(stateDir, 'connection.json') };
}

export interface LabUser {
  /** Distinguished name, usable as a simple bind name. */
  dn: string;
  /** user@dnsdomain, also accepted as a simple bind name by Samba. */
  upn: string;
  /** DOMAIN\\user, also accepted as a simple bind name by Samba. */
  netbios: string;
  sAMAccountName: string;
  /** A 0600 file holding the password, without a trailing newline (usable with `ldapsearch -y`). */
  passwordFile: string;
  /**
   * False for members of Protected Users: Samba refuses them simple binds (resultCode 49,
   * "... AcceptSecurityContext error, data 52f ...") although the password is right.
   */
  canSimpleBind: boolean;
}

export interface LabConnection {
  /** ldaps://ADDRESS:636 */
  url: string;
  /** ldap://ADDRESS:389 (simple binds need StartTLS there; Samba refuses them in clear text). */
  startTlsUrl: string;
  /** The address the DC listens on (a veth address in the lab's network namespace, or 127.0.0.1). */
  host: string;
  /** PEM CA certificate that signed the DC's self-signed certificate. */
  caFile: string;
  /** Name to verify the certificate against (its CN; the certificate has no subjectAltName). */
  servername: string;
  baseDN: string;
  configurationDN: string;
  dnsDomain: string;
  realm: string;
  netbios: string;
  domainSid: string;
  /** "admin" (Administrator, random password), "reader" (auditor) and every other LDIF account with a password, by sAMAccountName. */
  users: { admin: LabUser; reader: LabUser } & Record<string, LabUser>;
  /** objectSid in mock-ldap/fixtures/lab.ldif -> objectSid Samba gave the object, where they differ. */
  sidMap: Record<string, string>;
  /** JSON report of what the seeder created, reconciled, and what differs from the LDIF. */
  seedReport: string;
  isolation: 'netns' | 'loopback';
  netns?: string;
  /** PID of samba's main process. */
  pid: number;
  labDir: string;
  startedAt: string;
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}; run "npm run lab:stop && npm run lab:start"`);
}

function str(file: string, obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') fail(file, `"${key}" must be a non-empty string`);
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseUser(file: string, name: string, v: unknown): LabUser {
  if (!isRecord(v)) fail(file, `users.${name} must be an object`);
  return {
    dn: str(file, v, 'dn'),
    upn: str(file, v, 'upn'),
    netbios: str(file, v, 'netbios'),
    sAMAccountName: str(file, v, 'sAMAccountName'),
    passwordFile: str(file, v, 'passwordFile'),
    canSimpleBind: typeof v['canSimpleBind'] === 'boolean' ? v['canSimpleBind'] : fail(file, `users.${name}.canSimpleBind must be a boolean`),
  };
}

/** Validate a parsed connection file. Throws with a readable message when it is malformed. */
function parseLabConnection(data: unknown, file = labConnectionFile): LabConnection {
  if (!isRecord(data)) fail(file, 'not a JSON object');
  for (const key of ['url', 'startTlsUrl'] as const) {
    const v = str(file, data, key);
    const scheme = key === 'url' ? 'ldaps:' : 'ldap:';
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      fail(file, `"${key}" is not a URL`);
    }
    if (u.protocol !== scheme) fail(file, `"${key}" must be an ${scheme}// URL`);
  }
  const usersRaw = data['users'];
  if (!isRecord(usersRaw)) fail(file, `"users" must be an object`);
  const users: Record<string, LabUser> = {};
  for (const [name, v] of Object.entries(usersRaw)) users[name] = parseUser(file, name, v);
  const admin = users['admin'];
  const reader = users['reader'];
  if (admin === undefined || reader === undefined) fail(file, `"users" needs "admin" and "reader"`);
  const sidMapRaw = data['sidMap'] ?? {};
  if (!isRecord(sidMapRaw)) fail(file, `"sidMap" must be an object`);
  const sidMap: Record<string, string> = {};
  for (const [k, v] of Object.entries(sidMapRaw)) {
    if (typeof v !== 'string') fail(file, `"sidMap.${k}" must be a string`);
    sidMap[k] = v;
  }
  const pid = data['pid'];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) fail(file, `"pid" must be a positive integer`);
  const isolation = data['isolation'];
  if (isolation !== 'netns' && isolation !== 'loopback') fail(file, `"isolation" must be "netns" or "loopback"`);
  const netns = data['netns'];
  if (netns !== undefined && typeof netns !== 'string') fail(file, `"netns" must be a string`);
  return {
    url: str(file, data, 'url'),
    startTlsUrl: str(file, data, 'startTlsUrl'),
    host: str(file, data, 'host'),
    caFile: str(file, data, 'caFile'),
    servername: str(file, data, 'servername'),
    baseDN: str(file, data, 'baseDN'),
    configurationDN: str(file, data, 'configurationDN'),
    dnsDomain: str(file, data, 'dnsDomain'),
    realm: str(file, data, 'realm'),
    netbios: str(file, data, 'netbios'),
    domainSid: str(file, data, 'domainSid'),
    users: { ...users, admin, reader },
    sidMap,
    seedReport: str(file, data, 'seedReport'),
    isolation,
    ...(netns !== undefined ? { netns } : {}),
    pid,
    labDir: str(file, data, 'labDir'),
    startedAt: str(file, data, 'startedAt'),
  };
}

/**
 * The running lab's connection, or undefined when the lab is not started (no connection file).
 * Throws when the file exists but is malformed.
 */
export function readLabConnection(file: string = labConnectionFile): LabConnection | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    fail(file, 'not valid JSON');
  }
  return parseLabConnection(data, file);
}

/** The password of a lab account, read from its 0600 file. */
export function readLabPassword(user: LabUser): string {
  return readFileSync(user.passwordFile, 'utf8');
}
