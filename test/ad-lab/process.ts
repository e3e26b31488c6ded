/**
 * Running commands, and finding and stopping this lab's sambas by PID (never another process).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NETNS, STOP_TIMEOUT_MS } from './config.js';
import { type Tools } from './packages.js';
import { type Network } from './network.js';

export function log(msg: string): void {
  process.stderr.write(`[ad-lab] ${msg}\n`);
}

export class LabError extends Error {}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Children of `run` still running, so an interrupted start can end them. */
export const runningChildren = new Set<ChildProcess>();

/** Run a command to completion, capturing its output (stdin closed unless `input` is given). */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    runningChildren.add(child);
    child.on('exit', () => runningChildren.delete(child));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function mustRun(cmd: string, args: string[], what: string): Promise<RunResult> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new LabError(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r;
}

/** Run with stdout+stderr on our stderr (progress of long steps such as apt-get). */
export function runVisible(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const opts: SpawnOptions = { stdio: ['ignore', process.stderr, process.stderr], env };
    const child = spawn(cmd, args, opts);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A strong random password (AD complexity: upper, lower, digit and symbol are all present). */
export function randomPassword(): string {
  return `${randomBytes(18).toString('base64url')}-Aa9`;
}

export interface ProcInfo {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  startTime: string;
}

export function procInfo(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5), so field N is fields[N - 3].
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTime: fields[19] ?? '',
  };
}

/** Alive and not a zombie (a zombie has exited; only its parent's wait is missing). */
export function alive(pid: number, startTime?: string): boolean {
  const info = procInfo(pid);
  if (info === undefined || info.state === 'Z' || info.state === 'X') return false;
  return startTime === undefined || info.startTime === startTime;
}

function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** PID plus its descendants and its process-group members (samba's children keep its group). */
function processTree(pid: number): Map<number, string> {
  const procs = allProcs();
  const tree = new Map<number, string>();
  const root = procs.find((p) => p.pid === pid);
  if (root) tree.set(pid, root.startTime);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!tree.has(p.pid) && (tree.has(p.ppid) || p.pgrp === pid)) {
        tree.set(p.pid, p.startTime);
        grew = true;
      }
    }
  }
  return tree;
}

/**
 * Is PID samba's main process of this lab: the samba binary, started in the lab directory (samba
 * rewrites its argv to "samba: root process", so the command line cannot tell), and the PID in
 * the lab's pid file once samba has written it; with the recorded start time, not a reused PID.
 */
export function isLabSamba(pid: number, labDir: string | undefined, startTime?: string): boolean {
  if (!alive(pid, startTime)) return false;
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    if (basename(exe) !== 'samba') return false;
    if (labDir === undefined) return true;
    if (readlinkSync(`/proc/${pid}/cwd`) !== labDir) return false;
    const pidFile = join(labDir, 'run', 'samba.pid');
    return !existsSync(pidFile) || Number(readFileSync(pidFile, 'utf8').trim()) === pid;
  } catch {
    return false;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stop samba's main process and everything it spawned, by PID: SIGTERM to the main process
 * (samba then ends its children), wait, then SIGKILL whatever of that tree is left.
 */
export async function stopSamba(pid: number, startTime: string | undefined): Promise<void> {
  const tree = processTree(pid);
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  const living = (): number[] => [...tree].filter(([p, st]) => alive(p, st)).map(([p]) => p);
  while (Date.now() < deadline) {
    if (alive(pid, startTime)) for (const [p, st] of processTree(pid)) tree.set(p, st);
    if (living().length === 0) break;
    await sleep(100);
  }
  const left = living();
  if (left.length > 0) {
    log(`samba did not exit within ${seconds(STOP_TIMEOUT_MS)}; sending SIGKILL to ${left.join(', ')}`);
    for (const p of left) signal(p, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (living().length > 0 && Date.now() < killDeadline) await sleep(100);
    if (living().length > 0) throw new LabError(`processes ${living().join(', ')} survived SIGKILL`);
  }
  // They have exited; once start has returned, their parent is init (or a subreaper), which reaps
  // them in its own time. Give it a moment so `pgrep samba` right after a stop shows nothing.
  const reapDeadline = Date.now() + 5000;
  const unreaped = (): number[] => [...tree.keys()].filter((p) => procInfo(p) !== undefined && tree.get(p) === procInfo(p)?.startTime);
  while (unreaped().length > 0 && Date.now() < reapDeadline) await sleep(100);
  if (unreaped().length > 0) log(`exited but not yet reaped by their parent: ${unreaped().join(', ')}`);
}

/** Starts samba detached (in the lab's namespace), in its DC's directory, stdio to a file and nothing else inherited; returns its PID. */
export async function launchSamba(
  tools: Pick<Tools, 'samba' | 'ip'>,
  network: Pick<Network, 'isolation'>,
  smbConf: string,
  labDir: string,
  logDir: string,
): Promise<number> {
  const sambaArgs = ['-s', smbConf, '--foreground', '--no-process-group'];
  const [cmd, args] =
    network.isolation === 'netns' && tools.ip
      ? [tools.ip, ['netns', 'exec', NETNS, tools.samba, ...sambaArgs]] // ip execs samba: same PID
      : [tools.samba, sambaArgs];
  const out = openSync(join(logDir, 'samba.stdout.log'), 'a', 0o600);
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], cwd: labDir });
  closeSync(out);
  const pid = await new Promise<number>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolvePromise(child.pid ?? -1));
  });
  child.unref();
  return pid;
}
