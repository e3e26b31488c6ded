/**
 * Provisioning the domain and seeding it offline from mock-ldap/fixtures/lab.ldif (seed.py)
 * and, for the benchmark, a bulk LDIF (seed-bulk.py); joining the second DC.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BACKEND_STORE,
  BULK_LDIF,
  BULK_SEED_SCRIPT,
  DNS_DOMAIN,
  DOMAIN_SID,
  HOST_NAME,
  LDIF_FILE,
  NETBIOS,
  NETNS,
  REALM,
  REPLICATION_OPTIONS,
  SEED_SCRIPT,
  SITE,
  SYSTEM_PYTHON,
} from './config.js';
import { LabError, log, randomPassword, run, seconds, tail } from './process.js';
import { type Tools } from './packages.js';
import { type Network } from './network.js';

export interface LdifEntry {
  dn: string;
  provisioned: boolean;
  /** "# joined DC02": made by that DC's join, checked once it has joined. */
  joined?: string;
  attributes: Record<string, string[]>;
  /** Attributes whose values are base64 (binary in the directory). */
  binary?: string[];
}

export const RBCD = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

/** What seed-bulk.py reports. */
export interface BulkReport {
  added: string[];
  /** DNs of the added computers with a migration SPN. */
  hosts: string[];
  counts: { add: number; modify: number };
  seconds: number;
}

export interface SeedReport {
  domainDN: string;
  domainSid: string;
  skipped: string[];
  created: string[];
  createdMissingProvisioned: string[];
  reconciled: unknown[];
  primaryGroupChanges: unknown[];
  membersAdded: unknown[];
  drift: Array<{ dn: string; attribute: string | null }>;
  sids: Record<string, { ldif: string | null; samba: string | null }>;
  /** Resource-based delegation set by the seeder: per DN, the ACE SIDs (LDIF's and Samba's). */
  rbcd: Array<{ dn: string; principals: Array<{ ldif: string; samba: string }> }>;
  /** LDIF entries left to a DC's join ("# joined DC02"). */
  joinedLater: Array<{ dn: string; dc: string }>;
  /** The DNS zone seed.py wrote (null in loopback mode, where samba serves no DNS). */
  dns: { zone: string; dn: string; hosts: Array<{ name: string; address: string }>; ntdsGuids: Record<string, string> } | null;
  /** SPNs the seeder added to DC01's account. */
  dcSpns: string[];
  entries: LdifEntry[];
}

/** What seed.py --joined reports for a DC that has just joined. */
interface JoinedReport {
  reconciled: unknown[];
  membersAdded: unknown[];
  drift: Array<{ dn: string; attribute: string | null }>;
  sids: Record<string, { ldif: string | null; samba: string | null }>;
  dcSpns: string[];
  ntdsGuid: string;
}

export function attr(entry: LdifEntry, name: string): string[] {
  for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() === name.toLowerCase()) return v;
  return [];
}

export const normDN = (dn: string): string => dn.replace(/,\s+/g, ',').toLowerCase();

/** Direct LDIF members of the group whose objectSid is DOMAIN-525 (Protected Users). */
export function protectedUserDNs(report: SeedReport): Set<string> {
  const group = report.entries.find((e) => attr(e, 'objectSid')[0] === `${report.domainSid}-525`);
  return new Set(group ? attr(group, 'member').map(normDN) : []);
}

/** The provisioned domain: its smb.conf, the log folder, how long provisioning took. */
export interface Provisioned {
  smbConf: string;
  logDir: string;
  ms: number;
}

/**
 * What samba runs. LDAP and Kerberos always; Samba's internal DNS in a namespace (in loopback mode
 * 127.0.0.1:53 may well be taken); with a second DC, what DRS replication and `samba-tool drs`
 * need: rpc (drsuapi, and the endpoint mapper), drepl (pulls and change notifications) and kcc
 * (the replication links). Never smbd, winbindd, nbt or dnsupdate.
 */
function serverServices(network: Network): string {
  return ['ldap', 'cldap', 'kdc', ...(network.isolation === 'netns' ? ['dns'] : []), ...(network.dcs.length > 1 ? ['rpc', 'drepl', 'kcc'] : [])].join(' ');
}

/** smb.conf of one DC: its own address, and every path samba writes inside its directory. */
function dcOptions(network: Network, dir: string, interfaces: string): Record<string, string> {
  const runDir = join(dir, 'run');
  return {
    interfaces,
    'bind interfaces only': 'yes',
    'server services': serverServices(network),
    'prefork children': '2',
    'pid directory': runDir,
    'lock directory': join(dir, 'lock'),
    'state directory': join(dir, 'state'),
    'cache directory': join(dir, 'cache'),
    'private dir': join(dir, 'private'),
    'ncalrpc dir': join(runDir, 'ncalrpc'),
    'winbindd socket directory': join(runDir, 'winbindd'),
    'ntp signd socket directory': join(runDir, 'ntp_signd'),
    'usershare path': join(dir, 'usershares'),
    'log file': join(dir, 'log', 'samba.log'),
    logging: 'file',
    'log level': '1',
    'panic action': '',
    ...(network.dcs.length > 1 ? REPLICATION_OPTIONS : {}),
  };
}

function makeDcDirs(dir: string): string {
  const logDir = join(dir, 'log');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(logDir, { mode: 0o700 });
  mkdirSync(join(dir, 'run'), { mode: 0o700 });
  return logDir;
}

/** `samba-tool domain provision` into the lab folder, with every path samba writes inside it. */
export async function provision(tools: Tools, labDir: string, network: Network): Promise<Provisioned> {
  const logDir = makeDcDirs(labDir);
  const options = dcOptions(network, labDir, network.interfaces);
  const provisionLog = join(logDir, 'provision.log');
  const t1 = performance.now();
  log(`provisioning ${REALM} in ${labDir}`);
  const prov = await run(tools.sambaTool, [
    'domain',
    'provision',
    `--realm=${REALM}`,
    `--domain=${NETBIOS}`,
    '--server-role=dc',
    // No DNS partitions: seed.py writes the zone where mock-ldap's continuation references stay true.
    '--dns-backend=NONE',
    `--host-name=${HOST_NAME}`,
    `--domain-sid=${DOMAIN_SID}`,
    // A throwaway: the seeder sets the real, random password, which never appears in argv.
    `--adminpass=${randomPassword()}`,
    `--targetdir=${labDir}`,
    // lmdb's map is a sparse file: 64 GB reserves address space, not disk.
    ...(BACKEND_STORE === 'mdb' ? ['--backend-store=mdb', '--backend-store-size=64Gb'] : []),
    ...Object.entries(options).map(([k, v]) => `--option=${k}=${v}`),
  ]);
  writeFileSync(provisionLog, prov.stdout + prov.stderr, { mode: 0o600 });
  if (prov.code !== 0) throw new LabError(`samba-tool domain provision failed:\n${tail(provisionLog)}`);
  return { smbConf: join(labDir, 'etc', 'smb.conf'), logDir, ms: performance.now() - t1 };
}

/** What the offline seed made: the admin password it set, seed.py's report, the bulk load's. */
export interface Seeded {
  adminPassword: string;
  report: SeedReport;
  bulk: BulkReport | undefined;
  seedMs: number;
  bulkMs: number;
}

/** DNS arguments of seed.py: the zone and every DC of the lab (none in loopback mode: no DNS there). */
function dnsArgs(network: Network): string[] {
  if (network.isolation !== 'netns') return [];
  return ['--dns-zone', DNS_DOMAIN, '--site', SITE, ...network.dcs.flatMap((dc) => ['--dns-host', `${dc.name}=${dc.address}`])];
}

/** Seeds the stopped DC from the lab LDIF (and the bulk LDIF, if any), offline, before samba starts. */
export async function seedOffline(smbConf: string, logDir: string, network: Network): Promise<Seeded> {
  const t2 = performance.now();
  const adminPassword = randomPassword();
  // Kerberos clients ask for ldap/<DC name>, and replication for E3514235-…/<NTDS GUID>/<domain>: Samba's
  // dnsupdate service (samba_spnupdate) would register them, and it is off here; seed.py adds them.
  const spns = ['--dc-spns', network.dcs.length > 1 ? 'replication' : 'ldap'];
  const seed = await run(SYSTEM_PYTHON, [SEED_SCRIPT, '--ldif', LDIF_FILE, '--smbconf', smbConf, '--admin-password-stdin', ...dnsArgs(network), ...spns], {
    input: adminPassword,
  });
  writeFileSync(join(logDir, 'seed.log'), seed.stderr, { mode: 0o600 });
  if (seed.code !== 0) throw new LabError(`seeding from ${LDIF_FILE} failed:\n${tail(join(logDir, 'seed.log'))}`);
  const report = JSON.parse(seed.stdout) as SeedReport;
  const tSeed = performance.now() - t2;
  log(
    `seeded from ${LDIF_FILE}: ${report.created.length} created, ${report.createdMissingProvisioned.length} missing ` +
      `well-known created, ${report.membersAdded.length} member links added, ${report.reconciled.length} reconciled ` +
      `(${seconds(tSeed)})`,
  );
  let bulk: BulkReport | undefined;
  let tBulk = 0;
  if (BULK_LDIF !== undefined) {
    const tBulk0 = performance.now();
    log(`loading ${BULK_LDIF} offline (seed-bulk.py, batched transactions)`);
    const loaded = await run(SYSTEM_PYTHON, [BULK_SEED_SCRIPT, '--changes', BULK_LDIF, '--smbconf', smbConf]);
    writeFileSync(join(logDir, 'seed-bulk.log'), loaded.stderr, { mode: 0o600 });
    if (loaded.code !== 0) throw new LabError(`loading ${BULK_LDIF} failed:\n${tail(join(logDir, 'seed-bulk.log'))}`);
    bulk = JSON.parse(loaded.stdout) as BulkReport;
    tBulk = performance.now() - tBulk0;
    log(`loaded ${bulk.counts.add} objects and ${bulk.counts.modify} modifications in ${seconds(tBulk)}`);
  }
  return { adminPassword, report, bulk, seedMs: tSeed, bulkMs: tBulk };
}

/** A DC to join: its name, address and smb.conf `interfaces`, and its directory. */
export interface JoiningDc {
  name: string;
  address: string;
  interfaces: string;
  dir: string;
}

/**
 * `samba-tool domain join corp.example.com DC` of a second DC, run inside the namespace (the join
 * registers the addresses samba finds on its interfaces) while DC01 runs. The Administrator's
 * password comes from PASSWD_FILE, never argv. Returns its smb.conf and log folder.
 */
export async function joinDc(
  tools: Tools,
  network: Network,
  dc: JoiningDc,
  adminPasswordFile: string,
): Promise<{ smbConf: string; logDir: string; ms: number }> {
  if (!tools.ip || network.isolation !== 'netns') throw new LabError('a second DC needs the network namespace');
  const t0 = performance.now();
  const logDir = makeDcDirs(dc.dir);
  const options = { 'netbios name': dc.name, workgroup: NETBIOS, ...dcOptions(network, dc.dir, dc.interfaces) };
  log(`joining ${dc.name} (${dc.address}) to ${DNS_DOMAIN} in ${dc.dir}`);
  const joined = await run(
    tools.ip,
    [
      'netns',
      'exec',
      NETNS,
      tools.sambaTool,
      'domain',
      'join',
      DNS_DOMAIN,
      'DC',
      `--server=${network.address}`,
      `--realm=${REALM}`,
      `-U${NETBIOS}\\Administrator`,
      // No DNS partitions to replicate (see provision); DC02 serves the zone in the domain NC it replicates.
      '--dns-backend=SAMBA_INTERNAL',
      `--site=${SITE}`,
      `--targetdir=${dc.dir}`,
      ...Object.entries(options).map(([k, v]) => `--option=${k}=${v}`),
    ],
    { env: { ...process.env, PASSWD_FILE: adminPasswordFile } },
  );
  const joinLog = join(logDir, 'join.log');
  writeFileSync(joinLog, joined.stdout + joined.stderr, { mode: 0o600 });
  if (joined.code !== 0) throw new LabError(`samba-tool domain join of ${dc.name} failed:\n${tail(joinLog)}`);
  return { smbConf: join(dc.dir, 'etc', 'smb.conf'), logDir, ms: performance.now() - t0 };
}

/**
 * Right after the join, with DC02 still stopped: on DC01, over LDAP as the Administrator, the CNAME
 * that replication finds DC02 by (<NTDS Settings GUID>._msdcs), DC02's ldap/ and replication SPNs,
 * and the LDIF's "# joined DC02" entries reconciled as provisioned ones are. They reach DC02 by
 * replication. Merges what it did into `report`.
 */
export async function afterJoin(
  tools: Tools,
  dc: JoiningDc,
  smbConf: string,
  logDir: string,
  adminPassword: string,
  network: Network,
  report: SeedReport,
): Promise<string> {
  const args = [
    SEED_SCRIPT,
    '--ldif',
    LDIF_FILE,
    '--smbconf',
    smbConf,
    '--joined',
    dc.name,
    '--server',
    network.address,
    '--admin-password-stdin',
    ...dnsArgs(network),
  ];
  const ran = await run(tools.ip ?? 'ip', ['netns', 'exec', NETNS, SYSTEM_PYTHON, ...args], { input: adminPassword });
  writeFileSync(join(logDir, 'after-join.log'), ran.stderr, { mode: 0o600 });
  if (ran.code !== 0) throw new LabError(`recording ${dc.name} on ${HOST_NAME} failed:\n${tail(join(logDir, 'after-join.log'))}`);
  const joined = JSON.parse(ran.stdout) as JoinedReport;
  report.reconciled.push(...joined.reconciled);
  report.membersAdded.push(...joined.membersAdded);
  report.drift.push(...joined.drift);
  Object.assign(report.sids, joined.sids);
  if (report.dns) report.dns.ntdsGuids[dc.name] = joined.ntdsGuid;
  return joined.ntdsGuid;
}
