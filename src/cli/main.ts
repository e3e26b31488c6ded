#!/usr/bin/env node
/**
 * The delegaudit command line. The only module that reads argv, prints, and sets the exit code.
 */
import { Command, CommanderError } from 'commander';
import { AuthError, ConfigError, ConnectionError, DirectoryReadError, WriteConflictError } from '../errors.js';
import { TOOL } from '../version.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerDiffCommand } from './commands/diff.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerProbeCommand } from './commands/probe.js';
import { registerInventoryCommand } from './commands/inventory.js';
import { registerFixCommand } from './commands/fix.js';
import { registerRollbackCommand } from './commands/rollback.js';
import { EXIT } from './exit-codes.js';
import { errorText } from './flag-advice.js';
import { processIo } from './io.js';
import { tuneTiering } from './tiering.js';

tuneTiering();

const io = processIo();
const debug = process.argv.includes('--debug');

function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.USAGE;
  if (error instanceof WriteConflictError) return EXIT.WRITE_INCOMPLETE;
  if (error instanceof ConnectionError || error instanceof AuthError || error instanceof DirectoryReadError) return EXIT.CONNECTION;
  return EXIT.INTERNAL;
}

const program = new Command('delegaudit')
  .description('Audit and repair Kerberos delegation for Hyper-V live migration and privileged accounts in Active Directory.')
  .version(TOOL.version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });
registerAuditCommand(program, io);
registerInventoryCommand(program, io);
registerProbeCommand(program, io);
registerDiffCommand(program, io);
registerExplainCommand(program, io);
registerDoctorCommand(program, io);
registerFixCommand(program, io);
registerRollbackCommand(program, io);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed its message; help and --version are not errors.
    process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else {
    const code = exitCodeFor(error);
    const message = errorText(error);
    io.error(code === EXIT.INTERNAL ? `unexpected: ${message} (this is a bug: run again with --debug and report the stack)` : message);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    if (debug && error instanceof Error && error.cause instanceof Error && error.cause.stack) process.stderr.write(`caused by: ${error.cause.stack}\n`);
    process.exitCode = code;
  }
}
