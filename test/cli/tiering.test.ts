/**
 * The V8 flags the command sets at start (src/cli/tiering.ts): which V8 gets them, and that the
 * running V8 takes them without a word (V8 reports a flag it does not know on stderr and goes on).
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { tieringFlags } from '../../src/cli/tiering.js';
import { runCli } from '../helpers/run-cli.js';

/** What V8 writes on stderr when the flag is set at run time. */
function stderrOfSetting(flag: string): string {
  const run = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flag)})`], { encoding: 'utf8' });
  expect(run.status).to.equal(0);
  return run.stderr;
}

describe('V8 tiering at start', () => {
  it("raises V8 11's interrupt budget eightfold (Node 20) and leaves V8 12 and later (Node 22, 24) alone", () => {
    expect(tieringFlags('11.3.244.8-node.38')).to.deep.equal(['--interrupt-budget=540672']);
    expect(tieringFlags('12.4.254.21-node.57')).to.deep.equal([]);
    expect(tieringFlags('13.6.233.17-node.53')).to.deep.equal([]);
  });

  it('sets only flags the running V8 knows', () => {
    expect(stderrOfSetting('--interrupt-budgets=1')).to.match(/unrecognized flag/);
    for (const flag of tieringFlags(process.versions.v8)) expect(stderrOfSetting(flag), flag).to.equal('');
  });

  it('leaves the command quiet on stderr', async () => {
    const run = await runCli(['--version']);
    expect(run.code).to.equal(0);
    expect(run.stderr).to.equal('');
    expect(run.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });
});
