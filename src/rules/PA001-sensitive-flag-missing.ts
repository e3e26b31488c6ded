import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'PA001',
  name: 'sensitive-flag-missing',
  severity: 'high',
  category: 'security',
  concerns: 'privileged-accounts',
  title: 'Privileged account can be delegated',
  explain:
    'Any host trusted for delegation with protocol transition can impersonate an account to the services in its list ' +
    'unless the account is marked "Account is sensitive and cannot be delegated" (NOT_DELEGATED, 0x100000) or is a ' +
    'member of Protected Users. Hyper-V hosts need exactly that kind of delegation, so every enabled privileged account ' +
    'needs one of the two. Group and standalone managed service accounts are exempt; --exclude keeps break-glass accounts out.',
  remediation: 'Set "Account is sensitive and cannot be delegated" on the account, or add it to Protected Users.',
  *check(model) {
    for (const p of model.privileged) {
      const { account } = p;
      if (!account.enabled || account.kind === 'gmsa' || account.kind === 'msa' || model.isExcluded(account)) continue;
      if (account.sensitive || p.protectedUsers) continue;
      yield {
        subject: account,
        message: `${account.sAMAccountName} is privileged (${p.via.map((chain) => chain.join(' → ')).join('; ')}) but can be delegated: neither "sensitive and cannot be delegated" nor Protected Users`,
        details: { via: p.via.map((chain) => chain.join(' → ')), viaPrimaryGroup: p.viaPrimaryGroup ?? null },
        remediation: `Set-ADAccountControl -Identity ${psQuote(account.dn)} -AccountNotDelegated $true (or: delegaudit fix --protect-privileged --apply)`,
      };
    }
  },
});
