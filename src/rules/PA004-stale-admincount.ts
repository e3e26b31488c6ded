import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'PA004',
  name: 'stale-admincount',
  severity: 'info',
  category: 'security',
  concerns: 'privileged-accounts',
  title: 'adminCount=1 on an account that is no longer privileged',
  explain:
    'SDProp (every 60 minutes on the PDC emulator) sets adminCount=1 on members of protected groups and never clears it; ' +
    'the account also keeps the AdminSDHolder permissions, with inheritance off. adminCount is a hint of past privilege, ' +
    'never the definition of privileged: delegaudit decides by group membership. krbtgt is protected by design and not reported.',
  remediation: 'Clear adminCount and re-enable permission inheritance on the account.',
  *check(model) {
    for (const account of model.staleAdminCount) {
      yield {
        subject: account,
        message: `${account.sAMAccountName} has adminCount=1 but is not a member of any privileged group`,
        remediation: `Set-ADUser -Identity ${psQuote(account.dn)} -Clear adminCount; then re-enable inheritance on its security descriptor`,
      };
    }
  },
});
