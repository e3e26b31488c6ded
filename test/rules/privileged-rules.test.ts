import { expect } from 'chai';
import { UAC } from '../../src/ldap/codecs/uac.js';
import PA001 from '../../src/rules/PA001-sensitive-flag-missing.js';
import PA002 from '../../src/rules/PA002-not-in-protected-users.js';
import PA003 from '../../src/rules/PA003-privileged-account-delegation.js';
import PA004 from '../../src/rules/PA004-stale-admincount.js';
import { DirectoryBuilder, DOMAIN_SID } from '../helpers/directory-builder.js';
import { ruleTester } from '../helpers/rule-tester.js';

const SENSITIVE = UAC.NORMAL_ACCOUNT | UAC.NOT_DELEGATED;

/** A domain with one Domain Admin nested two groups deep, one through primaryGroupID, one protected. */
function domain(): DirectoryBuilder {
  const d = new DirectoryBuilder()
    .group('Infrastructure Admins')
    .group('Tier0 Operators')
    .user('admin.nested')
    .user('admin.primary', { primaryGroupId: 512 })
    .user('admin.protected')
    .user('alice');
  return d
    .member('Domain Admins', d.groupDn('Infrastructure Admins'))
    .member('Infrastructure Admins', d.groupDn('Tier0 Operators'))
    .member('Tier0 Operators', d.accountDn('admin.nested', 'OU=Admins'))
    .member('Domain Admins', d.accountDn('admin.protected', 'OU=Admins'))
    .member('Protected Users', d.accountDn('admin.protected', 'OU=Admins'));
}

describe('privileged accounts', () => {
  it('follows nested groups and primaryGroupID, and leaves others out', () => {
    const model = domain().model();
    expect(model.privileged.map((p) => p.account.sAMAccountName)).to.deep.equal(['admin.nested', 'admin.primary', 'admin.protected']);
  });
  it('explains how each account is privileged', () => {
    const byName = new Map(
      domain()
        .model()
        .privileged.map((p) => [p.account.sAMAccountName, p]),
    );
    expect(byName.get('admin.nested')!.via).to.deep.equal([['Tier0 Operators', 'Infrastructure Admins', 'Domain Admins']]);
    expect(byName.get('admin.primary')!.via).to.deep.equal([['Domain Admins (primary group)']]);
    expect(byName.get('admin.primary')!.viaPrimaryGroup).to.equal('Domain Admins');
    expect(byName.get('admin.protected')!.protectedUsers).to.equal(true);
  });
  it('finds groups by SID, not by name', () => {
    const d = new DirectoryBuilder().group('Domänen-Admins', `${DOMAIN_SID}-512`).user('hans');
    d.member('Domänen-Admins', d.accountDn('hans', 'OU=Admins'));
    expect(d.model().privileged.map((p) => p.account.sAMAccountName)).to.deep.equal(['hans']);
  });
  it('counts the RID-500 account even outside every group', () => {
    const model = new DirectoryBuilder().user('Administrator', { rid: 500 }).model();
    expect(model.privileged[0]!.via).to.deep.equal([['built-in Administrator (RID 500)']]);
  });
  it('does not count computers or krbtgt', () => {
    const d = new DirectoryBuilder().computer('SRV01').user('krbtgt', { rid: 502, uac: UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE, adminCount: 1 });
    d.member('Domain Admins', d.accountDn('SRV01')).member('Domain Admins', d.accountDn('krbtgt', 'OU=Admins'));
    const model = d.model();
    expect(model.privileged).to.deep.equal([]);
    expect(model.staleAdminCount).to.deep.equal([]);
  });
  it('survives membership cycles', () => {
    const d = new DirectoryBuilder().group('A').group('B').user('x');
    d.member('Domain Admins', d.groupDn('A')).member('A', d.groupDn('B')).member('B', d.groupDn('A')).member('B', d.accountDn('x', 'OU=Admins'));
    expect(d.model().privileged.map((p) => p.account.sAMAccountName)).to.deep.equal(['x']);
  });
  it('honours --privileged-group by SID or DN', () => {
    const d = new DirectoryBuilder().group('Hyper-V Admins', `${DOMAIN_SID}-4242`).user('hv.admin');
    d.member('Hyper-V Admins', d.accountDn('hv.admin', 'OU=Admins'));
    expect(d.model().privileged).to.deep.equal([]);
    expect(d.model({ privilegedGroups: [`${DOMAIN_SID}-4242`] }).privileged.length).to.equal(1);
    expect(d.model({ privilegedGroups: [d.groupDn('Hyper-V Admins')] }).privileged.length).to.equal(1);
  });
});

ruleTester(PA001, {
  valid: [
    {
      name: 'privileged accounts marked sensitive',
      directory: () => domain().user('admin.nested', { uac: SENSITIVE }).user('admin.primary', { uac: SENSITIVE, primaryGroupId: 512 }),
    },
    {
      name: 'disabled accounts and gMSAs',
      directory: () =>
        domain()
          .user('admin.nested', { uac: UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE })
          .user('admin.primary', { kind: 'gmsa', primaryGroupId: 512 }),
    },
  ],
  invalid: [
    { name: 'privileged accounts with neither the flag nor Protected Users', directory: domain, expected: ['PA001 admin.nested', 'PA001 admin.primary'] },
    { name: 'all but an --exclude account', directory: domain, options: { exclude: ['ADMIN.PRIMARY'] }, expected: ['PA001 admin.nested'] },
  ],
});

ruleTester(PA002, {
  valid: [{ name: 'the RID-500 break-glass account, and PA001 not repeated', directory: () => domain().user('Administrator', { rid: 500, uac: SENSITIVE }) }],
  invalid: [
    {
      name: 'a sensitive privileged user outside Protected Users',
      directory: () => domain().user('admin.nested', { uac: SENSITIVE }),
      expected: ['PA002 admin.nested'],
    },
  ],
});

ruleTester(
  PA003,
  {
    valid: [{ name: 'an unprivileged service account', directory: () => domain().user('svc-sql', { delegateTo: ['cifs/FS01'] }) }],
    invalid: [
      {
        name: 'a privileged account trusted for delegation',
        directory: () => domain().user('admin.protected', { uac: UAC.NORMAL_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION, delegateTo: ['cifs/FS01'] }),
        expected: ['PA003 admin.protected'],
      },
    ],
  },
  () => {
    it('says which delegation the privileged account has', () => {
      const d = domain().user('admin.protected', { uac: UAC.NORMAL_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION, delegateTo: ['cifs/FS01'] });
      const [f] = d.findings(PA003);
      expect(f!.subject.sAMAccountName).to.equal('admin.protected');
      expect(f!.details.delegation).to.deep.equal(['protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION)', 'constrained to 1 services']);
    });
  },
);

ruleTester(PA004, {
  valid: [{ name: 'adminCount=1 on a current member', directory: () => domain().user('admin.nested', { adminCount: 1 }) }],
  invalid: [
    { name: 'adminCount=1 on an account that is no longer privileged', directory: () => domain().user('alice', { adminCount: 1 }), expected: ['PA004 alice'] },
  ],
});
