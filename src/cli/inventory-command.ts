/**
 * `delegaudit inventory`: every delegation in the domain (one row per account and delegation) and the
 * DG rules' findings. Read-only.
 */
import { type Command, Option } from 'commander';
import { FAIL_ON, type FailOn } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { failsOn, inventory } from '../index.js';
import { INVENTORY_FORMATS, INVENTORY_REPORTERS, inventoryCount, type InventoryFormat } from '../report/inventory.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags, mergeFlags } from './audit-options.js';
import { addConnectionOptions, resolveConnection } from './connection-options.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { writeOutputFile } from './write-output.js';

export function registerInventoryCommand(program: Command, io: Io): void {
  const command = program
    .command('inventory')
    .description('list every delegation in the domain (unconstrained, constrained, resource-based) and run the DG rules (read-only)');
  addSelectionOptions(addConnectionOptions(command), 'treat this computer as a Hyper-V host (repeatable)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this (default never)').choices([...FAIL_ON]))
    .addOption(new Option('--format <format>', 'inventory format (default table)').choices(INVENTORY_FORMATS))
    .option('--output <file>', 'write the inventory to this file (mode 0600) instead of stdout')
    .action(async (flags: CommonFlags) => {
      const merged = await mergeFlags(flags);
      const format = (merged.format ?? 'table') as InventoryFormat;
      if (!INVENTORY_FORMATS.includes(format)) throw new ConfigError(`inventory: format ${JSON.stringify(format)} is not one of ${INVENTORY_FORMATS.join(', ')}`);
      const failOn: FailOn = merged.failOn ?? 'never';

      const { connect, credentials, warnings } = await resolveConnection(merged, io);
      for (const warning of warnings) io.warn(warning);
      const progress = flags.quiet === true ? undefined : (line: string) => io.progress(line);
      const { rules: _ignored, ...options } = auditOptionsFrom(merged, connect, credentials, progress);
      const result = await inventory(options);
      const text = INVENTORY_REPORTERS[format](result.inventory);
      if (merged.output !== undefined) {
        await writeOutputFile(merged.output, text);
        io.progress(`inventory written to ${merged.output}`);
      } else {
        io.out(text);
      }
      const { rows, findings } = result.inventory;
      io.progress(`${inventoryCount(rows)}; ${findings.length} findings`);
      io.setExitCode(failsOn(findings, failOn) ? EXIT.FINDINGS : EXIT.OK);
    });
}
