import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../mock-ldap/project-root.js';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { audit } from '../../src/index.js';
import { CSV_COLUMNS, formatCsv } from '../../src/report/formats/audit-csv.js';
import { csvField, escapeHtml, escapeMarkdown } from '../../src/text/quote.js';
import { formatHtml } from '../../src/report/formats/audit-html.js';
import { formatNames, render } from '../../src/report/formats/index.js';

const REPORT_FORMATS = formatNames('audit');
import { formatMarkdown } from '../../src/report/formats/audit-markdown.js';
import type { Report } from '../../src/report/schema.js';
import { parseCsv } from '../helpers/csv.js';
import { HOSTILE, hostileLabEntries } from '../helpers/hostile-lab.js';
import { forEachTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';
import { LAB_FINDINGS } from '../helpers/lab-findings.js';

const auditOf = async (t: Pick<Target, 'url' | 'caFile' | 'servername' | 'admin'>): Promise<Report> =>
  (await audit({ url: t.url, caFile: t.caFile, tlsServername: t.servername, credentials: { user: t.admin.upn, password: t.admin.password } })).report;

/** The cells of a Markdown table row, split at unescaped pipes. */
function markdownCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (ch === '\\') {
      cell += ch + (line[i + 1] ?? '');
      i += 1;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell.trim());
  return cells.slice(1, -1);
}

/** Every Markdown table as rows of cells; throws when a row's cell count differs from its header's. */
function markdownTables(text: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      current = undefined;
      continue;
    }
    const cells = markdownCells(line);
    if (current === undefined) tables.push((current = []));
    else if (cells.length !== current[0]!.length) throw new Error(`a row with ${cells.length} cells under a header of ${current[0]!.length}: ${line}`);
    current.push(cells);
  }
  return tables;
}

/** The rows of the HTML table with this class, as text cells (tags stripped, entities kept). */
function htmlRows(html: string, tableClass: string): string[][] {
  const table = new RegExp(`<table class="${tableClass}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
      c[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

describe('report formats', () => {
  it('registers html, markdown and csv next to table and json', () => {
    expect(REPORT_FORMATS).to.deep.equal(['table', 'json', 'html', 'markdown', 'csv']);
  });

  describe('escapeHtml', () => {
    const cases: Array<[string, string]> = [
      ['<img src=x onerror=alert(1)>', '&#60;img src=x onerror=alert(1)&#62;'],
      [`a&b "c" 'd'`, 'a&#38;b &#34;c&#34; &#39;d&#39;'],
      ['line\nbreak\u001b[31m', 'line\\x0abreak\\x1b[31m'],
      ['HV01', 'HV01'],
    ];
    for (const [input, expected] of cases) it(`escapes ${JSON.stringify(input)}`, () => expect(escapeHtml(input)).to.equal(expected));
  });

  describe('escapeMarkdown', () => {
    const cases: Array<[string, boolean, string]> = [
      ['a|b', false, 'a\\|b'],
      ['`code`', false, '\\`code\\`'],
      ['**bold** _em_ ~~s~~', false, '\\*\\*bold\\*\\* \\_em\\_ \\~\\~s\\~\\~'],
      ['[x](http://e) ![i](y)', false, '\\[x\\](http://e) \\!\\[i\\](y)'],
      ['<b>&amp;</b>', false, '\\<b\\>\\&amp;\\</b\\>'],
      ['two\nlines\r', false, 'two\\\\x0alines\\\\x0d'],
      ['back\\slash', false, 'back\\\\slash'],
      ['@admins and #12', false, '@\u200badmins and \\#\u200b12'],
      ['a@b.example', false, 'a@\u200bb.example'],
      ['- item', true, '\\- item'],
      ['+ item', true, '\\+ item'],
      ['1. item', true, '1\\. item'],
      ['# heading', true, '\\# heading'],
      ['> quote', true, '\\> quote'],
      ['- not at a line start', false, '- not at a line start'],
      ['$x$', false, '\\$x\\$'],
    ];
    for (const [input, lineStart, expected] of cases) {
      it(`escapes ${JSON.stringify(input)}${lineStart ? ' at a line start' : ''}`, () => expect(escapeMarkdown(input, lineStart)).to.equal(expected));
    }
  });

  describe('csvField', () => {
    const cases: Array<[string, string]> = [
      ['plain', 'plain'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\r\nlines', '"two\r\nlines"'],
      ['=1+2', "'=1+2"],
      ['+cmd', "'+cmd"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tTAB', "'\tTAB"],
      ['\rCR', `"'\rCR"`],
      ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
      ['\uff1d1+2', "'\uff1d1+2"],
      ['a=b', 'a=b'],
    ];
    for (const [input, expected] of cases)
      it(`writes ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => expect(csvField(input)).to.equal(expected));
  });
});

forEachTarget('report formats of the lab', (label, target) => {
  let report: Report;
  before(async () => {
    report = await auditOf(target());
  });

  it(`[${label}] HTML: one self-contained page with no script and no external request`, () => {
    const html = formatHtml(report);
    expect(html).to.match(/^<!doctype html>\n<html lang="en">/);
    expect(html).to.contain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    );
    expect(html).to.not.match(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).to.not.match(/\s(src|href)=/i);
    expect(html).to.contain('@media print');
  });

  it(`[${label}] HTML: the matrix shows HV02's row as Kerberos only and HV03's row as empty`, () => {
    const rows = htmlRows(formatHtml(report), 'matrix');
    expect(rows).to.deep.equal([
      ['HV01', '—', 'ok', 'ok'],
      ['HV02', 'Kerberos only', '—', 'Kerberos only'],
      ['HV03', 'empty no delegation entries', 'empty no delegation entries', '—'],
    ]);
  });

  it(`[${label}] HTML: an executive summary first: what was checked, which rules ran, what to do first`, () => {
    const html = formatHtml(report);
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('</section>', html.indexOf('<section id="summary">')));
    expect(summary).to.contain('Checked 3 Hyper-V hosts in 1 migration group, 4 privileged accounts and the domain&#39;s delegation.');
    expect(summary).to.contain('Rules: all 21 (Hyper-V hosts, privileged accounts, every delegation)');
    const actions = [...summary.matchAll(/<li><span class="sev (\w+)">\w+<\/span> ([^<]+) <small>\((\w+);/g)].map((m) => [m[1], m[3], m[2]]);
    expect(actions).to.deep.equal([
      ['critical', 'DG001', 'Account is trusted for unconstrained delegation: APP01$'],
      ['critical', 'DG002', 'Constrained delegation targets a domain controller&#39;s service: svc-web'],
      ['critical', 'DG003', 'Delegation targets krbtgt, or resource-based delegation lets someone act on a domain controller: DC01$'],
      ['high', 'HV001', 'Constrained delegation is &#34;Kerberos only&#34;: HV02$'],
      ['high', 'HV003', 'Host has no delegation at all: HV03$'],
    ]);
    expect(html).to.match(/generated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC by/);
  });

  it(`[${label}] HTML: summary cards, findings by severity with remediation, privileged accounts`, () => {
    const html = formatHtml(report);
    expect(html).to.match(/<span class="n">3<\/span><span class="l">Hyper-V hosts<\/span>/);
    expect(html).to.match(/<span class="n">4<\/span><span class="l">high<\/span>/);
    expect(html).to.match(/<span class="n">3<\/span><span class="l">critical<\/span>/);
    const findings = htmlRows(html, 'findings');
    expect(findings.map((r) => [r[0], r[1]!.split(' ')[0], r[2]!.split(' ')[0]])).to.deep.equal([
      ['critical', 'DG001', 'APP01$'],
      ['critical', 'DG002', 'svc-web'],
      ['critical', 'DG003', 'DC01$'],
      ['high', 'HV001', 'HV02$'],
      ['high', 'HV003', 'HV03$'],
      ['high', 'PA001', 'admin.nested'],
      ['high', 'PA001', 'admin.primary'],
      ['medium', 'DG005', 'svc-web'],
      ['low', 'DG004', 'svc-web'],
    ]);
    expect(findings[3]![4]).to.contain('-TrustedToAuthForDelegation $true');
    // Words stay whole (wrapping only at spaces and after commas), and the cell's text is the remediation as it is.
    const unescape = (text: string): string =>
      text
        .replace(/&#39;/g, "'")
        .replace(/&#34;|&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const fixCells = [...html.matchAll(/<td class="fix">([\s\S]*?)<\/td>/g)].map((m) => unescape(m[1]!.replace(/<[^>]+>/g, '')));
    expect(fixCells).to.deep.equal(report.findings.map((f) => f.remediation));
    expect(html).to.contain('<td class="fix"><span class="w">');
    const privileged = htmlRows(html, 'privileged');
    expect(privileged.map((r) => [r[0]!.split(' ')[0], r[2], r[3], r[5]])).to.deep.equal([
      ['admin.nested', 'no', 'no', 'PA001'],
      ['admin.primary', 'no', 'no', 'PA001'],
      ['admin.protected', 'no', 'yes', '—'],
      ['Administrator', 'yes', 'no', '—'],
    ]);
    expect(privileged[0]![4]).to.equal('Tier0 Operators → Infrastructure Admins → Domain Admins');
  });

  it(`[${label}] Markdown: tables that stay tables, with the matrix, findings and privileged accounts`, () => {
    const md = formatMarkdown(report);
    const tables = markdownTables(md);
    const [summary, matrix, findings, privileged] = tables;
    expect(tables).to.have.length(4);
    expect(summary).to.deep.equal([
      ['Hyper-V hosts', 'Migration groups', 'Privileged accounts', 'Critical', 'High', 'Medium', 'Low', 'Info'],
      Array.from({ length: 8 }, () => '---:'),
      ['3', '1', '4', '3', '4', '1', '1', '0'],
    ]);
    expect(matrix).to.deep.equal([
      ['from \\\\ to', 'HV01', 'HV02', 'HV03'],
      ['---', '---', '---', '---'],
      ['**HV01**', '—', 'ok', 'ok'],
      ['**HV02**', '**Kerberos only**', '—', '**Kerberos only**'],
      ['**HV03**', '**empty** (no delegation entries)', '**empty** (no delegation entries)', '—'],
    ]);
    expect(findings!.slice(2).map((r) => [r[0], r[1]!.split(' ')[0], r[2]])).to.deep.equal([
      ['critical', 'DG001', 'APP01\\$'],
      ['critical', 'DG002', 'svc-web'],
      ['critical', 'DG003', 'DC01\\$'],
      ['high', 'HV001', 'HV02\\$'],
      ['high', 'HV003', 'HV03\\$'],
      ['high', 'PA001', 'admin.nested'],
      ['high', 'PA001', 'admin.primary'],
      ['medium', 'DG005', 'svc-web'],
      ['low', 'DG004', 'svc-web'],
    ]);
    expect(privileged!.slice(2).map((r) => r.slice(0, 4))).to.deep.equal([
      ['admin.nested', 'yes', 'no', 'no'],
      ['admin.primary', 'yes', 'no', 'no'],
      ['admin.protected', 'yes', 'no', 'yes'],
      ['Administrator', 'yes', 'yes', 'no'],
    ]);
  });

  it(`[${label}] CSV: a header, then one row per finding that parses back to the finding`, () => {
    const rows = parseCsv(formatCsv(report));
    expect(rows[0]).to.deep.equal([...CSV_COLUMNS]);
    expect(rows).to.have.length(report.findings.length + 1);
    rows.slice(1).forEach((row, i) => {
      const f = report.findings[i]!;
      expect(row).to.deep.equal([
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
    });
    expect(rows.slice(1).map((r) => `${r[1]} ${r[4]}`)).to.deep.equal(LAB_FINDINGS);
  });

  it(`[${label}] every format is built from the same report object`, () => {
    for (const format of REPORT_FORMATS) {
      const text = render('audit', format, report, {});
      for (const f of report.findings) expect(text, format).to.contain(f.rule);
    }
  });
});

describe('npm run demo -- --format html --output FILE', () => {
  it("writes the lab report whose matrix shows HV02's row as Kerberos only and HV03's row as empty", async () => {
    const dir = await tempDir('delegaudit-demo-');
    const file = join(dir, 'lab.html');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'scripts', 'demo.js'), '--format', 'html', '--output', file], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    expect(code, stderr).to.equal(0);
    const rows = htmlRows(await readFile(file, 'utf8'), 'matrix');
    expect(rows[1]).to.deep.equal(['HV02', 'Kerberos only', '—', 'Kerberos only']);
    expect(rows[2]).to.deep.equal(['HV03', 'empty no delegation entries', 'empty no delegation entries', '—']);
  });
});

describe('report formats of a directory with hostile names [mock]', () => {
  let mock: MockLdap;
  let report: Report;
  before(async () => {
    mock = await startMockLdap({ entries: hostileLabEntries() });
    report = await auditOf({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      servername: mock.servername,
      admin: { dn: '', upn: 'Administrator@corp.example.com', netbios: '', password: 'Lab-Admin-Passw0rd' },
    });
  });
  after(async () => {
    await mock.close();
  });

  it('reads the hostile names as they are (the test would prove nothing otherwise)', () => {
    const subjects = report.findings.map((f) => f.subject.sAMAccountName);
    for (const name of Object.values(HOSTILE)) expect(subjects).to.include(`${name}$`);
  });

  it('HTML: names are text, never markup', () => {
    const html = formatHtml(report);
    expect(html).to.not.contain('<img');
    expect(html).to.not.contain('"evil"');
    expect(html).to.contain('HV09&#60;img src=x onerror=document.body.dataset.pwned=1&#62;');
    expect(html).to.contain('=HYPERLINK(&#34;evil&#34;)');
    expect(html).to.contain('-HV11|`x` **b**\\x0a@admins #12');
  });

  it('Markdown: no row breaks, no live markup, no mentions', () => {
    const md = formatMarkdown(report);
    const tables = markdownTables(md);
    expect(tables.map((t) => t.length)).to.deep.equal([3, 8, 2 + report.findings.length, 2 + report.privilegedAccounts.length]);
    // <br> is the reporter's own line break inside a cell; nothing else may be markup.
    expect(md.replace(/<br>/g, '')).to.not.match(/(?<!\\)[`<>]/);
    expect(md).to.not.match(/@admins|#12/);
    expect(md).to.contain('HV09\\<img src=x onerror=document.body.dataset.pwned=1\\>');
    expect(md).to.contain('-HV11\\|\\`x\\` \\*\\*b\\*\\*\\\\x0a@\u200badmins \\#\u200b12');
  });

  it('CSV: parses back row for row, and no cell starts a formula', () => {
    const rows = parseCsv(formatCsv(report));
    expect(rows).to.have.length(report.findings.length + 1);
    for (const row of rows) for (const cell of row) expect(cell, cell).to.not.match(/^[=+\-@\t\r]/);
    const subjects = rows.slice(1).map((r) => r[4]);
    expect(subjects).to.include(`'${HOSTILE.formula}$`);
    expect(subjects).to.include(`'${HOSTILE.markdown}$`);
    expect(subjects).to.include(`${HOSTILE.html}$`);
    const formulaRow = rows.find((r) => r[4] === `'${HOSTILE.formula}$`)!;
    expect(formulaRow[7]).to.equal(`'${report.findings.find((f) => f.subject.sAMAccountName === `${HOSTILE.formula}$`)!.message}`);
  });
});
