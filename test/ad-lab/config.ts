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
/** Ports samba binds with `server services = ldap, cldap, kdc` (kdc includes kpasswd). */
export const TCP_PORTS = [88, 389, 464, 636, 3268, 3269];
export const UDP_PORTS = [88, 389, 464];
export const READY_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 15_000;

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
