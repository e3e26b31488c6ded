/**
 * The codes Hyper-V and AD admins meet, with what is known about each and how well: every sentence
 * here must be backed by docs/ad-facts.md, and where the sources are thin or disagree, `evidence`
 * says so. Rule documentation is not copied here: `explain` prints it from the rule registry.
 */

import type { CodeEntry } from './code-entry.js';
import { SIGN_IN_CODES } from './sign-in-codes.js';

export type { CodeEntry } from './code-entry.js';

const KLIST = 'On the host whose delegation changed: `klist purge -li 0x3e7`, or wait about 15 minutes (AD replication and a new ticket; KB 4558514).';

const vmmsNotListening = (code: string, name: string): CodeEntry => ({
  code,
  kind: 'error code',
  aliases: [name],
  title: `${name}: in a published case, VMMS was not listening on TCP 6600`,
  meaning:
    `${code} is ${name}. In a published case (a 2017 lab write-up), live migrations to a host failed with 0x8007274C ` +
    '(WSAETIMEDOUT) and 0x80072741 (WSAEADDRNOTAVAIL) because the Hyper-V Virtual Machine Management service (VMMS) ' +
    'had started before a teamed network adapter was ready and never listened on TCP 6600, the live-migration port.',
  causes: [
    'VMMS started before the network it listens on was up (in the published case, a NIC team), so nothing listens on TCP 6600 of the destination host (HV011).',
    "delegaudit's note, not from the sources: to a peer, anything else that keeps 6600 from answering looks alike; `delegaudit probe` tells a refused connection (the host is up, nothing listens) from a timeout (nothing listens, or a firewall drops it).",
  ],
  rules: ['HV011'],
  fix: [
    'Find the hosts: `delegaudit probe --url ldaps://<dc> --user <you>` (or `delegaudit audit --probe ...`).',
    'On each host reported: `Set-Service -Name vmms -StartupType Automatic`',
    "and `Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Services\\vmms' -Name DelayedAutoStart -Value 1 -Type DWord` (automatic, delayed start),",
    'then `Restart-Service -Name vmms` (or restart the host) so that it listens now.',
    '`delegaudit probe --format powershell` writes these commands for the hosts it found.',
  ],
  evidence: 'One source: a 2017 lab write-up reports both codes and the delayed-start fix; no Microsoft source found ties these codes to VMMS start order.',
});

const MIGRATION_CODES: readonly CodeEntry[] = [
  {
    code: '0x8009030E',
    kind: 'error code',
    aliases: ['-2146893042'],
    title: '"No credentials are available in the security package"',
    meaning:
      'Live migrations started from a host whose constrained delegation is "Kerberos only" fail with this error on Windows ' +
      'Server 2016 and later. Since 2016, Hyper-V manages live migration through the WMI v2 provider over WinRM instead of DCOM; ' +
      'WinRM runs as Network Service and cannot reach the forwardable Kerberos ticket that VMMS (running as SYSTEM) holds. ' +
      'Constrained delegation with protocol transition ("Use any authentication protocol") solves it.',
    causes: [
      'The source host\'s constrained delegation is "Kerberos only": entries in msDS-AllowedToDelegateTo without TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000). The widely used Set-KCD.ps1 script produces exactly this (HV001).',
      "delegaudit's inference, not stated by the sources: a source host without entries for this destination (HV002), or with none at all, e.g. after a re-join (HV003), cannot delegate either; check these when HV001 does not fire.",
    ],
    rules: ['HV001', 'HV002', 'HV003'],
    fix: [
      'Find the hosts: `delegaudit audit --url ldaps://<dc> --user <you> --rules HV001,HV002,HV003`.',
      'On the source host\'s computer object: "Trust this computer for delegation to the specified services only" with "Use any authentication protocol", i.e. `Set-ADAccountControl -Identity \'<HOST>$\' -TrustedToAuthForDelegation $true` (each finding carries the exact command).',
      KLIST,
    ],
    evidence:
      'Well supported: the Microsoft Virtualization blog (2017, "Live Migration via Constrained Delegation with Kerberos in Windows Server 2016") explains the cause; Microsoft support article KB 4558514 ("Troubleshoot live migration issues") lists the error.',
  },
  {
    code: '0x8009030D',
    kind: 'error code',
    aliases: ['-2146893043'],
    title: 'Live migration authentication failed: KB 4558514 asks for Kerberos and constrained delegation on the source host',
    meaning:
      'Microsoft support article KB 4558514 lists this error for live migration and says the source host must use Kerberos ' +
      'and constrained delegation must be enabled for it. The sources delegaudit relies on say no more about its mechanism.',
    causes: [
      'The source host is not set to authenticate live migrations with Kerberos (KB 4558514); delegaudit cannot see this Hyper-V setting.',
      "The source host has no constrained delegation: none at all (HV003) or none for this destination (HV002) (KB 4558514 asks for constrained delegation; which entries are missing is delegaudit's check).",
      'delegaudit also checks protocol transition, which Windows Server 2016 and later need for live migration (HV001).',
    ],
    rules: ['HV003', 'HV002', 'HV001'],
    fix: [
      'On the source host: `Set-VMHost -VirtualMachineMigrationAuthenticationType Kerberos`.',
      "Find and fix the delegation: `delegaudit audit --url ldaps://<dc> --user <you> --rules HV001,HV002,HV003` and apply each finding's remediation.",
      KLIST,
    ],
    evidence: 'One source: KB 4558514 states the requirement, not the mechanism.',
  },
  {
    code: '20306',
    kind: 'event ID',
    aliases: ['event 20306', 'event id 20306'],
    title: 'Hyper-V event 20306, reported together with 0x8009030E',
    meaning:
      'A 2017 lab write-up reported event 20306 alongside 0x8009030E when live migrations failed after a Windows Server 2016 ' +
      'upgrade. No Microsoft source found ties event 20306 to delegation: on its own it is not a diagnosis.',
    causes: [
      'With 0x8009030E in the same failure: "Kerberos only" delegation on the source host (HV001); see `delegaudit explain 0x8009030E`.',
      'Without it: unknown from the sources delegaudit relies on.',
    ],
    rules: ['HV001'],
    fix: [
      'Find the error code logged with the same failed migration and run `delegaudit explain <code>`.',
      'Run `delegaudit audit` against the domain and fix what it reports for the source host.',
    ],
    evidence: 'Weak: one community lab write-up (2017); no Microsoft source connects the event to delegation.',
  },
  {
    code: '21024',
    kind: 'event ID',
    aliases: ['event 21024', 'event id 21024'],
    title: '"Virtual machine migration operation failed at migration source"',
    meaning:
      'A generic failure event: the migration failed on the source host. The event alone does not say why; look at the error ' +
      'code and events logged with it.',
    causes: [
      "In a published 2016-upgrade case (a 2017 lab write-up), the cause was a broken domain membership: group policy applied to the computer but never to users. It was cured by deleting the computer account and re-joining the domain, after which the host's delegation had to be set again, because a re-joined host gets a new computer object without any (HV003; `rejoinSuspected` when its peers still delegate to it).",
      'Microsoft support article KB 4558514 lists 21024 under a different symptom: the migration succeeds but the virtual machine loses network connectivity.',
    ],
    rules: ['HV003'],
    fix: [
      'Find the error code logged with the event and run `delegaudit explain <code>`.',
      'After a re-join: `delegaudit audit --url ldaps://<dc> --user <you> --rules HV003`, then apply the HV003 remediation (all entries plus "Use any authentication protocol").',
      KLIST,
    ],
    evidence:
      'Sources disagree: a generic event; the re-join story comes from one lab write-up (2017), while KB 4558514 files 21024 under a network symptom. Treat it as a reason to look further, not as a diagnosis.',
  },
  {
    code: '0x80070005',
    kind: 'error code',
    aliases: ['E_ACCESSDENIED', 'Access is denied', '-2147024891', '80070005'],
    title: 'E_ACCESSDENIED, "Access is denied"',
    meaning:
      "0x80070005 is Windows' generic access-denied error (E_ACCESSDENIED). Live migrations and the Hyper-V management " +
      'calls behind them report it whenever a check of rights fails, so the code alone does not say which check: the sources ' +
      'delegaudit relies on tie no particular delegation setting to it.',
    causes: [
      "delegaudit's inference, not stated by the sources: the account starting the migration lacks rights on the destination host (not in its local Administrators or Hyper-V Administrators).",
      'delegaudit\'s inference, not stated by the sources: authentication to the destination fell back to a method that does not carry the user\'s rights, as when constrained delegation is missing or "Kerberos only"; run `delegaudit audit` to rule that out (HV001, HV002, HV003).',
    ],
    rules: ['HV001', 'HV002', 'HV003'],
    fix: [
      'Check that the account is an administrator (or Hyper-V Administrator) on both hosts.',
      'Run `delegaudit audit` and fix what it reports for the source host; read the Hyper-V-VMMS Admin log on both hosts for the event that carries the code.',
    ],
    evidence:
      "The meaning of the code is Microsoft's (winerror.h). Its causes in live migration are delegaudit's inference: no source delegaudit relies on names them.",
  },
  {
    code: '21502',
    kind: 'event ID',
    aliases: ['event 21502', 'event id 21502'],
    title: 'Hyper-V-VMMS event 21502: an operation on a virtual machine failed',
    meaning:
      'Event 21502 in the Hyper-V-VMMS Admin log reports that an operation on a virtual machine failed (a live migration among ' +
      'others) and carries the underlying error in its text. It is a generic event: the code inside it is what says why.',
    causes: ['Whatever the error code in its text says: 0x8009030E points at "Kerberos only" delegation (HV001); see `delegaudit explain <code>`.'],
    rules: ['HV001'],
    fix: [
      "Read the error code in the event's text and run `delegaudit explain <code>`.",
      'Run `delegaudit audit` and fix what it reports for the source host.',
    ],
    evidence:
      'Reported: administrators meet it as the VMMS failure event that carries the real error; no source delegaudit relies on ties it to delegation by itself.',
  },
  vmmsNotListening('0x8007274C', 'WSAETIMEDOUT'),
  vmmsNotListening('0x80072741', 'WSAEADDRNOTAVAIL'),
  {
    code: '6600',
    kind: 'TCP port',
    aliases: ['port 6600', 'tcp 6600', 'tcp/6600'],
    title: 'Where VMMS listens for live migrations',
    meaning:
      "The destination host's Virtual Machine Management service (VMMS) listens on TCP 6600 for live migrations. In a published " +
      'case (a 2017 lab write-up) VMMS had started before a teamed network adapter was ready and never listened there; migrations ' +
      'to the host failed with 0x8007274C and 0x80072741.',
    causes: ['Nothing listens on 6600 of a destination host (HV011): see `delegaudit explain 0x8007274C`.'],
    rules: ['HV011'],
    fix: [
      'Check every host: `delegaudit probe --url ldaps://<dc> --user <you>` (`--port` for another port, `--resolve NAME=ADDRESS` to bypass DNS).',
      'Fix the hosts it reports with automatic, delayed start of vmms: `delegaudit probe ... --format powershell`.',
    ],
    evidence: "The port is the one in the published case; delegaudit's probe only tests that a TCP handshake completes.",
  },
  {
    code: 'SeEnableDelegationPrivilege',
    kind: 'user right',
    aliases: ['SeEnableDelegation'],
    title: 'The user right needed to change delegation settings',
    meaning:
      'Setting delegation on an account (trusting it for delegation, with or without protocol transition, and its ' +
      'msDS-AllowedToDelegateTo list) needs SeEnableDelegationPrivilege, which Domain Admins hold by default. Reading ' +
      'delegation needs only an authenticated user: `delegaudit audit` never needs it.',
    causes: ['A change to delegation (by hand, by a script, or by `delegaudit fix`) is refused for an account that does not hold it.'],
    rules: [],
    fix: [
      'Make the change as a Domain Admin, or as an account that has been granted SeEnableDelegationPrivilege.',
      'Audit with an ordinary account: read access is enough.',
    ],
    evidence: 'Documented: setting delegation needs it and Domain Admins hold it by default; reading needs only an authenticated user.',
  },
  {
    code: 'Protected Users',
    kind: 'group',
    aliases: ['ProtectedUsers', 'RID 525'],
    title: 'Protected Users (RID 525): its members cannot be delegated',
    meaning:
      'Membership in Protected Users blocks delegation of the member account (domain functional level 2012 R2 or later), as the ' +
      'NOT_DELEGATED flag ("Account is sensitive and cannot be delegated", 0x100000) does. For privileged users that is the point: ' +
      'a host trusted for delegation with protocol transition cannot impersonate them. For computers it breaks delegation: Microsoft ' +
      'says never to put computer or service accounts in the group, and a Hyper-V host in it cannot delegate.',
    causes: [
      'A Hyper-V host in the group, directly or through a nested group: its live migrations cannot delegate (HV009).',
      'A privileged user with neither the sensitive flag nor the group (PA001), or with the flag but not the group (PA002).',
    ],
    rules: ['HV009', 'PA001', 'PA002'],
    fix: [
      "A host in it (HV009): `Remove-ADGroupMember -Identity \"$((Get-ADDomain).DomainSID)-525\" -Members '<HOST>$'` (by SID: the group's name is localised), or take it out of the nested group that brings it in.",
      "A privileged user (PA001): `Set-ADAccountControl -Identity '<account>' -AccountNotDelegated $true`; add it to Protected Users after testing what it logs on to.",
    ],
    evidence:
      "Microsoft guidance (no computer or service accounts in Protected Users) and the group's documented effect on delegation; needs domain functional level 2012 R2 or later.",
  },
];

export const CODES: readonly CodeEntry[] = [...MIGRATION_CODES, ...SIGN_IN_CODES];
