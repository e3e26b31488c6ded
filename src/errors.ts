/**
 * Marker errors. Each carries a message a domain admin can act on; the CLI maps each class to an exit
 * code and prints one line (the stack only with --debug). Anything else is a bug and is re-thrown.
 *
 * The core never names a command-line flag: where a message must point at a setting (the URL, the CA
 * file), it is written with `wording` and the setting is a `Setting`. `message` spells settings by
 * their option names (`caFile`), for library callers; the CLI spells them as flags (`--ca-file`).
 */

/** The settings an error may point at, by their option names in the library's options objects. */
export type SettingKey = 'url' | 'startTls' | 'baseDn' | 'caFile' | 'tlsServername' | 'timeoutMs' | 'connectTimeoutMs' | 'rules' | 'keytab' | 'seal' | 'auth';

/** A setting named in a message. */
export class Setting {
  constructor(readonly key: SettingKey) {}
}

/** A message whose settings are spelt by whoever shows it. */
export type Wording = ReadonlyArray<string | Setting>;

/** `setting('caFile')`, for use inside `wording`. */
export const setting = (key: SettingKey): Setting => new Setting(key);

/**
 * A tagged template: settings stay `Setting`s, another error is spliced in by its wording (or its
 * message), anything else becomes text.
 */
export function wording(strings: TemplateStringsArray, ...values: unknown[]): Wording {
  const parts: Array<string | Setting> = [];
  strings.forEach((text, index) => {
    parts.push(text);
    if (index >= values.length) return;
    const value = values[index];
    if (value instanceof Setting) parts.push(value);
    else if (value instanceof DelegauditError && value.wording !== undefined) parts.push(...value.wording);
    else if (value instanceof Error) parts.push(value.message);
    else parts.push(String(value));
  });
  return parts;
}

/** Spells a wording, each setting by `name`. */
export function spell(parts: Wording, name: (key: SettingKey) => string): string {
  return parts.map((part) => (typeof part === 'string' ? part : name(part.key))).join('');
}

/** The errors that carry an actionable message, optionally as a wording. */
export class DelegauditError extends Error {
  /** The message with its settings marked; undefined when the message names none. */
  readonly wording: Wording | undefined;

  constructor(message: string | Wording, options?: ErrorOptions) {
    super(typeof message === 'string' ? message : spell(message, (key) => key), options);
    this.wording = typeof message === 'string' ? undefined : message;
  }
}

/** Bad configuration or command-line input. Exit code 2. */
export class ConfigError extends DelegauditError {
  override readonly name = 'ConfigError';
}

/** The directory could not be reached, or TLS failed. Exit code 3. */
export class ConnectionError extends DelegauditError {
  override readonly name = 'ConnectionError';
}

/** The bind was refused. Exit code 3. */
export class AuthError extends DelegauditError {
  override readonly name = 'AuthError';
}

/** A directory read failed or came back incomplete: never report from it. Exit code 3. */
export class DirectoryReadError extends DelegauditError {
  override readonly name = 'DirectoryReadError';
}

/**
 * A modify the server refused for a reason about the data, not the connection: anything the server
 * answered with an LDAP result code. The two subclasses mean someone changed the account since it was
 * read; a plain WriteConflictError is a refusal for another reason.
 */
export class WriteConflictError extends DelegauditError {
  override readonly name: string = 'WriteConflictError';
  /** The LDAP result code, kept for the journal. */
  readonly code: number;

  constructor(message: string, code: number, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A value the modify adds is already there (LDAP result 20, attributeOrValueExists). */
export class ValueExistsError extends WriteConflictError {
  override readonly name = 'ValueExistsError';
}

/** A value the modify deletes, or the old userAccountControl it replaces, is gone (LDAP result 16, noSuchAttribute). */
export class NoSuchValueError extends WriteConflictError {
  override readonly name = 'NoSuchValueError';
}
