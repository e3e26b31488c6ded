/**
 * `delegaudit doctor --url ...`: what the DC offers (LDAPS, StartTLS, signing, Kerberos signed, sealed
 * and over TLS), one line each, then the flags that work. Read-only; no password is asked for.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { doctor } from '../../operations/doctor.js';
import type { DoctorCheck, DoctorCheckName, DoctorReport } from '../../report/doctor-schema.js';
import { type FormatName, formatNames, render } from '../../report/formats/index.js';
import { EXIT } from '../exit-codes.js';
import { withFlags } from '../flag-advice.js';
import type { Io } from '../io.js';
import { kerberosOptions, positiveInt } from '../options/connection.js';
import { formatOption } from '../options/output.js';

interface DoctorFlags {
  url?: string;
  caFile?: string;
  tlsServername?: string;
  user?: string;
  keytab?: string;
  timeout?: number;
  format?: FormatName<'doctor'>;
}

/** The flags for each way that works, best first. */
function advice(report: DoctorReport, flags: DoctorFlags): string[] {
  const name = flags.tlsServername ?? report.host;
  const ca = flags.caFile === undefined ? '' : ` --ca-file ${flags.caFile}`;
  const kerberosName = flags.tlsServername === undefined ? '' : ` --tls-servername ${flags.tlsServername}`;
  const ADVICE: Readonly<Record<DoctorCheckName, string>> = {
    'kerberos-sealed': `--auth kerberos --seal --url ldap://${report.host}${kerberosName}   (no password; signed and encrypted)`,
    'kerberos-signed': `--auth kerberos --url ldap://${report.host}${kerberosName}   (no password; signed)`,
    'kerberos-tls': `--auth kerberos --url ldaps://${report.host}${kerberosName}${ca}   (no password; TLS with channel binding)`,
    ldaps: `--url ldaps://${name}${ca}   (simple bind: a password, over TLS)`,
    starttls: `--url ldap://${name} --starttls${ca}   (simple bind: a password, over TLS)`,
    'plain-simple-bind': '',
  };
  return report.working.map((check) => ADVICE[check]).filter((line) => line !== '');
}

export function registerDoctorCommand(program: Command, io: Io): void {
  program
    .command('doctor')
    .description('try what the DC offers (LDAPS, StartTLS, signing, Kerberos) and say which flags to use (read-only; no password)')
    .option('--url <url>', 'the DC: ldap://dc01.corp.example.com or ldaps://… (doctor tries both ports)')
    .option('--ca-file <pem>', 'trust this CA for the DC certificate')
    .option('--tls-servername <name>', "the DC's name, for TLS and Kerberos, when --url holds an address")
    .option('--user <principal>', 'Kerberos: this principal from the credential cache or the keytab')
    .option('--keytab <file>', 'Kerberos: sign in with this client keytab')
    .option('--timeout <ms>', 'how long each attempt may take (default 5000)', positiveInt('--timeout'))
    .addOption(formatOption('output format (default text)', formatNames('doctor')))
    .option('--debug', 'print stack traces on errors')
    .action(async (flags: DoctorFlags) => {
      if (flags.url === undefined) throw new ConfigError('--url is required (e.g. --url ldap://dc01.corp.example.com)');
      const kerberos = kerberosOptions(flags.user, flags.keytab);
      const report = await doctor({
        url: flags.url,
        ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
        ...(flags.tlsServername === undefined ? {} : { tlsServername: flags.tlsServername }),
        ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
        kerberos,
      });
      const detail = (check: DoctorCheck): string => (check.wording === undefined ? check.detail : withFlags(check.wording));
      io.out(render('doctor', flags.format ?? 'text', report, { detail, advice: advice(report, flags) }));
      io.setExitCode(report.working.length > 0 ? EXIT.OK : EXIT.CONNECTION);
    });
}
