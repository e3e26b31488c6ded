/**
 * The JSON report, version 1: published as a zod schema so other tools (and `delegaudit diff`) can
 * validate what they read back.
 */
import { z } from 'zod';
import { DELEGATION_TYPES, type InventoryRow, TARGET_EXISTS } from '../directory/delegations.js';
import { ACCOUNT_KINDS } from '../directory/model.js';
import { PROBE_STATUSES } from '../directory/probe-result.js';
import { SEVERITIES } from '../rules/rule.js';
import { REPORT_SCHEMA_VERSION } from './schema-version.js';

const severity = z.enum(SEVERITIES);

export const findingSchema = z.object({
  rule: z.string(),
  name: z.string(),
  severity,
  category: z.enum(['migration', 'security']),
  subject: z.object({ dn: z.string(), sAMAccountName: z.string(), kind: z.string() }),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  remediation: z.string(),
});

export const hostSchema = z.object({
  dn: z.string(),
  sAMAccountName: z.string(),
  dnsHostName: z.string().nullable(),
  group: z.string(),
  enabled: z.boolean(),
  whenCreated: z.string().nullable(),
  protocolTransition: z.boolean(),
  unconstrained: z.boolean(),
  allowedToDelegateTo: z.array(z.string()),
  /** Required entries that are absent. */
  missing: z.array(z.string()),
  /** Present entries that no peer requires. */
  extra: z.array(z.string()),
  /** sAMAccountNames of the enabled peers this host is checked against. */
  peers: z.array(z.string()),
  /** How the host was found: its own migration SPN, a peer's delegation entry, or an explicit option. */
  source: z.enum(['spn', 'reference', 'explicit', 'ou', 'group']),
  protectedUsers: z.boolean(),
  /**
   * Peers that this host's resource-based delegation (msDS-AllowedToActOnBehalfOfOtherIdentity) lets
   * act on its behalf. Information only: Microsoft's live-migration documentation describes classic
   * constrained delegation, so RBCD does not satisfy HV001/HV002. Absent in reports of older versions.
   */
  rbcdFromPeers: z.array(z.string()).optional(),
  /**
   * Peers this host reaches through their resource-based delegation, counted in place of constrained
   * delegation entries because the audit ran with --accept-rbcd. Absent otherwise.
   */
  rbcdAccepted: z.array(z.string()).optional(),
});

export const privilegedAccountSchema = z.object({
  dn: z.string(),
  sAMAccountName: z.string(),
  objectClass: z.string(),
  enabled: z.boolean(),
  sensitive: z.boolean(),
  protectedUsers: z.boolean(),
  /** One chain per privileged group reached: the account's own group first, the privileged group last. */
  via: z.array(z.string()),
  /** The primary group, when primaryGroupID makes the account privileged (it never shows in `member`). */
  viaPrimaryGroup: z.string().nullable(),
});

const probeResultSchema = z.object({
  host: z.string(),
  dn: z.string(),
  target: z.string(),
  address: z.string().nullable(),
  port: z.number().int(),
  status: z.enum(PROBE_STATUSES),
  detail: z.string().nullable(),
});

/** Present only when the audit probed the hosts' live-migration port (`audit --probe`, `delegaudit probe`). */
const probeSchema = z.object({
  port: z.number().int(),
  timeoutMs: z.number().int(),
  results: z.array(probeResultSchema),
});

/** One delegation of one account (directory/delegations.ts): a row of `delegaudit inventory`, and of `audit --inventory`. */
const inventoryRowSchema = z.object({
  sAMAccountName: z.string(),
  dn: z.string(),
  kind: z.enum(ACCOUNT_KINDS),
  enabled: z.boolean(),
  sensitive: z.boolean(),
  privileged: z.boolean(),
  isDomainController: z.boolean(),
  delegation: z.enum(DELEGATION_TYPES),
  target: z.string(),
  targetSid: z.string().optional(),
  targetAccount: z.string().optional(),
  targetExists: z.enum(TARGET_EXISTS),
  expected: z.boolean(),
  targetIsDomainController: z.boolean(),
  targetIsKrbtgt: z.boolean(),
}) satisfies z.ZodType<InventoryRow>;

export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  generatedAt: z.string(),
  directory: z.object({ url: z.string(), dc: z.string().optional(), baseDN: z.string(), dnsDomain: z.string(), domainSid: z.string() }),
  summary: z.object({
    hosts: z.number().int(),
    groups: z.number().int(),
    privilegedAccounts: z.number().int(),
    findings: z.object({ critical: z.number().int(), high: z.number().int(), medium: z.number().int(), low: z.number().int(), info: z.number().int() }),
    /** The ids of the rules that ran (every rule unless --rules narrowed the run). Absent in reports built without them. */
    rules: z.array(z.string()).optional(),
  }),
  groups: z.array(z.object({ name: z.string(), hosts: z.array(z.string()) })),
  hosts: z.array(hostSchema),
  privilegedAccounts: z.array(privilegedAccountSchema),
  findings: z.array(findingSchema),
  warnings: z.array(z.string()),
  probe: probeSchema.optional(),
  /** Every delegation in the domain, when the audit ran with --inventory. */
  delegations: z.array(inventoryRowSchema).optional(),
  /** The DCs whose delegation attributes were compared (--compare-dcs), the one read first. */
  comparedDcs: z.array(z.object({ dc: z.string(), reachable: z.boolean(), error: z.string().optional() })).optional(),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportHost = z.infer<typeof hostSchema>;
export type ReportFinding = z.infer<typeof findingSchema>;
export type ReportPrivilegedAccount = z.infer<typeof privilegedAccountSchema>;
