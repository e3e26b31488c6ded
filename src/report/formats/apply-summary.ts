/**
 * What fix and rollback print after writing: the outcome of each account, and the findings before
 * and after.
 */
import type { ApplyResult } from '../../fix/apply.js';
import type { DcReplication } from '../../fix/verify-replication.js';
import type { Wording } from '../../errors.js';
import { terminalSafe } from '../../text/quote.js';
import type { Report } from '../schema.js';

const findingKey = (f: Report['findings'][number]): string => `${f.rule} ${f.subject.sAMAccountName}`;

/** "Findings before → after" lines, for the end of an applied fix. */
export function formatBeforeAfter(before: Report, after: Report): string {
  const was = new Set(before.findings.map(findingKey));
  const now = new Set(after.findings.map(findingKey));
  const resolved = [...was].filter((k) => !now.has(k));
  const appeared = [...now].filter((k) => !was.has(k));
  const lines = [`Findings before → after: ${was.size} → ${now.size}`];
  if (resolved.length) lines.push(`  resolved: ${resolved.map(terminalSafe).join(', ')}`);
  if (appeared.length) lines.push(`  new: ${appeared.map(terminalSafe).join(', ')}`);
  const left = [...now].filter((k) => was.has(k));
  if (left.length) lines.push(`  remaining: ${left.map(terminalSafe).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export interface ApplySummaryOptions {
  journal: string;
  /** Spells an error's wording (the CLI spells settings as flags). */
  spell: (wording: Wording) => string;
}

/** "Applied: 2 done, …" and a line for each account that did not simply succeed. */
export function formatApplySummary(result: ApplyResult, options: ApplySummaryOptions): string {
  const count = (status: string): number => result.outcomes.filter((o) => o.status === status).length;
  const lines = [
    `Applied: ${count('done')} done, ${count('already-applied')} already applied, ${count('failed')} failed, ${count('conflict')} conflicts, ${count('unknown')} unknown, ${count('not-attempted')} not attempted. Journal: ${options.journal}`,
  ];
  for (const o of result.outcomes) {
    if (o.error === undefined) continue;
    lines.push(
      `  ${terminalSafe(o.change.sAMAccountName)}: ${o.status}: ${terminalSafe(o.errorWording === undefined ? o.error : options.spell(o.errorWording))}`,
    );
  }
  if (result.interrupted) lines.push('Interrupted: the journal lists exactly what was applied; run the same command again to finish, or rollback the journal.');
  return `${lines.join('\n')}\n`;
}

/** Per DC, after `--verify-replication`: written here, converged after N s, not yet (which accounts), unreachable. */
export function formatReplication(results: readonly DcReplication[], waitSeconds: number): string {
  const width = Math.max(...results.map((r) => r.dc.length));
  const said = (r: DcReplication): string => {
    switch (r.status) {
      case 'written':
        return 'written here';
      case 'converged':
        return `converged after ${r.seconds ?? 0} s`;
      case 'not-yet':
        return `not yet after ${waitSeconds} s: ${(r.differing ?? []).map(terminalSafe).join(', ')} still differ`;
      case 'unreachable':
        return `unreachable for ${waitSeconds} s: ${terminalSafe(r.error ?? '')}`;
    }
  };
  const lines = [
    `Replication (each DC read until it holds what was written, up to ${waitSeconds} s):`,
    ...results.map((r) => `  ${terminalSafe(r.dc).padEnd(width)}  ${said(r)}`),
  ];
  if (!results.every((r) => r.status === 'written' || r.status === 'converged')) {
    lines.push(
      'Not every DC has the change yet: hosts that ask those DCs still see the old delegation. Check replication, then run again with --verify-replication.',
    );
  }
  return `${lines.join('\n')}\n`;
}
