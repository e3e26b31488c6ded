import { accountOfRow, buildInventory } from '../directory/delegations.js';
import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'DG004',
  name: 'ghost-delegation-target',
  severity: 'low',
  category: 'security',
  concerns: 'delegation',
  readsDelegationTargets: true,
  title: 'A delegation target resolves to no account',
  explain:
    "The SPN in msDS-AllowedToDelegateTo is held by no account, even after AD's sPNMappings (cifs/name is served by " +
    'HOST/name): the delegation does nothing today, but whoever registers that SPN or creates a computer with that name ' +
    'inherits the trust. Usually a decommissioned server or a typo.',
  remediation: 'Remove the value from msDS-AllowedToDelegateTo.',
  *check(model) {
    for (const row of buildInventory(model).rows) {
      // Constrained entries only: a resource-based SID without an account is a deleted principal, not an SPN.
      if (row.targetExists !== 'no' || (row.delegation !== 'constrained' && row.delegation !== 'constrained-protocol-transition')) continue;
      yield {
        subject: accountOfRow(model, row),
        message: `${row.sAMAccountName} delegates to ${row.target}, which no account serves`,
        details: { target: row.target, delegation: row.delegation },
        remediation: `Set-ADObject -Identity ${psQuote(row.dn)} -Remove @{'msDS-AllowedToDelegateTo'=${psQuote(row.target)}}`,
      };
    }
  },
});
