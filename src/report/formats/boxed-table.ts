/**
 * cli-table3's boxed tables, loaded on first use: it and its string-width take about 20 ms at start,
 * which a run printing JSON, CSV or Markdown (a scheduled job's) does not need to spend.
 */
import { createRequire } from 'node:module';
import type CliTable from 'cli-table3';

const require = createRequire(import.meta.url);
let loaded: typeof CliTable | undefined;

/** A cli-table3 table with our style: no colour codes in head or border, cells wrapped at word boundaries. */
export function newTable(head: string[], colWidths?: number[]): CliTable.Table {
  loaded ??= require('cli-table3') as typeof CliTable;
  return new loaded({ head, style: { head: [], border: [] }, wordWrap: true, wrapOnWordBoundary: true, ...(colWidths ? { colWidths } : {}) });
}

/**
 * Column widths that fill a table `width` characters wide: the fixed ones first, then a last column
 * that takes the rest (30 at least), less the borders (one more than the columns).
 */
export function fillingWidths(width: number, fixed: number[]): number[] {
  const borders = fixed.length + 2;
  const used = fixed.reduce((a, b) => a + b, 0);
  return [...fixed, Math.max(30, width - used - borders)];
}
