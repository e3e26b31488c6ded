/**
 * Ask the running lab DC how Samba answers the LDAP corner cases the mock server imitates, and
 * print the answers as JSON. Run after `npm run lab:start`:
 *
 *   npx tsx test/ad-lab/probe.ts [--bulk]
 *
 * Every change it makes is undone before it exits (values it modifies are put back with a
 * replace; objects it adds are deleted). --bulk also adds 1600 contacts and a 1600-member group
 * for the size-limit questions (about 20 s), then deletes them.
 *
 * Diagnostic texts are as ldapts reports them: ldapts appends " Code: 0x<hex result code>" to the
 * server's diagnosticMessage; `serverText` has that suffix removed.
 */
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, Control, type Entry } from 'ldapts';
import { readLabConnection, readLabPassword, type LabConnection } from './connection.js';

const conn: LabConnection | undefined = readLabConnection();
if (conn === undefined) {
  process.stderr.write('the lab is not running: "npm run lab:start" first\n');
  process.exit(2);
}
const lab: LabConnection = conn;
const ca = readFileSync(lab.caFile);
const base = lab.baseDN;
const adminPw = readLabPassword(lab.users.admin);
const readerPw = readLabPassword(lab.users.reader);

function client(url = lab.url): Client {
  // Only ldaps:// gets tlsOptions: ldapts 8.2 treats tlsOptions on an ldap:// URL as "TLS from the
  // first byte" (implicit TLS on 389), which Samba answers with a reset. StartTLS clients pass
  // them to startTLS() instead.
  const tlsOptions = url.startsWith('ldaps:') ? { tlsOptions: { ca, servername: lab.servername } } : {};
  return new Client({ url, timeout: 60_000, connectTimeout: 5000, ...tlsOptions });
}

async function admin(): Promise<Client> {
  const c = client();
  await c.bind(lab.users.admin.dn, adminPw);
  return c;
}

interface Outcome {
  ok: boolean;
  code?: number;
  error?: string;
  serverText?: string;
}

async function outcome(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    const e = err as Error & { code?: number };
    return {
      ok: false,
      ...(typeof e.code === 'number' ? { code: e.code } : {}),
      error: e.constructor.name,
      serverText: e.message.replace(/ Code: 0x[0-9a-f]+$/i, ''),
    };
  }
}

async function bindOutcome(dn: string, pw: string, url = lab.url): Promise<Outcome> {
  const c = client(url);
  try {
    return await outcome(() => c.bind(dn, pw));
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

const str = (v: Entry[string] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : x.toString('utf8')));

const facts: Record<string, unknown> = {};
let step = 'connect';
process.on('uncaughtException', (err) => {
  process.stderr.write(`probe: uncaught ${err.stack ?? err.message} during ${step}\n`);
  process.exit(1);
});
const a = await admin();
const hv02 = `CN=HV02,OU=Hyper-V,${base}`;
const hv03 = `CN=HV03,OU=Hyper-V,${base}`;
const staff = `OU=Staff,${base}`;
const mod = (dn: string, ...changes: Array<[Change['operation'], string, string[]]>): Promise<void> =>
  a.modify(
    dn,
    changes.map(([operation, type, values]) => new Change({ operation, modification: new Attribute({ type, values }) })),
  );

try {
  // ---------------------------------------------------------------- 1, 2: binds
  step = '1, 2: binds';
  const disabled = `CN=probe-disabled,${staff}`;
  await a.add(disabled, {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    sAMAccountName: 'probe-disabled',
    userAccountControl: '514',
  });
  try {
    await a.modify(
      disabled,
      new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from('"Probe-Disabled-Passw0rd"', 'utf16le')] }) }),
    );
    facts['1_binds'] = {
      badPassword: await bindOutcome(lab.users.reader.dn, 'wrong-password'),
      badPasswordUpn: await bindOutcome(lab.users.reader.upn, 'wrong-password'),
      unknownDn: await bindOutcome(`CN=nobody,${staff}`, 'whatever'),
      unknownUpn: await bindOutcome(`nobody@${lab.dnsDomain}`, 'whatever'),
      malformedName: await bindOutcome('not a dn', 'whatever'),
      disabledRightPassword: await bindOutcome(disabled, 'Probe-Disabled-Passw0rd'),
      disabledWrongPassword: await bindOutcome(disabled, 'wrong-password'),
      protectedUsersMember: lab.users['admin.protected']
        ? await bindOutcome(lab.users['admin.protected'].dn, readLabPassword(lab.users['admin.protected']))
        : 'n/a',
      readerByDn: await bindOutcome(lab.users.reader.dn, readerPw),
      readerByUpn: await bindOutcome(lab.users.reader.upn, readerPw),
      readerByNetbios: await bindOutcome(lab.users.reader.netbios, readerPw),
      emptyPasswordIsAnonymous: await bindOutcome(lab.users.reader.dn, ''),
    };
  } finally {
    await a.del(disabled);
  }
  {
    const plain = client(lab.startTlsUrl);
    const simple = await outcome(() => plain.bind(lab.users.reader.dn, readerPw));
    const anonSearch = await outcome(() => plain.search(base, { scope: 'base' }));
    await plain.unbind().catch(() => undefined);
    const tls = client(lab.startTlsUrl);
    const startTls = await outcome(async () => {
      await tls.startTLS({ ca, servername: lab.servername });
      await tls.bind(lab.users.reader.dn, readerPw);
    });
    await tls.unbind().catch(() => undefined);
    facts['2_plain389'] = { simpleBind: simple, anonymousSearchOfBaseDN: anonSearch, startTlsThenBind: startTls };
  }

  // ---------------------------------------------------------------- 3: references
  step = '3: references';
  {
    const sub = await a.search(base, { scope: 'sub', filter: '(objectClass=domain)', attributes: ['1.1'] });
    const tls = client(lab.startTlsUrl);
    await tls.startTLS({ ca, servername: lab.servername });
    await tls.bind(lab.users.admin.dn, adminPw);
    const subPlain = await tls.search(base, { scope: 'sub', filter: '(objectClass=domain)', attributes: ['1.1'] });
    const one = await a.search(base, { scope: 'one', filter: '(objectClass=*)', attributes: ['1.1'] });
    await tls.unbind();
    const reader = client();
    await reader.bind(lab.users.reader.dn, readerPw);
    const subReader = await reader.search(base, { scope: 'sub', filter: '(objectClass=domain)', attributes: ['1.1'] });
    await reader.unbind();
    facts['3_references'] = {
      subtreeOverLdaps: sub.searchReferences,
      subtreeOverStartTls: subPlain.searchReferences,
      subtreeAsReader: subReader.searchReferences,
      oneLevel: one.searchReferences,
      oneLevelEntries: one.searchEntries.map((e) => e.dn),
    };
  }

  // ---------------------------------------------------------------- 4: rootDSE
  step = '4: rootDSE';
  {
    const anon = client();
    const { searchEntries } = await anon.search('', { scope: 'base', attributes: ['*', '+'] });
    await anon.unbind();
    const root = searchEntries[0] ?? { dn: '' };
    const all: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(root)) if (k !== 'dn') all[k] = str(v);
    facts['4_rootDSE'] = {
      anonymousOverLdaps: all,
      supportsPagedResults319: (all['supportedControl'] ?? []).includes('1.2.840.113556.1.4.319'),
    };
  }

  // ---------------------------------------------------------------- 5: modify results
  step = '5: modify results';
  {
    const before = await a.search(hv02, { scope: 'base', attributes: ['msDS-AllowedToDelegateTo', 'userAccountControl'] });
    const e = before.searchEntries[0];
    const a2d = str(e?.['msDS-AllowedToDelegateTo']);
    const uac = str(e?.['userAccountControl']);
    const existing = a2d[0] ?? 'cifs/HV01';
    const r: Record<string, unknown> = {};
    const restore = async (): Promise<void> => {
      await mod(hv02, ['replace', 'msDS-AllowedToDelegateTo', a2d], ['replace', 'userAccountControl', uac]);
    };
    try {
      r['addExistingValue'] = await outcome(() => mod(hv02, ['add', 'msDS-AllowedToDelegateTo', [existing]]));
      r['addExistingValueOtherCase'] = await outcome(() => mod(hv02, ['add', 'msDS-AllowedToDelegateTo', [existing.toUpperCase()]]));
      r['afterAddOtherCase'] = str(
        (await a.search(hv02, { scope: 'base', attributes: ['msDS-AllowedToDelegateTo'] })).searchEntries[0]?.['msDS-AllowedToDelegateTo'],
      );
      await restore();
      r['deleteMissingValue'] = await outcome(() => mod(hv02, ['delete', 'msDS-AllowedToDelegateTo', ['cifs/NOT-THERE']]));
      r['deleteValueOtherCase'] = await outcome(() => mod(hv02, ['delete', 'msDS-AllowedToDelegateTo', [existing.toUpperCase()]]));
      r['afterDeleteOtherCase'] = str(
        (await a.search(hv02, { scope: 'base', attributes: ['msDS-AllowedToDelegateTo'] })).searchEntries[0]?.['msDS-AllowedToDelegateTo'],
      );
      await restore();
      r['deleteAttributeNotPresent'] = await outcome(() => mod(hv03, ['delete', 'msDS-AllowedToDelegateTo', []]));
      r['addSameValueTwiceInOneRequest'] = await outcome(() => mod(hv03, ['add', 'msDS-AllowedToDelegateTo', ['cifs/PROBE', 'cifs/PROBE']]));
      r['afterAddTwice'] = str(
        (await a.search(hv03, { scope: 'base', attributes: ['msDS-AllowedToDelegateTo'] })).searchEntries[0]?.['msDS-AllowedToDelegateTo'],
      );
      await a.modify(hv03, new Change({ operation: 'delete', modification: new Attribute({ type: 'msDS-AllowedToDelegateTo' }) })).catch(() => undefined);
      const stale = String(Number(uac[0] ?? '4096') + 1);
      r['uacDeleteStaleAddNew'] = await outcome(() =>
        mod(hv02, ['delete', 'userAccountControl', [stale]], ['add', 'userAccountControl', [String(Number(uac[0] ?? '4096') | 0x1000000)]]),
      );
      r['uacDeleteCurrentAddNew'] = await outcome(() =>
        mod(hv02, ['delete', 'userAccountControl', uac], ['add', 'userAccountControl', [String(Number(uac[0] ?? '4096') | 0x1000000)]]),
      );
      await restore();
      r['uacAddWithoutDelete'] = await outcome(() => mod(hv02, ['add', 'userAccountControl', ['16781312']]));
      const reader = client();
      await reader.bind(lab.users.reader.dn, readerPw);
      r['asReaderAddDelegation'] = await outcome(() =>
        reader.modify(hv02, new Change({ operation: 'add', modification: new Attribute({ type: 'msDS-AllowedToDelegateTo', values: ['cifs/FS01'] }) })),
      );
      r['asReaderReplaceUac'] = await outcome(() =>
        reader.modify(hv02, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['16781312'] }) })),
      );
      r['asReaderModifyMissingObject'] = await outcome(() =>
        reader.modify(`CN=nothere,${base}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['x'] }) })),
      );
      await reader.unbind();
      r['modifyMissingObject'] = await outcome(() => mod(`CN=nothere,${base}`, ['replace', 'description', ['x']]));
      r['searchMissingBase'] = await outcome(() => a.search(`CN=nothere,${base}`, { scope: 'base' }));
    } finally {
      await restore();
    }
    facts['5_modify'] = r;
  }

  // ---------------------------------------------------------------- 6: membership
  step = '6: membership';
  {
    const da = `CN=Domain Admins,CN=Users,${base}`;
    const chain = await a.search(base, { scope: 'sub', filter: `(memberOf:1.2.840.113556.1.4.1941:=${da})`, attributes: ['1.1'] });
    const eq = await a.search(base, { scope: 'sub', filter: `(memberOf=${da})`, attributes: ['1.1'] });
    const groupsOfNested = await a.search(base, {
      scope: 'sub',
      filter: `(member:1.2.840.113556.1.4.1941:=CN=admin.nested,OU=Admins,${base})`,
      attributes: ['1.1'],
    });
    const primary = await a.search(`CN=admin.primary,OU=Admins,${base}`, { scope: 'base', attributes: ['memberOf', 'primaryGroupID'] });
    const tokenGroups = await a.search(`CN=admin.primary,OU=Admins,${base}`, {
      scope: 'base',
      attributes: ['tokenGroups'],
      explicitBufferAttributes: ['tokenGroups'],
    });
    const daMembers = await a.search(da, { scope: 'base', attributes: ['member'] });
    const primaryByFilter = await a.search(base, { scope: 'sub', filter: '(primaryGroupID=512)', attributes: ['1.1'] });
    const sidText = (b: Buffer): string => {
      const count = b.readUInt8(1);
      const auth = b.readUIntBE(2, 6);
      const subs: number[] = [];
      for (let i = 0; i < count; i++) subs.push(b.readUInt32LE(8 + 4 * i));
      return `S-${b.readUInt8(0)}-${auth}${subs.map((s) => `-${s}`).join('')}`;
    };
    const tg = tokenGroups.searchEntries[0]?.['tokenGroups'];
    facts['6_membership'] = {
      inChainMemberOfDomainAdmins: chain.searchEntries.map((e) => e.dn),
      equalityMemberOfDomainAdmins: eq.searchEntries.map((e) => e.dn),
      groupsContainingAdminNestedInChain: groupsOfNested.searchEntries.map((e) => e.dn),
      adminPrimary: {
        memberOf: str(primary.searchEntries[0]?.['memberOf']),
        primaryGroupID: str(primary.searchEntries[0]?.['primaryGroupID']),
        tokenGroups: (Array.isArray(tg) ? tg : tg ? [tg] : []).map((b) => (typeof b === 'string' ? b : sidText(b))),
      },
      domainAdminsMember: str(daMembers.searchEntries[0]?.['member']),
      primaryGroupID512: primaryByFilter.searchEntries.map((e) => e.dn),
    };
  }

  // ---------------------------------------------------------------- 7: limits
  step = '7: limits';
  {
    const r: Record<string, unknown> = {};
    const config = await a.search(lab.configurationDN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'] });
    r['nonPagedConfigurationSubtree'] = { entries: config.searchEntries.length, references: config.searchReferences.length };
    const pagedConfig = await a.search(lab.configurationDN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], paged: { pageSize: 5000 } });
    r['pagedConfigurationSubtree5000'] = pagedConfig.searchEntries.length;
    const sized = await outcome(() => a.search(lab.configurationDN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], sizeLimit: 10 }));
    r['clientSizeLimit10'] = sized;
    const aggregate = await a.search(`CN=Aggregate,CN=Schema,${lab.configurationDN}`, { scope: 'base', attributes: ['attributeTypes'] });
    r['aggregateAttributeTypesValues'] = str(aggregate.searchEntries[0]?.['attributeTypes']).length;
    if (process.argv.includes('--bulk')) {
      const ou = `OU=Probe-Bulk,${base}`;
      const group = `CN=probe-big-group,${ou}`;
      const n = 1600;
      const t0 = Date.now();
      await a.add(ou, { objectClass: ['top', 'organizationalUnit'], ou: 'Probe-Bulk' });
      try {
        const dns: string[] = [];
        for (let i = 0; i < n; i++) {
          const dn = `CN=probe-${i},${ou}`;
          await a.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'contact'], cn: `probe-${i}` });
          dns.push(dn);
        }
        await a.add(group, { objectClass: ['top', 'group'], sAMAccountName: 'probe-big-group' });
        await mod(group, ['add', 'member', dns]);
        r['bulkSetupMs'] = Date.now() - t0;
        const nonPaged = await outcome(async () => {
          const res = await a.search(ou, { scope: 'sub', filter: '(objectClass=contact)', attributes: ['1.1'] });
          r['nonPagedContacts'] = res.searchEntries.length;
        });
        r['nonPagedContactsOutcome'] = nonPaged;
        const paged = await a.search(ou, { scope: 'sub', filter: '(objectClass=contact)', attributes: ['1.1'], paged: { pageSize: 2000 } });
        r['pagedContacts2000'] = paged.searchEntries.length;
        const members = await a.search(group, { scope: 'base', attributes: ['member'] });
        const me = members.searchEntries[0] ?? { dn: '' };
        r['memberAttributeNamesReturned'] = Object.keys(me).filter((k) => k !== 'dn');
        r['memberValuesReturned'] = Object.entries(me)
          .filter(([k]) => k !== 'dn')
          .map(([k, v]) => `${k}: ${str(v).length}`);
        const ranged = await a.search(group, { scope: 'base', attributes: ['member;range=0-*'] });
        const re = ranged.searchEntries[0] ?? { dn: '' };
        r['rangedRequest0ToStar'] = Object.entries(re)
          .filter(([k]) => k !== 'dn')
          .map(([k, v]) => `${k}: ${str(v).length}`);
        const ranged2 = await a.search(group, { scope: 'base', attributes: ['member;range=0-1499'] });
        const re2 = ranged2.searchEntries[0] ?? { dn: '' };
        r['rangedRequest0To1499'] = Object.entries(re2)
          .filter(([k]) => k !== 'dn')
          .map(([k, v]) => `${k}: ${str(v).length}`);
        const memberOfOne = await a.search(`CN=probe-0,${ou}`, { scope: 'base', attributes: ['memberOf'] });
        r['contactMemberOf'] = str(memberOfOne.searchEntries[0]?.['memberOf']);
      } finally {
        await a.del(ou, new Control('1.2.840.113556.1.4.805', { critical: true })); // tree delete
      }
    }
    facts['7_limits'] = r;
  }

  // ---------------------------------------------------------------- 8, 9: names and defaults
  step = '8, 9: names and defaults';
  {
    const asked = [
      'msds-allowedtodelegateto',
      'objectsid',
      'useraccountcontrol',
      'dnshostname',
      'serviceprincipalname',
      'primarygroupid',
      'samaccountname',
      'memberof',
      'admincount',
    ];
    const lower = await a.search(`CN=HV01,OU=Hyper-V,${base}`, { scope: 'base', attributes: asked });
    const star = await a.search(`CN=HV01,OU=Hyper-V,${base}`, { scope: 'base', attributes: ['*'] });
    const adminCount = await a.search(base, { scope: 'sub', filter: '(adminCount=1)', attributes: ['1.1'] });
    const groups = [
      'CN=Administrators,CN=Builtin',
      'CN=Domain Admins,CN=Users',
      'CN=Enterprise Admins,CN=Users',
      'CN=Schema Admins,CN=Users',
      'CN=Group Policy Creator Owners,CN=Users',
      'CN=Protected Users,CN=Users',
      'CN=Key Admins,CN=Users',
      'CN=Enterprise Key Admins,CN=Users',
    ];
    const members: Record<string, string[]> = {};
    for (const g of groups) {
      const res = await a.search(`${g},${base}`, { scope: 'base', attributes: ['member'] });
      members[g] = str(res.searchEntries[0]?.['member']);
    }
    const enabled = await a.search(base, {
      scope: 'sub',
      filter: '(&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
      attributes: ['sAMAccountName', 'userAccountControl'],
    });
    const special = await a.search(base, {
      scope: 'sub',
      filter: '(|(sAMAccountName=Administrator)(sAMAccountName=krbtgt)(sAMAccountName=Guest)(sAMAccountName=DC01$)(sAMAccountName=dns-DC01))',
      attributes: ['sAMAccountName', 'userAccountControl', 'adminCount', 'primaryGroupID', 'servicePrincipalName', 'userPrincipalName', 'memberOf'],
    });
    facts['8_names_and_defaults'] = {
      attributeNamesWhenAskedLowercase: Object.keys(lower.searchEntries[0] ?? {}),
      attributeNamesForStar: Object.keys(star.searchEntries[0] ?? {}),
      adminCountOne: adminCount.searchEntries.map((e) => e.dn),
      membersNow: members,
      enabledUsersNow: enabled.searchEntries.map((e) => `${str(e['sAMAccountName']).join()} (${str(e['userAccountControl']).join()})`),
    };
    facts['9_accounts'] = Object.fromEntries(
      special.searchEntries.map((e) => [
        str(e['sAMAccountName']).join(),
        Object.fromEntries(
          Object.entries(e)
            .filter(([k]) => k !== 'dn' && k !== 'sAMAccountName')
            .map(([k, v]) => [k, str(v)]),
        ),
      ]),
    );
  }
} finally {
  await a.unbind();
}

process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
