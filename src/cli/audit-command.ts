/**
 * `delegaudit audit`: parse flags, call audit(), hand the report to a reporter, set the exit code.
 */
import { type Command, Option } from 'commander';
import { FAIL_ON, type FailOn } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { audit, failsOn } from '../index.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat } from '../report/index.js';
import { SEVERITIES } from '../rules/rule.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags, mergeFlags } from './audit-options.js';
import { addConnectionOptions, resolveConnection } from './connection-options.js';
import { addProbeOptions, type ProbeFlags, probeOptionsFrom } from './probe-command.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { writeOutputFile } from './write-output.js';

export function registerAuditCommand(program: Command, io: Io): void {
  const command = program
    .command('audit')
    .description('read the directory and report Hyper-V delegation and privileged-account findings (read-only)');
  addProbeOptions(addSelectionOptions(addConnectionOptions(command), 'treat this computer as a Hyper-V host (repeatable)'), true)
    .option('--rules <ids>', 'run only these rules, comma-separated (default: every rule but the opt-in DG rules; `all` adds them)')
    .option('--inventory', 'also list every delegation in the domain and run the DG rules, as `delegaudit inventory` does')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this (default high)').choices([...FAIL_ON]))
    .addOption(new Option('--format <format>', 'report format (default table)').choices(REPORT_FORMATS))
    .option('--output <file>', 'write the report to this file (mode 0600) instead of stdout')
    .action(async (flags: CommonFlags & ProbeFlags & { inventory?: boolean }) => {
      const merged = await mergeFlags(flags);
      const probe = probeOptionsFrom(flags, false);
      const format = (merged.format ?? 'table') as ReportFormat;
      if (!REPORT_FORMATS.includes(format)) throw new ConfigError(`format ${JSON.stringify(format)} is not one of ${REPORT_FORMATS.join(', ')}`);
      const failOn: FailOn = merged.failOn ?? 'high';

      const { connect, credentials, warnings } = await resolveConnection(merged, io);
      for (const warning of warnings) io.warn(warning);
      const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
      if (flags.inventory === true && format === 'csv') io.warn('--inventory: the CSV report has one row per finding; for the delegation rows use `delegaudit inventory --format csv`');
      const result = await audit({ ...auditOptionsFrom(merged, connect, credentials, progress), probe, inventory: flags.inventory === true });
      const toFile = merged.output !== undefined;
      const text = REPORTERS[format](result.report, { color: !toFile && io.colorStdout, width: io.columns });
      if (toFile) {
        await writeOutputFile(merged.output!, text);
        io.progress(`report written to ${merged.output}`);
      } else {
        io.out(text);
      }
      const { findings } = result.report.summary;
      io.progress(`findings: ${SEVERITIES.map((s) => `${findings[s]} ${s}`).join(', ')}`);
      io.setExitCode(failsOn(result.report.findings, failOn) ? EXIT.FINDINGS : EXIT.OK);
    });
}
