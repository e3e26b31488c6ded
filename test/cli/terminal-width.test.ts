import { expect } from 'chai';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { spawn } from 'node:child_process';
import { requireTool } from '../helpers/requires.js';
import { CLI, mockFlags, runCli } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';

const pw = { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' };

/** The longest line, in characters as a terminal shows them (box drawing counts one). */
const widest = (text: string): { length: number; line: string } =>
  text.split('\n').reduce((best, line) => ([...line].length > best.length ? { length: [...line].length, line } : best), { length: 0, line: '' });

describe('output fits the terminal: COLUMNS=80 and 120 (spawned) [mock]', () => {
  let mock: MockLdap;
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
  });
  after(() => mock.close());

  const commands: Array<[string, string[]]> = [
    ['audit', ['audit']],
    ['audit --inventory --accept-rbcd', ['audit', '--inventory', '--accept-rbcd']],
    ['inventory', ['inventory']],
    ['fix (the plan)', ['fix', '--protect-privileged', '--prune']],
  ];
  for (const columns of [80, 120]) {
    for (const [name, args] of commands) {
      it(`${name}: no line longer than ${columns} columns`, async () => {
        const r = await runCli([...args, ...mockFlags(mock, 'Administrator@corp.example.com')], { ...pw, COLUMNS: String(columns) });
        expect(r.stdout.length).to.be.greaterThan(500);
        const { length, line } = widest(r.stdout);
        expect(length, line).to.be.at.most(columns);
      });
    }
  }

  it('on a real terminal (a pty from script(1), stty cols 80) the width comes from the terminal, not COLUMNS', async function pty() {
    const script = requireTool(this, 'script', 'util-linux, in every Debian and Ubuntu install');
    const command = [process.execPath, CLI, 'audit', ...mockFlags(mock, 'Administrator@corp.example.com')].map((word) => `'${word}'`).join(' ');
    const out = await new Promise<string>((resolve) => {
      const child = spawn(script, ['-qc', `stty cols 80 rows 50; ${command}`, '/dev/null'], { env: { ...process.env, ...pw, NO_COLOR: '1', COLUMNS: '' } });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.on('close', () => resolve(text.replace(/\r/g, '')));
    });
    expect(out).to.contain('Findings (9)');
    const { length, line } = widest(out);
    expect(length, line).to.be.at.most(80);
  });

  it('never breaks a quoted name: the HV03 fix keeps each SPN whole at 80 columns', async () => {
    const r = await runCli(['audit', ...mockFlags(mock, 'Administrator@corp.example.com')], { ...pw, COLUMNS: '80' });
    expect(r.stdout).to.contain("'Microsoft Virtual System Migration Service/HV01',");
  });
});
