/**
 * What audit and fix share: the config file merged with flags, and the flags that choose hosts,
 * groups and privileged accounts.
 */
import { type Command, Option } from 'commander';
import type { Config } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { AuditOptions } from '../../operations/audit.js';
import type { BindCredentials, LdapConnectOptions } from '../../ldap/session.js';
import { collect } from './connection.js';

function wholeNumber(flag: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max) throw new ConfigError(`${flag} takes a whole number from 0 to ${max}, not ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** Flags as commander hands them over: lists still as repeatable or comma-separated values. */
export interface CommonFlags extends Omit<Config, 'hosts' | 'privilegedGroups' | 'services' | 'rules'> {
  host?: string[];
  privilegedGroup?: string[];
  services?: string;
  rules?: string;
  password?: string;
  debug?: boolean;
  config?: string;
  quiet?: boolean;
}

export type Merged = Config & { password?: string };

const NOT_CONFIG = new Set(['host', 'privilegedGroup', 'services', 'rules', 'debug', 'quiet', 'config']);

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

export function addSelectionOptions(command: Command, hostHelp: string): Command {
  return command
    .option('--host <name>', hostHelp, collect)
    .option('--hosts-ou <dn>', 'treat the computers in this OU as Hyper-V hosts')
    .option('--hosts-group <dn>', 'treat the computer members of this group as Hyper-V hosts')
    .addOption(new Option('--group-by <how>', 'migration groups: all hosts in one group, or one per OU').choices(['all', 'ou']))
    .option('--services <list>', 'services each host needs for its peers (default migration,cifs)')
    .option(
      '--accept-rbcd',
      "count a peer's resource-based delegation naming a host in place of the host's constrained delegation to it (unverified for live migration: Microsoft documents constrained delegation only)",
    )
    .option('--privileged-group <dn-or-sid>', 'another privileged group (repeatable)', collect)
    .option('--exclude <name>', 'keep this account out of PA001/PA002, e.g. a break-glass account (repeatable)', collect)
    .option('--retries <n>', 'read again on a new connection after busy, unavailable or a dropped connection (default 2)', wholeNumber('--retries', 10))
    .option('--retry-delay <ms>', 'wait before the first retry; doubles each time (default 1000)', wholeNumber('--retry-delay', 600_000));
}

/** The config file (if any) with the flags on top. */
export async function mergeFlags(flags: CommonFlags): Promise<Merged> {
  // zod (about 60 ms of CPU at start) is loaded only when there is a file to validate.
  const config = flags.config === undefined ? {} : await (await import('../../config/load-config.js')).loadConfig(flags.config);
  const merged: Merged = { ...config };
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined && !NOT_CONFIG.has(key)) (merged as Record<string, unknown>)[key] = value;
  }
  if (flags.host !== undefined) merged.hosts = flags.host;
  if (flags.privilegedGroup !== undefined) merged.privilegedGroups = flags.privilegedGroup;
  const services = list(flags.services) ?? merged.services;
  for (const service of services ?? []) {
    if (service !== 'migration' && service !== 'cifs') throw new ConfigError(`--services: unknown service ${JSON.stringify(service)} (known: migration, cifs)`);
  }
  if (services !== undefined) merged.services = services as Array<'migration' | 'cifs'>;
  const rules = list(flags.rules) ?? merged.rules;
  if (rules !== undefined) merged.rules = rules;
  return merged;
}

export function auditOptionsFrom(
  merged: Merged,
  connect: LdapConnectOptions,
  credentials: BindCredentials | undefined,
  onProgress: ((line: string) => void) | undefined,
): AuditOptions {
  return {
    ...connect,
    credentials,
    baseDN: merged.baseDn,
    hosts: merged.hosts,
    hostsOu: merged.hostsOu,
    hostsGroup: merged.hostsGroup,
    groupBy: merged.groupBy,
    groups: merged.groups,
    services: merged.services,
    acceptRbcd: merged.acceptRbcd,
    privilegedGroups: merged.privilegedGroups,
    exclude: merged.exclude,
    rules: merged.rules,
    retries: merged.retries,
    retryDelayMs: merged.retryDelay,
    onProgress,
  };
}
