/**
 * `delegaudit inventory`: every delegation in the domain (one row per account and delegation) and the
 * DG rules' findings. Read-only.
 */
import type { Command } from 'commander';
import { inventory, type InventoryResult } from '../../operations/audit.js';
import { formatNames, renderPieces } from '../../report/formats/index.js';
import { inventoryCount } from '../../report/formats/inventory.js';
import type { Io } from '../io.js';
import { addConnectionOptions } from '../options/connection.js';
import { failOnOption, formatOption, outputOption } from '../options/output.js';
import { addSelectionOptions, auditOptionsFrom, type CommonFlags } from '../options/selection.js';
import { runReadCommand } from '../read-command.js';

export function registerInventoryCommand(program: Command, io: Io): void {
  const command = program
    .command('inventory')
    .description('list every delegation in the domain (unconstrained, constrained, resource-based) and run the DG rules (read-only)');
  addSelectionOptions(addConnectionOptions(command), 'treat this computer as a Hyper-V host (repeatable)')
    .addOption(failOnOption('exit 1 when a finding is at or above this (default never)'))
    .addOption(formatOption('inventory format (default table)', formatNames('inventory')))
    .addOption(outputOption('inventory'))
    .action(async (flags: CommonFlags) => {
      await runReadCommand<InventoryResult, 'inventory'>(flags, io, {
        kind: 'inventory',
        formatContext: 'inventory: ',
        defaultFailOn: 'never',
        written: 'inventory written to',
        run: ({ merged, connect, credentials, progress }) => {
          const { rules: _ignored, ...options } = auditOptionsFrom(merged, connect, credentials, progress);
          return inventory(options);
        },
        render: (result, format) => renderPieces('inventory', format, result.inventory, io.columns === undefined ? undefined : { width: io.columns }),
        findings: (result) => result.inventory.findings,
        summary: ({ inventory: { rows, findings } }) => `${inventoryCount(rows)}; ${findings.length} findings`,
      });
    });
}
