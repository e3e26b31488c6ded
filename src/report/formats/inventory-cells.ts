/**
 * The cells people read for an inventory row, shared by the inventory's formats and the audit
 * report's inventory section. Directory text goes through the format's `escape`.
 */
import type { InventoryRow } from '../../directory/delegations.js';
import { yesNo } from './words.js';

const TYPE_LABEL: Record<InventoryRow['delegation'], string> = {
  unconstrained: 'unconstrained',
  constrained: 'constrained (Kerberos only)',
  'constrained-protocol-transition': 'constrained (any protocol)',
  'resource-based': 'resource-based',
};

/** The columns every human format shows, in order. */
export const INVENTORY_HEAD = ['account', 'type', 'enabled', 'sensitive', 'privileged', 'delegation', 'target', 'target exists'];

/** The rows as an HTML table; `escape` is the page's HTML escaping. */
export function inventoryRowsHtml(rows: readonly InventoryRow[], escape: (text: string) => string): string[] {
  return [
    `<table><thead><tr>${INVENTORY_HEAD.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>`,
    ...rows.map(
      (r) =>
        `<tr>${inventoryCells(r, escape)
          .map((c) => `<td>${c}</td>`)
          .join('')}</tr>`,
    ),
    '</tbody></table>',
  ];
}

/** One row's cells for people, directory text passed through the format's `escape`. */
export function inventoryCells(r: InventoryRow, escape: (text: string) => string): string[] {
  return [
    escape(r.sAMAccountName),
    r.isDomainController ? `${r.kind} (DC)` : r.kind,
    yesNo(r.enabled),
    yesNo(r.sensitive),
    yesNo(r.privileged),
    r.expected ? `${TYPE_LABEL[r.delegation]} (expected: DC)` : TYPE_LABEL[r.delegation],
    r.delegation === 'unconstrained' ? 'any service' : escape(r.target),
    r.targetExists === 'n/a' ? '' : r.targetAccount !== undefined && r.targetExists === 'yes' ? `yes (${escape(r.targetAccount)})` : r.targetExists,
  ];
}
