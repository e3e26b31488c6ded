/**
 * The fix for hosts where nothing listens on the live-migration port (HV011): VMMS on automatic,
 * delayed start, so that it starts after the network (a teamed adapter) is up. `delegaudit probe
 * --format powershell` prints it for the affected hosts.
 */
import { LIVE_MIGRATION_PORT } from '../../directory/probe-result.js';
import HV011, { VMMS_DELAYED_START } from '../../rules/HV011-vmms-not-listening.js';
import { detailsOf } from '../../rules/rule.js';
import { psArray } from '../../text/quote.js';
import type { Report } from '../schema.js';

/** The names HV011 reported, as the probe connected to them (dNSHostName). */
function notListeningTargets(report: Report): string[] {
  const names = report.findings.map((f) => detailsOf(HV011, f)?.target);
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort();
}

/** A PowerShell script for the hosts HV011 reported; a comment only when there are none. */
export function vmmsScript(report: Report): string {
  const hosts = notListeningTargets(report);
  const lines = [
    `# delegaudit ${report.tool.version} probe, ${report.generatedAt}: hosts where nothing listened on TCP ${report.probe?.port ?? LIVE_MIGRATION_PORT} (${HV011.id}).`,
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
