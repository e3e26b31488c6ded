/**
 * How eagerly V8 optimizes the command's code. A run lasts a second or a few, and on Node 20 most of
 * the optimizing compiler's work in it is never paid back.
 *
 * V8 11.3 (Node 20) optimizes a function with TurboFan once it has run 66 KiB of bytecode
 * (`--interrupt-budget`). The rules' checks, which walk the 500 hosts of the benchmark's large domain
 * once, qualify, and TurboFan compiles each of them on a background thread for 13 to 40 ms, some twice
 * (on-stack replacement, then the whole function). With eight times the budget, the audit of that
 * domain took 0.15 s less user CPU (0.71 s to 0.56 s, medians of 12 alternating runs), the inventory
 * 0.13 s less, the audit of the huge mock domain 0.33 s less, and wall times did not grow (the
 * functions that run long, such as ldapts's decoder, are still optimized; see docs/performance.md).
 *
 * V8 12 and later (Node 22, 24) put Maglev, a fast optimizing tier, before TurboFan and call TurboFan
 * only after thousands of invocations: they have no such flag and are left as they are.
 */
import { setFlagsFromString } from 'node:v8';

/** V8 11.3's default interrupt budget (66 KiB of bytecode), eight times over. */
const INTERRUPT_BUDGET = 8 * 66 * 1024;

/** The V8 flags the command sets on the V8 of this version ("11.3.244.8-node.38"). */
export function tieringFlags(v8Version: string): string[] {
  return v8Version.split('.')[0] === '11' ? [`--interrupt-budget=${INTERRUPT_BUDGET}`] : [];
}

/** Sets the flags for the running V8; called first thing by the command, never by the library. */
export function tuneTiering(): void {
  for (const flag of tieringFlags(process.versions.v8)) setFlagsFromString(flag);
}
