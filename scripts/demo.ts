/**
 * `npm run demo`: serve the bundled lab directory with mock-ldap, run `delegaudit audit` against it
 * over LDAPS (trusting the mock's CA), print the report, stop the mock. Extra arguments go to the
 * audit: `npm run demo -- --format json`; `npm run demo -- inventory` runs the delegation inventory instead.
 *
 * Exit 0 when the audit ran, whatever it found (the lab has findings on purpose); otherwise the
 * audit's exit code.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startMockLdap } from '../mock-ldap/index.js';
import { projectRoot } from '../mock-ldap/project-root.js';

const root = projectRoot();
const mock = await startMockLdap({ ldif: join(root, 'mock-ldap', 'fixtures', 'lab.ldif') });
const url = mock.ldapsUrl ?? mock.url;
process.stderr.write(`demo: mock-ldap serving the lab directory at ${url}\n`);

const inventory = process.argv[2] === 'inventory';
const args = [
  join(root, 'dist', 'delegaudit.mjs'),
  inventory ? 'inventory' : 'audit',
  '--url',
  url,
  '--ca-file',
  mock.caFile,
  '--tls-servername',
  mock.servername,
  '--user',
  'Administrator@corp.example.com',
  ...process.argv.slice(inventory ? 3 : 2),
];
// The lab's fixture password, handed over the way delegaudit expects secrets: in the environment.
const env = { ...process.env, DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' };
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, args, { stdio: 'inherit', env });
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
});
await mock.close();
process.exitCode = code === 1 ? 0 : code;
