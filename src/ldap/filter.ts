/**
 * LDAP filters as data. Values from users and from the directory are carried as values, never spliced
 * into filter text, so nothing in them can be interpreted; `filterToString` renders RFC 4515 text with
 * every value escaped (for logs and for tools such as ldapsearch).
 */

export type Filter =
  | { op: 'and' | 'or'; parts: Filter[] }
  | { op: 'not'; part: Filter }
  | { op: 'eq'; attribute: string; value: string | Buffer }
  | { op: 'present'; attribute: string }
  | { op: 'prefix'; attribute: string; prefix: string }
  | { op: 'bitsAll'; attribute: string; bits: number };

/** The AD matching rule for "every bit set" (LDAP_MATCHING_RULE_BIT_AND). */
export const MATCHING_RULE_BIT_AND = '1.2.840.113556.1.4.803';

/**
 * Escapes an assertion value (RFC 4515 section 3): `*`, `(`, `)`, `\`, NUL and non-printable or
 * non-ASCII bytes become `\xx`. Binary values (a SID) are escaped byte by byte, as AD tools write them.
 */
export function escapeFilterValue(value: string | Uint8Array): string {
  const binary = typeof value !== 'string';
  const bytes = binary ? value : Buffer.from(value, 'utf8');
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (binary || byte < 0x20 || byte > 0x7e || '*()\\'.includes(ch)) {
      out += `\\${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Reverses escapeFilterValue. */
export function unescapeFilterValue(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(text[i]!, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

export const eq = (attribute: string, value: string | Buffer): Filter => ({ op: 'eq', attribute, value });
export const present = (attribute: string): Filter => ({ op: 'present', attribute });
export const prefix = (attribute: string, start: string): Filter => ({ op: 'prefix', attribute, prefix: start });
export const bitsAll = (attribute: string, bits: number): Filter => ({ op: 'bitsAll', attribute, bits: bits >>> 0 });

export function or(parts: readonly Filter[]): Filter {
  return parts.length === 1 ? parts[0]! : { op: 'or', parts: [...parts] };
}

export function and(parts: readonly Filter[]): Filter {
  return parts.length === 1 ? parts[0]! : { op: 'and', parts: [...parts] };
}

/** RFC 4515 text, every value escaped. */
export function filterToString(filter: Filter): string {
  switch (filter.op) {
    case 'and':
      return `(&${filter.parts.map(filterToString).join('')})`;
    case 'or':
      return `(|${filter.parts.map(filterToString).join('')})`;
    case 'not':
      return `(!${filterToString(filter.part)})`;
    case 'eq':
      return `(${filter.attribute}=${escapeFilterValue(filter.value)})`;
    case 'present':
      return `(${filter.attribute}=*)`;
    case 'prefix':
      return `(${filter.attribute}=${escapeFilterValue(filter.prefix)}*)`;
    case 'bitsAll':
      return `(${filter.attribute}:${MATCHING_RULE_BIT_AND}:=${filter.bits})`;
  }
}
