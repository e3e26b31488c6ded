/**
 * `delegaudit diff OLD.json NEW.json`: drift between two JSON reports. Exit 1 when a finding at or
 * above --fail-on appeared (or rose to it), so a scheduled job can alert; 2 on an unreadable,
 * invalid or other-version report.
 */
import type { Command } from 'commander';
import type { FailOn } from '../../config/fail-on.js';
import { diffReports, driftAtOrAbove } from '../../diff/diff-reports.js';
import { type FormatName, formatNames, render } from '../../report/formats/index.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { failOnOption, formatOption, outputOption } from '../options/output.js';
import { writeOutputFile } from '../write-output.js';

interface DiffFlags {
  format?: FormatName<'diff'>;
  failOn?: FailOn;
  output?: string;
}

export function registerDiffCommand(program: Command, io: Io): void {
  program
    .command('diff')
    .description('compare two JSON reports (audit --format json): findings appeared and resolved, hosts, delegation entries, flags')
    .argument('<old>', 'the earlier report (JSON)')
    .argument('<new>', 'the later report (JSON)')
    .addOption(formatOption('output format (default table)', formatNames('diff')))
    .addOption(failOnOption('exit 1 when a finding at or above this appeared (default high)'))
    .addOption(outputOption('diff'))
    .option('--debug', 'print stack traces on errors')
    .action(async (oldPath: string, newPath: string, flags: DiffFlags) => {
      const { readReportFile } = await import('../../diff/read-report.js');
      const [before, after] = await Promise.all([readReportFile(oldPath), readReportFile(newPath)]);
      const diff = diffReports(before, after);
      const format = flags.format ?? 'table';
      // The table prints its warnings itself; JSON carries them in `warnings`, and a person watching stderr should see them too.
      if (format === 'json') for (const warning of diff.warnings) io.warn(warning);
      const text = render('diff', format, diff, {
        names: { old: oldPath, new: newPath },
        ...(flags.output === undefined && io.columns !== undefined ? { width: io.columns } : {}),
      });
      if (flags.output !== undefined) {
        await writeOutputFile(flags.output, text);
        io.progress(`diff written to ${flags.output}`);
      } else {
        io.out(text);
      }
      const failOn = flags.failOn ?? 'high';
      const alarming = failOn === 'never' ? [] : driftAtOrAbove(diff, failOn);
      if (alarming.length > 0) io.progress(`${alarming.length} finding${alarming.length === 1 ? '' : 's'} at or above ${failOn} appeared`);
      io.setExitCode(alarming.length > 0 ? EXIT.FINDINGS : EXIT.OK);
    });
}
