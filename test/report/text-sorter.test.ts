import { expect } from 'chai';
import fc from 'fast-check';
import { textSorter } from '../../src/report/build-report.js';

/** What the report did for each list before the ranks: case-insensitively, then as written (a stable sort). */
function sortedOneByOne(values: readonly string[]): string[] {
  return values
    .map((value) => ({ value, key: value.toLowerCase() }))
    .sort((a, b) => a.key.localeCompare(b.key) || a.value.localeCompare(b.value))
    .map(({ value }) => value);
}

describe('the report sorts each host list by ranks from one sort of the distinct values', () => {
  it('as each list sorted on its own would be: case, accents, duplicates and values that compare equal included', () => {
    // Few letters, so that lists share values and differ in case; "e\u0301" and "é" compare equal.
    const value = fc.stringMatching(/^(?:[aAbB/.]|e\u0301|é|É){0,6}$/);
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 10 }), { minLength: 1, maxLength: 5 }), (lists) => {
        const sorter = textSorter(lists);
        for (const list of lists) expect(sorter(list)).to.deep.equal(sortedOneByOne(list));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the list it is given as it was', () => {
    const list = ['cifs/HV02', 'CIFS/hv01', 'cifs/HV01'];
    expect(textSorter([list])(list))
      .to.deep.equal(['cifs/HV01', 'CIFS/hv01', 'cifs/HV02'])
      .and.to.deep.equal(sortedOneByOne(list));
    expect(list).to.deep.equal(['cifs/HV02', 'CIFS/hv01', 'cifs/HV01']);
  });
});
