import { accountOfRow, buildInventory } from '../directory/delegations.js';
import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'DG001',
  name: 'unconstrained-delegation',
  severity: 'critical',
  category: 'security',
  concerns: 'delegation',
  readsDelegationTargets: true,
  coveredBy: ['HV004', 'PA003'],
  title: 'Account is trusted for unconstrained delegation',
  explain:
    'TRUSTED_FOR_DELEGATION (0x80000) lets the account impersonate anyone who authenticates to it, to any service in the ' +
    "forest, domain controllers included: whoever controls it can capture a domain controller's or an admin's ticket. " +
    'Domain controllers carry the flag by default; on any other account it should be replaced by constrained delegation.',
  remediation: 'Replace it with constrained (or resource-based) delegation to the services the account needs, then clear TRUSTED_FOR_DELEGATION.',
  *check(model) {
    for (const row of buildInventory(model).rows) {
      if (row.delegation !== 'unconstrained' || row.expected) continue;
      yield {
        subject: accountOfRow(model, row),
        message: `${row.sAMAccountName} (${row.kind}${row.enabled ? '' : ', disabled'}) is trusted for unconstrained delegation: it can impersonate anyone who connects to it, to any service`,
        details: { kind: row.kind, enabled: row.enabled, privileged: row.privileged },
        remediation: `Set-ADAccountControl -Identity ${psQuote(row.dn)} -TrustedForDelegation $false (after constrained delegation to what it needs is in place)`,
      };
    }
  },
});
