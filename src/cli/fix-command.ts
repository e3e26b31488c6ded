/**
 * `delegaudit fix`: audit, plan, show; with --apply (and a confirmation) write, journal, re-audit.
 */
import { type Command, Option } from 'commander';
import { ConfigError } from '../errors.js';
import { applyFix, audit, planFixFor } from '../index.js';
import type { ApplyResult } from '../fix/apply.js';
import { formatPlan, PLAN_FORMATS, type PlanFormat } from '../fix/format-plan.js';
import { defaultJournalName } from '../fix/journal.js';
import type { Report } from '../report/schema.js';
import { TAKES_EFFECT } from '../rules/remediation.js';
import { terminalSafe } from '../report/terminal-text.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags, mergeFlags } from './audit-options.js';
import { confirmWrite, withStopSignals } from './confirm.js';
import { addConnectionOptions, resolveConnection } from './connection-options.js';
import { EXIT } from './exit-codes.js';
import { errorText, withFlags } from './flag-advice.js';
import type { Io } from './io.js';

interface FixFlags extends CommonFlags {
  group?: string;
  protectPrivileged?: boolean;
  prune?: boolean;
  removeUnconstrained?: boolean;
  apply?: boolean;
  yes?: boolean;
  journal?: string;
}

const findingKey = (f: Report['findings'][number]): string => `${f.rule} ${f.subject.sAMAccountName}`;

/** "Findings before → after" lines, for the end of an applied fix. */
export function beforeAfter(before: Report, after: Report): string {
  const was = new Set(before.findings.map(findingKey));
  const now = new Set(after.findings.map(findingKey));
  const resolved = [...was].filter((k) => !now.has(k));
  const appeared = [...now].filter((k) => !was.has(k));
  const lines = [`Findings before → after: ${was.size} → ${now.size}`];
  if (resolved.length) lines.push(`  resolved: ${resolved.map(terminalSafe).join(', ')}`);
  if (appeared.length) lines.push(`  new: ${appeared.map(terminalSafe).join(', ')}`);
  const left = [...now].filter((k) => was.has(k));
  if (left.length) lines.push(`  remaining: ${left.map(terminalSafe).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** A summary of an apply, and the exit code it deserves. */
export function applySummary(result: ApplyResult, journal: string): { text: string; code: number } {
  const count = (status: string): number => result.outcomes.filter((o) => o.status === status).length;
  const lines = [`Applied: ${count('done')} done, ${count('already-applied')} already applied, ${count('failed')} failed, ${count('conflict')} conflicts, ${count('unknown')} unknown, ${count('not-attempted')} not attempted. Journal: ${journal}`];
  for (const o of result.outcomes.filter((o) => o.error !== undefined)) lines.push(`  ${terminalSafe(o.change.sAMAccountName)}: ${o.status}: ${terminalSafe(o.errorWording === undefined ? o.error! : withFlags(o.errorWording))}`);
  if (result.interrupted) lines.push('Interrupted: the journal lists exactly what was applied; run the same command again to finish, or rollback the journal.');
  const incomplete = result.outcomes.some((o) => o.status !== 'done' && o.status !== 'already-applied');
  return { text: `${lines.join('\n')}\n`, code: result.fatal !== undefined ? EXIT.CONNECTION : incomplete ? EXIT.WRITE_INCOMPLETE : EXIT.OK };
}

export function registerFixCommand(program: Command, io: Io): void {
  const command = program
    .command('fix')
    .description('plan the delegation changes that resolve HV001/HV002/HV003 (and, when asked, PA001, HV005, HV004); write them only with --apply');
  addSelectionOptions(addConnectionOptions(command), 'only this Hyper-V host (repeatable): the re-joined host workflow')
    .option('--group <name>', 'only this migration group')
    .option('--protect-privileged', 'set "sensitive and cannot be delegated" on PA001 accounts (see --exclude)')
    .option('--prune', 'remove HV005 stale delegation entries')
    .option('--remove-unconstrained', 'clear TRUSTED_FOR_DELEGATION on HV004 hosts whose constrained delegation is complete')
    .option('--apply', 'write the plan (default: dry run)')
    .option('--yes', 'do not ask for confirmation (required with --apply when not on a terminal)')
    .option('--journal <file>', 'undo journal (default: delegaudit-journal-<UTC time>.jsonl here)')
    .addOption(new Option('--format <format>', 'how to print the plan: text, json, ldif (for ldapmodify) or powershell (default text)').choices([...PLAN_FORMATS]))
    .action(async (flags: FixFlags & { format?: string }) => {
      const merged = await mergeFlags({ ...flags, format: undefined });
      const format = (flags.format ?? 'text') as PlanFormat;
      if (flags.apply === true && format !== 'text') throw new ConfigError(`--format ${format} prints the plan for others to apply; use it without --apply`);
      const { connect, credentials, warnings } = await resolveConnection(merged, io);
      for (const warning of warnings) io.warn(warning);
      const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
      const options = auditOptionsFrom(merged, connect, credentials, progress);
      const { before, plan } = await planFixFor({
        ...options,
        rules: undefined,
        hosts: merged.hosts,
        group: flags.group,
        protectPrivileged: flags.protectPrivileged,
        prune: flags.prune,
        removeUnconstrained: flags.removeUnconstrained,
      });
      const heading = flags.apply === true ? 'Plan' : 'Plan (dry run: nothing is written; add --apply to write)';
      io.out(formatPlan(plan, format, heading));
      if (flags.apply !== true || plan.changes.length === 0) {
        if (flags.apply === true) io.out('Nothing to do: the directory already matches.\n');
        io.setExitCode(EXIT.OK);
        return;
      }
      const confirmed = await confirmWrite(`Apply these changes to ${plan.changes.length} account(s) on ${connect.url}?`, flags.yes, io);
      if (!confirmed) {
        io.out('Not applied.\n');
        io.setExitCode(EXIT.OK);
        return;
      }
      const journal = flags.journal ?? defaultJournalName('fix');
      const result = await withStopSignals(io, (shouldStop) => applyFix(plan, { ...connect, credentials, journal, shouldStop, onProgress: progress }));
      const summary = applySummary(result, journal);
      io.out(summary.text);
      if (result.fatal === undefined) {
        const after = await audit({ ...options, rules: undefined });
        io.out(beforeAfter(before.report, after.report));
        io.out(`${TAKES_EFFECT}\n`);
      } else {
        io.error(errorText(result.fatal));
      }
      io.setExitCode(summary.code);
    });
}
