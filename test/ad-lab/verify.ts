/**
 * Checks over LDAPS: that samba answers a bind, that the seeded scenario is what the LDIF says (on
 * every DC), and that a joined DC is what a join makes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'ldapts';
import { type LabConnection } from './connection.js';
import { daclAces } from '../../src/ldap/codecs/security-descriptor.js';
import { ADMIN_DN, BASE_DN, CONFIG_DN, dcDir, dcFqdn, READY_TIMEOUT_MS, SITE } from './config.js';
import { isLabSamba, LabError, procInfo, seconds, tail } from './process.js';
import { attr, type BulkReport, type LdifEntry, normDN, protectedUserDNs, RBCD, type SeedReport } from './seed.js';

/** Where to reach one DC over LDAPS: its URL, its CA, the name its certificate carries. */
export interface DcEndpoint {
  url: string;
  ca: Buffer;
  servername: string;
}

function ldapClient(dc: DcEndpoint, timeout = 5000): Client {
  return new Client({ url: dc.url, connectTimeout: timeout, timeout, tlsOptions: { ca: dc.ca, servername: dc.servername } });
}

async function canBind(dc: DcEndpoint, dn: string, password: string, timeout = 5000): Promise<void> {
  const client = ldapClient(dc, timeout);
  try {
    await client.bind(dn, password);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Binary objectSid (MS-DTYP 2.4.2.2) to S-1-... text. */
function sidToString(b: Buffer): string {
  const count = b.readUInt8(1);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(b.readUInt32LE(8 + 4 * i));
  return `S-${b.readUInt8(0)}-${b.readUIntBE(2, 6)}${subs.map((x) => `-${x}`).join('')}`;
}

function asStrings(v: Buffer | Buffer[] | string[] | string | undefined): string[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => (typeof x === 'string' ? x : x.toString('utf8')));
}

/**
 * Attributes of provisioned (and joined) entries that are checked, not only reported as drift:
 * userAccountControl (the seeder sets it), and what a tool finds the domain's DCs by.
 */
const CHECKED_WHEN_PROVISIONED = new Set(['useraccountcontrol', 'objectclass', 'dnshostname', 'serverreference', 'fsmoroleowner']);

/** Is this LDIF entry part of the lab: everything but the entries of a DC that this lab does not join. */
const inLab = (entry: LdifEntry, dcs: readonly string[]): boolean => entry.joined === undefined || dcs.includes(entry.joined);

/**
 * Check over LDAPS that Samba now holds the LDIF scenario: every LDIF attribute of created entries
 * (except the system-owned objectSid/whenCreated and the userPassword secret), LDIF members of
 * every group, userAccountControl, objectClass and the DC-locating attributes (dNSHostName,
 * serverReference, fSMORoleOwner) of provisioned entries, the configuration NC's and the domain
 * head's included, and of the entries a joined DC made; that every seeded password binds; and the
 * Hyper-V migration SPN search the brief uses. `dcs` names the lab's DCs.
 */
export async function verifySeed(dc: DcEndpoint, adminPassword: string, report: SeedReport, dcs: readonly string[], bulk?: BulkReport): Promise<string[]> {
  const problems: string[] = [];
  const skipped = new Set(report.skipped.map(normDN));
  // A bulk-loaded directory is read cold: the SPN search scans it all (296,000 objects at the
  // benchmark's huge size took longer than 10 s right after the start).
  const client = ldapClient(dc, bulk === undefined ? 10_000 : 600_000);
  try {
    await client.bind(ADMIN_DN, adminPassword);
    for (const entry of report.entries) {
      // The domain head and the configuration NC are Samba's own (skipped by the seeder): only provisioned ones are checked.
      if (skipped.has(normDN(entry.dn)) && !entry.provisioned) continue;
      if (!inLab(entry, dcs)) continue;
      const { searchEntries } = await client.search(entry.dn, {
        scope: 'base',
        attributes: ['*', RBCD],
        explicitBufferAttributes: ['objectSid', RBCD],
      });
      const got = searchEntries[0];
      if (got === undefined) {
        problems.push(`${entry.dn}: missing`);
        continue;
      }
      const have = (name: string): string[] => {
        for (const [k, v] of Object.entries(got)) if (k.toLowerCase() === name.toLowerCase() && k !== 'dn') return asStrings(v);
        return [];
      };
      for (const [name, values] of Object.entries(entry.attributes)) {
        const low = name.toLowerCase();
        if (low === 'whencreated' || low === 'userpassword') continue;
        if (low === 'objectsid') {
          // Well-known SIDs must match; Samba numbers the objects it creates (and a join makes) itself (see sidMap).
          const sid = got['objectSid'];
          const text = Buffer.isBuffer(sid) ? sidToString(sid) : '(none)';
          if (entry.provisioned && entry.joined === undefined && text !== values[0])
            problems.push(`${entry.dn}: objectSid is ${text}, LDIF says ${values[0] ?? ''}`);
          continue;
        }
        const h = have(name);
        if (low === RBCD.toLowerCase()) {
          // Binary: the descriptor's SIDs, mapped to the ones Samba assigned, in the LDIF's order.
          const want = report.rbcd.find((r) => normDN(r.dn) === normDN(entry.dn))?.principals.map((p) => p.samba) ?? ['(not seeded)'];
          const value = got[RBCD];
          const buffer = Array.isArray(value) ? value[0] : value;
          const sids = Buffer.isBuffer(buffer) ? daclAces(buffer).map((ace) => ace.sid) : [];
          if (JSON.stringify(sids) !== JSON.stringify(want)) problems.push(`${entry.dn}: ${RBCD} names [${sids.join('; ')}], expected [${want.join('; ')}]`);
          continue;
        }
        if (low === 'member') {
          const hs = new Set(h.map(normDN));
          for (const v of values) if (!hs.has(normDN(v))) problems.push(`${entry.dn}: member ${v} missing`);
          continue;
        }
        if (entry.provisioned && !CHECKED_WHEN_PROVISIONED.has(low)) continue; // drift is reported, not fixed
        const want = values.map((v) => v.toLowerCase()).sort();
        const hv = h.map((v) => v.toLowerCase()).sort();
        const ok = low === 'objectclass' ? want.every((v) => hv.includes(v)) : JSON.stringify(want) === JSON.stringify(hv);
        if (!ok) problems.push(`${entry.dn}: ${name} is [${h.join('; ')}], LDIF says [${values.join('; ')}]`);
      }
    }
    // The Hyper-V hosts, found the way delegaudit finds them: by their migration SPN.
    const spnPrefix = 'Microsoft Virtual System Migration Service/';
    const { searchEntries } = await client.search(BASE_DN, {
      scope: 'sub',
      filter: `(servicePrincipalName=${spnPrefix}*)`,
      attributes: ['msDS-AllowedToDelegateTo', 'userAccountControl'],
      // ldapts asks for 10 s unless told otherwise: a full scan of the huge directory takes longer.
      timeLimit: 0,
    });
    const wantHosts = report.entries
      .filter((e) => inLab(e, dcs) && attr(e, 'servicePrincipalName').some((s) => s.startsWith(spnPrefix)))
      .map((e) => normDN(e.dn))
      .concat((bulk?.hosts ?? []).map(normDN))
      .sort();
    const gotHosts = searchEntries.map((e) => normDN(e.dn)).sort();
    if (JSON.stringify(wantHosts) !== JSON.stringify(gotHosts)) {
      problems.push(`SPN search found [${gotHosts.join('; ')}], LDIF has [${wantHosts.join('; ')}]`);
    }
    if (bulk !== undefined) {
      // Every object the bulk load added is there (one paged search for all DNs, not 60,000 reads).
      const present = new Set<string>();
      const pages = client.searchPaginated(BASE_DN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], paged: { pageSize: 1000 }, timeLimit: 0 });
      for await (const page of pages) for (const entry of page.searchEntries) present.add(normDN(entry.dn));
      const absent = bulk.added.filter((dn) => !present.has(normDN(dn)));
      if (absent.length > 0) problems.push(`${absent.length} of ${bulk.added.length} bulk-loaded objects are missing, e.g. ${absent.slice(0, 3).join('; ')}`);
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
  // Every seeded password works for a simple bind over LDAPS, except for members of Protected
  // Users: Samba (like Windows) refuses them NTLM-style authentication, simple binds included,
  // with "data 52f" (STATUS_ACCOUNT_RESTRICTION).
  const protectedUsers = protectedUserDNs(report);
  for (const entry of report.entries) {
    const pw = attr(entry, 'userPassword')[0];
    if (pw === undefined || entry.provisioned) continue;
    const refused = protectedUsers.has(normDN(entry.dn));
    try {
      await canBind(dc, entry.dn, pw);
      if (refused) problems.push(`${entry.dn}: in Protected Users, yet a simple bind succeeded`);
    } catch (err) {
      const msg = (err as Error).message;
      if (!refused || !msg.includes('data 52f')) problems.push(`${entry.dn}: bind with its LDIF password failed: ${msg}`);
    }
  }
  return problems;
}

/**
 * What a join makes of a DC, checked on any DC once it has replicated: its computer account
 * (DC02$, a DC's userAccountControl and primary group, dNSHostName, the HOST/ and ldap/ SPNs), its
 * server object in the site (serverReference to that account) and its NTDS Settings (nTDSDSA).
 * Case-insensitive, as AD is: the join writes dNSHostName in lower case.
 */
export async function verifyJoinedDc(dc: DcEndpoint, adminPassword: string, name: string): Promise<string[]> {
  const problems: string[] = [];
  const fqdn = dcFqdn(name).toLowerCase();
  const computerDn = `CN=${name},OU=Domain Controllers,${BASE_DN}`;
  const serverDn = `CN=${name},CN=Servers,CN=${SITE},CN=Sites,${CONFIG_DN}`;
  const client = ldapClient(dc, 10_000);
  const read = async (dn: string, attributes: string[]): Promise<Record<string, string[]> | undefined> => {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes });
      const got = searchEntries[0];
      if (got === undefined) return undefined;
      return Object.fromEntries(Object.entries(got).map(([k, v]) => [k.toLowerCase(), asStrings(v).map((x) => x.toLowerCase())]));
    } catch (err) {
      if ((err as { code?: number }).code === 32) return undefined;
      throw err;
    }
  };
  try {
    await client.bind(ADMIN_DN, adminPassword);
    const computer = await read(computerDn, ['sAMAccountName', 'userAccountControl', 'primaryGroupID', 'dNSHostName', 'servicePrincipalName']);
    if (computer === undefined) problems.push(`${computerDn}: missing`);
    else {
      const expect = (attribute: string, want: string): void => {
        const have = computer[attribute.toLowerCase()] ?? [];
        if (have.length !== 1 || have[0] !== want.toLowerCase()) problems.push(`${computerDn}: ${attribute} is [${have.join('; ')}], a joined DC has ${want}`);
      };
      expect('sAMAccountName', `${name}$`);
      expect('userAccountControl', '532480'); // SERVER_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION
      expect('primaryGroupID', '516'); // Domain Controllers
      expect('dNSHostName', fqdn);
      const spns = computer['serviceprincipalname'] ?? [];
      for (const spn of [`HOST/${name}`, `HOST/${fqdn}`, `ldap/${name}`, `ldap/${fqdn}`]) {
        if (!spns.includes(spn.toLowerCase())) problems.push(`${computerDn}: no servicePrincipalName ${spn}`);
      }
    }
    const server = await read(serverDn, ['objectClass', 'serverReference', 'dNSHostName']);
    if (server === undefined) problems.push(`${serverDn}: missing`);
    else {
      if (!(server['objectclass'] ?? []).includes('server')) problems.push(`${serverDn}: not a server object`);
      if ((server['serverreference'] ?? [])[0] !== normDN(computerDn))
        problems.push(`${serverDn}: serverReference is [${(server['serverreference'] ?? []).join('; ')}]`);
      if ((server['dnshostname'] ?? [])[0] !== fqdn) problems.push(`${serverDn}: dNSHostName is [${(server['dnshostname'] ?? []).join('; ')}]`);
    }
    const ntds = await read(`CN=NTDS Settings,${serverDn}`, ['objectClass']);
    if (!(ntds?.['objectclass'] ?? []).includes('ntdsdsa')) problems.push(`CN=NTDS Settings,${serverDn}: missing or not an nTDSDSA`);
  } finally {
    await client.unbind().catch(() => undefined);
  }
  return problems;
}

/** Undefined when every DC of the lab runs and answers an admin bind over LDAPS; else what is wrong. */
export async function probeRunning(conn: LabConnection): Promise<string | undefined> {
  let password: string;
  try {
    password = readFileSync(conn.users.admin.passwordFile, 'utf8');
  } catch (err) {
    return `cannot read ${conn.users.admin.passwordFile}: ${(err as Error).message}`;
  }
  for (const dc of conn.dcs) {
    if (!isLabSamba(dc.pid, dcDir(conn.labDir, dc.name))) return `${dc.name}'s samba (pid ${dc.pid}) is not running`;
    try {
      await canBind({ url: dc.url, ca: readFileSync(dc.caFile), servername: dc.servername }, conn.users.admin.dn, password);
    } catch (err) {
      return `${dc.name}: LDAPS at ${dc.url} does not answer a bind: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** A samba just launched: where it listens, its CA file (samba writes it when it first starts), its directory and logs. */
export interface Starting {
  name: string;
  url: string;
  caSource: string;
  servername: string;
  pid: number;
  dir: string;
  logDir: string;
}

/**
 * Waits until LDAPS at `url` answers an admin bind, with the DC's CA; fails when samba exits or the
 * wait runs out. Calls `onExec` with samba's start time once `ip netns exec` has become samba (to
 * record it at once).
 */
export async function waitForLdaps(dc: Starting, adminPassword: string, onExec: (startTime: string) => void): Promise<void> {
  const { url, caSource, pid, dir, logDir } = dc;
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let lastError = 'not started';
  let recorded = false;
  for (;;) {
    const info = procInfo(pid);
    if (info === undefined || info.state === 'Z') {
      throw new LabError(`${dc.name}'s samba exited during startup:\n${tail(join(logDir, 'samba.stdout.log'))}\n${tail(join(logDir, 'samba.log'))}`);
    }
    if (!recorded && info.comm === 'samba') {
      onExec(info.startTime); // after exec: `ip netns exec` became samba
      recorded = true;
    }
    if (existsSync(caSource)) {
      try {
        await canBind({ url, ca: readFileSync(caSource), servername: dc.servername }, ADMIN_DN, adminPassword, 2000);
        break;
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    if (performance.now() > deadline) {
      throw new LabError(`${dc.name}: LDAPS at ${url} did not answer within ${seconds(READY_TIMEOUT_MS)} (${lastError}):\n${tail(join(logDir, 'samba.log'))}`);
    }
    await sleep(200);
  }
  if (!isLabSamba(pid, dir)) throw new LabError(`pid ${pid} is not ${dc.name}'s samba (${procInfo(pid)?.comm ?? 'gone'})`);
}
