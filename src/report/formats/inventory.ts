/**
 * The delegation inventory's formats: a terminal table, JSON, and CSV whose first five columns are
 * impacket findDelegation's (AccountName, AccountType, DelegationType, DelegationRightsTo, SPN Exists),
 * so that existing spreadsheets and scripts keep working, followed by ours.
 */
import type { DelegationType, InventoryRow } from '../../directory/delegations.js';
import type { InventoryReport } from '../inventory-schema.js';
import { fixHtml, htmlPage } from './audit-html.js';
import { markdownTable } from './audit-markdown.js';
import { accountCount } from '../../directory/delegations.js';
import { INVENTORY_HEAD, inventoryCells, inventoryRowsHtml } from './inventory-cells.js';
import { joinWithin, whereRead, yesNo } from './words.js';
import { wrapCommands } from '../../text/wrap.js';
import { displayWidth, plainTable } from './plain-table.js';
import { csvField, escapeHtml, escapeMarkdown, terminalSafe } from '../../text/quote.js';

/** findDelegation's words for our delegation types. */
const FIND_DELEGATION_TYPE: Record<DelegationType, string> = {
  unconstrained: 'Unconstrained',
  constrained: 'Constrained',
  'constrained-protocol-transition': 'Constrained w/ Protocol Transition',
  'resource-based': 'Resource-Based Constrained',
};

const KIND_LABEL: Record<InventoryRow['kind'], string> = {
  user: 'Person',
  inetOrgPerson: 'Person',
  computer: 'Computer',
  gmsa: 'ms-DS-Group-Managed-Service-Account',
  msa: 'ms-DS-Managed-Service-Account',
};

export const INVENTORY_CSV_COLUMNS = [
  'AccountName',
  'AccountType',
  'DelegationType',
  'DelegationRightsTo',
  'SPN Exists',
  'account_dn',
  'account_kind',
  'enabled',
  'sensitive',
  'privileged',
  'domain_controller',
  'delegation',
  'target_account',
  'target_sid',
  'target_exists',
  'expected',
] as const;

/** findDelegation's "SPN Exists": Yes/No (and N/A for unconstrained); ours adds `unknown`. */
function spnExists(row: InventoryRow): string {
  return row.targetExists === 'n/a' ? 'N/A' : row.targetExists === 'yes' ? 'Yes' : row.targetExists === 'no' ? 'No' : 'Unknown';
}

/** Rows per piece of the streamed JSON and CSV: a few hundred kilobytes each. */
const ROWS_PER_PIECE = 500;

/** The CSV, as pieces of ROWS_PER_PIECE rows: the inventory can run to hundreds of thousands of rows. */
export function* inventoryCsvPieces(report: InventoryReport): Generator<string> {
  const line = (cells: readonly string[]): string => `${cells.map(csvField).join(',')}\r\n`;
  let piece = line(INVENTORY_CSV_COLUMNS);
  for (const [i, r] of report.rows.entries()) {
    piece += line([
      r.sAMAccountName,
      KIND_LABEL[r.kind],
      FIND_DELEGATION_TYPE[r.delegation],
      r.delegation === 'unconstrained' ? 'N/A' : r.target,
      spnExists(r),
      r.dn,
      r.kind,
      yesNo(r.enabled),
      yesNo(r.sensitive),
      yesNo(r.privileged),
      yesNo(r.isDomainController),
      r.delegation,
      r.targetAccount ?? '',
      r.targetSid ?? '',
      r.targetExists,
      yesNo(r.expected),
    ]);
    if ((i + 1) % ROWS_PER_PIECE === 0) {
      yield piece;
      piece = '';
    }
  }
  yield piece;
}

export function formatInventoryCsv(report: InventoryReport): string {
  return [...inventoryCsvPieces(report)].join('');
}

/**
 * Rows as JSON.stringify(report, null, 2) writes them inside the report's `rows`, joined by commas,
 * without the first row's indent (the frame has it): one native JSON.stringify of the rows, its lines
 * indented two spaces more (a newline inside a value is escaped, so every newline is the layout's).
 * Building each row key by key in JavaScript took 110 ms of the large inventory's 16 MB; this, about 55 (profiled).
 */
function rowsJson(rows: readonly InventoryRow[]): string {
  const text = JSON.stringify(rows, null, 2);
  // "[\n  {…},\n  {…}\n]": the rows between the brackets, then two spaces more on every line.
  return text.slice(4, -2).replace(/\n/g, '\n  ');
}

/** Stands in for the rows while the rest of the report is stringified: a string JSON cannot otherwise contain. */
const ROWS_MARK = '\u0000rows\u0000';

/**
 * The JSON, as pieces: exactly `JSON.stringify(report, null, 2)` and a newline, but the rows are
 * stringified ROWS_PER_PIECE at a time, so no string holds the whole report (64 MB for 115,000 rows).
 */
export function* inventoryJsonPieces(report: InventoryReport): Generator<string> {
  const { rows } = report;
  if (rows.length === 0) {
    yield `${JSON.stringify(report, null, 2)}\n`;
    return;
  }
  const frame = JSON.stringify({ ...report, rows: [ROWS_MARK] }, null, 2);
  const mark = frame.indexOf(JSON.stringify(ROWS_MARK));

  let piece = frame.slice(0, mark);
  for (let i = 0; i < rows.length; i += ROWS_PER_PIECE) {
    piece += `${i === 0 ? '' : ',\n    '}${rowsJson(rows.slice(i, i + ROWS_PER_PIECE))}`;
    if (i + ROWS_PER_PIECE <= rows.length) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}${frame.slice(mark + JSON.stringify(ROWS_MARK).length)}\n`;
}

/**
 * The rows as a terminal table, one line per row (the inventory can run to tens of thousands of rows: not
 * cli-table3, see plain-table.ts); where that table would be wider than `width`, one block per row: the
 * account, its delegation and target on the first line, the other columns below, each line within the width.
 */
export function inventoryRowsTable(rows: readonly InventoryRow[], width = Number.POSITIVE_INFINITY): string {
  if (rows.length === 0) return 'No delegation found.';
  const cells = rows.map((r) => inventoryCells(r, terminalSafe));
  const table = plainTable(INVENTORY_HEAD, cells);
  if (displayWidth(table.split('\n', 1)[0]!) <= width) return table;
  const [account, delegation, target] = ['account', 'delegation', 'target'].map((column) => INVENTORY_HEAD.indexOf(column));
  const others = INVENTORY_HEAD.map((head, i) => ({ head, i })).filter(({ i }) => i !== account && i !== delegation && i !== target);
  return cells
    .map((row) => {
      const first = wrapCommands(`${row[account!]}: ${row[delegation!]} → ${row[target!]}`, width);
      const rest = joinWithin(
        others.map(({ head, i }) => `${head} ${row[i]}`),
        ' · ',
        width - 2,
      );
      return `${first}\n${indent(rest)}`;
    })
    .join('\n');
}

const indent = (text: string): string => text.replace(/^/gm, '  ');

/** "29 delegations on 7 accounts" */
export function inventoryCount(rows: readonly InventoryRow[]): string {
  return `${rows.length} delegation${rows.length === 1 ? '' : 's'} on ${accountCount(rows)} accounts`;
}

export function formatInventoryTable(report: InventoryReport, options?: { width?: number }): string {
  const width = Math.max(80, options?.width ?? 120);
  const out: string[] = [`Delegation inventory of ${terminalSafe(report.directory.dnsDomain)}: ${inventoryCount(report.rows)}`, ''];
  out.push(inventoryRowsTable(report.rows, width), '');
  if (report.findings.length === 0) {
    out.push('Findings: none');
  } else {
    out.push('Findings:');
    for (const f of report.findings) {
      out.push(
        indent(wrapCommands(`${f.severity.toUpperCase()} ${f.rule} ${f.name}: ${terminalSafe(f.message)}`, width - 2)),
        indent(indent(wrapCommands(`fix: ${terminalSafe(f.remediation)}`, width - 4))),
      );
    }
  }
  for (const w of report.warnings) out.push(wrapCommands(`warning: ${terminalSafe(w)}`, width));
  return `${out.join('\n')}\n`;
}

/** GitHub/GitLab Markdown: the rows, then the findings; directory data escaped as in the audit's Markdown. */
export function formatInventoryMarkdown(report: InventoryReport): string {
  const md = (value: string): string => escapeMarkdown(value);
  const out = [`# Delegation inventory of ${md(report.directory.dnsDomain)}`, '', `${inventoryCount(report.rows)}.`, ''];
  out.push(
    ...markdownTable(
      INVENTORY_HEAD,
      report.rows.map((r) => inventoryCells(r, md)),
    ),
  );
  out.push('', '## Findings', '');
  if (report.findings.length === 0) out.push('None.');
  for (const f of report.findings) out.push(`- **${f.severity}** ${f.rule} ${f.name}: ${md(f.message)}`, `  - fix: ${md(f.remediation)}`);
  return `${out.join('\n')}\n`;
}

/** One self-contained page: the findings, then every delegation row; all directory text escaped. */
export function formatInventoryHtml(report: InventoryReport): string {
  const h = escapeHtml;
  const out = [
    '<header>',
    `<h1>Delegation inventory: ${h(report.directory.dnsDomain)}</h1>`,
    `<p class="meta">${h(whereRead(report.directory))} · ${h(report.directory.baseDN)} · generated ${h(report.generatedAt)} by ${h(report.tool.name)} ${h(report.tool.version)}</p>`,
    `<p>${inventoryCount(report.rows)}.</p>`,
    '</header>',
  ];
  if (report.warnings.length > 0) out.push('<ul class="warnings">', ...report.warnings.map((w) => `<li>${h(w)}</li>`), '</ul>');
  out.push(`<h2>Findings (${report.findings.length})</h2>`);
  if (report.findings.length === 0) out.push('<p>None.</p>');
  else {
    out.push('<table class="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Subject</th><th>Finding</th><th>Remediation</th></tr></thead><tbody>');
    for (const f of report.findings) {
      out.push(
        `<tr><td><span class="sev ${f.severity}">${f.severity}</span></td><td><strong>${h(f.rule)}</strong> ${h(f.name)}</td><td>${h(f.subject.sAMAccountName)}</td><td>${h(f.message)}</td><td class="fix">${fixHtml(f.remediation)}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  out.push(
    `<h2>Delegations (${report.rows.length})</h2>`,
    ...inventoryRowsHtml(report.rows, h),
    '<footer>Read-only inventory of Kerberos delegation.</footer>',
  );
  return htmlPage(`Delegation inventory: ${report.directory.dnsDomain}`, out);
}
