/**
 * delegaudit as a library: functions that return data. The CLI (src/cli) is one caller.
 */
import { buildAuditModel, type AuditModel, type AuditModelOptions } from './directory/audit-model.js';
import { readDirectory, type ReadDirectoryOptions } from './directory/read-directory.js';
import { ConfigError } from './errors.js';
import { type BindCredentials, type LdapConnectOptions, LdapSession, type SessionStats } from './ldap/connection.js';
import { buildReport } from './report/build-report.js';
import type { Report } from './report/schema.js';
import { findRule, RULES, runRules } from './rules/index.js';
import type { Rule } from './rules/rule.js';

export interface AuditOptions extends LdapConnectOptions, ReadDirectoryOptions, AuditModelOptions {
  credentials: BindCredentials;
  /** Rule ids or names to run. Default: all. */
  rules?: string[];
  /** Called with progress lines (never with secrets). Default: silent. */
  onProgress?: (line: string) => void;
}

export interface AuditResult {
  report: Report;
  model: AuditModel;
  /** LDAP searches and entries read, for the benchmark and the constant-search-count test. */
  stats: SessionStats;
}

export function selectRules(ids: readonly string[] | undefined): Rule[] {
  if (ids === undefined || ids.length === 0) return [...RULES];
  return ids.map((id) => {
    const rule = findRule(id);
    if (rule === undefined) throw new ConfigError(`--rules: unknown rule ${JSON.stringify(id)} (known: ${RULES.map((r) => r.id).join(', ')})`);
    return rule;
  });
}

/** Connects, reads the directory in a fixed number of searches, runs the rules and builds the report. */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const rules = selectRules(options.rules);
  const progress = options.onProgress ?? (() => undefined);
  progress(`connecting to ${options.url}${options.startTls ? ' (StartTLS)' : ''}`);
  const session = await LdapSession.open(options, options.credentials);
  try {
    const directory = await readDirectory(session, options);
    progress(`read ${session.stats.entries} entries in ${session.stats.searches} searches`);
    const model = buildAuditModel(directory, options);
    const findings = runRules(model, rules);
    return { report: buildReport(model, findings), model, stats: { ...session.stats } };
  } finally {
    await session.close();
  }
}

export { RULES, findRule } from './rules/index.js';
export type { Finding, Rule, Severity } from './rules/rule.js';
export { SEVERITIES } from './rules/rule.js';
export { reportSchema, REPORT_SCHEMA_VERSION, type Report } from './report/schema.js';
export { AuthError, ConfigError, ConnectionError, DirectoryReadError } from './errors.js';
export type { BindCredentials, LdapConnectOptions } from './ldap/connection.js';
