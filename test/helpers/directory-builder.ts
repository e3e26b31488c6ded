/**
 * Builds in-memory directories for rule tests (typescript-eslint's RuleTester style: directories in,
 * findings out). Integration tests read real directories over LDAP instead.
 */
import { buildAuditModel, type AuditModel, type AuditModelOptions } from '../../src/directory/audit-model.js';
import { discoverHosts } from '../../src/directory/discover-hosts.js';
import type { Account, AccountKind, Directory, Group } from '../../src/directory/model.js';
import { dnKey } from '../../src/ldap/codecs/dn.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import { runRules } from '../../src/rules/index.js';
import type { Finding, Rule } from '../../src/rules/rule.js';

export const DOMAIN_SID = 'S-1-5-21-1-2-3';
const DOMAIN_DN = 'DC=corp,DC=example,DC=com';
export const DNS = 'corp.example.com';
export const MIG = 'Microsoft Virtual System Migration Service';

export interface AccountSpec {
  uac?: number;
  spns?: string[];
  delegateTo?: string[];
  ou?: string;
  kind?: AccountKind;
  rid?: number;
  primaryGroupId?: number;
  adminCount?: number;
  dnsHostName?: string | null;
  /** SIDs allowed to act on behalf of other identities (resource-based delegation). */
  rbcd?: string[];
}

let nextRid = 2000;

export class DirectoryBuilder {
  private readonly accounts = new Map<string, Account>();
  private readonly groups = new Map<string, Group>();
  missingNames = new Set<string>();

  constructor() {
    for (const [name, sid] of [
      ['Administrators', 'S-1-5-32-544'],
      ['Domain Admins', `${DOMAIN_SID}-512`],
      ['Enterprise Admins', `${DOMAIN_SID}-519`],
      ['Protected Users', `${DOMAIN_SID}-525`],
      ['Domain Users', `${DOMAIN_SID}-513`],
    ] as const) {
      this.groups.set(dnKey(this.groupDn(name)), { dn: this.groupDn(name), sid, sAMAccountName: name, members: [] });
    }
  }

  groupDn(name: string): string {
    return `CN=${name},CN=Users,${DOMAIN_DN}`;
  }

  accountDn(name: string, ou = 'OU=Hyper-V'): string {
    return `CN=${name},${ou},${DOMAIN_DN}`;
  }

  /** A Hyper-V host with its migration SPNs, delegating to `peers` (both services, both forms) unless `delegateTo` is given. */
  host(name: string, peers: string[] = [], spec: AccountSpec = {}): this {
    return this.computer(name, {
      uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION,
      spns: [`HOST/${name}`, `HOST/${name}.${DNS}`, `${MIG}/${name}`, `${MIG}/${name}.${DNS}`],
      delegateTo: peers.flatMap((p) => requiredFor(p)),
      ...spec,
    });
  }

  computer(name: string, spec: AccountSpec = {}): this {
    const dn = this.accountDn(name, spec.ou);
    this.accounts.set(dnKey(dn), account(dn, `${name}$`, { kind: 'computer', uac: UAC.WORKSTATION_TRUST_ACCOUNT, dnsHostName: `${name}.${DNS}`, ...spec }));
    return this;
  }

  user(name: string, spec: AccountSpec = {}): this {
    const dn = this.accountDn(name, spec.ou ?? 'OU=Admins');
    this.accounts.set(dnKey(dn), account(dn, name, { kind: 'user', uac: UAC.NORMAL_ACCOUNT, dnsHostName: null, ...spec }));
    return this;
  }

  group(name: string, sid = `${DOMAIN_SID}-${(nextRid += 1)}`): this {
    this.groups.set(dnKey(this.groupDn(name)), { dn: this.groupDn(name), sid, sAMAccountName: name, members: [] });
    return this;
  }

  /** Adds `memberDn` (an account or group DN) to the group called `group`. */
  member(group: string, memberDn: string): this {
    this.groups.get(dnKey(this.groupDn(group)))!.members.push(memberDn);
    return this;
  }

  /** The SID of an account added before (by sAMAccountName). */
  sidOf(sAMAccountName: string): string {
    const account = [...this.accounts.values()].find((a) => a.sAMAccountName.toLowerCase() === sAMAccountName.toLowerCase());
    if (account?.sid === undefined) throw new Error(`no account ${sAMAccountName}`);
    return account.sid;
  }

  ghost(name: string): this {
    this.missingNames.add(name.toLowerCase());
    return this;
  }

  build(): Directory {
    return {
      url: 'ldaps://dc01.corp.example.com',
      dc: 'dc01.corp.example.com',
      baseDN: DOMAIN_DN,
      domainDN: DOMAIN_DN,
      dnsDomain: DNS,
      domainSid: DOMAIN_SID,
      configurationDN: `CN=Configuration,${DOMAIN_DN}`,
      accounts: this.accounts,
      groups: this.groups,
      references: [],
      warnings: [],
      missingNames: this.missingNames,
      hostSources: discoverHosts(this.accounts),
    };
  }

  model(options: AuditModelOptions = {}): AuditModel {
    return buildAuditModel(this.build(), options);
  }

  findings(rule?: Rule, options: AuditModelOptions = {}): Finding[] {
    return runRules(this.model(options), rule === undefined ? undefined : [rule]);
  }
}

export function requiredFor(peer: string): string[] {
  return [`${MIG}/${peer}`, `${MIG}/${peer}.${DNS}`, `cifs/${peer}`, `cifs/${peer}.${DNS}`];
}

function account(dn: string, sam: string, spec: AccountSpec & { kind: AccountKind }): Account {
  const uac = spec.uac ?? 0;
  const rid = spec.rid ?? (nextRid += 1);
  const primaryGroupId = spec.primaryGroupId ?? (spec.kind === 'computer' ? 515 : 513);
  return {
    dn,
    sid: `${DOMAIN_SID}-${rid}`,
    sAMAccountName: sam,
    userPrincipalName: undefined,
    kind: spec.kind,
    userAccountControl: uac,
    enabled: (uac & UAC.ACCOUNTDISABLE) === 0,
    sensitive: (uac & UAC.NOT_DELEGATED) !== 0,
    unconstrained: (uac & UAC.TRUSTED_FOR_DELEGATION) !== 0,
    protocolTransition: (uac & UAC.TRUSTED_TO_AUTH_FOR_DELEGATION) !== 0,
    allowedToDelegateTo: spec.delegateTo ?? [],
    servicePrincipalNames: spec.spns ?? [],
    dnsHostName: spec.dnsHostName === null ? undefined : spec.dnsHostName,
    primaryGroupId,
    adminCount: spec.adminCount,
    whenCreated: '20170315143000.0Z',
    isDomainController: (uac & UAC.SERVER_TRUST_ACCOUNT) !== 0 || primaryGroupId === 516,
    ...(spec.rbcd === undefined ? {} : { allowedToActOnBehalfOf: spec.rbcd }),
  };
}

/** `rule subject` pairs, sorted: the shape most rule tests compare. */
export function pairs(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`).sort();
}
