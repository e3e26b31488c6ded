/**
 * The default journal name, `delegaudit-journal-20261126T030500Z.jsonl` (UTC): apart from journal.ts
 * and its zod schema, so that a dry run does not load zod.
 */
export function defaultJournalName(operation: 'fix' | 'rollback', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return operation === 'fix' ? `delegaudit-journal-${stamp}.jsonl` : `delegaudit-rollback-${stamp}.jsonl`;
}
