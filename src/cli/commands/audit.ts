/**
 * `delegaudit audit`: parse flags, call audit(), hand the report to a reporter, set the exit code.
 */
import type { Command } from 'commander';
import { audit, type AuditResult, type ProbeOptions } from '../../index.js';
import { formatNames, render } from '../../report/formats/index.js';
import { SEVERITIES } from '../../rules/rule.js';
import type { Io } from '../io.js';
import { addConnectionOptions } from '../options/connection.js';
import { failOnOption, formatOption, outputOption } from '../options/output.js';
import { addProbeOptions, type ProbeFlags, probeOptionsFrom } from '../options/probe.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags } from '../options/selection.js';
import { runReadCommand } from '../read-command.js';
import { withCompleteCommands } from '../repeat-flags.js';

export function registerAuditCommand(program: Command, io: Io): void {
  const command = program.command('audit').description('read the directory and report Hyper-V delegation and privileged-account findings (read-only)');
  addProbeOptions(addSelectionOptions(addConnectionOptions(command), 'treat this computer as a Hyper-V host (repeatable)'), true)
    .option('--rules <ids>', 'run only these rules, comma-separated (default: every rule)')
    .option('--inventory', 'also list every delegation in the domain and run the DG rules, as `delegaudit inventory` does')
    .addOption(failOnOption())
    .addOption(formatOption('report format (default table)', formatNames('audit')))
    .addOption(outputOption('report'))
    .action(async (flags: CommonFlags & ProbeFlags & { inventory?: boolean }) => {
      let probe: ProbeOptions | undefined;
      const inventory = flags.inventory === true;
      await runReadCommand<AuditResult, 'audit'>(flags, io, {
        kind: 'audit',
        defaultFailOn: 'high',
        written: 'report written to',
        prepare: () => {
          probe = probeOptionsFrom(flags, false);
        },
        check: (_merged, format) => {
          if (inventory && format === 'csv')
            io.warn('--inventory: the CSV report has one row per finding; for the delegation rows use `delegaudit inventory --format csv`');
        },
        run: ({ merged, connect, credentials, progress }) => audit({ ...auditOptionsFrom(merged, connect, credentials, progress), probe, inventory }),
        render: (result, format, { toFile }) =>
          render('audit', format, withCompleteCommands(result.report, flags), { color: !toFile && io.colorStdout, width: io.columns }),
        findings: (result) => result.report.findings,
        summary: ({ report }) => `findings: ${SEVERITIES.map((s) => `${report.summary.findings[s]} ${s}`).join(', ')}`,
      });
    });
}
