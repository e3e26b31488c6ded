/**
 * The port probe as a terminal table: one row per host, then what HV011 made of it. Used by
 * `delegaudit probe` and, for the hosts that did not answer, by the audit's table.
 */
import { newTable } from './boxed-table.js';
import HV011 from '../../rules/HV011-vmms-not-listening.js';
import type { Report } from '../schema.js';
import { terminalSafe } from '../../text/quote.js';

const STATUS_TEXT = {
  open: 'listening',
  refused: 'refused: nothing listens',
  timeout: 'timed out',
  unresolvable: 'name did not resolve',
  unreachable: 'unreachable',
  error: 'error',
} as const;

/** The probe results as a table; `onlyProblems` leaves out the hosts that answered. Empty when the report has no probe. */
export function probeResultsTable(report: Report, onlyProblems = false): string {
  if (report.probe === undefined) return '';
  const rows = report.probe.results.filter((r) => !onlyProblems || r.status !== 'open');
  if (rows.length === 0) return '';
  const table = newTable(['host', 'name', 'address', 'result', 'detail']);
  for (const r of rows) {
    table.push([
      terminalSafe(r.host),
      terminalSafe(r.target),
      r.address === null ? '-' : `${terminalSafe(r.address)}:${r.port}`,
      STATUS_TEXT[r.status],
      r.detail === null ? '' : terminalSafe(r.detail),
    ]);
  }
  return table.toString();
}

export function probeSummary(report: Report): string {
  if (report.probe === undefined) return 'no probe';
  const counts = new Map<string, number>();
  for (const r of report.probe.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${STATUS_TEXT[status as keyof typeof STATUS_TEXT]}`);
  return `TCP ${report.probe.port} on ${report.probe.results.length} host${report.probe.results.length === 1 ? '' : 's'} (timeout ${report.probe.timeoutMs} ms): ${parts.join(', ') || 'none'}`;
}

/** `delegaudit probe`'s table: the results, the HV011 findings with their fix, the warnings. */
export function formatProbeTable(report: Report): string {
  const out = [`delegaudit ${report.tool.version} probe: ${terminalSafe(report.directory.dnsDomain)}`, `Probe: ${probeSummary(report)}`];
  for (const warning of report.warnings) out.push(`warning: ${terminalSafe(warning)}`);
  const table = probeResultsTable(report);
  if (table !== '') out.push('', table);
  const findings = report.findings.filter((f) => f.rule === HV011.id);
  out.push('', `${HV011.id} ${HV011.name}: ${findings.length} host${findings.length === 1 ? '' : 's'}`);
  for (const f of findings) out.push(`- ${terminalSafe(f.message)}`, `  fix: ${terminalSafe(f.remediation)}`);
  return `${out.join('\n')}\n`;
}
