import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's name and version, read from the nearest package.json (works from src/ and dist/src/). */
function readPackage(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'delegaudit') return { name: pkg.name, version: pkg.version ?? '0.0.0' };
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return { name: 'delegaudit', version: '0.0.0' };
}

export const TOOL = readPackage();
