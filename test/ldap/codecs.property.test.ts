/**
 * Property-based checks of the codecs: every SID, userAccountControl value, SPN, DN value and filter
 * value fast-check can think of survives a round trip.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { dnKey, escapeDnValue, formatDn, parseDn } from '../../src/ldap/codecs/dn.js';
import { escapeFilterValue, unescapeFilterValue } from '../../src/ldap/filter.js';
import { sidToBuffer, sidToString } from '../../src/ldap/codecs/sid.js';
import { formatSpn, parseSpn } from '../../src/ldap/codecs/spn.js';
import { decodeUac, encodeUac, parseUac, UAC, type UacFlag } from '../../src/ldap/codecs/uac.js';

const RUNS = { numRuns: 500 };

describe('codec properties (fast-check)', () => {
  it('SID: text → binary → text is the identity', () => {
    const sid = fc
      .tuple(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }))
      .map(([authority, subs]) => ['S-1', authority, ...subs].join('-'));
    fc.assert(
      fc.property(sid, (text) => sidToString(sidToBuffer(text)) === text),
      RUNS,
    );
  });

  it('SID: binary → text → binary is the identity for well-formed buffers', () => {
    const buffer = fc
      .tuple(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }))
      .map(([authority, subs]) => {
        const b = Buffer.alloc(8 + subs.length * 4);
        b[0] = 1;
        b[1] = subs.length;
        Buffer.from(authority).copy(b, 2);
        subs.forEach((s, i) => b.writeUInt32LE(s, 8 + i * 4));
        return b;
      });
    fc.assert(
      fc.property(buffer, (b) => sidToBuffer(sidToString(b)).equals(b)),
      RUNS,
    );
  });

  it('SID: any other bytes are rejected, never mis-decoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const b = Buffer.from(bytes);
        const wellFormed = b.length >= 8 && b.length === 8 + b[1]! * 4;
        try {
          sidToString(b);
          return wellFormed;
        } catch (error) {
          return !wellFormed && error instanceof RangeError;
        }
      }),
      RUNS,
    );
  });

  it('userAccountControl: decimal text → value → flags → value keeps every known bit', () => {
    const names = Object.keys(UAC) as UacFlag[];
    fc.assert(
      fc.property(fc.subarray(names), (flags) => {
        const value = encodeUac(flags);
        const parsed = parseUac(String(value | 0)); // AD may serve it as a signed 32-bit number
        return parsed === value && encodeUac(decodeUac(value) as UacFlag[]) === value;
      }),
      RUNS,
    );
  });

  it('SPN: formatting and parsing agree on class and host', () => {
    const label = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/);
    const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
    const serviceClass = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,40}[A-Za-z0-9]$/);
    fc.assert(
      fc.property(serviceClass, host, (cls, h) => {
        const spn = parseSpn(formatSpn(cls, h));
        return spn?.serviceClass === cls && spn.host === h;
      }),
      RUNS,
    );
  });

  it('SPN: parsing arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        parseSpn(text);
        return true;
      }),
      RUNS,
    );
  });

  it('DN: any attribute value survives escaping and parsing, and compares equal to itself in any case', () => {
    const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((v) => !/[\ud800-\udfff]/.test(v));
    fc.assert(
      fc.property(value, (v) => {
        const dn = (value: string): string =>
          formatDn([
            { type: 'CN', value },
            { type: 'OU', value: 'Hyper-V' },
            { type: 'DC', value: 'corp' },
          ]);
        const back = parseDn(dn(v));
        // Case-insensitive comparison, where upper-casing is reversible (not for 'ß' → 'SS').
        const caseless = v.toUpperCase().toLowerCase() !== v.toLowerCase() || dnKey(dn(v)) === dnKey(dn(v.toUpperCase()));
        return back[0]!.value === v && back.length === 3 && caseless;
      }),
      RUNS,
    );
    expect(escapeDnValue('#,+" ')).to.equal('\\#\\,\\+\\"\\ ');
  });

  it("DN key: the plain-DN shortcut gives exactly the parser's key, for DNs with and without specials and spaces", () => {
    const parsedKey = (dn: string): string => {
      try {
        return parseDn(dn)
          .map((r) => `${r.type.toLowerCase()}=${escapeDnValue(r.value.toLowerCase())}`)
          .join(',');
      } catch {
        return dn.trim().toLowerCase();
      }
    };
    const piece = fc.string({ unit: fc.constantFrom('a', 'B', 'é', ' ', ',', '=', '+', '\\', '"', '#', ';', '<', '1', '-', '\t'), maxLength: 12 });
    const rdn = fc.tuple(fc.constantFrom('CN', 'ou', 'Dc', ' cn', 'OU '), piece).map(([type, value]) => `${type}=${value}`);
    fc.assert(
      fc.property(fc.array(rdn, { minLength: 1, maxLength: 4 }), (rdns) => {
        const dn = rdns.join(',');
        return dnKey(dn) === parsedKey(dn);
      }),
      { numRuns: 3000 },
    );
    // parseDn's own shortcut for plain DNs: the same RDNs as the parser finds with spaces around the separators.
    fc.assert(
      fc.property(fc.array(rdn, { minLength: 1, maxLength: 4 }), (rdns) => {
        const dn = rdns.join(',');
        let spaced: string;
        try {
          spaced = parseDn(dn)
            .map((r) => `${r.type} = ${escapeDnValue(r.value)}`)
            .join(' , ');
        } catch {
          return true;
        }
        return JSON.stringify(parseDn(dn)) === JSON.stringify(parseDn(spaced));
      }),
      { numRuns: 3000 },
    );
    expect(dnKey('CN=HV01,OU=Hyper-V,DC=corp,DC=example,DC=com')).to.equal('cn=hv01,ou=hyper-v,dc=corp,dc=example,dc=com');
    expect(dnKey('CN=Smith\\, John ,OU=Staff')).to.equal('cn=smith\\, john,ou=staff');
  });

  it('filter: any value survives escaping, and the escaped text has no filter syntax left', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }).filter((v) => !/[\ud800-\udfff]/.test(v)),
        (v) => {
          const escaped = escapeFilterValue(v);
          return unescapeFilterValue(escaped).toString('utf8') === v && !/[()*\u0000]/.test(escaped) && !/\\(?![0-9a-f]{2})/.test(escaped);
        },
      ),
      RUNS,
    );
  });
});
