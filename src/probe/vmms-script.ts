/**
 * The fix for hosts where nothing listens on the live-migration port (HV011): VMMS on automatic,
 * delayed start, so that it starts after the network (a teamed adapter) is up. `delegaudit probe
 * --format powershell` prints it for the affected hosts.
 */
import { psArray } from '../rules/remediation.js';
import type { Report } from '../report/schema.js';

/** What runs on each host. */
export const VMMS_DELAYED_START = [
  'Set-Service -Name vmms -StartupType Automatic',
  "Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Services\\vmms' -Name DelayedAutoStart -Value 1 -Type DWord",
  'Restart-Service -Name vmms',
] as const;

/** The names HV011 reported, as the probe connected to them (dNSHostName). */
export function notListeningTargets(report: Report): string[] {
  const names = report.findings.filter((f) => f.rule === 'HV011').map((f) => f.details.target);
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort();
}

/** A PowerShell script for the hosts HV011 reported; a comment only when there are none. */
export function vmmsScript(report: Report): string {
  const hosts = notListeningTargets(report);
  const lines = [
    `# delegaudit ${report.tool.version} probe, ${report.generatedAt}: hosts where nothing listened on TCP ${report.probe?.port ?? 6600} (HV011).`,
  ];
  if (hosts.length === 0) return `${lines[0]}\n# None: nothing to do.\n`;
  lines.push(
    '# Sets the Hyper-V Virtual Machine Management service (vmms) to automatic, delayed start, so that it starts',
    '# after the network is up, and restarts it. Review, then run from an admin workstation with WinRM access.',
    `$hosts = ${psArray(hosts)}`,
    'Invoke-Command -ComputerName $hosts -ScriptBlock {',
    ...VMMS_DELAYED_START.map((line) => `  ${line}`),
    '}',
  );
  return `${lines.join('\n')}\n`;
}
