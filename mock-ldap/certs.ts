import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
// @peculiar/x509 resolves its crypto provider through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

import { projectRoot } from './project-root.js';

/** PEM files of the mock's test PKI. */
export interface CertificatePaths {
  /** The CA certificate clients must trust. */
  caFile: string;
  /** The server certificate (SAN: DNS:localhost, IP:127.0.0.1, DNS:dc01.corp.example.com, DNS:dc02.corp.example.com). */
  certFile: string;
  /** The server's private key. */
  keyFile: string;
}

const SUBJECT_ALT_NAMES = ['DNS:localhost', 'IP:127.0.0.1', 'DNS:dc01.corp.example.com', 'DNS:dc02.corp.example.com'];
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/**
 * Returns a CA and a server certificate made in-process (@peculiar/x509), cached under
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

/** P-256 ECDSA keys, as openssl's prime256v1 made them before. */
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** @peculiar/x509 signs with Node's Web Crypto. */
const useNodeCrypto = (): void => {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
};

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`.replace(/\n\n/g, '\n');
}

/** A CA and a server certificate it signs, made in-process (no openssl command needed). */
async function generate(directory: string): Promise<void> {
  useNodeCrypto();
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=delegaudit mock-ldap test CA',
    keys: caKeys,
    serialNumber: `01${now.toString(16)}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  await writeFile(join(directory, 'ca.pem'), `${ca.toString('pem')}\n`);
  await writeFile(join(directory, 'ca-key.pem'), await pkcs8Pem(caKeys.privateKey), { mode: 0o600 });
  await writeFile(join(directory, 'server-key.pem'), await pkcs8Pem(serverKeys.privateKey), { mode: 0o600 });
  // 397 days: the longest validity current TLS clients accept for a server certificate.
  await signServerCertificate(directory, 397);
}

const importEcKey = (pem: string, usage: 'sign' | 'verify'): Promise<webcrypto.CryptoKey> =>
  webcrypto.subtle.importKey('pkcs8', Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), EC, true, [usage]);

/**
 * (Re)issues `server.pem` in `directory` for its `server-key.pem`, signed with `ca-key.pem`, valid for
 * `days` from now. Tests use it to make a certificate that is about to expire.
 */
export async function signServerCertificate(directory: string, days: number): Promise<void> {
  useNodeCrypto();
  const now = Date.now();
  const ca = new x509.X509Certificate(await readFile(join(directory, 'ca.pem'), 'utf8'));
  const caKey = await importEcKey(await readFile(join(directory, 'ca-key.pem'), 'utf8'), 'sign');
  const serverPrivate = await importEcKey(await readFile(join(directory, 'server-key.pem'), 'utf8'), 'sign');
  // The public half, from the private key's JWK (x and y), as Web Crypto has no direct way.
  const { d: _d, key_ops: _ops, ...publicJwk } = await webcrypto.subtle.exportKey('jwk', serverPrivate);
  const serverPublic = await webcrypto.subtle.importKey('jwk', publicJwk, EC, true, ['verify']);
  const names = SUBJECT_ALT_NAMES.map((name) => {
    const [type, value] = name.split(':') as [string, string];
    return { type: type === 'IP' ? ('ip' as const) : ('dns' as const), value };
  });
  const server = await x509.X509CertificateGenerator.create({
    subject: 'CN=dc01.corp.example.com',
    issuer: ca.subject,
    publicKey: serverPublic,
    signingKey: caKey,
    serialNumber: `02${now.toString(16)}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + days * DAY_MS),
    signingAlgorithm: EC,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  await writeFile(join(directory, 'server.pem'), `${server.toString('pem')}\n`);
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
