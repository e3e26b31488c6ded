import { shortName } from '../directory/account.js';
import { nameKeys } from '../directory/discover-hosts.js';
import { spnKey } from '../directory/keys.js';
import { defineRule } from './rule.js';
import { psAddDelegation, psProtocolTransition, TAKES_EFFECT } from './remediation.js';
import { shellWord } from '../text/quote.js';
import { MIGRATION_SERVICE_CLASS } from '../directory/well-known.js';
import { readableTime } from '../text/time.js';

export default defineRule({
  id: 'HV003',
  name: 'delegation-absent',
  severity: 'high',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Host has no delegation at all',
  explain:
    'The host has migration peers but an empty msDS-AllowedToDelegateTo, so it cannot live-migrate to any of them. ' +
    'When peers still delegate to it, its computer object was most likely re-created: a host that leaves and re-joins ' +
    'the domain gets a new object and loses all delegation (in one published 2016-upgrade case, a broken domain ' +
    'membership was cured by re-joining, after which delegation had to be set again). This rule replaces HV001 and ' +
    'HV002 for the host.',
  remediation: 'Restore the delegation: all required entries plus "Use any authentication protocol".',
  *check(model) {
    for (const host of model.hosts) {
      const { account } = host;
      if (!account.enabled || host.required.size === 0 || account.allowedToDelegateTo.length > 0) continue;
      const ownNames = new Set(nameKeys(account).map((n) => spnKey(`${MIGRATION_SERVICE_CLASS}/${n}`)));
      const delegatingPeers = host.peers.filter((peer) => peer.allowedToDelegateTo.some((entry) => ownNames.has(spnKey(entry)))).map(shortName);
      const rejoinSuspected = delegatingPeers.length > 0;
      const spns = [...host.required.values()].flat().map((e) => e.spn);
      const steps = [psAddDelegation(account, spns)];
      if (!account.protocolTransition) steps.push(psProtocolTransition(account));
      yield {
        subject: account,
        message: rejoinSuspected
          ? `${shortName(account)} has no delegation entries while ${delegatingPeers.join(', ')} still delegate to it: its computer object was likely re-created by a domain re-join` +
            (account.whenCreated ? ` (created ${readableTime(account.whenCreated)})` : '')
          : `${shortName(account)} has no delegation entries for its ${host.required.size} migration peers`,
        details: { rejoinSuspected, delegatingPeers, requiredCount: host.requiredCount, whenCreated: account.whenCreated ?? null },
        remediation: `delegaudit fix --host ${shellWord(shortName(account))} --apply, or: ${steps.join('; ')}. ${TAKES_EFFECT}`,
      };
    }
  },
});
