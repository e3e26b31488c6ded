/**
 * Well-known SIDs and RIDs. Privileged groups are found by SID, never by name: names are localised.
 * The set follows PingCastle's (see docs/ad-facts.md).
 */

/** Built-in (S-1-5-32) groups whose members administer domain controllers. */
export const PRIVILEGED_BUILTIN_SIDS = [
  'S-1-5-32-544', // Administrators
  'S-1-5-32-548', // Account Operators
  'S-1-5-32-549', // Server Operators
  'S-1-5-32-550', // Print Operators
  'S-1-5-32-551', // Backup Operators
  'S-1-5-32-552', // Replicator
  'S-1-5-32-569', // Cryptographic Operators
] as const;

/** Domain-relative RIDs of privileged groups. 518 and 519 exist only in the forest root domain. */
export const PRIVILEGED_DOMAIN_RIDS = [
  512, // Domain Admins
  517, // Cert Publishers
  518, // Schema Admins
  519, // Enterprise Admins
  526, // Key Admins
  527, // Enterprise Key Admins
] as const;

/**
 * sAMAccountType (MS-SAMR 2.2.1.9), which AD's SAM keeps on every user-class object from its
 * userAccountControl: a user, a machine (computers, DCs, managed service accounts) or a trust account.
 * Indexed on AD and Samba, so a search can take the users and the machines apart.
 */
export const SAM_ACCOUNT_TYPE = {
  USER: 0x30000000,
  MACHINE: 0x30000001,
  TRUST: 0x30000002,
} as const;

export const RID = {
  ADMINISTRATOR: 500,
  KRBTGT: 502,
  DOMAIN_ADMINS: 512,
  DOMAIN_CONTROLLERS: 516,
  READONLY_DOMAIN_CONTROLLERS: 521,
  PROTECTED_USERS: 525,
} as const;

/** The service class Hyper-V registers for live migration, and the SMB one it needs for storage. */
export const MIGRATION_SERVICE_CLASS = 'Microsoft Virtual System Migration Service';
/** MIGRATION_SERVICE_CLASS lower-cased, as SPN service classes are compared. */
export const MIGRATION_CLASS_KEY = MIGRATION_SERVICE_CLASS.toLowerCase();
export const CIFS_SERVICE_CLASS = 'cifs';

/** The `--services` names and the SPN service classes they stand for. */
export const SERVICE_CLASSES = {
  migration: MIGRATION_SERVICE_CLASS,
  cifs: CIFS_SERVICE_CLASS,
} as const;

export type ServiceName = keyof typeof SERVICE_CLASSES;
