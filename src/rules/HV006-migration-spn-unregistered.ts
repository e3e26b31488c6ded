import { shortName } from '../directory/account.js';
import { MIGRATION_SERVICE_CLASS } from '../directory/well-known.js';
import { spnKey } from '../directory/keys.js';
import { defineRule } from './rule.js';

export default defineRule({
  id: 'HV006',
  name: 'migration-spn-unregistered',
  severity: 'medium',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Host lacks its own migration service SPN',
  explain:
    'Peers delegate to "Microsoft Virtual System Migration Service/<host>"; Kerberos can only issue a ticket for that ' +
    "service if the host's computer account carries the SPN, by short name and by FQDN. VMMS registers these SPNs " +
    'when it starts; a re-joined or renamed host may lack them until then.',
  remediation: 'Restart the Hyper-V Virtual Machine Management service on the host, or register the SPNs with setspn -s.',
  *check(model) {
    for (const host of model.hosts) {
      const { account } = host;
      if (!account.enabled) continue;
      const short = shortName(account);
      const fqdn = account.dnsHostName ?? `${short}.${model.directory.dnsDomain}`;
      const have = new Set(account.servicePrincipalNames.map(spnKey));
      const missing = [`${MIGRATION_SERVICE_CLASS}/${short}`, `${MIGRATION_SERVICE_CLASS}/${fqdn}`].filter((spn) => !have.has(spnKey(spn)));
      if (missing.length === 0) continue;
      yield {
        subject: account,
        message: `${short} does not have ${missing.join(' or ')} registered: peers cannot get a ticket for its migration service`,
        details: { missing },
        remediation: missing.map((spn) => `setspn -s "${spn.replace(/"/g, '')}" ${short}`).join('; '),
      };
    }
  },
});
