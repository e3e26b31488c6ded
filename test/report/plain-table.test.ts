import { expect } from 'chai';
import Table from 'cli-table3';
import { displayWidth, plainTable } from '../../src/report/formats/plain-table.js';
import { terminalSafe } from '../../src/text/quote.js';

/** What the inventory's table looked like when cli-table3 drew it. */
function cliTable3(head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const row of rows) table.push(row);
  return table.toString();
}

describe('plain table', () => {
  it('draws what cli-table3 drew, wide, combining, emoji and escaped text included', () => {
    const head = ['account', 'type', 'target'];
    const rows = [
      ['HV01$', 'computer', 'Microsoft Virtual System Migration Service/HV02.corp.example.com'],
      ['Müller', 'user', ''],
      ['日本語$', 'computer (DC)', 'cifs/ｻｰﾊﾞ'],
      ['e\u0301mile', 'user', 'http/🙂.example'],
      ['family 👨‍👩‍👧 🇩🇪 1️⃣', 'user', '한국'],
      [terminalSafe('pipe|`tick`\nnewline\x1b[2J'), 'user', 'x'],
    ];
    expect(plainTable(head, rows)).to.equal(cliTable3(head, rows));
    expect(plainTable(head, [])).to.equal(cliTable3(head, []));
  });

  it('counts columns as string-width does', () => {
    expect(['abc', 'Müller', '日本', 'e\u0301', '🙂', '👍🏽', '🇩🇪', ''].map(displayWidth)).to.deep.equal([3, 6, 4, 1, 2, 2, 2, 0]);
  });

  it('draws 30,000 rows, each on its own line', () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => [`HV${i}$`, 'computer', `cifs/HV${i + 1}`]);
    const lines = plainTable(['account', 'type', 'target'], rows).split('\n');
    expect(lines).to.have.length(30_003);
    expect(new Set(lines.map((l) => l.length)).size).to.equal(1);
  });
});
