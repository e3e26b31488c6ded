/**
 * Provisioning the domain and seeding it offline from mock-ldap/fixtures/lab.ldif (seed.py)
 * and, for the benchmark, a bulk LDIF (seed-bulk.py).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BULK_LDIF, BULK_SEED_SCRIPT, DNS_DOMAIN, DOMAIN_SID, HOST_NAME, LDIF_FILE, NETBIOS, REALM, SEED_SCRIPT, SYSTEM_PYTHON } from './config.js';
import { LabError, log, randomPassword, run, seconds, tail } from './process.js';
import { type Tools } from './packages.js';
import { type Network } from './network.js';

export interface LdifEntry {
  dn: string;
  provisioned: boolean;
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
  entries: LdifEntry[];
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

/** `samba-tool domain provision` into the lab folder, with every path samba writes inside it. */
export async function provision(tools: Tools, labDir: string, network: Network): Promise<Provisioned> {
  const logDir = join(labDir, 'log');
  const runDir = join(labDir, 'run');
  mkdirSync(logDir, { mode: 0o700 });
  mkdirSync(runDir, { mode: 0o700 });
  const options: Record<string, string> = {
    interfaces: network.interfaces,
    'bind interfaces only': 'yes',
    // Only what an LDAP/Kerberos lab needs: no smbd/winbindd/nbt/dns/drepl/kcc processes.
    'server services': 'ldap cldap kdc',
    'prefork children': '2',
    'pid directory': runDir,
    'lock directory': join(labDir, 'lock'),
    'state directory': join(labDir, 'state'),
    'cache directory': join(labDir, 'cache'),
    'private dir': join(labDir, 'private'),
    'ncalrpc dir': join(runDir, 'ncalrpc'),
    'winbindd socket directory': join(runDir, 'winbindd'),
    'ntp signd socket directory': join(runDir, 'ntp_signd'),
    'usershare path': join(labDir, 'usershares'),
    'log file': join(logDir, 'samba.log'),
    logging: 'file',
    'log level': '1',
    'panic action': '',
  };
  const provisionLog = join(logDir, 'provision.log');
  const t1 = performance.now();
  log(`provisioning ${REALM} in ${labDir}`);
  const prov = await run(tools.sambaTool, [
    'domain',
    'provision',
    `--realm=${REALM}`,
    `--domain=${NETBIOS}`,
    '--server-role=dc',
    '--dns-backend=NONE',
    `--host-name=${HOST_NAME}`,
    `--domain-sid=${DOMAIN_SID}`,
    // A throwaway: the seeder sets the real, random password, which never appears in argv.
    `--adminpass=${randomPassword()}`,
    `--targetdir=${labDir}`,
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

/** Seeds the stopped DC from the lab LDIF (and the bulk LDIF, if any), offline, before samba starts. */
export async function seedOffline(smbConf: string, logDir: string, sambaTool: string): Promise<Seeded> {
  const t2 = performance.now();
  const adminPassword = randomPassword();
  const seed = await run(SYSTEM_PYTHON, [SEED_SCRIPT, '--ldif', LDIF_FILE, '--smbconf', smbConf, '--admin-password-stdin'], {
    input: adminPassword,
  });
  writeFileSync(join(logDir, 'seed.log'), seed.stderr, { mode: 0o600 });
  if (seed.code !== 0) throw new LabError(`seeding from ${LDIF_FILE} failed:\n${tail(join(logDir, 'seed.log'))}`);
  const report = JSON.parse(seed.stdout) as SeedReport;
  // Kerberos clients ask for ldap/<DC name>: Samba's dnsupdate service registers it, and it is off here.
  for (const spn of [`ldap/${HOST_NAME}.${DNS_DOMAIN}`, `ldap/${HOST_NAME}`]) {
    const added = await run(sambaTool, ['spn', 'add', spn, `${HOST_NAME}$`, '-s', smbConf]);
    if (added.code !== 0) throw new LabError(`registering ${spn} failed: ${(added.stderr || added.stdout).trim()}`);
  }
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
