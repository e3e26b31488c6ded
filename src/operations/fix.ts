/**
 * Planning a fix from an audit, and applying a plan (a fix's or a rollback's) with its journal.
 */
import { type ApplyResult, applyPlan } from '../fix/apply.js';
import { type FixPlan, planFix, type PlanOptions } from '../fix/plan.js';
import { pdcEmulator } from '../directory/domain-controllers.js';
import { endpointFor } from '../ldap/dc-locator.js';
import { type BindCredentials, dcNameOf, type LdapConnectOptions, LdapSession, pinned } from '../ldap/session.js';
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
  // The journal's zod schema is loaded by a write only: planning, the dry run, does not need it.
  const { journalConnection, JournalWriter } = await import('../fix/journal.js');
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

/**
 * The one DC a plan is read from and written to: `pdc` (the PDC emulator, asked of the first DC that
 * answers), a DC's name (short names are completed with the domain DNS named), or, without either,
 * the first DC that answers; never moved to another DC after that.
 */
export async function writeTarget(
  connect: LdapConnectOptions,
  credentials: BindCredentials | undefined,
  writeDc: string | undefined,
): Promise<LdapConnectOptions> {
  if (writeDc === undefined) return connect;
  let name = writeDc;
  if (writeDc.toLowerCase() === 'pdc') {
    const session = await LdapSession.open(connect, credentials);
    try {
      name = await pdcEmulator(session);
    } finally {
      await session.close();
    }
  } else if (!name.includes('.')) {
    const known = [dcNameOf(connect.url, connect.tlsServername), ...(connect.knownDcs ?? []).map((dc) => dc.name)];
    name = known.find((dc) => dc.toLowerCase().split('.')[0] === name.toLowerCase()) ?? name;
  }
  return pinned(connect, await endpointFor(name, connect));
}

/** The settings that reach exactly the DC a plan was read from (its URL), for writing it there. */
export function readDcOf(connect: LdapConnectOptions, planUrl: string): LdapConnectOptions {
  if (planUrl === connect.url) return pinned(connect, { name: dcNameOf(connect.url, connect.tlsServername), url: planUrl });
  const alternate = connect.alternates?.find((dc) => dc.url === planUrl);
  return alternate === undefined ? { ...connect, url: planUrl, alternates: [] } : pinned(connect, alternate);
}
