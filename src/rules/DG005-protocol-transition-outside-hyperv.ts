import { dnKey } from '../directory/keys.js';
import { buildInventory } from '../directory/delegations.js';
import { defineRule } from './rule.js';
import { listSome } from './remediation.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'DG005',
  name: 'protocol-transition-outside-hyperv',
  severity: 'medium',
  category: 'security',
  concerns: 'delegation',
  readsDelegationTargets: true,
  title: 'Protocol transition on an account that is not a Hyper-V host',
  explain:
    'TRUSTED_TO_AUTH_FOR_DELEGATION ("use any authentication protocol") lets the account obtain a ticket for any user ' +
    "without that user's password (S4U2Self), and pass it on to every service in its list. Hyper-V hosts need it for live " +
    'migration; elsewhere it should be a deliberate, reviewed exception. The inventory lists what it can reach.',
  remediation: 'If Kerberos-only delegation is enough for the service, clear TRUSTED_TO_AUTH_FOR_DELEGATION; otherwise keep its list minimal.',
  *check(model) {
    const hosts = new Set(model.hosts.map((h) => dnKey(h.account.dn)));
    const seen = new Set<string>();
    const targetsOf = new Map<string, string[]>();
    for (const r of buildInventory(model).rows) {
      if (r.delegation !== 'constrained-protocol-transition') continue;
      const targets = targetsOf.get(r.dn);
      if (targets === undefined) targetsOf.set(r.dn, [r.target]);
      else targets.push(r.target);
    }
    for (const account of model.directory.accounts.values()) {
      if (!account.protocolTransition || account.isDomainController || hosts.has(dnKey(account.dn)) || seen.has(account.dn)) continue;
      seen.add(account.dn);
      const targets = targetsOf.get(account.dn) ?? [];
      yield {
        subject: account,
        message: `${account.sAMAccountName} can impersonate any user without their password${targets.length === 0 ? ' (its delegation list is empty)' : ` to ${listSome(targets, ', ')}`}`,
        details: { targets },
        remediation: `Set-ADAccountControl -Identity ${psQuote(account.dn)} -TrustedToAuthForDelegation $false (if Kerberos-only delegation suffices)`,
      };
    }
  },
});
