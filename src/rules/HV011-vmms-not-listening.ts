import { shortName } from '../directory/account.js';
import { dnKey } from '../directory/keys.js';
import { isNotListening, type ProbeResult } from '../directory/probe-result.js';
import { defineRule } from './rule.js';

/** What runs on each host: VMMS on automatic, delayed start, then restarted (`probe --format powershell` wraps it for many hosts). */
export const VMMS_DELAYED_START = [
  'Set-Service -Name vmms -StartupType Automatic',
  "Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Services\\vmms' -Name DelayedAutoStart -Value 1 -Type DWord",
  'Restart-Service -Name vmms',
] as const;

/** HV011's details: what the probe saw of the host. */
export type HV011Details = Pick<ProbeResult, 'target' | 'address' | 'port' | 'status' | 'detail'>;
import { psQuote } from '../text/quote.js';

function outcome(result: ProbeResult): string {
  const where = `${result.target}:${result.port}${result.address !== null && result.address !== result.target ? ` (${result.address})` : ''}`;
  return result.status === 'refused'
    ? `the connection to ${where} was refused: the host is up and nothing listens on the port`
    : `${where} did not answer (${result.detail ?? 'timed out'}): nothing listens, or a firewall drops the connection`;
}

export default defineRule<HV011Details>({
  id: 'HV011',
  name: 'vmms-not-listening',
  severity: 'medium',
  category: 'migration',
  concerns: 'hyper-v-hosts',
  title: 'Nothing listens on the live-migration port (TCP 6600)',
  explain:
    'Live migrations arrive on TCP port 6600, where the Hyper-V Virtual Machine Management service (VMMS) listens. ' +
    'In one published case, VMMS started before a teamed network adapter was ready and never listened on 6600; ' +
    'migrations to the host failed with 0x8007274C (WSAETIMEDOUT) and 0x80072741 (WSAEADDRNOTAVAIL), and automatic ' +
    'delayed start of the service was the fix. This rule reports what `delegaudit probe` (or `audit --probe`) saw: a ' +
    'refused connection means the host answered and nothing listens; a timeout can also be a firewall. Hosts whose ' +
    'names did not resolve from where the probe ran are listed as warnings, not findings.',
  remediation:
    'On the host: Set-Service -Name vmms -StartupType Automatic, set DelayedAutoStart = 1 (DWORD) under ' +
    'HKLM\\System\\CurrentControlSet\\Services\\vmms, then restart the service (`delegaudit probe --format powershell` writes the script).',
  *check(model) {
    if (model.probe === undefined) return;
    const byDn = new Map(model.probe.results.map((r) => [dnKey(r.dn), r]));
    for (const host of model.hosts) {
      const { account } = host;
      const result = byDn.get(dnKey(account.dn));
      if (!account.enabled || host.peers.length === 0 || result === undefined || !isNotListening(result.status)) continue;
      yield {
        subject: account,
        message: `${shortName(account)}: ${outcome(result)}; live migrations to it cannot start`,
        details: { target: result.target, address: result.address, port: result.port, status: result.status, detail: result.detail },
        remediation: `Invoke-Command -ComputerName ${psQuote(result.target)} -ScriptBlock { ${VMMS_DELAYED_START.join('; ')} }`,
      };
    }
  },
});
