/**
 * Words every format shares, and the limits that depend on the medium.
 */
import { RULES } from '../../rules/index.js';

/** A boolean as people read it. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/**
 * Groups with more hosts than this get a per-host table instead of a host × host matrix: a terminal
 * and a Markdown table stay readable to about 16 columns, a browser page scrolls to 40.
 */
export const MATRIX_MAX_HOSTS = { terminal: 16, markdown: 16, html: 40 } as const;

/**
 * Which rules ran, as one sentence: "Rules: all 20 (Hyper-V hosts, privileged accounts, every delegation)",
 * or "Rules: 3 of 20: HV001, HV003, PA001" (--rules, or a command such as probe that runs a few). Undefined
 * for a report that does not say.
 */
export function rulesRan(ran: readonly string[] | undefined): string | undefined {
  if (ran === undefined) return undefined;
  if (ran.length === RULES.length) return `Rules: all ${RULES.length} (Hyper-V hosts, privileged accounts, every delegation)`;
  return `Rules: ${ran.length} of ${RULES.length}: ${ran.join(', ')}`;
}

/** `items` joined by `separator`, on as few lines as fit in `width` (an item is never split). */
export function joinWithin(items: readonly string[], separator: string, width: number): string {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + separator.length + item.length <= width) lines[last] += `${separator}${item}`;
    else lines.push(item);
  }
  return lines.join('\n');
}

/** Where a report was read: the DC's name and its URL ("DC01.corp.example.com, ldaps://10.0.0.1:636"), or the URL when it names the DC. */
export function whereRead(directory: { url: string; dc?: string | undefined }): string {
  const dc = directory.dc;
  return dc === undefined || directory.url.toLowerCase().includes(`//${dc.toLowerCase()}`) ? directory.url : `${dc}, ${directory.url}`;
}
