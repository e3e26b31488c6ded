/**
 * `delegaudit explain`'s formats: an explanation or the list of everything it knows, as text that
 * wraps to the terminal (commands never wrapped) or as JSON.
 */
import { CODES } from '../../explain/codes.js';
import type { Explanation } from '../../explain/explain.js';
import { RULES } from '../../rules/index.js';
import type { Rule } from '../../rules/rule.js';

/** Greedy word wrap with a hanging indent; long words are left whole. */
function wrap(text: string, width: number, indent = '  ', first = indent): string {
  const lines: string[] = [];
  let line = first;
  let pristine = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!pristine && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line += (pristine ? '' : ' ') + word;
    }
    pristine = false;
  }
  lines.push(line);
  return lines.join('\n');
}

const ruleLine = (rule: Rule): string => `${rule.id} ${rule.name} (${rule.severity}, ${rule.category}): ${rule.title}`;

export function formatExplanation(explanation: Explanation, width = 100): string {
  const w = Math.max(60, width);
  const out: string[] = [];
  if (explanation.kind === 'code') {
    const { entry, rules } = explanation;
    out.push(`${entry.code} (${entry.kind}): ${entry.title}`, '');
    out.push('What it means', wrap(entry.meaning, w), '');
    out.push('Likely causes', ...entry.causes.map((c) => wrap(c, w, '    ', '  - ')), '');
    out.push(
      'Detected by',
      ...(rules.length === 0 ? ['  no rule: delegaudit cannot see this from the directory'] : rules.map((r) => wrap(ruleLine(r), w, '    ', '  - '))),
      '',
    );
    // Fix steps are not wrapped: a command broken across lines does not paste.
    out.push('Fix', ...entry.fix.map((f) => `  - ${f}`), '');
    out.push('How sure', wrap(entry.evidence, w));
    if (rules.length > 0) out.push('', `More: ${rules.map((r) => `delegaudit explain ${r.id}`).join(', ')}`);
  } else {
    const { rule, codes } = explanation;
    out.push(`${rule.id} ${rule.name} (${rule.severity}, ${rule.category})`, wrap(rule.title, w, '', ''), '');
    out.push('Why it matters', wrap(rule.explain, w), '');
    out.push('Fix', wrap(rule.remediation, w), '  Each finding carries the exact commands for its host or account.');
    if (codes.length > 0) out.push('', 'Codes that lead here', ...codes.map((c) => wrap(`${c.code}: ${c.title}`, w, '    ', '  - ')));
  }
  return `${out.join('\n')}\n`;
}

export function explanationJson(explanation: Explanation): unknown {
  const rule = (r: Rule) => ({
    id: r.id,
    name: r.name,
    severity: r.severity,
    category: r.category,
    title: r.title,
    explain: r.explain,
    remediation: r.remediation,
  });
  return explanation.kind === 'code'
    ? { match: 'code', ...explanation.entry, rules: explanation.rules.map(rule) }
    : { match: 'rule', ...rule(explanation.rule), codes: explanation.codes.map((c) => c.code) };
}

/** Every code and every rule, one line each. */
export function formatList(width = 100): string {
  const w = Math.max(60, width);
  const pad = Math.max(...CODES.map((c) => c.code.length)) + 2;
  const out = ['Codes (delegaudit explain CODE)'];
  for (const c of CODES) out.push(wrap(`${c.kind}: ${c.title}`, w, ' '.repeat(2 + pad), `  ${c.code.padEnd(pad)}`));
  out.push('', 'Rules (delegaudit explain RULE-ID)');
  for (const r of RULES) out.push(wrap(`${r.name} (${r.severity}): ${r.title}`, w, ' '.repeat(9), `  ${r.id}  `));
  return `${out.join('\n')}\n`;
}

export function listJson(): unknown {
  return {
    codes: CODES.map((c) => ({ code: c.code, kind: c.kind, title: c.title, rules: c.rules })),
    rules: RULES.map((r) => ({ id: r.id, name: r.name, severity: r.severity, category: r.category, title: r.title })),
  };
}
