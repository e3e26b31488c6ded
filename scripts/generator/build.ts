/**
 * The generated domain, section by section (OUs, users, servers, workstations, DCs, Hyper-V hosts,
 * service accounts, admins, groups), on top of the lab fixture. One seeded PRNG serves every
 * section in this order: changing the order changes every directory.
 */
import { readFileSync } from 'node:fs';
import { type LdifAttribute, type LdifEntry, parseLdif } from '../../mock-ldap/ldif.js';
import { appendMembers, toSambaChanges } from './ldif-output.js';
import {
  COMPUTER_CLASSES,
  DNS_DOMAIN,
  DOMAIN_DN,
  DOMAIN_SID,
  type DirectorySummary,
  FIRST_NAMES,
  FIRST_RID,
  GLOBAL_SECURITY,
  LAB_LDIF,
  LAST_NAMES,
  MIGRATION,
  type Preset,
  type Scale,
  SCALES,
  SITES,
  TITLES,
  UAC,
  USER_CLASSES,
} from './presets.js';
import { pick, prng, sample, whenCreated } from './random.js';
import { summarize } from './summary.js';

export interface GeneratedDirectory {
  /** The whole directory: lab.ldif's entries (some with more members) plus the generated ones. */
  entries: LdifEntry[];
  /** The generated objects as LDIF change records for Samba (see the file comment). */
  sambaChanges: string;
  summary: DirectorySummary;
}

export interface Draft {
  dn: string;
  attributes: LdifAttribute[];
}

type Attributes = Record<string, string | number | ReadonlyArray<string | number> | undefined>;

function attrs(record: Attributes): LdifAttribute[] {
  const out: LdifAttribute[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (values.length > 0) out.push({ name, values });
  }
  return out;
}

type HostState = 'correct' | 'kerberos-only' | 'late-joiner' | 'rejoined' | 'rejoined-no-spn' | 'unconstrained' | 'disabled';
type ClusterHost = { name: string; dn: string; state: HostState; lateJoiner: boolean };

/** The state the sections share: the PRNG, the next RID, and what has been made so far. */
class DomainBuilder {
  readonly random: () => number;
  private nextRid = FIRST_RID;
  readonly drafts: Draft[] = [];
  /** Members to add to the lab's (provisioned) groups, by their DN. */
  readonly extraMembers = new Map<string, string[]>();
  /** Accounts whose primary group is not the default, with that group's DN. */
  readonly primaryGroups: Array<{ dn: string; rid: number; groupDn: string }> = [];

  departments: string[] = [];
  userDns: string[] = [];
  usersByDepartment: string[][] = [];
  fileServers: string[] = [];
  sqlServers: string[] = [];
  clusters: ClusterHost[][] = [];
  readonly hostStates: Record<string, number> = {};
  hostDns: string[] = [];
  protectedHosts: string[] = [];
  serviceDns: string[] = [];
  adminDns: string[] = [];
  adminFlags: Array<{ sensitive: boolean; protectedUser: boolean }> = [];

  constructor(
    readonly base: LdifEntry[],
    readonly scale: Scale,
    seed: number,
  ) {
    this.random = prng(seed);
  }

  sid(): string {
    return `${DOMAIN_SID}-${this.nextRid++}`;
  }

  add(dn: string, record: Attributes): string {
    this.drafts.push({ dn, attributes: attrs(record) });
    return dn;
  }

  addMembers(groupDn: string, members: readonly string[]): void {
    this.extraMembers.set(groupDn, [...(this.extraMembers.get(groupDn) ?? []), ...members]);
  }

  ou(path: string): string {
    const name = /^OU=([^,]+)/.exec(path)![1]!;
    return this.add(`${path},${DOMAIN_DN}`, { objectClass: ['top', 'organizationalUnit'], ou: name });
  }

  /** The DN of the lab's object with this RID (of the domain) or SID. */
  wellKnown(rid: number | string): string {
    const target = typeof rid === 'number' ? `${DOMAIN_SID}-${rid}` : rid;
    const entry = this.base.find((e) => e.attributes.some((a) => a.name.toLowerCase() === 'objectsid' && a.values[0] === target));
    if (entry === undefined) throw new Error(`lab.ldif has no object with SID ${target}`);
    return entry.dn;
  }
}

function addOus(b: DomainBuilder): string[] {
  b.ou('OU=Corp');
  b.ou('OU=People,OU=Corp');
  b.departments = Array.from({ length: b.scale.departments }, (_, i) => `Dept${String(i + 1).padStart(2, '0')}`);
  const departmentOus = b.departments.map((d) => b.ou(`OU=${d},OU=People,OU=Corp`));
  b.ou('OU=Workstations,OU=Corp');
  for (const site of SITES) b.ou(`OU=${site},OU=Workstations,OU=Corp`);
  b.ou('OU=Servers,OU=Corp');
  b.ou('OU=Groups,OU=Corp');
  b.ou('OU=Tier0,OU=Corp');
  b.ou('OU=Service Accounts,OU=Corp');
  b.ou('OU=Clusters,OU=Hyper-V');
  return departmentOus;
}

function addUsers(b: DomainBuilder, departmentOus: readonly string[]): void {
  const { random } = b;
  b.usersByDepartment = b.departments.map(() => []);
  for (let i = 0; i < b.scale.users; i += 1) {
    const id = String(i + 1).padStart(5, '0');
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const d = Math.floor(random() * b.departments.length);
    const disabled = random() < 0.06;
    const dn = b.add(`CN=${first} ${last} ${id},${departmentOus[d]}`, {
      objectClass: USER_CLASSES,
      cn: `${first} ${last} ${id}`,
      sAMAccountName: `u${id}`,
      userPrincipalName: `u${id}@${DNS_DOMAIN}`,
      givenName: first,
      sn: last,
      displayName: `${first} ${last}`,
      mail: `${first.toLowerCase()}.${last.toLowerCase()}.${id}@${DNS_DOMAIN}`,
      department: b.departments[d],
      title: pick(random, TITLES),
      objectSid: b.sid(),
      primaryGroupID: 513,
      userAccountControl: UAC.NORMAL_ACCOUNT | (disabled ? UAC.ACCOUNTDISABLE : 0),
      whenCreated: whenCreated(random),
    });
    b.userDns.push(dn);
    b.usersByDepartment[d]!.push(dn);
  }
}

function addServers(b: DomainBuilder): number {
  const { random } = b;
  const serverCount = Math.max(10, Math.round(b.scale.computers * 0.16));
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
    if (role === 'WEB' && b.sqlServers.length > 0 && random() < 0.5) {
      const sql = pick(random, b.sqlServers);
      delegation = [`MSSQLSvc/${sql}.${DNS_DOMAIN}:1433`, `MSSQLSvc/${sql}.${DNS_DOMAIN}`];
      uac |= UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
    }
    b.add(`CN=${name},OU=Servers,OU=Corp,${DOMAIN_DN}`, {
      objectClass: COMPUTER_CLASSES,
      cn: name,
      sAMAccountName: `${name}$`,
      dNSHostName: fqdn,
      objectSid: b.sid(),
      primaryGroupID: 515,
      userAccountControl: uac,
      servicePrincipalName: spns,
      'msDS-AllowedToDelegateTo': delegation,
      operatingSystem: 'Windows Server 2019 Standard',
      whenCreated: whenCreated(random),
    });
    if (role === 'FS') b.fileServers.push(name);
    if (role === 'SQL') b.sqlServers.push(name);
  }
  return serverCount;
}

function addWorkstations(b: DomainBuilder, count: number): void {
  for (let i = 0; i < count; i += 1) {
    const site = SITES[i % SITES.length]!;
    const name = `WS-${site}-${String(i + 1).padStart(5, '0')}`;
    const fqdn = `${name}.${DNS_DOMAIN}`;
    b.add(`CN=${name},OU=${site},OU=Workstations,OU=Corp,${DOMAIN_DN}`, {
      objectClass: COMPUTER_CLASSES,
      cn: name,
      sAMAccountName: `${name}$`,
      dNSHostName: fqdn,
      objectSid: b.sid(),
      primaryGroupID: 515,
      userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | (b.random() < 0.05 ? UAC.ACCOUNTDISABLE : 0),
      servicePrincipalName: [`HOST/${name}`, `HOST/${fqdn}`, `RestrictedKrbHost/${name}`, `RestrictedKrbHost/${fqdn}`],
      operatingSystem: 'Windows 11 Enterprise',
      whenCreated: whenCreated(b.random),
    });
  }
}

/** Two more domain controllers: they carry TRUSTED_FOR_DELEGATION by default and are never hosts. */
function addDomainControllers(b: DomainBuilder): void {
  for (const name of ['DC02', 'DC03']) {
    const fqdn = `${name}.${DNS_DOMAIN}`;
    b.add(`CN=${name},OU=Domain Controllers,${DOMAIN_DN}`, {
      objectClass: COMPUTER_CLASSES,
      cn: name,
      sAMAccountName: `${name}$`,
      dNSHostName: fqdn,
      objectSid: b.sid(),
      primaryGroupID: 516,
      userAccountControl: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION,
      servicePrincipalName: [`HOST/${name}`, `HOST/${fqdn}`, `ldap/${name}`, `ldap/${fqdn}`],
      whenCreated: whenCreated(b.random, 2012, 2016),
    });
  }
}

/** Hyper-V clusters of `clusterSize`, one OU each, with each host's state drawn. */
function planClusters(b: DomainBuilder): void {
  const { scale, random } = b;
  for (let c = 0; c * scale.clusterSize < scale.hosts; c += 1) {
    const clusterName = `Cluster-${String(c + 1).padStart(2, '0')}`;
    const clusterOu = b.ou(`OU=${clusterName},OU=Clusters,OU=Hyper-V`);
    const size = Math.min(scale.clusterSize, scale.hosts - c * scale.clusterSize);
    // Every fifth cluster got a node after its delegation was set up: its peers lack entries for it.
    const hasLateJoiner = c % 5 === 2;
    const members: ClusterHost[] = [];
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
      b.hostStates[state] = (b.hostStates[state] ?? 0) + 1;
      members.push({ name, dn: `CN=${name},${clusterOu}`, state, lateJoiner: state === 'late-joiner' });
    }
    b.clusters.push(members);
  }
}

/** A host's delegation list: every peer's migration and cifs SPNs, then now and then a ghost or an entry beyond migration. */
function hostDelegation(b: DomainBuilder, host: ClusterHost, members: readonly ClusterHost[]): string[] {
  const delegation: string[] = [];
  if (host.state === 'rejoined' || host.state === 'rejoined-no-spn') return delegation;
  for (const peer of members) {
    // A late joiner is missing from its peers' lists; it has its own entries for them.
    if (peer === host || (peer.lateJoiner && !host.lateJoiner)) continue;
    const peerFqdn = `${peer.name}.${DNS_DOMAIN}`;
    delegation.push(`${MIGRATION}/${peer.name}`, `${MIGRATION}/${peerFqdn}`, `cifs/${peer.name}`, `cifs/${peerFqdn}`);
  }
  const extra = b.random();
  // Decommissioned hosts that are still named (ghosts), and entries beyond live migration.
  if (extra < 0.03) delegation.push(`cifs/${host.name.slice(0, 6)}OLD`, `${MIGRATION}/${host.name.slice(0, 6)}OLD.${DNS_DOMAIN}`);
  else if (extra < 0.04 && b.fileServers.length > 0) delegation.push(`cifs/${pick(b.random, b.fileServers)}.${DNS_DOMAIN}`);
  else if (extra < 0.045) delegation.push(`ldap/DC01.${DNS_DOMAIN}`);
  return delegation;
}

function addHosts(b: DomainBuilder): void {
  for (const members of b.clusters) {
    for (const host of members) {
      const fqdn = `${host.name}.${DNS_DOMAIN}`;
      const spns = [`HOST/${host.name}`, `HOST/${fqdn}`];
      if (host.state !== 'rejoined-no-spn') {
        spns.push(
          `${MIGRATION}/${host.name}`,
          `${MIGRATION}/${fqdn}`,
          `Microsoft Virtual Console Service/${host.name}`,
          `Microsoft Virtual Console Service/${fqdn}`,
        );
      }
      const delegation = hostDelegation(b, host, members);
      let uac: number = UAC.WORKSTATION_TRUST_ACCOUNT;
      if (host.state !== 'kerberos-only' && delegation.length > 0) uac |= UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
      if (host.state === 'unconstrained') uac |= UAC.TRUSTED_FOR_DELEGATION;
      if (host.state === 'disabled') uac |= UAC.ACCOUNTDISABLE;
      const rejoined = host.state === 'rejoined' || host.state === 'rejoined-no-spn';
      b.add(host.dn, {
        objectClass: COMPUTER_CLASSES,
        cn: host.name,
        sAMAccountName: `${host.name}$`,
        dNSHostName: fqdn,
        objectSid: b.sid(),
        primaryGroupID: 515,
        userAccountControl: uac,
        servicePrincipalName: spns,
        'msDS-AllowedToDelegateTo': delegation,
        operatingSystem: 'Windows Server 2022 Datacenter',
        description: rejoined ? 'Re-joined to the domain: a new computer object' : undefined,
        whenCreated: rejoined ? whenCreated(b.random, 2024, 2024) : whenCreated(b.random, 2016, 2021),
      });
      b.hostDns.push(host.dn);
    }
  }
  // Two hosts someone put in Protected Users: they cannot delegate (HV009).
  for (const members of b.clusters.slice(1, 3)) {
    const host = members.find((m) => m.state === 'correct');
    if (host !== undefined) b.protectedHosts.push(host.dn);
  }
}

function addServiceAccounts(b: DomainBuilder): void {
  const { random, sqlServers } = b;
  for (let i = 0; i < b.scale.serviceAccounts; i += 1) {
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
    if (i === b.scale.serviceAccounts - 1 && sqlServers.length > 0) {
      delegation = [`MSSQLSvc/${sqlServers[0]!}.${DNS_DOMAIN}:1433`];
      uac |= UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
    }
    b.serviceDns.push(
      b.add(`CN=${name},OU=Service Accounts,OU=Corp,${DOMAIN_DN}`, {
        objectClass: USER_CLASSES,
        cn: name,
        sAMAccountName: name,
        userPrincipalName: `${name}@${DNS_DOMAIN}`,
        objectSid: b.sid(),
        primaryGroupID: 513,
        userAccountControl: uac,
        servicePrincipalName: [`HTTP/app${String(i + 1).padStart(3, '0')}.${DNS_DOMAIN}`],
        'msDS-AllowedToDelegateTo': delegation,
        whenCreated: whenCreated(random),
      }),
    );
  }
}

function addAdmins(b: DomainBuilder): void {
  const { random } = b;
  for (let i = 0; i < b.scale.admins; i += 1) {
    const name = `adm-${String(i + 1).padStart(4, '0')}`;
    const sensitive = random() < 0.55;
    const protectedUser = random() < 0.2;
    const disabled = random() < 0.05;
    b.adminFlags.push({ sensitive, protectedUser });
    b.adminDns.push(
      b.add(`CN=${name},OU=Tier0,OU=Corp,${DOMAIN_DN}`, {
        objectClass: USER_CLASSES,
        cn: name,
        sAMAccountName: name,
        userPrincipalName: `${name}@${DNS_DOMAIN}`,
        displayName: `Admin account ${i + 1}`,
        objectSid: b.sid(),
        primaryGroupID: 513,
        userAccountControl: UAC.NORMAL_ACCOUNT | (sensitive ? UAC.NOT_DELEGATED : 0) | (disabled ? UAC.ACCOUNTDISABLE : 0),
        adminCount: 1,
        whenCreated: whenCreated(random),
      }),
    );
  }
}

/** Groups: departments, everyone, projects, resources (nested). */
function addStaffGroups(b: DomainBuilder, group: (name: string, members: readonly string[], description?: string) => string): void {
  const { random, scale, userDns } = b;
  const departmentGroups = b.departments.map((d, i) => group(`GG-${d}`, b.usersByDepartment[i]!, `All staff of ${d}`));
  group('GG-All-Staff', userDns, 'Everyone employed, for file share permissions');
  const projectGroups: string[] = [];
  for (let i = 0; i < scale.projectGroups; i += 1) {
    const size = 20 + Math.floor(random() * 130);
    projectGroups.push(
      group(
        `GG-Project-${String(i + 1).padStart(3, '0')}`,
        sample(random, userDns.length, size).map((u) => userDns[u]!),
      ),
    );
  }
  for (let i = 0; i < scale.resourceGroups; i += 1) {
    const nested = [
      ...sample(random, projectGroups.length, 1 + Math.floor(random() * 4)).map((p) => projectGroups[p]!),
      ...(random() < 0.3 ? [pick(random, departmentGroups)] : []),
    ];
    group(`DL-Share-${String(i + 1).padStart(3, '0')}`, nested, 'File share access');
  }
  group('GG-Hyper-V-Hosts', b.hostDns, 'Every Hyper-V host computer');
}

/** Administrative groups and the privileged built-in groups' members; returns how many admins are privileged. */
function addAdminGroups(b: DomainBuilder, group: (name: string, members: readonly string[], description?: string) => string): number {
  const { adminDns } = b;
  const slice = (from: number, to: number): string[] => adminDns.slice(Math.floor(from * adminDns.length), Math.floor(to * adminDns.length));
  // Privileged through nesting: Infra-Ops -> Tier0-Admins -> Domain Admins, and role groups in built-in groups.
  const tier0 = group('GG-Tier0-Admins', slice(0.1, 0.3), 'Tier 0 administrators');
  const infraOps = group('GG-Infra-Ops', slice(0.3, 0.4), 'Infrastructure operations');
  b.addMembers(tier0, [infraOps]);
  const serverAdmins = group('GG-Server-Admins', slice(0.4, 0.55), 'Administrators of member servers and DCs');
  const backupTeam = group('GG-Backup-Team', slice(0.55, 0.65), 'Backup operators');
  const helpdesk = group('GG-Helpdesk-T1', slice(0.65, 0.75), 'Account operators');
  const pki = group('GG-PKI-Admins', slice(0.75, 0.8), 'Certificate publishers');
  // Former administrators (0.8-0.85) keep adminCount=1 but no privileged group: PA004.
  const hyperVAdmins = group('GG-Hyper-V-Admins', slice(0.85, 0.95), 'Hyper-V administration');
  b.addMembers(b.wellKnown(512), [...slice(0, 0.07), tier0]);
  b.addMembers(b.wellKnown('S-1-5-32-544'), [serverAdmins, hyperVAdmins]);
  b.addMembers(b.wellKnown('S-1-5-32-551'), [backupTeam]);
  b.addMembers(b.wellKnown('S-1-5-32-548'), [helpdesk]);
  b.addMembers(b.wellKnown(517), [pki]);
  b.addMembers(b.wellKnown(519), slice(0.95, 0.98));
  b.addMembers(b.wellKnown(526), slice(0.98, 1));
  for (const dn of slice(0.07, 0.1)) b.primaryGroups.push({ dn, rid: 512, groupDn: b.wellKnown(512) });
  // A backup service account in Backup Operators, trusted for delegation: PA003.
  if (b.serviceDns.length > 1) b.addMembers(backupTeam, [b.serviceDns[b.serviceDns.length - 1]!]);
  b.addMembers(b.wellKnown(525), [...adminDns.filter((_, i) => b.adminFlags[i]!.protectedUser), ...b.protectedHosts]);
  return adminDns.length - slice(0.8, 0.85).length;
}

/** The lab's entries, provisioned groups with their extra members, then ours. */
function assemble(b: DomainBuilder): LdifEntry[] {
  const entries: LdifEntry[] = b.base.map((entry) => {
    const more = b.extraMembers.get(entry.dn);
    if (more === undefined) return entry;
    const member = entry.attributes.find((a) => a.name.toLowerCase() === 'member');
    const attributes = member
      ? entry.attributes.map((a) => (a === member ? { name: a.name, values: [...a.values, ...more] } : a))
      : [...entry.attributes, { name: 'member', values: more }];
    return { ...entry, attributes };
  });
  const generated = b.drafts.map((draft) => {
    const more = b.extraMembers.get(draft.dn);
    const attributes = more === undefined ? draft.attributes : appendMembers(draft.attributes, more);
    const primary = b.primaryGroups.find((p) => p.dn === draft.dn);
    return {
      dn: draft.dn,
      line: 0,
      attributes: primary ? attributes.map((a) => (a.name === 'primaryGroupID' ? { name: a.name, values: [String(primary.rid)] } : a)) : attributes,
    };
  });
  return entries.concat(generated); // not push(...generated): huge has more entries than a call takes arguments
}

export function generateDirectory(preset: Preset, seed = 20_250_601): GeneratedDirectory {
  const base = parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif');
  if (preset === 'lab') {
    return { entries: base, sambaChanges: 'version: 1\n', summary: summarize(preset, seed, base, base, 0, {}) };
  }
  const b = new DomainBuilder(base, SCALES[preset], seed);
  const departmentOus = addOus(b);
  addUsers(b, departmentOus);
  const servers = addServers(b);
  addWorkstations(b, b.scale.computers - servers);
  addDomainControllers(b);
  planClusters(b);
  addHosts(b);
  addServiceAccounts(b);
  addAdmins(b);
  const groupDn = (name: string): string => `CN=${name},OU=Groups,OU=Corp,${DOMAIN_DN}`;
  const group = (name: string, members: readonly string[], description?: string): string =>
    b.add(groupDn(name), {
      objectClass: ['top', 'group'],
      cn: name,
      sAMAccountName: name,
      description,
      objectSid: b.sid(),
      groupType: GLOBAL_SECURITY,
      member: members,
    });
  addStaffGroups(b, group);
  const privileged = addAdminGroups(b, group);
  const entries = assemble(b);
  const sambaChanges = toSambaChanges(b.drafts, b.extraMembers, b.primaryGroups, new Set(base.map((e) => e.dn)));
  return { entries, sambaChanges, summary: summarize(preset, seed, entries, base, privileged, b.hostStates) };
}
