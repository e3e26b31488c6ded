import { shortName } from '../directory/account.js';
import { defineRule } from './rule.js';
import { psQuote } from '../text/quote.js';

export default defineRule({
  id: 'HV007',
  name: 'host-account-disabled',
  severity: 'info',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Host computer account is disabled',
  explain:
    'A disabled computer account cannot authenticate, so the host can neither start nor receive live migrations. It is ' +
    "left out of its group's requirements (neither checked nor required as a peer) until it is enabled again.",
  remediation: "Enable the account if the host is in service, or remove it and its peers' entries if it is retired.",
  *check(model) {
    for (const host of model.hosts) {
      if (host.account.enabled) continue;
      yield {
        subject: host.account,
        message: `${shortName(host.account)}'s computer account is disabled: it is excluded from migration checks`,
        remediation: `Enable-ADAccount -Identity ${psQuote(host.account.dn)} if the host is in service`,
      };
    }
  },
});
