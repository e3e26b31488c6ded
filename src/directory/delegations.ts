/**
 * The delegation inventory: one row per (account, delegation) for every account the audit read,
 * computed from the audit model (no extra LDAP traffic). Unlike impacket's findDelegation, an account
 * with both TRUSTED_FOR_DELEGATION and a constrained list gets a row for each, and "target exists"
 * applies sPNMappings and compares case-insensitively.
 */
import type { AuditModel } from './audit-model.js';
import type { Account, AccountKind } from './model.js';
import { dnKey } from '../ldap/codecs/dn.js';
import { ridOf } from '../ldap/codecs/sid.js';
import { parseSpn, shortHostKey, type Spn, spnKey } from '../ldap/codecs/spn.js';
import { RID } from './well-known.js';
import { DEFAULT_SPN_MAPPINGS, mappedSpn, parseSpnMappings } from './spn-mappings.js';

export const DELEGATION_TYPES = ['unconstrained', 'constrained', 'constrained-protocol-transition', 'resource-based'] as const;
export type DelegationType = (typeof DELEGATION_TYPES)[number];

/**
 * Whether a delegation's target resolves to an account: `yes`, `no` (no account serves it, or the
 * computer it names does not exist), `unknown` (its host was not among the accounts read), `n/a`
 * (unconstrained: no target).
 */
export const TARGET_EXISTS = ['yes', 'no', 'unknown', 'n/a'] as const;
export type TargetExists = (typeof TARGET_EXISTS)[number];

/** One delegation of one account: a row of `delegaudit inventory`, and of `audit --inventory`. */
export interface InventoryRow {
  sAMAccountName: string;
  dn: string;
  kind: AccountKind;
  enabled: boolean;
  sensitive: boolean;
  privileged: boolean;
  isDomainController: boolean;
  delegation: DelegationType;
  /** The SPN (constrained), the principal allowed to act (resource-based: its sAMAccountName, or the SID when unresolved), or '' (unconstrained). */
  target: string;
  /** The SID of a resource-based principal. */
  targetSid?: string | undefined;
  /** The account that serves or is the target, when one was read. */
  targetAccount?: string | undefined;
  targetExists: TargetExists;
  /** A domain controller's own unconstrained flag: expected, never a finding. */
  expected: boolean;
  /** The target is a domain controller (its service, or a resource-based entry on a DC) or krbtgt. */
  targetIsDomainController: boolean;
  targetIsKrbtgt: boolean;
}

export interface Inventory {
  rows: InventoryRow[];
}

function isKrbtgt(account: Account | undefined): boolean {
  return account?.sid !== undefined && ridOf(account.sid) === RID.KRBTGT;
}

/** An index of every SPN held by an account read, and of computers by name, for target resolution. */
class TargetResolver {
  private readonly bySpn = new Map<string, Account>();
  private readonly bySid = new Map<string, Account>();
  private readonly mappings: Map<string, string>;

  private krbtgt: Account | undefined;

  constructor(private readonly model: AuditModel) {
    this.mappings = model.directory.spnMappings ?? parseSpnMappings(DEFAULT_SPN_MAPPINGS);
    for (const account of model.directory.accounts.values()) {
      if (isKrbtgt(account)) this.krbtgt = account;
      for (const spn of account.servicePrincipalNames) this.bySpn.set(spnKey(spn), account);
      if (account.sid !== undefined) this.bySid.set(account.sid.toUpperCase(), account);
    }
  }

  /** The account that serves `entry` (exact SPN, then the sPNMappings alias's class), if read. */
  serviceAccount(entry: string): Account | undefined {
    const exact = this.bySpn.get(spnKey(entry));
    if (exact !== undefined) return exact;
    const mapped = mappedSpn(entry, this.mappings);
    return mapped === undefined ? undefined : this.bySpn.get(spnKey(mapped));
  }

  /** The computer that an SPN's host part names, if read. */
  hostComputer(spn: Spn): Account | undefined {
    const host = spn.host.toLowerCase();
    return this.model.computerByName.get(host) ?? (host.includes('.') ? undefined : this.model.computerByName.get(shortHostKey(host)));
  }

  /** Whether `entry` (parsed: `spn`) resolves to an account. */
  exists(entry: string, spn: Spn | undefined): { exists: TargetExists; account: Account | undefined } {
    const account = this.serviceAccount(entry);
    if (account !== undefined) return { exists: 'yes', account };
    if (spn === undefined) return { exists: 'no', account: undefined };
    // krbtgt/REALM is served by the krbtgt account, which registers no such SPN.
    if (spn.serviceClass.toLowerCase() === 'krbtgt')
      return this.krbtgt === undefined ? { exists: 'unknown', account: undefined } : { exists: 'yes', account: this.krbtgt };
    const host = this.hostComputer(spn);
    // The computer was read and holds no such SPN (after sPNMappings): no account serves it.
    if (host !== undefined) return { exists: 'no', account: host };
    const key = spn.host.toLowerCase();
    if (this.model.directory.delegationTargetsRead === true) return { exists: 'no', account: undefined };
    if (this.model.directory.missingNames.has(key) || this.model.directory.missingNames.has(shortHostKey(key))) return { exists: 'no', account: undefined };
    return { exists: 'unknown', account: undefined };
  }

  bySidOf(sid: string): Account | undefined {
    return this.bySid.get(sid.toUpperCase());
  }
}

/** An RBCD SID that no account read has: `no` when every target was looked up and it is of this domain. */
function sidExists(model: AuditModel, sid: string): TargetExists {
  const ofDomain = sid.toUpperCase().startsWith(`${model.directory.domainSid.toUpperCase()}-`);
  return model.directory.delegationTargetsRead === true && ofDomain ? 'no' : 'unknown';
}

/** The account a row describes. */
export function accountOfRow(model: AuditModel, row: InventoryRow): Account {
  return model.directory.accounts.get(dnKey(row.dn))!;
}

const CACHE = new WeakMap<AuditModel, Inventory>();

/** What a row says about the delegation itself; the account's columns come from the account. */
type RowDelegation = Pick<
  InventoryRow,
  'delegation' | 'target' | 'targetSid' | 'targetAccount' | 'targetExists' | 'expected' | 'targetIsDomainController' | 'targetIsKrbtgt'
>;

/**
 * One row with every property written out. `{ ...accountColumns, delegation, … }` made each of the
 * 28,909 rows of the benchmark's large directory on V8's slow path: ~200 ms, against ~30 ms for this.
 */
function makeRow(account: Account, privileged: boolean, d: RowDelegation): InventoryRow {
  return {
    sAMAccountName: account.sAMAccountName,
    dn: account.dn,
    kind: account.kind,
    enabled: account.enabled,
    sensitive: account.sensitive,
    privileged,
    isDomainController: account.isDomainController,
    delegation: d.delegation,
    target: d.target,
    targetSid: d.targetSid,
    targetAccount: d.targetAccount,
    targetExists: d.targetExists,
    expected: d.expected,
    targetIsDomainController: d.targetIsDomainController,
    targetIsKrbtgt: d.targetIsKrbtgt,
  };
}

/** A constrained delegation entry, resolved. */
interface Resolution {
  entry: string;
  key: string;
  /** Where its key sorts among all the entries' keys (localeCompare; keys comparing equal share a rank). */
  rank: number;
  exists: TargetExists;
  target: Account | undefined;
  krbtgt: boolean;
}

/**
 * Every distinct constrained entry of the model, resolved once (the 16 peers of a migration group
 * name the same targets) and ranked by one localeCompare sort of the distinct keys: sorting an
 * account's entries by rank gives the order localeCompare gives them, without sorting 29,000 entries
 * with it account by account.
 */
function resolveEntries(model: AuditModel, resolver: TargetResolver): Map<string, Resolution> {
  const resolutions = new Map<string, Resolution>();
  for (const account of model.directory.accounts.values()) {
    for (const entry of account.allowedToDelegateTo) {
      if (resolutions.has(entry)) continue;
      const spn = parseSpn(entry.trim());
      const { exists, account: target } = resolver.exists(entry, spn);
      const krbtgt = spn?.serviceClass.toLowerCase() === 'krbtgt' || isKrbtgt(target);
      resolutions.set(entry, { entry, key: spnKey(entry), rank: 0, exists, target, krbtgt });
    }
  }
  const sorted = [...resolutions.values()].sort((a, b) => a.key.localeCompare(b.key));
  sorted.forEach((r, i) => {
    r.rank = i > 0 && r.key.localeCompare(sorted[i - 1]!.key) === 0 ? sorted[i - 1]!.rank : i;
  });
  return resolutions;
}

/** The inventory of the model (computed once per model; rules DG001–DG005 share it). */
export function buildInventory(model: AuditModel): Inventory {
  const cached = CACHE.get(model);
  if (cached !== undefined) return cached;
  const resolver = new TargetResolver(model);
  const privilegedKeys = new Set(model.privileged.map((p) => dnKey(p.account.dn)));
  const rows: InventoryRow[] = [];
  const resolutions = resolveEntries(model, resolver);
  const accounts = [...model.directory.accounts.values()].sort((a, b) => a.sAMAccountName.localeCompare(b.sAMAccountName) || a.dn.localeCompare(b.dn));
  for (const account of accounts) {
    const privileged = privilegedKeys.has(dnKey(account.dn));
    if (account.unconstrained) {
      rows.push(
        makeRow(account, privileged, {
          delegation: 'unconstrained',
          target: '',
          targetSid: undefined,
          targetAccount: undefined,
          targetExists: 'n/a',
          expected: account.isDomainController,
          targetIsDomainController: false,
          targetIsKrbtgt: false,
        }),
      );
    }
    const constrained: DelegationType = account.protocolTransition ? 'constrained-protocol-transition' : 'constrained';
    const sorted = account.allowedToDelegateTo.map((entry) => resolutions.get(entry)!).sort((a, b) => a.rank - b.rank);
    for (const { entry, exists, target, krbtgt } of sorted) {
      rows.push(
        makeRow(account, privileged, {
          delegation: constrained,
          target: entry,
          targetSid: undefined,
          targetAccount: target?.sAMAccountName,
          targetExists: exists,
          expected: false,
          targetIsDomainController: target?.isDomainController === true,
          targetIsKrbtgt: krbtgt,
        }),
      );
    }
    for (const sid of account.allowedToActOnBehalfOf ?? []) {
      const principal = resolver.bySidOf(sid);
      rows.push(
        makeRow(account, privileged, {
          delegation: 'resource-based',
          target: principal?.sAMAccountName ?? sid,
          targetSid: sid,
          targetAccount: principal?.sAMAccountName,
          targetExists: principal !== undefined ? 'yes' : sidExists(model, sid),
          expected: false,
          // A principal allowed to act on behalf of anyone to a DC's services controls the domain.
          targetIsDomainController: account.isDomainController,
          targetIsKrbtgt: isKrbtgt(account),
        }),
      );
    }
  }
  const inventory = { rows };
  CACHE.set(model, inventory);
  return inventory;
}

/** How many accounts the rows are about (DNs compared without case). */
export function accountCount(rows: readonly InventoryRow[]): number {
  // An account's rows share its DN as written: lower-case each distinct DN once, not each row's.
  const dns = new Set<string>();
  let previous: string | undefined;
  for (const { dn } of rows) if (dn !== previous) dns.add((previous = dn));
  return new Set([...dns].map((dn) => dn.toLowerCase())).size;
}
