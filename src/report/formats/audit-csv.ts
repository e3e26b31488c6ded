/**
 * The findings as CSV, one row per finding after a header line (RFC 4180: comma-separated, CRLF line
 * ends, fields with a comma, quote or line break in double quotes, quotes doubled). Spreadsheets run
 * a cell that starts with = + - @ (or a tab or carriage return) as a formula, so such cells get a
 * leading single quote: a name in the directory cannot become a formula on an auditor's machine.
 */
import { csvField } from '../../text/quote.js';
import type { Report } from '../schema.js';

export const CSV_COLUMNS = ['severity', 'rule', 'name', 'category', 'subject', 'subject_kind', 'subject_dn', 'message', 'remediation', 'details'] as const;

export function formatCsv(report: Report): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const f of report.findings) {
    rows.push([
      f.severity,
      f.rule,
      f.name,
      f.category,
      f.subject.sAMAccountName,
      f.subject.kind,
      f.subject.dn,
      f.message,
      f.remediation,
      JSON.stringify(f.details),
    ]);
  }
  return rows.map((cells) => cells.map(csvField).join(',')).join('\r\n') + '\r\n';
}
