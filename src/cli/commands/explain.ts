/**
 * `delegaudit explain CODE|RULE` and `delegaudit explain --list`: what an error code, event, port or
 * rule means, its likely causes, the rule that detects it, and the fix. Works offline.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { explain } from '../../explain/explain.js';
import { type FormatName, formatNames, render } from '../../report/formats/index.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { formatOption } from '../options/output.js';

interface ExplainFlags {
  list?: boolean;
  format?: FormatName<'explain'>;
}

export function registerExplainCommand(program: Command, io: Io): void {
  program
    .command('explain')
    .description('explain an error code, event ID, port, privilege or group (0x8009030E, 21024, 6600, …) or a rule (HV001)')
    .argument('[code...]', 'the code or rule id; words are joined ("Protected Users")')
    .option('--list', 'list every code and rule it can explain')
    .addOption(formatOption('output format (default text)', formatNames('explain')))
    .option('--debug', 'print stack traces on errors')
    .action((words: string[], flags: ExplainFlags) => {
      const width = io.columns ?? 100;
      if (flags.list === true) {
        if (words.length > 0) throw new ConfigError('explain: give a code or --list, not both');
        io.out(render('explain', flags.format ?? 'text', { kind: 'list' }, { width }));
        io.setExitCode(EXIT.OK);
        return;
      }
      const code = words.join(' ').trim();
      if (code === '') throw new ConfigError('explain: which code? e.g. `delegaudit explain 0x8009030E`; `delegaudit explain --list` lists them');
      const explanation = explain(code);
      if (explanation === undefined) {
        throw new ConfigError(`explain: ${JSON.stringify(code)} is neither a code nor a rule delegaudit knows: \`delegaudit explain --list\` lists them`);
      }
      io.out(render('explain', flags.format ?? 'text', { kind: 'one', explanation }, { width }));
      io.setExitCode(EXIT.OK);
    });
}
