import { shortName } from '../directory/account.js';
import { defineRule } from './rule.js';
import { psProtocolTransition, TAKES_EFFECT } from './remediation.js';
import { shellWord } from '../text/quote.js';

export default defineRule({
  id: 'HV001',
  name: 'protocol-transition-missing',
  severity: 'high',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Constrained delegation is "Kerberos only"',
  explain:
    'Since Windows Server 2016, Hyper-V manages live migration through the WMI v2 provider over WinRM instead of DCOM. ' +
    'WinRM runs as Network Service and cannot reach the forwardable ticket that VMMS holds, so the source host needs ' +
    'constrained delegation with protocol transition ("Use any authentication protocol", userAccountControl ' +
    'TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000). With "Kerberos only" (entries in msDS-AllowedToDelegateTo without that flag), ' +
    'migrations started from the host fail with 0x8009030E "No credentials are available in the security package" ' +
    '(Microsoft Virtualization blog, 2017; KB 4558514). The widely used Set-KCD.ps1 script produces exactly this configuration.',
  remediation: 'Set TRUSTED_TO_AUTH_FOR_DELEGATION on the host ("Use any authentication protocol" on its Delegation tab).',
  *check(model) {
    for (const host of model.hosts) {
      const { account } = host;
      // Peers reached through accepted RBCD (--accept-rbcd) require nothing: a host reaching all of them so needs no flag.
      if (!account.enabled || host.required.size === 0 || account.allowedToDelegateTo.length === 0 || account.protocolTransition) continue;
      yield {
        subject: account,
        message:
          `${shortName(account)} delegates to ${account.allowedToDelegateTo.length} services with "Kerberos only": ` +
          'live migrations it starts fail with 0x8009030E on Windows Server 2016 and later',
        details: { entries: account.allowedToDelegateTo.length },
        remediation: `delegaudit fix --host ${shellWord(shortName(account))} --apply, or: ${psProtocolTransition(account)}. ${TAKES_EFFECT}`,
      };
    }
  },
});
