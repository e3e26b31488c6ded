/**
 * `npm run soak [-- --audits 400 --warmup 200]`: many audits in one process against mock-ldap, to show
 * that nothing leaks: open sockets return to zero and RSS stays flat after warm-up (Node's allocator
 * takes a couple of hundred audits to reach its plateau; the V8 heap is flat from the start). Prints
 * the figures; exits 1 when sockets remain or RSS grew more than 10 % after warm-up.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startMockLdap } from '../mock-ldap/index.js';
import { projectRoot } from '../mock-ldap/project-root.js';
import { audit } from '../src/index.js';

const { values } = parseArgs({ options: { audits: { type: 'string', default: '400' }, warmup: { type: 'string', default: '200' } } });
const audits = Number(values.audits);
const warmup = Number(values.warmup);

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TLSWrap').length;
}

const mock = await startMockLdap({ ldif: join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif') });
const options = {
  url: mock.ldapsUrl!,
  caFile: mock.caFile,
  tlsServername: mock.servername,
  credentials: { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' },
};
const rss = (): number => process.memoryUsage().rss / 2 ** 20;
const heap = (): number => process.memoryUsage().heapUsed / 2 ** 20;
let heapAfterWarmup = 0;
const gc = (globalThis as { gc?: () => void }).gc;
let rssAfterWarmup = 0;
let peak = 0;
const started = Date.now();
for (let i = 1; i <= audits; i += 1) {
  const { report } = await audit(options);
  mock.resetStats(); // the mock logs every search it serves: not ours to count
  if (report.findings.length !== 4) throw new Error(`audit ${i}: ${report.findings.length} findings, expected 4`);
  if (i === warmup) {
    gc?.();
    rssAfterWarmup = rss();
    heapAfterWarmup = heap();
  }
  peak = Math.max(peak, rss());
}
gc?.();
await new Promise((resolve) => setTimeout(resolve, 200));
const sockets = openSockets();
const rssEnd = rss();
await mock.close();
const growth = ((rssEnd - rssAfterWarmup) / rssAfterWarmup) * 100;
console.log(
  `soak: ${audits} audits in ${((Date.now() - started) / 1000).toFixed(1)} s; open client sockets after: ${sockets}; RSS after ${warmup} (warm-up) ${rssAfterWarmup.toFixed(1)} MiB, at the end ${rssEnd.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %), peak ${peak.toFixed(1)} MiB; V8 heap ${heapAfterWarmup.toFixed(1)} → ${heap().toFixed(1)} MiB${gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
);
// The mock's own listening sockets are closed above; anything left is a client socket we leaked.
process.exitCode = sockets > 0 || growth > 10 ? 1 : 0;
