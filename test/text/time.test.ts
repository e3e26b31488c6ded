import { expect } from 'chai';
import { readableTime } from '../../src/text/time.js';

describe('readableTime', () => {
  it("reads AD's GeneralizedTime as ISO date and time in UTC", () => {
    expect(readableTime('20170315143000.0Z')).to.equal('2017-03-15 14:30:00 UTC');
    expect(readableTime('20261203064200Z')).to.equal('2026-12-03 06:42:00 UTC');
  });
  it('leaves anything else as it is, so nothing is lost', () => {
    for (const value of ['', 'yesterday', '20170315143000.0+0100', '2017031514']) expect(readableTime(value)).to.equal(value);
  });
});
