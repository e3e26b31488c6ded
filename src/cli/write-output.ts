import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Writes a report file readable by its owner only (0600), atomically: the text goes to a temporary
 * file beside it that is renamed into place, so a failure never leaves a partial report behind.
 */
export async function writeOutputFile(path: string, text: string | Iterable<string>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      if (typeof text === 'string') await handle.writeFile(text, 'utf8');
      else for (const piece of text) await handle.write(piece, null, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ConfigError(`--output ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
}
