/**
 * AD's server limits, as mock-ldap enforces them (Samba enforces neither; Windows does), and
 * delegaudit reading everything anyway: MaxPageSize 1000 (pages capped, unpaged searches stop with
 * sizeLimitExceeded after 1000 entries) and MaxValRange 1500 (`member;range=0-1499`, then
 * `member;range=1500-2999`, …, `;range=N-*`).
 */
import { expect } from 'chai';
import type { Client } from 'ldapts';
import { type LdifEntry, type MockLdap, type MockLdapOptions, startMockLdap } from '../../mock-ldap/index.js';
import { LdapSession } from '../../src/ldap/session.js';
import { audit, inventory } from '../../src/index.js';
import { ADMIN, boundClient, DOMAIN, DOMAIN_SID, labFixture } from '../mock-ldap/helpers.js';

const MIG = 'Microsoft Virtual System Migration Service';
const OU = `OU=Scale,${DOMAIN}`;
const TIER0 = `CN=Tier0 Operators,OU=Admins,${DOMAIN}`;

function ou(): LdifEntry {
  return {
    dn: OU,
    line: 0,
    attributes: [
      { name: 'objectClass', values: ['top', 'organizationalUnit'] },
      { name: 'ou', values: ['Scale'] },
    ],
  };
}

function user(i: number): LdifEntry {
  const name = `scale.user${String(i).padStart(5, '0')}`;
  return {
    dn: `CN=${name},${OU}`,
    line: 0,
    attributes: [
      { name: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] },
      { name: 'sAMAccountName', values: [name] },
      { name: 'objectSid', values: [`${DOMAIN_SID}-${30_000 + i}`] },
      { name: 'primaryGroupID', values: ['513'] },
      { name: 'userAccountControl', values: ['512'] },
    ],
  };
}

function computer(name: string, rid: number, delegation: string[] = []): LdifEntry {
  const fqdn = `${name}.corp.example.com`;
  return {
    dn: `CN=${name},${OU}`,
    line: 0,
    attributes: [
      { name: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user', 'computer'] },
      { name: 'sAMAccountName', values: [`${name}$`] },
      { name: 'dNSHostName', values: [fqdn] },
      { name: 'objectSid', values: [`${DOMAIN_SID}-${rid}`] },
      { name: 'primaryGroupID', values: ['515'] },
      { name: 'userAccountControl', values: [String(0x1000 | 0x1000000)] },
      { name: 'servicePrincipalName', values: [`HOST/${name}`, `${MIG}/${name}`, `${MIG}/${fqdn}`] },
      ...(delegation.length > 0 ? [{ name: 'msDS-AllowedToDelegateTo', values: delegation }] : []),
    ],
  };
}

function group(name: string, rid: number, members: string[]): LdifEntry {
  return {
    dn: `CN=${name},${OU}`,
    line: 0,
    attributes: [
      { name: 'objectClass', values: ['top', 'group'] },
      { name: 'sAMAccountName', values: [name] },
      { name: 'objectSid', values: [`${DOMAIN_SID}-${rid}`] },
      { name: 'groupType', values: ['-2147483646'] },
      { name: 'member', values: members },
    ],
  };
}

/** The lab with `users` more users, all of them members of Tier0 Operators (→ Domain Admins), plus `more` entries. */
async function labWith(users: number, more: LdifEntry[] = []): Promise<LdifEntry[]> {
  const added = Array.from({ length: users }, (_, i) => user(i));
  const lab = (await labFixture()).map((entry) =>
    entry.dn === TIER0
      ? { ...entry, attributes: entry.attributes.map((a) => (a.name === 'member' ? { name: 'member', values: [...a.values, ...added.map((u) => u.dn)] } : a)) }
      : entry,
  );
  return [...lab, ou(), ...added, ...more];
}

async function session(mock: MockLdap): Promise<LdapSession> {
  return LdapSession.open({ url: mock.ldapsUrl!, caFile: mock.caFile, tlsServername: mock.servername }, { user: ADMIN.dn, password: ADMIN.password });
}

const credentials = { user: 'CORP\\Administrator', password: ADMIN.password };

async function withMock<T>(entries: LdifEntry[], fn: (mock: MockLdap) => Promise<T>, options: Partial<MockLdapOptions> = {}): Promise<T> {
  const mock = await startMockLdap({ entries, ...options });
  try {
    return await fn(mock);
  } finally {
    await mock.close();
  }
}

describe('AD server limits [mock]', function () {
  this.timeout(120_000);

  describe('MaxPageSize 1000', () => {
    let mock: MockLdap;
    let client: Client;
    before(async () => {
      mock = await startMockLdap({ entries: await labWith(25_000) });
      client = await boundClient(mock);
    });
    after(async () => {
      await client.unbind();
      await mock.close();
    });

    it('[mock] caps a page of 5000 at 1000 entries', async () => {
      const pages = client.searchPaginated(OU, { filter: '(objectClass=user)', attributes: ['1.1'], paged: { pageSize: 5000 } });
      const first = (await pages.next()).value as { searchEntries: unknown[] } | undefined;
      expect(first?.searchEntries).to.have.length(1000);
      await pages.return(undefined);
    });

    it('[mock] ends an unpaged search with sizeLimitExceeded after 1000 entries, even when the client allows more', async () => {
      // ldapts hands back the entries of a sizeLimitExceeded answer when the request set a size limit.
      const result = await client.search(OU, { filter: '(objectClass=user)', attributes: ['1.1'], sizeLimit: 30_000 });
      expect(result.searchEntries).to.have.length(1000);
    });

    it('[mock] a search returning 25,000 entries is read completely, in pages of 1000', async () => {
      const reader = await session(mock);
      try {
        mock.resetStats();
        const { entries } = await reader.search({
          base: OU,
          scope: 'sub',
          filter: { op: 'eq', attribute: 'objectClass', value: 'user' },
          attributes: ['sAMAccountName'],
          purpose: 'test',
        });
        expect(entries).to.have.length(25_000);
        expect(new Set(entries.map((e) => e.string('sAMAccountName'))).size).to.equal(25_000);
        expect(mock.stats.searches).to.equal(25); // one request per page
        expect(reader.stats).to.include({ searches: 1, rangeSearches: 0, entries: 25_000 });
      } finally {
        await reader.close();
      }
    });

    it('[mock] the inventory lists all of 2,500 accounts with delegation, in the same searches: nothing stops at 1000', async () => {
      const delegating = Array.from({ length: 2500 }, (_, i) => {
        const u = user(i);
        return { ...u, attributes: [...u.attributes, { name: 'msDS-AllowedToDelegateTo', values: ['cifs/FS01', `http/WEB${i}`] }] };
      });
      const lab = await withMock(
        await labWith(0),
        async (m) => (await inventory({ url: m.ldapsUrl!, caFile: m.caFile, tlsServername: m.servername, credentials })).stats,
      );
      await withMock(await labWith(0, delegating), async (m) => {
        const { inventory: report, stats } = await inventory({ url: m.ldapsUrl!, caFile: m.caFile, tlsServername: m.servername, credentials });
        const scale = report.rows.filter((r) => r.dn.endsWith(OU));
        expect(new Set(scale.map((r) => r.dn)).size).to.equal(2500);
        expect(scale).to.have.length(5000);
        expect(report.findings.filter((f) => f.rule === 'DG004' && f.subject.dn.endsWith(OU))).to.have.length(2500);
        expect(stats.searches).to.equal(lab.searches);
      });
    });
  });

  describe('MaxValRange 1500', () => {
    const big = (name: string, rid: number, from: number, count: number): LdifEntry =>
      group(
        name,
        rid,
        Array.from({ length: count }, (_, i) => `CN=scale.user${String(from + i).padStart(5, '0')},${OU}`),
      );

    it('[mock] answers member;range=0-1499, then 1500-2999, …, and ;range=4500-* on the last part', async () => {
      await withMock(await labWith(5000, [big('Big Group', 29_000, 0, 5000)]), async (mock) => {
        const client = await boundClient(mock);
        try {
          const dn = `CN=Big Group,${OU}`;
          // ldapts lists requested attributes the server did not return with no values: leave those out.
          const read = async (attribute: string): Promise<Record<string, unknown>> => {
            const entry = (await client.search(dn, { scope: 'base', attributes: [attribute] })).searchEntries[0]!;
            return Object.fromEntries(Object.entries(entry).filter(([, value]) => !Array.isArray(value) || value.length > 0));
          };
          const plain = await read('member');
          expect(Object.keys(plain)).to.deep.equal(['dn', 'member;range=0-1499']);
          expect(plain['member;range=0-1499']).to.have.length(1500);
          const second = await read('member;range=1500-2999');
          expect(second['member;range=1500-2999']).to.have.length(1500);
          expect((second['member;range=1500-2999'] as string[])[0]).to.equal(`CN=scale.user01500,${OU}`);
          const last = await read('member;range=4500-5999');
          expect(Object.keys(last)).to.deep.equal(['dn', 'member;range=4500-*']);
          expect(last['member;range=4500-*']).to.have.length(500);
          const rest = await read('member;range=1500-*');
          expect(Object.keys(rest)).to.deep.equal(['dn', 'member;range=1500-2999']); // capped at 1500 values
          const small = await read(`memberOf;range=0-*`);
          expect(Object.keys(small)).to.deep.equal(['dn']); // the group is in no group: nothing to return
        } finally {
          await client.unbind();
        }
      });
    });

    it('[mock] delegaudit reads a 5,000-member group completely, in three follow-ups', async () => {
      await withMock(await labWith(5000, [big('Big Group', 29_000, 0, 5000)]), async (mock) => {
        const reader = await session(mock);
        try {
          const { entries } = await reader.search({
            base: `CN=Big Group,${OU}`,
            scope: 'base',
            filter: { op: 'present', attribute: 'objectClass' },
            attributes: ['member'],
            purpose: 'test',
          });
          const members = entries[0]!.strings('member');
          expect(members).to.have.length(5000);
          expect(new Set(members).size).to.equal(5000);
          expect(entries[0]!.names()).to.deep.equal(['member']);
          expect(reader.stats).to.include({ searches: 4, rangeSearches: 3 });
          expect(reader.searchLog.slice(1).map((s) => s.attributes[0])).to.deep.equal([
            'member;range=1500-2999',
            'member;range=3000-4499',
            'member;range=4500-5999',
          ]);
        } finally {
          await reader.close();
        }
      });
    });

    it('[mock] reads the rest of many large attributes together: three groups of 5,000 cost three follow-ups, not nine', async () => {
      const groups = [big('Big A', 29_000, 0, 5000), big('Big B', 29_001, 0, 5000), big('Big C', 29_002, 0, 5000)];
      await withMock(await labWith(5000, groups), async (mock) => {
        const reader = await session(mock);
        try {
          const { entries } = await reader.search({
            base: OU,
            scope: 'sub',
            filter: { op: 'eq', attribute: 'objectClass', value: 'group' },
            attributes: ['member', 'sAMAccountName'],
            purpose: 'test',
          });
          expect(entries).to.have.length(3);
          for (const entry of entries) expect(entry.strings('member'), entry.dn).to.have.length(5000);
          expect(reader.stats).to.include({ searches: 4, rangeSearches: 3 });
        } finally {
          await reader.close();
        }
      });
    });

    it('[mock] the audit finds all 5,000 members of a privileged group: the same plan, plus three range reads of its member list', async () => {
      const searchesWithout = await withMock(
        await labWith(0),
        async (mock) => (await audit({ url: mock.ldapsUrl!, caFile: mock.caFile, tlsServername: mock.servername, credentials })).stats,
      );
      await withMock(await labWith(5000), async (mock) => {
        const { report, stats } = await audit({ url: mock.ldapsUrl!, caFile: mock.caFile, tlsServername: mock.servername, credentials });
        const scale = report.privilegedAccounts.filter((p) => p.sAMAccountName.startsWith('scale.user'));
        expect(scale).to.have.length(5000);
        expect(scale[0]!.via).to.deep.equal(['Tier0 Operators → Infrastructure Admins → Domain Admins']);
        expect(report.findings.filter((f) => f.rule === 'PA001' && f.subject.sAMAccountName.startsWith('scale.user'))).to.have.length(5000);
        expect(stats.rangeSearches).to.equal(3); // member;range=1500-2999, 3000-4499, 4500-5999
        expect(stats.searches - stats.rangeSearches).to.equal(searchesWithout.searches);
        expect(searchesWithout.rangeSearches).to.equal(0);
      });
    });

    it('[mock] reads a host with 1,300 delegation entries completely: in one answer at 1500, by range at a lower limit', async () => {
      const peers = Array.from({ length: 325 }, (_, i) => computer(`SCALEHV${String(i + 1).padStart(3, '0')}`, 31_000 + i));
      const delegation = peers.flatMap((p) => {
        const name = p.dn.slice(3, p.dn.indexOf(','));
        return [`${MIG}/${name}`, `${MIG}/${name}.corp.example.com`, `cifs/${name}`, `cifs/${name}.corp.example.com`];
      });
      expect(delegation).to.have.length(1300);
      const entries = await labWith(0, [...peers, computer('SCALEHVBIG', 30_999, delegation)]);
      for (const maxValRange of [1500, 1000]) {
        await withMock(
          entries,
          async (mock) => {
            // The Hyper-V rules: the synthetic peers register no SPNs, so DG004 would list every entry as a ghost target.
            const rules = ['HV001', 'HV002', 'HV003', 'HV004', 'HV005', 'HV006', 'HV007', 'HV008', 'HV009', 'HV010'];
            const { report, stats } = await audit({
              url: mock.ldapsUrl!,
              caFile: mock.caFile,
              tlsServername: mock.servername,
              credentials,
              groupBy: 'ou',
              rules,
            });
            const host = report.hosts.find((h) => h.sAMAccountName === 'SCALEHVBIG$')!;
            expect(host.allowedToDelegateTo, `MaxValRange ${maxValRange}`).to.have.length(1300);
            expect(host.missing).to.have.length(0);
            expect(report.findings.filter((f) => f.subject.sAMAccountName === 'SCALEHVBIG$').map((f) => f.rule)).to.deep.equal(['HV008']);
            expect(stats.rangeSearches, `MaxValRange ${maxValRange}`).to.equal(maxValRange === 1500 ? 0 : 1);
          },
          { maxValRange },
        );
      }
    });
  });
});
