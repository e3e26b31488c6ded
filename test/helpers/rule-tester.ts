/**
 * The one way rules are tested (after typescript-eslint's RuleTester): a table of directories in,
 * findings out. `valid` cases yield nothing; `invalid` cases yield exactly `expected`, as
 * `RULE sAMAccountName` pairs in the rule's order.
 */
import { expect } from 'chai';
import type { AuditModel, AuditModelOptions } from '../../src/directory/audit-model.js';
import { runRules } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/rule.js';
import { type DirectoryBuilder, pairs } from './directory-builder.js';

export interface ValidCase {
  name: string;
  /** A directory (its model is built with `options`), or a model built by the test. */
  directory: () => DirectoryBuilder | AuditModel;
  options?: AuditModelOptions;
}

export interface InvalidCase extends ValidCase {
  expected: string[];
}

function findingsOf(rule: Rule, c: ValidCase): string[] {
  const made = c.directory();
  const model = 'findings' in made ? made.model(c.options) : made;
  return pairs(runRules(model, [rule]));
}

/** One `describe` per rule: `does not fire: …` for each valid case, `fires: …` for each invalid one. */
export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }, more?: () => void): void {
  describe(`${rule.id} ${rule.name}`, () => {
    for (const c of cases.valid) {
      it(`does not fire: ${c.name}`, () => {
        expect(findingsOf(rule, c)).to.deep.equal([]);
      });
    }
    for (const c of cases.invalid) {
      it(`fires: ${c.name}`, () => {
        expect(findingsOf(rule, c)).to.deep.equal(c.expected);
      });
    }
    more?.();
  });
}
