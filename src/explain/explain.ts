/**
 * `delegaudit explain`: look a code or a rule up. Codes come from codes.ts; rules from the registry,
 * printed as they are (never a copy of their words) by report/formats/explain.ts.
 */
import { findRule } from '../rules/index.js';
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

function findCode(text: string): CodeEntry | undefined {
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
