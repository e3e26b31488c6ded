/**
 * Undoing a journal: for every account whose change was applied (or whose outcome is unknown because
 * the run broke with the modify in flight), restore what that change touched, in reverse order,
 * computed against the account as it is now, so a rollback is as safe to repeat as a fix.
 */
import { dnKey } from '../ldap/codecs/dn.js';
import { spnKey } from '../ldap/codecs/spn.js';
import { UAC } from '../ldap/codecs/uac.js';
import type { AccountState } from './account-state.js';
import type { JournalIntent, JournalLine } from './journal.js';
import type { FixFlag, FixPlan, PlannedChange } from './plan.js';
import { isEmpty } from './plan.js';

const FIX_FLAGS: readonly FixFlag[] = ['TRUSTED_TO_AUTH_FOR_DELEGATION', 'NOT_DELEGATED', 'TRUSTED_FOR_DELEGATION'];
const FIX_BITS = FIX_FLAGS.reduce((mask, flag) => mask | UAC[flag], 0);

/** The intents whose change may be in the directory: the last attempt per account, unless it failed. */
export function appliedIntents(lines: readonly JournalLine[]): JournalIntent[] {
  const last = new Map<number, { intent: JournalIntent; outcome: string | undefined }>();
  for (const line of lines) {
    if (line.type === 'intent') last.set(line.seq, { intent: line, outcome: undefined });
    else if (line.type === 'done' || line.type === 'failed' || line.type === 'unknown') {
      const entry = last.get(line.seq);
      if (entry?.intent.attempt === line.attempt) entry.outcome = line.type;
    }
  }
  return [...last.values()]
    .filter((e) => e.outcome !== 'failed')
    .map((e) => e.intent)
    .sort((a, b) => b.seq - a.seq);
}

export function planRollback(lines: readonly JournalLine[], states: ReadonlyMap<string, AccountState>): FixPlan {
  const begin = lines[0];
  if (begin?.type !== 'begin') throw new Error('planRollback needs a validated journal');
  const changes: PlannedChange[] = [];
  const skipped: string[] = [];
  for (const intent of appliedIntents(lines)) {
    const state = states.get(dnKey(intent.dn));
    if (state === undefined) {
      skipped.push(`${intent.dn}: no longer exists; nothing to restore`);
      continue;
    }
    const present = new Set(state.allowedToDelegateTo.map(spnKey));
    const setFlags: FixFlag[] = [];
    const clearFlags: FixFlag[] = [];
    const uac = intent.change.userAccountControl;
    if (uac !== null) {
      const changed = (uac.from ^ uac.to) >>> 0;
      if ((changed & ~FIX_BITS) !== 0) {
        skipped.push(
          `${intent.dn}: the journal changes userAccountControl bits delegaudit never writes (0x${((changed & ~FIX_BITS) >>> 0).toString(16)}); restore it by hand`,
        );
        continue;
      }
      for (const flag of FIX_FLAGS) {
        if ((changed & UAC[flag]) === 0) continue;
        if ((uac.from & UAC[flag]) !== 0) setFlags.push(flag);
        else clearFlags.push(flag);
      }
    }
    const change: PlannedChange = {
      dn: state.dn,
      sAMAccountName: intent.sAMAccountName,
      kind: intent.kind,
      add: intent.change.remove.filter((v) => !present.has(spnKey(v))),
      remove: state.allowedToDelegateTo.filter((v) => intent.change.add.some((a) => spnKey(a) === spnKey(v))),
      setFlags,
      clearFlags,
      before: { userAccountControl: state.userAccountControl, allowedToDelegateTo: state.allowedToDelegateTo },
      resolves: [],
    };
    if (!isEmpty(change)) changes.push(change);
  }
  return { url: begin.url, baseDN: begin.baseDN, changes, skipped };
}
