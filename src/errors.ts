/**
 * Marker errors. Each carries a message a domain admin can act on; the CLI maps each class to an exit
 * code and prints one line (the stack only with --debug). Anything else is a bug and is re-thrown.
 */

/** Bad configuration or command-line input. Exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The directory could not be reached, or TLS failed. Exit code 3. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** The bind was refused. Exit code 3. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** A directory read failed or came back incomplete: never report from it. Exit code 3. */
export class DirectoryReadError extends Error {
  override readonly name = 'DirectoryReadError';
}

/**
 * A modify the server refused for a reason about the data, not the connection: a value that already
 * exists (20), a value or old userAccountControl that is no longer there (16, a concurrent change),
 * or anything else the server answered with an LDAP result code.
 */
export class WriteConflictError extends Error {
  override readonly name = 'WriteConflictError';
  /** The LDAP result code. */
  readonly code: number;

  constructor(message: string, code: number, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
