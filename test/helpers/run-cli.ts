import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../mock-ldap/project-root.js';

export const CLI = join(projectRoot(), 'dist', 'delegaudit.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run inside this network namespace (`ip netns exec`), where /etc/netns/NAME/hosts is /etc/hosts. */
  netns?: string;
}

/** Spawns the built CLI (npm test builds first) with NO_COLOR and no inherited password. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string, options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete base.DELEGAUDIT_PASSWORD;
    const [command, ...prefix] = options.netns === undefined ? [process.execPath] : ['ip', 'netns', 'exec', options.netns, process.execPath];
    const child = spawn(command, [...prefix, CLI, ...args], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** The connection flags for a mock-ldap server: its LDAPS URL, CA, certificate name, and the user to bind as. */
export function mockFlags(mock: { ldapsUrl?: string | undefined; caFile: string; servername: string }, user: string): string[] {
  return ['--url', mock.ldapsUrl!, '--ca-file', mock.caFile, '--tls-servername', mock.servername, '--user', user];
}
