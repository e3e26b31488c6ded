import { withoutDollar } from '../text/names.js';
import type { LdapEntry } from '../ldap/entry.js';
import { daclAces } from '../ldap/codecs/security-descriptor.js';
import { sidToString } from '../ldap/codecs/sid.js';
import { hasFlag, parseUac } from '../ldap/codecs/uac.js';
import type { Account, AccountKind } from './model.js';
import { RID } from './well-known.js';

/** The attributes the audit reads for every account. */
export const ACCOUNT_ATTRIBUTES = [
  'objectClass',
  'objectSid',
  'sAMAccountName',
  'userPrincipalName',
  'userAccountControl',
  'servicePrincipalName',
  'msDS-AllowedToDelegateTo',
  'dNSHostName',
  'primaryGroupID',
  'adminCount',
  'whenCreated',
  // Resource-based delegation (binary: a security descriptor, read with the SD flags control).
  'msDS-AllowedToActOnBehalfOfOtherIdentity',
];

/** Resource-based constrained delegation: a security descriptor on the resource (binary). */
export const RBCD_ATTRIBUTE = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

/**
 * The SIDs that an account's msDS-AllowedToActOnBehalfOfOtherIdentity allows (its DACL's allow ACEs,
 * in order, without duplicates); undefined when the attribute was not returned or cannot be decoded.
 */
function readAllowedToAct(entry: LdapEntry): string[] | undefined {
  const descriptor = entry.buffer(RBCD_ATTRIBUTE);
  if (descriptor === undefined) return undefined;
  try {
    return [
      ...new Set(
        daclAces(descriptor)
          .filter((ace) => ace.type === 'allow')
          .map((ace) => ace.sid),
      ),
    ];
  } catch {
    return undefined;
  }
}

function kindOf(objectClasses: readonly string[]): AccountKind {
  const classes = new Set(objectClasses.map((c) => c.toLowerCase()));
  if (classes.has('msds-groupmanagedserviceaccount')) return 'gmsa';
  if (classes.has('msds-managedserviceaccount')) return 'msa';
  if (classes.has('computer')) return 'computer';
  if (classes.has('inetorgperson')) return 'inetOrgPerson';
  return 'user';
}

/** Reads a SID attribute that should be binary; tolerates servers that send text. */
export function readSid(entry: LdapEntry, attribute = 'objectSid'): string | undefined {
  const value = entry.buffer(attribute);
  if (value === undefined) return undefined;
  const text = value.toString('latin1');
  if (/^S-1-\d+(-\d+)*$/.test(text)) return text;
  try {
    return sidToString(value);
  } catch {
    return undefined;
  }
}

function optionalInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

export function toAccount(entry: LdapEntry): Account {
  const uac = parseUac(entry.string('userAccountControl')) ?? 0;
  const kind = kindOf(entry.strings('objectClass'));
  const primaryGroupId = optionalInt(entry.string('primaryGroupID'));
  const sAMAccountName = entry.string('sAMAccountName') ?? entry.dn;
  const allowedToAct = readAllowedToAct(entry);
  return {
    dn: entry.dn,
    sid: readSid(entry),
    sAMAccountName,
    userPrincipalName: entry.string('userPrincipalName'),
    kind,
    userAccountControl: uac,
    enabled: !hasFlag(uac, 'ACCOUNTDISABLE'),
    sensitive: hasFlag(uac, 'NOT_DELEGATED'),
    unconstrained: hasFlag(uac, 'TRUSTED_FOR_DELEGATION'),
    protocolTransition: hasFlag(uac, 'TRUSTED_TO_AUTH_FOR_DELEGATION'),
    allowedToDelegateTo: entry.strings('msDS-AllowedToDelegateTo'),
    servicePrincipalNames: entry.strings('servicePrincipalName'),
    dnsHostName: entry.string('dNSHostName'),
    primaryGroupId,
    adminCount: optionalInt(entry.string('adminCount')),
    whenCreated: entry.string('whenCreated'),
    isDomainController:
      hasFlag(uac, 'SERVER_TRUST_ACCOUNT') ||
      hasFlag(uac, 'PARTIAL_SECRETS_ACCOUNT') ||
      primaryGroupId === RID.DOMAIN_CONTROLLERS ||
      primaryGroupId === RID.READONLY_DOMAIN_CONTROLLERS,
    ...(allowedToAct === undefined ? {} : { allowedToActOnBehalfOf: allowedToAct }),
  };
}

/** The computer's short name: sAMAccountName without the trailing `$`. */
export function shortName(account: Pick<Account, 'sAMAccountName' | 'dnsHostName'>): string {
  const sam = withoutDollar(account.sAMAccountName);
  if (sam !== '') return sam;
  const dns = account.dnsHostName ?? '';
  return dns.split('.')[0] ?? dns;
}
