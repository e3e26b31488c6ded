/**
 * The last gate before a write: a y/N question on a terminal, `--yes` elsewhere.
 */
import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../errors.js';
import type { Io } from './io.js';

export async function confirmWrite(question: string, yes: boolean | undefined, io: Io): Promise<boolean> {
  if (yes === true) return true;
  if (!io.stdin.isTTY) {
    throw new ConfigError('refusing to write without confirmation: not a terminal, so pass --yes to apply the plan shown above');
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Runs `work` with SIGINT/SIGTERM turned into a stop request: the modify in flight finishes and is journaled. */
export async function withStopSignals<T>(io: Io, work: (shouldStop: () => boolean) => Promise<T>): Promise<T> {
  let stop = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop) io.warn(`${signal}: stopping after the modify in flight; the journal records what was applied`);
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(() => stop);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
