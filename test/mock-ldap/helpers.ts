import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Client } from 'ldapts';

import { type LdifEntry, loadLdifFile, type MockLdap, type MockLdapOptions, parseLdif, startMockLdap } from '../../mock-ldap/index.js';
import { projectRoot } from '../../mock-ldap/project-root.js';

export const LAB_LDIF = join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');
export const DOMAIN = 'DC=corp,DC=example,DC=com';
export const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
export const ADMIN = { dn: `CN=Administrator,CN=Users,${DOMAIN}`, password: 'Lab-Admin-Passw0rd' };
export const AUDITOR = { dn: `CN=auditor,OU=Staff,${DOMAIN}`, password: 'Lab-Auditor-Passw0rd' };
export const dn = {
  domainAdmins: `CN=Domain Admins,CN=Users,${DOMAIN}`,
  infrastructureAdmins: `CN=Infrastructure Admins,OU=Admins,${DOMAIN}`,
  tier0: `CN=Tier0 Operators,OU=Admins,${DOMAIN}`,
  hypervOperators: `CN=Hyper-V Operators,OU=Admins,${DOMAIN}`,
  adminNested: `CN=admin.nested,OU=Admins,${DOMAIN}`,
  adminPrimary: `CN=admin.primary,OU=Admins,${DOMAIN}`,
  alice: `CN=alice,OU=Staff,${DOMAIN}`,
  hv01: `CN=HV01,OU=Hyper-V,${DOMAIN}`,
  hv02: `CN=HV02,OU=Hyper-V,${DOMAIN}`,
  hv03: `CN=HV03,OU=Hyper-V,${DOMAIN}`,
  configuration: `CN=Configuration,${DOMAIN}`,
};

/** Extra accounts for bind-failure tests, appended to the lab fixture. */
export const EXTRA_ACCOUNTS = parseLdif(
  `dn: CN=disabled.user,OU=Staff,${DOMAIN}
objectClass: user
sAMAccountName: disabled.user
objectSid: ${DOMAIN_SID}-1900
userAccountControl: 514
userPassword: Disabled-Passw0rd

dn: CN=locked.user,OU=Staff,${DOMAIN}
objectClass: user
sAMAccountName: locked.user
objectSid: ${DOMAIN_SID}-1901
userAccountControl: 512
lockoutTime: 133500000000000000
userPassword: Locked-Passw0rd
`,
  'extra.ldif',
);

let labEntries: LdifEntry[] | undefined;

/** The lab fixture, parsed once. */
export async function labFixture(): Promise<LdifEntry[]> {
  labEntries ??= await loadLdifFile(LAB_LDIF);
  return labEntries;
}

/** Starts the mock on random ports with the lab fixture (fresh copy: writes do not leak between servers). */
export async function startLab(options: Partial<MockLdapOptions> = {}): Promise<MockLdap> {
  return startMockLdap({ entries: await labFixture(), ...options });
}

/** TLS options trusting the mock's CA. */
export function tlsOptions(mock: MockLdap): { ca: Buffer[]; servername: string } {
  return { ca: [readFileSync(mock.caFile)], servername: mock.servername };
}

/** An LDAPS client bound with the given credentials (Administrator by default). */
export async function boundClient(mock: MockLdap, account: { dn: string; password: string } = ADMIN): Promise<Client> {
  const client = new Client({ url: mock.ldapsUrl ?? '', tlsOptions: tlsOptions(mock) });
  await client.bind(account.dn, account.password);
  return client;
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`non-Error thrown: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the call succeeded');
}
