/**
 * Temporary folders for tests: every one made here is removed when the run ends (test/root-hooks.ts),
 * whatever the test did with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What tests create in the system temp folder starts with one of these. */
export const TEMP_PREFIXES = ['delegaudit-', 'mock-ldap-'] as const;

const made = new Set<string>();

/** A new folder under the system temp folder, named `prefix` + random characters; `prefix` must start with one of TEMP_PREFIXES. */
export async function tempDir(prefix: string): Promise<string> {
  if (!TEMP_PREFIXES.some((p) => prefix.startsWith(p))) throw new Error(`tempDir: ${prefix} does not start with ${TEMP_PREFIXES.join(' or ')}`);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made. */
export async function removeTempDirs(): Promise<void> {
  const dirs = [...made];
  made.clear();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
