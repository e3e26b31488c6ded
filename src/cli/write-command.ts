/**
 * The skeleton fix and rollback share: a plan printed in full, then (only with --apply and a
 * confirmation) written with a journal, interruptible, and summed up with its exit code.
 */
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { defaultJournalName } from '../fix/journal-name.js';
import type { ApplyResult } from '../fix/apply.js';
import type { FixPlan } from '../fix/plan.js';
import { allConverged, verifyReplication } from '../fix/verify-replication.js';
import { applyFix, readDcOf } from '../operations/fix.js';
import type { BindCredentials, LdapConnectOptions } from '../ldap/session.js';
import { formatApplySummary, formatReplication } from '../report/formats/apply-summary.js';
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
  verifyReplication?: boolean;
  wait?: number;
}

/** --apply, --yes, --journal and the plan's --format. */
export function addWriteOptions(command: Command, help: { apply: string; journal: string; format: string }): Command {
  return command
    .option('--apply', help.apply)
    .option('--yes', 'do not ask for confirmation (required with --apply when not on a terminal)')
    .option('--journal <file>', help.journal)
    .option(
      '--verify-replication',
      'after --apply: read the accounts on every DC of the domain until each holds what was written (exit 5 if one does not within --wait)',
    )
    .option('--wait <seconds>', 'with --verify-replication: how long to wait for every DC (default 300)', seconds)
    .addOption(formatOption(help.format, formatNames('plan')));
}

function seconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 86_400) throw new ConfigError(`--wait takes a whole number of seconds up to 86400, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** The plan's format; the formats other than text are for printing a plan, never with --apply. */
export function planFormat(flags: WriteFlags): FormatName<'plan'> {
  const format = (flags.format ?? 'text') as FormatName<'plan'>;
  if (flags.apply === true && format !== 'text') throw new ConfigError(`--format ${format} prints the plan for others to apply; use it without --apply`);
  if (flags.apply !== true && (flags.verifyReplication === true || flags.wait !== undefined)) {
    throw new ConfigError(`--${flags.verifyReplication === true ? 'verify-replication' : 'wait'} goes with --apply: a dry run writes nothing to verify`);
  }
  if (flags.wait !== undefined && flags.verifyReplication !== true) throw new ConfigError('--wait goes with --verify-replication');
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
  /** The accounts --verify-replication checks when there is nothing to write (the hosts in scope, the journal's accounts). */
  inScope: readonly string[];
  question: string;
  /** After a write that did not stop on a fatal error: what else to print, reading the DC written (`written`). */
  after(result: ApplyResult, written: LdapConnectOptions): Promise<void>;
}

/** Writes a plan that was printed already, if --apply asked and the admin confirmed. */
export async function applyIfAsked(flags: WriteFlags, io: Io, step: WriteStep): Promise<void> {
  if (flags.apply !== true || step.plan.changes.length === 0) {
    if (flags.apply === true) io.out(step.nothingToDo);
    // Nothing to write, but the question stands: do the other DCs hold what this one does?
    const replicated =
      flags.apply === true && flags.verifyReplication === true ? await verify(flags, io, step, readDcOf(step.connect, step.plan.url), step.inScope) : true;
    io.setExitCode(replicated ? EXIT.OK : EXIT.NOT_REPLICATED);
    return;
  }
  if (!(await confirmWrite(step.question, flags.yes, io))) {
    io.out('Not applied.\n');
    io.setExitCode(EXIT.OK);
    return;
  }
  const journal = flags.journal ?? defaultJournalName(step.operation);
  const { credentials, progress } = step;
  // Written where it was read, never moved to another DC: a failover would write a plan read elsewhere.
  const connect = readDcOf(step.connect, step.plan.url);
  const undoes = step.undoes === undefined ? {} : { undoes: step.undoes };
  const result = await withStopSignals(io, (shouldStop) =>
    applyFix(step.plan, { ...connect, credentials, journal, operation: step.operation, ...undoes, shouldStop, onProgress: progress }),
  );
  io.out(formatApplySummary(result, { journal, spell: withFlags }));
  if (result.fatal !== undefined) {
    io.error(errorText(result.fatal));
    io.setExitCode(applyExitCode(result));
    return;
  }
  await step.after(result, connect);
  const written = result.outcomes.filter((o) => o.status === 'done' || o.status === 'already-applied').map((o) => o.change.dn);
  const replicated = flags.verifyReplication === true ? await verify(flags, io, step, connect, written) : true;
  io.setExitCode(applyExitCode(result) || (replicated ? EXIT.OK : EXIT.NOT_REPLICATED));
}

/** --verify-replication: every DC read until it holds what was written; false when one does not in time. */
async function verify(flags: WriteFlags, io: Io, step: WriteStep, connect: LdapConnectOptions, dns: readonly string[]): Promise<boolean> {
  if (dns.length === 0) return true;
  const waitSeconds = flags.wait ?? 300;
  const checked = await verifyReplication({ connect, credentials: step.credentials, baseDN: step.plan.baseDN, dns, waitSeconds, onProgress: step.progress });
  io.out(formatReplication(checked, waitSeconds));
  return allConverged(checked);
}

/** 3 when the run stopped on a connection or access error, 4 when some change was not applied, else 0. */
function applyExitCode(result: ApplyResult): number {
  const incomplete = result.outcomes.some((o) => o.status !== 'done' && o.status !== 'already-applied');
  return result.fatal !== undefined ? EXIT.CONNECTION : incomplete ? EXIT.WRITE_INCOMPLETE : EXIT.OK;
}
