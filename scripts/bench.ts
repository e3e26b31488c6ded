/**
 * The benchmark: delegaudit against a generated domain, side by side with ldapsearch on the same
 * server in the same run.
 *
 *   npm run bench -- --scale large --target mock|samba [--runs 5] [--seed N] [--keep-lab] [--only audit|inventory]
 *
 * Per run, in rotating order (so that a noisy neighbour does not always hit the same row):
 *   - delegaudit audit (the built CLI, a child process) with --group-by ou: the clustered layout
 *   - delegaudit audit with --group-by all: one migration group of every host (HV008 everywhere)
 *   - ldapsearch issuing exactly the searches delegaudit issues (one process each, paged 1000):
 *     the wire time of delegaudit's query plan
 *   - ldapsearch dumping all users and computers with the attributes the audit reads: what a
 *     naive tool does
 *   - delegaudit inventory --format json (the built CLI, a child process): its rows are checked
 *     against the delegations the generator put in the directory (every delegating account listed)
 *   - ldapsearch issuing exactly the inventory's searches: the wire time of its query plan
 * after one untimed warm-up of each. --only audit or --only inventory measures one command's rows. Prints medians (with min-max), ratios and the targets, and
 * writes .bench/results-<target>-<scale>.json.
 *
 * --target mock serves .bench/<scale>.ldif with mock-ldap (AD's MaxPageSize and MaxValRange on) in
 * its own process. --target samba starts a lab instance of its own (test/ad-lab/lab.ts --name bench:
 * .ad-lab-bench/, its own namespace and /30), loads .bench/<scale>.samba.ldif offline, and stops it
 * at the end (unless --keep-lab). It never touches the default lab the tests use.
 *
 * Peak RSS is the audit's or the inventory's process's own (GNU time's maximum resident set size);
 * searches and entries are the CLI's own count ("read N entries in M searches").
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../mock-ldap/project-root.js';
import { READ_ATTRIBUTES, readDirectory } from '../src/directory/read-directory.js';
import { LdapSession } from '../src/ldap/session.js';
import type { SearchLogEntry } from '../src/ldap/search.js';
import { type DirectorySummary, delegatingAccounts, generateDirectory, PRESETS, type Preset, writeDirectory } from './generate-directory.js';

const ROOT = projectRoot();
const BENCH_DIR = join(ROOT, '.bench');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MOCK_CLI = join(ROOT, 'dist', 'mock-ldap', 'cli.js');
const LAB_SCRIPT = join(ROOT, 'test', 'ad-lab', 'lab.ts');
const LAB_NAME = 'bench';
const LAB_CONNECTION = join(ROOT, `.ad-lab-${LAB_NAME}`, 'connection.json');
const GNU_TIME = '/usr/bin/time';

/** The issue's targets. */
const TARGETS = { planRatio: 1.3, dumpRatio: 0.35, searches: 8, rssMb: 200, oneGroupRatio: 2, mockReadyS: 10, inventoryS: 2.5, inventorySearches: 8 } as const;

const MEASURES = ['clustered', 'oneGroup', 'plan', 'dump', 'inventory', 'inventoryPlan'] as const;
type Measure = (typeof MEASURES)[number];
const AUDIT_MEASURES: readonly Measure[] = ['clustered', 'oneGroup', 'plan', 'dump'];
const INVENTORY_MEASURES: readonly Measure[] = ['inventory', 'inventoryPlan'];

interface Server {
  url: string;
  bindDn: string;
  passwordFile: string;
  caFile: string;
  servername: string;
  baseDN: string;
  /** What it took to be ready, for the table. */
  ready: Record<string, number>;
  stop(): Promise<void>;
}

interface Sample {
  seconds: number;
  rssMb?: number;
  searches?: number;
  entries?: number;
  outputBytes?: number;
  /** The inventory's rows, and the distinct accounts (by DN) they are on. */
  rows?: number;
  accounts?: number;
  /** DNs (lower case) of the inventory's accounts, for the completeness check; not in the results file. */
  accountDns?: Set<string>;
  warnings?: number;
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Runs a command to completion; stdout to a file (or discarded), stderr captured. Wall time in seconds. */
function timed(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdoutFile?: string; input?: string } = {},
): Promise<{ code: number; seconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const out = options.stdoutFile === undefined ? 'ignore' : openSync(options.stdoutFile, 'w', 0o600);
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', out, 'pipe'], env: options.env ?? process.env });
    if (typeof out === 'number') closeSync(out);
    const err: Buffer[] = [];
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), seconds: (performance.now() - started) / 1000, stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ------------------------------------------------------------------------------------ servers

async function startMock(ldif: string): Promise<Server> {
  if (!existsSync(MOCK_CLI)) throw new Error(`${MOCK_CLI} is missing: run npm run build (npm run bench does)`);
  const started = performance.now();
  const child = spawn(process.execPath, [MOCK_CLI, ldif], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      output += b.toString('utf8');
      if (/CA file: .*\n/.test(output)) resolve(output);
    });
    child.stderr.on('data', (b: Buffer) => process.stderr.write(b));
    child.on('exit', (code) => reject(new Error(`mock-ldap exited (${code}) before it was ready:\n${output}`)));
  });
  const seconds = (performance.now() - started) / 1000;
  const url = /ldaps:\s+(ldaps:\/\/\S+)/.exec(ready)?.[1];
  const caFile = /CA file:\s+(\S+)/.exec(ready)?.[1];
  if (url === undefined || caFile === undefined) throw new Error(`cannot read the mock's URL and CA from:\n${ready}`);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  // The lab fixture's Administrator (a fixture password, handed over in a 0600 file like any other).
  const passwordFile = join(BENCH_DIR, 'mock-admin.password');
  writeFileSync(passwordFile, 'Lab-Admin-Passw0rd', { mode: 0o600 });
  log(`mock-ldap ready in ${seconds.toFixed(1)} s at ${url} (pid ${child.pid}, RSS ${Math.round(Number(rss) / 1024)} MB)`);
  return {
    url,
    bindDn: 'CN=Administrator,CN=Users,DC=corp,DC=example,DC=com',
    passwordFile,
    caFile,
    servername: 'localhost',
    baseDN: 'DC=corp,DC=example,DC=com',
    ready: { 'mock-ldap: load the LDIF and listen': seconds, 'mock-ldap RSS (MB)': Math.round(Number(rss) / 1024) },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
      rmSync(passwordFile, { force: true });
    },
  };
}

async function startSambaLab(sambaLdif: string | undefined, scale: Preset, seed: number, keep: boolean): Promise<Server> {
  const marker = join(BENCH_DIR, 'samba-lab.json');
  const previous = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as { scale: Preset; seed: number; ready: Record<string, number> })
    : undefined;
  if (existsSync(LAB_CONNECTION) && (previous?.scale !== scale || previous.seed !== seed)) {
    log('the bench lab holds another directory: stopping it first');
    await lab('stop');
  }
  const started = performance.now();
  const result = await lab('start', sambaLdif === undefined ? [] : ['--bulk-ldif', sambaLdif]);
  const seconds = (performance.now() - started) / 1000;
  let ready: Record<string, number> = { 'Samba lab: start, provision, seed, load, verify': seconds };
  const stages =
    /ready in [\d.]+ s \(provision ([\d.]+) s, seed [\d.]+ s, (?:bulk load ([\d.]+) s \(\d+ objects\), )?samba to LDAPS bind ([\d.]+) s\); verified over LDAPS in ([\d.]+) s/.exec(
      result,
    );
  if (stages) {
    Object.assign(ready, {
      'Samba lab: provision': Number(stages[1]),
      ...(stages[2] === undefined ? {} : { 'Samba lab: offline bulk load (seed-bulk.py)': Number(stages[2]) }),
      'Samba lab: samba start to LDAPS bind': Number(stages[3]),
      'Samba lab: verify over LDAPS': Number(stages[4]),
    });
  } else if (result.includes('already running') && previous !== undefined) ready = previous.ready; // kept from an earlier run (--keep-lab)
  writeFileSync(marker, JSON.stringify({ scale, seed, ready }));
  const conn = JSON.parse(readFileSync(LAB_CONNECTION, 'utf8')) as {
    url: string;
    caFile: string;
    servername: string;
    baseDN: string;
    users: { admin: { dn: string; passwordFile: string } };
  };
  return {
    url: conn.url,
    bindDn: conn.users.admin.dn,
    passwordFile: conn.users.admin.passwordFile,
    caFile: conn.caFile,
    servername: conn.servername,
    baseDN: conn.baseDN,
    ready,
    async stop() {
      if (keep) return log(`leaving the bench lab running (${conn.url}); stop it with: npx tsx test/ad-lab/lab.ts stop --name ${LAB_NAME}`);
      await lab('stop');
      rmSync(marker, { force: true });
    },
  };
}

async function lab(command: 'start' | 'stop', extra: string[] = []): Promise<string> {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const { code, stderr } = await timed(tsx, [LAB_SCRIPT, command, '--name', LAB_NAME, ...extra], { stdoutFile: join(BENCH_DIR, `lab-${command}.out`) });
  const stdout = readFileSync(join(BENCH_DIR, `lab-${command}.out`), 'utf8');
  process.stderr.write(stderr);
  if (code !== 0) throw new Error(`lab.ts ${command} --name ${LAB_NAME} failed (exit ${code})`);
  return stdout;
}

// ------------------------------------------------------------------------------------ the measured commands

function ldapEnv(server: Server): NodeJS.ProcessEnv {
  // The lab's and the mock's URLs are IP addresses: trust the CA, do not match the name (as the brief says).
  return { ...process.env, LDAPTLS_CACERT: server.caFile, LDAPTLS_REQCERT: 'allow' };
}

function ldapsearchArgs(server: Server, search: Pick<SearchLogEntry, 'base' | 'scope' | 'filter' | 'attributes'>): string[] {
  return [
    '-LLL',
    '-o',
    'ldif-wrap=no',
    '-H',
    server.url,
    '-x',
    '-D',
    server.bindDn,
    '-y',
    server.passwordFile,
    '-E',
    'pr=1000/noprompt',
    '-b',
    search.base,
    '-s',
    search.scope,
    search.filter,
    ...search.attributes,
  ];
}

function countEntries(file: string): number {
  const text = readFileSync(file, 'utf8');
  return (text.match(/^dn:/gm) ?? []).length;
}

async function runAudit(server: Server, groupBy: 'ou' | 'all', out: string): Promise<Sample> {
  const timeFile = join(BENCH_DIR, 'time.out');
  const args = [
    '-f',
    '%M',
    '-o',
    timeFile,
    process.execPath,
    CLI,
    'audit',
    '--url',
    server.url,
    '--user',
    server.bindDn,
    '--password-file',
    server.passwordFile,
    '--ca-file',
    server.caFile,
    '--tls-servername',
    server.servername,
    '--group-by',
    groupBy,
    '--format',
    'json',
    '--fail-on',
    'never',
  ];
  const { code, seconds, stderr } = await timed(GNU_TIME, args, { stdoutFile: out, env: { ...process.env, NO_COLOR: '1' } });
  if (code !== 0) throw new Error(`delegaudit audit failed (exit ${code}):\n${stderr}`);
  const read = /read (\d+) entries in (\d+) searches/.exec(stderr);
  const rssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { seconds, rssMb: rssKb / 1024, searches: Number(read?.[2]), entries: Number(read?.[1]), outputBytes: statSync(out).size };
}

async function runInventory(server: Server, out: string): Promise<Sample> {
  const timeFile = join(BENCH_DIR, 'time.out');
  const args = [
    '-f',
    '%M',
    '-o',
    timeFile,
    process.execPath,
    CLI,
    'inventory',
    '--url',
    server.url,
    '--user',
    server.bindDn,
    '--password-file',
    server.passwordFile,
    '--ca-file',
    server.caFile,
    '--tls-servername',
    server.servername,
    '--format',
    'json',
  ];
  const { code, seconds, stderr } = await timed(GNU_TIME, args, { stdoutFile: out, env: { ...process.env, NO_COLOR: '1' } });
  if (code !== 0) throw new Error(`delegaudit inventory failed (exit ${code}):\n${stderr}`);
  const read = /read (\d+) entries in (\d+) searches/.exec(stderr);
  const rssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  const report = JSON.parse(readFileSync(out, 'utf8')) as { rows: Array<{ dn: string }>; warnings: string[] };
  const accountDns = new Set(report.rows.map((row) => row.dn.toLowerCase()));
  return {
    seconds,
    rssMb: rssKb / 1024,
    searches: Number(read?.[2]),
    entries: Number(read?.[1]),
    outputBytes: statSync(out).size,
    rows: report.rows.length,
    accounts: accountDns.size,
    accountDns,
    warnings: report.warnings.length,
  };
}

async function runPlan(server: Server, plan: readonly SearchLogEntry[], out: string): Promise<Sample> {
  let seconds = 0;
  let entries = 0;
  for (const search of plan) {
    let args = ldapsearchArgs(server, search);
    // Linux caps one argument at 128 KiB: a longer OR filter goes through -f (one line, the whole filter).
    if (search.filter.length > 100_000) {
      const filterFile = join(BENCH_DIR, 'plan-filter.txt');
      writeFileSync(filterFile, `${search.filter}\n`);
      args = ldapsearchArgs(server, { ...search, filter: '%s' });
      args.splice(args.indexOf('%s'), 0, '-f', filterFile);
    }
    const { code, seconds: s, stderr } = await timed('ldapsearch', args, { env: ldapEnv(server), stdoutFile: out });
    if (code !== 0) throw new Error(`ldapsearch (${search.purpose}) failed (exit ${code}): ${stderr}`);
    seconds += s;
    entries += countEntries(out);
  }
  return { seconds, searches: plan.length, entries };
}

async function runDump(server: Server, out: string): Promise<Sample> {
  const dump = { base: server.baseDN, scope: 'sub' as const, filter: '(objectClass=user)', attributes: READ_ATTRIBUTES };
  const { code, seconds, stderr } = await timed('ldapsearch', ldapsearchArgs(server, dump), { env: ldapEnv(server), stdoutFile: out });
  if (code !== 0) throw new Error(`ldapsearch (full dump) failed (exit ${code}): ${stderr}`);
  return { seconds, entries: countEntries(out), outputBytes: statSync(out).size };
}

/** The searches delegaudit issues, from the library with the same options as the CLI runs (the inventory looks up every delegation target). */
async function capturePlan(server: Server, delegationTargets = false): Promise<SearchLogEntry[]> {
  const session = await LdapSession.open(
    { url: server.url, caFile: server.caFile, tlsServername: server.servername },
    { user: server.bindDn, password: readFileSync(server.passwordFile, 'utf8') },
  );
  try {
    await readDirectory(session, delegationTargets ? { delegationTargets: true } : {});
    return session.searchLog;
  } finally {
    await session.close();
  }
}

// ------------------------------------------------------------------------------------ report

function machine(): Record<string, string> {
  return {
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free at the end`,
    node: process.version,
  };
}

async function versions(): Promise<Record<string, string>> {
  const first = async (cmd: string, args: string[]): Promise<string> => {
    const file = join(tmpdir(), `delegaudit-bench-${process.pid}.version`);
    try {
      const { stderr } = await timed(cmd, args, { stdoutFile: file });
      return (
        `${readFileSync(file, 'utf8')}${stderr}`
          .split('\n')
          .find((l) => l.trim() !== '')
          ?.trim() ?? '?'
      );
    } catch {
      return 'not installed';
    } finally {
      rmSync(file, { force: true });
    }
  };
  return { samba: await first('samba', ['--version']), ldapsearch: await first('ldapsearch', ['-VV']) };
}

function fmt(samples: readonly Sample[], pick: (s: Sample) => number | undefined, digits = 2): string {
  const values = samples.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (values.length === 0) return '-';
  const m = median(values);
  if (values.length === 1) return m.toFixed(digits);
  return `${m.toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

// ------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'large' },
      target: { type: 'string', default: 'mock' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string' },
      'keep-lab': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const scale = values.scale as Preset;
  if (!PRESETS.includes(scale)) throw new Error(`--scale must be one of ${PRESETS.join(', ')}`);
  const target = values.target;
  if (target !== 'mock' && target !== 'samba') throw new Error('--target must be mock or samba');
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  const only = values.only;
  if (only !== undefined && only !== 'audit' && only !== 'inventory') throw new Error('--only must be audit or inventory');
  const measured = only === 'audit' ? AUDIT_MEASURES : only === 'inventory' ? INVENTORY_MEASURES : MEASURES;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm run bench does)`);
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed for the audit's peak RSS: apt-get install time`);
  mkdirSync(BENCH_DIR, { recursive: true, mode: 0o700 });

  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const generatedAt = performance.now();
  const { summary, ldif, samba, delegating } =
    scale === 'lab'
      ? (() => {
          const lab = generateDirectory('lab');
          return { ldif: join(ROOT, 'mock-ldap', 'fixtures', 'lab.ldif'), samba: undefined, summary: lab.summary, delegating: delegatingAccounts(lab.entries) };
        })()
      : writeDirectory(scale, BENCH_DIR, seed);
  log(
    `generated ${summary.objects} objects (${scale}, seed ${summary.seed}) in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s; ${summary.delegatingAccounts} accounts with ${summary.delegations} delegations`,
  );

  const loadBefore = loadavg();
  const server = target === 'mock' ? await startMock(ldif) : await startSambaLab(samba, scale, summary.seed, values['keep-lab'] === true);
  const results = Object.fromEntries(MEASURES.map((m) => [m, [] as Sample[]])) as Record<Measure, Sample[]>;
  let plan: SearchLogEntry[] = [];
  let inventoryPlan: SearchLogEntry[] = [];
  const describe = (searches: SearchLogEntry[]): string => searches.map((s) => `${s.purpose}: ${s.entries} in ${s.ms.toFixed(0)} ms`).join('; ');
  try {
    if (measured.includes('plan')) {
      plan = await capturePlan(server);
      log(`delegaudit's plan: ${plan.length} searches (${describe(plan)})`);
    }
    if (measured.includes('inventoryPlan')) {
      inventoryPlan = await capturePlan(server, true);
      log(
        `the inventory's plan: ${inventoryPlan.length} searches (${describe(inventoryPlan)}); the longest filter ${Math.max(...inventoryPlan.map((s) => s.filter.length))} characters`,
      );
    }
    const out = join(BENCH_DIR, 'out');
    const all: Record<Measure, () => Promise<Sample>> = {
      clustered: () => runAudit(server, 'ou', `${out}.clustered.json`),
      oneGroup: () => runAudit(server, 'all', `${out}.one-group.json`),
      plan: () => runPlan(server, plan, `${out}.plan.ldif`),
      dump: () => runDump(server, `${out}.dump.ldif`),
      inventory: () => runInventory(server, `${out}.inventory.json`),
      inventoryPlan: () => runPlan(server, inventoryPlan, `${out}.inventory-plan.ldif`),
    };
    const measures = measured.map((name) => [name, all[name]] as const);
    log('warm-up run (not counted)');
    for (const [, measure] of measures) await measure();
    for (let run = 0; run < runs; run += 1) {
      const order = [...measures.slice(run % measures.length), ...measures.slice(0, run % measures.length)];
      for (const [name, measure] of order) {
        const sample = await measure();
        results[name].push(sample);
        const extra = sample.rows === undefined ? '' : `, ${sample.searches} searches, ${sample.accounts} accounts, ${sample.rows} rows`;
        log(`run ${run + 1}/${runs} ${name}: ${sample.seconds.toFixed(2)} s${sample.rssMb === undefined ? '' : `, ${sample.rssMb.toFixed(0)} MB`}${extra}`);
      }
    }
  } finally {
    await server.stop();
  }
  const loadAfter = loadavg();
  printReport({
    scale,
    target,
    runs,
    only,
    measured,
    summary,
    delegating,
    server,
    plan,
    inventoryPlan,
    results,
    loadBefore,
    loadAfter,
    versions: await versions(),
  });
}

/** What the inventory listed against what the generator put in the directory. */
function completeness(
  expected: ReadonlyArray<{ dn: string; sAMAccountName: string; rows: number }>,
  samples: readonly Sample[],
): { complete: boolean; missing: string[]; extra: string[] } {
  const listed = samples[samples.length - 1]?.accountDns ?? new Set<string>();
  const wanted = new Set(expected.map((a) => a.dn.toLowerCase()));
  const missing = expected.filter((a) => !listed.has(a.dn.toLowerCase())).map((a) => a.sAMAccountName);
  const extra = [...listed].filter((dn) => !wanted.has(dn));
  const consistent = samples.every((s) => s.accounts === samples[0]?.accounts && s.rows === samples[0]?.rows);
  return { complete: consistent && missing.length === 0 && extra.length === 0, missing, extra };
}

function printReport(r: {
  scale: Preset;
  target: string;
  runs: number;
  only: string | undefined;
  measured: readonly Measure[];
  summary: DirectorySummary;
  delegating: ReadonlyArray<{ dn: string; sAMAccountName: string; rows: number }>;
  server: Server;
  plan: SearchLogEntry[];
  inventoryPlan: SearchLogEntry[];
  results: Record<Measure, Sample[]>;
  loadBefore: number[];
  loadAfter: number[];
  versions: Record<string, string>;
}): void {
  const m = (name: Measure): number => median(r.results[name].map((s) => s.seconds));
  const audited = r.measured.includes('clustered');
  const inventoried = r.measured.includes('inventory');
  const clustered = m('clustered');
  const ratio = audited ? { plan: clustered / m('plan'), dump: clustered / m('dump'), oneGroup: m('oneGroup') / clustered } : undefined;
  const rss = audited ? Math.max(...r.results.clustered.map((s) => s.rssMb ?? 0)) : undefined;
  const rssOneGroup = audited ? Math.max(...r.results.oneGroup.map((s) => s.rssMb ?? 0)) : undefined;
  const searches = audited ? (r.results.clustered[0]?.searches ?? NaN) : undefined;
  const spread = (name: Measure): number => {
    const v = r.results[name].map((s) => s.seconds);
    return (Math.max(...v) - Math.min(...v)) / median(v);
  };
  const LABELS: Record<Measure, string> = {
    clustered: 'audit',
    oneGroup: 'one group',
    plan: 'ldapsearch plan',
    dump: 'dump',
    inventory: 'inventory',
    inventoryPlan: "ldapsearch inventory's plan",
  };
  const row = (label: string, samples: readonly Sample[], searchesCell?: string): string =>
    `| ${label} | ${fmt(samples, (x) => x.seconds)} | ${samples.some((x) => x.rssMb !== undefined) ? fmt(samples, (x) => x.rssMb, 0) : ''} | ${searchesCell ?? fmt(samples, (x) => x.searches, 0)} | ${fmt(samples, (x) => x.entries, 0)} |`;
  const s = r.summary;
  const inv = r.results.inventory;
  const inventory = inventoried
    ? (() => {
        const wall = m('inventory');
        const invSearches = Math.max(...inv.map((x) => x.searches ?? NaN));
        const { complete, missing, extra } = completeness(r.delegating, inv);
        const last = inv[inv.length - 1]!;
        return {
          wall,
          rssMb: Math.max(...inv.map((x) => x.rssMb ?? 0)),
          searches: invSearches,
          accounts: last.accounts ?? NaN,
          expectedAccounts: s.delegatingAccounts,
          rows: last.rows ?? NaN,
          expectedRows: s.delegations,
          warnings: last.warnings ?? 0,
          complete,
          missing,
          extra,
          wirePlanSeconds: m('inventoryPlan'),
        };
      })()
    : undefined;
  const list = (names: readonly string[]): string => `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length})` : ''}`;
  const lines = [
    '',
    `## delegaudit benchmark: --scale ${r.scale} --target ${r.target}${r.only === undefined ? '' : ` --only ${r.only}`}, ${r.runs} runs (medians, min-max in brackets)`,
    '',
    `Directory: ${s.objects} objects: ${s.users} users, ${s.computers} computers of which ${s.hosts} Hyper-V hosts in ${s.clusters} clusters, ${s.groups} groups (${s.groupsOver1500} with more than 1,500 members, the largest ${s.largestGroup}), ${s.privilegedAccounts} generated privileged accounts; ${s.delegatingAccounts} accounts with delegation (DCs included), ${s.delegations} delegations; seed ${s.seed}.`,
    `Machine: ${Object.entries(machine())
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}; ${r.versions['samba']}; ${r.versions['ldapsearch']}.`,
    `Load average (1 min) ${r.loadBefore[0]!.toFixed(2)} before, ${r.loadAfter[0]!.toFixed(2)} after; spread (max-min)/median: ${r.measured.map((name) => `${LABELS[name]} ${(100 * spread(name)).toFixed(0)}%`).join(', ')}.`,
    '',
    '| what | wall s | peak RSS MB | searches | entries |',
    '|---|---|---|---|---|',
    ...(audited
      ? [
          row('delegaudit audit, clusters (--group-by ou)', r.results.clustered),
          row(`delegaudit audit, one group of ${s.hosts} hosts (--group-by all)`, r.results.oneGroup),
          row(`ldapsearch: delegaudit's ${r.plan.length} searches, one process each`, r.results.plan, String(r.plan.length)),
          row("ldapsearch: all users and computers, the audit's attributes, paged 1000", r.results.dump, '1'),
        ]
      : []),
    ...(inventory !== undefined
      ? [
          row(`delegaudit inventory (--format json): ${inventory.rows} rows on ${inventory.accounts} accounts`, inv),
          row(`ldapsearch: the inventory's ${r.inventoryPlan.length} searches, one process each`, r.results.inventoryPlan, String(r.inventoryPlan.length)),
        ]
      : []),
    ...Object.entries(r.server.ready).map(([k, v]) => `| ${k} | ${k.includes('MB') ? '' : v.toFixed(1)} | ${k.includes('MB') ? v.toFixed(0) : ''} | | |`),
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...(ratio !== undefined && rss !== undefined && rssOneGroup !== undefined && searches !== undefined
      ? [
          `| audit ≤ ${TARGETS.planRatio} × ldapsearch of its own searches | ${ratio.plan.toFixed(2)} × | ${ratio.plan <= TARGETS.planRatio ? 'met' : 'MISSED'} |`,
          `| audit ≤ ${TARGETS.dumpRatio} × the full paged dump | ${ratio.dump.toFixed(2)} × | ${ratio.dump <= TARGETS.dumpRatio ? 'met' : 'MISSED'} |`,
          `| searches ≤ ${TARGETS.searches}, the same at every scale | ${searches} | ${searches <= TARGETS.searches ? 'met' : 'MISSED'} |`,
          `| peak RSS ≤ ${TARGETS.rssMb} MB | ${rss.toFixed(0)} MB (one group: ${rssOneGroup.toFixed(0)} MB) | ${rss <= TARGETS.rssMb ? 'met' : 'MISSED'} |`,
          `| one group ≤ ${TARGETS.oneGroupRatio} × clusters | ${ratio.oneGroup.toFixed(2)} × | ${ratio.oneGroup <= TARGETS.oneGroupRatio ? 'met' : 'MISSED'} |`,
        ]
      : []),
    ...(inventory !== undefined
      ? [
          `| inventory ≤ ${TARGETS.inventoryS} s wall | ${inventory.wall.toFixed(2)} s (its searches on the wire, ldapsearch: ${inventory.wirePlanSeconds.toFixed(2)} s) | ${inventory.wall <= TARGETS.inventoryS ? 'met' : 'MISSED'} |`,
          `| inventory searches ≤ ${TARGETS.inventorySearches} | ${inventory.searches} | ${inventory.searches <= TARGETS.inventorySearches ? 'met' : 'MISSED'} |`,
          `| inventory complete: every account with delegation in the generated directory | ${inventory.accounts} accounts listed of ${inventory.expectedAccounts}; ${inventory.rows} rows of ${inventory.expectedRows}${inventory.warnings > 0 ? `; ${inventory.warnings} warnings` : ''} | ${inventory.complete ? 'met' : 'MISSED'} |`,
        ]
      : []),
    ...(r.target === 'mock'
      ? [
          `| mock-ldap ready ≤ ${TARGETS.mockReadyS} s | ${r.server.ready['mock-ldap: load the LDIF and listen']!.toFixed(1)} s | ${r.server.ready['mock-ldap: load the LDIF and listen']! <= TARGETS.mockReadyS ? 'met' : 'MISSED'} |`,
        ]
      : []),
    ...(inventory !== undefined && inventory.missing.length > 0
      ? ['', `Accounts with delegation the inventory did not list: ${list(inventory.missing)}.`]
      : []),
    ...(inventory !== undefined && inventory.extra.length > 0
      ? ['', `Accounts the inventory listed that the generator did not give delegation (the server's own?): ${list(inventory.extra)}.`]
      : []),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const file = join(BENCH_DIR, `results-${r.target}-${r.scale}${r.only === undefined ? '' : `-${r.only}`}.json`);
  const results = Object.fromEntries(Object.entries(r.results).map(([k, samples]) => [k, samples.map(({ accountDns: _dns, ...rest }) => rest)]));
  const { delegating: _delegating, ...rest } = r;
  writeFileSync(
    file,
    `${JSON.stringify({ ...rest, results, machine: machine(), ratio, rssMb: rss, rssOneGroupMb: rssOneGroup, searches, inventory, generatedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  log(`results: ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
