/**
 * The directory read every read command starts with, retried on a new connection when the DC was
 * busy or the connection dropped.
 */
import { readDirectory, type ReadDirectoryOptions } from '../directory/read-directory.js';
import type { Directory } from '../directory/model.js';
import { ConnectionError, DirectoryReadError, wording } from '../errors.js';
import { isRetryableRead } from '../ldap/errors.js';
import type { SessionStats } from '../ldap/search.js';
import { type BindCredentials, type LdapConnectOptions, dcNameOf, LdapSession, nextDcFirst } from '../ldap/session.js';

export interface ReadOptions extends LdapConnectOptions, ReadDirectoryOptions {
  /** The user and password of a simple bind; none with Kerberos. */
  credentials: BindCredentials | undefined;
  /** How often to read again, on a new connection, after busy (51), unavailable (52) or a dropped connection. Default 2. */
  retries?: number;
  /** Milliseconds before the first retry; doubles each time. Default 1000. */
  retryDelayMs?: number;
}

/**
 * Reads the whole directory on one connection. A read that fails because the DC is busy (51),
 * unavailable (52) or dropped the connection is started again on a new connection, up to `retries`
 * times with doubling delays; anything else, or the last failure, is a DirectoryReadError that says
 * what was not read. There is never a partial result.
 */
export async function readWithRetries(options: ReadOptions, progress: (line: string) => void): Promise<{ directory: Directory; stats: SessionStats }> {
  const retries = options.retries ?? 2;
  let delay = options.retryDelayMs ?? 1000;
  let connect: ReadOptions = options;
  for (let attempt = 1; ; attempt += 1) {
    const how = options.auth === 'kerberos' ? ` with Kerberos${options.seal === true ? ', sealed' : ''}` : '';
    const dc = dcNameOf(connect.url, connect.tlsServername);
    progress(
      `connecting to ${connect.url}${connect.url.includes(`//${dc}`) ? '' : ` (${dc})`}${connect.startTls ? ' (StartTLS)' : ''}${how}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
    );
    const session = await LdapSession.open({ ...connect, onFailover: connect.onFailover ?? progress }, options.credentials);
    // A second connection to the same DC, opened when the read asks for it (once its first search is
    // out): Samba answers one connection's searches one after the other, so the groups and the halves
    // of the accounts scan are read side by side. Should it fail to open, the read goes on the first
    // alone, and says so (a slower read, not a partial one).
    let side: Promise<LdapSession | undefined> | undefined;
    const openSide = (): Promise<LdapSession | undefined> =>
      (side ??= session.sibling(options.credentials).catch((error: unknown) => {
        progress(`a second connection to ${session.dcName || session.url} did not open (${(error as Error).message}); reading on one`);
        return undefined;
      }));
    try {
      const directory = await readDirectory(session, options, openSide);
      progress(`read ${session.stats.entries} entries in ${session.stats.searches} searches from ${directory.dc}`);
      return { directory, stats: { ...session.stats } };
    } catch (error) {
      if (isRetryableRead(error) && attempt <= retries) {
        // The whole read starts again, on the next DC when there is one: a report never mixes DCs.
        connect = { ...connect, ...nextDcFirst(connect, session.url) };
        progress(`${(error as Error).message}; reading again in ${delay} ms on a new connection${connect.url === session.url ? '' : ` to ${connect.url}`}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
        continue;
      }
      if (error instanceof DirectoryReadError || error instanceof ConnectionError) {
        const tries = attempt > 1 ? ` (gave up after ${attempt} attempts)` : '';
        throw new DirectoryReadError(wording`directory read incomplete: ${error}${tries}; no report was produced`, { cause: error });
      }
      throw error;
    } finally {
      await Promise.all([session.close(), side?.then((other) => other?.close())]);
    }
  }
}
