import { expect } from 'chai';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { runCli } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';

describe('delegaudit inventory --fail-on from the config file [mock]', () => {
  let mock: MockLdap;
  let dir: string;
  const pw = { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' };
  const config = async (extra: Record<string, unknown>): Promise<string> => {
    const file = join(dir, `config-${Object.keys(extra).join('-') || 'plain'}.json`);
    const base = { url: mock.ldapsUrl, caFile: mock.caFile, tlsServername: mock.servername, user: 'Administrator@corp.example.com', format: 'json' };
    await writeFile(file, JSON.stringify({ ...base, ...extra }));
    return file;
  };

  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    dir = await tempDir('delegaudit-inventory-fail-on-');
  });
  after(async () => {
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 by default (inventory fails on nothing unless asked)', async () => {
    const r = await runCli(['inventory', '--config', await config({})], pw);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as { findings: Array<{ severity: string }> };
    expect(report.findings.some((f) => f.severity === 'critical')).to.equal(true);
  });
  it("honours failOn from the config file: exit 1 on the lab's critical DG findings", async () => {
    const r = await runCli(['inventory', '--config', await config({ failOn: 'critical' })], pw);
    expect(r.code, r.stderr).to.equal(1);
  });
  it('lets --fail-on on the command line override the file', async () => {
    const r = await runCli(['inventory', '--config', await config({ failOn: 'critical' }), '--fail-on', 'never'], pw);
    expect(r.code, r.stderr).to.equal(0);
  });
});
