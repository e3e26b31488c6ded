/**
 * Wraps a remediation (prose and commands) to `width` columns without ever breaking inside a quoted
 * string or a word: lines break at a space outside quotes, or after a comma, `(` or `{` outside quotes
 * (where PowerShell's array and hashtable syntax allows a new line). A single piece longer than the width stays whole.
 */
export function wrapCommands(text: string, width: number): string {
  // Pieces between break opportunities, each with what joined it to the next one (' ' or '').
  const pieces: Array<{ text: string; glue: string }> = [];
  let current = '';
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      current += char;
      if (char === quote) quote = undefined;
    } else if ((char === "'" || char === '"') && /(^|[(={@,:;'"])$/.test(current)) {
      // A quote opens at the start of a word or after PowerShell punctuation; "controller's" is an apostrophe.
      current += char;
      quote = char;
    } else if (char === ' ') {
      if (current !== '') pieces.push({ text: current, glue: ' ' });
      else if (pieces.length > 0) pieces[pieces.length - 1]!.glue = ' ';
      current = '';
    } else if (char === ',' || char === '(' || char === '{') {
      pieces.push({ text: `${current}${char}`, glue: '' });
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') pieces.push({ text: current, glue: '' });
  const lines: string[] = [];
  let line = '';
  let glue = '';
  for (const piece of pieces) {
    if (line !== '' && line.length + glue.length + piece.text.length > width) {
      lines.push(line);
      line = piece.text;
    } else {
      line = line === '' ? piece.text : `${line}${glue}${piece.text}`;
    }
    glue = piece.glue;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
