/**
 * The lab's constants and instance identity: the domain it provisions, which instance (--name),
 * and the paths, namespace and veth names that follow from it.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { labPaths, projectRoot } from './connection.js';

export const REALM = 'CORP.EXAMPLE.COM';
export const DNS_DOMAIN = 'corp.example.com';
export const NETBIOS = 'CORP';
export const HOST_NAME = 'DC01';
export const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
export const BASE_DN = 'DC=corp,DC=example,DC=com';
export const CONFIG_DN = `CN=Configuration,${BASE_DN}`;
export const ADMIN_DN = `CN=Administrator,CN=Users,${BASE_DN}`;
/** The LDIF account that becomes users.reader. */
export const READER_SAM = 'auditor';

/** `--name NAME` / AD_LAB_NAME: which lab instance; undefined is the default lab the tests use. */
const LAB_NAME = optionValue('--name') ?? process.env['AD_LAB_NAME'];
if (LAB_NAME !== undefined && !/^[a-z][a-z0-9]{0,11}$/.test(LAB_NAME)) {
  process.stderr.write(`[ad-lab] a lab name is 1-12 lower-case letters and digits, starting with a letter (got "${LAB_NAME}")\n`);
  process.exit(2);
}
/** `--bulk-ldif FILE` / AD_LAB_BULK_LDIF: change records to load offline after the lab LDIF (seed-bulk.py). */
export const BULK_LDIF = optionValue('--bulk-ldif') ?? process.env['AD_LAB_BULK_LDIF'];
/**
 * `--backend-store tdb|mdb` / AD_LAB_BACKEND_STORE: sam.ldb's database. Default tdb, Samba's own
 * default; its files stop at 4 GB, which the benchmark's huge directory outgrows (it uses mdb).
 */
export const BACKEND_STORE = optionValue('--backend-store') ?? process.env['AD_LAB_BACKEND_STORE'] ?? 'tdb';
if (BACKEND_STORE !== 'tdb' && BACKEND_STORE !== 'mdb') {
  process.stderr.write(`[ad-lab] --backend-store is tdb or mdb (got "${BACKEND_STORE}")\n`);
  process.exit(2);
}
export const { stateDir: labStateDir, connectionFile: labConnectionFile } = labPaths(LAB_NAME);
export const LDIF_FILE = join(projectRoot, 'mock-ldap', 'fixtures', 'lab.ldif');
export const BULK_SEED_SCRIPT = join(projectRoot, 'test', 'ad-lab', 'seed-bulk.py');
/** What to run to stop this instance, for messages. */
export const STOP_COMMAND = LAB_NAME === undefined ? 'npm run lab:stop' : `npx tsx test/ad-lab/lab.ts stop --name ${LAB_NAME}`;
export const SEED_SCRIPT = join(projectRoot, 'test', 'ad-lab', 'seed.py');
export const STATE_FILE = join(labStateDir, 'state.json');
export const SEED_REPORT_FILE = join(labStateDir, 'seed-report.json');
export const CA_FILE = join(labStateDir, 'ca.pem');
/** Samba's Python bindings are in Debian's interpreter, whatever `python3` is on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const LAB_DIR_PREFIX = LAB_NAME === undefined ? 'delegaudit-ad-lab-' : `delegaudit-ad-lab-${LAB_NAME}-`;
/** krb5-user: kinit, klist and kvno for the Kerberos tests. */
export const APT_PACKAGES = ['samba', 'samba-ad-dc', 'samba-ad-provision', 'ldap-utils', 'krb5-user'];
/** Ports samba binds with `server services = ldap, cldap, kdc` (kdc includes kpasswd); loopback mode checks them. */
export const TCP_PORTS = [88, 389, 464, 636, 3268, 3269];
export const UDP_PORTS = [88, 389, 464];
export const READY_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 15_000;

/** The lab's domain controllers, in order: DC01 is provisioned and seeded, DC02 joins it. */
export const DC_NAMES = ['DC01', 'DC02'] as const;
export type DcName = (typeof DC_NAMES)[number];
export const isDcName = (name: string | undefined): name is DcName => (DC_NAMES as readonly string[]).includes(name ?? '');
/** `--dcs N` / AD_LAB_DCS: how many DCs the lab runs (1 or 2). The default lab has two, a named lab one. */
const DCS_VALUE = optionValue('--dcs') ?? process.env['AD_LAB_DCS'] ?? (LAB_NAME === undefined ? '2' : '1');
if (DCS_VALUE !== '1' && DCS_VALUE !== '2') {
  process.stderr.write(`[ad-lab] --dcs is 1 or 2 (got "${DCS_VALUE}")\n`);
  process.exit(2);
}
export const DC_COUNT = Number(DCS_VALUE);
export const dcFqdn = (name: string): string => `${name}.${DNS_DOMAIN}`;
/** Where a DC keeps its smb.conf, databases, pid file and logs: DC01 in the lab directory itself (tests open DIR/private/sam.ldb), DC02 in DIR/dc02. */
export const dcDir = (labDir: string, name: string): string => (name === HOST_NAME ? labDir : join(labDir, name.toLowerCase()));
/** The copy of a DC's CA certificate the tests read (Samba makes a self-signed CA per DC). */
export const caFileOf = (name: string): string => (name === HOST_NAME ? CA_FILE : join(labStateDir, `ca-${name}.pem`));
/** The site every DC is in (provision's default). */
export const SITE = 'Default-First-Site-Name';
/** Prefix length of the namespace's subnet: host side .1, DC01 .2, DC02 .3. */
export const PREFIX_LENGTH = 29;
/**
 * Replication timers of a two-DC lab (smb.conf, seconds). Samba's defaults: a DC looks for changes to
 * notify its partners about every 5 s and pulls from them every 300 s, the first pull 15 s after
 * start. Here a change on one DC reaches the other in 1-2 s, and a DC that was stopped catches up
 * 2 s after it starts again.
 */
export const REPLICATION_OPTIONS: Record<string, string> = {
  'dreplsrv:notify_interval': '1',
  'dreplsrv:periodic_interval': '15',
  'dreplsrv:periodic_startup_interval': '2',
};

/** Short, stable per-checkout (and per-instance) id: two clones on one machine get different namespaces. */
export const LAB_ID = createHash('sha256')
  .update(LAB_NAME === undefined ? projectRoot : `${projectRoot}\n${LAB_NAME}`)
  .digest('hex')
  .slice(0, 8);
export const NETNS = LAB_NAME === undefined ? `delegaudit-lab-${LAB_ID}` : `delegaudit-lab-${LAB_NAME}-${LAB_ID}`;
export const VETH_HOST = `dlab${LAB_ID.slice(0, 6)}h`; // at most 15 characters
export const VETH_NS = `dlab${LAB_ID.slice(0, 6)}n`;

/** The value after `--flag` on the command line (after the subcommand), or undefined. */
function optionValue(flag: string): string | undefined {
  const index = process.argv.indexOf(flag, 3);
  return index < 0 ? undefined : process.argv[index + 1];
}
