import { expect } from 'chai';
import { formatPlanLdif, formatPlanPowerShell } from '../../src/report/formats/plan.js';
import { modifications, recompute } from '../../src/fix/apply.js';
import { type FixPlan, planFix, type PlanOptions } from '../../src/fix/plan.js';
import { planRollback } from '../../src/fix/rollback.js';
import type { JournalLine } from '../../src/fix/journal.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import { DirectoryBuilder, DNS, MIG, requiredFor } from '../helpers/directory-builder.js';

function plan(d: DirectoryBuilder, options: PlanOptions = {}, model = {}): FixPlan {
  const m = d.model(model);
  return planFix(m, d.findings(undefined, model), options);
}

const summary = (p: FixPlan): string[] =>
  p.changes.map(
    (c) => `${c.sAMAccountName} +${c.add.length} -${c.remove.length} set:${c.setFlags.join('|')} clear:${c.clearFlags.join('|')} (${c.resolves.join(',')})`,
  );

/** HV01 correct, HV02 Kerberos-only, HV03 re-joined, plus two admins without the sensitive flag. */
function lab(): DirectoryBuilder {
  const d = new DirectoryBuilder()
    .host('HV01', ['HV02', 'HV03'])
    .host('HV02', ['HV01', 'HV03'], { uac: UAC.WORKSTATION_TRUST_ACCOUNT })
    .host('HV03', [], { uac: UAC.WORKSTATION_TRUST_ACCOUNT })
    .user('admin.a')
    .user('breakglass');
  return d.member('Domain Admins', d.accountDn('admin.a', 'OU=Admins')).member('Domain Admins', d.accountDn('breakglass', 'OU=Admins'));
}

describe('planFix', () => {
  it('adds what HV002/HV003 hosts miss and sets protocol transition for HV001', () => {
    expect(summary(plan(lab()))).to.deep.equal([
      'HV02$ +0 -0 set:TRUSTED_TO_AUTH_FOR_DELEGATION clear: (HV001)',
      'HV03$ +8 -0 set:TRUSTED_TO_AUTH_FOR_DELEGATION clear: (HV003)',
    ]);
  });
  it('never plans a value that is present in another letter case', () => {
    const d = new DirectoryBuilder()
      .host('HV01', [], {
        delegateTo: requiredFor('HV02')
          .slice(0, 2)
          .map((v) => v.toLowerCase()),
      })
      .host('HV02', ['HV01']);
    expect(plan(d).changes[0]!.add).to.deep.equal(['cifs/HV02', `cifs/HV02.${DNS}`]);
  });
  it('limits the plan to --host and to --group', () => {
    expect(summary(plan(lab(), { hosts: ['hv03.corp.example.com'] }))).to.deep.equal(['HV03$ +8 -0 set:TRUSTED_TO_AUTH_FOR_DELEGATION clear: (HV003)']);
    const d = new DirectoryBuilder()
      .host('A1', [], { ou: 'OU=A', uac: UAC.WORKSTATION_TRUST_ACCOUNT })
      .host('A2', ['A1'], { ou: 'OU=A' })
      .host('B1', [], { ou: 'OU=B', uac: UAC.WORKSTATION_TRUST_ACCOUNT })
      .host('B2', ['B1'], { ou: 'OU=B' });
    expect(summary(plan(d, { group: 'B' }, { groupBy: 'ou' }))).to.deep.equal(['B1$ +4 -0 set:TRUSTED_TO_AUTH_FOR_DELEGATION clear: (HV003)']);
    expect(() => plan(d, { group: 'C' }, { groupBy: 'ou' })).to.throw('--group C: no such migration group (groups: A, B): nothing was planned');
    expect(() => plan(lab(), { hosts: ['HV99', 'HV01'] })).to.throw('--host hv99: not a Hyper-V host in the directory (hosts: HV01, HV02, HV03');
  });
  it('sets NOT_DELEGATED on PA001 accounts only with --protect-privileged, honouring --exclude', () => {
    expect(plan(lab()).changes.some((c) => c.setFlags.includes('NOT_DELEGATED'))).to.equal(false);
    const p = plan(lab(), { protectPrivileged: true, exclude: ['BreakGlass'] });
    expect(summary(p).filter((s) => s.startsWith('admin') || s.startsWith('break'))).to.deep.equal(['admin.a +0 -0 set:NOT_DELEGATED clear: (PA001)']);
    expect(p.skipped).to.deep.equal(['breakglass: excluded (--exclude), PA001 left as it is']);
  });
  it('removes HV005 stale entries only with --prune', () => {
    const d = new DirectoryBuilder()
      .host('HV01', ['HV02'], { delegateTo: [...requiredFor('HV02'), `${MIG}/HV09`] })
      .host('HV02', ['HV01'])
      .ghost('HV09');
    expect(plan(d).changes).to.deep.equal([]);
    expect(summary(plan(d, { prune: true }))).to.deep.equal(['HV01$ +0 -1 set: clear: (HV005)']);
  });
  it('clears unconstrained delegation only where the constrained mesh will be complete', () => {
    const unconstrained = UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION;
    const d = new DirectoryBuilder()
      .host('HV01', ['HV02'], { uac: unconstrained })
      .host('HV02', ['HV01'])
      .host('HV03', [], { uac: unconstrained, delegateTo: ['cifs/HV01'] });
    // HV01 lacks only HV03's entries and protocol transition: the plan adds both, so the flag can go.
    const p = plan(d, { removeUnconstrained: true });
    expect(summary(p).find((s) => s.startsWith('HV01$'))).to.equal(
      'HV01$ +4 -0 set:TRUSTED_TO_AUTH_FOR_DELEGATION clear:TRUSTED_FOR_DELEGATION (HV001,HV002,HV004)',
    );
    const hostOnly = plan(d, { removeUnconstrained: true, hosts: ['HV02'] });
    expect(hostOnly.changes.every((c) => c.clearFlags.length === 0)).to.equal(true);
    expect(plan(d).changes.every((c) => c.clearFlags.length === 0)).to.equal(true);
  });
});

describe('applying a change', () => {
  const change = plan(lab()).changes[1]!;
  it('adds values one by one and swaps userAccountControl as delete-old + add-new', () => {
    const mods = modifications(change);
    expect(mods.slice(0, 2)).to.deep.equal([
      { operation: 'add', attribute: 'msDS-AllowedToDelegateTo', values: [`${MIG}/HV01`] },
      { operation: 'add', attribute: 'msDS-AllowedToDelegateTo', values: [`${MIG}/HV01.${DNS}`] },
    ]);
    expect(mods.slice(-2)).to.deep.equal([
      { operation: 'delete', attribute: 'userAccountControl', values: ['4096'] },
      { operation: 'add', attribute: 'userAccountControl', values: [String(4096 | 0x1000000)] },
    ]);
  });
  it('recomputes against the account as it is now', () => {
    const again = recompute(change, { dn: change.dn, userAccountControl: 4096 | 0x10000, allowedToDelegateTo: [`${MIG}/HV01`.toUpperCase()] });
    expect(again.add).to.have.length(7);
    expect(modifications(again).slice(-1)[0]!.values).to.deep.equal([String(4096 | 0x10000 | 0x1000000)]);
  });
});

describe('planRollback', () => {
  const begin: JournalLine = { type: 'begin', operation: 'fix', tool: 'delegaudit', version: '0', url: 'ldaps://x', baseDN: 'DC=corp', at: 't' };
  const intent = (seq: number, attempt: number, dn: string, add: string[], uac: { from: number; to: number } | null): JournalLine => ({
    type: 'intent',
    seq,
    attempt,
    dn,
    sAMAccountName: dn.slice(3, 7),
    kind: 'computer',
    at: 't',
    before: { allowedToDelegateTo: [], userAccountControl: uac?.from ?? 4096 },
    change: { add, remove: [], userAccountControl: uac },
    resolves: [],
  });
  const outcome = (type: 'done' | 'failed' | 'unknown', seq: number, attempt: number, dn: string): JournalLine => ({ type, seq, attempt, dn, at: 't' });
  const state = (dn: string, uac: number, values: string[]) => [dn.toLowerCase(), { dn, userAccountControl: uac, allowedToDelegateTo: values }] as const;

  it('undoes done and unknown changes in reverse order, skips failed ones, and keeps unrelated bits and values', () => {
    const lines = [
      begin,
      intent(0, 1, 'CN=HV02', [], { from: 4096, to: 4096 | 0x1000000 }),
      outcome('done', 0, 1, 'CN=HV02'),
      intent(1, 1, 'CN=HV03', ['cifs/HV01'], { from: 4096, to: 4096 | 0x1000000 }),
      outcome('failed', 1, 1, 'CN=HV03'),
      intent(2, 1, 'CN=HV04', ['cifs/HV01'], null),
    ];
    const states = new Map([state('CN=HV02', 4096 | 0x1000000 | 0x2, []), state('CN=HV03', 4096, []), state('CN=HV04', 4096, ['cifs/HV01', 'cifs/FS01'])]);
    const p = planRollback(lines, states);
    expect(p.changes.map((c) => [c.dn, c.remove, c.clearFlags])).to.deep.equal([
      ['CN=HV04', ['cifs/HV01'], []],
      ['CN=HV02', [], ['TRUSTED_TO_AUTH_FOR_DELEGATION']],
    ]);
    expect(modifications(p.changes[1]!).slice(-1)[0]!.values).to.deep.equal([String(4096 | 0x2)]);
  });
  it('refuses to restore bits delegaudit never writes', () => {
    const p = planRollback(
      [begin, intent(0, 1, 'CN=HV02', [], { from: 4096, to: 4098 }), outcome('done', 0, 1, 'CN=HV02')],
      new Map([state('CN=HV02', 4098, [])]),
    );
    expect(p.changes).to.deep.equal([]);
    expect(p.skipped[0]).to.contain('bits delegaudit never writes (0x2)');
  });
});

describe('plan formats', () => {
  const hostile = new DirectoryBuilder().host('HV01', ['HV02']).host('HV02', [], { uac: UAC.WORKSTATION_TRUST_ACCOUNT });
  const p = plan(hostile);
  p.changes[0]!.add.push(" leading space', $(Remove-Item C:\\)", 'naïve/ünïcode');
  it('writes base64 in LDIF for values that are not safe strings', () => {
    const ldif = formatPlanLdif(p);
    expect(ldif).to.contain('changetype: modify');
    expect(ldif).to.contain(`msDS-AllowedToDelegateTo:: ${Buffer.from(" leading space', $(Remove-Item C:\\)").toString('base64')}`);
    expect(ldif).to.contain(`msDS-AllowedToDelegateTo:: ${Buffer.from('naïve/ünïcode').toString('base64')}`);
    expect(ldif).to.contain(`msDS-AllowedToDelegateTo: ${MIG}/HV01`);
  });
  it('single-quotes every value in PowerShell, doubling embedded quotes', () => {
    const ps = formatPlanPowerShell(p);
    expect(ps).to.contain("' leading space'', $(Remove-Item C:\\)'");
    expect(ps).to.contain("Set-ADAccountControl -Identity 'CN=HV02,OU=Hyper-V,DC=corp,DC=example,DC=com' -TrustedToAuthForDelegation $true");
  });
});
