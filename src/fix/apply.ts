/**
 * Applies a plan: one modify per account, journaled before and after. userAccountControl changes
 * delete the value read and add the new one in the same modify, so a concurrent change makes the
 * server refuse it; then the account is re-read once and the change recomputed, never clobbered.
 */
import { AuthError, ConnectionError, WriteConflictError } from '../errors.js';
import type { LdapSession } from '../ldap/connection.js';
import { spnKey } from '../ldap/spn.js';
import { TOOL } from '../version.js';
import { type AccountState, readAccountState } from './account-state.js';
import type { JournalWriter } from './journal.js';
import { type FixPlan, isEmpty, type PlannedChange, uacAfter } from './plan.js';

export type OutcomeStatus = 'done' | 'already-applied' | 'failed' | 'conflict' | 'unknown' | 'not-attempted';

export interface AccountOutcome {
  change: PlannedChange;
  status: OutcomeStatus;
  error?: string;
}

export interface ApplyResult {
  outcomes: AccountOutcome[];
  /** Stopped early by shouldStop() (SIGINT/SIGTERM). */
  interrupted: boolean;
  /** An error that stopped the run: no write access, or the connection broke. */
  fatal: AuthError | ConnectionError | undefined;
}

export interface ApplyOptions {
  journal: JournalWriter;
  operation: 'fix' | 'rollback';
  /** For a rollback, the journal it undoes. */
  undoes?: string;
  /** Checked before each account; true stops the run after the modify in flight. Default: never. */
  shouldStop?: () => boolean;
  /** Progress lines. Default: silent. */
  onProgress?: (line: string) => void;
}

const DELEGATION = 'msDS-AllowedToDelegateTo';

/** The modify request for a change: values one by one, then userAccountControl as delete-old + add-new. */
export function modifications(change: PlannedChange): Array<{ operation: 'add' | 'delete'; attribute: string; values: string[] }> {
  const mods: Array<{ operation: 'add' | 'delete'; attribute: string; values: string[] }> = [
    ...change.remove.map((value) => ({ operation: 'delete' as const, attribute: DELEGATION, values: [value] })),
    ...change.add.map((value) => ({ operation: 'add' as const, attribute: DELEGATION, values: [value] })),
  ];
  const from = change.before.userAccountControl;
  const to = uacAfter(from, change);
  if (to !== from) {
    mods.push({ operation: 'delete', attribute: 'userAccountControl', values: [String(from)] });
    mods.push({ operation: 'add', attribute: 'userAccountControl', values: [String(to)] });
  }
  return mods;
}

/** The same change against the account as it is now: what is already done drops out. */
export function recompute(change: PlannedChange, state: AccountState): PlannedChange {
  const present = new Set(state.allowedToDelegateTo.map(spnKey));
  return {
    ...change,
    add: change.add.filter((v) => !present.has(spnKey(v))),
    remove: state.allowedToDelegateTo.filter((v) => change.remove.some((r) => spnKey(r) === spnKey(v))),
    before: { userAccountControl: state.userAccountControl, allowedToDelegateTo: state.allowedToDelegateTo },
  };
}

export async function applyPlan(session: LdapSession, plan: FixPlan, options: ApplyOptions): Promise<ApplyResult> {
  const { journal } = options;
  const progress = options.onProgress ?? (() => undefined);
  const now = (): string => new Date().toISOString();
  journal.append({ type: 'begin', operation: options.operation, tool: TOOL.name, version: TOOL.version, url: plan.url, baseDN: plan.baseDN, at: now(), ...(options.undoes ? { undoes: options.undoes } : {}) });

  const outcomes: AccountOutcome[] = plan.changes.map((change) => ({ change, status: 'not-attempted' }));
  let interrupted = false;
  let fatal: AuthError | ConnectionError | undefined;

  const attempt = async (seq: number, n: number, change: PlannedChange): Promise<void> => {
    const from = change.before.userAccountControl;
    const to = uacAfter(from, change);
    journal.append({
      type: 'intent',
      seq,
      attempt: n,
      dn: change.dn,
      sAMAccountName: change.sAMAccountName,
      kind: change.kind,
      at: now(),
      before: change.before,
      change: { add: change.add, remove: change.remove, userAccountControl: to === from ? null : { from, to } },
      resolves: change.resolves,
    });
    try {
      await session.modify(change.dn, modifications(change));
    } catch (error) {
      const type = error instanceof ConnectionError ? 'unknown' : 'failed';
      journal.append({ type, seq, attempt: n, dn: change.dn, at: now(), error: (error as Error).message, ...(error instanceof WriteConflictError ? { code: error.code } : {}) });
      throw error;
    }
    journal.append({ type: 'done', seq, attempt: n, dn: change.dn, at: now() });
  };

  for (const [seq, outcome] of outcomes.entries()) {
    if (options.shouldStop?.() === true) {
      interrupted = true;
      break;
    }
    const { change } = outcome;
    try {
      await attempt(seq, 1, change);
      outcome.status = 'done';
    } catch (error) {
      if (error instanceof AuthError || error instanceof ConnectionError) {
        outcome.status = error instanceof ConnectionError ? 'unknown' : 'failed';
        outcome.error = error.message;
        fatal = error;
        break;
      }
      if (!(error instanceof WriteConflictError)) throw error;
      // 20 (a value we add is there) or 16 (a value or the old userAccountControl is gone): someone
      // changed the account since we read it. Re-read once and apply what is still missing.
      if (error.code !== 20 && error.code !== 16) {
        outcome.status = 'failed';
        outcome.error = error.message;
        continue;
      }
      progress(`${change.sAMAccountName} changed since it was read; re-reading it once`);
      try {
        const state = await readAccountState(session, change.dn);
        if (state === undefined) {
          outcome.status = 'failed';
          outcome.error = `${change.dn} no longer exists`;
          continue;
        }
        const retry = recompute(change, state);
        if (isEmpty(retry)) {
          outcome.status = 'already-applied';
          continue;
        }
        await attempt(seq, 2, retry);
        outcome.status = 'done';
      } catch (second) {
        if (second instanceof AuthError || second instanceof ConnectionError) {
          outcome.status = second instanceof ConnectionError ? 'unknown' : 'failed';
          outcome.error = second.message;
          fatal = second;
          break;
        }
        if (!(second instanceof WriteConflictError)) throw second;
        outcome.status = 'conflict';
        outcome.error = `changed concurrently twice; left as it is: ${second.message}`;
      }
    }
    progress(`${change.sAMAccountName}: ${outcome.status}`);
  }
  journal.append({
    type: 'end',
    at: now(),
    applied: outcomes.filter((o) => o.status === 'done' || o.status === 'already-applied').length,
    failed: outcomes.filter((o) => o.status === 'failed' || o.status === 'conflict' || o.status === 'unknown').length,
    interrupted,
  });
  return { outcomes, interrupted, fatal };
}
