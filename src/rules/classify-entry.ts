/**
 * Sorts a host's extra delegation entries (those no peer requires) into stale (HV005), beyond
 * migration (HV010) or harmless, in one place so the two rules never disagree.
 */
import type { AuditModel } from '../directory/audit-model.js';
import type { HostState } from '../directory/migration.js';
import { CIFS_SERVICE_CLASS, MIGRATION_CLASS_KEY } from '../directory/well-known.js';
import { dnKey, parseSpn } from '../directory/keys.js';

export type EntryClass =
  | { kind: 'stale'; reason: 'ghost' | 'other-group' | 'self' }
  | { kind: 'beyond'; reason: 'other-service' | 'file-server' | 'domain-controller' | 'krbtgt' | 'not-an-spn'; critical: boolean }
  | { kind: 'ok' };

export function classifyEntry(model: AuditModel, host: HostState, entry: string): EntryClass {
  const spn = parseSpn(entry);
  if (spn === undefined) return { kind: 'beyond', reason: 'not-an-spn', critical: false };
  const service = spn.serviceClass.toLowerCase();
  const nameKey = spn.host.toLowerCase();
  const target = model.computerByName.get(nameKey);
  if (service === 'krbtgt' || nameKey === 'krbtgt' || nameKey.startsWith('krbtgt.')) {
    return { kind: 'beyond', reason: 'krbtgt', critical: true };
  }
  if (service !== MIGRATION_CLASS_KEY && service !== CIFS_SERVICE_CLASS) {
    if (target?.isDomainController === true) return { kind: 'beyond', reason: 'domain-controller', critical: true };
    return { kind: 'beyond', reason: 'other-service', critical: false };
  }
  if (target === undefined) {
    // Only names the reader looked up and did not find are ghosts; anything else we cannot judge.
    return model.directory.missingNames.has(nameKey) ? { kind: 'stale', reason: 'ghost' } : { kind: 'ok' };
  }
  if (dnKey(target.dn) === dnKey(host.account.dn)) return { kind: 'stale', reason: 'self' };
  if (target.isDomainController) return { kind: 'beyond', reason: 'domain-controller', critical: true };
  const targetHost = model.hostByName.get(nameKey);
  if (targetHost !== undefined) {
    return targetHost.group === host.group ? { kind: 'ok' } : { kind: 'stale', reason: 'other-group' };
  }
  // A migration entry makes its target a host (discover-hosts.ts), so only cifs can name a non-host here.
  return { kind: 'beyond', reason: 'file-server', critical: false };
}
