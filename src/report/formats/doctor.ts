/**
 * `delegaudit doctor`'s text: one line per way of connecting, then what to use.
 */
import type { DoctorCheckName, DoctorReport } from '../doctor-schema.js';
import { terminalSafe } from '../../text/quote.js';

const LABEL: Readonly<Record<DoctorCheckName, string>> = {
  ldaps: 'LDAPS (636)',
  starttls: 'StartTLS (389)',
  'plain-simple-bind': 'simple bind on 389 without TLS',
  'kerberos-signed': 'Kerberos on 389, signed',
  'kerberos-sealed': 'Kerberos on 389, sealed',
  'kerberos-tls': 'Kerberos over TLS, channel binding',
};

export interface DoctorTextOptions {
  /** The details as the caller spells them (the CLI spells settings as flags). */
  detail: (check: DoctorReport['checks'][number]) => string;
  /** What to use, as the caller spells it: one line each, best first. */
  advice: readonly string[];
}

export function formatDoctorText(report: DoctorReport, options: DoctorTextOptions): string {
  const width = Math.max(...Object.values(LABEL).map((label) => label.length));
  const out = [`delegaudit doctor: ${terminalSafe(report.host)}`];
  for (const check of report.checks) out.push(`  ${LABEL[check.name].padEnd(width)}  ${check.ok ? 'ok' : 'no'}: ${terminalSafe(options.detail(check))}`);
  out.push('');
  if (options.advice.length === 0) out.push('No way in worked: see the lines above.');
  else out.push('Use:', ...options.advice.map((line) => `  ${line}`));
  return `${out.join('\n')}\n`;
}
