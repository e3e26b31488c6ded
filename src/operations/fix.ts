/**
 * Planning a fix from an audit, and applying a plan (a fix's or a rollback's) with its journal.
 */
import { type ApplyResult, applyPlan } from '../fix/apply.js';
import { journalConnection, JournalWriter } from '../fix/journal.js';
import { type FixPlan, planFix, type PlanOptions } from '../fix/plan.js';
import { type BindCredentials, type LdapConnectOptions, LdapSession } from '../ldap/session.js';
import { audit, type AuditOptions, type AuditResult } from './audit.js';

export interface FixOptions extends AuditOptions, PlanOptions {}

/** Audits, then turns the findings into a plan of modifications. Writes nothing. */
export async function planFixFor(options: FixOptions): Promise<{ before: AuditResult; plan: FixPlan }> {
  const before = await audit(options);
  return { before, plan: planFix(before.model, before.report.findings, options) };
}

export interface WriteOptions extends LdapConnectOptions {
  /** The user and password of a simple bind; none with Kerberos. */
  credentials: BindCredentials | undefined;
  /** Where to journal (created 0600; must not exist). */
  journal: string;
  /** Checked before each account; true stops after the modify in flight. Default: never. */
  shouldStop?: () => boolean;
  onProgress?: (line: string) => void;
}

/** Applies a plan with one modify per account, journaled before and after each. */
export async function applyFix(plan: FixPlan, options: WriteOptions & { operation?: 'fix' | 'rollback'; undoes?: string }): Promise<ApplyResult> {
  const journal = JournalWriter.create(options.journal);
  try {
    const session = await LdapSession.open(options, options.credentials);
    try {
      return await applyPlan(session, plan, {
        journal,
        operation: options.operation ?? 'fix',
        connection: journalConnection(options, options.credentials),
        ...(options.undoes === undefined ? {} : { undoes: options.undoes }),
        ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } finally {
      await session.close();
    }
  } finally {
    journal.close();
  }
}
