/**
 * `delegaudit explain CODE|RULE` and `delegaudit explain --list`: what an error code, event, port or
 * rule means, its likely causes, the rule that detects it, and the fix. Works offline.
 */
import { type Command, Option } from 'commander';
import { ConfigError } from '../../errors.js';
import { explain, explanationJson, formatExplanation, formatList, listJson } from '../../explain/explain.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';

interface ExplainFlags {
  list?: boolean;
  format?: 'text' | 'json';
}

export function registerExplainCommand(program: Command, io: Io): void {
  program
    .command('explain')
    .description('explain an error code, event ID, port, privilege or group (0x8009030E, 21024, 6600, …) or a rule (HV001)')
    .argument('[code...]', 'the code or rule id; words are joined ("Protected Users")')
    .option('--list', 'list every code and rule it can explain')
    .addOption(new Option('--format <format>', 'output format (default text)').choices(['text', 'json']))
    .option('--debug', 'print stack traces on errors')
    .action((words: string[], flags: ExplainFlags) => {
      const json = flags.format === 'json';
      const width = io.columns ?? 100;
      if (flags.list === true) {
        if (words.length > 0) throw new ConfigError('explain: give a code or --list, not both');
        io.out(json ? `${JSON.stringify(listJson(), null, 2)}\n` : formatList(width));
        io.setExitCode(EXIT.OK);
        return;
      }
      const code = words.join(' ').trim();
      if (code === '') throw new ConfigError('explain: which code? e.g. `delegaudit explain 0x8009030E`; `delegaudit explain --list` lists them');
      const explanation = explain(code);
      if (explanation === undefined) {
        throw new ConfigError(`explain: ${JSON.stringify(code)} is neither a code nor a rule delegaudit knows: \`delegaudit explain --list\` lists them`);
      }
      io.out(json ? `${JSON.stringify(explanationJson(explanation), null, 2)}\n` : formatExplanation(explanation, width));
      io.setExitCode(EXIT.OK);
    });
}
