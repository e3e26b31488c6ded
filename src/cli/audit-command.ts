/**
 * `delegaudit audit`: parse flags, call audit(), hand the report to a reporter, set the exit code.
 */
import { type Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { type Config, FAIL_ON, type FailOn } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { audit } from '../index.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat } from '../report/index.js';
import type { Report } from '../report/schema.js';
import { severityRank, SEVERITIES } from '../rules/rule.js';
import { addConnectionOptions, collect, resolveConnection } from './connection-options.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { writeOutputFile } from './write-output.js';

interface AuditFlags extends Omit<Config, 'hosts' | 'privilegedGroups' | 'services' | 'rules'> {
  host?: string[];
  privilegedGroup?: string[];
  services?: string;
  rules?: string;
  password?: string;
  debug?: boolean;
  config?: string;
  quiet?: boolean;
}

const list = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Whether any finding is at or above the threshold. */
export function failsOn(report: Report, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const limit = severityRank(failOn);
  return report.findings.some((f) => severityRank(f.severity) <= limit);
}

export function registerAuditCommand(program: Command, io: Io): void {
  const command = program
    .command('audit')
    .description('read the directory and report Hyper-V delegation and privileged-account findings (read-only)');
  addConnectionOptions(command)
    .option('--host <name>', 'treat this computer as a Hyper-V host (repeatable)', collect)
    .option('--hosts-ou <dn>', 'treat the computers in this OU as Hyper-V hosts')
    .option('--hosts-group <dn>', 'treat the computer members of this group as Hyper-V hosts')
    .addOption(new Option('--group-by <how>', 'migration groups: all hosts in one group, or one per OU').choices(['all', 'ou']))
    .option('--services <list>', 'services each host needs for its peers (default migration,cifs)')
    .option('--privileged-group <dn-or-sid>', 'another privileged group (repeatable)', collect)
    .option('--exclude <name>', 'keep this account out of PA001/PA002, e.g. a break-glass account (repeatable)', collect)
    .option('--rules <ids>', 'run only these rules, comma-separated (default: all)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this (default high)').choices([...FAIL_ON]))
    .addOption(new Option('--format <format>', 'report format (default table)').choices(REPORT_FORMATS))
    .option('--output <file>', 'write the report to this file (mode 0600) instead of stdout')
    .action(async (flags: AuditFlags) => {
      const fromFile = flags.config === undefined ? {} : await loadConfig(flags.config);
      const merged: Config & { password?: string } = { ...fromFile };
      for (const [key, value] of Object.entries(flags)) {
        if (value !== undefined && !['host', 'privilegedGroup', 'services', 'rules', 'debug', 'quiet', 'config'].includes(key)) {
          (merged as Record<string, unknown>)[key] = value;
        }
      }
      if (flags.host !== undefined) merged.hosts = flags.host;
      if (flags.privilegedGroup !== undefined) merged.privilegedGroups = flags.privilegedGroup;
      const rules = list(flags.rules) ?? merged.rules;
      const services = list(flags.services) ?? merged.services;
      for (const service of services ?? []) {
        if (service !== 'migration' && service !== 'cifs') throw new ConfigError(`--services: unknown service ${JSON.stringify(service)} (known: migration, cifs)`);
      }
      const format = (merged.format ?? 'table') as ReportFormat;
      if (!REPORT_FORMATS.includes(format)) throw new ConfigError(`format ${JSON.stringify(format)} is not one of ${REPORT_FORMATS.join(', ')}`);
      const failOn: FailOn = merged.failOn ?? 'high';

      const { connect, credentials, warnings } = await resolveConnection(merged, io);
      for (const warning of warnings) io.warn(warning);
      const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
      const result = await audit({
        ...connect,
        credentials,
        baseDN: merged.baseDn,
        hosts: merged.hosts,
        hostsOu: merged.hostsOu,
        hostsGroup: merged.hostsGroup,
        groupBy: merged.groupBy,
        groups: merged.groups,
        services: services as Array<'migration' | 'cifs'>,
        privilegedGroups: merged.privilegedGroups,
        exclude: merged.exclude,
        rules,
        onProgress: progress,
      });
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
      io.setExitCode(failsOn(result.report, failOn) ? EXIT.FINDINGS : EXIT.OK);
    });
}
