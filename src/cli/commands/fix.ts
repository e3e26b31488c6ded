/**
 * `delegaudit fix`: audit, plan, show; with --apply (and a confirmation) write, journal, re-audit.
 */
import type { Command } from 'commander';
import { render } from '../../report/formats/index.js';
import { audit } from '../../operations/audit.js';
import { planFixFor, writeTarget } from '../../operations/fix.js';
import { TAKES_EFFECT } from '../../rules/remediation.js';
import { formatBeforeAfter } from '../../report/formats/apply-summary.js';
import type { Io } from '../io.js';
import { addConnectionOptions, resolveConnection } from '../options/connection.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags, mergeFlags } from '../options/selection.js';
import { addWriteOptions, applyIfAsked, planFormat, type WriteFlags } from '../write-command.js';

interface FixFlags extends CommonFlags, WriteFlags {
  group?: string;
  protectPrivileged?: boolean;
  prune?: boolean;
  removeUnconstrained?: boolean;
  writeDc?: string;
}

export function registerFixCommand(program: Command, io: Io): void {
  const command = program
    .command('fix')
    .description('plan the delegation changes that resolve HV001/HV002/HV003 (and, when asked, PA001, HV005, HV004); write them only with --apply');
  const options = addSelectionOptions(addConnectionOptions(command), 'only this Hyper-V host (repeatable): the re-joined host workflow')
    .option('--group <name>', 'only this migration group')
    .option('--protect-privileged', 'set "sensitive and cannot be delegated" on PA001 accounts (see --exclude)')
    .option('--prune', 'remove HV005 stale delegation entries')
    .option('--remove-unconstrained', 'clear TRUSTED_FOR_DELEGATION on HV004 hosts whose constrained delegation is complete')
    .option('--write-dc <dc>', 'read the plan from and write it to this DC: pdc (the PDC emulator) or a DC name (default: the first DC that answers)');
  addWriteOptions(options, {
    apply: 'write the plan (default: dry run)',
    journal: 'undo journal (default: delegaudit-journal-<UTC time>.jsonl here)',
    format: 'how to print the plan: text, json, ldif (for ldapmodify) or powershell (default text)',
  }).action(async (flags: FixFlags) => {
    const merged = await mergeFlags({ ...flags, format: undefined });
    const format = planFormat(flags);
    const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
    const resolved = await resolveConnection(merged, io, progress);
    for (const warning of resolved.warnings) io.warn(warning);
    const { credentials } = resolved;
    const connect = await writeTarget(resolved.connect, credentials, flags.writeDc);
    if (flags.writeDc !== undefined) progress?.(`--write-dc ${flags.writeDc}: reading the plan from and writing it to ${connect.url}`);
    const read = { ...auditOptionsFrom(merged, connect, credentials, progress), rules: undefined };
    const { before, plan } = await planFixFor({
      ...read,
      hosts: merged.hosts,
      group: flags.group,
      protectPrivileged: flags.protectPrivileged,
      prune: flags.prune,
      removeUnconstrained: flags.removeUnconstrained,
    });
    io.out(
      render('plan', format, plan, {
        heading: flags.apply === true ? 'Plan' : 'Plan (dry run: nothing is written; add --apply to write)',
        ...(io.columns === undefined ? {} : { width: io.columns }),
      }),
    );
    await applyIfAsked(flags, io, {
      plan,
      connect,
      credentials,
      progress,
      operation: 'fix',
      nothingToDo: 'Nothing to do: the directory already matches.\n',
      inScope: before.model.hosts.map((host) => host.account.dn),
      question: `Apply these changes to ${plan.changes.length} account(s) on ${plan.url}?`,
      after: async (_result, written) => {
        // The DC written is the one read again: another DC may not have the change yet (--verify-replication checks them).
        const after = await audit({ ...read, ...written });
        io.out(formatBeforeAfter(before.report, after.report));
        io.out(`${TAKES_EFFECT}\n`);
      },
    });
  });
}
