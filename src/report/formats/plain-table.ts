/**
 * A boxed terminal table of one-line cells, drawn as cli-table3 draws the inventory's (no lines between
 * rows), in time linear in the rows. cli-table3 lays a table out in time quadratic in its rows: the
 * 28,909 delegations of the benchmark's large directory took over a minute; this takes milliseconds.
 * The cells must already be terminal-safe (no newlines or escapes: see terminalSafe).
 */

let emoji: RegExp | undefined;
/**
 * Emoji (as sequences: flags, keycaps, ZWJ families) take two columns, as string-width counts them.
 * Compiled on first use: ~20 ms, most of the module's load time, and ASCII cells never need it.
 */
const EMOJI = (): RegExp => (emoji ??= new RegExp('\\p{RGI_Emoji}|\\p{Emoji_Modifier_Base}|\\p{Regional_Indicator}', 'gv'));

/** is-fullwidth-code-point 3 (string-width 4, which cli-table3 uses): East Asian wide and fullwidth. */
function isFullwidth(c: number): boolean {
  return (
    c >= 0x1100 &&
    (c <= 0x115f ||
      c === 0x2329 ||
      c === 0x232a ||
      (c >= 0x2e80 && c <= 0x3247 && c !== 0x303f) ||
      (c >= 0x3250 && c <= 0x4dbf) ||
      (c >= 0x4e00 && c <= 0xa4c6) ||
      (c >= 0xa960 && c <= 0xa97c) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe10 && c <= 0xfe19) ||
      (c >= 0xfe30 && c <= 0xfe6b) ||
      (c >= 0xff01 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1b000 && c <= 0x1b001) ||
      (c >= 0x1f200 && c <= 0x1f251) ||
      (c >= 0x20000 && c <= 0x3fffd))
  );
}

/** Terminal columns `text` takes, counted as cli-table3 counts them (newer emoji aside: two columns here, one there). */
export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const ch of text.replace(EMOJI(), '  ')) {
    const c = ch.codePointAt(0)!;
    // Control characters and combining diacritics take no column.
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0x300 && c <= 0x36f)) continue;
    width += isFullwidth(c) ? 2 : 1;
  }
  return width;
}

/** The table: a top border, the head, the rows, a bottom border; each cell padded by one space. */
export function plainTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = head.map((cell) => displayWidth(cell));
  const cellWidths = rows.map((row) =>
    row.map((cell, i) => {
      const w = displayWidth(cell);
      if (w > (widths[i] ?? 0)) widths[i] = w;
      return w;
    }),
  );
  const line = (cells: readonly string[], measured: readonly number[]): string =>
    `│${cells.map((cell, i) => ` ${cell}${' '.repeat(widths[i]! - measured[i]!)} `).join('│')}│`;
  const rule = (left: string, mid: string, right: string): string => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(mid)}${right}`;
  const out = [
    rule('┌', '┬', '┐'),
    line(
      head,
      head.map((cell) => displayWidth(cell)),
    ),
  ];
  rows.forEach((row, r) => out.push(line(row, cellWidths[r]!)));
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
