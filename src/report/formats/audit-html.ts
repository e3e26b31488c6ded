/**
 * The HTML report: one self-contained file to hand to colleagues and managers. Inline CSS, no script,
 * no external request (a Content-Security-Policy forbids them too), readable with JavaScript off and
 * printable. Every string that comes from the report is escaped for HTML.
 */
import { findRule } from '../../rules/index.js';
import { SEVERITIES, severityRank, type Severity } from '../../rules/rule.js';
import { inventoryRowsHtml } from './inventory-cells.js';
import { groupMatrix, type MatrixCell, rbcdNotes, STATE_WORDS } from './matrix.js';
import type { Report, ReportHost } from '../schema.js';
import { withoutDollar } from '../../text/names.js';
import { escapeHtml } from '../../text/quote.js';
import { MATRIX_MAX_HOSTS, whereRead, yesNo } from './words.js';
import { executiveSummary } from './audit-html-summary.js';
import { readableTime } from '../../text/time.js';

const h = escapeHtml;

const STYLE = `
:root { --critical: #7f1d1d; --critical-bg: #fecaca; --high: #b91c1c; --high-bg: #fee2e2; --medium: #92400e; --medium-bg: #fef3c7;
  --low: #1e40af; --low-bg: #dbeafe; --info: #374151; --info-bg: #f3f4f6; --ok: #166534; --ok-bg: #dcfce7; --line: #d1d5db;
  /* Matrix states, after the Okabe-Ito colour-blind-safe palette; each cell also says its state in words. */
  --s-ok: #d1f2e8; --s-kerberos: #fbe3b0; --s-missing: #f8cdb0; --s-empty: #f0d0e2; --s-unconstrained: #1f2937; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111827; margin: 0; padding: 24px 32px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #4b5563; margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 18px 0 4px; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 112px; }
.card .n { display: block; font-size: 24px; font-weight: 700; } .card .l { color: #4b5563; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.critical { border-color: var(--critical); background: var(--critical-bg); } .card.high { border-color: var(--high); background: var(--high-bg); }
.card.medium { border-color: var(--medium); background: var(--medium-bg); } .card.low { border-color: var(--low); background: var(--low-bg); }
.card.info { background: var(--info-bg); } .card.zero { opacity: .55; background: #fff; border-color: var(--line); }
table { border-collapse: collapse; margin: 6px 0 12px; width: 100%; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
table.findings { table-layout: fixed; } col.w-sev { width: 84px; } col.w-rule { width: 190px; } col.w-subject { width: 130px; } col.w-finding { width: 30%; }
thead th { background: #f9fafb; }
table.matrix { width: auto; } table.matrix td { text-align: center; min-width: 96px; } table.matrix th[scope=row] { white-space: nowrap; }
td.ok { background: var(--s-ok); color: #004d38; } td.kerberos-only { background: var(--s-kerberos); color: #5c3b00; font-weight: 600; }
td.missing { background: var(--s-missing); color: #6b2700; font-weight: 600; } td.empty { background: var(--s-empty); color: #5e1f45; font-weight: 600; }
td.unconstrained { background: var(--s-unconstrained); color: #fff; font-weight: 700; } td.unconstrained small { color: #e5e7eb; }
td.disabled, td.self { background: var(--info-bg); color: #6b7280; }
td small, .sub { display: block; font-weight: 400; font-size: 12px; color: #4b5563; }
.sev { display: inline-block; white-space: nowrap; border-radius: 4px; padding: 0 6px; font-weight: 600; font-size: 12px; text-transform: uppercase; }
.sev.critical { background: var(--critical); color: #fff; } .sev.high { background: var(--high-bg); color: var(--high); }
.sev.medium { background: var(--medium-bg); color: var(--medium); } .sev.low { background: var(--low-bg); color: var(--low); } .sev.info { background: var(--info-bg); color: var(--info); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; padding: 0; margin: 4px 0 8px; list-style: none; font-size: 13px; }
.legend span { display: inline-block; width: 14px; height: 14px; vertical-align: -2px; margin-right: 4px; border: 1px solid var(--line); }
.legend .ok { background: var(--s-ok); } .legend .kerberos-only { background: var(--s-kerberos); } .legend .missing { background: var(--s-missing); }
.legend .empty { background: var(--s-empty); } .legend .unconstrained { background: var(--s-unconstrained); } .legend .disabled { background: var(--info-bg); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
td.fix { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; overflow-x: auto; overflow-wrap: normal; }
td.fix .w { white-space: nowrap; }
.warnings { border-left: 4px solid var(--medium); background: var(--medium-bg); padding: 8px 12px 8px 28px; }
.yes { color: var(--ok); font-weight: 600; } .no { color: var(--high); font-weight: 600; }
footer { margin-top: 28px; color: #6b7280; font-size: 12px; }
@media print {
  body { padding: 0; font-size: 10pt; } h2 { break-after: avoid; } tr, .card { break-inside: avoid; } thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/**
 * A remediation that wraps only at spaces and after commas: no break after the hyphen of `Set-ADComputer`
 * or inside a name, and copying the cell gives the text back unchanged.
 */
export function fixHtml(remediation: string): string {
  return (
    remediation
      .split(' ')
      // After a comma a line may break too (<wbr>): DNs and PowerShell arrays are long words.
      .map((word) => `<span class="w">${h(word).replace(/,/g, ',<wbr>')}</span>`)
      .join(' ')
  );
}

function cellClass(cell: MatrixCell): string {
  if (cell.status === 'self') return 'self';
  if (cell.status === 'disabled') return 'disabled';
  if (cell.unconstrained) return 'unconstrained';
  if (cell.status === 'missing') return cell.empty ? 'empty' : 'missing';
  return cell.status;
}

function cellHtml(cell: MatrixCell): string {
  const lines: string[] = [];
  switch (cell.status) {
    case 'self':
      return '<td class="self" title="same host">—</td>';
    case 'disabled':
      return `<td class="disabled">${STATE_WORDS.disabled}</td>`;
    case 'ok':
      lines.push(STATE_WORDS.ok);
      if (cell.rbcd) lines.push(`<small>${h(STATE_WORDS.rbcd)}</small>`);
      break;
    case 'kerberos-only':
      lines.push(STATE_WORDS.kerberosOnly);
      break;
    case 'missing':
      if (cell.empty) lines.push(STATE_WORDS.empty, `<small>${STATE_WORDS.emptyDetail}</small>`);
      else lines.push(`${STATE_WORDS.missing} ${cell.missing.map(h).join(', ')}`);
      if (cell.kerberosOnly) lines.push(`<small>${STATE_WORDS.kerberosOnly}</small>`);
      break;
  }
  if (cell.unconstrained) lines.push(`<small>${STATE_WORDS.unconstrained}</small>`);
  return `<td class="${cellClass(cell)}">${lines.join('')}</td>`;
}

const shortHost = (host: ReportHost): string => withoutDollar(host.sAMAccountName);
/** yes or no, marked good or bad for the page's colours. */
const yesNoBadge = (value: boolean, good: boolean): string => `<span class="${value === good ? 'yes' : 'no'}">${yesNo(value)}</span>`;

function matrixSection(report: Report): string[] {
  const out = [
    '<section id="matrix">',
    '<h2>Live migration matrix</h2>',
    "<p>Can the row host live-migrate to the column host? Each cell is what the row host's delegation lacks toward the column host.</p>",
  ];
  out.push(
    '<ul class="legend">',
    `<li><span class="ok"></span>${STATE_WORDS.ok}: protocol transition and every entry</li>`,
    `<li><span class="kerberos-only"></span>${STATE_WORDS.kerberosOnly}: no protocol transition (high)</li>`,
    `<li><span class="missing"></span>${STATE_WORDS.missing}: the services whose entries are absent (high)</li>`,
    `<li><span class="empty"></span>${STATE_WORDS.empty}: ${STATE_WORDS.emptyDetail} at all (high)</li>`,
    `<li><span class="unconstrained"></span>${STATE_WORDS.unconstrained} delegation (critical)</li>`,
    '<li><span class="disabled"></span>disabled account, or the host itself</li>',
    '</ul>',
  );
  if (report.groups.length === 0) out.push('<p>No Hyper-V hosts found.</p>');
  for (const group of report.groups) {
    const { hosts, cells } = groupMatrix(report, group.name);
    out.push(`<h3>Migration group “${h(group.name)}” (${hosts.length} host${hosts.length === 1 ? '' : 's'})</h3>`);
    if (hosts.length <= MATRIX_MAX_HOSTS.html) {
      out.push('<table class="matrix"><thead><tr><th scope="col">from \\ to</th>');
      for (const host of hosts) out.push(`<th scope="col">${h(shortHost(host))}</th>`);
      out.push('</tr></thead><tbody>');
      hosts.forEach((host, i) => {
        out.push(`<tr><th scope="row">${h(shortHost(host))}</th>${cells[i]!.map(cellHtml).join('')}</tr>`);
      });
      out.push('</tbody></table>');
      for (const note of rbcdNotes(hosts)) out.push(`<p>${h(note)}</p>`);
    } else {
      out.push(`<p>${hosts.length} hosts: too many for a matrix; one row per host.</p>`);
      out.push('<table><thead><tr><th>Host</th><th>Protocol transition</th><th>Missing entries</th><th>Extra entries</th></tr></thead><tbody>');
      for (const host of hosts) {
        out.push(
          `<tr><td>${h(host.sAMAccountName)}</td><td>${yesNoBadge(host.protocolTransition, true)}</td><td>${host.missing.length}</td><td>${host.extra.length}</td></tr>`,
        );
      }
      out.push('</tbody></table>');
    }
  }
  out.push('</section>');
  return out;
}

function hostsSection(report: Report): string[] {
  if (report.hosts.length === 0) return [];
  const out = ['<section id="hosts">', `<h2>Hyper-V hosts (${report.hosts.length})</h2>`];
  out.push(
    '<table><thead><tr><th>Host</th><th>DNS name</th><th>Group</th><th>Enabled</th><th>Protocol transition</th><th>Unconstrained</th><th>Entries</th><th>Missing</th><th>Created</th><th>Found by</th></tr></thead><tbody>',
  );
  for (const host of report.hosts) {
    out.push(
      `<tr><td>${h(host.sAMAccountName)}</td><td>${h(host.dnsHostName ?? '')}</td><td>${h(host.group)}</td><td>${yesNoBadge(host.enabled, true)}</td>` +
        `<td>${yesNoBadge(host.protocolTransition, true)}</td><td>${yesNoBadge(host.unconstrained, false)}</td><td>${host.allowedToDelegateTo.length}</td>` +
        `<td>${host.missing.length}</td><td class="mono">${h(host.whenCreated === null ? '' : readableTime(host.whenCreated))}</td><td>${h(host.source)}</td></tr>`,
    );
  }
  out.push('</tbody></table>', '</section>');
  return out;
}

function inventorySection(report: Report): string[] {
  const rows = report.delegations;
  if (rows === undefined) return [];
  const out = [
    '<section id="delegations">',
    `<h2>Delegation inventory (${rows.length})</h2>`,
    "<p>Every delegation in the domain, one row per account and delegation (<code>--inventory</code>); the DG rules' findings are among the findings above.</p>",
  ];
  out.push(...(rows.length === 0 ? ['<p>No delegation found.</p>'] : inventoryRowsHtml(rows, h)), '</section>');
  return out;
}

function probeSection(report: Report): string[] {
  if (report.probe === undefined) return [];
  const { probe } = report;
  const out = [
    '<section id="probe">',
    `<h2>Live-migration port probe (TCP ${probe.port})</h2>`,
    `<p>A TCP connection to each enabled host, ${probe.timeoutMs} ms timeout.</p>`,
  ];
  out.push('<table><thead><tr><th>Host</th><th>Name</th><th>Address</th><th>Result</th><th>Detail</th></tr></thead><tbody>');
  for (const r of probe.results) {
    const cls = r.status === 'open' ? 'ok' : r.status === 'refused' || r.status === 'timeout' ? 'high' : 'disabled';
    out.push(
      `<tr><td>${h(r.host)}</td><td>${h(r.target)}</td><td class="mono">${r.address === null ? '—' : `${h(r.address)}:${r.port}`}</td>` +
        `<td class="${cls}">${h(r.status)}</td><td>${h(r.detail ?? '')}</td></tr>`,
    );
  }
  out.push('</tbody></table>', '</section>');
  return out;
}

function findingsSection(report: Report): string[] {
  const out = ['<section id="findings">', `<h2>Findings (${report.findings.length})</h2>`];
  if (report.findings.length === 0) return [...out, '<p>None.</p>', '</section>'];
  const sorted = [...report.findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  out.push(
    '<table class="findings"><colgroup><col class="w-sev"><col class="w-rule"><col class="w-subject"><col class="w-finding"><col></colgroup><thead><tr><th>Severity</th><th>Rule</th><th>Subject</th><th>Finding</th><th>Remediation</th></tr></thead><tbody>',
  );
  for (const f of sorted) {
    const title = findRule(f.rule)?.title;
    out.push(
      `<tr class="${f.severity}"><td><span class="sev ${f.severity}">${f.severity}</span></td>` +
        `<td><strong>${h(f.rule)}</strong> ${h(f.name)}${title === undefined ? '' : `<span class="sub">${h(title)}</span>`}</td>` +
        `<td>${h(f.subject.sAMAccountName)}<span class="sub">${h(f.subject.kind)}</span></td><td>${h(f.message)}</td><td class="fix">${fixHtml(f.remediation)}</td></tr>`,
    );
  }
  out.push('</tbody></table>', '</section>');
  return out;
}

function privilegedSection(report: Report): string[] {
  const out = ['<section id="privileged">', `<h2>Privileged accounts (${report.privilegedAccounts.length})</h2>`];
  if (report.privilegedAccounts.length === 0) return [...out, '<p>None found.</p>', '</section>'];
  const byDn = new Map<string, string[]>();
  for (const f of report.findings) byDn.set(f.subject.dn, [...(byDn.get(f.subject.dn) ?? []), f.rule]);
  out.push(
    '<table class="privileged"><thead><tr><th>Account</th><th>Enabled</th><th>Sensitive flag</th><th>Protected Users</th><th>Privileged through</th><th>Findings</th></tr></thead><tbody>',
  );
  for (const p of report.privilegedAccounts) {
    const via = p.via.map(h);
    const findings = byDn.get(p.dn) ?? [];
    out.push(
      `<tr><td>${h(p.sAMAccountName)}<span class="sub">${h(p.objectClass)}</span></td><td>${p.enabled ? 'yes' : 'no'}</td>` +
        `<td>${p.sensitive || p.protectedUsers ? (p.sensitive ? '<span class="yes">yes</span>' : 'no') : '<span class="no">no</span>'}</td><td>${p.protectedUsers ? '<span class="yes">yes</span>' : 'no'}</td>` +
        `<td>${via.join('<br>')}</td><td>${findings.length === 0 ? '—' : findings.map(h).join(', ')}</td></tr>`,
    );
  }
  out.push('</tbody></table>', '</section>');
  return out;
}

function summaryCards(report: Report): string[] {
  const { summary } = report;
  const card = (n: number, label: string, cls = ''): string => `<li class="card ${cls}"><span class="n">${n}</span><span class="l">${label}</span></li>`;
  return [
    '<ul class="cards">',
    card(summary.hosts, 'Hyper-V hosts'),
    card(summary.groups, 'Migration groups'),
    card(summary.privilegedAccounts, 'Privileged accounts'),
    ...SEVERITIES.map((s: Severity) => card(summary.findings[s], s, summary.findings[s] === 0 ? `${s} zero` : s)),
    '</ul>',
  ];
}

/** A self-contained page: inline CSS only; the Content-Security-Policy forbids scripts and external requests. */
export function htmlPage(title: string, body: readonly string[]): string {
  const out = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${h(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
  ];
  return `${out.join('\n')}\n`;
}

export function formatHtml(report: Report): string {
  const { directory } = report;
  const out = [
    '<header>',
    `<h1>Delegation audit: ${h(directory.dnsDomain)}</h1>`,
    `<p class="meta">${h(whereRead(directory))} · ${h(directory.baseDN)} · ${h(directory.domainSid)} · generated ${h(report.generatedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'))} by ${h(report.tool.name)} ${h(report.tool.version)}</p>`,
    '</header>',
    ...summaryCards(report),
    ...executiveSummary(report, h),
  ];
  if (report.warnings.length > 0) out.push('<ul class="warnings">', ...report.warnings.map((w) => `<li>${h(w)}</li>`), '</ul>');
  out.push(
    ...matrixSection(report),
    ...findingsSection(report),
    ...privilegedSection(report),
    ...hostsSection(report),
    ...probeSection(report),
    ...inventorySection(report),
  );
  out.push(`<footer>Read-only audit of Kerberos delegation for Hyper-V live migration and privileged accounts.</footer>`);
  return htmlPage(`Delegation audit: ${directory.dnsDomain}`, out);
}
