/**
 * `delegaudit rollback JOURNAL`: restore what a fix (or a rollback) changed, with the same care.
 */
import { type Command, Option } from 'commander';
import { ConfigError } from '../errors.js';
import { applyFix, planRollbackFor } from '../index.js';
import { formatPlan, PLAN_FORMATS, type PlanFormat } from '../fix/format-plan.js';
import { defaultJournalName, readJournal } from '../fix/journal.js';
import { TAKES_EFFECT } from '../rules/remediation.js';
import { type CommonFlags, mergeFlags } from './audit-options.js';
import { confirmWrite, withStopSignals } from './confirm.js';
import { addConnectionOptions, resolveConnection } from './connection-options.js';
import { EXIT } from './exit-codes.js';
import { errorText } from './flag-advice.js';
import { applySummary } from './fix-command.js';
import type { Io } from './io.js';

interface RollbackFlags extends CommonFlags {
  apply?: boolean;
  yes?: boolean;
  journal?: string;
}

export function registerRollbackCommand(program: Command, io: Io): void {
  const command = program
    .command('rollback')
    .argument('<journal>', 'the journal of the fix (or rollback) to undo')
    .description('restore the attributes a journaled fix changed, in reverse order; write only with --apply');
  addConnectionOptions(command)
    .option('--apply', 'write the rollback (default: dry run)')
    .option('--yes', 'do not ask for confirmation (required with --apply when not on a terminal)')
    .option('--journal <file>', 'journal of this rollback (default: delegaudit-rollback-<UTC time>.jsonl here)')
    .addOption(new Option('--format <format>', 'how to print the plan (default text)').choices([...PLAN_FORMATS]))
    .action(async (undo: string, flags: RollbackFlags & { format?: string }) => {
      // Validate the journal before anything else: a damaged one is refused with the line named.
      const lines = readJournal(undo);
      const begin = lines[0]!;
      const merged = await mergeFlags({ ...flags, format: undefined });
      if (merged.url === undefined && begin.type === 'begin') merged.url = begin.url;
      const format = (flags.format ?? 'text') as PlanFormat;
      if (flags.apply === true && format !== 'text') throw new ConfigError(`--format ${format} prints the plan for others to apply; use it without --apply`);
      const { connect, credentials, warnings } = await resolveConnection(merged, io);
      for (const warning of warnings) io.warn(warning);
      const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
      const plan = await planRollbackFor(undo, { ...connect, credentials });
      io.out(formatPlan(plan, format, flags.apply === true ? `Rollback of ${undo}` : `Rollback of ${undo} (dry run: nothing is written; add --apply to write)`));
      if (flags.apply !== true || plan.changes.length === 0) {
        if (flags.apply === true) io.out('Nothing to restore: the accounts already hold their previous values.\n');
        io.setExitCode(EXIT.OK);
        return;
      }
      if (!(await confirmWrite(`Restore ${plan.changes.length} account(s) on ${connect.url}?`, flags.yes, io))) {
        io.out('Not applied.\n');
        io.setExitCode(EXIT.OK);
        return;
      }
      const journal = flags.journal ?? defaultJournalName('rollback');
      const result = await withStopSignals(io, (shouldStop) => applyFix(plan, { ...connect, credentials, journal, operation: 'rollback', undoes: undo, shouldStop, onProgress: progress }));
      const summary = applySummary(result, journal);
      io.out(summary.text);
      if (result.fatal !== undefined) io.error(errorText(result.fatal));
      else io.out(`${TAKES_EFFECT}\n`);
      io.setExitCode(summary.code);
    });
}
