import { shortName } from '../directory/account.js';
import { defineRule } from './rule.js';

/** Above this, warn: AD's practical limit for a non-linked multi-valued attribute is about 1,200 values. */
const MAX_REQUIRED_ENTRIES = 1000;

export default defineRule({
  id: 'HV008',
  name: 'delegation-list-too-large',
  severity: 'medium',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Required delegation entries exceed what AD can hold',
  explain:
    'msDS-AllowedToDelegateTo is a non-linked multi-valued attribute; such attributes have a practical limit of roughly ' +
    '1,200 values. A full mesh needs 4 × (N − 1) values per host (two services, short name and FQDN), so one migration ' +
    'group of about 300 hosts is the ceiling.',
  remediation: 'Split the hosts into smaller migration groups (--group-by ou, or groups in the config file).',
  *check(model) {
    for (const host of model.hosts) {
      if (host.requiredCount <= MAX_REQUIRED_ENTRIES) continue;
      yield {
        subject: host.account,
        message: `${shortName(host.account)} needs ${host.requiredCount} delegation entries for ${host.peers.length} peers in group ${host.group}, more than AD can reliably hold (~1,200)`,
        details: { requiredCount: host.requiredCount, peers: host.peers.length, group: host.group },
        remediation: 'Split the group (--group-by ou, or explicit groups in the config file) so each host needs at most 1,000 entries.',
      };
    }
  },
});
