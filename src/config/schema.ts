/**
 * The configuration file (--config FILE, JSON). Every key mirrors a command-line flag in camelCase;
 * flags override the file. Unknown keys are errors, so a typo never silently drops a setting.
 */
import { z } from 'zod';
import { FAIL_ON } from './fail-on.js';

const name = z.string().min(1);

export const configSchema = z.strictObject({
  url: z.string().min(1).optional(),
  domain: z.string().min(1).optional(),
  site: z.string().min(1).optional(),
  dnsServer: z.string().min(1).optional(),
  starttls: z.boolean().optional(),
  baseDn: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  tlsServername: z.string().min(1).optional(),
  insecure: z.boolean().optional(),
  auth: z.enum(['simple', 'kerberos']).optional(),
  seal: z.boolean().optional(),
  keytab: z.string().min(1).optional(),
  timeout: z.number().int().positive().optional(),
  connectTimeout: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  retryDelay: z.number().int().min(0).optional(),
  hosts: z.array(name).optional(),
  hostsOu: z.string().min(1).optional(),
  hostsGroup: z.string().min(1).optional(),
  groupBy: z.enum(['all', 'ou']).optional(),
  groups: z.array(z.strictObject({ name, hosts: z.array(name).min(1) })).optional(),
  services: z
    .array(z.enum(['migration', 'cifs']))
    .min(1)
    .optional(),
  acceptRbcd: z.boolean().optional(),
  privilegedGroups: z.array(name).optional(),
  exclude: z.array(name).optional(),
  rules: z.array(name).optional(),
  failOn: z.enum(FAIL_ON).optional(),
  format: z.string().min(1).optional(),
  output: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;
