/**
 * Planning a rollback: what restores the accounts a journal changed, against their current state.
 */
import { readAccountStates } from '../fix/account-state.js';
import type { JournalLine } from '../fix/journal.js';
import type { FixPlan } from '../fix/plan.js';
import { appliedIntents, planRollback } from '../fix/rollback.js';
import { type BindCredentials, type LdapConnectOptions, LdapSession } from '../ldap/session.js';

/** Reads a journal and plans what restores the accounts it changed, against their current state. Writes nothing. */
export async function planRollbackFor(journalPath: string, options: LdapConnectOptions & { credentials: BindCredentials | undefined }): Promise<FixPlan> {
  const lines = (await import('../fix/journal.js')).readJournal(journalPath);
  const session = await LdapSession.open(options, options.credentials);
  try {
    const begin = lines[0] as Extract<JournalLine, { type: 'begin' }>;
    const dns = [...new Set(appliedIntents(lines).map((i) => i.dn))];
    const states = await readAccountStates(session, begin.baseDN, dns);
    // Restored where it was read: the journal's DC unless the command line named another.
    return { ...planRollback(lines, states), url: session.url };
  } finally {
    await session.close();
  }
}
