/**
 * Controls of the lab's domain controllers, for tests (they run as root) and, through lab.ts, for
 * people:
 *
 *   stopDc('DC01')                     lab.ts dc stop DC01
 *   startDc('DC01')                    lab.ts dc start DC01
 *   setInboundReplication('DC02', false)   lab.ts repl off DC02   (and true: repl on DC02)
 *   replicateNow('DC02', 'DC01')       lab.ts repl now DC02 DC01
 *
 * Each is idempotent and returns when done: stopDc once that DC's samba (only its own process
 * tree) has exited, its address still configured and the other DC still running; startDc once its
 * LDAPS answers a bind (the connection and state files then carry its new PID); setInboundReplication
 * once the DSA option is written; replicateNow once the destination has pulled the domain and the
 * configuration naming contexts. They act on the lab the connection file describes (.ad-lab/, or the
 * instance AD_LAB_NAME names).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLabConnection, type LabConnection, type LabDc } from './connection.js';
import { dcDir, type DcName, DC_NAMES, HOST_NAME, isDcName, labConnectionFile, STOP_COMMAND } from './config.js';
import { drsOptions, drsReplicate, type DrsContext } from './drs.js';
import { findExecutable, isLabSamba, isRoot, LabError, launchSamba, log, stopSamba } from './process.js';
import { readState, saveState, updateConnectionPid, withLock } from './state.js';
import { waitForLdaps } from './verify.js';

export type { DcName };

function lab(): LabConnection {
  const conn = readLabConnection(labConnectionFile);
  if (conn === undefined) throw new LabError(`the AD lab is not running (no ${labConnectionFile}); run "npm run lab:start"`);
  return conn;
}

function dcOf(conn: LabConnection, name: string): LabDc {
  const dc = conn.dcs.find((d) => d.name === name);
  if (dc === undefined) throw new LabError(`the lab has no DC ${name} (it has ${conn.dcs.map((d) => d.name).join(', ')})`);
  return dc;
}

function tool(name: string): string {
  const path = findExecutable(name);
  if (path === undefined) throw new LabError(`${name} not found; run "npm run lab:start" first (it installs Samba)`);
  return path;
}

function drsContext(conn: LabConnection): DrsContext {
  if (conn.isolation !== 'netns') throw new LabError('replication needs two DCs, which only a lab in a network namespace has');
  return {
    sambaTool: tool('samba-tool'),
    ip: tool('ip'),
    dcs: conn.dcs.map((dc) => ({ name: dc.name, address: dc.address, dir: dcDir(conn.labDir, dc.name) })),
    adminPasswordFile: conn.users.admin.passwordFile,
  };
}

/** The recorded start time of a DC's samba (state.json), to tell it from a reused PID. */
function recordedStartTime(name: string): string | undefined {
  const state = readState();
  return name === HOST_NAME ? state?.pidStartTime : state?.joined?.find((j) => j.name === name)?.pidStartTime;
}

/** Record a DC's new samba in state.json (as soon as it is known) and in the connection file. */
function recordPid(name: string, pid: number, startTime?: string): void {
  const state = readState() ?? {};
  if (name === HOST_NAME) {
    state.pid = pid;
    if (startTime === undefined) delete state.pidStartTime;
    else state.pidStartTime = startTime;
  } else {
    const joined = state.joined?.find((j) => j.name === name);
    if (joined === undefined) throw new LabError(`state.json does not know ${name}; run "${STOP_COMMAND}" and start the lab again`);
    joined.pid = pid;
    if (startTime === undefined) delete joined.pidStartTime;
    else joined.pidStartTime = startTime;
  }
  saveState(state);
  updateConnectionPid(name, pid);
}

/** Stops that DC's samba and everything it spawned, by PID; the other DC keeps running. A stopped DC stays stopped. */
export async function stopDc(name: DcName): Promise<void> {
  await withLock(async () => {
    const conn = lab();
    const dc = dcOf(conn, name);
    const dir = dcDir(conn.labDir, name);
    const startTime = recordedStartTime(name);
    if (!isLabSamba(dc.pid, dir, startTime)) return; // stopped already
    log(`stopping ${name} (samba pid ${dc.pid})`);
    await stopSamba(dc.pid, startTime);
  });
}

/** Starts that DC's samba again (if it is not running) and waits until its LDAPS answers an admin bind. */
export async function startDc(name: DcName): Promise<void> {
  await withLock(async () => {
    const conn = lab();
    const dc = dcOf(conn, name);
    const dir = dcDir(conn.labDir, name);
    const logDir = join(dir, 'log');
    const password = readFileSync(conn.users.admin.passwordFile, 'utf8');
    const starting = { name, url: dc.url, caSource: join(dir, 'private', 'tls', 'ca.pem'), servername: dc.servername, dir, logDir };
    if (isLabSamba(dc.pid, dir, recordedStartTime(name))) {
      await waitForLdaps({ ...starting, pid: dc.pid }, password, () => undefined); // running: answers now, or soon
      return;
    }
    if (!isRoot()) throw new LabError('starting samba needs root');
    const samba = tool('samba');
    const ip = conn.isolation === 'netns' ? tool('ip') : undefined;
    log(`starting ${name}`);
    const pid = await launchSamba({ samba, ip }, { isolation: conn.isolation }, join(dir, 'etc', 'smb.conf'), dir, logDir);
    recordPid(name, pid);
    await waitForLdaps({ ...starting, pid }, password, (startTime) => recordPid(name, pid, startTime));
    log(`${name} answers at ${dc.url} (samba pid ${pid})`);
  });
}

/**
 * Turns inbound replication of that DC off (`samba-tool drs options DC --dsa-option=+DISABLE_INBOUND_REPL`,
 * as the Administrator through PASSWD_FILE) or on again (-DISABLE_INBOUND_REPL). While it is off the DC
 * takes no change from the other one, by notification, schedule or replicateNow.
 */
export async function setInboundReplication(name: DcName, enabled: boolean): Promise<void> {
  const ctx = drsContext(lab());
  const options = await drsOptions(ctx, name, `${enabled ? '-' : '+'}DISABLE_INBOUND_REPL`);
  if (options.includes('DISABLE_INBOUND_REPL') === enabled) {
    throw new LabError(`${name}'s DSA options are [${options.join(', ')}] after turning inbound replication ${enabled ? 'on' : 'off'}`);
  }
}

/** `samba-tool drs replicate TO FROM` of the domain and the configuration naming contexts; returns once TO has them. */
export async function replicateNow(to: DcName, from: DcName): Promise<void> {
  if (to === from) throw new LabError(`replicateNow: ${to} cannot replicate from itself`);
  await drsReplicate(drsContext(lab()), to, from);
}

const USAGE = 'usage: tsx test/ad-lab/lab.ts dc stop|start DC01|DC02 | repl off|on DC01|DC02 | repl now TO FROM   [--name NAME]';

function dcArg(value: string | undefined): DcName {
  const name = value?.toUpperCase();
  if (!isDcName(name)) throw new LabError(`${USAGE}\n(a DC is ${DC_NAMES.join(' or ')}, not "${value ?? ''}")`);
  return name;
}

/** `lab.ts dc …` and `lab.ts repl …`. */
export async function dcCommand(args: string[]): Promise<number> {
  const [group, action, first, second] = args;
  if (group === 'dc' && action === 'stop') {
    await stopDc(dcArg(first));
    process.stdout.write(`${dcArg(first)} stopped\n`);
  } else if (group === 'dc' && action === 'start') {
    await startDc(dcArg(first));
    const dc = dcOf(lab(), dcArg(first));
    process.stdout.write(`${dc.name} running: ${dc.url} (samba pid ${dc.pid})\n`);
  } else if (group === 'repl' && (action === 'off' || action === 'on')) {
    await setInboundReplication(dcArg(first), action === 'on');
    process.stdout.write(`inbound replication of ${dcArg(first)} ${action}\n`);
  } else if (group === 'repl' && action === 'now') {
    await replicateNow(dcArg(first), dcArg(second));
    process.stdout.write(`${dcArg(first)} has replicated from ${dcArg(second)}\n`);
  } else {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return 0;
}
