import { shortName } from '../directory/account.js';
import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'HV009',
  name: 'host-in-protected-users',
  severity: 'high',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Host computer account is in Protected Users',
  explain:
    'Membership in Protected Users blocks delegation for the account. Microsoft says never to add computer or service ' +
    'accounts to the group: a Hyper-V host in it cannot delegate, so live migration from it fails.',
  remediation: 'Remove the computer account from Protected Users (directly or through a nested group).',
  *check(model) {
    for (const host of model.hosts) {
      if (!host.inProtectedUsers) continue;
      yield {
        subject: host.account,
        message: `${shortName(host.account)} is a member of Protected Users, which blocks its delegation`,
        remediation: `Remove-ADGroupMember -Identity 'Protected Users' -Members ${psQuote(host.account.dn)} (or the nested group that brings it in)`,
      };
    }
  },
});
