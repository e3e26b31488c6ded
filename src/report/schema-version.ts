/** The JSON report's schemaVersion, apart from its zod schema (schema.ts) so that writing a report does not load zod. */
export const REPORT_SCHEMA_VERSION = 1;
