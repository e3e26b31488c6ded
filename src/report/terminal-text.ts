/**
 * Directory data shown in a terminal: control characters (ANSI escapes, newlines, carriage
 * returns) are made visible instead of being interpreted, so a crafted name cannot rewrite the screen.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
