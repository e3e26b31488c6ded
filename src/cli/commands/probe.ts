/**
 * `delegaudit probe`: read the hosts from the directory, try a TCP connection to each one's live-migration
 * port, and report the hosts where nothing listens (HV011).
 */
import type { Command } from 'commander';
import { audit, type AuditResult } from '../../operations/audit.js';
import { PROBE_DEFAULTS } from '../../probe/probe-hosts.js';
import { formatNames, render } from '../../report/formats/index.js';
import type { Io } from '../io.js';
import { addConnectionOptions } from '../options/connection.js';
import { failOnOption, formatOption, outputOption } from '../options/output.js';
import { addProbeOptions, type ProbeFlags, probeOptionsFrom } from '../options/probe.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags } from '../options/selection.js';
import { runReadCommand } from '../read-command.js';

export function registerProbeCommand(program: Command, io: Io): void {
  const command = program
    .command('probe')
    .description(`try a TCP connection to each Hyper-V host's live-migration port (${PROBE_DEFAULTS.port}) and report where nothing listens (HV011)`);
  addProbeOptions(addSelectionOptions(addConnectionOptions(command), 'probe this computer too (repeatable)'), false)
    .addOption(failOnOption("exit 1 when a finding is at or above this (default medium: HV011's severity)"))
    .addOption(formatOption('table (default), powershell (the fix for the hosts found), or any report format', formatNames('probe')))
    .addOption(outputOption('output'))
    .action(async (flags: CommonFlags & ProbeFlags) => {
      await runReadCommand<AuditResult, 'probe'>(flags, io, {
        kind: 'probe',
        defaultFailOn: 'medium',
        written: 'written to',
        run: ({ merged, connect, credentials, progress }) =>
          audit({ ...auditOptionsFrom(merged, connect, credentials, progress), rules: ['HV011'], probe: probeOptionsFrom(flags, true) }),
        render: (result, format) => render('probe', format, result.report, undefined),
        afterOutput: (result, format) => {
          if (format !== 'table') for (const warning of result.report.warnings) io.warn(warning);
        },
        findings: (result) => result.report.findings,
        incomplete: ({ report }) => {
          const results = report.probe?.results ?? [];
          if (results.length === 0) return 'nothing was probed: no Hyper-V host was found (--host, --hosts-ou or --hosts-group name them)';
          if (results.every((r) => r.status === 'unresolvable')) {
            return `nothing was probed: none of the ${results.length} host names resolved from here (--resolve NAME=ADDRESS gives an address)`;
          }
          return undefined;
        },
        summary: ({ report: { findings } }) => `HV011: ${findings.length} host${findings.length === 1 ? '' : 's'} where nothing listens`,
      });
    });
}
