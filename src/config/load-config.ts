import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { nearest } from '../text/nearest.js';
import { type Config, configSchema } from './schema.js';

/** `groups[0].hosts[2]` from a zod issue path. */
function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = keyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = at === '' ? Object.keys(configSchema.shape) : /^groups\[\d+\]$/.test(at) ? ['name', 'hosts'] : [];
    const keys = issue.keys.map((k) => {
      const suggestion = k === 'password' ? undefined : nearest(k, known);
      return `${at === '' ? k : `${at}.${k}`}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`;
    });
    const hint = issue.keys.includes('password') ? ' (passwords come from DELEGAUDIT_PASSWORD, passwordFile or the prompt, never from the config file)' : '';
    return `unknown key${keys.length === 1 ? '' : 's'} ${keys.join(', ')}${hint}`;
  }
  return `${at === '' ? '(top level)' : at}: ${issue.message}`;
}

/** Reads and validates a JSON config file; errors name the file and the path of the bad key. */
export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(`config file ${path}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  return parsed.data;
}
