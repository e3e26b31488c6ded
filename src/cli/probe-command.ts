/**
 * `delegaudit probe`: read the hosts from the directory, try a TCP connection to each one's live-migration
 * port, and report the hosts where nothing listens (HV011). Also the probe flags `audit --probe` shares.
 */
import { type Command, Option } from 'commander';
import { FAIL_ON, type FailOn } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { audit, failsOn } from '../index.js';
import { parsePort, parseResolve, PROBE_DEFAULTS, type ProbeOptions, type ResolveOverride } from '../probe/probe-hosts.js';
import { vmmsScript } from '../probe/vmms-script.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat } from '../report/index.js';
import { formatProbeTable } from '../report/probe-table.js';
import type { Report } from '../report/schema.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags, mergeFlags } from './audit-options.js';
import { addConnectionOptions, positiveInt, resolveConnection } from './connection-options.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { writeOutputFile } from './write-output.js';

export interface ProbeFlags {
  probe?: boolean;
  port?: number;
  resolve?: Array<[string, ResolveOverride]>;
  probeTimeout?: number;
  probeConcurrency?: number;
}

function resolveFlag(value: string, previous: Array<[string, ResolveOverride]> | undefined): Array<[string, ResolveOverride]> {
  return [...(previous ?? []), parseResolve(value)];
}

/** --port, --resolve, --probe-timeout, --probe-concurrency (and --probe for audit). */
export function addProbeOptions(command: Command, withSwitch: boolean): Command {
  if (withSwitch) command.option('--probe', `also try a TCP connection to each host's live-migration port (HV011)`);
  return command
    .option('--port <port>', `the port to probe (default ${PROBE_DEFAULTS.port})`, (v: string) => parsePort(v))
    .option('--resolve <name=address>', 'connect to this address for this host name instead of asking DNS, like curl (repeatable; ADDRESS:PORT also sets the port)', resolveFlag)
    .option('--probe-timeout <ms>', `how long to wait for DNS and for each connection (default ${PROBE_DEFAULTS.timeoutMs})`, positiveInt('--probe-timeout'))
    .option('--probe-concurrency <n>', `connections in flight at once (default ${PROBE_DEFAULTS.concurrency})`, (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024) throw new ConfigError(`--probe-concurrency takes a whole number from 1 to 1024, not ${JSON.stringify(v)}`);
      return Number(v);
    });
}

/** The probe options the flags ask for; undefined for an audit without --probe. */
export function probeOptionsFrom(flags: ProbeFlags, always: boolean): ProbeOptions | undefined {
  const given = flags.port !== undefined || flags.resolve !== undefined || flags.probeTimeout !== undefined || flags.probeConcurrency !== undefined;
  if (!always && flags.probe !== true) {
    if (given) throw new ConfigError('--port, --resolve, --probe-timeout and --probe-concurrency need --probe');
    return undefined;
  }
  return {
    port: flags.port,
    timeoutMs: flags.probeTimeout,
    concurrency: flags.probeConcurrency,
    resolve: flags.resolve === undefined ? undefined : new Map(flags.resolve),
  };
}

export const PROBE_FORMATS = ['table', 'powershell', ...REPORT_FORMATS.filter((f) => f !== 'table')] as const;
type ProbeFormat = 'table' | 'powershell' | ReportFormat;

function render(report: Report, format: ProbeFormat): string {
  if (format === 'table') return formatProbeTable(report);
  if (format === 'powershell') return vmmsScript(report);
  return REPORTERS[format](report);
}

export function registerProbeCommand(program: Command, io: Io): void {
  const command = program
    .command('probe')
    .description(`try a TCP connection to each Hyper-V host's live-migration port (${PROBE_DEFAULTS.port}) and report where nothing listens (HV011)`);
  addProbeOptions(addSelectionOptions(addConnectionOptions(command), 'probe this computer too (repeatable)'), false)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this (default medium: HV011\'s severity)').choices([...FAIL_ON]))
    .addOption(new Option('--format <format>', 'table (default), powershell (the fix for the hosts found), or any report format').choices([...PROBE_FORMATS]))
    .option('--output <file>', 'write the output to this file (mode 0600) instead of stdout')
    .action(async (flags: CommonFlags & ProbeFlags) => {
      const merged = await mergeFlags(flags);
      const format = (merged.format ?? 'table') as ProbeFormat;
      if (!(PROBE_FORMATS as readonly string[]).includes(format)) throw new ConfigError(`format ${JSON.stringify(format)} is not one of ${PROBE_FORMATS.join(', ')}`);
      const failOn: FailOn = merged.failOn ?? 'medium';
      const { connect, credentials, warnings } = await resolveConnection(merged, io);
      for (const warning of warnings) io.warn(warning);
      const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
      const result = await audit({ ...auditOptionsFrom(merged, connect, credentials, progress), rules: ['HV011'], probe: probeOptionsFrom(flags, true) });
      const text = render(result.report, format);
      if (merged.output !== undefined) {
        await writeOutputFile(merged.output, text);
        io.progress(`written to ${merged.output}`);
      } else {
        io.out(text);
      }
      if (format !== 'table') for (const warning of result.report.warnings) io.warn(warning);
      io.progress(`HV011: ${result.report.findings.length} host${result.report.findings.length === 1 ? '' : 's'} where nothing listens`);
      io.setExitCode(failsOn(result.report.findings, failOn) ? EXIT.FINDINGS : EXIT.OK);
    });
}
