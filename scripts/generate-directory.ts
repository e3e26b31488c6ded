/**
 * A seeded, deterministic generator of realistic Active Directory domains for the benchmark and the
 * scale tests: users in department OUs, workstations and servers, Hyper-V hosts in clusters of 16
 * (one OU per cluster, so `--group-by ou` finds the migration groups), department, project and
 * resource groups (nested), and ~300 privileged accounts reached directly, through nested groups
 * and through primaryGroupID. The hosts are a mix of what delegaudit looks for: correct,
 * Kerberos-only, late joiners their peers lack entries for, re-joined (with and without their own
 * SPNs), unconstrained, disabled, with ghost and out-of-scope entries, in Protected Users.
 *
 * The lab fixture (mock-ldap/fixtures/lab.ldif) is the base of every preset, so its accounts and
 * passwords (Administrator, auditor) work everywhere.
 *
 *   npx tsx scripts/generate-directory.ts --scale large [--seed N] [--out DIR]
 *
 * writes DIR/<scale>.ldif (a content LDIF that mock-ldap serves) and DIR/<scale>.samba.ldif (change
 * records that add the generated objects to a freshly provisioned and seeded Samba lab: no
 * objectSid or whenCreated, which Samba assigns; members and primaryGroupID in an order Samba
 * accepts). Default DIR: .bench/ in the project.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { formatLdif, type LdifAttribute, type LdifEntry, parseLdif } from '../mock-ldap/ldif.js';
import { projectRoot } from '../mock-ldap/project-root.js';
import { daclAces } from '../src/ldap/codecs/security-descriptor.js';

export const PRESETS = ['lab', 'small', 'medium', 'large'] as const;
export type Preset = (typeof PRESETS)[number];

/** How much of everything a preset makes. */
export interface Scale {
  /** Ordinary users (staff), privileged and service accounts not included. */
  users: number;
  /** Workstations and member servers, Hyper-V hosts not included. */
  computers: number;
  hosts: number;
  clusterSize: number;
  departments: number;
  projectGroups: number;
  resourceGroups: number;
  /** Administrative user accounts (most of them privileged; a few are former admins with a stale adminCount). */
  admins: number;
  serviceAccounts: number;
}

export const SCALES: Readonly<Record<Exclude<Preset, 'lab'>, Scale>> = {
  small: { users: 800, computers: 150, hosts: 48, clusterSize: 16, departments: 4, projectGroups: 20, resourceGroups: 8, admins: 30, serviceAccounts: 10 },
  medium: { users: 8000, computers: 1800, hosts: 100, clusterSize: 16, departments: 10, projectGroups: 80, resourceGroups: 30, admins: 60, serviceAccounts: 30 },
  large: { users: 49_600, computers: 9500, hosts: 500, clusterSize: 16, departments: 20, projectGroups: 400, resourceGroups: 150, admins: 300, serviceAccounts: 100 },
};

export const DOMAIN_DN = 'DC=corp,DC=example,DC=com';
export const DNS_DOMAIN = 'corp.example.com';
export const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
export const MIGRATION = 'Microsoft Virtual System Migration Service';
const LAB_LDIF = join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');
const FIRST_RID = 5000;
const UAC = {
  ACCOUNTDISABLE: 0x2,
  NORMAL_ACCOUNT: 0x200,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  SERVER_TRUST_ACCOUNT: 0x2000,
  DONT_EXPIRE_PASSWORD: 0x10000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
} as const;
const GLOBAL_SECURITY = '-2147483646';
const USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user'];
const COMPUTER_CLASSES = [...USER_CLASSES, 'computer'];

/** What the generator made, for the benchmark's table and the tests' expectations. */
export interface DirectorySummary {
  preset: Preset;
  seed: number;
  objects: number;
  users: number;
  computers: number;
  hosts: number;
  clusters: number;
  groups: number;
  /** Groups with more than 1,500 members (AD returns their `member` in ranges). */
  groupsOver1500: number;
  largestGroup: number;
  /** Generated accounts that are privileged (the lab's own not counted). */
  privilegedAccounts: number;
  /** Host states, by name. */
  hostStates: Record<string, number>;
  /** Accounts with at least one delegation, DCs included: what `delegaudit inventory` should list (see delegatingAccounts). */
  delegatingAccounts: number;
  /** Their delegations: the inventory's rows. */
  delegations: number;
}

export interface GeneratedDirectory {
  /** The whole directory: lab.ldif's entries (some with more members) plus the generated ones. */
  entries: LdifEntry[];
  /** The generated objects as LDIF change records for Samba (see the file comment). */
  sambaChanges: string;
  summary: DirectorySummary;
}

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same directory everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = ['Anna', 'Ben', 'Carla', 'David', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Lars', 'Mona', 'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Udo', 'Vera', 'Wim', 'Xenia', 'Yusuf', 'Zoe'];
const LAST_NAMES = ['Berg', 'Costa', 'Dahl', 'Eriksen', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Larsen', 'Moreau', 'Novak', 'Olsen', 'Petrov', 'Rossi', 'Schmidt', 'Tanaka', 'Urban', 'Varga', 'Weber', 'Yilmaz', 'Zimmer'];
const TITLES = ['Analyst', 'Engineer', 'Consultant', 'Manager', 'Specialist', 'Coordinator', 'Technician', 'Architect', 'Assistant', 'Director'];
const SITES = ['BER', 'HAM', 'MUC', 'FRA', 'VIE', 'ZRH', 'AMS', 'CPH'];

interface Draft {
  dn: string;
  attributes: LdifAttribute[];
}

function attrs(record: Record<string, string | number | ReadonlyArray<string | number> | undefined>): LdifAttribute[] {
  const out: LdifAttribute[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (values.length > 0) out.push({ name, values });
  }
  return out;
}

function whenCreated(random: () => number, fromYear = 2012, toYear = 2024): string {
  const year = fromYear + Math.floor(random() * (toYear - fromYear + 1));
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  const hour = Math.floor(random() * 24);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${year}${pad(month)}${pad(day)}${pad(hour)}${pad(Math.floor(random() * 60))}00.0Z`;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** `count` distinct indexes below `below`. */
function sample(random: () => number, below: number, count: number): number[] {
  const chosen = new Set<number>();
  const n = Math.min(count, below);
  while (chosen.size < n) chosen.add(Math.floor(random() * below));
  return [...chosen].sort((a, b) => a - b);
}

type HostState = 'correct' | 'kerberos-only' | 'late-joiner' | 'rejoined' | 'rejoined-no-spn' | 'unconstrained' | 'disabled';

/** Generates a directory. `lab` returns the fixture unchanged. */
export function generateDirectory(preset: Preset, seed = 20_250_601): GeneratedDirectory {
  const base = parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif');
  if (preset === 'lab') {
    return { entries: base, sambaChanges: 'version: 1\n', summary: summarize(preset, seed, base, base, 0, {}) };
  }
  const scale = SCALES[preset];
  const random = prng(seed);
  let nextRid = FIRST_RID;
  const sid = (): string => `${DOMAIN_SID}-${nextRid++}`;
  const drafts: Draft[] = [];
  /** Members to add to the lab's (provisioned) groups, by their DN. */
  const extraMembers = new Map<string, string[]>();
  /** Accounts whose primary group is not the default, with that group's DN. */
  const primaryGroups: Array<{ dn: string; rid: number; groupDn: string }> = [];
  const add = (dn: string, record: Record<string, string | number | ReadonlyArray<string | number> | undefined>): string => {
    drafts.push({ dn, attributes: attrs(record) });
    return dn;
  };
  const addMembers = (groupDn: string, members: readonly string[]): void => {
    extraMembers.set(groupDn, [...(extraMembers.get(groupDn) ?? []), ...members]);
  };
  const ou = (path: string): string => {
    const name = /^OU=([^,]+)/.exec(path)![1]!;
    return add(`${path},${DOMAIN_DN}`, { objectClass: ['top', 'organizationalUnit'], ou: name });
  };
  const wellKnown = (rid: number | string): string => {
    const target = typeof rid === 'number' ? `${DOMAIN_SID}-${rid}` : rid;
    const entry = base.find((e) => e.attributes.some((a) => a.name.toLowerCase() === 'objectsid' && a.values[0] === target));
    if (entry === undefined) throw new Error(`lab.ldif has no object with SID ${target}`);
    return entry.dn;
  };

  // ---- OUs
  ou('OU=Corp');
  ou('OU=People,OU=Corp');
  const departments = Array.from({ length: scale.departments }, (_, i) => `Dept${String(i + 1).padStart(2, '0')}`);
  const departmentOus = departments.map((d) => ou(`OU=${d},OU=People,OU=Corp`));
  ou('OU=Workstations,OU=Corp');
  for (const site of SITES) ou(`OU=${site},OU=Workstations,OU=Corp`);
  ou('OU=Servers,OU=Corp');
  ou('OU=Groups,OU=Corp');
  ou('OU=Tier0,OU=Corp');
  ou('OU=Service Accounts,OU=Corp');
  ou('OU=Clusters,OU=Hyper-V');

  // ---- users
  const userDns: string[] = [];
  const usersByDepartment: string[][] = departments.map(() => []);
  for (let i = 0; i < scale.users; i += 1) {
    const id = String(i + 1).padStart(5, '0');
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const d = Math.floor(random() * departments.length);
    const disabled = random() < 0.06;
    const dn = add(`CN=${first} ${last} ${id},${departmentOus[d]}`, {
      objectClass: USER_CLASSES,
      cn: `${first} ${last} ${id}`,
      sAMAccountName: `u${id}`,
      userPrincipalName: `u${id}@${DNS_DOMAIN}`,
      givenName: first,
      sn: last,
      displayName: `${first} ${last}`,
      mail: `${first.toLowerCase()}.${last.toLowerCase()}.${id}@${DNS_DOMAIN}`,
      department: departments[d],
      title: pick(random, TITLES),
      objectSid: sid(),
      primaryGroupID: 513,
      userAccountControl: UAC.NORMAL_ACCOUNT | (disabled ? UAC.ACCOUNTDISABLE : 0),
      whenCreated: whenCreated(random),
    });
    userDns.push(dn);
    usersByDepartment[d]!.push(dn);
  }

  // ---- servers and workstations
  const serverCount = Math.max(10, Math.round(scale.computers * 0.16));
  const servers: Array<{ dn: string; name: string }> = [];
  const fileServers: string[] = [];
  const sqlServers: string[] = [];
  for (let i = 0; i < serverCount; i += 1) {
    const role = i % 10 === 0 ? 'FS' : i % 10 === 1 ? 'SQL' : i % 10 === 2 ? 'WEB' : 'SRV';
    const name = `${role}${String(i + 1).padStart(4, '0')}`;
    const fqdn = `${name}.${DNS_DOMAIN}`;
    const spns = [`HOST/${name}`, `HOST/${fqdn}`];
    if (role === 'SQL') spns.push(`MSSQLSvc/${fqdn}:1433`, `MSSQLSvc/${fqdn}`);
    if (role === 'WEB') spns.push(`HTTP/${fqdn}`);
    let uac: number = UAC.WORKSTATION_TRUST_ACCOUNT;
    let delegation: string[] | undefined;
    // Legacy servers trusted for unconstrained delegation; web front ends delegating to SQL.
    if (random() < 0.02) uac |= UAC.TRUSTED_FOR_DELEGATION;
    if (role === 'WEB' && sqlServers.length > 0 && random() < 0.5) {
      const sql = pick(random, sqlServers);
      delegation = [`MSSQLSvc/${sql}.${DNS_DOMAIN}:1433`, `MSSQLSvc/${sql}.${DNS_DOMAIN}`];
      uac |= UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
    }
    const dn = add(`CN=${name},OU=Servers,OU=Corp,${DOMAIN_DN}`, {
      objectClass: COMPUTER_CLASSES,
      cn: name,
      sAMAccountName: `${name}$`,
      dNSHostName: fqdn,
      objectSid: sid(),
      primaryGroupID: 515,
      userAccountControl: uac,
      servicePrincipalName: spns,
      'msDS-AllowedToDelegateTo': delegation,
      operatingSystem: 'Windows Server 2019 Standard',
      whenCreated: whenCreated(random),
    });
    servers.push({ dn, name });
    if (role === 'FS') fileServers.push(name);
    if (role === 'SQL') sqlServers.push(name);
  }
  for (let i = 0; i < scale.computers - serverCount; i += 1) {
    const site = SITES[i % SITES.length]!;
    const name = `WS-${site}-${String(i + 1).padStart(5, '0')}`;
    const fqdn = `${name}.${DNS_DOMAIN}`;
    add(`CN=${name},OU=${site},OU=Workstations,OU=Corp,${DOMAIN_DN}`, {
      objectClass: COMPUTER_CLASSES,
      cn: name,
      sAMAccountName: `${name}$`,
      dNSHostName: fqdn,
      objectSid: sid(),
      primaryGroupID: 515,
      userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | (random() < 0.05 ? UAC.ACCOUNTDISABLE : 0),
      servicePrincipalName: [`HOST/${name}`, `HOST/${fqdn}`, `RestrictedKrbHost/${name}`, `RestrictedKrbHost/${fqdn}`],
      operatingSystem: 'Windows 11 Enterprise',
      whenCreated: whenCreated(random),
    });
  }
  // Two more domain controllers: they carry TRUSTED_FOR_DELEGATION by default and are never hosts.
  for (const name of ['DC02', 'DC03']) {
    const fqdn = `${name}.${DNS_DOMAIN}`;
    add(`CN=${name},OU=Domain Controllers,${DOMAIN_DN}`, {
      objectClass: COMPUTER_CLASSES,
      cn: name,
      sAMAccountName: `${name}$`,
      dNSHostName: fqdn,
      objectSid: sid(),
      primaryGroupID: 516,
      userAccountControl: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION,
      servicePrincipalName: [`HOST/${name}`, `HOST/${fqdn}`, `ldap/${name}`, `ldap/${fqdn}`],
      whenCreated: whenCreated(random, 2012, 2016),
    });
  }

  // ---- Hyper-V hosts: clusters of `clusterSize`, one OU each
  const clusters: Array<Array<{ name: string; dn: string; state: HostState; lateJoiner: boolean }>> = [];
  const hostStates: Record<string, number> = {};
  for (let c = 0; c * scale.clusterSize < scale.hosts; c += 1) {
    const clusterName = `Cluster-${String(c + 1).padStart(2, '0')}`;
    const clusterOu = ou(`OU=${clusterName},OU=Clusters,OU=Hyper-V`);
    const size = Math.min(scale.clusterSize, scale.hosts - c * scale.clusterSize);
    // Every fifth cluster got a node after its delegation was set up: its peers lack entries for it.
    const hasLateJoiner = c % 5 === 2;
    const members: (typeof clusters)[number] = [];
    for (let n = 0; n < size; n += 1) {
      const name = `HVC${String(c + 1).padStart(2, '0')}N${String(n + 1).padStart(2, '0')}`;
      const roll = random();
      let state: HostState = 'correct';
      if (hasLateJoiner && n === size - 1) state = 'late-joiner';
      else if (roll < 0.05) state = 'kerberos-only';
      else if (roll < 0.07) state = 'rejoined';
      else if (roll < 0.08) state = 'rejoined-no-spn';
      else if (roll < 0.1) state = 'unconstrained';
      else if (roll < 0.11) state = 'disabled';
      hostStates[state] = (hostStates[state] ?? 0) + 1;
      members.push({ name, dn: `CN=${name},${clusterOu}`, state, lateJoiner: state === 'late-joiner' });
    }
    clusters.push(members);
  }
  const hostDns: string[] = [];
  const protectedHosts: string[] = [];
  for (const members of clusters) {
    for (const host of members) {
      const fqdn = `${host.name}.${DNS_DOMAIN}`;
      const spns = [`HOST/${host.name}`, `HOST/${fqdn}`];
      if (host.state !== 'rejoined-no-spn') {
        spns.push(`${MIGRATION}/${host.name}`, `${MIGRATION}/${fqdn}`, `Microsoft Virtual Console Service/${host.name}`, `Microsoft Virtual Console Service/${fqdn}`);
      }
      const delegation: string[] = [];
      if (host.state !== 'rejoined' && host.state !== 'rejoined-no-spn') {
        for (const peer of members) {
          // A late joiner is missing from its peers' lists; it has its own entries for them.
          if (peer === host || (peer.lateJoiner && !host.lateJoiner)) continue;
          const peerFqdn = `${peer.name}.${DNS_DOMAIN}`;
          delegation.push(`${MIGRATION}/${peer.name}`, `${MIGRATION}/${peerFqdn}`, `cifs/${peer.name}`, `cifs/${peerFqdn}`);
        }
        const extra = random();
        // Decommissioned hosts that are still named (ghosts), and entries beyond live migration.
        if (extra < 0.03) delegation.push(`cifs/${host.name.slice(0, 6)}OLD`, `${MIGRATION}/${host.name.slice(0, 6)}OLD.${DNS_DOMAIN}`);
        else if (extra < 0.04 && fileServers.length > 0) delegation.push(`cifs/${pick(random, fileServers)}.${DNS_DOMAIN}`);
        else if (extra < 0.045) delegation.push(`ldap/DC01.${DNS_DOMAIN}`);
      }
      let uac: number = UAC.WORKSTATION_TRUST_ACCOUNT;
      if (host.state !== 'kerberos-only' && delegation.length > 0) uac |= UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
      if (host.state === 'unconstrained') uac |= UAC.TRUSTED_FOR_DELEGATION;
      if (host.state === 'disabled') uac |= UAC.ACCOUNTDISABLE;
      const rejoined = host.state === 'rejoined' || host.state === 'rejoined-no-spn';
      add(host.dn, {
        objectClass: COMPUTER_CLASSES,
        cn: host.name,
        sAMAccountName: `${host.name}$`,
        dNSHostName: fqdn,
        objectSid: sid(),
        primaryGroupID: 515,
        userAccountControl: uac,
        servicePrincipalName: spns,
        'msDS-AllowedToDelegateTo': delegation,
        operatingSystem: 'Windows Server 2022 Datacenter',
        description: rejoined ? 'Re-joined to the domain: a new computer object' : undefined,
        whenCreated: rejoined ? whenCreated(random, 2024, 2024) : whenCreated(random, 2016, 2021),
      });
      hostDns.push(host.dn);
    }
  }
  // Two hosts someone put in Protected Users: they cannot delegate (HV009).
  for (const members of clusters.slice(1, 3)) {
    const host = members.find((m) => m.state === 'correct');
    if (host !== undefined) protectedHosts.push(host.dn);
  }

  // ---- service accounts
  const serviceDns: string[] = [];
  for (let i = 0; i < scale.serviceAccounts; i += 1) {
    const name = `svc-app${String(i + 1).padStart(3, '0')}`;
    const roll = random();
    let uac: number = UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD;
    let delegation: string[] | undefined;
    if (roll < 0.15 && sqlServers.length > 0) {
      const sql = pick(random, sqlServers);
      delegation = [`MSSQLSvc/${sql}.${DNS_DOMAIN}:1433`];
      uac |= roll < 0.08 ? UAC.TRUSTED_TO_AUTH_FOR_DELEGATION : 0;
    } else if (roll < 0.17) {
      uac |= UAC.TRUSTED_FOR_DELEGATION;
    }
    // The last one backs up servers, sits in Backup Operators (below) and delegates: PA003.
    if (i === scale.serviceAccounts - 1 && sqlServers.length > 0) {
      delegation = [`MSSQLSvc/${sqlServers[0]!}.${DNS_DOMAIN}:1433`];
      uac |= UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
    }
    serviceDns.push(
      add(`CN=${name},OU=Service Accounts,OU=Corp,${DOMAIN_DN}`, {
        objectClass: USER_CLASSES,
        cn: name,
        sAMAccountName: name,
        userPrincipalName: `${name}@${DNS_DOMAIN}`,
        objectSid: sid(),
        primaryGroupID: 513,
        userAccountControl: uac,
        servicePrincipalName: [`HTTP/app${String(i + 1).padStart(3, '0')}.${DNS_DOMAIN}`],
        'msDS-AllowedToDelegateTo': delegation,
        whenCreated: whenCreated(random),
      }),
    );
  }

  // ---- administrative accounts
  const adminDns: string[] = [];
  const adminFlags: Array<{ sensitive: boolean; protectedUser: boolean }> = [];
  for (let i = 0; i < scale.admins; i += 1) {
    const name = `adm-${String(i + 1).padStart(4, '0')}`;
    const sensitive = random() < 0.55;
    const protectedUser = random() < 0.2;
    const disabled = random() < 0.05;
    adminFlags.push({ sensitive, protectedUser });
    adminDns.push(
      add(`CN=${name},OU=Tier0,OU=Corp,${DOMAIN_DN}`, {
        objectClass: USER_CLASSES,
        cn: name,
        sAMAccountName: name,
        userPrincipalName: `${name}@${DNS_DOMAIN}`,
        displayName: `Admin account ${i + 1}`,
        objectSid: sid(),
        primaryGroupID: 513,
        userAccountControl: UAC.NORMAL_ACCOUNT | (sensitive ? UAC.NOT_DELEGATED : 0) | (disabled ? UAC.ACCOUNTDISABLE : 0),
        adminCount: 1,
        whenCreated: whenCreated(random),
      }),
    );
  }

  // ---- groups: departments, everyone, projects, resources (nested)
  const groupDn = (name: string): string => `CN=${name},OU=Groups,OU=Corp,${DOMAIN_DN}`;
  const group = (name: string, members: readonly string[], description?: string): string =>
    add(groupDn(name), { objectClass: ['top', 'group'], cn: name, sAMAccountName: name, description, objectSid: sid(), groupType: GLOBAL_SECURITY, member: members });
  const departmentGroups = departments.map((d, i) => group(`GG-${d}`, usersByDepartment[i]!, `All staff of ${d}`));
  group('GG-All-Staff', userDns, 'Everyone employed, for file share permissions');
  const projectGroups: string[] = [];
  for (let i = 0; i < scale.projectGroups; i += 1) {
    const size = 20 + Math.floor(random() * 130);
    projectGroups.push(group(`GG-Project-${String(i + 1).padStart(3, '0')}`, sample(random, userDns.length, size).map((u) => userDns[u]!)));
  }
  for (let i = 0; i < scale.resourceGroups; i += 1) {
    const nested = [...sample(random, projectGroups.length, 1 + Math.floor(random() * 4)).map((p) => projectGroups[p]!), ...(random() < 0.3 ? [pick(random, departmentGroups)] : [])];
    group(`DL-Share-${String(i + 1).padStart(3, '0')}`, nested, 'File share access');
  }
  group('GG-Hyper-V-Hosts', hostDns, 'Every Hyper-V host computer');
  const slice = (from: number, to: number): string[] => adminDns.slice(Math.floor(from * adminDns.length), Math.floor(to * adminDns.length));

  // Privileged through nesting: Infra-Ops -> Tier0-Admins -> Domain Admins, and role groups in built-in groups.
  const tier0 = group('GG-Tier0-Admins', slice(0.1, 0.3), 'Tier 0 administrators');
  const infraOps = group('GG-Infra-Ops', slice(0.3, 0.4), 'Infrastructure operations');
  addMembers(tier0, [infraOps]);
  const serverAdmins = group('GG-Server-Admins', slice(0.4, 0.55), 'Administrators of member servers and DCs');
  const backupTeam = group('GG-Backup-Team', slice(0.55, 0.65), 'Backup operators');
  const helpdesk = group('GG-Helpdesk-T1', slice(0.65, 0.75), 'Account operators');
  const pki = group('GG-PKI-Admins', slice(0.75, 0.8), 'Certificate publishers');
  // Former administrators (0.8-0.85) keep adminCount=1 but no privileged group: PA004.
  const hyperVAdmins = group('GG-Hyper-V-Admins', slice(0.85, 0.95), 'Hyper-V administration');
  addMembers(wellKnown(512), [...slice(0, 0.07), tier0]);
  addMembers(wellKnown('S-1-5-32-544'), [serverAdmins, hyperVAdmins]);
  addMembers(wellKnown('S-1-5-32-551'), [backupTeam]);
  addMembers(wellKnown('S-1-5-32-548'), [helpdesk]);
  addMembers(wellKnown(517), [pki]);
  addMembers(wellKnown(519), slice(0.95, 0.98));
  addMembers(wellKnown(526), slice(0.98, 1));
  for (const dn of slice(0.07, 0.1)) primaryGroups.push({ dn, rid: 512, groupDn: wellKnown(512) });
  // A backup service account in Backup Operators, trusted for delegation: PA003.
  if (serviceDns.length > 1) addMembers(backupTeam, [serviceDns[serviceDns.length - 1]!]);
  addMembers(wellKnown(525), [...adminDns.filter((_, i) => adminFlags[i]!.protectedUser), ...protectedHosts]);

  // ---- assemble: the lab's entries, provisioned groups with their extra members, then ours
  const entries: LdifEntry[] = base.map((entry) => {
    const more = extraMembers.get(entry.dn);
    if (more === undefined) return entry;
    const member = entry.attributes.find((a) => a.name.toLowerCase() === 'member');
    const attributes = member ? entry.attributes.map((a) => (a === member ? { name: a.name, values: [...a.values, ...more] } : a)) : [...entry.attributes, { name: 'member', values: more }];
    return { ...entry, attributes };
  });
  const generated = drafts.map((draft) => {
    const more = extraMembers.get(draft.dn);
    const attributes = more === undefined ? draft.attributes : appendMembers(draft.attributes, more);
    const primary = primaryGroups.find((p) => p.dn === draft.dn);
    return { dn: draft.dn, line: 0, attributes: primary ? attributes.map((a) => (a.name === 'primaryGroupID' ? { name: a.name, values: [String(primary.rid)] } : a)) : attributes };
  });
  entries.push(...generated);
  const sambaChanges = toSambaChanges(drafts, extraMembers, primaryGroups, new Set(base.map((e) => e.dn)));
  return { entries, sambaChanges, summary: summarize(preset, seed, entries, base, adminDns.length - slice(0.8, 0.85).length, hostStates) };
}

function appendMembers(attributes: LdifAttribute[], more: readonly string[]): LdifAttribute[] {
  const member = attributes.find((a) => a.name === 'member');
  if (member === undefined) return [...attributes, { name: 'member', values: [...more] }];
  return attributes.map((a) => (a === member ? { name: a.name, values: [...a.values, ...more] } : a));
}

/** Attributes Samba assigns itself or that must wait until the members exist. */
const NOT_ON_SAMBA_ADD = new Set(['objectsid', 'whencreated', 'primarygroupid']);

/**
 * Change records for Samba, in an order it accepts: every non-group object, then the groups (each
 * group's members exist by then: generated groups only nest groups made before them), then members
 * added to the lab's groups, then primaryGroupID (AD requires membership of the new primary group
 * first; Samba then drops that member link).
 */
function toSambaChanges(
  drafts: readonly Draft[],
  extraMembers: ReadonlyMap<string, string[]>,
  primaryGroups: ReadonlyArray<{ dn: string; rid: number; groupDn: string }>,
  labDns: ReadonlySet<string>,
): string {
  const isGroup = (d: Draft): boolean => d.attributes.some((a) => a.name === 'objectClass' && a.values.includes('group'));
  // Groups after everything else, each after the generated groups it contains (depth-first).
  const groups = new Map(drafts.filter(isGroup).map((d) => [d.dn, d]));
  const ordered = drafts.filter((d) => !isGroup(d));
  const placed = new Set<string>();
  const place = (d: Draft): void => {
    if (placed.has(d.dn)) return;
    placed.add(d.dn);
    const members = [...(d.attributes.find((a) => a.name === 'member')?.values ?? []), ...(extraMembers.get(d.dn) ?? [])];
    for (const member of members) {
      const nested = groups.get(member);
      if (nested !== undefined) place(nested);
    }
    ordered.push(d);
  };
  for (const d of groups.values()) place(d);
  const chunks: string[] = ['version: 1'];
  for (const draft of ordered) {
    const more = extraMembers.get(draft.dn);
    const attributes = (more === undefined ? draft.attributes : appendMembers(draft.attributes, more)).filter((a) => !NOT_ON_SAMBA_ADD.has(a.name.toLowerCase()));
    chunks.push(record(draft.dn, 'add', attributes));
  }
  const primary = new Map<string, string[]>();
  for (const p of primaryGroups) primary.set(p.groupDn, [...(primary.get(p.groupDn) ?? []), p.dn]);
  const labGroups = new Set([...extraMembers.keys(), ...primary.keys()].filter((dn) => labDns.has(dn)));
  for (const dn of labGroups) {
    const members = [...(extraMembers.get(dn) ?? []), ...(primary.get(dn) ?? [])];
    chunks.push(`${formatLdif([{ dn, attributes: [] }]).split('\n\n')[1]!.trimEnd()}\nchangetype: modify\n${modifyLines('add', 'member', members)}`);
  }
  for (const p of primaryGroups) {
    chunks.push(`${formatLdif([{ dn: p.dn, attributes: [] }]).split('\n\n')[1]!.trimEnd()}\nchangetype: modify\n${modifyLines('replace', 'primaryGroupID', [String(p.rid)])}`);
  }
  return `${chunks.join('\n\n')}\n`;
}

function record(dn: string, changetype: 'add', attributes: LdifAttribute[]): string {
  const lines = formatLdif([{ dn, attributes }]).split('\n\n')[1]!.trimEnd().split('\n');
  // After the dn line and its folded continuation lines (which start with a space).
  let after = 1;
  while (lines[after]?.startsWith(' ')) after += 1;
  return [...lines.slice(0, after), `changetype: ${changetype}`, ...lines.slice(after)].join('\n');
}

function modifyLines(op: 'add' | 'replace', name: string, values: readonly string[]): string {
  const body = formatLdif([{ dn: 'x', attributes: [{ name, values: [...values] }] }]).split('\n\n')[1]!.trimEnd().split('\n').slice(1);
  return [`${op}: ${name}`, ...body, '-'].join('\n');
}

/**
 * The accounts with delegation in a directory, counted as `delegaudit inventory` lists them: a row for
 * TRUSTED_FOR_DELEGATION (0x80000; a DC's own flag included), one per msDS-AllowedToDelegateTo value and
 * one per distinct principal allowed by msDS-AllowedToActOnBehalfOfOtherIdentity's DACL.
 * TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000) alone, without a list, delegates to nothing and gets no row.
 */
export function delegatingAccounts(entries: readonly LdifEntry[]): Array<{ dn: string; sAMAccountName: string; rows: number }> {
  const out: Array<{ dn: string; sAMAccountName: string; rows: number }> = [];
  for (const e of entries) {
    const values = (name: string): string[] => e.attributes.find((a) => a.name.toLowerCase() === name.toLowerCase())?.values ?? [];
    const uac = Number(values('userAccountControl')[0] ?? 0);
    let rows = (uac & UAC.TRUSTED_FOR_DELEGATION) !== 0 ? 1 : 0;
    rows += values('msDS-AllowedToDelegateTo').length;
    for (const descriptor of values('msDS-AllowedToActOnBehalfOfOtherIdentity')) {
      rows += new Set(daclAces(Buffer.from(descriptor, 'base64')).filter((ace) => ace.type === 'allow').map((ace) => ace.sid.toUpperCase())).size;
    }
    if (rows > 0) out.push({ dn: e.dn, sAMAccountName: values('sAMAccountName')[0] ?? e.dn, rows });
  }
  return out;
}

function summarize(preset: Preset, seed: number, entries: readonly LdifEntry[], base: readonly LdifEntry[], privilegedAccounts: number, hostStates: Record<string, number>): DirectorySummary {
  const classes = (e: LdifEntry): string[] => e.attributes.find((a) => a.name.toLowerCase() === 'objectclass')?.values.map((v) => v.toLowerCase()) ?? [];
  const isUnder = (e: LdifEntry, suffix: string): boolean => e.dn.toLowerCase().endsWith(suffix.toLowerCase());
  let users = 0;
  let computers = 0;
  let groups = 0;
  let hosts = 0;
  let over = 0;
  let largest = 0;
  for (const e of entries) {
    const c = classes(e);
    if (isUnder(e, `CN=Configuration,${DOMAIN_DN}`)) continue;
    if (c.includes('computer')) {
      computers += 1;
      if (e.attributes.some((a) => a.name === 'servicePrincipalName' && a.values.some((v) => v.startsWith(`${MIGRATION}/`))) || /,OU=Cluster-\d+,/.test(e.dn)) hosts += 1;
    } else if (c.includes('user')) users += 1;
    else if (c.includes('group')) {
      groups += 1;
      const n = e.attributes.find((a) => a.name.toLowerCase() === 'member')?.values.length ?? 0;
      if (n > 1500) over += 1;
      largest = Math.max(largest, n);
    }
  }
  const clusters = new Set(entries.map((e) => /,OU=(Cluster-\d+),/.exec(e.dn)?.[1]).filter((x) => x !== undefined)).size;
  const delegating = delegatingAccounts(entries);
  return {
    preset,
    seed,
    objects: entries.length,
    users,
    computers,
    hosts,
    clusters,
    groups,
    groupsOver1500: over,
    largestGroup: largest,
    privilegedAccounts: preset === 'lab' ? 0 : privilegedAccounts,
    hostStates: base === entries ? {} : hostStates,
    delegatingAccounts: delegating.length,
    delegations: delegating.reduce((sum, a) => sum + a.rows, 0),
  };
}

/** Writes `<scale>.ldif` and `<scale>.samba.ldif` to `dir`; returns their paths, the summary and the accounts with delegation. */
export function writeDirectory(preset: Preset, dir: string, seed?: number): { ldif: string; samba: string; summary: DirectorySummary; delegating: ReturnType<typeof delegatingAccounts> } {
  const generated = generateDirectory(preset, seed);
  mkdirSync(dir, { recursive: true });
  const ldif = join(dir, `${preset}.ldif`);
  const samba = join(dir, `${preset}.samba.ldif`);
  writeFileSync(ldif, formatLdif(generated.entries));
  writeFileSync(samba, generated.sambaChanges);
  writeFileSync(join(dir, `${preset}.summary.json`), `${JSON.stringify(generated.summary, null, 2)}\n`);
  return { ldif, samba, summary: generated.summary, delegating: delegatingAccounts(generated.entries) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'large' }, seed: { type: 'string' }, out: { type: 'string' } } });
  const preset = values.scale as Preset;
  if (!PRESETS.includes(preset)) throw new Error(`--scale must be one of ${PRESETS.join(', ')}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const started = performance.now();
  const { delegating: _delegating, ...written } = writeDirectory(preset, values.out ?? join(projectRoot(), '.bench'), seed);
  process.stdout.write(`${JSON.stringify({ ...written, ms: Math.round(performance.now() - started) }, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`generate-directory: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
