/**
 * The flags a run was given that another delegaudit command needs to reach the same DC and see the same
 * hosts: remediation lines say `delegaudit fix …` with them, so that the command pasted works as it is.
 * Never a password (`--password-file FILE` names a file, which is not one).
 */
import type { Report } from '../report/schema.js';
import { shellWord } from '../text/quote.js';
import type { CommonFlags } from './options/selection.js';

const REPEATED: ReadonlyArray<[keyof CommonFlags, string]> = [
  ['config', '--config'],
  ['url', '--url'],
  ['starttls', '--starttls'],
  ['baseDn', '--base-dn'],
  ['auth', '--auth'],
  ['user', '--user'],
  ['seal', '--seal'],
  ['keytab', '--keytab'],
  ['passwordFile', '--password-file'],
  ['caFile', '--ca-file'],
  ['tlsServername', '--tls-servername'],
  ['insecure', '--insecure'],
  ['hostsOu', '--hosts-ou'],
  ['hostsGroup', '--hosts-group'],
  ['groupBy', '--group-by'],
  ['services', '--services'],
  ['acceptRbcd', '--accept-rbcd'],
  ['privilegedGroup', '--privileged-group'],
  ['exclude', '--exclude'],
];

/** The flags of this run to repeat, quoted for a POSIX shell. */
function repeatFlags(flags: CommonFlags): string[] {
  const out: string[] = [];
  for (const [key, flag] of REPEATED) {
    const value: unknown = flags[key];
    if (value === undefined || value === false) continue;
    if (value === true) out.push(flag);
    else for (const one of Array.isArray(value) ? value : [value]) out.push(flag, shellWord(String(one)));
  }
  return out;
}

/** The report with every `delegaudit fix …` in a remediation completed with this run's flags. */
export function withCompleteCommands(report: Report, flags: CommonFlags): Report {
  const repeated = repeatFlags(flags);
  if (repeated.length === 0) return report;
  const complete = (text: string): string => text.replaceAll('delegaudit fix ', `delegaudit fix ${repeated.join(' ')} `);
  return { ...report, findings: report.findings.map((finding) => ({ ...finding, remediation: complete(finding.remediation) })) };
}
