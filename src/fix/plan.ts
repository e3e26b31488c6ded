/**
 * Turns audit findings into a plan of LDAP modifications: one change per account, values added or
 * removed individually, userAccountControl flags set or cleared by name. Nothing else is ever written.
 */
import { type AuditModel, exclusion } from '../directory/audit-model.js';
import { ConfigError } from '../errors.js';
import { shortName } from '../directory/account.js';
import { nameKeys } from '../directory/discover-hosts.js';
import type { Account } from '../directory/model.js';
import { dnKey } from '../ldap/codecs/dn.js';
import { spnKey } from '../ldap/codecs/spn.js';
import { UAC, type UacFlag } from '../ldap/codecs/uac.js';
import { detailsOf, type Finding } from '../rules/rule.js';
import HV005 from '../rules/HV005-stale-delegation-entry.js';
import { withoutDollar } from '../text/names.js';

/** The flags fix may change, and nothing else. */
export type FixFlag = Extract<UacFlag, 'TRUSTED_TO_AUTH_FOR_DELEGATION' | 'NOT_DELEGATED' | 'TRUSTED_FOR_DELEGATION'>;

export interface PlannedChange {
  dn: string;
  sAMAccountName: string;
  kind: Account['kind'];
  /** msDS-AllowedToDelegateTo values to add, one by one. */
  add: string[];
  /** msDS-AllowedToDelegateTo values to remove, one by one. */
  remove: string[];
  /** Flags to set or clear; every other userAccountControl bit stays as it is. */
  setFlags: FixFlag[];
  clearFlags: FixFlag[];
  /** userAccountControl and msDS-AllowedToDelegateTo as read when planning. */
  before: { userAccountControl: number; allowedToDelegateTo: string[] };
  /** The findings (rule ids) this change resolves. */
  resolves: string[];
}

export interface FixPlan {
  url: string;
  baseDN: string;
  changes: PlannedChange[];
  /** Things asked for that the plan does not do, and why. */
  skipped: string[];
}

export interface PlanOptions {
  /** Only these hosts (short name, NAME$ or FQDN). Default: every host with findings. */
  hosts?: string[];
  /** Only this migration group. Default: all groups. */
  group?: string;
  /** Set NOT_DELEGATED on PA001 accounts. Default: false. */
  protectPrivileged?: boolean;
  /** Accounts (sAMAccountName or DN) never touched by --protect-privileged. Default: none. */
  exclude?: string[];
  /** Remove HV005 stale entries. Default: false. */
  prune?: boolean;
  /** Clear TRUSTED_FOR_DELEGATION on HV004 hosts whose constrained mesh is complete after this plan. Default: false. */
  removeUnconstrained?: boolean;
}

/** userAccountControl after the change. */
export function uacAfter(uac: number, change: Pick<PlannedChange, 'setFlags' | 'clearFlags'>): number {
  let value = uac;
  for (const flag of change.setFlags) value |= UAC[flag];
  for (const flag of change.clearFlags) value &= ~UAC[flag];
  return value >>> 0;
}

/** Whether a change writes nothing. */
export function isEmpty(change: Pick<PlannedChange, 'add' | 'remove' | 'setFlags' | 'clearFlags' | 'before'>): boolean {
  return change.add.length === 0 && change.remove.length === 0 && uacAfter(change.before.userAccountControl, change) === change.before.userAccountControl;
}

/**
 * Which hosts a plan may touch (--host, --group). A name that matches nothing is an error: a misspelt
 * host would otherwise plan nothing and look like "already fixed".
 */
function hostSelection(model: AuditModel, options: PlanOptions): (account: Account) => boolean {
  const unmatched: string[] = [];
  const wanted = new Set((options.hosts ?? []).map((h) => withoutDollar(h.trim()).toLowerCase()));
  const missing = [...wanted].filter((name) => !model.hostByName.has(name));
  if (missing.length > 0) {
    const known = [...new Set(model.hosts.map((h) => h.account.sAMAccountName.replace(/\$$/, '')))].sort();
    unmatched.push(`--host ${missing.join(', ')}: not a Hyper-V host in the directory (hosts: ${listed(known)})`);
  }
  if (options.group !== undefined && !model.groups.some((g) => g.name === options.group)) {
    unmatched.push(`--group ${options.group}: no such migration group (groups: ${listed(model.groups.map((g) => g.name))})`);
  }
  if (unmatched.length > 0) throw new ConfigError(`${unmatched.join('; ')}: nothing was planned`);
  return (account: Account): boolean => {
    const host = model.hostByName.get(nameKeys(account)[0]!);
    if (host === undefined) return false;
    if (wanted.size > 0 && !nameKeys(account).some((n) => wanted.has(n))) return false;
    return options.group === undefined || host.group === options.group;
  };
}

/** At most ten names, then how many more. */
const listed = (names: string[]): string =>
  names.length === 0 ? 'none' : names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;

const addUnique = <T>(list: T[], items: readonly T[]): void => {
  for (const item of items) if (!list.includes(item)) list.push(item);
};

/** The changes of a plan, one per account, created on first use. */
class Changes {
  private readonly byDn = new Map<string, PlannedChange>();

  for(account: Account): PlannedChange {
    const key = dnKey(account.dn);
    let change = this.byDn.get(key);
    if (change === undefined) {
      change = {
        dn: account.dn,
        sAMAccountName: account.sAMAccountName,
        kind: account.kind,
        add: [],
        remove: [],
        setFlags: [],
        clearFlags: [],
        before: { userAccountControl: account.userAccountControl, allowedToDelegateTo: [...account.allowedToDelegateTo] },
        resolves: [],
      };
      this.byDn.set(key, change);
    }
    return change;
  }

  get(account: Account): PlannedChange | undefined {
    return this.byDn.get(dnKey(account.dn));
  }

  /** The changes that write something, by account name, each with its rules sorted. */
  list(): PlannedChange[] {
    const list = [...this.byDn.values()].filter((c) => !isEmpty(c)).sort((a, b) => a.sAMAccountName.localeCompare(b.sAMAccountName));
    for (const change of list) change.resolves.sort();
    return list;
  }
}

/** The change one finding asks for, if the options ask for it; HV004 is planned after the rest. */
function planFinding(
  model: AuditModel,
  finding: Finding,
  account: Account,
  options: PlanOptions,
  context: { changes: Changes; selected: (a: Account) => boolean; excluded: (a: Account) => boolean; skipped: string[] },
): void {
  const { changes, selected } = context;
  switch (finding.rule) {
    case 'HV001':
    case 'HV002':
    case 'HV003': {
      if (!selected(account)) return;
      const host = model.hostByName.get(nameKeys(account)[0]!)!;
      const change = changes.for(account);
      if (finding.rule !== 'HV001')
        addUnique(
          change.add,
          [...host.missingByPeer.values()].flat().map((e) => e.spn),
        );
      if (!account.protocolTransition) addUnique(change.setFlags, ['TRUSTED_TO_AUTH_FOR_DELEGATION' as const]);
      addUnique(change.resolves, [finding.rule]);
      return;
    }
    case 'HV005': {
      if (options.prune !== true || !selected(account)) return;
      const stale = detailsOf(HV005, finding)?.stale ?? [];
      const change = changes.for(account);
      addUnique(
        change.remove,
        stale.map((s) => s.entry),
      );
      addUnique(change.resolves, ['HV005']);
      return;
    }
    case 'PA001': {
      if (options.protectPrivileged !== true) return;
      if (context.excluded(account)) {
        context.skipped.push(`${account.sAMAccountName}: excluded (--exclude), PA001 left as it is`);
        return;
      }
      const change = changes.for(account);
      addUnique(change.setFlags, ['NOT_DELEGATED' as const]);
      addUnique(change.resolves, ['PA001']);
      return;
    }
    default:
      return;
  }
}

/** Unconstrained delegation goes only where this plan leaves a complete constrained mesh behind. */
function planUnconstrainedRemoval(model: AuditModel, account: Account, changes: Changes, skipped: string[]): void {
  const host = model.hostByName.get(nameKeys(account)[0]!)!;
  const planned = changes.get(account);
  const adding = new Set((planned?.add ?? []).map(spnKey));
  const stillMissing = [...host.missingByPeer.values()].flat().filter((e) => !adding.has(spnKey(e.spn)));
  const protocolTransition = account.protocolTransition || (planned?.setFlags.includes('TRUSTED_TO_AUTH_FOR_DELEGATION') ?? false);
  if (stillMissing.length > 0 || !protocolTransition || !account.enabled) {
    skipped.push(
      `${shortName(account)}: TRUSTED_FOR_DELEGATION kept: its constrained delegation to its peers would not be complete (${stillMissing.length} entries missing${protocolTransition ? '' : ', no protocol transition'})`,
    );
    return;
  }
  const change = changes.for(account);
  addUnique(change.clearFlags, ['TRUSTED_FOR_DELEGATION' as const]);
  addUnique(change.resolves, ['HV004']);
}

export function planFix(model: AuditModel, findings: readonly Finding[], options: PlanOptions = {}): FixPlan {
  const selected = hostSelection(model, options);
  const skipped: string[] = [];
  const changes = new Changes();
  const context = { changes, selected, excluded: exclusion(options.exclude ?? []), skipped };
  const accountOf = (finding: Finding): Account | undefined => model.directory.accounts.get(dnKey(finding.subject.dn));
  for (const finding of findings) {
    const account = accountOf(finding);
    if (account !== undefined) planFinding(model, finding, account, options, context);
  }
  if (options.removeUnconstrained === true) {
    for (const finding of findings.filter((f) => f.rule === 'HV004')) {
      const account = accountOf(finding);
      if (account !== undefined && selected(account)) planUnconstrainedRemoval(model, account, changes, skipped);
    }
  }
  return { url: model.directory.url, baseDN: model.directory.baseDN, changes: changes.list(), skipped };
}
