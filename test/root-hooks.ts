/**
 * Mocha root hook plugin (.mocharc.json "require"): removes the tests' temporary directories
 * (test/helpers/temp.ts) and fails the run when anything the run made in its temp folder is
 * still there at the end.
 *
 * Why a temp folder of the run's own: /tmp is shared with unrelated processes, other engineers'
 * work and other checkouts of this project running their tests at the same time, so a before/after
 * listing of /tmp cannot tell our leftovers from theirs, even restricted to our own name prefixes:
 * another run's directories, live until its tests end, look exactly like ours (seen here: a run in
 * another checkout showed up as 11 "new" delegaudit-* entries). So when this file loads, before any
 * test file, it makes `os.tmpdir()/delegaudit-test-run-XXXXXX` and points TMPDIR (TMP, TEMP) at
 * it: os.tmpdir() in this process and in every child it spawns (the CLI, mock-ldap, scripts,
 * openssl, Chromium) lands there. Then:
 * 1. The run's folder is listed before (empty) and after the run: ANY entry left there fails the
 *    run, whatever its name, since nothing outside this process tree writes there. The one
 *    exception is tsx's compile cache (`tsx-<uid>`, made by children started with `--import tsx`),
 *    a cache kept on purpose, not a leftover.
 * 2. The real temp folder is listed before and after: an entry that appeared and is still there is
 *    reported, as a warning only, if its name starts with one of OUR_PREFIXES, the prefixes our
 *    code and tests use (grep mkdtemp/tmpdir in src/ test/ mock-ldap/ scripts/: delegaudit-probe-,
 *    delegaudit-fix-, delegaudit-bench-, delegaudit-ad-lab-, mock-ldap-certs-, …). Such an entry
 *    is ours only if something bypassed TMPDIR (a hard-coded /tmp, a child spawned with an
 *    environment of its own), but it may as well be a concurrent run's, so it cannot fail the run.
 *    Other names are not even reported; nor are run folders (delegaudit-test-run-, each removed by
 *    its own run) and Samba labs (delegaudit-ad-lab-: started by hand with npm run lab:start and
 *    kept until lab:stop; tests never start one, and one started inside the run falls under 1).
 * The run's folder is removed at the end either way, so a failing run leaves nothing behind; a
 * killed run leaves that one folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endRun, endTest, startTest } from './helpers/temp.js';

const OUR_PREFIXES = ['delegaudit-', 'mock-ldap-'];
const RUN_PREFIX = 'delegaudit-test-run-';
const NOT_LEFTOVERS = [/^delegaudit-test-run-/, /^delegaudit-ad-lab-/];
const KEPT_IN_RUN_DIR = [/^tsx-\d+$/];

const systemTemp = tmpdir();
const systemBefore = new Set(readdirSync(systemTemp));
const runTemp = mkdtempSync(join(systemTemp, RUN_PREFIX));
for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = runTemp;

/** What the run made in its own temp folder and left behind (check 1), as paths. */
function leftovers(): string[] {
  return readdirSync(runTemp)
    .filter((name) => !KEPT_IN_RUN_DIR.some((kept) => kept.test(name)))
    .map((name) => join(runTemp, name))
    .sort();
}

/** Entries with our prefixes that appeared in the real temp folder during the run (check 2), as paths. */
function suspects(): string[] {
  return readdirSync(systemTemp)
    .filter((name) => !systemBefore.has(name) && OUR_PREFIXES.some((prefix) => name.startsWith(prefix)) && !NOT_LEFTOVERS.some((re) => re.test(name)))
    .map((name) => join(systemTemp, name))
    .sort();
}

const list = (paths: string[]): string => paths.map((path) => `  ${path}`).join('\n');

export const mochaHooks = {
  beforeEach(): void {
    startTest();
  },
  async afterEach(): Promise<void> {
    await endTest();
  },
  async afterAll(): Promise<void> {
    await endRun();
    const left = leftovers();
    const outside = suspects();
    rmSync(runTemp, { recursive: true, force: true, maxRetries: 3 });
    if (outside.length > 0) {
      process.stderr.write(
        `warning: ${outside.length} entries named like ours appeared in ${systemTemp} during the run; ours only if something bypassed TMPDIR, else another process's:\n${list(outside)}\n`,
      );
    }
    if (left.length > 0) {
      throw new Error(
        `the run left ${left.length} temporary ${left.length === 1 ? 'entry' : 'entries'} behind (make them with tempDir() from test/helpers/temp.ts, or remove them in an after/afterEach hook):\n${list(left)}`,
      );
    }
  },
};
