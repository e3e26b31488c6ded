/**
 * Tests that need a system tool skip, with the tool named, where it is missing; the one variable CI
 * sets (DELEGAUDIT_AD_LAB=required, which also requires the Samba lab) turns each such skip into a
 * failure.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LAB_REQUIRED } from './targets.js';

/** Where `command` is on PATH, or undefined. */
function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, command))
    .find((file) => existsSync(file));
}

/**
 * The path of `command`; where it is missing, skips the test or suite (`context`) saying why, or fails
 * when CI requires everything.
 */
export function requireTool(context: Mocha.Context, command: string, install: string): string {
  const found = onPath(command);
  if (found !== undefined) return found;
  return skipBecause(context, `${command} is missing (${install})`);
}

/** Skips the test or suite (`context`), printing why; fails instead when CI requires everything. */
export function skipBecause(context: Mocha.Context, reason: string): never {
  if (LAB_REQUIRED) throw new Error(`${reason}, and DELEGAUDIT_AD_LAB=required makes it a failure`);
  // In a hook `currentTest` is set (the test about to run); in a test it is not.
  const where = context.currentTest === undefined ? context.test?.fullTitle() : context.test?.parent?.fullTitle();
  // Mocha's skip() takes no reason: it is printed here, next to the test's title.
  process.stderr.write(`      skipped: ${where ?? ''}: ${reason}\n`);
  return context.skip();
}
