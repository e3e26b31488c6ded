import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../mock-ldap/project-root.js';
import { RULES } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/rule.js';

const root = projectRoot();
const ruleFiles = readdirSync(join(root, 'src', 'rules'))
  .filter((f) => /^[A-Z]{2}\d{3}-.+\.ts$/.test(f))
  .sort();

describe('rule registry', () => {
  it('lists every rule file once, in id order', () => {
    expect(RULES.map((r) => `${r.id}-${r.name}.ts`)).to.deep.equal(ruleFiles);
  });

  it('names each file after its rule', async () => {
    for (const file of ruleFiles) {
      const rule = ((await import(`../../src/rules/${file.replace(/\.ts$/, '.js')}`)) as { default: Rule }).default;
      expect(file).to.equal(`${rule.id}-${rule.name}.ts`);
    }
  });

  it('gives every rule a title, an explanation and a remediation', () => {
    for (const rule of RULES) {
      expect(rule.title, rule.id).to.have.length.above(10);
      expect(rule.explain, rule.id).to.have.length.above(80);
      expect(rule.remediation, rule.id).to.have.length.above(20);
    }
  });

  describe('README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const rule of RULES) {
      it(`documents ${rule.id} in the rules table with its name and severity`, () => {
        expect(readme).to.match(new RegExp(`^\\| ${rule.id} \\| ${rule.name} \\| [^|]*${rule.severity}[^|]* \\|`, 'm'));
      });
      it(`has a paragraph for ${rule.id}`, () => {
        expect(readme).to.contain(`### ${rule.id} ${rule.name}`);
      });
    }
  });
});
