/**
 * The typed directory model: LDAP entries become these plain objects once, in read-directory.ts;
 * rules and reports never see attribute bags.
 */

/** What kind of security principal an account is, from its most specific objectClass. */
export const ACCOUNT_KINDS = ['user', 'inetOrgPerson', 'computer', 'gmsa', 'msa'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface Account {
  dn: string;
  /** S-1-5-… text; undefined only when the server did not return one. */
  sid: string | undefined;
  sAMAccountName: string;
  userPrincipalName: string | undefined;
  kind: AccountKind;
  /** The raw userAccountControl value (unsigned). */
  userAccountControl: number;
  enabled: boolean;
  /** NOT_DELEGATED: "Account is sensitive and cannot be delegated". */
  sensitive: boolean;
  /** TRUSTED_FOR_DELEGATION: unconstrained delegation. */
  unconstrained: boolean;
  /** TRUSTED_TO_AUTH_FOR_DELEGATION: protocol transition ("use any authentication protocol"). */
  protocolTransition: boolean;
  allowedToDelegateTo: string[];
  /**
   * Resource-based constrained delegation: the SIDs that `msDS-AllowedToActOnBehalfOfOtherIdentity`
   * allows to act on behalf of other identities to this account's services. Undefined when not read.
   */
  allowedToActOnBehalfOf?: string[];
  servicePrincipalNames: string[];
  dnsHostName: string | undefined;
  primaryGroupId: number | undefined;
  adminCount: number | undefined;
  /** AD generalized time as served (e.g. `20170315143000.0Z`). */
  whenCreated: string | undefined;
  /** A domain controller (SERVER_TRUST_ACCOUNT, an RODC, or primary group 516/521). */
  isDomainController: boolean;
}

export interface Group {
  dn: string;
  sid: string | undefined;
  sAMAccountName: string;
  /** Member DNs as read (`member`, all ranges). */
  members: string[];
}

/** Everything the audit read, keyed by dnKey(). */
export interface Directory {
  url: string;
  /** The DC that answered (its RootDSE dnsHostName): every fact of one read comes from one DC. */
  dc: string;
  baseDN: string;
  /** The domain's naming context (RootDSE defaultNamingContext). */
  domainDN: string;
  dnsDomain: string;
  domainSid: string;
  configurationDN: string | undefined;
  /** Every account read: hosts, delegating accounts, referenced computers, privileged candidates. */
  accounts: Map<string, Account>;
  groups: Map<string, Group>;
  /** Continuation references the server returned (not chased). */
  references: string[];
  /** What the reader could not resolve (e.g. an explicit --host that does not exist). */
  warnings: string[];
  /** Names that delegation entries referenced and that no computer answers to (lower-case). */
  missingNames: Set<string>;
  /** How discovery found each host candidate, by dnKey. */
  hostSources: Map<string, HostSource>;
  /**
   * AD's sPNMappings (alias service class → the class that serves it, lower-case, e.g. cifs → host), when
   * they were read; undefined means AD's defaults apply.
   */
  spnMappings?: Map<string, string>;
  /**
   * Whether the read looked up every delegation target (SPNs, after sPNMappings, and resource-based
   * SIDs) in one search: a target it did not find does not exist. Default: false (only cifs and
   * migration targets were looked up).
   */
  delegationTargetsRead?: boolean;
}

export type HostSource = 'spn' | 'reference' | 'explicit' | 'ou' | 'group';
