/**
 * Which computers are Hyper-V hosts: those with their own migration SPN, those named by a migration
 * delegation entry (so a re-joined host that lost its SPNs is still found), and those the admin names.
 * Domain controllers never are.
 */
import { withoutDollar } from '../text/names.js';
import { dnKey } from '../ldap/codecs/dn.js';
import { hasServiceClass, parseSpn } from '../ldap/codecs/spn.js';
import type { Account, HostSource } from './model.js';
import { MIGRATION_CLASS_KEY } from './well-known.js';

/** Lower-case names a computer answers to: its short name and its DNS name. */
export function nameKeys(account: Pick<Account, 'sAMAccountName' | 'dnsHostName'>): string[] {
  const keys = [withoutDollar(account.sAMAccountName).toLowerCase()];
  if (account.dnsHostName) keys.push(account.dnsHostName.toLowerCase());
  return keys;
}

/** Computers by every name they answer to. */
export function indexComputers(accounts: Iterable<Account>): Map<string, Account> {
  const index = new Map<string, Account>();
  for (const account of accounts) {
    if (account.kind === 'computer') for (const key of nameKeys(account)) index.set(key, account);
  }
  return index;
}

/**
 * @param accounts everything read, by dnKey
 * @param explicit hosts the admin named (--host, --hosts-ou, --hosts-group), by dnKey
 */
export function discoverHosts(accounts: ReadonlyMap<string, Account>, explicit: ReadonlyMap<string, HostSource> = new Map()): Map<string, HostSource> {
  const sources = new Map<string, HostSource>();
  for (const [key, account] of accounts) {
    if (account.kind !== 'computer' || account.isDomainController) continue;
    if (account.servicePrincipalNames.some((spn) => hasServiceClass(spn, MIGRATION_CLASS_KEY) && parseSpn(spn) !== undefined)) sources.set(key, 'spn');
    else if (explicit.has(key)) sources.set(key, explicit.get(key)!);
  }
  const byName = indexComputers(accounts.values());
  // Each distinct entry once: the peers of a migration group name the same hosts.
  const seen = new Set<string>();
  for (const account of accounts.values()) {
    for (const entry of account.allowedToDelegateTo) {
      if (seen.has(entry)) continue;
      seen.add(entry);
      const spn = hasServiceClass(entry, MIGRATION_CLASS_KEY) ? parseSpn(entry) : undefined;
      if (spn === undefined) continue;
      const target = byName.get(spn.host.toLowerCase());
      if (target === undefined || target.isDomainController) continue;
      const key = dnKey(target.dn);
      if (!sources.has(key)) sources.set(key, 'reference');
    }
  }
  return sources;
}
