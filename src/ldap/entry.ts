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

  /** Builds an entry from ldapts's `Entry` shape. */
  static fromRaw(raw: Record<string, unknown> & { dn: string }): LdapEntry {
    const values = new Map<string, Array<string | Buffer>>();
    for (const name in raw) {
      if (name === 'dn') continue;
      const value = raw[name];
      const key = name.toLowerCase();
      let list = values.get(key);
      if (list === undefined) values.set(key, (list = []));
      // One entry per page holds thousands of values (a host's delegation list): pushed, not spread.
      if (Array.isArray(value)) {
        for (const v of value as unknown[]) if (typeof v === 'string' || Buffer.isBuffer(v)) list.push(v);
      } else if (typeof value === 'string' || Buffer.isBuffer(value)) list.push(value);
    }
    return new LdapEntry(raw.dn, values);
  }

  /** The attribute names present (lower-case). */
  names(): string[] {
    return [...this.values.keys()];
  }

  /** Every value as text. Invalid UTF-8 is decoded with replacement characters, never thrown. */
  strings(name: string): string[] {
    return (this.values.get(name.toLowerCase()) ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  }

  string(name: string): string | undefined {
    return this.strings(name)[0];
  }

  buffers(name: string): Buffer[] {
    return (this.values.get(name.toLowerCase()) ?? []).map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v));
  }

  buffer(name: string): Buffer | undefined {
    return this.buffers(name)[0];
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
