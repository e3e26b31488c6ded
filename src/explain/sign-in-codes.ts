/**
 * The codes met when signing in to a DC: LDAP bind refusals and the Kerberos client's errors. Every
 * sentence here must be backed by docs/ad-facts.md ("Signing in").
 */
import type { CodeEntry } from './code-entry.js';

export const SIGN_IN_CODES: readonly CodeEntry[] = [
  {
    code: '0x00002028',
    kind: 'error code',
    aliases: ['00002028', '8', 'LDAP result 8', 'strongerAuthRequired', 'strong auth required'],
    title: 'LDAP result 8, strongerAuthRequired: the DC requires signing (or TLS)',
    meaning:
      'The DC refuses a bind that would leave the connection unprotected: a simple bind on plain LDAP (389) where LDAP signing ' +
      'is required, which Windows Server 2025 forests do by default and Samba does by default too. Samba also answers 8 to a ' +
      'Kerberos (GSSAPI) bind on 389 that asks for neither signing nor sealing. AD adds the diagnostic 00002028.',
    causes: [
      'A simple bind on ldap:// without StartTLS, against a DC that requires signing.',
      'A DC without a certificate (no AD CS), so that neither LDAPS nor StartTLS is offered: only a Kerberos bind with a signing layer works on 389.',
    ],
    rules: [],
    fix: [
      'With a DC certificate: `--url ldaps://<dc>` (or `ldap://<dc> --starttls`).',
      'Without one: `kinit you@REALM`, then `--auth kerberos --url ldap://<dc fqdn>` (signed; `--seal` encrypts too).',
      '`delegaudit doctor --url ldap://<dc fqdn>` says what the DC accepts.',
    ],
    evidence:
      'Documented for Windows (LDAP server signing requirements; the Windows Server 2025 default) and seen on our Samba 4.17 lab. That a DC without a certificate leaves only a signed SASL bind on 389 is reported by BloodHound.py and PingCastle users.',
  },
  {
    code: '0x80090346',
    kind: 'error code',
    aliases: ['80090346', 'SEC_E_BAD_BINDINGS', '49/80090346'],
    title: 'LDAP result 49 with 80090346: the channel binding token is missing or wrong',
    meaning:
      'Over LDAPS (or after StartTLS), a DC that enforces LDAP channel binding refuses a Kerberos, NTLM or Negotiate bind that does ' +
      'not carry a token binding it to the TLS channel (RFC 5929 tls-server-end-point). Simple binds are not affected. Whether ' +
      'Windows Server 2025 enforces channel binding by default is disputed between sources.',
    causes: [
      'A tool that signs in with Kerberos or NTLM over TLS without channel binding.',
      "Something between the client and the DC that terminates TLS (an inspecting proxy or load balancer): the client binds to the proxy's certificate, not the DC's.",
    ],
    rules: [],
    fix: [
      "delegaudit's Kerberos bind over TLS sends the token: check that nothing terminates TLS on the way to the DC.",
      'Or use Kerberos on 389 with signing, where channel binding does not apply: `--auth kerberos --url ldap://<dc fqdn>`.',
    ],
    evidence:
      'Documented by Microsoft (LDAP channel binding); the Windows Server 2025 default is reported differently by Microsoft and by TrustedSec, so treat it as disputed.',
  },
  {
    code: '52f',
    kind: 'error code',
    aliases: ['data 52f', '49/52f'],
    title: 'LDAP result 49, data 52f: account restriction (a Protected Users member cannot simple-bind)',
    meaning:
      'AD refuses the simple bind of a member of Protected Users (and of accounts with other logon restrictions) with result 49 ' +
      'and data 52f. Protected Users members get Kerberos tickets (a 4-hour TGT) and can sign in with Kerberos.',
    causes: ['An admin in Protected Users, as PA002 recommends, running delegaudit with a password.'],
    rules: ['PA002'],
    fix: ['`kinit you@REALM`, then the same command with `--auth kerberos` (no password is read).'],
    evidence: 'Seen on our Samba lab (49, data 52f for a Protected Users member; Kerberos works); the data codes are the ones AD documents for bind failures.',
  },
  {
    code: '52e',
    kind: 'error code',
    aliases: ['data 52e', '49/52e', 'invalidCredentials', 'LDAP result 49'],
    title: 'LDAP result 49, data 52e: bad password (or unknown user)',
    meaning:
      'AD refuses a simple bind with result 49 (invalidCredentials) and puts the reason in the diagnostic as a `data` code: 52e is a ' +
      'wrong password, or a user it cannot find by that name. The others: 525 no such user, 530 outside logon hours, 531 not allowed ' +
      'from this workstation, 532 password expired, 533 account disabled, 701 account expired, 773 must change password, 775 locked ' +
      'out, 52f account restriction (see `delegaudit explain 52f`). delegaudit prints the meaning of the code with the error.',
    causes: [
      'A wrong or stale password in DELEGAUDIT_PASSWORD or the --password-file.',
      'A user name AD does not resolve: give a UPN (`you@corp.example.com`) or `DOMAIN\\you`.',
    ],
    rules: [],
    fix: [
      'Check the password source (DELEGAUDIT_PASSWORD, --password-file, or the prompt) and the --user spelling.',
      'Or sign in without a password: `kinit you@REALM`, then `--auth kerberos`.',
    ],
    evidence: 'The data codes are documented by Microsoft for AD bind failures; 52e and 52f are seen on our Samba lab.',
  },
  {
    code: 'KRB_AP_ERR_SKEW',
    kind: 'error code',
    aliases: ['Clock skew too great', 'KRB5KRB_AP_ERR_SKEW', '0x25', '-1765328347', '0x80090324', 'SEC_E_TIME_SKEW'],
    title: 'Kerberos: "Clock skew too great"',
    meaning:
      'Kerberos tickets carry timestamps, and a KDC or a DC refuses a request whose time differs from its own by more than the ' +
      'allowed skew: 5 minutes by default (MIT `clockskew` 300 s; the Windows policy "Maximum tolerance for computer clock ' +
      'synchronization"). Kerberos error 37 (0x25); Windows reports it as 0x80090324.',
    causes: ["The machine running delegaudit keeps its own time (no NTP, or a different time source than the domain's)."],
    rules: [],
    fix: [
      'Synchronise the clock with the domain (the DCs serve NTP): `chronyc sources`, `timedatectl`, or `w32tm /resync` on Windows; then run `kinit` again.',
    ],
    evidence: 'RFC 4120 (error 37) and the MIT Kerberos and Microsoft defaults of 5 minutes: documented.',
  },
  {
    code: 'KRB_AP_ERR_TKT_EXPIRED',
    kind: 'error code',
    aliases: ['Ticket expired', 'KRB5KRB_AP_ERR_TKT_EXPIRED', '0x20', '-1765328352'],
    title: 'Kerberos: "Ticket expired"',
    meaning:
      'A ticket is valid for a limited time: in AD 10 hours by default, and 4 hours (not renewable) for members of Protected Users. ' +
      'After that the ticket cache holds nothing usable. Kerberos error 32 (0x20).',
    causes: ['A `kinit` from the morning, or a scheduled job that reuses a cache instead of a keytab.'],
    rules: [],
    fix: ['Run `kinit you@REALM` again; for a scheduled job give a client keytab with `--keytab FILE --user PRINCIPAL`, which gets a new ticket each run.'],
    evidence: 'RFC 4120 (error 32); the AD default lifetime of 10 hours and the 4-hour limit of Protected Users: documented by Microsoft.',
  },
  {
    code: 'KRB5_KDC_UNREACH',
    kind: 'error code',
    aliases: ['Cannot contact any KDC for realm', 'Cannot find KDC for realm', '-1765328228', '0x80090311', 'SEC_E_NO_AUTHENTICATING_AUTHORITY'],
    title: 'Kerberos: "Cannot contact any KDC for realm"',
    meaning:
      'The Kerberos library found no KDC that answers for the realm: none is named in krb5.conf and DNS has no `_kerberos._tcp` / ' +
      '`_kerberos._udp` SRV records for it, or the KDCs named are not reachable on port 88. On Windows the same failure reads ' +
      '0x80090311, "No authority could be contacted for authentication".',
    causes: ['A realm missing from krb5.conf on a machine that is not a domain member, or a firewall closing TCP/UDP 88 to the DCs.'],
    rules: [],
    fix: [
      'Name the DCs in krb5.conf: `[realms] CORP.EXAMPLE.COM = { kdc = dc01.corp.example.com }`, or set `dns_lookup_kdc = true` where DNS has the SRV records.',
      'Check that TCP 88 to a DC opens; `kinit you@REALM` says the same thing faster than delegaudit does.',
    ],
    evidence: "MIT Kerberos's error text and its documented KDC lookup (krb5.conf, then DNS SRV): documented.",
  },
  {
    code: 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
    kind: 'error code',
    aliases: ['Server not found in Kerberos database', 'KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN', '-1765328377', '0x80090303', 'SEC_E_TARGET_UNKNOWN'],
    title: 'Kerberos: "Server not found in Kerberos database"',
    meaning:
      'The KDC has no account with the service principal asked for. delegaudit asks for `ldap/<the name in --url>`: AD knows ' +
      "`ldap/<the DC's FQDN>` and `ldap/<its short name>`, not an IP address, a DNS alias or a load balancer's name. Kerberos error 7; " +
      'on Windows 0x80090303.',
    causes: ['`--url` names the DC by address, alias or CNAME.', 'A Samba DC whose dnsupdate service (which registers the SPN) is off.'],
    rules: [],
    fix: [
      "Connect by the DC's own name: `--url ldap://dc01.corp.example.com`, or keep the address and give the name with `--tls-servername dc01.corp.example.com`.",
      "On Samba, register it: `samba-tool spn add ldap/dc01.corp.example.com 'DC01$'`.",
    ],
    evidence: 'RFC 4120 (error 7); seen on our Samba lab for a DNS alias that no SPN names.',
  },
  {
    code: 'KRB5_FCC_NOFILE',
    kind: 'error code',
    aliases: ['No credentials cache found', 'No Kerberos credentials available', '-1765328189'],
    title: 'Kerberos: no ticket ("No credentials cache found")',
    meaning:
      'delegaudit found no Kerberos ticket: the default cache (or `KRB5CCNAME`) is empty or missing, and no keytab was given. ' +
      'With `--auth kerberos` delegaudit reads no password: it needs a ticket from `kinit`, or a client keytab.',
    causes: ["No `kinit` in this session (or another user's cache).", 'A scheduled job without `--keytab` or `KRB5_CLIENT_KTNAME`.'],
    rules: [],
    fix: ['`kinit you@REALM`, then the same command; `klist` shows the ticket.', 'For a scheduled job: `--keytab FILE --user PRINCIPAL`.'],
    evidence: "MIT Kerberos's error texts; seen on our Samba lab.",
  },
];
