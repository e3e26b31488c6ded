/**
 * Checks over LDAPS: that samba answers a bind, and that the seeded scenario is what the LDIF says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'ldapts';
import { type LabConnection } from './connection.js';
import { daclAces } from '../../src/ldap/codecs/security-descriptor.js';
import { ADMIN_DN, BASE_DN, DNS_DOMAIN, HOST_NAME, READY_TIMEOUT_MS } from './config.js';
import { isLabSamba, LabError, procInfo, seconds, tail } from './process.js';
import { type LabState, saveState } from './state.js';
import { attr, type BulkReport, normDN, protectedUserDNs, RBCD, type SeedReport } from './seed.js';

function ldapClient(url: string, ca: Buffer, timeout = 5000): Client {
  return new Client({ url, connectTimeout: timeout, timeout, tlsOptions: { ca, servername: `${HOST_NAME}.${DNS_DOMAIN}` } });
}

async function canBind(url: string, ca: Buffer, dn: string, password: string, timeout = 5000): Promise<void> {
  const client = ldapClient(url, ca, timeout);
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
 * Check over LDAPS that Samba now holds the LDIF scenario: every LDIF attribute of created entries
 * (except the system-owned objectSid/whenCreated and the userPassword secret), LDIF members of
 * every group, userAccountControl of provisioned entries; that every seeded password binds; and
 * the Hyper-V migration SPN search the brief uses.
 */
export async function verifySeed(url: string, ca: Buffer, adminPassword: string, report: SeedReport, bulk?: BulkReport): Promise<string[]> {
  const problems: string[] = [];
  const skipped = new Set(report.skipped.map(normDN));
  const client = ldapClient(url, ca, 10_000);
  try {
    await client.bind(ADMIN_DN, adminPassword);
    for (const entry of report.entries) {
      if (skipped.has(normDN(entry.dn))) continue;
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
          // Well-known SIDs must match; Samba numbers the objects it creates itself (see sidMap).
          const sid = got['objectSid'];
          const text = Buffer.isBuffer(sid) ? sidToString(sid) : '(none)';
          if (entry.provisioned && text !== values[0]) problems.push(`${entry.dn}: objectSid is ${text}, LDIF says ${values[0] ?? ''}`);
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
        if (entry.provisioned && low !== 'useraccountcontrol') continue; // drift is reported, not fixed
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
    });
    const wantHosts = report.entries
      .filter((e) => attr(e, 'servicePrincipalName').some((s) => s.startsWith(spnPrefix)))
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
      const pages = client.searchPaginated(BASE_DN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], paged: { pageSize: 1000 } });
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
      await canBind(url, ca, entry.dn, pw);
      if (refused) problems.push(`${entry.dn}: in Protected Users, yet a simple bind succeeded`);
    } catch (err) {
      const msg = (err as Error).message;
      if (!refused || !msg.includes('data 52f')) problems.push(`${entry.dn}: bind with its LDIF password failed: ${msg}`);
    }
  }
  return problems;
}

export async function probeRunning(conn: LabConnection): Promise<string | undefined> {
  if (!isLabSamba(conn.pid, conn.labDir)) return `samba (pid ${conn.pid}) is not running`;
  try {
    const password = readFileSync(conn.users.admin.passwordFile, 'utf8');
    await canBind(conn.url, readFileSync(conn.caFile), conn.users.admin.dn, password);
  } catch (err) {
    return `LDAPS at ${conn.url} does not answer a bind: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Waits until LDAPS at `url` answers an admin bind, with the lab's CA (which samba writes when it
 * first starts); fails when samba exits or the wait runs out. Records samba's start time once `ip
 * netns exec` has become samba.
 */
export async function waitForLdaps(
  url: string,
  caSource: string,
  pid: number,
  adminPassword: string,
  where: { state: LabState; labDir: string; logDir: string },
): Promise<void> {
  const { state, labDir, logDir } = where;
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let lastError = 'not started';
  for (;;) {
    const info = procInfo(pid);
    if (info === undefined || info.state === 'Z') {
      throw new LabError(`samba exited during startup:\n${tail(join(logDir, 'samba.stdout.log'))}\n${tail(join(logDir, 'samba.log'))}`);
    }
    if (state.pidStartTime === undefined && info.comm === 'samba') {
      state.pidStartTime = info.startTime; // after exec: `ip netns exec` became samba
      saveState(state);
    }
    if (existsSync(caSource)) {
      try {
        await canBind(url, readFileSync(caSource), ADMIN_DN, adminPassword, 2000);
        break;
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    if (performance.now() > deadline) {
      throw new LabError(`LDAPS at ${url} did not answer within ${seconds(READY_TIMEOUT_MS)} (${lastError}):\n${tail(join(logDir, 'samba.log'))}`);
    }
    await sleep(200);
  }
  if (!isLabSamba(pid, labDir)) throw new LabError(`pid ${pid} is not samba (${procInfo(pid)?.comm ?? 'gone'})`);
}
