import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'PA003',
  name: 'privileged-account-delegation',
  severity: 'critical',
  category: 'security',
  concerns: 'privileged-accounts',
  title: 'Privileged account is itself trusted for delegation',
  explain:
    'A privileged account that is trusted for delegation (unconstrained 0x80000, protocol transition 0x1000000, or ' +
    'entries in msDS-AllowedToDelegateTo) can impersonate other users to services; whoever controls it, or its ' +
    'services, gains that reach on top of its own rights.',
  remediation: 'Move the service off the privileged account, or remove its delegation.',
  *check(model) {
    for (const p of model.privileged) {
      const { account } = p;
      if (!account.enabled) continue;
      const kinds = [
        ...(account.unconstrained ? ['unconstrained (TRUSTED_FOR_DELEGATION)'] : []),
        ...(account.protocolTransition ? ['protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION)'] : []),
        ...(account.allowedToDelegateTo.length > 0 ? [`constrained to ${account.allowedToDelegateTo.length} services`] : []),
      ];
      if (kinds.length === 0) continue;
      yield {
        subject: account,
        message: `privileged account ${account.sAMAccountName} is trusted for delegation: ${kinds.join(', ')}`,
        details: { delegation: kinds, allowedToDelegateTo: account.allowedToDelegateTo },
        remediation: `Set-ADAccountControl -Identity ${psQuote(account.dn)} -TrustedForDelegation $false -TrustedToAuthForDelegation $false; Set-ADUser -Identity ${psQuote(account.dn)} -Clear 'msDS-AllowedToDelegateTo' (after moving any service it runs)`,
      };
    }
  },
});
