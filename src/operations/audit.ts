/**
 * audit() and inventory(): read the directory in a fixed number of searches, build the model, run
 * the rules, build the report. They return data; the CLI is one caller.
 */
import { buildAuditModel, type AuditModel, type AuditModelOptions } from '../directory/audit-model.js';
import { buildInventory } from '../directory/delegations.js';
import type { SessionStats } from '../ldap/search.js';
import { probeModel, type ProbeOptions } from '../probe/probe-hosts.js';
import { buildInventoryReport } from '../report/build-inventory-report.js';
import { buildReport } from '../report/build-report.js';
import type { InventoryReport } from '../report/inventory-schema.js';
import type { Report } from '../report/schema.js';
import { INVENTORY_RULES, runRules } from '../rules/index.js';
import { compareDcs } from './compare-dcs.js';
import { readWithRetries, type ReadOptions } from './read-with-retries.js';
import { selectRules } from './select-rules.js';

export interface AuditOptions extends ReadOptions, AuditModelOptions {
  /** Rule ids or names to run, or `all`. Default: every rule. */
  rules?: string[];
  /** Called with progress lines (never with secrets). Default: silent. */
  onProgress?: (line: string) => void;
  /** Probe each host's live-migration port before the rules run (HV011 reads the results). Default: no probe. */
  probe?: ProbeOptions;
  /** Also list every delegation in the domain (report.delegations) and run the DG rules, as `delegaudit inventory` does. Default false. */
  inventory?: boolean;
  /** Also read the delegation attributes on every other DC of the domain (one search each) and report where they disagree (DG006). Default false. */
  compareDcs?: boolean;
}

export interface AuditResult {
  report: Report;
  model: AuditModel;
  /** LDAP searches and entries read, for the benchmark and the constant-search-count test. */
  stats: SessionStats;
}

/** Connects, reads the directory in a fixed number of searches, runs the rules and builds the report. */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const selected = selectRules(options.rules);
  const rules = options.inventory === true ? [...selected, ...INVENTORY_RULES.filter((rule) => !selected.includes(rule))] : selected;
  const progress = options.onProgress ?? (() => undefined);
  // The DG rules need every delegation target looked up: only then does the read include them.
  const delegationTargets = options.delegationTargets ?? rules.some((rule) => rule.readsDelegationTargets === true);
  const { directory, stats } = await readWithRetries({ ...options, delegationTargets }, progress);
  const built = buildAuditModel(directory, options);
  const read =
    options.compareDcs === true
      ? { ...built, dcComparison: await compareDcs(directory, { connect: options, credentials: options.credentials, onProgress: progress }) }
      : built;
  for (const dc of read.dcComparison?.dcs ?? []) if (!dc.reachable) read.warnings.push(`${dc.dc} was not compared: ${dc.error ?? 'unreachable'}`);
  const model = options.probe === undefined ? read : await probeModel(read, options.probe, progress);
  const findings = runRules(model, rules);
  const report = buildReport(model, findings, new Date(), rules);
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
