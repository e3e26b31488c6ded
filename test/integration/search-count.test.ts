import { expect } from 'chai';
import { startMockLdap } from '../../mock-ldap/index.js';
import { audit, inventory } from '../../src/index.js';
import { labWithHosts } from '../helpers/synthetic-domain.js';

async function inventorySearchesFor(hosts: number): Promise<{ ours: number; served: number; rows: number }> {
  const mock = await startMockLdap({ entries: labWithHosts(hosts) });
  try {
    const { stats, inventory: report } = await inventory({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
    });
    return { ours: stats.searches, served: mock.stats.searches, rows: report.summary.rows };
  } finally {
    await mock.close();
  }
}

async function searchesFor(hosts: number): Promise<{ ours: number; served: number; hosts: number }> {
  const mock = await startMockLdap({ entries: labWithHosts(hosts) });
  try {
    const { stats, report } = await audit({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
    });
    return { ours: stats.searches, served: mock.stats.searches, hosts: report.summary.hosts };
  } finally {
    await mock.close();
  }
}

describe('query plan [mock]', () => {
  it('[mock] issues the same number of searches for 3 hosts and for 300 hosts', async () => {
    const small = await searchesFor(3);
    const large = await searchesFor(300);
    expect(small.hosts).to.equal(6); // the lab's three plus three generated
    expect(large.hosts).to.equal(303);
    expect(large.ours).to.equal(small.ours);
    expect(large.served).to.equal(small.served);
    expect(large.ours).to.be.at.most(8);
  });

  it('[mock] reads the inventory (every delegation target resolved) in the same number of searches for 3 and 300 hosts', async () => {
    const small = await inventorySearchesFor(3);
    const large = await inventorySearchesFor(300);
    expect(large.rows).to.be.above(small.rows * 10);
    expect(large.ours).to.equal(small.ours);
    expect(large.served).to.equal(small.served);
    expect(large.ours).to.be.at.most(8);
  });
});
