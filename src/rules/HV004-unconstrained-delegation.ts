import { shortName } from '../directory/account.js';
import { defineRule } from './rule.js';
import { psQuote, shellWord } from '../text/quote.js';

export default defineRule({
  id: 'HV004',
  name: 'unconstrained-delegation',
  severity: 'critical',
  category: 'security',
  concerns: 'hyper-v-hosts',
  title: 'Host is trusted for unconstrained delegation',
  explain:
    'TRUSTED_FOR_DELEGATION (0x80000, "Trust this computer for delegation to any service") lets the host impersonate ' +
    'any user who authenticates to it, to any service, including domain controllers. Live migration needs only ' +
    'constrained delegation to peers. Domain controllers carry this flag by default and are never Hyper-V hosts here.',
  remediation: 'Configure constrained delegation to the peers first, then clear TRUSTED_FOR_DELEGATION.',
  *check(model) {
    for (const host of model.hosts) {
      if (!host.account.unconstrained) continue;
      yield {
        subject: host.account,
        message: `${shortName(host.account)} is trusted for unconstrained delegation: it can impersonate anyone who connects to it, to any service`,
        remediation: `After constrained delegation to its peers is complete: Set-ADAccountControl -Identity ${psQuote(host.account.dn)} -TrustedForDelegation $false (delegaudit fix --host ${shellWord(shortName(host.account))} --remove-unconstrained --apply does both steps)`,
      };
    }
  },
});
