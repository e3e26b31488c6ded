import { spawn } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, realpath, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { expect } from 'chai';
import { Client } from 'ldapts';

import { signServerCertificate } from '../../mock-ldap/certs.js';
import { type CertificatePaths, ensureCertificates } from '../../mock-ldap/index.js';
import { projectRoot } from '../../mock-ldap/project-root.js';
import { DOMAIN } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

async function assertConsistent(paths: CertificatePaths): Promise<X509Certificate> {
  const ca = new X509Certificate(await readFile(paths.caFile));
  const server = new X509Certificate(await readFile(paths.certFile));
  expect(server.verify(ca.publicKey), 'server certificate signed by the CA').to.equal(true);
  expect(server.checkPrivateKey(createPrivateKey(await readFile(paths.keyFile)))).to.equal(true);
  expect(server.subjectAltName).to.include('DNS:localhost').and.include('IP Address:127.0.0.1').and.include('DNS:dc01.corp.example.com');
  return server;
}

describe('mock-ldap certificates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('mock-ldap-certs-');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates consistent CA/server pairs under concurrent first use, then reuses the published one', async () => {
    const results = await Promise.all([ensureCertificates(dir), ensureCertificates(dir), ensureCertificates(dir)]);
    for (const paths of results) await assertConsistent(paths);
    const again = await ensureCertificates(dir);
    expect(again.caFile).to.equal(join(await realpath(join(dir, 'current')), 'ca.pem'));
    expect((await ensureCertificates(dir)).certFile).to.equal(again.certFile);
  });

  it('regenerates when files are missing or the server certificate expires within a week', async () => {
    const first = await ensureCertificates(dir);
    await rm(first.keyFile);
    const second = await ensureCertificates(dir);
    expect(second.certFile).not.to.equal(first.certFile);
    await assertConsistent(second);

    // Replace the server certificate by one, signed by the same CA, that expires in 3 days.
    await signServerCertificate(join(second.caFile, '..'), 3);
    expect(Date.parse(new X509Certificate(await readFile(second.certFile)).validTo) - Date.now()).to.be.lessThan(4 * 24 * 3600 * 1000);
    const third = await ensureCertificates(dir);
    expect(third.certFile).not.to.equal(second.certFile);
    const renewed = await assertConsistent(third);
    expect(Date.parse(renewed.validTo) - Date.now()).to.be.greaterThan(300 * 24 * 3600 * 1000);
  });
});

describe('mock-ldap CLI', () => {
  it('prints the connection details and bind users, serves, and stops cleanly on SIGTERM', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const cli = join(projectRoot(), 'mock-ldap', 'cli.ts');
    // Run from another directory: the default fixture is found from the project root, not the cwd.
    const child = spawn(process.execPath, ['--import', tsx, cli, '--port', '0', '--tls-port', '0'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let waited = 0; !stdout.includes('Audit it from another terminal'); waited += 50) {
        if (waited > 20000 || child.exitCode !== null) throw new Error(`CLI did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(stdout).to.match(/ldaps:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).to.include('servername: localhost');
      expect(stdout).to.include(`base DN:    ${DOMAIN}`);
      expect(stdout).to.match(/CA file: +\/.*ca\.pem/);
      expect(stdout).to.include(`CN=Administrator,CN=Users,${DOMAIN}`);
      expect(stdout).to.include('Administrator@corp.example.com   CORP\\Administrator   password Lab-Admin-Passw0rd');
      expect(stdout).not.to.include('CN=Guest');

      const url = /ldap:\/\/127\.0\.0\.1:\d+/.exec(stdout)?.[0] ?? '';
      const client = new Client({ url });
      const [rootDse] = (await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] })).searchEntries;
      expect(rootDse?.defaultNamingContext).to.equal(DOMAIN);
      await client.unbind();

      // The command it prints runs as pasted (the shell does the quoting).
      const command = /^ {2}node .* audit .*$/m.exec(stdout)?.[0] ?? '';
      expect(command).to.contain('--user auditor@corp.example.com');
      const pasted = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const shell = spawn('sh', ['-c', `${command} --format json --fail-on never`], { env: { ...process.env, DELEGAUDIT_PASSWORD: 'Lab-Auditor-Passw0rd' } });
        let out = '';
        shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        shell.on('close', (code) => resolve({ code, out }));
      });
      expect(pasted.code).to.equal(0);
      expect(JSON.parse(pasted.out)).to.have.property('findings');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
  });
});
