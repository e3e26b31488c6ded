/**
 * A rule is data plus one function: its words live here, and reporters print them as they are.
 */
import type { AuditModel } from '../directory/audit-model.js';
import type { Account } from '../directory/model.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Category = 'migration' | 'security';

/** What a rule looks at, for reports that group findings: the Hyper-V hosts, the privileged accounts, or every delegation in the domain. */
export type Concern = 'hyper-v-hosts' | 'privileged-accounts' | 'delegation';

/** Lower is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export interface FindingSubject {
  dn: string;
  sAMAccountName: string;
  kind: string;
}

export interface Finding {
  rule: string;
  name: string;
  severity: Severity;
  category: Category;
  subject: FindingSubject;
  message: string;
  details: Record<string, unknown>;
  remediation: string;
}

/** A finding's details: plain JSON-able data whose shape each rule publishes as a type. */
export type Details = Record<string, unknown>;

/** What a rule's check yields: the rule fills in its id, name, category and default severity. */
export interface FindingDraft<D extends Details = Details> {
  subject: Account;
  message: string;
  details?: D;
  remediation: string;
  /** Overrides the rule's severity for this finding (HV010 escalates to critical). */
  severity?: Severity;
}

export interface Rule<D extends Details = Details> {
  id: string;
  name: string;
  severity: Severity;
  category: Category;
  concerns: Concern;
  /** One line: what is wrong. */
  title: string;
  /** Why it matters, for `explain` and the docs. */
  explain: string;
  /** How to fix it, in general; each finding carries its own concrete remediation. */
  remediation: string;
  /** Needs every delegation target looked up (one more search): the DG rules. Default: false. */
  readsDelegationTargets?: boolean;
  /**
   * Rules whose finding on the same account says what this rule's would (DG001 on a Hyper-V host says
   * what HV004 does): when one of them reports the account in the same run, this rule's finding is left out.
   * Default: none.
   */
  coveredBy?: readonly string[];
  check(model: AuditModel): Iterable<FindingDraft<D>>;
}

export function defineRule<D extends Details>(rule: Rule<D>): Rule<D> {
  return rule;
}

/**
 * A finding's details as the type its rule publishes, or undefined when the finding is another
 * rule's. Callers (fix/) read details through this, never by casting.
 */
export function detailsOf<D extends Details>(rule: Rule<D>, finding: Pick<Finding, 'rule' | 'details'>): D | undefined {
  // runRule stores exactly what the rule's check yielded under the rule's id.
  return finding.rule === rule.id ? (finding.details as D) : undefined;
}

export function runRule(rule: Rule, model: AuditModel): Finding[] {
  return [...rule.check(model)].map((draft) => ({
    rule: rule.id,
    name: rule.name,
    severity: draft.severity ?? rule.severity,
    category: rule.category,
    subject: { dn: draft.subject.dn, sAMAccountName: draft.subject.sAMAccountName, kind: draft.subject.kind },
    message: draft.message,
    details: draft.details ?? {},
    remediation: draft.remediation,
  }));
}
