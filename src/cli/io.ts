import { once } from 'node:events';

/** The terminal, as the commands see it: the only place that touches process streams. */
export interface Io {
  out(text: string): void;
  /** Writes pieces to stdout one after the other, each once the last has drained (a large report never sits whole in memory). */
  outPieces(pieces: Iterable<string>): Promise<void>;
  /** Progress lines on stderr, prefixed. */
  progress(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  setExitCode(code: number): void;
  colorStdout: boolean;
  /** The width to lay text out for: the terminal's, else COLUMNS; undefined when neither says. */
  columns: number | undefined;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

function colorAllowed(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** The terminal's width, or COLUMNS (as `COLUMNS=80 delegaudit … | less` sets it) when stdout is not a terminal. */
function columnsOf(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): number | undefined {
  if (stream.isTTY === true && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    outPieces: async (pieces) => {
      for (const piece of pieces) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
    },
    progress: (line) => process.stderr.write(`delegaudit: ${line}\n`),
    warn: (line) => process.stderr.write(`delegaudit: warning: ${line}\n`),
    error: (line) => process.stderr.write(`delegaudit: error: ${line}\n`),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    colorStdout: colorAllowed(process.stdout, process.env),
    columns: columnsOf(process.stdout, process.env),
    env: process.env,
    stdin: process.stdin,
    stderr: process.stderr,
  };
}
