/**
 * Hyper-V hosts, their migration groups, and what each host needs in msDS-AllowedToDelegateTo.
 *
 * For hosts A ≠ B in one group, A needs `<service>/B` and `<service>/B.fqdn` for each service in
 * --services, and TRUSTED_TO_AUTH_FOR_DELEGATION. Everything here is linear in the number of
 * required entries: hash sets, no nested scans over entries.
 *
 * With `acceptRbcd`, a peer whose resource-based delegation (msDS-AllowedToActOnBehalfOfOtherIdentity)
 * names host A lets A delegate to any of its services: that peer then requires nothing of A.
 */
import { withoutDollar } from '../text/names.js';
import { dnKey, parentDn, parseDn } from '../ldap/codecs/dn.js';
import { spnKey } from '../ldap/codecs/spn.js';
import { shortName } from './account.js';
import type { Account, Directory, HostSource } from './model.js';
import { nameKeys } from './discover-hosts.js';
import { SERVICE_CLASSES, type ServiceName } from './well-known.js';

export type GroupBy = 'all' | 'ou';

export interface ExplicitGroup {
  name: string;
  /** Host names (short, `NAME$` or FQDN). */
  hosts: string[];
}

export interface MigrationOptions {
  /** How hosts form migration groups. Default 'all': one group. Ignored when `groups` is given. */
  groupBy?: GroupBy;
  /** Explicit groups (from the config file). Default: none. */
  groups?: ExplicitGroup[];
  /** Services each host needs for its peers. Default: migration and cifs. */
  services?: ServiceName[];
  /**
   * Count resource-based delegation from a peer as meeting that peer's requirements (--accept-rbcd).
   * Default false: Microsoft's live-migration documentation describes classic constrained delegation only.
   */
  acceptRbcd?: boolean;
}

export interface RequiredEntry {
  spn: string;
  service: ServiceName;
  form: 'short' | 'fqdn';
}

export interface HostState {
  account: Account;
  source: HostSource;
  group: string;
  /** Enabled peers in the same group (a disabled host is neither checked nor required as a peer). */
  peers: Account[];
  /** Per peer dnKey, the entries this host needs for it (none for peers reached through accepted RBCD). */
  required: Map<string, RequiredEntry[]>;
  /** dnKeys of the peers whose resource-based delegation names this host, when --accept-rbcd counts it. */
  rbcdPeers: Set<string>;
  /** Per peer dnKey, the required entries that are absent. */
  missingByPeer: Map<string, RequiredEntry[]>;
  /** Present entries that no peer requires, as written. */
  extra: string[];
  requiredCount: number;
  inProtectedUsers: boolean;
}

export interface MigrationGroup {
  name: string;
  hosts: HostState[];
}

const DEFAULT_GROUP = 'all hosts';

/** Readable name for an OU: `OU=Cluster-A,OU=Hyper-V,DC=corp,…` → `Hyper-V/Cluster-A`. */
function ouGroupName(dn: string): string {
  try {
    const parent = parentDn(dn);
    const rdns = parseDn(parent).filter((r) => r.type.toLowerCase() !== 'dc');
    return rdns.length === 0
      ? '(domain root)'
      : rdns
          .map((r) => r.value)
          .reverse()
          .join('/');
  } catch {
    return dn;
  }
}

function requiredEntriesFor(peer: Account, dnsDomain: string, services: readonly ServiceName[]): RequiredEntry[] {
  const short = shortName(peer);
  const fqdn = peer.dnsHostName ?? `${short}.${dnsDomain}`;
  return services.flatMap((service) => [
    { spn: `${SERVICE_CLASSES[service]}/${short}`, service, form: 'short' as const },
    { spn: `${SERVICE_CLASSES[service]}/${fqdn}`, service, form: 'fqdn' as const },
  ]);
}

export function buildMigrationGroups(
  directory: Directory,
  options: MigrationOptions,
  isProtectedUser: (account: Account) => boolean,
): { groups: MigrationGroup[]; warnings: string[] } {
  const services = options.services ?? ['migration', 'cifs'];
  const warnings: string[] = [];
  const hosts: Array<{ account: Account; source: HostSource }> = [];
  for (const [key, source] of directory.hostSources) {
    const account = directory.accounts.get(key);
    if (account?.kind !== 'computer' || account.isDomainController) continue;
    hosts.push({ account, source });
  }
  hosts.sort((a, b) => a.account.sAMAccountName.localeCompare(b.account.sAMAccountName));

  const membership = new Map<string, string>();
  if (options.groups !== undefined && options.groups.length > 0) {
    const byName = new Map<string, string>();
    for (const { account } of hosts) for (const name of nameKeys(account)) byName.set(name, dnKey(account.dn));
    for (const group of options.groups) {
      for (const host of group.hosts) {
        const key = byName.get(withoutDollar(host.trim()).toLowerCase());
        if (key === undefined) warnings.push(`group ${group.name}: ${host} is not a Hyper-V host found in the directory`);
        else membership.set(key, group.name);
      }
    }
    for (const { account } of hosts) {
      if (!membership.has(dnKey(account.dn))) {
        warnings.push(`${shortName(account)} is in no configured migration group: checked alone`);
        membership.set(dnKey(account.dn), shortName(account));
      }
    }
  } else {
    for (const { account } of hosts) {
      membership.set(dnKey(account.dn), options.groupBy === 'ou' ? ouGroupName(account.dn) : DEFAULT_GROUP);
    }
  }

  const byGroup = new Map<string, Array<{ account: Account; source: HostSource }>>();
  for (const host of hosts) {
    const name = membership.get(dnKey(host.account.dn))!;
    const members = byGroup.get(name);
    if (members === undefined) byGroup.set(name, [host]);
    else members.push(host);
  }

  const entryKeys = new Map<string, string>();
  const keyOf = (entry: string): string => {
    let key = entryKeys.get(entry);
    if (key === undefined) entryKeys.set(entry, (key = spnKey(entry)));
    return key;
  };
  const groups: MigrationGroup[] = [];
  for (const [name, members] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    const enabled = members.filter((m) => m.account.enabled).map((m) => m.account);
    const required: GroupRequirements = { peers: [], owners: new Map(), keyOf };
    for (const peer of enabled) {
      const key = dnKey(peer.dn);
      const entries = requiredEntriesFor(peer, directory.dnsDomain, services);
      const keys = entries.map((entry) => spnKey(entry.spn));
      const rbcdFrom = options.acceptRbcd === true ? new Set((peer.allowedToActOnBehalfOf ?? []).map((sid) => sid.toUpperCase())) : undefined;
      required.peers.push({ account: peer, key, entries, keys, rbcdFrom });
      for (const spn of keys) {
        const owners = required.owners.get(spn);
        if (owners === undefined) required.owners.set(spn, [key]);
        else owners.push(key);
      }
    }
    groups.push({
      name,
      hosts: members.map(({ account, source }) =>
        hostState(account, source, name, account.enabled ? required : { peers: [], owners: new Map(), keyOf }, isProtectedUser(account)),
      ),
    });
  }
  return { groups, warnings };
}

/** What the enabled hosts of one group require of each other, worked out once per group. */
interface GroupRequirements {
  peers: Array<{
    account: Account;
    key: string;
    entries: RequiredEntry[];
    keys: string[];
    /** Upper-case SIDs the peer's resource-based delegation names; only when --accept-rbcd counts it. */
    rbcdFrom: Set<string> | undefined;
  }>;
  /** spnKey of a host's own entry, worked out once for all the groups (the peers of a group hold the same entries). */
  keyOf: (entry: string) => string;
  /** spnKey of every required entry → dnKeys of the peers that require it (normally one). */
  owners: Map<string, string[]>;
}

/** What a host's state says about its peers, worked out on first use (see hostState). */
type PeerComparison = Pick<HostState, 'peers' | 'required' | 'rbcdPeers' | 'missingByPeer' | 'extra' | 'requiredCount'>;
const COMPARED: ReadonlyArray<keyof PeerComparison> = ['peers', 'required', 'rbcdPeers', 'missingByPeer', 'extra', 'requiredCount'];

/**
 * One host against its group. The comparison with its peers is made when a rule first asks for it,
 * once: the inventory and the privileged-account rules never do, and in a group of 500 hosts it is
 * about a million required entries.
 */
function hostState(account: Account, source: HostSource, group: string, required: GroupRequirements, inProtectedUsers: boolean): HostState {
  let compared: PeerComparison | undefined;
  const state = { account, source, group, inProtectedUsers } as HostState;
  for (const key of COMPARED) {
    Object.defineProperty(state, key, { enumerable: true, get: () => (compared ??= compareWithPeers(account, required))[key] });
  }
  return state;
}

/**
 * A pass over the peers' required entries (a set lookup each) and a pass over the host's own entries:
 * nothing is quadratic in a host's entries. A peer none of whose entries is present shares its list
 * of required entries rather than copying it (the usual case of a host far behind its group).
 */
function compareWithPeers(account: Account, required: GroupRequirements): PeerComparison {
  const self = dnKey(account.dn);
  const keys = account.allowedToDelegateTo.map(required.keyOf);
  const present = new Set(keys);
  const peers: Account[] = [];
  const requiredByPeer = new Map<string, RequiredEntry[]>();
  const missingByPeer = new Map<string, RequiredEntry[]>();
  const rbcdPeers = new Set<string>();
  const sid = account.sid?.toUpperCase();
  let requiredCount = 0;
  for (const peer of required.peers) {
    if (peer.key === self) continue;
    peers.push(peer.account);
    if (sid !== undefined && peer.rbcdFrom?.has(sid) === true) {
      rbcdPeers.add(peer.key);
      continue;
    }
    requiredByPeer.set(peer.key, peer.entries);
    requiredCount += peer.entries.length;
    let held = 0;
    if (present.size > 0) for (const key of peer.keys) if (present.has(key)) held += 1;
    if (held === 0) missingByPeer.set(peer.key, peer.entries);
    else if (held < peer.entries.length)
      missingByPeer.set(
        peer.key,
        peer.entries.filter((_, i) => !present.has(peer.keys[i]!)),
      );
  }
  // An entry is required when a peer other than the host itself requires it.
  const extra: string[] = [];
  keys.forEach((key, i) => {
    const owners = required.owners.get(key);
    if (owners === undefined || owners.every((owner) => owner === self)) extra.push(account.allowedToDelegateTo[i]!);
  });
  return { peers, required: requiredByPeer, rbcdPeers, missingByPeer, extra, requiredCount };
}
