/**
 * What fix and rollback print after writing: the outcome of each account, and the findings before
 * and after.
 */
import type { ApplyResult, Report } from '../index.js';
import { terminalSafe } from '../report/terminal-text.js';
import { EXIT } from './exit-codes.js';
import { withFlags } from './flag-advice.js';

const findingKey = (f: Report['findings'][number]): string => `${f.rule} ${f.subject.sAMAccountName}`;

/** "Findings before → after" lines, for the end of an applied fix. */
export function beforeAfter(before: Report, after: Report): string {
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

/** A summary of an apply, and the exit code it deserves. */
export function applySummary(result: ApplyResult, journal: string): { text: string; code: number } {
  const count = (status: string): number => result.outcomes.filter((o) => o.status === status).length;
  const lines = [`Applied: ${count('done')} done, ${count('already-applied')} already applied, ${count('failed')} failed, ${count('conflict')} conflicts, ${count('unknown')} unknown, ${count('not-attempted')} not attempted. Journal: ${journal}`];
  for (const o of result.outcomes.filter((o) => o.error !== undefined)) lines.push(`  ${terminalSafe(o.change.sAMAccountName)}: ${o.status}: ${terminalSafe(o.errorWording === undefined ? o.error! : withFlags(o.errorWording))}`);
  if (result.interrupted) lines.push('Interrupted: the journal lists exactly what was applied; run the same command again to finish, or rollback the journal.');
  const incomplete = result.outcomes.some((o) => o.status !== 'done' && o.status !== 'already-applied');
  return { text: `${lines.join('\n')}\n`, code: result.fatal !== undefined ? EXIT.CONNECTION : incomplete ? EXIT.WRITE_INCOMPLETE : EXIT.OK };
}
