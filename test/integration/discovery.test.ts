import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseLdif, startMockLdap } from '../../mock-ldap/index.js';
import { audit } from '../../src/index.js';
import { forEachTarget, LAB_LDIF, type Target } from '../helpers/targets.js';

function auditOf(target: Target, extra: Partial<Parameters<typeof audit>[0]> = {}) {
  return audit({
    url: target.url,
    caFile: target.caFile,
    tlsServername: target.servername,
    credentials: { user: target.admin.upn, password: target.admin.password },
    ...extra,
  });
}

forEachTarget('host discovery', (label, target) => {
  it(`[${label}] finds hosts by their migration SPN`, async () => {
    const { report } = await auditOf(target());
    expect(report.hosts.map((h) => [h.sAMAccountName, h.source])).to.deep.equal([
      ['HV01$', 'spn'],
      ['HV02$', 'spn'],
      ['HV03$', 'spn'],
    ]);
  });

  it(`[${label}] adds a computer named with --host, and checks it like any host`, async () => {
    const { report } = await auditOf(target(), { hosts: ['fs01'] });
    const fs01 = report.hosts.find((h) => h.sAMAccountName === 'FS01$')!;
    expect(fs01.source).to.equal('explicit');
    const forFs01 = report.findings.filter((f) => f.subject.sAMAccountName === 'FS01$').map((f) => f.rule);
    expect(forFs01).to.deep.equal(['HV003', 'HV006']);
    expect(report.findings.find((f) => f.rule === 'HV002' && f.subject.sAMAccountName === 'HV01$')!.details.missing).to.have.keys(['FS01']);
  });

  it(`[${label}] adds the computers of --hosts-ou`, async () => {
    const { report } = await auditOf(target(), { hostsOu: `CN=Computers,${target().baseDN}` });
    expect(report.hosts.filter((h) => h.source === 'ou').map((h) => h.sAMAccountName)).to.deep.equal(['APP01$', 'FS01$']);
  });

  it(`[${label}] treats --host values as names, never as filter syntax`, async () => {
    const { report } = await auditOf(target(), { hosts: ['*)(objectClass=*', 'HV\\01', 'a\u0000b'] });
    expect(report.hosts).to.have.length(3);
    expect(report.warnings).to.include(`--host *)(objectClass=*: no computer account with that name under ${target().baseDN}`);
  });
});

describe('host discovery by group and by reference [mock]', () => {
  it('[mock] adds the computer members of --hosts-group, and finds a re-joined host that lost its SPNs through its peers', async () => {
    const entries = parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif');
    const hv03 = entries.find((e) => e.dn.startsWith('CN=HV03,'))!;
    hv03.attributes = hv03.attributes.filter((a) => a.name !== 'servicePrincipalName');
    entries.push({
      dn: 'CN=Hyper-V Hosts,OU=Hyper-V,DC=corp,DC=example,DC=com',
      line: 0,
      attributes: [
        { name: 'objectClass', values: ['top', 'group'] },
        { name: 'sAMAccountName', values: ['Hyper-V Hosts'] },
        { name: 'groupType', values: ['-2147483646'] },
        { name: 'objectSid', values: ['S-1-5-21-1004336348-1177238915-682003330-1199'] },
        { name: 'member', values: ['CN=FS01,CN=Computers,DC=corp,DC=example,DC=com'] },
      ],
    });
    const mock = await startMockLdap({ entries });
    try {
      const { report } = await audit({
        url: mock.ldapsUrl!,
        caFile: mock.caFile,
        tlsServername: mock.servername,
        credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
        hostsGroup: 'CN=Hyper-V Hosts,OU=Hyper-V,DC=corp,DC=example,DC=com',
      });
      expect(report.hosts.map((h) => [h.sAMAccountName, h.source])).to.deep.equal([
        ['FS01$', 'group'],
        ['HV01$', 'spn'],
        ['HV02$', 'spn'],
        ['HV03$', 'reference'],
      ]);
      expect(report.findings.find((f) => f.rule === 'HV003' && f.subject.sAMAccountName === 'HV03$')!.details).to.include({ rejoinSuspected: true });
    } finally {
      await mock.close();
    }
  });
});
