import { expect } from 'chai';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { audit } from '../../src/index.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { LAB_FINDINGS } from '../helpers/lab-findings.js';

const clientSockets = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TLSWrap').length;

describe('connections are closed [mock]', () => {
  let mock: MockLdap;
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
  });
  after(async () => {
    await mock.close();
  });

  it('[mock] leaves no socket open after 30 audits, successful or failed', async () => {
    const before = clientSockets();
    const options = {
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
      retryDelayMs: 1,
    };
    for (let i = 0; i < 30; i += 1) {
      if (i % 3 === 1) mock.faults.add({ on: 'search', nth: 2, times: 1, action: { type: 'close-after-entries', entries: 1 } });
      if (i % 3 === 2) {
        await audit({ ...options, credentials: { ...options.credentials, password: 'wrong' } }).then(
          () => expect.fail('bind should fail'),
          () => undefined,
        );
      } else {
        expect((await audit(options)).report.findings).to.have.length(LAB_FINDINGS.length);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(clientSockets()).to.equal(before);
  });
});
