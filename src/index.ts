/**
 * delegaudit as a library: functions that return data. The CLI (src/cli) is one caller. The
 * orchestration lives in src/operations/; this file only chooses what is public.
 */
export { audit, inventory, type AuditOptions, type AuditResult, type InventoryOptions, type InventoryResult } from './operations/audit.js';
export { applyFix, planFixFor, readDcOf, writeTarget, type FixOptions, type WriteOptions } from './operations/fix.js';
export { allConverged, verifyReplication, type DcReplication, type VerifyOptions } from './fix/verify-replication.js';
export { endpointsOf, locateDomainControllers, orderSrv, srvName, type DcEndpoint, type SrvTarget } from './ldap/dc-locator.js';
export { planRollbackFor } from './operations/rollback.js';
export { selectRules } from './operations/select-rules.js';
export { failsOn } from './operations/fail-on.js';
export { doctor, type DoctorOptions } from './operations/doctor.js';
export { RULES, findRule } from './rules/index.js';
export type { FixPlan, PlannedChange, PlanOptions } from './fix/plan.js';
export { planFix } from './fix/plan.js';
export type { ApplyResult, AccountOutcome } from './fix/apply.js';
export { readJournal } from './fix/journal.js';
export type { Finding, Rule, Severity } from './rules/rule.js';
export { SEVERITIES } from './rules/rule.js';
export { reportSchema, type Report } from './report/schema.js';
export { REPORT_SCHEMA_VERSION } from './report/schema-version.js';
export { AuthError, ConfigError, ConnectionError, DirectoryReadError } from './errors.js';
export type { BindCredentials, LdapConnectOptions } from './ldap/session.js';
export { probeHosts, probeTargets, type ProbeOptions, type ProbeTarget, type ResolveOverride } from './probe/probe-hosts.js';
export type { ProbeReport, ProbeResult, ProbeStatus } from './directory/probe-result.js';
export { diffReports, type ReportDiff } from './diff/diff-reports.js';
export { readReportFile } from './diff/read-report.js';
export type { InventoryReport } from './report/inventory-schema.js';
export type { DelegationType, InventoryRow, TargetExists } from './directory/delegations.js';
export { checkFormat, formatNames, render, type FormatName, type OutputKind, type Outputs } from './report/formats/index.js';
