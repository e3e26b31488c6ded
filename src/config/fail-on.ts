/**
 * `--fail-on` / the configuration's failOn: the lowest severity that fails the run, or never. Kept apart
 * from the zod schema so that a run without --config does not load zod.
 */
import { SEVERITIES } from '../rules/rule.js';

export const FAIL_ON = [...SEVERITIES, 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
