/**
 * Kerberos against the Samba lab, for tests: a private krb5.conf and ticket cache per test run
 * (KRB5_CONFIG, KRB5CCNAME), kinit with the password on stdin (never argv), a keytab exported for a
 * lab account. The lab registers the DC's ldap/ SPN when it seeds (test/ad-lab/seed.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Target } from './targets.js';
import { tempDir } from './temp.js';

export const REALM = 'CORP.EXAMPLE.COM';
export const DC_NAME = 'DC01.corp.example.com';
/** A name the lab's namespace resolves to the DC that no SPN names (test/ad-lab/network.ts). */
export const UNKNOWN_ALIAS = 'ldap-alias.corp.example.com';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, input = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

/** Why Kerberos tests cannot run here, by name; undefined when they can. */
export function kerberosMissing(): string | undefined {
  if (!['/usr/bin/kinit', '/usr/local/bin/kinit'].some(existsSync)) return 'kinit is missing (apt-get install krb5-user)';
  const libraries = ['/usr/lib/x86_64-linux-gnu/libgssapi_krb5.so.2', '/usr/lib/aarch64-linux-gnu/libgssapi_krb5.so.2', '/usr/lib64/libgssapi_krb5.so.2'];
  if (!libraries.some(existsSync)) return 'libgssapi_krb5.so.2 is missing (apt-get install libgssapi-krb5-2)';
  return undefined;
}

export interface LabKerberos {
  /** KRB5_CONFIG for every process of the test. */
  config: string;
  dir: string;
  /** The environment of a process with `user`'s tickets (after kinit). */
  as(user: string): NodeJS.ProcessEnv;
  kinit(principal: string, password: string): Promise<void>;
  /** Exports the keytab of `principal` from the lab's database into the test's folder. */
  keytab(principal: string): Promise<string>;
}

/** Sets Kerberos up for the Samba target: krb5.conf, the ldap/ SPN of DC01. */
export async function labKerberos(target: Target): Promise<LabKerberos> {
  const dir = await tempDir('delegaudit-kerberos-');
  const kdc = new URL(target.url).hostname;
  const config = join(dir, 'krb5.conf');
  await writeFile(
    config,
    [
      '[libdefaults]',
      `  default_realm = ${REALM}`,
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      '  rdns = false',
      '  dns_canonicalize_hostname = false',
      '  udp_preference_limit = 0',
      '[realms]',
      `  ${REALM} = {`,
      `    kdc = ${kdc}`,
      '  }',
      '',
    ].join('\n'),
  );
  const cache = (user: string): string => `FILE:${join(dir, `${user.replace(/[^\w.-]/g, '_')}.ccache`)}`;
  const envOf = (user: string): NodeJS.ProcessEnv => ({ ...process.env, KRB5_CONFIG: config, KRB5CCNAME: cache(user) });
  return {
    config,
    dir,
    as: envOf,
    async kinit(principal, password) {
      const result = await run('kinit', [principal], envOf(principal), `${password}\n`);
      if (result.code !== 0) throw new Error(`kinit ${principal} failed: ${result.output.trim()}`);
    },
    async keytab(principal) {
      const file = join(dir, `${principal.split('@')[0]!}.keytab`);
      const result = await run('samba-tool', ['domain', 'exportkeytab', file, `--principal=${principal}`, '-s', join(target.labDir!, 'etc', 'smb.conf')]);
      if (result.code !== 0) throw new Error(`exportkeytab ${principal} failed: ${result.output.trim()}`);
      return file;
    },
  };
}
