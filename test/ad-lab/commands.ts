/**
 * start, stop and status, and the teardown they share.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LAB_DIR_PREFIX, labConnectionFile, labStateDir, LDIF_FILE, NETNS, STATE_FILE, STOP_COMMAND, VETH_HOST } from './config.js';
import {
  alive,
  findExecutable,
  isLabSamba,
  isRoot,
  LabError,
  launchSamba,
  log,
  procInfo,
  run,
  runningChildren,
  seconds,
  signal,
  stopSamba,
} from './process.js';
import { ensureStateDir, type LabState, readState, safeReadConnection, saveState, withLock, writeConnection } from './state.js';
import { ensurePackages, notRoot } from './packages.js';
import { namespaceExists, portFree, removeNamespace, setupNetwork } from './network.js';
import { provision, seedOffline } from './seed.js';
import { probeRunning, verifySeed, waitForLdaps } from './verify.js';

/** Undo whatever a (possibly partial) start created, in reverse order. Only our own resources. */
async function teardown(state: LabState): Promise<void> {
  const ip = findExecutable('ip');
  if (state.pid !== undefined) {
    if (isLabSamba(state.pid, state.labDir, state.pidStartTime)) {
      log(`stopping samba (pid ${state.pid})`);
      await stopSamba(state.pid, state.pidStartTime);
    } else if (alive(state.pid, state.pidStartTime)) {
      log(`pid ${state.pid} is not this lab's samba; leaving it alone`);
    }
  }
  if (state.netns !== undefined && ip) {
    // Anything still inside our own namespace was started by this lab (samba's children).
    const pids = (await run(ip, ['netns', 'pids', state.netns])).stdout.split('\n').filter(Boolean).map(Number);
    for (const p of pids) {
      const info = procInfo(p);
      if (info === undefined) continue;
      log(`killing leftover process ${p} (${info.comm}) in ${state.netns}`);
      signal(p, 'SIGKILL');
    }
    await removeNamespace(ip, state.netns, state.vethHost);
  }
  if (state.labDir !== undefined) {
    if (isAbsolute(state.labDir) && basename(state.labDir).startsWith(LAB_DIR_PREFIX)) {
      rmSync(state.labDir, { recursive: true, force: true });
    } else {
      log(`not removing ${state.labDir}: not a lab directory`);
    }
  }
  if (existsSync(labStateDir)) {
    for (const name of readdirSync(labStateDir)) {
      if (
        name === 'connection.json' ||
        name === 'state.json' ||
        name === 'seed-report.json' ||
        name === 'ca.pem' ||
        name.endsWith('.password') ||
        name.endsWith('.tmp')
      ) {
        rmSync(join(labStateDir, name), { force: true });
      }
    }
    // The directory itself goes when the lock is released, if nothing else is in it.
  }
}

// ------------------------------------------------------------------------------------ commands

async function start(): Promise<number> {
  const t0 = performance.now();
  const { conn } = safeReadConnection();
  if (conn) {
    const problem = await probeRunning(conn);
    if (problem === undefined) {
      process.stdout.write(`AD lab already running: ${conn.url} (pid ${conn.pid}, since ${conn.startedAt}); nothing to do\n`);
      return 0;
    }
    log(`stale lab (${problem}); cleaning it up first`);
  }
  const stale = readState();
  if (stale) {
    log('removing the remains of an earlier lab');
    await teardown(stale);
  }

  const tools = await ensurePackages();
  const tReady0 = performance.now();

  ensureStateDir();
  const state: LabState = { startedAt: new Date().toISOString() };
  const labDir = mkdtempSync(join(tmpdir(), LAB_DIR_PREFIX));
  chmodSync(labDir, 0o700);
  state.labDir = labDir;
  saveState(state);

  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: undoing the partial start`);
    for (const child of runningChildren) child.kill('SIGTERM');
    void teardown(state).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const network = await setupNetwork(tools, state);
    state.isolation = network.isolation;
    saveState(state);

    const { smbConf, logDir, ms: tProvision } = await provision(tools, labDir, network);
    const { adminPassword, report, bulk, seedMs: tSeed, bulkMs: tBulk } = await seedOffline(smbConf, logDir, tools.sambaTool);
    const t3 = performance.now();
    const pid = await launchSamba(tools, network, smbConf, labDir, logDir);
    state.pid = pid;
    saveState(state);
    const url = `ldaps://${network.address}:636`;
    const caSource = join(labDir, 'private', 'tls', 'ca.pem');
    await waitForLdaps(url, caSource, pid, adminPassword, { state, labDir, logDir });
    const tSamba = performance.now() - t3;
    const tReady = performance.now() - tReady0;
    log(`LDAPS answers at ${url} (samba pid ${pid}); ready ${seconds(tReady)} after start began`);

    // ---- verify the seed over LDAPS
    const t4 = performance.now();
    const ca = readFileSync(caSource);
    const problems = await verifySeed(url, ca, adminPassword, report, bulk);
    if (problems.length > 0) throw new LabError(`the lab does not match ${LDIF_FILE}:\n  ${problems.join('\n  ')}`);
    const tVerify = performance.now() - t4;

    const connection = writeConnection({ url, caSource, network, adminPassword, report, pid, labDir, state });

    const total = performance.now() - t0;
    process.stdout.write(
      `AD lab running: ${url} (StartTLS ${connection.startTlsUrl}), servername ${connection.servername}, ` +
        `${network.isolation === 'netns' ? `namespace ${NETNS}` : 'loopback'}, samba pid ${pid}\n` +
        `ready in ${seconds(tReady)} (provision ${seconds(tProvision)}, seed ${seconds(tSeed)}, ` +
        `${bulk === undefined ? '' : `bulk load ${seconds(tBulk)} (${bulk.counts.add} objects), `}samba to LDAPS bind ${seconds(tSamba)}); ` +
        `verified over LDAPS in ${seconds(tVerify)}; ${seconds(total)} in all\n` +
        `connection: ${labConnectionFile}\n`,
    );
    return 0;
  } catch (err) {
    if (interrupted) return 130;
    log(`start failed: ${(err as Error).message}`);
    log('undoing the partial start');
    await teardown(state).catch((e: unknown) => log(`cleanup failed: ${(e as Error).message}`));
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

async function stop(): Promise<number> {
  const state = readState();
  const ip = findExecutable('ip');
  if (state === undefined) {
    // No record of a lab; a namespace of this checkout without one is an orphan of a crash.
    if (ip && (await namespaceExists(ip, NETNS))) {
      log(`removing orphaned namespace ${NETNS}`);
      await teardown({ netns: NETNS, vethHost: VETH_HOST });
      process.stdout.write('AD lab stopped (orphaned namespace removed)\n');
      return 0;
    }
    process.stdout.write('AD lab is not running; nothing to do\n');
    return 0;
  }
  await teardown(state);
  // Check that nothing is left: samba's tree, the namespace, a listener on the lab address.
  const leftovers: string[] = [];
  if (state.pid !== undefined && alive(state.pid, state.pidStartTime)) leftovers.push(`pid ${state.pid}`);
  if (state.netns !== undefined && ip && (await namespaceExists(ip, state.netns))) leftovers.push(`namespace ${state.netns}`);
  if (state.isolation === 'loopback' && !(await portFree(636, false))) leftovers.push('a listener on 127.0.0.1:636');
  if (leftovers.length > 0) {
    process.stderr.write(`AD lab stop left ${leftovers.join(', ')}\n`);
    return 1;
  }
  process.stdout.write('AD lab stopped\n');
  return 0;
}

async function status(): Promise<number> {
  const { conn, error } = safeReadConnection();
  if (error !== undefined) {
    process.stdout.write(`broken: ${error}\n`);
    return 1;
  }
  if (conn === undefined) {
    if (existsSync(STATE_FILE)) {
      process.stdout.write(`broken: a start did not finish; run "${STOP_COMMAND}"\n`);
      return 1;
    }
    process.stdout.write('stopped\n');
    return 3;
  }
  const problem = await probeRunning(conn);
  if (problem !== undefined) {
    process.stdout.write(`broken: ${problem} (${conn.url}); run "${STOP_COMMAND}"\n`);
    return 1;
  }
  process.stdout.write(
    `running ${conn.url} (StartTLS ${conn.startTlsUrl}), samba pid ${conn.pid}, ` +
      `${conn.isolation === 'netns' ? `namespace ${conn.netns ?? '?'}` : 'loopback'}, since ${conn.startedAt}\n` +
      `connection: ${labConnectionFile}\n`,
  );
  return 0;
}

export async function main(): Promise<number> {
  const command = process.argv[2];
  switch (command) {
    case 'start':
      if (!isRoot()) return notRoot();
      return withLock(start);
    case 'stop':
      return withLock(stop);
    case 'status':
      return status();
    default:
      process.stderr.write('usage: tsx test/ad-lab/lab.ts start|stop|status [--name NAME] [--bulk-ldif FILE]\n');
      return 2;
  }
}
