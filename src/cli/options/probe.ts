/**
 * The probe flags: `delegaudit probe` and `audit --probe` share them.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { parsePort, parseResolve, PROBE_DEFAULTS, type ProbeOptions, type ResolveOverride } from '../../probe/probe-hosts.js';
import { positiveInt } from './connection.js';

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
    .option(
      '--resolve <name=address>',
      'connect to this address for this host name instead of asking DNS, like curl (repeatable; ADDRESS:PORT also sets the port)',
      resolveFlag,
    )
    .option('--probe-timeout <ms>', `how long to wait for DNS and for each connection (default ${PROBE_DEFAULTS.timeoutMs})`, positiveInt('--probe-timeout'))
    .option('--probe-concurrency <n>', `connections in flight at once (default ${PROBE_DEFAULTS.concurrency})`, (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024)
        throw new ConfigError(`--probe-concurrency takes a whole number from 1 to 1024, not ${JSON.stringify(v)}`);
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
