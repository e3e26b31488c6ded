/**
 * The default, human format: summary, a host × host matrix per migration group, the findings by
 * severity with their remediation, and the privileged accounts with gaps.
 */
import { styleText } from 'node:util';
import { findRule } from '../../rules/index.js';
import type { Severity } from '../../rules/rule.js';
import { inventoryCount, inventoryRowsTable } from './inventory.js';
import { groupMatrix, type MatrixCell, rbcdNotes, STATE_WORDS } from './matrix.js';
import { probeResultsTable, probeSummary } from './probe-table.js';
import type { Report } from '../schema.js';
import { withoutDollar } from '../../text/names.js';
import { terminalSafe } from '../../text/quote.js';
import { joinWithin, MATRIX_MAX_HOSTS, rulesRan, whereRead, yesNo } from './words.js';
import { wrapCommands } from '../../text/wrap.js';
import { fillingWidths, newTable } from './boxed-table.js';

export interface TextReportOptions {
  /** ANSI colours. Default: false (the CLI turns them on for a TTY without NO_COLOR). */
  color?: boolean;
  /** Terminal width in columns. Default: 120. */
  width?: number;
}

type Style = Parameters<typeof styleText>[0];

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: ['bold', 'red'],
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'gray',
};

function cellText(cell: MatrixCell): string {
  switch (cell.status) {
    case 'self':
      return '·';
    case 'disabled':
      return 'off';
    case 'ok':
      return `✓${cell.rbcd ? ' R' : ''}${cell.unconstrained ? ' U' : ''}`;
    case 'kerberos-only':
      return cell.unconstrained ? 'K U' : 'K';
    case 'missing':
      return `${cell.kerberosOnly ? 'K ' : ''}${cell.empty ? STATE_WORDS.empty : `${STATE_WORDS.missing} ${cell.missing.join(', ')}`}${cell.unconstrained ? ' U' : ''}`;
  }
}

function cellStyle(cell: MatrixCell): Style | undefined {
  if (cell.status === 'ok' && !cell.unconstrained) return 'green';
  if (cell.status === 'missing' || cell.status === 'kerberos-only') return 'red';
  if (cell.unconstrained) return ['bold', 'red'];
  return undefined;
}

/** Long cells make cli-table3's wrapping quadratic and a terminal unreadable: the JSON report has it all. */
const MAX_CELL = 1200;

function cell(text: string): string {
  return text.length <= MAX_CELL ? text : `${text.slice(0, MAX_CELL)}… (${text.length - MAX_CELL} more characters: see --format json)`;
}

/** One row per finding, then its remediation across the table, wrapped between words only. */
function findingsTable(findings: Report['findings'], width: number, paint: (style: Style | undefined, text: string) => string): string {
  // Under 100 columns the rule's id goes under the severity and its name above the finding.
  const narrow = width < 100;
  const colWidths = narrow ? fillingWidths(width, [10, 16]) : fillingWidths(width, [10, 29, 16]);
  const table = newTable(narrow ? ['severity', 'subject', 'finding'] : ['severity', 'rule', 'subject', 'finding'], colWidths);
  // Inside the full-width row: the table's width less its two borders and a space of padding each side.
  const fixWidth = colWidths.reduce((a, b) => a + b, 0) + colWidths.length - 1 - 2;
  for (const f of findings) {
    const severity = paint(SEVERITY_STYLE[f.severity], f.severity);
    const subject = terminalSafe(f.subject.sAMAccountName);
    const message = cell(terminalSafe(f.message));
    table.push(narrow ? [`${severity}\n${f.rule}`, subject, `${f.name}:\n${message}`] : [severity, `${f.rule}\n${f.name}`, subject, message]);
    table.push([{ colSpan: colWidths.length, content: wrapCommands(`fix: ${cell(terminalSafe(f.remediation))}`, fixWidth) }]);
  }
  return table.toString();
}

export function formatTable(report: Report, options: TextReportOptions = {}): string {
  const paint = (style: Style | undefined, text: string): string => (options.color === true && style !== undefined ? styleText(style, text) : text);
  const width = Math.max(80, options.width ?? 120);
  const out: string[] = [];
  const { summary } = report;
  const counts = (['critical', 'high', 'medium', 'low', 'info'] as const)
    .map((s) => paint(summary.findings[s] > 0 ? SEVERITY_STYLE[s] : undefined, `${summary.findings[s]} ${s}`))
    .join(', ');
  const heading = `delegaudit ${report.tool.version}: ${terminalSafe(report.directory.dnsDomain)}`;
  const where = `(${terminalSafe(whereRead(report.directory))})`;
  // The DC and its URL go on a line of their own when both do not fit the width.
  out.push(paint('bold', heading.length + 1 + where.length <= width ? `${heading} ${where}` : `${heading}\n  ${where}`));
  out.push(
    `Hyper-V hosts: ${summary.hosts} in ${summary.groups} migration group${summary.groups === 1 ? '' : 's'}; privileged accounts: ${summary.privilegedAccounts}`,
  );
  out.push(`Findings: ${counts}`);
  const rules = rulesRan(summary.rules);
  if (rules !== undefined) out.push(rules);
  for (const warning of report.warnings) out.push(paint('yellow', wrapCommands(`warning: ${terminalSafe(warning)}`, width)));

  for (const group of report.groups) {
    const { hosts, cells } = groupMatrix(report, group.name);
    const heading = `Migration group "${terminalSafe(group.name)}" (${hosts.length} hosts): can the row host migrate to the column host?`;
    out.push('', paint('bold', wrapCommands(heading, width)));
    if (hosts.length <= MATRIX_MAX_HOSTS.terminal) {
      const names = hosts.map((h) => terminalSafe(withoutDollar(h.sAMAccountName)));
      const table = newTable(['from \\ to', ...names]);
      hosts.forEach((_, i) => table.push([names[i]!, ...cells[i]!.map((cell) => paint(cellStyle(cell), cellText(cell)))]));
      out.push(table.toString());
      const accepted = hosts.some((host) => (host.rbcdAccepted ?? []).length > 0);
      const legend = [
        `✓ ${STATE_WORDS.ok}`,
        `K ${STATE_WORDS.kerberosOnly} (needs protocol transition)`,
        `${STATE_WORDS.missing} …: those entries absent`,
        `${STATE_WORDS.empty}: ${STATE_WORDS.emptyDetail}`,
        `U ${STATE_WORDS.unconstrained}`,
        `off ${STATE_WORDS.disabled}`,
      ];
      if (accepted) legend.push(`R ${STATE_WORDS.rbcd}`);
      out.push(joinWithin(legend, '  ', width));
      out.push(...rbcdNotes(hosts).map((note) => wrapCommands(terminalSafe(note), width)));
    } else {
      const table = newTable(['host', 'protocol transition', 'missing entries', 'extra entries']);
      for (const h of hosts) table.push([terminalSafe(h.sAMAccountName), yesNo(h.protocolTransition), String(h.missing.length), String(h.extra.length)]);
      out.push(table.toString());
    }
  }

  out.push('', paint('bold', `Findings (${report.findings.length})`));
  out.push(report.findings.length === 0 ? 'none' : findingsTable(report.findings, width, paint));

  if (report.probe !== undefined) {
    out.push('', paint('bold', `Port probe: ${probeSummary(report)}`));
    const problems = probeResultsTable(report, true);
    if (problems !== '') out.push(problems);
  }

  // Gaps are the accounts the privileged-account rules reported: the reporter does not judge accounts itself.
  const flagged = new Set(report.findings.filter((f) => findRule(f.rule)?.concerns === 'privileged-accounts').map((f) => f.subject.dn));
  const gaps = report.privilegedAccounts.filter((p) => flagged.has(p.dn));
  out.push('', paint('bold', `Privileged accounts with gaps (${gaps.length} of ${report.privilegedAccounts.length})`));
  if (gaps.length > 0) {
    const table = newTable(
      ['account', 'sensitive flag', 'Protected Users', 'privileged through'],
      fillingWidths(width, width < 100 ? [20, 11, 11] : [22, 16, 17]),
    );
    for (const p of gaps) {
      table.push([
        terminalSafe(p.sAMAccountName),
        p.sensitive ? 'yes' : paint(p.protectedUsers ? undefined : 'red', 'no'),
        yesNo(p.protectedUsers),
        p.via.map(terminalSafe).join('\n'),
      ]);
    }
    out.push(table.toString());
  }
  if (report.delegations !== undefined) {
    out.push('', paint('bold', `Delegation inventory: ${inventoryCount(report.delegations)}`), inventoryRowsTable(report.delegations, width));
  }
  return `${out.join('\n')}\n`;
}
