/**
 * Temporary directories for tests. Each one is registered for removal by the root hooks in
 * test/root-hooks.ts, so a test never has to clean up after itself:
 * - made while a test runs (in the test itself or in a beforeEach hook): removed after that test;
 * - made outside a test (in a before hook, or when a file loads): removed when the run ends.
 * Always use this rather than mkdtemp in tests; the root hooks fail the run on any leftover.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const forTest = new Set<string>();
const forRun = new Set<string>();
let inTest = false;

/** A fresh directory `os.tmpdir()/PREFIXxxxxxx`, removed with all it holds after the test or the run. */
export async function tempDir(prefix: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  (inTest ? forTest : forRun).add(directory);
  return directory;
}

async function removeAll(directories: Set<string>): Promise<void> {
  const removing = [...directories];
  directories.clear();
  await Promise.all(removing.map((directory) => rm(directory, { recursive: true, force: true, maxRetries: 3 })));
}

/** Root beforeEach: directories made from now on belong to the test about to run. */
export function startTest(): void {
  inTest = true;
}

/** Root afterEach: removes the directories the test (and its beforeEach hooks) made. */
export async function endTest(): Promise<void> {
  inTest = false;
  await removeAll(forTest);
}

/** Root afterAll: removes every directory still registered. */
export async function endRun(): Promise<void> {
  inTest = false;
  await Promise.all([removeAll(forTest), removeAll(forRun)]);
}
