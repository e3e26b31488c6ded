/**
 * The two attributes fix writes, read fresh from the directory.
 */
import type { LdapSession } from '../ldap/session.js';
import { dnKey } from '../ldap/codecs/dn.js';
import { eq, or, present } from '../ldap/filter.js';
import { parseUac } from '../ldap/codecs/uac.js';

export interface AccountState {
  dn: string;
  userAccountControl: number;
  allowedToDelegateTo: string[];
}

const ATTRIBUTES = ['userAccountControl', 'msDS-AllowedToDelegateTo'];

/** One base search: the state of one account (used only to resolve a conflict). */
export async function readAccountState(session: LdapSession, dn: string): Promise<AccountState | undefined> {
  const { entries } = await session.search({
    base: dn,
    scope: 'base',
    filter: present('objectClass'),
    attributes: ATTRIBUTES,
    purpose: `the current state of ${dn}`,
  });
  const entry = entries[0];
  if (entry === undefined) return undefined;
  return {
    dn: entry.dn,
    userAccountControl: parseUac(entry.string('userAccountControl')) ?? 0,
    allowedToDelegateTo: entry.strings('msDS-AllowedToDelegateTo'),
  };
}

/** One search for many accounts (an OR of their DNs), keyed by dnKey. */
export async function readAccountStates(session: LdapSession, base: string, dns: readonly string[]): Promise<Map<string, AccountState>> {
  const states = new Map<string, AccountState>();
  if (dns.length === 0) return states;
  const { entries } = await session.search({
    base,
    scope: 'sub',
    filter: or(dns.map((dn) => eq('distinguishedName', dn))),
    attributes: ATTRIBUTES,
    purpose: 'the accounts in the journal',
  });
  for (const entry of entries) {
    states.set(dnKey(entry.dn), {
      dn: entry.dn,
      userAccountControl: parseUac(entry.string('userAccountControl')) ?? 0,
      allowedToDelegateTo: entry.strings('msDS-AllowedToDelegateTo'),
    });
  }
  return states;
}
