/**
 * Words every format shares, and the limits that depend on the medium.
 */

/** A boolean as people read it. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/**
 * Groups with more hosts than this get a per-host table instead of a host × host matrix: a terminal
 * and a Markdown table stay readable to about 16 columns, a browser page scrolls to 40.
 */
export const MATRIX_MAX_HOSTS = { terminal: 16, markdown: 16, html: 40 } as const;
