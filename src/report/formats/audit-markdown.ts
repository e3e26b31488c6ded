/**
 * The Markdown report, for tickets: GitHub/GitLab-flavoured tables. Every string from the report is
 * neutralised: inline markup characters (`|` included, which would split a table cell) are
 * backslash-escaped, as are the characters that start a block at the beginning of a line; control
 * characters and line breaks are shown as `\x0a` (a newline would end a table row); `@name` and `#123`
 * get a zero-width space so that a name in the directory cannot mention people or link issues. Bare URLs
 * may still be linked by GitHub's autolinker: they show as the same text.
 */
import HV001 from '../../rules/HV001-protocol-transition-missing.js';
import HV003 from '../../rules/HV003-delegation-absent.js';
import HV004 from '../../rules/HV004-unconstrained-delegation.js';
import { findRule } from '../../rules/index.js';
import { SEVERITIES, severityRank } from '../../rules/rule.js';
import { INVENTORY_HEAD, inventoryCells } from './inventory-cells.js';
import { groupMatrix, type MatrixCell, rbcdNotes, STATE_WORDS } from './matrix.js';
import type { Report, ReportHost } from '../schema.js';
import { withoutDollar } from '../../text/names.js';
import { escapeMarkdown } from '../../text/quote.js';
import { MATRIX_MAX_HOSTS, rulesRan, whereRead, yesNo } from './words.js';

const md = (value: string): string => escapeMarkdown(value);
const mdLine = (value: string): string => escapeMarkdown(value, true);

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function markdownTable(head: string[], rows: string[][], align?: string[]): string[] {
  return [row(head), row(align ?? head.map(() => '---')), ...rows.map(row)];
}

function cellText(cell: MatrixCell): string {
  const parts: string[] = [];
  switch (cell.status) {
    case 'self':
      return '—';
    case 'disabled':
      return STATE_WORDS.disabled;
    case 'ok':
      parts.push(cell.rbcd ? `${STATE_WORDS.ok} (${md(STATE_WORDS.rbcd)})` : STATE_WORDS.ok);
      break;
    case 'kerberos-only':
      parts.push(`**${STATE_WORDS.kerberosOnly}**`);
      break;
    case 'missing':
      parts.push(cell.empty ? `**${STATE_WORDS.empty}** (${STATE_WORDS.emptyDetail})` : `**${STATE_WORDS.missing}** ${cell.missing.map(md).join(', ')}`);
      if (cell.kerberosOnly) parts.push(STATE_WORDS.kerberosOnly);
      break;
  }
  if (cell.unconstrained) parts.push(`**${STATE_WORDS.unconstrained}**`);
  return parts.join('<br>');
}

const shortHost = (host: ReportHost): string => md(withoutDollar(host.sAMAccountName));

/** Title, where it came from, the counts and the warnings. */
function headerSection(report: Report): string[] {
  const out: string[] = [];
  const { directory, summary } = report;
  out.push(`# Delegation audit: ${md(directory.dnsDomain)}`, '');
  out.push(
    `${mdLine(whereRead(directory))} · ${md(directory.baseDN)} · generated ${md(report.generatedAt)} by ${md(report.tool.name)} ${md(report.tool.version)}`,
    '',
  );
  out.push(
    ...markdownTable(
      ['Hyper-V hosts', 'Migration groups', 'Privileged accounts', ...SEVERITIES.map((s) => s[0]!.toUpperCase() + s.slice(1))],
      [[String(summary.hosts), String(summary.groups), String(summary.privilegedAccounts), ...SEVERITIES.map((s) => String(summary.findings[s]))]],
      Array.from({ length: 3 + SEVERITIES.length }, () => '---:'),
    ),
    '',
  );
  const rules = rulesRan(summary.rules);
  if (rules !== undefined) out.push(md(rules), '');
  if (report.warnings.length > 0) out.push('**Warnings**', '', ...report.warnings.map((w) => `- ${mdLine(w)}`), '');

  return out;
}

/** A host × host matrix per migration group (a per-host table for large groups). */
function matrixSection(report: Report): string[] {
  const out: string[] = [];
  out.push(
    '## Live migration matrix',
    '',
    `Can the row host live-migrate to the column host? ok: protocol transition and every entry; **Kerberos only**: no protocol transition (${HV001.id}); **missing**: the services whose entries are absent; **empty**: no delegation entries at all (${HV003.id}); **unconstrained**: unconstrained delegation (${HV004.id}).`,
    '',
  );
  for (const group of report.groups) {
    const { hosts, cells } = groupMatrix(report, group.name);
    out.push(`### Migration group “${md(group.name)}” (${hosts.length} host${hosts.length === 1 ? '' : 's'})`, '');
    if (hosts.length <= MATRIX_MAX_HOSTS.markdown) {
      out.push(
        ...markdownTable(
          ['from \\\\ to', ...hosts.map(shortHost)],
          hosts.map((host, i) => [`**${shortHost(host)}**`, ...cells[i]!.map(cellText)]),
        ),
        '',
      );
      for (const note of rbcdNotes(hosts)) out.push(mdLine(note), '');
    } else {
      out.push(
        ...markdownTable(
          ['Host', 'Protocol transition', 'Missing entries', 'Extra entries'],
          hosts.map((host) => [md(host.sAMAccountName), yesNo(host.protocolTransition), String(host.missing.length), String(host.extra.length)]),
        ),
        '',
      );
    }
  }

  return out;
}

function findingsSection(report: Report): string[] {
  const out: string[] = [];
  out.push(`## Findings (${report.findings.length})`, '');
  if (report.findings.length === 0) {
    out.push('None.', '');
  } else {
    const sorted = [...report.findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    out.push(
      ...markdownTable(
        ['Severity', 'Rule', 'Subject', 'Finding', 'Remediation'],
        sorted.map((f) => {
          const title = findRule(f.rule)?.title;
          return [
            f.severity,
            `${md(f.rule)} ${md(f.name)}${title === undefined ? '' : `<br>${md(title)}`}`,
            md(f.subject.sAMAccountName),
            md(f.message),
            md(f.remediation),
          ];
        }),
      ),
      '',
    );
  }

  return out;
}

function privilegedSection(report: Report): string[] {
  const out: string[] = [];
  out.push(`## Privileged accounts (${report.privilegedAccounts.length})`, '');
  if (report.privilegedAccounts.length === 0) {
    out.push('None found.', '');
  } else {
    const byDn = new Map<string, string[]>();
    for (const f of report.findings) byDn.set(f.subject.dn, [...(byDn.get(f.subject.dn) ?? []), f.rule]);
    out.push(
      ...markdownTable(
        ['Account', 'Enabled', 'Sensitive flag', 'Protected Users', 'Privileged through', 'Findings'],
        report.privilegedAccounts.map((p) => [
          md(p.sAMAccountName),
          yesNo(p.enabled),
          yesNo(p.sensitive),
          yesNo(p.protectedUsers),
          p.via.map(md).join('<br>'),
          (byDn.get(p.dn) ?? []).map(md).join(', ') || '—',
        ]),
      ),
      '',
    );
  }

  return out;
}

/** The port probe and the delegation inventory, when the audit had them. */
function extraSections(report: Report): string[] {
  const out: string[] = [];
  if (report.probe !== undefined) {
    out.push(`## Live-migration port probe (TCP ${report.probe.port})`, '');
    out.push(
      ...markdownTable(
        ['Host', 'Name', 'Address', 'Result', 'Detail'],
        report.probe.results.map((r) => [md(r.host), md(r.target), r.address === null ? '—' : `${md(r.address)}:${r.port}`, r.status, md(r.detail ?? '')]),
      ),
      '',
    );
  }
  if (report.delegations !== undefined) {
    out.push(`## Delegation inventory (${report.delegations.length})`, '');
    out.push(
      ...(report.delegations.length === 0
        ? ['No delegation found.']
        : markdownTable(
            INVENTORY_HEAD,
            report.delegations.map((r) => inventoryCells(r, md)),
          )),
      '',
    );
  }
  return out;
}

export function formatMarkdown(report: Report): string {
  const out = [...headerSection(report), ...matrixSection(report), ...findingsSection(report), ...privilegedSection(report), ...extraSections(report)];
  return `${out.join('\n')}`;
}
