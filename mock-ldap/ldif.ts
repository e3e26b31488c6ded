import { readFile } from 'node:fs/promises';
import { TextDecoder } from 'node:util';

import { sidToString } from './sid.js';

/** One attribute of an LDIF record, its name as written. */
export interface LdifAttribute {
  name: string;
  values: string[];
}

/** One LDIF content record. `line` is the 1-based line of its `dn:` line. */
export interface LdifEntry {
  dn: string;
  line: number;
  attributes: LdifAttribute[];
}

/** A syntax error in LDIF content; the message names the file and line: `lab.ldif line 42: ...`. */
export class LdifError extends Error {
  public constructor(
    public readonly source: string,
    public readonly line: number,
    reason: string,
  ) {
    super(`${source} line ${line}: ${reason}`);
    this.name = 'LdifError';
  }
}

const utf8 = new TextDecoder('utf8', { fatal: true });

/**
 * Attributes whose values are bytes (lower-case names). The directory stores them as base64 text
 * (from LDIF `attr:: …`), serves them as bytes, and stores the bytes a modify sends as base64.
 */
export const BINARY_ATTRIBUTES = new Set(['msds-allowedtoactonbehalfofotheridentity']);

/**
 * Parses LDIF content records (RFC 2849): `version:`, `#` comments, folded lines, `attr:: base64`,
 * blank-line separated records. Change records and `attr:< URL` values are not supported.
 * @param text the LDIF content
 * @param source the name used in error messages (usually the file name)
 */
export function parseLdif(text: string, source = 'LDIF'): LdifEntry[] {
  const logical: Array<{ text: string; line: number } | null> = [];
  let inComment = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.startsWith(' ')) {
      const previous = logical.at(-1);
      if (inComment) return;
      if (previous) previous.text += raw.slice(1);
      else if (raw.trim() !== '') throw new LdifError(source, index + 1, 'continuation line without a line to continue');
      return;
    }
    inComment = raw.startsWith('#');
    if (!inComment) logical.push(raw.trim() === '' ? null : { text: raw, line: index + 1 });
  });

  const entries: LdifEntry[] = [];
  let current: LdifEntry | undefined;
  let sawVersion = false;
  for (const item of logical) {
    if (item === null) {
      current = undefined;
      continue;
    }
    const { name, value } = parseLine(item.text, item.line, source);
    const lower = name.toLowerCase();
    if (!current) {
      if (lower === 'version' && entries.length === 0 && !sawVersion) {
        if (value !== '1') throw new LdifError(source, item.line, `unsupported LDIF version ${value}`);
        sawVersion = true;
        continue;
      }
      if (lower !== 'dn') throw new LdifError(source, item.line, `expected "dn:" to start a record, found "${name}:"`);
      current = { dn: value, line: item.line, attributes: [] };
      entries.push(current);
      continue;
    }
    if (lower === 'dn') throw new LdifError(source, item.line, 'second "dn:" in one record (missing blank line?)');
    if (lower === 'changetype') throw new LdifError(source, item.line, 'change records are not supported');
    const existing = current.attributes.find((attribute) => attribute.name.toLowerCase() === lower);
    if (existing) existing.values.push(value);
    else current.attributes.push({ name, values: [value] });
  }
  return entries;
}

function parseLine(text: string, line: number, source: string): { name: string; value: string } {
  const match = /^([A-Za-z0-9][\w.;-]*)\s*:(:|<)?\s?(.*)$/.exec(text);
  if (!match) throw new LdifError(source, line, `expected "attribute: value", found "${text.slice(0, 40)}"`);
  const name = match[1] ?? '';
  const raw = match[3] ?? '';
  if (match[2] === '<') throw new LdifError(source, line, `URL values ("${name}:<") are not supported`);
  if (match[2] !== ':') return { name, value: raw.replace(/^ +/, '') };
  const base64 = raw.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new LdifError(source, line, `invalid base64 value for ${name}`);
  }
  const bytes = Buffer.from(base64, 'base64');
  if (BINARY_ATTRIBUTES.has(name.toLowerCase())) return { name, value: bytes.toString('base64') };
  if (name.toLowerCase() === 'objectsid') {
    try {
      return { name, value: sidToString(bytes) };
    } catch {
      // Not binary: fall through to text, e.g. base64 of "S-1-5-...".
    }
  }
  try {
    return { name, value: utf8.decode(bytes) };
  } catch {
    throw new LdifError(source, line, `${name}: binary values are not supported (only text, objectSid and msDS-AllowedToActOnBehalfOfOtherIdentity)`);
  }
}

/** Reads and parses an LDIF file; errors name the file as given. */
export async function loadLdifFile(path: string): Promise<LdifEntry[]> {
  return parseLdif(await readFile(path, 'utf8'), path);
}

/** Serialises entries back to LDIF, base64-encoding unsafe values and folding lines at 76 columns. */
export function formatLdif(entries: ReadonlyArray<Pick<LdifEntry, 'dn' | 'attributes'>>): string {
  const records = entries.map((entry) =>
    [
      formatLine('dn', entry.dn),
      ...entry.attributes.flatMap((attribute) =>
        attribute.values.map((value) =>
          BINARY_ATTRIBUTES.has(attribute.name.toLowerCase()) ? fold(`${attribute.name}:: ${value}`) : formatLine(attribute.name, value),
        ),
      ),
    ].join('\n'),
  );
  return ['version: 1', ...records].join('\n\n') + '\n';
}

function formatLine(name: string, value: string): string {
  // RFC 2849 SAFE-STRING: ASCII without NUL/CR/LF, not starting with space, ':' or '<', no trailing space.
  const safe = /^(?:[^\0\n\r :<\x80-\uffff][^\0\n\r\x80-\uffff]*)?$/.test(value) && !value.endsWith(' ');
  const encoded = safe ? ` ${value}` : `: ${Buffer.from(value, 'utf8').toString('base64')}`;
  return fold(`${name}:${value === '' ? '' : encoded}`);
}

/** Folds an LDIF line at 76 columns. */
function fold(line: string): string {
  const chunks = [line.slice(0, 76)];
  for (let offset = 76; offset < line.length; offset += 75) chunks.push(` ${line.slice(offset, offset + 75)}`);
  return chunks.join('\n');
}
