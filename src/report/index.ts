/**
 * Reporters by name: `--format` picks one. Each turns the same report object into text.
 */
import type { Report } from './schema.js';
import { formatCsv } from './csv.js';
import { formatHtml } from './html.js';
import { formatMarkdown } from './markdown.js';
import { formatTable, type TextReportOptions } from './table.js';

export type Reporter = (report: Report, options?: TextReportOptions) => string;

export const REPORTERS = {
  table: formatTable,
  json: (report: Report) => `${JSON.stringify(report, null, 2)}\n`,
  html: formatHtml,
  markdown: formatMarkdown,
  csv: formatCsv,
} satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof REPORTERS;

export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];
