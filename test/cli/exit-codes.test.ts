import { expect } from 'chai';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { mockFlags, runCli } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';

const pw = { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' };

/** Exit codes that must not hide a problem (README "Exit codes"). */
describe('exit codes that say something was not done (spawned) [mock]', () => {
  let mock: MockLdap;
  const conn = (): string[] => mockFlags(mock, 'Administrator@corp.example.com');
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
  });
  after(() => mock.close());

  it('fix --host with a name that is no Hyper-V host exits 2, names the hosts there are, and plans nothing', async () => {
    const r = await runCli(['fix', ...conn(), '--host', 'HV99'], pw);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--host hv99: not a Hyper-V host in the directory (hosts: HV01, HV02, HV03');
    expect(r.stderr).to.contain('nothing was planned');
    expect(r.stdout).to.equal('');
  });

  it('fix --group with a group that does not exist exits 2 and lists the groups', async () => {
    const r = await runCli(['fix', ...conn(), '--group', 'nosuch'], pw);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--group nosuch: no such migration group \(groups: .+\): nothing was planned/);
  });

  it('probe exits 3 (incomplete) when no host name resolved, so nothing was probed', async () => {
    // The lab's hosts (hv01.corp.example.com, …) do not resolve here, and no --resolve is given.
    const r = await runCli(['probe', ...conn(), '--timeout', '500'], pw);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('nothing was probed: none of the 3 host names resolved from here (--resolve NAME=ADDRESS gives an address)');
  });

  it('--quiet prints the report and nothing else on success', async () => {
    const r = await runCli(['audit', ...conn(), '--quiet', '--format', 'json', '--fail-on', 'never'], pw);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.have.property('findings');
    expect(r.stderr).to.equal('');
  });
});
