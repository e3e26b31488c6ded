/**
 * start, stop and status, and the teardown they share.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dcDir, dcFqdn, HOST_NAME, LAB_DIR_PREFIX, labConnectionFile, labStateDir, LDIF_FILE, NETNS, STATE_FILE, STOP_COMMAND, VETH_HOST } from './config.js';
import { dcCommand } from './dcs.js';
import { drsKcc, type DrsContext, drsReplicate, REPLICATED_NCS } from './drs.js';
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
import {
  ensureStateDir,
  type JoinedDcState,
  type LabState,
  readState,
  type RunningDc,
  safeReadConnection,
  saveState,
  withLock,
  writeAdminPassword,
  writeConnection,
} from './state.js';
import { ensurePackages, notRoot, type Tools } from './packages.js';
import { namespaceExists, type Network, portFree, removeNamespace, setupNetwork } from './network.js';
import { afterJoin, joinDc, type JoiningDc, provision, type SeedReport, seedOffline } from './seed.js';
import { type DcEndpoint, probeRunning, verifyJoinedDc, verifySeed, waitForLdaps } from './verify.js';

/** Stop one DC's samba if it is this lab's (by PID, with its recorded start time); never another process. */
async function stopIfOurs(name: string, pid: number | undefined, dir: string | undefined, startTime: string | undefined): Promise<void> {
  if (pid === undefined) return;
  if (isLabSamba(pid, dir, startTime)) {
    log(`stopping ${name}'s samba (pid ${pid})`);
    await stopSamba(pid, startTime);
  } else if (alive(pid, startTime)) {
    log(`pid ${pid} is not ${name}'s samba; leaving it alone`);
  }
}

/** Undo whatever a (possibly partial) start created, in reverse order. Only our own resources. */
async function teardown(state: LabState): Promise<void> {
  const ip = findExecutable('ip');
  // The joined DCs first (last joined first), then DC01.
  for (const dc of [...(state.joined ?? [])].reverse()) await stopIfOurs(dc.name, dc.pid, dc.dir, dc.pidStartTime);
  await stopIfOurs(HOST_NAME, state.pid, state.labDir, state.pidStartTime);
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
        /^ca-DC\d+\.pem$/.test(name) ||
        name.endsWith('.password') ||
        name.endsWith('.tmp')
      ) {
        rmSync(join(labStateDir, name), { force: true });
      }
    }
    // The directory itself goes when the lock is released, if nothing else is in it.
  }
}

// ------------------------------------------------------------------------------------ the second DC

interface Joined {
  dc: RunningDc;
  /** Where it differs from what a join and the LDIF make. */
  problems: string[];
  joinMs: number;
  startMs: number;
  checkMs: number;
}

/**
 * DC02: `samba-tool domain join` while DC01 runs, its DNS name and SPNs recorded on DC01, its own
 * samba started (state.json has its directory before the join and its PID at once), replication
 * links on both DCs (the KCC), then forced replication both ways, which proves that each DC finds
 * the other by <NTDS GUID>._msdcs and authenticates to it. Finally the LDIF scenario, and what a join
 * makes, checked on DC02 and DC01.
 */
async function joinSecondDc(parts: {
  tools: Tools;
  network: Network;
  state: LabState;
  labDir: string;
  adminPassword: string;
  adminPasswordFile: string;
  report: SeedReport;
}): Promise<Joined> {
  const { tools, network, state, labDir, adminPassword, adminPasswordFile, report } = parts;
  const second = network.dcs[1]!;
  const dc: JoiningDc = { ...second, dir: dcDir(labDir, second.name) };
  const record: JoinedDcState = { name: dc.name, dir: dc.dir };
  state.joined = [...(state.joined ?? []), record];
  saveState(state);
  const { smbConf, logDir, ms: joinMs } = await joinDc(tools, network, dc, adminPasswordFile);
  await afterJoin(tools, dc, smbConf, logDir, adminPassword, network, report);

  const t0 = performance.now();
  const pid = await launchSamba(tools, network, smbConf, dc.dir, logDir);
  record.pid = pid;
  saveState(state);
  const url = `ldaps://${dc.address}:636`;
  const caSource = join(dc.dir, 'private', 'tls', 'ca.pem');
  const servername = dcFqdn(dc.name);
  await waitForLdaps({ name: dc.name, url, caSource, servername, pid, dir: dc.dir, logDir }, adminPassword, (startTime) => {
    record.pidStartTime = startTime;
    saveState(state);
  });
  const startMs = performance.now() - t0;
  log(`LDAPS answers at ${url} (${dc.name}, samba pid ${pid})`);

  const t1 = performance.now();
  const ctx: DrsContext = {
    sambaTool: tools.sambaTool,
    ip: tools.ip!,
    dcs: [
      { name: HOST_NAME, address: network.address, dir: labDir },
      { name: dc.name, address: dc.address, dir: dc.dir },
    ],
    adminPasswordFile,
  };
  // DC01 learns of DC02's NTDS Settings from the join, but its KCC would add the link from DC02 only on
  // its next run (every 5 minutes); DC02's pulls what DC01 got after the join (DNS record, SPNs) at once.
  await drsKcc(ctx, HOST_NAME);
  await drsReplicate(ctx, dc.name, HOST_NAME, REPLICATED_NCS);
  await drsReplicate(ctx, HOST_NAME, dc.name, [REPLICATED_NCS[0]!]);
  const dc02: DcEndpoint = { url, ca: readFileSync(caSource), servername };
  const dc01: DcEndpoint = { url: `ldaps://${network.address}:636`, ca: readFileSync(join(labDir, 'private', 'tls', 'ca.pem')), servername: dcFqdn(HOST_NAME) };
  const names = network.dcs.map((d) => d.name);
  const problems = [
    ...(await verifyJoinedDc(dc01, adminPassword, dc.name)).map((p) => `on ${HOST_NAME}: ${p}`),
    ...(await verifyJoinedDc(dc02, adminPassword, dc.name)).map((p) => `on ${dc.name}: ${p}`),
    ...(await verifySeed(dc02, adminPassword, report, names)).map((p) => `on ${dc.name}: ${p}`),
  ];
  return { dc: { name: dc.name, address: dc.address, caSource, pid }, problems, joinMs, startMs, checkMs: performance.now() - t1 };
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
  let undoing: Promise<void> = Promise.resolve();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: undoing the partial start`);
    for (const child of runningChildren) child.kill('SIGTERM');
    undoing = teardown(state).catch((e: unknown) => log(`cleanup failed: ${(e as Error).message}`));
    // Normally start() returns 130 once the undoing is done (and the lock is released); this is for a step that hangs.
    void undoing.finally(() => setTimeout(() => process.exit(130), 2000).unref());
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const network = await setupNetwork(tools, state);
    state.isolation = network.isolation;
    saveState(state);

    const { smbConf, logDir, ms: tProvision } = await provision(tools, labDir, network);
    const { adminPassword, report, bulk, seedMs: tSeed, bulkMs: tBulk } = await seedOffline(smbConf, logDir, network);
    const adminPasswordFile = writeAdminPassword(adminPassword);
    const t3 = performance.now();
    const pid = await launchSamba(tools, network, smbConf, labDir, logDir);
    state.pid = pid;
    saveState(state);
    const url = `ldaps://${network.address}:636`;
    const caSource = join(labDir, 'private', 'tls', 'ca.pem');
    const servername = dcFqdn(HOST_NAME);
    await waitForLdaps({ name: HOST_NAME, url, caSource, servername, pid, dir: labDir, logDir }, adminPassword, (startTime) => {
      state.pidStartTime = startTime;
      saveState(state);
    });
    const tSamba = performance.now() - t3;
    const tReady = performance.now() - tReady0;
    log(`LDAPS answers at ${url} (${HOST_NAME}, samba pid ${pid}); ready ${seconds(tReady)} after start began`);

    // ---- verify the seed on DC01 over LDAPS, while DC02 (if any) joins
    const t4 = performance.now();
    const dc01: DcEndpoint = { url, ca: readFileSync(caSource), servername };
    let tVerify = 0;
    const verifying = verifySeed(dc01, adminPassword, report, [HOST_NAME], bulk).then(
      (problems) => {
        tVerify = performance.now() - t4;
        return problems;
      },
      (error: unknown) => {
        // A bulk load takes up to half an hour: a check that the server cannot answer (Samba's search
        // time limit, at huge) is reported, and the lab is left for the benchmark to measure.
        if (bulk === undefined) throw error;
        tVerify = performance.now() - t4;
        log(`could not verify the bulk-loaded directory over LDAPS: ${(error as Error).message.split('\n')[0]}; leaving the lab running`);
        return [] as string[];
      },
    );
    let joined: Joined | undefined;
    try {
      joined = network.dcs.length > 1 ? await joinSecondDc({ tools, network, state, labDir, adminPassword, adminPasswordFile, report }) : undefined;
    } finally {
      await verifying.catch(() => undefined); // its verdict is read below; do not leave it running
    }
    const problems = await verifying;
    if (joined !== undefined) problems.push(...joined.problems);
    if (problems.length > 0) throw new LabError(`the lab does not match ${LDIF_FILE}:\n  ${problems.join('\n  ')}`);

    const dcs: RunningDc[] = [{ name: HOST_NAME, address: network.address, caSource, pid }, ...(joined ? [joined.dc] : [])];
    const connection = writeConnection({ url, caSource, network, adminPassword, report, pid, labDir, state, dcs });

    const total = performance.now() - t0;
    process.stdout.write(
      `AD lab running: ${url} (StartTLS ${connection.startTlsUrl}), servername ${connection.servername}, ` +
        `${network.isolation === 'netns' ? `namespace ${NETNS}` : 'loopback'}, samba pid ${pid}\n` +
        connection.dcs
          .slice(1)
          .map((dc) => `  and ${dc.name}: ${dc.url}, servername ${dc.servername}, samba pid ${dc.pid}; DNS ${connection.dnsServers.join(', ')}\n`)
          .join('') +
        `ready in ${seconds(tReady)} (provision ${seconds(tProvision)}, seed ${seconds(tSeed)}, ` +
        `${bulk === undefined ? '' : `bulk load ${seconds(tBulk)} (${bulk.counts.add} objects), `}samba to LDAPS bind ${seconds(tSamba)}); ` +
        `verified over LDAPS in ${seconds(tVerify)}; ` +
        (joined
          ? `${joined.dc.name} joined in ${seconds(joined.joinMs)}, answered ${seconds(joined.startMs)} later, replicated and verified in ${seconds(joined.checkMs)}; `
          : '') +
        `${seconds(total)} in all\n` +
        `connection: ${labConnectionFile}\n`,
    );
    return 0;
  } catch (err) {
    // The step the signal broke (a killed samba-tool, a samba gone) lands here: wait for the undoing, or
    // returning would end the process half-way through it.
    if (interrupted) {
      await undoing;
      return 130;
    }
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
  for (const dc of state.joined ?? []) if (dc.pid !== undefined && alive(dc.pid, dc.pidStartTime)) leftovers.push(`${dc.name}'s pid ${dc.pid}`);
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
  const dcLines = conn.dcs
    .map((dc) => {
      const up = isLabSamba(dc.pid, dcDir(conn.labDir, dc.name));
      return `  ${dc.name} ${dc.fqdn} ${dc.url} (StartTLS ${dc.startTlsUrl}), samba pid ${dc.pid}${up ? '' : ' (stopped)'}, CA ${dc.caFile}\n`;
    })
    .join('');
  const dns = conn.dnsServers.length > 0 ? `DNS ${conn.dnsServers.join(', ')}, ` : '';
  if (problem !== undefined) {
    process.stdout.write(`broken: ${problem} (${conn.url}); run "${STOP_COMMAND}"\n${dcLines}`);
    return 1;
  }
  process.stdout.write(
    `running ${conn.url} (StartTLS ${conn.startTlsUrl}), samba pid ${conn.pid}, ` +
      `${conn.isolation === 'netns' ? `namespace ${conn.netns ?? '?'}` : 'loopback'}, ${dns}since ${conn.startedAt}\n` +
      dcLines +
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
    case 'dc':
    case 'repl':
      return dcCommand(process.argv.slice(2));
    default:
      process.stderr.write(
        'usage: tsx test/ad-lab/lab.ts start|stop|status [--name NAME] [--dcs 1|2] [--bulk-ldif FILE] [--backend-store tdb|mdb]\n' +
          '       tsx test/ad-lab/lab.ts dc stop|start DC01|DC02 | repl off|on DC01|DC02 | repl now TO FROM [--name NAME]\n',
      );
      return 2;
  }
}
