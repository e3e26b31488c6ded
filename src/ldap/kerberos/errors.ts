/**
 * GSS-API failures as actionable one-line errors. The minor (Kerberos) text says why; the major
 * code says what kind of failure it is (RFC 2744 routine errors, in the high 16 bits).
 */
import { AuthError, ConfigError, ConnectionError, type DelegauditError, setting, wording } from '../../errors.js';

const NO_CRED = 7;
const CREDENTIALS_EXPIRED = 11;

/** The error for a failed GSS-API call about `what`; `major` and `minor` are GSS-API's texts. */
export function gssError(code: number, major: string, minor: string, what: string): DelegauditError {
  const routine = code >>> 16;
  const why = minor || major;
  if (/clock skew/i.test(why)) {
    return new AuthError(`Kerberos: the clocks of this machine and the KDC differ too much (${why}): synchronise this machine's time (NTP) with the domain`);
  }
  if (/cannot (contact|find|resolve) (any )?KDC|cannot find KDC/i.test(why)) {
    return new ConnectionError(`Kerberos: no KDC answers for the realm (${why}): check the realm's kdc in krb5.conf, or DNS SRV records for _kerberos`);
  }
  if (/not found in Kerberos database|Server .* not found/i.test(why)) {
    return new AuthError(
      wording`Kerberos: the KDC knows no service principal for ${what} (${why}): connect by the DC's name as AD knows it (give it with ${setting('tlsServername')} when the URL holds an address)`,
    );
  }
  if (routine === CREDENTIALS_EXPIRED || /expired/i.test(why)) {
    return new AuthError(`Kerberos: the ticket has expired (${why}): run kinit again, or sign in from a keytab`);
  }
  if (routine === NO_CRED || /no (kerberos )?credentials|credentials cache .*not found|No such file/i.test(why)) {
    return new AuthError(wording`Kerberos: no credentials for ${what} (${why}): run kinit user@REALM, or give a client keytab with ${setting('keytab')}`);
  }
  if (/keytab/i.test(why))
    return new ConfigError(wording`Kerberos: the keytab cannot be used (${why}): check the file given with ${setting('keytab')} and the principal`);
  return new AuthError(`Kerberos failed for ${what}: ${major}${minor === '' ? '' : `; ${minor}`}`);
}
