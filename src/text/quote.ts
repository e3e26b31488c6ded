/**
 * Quoting and escaping, in one place: directory data (names, DNs, SPNs) is shown or pasted in many
 * languages, and in none of them may it become markup, a formula or code.
 */

/**
 * Directory data shown in a terminal: control characters (ANSI escapes, newlines, carriage
 * returns) are made visible instead of being interpreted, so a crafted name cannot rewrite the screen.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A PowerShell single-quoted string literal. Control characters are dropped: they have no place in AD names. */
export function psQuote(value: string): string {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  return `'${value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/['\u2018\u2019\u201a\u201b]/g, "''")}'`;
}

/** A PowerShell array of single-quoted strings: `@('a','b')`. */
export function psArray(values: readonly string[]): string {
  return `@(${values.map(psQuote).join(',')})`;
}

/** A POSIX shell word: plain when safe, single-quoted otherwise (directory data never becomes shell syntax). */
export function shellWord(value: string): string {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '');
  return /^[\w.@-]+$/.test(clean) ? clean : `'${clean.replace(/'/g, `'\\''`)}'`;
}

/** Text for HTML element content and attribute values: markup characters as entities, control characters visible. */
export function escapeHtml(value: string): string {
  return terminalSafe(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const ZWSP = '\u200b';

/**
 * Markdown text that shows `value` literally: in a table cell, a heading, or (with `lineStart`) where
 * it begins a line or a list item, so that a leading `-`, `+`, `=` or `1.` cannot start a block.
 * Inline markup characters (`|` included, which would split a table cell) are backslash-escaped;
 * control characters and line breaks are shown as `\x0a` (a newline would end a table row); `@name`
 * and `#123` get a zero-width space so that a name in the directory cannot mention people or link
 * issues. Bare URLs may still be linked by GitHub's autolinker: they show as the same text.
 */
export function escapeMarkdown(value: string, lineStart = false): string {
  const inline = terminalSafe(value)
    .replace(/[\\`*_[\]<>|~!#&$]/g, (ch) => `\\${ch}`)
    .replace(/@(?=[\w-])/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`);
  return lineStart ? inline.replace(/^([-+=]|\d+(?=[.)]))/, (lead) => (/\d/.test(lead) ? `${lead}\\` : `\\${lead}`)) : inline;
}

/** Characters that make a spreadsheet treat a cell as a formula (with their full-width forms). */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * One CSV field (RFC 4180): formula-neutralised, then quoted when a comma, quote or line break
 * requires it. Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a
 * formula, so such cells get a leading single quote: a name in the directory cannot become a
 * formula on an auditor's machine.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
