/**
 * Reads a JSON report back (for `delegaudit diff`): the boundary where files from elsewhere are
 * parsed, so every way it can be wrong gets a message that says which file and what to do.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { type Report, reportSchema } from '../report/schema.js';
import { REPORT_SCHEMA_VERSION } from '../report/schema-version.js';

/** Validates an already parsed JSON value as a report; `source` names it in errors. */
function parseReport(value: unknown, source: string): Report {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('schemaVersion' in value)) {
    throw new ConfigError(`${source} is not a delegaudit JSON report (no schemaVersion): write one with \`delegaudit audit --format json --output FILE\``);
  }
  const version = value.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new ConfigError(
      `${source} is a schemaVersion ${JSON.stringify(version)} report; this delegaudit reads schemaVersion ${REPORT_SCHEMA_VERSION}: ` +
        'compare reports written by the same major version (run the audit again to get a current one)',
    );
  }
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.length === 0 ? '(top)' : issue.path.join('.')}: ${issue.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    throw new ConfigError(`${source} does not validate as a schemaVersion ${REPORT_SCHEMA_VERSION} report: ${issues.join('; ')}${more}`);
  }
  return parsed.data;
}

/** Reads and validates a JSON report file. Every failure is a ConfigError (exit code 2). */
export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not JSON (${(error as Error).message}): diff compares reports written with --format json`, { cause: error });
  }
  return parseReport(value, path);
}
