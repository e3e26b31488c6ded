import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { CLI, mockFlags, runCli } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';

const pw = { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' };

describe('remediation commands are complete (spawned) [mock]', () => {
  let mock: MockLdap;
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
  });
  after(() => mock.close());

  it("carry the run's connection and selection flags (never a password), and run as pasted", async () => {
    const r = await runCli(['audit', ...mockFlags(mock, 'Administrator@corp.example.com'), '--group-by', 'ou', '--format', 'json'], pw);
    const hv001 = reportSchema.parse(JSON.parse(r.stdout)).findings.find((f) => f.rule === 'HV001')!;
    const command = /^delegaudit fix .*? --apply/.exec(hv001.remediation)?.[0] ?? '';
    expect(command).to.contain(`--url '${mock.ldapsUrl!}'`).and.contain('--tls-servername localhost').and.contain('--group-by ou').and.contain('--host HV02');
    expect(hv001.remediation).to.not.contain('Lab-Admin-Passw0rd');
    // As pasted, but as a dry run: the plan is the one for HV02.
    const dryRun = command.replace(/^delegaudit /, `'${process.execPath}' '${CLI}' `).replace(/ --apply$/, '');
    const pasted = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const shell = spawn('sh', ['-c', dryRun], { env: { ...process.env, ...pw, NO_COLOR: '1' } });
      let out = '';
      shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      shell.on('close', (code) => resolve({ code, out }));
    });
    expect(pasted.code).to.equal(0);
    expect(pasted.out).to.contain('HV02$');
    expect(pasted.out).to.contain('dry run: nothing is written');
  });
});
