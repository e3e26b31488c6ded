import { expect } from 'chai';
import { startMockLdap } from '../../mock-ldap/index.js';
import { audit, inventory } from '../../src/index.js';
import { labWithHosts } from '../helpers/synthetic-domain.js';
import { SAM_ACCOUNT_TYPE } from '../../src/directory/well-known.js';

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

async function searchesFor(hosts: number, baseDN?: string) {
  const mock = await startMockLdap({ entries: labWithHosts(hosts) });
  try {
    const { stats, report } = await audit({
      url: mock.ldapsUrl!,
      caFile: mock.caFile,
      tlsServername: mock.servername,
      credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
      ...(baseDN === undefined ? {} : { baseDN }),
    });
    return { ours: stats.searches, served: mock.stats.searches, hosts: report.summary.hosts, log: mock.stats.searchLog, domainSid: report.directory.domainSid };
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

describe('the accounts scan and the domain head [mock]', () => {
  const DOMAIN = 'DC=corp,DC=example,DC=com';

  const accountTypes = (filter: string): string[] => [...filter.matchAll(/sAMAccountType=(\d+)/g)].map((m) => m[1]!);

  it('[mock] reads the domain head with the security groups, and the accounts with delegation as users and as machines', async () => {
    const { ours, log } = await searchesFor(3);
    expect(log.filter((s) => s.scope === 'base' && s.baseDN === DOMAIN)).to.deep.equal([]);
    const groups = log.filter((s) => s.filter.includes('groupType'));
    expect(groups).to.have.length(1);
    expect(groups[0]!.filter).to.include(`(distinguishedName=${DOMAIN})`);
    const scans = log.filter((s) => s.filter.includes('(adminCount=1)'));
    expect(scans.map((s) => accountTypes(s.filter)).sort()).to.deep.equal([
      [String(SAM_ACCOUNT_TYPE.USER)],
      [String(SAM_ACCOUNT_TYPE.MACHINE), String(SAM_ACCOUNT_TYPE.TRUST)],
    ]);
    expect(ours).to.equal(log.length).and.to.be.at.most(8);
  });

  it('[mock] reads the domain head apart, for its SID, when the base is below it', async () => {
    const whole = await searchesFor(3);
    const { ours, log, domainSid } = await searchesFor(3, `OU=Hyper-V,${DOMAIN}`);
    expect(log.filter((s) => s.scope === 'base' && s.baseDN === DOMAIN).map((s) => s.attributes)).to.deep.equal([['objectSid']]);
    expect(log.find((s) => s.filter.includes('groupType'))!.filter).not.to.include('distinguishedName=');
    expect(log.filter((s) => s.filter.includes('(adminCount=1)'))).to.have.length(2);
    expect(domainSid)
      .to.equal(whole.domainSid)
      .and.to.match(/^S-1-5-21-/);
    expect(ours).to.equal(log.length).and.to.be.at.most(9);
  });
});
