/**
 * A seeded, deterministic generator of realistic Active Directory domains for the benchmark and the
 * scale tests: users in department OUs, workstations and servers, Hyper-V hosts in clusters of 16
 * (one OU per cluster, so `--group-by ou` finds the migration groups), department, project and
 * resource groups (nested), and ~300 privileged accounts reached directly, through nested groups
 * and through primaryGroupID. The hosts are a mix of what delegaudit looks for: correct,
 * Kerberos-only, late joiners their peers lack entries for, re-joined (with and without their own
 * SPNs), unconstrained, disabled, with ghost and out-of-scope entries, in Protected Users.
 *
 * The lab fixture (mock-ldap/fixtures/lab.ldif) is the base of every preset, so its accounts and
 * passwords (Administrator, auditor) work everywhere.
 *
 *   npx tsx scripts/generate-directory.ts --scale large [--seed N] [--out DIR]
 *
 * writes DIR/<scale>.ldif (a content LDIF that mock-ldap serves) and DIR/<scale>.samba.ldif (change
 * records that add the generated objects to a freshly provisioned and seeded Samba lab: no
 * objectSid or whenCreated, which Samba assigns; members and primaryGroupID in an order Samba
 * accepts). Default DIR: .bench/ in the project.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { formatLdif } from '../mock-ldap/ldif.js';
import { projectRoot } from '../mock-ldap/project-root.js';
import { generateDirectory } from './generator/build.js';
import { type DirectorySummary, PRESETS, type Preset } from './generator/presets.js';
import { delegatingAccounts } from './generator/summary.js';

export { generateDirectory } from './generator/build.js';
export { type DirectorySummary, PRESETS, type Preset } from './generator/presets.js';
export { delegatingAccounts } from './generator/summary.js';

/** Writes `<scale>.ldif` and `<scale>.samba.ldif` to `dir`; returns their paths, the summary and the accounts with delegation. */
export function writeDirectory(
  preset: Preset,
  dir: string,
  seed?: number,
): { ldif: string; samba: string; summary: DirectorySummary; delegating: ReturnType<typeof delegatingAccounts> } {
  const generated = generateDirectory(preset, seed);
  mkdirSync(dir, { recursive: true });
  const ldif = join(dir, `${preset}.ldif`);
  const samba = join(dir, `${preset}.samba.ldif`);
  writeFileSync(ldif, formatLdif(generated.entries));
  writeFileSync(samba, generated.sambaChanges);
  writeFileSync(join(dir, `${preset}.summary.json`), `${JSON.stringify(generated.summary, null, 2)}\n`);
  return { ldif, samba, summary: generated.summary, delegating: delegatingAccounts(generated.entries) };
}

function main(): void {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'large' }, seed: { type: 'string' }, out: { type: 'string' } } });
  const preset = values.scale as Preset;
  if (!PRESETS.includes(preset)) throw new Error(`--scale must be one of ${PRESETS.join(', ')}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const started = performance.now();
  const { delegating: _delegating, ...written } = writeDirectory(preset, values.out ?? join(projectRoot(), '.bench'), seed);
  process.stdout.write(`${JSON.stringify({ ...written, ms: Math.round(performance.now() - started) }, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main();
  } catch (error: unknown) {
    process.stderr.write(`generate-directory: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
