/**
 * The skeleton every read command (audit, inventory, probe) shares: merge the config file and the
 * flags, check the format, connect, run, render, write to stdout or a 0600 file, say how it went,
 * and set the exit code from --fail-on.
 */
import type { FailOn } from '../config/fail-on.js';
import { failsOn } from '../operations/fail-on.js';
import type { BindCredentials, LdapConnectOptions } from '../ldap/session.js';
import { checkFormat, type FormatName, type Rendered } from '../report/formats/index.js';
import type { Severity } from '../rules/rule.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { resolveConnection } from './options/connection.js';
import { type CommonFlags, type Merged, mergeFlags } from './options/selection.js';
import { writeOutputFile } from './write-output.js';

/** What a read command's run gets: the merged settings and a way to reach the DC. */
export interface ReadContext {
  merged: Merged;
  connect: LdapConnectOptions;
  /** The user and password of a simple bind; none with Kerberos. */
  credentials: BindCredentials | undefined;
  /** Progress lines on stderr; undefined with --quiet. */
  progress: ((line: string) => void) | undefined;
}

type ReadKind = 'audit' | 'inventory' | 'probe';

export interface ReadCommand<R, K extends ReadKind, F extends string = FormatName<K>> {
  /** Which formats (report/formats) the command has. */
  kind: K;
  /** Prefix of the unknown-format message ("inventory: "); default none. */
  formatContext?: string;
  defaultFailOn: FailOn;
  /** What `--output` wrote: "report written to FILE". */
  written: string;
  /** Called first, with the settings merged: checks of flags that need no connection. */
  prepare?(merged: Merged): void;
  /** Called after connecting, before the run: warnings about the combination asked for. */
  check?(merged: Merged, format: F): void;
  run(context: ReadContext): Promise<R>;
  render(result: R, format: F, target: { toFile: boolean }): Rendered;
  /** Called after the output is written. */
  afterOutput?(result: R, format: F): void;
  findings(result: R): ReadonlyArray<{ severity: Severity }>;
  /** Why the run checked nothing it was asked to check (exit 3), or undefined. Default: never. */
  incomplete?(result: R): string | undefined;
  /** The last progress line: what was found. */
  summary(result: R): string;
}

export async function runReadCommand<R, K extends ReadKind>(flags: CommonFlags, io: Io, command: ReadCommand<R, K>): Promise<void> {
  const merged = await mergeFlags(flags);
  command.prepare?.(merged);
  const format = checkFormat(command.kind, merged.format ?? 'table', command.formatContext);
  const failOn: FailOn = merged.failOn ?? command.defaultFailOn;
  const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
  const { connect, credentials, warnings } = await resolveConnection(merged, io, progress);
  for (const warning of warnings) io.warn(warning);
  const say = progress ?? (() => undefined);
  command.check?.(merged, format);
  const result = await command.run({ merged, connect, credentials, progress });
  const toFile = merged.output !== undefined;
  const text = command.render(result, format, { toFile });
  if (toFile) {
    await writeOutputFile(merged.output!, text);
    say(`${command.written} ${merged.output}`);
  } else if (typeof text === 'string') {
    io.out(text);
  } else {
    await io.outPieces(text);
  }
  command.afterOutput?.(result, format);
  say(command.summary(result));
  const incomplete = command.incomplete?.(result);
  if (incomplete !== undefined) {
    io.warn(incomplete);
    io.setExitCode(EXIT.CONNECTION);
    return;
  }
  io.setExitCode(failsOn(command.findings(result), failOn) ? EXIT.FINDINGS : EXIT.OK);
}
