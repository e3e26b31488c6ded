import { accountOfRow, buildInventory, type DelegationType } from '../directory/delegations.js';
import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

/** DG003's details: the principal allowed to act on a DC (resource-based), or the krbtgt target (constrained). */
export type DG003Details =
  | { delegation: 'resource-based'; principal: string; principalSid: string | undefined }
  | { delegation: Exclude<DelegationType, 'resource-based' | 'unconstrained'>; target: string };

export default defineRule<DG003Details>({
  id: 'DG003',
  name: 'delegation-to-krbtgt-or-dc',
  severity: 'critical',
  category: 'security',
  concerns: 'delegation',
  readsDelegationTargets: true,
  title: 'Delegation targets krbtgt, or resource-based delegation lets someone act on a domain controller',
  explain:
    'A delegation entry for krbtgt lets the account obtain ticket-granting tickets for any user: a known persistence ' +
    "technique. A principal named in a domain controller's (or krbtgt's) msDS-AllowedToActOnBehalfOfOtherIdentity can " +
    'impersonate any user, Domain Admins included, to that DC. Neither has a legitimate use.',
  remediation: 'Remove the entry (msDS-AllowedToDelegateTo) or clear msDS-AllowedToActOnBehalfOfOtherIdentity on the DC, then investigate how it got there.',
  *check(model) {
    for (const row of buildInventory(model).rows) {
      if (row.delegation === 'unconstrained') continue;
      if (row.delegation === 'resource-based') {
        if (!row.targetIsDomainController && !row.targetIsKrbtgt) continue;
        yield {
          subject: accountOfRow(model, row),
          message: `${row.target} may act on behalf of any user to ${row.sAMAccountName}${row.isDomainController ? ', a domain controller' : ''} (resource-based delegation)`,
          details: { delegation: row.delegation, principal: row.target, principalSid: row.targetSid },
          remediation: `Set-ADComputer -Identity ${psQuote(row.dn)} -PrincipalsAllowedToDelegateToAccount $null (or remove only ${psQuote(row.target)})`,
        };
      } else if (row.targetIsKrbtgt) {
        yield {
          subject: accountOfRow(model, row),
          message: `${row.sAMAccountName} can delegate to krbtgt (${row.target}): it can obtain ticket-granting tickets for other users`,
          details: { delegation: row.delegation, target: row.target },
          remediation: `Set-ADObject -Identity ${psQuote(row.dn)} -Remove @{'msDS-AllowedToDelegateTo'=${psQuote(row.target)}}`,
        };
      }
    }
  },
});
