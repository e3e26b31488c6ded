/**
 * `delegaudit diff` output: the drift as tables for a person, or as JSON for a script. Directory
 * strings are shown with control characters made visible, as in the audit's table.
 */
import { terminalSafe } from '../../text/quote.js';
import type { FlagChange, ReportDiff } from '../../diff/diff-reports.js';
import { isEmptyDiff } from '../../diff/diff-reports.js';
import { fillingWidths, newTable } from './boxed-table.js';

const FLAG_NAMES: Record<string, string> = {
  enabled: 'enabled',
  protocolTransition: 'protocol transition',
  unconstrained: 'unconstrained',
  protectedUsers: 'Protected Users',
  sensitive: 'sensitive flag',
  group: 'migration group',
  dnsHostName: 'dNSHostName',
  whenCreated: 'whenCreated (a new value means a new object: a re-join?)',
  dn: 'DN',
};

function value(v: string | boolean | null): string {
  if (v === null) return '(none)';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return terminalSafe(v);
}

function flagLine(change: FlagChange): string {
  return `${FLAG_NAMES[change.flag] ?? change.flag}: ${value(change.before)} → ${value(change.after)}`;
}

/** The drift as tables, `width` columns wide (default 120). */
export function formatDiffTable(diff: ReportDiff, names: { old: string; new: string }, width = 120): string {
  const w = Math.max(80, width);
  const out: string[] = [];
  out.push(
    `delegaudit diff: ${terminalSafe(names.old)} (${terminalSafe(diff.old.generatedAt)}) → ${terminalSafe(names.new)} (${terminalSafe(diff.new.generatedAt)})`,
  );
  for (const warning of diff.warnings) out.push(`warning: ${terminalSafe(warning)}`);
  const { findings, hosts, privilegedAccounts } = diff;
  out.push(
    `Findings: ${findings.appeared.length} appeared, ${findings.resolved.length} resolved, ${findings.changed.length} changed; ` +
      `hosts: ${hosts.added.length} added, ${hosts.removed.length} removed, ${hosts.changed.length} changed; ` +
      `privileged accounts: ${privilegedAccounts.added.length} added, ${privilegedAccounts.removed.length} removed, ${privilegedAccounts.changed.length} changed`,
  );
  if (isEmptyDiff(diff)) return `${out.join('\n')}\nNo drift.\n`;

  if (findings.appeared.length + findings.resolved.length + findings.changed.length > 0) {
    const table = newTable(['change', 'severity', 'rule', 'subject', 'finding'], fillingWidths(w, [10, 20, 29, 18]));
    for (const f of findings.appeared)
      table.push(['appeared', f.severity, `${f.rule}\n${f.name}`, terminalSafe(f.subject.sAMAccountName), terminalSafe(f.message)]);
    for (const f of findings.resolved)
      table.push(['resolved', f.severity, `${f.rule}\n${f.name}`, terminalSafe(f.subject.sAMAccountName), terminalSafe(f.message)]);
    for (const { before, after } of findings.changed) {
      const severity = before.severity === after.severity ? after.severity : `${before.severity} → ${after.severity}`;
      table.push(['changed', severity, `${after.rule}\n${after.name}`, terminalSafe(after.subject.sAMAccountName), terminalSafe(after.message)]);
    }
    out.push('', 'Findings', table.toString());
  }

  if (hosts.added.length + hosts.removed.length + hosts.changed.length > 0) {
    const table = newTable(['host', 'change'], fillingWidths(w, [22]));
    for (const h of hosts.added) table.push([terminalSafe(h.sAMAccountName), `added (group ${terminalSafe(h.group)})`]);
    for (const h of hosts.removed) table.push([terminalSafe(h.sAMAccountName), `removed (was in group ${terminalSafe(h.group)})`]);
    for (const h of hosts.changed) {
      const lines = [...h.entriesAdded.map((e) => `+ ${terminalSafe(e)}`), ...h.entriesRemoved.map((e) => `- ${terminalSafe(e)}`), ...h.flags.map(flagLine)];
      table.push([terminalSafe(h.host), lines.join('\n')]);
    }
    out.push('', 'Hosts (+ delegation entry added, - removed)', table.toString());
  }

  if (privilegedAccounts.added.length + privilegedAccounts.removed.length + privilegedAccounts.changed.length > 0) {
    const table = newTable(['account', 'change'], fillingWidths(w, [22]));
    for (const a of privilegedAccounts.added) table.push([terminalSafe(a.sAMAccountName), 'now privileged']);
    for (const a of privilegedAccounts.removed) table.push([terminalSafe(a.sAMAccountName), 'no longer privileged (or deleted)']);
    for (const a of privilegedAccounts.changed) table.push([terminalSafe(a.account), a.flags.map(flagLine).join('\n')]);
    out.push('', 'Privileged accounts', table.toString());
  }
  return `${out.join('\n')}\n`;
}
