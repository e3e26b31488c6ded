import { accountOfRow, buildInventory, type InventoryRow } from '../directory/delegations.js';
import { defineRule } from './rule.js';
import { listSome } from './remediation.js';
import { psArray, psQuote } from '../text/quote.js';

export default defineRule({
  id: 'DG002',
  name: 'delegation-to-dc-service',
  severity: 'critical',
  category: 'security',
  concerns: 'delegation',
  readsDelegationTargets: true,
  title: "Constrained delegation targets a domain controller's service",
  explain:
    "An account allowed to delegate to a domain controller's service (ldap/, cifs/, HOST/, GC/ … on a DC) can, with a " +
    'ticket for any user, reach that DC as that user: with protocol transition it needs no user at all, so control of the ' +
    'account is control of the domain (DCSync through ldap/, files through cifs/). Domain controllers delegating to each ' +
    'other are not reported.',
  remediation: 'Remove the domain controller entries from msDS-AllowedToDelegateTo, or treat the account as tier 0.',
  *check(model) {
    const byAccount = new Map<string, InventoryRow[]>();
    for (const row of buildInventory(model).rows) {
      if (
        row.delegation === 'resource-based' ||
        row.delegation === 'unconstrained' ||
        !row.targetIsDomainController ||
        row.targetIsKrbtgt ||
        row.isDomainController
      )
        continue;
      const rows = byAccount.get(row.dn) ?? [];
      rows.push(row);
      byAccount.set(row.dn, rows);
    }
    for (const rows of byAccount.values()) {
      const first = rows[0]!;
      const targets = rows.map((r) => r.target);
      yield {
        subject: accountOfRow(model, first),
        message: `${first.sAMAccountName} can delegate to a domain controller's service${first.delegation === 'constrained-protocol-transition' ? ' with protocol transition (any user, no password needed)' : ''}: ${listSome(targets, ', ')}`,
        details: { targets, protocolTransition: first.delegation === 'constrained-protocol-transition' },
        remediation: `Set-ADObject -Identity ${psQuote(first.dn)} -Remove @{'msDS-AllowedToDelegateTo'=${psArray(targets)}}`,
      };
    }
  },
});
