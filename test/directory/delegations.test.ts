import { expect } from 'chai';
import fc from 'fast-check';
import { buildInventory, type InventoryRow } from '../../src/directory/delegations.js';
import { parseSpnMappings } from '../../src/directory/spn-mappings.js';
import { UAC } from '../../src/ldap/codecs/uac.js';
import { DirectoryBuilder, DNS } from '../helpers/directory-builder.js';

const DC = UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION;
const dcSpns = (name: string) => [`HOST/${name}`, `HOST/${name}.${DNS}`, `ldap/${name}.${DNS}`, `GC/${name}.${DNS}/${DNS}`];

function rowText(r: InventoryRow): string {
  return `${r.sAMAccountName} ${r.delegation} ${r.target || '-'} ${r.targetExists}${r.expected ? ' expected' : ''}`;
}

function rows(builder: DirectoryBuilder): string[] {
  return buildInventory(builder.model()).rows.map(rowText);
}

describe('delegation inventory', () => {
  it('gives an account with both unconstrained delegation and a constrained list a row for each', () => {
    const b = new DirectoryBuilder()
      .computer('FS01', { spns: ['HOST/FS01'] })
      .computer('APP01', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, delegateTo: ['cifs/FS01'] });
    expect(rows(b)).to.deep.equal(['APP01$ unconstrained - n/a', 'APP01$ constrained cifs/FS01 yes']);
  });

  it("marks a domain controller's own unconstrained flag as expected", () => {
    const b = new DirectoryBuilder().computer('DC01', { uac: DC, spns: dcSpns('DC01'), primaryGroupId: 516 });
    expect(rows(b)).to.deep.equal(['DC01$ unconstrained - n/a expected']);
  });

  it('tells Kerberos-only from protocol transition', () => {
    const b = new DirectoryBuilder()
      .computer('FS01', { spns: ['HOST/FS01'] })
      .user('svc.ko', { delegateTo: ['cifs/FS01'] })
      .user('svc.pt', { uac: UAC.NORMAL_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION, delegateTo: ['cifs/FS01'] });
    expect(rows(b)).to.deep.equal(['svc.ko constrained cifs/FS01 yes', 'svc.pt constrained-protocol-transition cifs/FS01 yes']);
  });

  for (const [entry, exists] of [
    ['cifs/FS01', 'yes'], // sPNMappings: HOST serves cifs
    ['CIFS/fs01', 'yes'], // case-insensitive
    [`http/fs01.${DNS}`, 'yes'], // http is another HOST alias
    ['MSSQLSvc/FS01:1433', 'no'], // the computer exists but serves no such SPN
    ['cifs/GHOST01', 'no'], // the computer named does not exist
    ['cifs/NOTREAD', 'unknown'], // not among the accounts read
  ] as const) {
    it(`resolves ${entry} as "${exists}"`, () => {
      const b = new DirectoryBuilder()
        .computer('FS01', { spns: ['HOST/FS01', `HOST/FS01.${DNS}`] })
        .user('svc', { delegateTo: [entry] })
        .ghost('ghost01');
      expect(buildInventory(b.model()).rows[0]).to.include({ target: entry, targetExists: exists });
    });
  }

  it('says "no" for an unresolved target once every target was looked up', () => {
    const b = new DirectoryBuilder().user('svc', { delegateTo: ['cifs/NOTREAD'] });
    b.computer('FS01', { rbcd: ['S-1-5-21-1-2-3-77777', 'S-1-5-21-9-9-9-1234'] });
    const directory = b.build();
    directory.delegationTargetsRead = true;
    const model = new DirectoryBuilder().model();
    Object.assign(model, { directory });
    expect(buildInventory(model).rows.map((r) => `${r.target} ${r.targetExists}`)).to.deep.equal([
      'S-1-5-21-1-2-3-77777 no', // of this domain: looked up, not found
      'S-1-5-21-9-9-9-1234 unknown', // another domain's SID
      'cifs/NOTREAD no',
    ]);
  });

  it("applies the directory's own sPNMappings when they were read", () => {
    const b = new DirectoryBuilder().computer('FS01', { spns: ['HOST/FS01'] }).user('svc', { delegateTo: ['cifs/FS01'] });
    const directory = b.build();
    directory.spnMappings = parseSpnMappings(['host=alerter,http']);
    const model = new DirectoryBuilder().model();
    Object.assign(model, { directory, computerByName: b.model().computerByName });
    expect(buildInventory(model).rows.map((r) => r.targetExists)).to.deep.equal(['no']);
  });

  it('lists resource-based delegation on the resource, with the principal resolved from its SID', () => {
    const b = new DirectoryBuilder().computer('WEB01');
    b.computer('FS01', { rbcd: [b.sidOf('WEB01$'), 'S-1-5-21-9-9-9-1234'] });
    expect(rows(b)).to.deep.equal(['FS01$ resource-based WEB01$ yes', 'FS01$ resource-based S-1-5-21-9-9-9-1234 unknown']);
  });

  it("shows the account's type, enabled, sensitive and privileged columns", () => {
    const b = new DirectoryBuilder()
      .user('admin.svc', { uac: UAC.NORMAL_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION | UAC.NOT_DELEGATED | UAC.ACCOUNTDISABLE, primaryGroupId: 512 })
      .user('gmsa.web$', { kind: 'gmsa', uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION });
    const [admin, gmsa] = buildInventory(b.model()).rows;
    expect(admin).to.include({ kind: 'user', enabled: false, sensitive: true, privileged: true });
    expect(gmsa).to.include({ kind: 'gmsa', enabled: true, sensitive: false, privileged: false });
  });
});

describe('delegation inventory order', () => {
  // Rows are in localeCompare order of the lower-cased entry within each account, whatever the
  // other accounts hold (buildInventory ranks the distinct keys once instead of sorting per account).
  const part = fc.stringMatching(/^[A-Za-z0-9 ./:_-]{1,12}$/);
  const entry = fc
    .tuple(fc.constantFrom('cifs', 'CIFS', 'host', 'MSSQLSvc', 'http', 'Microsoft Virtual System Migration Service'), part)
    .map(([c, h]) => `${c}/${h}`);
  it('sorts each account’s constrained entries as localeCompare sorts their keys', () => {
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(entry, { maxLength: 12, selector: (e) => e.trim().toLowerCase() }), { minLength: 1, maxLength: 4 }), (lists) => {
        const b = new DirectoryBuilder();
        lists.forEach((list, i) => b.user(`svc${i}`, { delegateTo: list }));
        const got = buildInventory(b.model()).rows;
        lists.forEach((list, i) => {
          const want = [...list].sort((x, y) => x.trim().toLowerCase().localeCompare(y.trim().toLowerCase()));
          expect(got.filter((r) => r.sAMAccountName === `svc${i}`).map((r) => r.target)).to.deep.equal(want);
        });
      }),
      { numRuns: 300 },
    );
  });
});
