import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { projectRoot } from './project-root.js';

const run = promisify(execFile);

/** PEM files of the mock's test PKI. */
export interface CertificatePaths {
  /** The CA certificate clients must trust. */
  caFile: string;
  /** The server certificate (SAN: DNS:localhost, IP:127.0.0.1, DNS:dc01.corp.example.com). */
  certFile: string;
  /** The server's private key. */
  keyFile: string;
}

const SUBJECT_ALT_NAMES = ['DNS:localhost', 'IP:127.0.0.1', 'DNS:dc01.corp.example.com'];
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/**
 * Returns a CA and a server certificate made with the openssl CLI, cached under
 * `mock-ldap/.certs/` and regenerated when missing, invalid or expiring within a week.
 * Concurrent callers are safe: each generation happens in its own directory, published by
 * atomically renaming a `current` symlink; callers use the resolved directory, so a CA and
 * server certificate always come from the same generation.
 * @param cacheDir cache directory (default `<project>/mock-ldap/.certs`)
 */
export async function ensureCertificates(cacheDir = join(projectRoot(), 'mock-ldap', '.certs')): Promise<CertificatePaths> {
  const certsDir = resolve(cacheDir);
  await mkdir(certsDir, { recursive: true });
  const current = join(certsDir, 'current');
  const existing = await realpath(current).catch(() => undefined);
  if (existing && (await isUsable(existing))) return pathsIn(existing);

  const generation = await mkdtemp(join(certsDir, 'gen-'));
  await generate(generation);
  // Unique per call: concurrent callers in one process can share a pid and a millisecond.
  const link = join(certsDir, `.link-${process.pid}-${randomBytes(6).toString('hex')}`);
  await symlink(generation, link, 'junction');
  await rename(link, current);
  await removeExpired(certsDir, generation);
  return pathsIn(generation);
}

function pathsIn(directory: string): CertificatePaths {
  return { caFile: join(directory, 'ca.pem'), certFile: join(directory, 'server.pem'), keyFile: join(directory, 'server-key.pem') };
}

async function isUsable(directory: string): Promise<boolean> {
  try {
    const paths = pathsIn(directory);
    const [ca, server] = await Promise.all([readFile(paths.caFile), readFile(paths.certFile), readFile(paths.keyFile)]);
    const caCert = new X509Certificate(ca);
    const serverCert = new X509Certificate(server);
    const names = serverCert.subjectAltName ?? '';
    return (
      serverCert.verify(caCert.publicKey) &&
      Date.parse(serverCert.validTo) - Date.now() > RENEW_BEFORE_MS &&
      Date.parse(caCert.validTo) - Date.now() > RENEW_BEFORE_MS &&
      SUBJECT_ALT_NAMES.every((name) => names.includes(name.replace(/^IP:/, 'IP Address:')))
    );
  } catch {
    return false;
  }
}

async function generate(directory: string): Promise<void> {
  const file = (name: string): string => join(directory, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  await run('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file('ca-key.pem'),
    '-out',
    file('ca.pem'),
    '-days',
    '3650',
    '-subj',
    '/CN=delegaudit mock-ldap test CA',
    ...caExtensions,
  ]);
  await run('openssl', ['req', ...ecKey, '-keyout', file('server-key.pem'), '-out', file('server.csr'), '-subj', '/CN=dc01.corp.example.com']);
  const serverExtensions = [
    `subjectAltName=${SUBJECT_ALT_NAMES.join(',')}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
  ];
  await writeFile(file('server.ext'), `${serverExtensions.join('\n')}\n`);
  const signing = ['-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-set_serial', `0x${Date.now().toString(16)}`, '-extfile', file('server.ext')];
  // 397 days: the longest validity current TLS clients accept for a server certificate.
  await run('openssl', ['x509', '-req', '-in', file('server.csr'), ...signing, '-days', '397', '-out', file('server.pem')]);
}

/** Removes expired generations and abandoned half-made ones; a live generation may be in use by another process. */
async function removeExpired(certsDir: string, keep: string): Promise<void> {
  for (const name of await readdir(certsDir)) {
    const directory = join(certsDir, name);
    if (!name.startsWith('gen-') || directory === keep) continue;
    const validTo = await readFile(join(directory, 'server.pem'))
      .then((pem) => Date.parse(new X509Certificate(pem).validTo))
      .catch(() => undefined);
    // No readable certificate: another process may be writing it right now, so only a day-old leftover goes.
    const stale = validTo === undefined ? Date.now() - (await stat(directory)).mtimeMs > 24 * 3600 * 1000 : validTo < Date.now();
    if (stale) await rm(directory, { recursive: true, force: true });
  }
}
