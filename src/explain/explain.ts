/**
 * `delegaudit explain`: look a code or a rule up, and lay the answer out. Codes come from codes.ts;
 * rules from the registry, printed as they are (never a copy of their words).
 */
import { findRule, RULES } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { type CodeEntry, CODES } from './codes.js';

export type Explanation = { kind: 'code'; entry: CodeEntry; rules: Rule[] } | { kind: 'rule'; rule: Rule; codes: CodeEntry[] };

/**
 * Case, spaces, hyphens, slashes and underscores do not matter; `0x` is optional on eight hex digits;
 * a decimal HRESULT (as PowerShell prints them, e.g. -2146893042) becomes hex.
 */
export function normaliseCode(text: string): string {
  const trimmed = text.trim().toLowerCase();
  if (/^(0x)?[0-9a-f]{8}$/.test(trimmed)) return `0x${trimmed.replace(/^0x/, '')}`;
  if (/^-?\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isSafeInteger(n) && (n < 0 || n > 0xffff) && n >= -0x80000000 && n <= 0xffffffff) return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
    return String(n);
  }
  return trimmed.replace(/[\s_\-/]+/g, '');
}

const index = new Map<string, CodeEntry>();
for (const entry of CODES) for (const name of [entry.code, ...entry.aliases]) index.set(normaliseCode(name), entry);

export function findCode(text: string): CodeEntry | undefined {
  return index.get(normaliseCode(text));
}

/** A code's entry with its rules, or a rule with the codes that point to it; undefined when neither. */
export function explain(text: string): Explanation | undefined {
  const entry = findCode(text);
  if (entry !== undefined) return { kind: 'code', entry, rules: entry.rules.map((id) => findRule(id)).filter((r): r is Rule => r !== undefined) };
  const rule = findRule(text.trim());
  if (rule !== undefined) return { kind: 'rule', rule, codes: CODES.filter((c) => c.rules.includes(rule.id)) };
  return undefined;
}

/** Greedy word wrap with a hanging indent; long words are left whole. */
export function wrap(text: string, width: number, indent = '  ', first = indent): string {
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
    out.push('Detected by', ...(rules.length === 0 ? ['  no rule: delegaudit cannot see this from the directory'] : rules.map((r) => wrap(ruleLine(r), w, '    ', '  - '))), '');
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
  const rule = (r: Rule) => ({ id: r.id, name: r.name, severity: r.severity, category: r.category, title: r.title, explain: r.explain, remediation: r.remediation });
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
