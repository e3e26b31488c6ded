import { shortName } from '../directory/account.js';
import { classifyEntry } from './classify-entry.js';
import { defineRule } from './rule.js';
import { listSome } from './remediation.js';
import { psArray, psQuote, shellWord } from '../text/quote.js';

const REASONS = {
  ghost: 'names a computer that does not exist',
  'other-group': "names a Hyper-V host outside this host's migration group",
  self: 'names the host itself',
} as const;

/** One entry HV005 calls stale, and why. */
export type StaleEntry = { entry: string; reason: keyof typeof REASONS };

/** HV005's details: every stale entry of the host. */
export type HV005Details = { stale: StaleEntry[] };

export default defineRule<HV005Details>({
  id: 'HV005',
  name: 'stale-delegation-entry',
  severity: 'low',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Delegation entry names a ghost or a host outside the group',
  explain:
    'A cifs or migration entry that names a computer that no longer exists ("ghost"), or a host outside this host\'s ' +
    'migration group, grants delegation nobody needs. Ghosts are usual after hosts are decommissioned or renamed; if a ' +
    'new computer later takes the name, it inherits the trust.',
  remediation: 'Remove the stale values individually (Set-ADComputer -Remove).',
  *check(model) {
    for (const host of model.hosts) {
      const stale: StaleEntry[] = [];
      for (const entry of host.extra) {
        const verdict = classifyEntry(model, host, entry);
        if (verdict.kind === 'stale') stale.push({ entry, reason: verdict.reason });
      }
      if (stale.length === 0) continue;
      const summary = listSome(
        stale.map((s) => `${s.entry} (${REASONS[s.reason]})`),
        '; ',
      );
      yield {
        subject: host.account,
        message: `${shortName(host.account)} has ${stale.length} stale delegation entr${stale.length === 1 ? 'y' : 'ies'}: ${summary}`,
        details: { stale },
        remediation: `delegaudit fix --host ${shellWord(shortName(host.account))} --prune --apply, or: Set-ADComputer -Identity ${psQuote(host.account.dn)} -Remove @{'msDS-AllowedToDelegateTo'=${psArray(stale.map((s) => s.entry))}}`,
      };
    }
  },
});
