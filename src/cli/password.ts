/**
 * Where the bind password comes from: --password-file, DELEGAUDIT_PASSWORD, or a no-echo prompt on
 * a terminal. Never from argv: command lines are visible to every user of the machine.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

const PASSWORD_ENV = 'DELEGAUDIT_PASSWORD';

export interface PasswordSources {
  passwordFile?: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

export async function readPassword(user: string, sources: PasswordSources): Promise<string> {
  if (sources.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(sources.passwordFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`--password-file ${sources.passwordFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
        cause: error,
      });
    }
    const password = text.replace(/\r?\n$/, '');
    if (password === '') throw new ConfigError(`--password-file ${sources.passwordFile} is empty`);
    return password;
  }
  const fromEnv = sources.env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (sources.stdin.isTTY) return promptHidden(`Password for ${user}: `, sources.stdin, sources.stderr);
  throw new ConfigError(`no password for ${user}: set ${PASSWORD_ENV}, pass --password-file FILE, or run in a terminal to be prompted`);
}

/** Reads a line from the terminal without echoing it. Ctrl-C aborts with exit code 130. */
function promptHidden(prompt: string, stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    // Raw mode first: a terminal echoes anything typed before it, and the password could be typed early.
    stdin.setRawMode(true);
    stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const finish = (): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          if (value === '') reject(new ConfigError('no password entered'));
          else resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
