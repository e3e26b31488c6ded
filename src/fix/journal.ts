/**
 * The undo journal: one JSON object per line, appended and fsync'd before and after every modify, so
 * that an interrupted run leaves a record of exactly what was applied. Created 0600; never holds a
 * password.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { ACCOUNT_KINDS } from '../directory/model.js';
import { ConfigError } from '../errors.js';
import type { BindCredentials, LdapConnectOptions } from '../ldap/session.js';

const change = z.strictObject({
  add: z.array(z.string()),
  remove: z.array(z.string()),
  /** userAccountControl as read before the modify, and as written by it; null when unchanged. */
  userAccountControl: z.strictObject({ from: z.number().int(), to: z.number().int() }).nullable(),
});

/** The connection settings a rollback needs again, named as in the config file; never a password, never `insecure`. */
const connection = z.strictObject({
  starttls: z.boolean().optional(),
  caFile: z.string().optional(),
  tlsServername: z.string().optional(),
  auth: z.enum(['simple', 'kerberos']).optional(),
  seal: z.boolean().optional(),
  user: z.string().optional(),
  keytab: z.string().optional(),
});
export type JournalConnection = z.infer<typeof connection>;

/** What of `connect` the journal keeps: how to reach and sign in to the same DC again, without secrets. */
export function journalConnection(connect: LdapConnectOptions, credentials: BindCredentials | undefined): JournalConnection {
  const user = connect.auth === 'kerberos' ? connect.kerberos?.principal : credentials?.user;
  const entries: Partial<Record<keyof JournalConnection, string | boolean | undefined>> = {
    starttls: connect.startTls === true ? true : undefined,
    caFile: connect.caFile,
    tlsServername: connect.tlsServername,
    auth: connect.auth ?? 'simple',
    seal: connect.seal === true ? true : undefined,
    user,
    keytab: connect.kerberos?.keytab,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

export const journalLineSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('begin'),
    operation: z.enum(['fix', 'rollback']),
    tool: z.string(),
    version: z.string(),
    url: z.string(),
    baseDN: z.string(),
    /** How the writes signed in (`simple`, `kerberos (signed)`, …): never a password or a ticket. Absent in older journals. */
    auth: z.string().optional(),
    /** The settings to reach and sign in to the DC again (rollback uses them). Absent in older journals. */
    connection: connection.optional(),
    at: z.string(),
    /** For a rollback: the journal it undoes. */
    undoes: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('intent'),
    seq: z.number().int().nonnegative(),
    attempt: z.number().int().positive(),
    dn: z.string().min(1),
    sAMAccountName: z.string(),
    kind: z.enum(ACCOUNT_KINDS),
    at: z.string(),
    before: z.strictObject({ allowedToDelegateTo: z.array(z.string()), userAccountControl: z.number().int() }),
    change,
    resolves: z.array(z.string()),
  }),
  z.strictObject({
    type: z.enum(['done', 'failed', 'unknown']),
    seq: z.number().int().nonnegative(),
    attempt: z.number().int().positive(),
    dn: z.string().min(1),
    at: z.string(),
    /** The LDAP error for failed; what broke for unknown (the connection dropped with the modify in flight). */
    error: z.string().optional(),
    code: z.number().int().optional(),
  }),
  z.strictObject({ type: z.literal('end'), at: z.string(), applied: z.number().int(), failed: z.number().int(), interrupted: z.boolean() }),
]);

export type JournalLine = z.infer<typeof journalLineSchema>;
export type JournalIntent = Extract<JournalLine, { type: 'intent' }>;
export type JournalOutcome = Extract<JournalLine, { type: 'done' | 'failed' | 'unknown' }>;

/** Appends lines durably: each is written and fsync'd before `append` returns. */
export class JournalWriter {
  readonly path: string;
  private readonly fd: number;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
  }

  /** Creates the file (mode 0600); refuses to reuse an existing one, so a journal is never mixed with another run. */
  static create(path: string): JournalWriter {
    try {
      return new JournalWriter(path, openSync(path, 'wx', 0o600));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === 'EEXIST' ? `--journal ${path} already exists: give a new file name` : `--journal ${path}: cannot create it (${code ?? String(error)})`,
        { cause: error },
      );
    }
  }

  append(line: JournalLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads and validates a journal; a bad line is named with its number. A truncated last line (a crash mid-write) is an error too. */
export function readJournal(path: string): JournalLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`journal ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const parsed = lines.map((raw, i) => {
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      throw new ConfigError(`journal ${path} line ${i + 1}: not JSON${i === lines.length - 1 ? ' (truncated?)' : ''}: the journal was damaged or edited`);
    }
    const result = journalLineSchema.safeParse(data);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new ConfigError(`journal ${path} line ${i + 1}: ${issue.path.join('.') || 'line'}: ${issue.message}`);
    }
    return result.data;
  });
  if (parsed[0]?.type !== 'begin') throw new ConfigError(`journal ${path} line 1: expected the "begin" line of a delegaudit journal`);
  return parsed;
}
