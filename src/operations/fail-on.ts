/**
 * The exit-code threshold (`--fail-on`): whether a run's findings reach it.
 */
import type { FailOn } from '../config/fail-on.js';
import { type Severity, severityRank } from '../rules/rule.js';

/** Whether any finding is at or above the threshold. */
export function failsOn(findings: ReadonlyArray<{ severity: Severity }>, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const limit = severityRank(failOn);
  return findings.some((f) => severityRank(f.severity) <= limit);
}
