/**
 * `delegaudit audit`: parse flags, call audit(), hand the report to a reporter, set the exit code.
 */
import type { Command } from 'commander';
import { audit, type AuditResult } from '../../operations/audit.js';
import type { ProbeOptions } from '../../probe/probe-hosts.js';
import { formatNames, render } from '../../report/formats/index.js';
import DG006 from '../../rules/DG006-delegation-differs-between-dcs.js';
import { SEVERITIES } from '../../rules/rule.js';
import type { Io } from '../io.js';
import { addConnectionOptions } from '../options/connection.js';
import { failOnOption, formatOption, outputOption } from '../options/output.js';
import { addProbeOptions, type ProbeFlags, probeOptionsFrom } from '../options/probe.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags } from '../options/selection.js';
import { runReadCommand } from '../read-command.js';
import { withCompleteCommands } from '../repeat-flags.js';

/** "DC01 and DC02 agree" / "2 accounts differ between DCs (DC03 not reached)". */
function comparedLine(report: AuditResult['report']): string {
  const dcs = report.comparedDcs ?? [];
  const reached = dcs.filter((dc) => dc.reachable).map((dc) => dc.dc);
  const missed = dcs.filter((dc) => !dc.reachable).map((dc) => dc.dc);
  const differ = report.findings.filter((f) => f.rule === DG006.id).length;
  const verdict = differ === 0 ? `${reached.join(', ')} agree on every delegation` : `${differ} account(s) differ between ${reached.join(', ')}`;
  return `${verdict}${missed.length === 0 ? '' : ` (not reached: ${missed.join(', ')})`}`;
}

export function registerAuditCommand(program: Command, io: Io): void {
  const command = program.command('audit').description('read the directory and report Hyper-V delegation and privileged-account findings (read-only)');
  addProbeOptions(addSelectionOptions(addConnectionOptions(command), 'treat this computer as a Hyper-V host (repeatable)'), true)
    .option('--rules <ids>', 'run only these rules, comma-separated (default: every rule)')
    .option('--inventory', 'also list every delegation in the domain and run the DG rules, as `delegaudit inventory` does')
    .option('--compare-dcs', 'also read the delegation attributes on every DC of the domain (one search each) and report where they disagree (DG006)')
    .addOption(failOnOption())
    .addOption(formatOption('report format (default table)', formatNames('audit')))
    .addOption(outputOption('report'))
    .action(async (flags: CommonFlags & ProbeFlags & { inventory?: boolean; compareDcs?: boolean }) => {
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
        run: ({ merged, connect, credentials, progress }) =>
          audit({ ...auditOptionsFrom(merged, connect, credentials, progress), probe, inventory, compareDcs: flags.compareDcs === true }),
        render: (result, format, { toFile }) =>
          render('audit', format, withCompleteCommands(result.report, flags), { color: !toFile && io.colorStdout, width: io.columns }),
        findings: (result) => result.report.findings,
        summary: ({ report }) =>
          `findings: ${SEVERITIES.map((s) => `${report.summary.findings[s]} ${s}`).join(', ')}${report.comparedDcs === undefined ? '' : `; ${comparedLine(report)}`}`,
      });
    });
}
