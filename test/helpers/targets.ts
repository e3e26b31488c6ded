/**
 * Integration tests run against every target: mock-ldap always, the Samba AD DC lab when
 * `npm run lab:start` has left its connection file. With DELEGAUDIT_AD_LAB=required (CI) a missing
 * lab is a failure; otherwise the samba runs are reported, by name, as skipped.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change, Client } from 'ldapts';
import { type MockLdap, parseLdif, startMockLdap } from '../../mock-ldap/index.js';
import { projectRoot } from '../../mock-ldap/project-root.js';
import { readLabConnection } from '../ad-lab/connection.js';
import { daclAces, rbcdDescriptor } from '../../src/ldap/codecs/security-descriptor.js';
import { sidToBuffer, sidToString } from '../../src/ldap/codecs/sid.js';

export const LAB_LDIF = join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');

export interface TargetUser {
  dn: string;
  upn: string;
  netbios: string;
  password: string;
}

export interface Target {
  name: 'mock' | 'samba';
  /** ldaps:// */
  url: string;
  /** ldap:// for StartTLS */
  startTlsUrl: string;
  caFile: string;
  servername: string;
  baseDN: string;
  admin: TargetUser;
  reader: TargetUser;
  /** The mock server, for request counts and direct reads; undefined on Samba. */
  mock: MockLdap | undefined;
  /** The Samba lab's directory (DIR/private/sam.ldb lives there); undefined on the mock. */
  labDir?: string;
  /** The lab's network namespace, where the DC answers to its name (/etc/netns/NAME/hosts); undefined on loopback and the mock. */
  netns?: string;
}

export const LAB_REQUIRED = process.env.DELEGAUDIT_AD_LAB === 'required';

function mockUser(name: string, password: string): TargetUser {
  return {
    dn: `CN=${name},${name === 'Administrator' ? 'CN=Users' : 'OU=Staff'},DC=corp,DC=example,DC=com`,
    upn: `${name}@corp.example.com`,
    netbios: `CORP\\${name}`,
    password,
  };
}

async function mockTarget(ldif: string): Promise<Target> {
  const mock = await startMockLdap({ ldif });
  return {
    name: 'mock',
    url: mock.ldapsUrl!,
    startTlsUrl: mock.url,
    caFile: mock.caFile,
    servername: mock.servername,
    baseDN: mock.domainDn,
    admin: mockUser('Administrator', 'Lab-Admin-Passw0rd'),
    reader: mockUser('auditor', 'Lab-Auditor-Passw0rd'),
    mock,
  };
}

/** A seeded account's password on the Samba lab, by sAMAccountName. */
export function readLabPassword(sAMAccountName: string): string {
  const user = readLabConnection()?.users[sAMAccountName];
  if (user === undefined) throw new Error(`the Samba lab has no password for ${sAMAccountName}`);
  return readFileSync(user.passwordFile, 'utf8');
}

export function sambaTarget(): Target | undefined {
  const lab = readLabConnection();
  if (lab === undefined) return undefined;
  const user = (u: typeof lab.users.admin): TargetUser => ({ dn: u.dn, upn: u.upn, netbios: u.netbios, password: readFileSync(u.passwordFile, 'utf8') });
  return {
    name: 'samba',
    url: lab.url,
    startTlsUrl: lab.startTlsUrl,
    caFile: lab.caFile,
    servername: lab.servername,
    baseDN: lab.baseDN,
    admin: user(lab.users.admin),
    reader: user(lab.users.reader),
    mock: undefined,
    labDir: lab.labDir,
    ...(lab.netns === undefined ? {} : { netns: lab.netns }),
  };
}

/**
 * Declares `body` once per target. Each test title must start with `[${label}]` so the output
 * names its target. Tests that write must use their own directory: `options.fresh` starts a new
 * mock per test file (Samba tests restore what they change).
 */
export function forEachTarget(title: string, body: (label: 'mock' | 'samba', target: () => Target) => void, options: { writes?: boolean } = {}): void {
  describe(`${title} [mock]`, () => {
    let target: Target | undefined;
    // Tests that write get a freshly seeded mock each.
    (options.writes === true ? beforeEach : before)(async () => {
      target = await mockTarget(LAB_LDIF);
    });
    (options.writes === true ? afterEach : after)(async () => {
      await target?.mock?.close();
    });
    body('mock', () => target!);
  });

  describe(`${title} [samba]`, () => {
    const target = sambaTarget();
    if (target === undefined) {
      if (LAB_REQUIRED) {
        it('[samba] the Samba AD DC lab is required (DELEGAUDIT_AD_LAB=required) but .ad-lab/connection.json is missing: run npm run lab:start', () => {
          throw new Error('Samba AD DC lab not running');
        });
      } else {
        it('[samba] skipped: no Samba AD DC lab (run `npm run lab:start` to enable; DELEGAUDIT_AD_LAB=required makes this a failure)', function skip() {
          this.skip();
        });
      }
      return;
    }
    // Tests that write share one DC: put every attribute fix may touch back as the fixture has it.
    if (options.writes === true) afterEach(() => resetLab(target));
    body('samba', () => target);
  });
}

/** The attributes fix writes, as lab.ldif has them, for the accounts it can touch. */
// msDS-AllowedToActOnBehalfOfOtherIdentity is not here: tests change it with changeRbcd and put it back themselves.
const RESETTABLE = ['userAccountControl', 'msDS-AllowedToDelegateTo'];

export async function resetLab(target: Target): Promise<void> {
  const entries = parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif').filter(
    (e) => /,(OU=Hyper-V|OU=Admins|CN=Computers|OU=Staff|OU=Service Accounts),/i.test(e.dn) && e.attributes.some((a) => a.name === 'userAccountControl'),
  );
  await withAdminClient(target, async (client) => {
    for (const entry of entries) {
      const changes = RESETTABLE.map(
        (name) =>
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: name, values: entry.attributes.find((a) => a.name === name)?.values ?? [] }),
          }),
      );
      await client.modify(entry.dn, changes);
    }
  });
}

const RBCD = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

/**
 * Adds or removes one principal (by sAMAccountName) in an account's resource-based delegation.
 * Samba 4.17 lets only the system change the attribute over LDAP ("can only be modified as system"),
 * so on Samba this is `samba-tool delegation add-principal|del-principal` on the lab's sam.ldb, as an
 * administrator would do it on the DC; on the mock, an LDAP modify of the descriptor as on Windows.
 */
export async function changeRbcd(target: Target, operation: 'add' | 'del', account: string, principal: string): Promise<void> {
  if (target.labDir !== undefined) {
    await promisify(execFile)('samba-tool', ['delegation', `${operation}-principal`, '-H', join(target.labDir, 'private', 'sam.ldb'), account, principal]);
    return;
  }
  await withAdminClient(target, async (client) => {
    const read = async (name: string) => {
      const { searchEntries } = await client.search(target.baseDN, {
        scope: 'sub',
        filter: `(sAMAccountName=${name})`,
        attributes: ['objectSid', RBCD],
        explicitBufferAttributes: ['objectSid', RBCD],
      });
      if (searchEntries.length !== 1) throw new Error(`changeRbcd: no single account ${name}`);
      return searchEntries[0]!;
    };
    const entry = await read(account);
    const sid = sidToString((await read(principal)).objectSid as Buffer);
    const current = entry[RBCD];
    const descriptor = Array.isArray(current) ? current[0] : current;
    const sids = Buffer.isBuffer(descriptor) ? daclAces(descriptor).map((ace) => ace.sid) : [];
    const next = operation === 'add' ? [...sids.filter((s) => s !== sid), sid] : sids.filter((s) => s !== sid);
    const values = next.length === 0 ? [] : [rbcdDescriptor(next.map(sidToBuffer))];
    await client.modify(entry.dn, new Change({ operation: 'replace', modification: new Attribute({ type: RBCD, values }) }));
  });
}

/** An ldapts client bound as the target's administrator, for test set-up that is not delegaudit's job. */
export async function withAdminClient<T>(target: Target, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: target.url, tlsOptions: { ca: [readFileSync(target.caFile)], servername: target.servername } });
  try {
    await client.bind(target.admin.dn, target.admin.password);
    return await fn(client);
  } finally {
    await client.unbind();
  }
}

// A closing line in the mocha output that says whether the samba runs happened, and against what.
const samba = { passed: 0, failed: 0, skipped: 0 };
afterEach(function countSambaRuns() {
  const test = this.currentTest;
  if (!test?.title.startsWith('[samba]')) return;
  if (test.state === 'passed') samba.passed += 1;
  else if (test.state === 'failed') samba.failed += 1;
  else samba.skipped += 1;
});
after(function reportSambaRuns() {
  const lab = readLabConnection();
  const where = lab === undefined ? 'no lab running (npm run lab:start enables them)' : `against ${lab.url}`;
  console.log(`\n  Samba AD DC contract runs: ${samba.passed} passed, ${samba.failed} failed, ${samba.skipped} skipped; ${where}`);
});
