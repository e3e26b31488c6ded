/**
 * What the lab records under .ad-lab/: state.json (every resource as soon as it exists, so stop
 * can clean up after an interrupted start), 0600 secrets, the lock, the connection file.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLabConnection, type LabConnection, type LabDc, type LabUser } from './connection.js';
import {
  ADMIN_DN,
  BASE_DN,
  CA_FILE,
  caFileOf,
  CONFIG_DN,
  dcDir,
  dcFqdn,
  DNS_DOMAIN,
  DOMAIN_SID,
  HOST_NAME,
  labConnectionFile,
  labStateDir,
  LDIF_FILE,
  NETBIOS,
  NETNS,
  READER_SAM,
  REALM,
  SEED_REPORT_FILE,
  STATE_FILE,
} from './config.js';
import { alive, LabError, log } from './process.js';
import { type Network } from './network.js';
import { attr, normDN, protectedUserDNs, type SeedReport } from './seed.js';

export function ensureStateDir(): void {
  mkdirSync(labStateDir, { recursive: true, mode: 0o700 });
  chmodSync(labStateDir, 0o700);
}

/** Write a 0600 file atomically (temp file + rename). */
function writePrivate(file: string, data: string): void {
  ensureStateDir();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** A DC that joined DC01 (DC02): its directory as soon as it exists, its samba as soon as it runs. */
export interface JoinedDcState {
  name: string;
  dir: string;
  pid?: number;
  pidStartTime?: string;
}

export interface LabState {
  /** DC01's directory, which holds the joined DCs' directories too. */
  labDir?: string;
  isolation?: 'netns' | 'loopback';
  netns?: string;
  vethHost?: string;
  /** DC01's samba. */
  pid?: number;
  /** /proc/PID/stat start time of samba's main process, to tell it from a reused PID. */
  pidStartTime?: string;
  /** The other DCs (DC02), in the order they joined. */
  joined?: JoinedDcState[];
  startedAt?: string;
}

export function readState(): LabState | undefined {
  let state: LabState | undefined;
  try {
    state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LabState;
  } catch {
    state = undefined;
  }
  let conn: LabConnection | undefined;
  try {
    conn = readLabConnection(labConnectionFile);
  } catch {
    conn = undefined;
  }
  if (state === undefined && conn === undefined) return undefined;
  const joined = conn?.dcs.slice(1).map((dc) => ({ name: dc.name, dir: dcDir(conn.labDir, dc.name), pid: dc.pid }));
  return {
    ...(conn ? { labDir: conn.labDir, isolation: conn.isolation, pid: conn.pid, startedAt: conn.startedAt } : {}),
    ...(conn?.netns !== undefined ? { netns: conn.netns } : {}),
    ...(joined !== undefined && joined.length > 0 ? { joined } : {}),
    ...state,
  };
}

export function saveState(state: LabState): void {
  writePrivate(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

export function safeReadConnection(): { conn?: LabConnection; error?: string } {
  try {
    const conn = readLabConnection(labConnectionFile);
    return conn ? { conn } : {};
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const LOCK_FILE = join(labStateDir, 'lock');

/**
 * One start/stop at a time per checkout: a lock file holding the owner's PID. A second caller
 * waits (a parallel `lab:start` then finds the lab running); a lock whose owner is gone is taken.
 */
export async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  ensureStateDir();
  const deadline = Date.now() + 180_000;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(LOCK_FILE, 'utf8').trim() || '0');
      if (!(owner > 0 && alive(owner))) {
        rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LabError(`another lab command (pid ${owner}) holds ${LOCK_FILE}`);
      if (!announced) log(`waiting for another lab command (pid ${owner}) to finish`);
      announced = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_FILE, { force: true });
    try {
      if (readdirSync(labStateDir).length === 0) rmdirSync(labStateDir);
    } catch {
      // gone already
    }
  }
}

const passwordFile = (sam: string): string => join(labStateDir, `${sam}.password`);

/**
 * The Administrator's 0600 password file (`users.admin.passwordFile`), written as soon as the
 * seeder has set the password: samba-tool reads it from PASSWD_FILE to join DC02 and to change
 * DSA options, so it never appears on a command line.
 */
export function writeAdminPassword(adminPassword: string): string {
  writePrivate(passwordFile('Administrator'), adminPassword);
  return passwordFile('Administrator');
}

/** A running DC, for the connection file. */
export interface RunningDc {
  name: string;
  address: string;
  /** Samba's ca.pem in the DC's directory, copied to caFileOf(name). */
  caSource: string;
  pid: number;
}

function labDcEntry(dc: Omit<RunningDc, 'caSource'>): LabDc {
  return {
    name: dc.name,
    fqdn: dcFqdn(dc.name),
    address: dc.address,
    url: `ldaps://${dc.address}:636`,
    startTlsUrl: `ldap://${dc.address}:389`,
    caFile: caFileOf(dc.name),
    servername: dcFqdn(dc.name),
    pid: dc.pid,
  };
}

/** What the connection file is made of. */
export interface ConnectionParts {
  url: string;
  caSource: string;
  network: Network;
  adminPassword: string;
  report: SeedReport;
  pid: number;
  labDir: string;
  state: LabState;
  /** Every DC, DC01 first. */
  dcs: RunningDc[];
}

/** Rewrites the connection file with one DC's new PID (dcs.ts, after `dc start`). */
export function updateConnectionPid(name: string, pid: number): void {
  const conn = readLabConnection(labConnectionFile);
  if (conn === undefined) throw new LabError(`${labConnectionFile} is gone`);
  const dcs = conn.dcs.map((dc) => (dc.name === name ? { ...dc, pid } : dc));
  const next: LabConnection = { ...conn, dcs, ...(name === HOST_NAME ? { pid } : {}) };
  writePrivate(labConnectionFile, `${JSON.stringify(next, null, 2)}\n`);
}

/** Writes the CAs, the 0600 password files, the seed report and .ad-lab/connection.json; returns the connection. */
export function writeConnection(parts: ConnectionParts): LabConnection {
  const { url, caSource, network, adminPassword, report, pid, labDir, state } = parts;
  copyFileSync(caSource, CA_FILE);
  chmodSync(CA_FILE, 0o600);
  for (const dc of parts.dcs) {
    if (dc.name === HOST_NAME) continue;
    copyFileSync(dc.caSource, caFileOf(dc.name));
    chmodSync(caFileOf(dc.name), 0o600);
  }
  const users: Record<string, LabUser> = {};
  writeAdminPassword(adminPassword);
  users['admin'] = {
    dn: ADMIN_DN,
    upn: `Administrator@${DNS_DOMAIN}`,
    netbios: `${NETBIOS}\\Administrator`,
    sAMAccountName: 'Administrator',
    passwordFile: passwordFile('Administrator'),
    canSimpleBind: true,
  };
  const protectedUsers = protectedUserDNs(report);
  for (const entry of report.entries) {
    const pw = attr(entry, 'userPassword')[0];
    const sam = attr(entry, 'sAMAccountName')[0];
    if (pw === undefined || sam === undefined || entry.provisioned) continue;
    writePrivate(passwordFile(sam), pw);
    const user: LabUser = {
      dn: entry.dn,
      upn: attr(entry, 'userPrincipalName')[0] ?? `${sam}@${DNS_DOMAIN}`,
      netbios: `${NETBIOS}\\${sam}`,
      sAMAccountName: sam,
      passwordFile: passwordFile(sam),
      canSimpleBind: !protectedUsers.has(normDN(entry.dn)),
    };
    users[sam === READER_SAM ? 'reader' : sam] = user;
  }
  if (users['reader'] === undefined) throw new LabError(`${LDIF_FILE} has no "${READER_SAM}" account with a userPassword`);
  const sidMap: Record<string, string> = {};
  for (const { ldif, samba } of Object.values(report.sids)) if (ldif && samba && ldif !== samba) sidMap[ldif] = samba;
  const { entries: _entries, ...reportWithoutEntries } = report;
  writePrivate(SEED_REPORT_FILE, `${JSON.stringify(reportWithoutEntries, null, 2)}\n`);
  const connection: LabConnection = {
    url,
    startTlsUrl: `ldap://${network.address}:389`,
    host: network.address,
    caFile: CA_FILE,
    servername: `${HOST_NAME}.${DNS_DOMAIN}`,
    baseDN: BASE_DN,
    configurationDN: CONFIG_DN,
    dnsDomain: DNS_DOMAIN,
    realm: REALM,
    netbios: NETBIOS,
    domainSid: DOMAIN_SID,
    users: users as LabConnection['users'],
    sidMap,
    seedReport: SEED_REPORT_FILE,
    isolation: network.isolation,
    ...(network.isolation === 'netns' ? { netns: NETNS } : {}),
    pid,
    labDir,
    startedAt: state.startedAt ?? new Date().toISOString(),
    dcs: parts.dcs.map(labDcEntry),
    dnsServers: network.dnsServers,
  };
  writePrivate(labConnectionFile, `${JSON.stringify(connection, null, 2)}\n`);
  return connection;
}
