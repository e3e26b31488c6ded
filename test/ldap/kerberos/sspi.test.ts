import { expect } from 'chai';
import koffi from 'koffi';
import { Buffers, channelBindings, declareSspiTypes, type SecBuffer } from '../../../src/ldap/kerberos/sspi.js';

/**
 * The parts of the Windows (SSPI) backend that run anywhere: SecBuffers in native memory, rewritten
 * in place as SSPI does, and the SEC_CHANNEL_BINDINGS layout. The SSPI calls themselves are untested
 * (no Windows machine here): the README says so.
 */
describe('SSPI marshalling (platform-neutral parts)', () => {
  before(() => declareSspiTypes(koffi));

  it('puts token, data and padding buffers in native memory and reads back what was rewritten in place', () => {
    const buffers = new Buffers(koffi, [
      { type: 2, size: 4 },
      { type: 1, bytes: Buffer.from('hello') },
      { type: 9, size: 0 },
    ]);
    try {
      const [token, data, padding] = buffers.read() as [SecBuffer, SecBuffer, SecBuffer];
      expect([token.BufferType, token.cbBuffer, data.BufferType, data.cbBuffer, padding.cbBuffer]).to.deep.equal([2, 4, 1, 5, 0]);
      expect(buffers.bytes(data).toString()).to.equal('hello');
      expect(padding.pvBuffer).to.equal(null);
      // As EncryptMessage does: write into the token buffer and shrink it.
      new Uint8Array(koffi.view(token.pvBuffer, 4)).set([9, 8, 7, 6]);
      const array = (buffers.desc as { pBuffers: unknown }).pBuffers;
      koffi.encode(array, 'SecBuffer', { ...token, cbBuffer: 3 });
      const [shrunk] = buffers.read();
      expect([...buffers.bytes(shrunk!)]).to.deep.equal([9, 8, 7]);
      expect(buffers.desc.cBuffers).to.equal(3);
    } finally {
      buffers.free();
    }
  });

  it('lays out SEC_CHANNEL_BINDINGS: no addresses, the application data after the 32-byte header', () => {
    const data = Buffer.from('tls-server-end-point:0123');
    const bindings = channelBindings(data);
    expect(bindings.length).to.equal(32 + data.length);
    expect(bindings.readUInt32LE(0)).to.equal(0);
    expect(bindings.readUInt32LE(24)).to.equal(data.length);
    expect(bindings.readUInt32LE(28)).to.equal(32);
    expect(bindings.subarray(32)).to.deep.equal(data);
  });
});
