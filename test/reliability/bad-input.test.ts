/**
 * Bad input and hostile directory data: a clear message and exit 2 for what the user gave us; for
 * what the directory holds, no crash and nothing interpreted.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LdifEntry, parseLdif, startMockLdap } from '../../mock-ldap/index.js';
import { projectRoot } from '../../mock-ldap/project-root.js';
import { toAccount } from '../../src/directory/account.js';
import { audit } from '../../src/index.js';
import { LdapEntry } from '../../src/ldap/entry.js';
import { runCli, mockFlags } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';

const MIG = 'Microsoft Virtual System Migration Service';

function withHost(name: string, attributes: Array<{ name: string; values: string[] }>): LdifEntry[] {
  const entries = parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif');
  entries.push({
    dn: `CN=HVX,OU=Hyper-V,DC=corp,DC=example,DC=com`,
    line: 0,
    attributes: [
      { name: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user', 'computer'] },
      { name: 'sAMAccountName', values: [`${name}$`] },
      { name: 'objectSid', values: ['S-1-5-21-1004336348-1177238915-682003330-1999'] },
      { name: 'userAccountControl', values: ['16781312'] },
      ...attributes,
    ],
  });
  return entries;
}

async function auditEntries(entries: LdifEntry[], args: string[] = []) {
  const mock = await startMockLdap({ entries });
  try {
    const library = await audit({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
    });
    const cli = await runCli(['audit', ...mockFlags(mock, 'CORP\\Administrator'), '--fail-on', 'never', ...args], {
      DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd',
    });
    return { library, cli };
  } finally {
    await mock.close();
  }
}

describe('what bad input gets [mock]', () => {
  it('[mock] terminal output shows ANSI escapes and line breaks from the directory as text', async () => {
    const { cli } = await auditEntries(
      withHost('HV\u001b[2J\u001b]0;pwned\u0007X', [
        { name: 'servicePrincipalName', values: [`${MIG}/HVX`] },
        { name: 'msDS-AllowedToDelegateTo', values: ['http/evil\nFAKE LINE'] },
      ]),
    );
    expect(cli.code).to.equal(0);
    expect(cli.stdout).to.not.match(/[\u001b\u0007]/);
    expect(cli.stdout).to.contain('HV\\x1b[2J\\x1b]0;pwned\\x07X');
    expect(cli.stdout).to.contain('http/evil\\x0aFAKE LINE');
  });

  it('bytes that are not UTF-8 (ldapts hands them over as Buffers) become text with replacement characters', () => {
    // mock-ldap stores text only, so this is checked where the bytes enter: the entry normaliser.
    const raw = Buffer.from([0x63, 0x69, 0x66, 0x73, 0x2f, 0x48, 0xff, 0xfe, 0xc3, 0x28]);
    const entry = LdapEntry.fromRaw({
      dn: 'CN=HVX',
      'msDS-AllowedToDelegateTo': [raw, 'cifs/HV01'],
      userAccountControl: Buffer.from('16781312'),
      sAMAccountName: 'HVX$',
      objectClass: ['user', 'computer'],
    });
    const account = toAccount(entry);
    expect(account.allowedToDelegateTo).to.deep.equal(['cifs/H\ufffd\ufffd\ufffd(', 'cifs/HV01']);
    expect(account.protocolTransition).to.equal(true);
  });

  it('[mock] a host with 5,000 delegation values is read completely and reported', async () => {
    const values = Array.from({ length: 5000 }, (_, i) => `http/web${i}.corp.example.com`);
    const { library } = await auditEntries(
      withHost('HVX', [
        { name: 'servicePrincipalName', values: [`${MIG}/HVX`] },
        { name: 'msDS-AllowedToDelegateTo', values },
      ]),
    );
    const host = library.report.hosts.find((h) => h.sAMAccountName === 'HVX$')!;
    expect(host.allowedToDelegateTo).to.have.length(5000);
    const hv010 = library.report.findings.find((f) => f.rule === 'HV010' && f.subject.sAMAccountName === 'HVX$')!;
    expect((hv010.details.entries as unknown[]).length).to.equal(5000);
  });

  it('[mock] a fixture with an error is refused, naming the line, exit 2', async () => {
    const dir = await tempDir('delegaudit-ldif-');
    const file = join(dir, 'bad.ldif');
    await writeFile(file, 'version: 1\n\ndn: DC=x\nobjectClass: top\nbroken line without colon\n');
    const r = spawnSync(process.execPath, [join(projectRoot(), 'dist', 'mock-ldap', 'cli.js'), file], { encoding: 'utf8' });
    expect(r.status).to.equal(2);
    expect(r.stderr.trim()).to.equal(`mock-ldap: ${file} line 5: expected "attribute: value", found "broken line without colon"`);
  });

  it('[mock] a config file without a URL is refused, exit 2', async () => {
    const dir = await tempDir('delegaudit-cfg-');
    const file = join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ user: 'x', timeout: 'fast' }));
    const r = await runCli(['audit', '--config', file], { DELEGAUDIT_PASSWORD: 'x' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('timeout: ');
    await writeFile(file, JSON.stringify({ user: 'x' }));
    const missing = await runCli(['audit', '--config', file], { DELEGAUDIT_PASSWORD: 'x' });
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('--url or --domain is required');
  });

  it('[mock] a non-numeric --timeout or --retries is refused, exit 2', async () => {
    expect((await runCli(['audit', '--timeout', 'soon'])).stderr).to.contain('--timeout takes a positive whole number');
    const r = await runCli(['audit', '--retries', '-1']);
    expect(r.code).to.equal(2);
  });

  it('a --url that is not a URL is refused in one line, exit 2, by every command that connects', async () => {
    for (const args of [['audit'], ['inventory'], ['probe'], ['doctor'], ['fix', '--host', 'HV02']]) {
      const r = await runCli([...args, '--url', 'dc01', '--user', 'a@b'], { DELEGAUDIT_PASSWORD: 'x' });
      expect(r.stderr.trim(), args[0]).to.equal(
        'delegaudit: error: --url "dc01" is not a URL: use ldaps://dc01.example.com or ldap://dc01.example.com with --starttls',
      );
      expect(r.code, args[0]).to.equal(2);
    }
  });
});
