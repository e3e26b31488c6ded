#!/usr/bin/env node
// Usage: node dist/mock-ldap/cli.js [file.ldif] [--port N] [--tls-port N]
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { shellWord } from '../src/text/quote.js';
import { LdifError, loadLdifFile } from './ldif.js';
import { projectRoot } from './project-root.js';
import { startMockLdap } from './server.js';

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0-65535), got "${value}"`);
  return port;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string' }, 'tls-port': { type: 'string' } },
  });
  const ldif = positionals[0] ?? join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');
  const entries = await loadLdifFile(ldif);
  const mock = await startMockLdap({ ldif, entries, port: portOption(values.port, '--port'), tlsPort: portOption(values['tls-port'], '--tls-port') });

  const lines = [
    `mock-ldap serving ${ldif}`,
    `  ldap:       ${mock.url}  (simple binds need StartTLS)`,
    `  ldaps:      ${mock.ldapsUrl ?? '(disabled)'}`,
    `  CA file:    ${mock.caFile}`,
    `  servername: ${mock.servername}`,
    `  base DN:    ${mock.domainDn}`,
    '  bind users (fixture passwords):',
  ];
  let reader: { upn: string; password: string } | undefined;
  for (const entry of entries) {
    const attribute = (name: string): string | undefined => entry.attributes.find((candidate) => candidate.name.toLowerCase() === name)?.values[0];
    const password = attribute('userpassword');
    if (password === undefined) continue;
    const sam = attribute('samaccountname');
    const upn = attribute('userprincipalname') ?? `${sam ?? '?'}@${mock.dnsDomain}`;
    if (reader === undefined || sam === 'auditor') reader = { upn, password };
    lines.push(`    ${entry.dn}`, `      UPN ${upn}   ${mock.netbiosName}\\${sam ?? '?'}   password ${password}`);
  }
  if (reader !== undefined && mock.ldapsUrl !== undefined) {
    const flags = ['--url', mock.ldapsUrl, '--ca-file', mock.caFile, '--tls-servername', mock.servername, '--user', reader.upn].map(shellWord).join(' ');
    lines.push(
      '',
      `Audit it from another terminal (password ${reader.password} at the prompt, or in DELEGAUDIT_PASSWORD):`,
      `  node ${shellWord(join(projectRoot(), 'dist', 'src', 'cli', 'main.js'))} audit ${flags}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (): void => {
    void mock.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock-ldap: ${error instanceof Error ? error.message : String(error)}\n`);
  // A bad fixture is bad input (2), like delegaudit's own; anything else is 1.
  process.exit(error instanceof LdifError ? 2 : 1);
});
