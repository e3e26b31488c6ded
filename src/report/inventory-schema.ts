/**
 * The inventory report (`delegaudit inventory --format json`), version 1: what every inventory format prints.
 */
import type { DelegationType, InventoryRow } from '../directory/delegations.js';
import type { Finding } from '../rules/rule.js';

export const INVENTORY_SCHEMA_VERSION = 1;

/** What every inventory format prints, built once. */
export interface InventoryReport {
  schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  tool: { name: string; version: string };
  generatedAt: string;
  directory: { url: string; dc?: string; baseDN: string; dnsDomain: string; domainSid: string };
  summary: { rows: number; accounts: number; byType: Record<DelegationType, number> };
  rows: InventoryRow[];
  /** DG001–DG005 (and any other rules run), as in the audit report. */
  findings: Finding[];
  warnings: string[];
}
