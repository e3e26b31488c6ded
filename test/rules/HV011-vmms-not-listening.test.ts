import { expect } from 'chai';
import type { AuditModel } from '../../src/directory/audit-model.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import type { ProbeResult, ProbeStatus } from '../../src/directory/probe-result.js';
import HV011 from '../../src/rules/HV011-vmms-not-listening.js';
import { runRules } from '../../src/rules/index.js';
import { DirectoryBuilder, DNS } from '../helpers/directory-builder.js';
import { ruleTester } from '../helpers/rule-tester.js';

/** Three correctly delegating hosts; HV04 disabled; HV05 alone in its group. */
function directory(): DirectoryBuilder {
  return new DirectoryBuilder()
    .host('HV01', ['HV02', 'HV03'])
    .host('HV02', ['HV01', 'HV03'])
    .host('HV03', ['HV01', 'HV02'])
    .host('HV04', [], { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.ACCOUNTDISABLE });
}

/** The model with probe results, as audit() builds it after probing: host name → status. */
function probed(statuses: Record<string, ProbeStatus> | undefined, options: Parameters<DirectoryBuilder['model']>[0] = {}): AuditModel {
  const model = directory().model(options);
  if (statuses === undefined) return model;
  const results: ProbeResult[] = Object.entries(statuses).map(([host, status]) => {
    const account = model.hosts.find((h) => h.account.sAMAccountName === `${host}$`)!.account;
    return {
      host: account.sAMAccountName,
      dn: account.dn,
      target: `${host}.${DNS}`,
      address: status === 'unresolvable' ? null : '10.0.0.1',
      port: 6600,
      status,
      detail: status === 'open' ? null : 'x',
    };
  });
  return { ...model, probe: { port: 6600, timeoutMs: 3000, results } };
}

ruleTester(
  HV011,
  {
    valid: [
      { name: 'no probe ran (the audit never touches the network unless asked)', directory: () => probed(undefined) },
      { name: 'every host listens', directory: () => probed({ HV01: 'open', HV02: 'open', HV03: 'open' }) },
      {
        name: 'a name that did not resolve from the auditing machine (a warning, not a finding)',
        directory: () => probed({ HV01: 'unresolvable', HV02: 'open', HV03: 'open' }),
      },
      { name: 'no route to the host, or another socket error (warnings)', directory: () => probed({ HV01: 'unreachable', HV02: 'error', HV03: 'open' }) },
      { name: 'a disabled host (HV007 territory)', directory: () => probed({ HV01: 'open', HV02: 'open', HV03: 'open', HV04: 'refused' }) },
      {
        name: 'a host without peers: nothing migrates to it',
        directory: () =>
          probed(
            { HV01: 'refused', HV02: 'open', HV03: 'open' },
            {
              groups: [
                { name: 'solo', hosts: ['HV01'] },
                { name: 'pair', hosts: ['HV02', 'HV03'] },
              ],
            },
          ),
      },
    ],
    invalid: [
      { name: 'a host that refuses the connection', directory: () => probed({ HV01: 'open', HV02: 'refused', HV03: 'open' }), expected: ['HV011 HV02$'] },
      { name: 'a host that does not answer', directory: () => probed({ HV01: 'timeout', HV02: 'open', HV03: 'open' }), expected: ['HV011 HV01$'] },
      {
        name: 'every host silent',
        directory: () => probed({ HV01: 'timeout', HV02: 'refused', HV03: 'timeout' }),
        expected: ['HV011 HV01$', 'HV011 HV02$', 'HV011 HV03$'],
      },
    ],
  },
  () => {
    it('says what the probe saw, and carries the delayed-start fix quoted for PowerShell', () => {
      const [refused] = runRules(probed({ HV01: 'open', HV02: 'refused', HV03: 'open' }), [HV011]);
      expect(refused).to.include({ rule: 'HV011', name: 'vmms-not-listening', severity: 'medium', category: 'migration' });
      expect(refused!.message).to.equal(
        `HV02: the connection to HV02.${DNS}:6600 (10.0.0.1) was refused: the host is up and nothing listens on the port; live migrations to it cannot start`,
      );
      expect(refused!.details).to.deep.equal({ target: `HV02.${DNS}`, address: '10.0.0.1', port: 6600, status: 'refused', detail: 'x' });
      expect(refused!.remediation).to.equal(
        `Invoke-Command -ComputerName 'HV02.${DNS}' -ScriptBlock { Set-Service -Name vmms -StartupType Automatic; ` +
          "Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Services\\vmms' -Name DelayedAutoStart -Value 1 -Type DWord; Restart-Service -Name vmms }",
      );
      const [timeout] = runRules(probed({ HV01: 'timeout', HV02: 'open', HV03: 'open' }), [HV011]);
      expect(timeout!.message).to.contain('did not answer (x): nothing listens, or a firewall drops the connection');
    });
  },
);
