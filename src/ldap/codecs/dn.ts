/**
 * Distinguished names (RFC 4514) and their comparison as AD does it: attribute types and values
 * case-insensitively, spaces around separators ignored.
 */

/** RDNs `type=value`, comma-separated, values with none of RFC 4514's specials and no space at either end. */
const PLAIN_VALUE = String.raw`[^\\"+,;<>=#\s\x00-\x1f\x7f](?:[^\\"+,;<>=#\x00-\x1f\x7f]*[^\\"+,;<>=#\s\x00-\x1f\x7f])?`;
const PLAIN_DN = new RegExp(String.raw`^[A-Za-z][A-Za-z0-9-]*=${PLAIN_VALUE}(?:,[A-Za-z][A-Za-z0-9-]*=${PLAIN_VALUE})*$`);

export interface Rdn {
  type: string;
  value: string;
}

/** Escapes an attribute value for use in a DN string (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i]!;
    const code = ch.charCodeAt(0);
    if (',+"\\<>;='.includes(ch)) {
      out += `\\${ch}`;
    } else if (code === 0) {
      out += '\\00';
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0')}`;
    } else if ((ch === '#' && i === 0) || (ch === ' ' && (i === 0 || i === value.length - 1))) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Splits a DN into RDNs, unescaping values. Multi-valued RDNs (`a=1+b=2`) keep their first part. Throws on malformed input. */
export function parseDn(dn: string): Rdn[] {
  // Nothing escaped and no spaces around separators (nearly every DN AD returns): split it.
  if (PLAIN_DN.test(dn)) {
    return dn.split(',').map((rdn) => {
      const at = rdn.indexOf('=');
      return { type: rdn.slice(0, at), value: rdn.slice(at + 1) };
    });
  }
  const rdns: Rdn[] = [];
  if (dn.trim() === '') {
    return rdns;
  }
  let i = 0;
  const n = dn.length;
  while (i < n) {
    while (i < n && dn[i] === ' ') i += 1;
    let type = '';
    while (i < n && dn[i] !== '=') {
      type += dn[i];
      i += 1;
    }
    if (i >= n || type.trim() === '') {
      throw new SyntaxError(`malformed DN: ${JSON.stringify(dn)}`);
    }
    i += 1; // '='
    while (i < n && dn[i] === ' ') i += 1;
    const bytes: number[] = [];
    let trailingSpaces = 0;
    let first: Rdn | undefined;
    const pushChar = (ch: string, escaped: boolean): void => {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      trailingSpaces = ch === ' ' && !escaped ? trailingSpaces + 1 : 0;
    };
    const finish = (): string => {
      const text = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString('utf8');
      bytes.length = 0;
      trailingSpaces = 0;
      return text;
    };
    while (i < n && dn[i] !== ',' && dn[i] !== ';') {
      const ch = dn[i]!;
      if (ch === '\\') {
        const next = dn.slice(i + 1, i + 3);
        if (/^[0-9a-fA-F]{2}$/.test(next)) {
          bytes.push(parseInt(next, 16));
          trailingSpaces = 0;
          i += 3;
        } else if (i + 1 < n) {
          pushChar(dn[i + 1]!, true);
          i += 2;
        } else {
          throw new SyntaxError(`malformed DN (dangling escape): ${JSON.stringify(dn)}`);
        }
      } else if (ch === '+') {
        first ??= { type: type.trim(), value: finish() };
        // Skip the other parts of a multi-valued RDN.
        while (i < n && dn[i] !== ',' && dn[i] !== ';') {
          i += dn[i] === '\\' ? 2 : 1;
        }
      } else {
        pushChar(ch, false);
        i += 1;
      }
    }
    rdns.push(first ?? { type: type.trim(), value: finish() });
    if (i < n) i += 1; // separator
  }
  return rdns;
}

export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map((r) => `${r.type}=${escapeDnValue(r.value)}`).join(',');
}

/** A canonical key: two DNs AD considers equal get the same key. Falls back to lower-casing malformed input. */
export function dnKey(dn: string): string {
  let key = keys.get(dn);
  if (key === undefined) {
    // Nothing to unescape, no spaces around separators: the key is the DN lower-cased (what the parser
    // would make of it), without walking it a character at a time.
    if (PLAIN_DN.test(dn)) key = dn.toLowerCase();
    else
      try {
        key = parseDn(dn)
          .map((r) => `${r.type.toLowerCase()}=${escapeDnValue(r.value.toLowerCase())}`)
          .join(',');
      } catch {
        key = dn.trim().toLowerCase();
      }
    // The model and the rules key maps by DN per host and per peer: one group of 500 hosts asks for
    // the same few thousand keys about a million times.
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(dn, key);
  }
  return key;
}

const MAX_CACHED_KEYS = 100_000;
const keys = new Map<string, string>();

/** The DN one level up, or '' at the top. */
export function parentDn(dn: string): string {
  return formatDn(parseDn(dn).slice(1));
}

/** Whether `dn` is `base` or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = dnKey(dn);
  const b = dnKey(base);
  return b === '' || d === b || d.endsWith(`,${b}`);
}
