/**
 * delegaudit as a library: functions that return data. The CLI (src/cli) is one caller.
 */
import { buildAuditModel, type AuditModel, type AuditModelOptions } from './directory/audit-model.js';
import { readDirectory, type ReadDirectoryOptions } from './directory/read-directory.js';
import { ConfigError, ConnectionError, DirectoryReadError, setting, wording } from './errors.js';
import { isRetryableRead } from './ldap/errors.js';
import type { Directory } from './directory/model.js';
import { type BindCredentials, type LdapConnectOptions, LdapSession } from './ldap/session.js';
import type { SessionStats } from './ldap/search.js';
import { probeModel, type ProbeOptions } from './probe/probe-hosts.js';
import { buildReport } from './report/build-report.js';
import type { Report } from './report/schema.js';
import { DEFAULT_RULES, findRule, INVENTORY_RULES, RULES, runRules } from './rules/index.js';
import { buildInventoryReport } from './inventory/build-inventory-report.js';
import { buildInventory } from './directory/delegations.js';
import type { InventoryReport } from './report/inventory.js';
import type { Rule } from './rules/rule.js';
import { readAccountStates } from './fix/account-state.js';
import { type ApplyResult, applyPlan } from './fix/apply.js';
import { type JournalLine, JournalWriter, readJournal } from './fix/journal.js';
import { type FixPlan, planFix, type PlanOptions } from './fix/plan.js';
import { appliedIntents, planRollback } from './fix/rollback.js';

export interface AuditOptions extends LdapConnectOptions, ReadDirectoryOptions, AuditModelOptions {
  credentials: BindCredentials;
  /** Rule ids or names to run, or `all`. Default: every rule but the opt-in DG rules. */
  rules?: string[];
  /** Called with progress lines (never with secrets). Default: silent. */
  onProgress?: (line: string) => void;
  /** How often to read again, on a new connection, after busy (51), unavailable (52) or a dropped connection. Default 2. */
  retries?: number;
  /** Milliseconds before the first retry; doubles each time. Default 1000. */
  retryDelayMs?: number;
  /** Probe each host's live-migration port before the rules run (HV011 reads the results). Default: no probe. */
  probe?: ProbeOptions;
  /** Also list every delegation in the domain (report.delegations) and run the DG rules, as `delegaudit inventory` does. Default false. */
  inventory?: boolean;
}

export interface AuditResult {
  report: Report;
  model: AuditModel;
  /** LDAP searches and entries read, for the benchmark and the constant-search-count test. */
  stats: SessionStats;
}

export function selectRules(ids: readonly string[] | undefined): Rule[] {
  if (ids === undefined || ids.length === 0) return [...DEFAULT_RULES];
  if (ids.some((id) => id.toLowerCase() === 'all')) return [...RULES];
  return ids.map((id) => {
    const rule = findRule(id);
    if (rule === undefined) throw new ConfigError(wording`${setting('rules')}: unknown rule ${JSON.stringify(id)} (known: ${RULES.map((r) => r.id).join(', ')})`);
    return rule;
  });
}

/** Connects, reads the directory in a fixed number of searches, runs the rules and builds the report. */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const selected = selectRules(options.rules);
  const rules = options.inventory === true ? [...selected, ...INVENTORY_RULES.filter((rule) => !selected.includes(rule))] : selected;
  const progress = options.onProgress ?? (() => undefined);
  // The DG rules need every delegation target looked up: only then does the read include them.
  const delegationTargets = options.delegationTargets ?? rules.some((rule) => rule.optIn === true);
  const { directory, stats } = await readWithRetries({ ...options, delegationTargets }, progress);
  const read = buildAuditModel(directory, options);
  const model = options.probe === undefined ? read : await probeModel(read, options.probe, progress);
  const findings = runRules(model, rules);
  const report = buildReport(model, findings);
  if (options.inventory === true) report.delegations = buildInventory(model).rows;
  return { report, model, stats };
}

export type InventoryOptions = Omit<AuditOptions, 'rules' | 'probe'>;

export interface InventoryResult {
  inventory: InventoryReport;
  model: AuditModel;
  stats: SessionStats;
}

/**
 * Every delegation in the directory read (one row per account and delegation) and the DG rules'
 * findings, from the same fixed searches as audit().
 */
export async function inventory(options: InventoryOptions): Promise<InventoryResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { directory, stats } = await readWithRetries({ ...options, delegationTargets: true }, progress);
  const model = buildAuditModel(directory, options);
  const findings = runRules(model, INVENTORY_RULES);
  return { inventory: buildInventoryReport(model, findings), model, stats };
}

/**
 * Reads the whole directory on one connection. A read that fails because the DC is busy (51),
 * unavailable (52) or dropped the connection is started again on a new connection, up to `retries`
 * times with doubling delays; anything else, or the last failure, is a DirectoryReadError that says
 * what was not read. There is never a partial result.
 */
async function readWithRetries(options: AuditOptions, progress: (line: string) => void): Promise<{ directory: Directory; stats: SessionStats }> {
  const retries = options.retries ?? 2;
  let delay = options.retryDelayMs ?? 1000;
  for (let attempt = 1; ; attempt += 1) {
    progress(`connecting to ${options.url}${options.startTls ? ' (StartTLS)' : ''}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    const session = await LdapSession.open(options, options.credentials);
    try {
      const directory = await readDirectory(session, options);
      progress(`read ${session.stats.entries} entries in ${session.stats.searches} searches`);
      return { directory, stats: { ...session.stats } };
    } catch (error) {
      if (isRetryableRead(error) && attempt <= retries) {
        progress(`${(error as Error).message}; reading again in ${delay} ms on a new connection`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
        continue;
      }
      if (error instanceof DirectoryReadError || error instanceof ConnectionError) {
        const tries = attempt > 1 ? ` (gave up after ${attempt} attempts)` : '';
        throw new DirectoryReadError(wording`directory read incomplete: ${error}${tries}; no report was produced`, { cause: error });
      }
      throw error;
    } finally {
      await session.close();
    }
  }
}

export interface FixOptions extends AuditOptions, PlanOptions {}

/** Audits, then turns the findings into a plan of modifications. Writes nothing. */
export async function planFixFor(options: FixOptions): Promise<{ before: AuditResult; plan: FixPlan }> {
  const before = await audit(options);
  return { before, plan: planFix(before.model, before.report.findings, options) };
}

export interface WriteOptions extends LdapConnectOptions {
  credentials: BindCredentials;
  /** Where to journal (created 0600; must not exist). */
  journal: string;
  /** Checked before each account; true stops after the modify in flight. Default: never. */
  shouldStop?: () => boolean;
  onProgress?: (line: string) => void;
}

/** Applies a plan with one modify per account, journaled before and after each. */
export async function applyFix(plan: FixPlan, options: WriteOptions & { operation?: 'fix' | 'rollback'; undoes?: string }): Promise<ApplyResult> {
  const journal = JournalWriter.create(options.journal);
  try {
    const session = await LdapSession.open(options, options.credentials);
    try {
      return await applyPlan(session, plan, {
        journal,
        operation: options.operation ?? 'fix',
        ...(options.undoes === undefined ? {} : { undoes: options.undoes }),
        ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } finally {
      await session.close();
    }
  } finally {
    journal.close();
  }
}

/** Reads a journal and plans what restores the accounts it changed, against their current state. Writes nothing. */
export async function planRollbackFor(journalPath: string, options: LdapConnectOptions & { credentials: BindCredentials }): Promise<FixPlan> {
  const lines = readJournal(journalPath);
  const session = await LdapSession.open(options, options.credentials);
  try {
    const begin = lines[0] as Extract<JournalLine, { type: 'begin' }>;
    const dns = [...new Set(appliedIntents(lines).map((i) => i.dn))];
    const states = await readAccountStates(session, begin.baseDN, dns);
    return planRollback(lines, states);
  } finally {
    await session.close();
  }
}

export { RULES, findRule } from './rules/index.js';
export type { FixPlan, PlannedChange, PlanOptions } from './fix/plan.js';
export { planFix } from './fix/plan.js';
export type { ApplyResult, AccountOutcome } from './fix/apply.js';
export { readJournal } from './fix/journal.js';
export type { Finding, Rule, Severity } from './rules/rule.js';
export { SEVERITIES } from './rules/rule.js';
export { reportSchema, REPORT_SCHEMA_VERSION, type Report } from './report/schema.js';
export { AuthError, ConfigError, ConnectionError, DirectoryReadError } from './errors.js';
export type { BindCredentials, LdapConnectOptions } from './ldap/session.js';
export { probeHosts, probeTargets, type ProbeOptions, type ProbeTarget, type ResolveOverride } from './probe/probe-hosts.js';
export type { ProbeReport, ProbeResult, ProbeStatus } from './directory/probe-result.js';
export { diffReports, type ReportDiff } from './diff/diff-reports.js';
export { readReportFile } from './diff/read-report.js';
export type { InventoryReport } from './report/inventory.js';
export type { DelegationType, InventoryRow, TargetExists } from './directory/delegations.js';
export { INVENTORY_REPORTERS, INVENTORY_FORMATS } from './report/inventory.js';
