/**
 * The rule registry: every rule, listed explicitly (a test checks it against the files).
 */
import HV001 from './HV001-protocol-transition-missing.js';
import HV002 from './HV002-delegation-entries-missing.js';
import HV003 from './HV003-delegation-absent.js';
import HV004 from './HV004-unconstrained-delegation.js';
import HV005 from './HV005-stale-delegation-entry.js';
import HV006 from './HV006-migration-spn-unregistered.js';
import HV007 from './HV007-host-account-disabled.js';
import HV008 from './HV008-delegation-list-too-large.js';
import HV009 from './HV009-host-in-protected-users.js';
import HV010 from './HV010-delegation-beyond-migration.js';
import HV011 from './HV011-vmms-not-listening.js';
import PA001 from './PA001-sensitive-flag-missing.js';
import PA002 from './PA002-not-in-protected-users.js';
import PA003 from './PA003-privileged-account-delegation.js';
import PA004 from './PA004-stale-admincount.js';
import DG001 from './DG001-unconstrained-delegation.js';
import DG002 from './DG002-delegation-to-dc-service.js';
import DG003 from './DG003-delegation-to-krbtgt-or-dc.js';
import DG004 from './DG004-ghost-delegation-target.js';
import DG005 from './DG005-protocol-transition-outside-hyperv.js';
import DG006 from './DG006-delegation-differs-between-dcs.js';
import type { AuditModel } from '../directory/audit-model.js';
import { type Finding, runRule, type Rule, severityRank } from './rule.js';

export const RULES: readonly Rule[] = [
  DG001,
  DG002,
  DG003,
  DG004,
  DG005,
  DG006,
  HV001,
  HV002,
  HV003,
  HV004,
  HV005,
  HV006,
  HV007,
  HV008,
  HV009,
  HV010,
  HV011,
  PA001,
  PA002,
  PA003,
  PA004,
];

/** A rule by id, or by name (HV004 and DG001 share `unconstrained-delegation`: the name finds the default rule first). */
export function findRule(id: string): Rule | undefined {
  const byId = RULES.find((rule) => rule.id.toLowerCase() === id.toLowerCase());
  if (byId !== undefined) return byId;
  const named = RULES.filter((rule) => rule.name === id.toLowerCase());
  return named.find((rule) => rule.concerns !== 'delegation') ?? named[0];
}

/** Findings in a stable order: severity, rule, subject. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.rule.localeCompare(b.rule) ||
    a.subject.sAMAccountName.localeCompare(b.subject.sAMAccountName) ||
    a.subject.dn.localeCompare(b.subject.dn)
  );
}

/** The delegation inventory rules, which `inventory` runs. */
export const INVENTORY_RULES: readonly Rule[] = RULES.filter((rule) => rule.id.startsWith('DG'));

/** Runs the selected rules (default: every rule) over the model. */
export function runRules(model: AuditModel, rules: readonly Rule[] = RULES): Finding[] {
  const findings = rules.flatMap((rule) => runRule(rule, model));
  // A finding another rule of this run already makes about the same account (coveredBy) is left out.
  const reported = new Set(findings.map((finding) => `${finding.rule}\n${finding.subject.dn.toLowerCase()}`));
  const covered = (finding: Finding): boolean =>
    (rules.find((rule) => rule.id === finding.rule)?.coveredBy ?? []).some((id) => reported.has(`${id}\n${finding.subject.dn.toLowerCase()}`));
  return findings.filter((finding) => !covered(finding)).sort(compareFindings);
}
