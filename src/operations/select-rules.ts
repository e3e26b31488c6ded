/**
 * Which rules a run uses: `--rules` ids or names, `all`, or the default set.
 */
import { ConfigError, setting, wording } from '../errors.js';
import { findRule, RULES } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';

export function selectRules(ids: readonly string[] | undefined): Rule[] {
  // Every rule runs unless --rules narrows the run.
  if (ids === undefined || ids.length === 0) return [...RULES];
  if (ids.some((id) => id.toLowerCase() === 'all')) return [...RULES];
  return ids.map((id) => {
    const rule = findRule(id);
    if (rule === undefined)
      throw new ConfigError(wording`${setting('rules')}: unknown rule ${JSON.stringify(id)} (known: ${RULES.map((r) => r.id).join(', ')})`);
    return rule;
  });
}
