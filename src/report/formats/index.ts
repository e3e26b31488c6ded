/**
 * Every `--format` of every command, in one registry: for each kind of output, its formats by name
 * (in the order `--help` lists them), each a function from the data to text. Commands ask this file
 * which formats they have and render through it; nothing else picks a renderer.
 */
import { ConfigError } from '../../errors.js';
import type { ReportDiff } from '../../diff/diff-reports.js';
import type { Explanation } from '../../explain/explain.js';
import type { FixPlan } from '../../fix/plan.js';
import type { DoctorReport } from '../doctor-schema.js';
import type { InventoryReport } from '../inventory-schema.js';
import type { Report } from '../schema.js';
import { formatCsv } from './audit-csv.js';
import { formatHtml } from './audit-html.js';
import { formatMarkdown } from './audit-markdown.js';
import { formatTable, type TextReportOptions } from './audit-table.js';
import { formatDiffTable } from './diff.js';
import { type DoctorTextOptions, formatDoctorText } from './doctor.js';
import { explanationJson, formatExplanation, formatList, listJson } from './explain.js';
import { formatInventoryHtml, formatInventoryMarkdown, formatInventoryTable, inventoryCsvPieces, inventoryJsonPieces } from './inventory.js';
import { formatPlanJson, formatPlanLdif, formatPlanPowerShell, formatPlanText } from './plan.js';
import { formatProbeTable } from './probe-table.js';
import { vmmsScript } from './vmms-script.js';

/** What `delegaudit explain` shows: one explanation, or the list of everything it knows. */
export type ExplainSubject = { kind: 'one'; explanation: Explanation } | { kind: 'list' };

/** For each kind of output: what it renders, and the options its renderers take. */
export interface Outputs {
  audit: { input: Report; options: TextReportOptions };
  inventory: { input: InventoryReport; options: { width?: number } | undefined };
  probe: { input: Report; options: undefined };
  plan: { input: FixPlan; options: { heading: string; width?: number } };
  diff: { input: ReportDiff; options: { names: { old: string; new: string }; width?: number } };
  explain: { input: ExplainSubject; options: { width: number } };
  doctor: { input: DoctorReport; options: DoctorTextOptions };
}

export type OutputKind = keyof Outputs;
/** A rendering: one string, or (for outputs that can run to tens of megabytes) its pieces in order, made as they are written. */
export type Rendered = string | Iterable<string>;
type Renderer<K extends OutputKind> = (input: Outputs[K]['input'], options: Outputs[K]['options']) => Rendered;
type Registry = { [K in OutputKind]: Record<string, Renderer<K>> };

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const FORMATS = {
  audit: { table: formatTable, json, html: formatHtml, markdown: formatMarkdown, csv: formatCsv },
  inventory: { table: formatInventoryTable, json: inventoryJsonPieces, csv: inventoryCsvPieces, markdown: formatInventoryMarkdown, html: formatInventoryHtml },
  probe: { table: formatProbeTable, powershell: vmmsScript, json, html: formatHtml, markdown: formatMarkdown, csv: formatCsv },
  plan: {
    text: (plan, { heading, width }) => formatPlanText(plan, heading, Math.max(80, width ?? 120)),
    json: formatPlanJson,
    ldif: formatPlanLdif,
    powershell: formatPlanPowerShell,
  },
  diff: { table: (diff, { names, width }) => formatDiffTable(diff, names, width), json },
  explain: {
    text: (subject, { width }) => (subject.kind === 'list' ? formatList(width) : formatExplanation(subject.explanation, width)),
    json: (subject) => json(subject.kind === 'list' ? listJson() : explanationJson(subject.explanation)),
  },
  doctor: {
    text: formatDoctorText,
    json: (report, { detail, advice }) => json({ ...report, checks: report.checks.map((c) => ({ ...c, detail: detail(c), wording: undefined })), advice }),
  },
} satisfies Registry;

export type FormatName<K extends OutputKind> = keyof (typeof FORMATS)[K] & string;

/** A kind's format names, in `--help` order (commander's `.choices`). */
export function formatNames<K extends OutputKind>(kind: K): Array<FormatName<K>> {
  return Object.keys(FORMATS[kind]) as Array<FormatName<K>>;
}

/** Whether `name` is one of the kind's formats; `format "x" is not one of …` (after `context`) when not. */
export function checkFormat<K extends OutputKind>(kind: K, name: string, context = ''): FormatName<K> {
  const names: readonly string[] = formatNames(kind);
  if (!names.includes(name)) throw new ConfigError(`${context}format ${JSON.stringify(name)} is not one of ${names.join(', ')}`);
  return name as FormatName<K>;
}

/** Renders `input` in one of its kind's formats, as pieces to write one after the other (see Rendered). */
export function renderPieces<K extends OutputKind>(kind: K, format: FormatName<K>, input: Outputs[K]['input'], options: Outputs[K]['options']): Rendered {
  const registry: Registry = FORMATS;
  const renderer = registry[kind][format];
  if (renderer === undefined) throw new ConfigError(`format ${JSON.stringify(format)} is not one of ${formatNames(kind).join(', ')}`);
  return renderer(input, options);
}

/** Renders `input` in one of its kind's formats, as one string. */
export function render<K extends OutputKind>(kind: K, format: FormatName<K>, input: Outputs[K]['input'], options: Outputs[K]['options']): string {
  const rendered = renderPieces(kind, format, input, options);
  return typeof rendered === 'string' ? rendered : [...rendered].join('');
}
