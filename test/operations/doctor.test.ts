import { expect } from 'chai';
import { doctor } from '../../src/index.js';
import { forEachTarget } from '../helpers/targets.js';

forEachTarget('doctor', (label, target) => {
  it(`[${label}] finds LDAPS with a trusted certificate, StartTLS, and a DC that refuses simple binds without TLS`, async () => {
    const t = target();
    const ldaps = new URL(t.url);
    const ldap = new URL(t.startTlsUrl);
    const report = await doctor({ url: t.url, caFile: t.caFile, tlsServername: t.servername, ports: { ldap: Number(ldap.port), ldaps: Number(ldaps.port) } });
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('ldaps')).to.include({ ok: true });
    expect(byName.get('ldaps')!.detail).to.match(/^certificate for .*, trusted, valid until /);
    expect(byName.get('starttls')).to.deep.include({ ok: true, detail: 'offered, certificate trusted' });
    expect(byName.get('plain-simple-bind')!.detail).to.contain('refused (strongerAuthRequired)');
    expect(report.working).to.include.members(['ldaps', 'starttls']);
  });
  it(`[${label}] says a certificate it cannot trust is not trusted`, async () => {
    const t = target();
    const report = await doctor({
      url: t.url,
      tlsServername: t.servername,
      ports: { ldap: Number(new URL(t.startTlsUrl).port), ldaps: Number(new URL(t.url).port) },
    });
    const ldaps = report.checks.find((c) => c.name === 'ldaps')!;
    expect(ldaps.ok).to.equal(false);
    expect(ldaps.detail).to.contain('not trusted');
  });
});
