/**
 * Building blocks for remediation text. Directory data is quoted for PowerShell (single quotes,
 * embedded quotes doubled), so a name can never become code in a pasted command.
 */
import type { Account } from '../directory/model.js';
import { withoutDollar } from '../text/names.js';
import { psArray, psQuote, shellWord } from '../text/quote.js';

/** `Set-ADComputer -Identity '<dn>' -Add @{'msDS-AllowedToDelegateTo'=@(…)}`. */
/** Inline at most this many values in a remediation; past it, point at fix's PowerShell output (a 500-host group needs ~2,000 per host). */
const INLINE_VALUES = 16;

export function psAddDelegation(account: Account, spns: readonly string[]): string {
  if (spns.length > INLINE_VALUES) {
    return `delegaudit fix --host ${shellWord(withoutDollar(account.sAMAccountName))} --format powershell (writes the Set-ADComputer -Add command for the ${spns.length} values)`;
  }
  return `Set-ADComputer -Identity ${psQuote(account.dn)} -Add @{'msDS-AllowedToDelegateTo'=${psArray(spns)}}`;
}

export function psProtocolTransition(account: Account): string {
  return `Set-ADAccountControl -Identity ${psQuote(account.dn)} -TrustedToAuthForDelegation $true`;
}

/** The reminder every delegation change needs. */
export const TAKES_EFFECT = 'Changes take effect after AD replication and a new ticket: run `klist purge -li 0x3e7` on the host, or wait about 15 minutes.';

/** At most `limit` items of a list for a message, then how many more (the finding's details hold them all). */
export function listSome(items: readonly string[], separator: string, limit = 10): string {
  const shown = items.slice(0, limit).join(separator);
  return items.length > limit ? `${shown}${separator}and ${items.length - limit} more` : shown;
}
