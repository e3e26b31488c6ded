/**
 * Which accounts are privileged: user-type members (nested, or through primaryGroupID) of the
 * privileged groups found by SID, plus the RID-500 account and any groups the admin adds.
 */
import { dnKey } from '../ldap/codecs/dn.js';
import { isSid, ridOf } from '../ldap/codecs/sid.js';
import type { MembershipGraph } from './membership.js';
import type { Account } from './model.js';
import { PRIVILEGED_BUILTIN_SIDS, PRIVILEGED_DOMAIN_RIDS, RID } from './well-known.js';

export interface PrivilegedRoot {
  key: string;
  name: string;
  reach: ReturnType<MembershipGraph['reach']>;
}

/** An account that is privileged, and how. */
export interface PrivilegedAccount {
  account: Account;
  /** Each privileged group it reaches, as a chain from its own group up to the privileged one. */
  via: string[][];
  /** The primary group, when primaryGroupID alone (or first) makes it privileged. */
  viaPrimaryGroup: string | undefined;
  protectedUsers: boolean;
}

/** Label used in `via` for the built-in Administrator. */
const RID500_LABEL = 'built-in Administrator (RID 500)';

/**
 * The privileged groups present in the directory. `extra` holds DNs or SIDs from
 * --privileged-group; the ones that match no group are returned in `unknown`.
 */
export function privilegedRoots(graph: MembershipGraph, domainSid: string, extra: readonly string[]): { roots: PrivilegedRoot[]; unknown: string[] } {
  const keys = new Set<string>();
  for (const sid of [...PRIVILEGED_BUILTIN_SIDS, ...PRIVILEGED_DOMAIN_RIDS.map((rid) => `${domainSid}-${rid}`)]) {
    const key = graph.groupKeyBySid(sid);
    if (key !== undefined) keys.add(key);
  }
  const unknown: string[] = [];
  for (const ref of extra) {
    const key = isSid(ref) ? graph.groupKeyBySid(ref) : graph.group(dnKey(ref)) ? dnKey(ref) : undefined;
    if (key === undefined) unknown.push(ref);
    else keys.add(key);
  }
  const roots = [...keys].map((key) => ({ key, name: graph.group(key)?.sAMAccountName ?? key, reach: graph.reach(key) }));
  return { roots, unknown };
}

/** User-type accounts: AD counts computers as users too (objectClass computer derives from user). */
export function isUserType(account: Pick<Account, 'kind'>): boolean {
  return account.kind !== 'computer';
}

export function classifyPrivileged(
  accounts: Iterable<Account>,
  graph: MembershipGraph,
  roots: readonly PrivilegedRoot[],
  protectedUsers: ReturnType<MembershipGraph['reach']> | undefined,
): PrivilegedAccount[] {
  const result: PrivilegedAccount[] = [];
  for (const account of accounts) {
    if (!isUserType(account) || (account.sid !== undefined && ridOf(account.sid) === RID.KRBTGT)) continue;
    const via: string[][] = [];
    let viaPrimaryGroup: string | undefined;
    for (const root of roots) {
      const path = graph.pathOf(root.reach, account);
      if (path === undefined) continue;
      via.push(path.viaPrimaryGroup ? [`${path.chain[0]} (primary group)`, ...path.chain.slice(1)] : path.chain);
      if (path.viaPrimaryGroup) viaPrimaryGroup = path.chain[0];
    }
    if (account.sid !== undefined && ridOf(account.sid) === RID.ADMINISTRATOR) {
      via.push([RID500_LABEL]);
    }
    if (via.length === 0) continue;
    via.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
    // "Domain Admins → Administrators" adds nothing to "Domain Admins": keep only chains no shorter one starts.
    const shortest = via.filter((chain, i) => !via.slice(0, i).some((other) => other.length < chain.length && other.every((name, j) => chain[j] === name)));
    via.splice(0, via.length, ...shortest);
    result.push({
      account,
      via,
      viaPrimaryGroup,
      protectedUsers: protectedUsers !== undefined && graph.pathOf(protectedUsers, account) !== undefined,
    });
  }
  return result.sort((a, b) => a.account.sAMAccountName.localeCompare(b.account.sAMAccountName));
}
