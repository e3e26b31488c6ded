import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ensureCertificates } from '../../../mock-ldap/index.js';
import { bindingHash, signatureAlgorithm, tlsServerEndPoint } from '../../../src/ldap/kerberos/channel-binding.js';

describe('TLS channel binding (RFC 5929 tls-server-end-point)', () => {
  it("reads the certificate's signature algorithm and hashes with it", async () => {
    const paths = await ensureCertificates();
    const der = new X509Certificate(await readFile(paths.certFile)).raw;
    expect(signatureAlgorithm(der)).to.equal('1.2.840.10045.4.3.2'); // ecdsa-with-SHA256: mock-ldap's certificates
    expect(bindingHash(der)).to.equal('sha256');
    const data = tlsServerEndPoint(der);
    expect(data.subarray(0, 21).toString()).to.equal('tls-server-end-point:');
    expect(data.subarray(21)).to.deep.equal(createHash('sha256').update(der).digest());
  });
  it('falls back to SHA-256 for what it cannot read', () => {
    expect(bindingHash(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).to.equal('sha256');
    expect(signatureAlgorithm(Buffer.from('not a certificate'))).to.equal(undefined);
  });
});
