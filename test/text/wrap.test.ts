import { expect } from 'chai';
import fc from 'fast-check';
import { wrapCommands } from '../../src/text/wrap.js';

describe('wrapCommands', () => {
  const command =
    "delegaudit fix --host HV03 --apply, or: Set-ADComputer -Identity 'CN=HV03,OU=Hyper-V,DC=corp,DC=example,DC=com' -Add @{'msDS-AllowedToDelegateTo'=@('Microsoft Virtual System Migration Service/HV01','cifs/HV01')}";

  it('never breaks inside a quoted string, and breaks after commas in arrays', () => {
    const lines = wrapCommands(command, 60).split('\n');
    for (const line of lines) expect(line.length, line).to.be.at.most(60);
    expect(lines).to.include("'Microsoft Virtual System Migration Service/HV01',");
    expect(lines.some((l) => l.includes("'CN=HV03,OU=Hyper-V,DC=corp,DC=example,DC=com'"))).to.equal(true);
  });

  it('takes an apostrophe inside a word for one, not for a quote', () => {
    const lines = wrapCommands("svc-web can delegate to a domain controller's service with protocol transition (any user, no password needed)", 40).split('\n');
    for (const line of lines) expect(line.length, line).to.be.at.most(40);
  });

  it('loses nothing but the spaces it breaks at, and keeps lines within the width unless one piece is longer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'bb', ' ', ',', " 'x y'", ' "p,q"', 'Set-AD'), { maxLength: 40 }),
        fc.integer({ min: 5, max: 40 }),
        (parts, width) => {
          const text = parts.join('').replace(/ +/g, ' ').trim();
          const wrapped = wrapCommands(text, width);
          expect(wrapped.replace(/[\s]/g, '')).to.equal(text.replace(/ /g, ''));
          for (const line of wrapped.split('\n')) if (line.length > width) expect(line).to.not.match(/ (?=(?:[^'"]|'[^']*'|"[^"]*")*$)/);
        },
      ),
    );
  });
});
