/**
 * `delegaudit rollback JOURNAL`: restore what a fix (or a rollback) changed, with the same care.
 */
import type { Command } from 'commander';
import { render } from '../../report/formats/index.js';
import type { JournalConnection } from '../../fix/journal.js';
import { planRollbackFor } from '../../operations/rollback.js';
import { dcNameOf, type LdapConnectOptions, pinned } from '../../ldap/session.js';
import { TAKES_EFFECT } from '../../rules/remediation.js';
import type { Io } from '../io.js';
import { addConnectionOptions, resolveConnection } from '../options/connection.js';
import { type CommonFlags, type Merged, mergeFlags } from '../options/selection.js';
import { addWriteOptions, applyIfAsked, planFormat, type WriteFlags } from '../write-command.js';

/**
 * The journal's connection settings, for each one neither the command line nor the config file gives:
 * the rollback goes to the DC the fix wrote, signed in the same way. Returns them as flags, to say so.
 */
function takeJournalSettings(merged: Merged, recorded: JournalConnection & { url?: string }): string[] {
  const taken: string[] = [];
  const target = merged as Record<string, unknown>;
  for (const [key, value] of Object.entries(recorded)) {
    if (target[key] !== undefined || value === undefined) continue;
    target[key] = value;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    taken.push(typeof value === 'boolean' ? flag : `${flag} ${String(value)}`);
  }
  return taken;
}

/** The DC the journal's fix wrote, reached with the settings --domain resolved. */
function journalDc(connect: LdapConnectOptions, begin: { url: string; connection?: JournalConnection | undefined }): LdapConnectOptions {
  return pinned(connect, { name: begin.connection?.tlsServername ?? dcNameOf(begin.url, undefined), url: begin.url });
}

export function registerRollbackCommand(program: Command, io: Io): void {
  const command = program
    .command('rollback')
    .argument('<journal>', 'the journal of the fix (or rollback) to undo')
    .description('restore the attributes a journaled fix changed, in reverse order; write only with --apply');
  addWriteOptions(addConnectionOptions(command), {
    apply: 'write the rollback (default: dry run)',
    journal: 'journal of this rollback (default: delegaudit-rollback-<UTC time>.jsonl here)',
    format: 'how to print the plan (default text)',
  }).action(async (undo: string, flags: CommonFlags & WriteFlags) => {
    // Validate the journal before anything else: a damaged one is refused with the line named.
    const lines = (await import('../../fix/journal.js')).readJournal(undo);
    const begin = lines[0]!;
    const merged = await mergeFlags({ ...flags, format: undefined });
    // A rollback writes where the fix wrote: with --domain, on the journal's DC (DNS still names the others, for --verify-replication).
    const byDomain = merged.domain !== undefined && merged.url === undefined && begin.type === 'begin';
    if (begin.type === 'begin') {
      const { tlsServername: _name, ...settings } = begin.connection ?? {};
      const taken = takeJournalSettings(merged, byDomain ? settings : { url: begin.url, ...begin.connection });
      if (taken.length > 0 && flags.quiet !== true) io.progress(`from the journal: ${taken.join(' ')}`);
    }
    const format = planFormat(flags);
    const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
    const resolved = await resolveConnection(merged, io, progress);
    for (const warning of resolved.warnings) io.warn(warning);
    const { credentials } = resolved;
    const connect = byDomain && begin.type === 'begin' ? journalDc(resolved.connect, begin) : resolved.connect;
    if (byDomain) progress?.(`--domain: restoring on the DC the journal names (${dcNameOf(connect.url, connect.tlsServername)}, ${connect.url})`);
    const plan = await planRollbackFor(undo, { ...connect, credentials });
    io.out(
      render('plan', format, plan, {
        heading: flags.apply === true ? `Rollback of ${undo}` : `Rollback of ${undo} (dry run: nothing is written; add --apply to write)`,
        ...(io.columns === undefined ? {} : { width: io.columns }),
      }),
    );
    await applyIfAsked(flags, io, {
      plan,
      connect,
      credentials,
      progress,
      operation: 'rollback',
      undoes: undo,
      nothingToDo: 'Nothing to restore: the accounts already hold their previous values.\n',
      inScope: [...new Set(lines.filter((line) => line.type === 'intent').map((line) => line.dn))],
      question: `Restore ${plan.changes.length} account(s) on ${plan.url}?`,
      after: () => {
        io.out(`${TAKES_EFFECT}\n`);
        return Promise.resolve();
      },
    });
  });
}
