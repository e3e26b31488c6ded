/**
 * Builds the inventory report object that every inventory format prints.
 */
import type { AuditModel } from '../directory/audit-model.js';
import { INVENTORY_SCHEMA_VERSION, type InventoryReport } from './inventory-schema.js';
import type { Finding } from '../rules/rule.js';
import { TOOL } from '../version.js';
import { accountCount, buildInventory, DELEGATION_TYPES, type DelegationType } from '../directory/delegations.js';

export function buildInventoryReport(model: AuditModel, findings: Finding[], generatedAt: Date = new Date()): InventoryReport {
  const { rows } = buildInventory(model);
  const { directory } = model;
  const byType = Object.fromEntries(DELEGATION_TYPES.map((t) => [t, rows.filter((r) => r.delegation === t).length])) as Record<DelegationType, number>;
  return {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: generatedAt.toISOString(),
    directory: { url: directory.url, dc: directory.dc, baseDN: directory.baseDN, dnsDomain: directory.dnsDomain, domainSid: directory.domainSid },
    summary: { rows: rows.length, accounts: accountCount(rows), byType },
    // The rows are shared with the DG rules (buildInventory caches them per model); nothing mutates them.
    rows: [...rows],
    findings,
    warnings: [...model.warnings],
  };
}
