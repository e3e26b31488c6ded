/**
 * Applies a plan: one modify per account, journaled before and after. userAccountControl changes
 * delete the value read and add the new one in the same modify, so a concurrent change makes the
 * server refuse it; then the account is re-read once and the change recomputed, never clobbered.
 */
import { AuthError, ConnectionError, NoSuchValueError, ValueExistsError, type Wording, WriteConflictError } from '../errors.js';
import type { LdapSession } from '../ldap/session.js';
import { spnKey } from '../ldap/codecs/spn.js';
import { TOOL } from '../version.js';
import { type AccountState, readAccountState } from './account-state.js';
import type { JournalConnection, JournalWriter } from './journal.js';
import { type FixPlan, isEmpty, type PlannedChange, uacAfter } from './plan.js';

export type OutcomeStatus = 'done' | 'already-applied' | 'failed' | 'conflict' | 'unknown' | 'not-attempted';

export interface AccountOutcome {
  change: PlannedChange;
  status: OutcomeStatus;
  error?: string;
  /** `error` with the settings it names marked (errors.ts), for callers that spell them as flags. */
  errorWording?: Wording;
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
  /** The connection settings to record, for a later rollback. Default: none recorded. */
  connection?: JournalConnection;
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

const now = (): string => new Date().toISOString();

/** One modify of one account, journaled before (intent) and after (done, failed or unknown). */
async function journaledModify(session: LdapSession, journal: JournalWriter, seq: number, n: number, change: PlannedChange): Promise<void> {
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
    journal.append({
      type,
      seq,
      attempt: n,
      dn: change.dn,
      at: now(),
      error: (error as Error).message,
      ...(error instanceof WriteConflictError ? { code: error.code } : {}),
    });
    throw error;
  }
  journal.append({ type: 'done', seq, attempt: n, dn: change.dn, at: now() });
}

type Result = { status: OutcomeStatus; error?: string; errorWording?: Wording; fatal?: AuthError | ConnectionError };

const words = (error: ConnectionError | AuthError | WriteConflictError): Pick<Result, 'error' | 'errorWording'> => ({
  error: error.message,
  ...(error.wording === undefined ? {} : { errorWording: error.wording }),
});

/** What a failed modify means for the account. A broken connection leaves its fate unknown; no write access stops the run. */
function settle(error: unknown, onConflict: OutcomeStatus): Result {
  if (error instanceof ConnectionError) return { status: 'unknown', ...words(error), fatal: error };
  if (error instanceof AuthError) return { status: 'failed', ...words(error), fatal: error };
  if (error instanceof WriteConflictError) return { status: onConflict, ...words(error) };
  throw error;
}

export async function applyPlan(session: LdapSession, plan: FixPlan, options: ApplyOptions): Promise<ApplyResult> {
  const { journal } = options;
  const progress = options.onProgress ?? (() => undefined);
  journal.append({
    type: 'begin',
    operation: options.operation,
    tool: TOOL.name,
    version: TOOL.version,
    url: plan.url,
    baseDN: plan.baseDN,
    auth: session.authMethod,
    ...(options.connection === undefined ? {} : { connection: options.connection }),
    at: now(),
    ...(options.undoes ? { undoes: options.undoes } : {}),
  });

  const outcomes: AccountOutcome[] = plan.changes.map((change) => ({ change, status: 'not-attempted' }));
  let interrupted = false;
  let fatal: AuthError | ConnectionError | undefined;

  const attempt = (seq: number, n: number, change: PlannedChange): Promise<void> => journaledModify(session, journal, seq, n, change);

  /** One account: its modify, and after a conflict one re-read and one more try. */
  const applyOne = async (seq: number, change: PlannedChange): Promise<Result> => {
    try {
      await attempt(seq, 1, change);
      return { status: 'done' };
    } catch (error) {
      // Only a value we add being there, or a value (or the old userAccountControl) being gone, means
      // someone changed the account since we read it; anything else is a plain failure.
      if (!(error instanceof ValueExistsError || error instanceof NoSuchValueError)) return settle(error, 'failed');
    }
    progress(`${change.sAMAccountName} changed since it was read; re-reading it once`);
    try {
      const state = await readAccountState(session, change.dn);
      if (state === undefined) return { status: 'failed', error: `${change.dn} no longer exists` };
      const retry = recompute(change, state);
      if (isEmpty(retry)) return { status: 'already-applied' };
      await attempt(seq, 2, retry);
      return { status: 'done' };
    } catch (error) {
      const result = settle(error, 'conflict');
      if (result.status !== 'conflict') return result;
      const twice = 'changed concurrently twice; left as it is: ';
      return { ...result, error: `${twice}${result.error}`, ...(result.errorWording === undefined ? {} : { errorWording: [twice, ...result.errorWording] }) };
    }
  };

  for (const [seq, outcome] of outcomes.entries()) {
    if (options.shouldStop?.() === true) {
      interrupted = true;
      break;
    }
    const { fatal: stop, ...result } = await applyOne(seq, outcome.change);
    Object.assign(outcome, result);
    progress(`${outcome.change.sAMAccountName}: ${outcome.status}`);
    if (stop !== undefined) {
      fatal = stop;
      break;
    }
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
