import { shortName } from '../directory/account.js';
import { dnKey } from '../directory/keys.js';
import { defineRule } from './rule.js';
import { listSome, psAddDelegation, TAKES_EFFECT } from './remediation.js';
import { shellWord } from '../text/quote.js';

export default defineRule({
  id: 'HV002',
  name: 'delegation-entries-missing',
  severity: 'high',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Delegation entries for migration peers are missing',
  explain:
    'To live-migrate to a peer, the source host needs constrained delegation to the peer\'s "Microsoft Virtual System ' +
    'Migration Service" (to move virtual machines) and "cifs" (to move storage), each by short name and by FQDN ' +
    '(Microsoft, "Set up hosts for live migration without Failover Clustering"). A migration to a peer whose entries are ' +
    'missing fails; hosts added to a cluster after delegation was set up are the usual cause.',
  remediation: 'Add the missing values to msDS-AllowedToDelegateTo, one by one; never replace the attribute.',
  *check(model) {
    for (const host of model.hosts) {
      const { account } = host;
      if (!account.enabled || host.required.size === 0 || account.allowedToDelegateTo.length === 0 || host.missingByPeer.size === 0) continue;
      const missing: Record<string, string[]> = {};
      const spns: string[] = [];
      for (const peer of host.peers) {
        const entries = host.missingByPeer.get(dnKey(peer.dn));
        if (entries === undefined) continue;
        missing[shortName(peer)] = entries.map((e) => e.spn);
        spns.push(...entries.map((e) => e.spn));
      }
      const peerList = listSome(
        Object.entries(missing).map(([peer, list]) => `${peer} (${list.length})`),
        ', ',
      );
      yield {
        subject: account,
        message: `${shortName(account)} lacks ${spns.length} of ${host.requiredCount} required delegation entries, for ${peerList}`,
        details: { missing, missingCount: spns.length, requiredCount: host.requiredCount },
        remediation: `delegaudit fix --host ${shellWord(shortName(account))} --apply, or: ${psAddDelegation(account, spns)}. ${TAKES_EFFECT}`,
      };
    }
  },
});
