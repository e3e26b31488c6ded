import { ridOf } from '../directory/keys.js';
import { RID } from '../directory/well-known.js';
import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'PA002',
  name: 'not-in-protected-users',
  severity: 'low',
  category: 'security',
  concerns: 'privileged-accounts',
  title: 'Privileged user is not in Protected Users',
  explain:
    'The sensitive flag already blocks delegation of the account; Protected Users (domain functional level 2012 R2 or ' +
    'later) adds more: no NTLM, no DES or RC4 Kerberos, no cached credentials, four-hour tickets. This rule reports ' +
    'enabled privileged user accounts that have the sensitive flag but are not in the group (PA001 reports those with ' +
    'neither). The built-in Administrator (RID 500) is not reported: it is the usual break-glass account, which should ' +
    'keep working when Kerberos does not. Test before adding service accounts: Protected Users breaks NTLM logons.',
  remediation: 'Add the account to Protected Users after checking that nothing it runs depends on NTLM.',
  *check(model) {
    for (const p of model.privileged) {
      const { account } = p;
      if (!account.enabled || (account.kind !== 'user' && account.kind !== 'inetOrgPerson') || model.isExcluded(account)) continue;
      if (p.protectedUsers || !account.sensitive) continue;
      if (account.sid !== undefined && ridOf(account.sid) === RID.ADMINISTRATOR) continue;
      yield {
        subject: account,
        message: `${account.sAMAccountName} is privileged and marked sensitive, but not in Protected Users`,
        remediation: `Add-ADGroupMember -Identity 'Protected Users' -Members ${psQuote(account.dn)}`,
      };
    }
  },
});
