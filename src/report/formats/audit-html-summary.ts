/**
 * The top of the HTML report, for people who will not read the tables: what was checked, and the few
 * things to do first, in the rules' own words.
 */
import { findRule } from '../../rules/index.js';
import { severityRank } from '../../rules/rule.js';
import type { Report } from '../schema.js';
import { rulesRan } from './words.js';

/** At most this many actions: the rest is in the findings table. */
const TOP_ACTIONS = 5;

export function executiveSummary(report: Report, h: (text: string) => string): string[] {
  const { summary } = report;
  const checked =
    `Checked ${summary.hosts} Hyper-V host${summary.hosts === 1 ? '' : 's'} in ${summary.groups} migration group${summary.groups === 1 ? '' : 's'}, ` +
    `${summary.privilegedAccounts} privileged account${summary.privilegedAccounts === 1 ? '' : 's'} and the domain's delegation.`;
  // One action per rule, most severe first, naming the accounts it concerns.
  const byRule = new Map<string, { severity: string; rank: number; title: string; subjects: string[] }>();
  for (const finding of report.findings) {
    if (finding.severity !== 'critical' && finding.severity !== 'high') continue;
    const entry = byRule.get(finding.rule) ?? {
      severity: finding.severity,
      rank: severityRank(finding.severity),
      title: findRule(finding.rule)?.title ?? finding.name,
      subjects: [],
    };
    entry.subjects.push(finding.subject.sAMAccountName);
    byRule.set(finding.rule, entry);
  }
  const actions = [...byRule].sort(([a, x], [b, y]) => x.rank - y.rank || a.localeCompare(b)).slice(0, TOP_ACTIONS);
  const out = ['<section id="summary">', '<h2>Summary</h2>', `<p>${h(checked)}</p>`];
  const rules = rulesRan(summary.rules);
  if (rules !== undefined) out.push(`<p class="rules">${h(rules)}</p>`);
  if (actions.length === 0) {
    out.push('<p>Nothing critical or high to fix.</p>');
  } else {
    out.push('<p>Do first:</p>', '<ol class="actions">');
    for (const [rule, { severity, title, subjects }] of actions) {
      const who = subjects.length <= 5 ? subjects.join(', ') : `${subjects.slice(0, 5).join(', ')} and ${subjects.length - 5} more`;
      out.push(`<li><span class="sev ${severity}">${h(severity)}</span> ${h(title)}: ${h(who)} <small>(${h(rule)}; remediation below)</small></li>`);
    }
    out.push('</ol>');
  }
  out.push('</section>');
  return out;
}
