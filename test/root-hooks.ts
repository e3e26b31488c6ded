/**
 * Mocha root hooks (.mocharc.json `require`): the temp folders tests made are removed at the end of
 * the run, and the run fails if anything a test created is still in the system temp folder.
 *
 * Only names that start with our prefixes (test/helpers/temp.ts) are compared: the temp folder is
 * shared with every other process on the machine, and an unrelated file appearing during a run must
 * not fail it. A test that makes a temp folder by another name is caught by review, not by this hook.
 */
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { removeTempDirs, TEMP_PREFIXES } from './helpers/temp.js';

async function ours(): Promise<Set<string>> {
  const names = await readdir(tmpdir());
  return new Set(names.filter((name) => TEMP_PREFIXES.some((prefix) => name.startsWith(prefix))));
}

let before = new Set<string>();

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    before = await ours();
  },
  async afterAll(): Promise<void> {
    await removeTempDirs();
    const left = [...(await ours())].filter((name) => !before.has(name)).sort();
    if (left.length > 0)
      throw new Error(
        `the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in ${tmpdir()}: ${left.join(', ')} (make them with tempDir() from test/helpers/temp.ts)`,
      );
  },
};
