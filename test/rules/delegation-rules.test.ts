import { expect } from 'chai';
import DG001 from '../../src/rules/DG001-unconstrained-delegation.js';
import DG002 from '../../src/rules/DG002-delegation-to-dc-service.js';
import DG003 from '../../src/rules/DG003-delegation-to-krbtgt-or-dc.js';
import DG004 from '../../src/rules/DG004-ghost-delegation-target.js';
import DG005 from '../../src/rules/DG005-protocol-transition-outside-hyperv.js';
import { findRule, INVENTORY_RULES } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/rule.js';
import { selectRules } from '../../src/index.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import { DirectoryBuilder, DNS, pairs } from '../helpers/directory-builder.js';
import { type InvalidCase, ruleTester, type ValidCase } from '../helpers/rule-tester.js';

const DC = UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION;
const PT = UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
const withDc = () =>
  new DirectoryBuilder()
    .computer('DC01', { uac: DC, primaryGroupId: 516, spns: ['HOST/DC01', `HOST/DC01.${DNS}`, `ldap/DC01.${DNS}`] })
    .computer('FS01', { spns: ['HOST/FS01'] });

const CASES: Record<string, { rule: Rule; valid: ValidCase[]; invalid: InvalidCase[] }> = {
  DG001: {
    rule: DG001,
    valid: [
      { name: 'a domain controller (expected)', directory: withDc },
      { name: 'constrained delegation only', directory: () => withDc().user('svc', { delegateTo: ['cifs/FS01'] }) },
    ],
    invalid: [
      {
        name: 'a server trusted for unconstrained delegation',
        directory: () => withDc().computer('APP01', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION }),
        expected: ['DG001 APP01$'],
      },
      {
        name: 'a user with both unconstrained and a list',
        directory: () => withDc().user('svc', { uac: UAC.NORMAL_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, delegateTo: ['cifs/FS01'] }),
        expected: ['DG001 svc'],
      },
    ],
  },
  DG002: {
    rule: DG002,
    valid: [{ name: 'delegation to a member server', directory: () => withDc().user('svc', { delegateTo: ['cifs/FS01'] }) }],
    invalid: [
      { name: 'ldap/ on a DC', directory: () => withDc().user('svc', { delegateTo: [`ldap/DC01.${DNS}`] }), expected: ['DG002 svc'] },
      {
        name: 'cifs/ on a DC through sPNMappings',
        directory: () => withDc().user('svc', { uac: UAC.NORMAL_ACCOUNT | PT, delegateTo: ['cifs/dc01', 'cifs/FS01'] }),
        expected: ['DG002 svc'],
      },
    ],
  },
  DG003: {
    rule: DG003,
    valid: [
      {
        name: 'resource-based delegation on a member server',
        directory: () =>
          withDc()
            .computer('WEB01')
            .computer('APP01', { rbcd: ['S-1-5-21-1-2-3-9999'] }),
      },
    ],
    invalid: [
      { name: 'an entry for krbtgt', directory: () => withDc().user('svc', { delegateTo: [`krbtgt/${DNS}`] }), expected: ['DG003 svc'] },
      {
        name: 'resource-based delegation on a DC',
        directory: () => new DirectoryBuilder().computer('WEB01').computer('DC02', { uac: DC, primaryGroupId: 516, rbcd: ['S-1-5-21-1-2-3-4242'] }),
        expected: ['DG003 DC02$'],
      },
    ],
  },
  DG004: {
    rule: DG004,
    valid: [{ name: 'cifs served by HOST', directory: () => withDc().user('svc', { delegateTo: ['cifs/fs01'] }) }],
    invalid: [
      {
        name: 'a computer that does not exist',
        directory: () =>
          withDc()
            .user('svc', { delegateTo: ['cifs/OLDFS'] })
            .ghost('oldfs'),
        expected: ['DG004 svc'],
      },
      { name: 'a service the computer does not serve', directory: () => withDc().user('svc', { delegateTo: ['MSSQLSvc/FS01:1433'] }), expected: ['DG004 svc'] },
    ],
  },
  DG005: {
    rule: DG005,
    valid: [
      { name: 'a Hyper-V host', directory: () => withDc().host('HV01', ['HV02']).host('HV02', ['HV01']) },
      { name: 'Kerberos-only delegation', directory: () => withDc().user('svc', { delegateTo: ['cifs/FS01'] }) },
    ],
    invalid: [
      {
        name: 'a service account with protocol transition',
        directory: () => withDc().user('svc', { uac: UAC.NORMAL_ACCOUNT | PT, delegateTo: ['cifs/FS01'] }),
        expected: ['DG005 svc'],
      },
    ],
  },
};

for (const { rule, valid, invalid } of Object.values(CASES)) ruleTester(rule, { valid, invalid });

describe('DG rules selection', () => {
  it('run by default, with every other rule', () => {
    expect(
      selectRules(undefined)
        .map((r) => r.id)
        .filter((id) => id.startsWith('DG')),
    ).to.deep.equal(['DG001', 'DG002', 'DG003', 'DG004', 'DG005', 'DG006']);
    expect(selectRules(undefined).map((r) => r.id)).to.include.members(['DG001', 'HV001', 'PA001']);
    expect(
      pairs(
        withDc()
          .computer('APP01', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION })
          .findings(),
      ),
    ).to.deep.equal(['DG001 APP01$']);
  });

  it('leave out DG001 where HV004 (a Hyper-V host) already says it, unless DG001 runs alone', () => {
    const unconstrainedHost = () =>
      withDc()
        .host('HV01', ['HV02'], { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION })
        .host('HV02', ['HV01']);
    const rules = (findings: string[]) => findings.filter((f) => f.endsWith(' HV01$')).map((f) => f.split(' ')[0]);
    expect(rules(pairs(unconstrainedHost().findings())))
      .to.include('HV004')
      .and.not.include('DG001');
    expect(rules(pairs(unconstrainedHost().findings(DG001)))).to.deep.equal(['DG001']);
  });

  it('run alone with --rules DG001, and always in the inventory', () => {
    expect(selectRules(['DG001']).map((r) => r.id)).to.deep.equal(['DG001']);
    expect(selectRules(['all']).map((r) => r.id)).to.include.members(['DG001', 'DG005', 'HV001', 'PA004']);
    expect(INVENTORY_RULES.map((r) => r.id)).to.deep.equal(['DG001', 'DG002', 'DG003', 'DG004', 'DG005', 'DG006']);
  });

  it('keeps unconstrained-delegation naming HV004, which runs by default', () => {
    expect(findRule('unconstrained-delegation')?.id).to.equal('HV004');
  });
});
