/**
 * What `npm run lab:start` (test/ad-lab/lab.ts) leaves behind for tests: the addresses of the
 * Samba AD DCs (DC01, and DC02 in the default lab), their CAs, the domain's names and the bind
 * accounts. Passwords are never in the connection file, only in 0600 files next to it (see
 * `readLabPassword`).
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

/** One domain controller of the lab. */
export interface LabDc {
  /** 'DC01', 'DC02' */
  name: string;
  /** DC01.corp.example.com */
  fqdn: string;
  /** The address it listens on (only that one: bind interfaces only). */
  address: string;
  /** ldaps://ADDRESS:636 */
  url: string;
  /** ldap://ADDRESS:389 */
  startTlsUrl: string;
  /** PEM CA of this DC's self-signed certificate (Samba makes one CA per DC). */
  caFile: string;
  /** Name to verify its certificate against: its FQDN, the certificate's CN. */
  servername: string;
  /** PID of its samba's main process when the file was last written (dcs.ts `startDc` rewrites it). */
  pid: number;
}

export interface LabConnection {
  /** ldaps://ADDRESS:636 (DC01; the top-level url, host, caFile, servername and pid all describe DC01) */
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
  /** Every DC, DC01 first (one in loopback mode and in named labs, unless started with --dcs 2). */
  dcs: LabDc[];
  /** The nameservers /etc/netns/NAME/resolv.conf lists, DC01 first: the DCs' own DNS; empty on loopback. */
  dnsServers: string[];
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

function url(file: string, obj: Record<string, unknown>, key: string, scheme: 'ldaps:' | 'ldap:', where = key): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') fail(file, `"${where}" must be a non-empty string`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    fail(file, `"${where}" is not a URL`);
  }
  if (u.protocol !== scheme) fail(file, `"${where}" must be an ${scheme}// URL`);
  return v;
}

function positiveInteger(file: string, v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(file, `"${where}" must be a positive integer`);
  return v;
}

function parseDc(file: string, index: number, v: unknown): LabDc {
  const where = `dcs[${index}]`;
  if (!isRecord(v)) fail(file, `${where} must be an object`);
  const field = (key: string): string => {
    const value = v[key];
    if (typeof value !== 'string' || value === '') fail(file, `"${where}.${key}" must be a non-empty string`);
    return value;
  };
  return {
    name: field('name'),
    fqdn: field('fqdn'),
    address: field('address'),
    url: url(file, v, 'url', 'ldaps:', `${where}.url`),
    startTlsUrl: url(file, v, 'startTlsUrl', 'ldap:', `${where}.startTlsUrl`),
    caFile: field('caFile'),
    servername: field('servername'),
    pid: positiveInteger(file, v['pid'], `${where}.pid`),
  };
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
  url(file, data, 'url', 'ldaps:');
  url(file, data, 'startTlsUrl', 'ldap:');
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
  const pid = positiveInteger(file, data['pid'], 'pid');
  const isolation = data['isolation'];
  if (isolation !== 'netns' && isolation !== 'loopback') fail(file, `"isolation" must be "netns" or "loopback"`);
  const netns = data['netns'];
  if (netns !== undefined && typeof netns !== 'string') fail(file, `"netns" must be a string`);
  const dcsRaw = data['dcs'];
  if (!Array.isArray(dcsRaw) || dcsRaw.length === 0) fail(file, `"dcs" must be a non-empty array`);
  const dcs = dcsRaw.map((v: unknown, i) => parseDc(file, i, v));
  if (dcs[0]!.url !== data['url'] || dcs[0]!.pid !== pid) fail(file, `"dcs[0]" must be the DC that "url" and "pid" describe`);
  if (new Set(dcs.map((dc) => dc.name)).size !== dcs.length) fail(file, `"dcs" names a DC twice`);
  const dnsRaw = data['dnsServers'];
  if (!Array.isArray(dnsRaw) || dnsRaw.some((v) => typeof v !== 'string' || v === '')) fail(file, `"dnsServers" must be an array of non-empty strings`);
  const dnsServers = dnsRaw as string[];
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
    dcs,
    dnsServers,
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
