/**
 * The skeleton fix and rollback share: a plan printed in full, then (only with --apply and a
 * confirmation) written with a journal, interruptible, and summed up with its exit code.
 */
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { defaultJournalName } from '../fix/journal.js';
import { applyFix, type ApplyResult, type FixPlan } from '../index.js';
import type { BindCredentials, LdapConnectOptions } from '../ldap/session.js';
import { formatApplySummary } from '../report/formats/apply-summary.js';
import { type FormatName, formatNames } from '../report/formats/index.js';
import { confirmWrite, withStopSignals } from './confirm.js';
import { EXIT } from './exit-codes.js';
import { errorText, withFlags } from './flag-advice.js';
import type { Io } from './io.js';
import { formatOption } from './options/output.js';

export interface WriteFlags {
  apply?: boolean;
  yes?: boolean;
  journal?: string;
  format?: string;
}

/** --apply, --yes, --journal and the plan's --format. */
export function addWriteOptions(command: Command, help: { apply: string; journal: string; format: string }): Command {
  return command
    .option('--apply', help.apply)
    .option('--yes', 'do not ask for confirmation (required with --apply when not on a terminal)')
    .option('--journal <file>', help.journal)
    .addOption(formatOption(help.format, formatNames('plan')));
}

/** The plan's format; the formats other than text are for printing a plan, never with --apply. */
export function planFormat(flags: WriteFlags): FormatName<'plan'> {
  const format = (flags.format ?? 'text') as FormatName<'plan'>;
  if (flags.apply === true && format !== 'text') throw new ConfigError(`--format ${format} prints the plan for others to apply; use it without --apply`);
  return format;
}

export interface WriteStep {
  plan: FixPlan;
  connect: LdapConnectOptions;
  /** The user and password of a simple bind; none with Kerberos. */
  credentials: BindCredentials | undefined;
  progress: ((line: string) => void) | undefined;
  operation: 'fix' | 'rollback';
  /** For a rollback, the journal it undoes. */
  undoes?: string;
  /** Said when --apply finds nothing to write. */
  nothingToDo: string;
  question: string;
  /** After a write that did not stop on a fatal error: what else to print. */
  after(result: ApplyResult): Promise<void>;
}

/** Writes a plan that was printed already, if --apply asked and the admin confirmed. */
export async function applyIfAsked(flags: WriteFlags, io: Io, step: WriteStep): Promise<void> {
  if (flags.apply !== true || step.plan.changes.length === 0) {
    if (flags.apply === true) io.out(step.nothingToDo);
    io.setExitCode(EXIT.OK);
    return;
  }
  if (!(await confirmWrite(step.question, flags.yes, io))) {
    io.out('Not applied.\n');
    io.setExitCode(EXIT.OK);
    return;
  }
  const journal = flags.journal ?? defaultJournalName(step.operation);
  const { connect, credentials, progress } = step;
  const undoes = step.undoes === undefined ? {} : { undoes: step.undoes };
  const result = await withStopSignals(io, (shouldStop) =>
    applyFix(step.plan, { ...connect, credentials, journal, operation: step.operation, ...undoes, shouldStop, onProgress: progress }),
  );
  io.out(formatApplySummary(result, { journal, spell: withFlags }));
  if (result.fatal === undefined) await step.after(result);
  else io.error(errorText(result.fatal));
  io.setExitCode(applyExitCode(result));
}

/** 3 when the run stopped on a connection or access error, 4 when some change was not applied, else 0. */
function applyExitCode(result: ApplyResult): number {
  const incomplete = result.outcomes.some((o) => o.status !== 'done' && o.status !== 'already-applied');
  return result.fatal !== undefined ? EXIT.CONNECTION : incomplete ? EXIT.WRITE_INCOMPLETE : EXIT.OK;
}
