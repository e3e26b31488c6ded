/** Thrown for a string that is not an RFC 4514 distinguished name. */
class DnSyntaxError extends Error {
  public constructor(dn: string, reason: string) {
    super(`invalid DN "${dn}": ${reason}`);
    this.name = 'DnSyntaxError';
  }
}

/**
 * Parses an RFC 4514 DN into canonical RDN strings (`type=value`, lowercased, spaces around `,`/`=`
 * removed, escapes resolved then re-escaped uniformly), leaf first. Two DNs name the same object
 * when their canonical RDNs are equal, which is how AD compares DNs.
 */
export function parseDn(dn: string): string[] {
  let rdns = parsed.get(dn);
  if (rdns === undefined) {
    rdns = parsePlainDn(dn) ?? parseAnyDn(dn);
    // A directory of 60k objects names the same DNs over and over (member, memberOf, filters).
    if (parsed.size >= MAX_CACHED_DNS) parsed.clear();
    parsed.set(dn, rdns);
  }
  return [...rdns];
}

const MAX_CACHED_DNS = 500_000;
const parsed = new Map<string, readonly string[]>();
const ATTRIBUTE_TYPE = /^(?:[A-Za-z][\w-]*|\d+(?:\.\d+)*)$/;

/**
 * The common case fast: printable ASCII without escapes, quotes or multi-valued RDNs. Returns
 * undefined for anything else, which parseAnyDn then parses (or rejects) character by character.
 */
function parsePlainDn(dn: string): string[] | undefined {
  if (!/^[\x20-\x7e]*$/.test(dn) || /[\\"+;]/.test(dn)) return undefined;
  if (dn.trim() === '') return [];
  const rdns: string[] = [];
  for (const part of dn.split(',')) {
    const equals = part.indexOf('=');
    if (equals < 0) return undefined;
    const type = part.slice(0, equals).trim();
    if (!ATTRIBUTE_TYPE.test(type)) return undefined;
    rdns.push(
      `${type.toLowerCase()}=${escapeDnValue(
        part
          .slice(equals + 1)
          .trim()
          .toLowerCase(),
      )}`,
    );
  }
  return rdns;
}

function parseAnyDn(dn: string): string[] {
  const rdns: string[] = [];
  let avas: string[] = [];
  let index = 0;
  const skipSpaces = (): void => {
    while (dn[index] === ' ') index += 1;
  };
  skipSpaces();
  if (index === dn.length) return [];
  for (;;) {
    skipSpaces();
    const typeStart = index;
    while (index < dn.length && dn[index] !== '=' && !',+;'.includes(dn[index] ?? '')) index += 1;
    const type = dn.slice(typeStart, index).trim();
    if (dn[index] !== '=' || !/^(?:[A-Za-z][\w-]*|\d+(?:\.\d+)*)$/.test(type)) {
      throw new DnSyntaxError(dn, `expected attribute=value at offset ${typeStart}`);
    }
    index += 1;
    skipSpaces();
    const value = readValue();
    avas.push(`${type.toLowerCase()}=${escapeDnValue(value.toLowerCase())}`);
    const separator = dn[index];
    index += 1;
    if (separator === '+') continue;
    rdns.push(avas.sort().join('+'));
    avas = [];
    if (separator === undefined) return rdns;
  }

  function readValue(): string {
    const bytes: number[] = [];
    let significant = 0;
    const pushText = (text: string): void => {
      bytes.push(...Buffer.from(text, 'utf8'));
    };
    if (dn[index] === '"') {
      index += 1;
      while (index < dn.length && dn[index] !== '"') {
        if (dn[index] === '\\') index += 1;
        pushText(dn[index] ?? '');
        index += 1;
      }
      if (dn[index] !== '"') throw new DnSyntaxError(dn, 'unterminated quoted value');
      index += 1;
      skipSpaces();
      significant = bytes.length;
    } else {
      while (index < dn.length && !',+;'.includes(dn[index] ?? '')) {
        const char = dn[index] ?? '';
        if (char === '\\') {
          const hex = dn.slice(index + 1, index + 3);
          if (/^[0-9a-f]{2}$/i.test(hex)) {
            bytes.push(Number.parseInt(hex, 16));
            index += 3;
          } else if (index + 1 < dn.length) {
            pushText(dn[index + 1] ?? '');
            index += 2;
          } else {
            throw new DnSyntaxError(dn, 'dangling escape');
          }
          significant = bytes.length;
          continue;
        }
        const codePoint = dn.codePointAt(index) ?? 0;
        const text = String.fromCodePoint(codePoint);
        pushText(text);
        index += text.length;
        if (char !== ' ') significant = bytes.length;
      }
    }
    if (index < dn.length && !',+;'.includes(dn[index] ?? '')) throw new DnSyntaxError(dn, `unexpected character at offset ${index}`);
    return Buffer.from(bytes.slice(0, significant)).toString('utf8');
  }
}

/** The canonical comparison key of a DN (see {@link parseDn}). Throws {@link DnSyntaxError}. */
export function dnKey(dn: string): string {
  return parseDn(dn).join(',');
}

/** Escapes an attribute value for use inside a DN (RFC 4514 section 2.4). */
function escapeDnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (char) => `\\${char}`)
    .replace(/^[ #]/, (char) => `\\${char}`)
    .replace(/ $/, '\\ ');
}

/** True when `rdns` (from {@link parseDn}) equals `baseRdns` or lies beneath it. */
export function isWithin(rdns: readonly string[], baseRdns: readonly string[]): boolean {
  const offset = rdns.length - baseRdns.length;
  return offset >= 0 && baseRdns.every((rdn, position) => rdns[offset + position] === rdn);
}
