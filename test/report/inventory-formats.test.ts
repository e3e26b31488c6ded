import { expect } from 'chai';
import { buildInventoryReport } from '../../src/report/build-inventory-report.js';
import {
  formatInventoryCsv,
  formatInventoryHtml,
  formatInventoryMarkdown,
  formatInventoryTable,
  INVENTORY_CSV_COLUMNS,
  inventoryCsvPieces,
  inventoryJsonPieces,
} from '../../src/report/formats/inventory.js';
import { INVENTORY_RULES, runRules } from '../../src/rules/index.js';
import { buildReport } from '../../src/report/build-report.js';
import { formatHtml } from '../../src/report/formats/audit-html.js';
import { formatMarkdown } from '../../src/report/formats/audit-markdown.js';
import { reportSchema } from '../../src/report/schema.js';
import { formatTable } from '../../src/report/formats/audit-table.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import { parseCsv } from '../helpers/csv.js';
import { DirectoryBuilder } from '../helpers/directory-builder.js';

function model() {
  return new DirectoryBuilder()
    .computer('FS01', { spns: ['HOST/FS01'] })
    .user('=HYPERLINK("http://x")', { uac: UAC.NORMAL_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, delegateTo: ['cifs/FS01', 'cifs/a,b"c'] })
    .user('pipe|`tick`\nnewline', { delegateTo: ['cifs/FS01'] })
    .model();
}

function report() {
  const m = model();
  return buildInventoryReport(m, runRules(m, INVENTORY_RULES), new Date('2026-01-01T00:00:00Z'));
}

/** An audit report with the inventory in it, as `audit --inventory` makes it. */
function auditReport() {
  const m = model();
  const r = buildReport(m, runRules(m, INVENTORY_RULES), new Date('2026-01-01T00:00:00Z'));
  r.delegations = report().rows;
  return r;
}

/** The report with its rows repeated to `count` rows (0 to thousands), for the streamed formats. */
function reportWithRows(count: number) {
  const r = report();
  // Row 1's target holds a newline, quotes and non-ASCII: JSON escapes the first two, so every newline the pieces hold is the layout's.
  return {
    ...r,
    rows: Array.from({ length: count }, (_, i) => ({ ...r.rows[i % r.rows.length]!, target: i === 1 ? 'cifs/new\nline "q" \u00fc' : `cifs/host${i}` })),
  };
}

describe('inventory formats', () => {
  it('JSON and CSV stream in pieces of 500 rows, and the pieces are exactly the whole text', () => {
    for (const count of [0, 1, 499, 500, 501, 1234]) {
      const r = reportWithRows(count);
      const json = [...inventoryJsonPieces(r)];
      expect(json.join(''), `${count} rows`).to.equal(`${JSON.stringify(r, null, 2)}\n`);
      expect(json, `${count} rows`).to.have.length(count === 0 ? 1 : Math.floor(count / 500) + 1);
      const csv = [...inventoryCsvPieces(r)];
      expect(csv, `${count} rows`).to.have.length(Math.floor(count / 500) + 1);
      const [, ...lines] = parseCsv(csv.join(''));
      expect(lines.map((cells) => cells[3])).to.deep.equal(r.rows.map((row) => (row.delegation === 'unconstrained' ? 'N/A' : row.target)));
    }
  });

  it("CSV: findDelegation's columns first, RFC 4180 quoting, formulas neutralised", () => {
    const text = formatInventoryCsv(report());
    expect(text.endsWith('\r\n')).to.equal(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).to.deep.equal([...INVENTORY_CSV_COLUMNS]);
    const hostile = rows.filter((r) => r[0] === `'=HYPERLINK("http://x")`);
    expect(hostile.map((r) => [r[2], r[3], r[4]])).to.deep.equal([
      ['Unconstrained', 'N/A', 'N/A'],
      ['Constrained', 'cifs/a,b"c', 'Unknown'],
      ['Constrained', 'cifs/FS01', 'Yes'],
    ]);
  });

  it('HTML: one self-contained page, a row per delegation, names as text', () => {
    const page = formatInventoryHtml(report());
    expect(page).to.match(/^<!doctype html>/);
    expect(page).to.contain(`default-src 'none'`);
    expect(page).to.not.match(/<script|<link|src=/i);
    expect(page.match(/<tr><td>/g)).to.have.length(report().rows.length + report().findings.length);
    expect(page).to.contain('pipe|`tick`\\x0anewline');
    expect(page).to.contain('=HYPERLINK(&#34;http://x&#34;)');
    expect(page).to.contain('<span class="sev critical">critical</span></td><td><strong>DG001</strong>');
  });

  it('audit --inventory: the report carries the rows (valid against the published schema) and every format shows them as text', () => {
    const r = auditReport();
    expect(reportSchema.parse(JSON.parse(JSON.stringify(r))).delegations).to.have.length(report().rows.length);
    const html = formatHtml(r);
    expect(html).to.contain('<section id="delegations">');
    expect(html).to.contain(`<h2>Delegation inventory (${report().rows.length})</h2>`);
    expect(html).to.contain('pipe|`tick`\\x0anewline');
    expect(html).to.not.contain('HYPERLINK("');
    const md = formatMarkdown(r);
    expect(md).to.contain(`## Delegation inventory (${report().rows.length})`);
    expect(md).to.contain('pipe\\|\\`tick\\`');
    const table = formatTable(r);
    expect(table).to.contain(`Delegation inventory: ${report().rows.length} delegations on 2 accounts`);
    expect(table).not.to.contain('tick`\nnewline');
    // Without --inventory, none of it.
    const plain = { ...r, delegations: undefined };
    expect(formatHtml(plain)).to.not.contain('id="delegations"');
    expect(formatMarkdown(plain)).to.not.contain('Delegation inventory');
  });

  it('Markdown and the table show directory data literally', () => {
    const md = formatInventoryMarkdown(report());
    expect(md).to.contain('pipe\\|\\`tick\\`\\\\x0anewline');
    expect(md).to.contain('DG001 unconstrained-delegation');
    const table = formatInventoryTable(report());
    expect(table).to.contain('\\x0a');
    expect(table).not.to.contain('tick`\nnewline');
  });
});
