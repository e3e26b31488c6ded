/**
 * One search result entry with its attributes normalised once: names case-insensitive, every value
 * in an array, text decoded as UTF-8 (ldapts hands back one value as a scalar and several as an
 * array, and bytes that are not UTF-8 as Buffers).
 */
export class LdapEntry {
  readonly dn: string;
  private readonly values: Map<string, Array<string | Buffer>>;

  constructor(dn: string, values: Map<string, Array<string | Buffer>>) {
    this.dn = dn;
    this.values = values;
  }

  /**
   * Builds an entry from ldapts's `Entry` shape. ldapts makes a fresh array for each attribute of each
   * entry, of text and Buffers: such an array is taken as it is, not copied (80,000 values at the
   * benchmark's large size).
   */
  static fromRaw(raw: Record<string, unknown> & { dn: string }): LdapEntry {
    const values = new Map<string, Array<string | Buffer>>();
    for (const name in raw) {
      if (name === 'dn') continue;
      const value = raw[name];
      const key = name.toLowerCase();
      let list = values.get(key);
      if (list === undefined && Array.isArray(value) && (value as unknown[]).every(isValue)) {
        values.set(key, value as Array<string | Buffer>);
        continue;
      }
      if (list === undefined) values.set(key, (list = []));
      // One entry per page holds thousands of values (a host's delegation list): pushed, not spread.
      if (Array.isArray(value)) {
        for (const v of value as unknown[]) if (isValue(v)) list.push(v);
      } else if (isValue(value)) list.push(value);
    }
    return new LdapEntry(raw.dn, values);
  }

  /** The attribute names present (lower-case). */
  names(): string[] {
    return [...this.values.keys()];
  }

  /** Every value as text (a new array). Invalid UTF-8 is decoded with replacement characters, never thrown. */
  strings(name: string): string[] {
    const list = this.values.get(name.toLowerCase());
    if (list === undefined) return [];
    // Usually text already: copied as it is.
    for (const value of list) if (typeof value !== 'string') return list.map(text);
    return list.slice() as string[];
  }

  /** The first value as text. */
  string(name: string): string | undefined {
    const first = this.values.get(name.toLowerCase())?.[0];
    return first === undefined ? undefined : text(first);
  }

  buffers(name: string): Buffer[] {
    return (this.values.get(name.toLowerCase()) ?? []).map(bytes);
  }

  /** The first value as bytes. */
  buffer(name: string): Buffer | undefined {
    const first = this.values.get(name.toLowerCase())?.[0];
    return first === undefined ? undefined : bytes(first);
  }

  has(name: string): boolean {
    return (this.values.get(name.toLowerCase())?.length ?? 0) > 0;
  }

  /** The values as received (text or bytes), for copying between entries. */
  raw(name: string): Array<string | Buffer> {
    return [...(this.values.get(name.toLowerCase()) ?? [])];
  }

  /** Appends values (used to merge ranged reads of one attribute). */
  append(name: string, more: Array<string | Buffer>): void {
    const key = name.toLowerCase();
    const existing = this.values.get(key);
    if (existing === undefined) this.values.set(key, [...more]);
    else for (const value of more) existing.push(value);
  }

  delete(name: string): void {
    this.values.delete(name.toLowerCase());
  }
}

function isValue(value: unknown): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function text(value: string | Buffer): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function bytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}
