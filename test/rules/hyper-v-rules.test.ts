import { expect } from 'chai';
import { UAC } from '../../src/ldap/codecs/uac.js';
import HV001 from '../../src/rules/HV001-protocol-transition-missing.js';
import HV002 from '../../src/rules/HV002-delegation-entries-missing.js';
import HV003 from '../../src/rules/HV003-delegation-absent.js';
import HV004 from '../../src/rules/HV004-unconstrained-delegation.js';
import HV005 from '../../src/rules/HV005-stale-delegation-entry.js';
import HV006 from '../../src/rules/HV006-migration-spn-unregistered.js';
import HV007 from '../../src/rules/HV007-host-account-disabled.js';
import HV008 from '../../src/rules/HV008-delegation-list-too-large.js';
import HV009 from '../../src/rules/HV009-host-in-protected-users.js';
import HV010 from '../../src/rules/HV010-delegation-beyond-migration.js';
import { DirectoryBuilder, DNS, MIG, pairs, requiredFor } from '../helpers/directory-builder.js';
import { ruleTester } from '../helpers/rule-tester.js';

const KERBEROS_ONLY = UAC.WORKSTATION_TRUST_ACCOUNT;

/** Three hosts that are configured correctly. */
function mesh(): DirectoryBuilder {
  return new DirectoryBuilder().host('HV01', ['HV02', 'HV03']).host('HV02', ['HV01', 'HV03']).host('HV03', ['HV01', 'HV02']);
}

ruleTester(HV001, {
  valid: [
    { name: 'a correct mesh', directory: mesh },
    { name: 'a host with no entries (HV003 territory)', directory: () => mesh().host('HV04', [], { uac: KERBEROS_ONLY }) },
    {
      name: 'a lone host with Kerberos-only entries and no peers',
      directory: () => new DirectoryBuilder().host('HV01', [], { uac: KERBEROS_ONLY, delegateTo: ['cifs/FS01'] }),
    },
  ],
  invalid: [
    {
      name: 'entries without protocol transition',
      directory: () => new DirectoryBuilder().host('HV01', ['HV02']).host('HV02', ['HV01'], { uac: KERBEROS_ONLY }),
      expected: ['HV001 HV02$'],
    },
  ],
});

ruleTester(HV002, {
  valid: [
    { name: 'a correct mesh', directory: mesh },
    {
      name: 'entries in another letter case',
      directory: () => new DirectoryBuilder().host('HV01', [], { delegateTo: requiredFor('hv02').map((s) => s.toUpperCase()) }).host('HV02', ['HV01']),
    },
    {
      name: 'a missing entry for a disabled peer',
      directory: () =>
        new DirectoryBuilder()
          .host('HV01', ['HV02'])
          .host('HV02', ['HV01'])
          .host('HV03', [], { uac: KERBEROS_ONLY | UAC.ACCOUNTDISABLE }),
    },
  ],
  invalid: [
    { name: 'a peer added later', directory: () => mesh().host('HV04', ['HV01', 'HV02', 'HV03']), expected: ['HV002 HV01$', 'HV002 HV02$', 'HV002 HV03$'] },
    {
      name: 'only the FQDN form of cifs missing',
      directory: () =>
        new DirectoryBuilder().host('HV01', [], { delegateTo: requiredFor('HV02').filter((s) => s !== `cifs/HV02.${DNS}`) }).host('HV02', ['HV01']),
      expected: ['HV002 HV01$'],
    },
  ],
});

describe('HV002 details', () => {
  it('lists the missing SPNs per peer', () => {
    const [finding] = mesh()
      .host('HV04', ['HV01', 'HV02', 'HV03'])
      .findings(HV002)
      .filter((f) => f.subject.sAMAccountName === 'HV01$');
    expect(finding!.details.missing).to.deep.equal({ HV04: requiredFor('HV04').map((s) => s.replace('HV04.', 'HV04.')) });
    expect(finding!.remediation).to.contain("Set-ADComputer -Identity 'CN=HV01,OU=Hyper-V,DC=corp,DC=example,DC=com' -Add @{'msDS-AllowedToDelegateTo'=@(");
  });
});

ruleTester(HV003, {
  valid: [
    { name: 'a correct mesh', directory: mesh },
    { name: 'a lone host', directory: () => new DirectoryBuilder().host('HV01') },
  ],
  invalid: [
    {
      name: 'a re-joined host',
      directory: () => new DirectoryBuilder().host('HV01', ['HV02']).host('HV02', [], { uac: KERBEROS_ONLY }),
      expected: ['HV003 HV02$'],
    },
  ],
});

describe('HV003 re-join detection', () => {
  it('sets rejoinSuspected when peers still delegate to the host', () => {
    const [f] = new DirectoryBuilder().host('HV01', ['HV02']).host('HV02', [], { uac: KERBEROS_ONLY }).findings(HV003);
    expect(f!.details).to.include({ rejoinSuspected: true });
    expect(f!.details.delegatingPeers).to.deep.equal(['HV01']);
  });
  it('does not when no peer delegates to it', () => {
    const [f] = new DirectoryBuilder().host('HV01', []).host('HV02', [], { uac: KERBEROS_ONLY }).findings(HV003);
    expect(f!.details).to.include({ rejoinSuspected: false });
  });
  it("finds a re-joined host that lost its SPNs through its peers' entries", () => {
    const d = new DirectoryBuilder().host('HV01', ['HV02']).computer('HV02', { spns: ['HOST/HV02'] });
    expect(pairs(d.findings(HV003))).to.deep.equal(['HV003 HV02$']);
    expect(d.model().hosts.find((h) => h.account.sAMAccountName === 'HV02$')!.source).to.equal('reference');
  });
  it('replaces HV001 and HV002 for the host', () => {
    const all = pairs(new DirectoryBuilder().host('HV01', ['HV02']).host('HV02', [], { uac: KERBEROS_ONLY }).findings());
    expect(all.filter((p) => p.endsWith('HV02$'))).to.deep.equal(['HV003 HV02$']);
  });
});

ruleTester(HV004, {
  valid: [
    { name: 'a correct mesh', directory: mesh },
    {
      name: 'a domain controller (unconstrained by default) that also has a migration SPN',
      directory: () =>
        mesh().computer('DC01', { uac: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, spns: [`${MIG}/DC01`], ou: 'OU=Domain Controllers' }),
    },
  ],
  invalid: [
    {
      name: 'a host trusted for any service',
      directory: () => mesh().host('HV04', ['HV01'], { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION }),
      expected: ['HV004 HV04$'],
    },
  ],
});

ruleTester(HV005, {
  valid: [
    { name: 'a correct mesh', directory: mesh },
    {
      name: "cifs to a file server (that is HV010's call)",
      directory: () =>
        new DirectoryBuilder()
          .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), 'cifs/FS01'] })
          .host('HV02', ['HV01'])
          .computer('FS01'),
    },
  ],
  invalid: [
    {
      name: 'an entry for a computer that no longer exists',
      directory: () =>
        new DirectoryBuilder()
          .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), `${MIG}/HV09`] })
          .host('HV02', ['HV01'])
          .ghost('HV09'),
      expected: ['HV005 HV01$'],
    },
    {
      name: 'an entry naming the host itself',
      directory: () => new DirectoryBuilder().host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), 'cifs/HV01'] }).host('HV02', ['HV01']),
      expected: ['HV005 HV01$'],
    },
  ],
});

describe('HV005 with --group-by ou', () => {
  it('reports the other-group entry only when groups are by OU', () => {
    const d = new DirectoryBuilder().host('HV01', ['HV02', 'HV03'], { ou: 'OU=A' }).host('HV02', ['HV01'], { ou: 'OU=A' }).host('HV03', [], { ou: 'OU=B' });
    expect(d.findings(HV005, { groupBy: 'ou' }).map((f) => f.details.stale)).to.deep.equal([
      [
        { entry: `${MIG}/HV03`, reason: 'other-group' },
        { entry: `${MIG}/HV03.${DNS}`, reason: 'other-group' },
        { entry: 'cifs/HV03', reason: 'other-group' },
        { entry: `cifs/HV03.${DNS}`, reason: 'other-group' },
      ],
    ]);
  });
});

ruleTester(HV006, {
  valid: [{ name: 'a correct mesh', directory: mesh }],
  invalid: [
    {
      name: 'a host whose FQDN migration SPN is missing',
      directory: () => mesh().host('HV04', ['HV01', 'HV02', 'HV03'], { spns: [`${MIG}/HV04`] }),
      expected: ['HV006 HV04$'],
    },
  ],
});

ruleTester(HV007, {
  valid: [{ name: 'a correct mesh', directory: mesh }],
  invalid: [
    {
      name: 'a disabled host',
      directory: () => mesh().host('HV04', [], { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.ACCOUNTDISABLE }),
      expected: ['HV007 HV04$'],
    },
  ],
});

ruleTester(HV008, {
  valid: [{ name: 'a mesh of 251 hosts (1,000 entries each)', directory: () => bigMesh(251) }],
  invalid: [
    {
      name: 'a mesh of 252 hosts (1,004 entries each)',
      directory: () => bigMesh(252),
      expected: Array.from({ length: 252 }, (_, i) => `HV008 H${String(i).padStart(3, '0')}$`),
    },
  ],
});

function bigMesh(n: number): DirectoryBuilder {
  const names = Array.from({ length: n }, (_, i) => `H${String(i).padStart(3, '0')}`);
  const d = new DirectoryBuilder();
  for (const name of names)
    d.host(
      name,
      names.filter((p) => p !== name),
    );
  return d;
}

ruleTester(HV009, {
  valid: [{ name: 'a correct mesh', directory: mesh }],
  invalid: [
    {
      name: 'a host in Protected Users through a nested group',
      directory: () => {
        const d = mesh().group('Tier0 Servers');
        return d.member('Tier0 Servers', d.accountDn('HV02')).member('Protected Users', d.groupDn('Tier0 Servers'));
      },
      expected: ['HV009 HV02$'],
    },
  ],
});

ruleTester(HV010, {
  valid: [{ name: 'a correct mesh', directory: mesh }],
  invalid: [
    {
      name: 'delegation to a web service',
      directory: () => new DirectoryBuilder().host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), 'http/web01'] }).host('HV02', ['HV01']),
      expected: ['HV010 HV01$'],
    },
    {
      name: 'cifs on a file server',
      directory: () =>
        new DirectoryBuilder()
          .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), 'cifs/FS01'] })
          .host('HV02', ['HV01'])
          .computer('FS01'),
      expected: ['HV010 HV01$'],
    },
  ],
});

describe('HV010 severity', () => {
  it('is medium for an ordinary extra service', () => {
    const [f] = new DirectoryBuilder()
      .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), 'http/web01'] })
      .host('HV02', ['HV01'])
      .findings(HV010);
    expect(f!.severity).to.equal('medium');
  });
  it('is critical for a domain controller service', () => {
    const d = new DirectoryBuilder()
      .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), `ldap/DC01.${DNS}`] })
      .host('HV02', ['HV01'])
      .computer('DC01', { uac: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, ou: 'OU=Domain Controllers' });
    expect(d.findings(HV010)[0]!.severity).to.equal('critical');
  });
  it('is critical for a migration entry naming a domain controller (DCs are never hosts)', () => {
    const d = new DirectoryBuilder()
      .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), `${MIG}/DC01`] })
      .host('HV02', ['HV01'])
      .computer('DC01', { uac: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, ou: 'OU=Domain Controllers' });
    expect(d.findings(HV010).map((f) => [f.subject.sAMAccountName, f.severity])).to.deep.equal([['HV01$', 'critical']]);
  });
  it('is critical for krbtgt', () => {
    const [f] = new DirectoryBuilder()
      .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), 'krbtgt/CORP.EXAMPLE.COM'] })
      .host('HV02', ['HV01'])
      .findings(HV010);
    expect(f!.severity).to.equal('critical');
  });
});

describe('migration groups', () => {
  it('puts every host in one group by default', () => {
    const model = new DirectoryBuilder().host('HV01', [], { ou: 'OU=A' }).host('HV02', [], { ou: 'OU=B' }).model();
    expect(model.groups.map((g) => [g.name, g.hosts.length])).to.deep.equal([['all hosts', 2]]);
  });
  it('makes one group per OU with --group-by ou', () => {
    const model = new DirectoryBuilder().host('HV01', [], { ou: 'OU=A,OU=Hyper-V' }).host('HV02', [], { ou: 'OU=B,OU=Hyper-V' }).model({ groupBy: 'ou' });
    expect(model.groups.map((g) => g.name)).to.deep.equal(['Hyper-V/A', 'Hyper-V/B']);
  });
  it('uses explicit groups and checks unlisted hosts alone', () => {
    const d = new DirectoryBuilder().host('HV01', ['HV02']).host('HV02', ['HV01']).host('HV03');
    const model = d.model({ groups: [{ name: 'cluster-a', hosts: ['HV01', 'hv02.corp.example.com'] }] });
    expect(model.groups.map((g) => [g.name, g.hosts.map((h) => h.account.sAMAccountName)])).to.deep.equal([
      ['cluster-a', ['HV01$', 'HV02$']],
      ['HV03', ['HV03$']],
    ]);
    expect(model.warnings).to.deep.equal(['HV03 is in no configured migration group: checked alone']);
  });
  it('requires only the services asked for', () => {
    const d = new DirectoryBuilder().host('HV01', [], { delegateTo: [`${MIG}/HV02`, `${MIG}/HV02.${DNS}`] }).host('HV02', ['HV01']);
    expect(pairs(d.findings(HV002, { services: ['migration'] }))).to.deep.equal([]);
    expect(pairs(d.findings(HV002))).to.deep.equal(['HV002 HV01$']);
  });
});

describe('--accept-rbcd', () => {
  // HV01 is "Kerberos only" with entries for HV02 only; HV03's RBCD names HV01.
  const lab = (): DirectoryBuilder => {
    const b = new DirectoryBuilder().host('HV02', ['HV01', 'HV03']);
    b.host('HV01', ['HV02'], { uac: KERBEROS_ONLY });
    return b.host('HV03', ['HV01', 'HV02'], { rbcd: [b.sidOf('HV01$')] });
  };
  const rules = (b: DirectoryBuilder, acceptRbcd: boolean) => b.findings(undefined, { acceptRbcd }).map((f) => `${f.rule} ${f.subject.sAMAccountName}`);

  it("by default, RBCD from a peer satisfies nothing: HV002 asks for the peer's entries", () => {
    expect(rules(lab(), false)).to.include.members(['HV001 HV01$', 'HV002 HV01$']);
    const missing = lab()
      .findings(HV002)
      .find((f) => f.subject.sAMAccountName === 'HV01$')!.details.missing;
    expect(missing).to.have.keys(['HV03']);
  });

  it('with it, the peer whose RBCD names the host requires nothing: no HV002, and HV001 still for the classic entries', () => {
    const found = rules(lab(), true);
    expect(found).to.include('HV001 HV01$');
    expect(found).to.not.include('HV002 HV01$');
    const host = lab()
      .model({ acceptRbcd: true })
      .hosts.find((h) => h.account.sAMAccountName === 'HV01$')!;
    expect([...host.rbcdPeers]).to.have.length(1);
    expect(host.requiredCount).to.equal(4);
  });

  it('with it, a host reaching every peer through RBCD needs no protocol transition flag: no HV001', () => {
    const b = new DirectoryBuilder().host('HV01', [], { uac: KERBEROS_ONLY, delegateTo: ['cifs/FS01'] });
    b.host('HV02', ['HV01'], { rbcd: [b.sidOf('HV01$')] });
    expect(rules(b, false)).to.include('HV001 HV01$');
    expect(rules(b, true).filter((f) => /^HV00[123] HV01\$$/.test(f))).to.deep.equal([]);
  });
});
