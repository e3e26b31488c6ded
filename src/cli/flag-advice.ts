/**
 * The core names settings by their option names (errors.ts); on the command line they are flags.
 */
import { DelegauditError, type SettingKey, spell, type Wording } from '../errors.js';

const FLAGS: Readonly<Record<SettingKey, string>> = {
  url: '--url',
  startTls: '--starttls',
  baseDn: '--base-dn',
  caFile: '--ca-file',
  tlsServername: '--tls-servername',
  timeoutMs: '--timeout',
  connectTimeoutMs: '--connect-timeout',
  rules: '--rules',
  keytab: '--keytab',
  seal: '--seal',
  auth: '--auth',
};

/** A wording with its settings spelt as flags. */
export function withFlags(wording: Wording): string {
  return spell(wording, (key) => FLAGS[key]);
}

/** An error's message as the command line says it. */
export function errorText(error: unknown): string {
  if (error instanceof DelegauditError && error.wording !== undefined) return withFlags(error.wording);
  return error instanceof Error ? error.message : String(error);
}
