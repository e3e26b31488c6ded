/**
 * What a generated directory holds, counted from its entries: the benchmark's table and the tests'
 * expectations.
 */
import type { LdifEntry } from '../../mock-ldap/ldif.js';
import { daclAces } from '../../src/ldap/codecs/security-descriptor.js';
import { type DirectorySummary, DOMAIN_DN, MIGRATION, type Preset, UAC } from './presets.js';

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
      rows += new Set(
        daclAces(Buffer.from(descriptor, 'base64'))
          .filter((ace) => ace.type === 'allow')
          .map((ace) => ace.sid.toUpperCase()),
      ).size;
    }
    if (rows > 0) out.push({ dn: e.dn, sAMAccountName: values('sAMAccountName')[0] ?? e.dn, rows });
  }
  return out;
}

export function summarize(
  preset: Preset,
  seed: number,
  entries: readonly LdifEntry[],
  base: readonly LdifEntry[],
  privilegedAccounts: number,
  hostStates: Record<string, number>,
): DirectorySummary {
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
      if (e.attributes.some((a) => a.name === 'servicePrincipalName' && a.values.some((v) => v.startsWith(`${MIGRATION}/`))) || /,OU=Cluster-\d+,/.test(e.dn))
        hosts += 1;
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
