/**
 * A throwaway Samba AD DC for delegaudit's integration tests.
 *
 *   npm run lab:start    install Samba if needed (as root), provision CORP.EXAMPLE.COM, seed it
 *                        from mock-ldap/fixtures/lab.ldif, start samba, wait for LDAPS, verify
 *                        the seed over LDAPS and write .ad-lab/connection.json
 *   npm run lab:status   running (exit 0, prints the URL) / stopped (exit 3) / broken (exit 1)
 *   npm run lab:stop     stop samba (only the processes this script started), remove the
 *                        namespace, the lab directory and .ad-lab/*
 *
 * Both start and stop are idempotent. Progress goes to stderr, results to stdout; passwords are
 * never printed nor put on a command line: they live in 0600 files under .ad-lab/.
 *
 * Instances. `--name NAME` (or AD_LAB_NAME=NAME) runs a separate lab beside the default one: its
 * own state directory .ad-lab-NAME/, temp directory, namespace, veth pair and /30, so the
 * benchmark can load a 60,000-object domain (`--bulk-ldif FILE`: change records seeded offline by
 * seed-bulk.py after seed.py) while the tests use the default lab. Without a name, everything is
 * as it always was.
 *
 * Isolation. By default samba runs in a network namespace of its own ("netns" mode): a veth pair
 * joins it to the host on a private /30 picked so it overlaps no address or route already on the
 * machine; samba binds only the namespace end and tests connect to that address. Samba's AD DC
 * listens on many fixed ports (389, 636, 3268, 3269, 88, 464, plus UDP 389/88/464) that cannot be
 * moved, so a namespace is the only way it can never collide with anything on the host (another
 * LDAP server, the mock, Debian's own samba-ad-dc service, a second checkout's lab), and the
 * traffic never leaves the machine. It needs root with CAP_NET_ADMIN/CAP_SYS_ADMIN, which the
 * developers' machines and CI have (they run as root on the same machine kind). Where namespaces
 * cannot be created (e.g. an unprivileged container), start falls back to "loopback" mode: samba
 * binds 127.0.0.1 only, and start refuses with a clear message if any of its ports is taken there.
 * AD_LAB_ISOLATION=netns|loopback forces one mode.
 *
 * Layout: the lab directory is a fresh mkdtemp (`$TMPDIR/delegaudit-ad-lab-XXXXXX`) holding
 * samba's config, databases, sockets, pid file and logs (log/), so nothing goes to /run/samba,
 * /var/lib/samba or /var/log/samba. .ad-lab/state.json records every resource as soon as it is
 * created, so stop can clean up after an interrupted start.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as dgram from "node:dgram";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { basename, delimiter, isAbsolute, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "ldapts";
import {
  labPaths,
  projectRoot,
  readLabConnection,
  type LabConnection,
  type LabUser,
} from "./connection.js";
import { daclAces } from "../../src/ldap/codecs/security-descriptor.js";

// ------------------------------------------------------------------------------------ constants

const REALM = "CORP.EXAMPLE.COM";
const DNS_DOMAIN = "corp.example.com";
const NETBIOS = "CORP";
const HOST_NAME = "DC01";
const DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330";
const BASE_DN = "DC=corp,DC=example,DC=com";
const CONFIG_DN = `CN=Configuration,${BASE_DN}`;
const ADMIN_DN = `CN=Administrator,CN=Users,${BASE_DN}`;
/** The LDIF account that becomes users.reader. */
const READER_SAM = "auditor";

/** `--name NAME` / AD_LAB_NAME: which lab instance; undefined is the default lab the tests use. */
const LAB_NAME = optionValue("--name") ?? process.env["AD_LAB_NAME"];
if (LAB_NAME !== undefined && !/^[a-z][a-z0-9]{0,11}$/.test(LAB_NAME)) {
  process.stderr.write(`[ad-lab] a lab name is 1-12 lower-case letters and digits, starting with a letter (got "${LAB_NAME}")\n`);
  process.exit(2);
}
/** `--bulk-ldif FILE` / AD_LAB_BULK_LDIF: change records to load offline after the lab LDIF (seed-bulk.py). */
const BULK_LDIF = optionValue("--bulk-ldif") ?? process.env["AD_LAB_BULK_LDIF"];
const { stateDir: labStateDir, connectionFile: labConnectionFile } = labPaths(LAB_NAME);
const LDIF_FILE = join(projectRoot, "mock-ldap", "fixtures", "lab.ldif");
const BULK_SEED_SCRIPT = join(projectRoot, "test", "ad-lab", "seed-bulk.py");
/** What to run to stop this instance, for messages. */
const STOP_COMMAND = LAB_NAME === undefined ? "npm run lab:stop" : `npx tsx test/ad-lab/lab.ts stop --name ${LAB_NAME}`;
const SEED_SCRIPT = join(projectRoot, "test", "ad-lab", "seed.py");
const STATE_FILE = join(labStateDir, "state.json");
const SEED_REPORT_FILE = join(labStateDir, "seed-report.json");
const CA_FILE = join(labStateDir, "ca.pem");
/** Samba's Python bindings are in Debian's interpreter, whatever `python3` is on PATH. */
const SYSTEM_PYTHON = "/usr/bin/python3";
const LAB_DIR_PREFIX = LAB_NAME === undefined ? "delegaudit-ad-lab-" : `delegaudit-ad-lab-${LAB_NAME}-`;
const APT_PACKAGES = ["samba", "samba-ad-dc", "samba-ad-provision", "ldap-utils"];
/** Ports samba binds with `server services = ldap, cldap, kdc` (kdc includes kpasswd). */
const TCP_PORTS = [88, 389, 464, 636, 3268, 3269];
const UDP_PORTS = [88, 389, 464];
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** Short, stable per-checkout (and per-instance) id: two clones on one machine get different namespaces. */
const LAB_ID = createHash("sha256")
  .update(LAB_NAME === undefined ? projectRoot : `${projectRoot}\n${LAB_NAME}`)
  .digest("hex")
  .slice(0, 8);
const NETNS = LAB_NAME === undefined ? `delegaudit-lab-${LAB_ID}` : `delegaudit-lab-${LAB_NAME}-${LAB_ID}`;
const VETH_HOST = `dlab${LAB_ID.slice(0, 6)}h`; // at most 15 characters
const VETH_NS = `dlab${LAB_ID.slice(0, 6)}n`;

// ------------------------------------------------------------------------------------ utilities

/** The value after `--flag` on the command line (after the subcommand), or undefined. */
function optionValue(flag: string): string | undefined {
  const index = process.argv.indexOf(flag, 3);
  return index < 0 ? undefined : process.argv[index + 1];
}

function log(msg: string): void {
  process.stderr.write(`[ad-lab] ${msg}\n`);
}

class LabError extends Error {}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Children of `run` still running, so an interrupted start can end them. */
const runningChildren = new Set<ChildProcess>();

/** Run a command to completion, capturing its output (stdin closed unless `input` is given). */
function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
    });
    runningChildren.add(child);
    child.on("exit", () => runningChildren.delete(child));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function mustRun(cmd: string, args: string[], what: string): Promise<RunResult> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new LabError(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r;
}

/** Run with stdout+stderr on our stderr (progress of long steps such as apt-get). */
function runVisible(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const opts: SpawnOptions = { stdio: ["ignore", process.stderr, process.stderr], env };
    const child = spawn(cmd, args, opts);
    child.on("error", reject);
    child.on("close", (code) => resolvePromise(code ?? 1));
  });
}

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin"];
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

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function ensureStateDir(): void {
  mkdirSync(labStateDir, { recursive: true, mode: 0o700 });
  chmodSync(labStateDir, 0o700);
}

/** Write a 0600 file atomically (temp file + rename). */
function writePrivate(file: string, data: string): void {
  ensureStateDir();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A strong random password (AD complexity: upper, lower, digit and symbol are all present). */
function randomPassword(): string {
  return `${randomBytes(18).toString("base64url")}-Aa9`;
}

// ------------------------------------------------------------------------------------ state

interface LabState {
  labDir?: string;
  isolation?: "netns" | "loopback";
  netns?: string;
  vethHost?: string;
  pid?: number;
  /** /proc/PID/stat start time of samba's main process, to tell it from a reused PID. */
  pidStartTime?: string;
  startedAt?: string;
}

function readState(): LabState | undefined {
  let state: LabState | undefined;
  try {
    state = JSON.parse(readFileSync(STATE_FILE, "utf8")) as LabState;
  } catch {
    state = undefined;
  }
  let conn: LabConnection | undefined;
  try {
    conn = readLabConnection(labConnectionFile);
  } catch {
    conn = undefined;
  }
  if (state === undefined && conn === undefined) return undefined;
  return {
    ...(conn
      ? { labDir: conn.labDir, isolation: conn.isolation, pid: conn.pid, startedAt: conn.startedAt }
      : {}),
    ...(conn?.netns !== undefined ? { netns: conn.netns } : {}),
    ...state,
  };
}

function saveState(state: LabState): void {
  writePrivate(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

// ------------------------------------------------------------------------------------ processes

interface ProcInfo {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  startTime: string;
}

function procInfo(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state) of proc(5), so field N is fields[N - 3].
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTime: fields[19] ?? "",
  };
}

/** Alive and not a zombie (a zombie has exited; only its parent's wait is missing). */
function alive(pid: number, startTime?: string): boolean {
  const info = procInfo(pid);
  if (info === undefined || info.state === "Z" || info.state === "X") return false;
  return startTime === undefined || info.startTime === startTime;
}

function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
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
function isLabSamba(pid: number, labDir: string | undefined, startTime?: string): boolean {
  if (!alive(pid, startTime)) return false;
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "");
    if (basename(exe) !== "samba") return false;
    if (labDir === undefined) return true;
    if (readlinkSync(`/proc/${pid}/cwd`) !== labDir) return false;
    const pidFile = join(labDir, "run", "samba.pid");
    return !existsSync(pidFile) || Number(readFileSync(pidFile, "utf8").trim()) === pid;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
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
async function stopSamba(pid: number, startTime: string | undefined): Promise<void> {
  const tree = processTree(pid);
  signal(pid, "SIGTERM");
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  const living = (): number[] => [...tree].filter(([p, st]) => alive(p, st)).map(([p]) => p);
  while (Date.now() < deadline) {
    if (alive(pid, startTime)) for (const [p, st] of processTree(pid)) tree.set(p, st);
    if (living().length === 0) break;
    await sleep(100);
  }
  const left = living();
  if (left.length > 0) {
    log(`samba did not exit within ${seconds(STOP_TIMEOUT_MS)}; sending SIGKILL to ${left.join(", ")}`);
    for (const p of left) signal(p, "SIGKILL");
    const killDeadline = Date.now() + 5000;
    while (living().length > 0 && Date.now() < killDeadline) await sleep(100);
    if (living().length > 0) throw new LabError(`processes ${living().join(", ")} survived SIGKILL`);
  }
  // They have exited; once start has returned, their parent is init (or a subreaper), which reaps
  // them in its own time. Give it a moment so `pgrep samba` right after a stop shows nothing.
  const reapDeadline = Date.now() + 5000;
  const unreaped = (): number[] => [...tree.keys()].filter((p) => procInfo(p) !== undefined && tree.get(p) === procInfo(p)?.startTime);
  while (unreaped().length > 0 && Date.now() < reapDeadline) await sleep(100);
  if (unreaped().length > 0) log(`exited but not yet reaped by their parent: ${unreaped().join(", ")}`);
}

// ------------------------------------------------------------------------------------ packages

interface Tools {
  samba: string;
  sambaTool: string;
  ldapsearch: string;
  ip: string | undefined;
}

async function pythonHasSamba(): Promise<boolean> {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  const r = await run(SYSTEM_PYTHON, ["-c", "import ldb, samba.samdb"]);
  return r.code === 0;
}

async function findTools(): Promise<{ tools: Partial<Tools>; missing: string[] }> {
  const tools: Partial<Tools> = {
    samba: findExecutable("samba"),
    sambaTool: findExecutable("samba-tool"),
    ldapsearch: findExecutable("ldapsearch"),
    ip: findExecutable("ip"),
  };
  const missing: string[] = [];
  if (!tools.samba) missing.push("samba");
  if (!tools.sambaTool) missing.push("samba-tool");
  if (!tools.ldapsearch) missing.push("ldapsearch");
  if (!(await pythonHasSamba())) missing.push(`${SYSTEM_PYTHON} with Samba's bindings`);
  return { tools, missing };
}

function installCommand(packages: string[]): string {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(" ")}`;
}

/** Not root: say what to install if anything is missing, else that samba needs root. Exit 2. */
async function notRoot(): Promise<number> {
  const { tools, missing } = await findTools();
  if (missing.length > 0) {
    const packages = [...APT_PACKAGES, ...(tools.ip ? [] : ["iproute2"])];
    process.stderr.write(
      `The AD lab needs Samba's AD DC and the OpenLDAP tools; missing: ${missing.join(", ")}.\n` +
        `Install them as root:\n  ${installCommand(packages)}\nthen run "npm run lab:start" as root.\n`,
    );
  } else {
    process.stderr.write(
      "The AD lab runs samba, which must run as root (ports below 1024, a network namespace): run it as root.\n",
    );
  }
  return 2;
}

/** As root: install what is missing (Debian packages), then return the tools' paths. */
async function ensurePackages(): Promise<Tools> {
  let { tools, missing } = await findTools();
  const wantIp = process.env["AD_LAB_ISOLATION"] !== "loopback" && !tools.ip;
  if (missing.length > 0 || wantIp) {
    const packages = [...APT_PACKAGES, ...(tools.ip ? [] : ["iproute2"])];
    log(`missing: ${[...missing, ...(tools.ip ? [] : ["ip"])].join(", ")}; installing ${packages.join(" ")}`);
    // Keep the packages' own services (smbd, nmbd, samba-ad-dc) from starting on the host during
    // the install: a policy-rc.d that says "no" (101) for the duration, unless one exists already.
    const policy = "/usr/sbin/policy-rc.d";
    const ownPolicy = !existsSync(policy);
    if (ownPolicy) writeFileSync(policy, "#!/bin/sh\n# delegaudit ad-lab: no service starts during install\nexit 101\n", { mode: 0o755 });
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
      if ((await runVisible("apt-get", ["update"], env)) !== 0) throw new LabError("apt-get update failed");
      const code = await runVisible("apt-get", ["install", "-y", ...packages], env);
      if (code !== 0) throw new LabError(`apt-get install ${packages.join(" ")} failed (exit ${code})`);
    } finally {
      if (ownPolicy) unlinkSync(policy);
    }
    ({ tools, missing } = await findTools());
    if (missing.length > 0) throw new LabError(`still missing after apt-get install: ${missing.join(", ")}`);
  }
  return tools as Tools;
}

// ------------------------------------------------------------------------------------ network

interface Network {
  isolation: "netns" | "loopback";
  /** Address samba binds and clients connect to. */
  address: string;
  /** smb.conf `interfaces` value. */
  interfaces: string;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** IPv4 prefixes already on the machine (addresses and routes), as [first, last] ranges. */
async function usedRanges(ip: string): Promise<Array<[number, number]>> {
  const ranges: Array<[number, number]> = [];
  const add = (addr: string, len: number): void => {
    const size = 2 ** (32 - len);
    const start = Math.floor(ipToInt(addr) / size) * size;
    ranges.push([start, start + size - 1]);
  };
  const addrs = JSON.parse((await mustRun(ip, ["-j", "-4", "addr", "show"], "ip addr")).stdout || "[]") as Array<{
    addr_info?: Array<{ local?: string; prefixlen?: number }>;
  }>;
  for (const link of addrs) for (const a of link.addr_info ?? []) if (a.local) add(a.local, a.prefixlen ?? 32);
  const routes = JSON.parse((await mustRun(ip, ["-j", "-4", "route", "show", "table", "all"], "ip route")).stdout || "[]") as Array<{
    dst?: string;
  }>;
  for (const r of routes) {
    if (!r.dst || r.dst === "default") continue;
    const [addr, len] = r.dst.split("/");
    if (addr && /^\d+\.\d+\.\d+\.\d+$/.test(addr)) add(addr, len === undefined ? 32 : Number(len));
  }
  return ranges;
}

/** A free /30 in 10.213.0.0/16, starting at a per-checkout offset. */
async function pickSubnet(ip: string): Promise<{ hostSide: string; nsSide: string }> {
  const used = await usedRanges(ip);
  const base = ipToInt("10.213.0.0");
  const blocks = 2 ** 14;
  const offset = parseInt(LAB_ID.slice(0, 4), 16) % blocks;
  for (let i = 0; i < blocks; i++) {
    const start = base + ((offset + i) % blocks) * 4;
    const end = start + 3;
    if (used.some(([a, b]) => start <= b && a <= end)) continue;
    return { hostSide: intToIp(start + 1), nsSide: intToIp(start + 2) };
  }
  throw new LabError("no free /30 in 10.213.0.0/16 for the lab namespace");
}

async function namespaceExists(ip: string, name: string): Promise<boolean> {
  const r = await run(ip, ["netns", "list"]);
  return r.code === 0 && r.stdout.split("\n").some((l) => l.split(" ")[0] === name);
}

async function removeNamespace(ip: string | undefined, name: string, vethHost: string | undefined): Promise<void> {
  if (!ip) return;
  if (vethHost) await run(ip, ["link", "del", vethHost]); // absent already: fine
  if (await namespaceExists(ip, name)) await mustRun(ip, ["netns", "del", name], `ip netns del ${name}`);
}

async function setupNamespace(ip: string, state: LabState): Promise<Network> {
  if (await namespaceExists(ip, NETNS)) {
    // Left over from an earlier lab of this checkout whose state file is gone.
    const pids = (await run(ip, ["netns", "pids", NETNS])).stdout.trim();
    if (pids) throw new LabError(`namespace ${NETNS} still has processes (${pids.split("\n").join(", ")}); run "${STOP_COMMAND}"`);
    await removeNamespace(ip, NETNS, VETH_HOST);
  }
  const { hostSide, nsSide } = await pickSubnet(ip);
  await mustRun(ip, ["netns", "add", NETNS], "ip netns add");
  state.netns = NETNS;
  state.vethHost = VETH_HOST;
  saveState(state);
  const steps: string[][] = [
    ["link", "add", VETH_HOST, "type", "veth", "peer", "name", VETH_NS, "netns", NETNS],
    ["addr", "add", `${hostSide}/30`, "dev", VETH_HOST],
    ["link", "set", VETH_HOST, "up"],
    ["-n", NETNS, "addr", "add", `${nsSide}/30`, "dev", VETH_NS],
    ["-n", NETNS, "link", "set", VETH_NS, "up"],
    ["-n", NETNS, "link", "set", "lo", "up"],
  ];
  for (const args of steps) await mustRun(ip, args, `ip ${args.join(" ")}`);
  log(`network namespace ${NETNS}: host ${hostSide}/30 <-> samba ${nsSide}/30`);
  return { isolation: "netns", address: nsSide, interfaces: `${nsSide}/30` };
}

function portFree(port: number, udp: boolean): Promise<boolean> {
  return new Promise((resolvePromise) => {
    if (udp) {
      const sock = dgram.createSocket("udp4");
      sock.once("error", () => resolvePromise(false));
      sock.bind(port, "127.0.0.1", () => sock.close(() => resolvePromise(true)));
    } else {
      const srv = net.createServer();
      srv.once("error", () => resolvePromise(false));
      srv.listen({ host: "127.0.0.1", port, exclusive: true }, () => srv.close(() => resolvePromise(true)));
    }
  });
}

async function setupLoopback(): Promise<Network> {
  const taken: string[] = [];
  for (const p of TCP_PORTS) if (!(await portFree(p, false))) taken.push(`${p}/tcp`);
  for (const p of UDP_PORTS) if (!(await portFree(p, true))) taken.push(`${p}/udp`);
  if (taken.length > 0) {
    throw new LabError(
      `loopback mode: 127.0.0.1 ports ${taken.join(", ")} are already in use (see "ss -ltnup"); ` +
        `samba's AD DC cannot move them. Free them, or run as root where network namespaces work.`,
    );
  }
  return { isolation: "loopback", address: "127.0.0.1", interfaces: "127.0.0.1" };
}

async function setupNetwork(tools: Tools, state: LabState): Promise<Network> {
  const forced = process.env["AD_LAB_ISOLATION"];
  if (forced !== undefined && forced !== "netns" && forced !== "loopback") {
    throw new LabError(`AD_LAB_ISOLATION must be "netns" or "loopback", not "${forced}"`);
  }
  if (forced !== "loopback") {
    if (tools.ip) {
      try {
        return await setupNamespace(tools.ip, state);
      } catch (err) {
        if (forced === "netns") throw err;
        log(`cannot use a network namespace (${(err as Error).message}); falling back to 127.0.0.1`);
        await removeNamespace(tools.ip, NETNS, VETH_HOST);
        delete state.netns;
        delete state.vethHost;
        saveState(state);
      }
    } else if (forced === "netns") {
      throw new LabError("AD_LAB_ISOLATION=netns needs the ip command (iproute2)");
    }
  }
  return setupLoopback();
}

// ------------------------------------------------------------------------------------ LDAP

function ldapClient(url: string, ca: Buffer, timeout = 5000): Client {
  return new Client({ url, connectTimeout: timeout, timeout, tlsOptions: { ca, servername: `${HOST_NAME}.${DNS_DOMAIN}` } });
}

async function canBind(url: string, ca: Buffer, dn: string, password: string, timeout = 5000): Promise<void> {
  const client = ldapClient(url, ca, timeout);
  try {
    await client.bind(dn, password);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Binary objectSid (MS-DTYP 2.4.2.2) to S-1-... text. */
function sidToString(b: Buffer): string {
  const count = b.readUInt8(1);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(b.readUInt32LE(8 + 4 * i));
  return `S-${b.readUInt8(0)}-${b.readUIntBE(2, 6)}${subs.map((x) => `-${x}`).join("")}`;
}

function asStrings(v: Buffer | Buffer[] | string[] | string | undefined): string[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => (typeof x === "string" ? x : x.toString("utf8")));
}

// ------------------------------------------------------------------------------------ seeding

interface LdifEntry {
  dn: string;
  provisioned: boolean;
  attributes: Record<string, string[]>;
  /** Attributes whose values are base64 (binary in the directory). */
  binary?: string[];
}

const RBCD = "msDS-AllowedToActOnBehalfOfOtherIdentity";

/** What seed-bulk.py reports. */
interface BulkReport {
  added: string[];
  /** DNs of the added computers with a migration SPN. */
  hosts: string[];
  counts: { add: number; modify: number };
  seconds: number;
}

interface SeedReport {
  domainDN: string;
  domainSid: string;
  skipped: string[];
  created: string[];
  createdMissingProvisioned: string[];
  reconciled: unknown[];
  primaryGroupChanges: unknown[];
  membersAdded: unknown[];
  drift: Array<{ dn: string; attribute: string | null }>;
  sids: Record<string, { ldif: string | null; samba: string | null }>;
  /** Resource-based delegation set by the seeder: per DN, the ACE SIDs (LDIF's and Samba's). */
  rbcd: Array<{ dn: string; principals: Array<{ ldif: string; samba: string }> }>;
  entries: LdifEntry[];
}

function attr(entry: LdifEntry, name: string): string[] {
  for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() === name.toLowerCase()) return v;
  return [];
}

const normDN = (dn: string): string => dn.replace(/,\s+/g, ",").toLowerCase();

/** Direct LDIF members of the group whose objectSid is DOMAIN-525 (Protected Users). */
function protectedUserDNs(report: SeedReport): Set<string> {
  const group = report.entries.find((e) => attr(e, "objectSid")[0] === `${report.domainSid}-525`);
  return new Set(group ? attr(group, "member").map(normDN) : []);
}

/**
 * Check over LDAPS that Samba now holds the LDIF scenario: every LDIF attribute of created entries
 * (except the system-owned objectSid/whenCreated and the userPassword secret), LDIF members of
 * every group, userAccountControl of provisioned entries; that every seeded password binds; and
 * the Hyper-V migration SPN search the brief uses.
 */
async function verifySeed(url: string, ca: Buffer, adminPassword: string, report: SeedReport, bulk?: BulkReport): Promise<string[]> {
  const problems: string[] = [];
  const skipped = new Set(report.skipped.map(normDN));
  const client = ldapClient(url, ca, 10_000);
  try {
    await client.bind(ADMIN_DN, adminPassword);
    for (const entry of report.entries) {
      if (skipped.has(normDN(entry.dn))) continue;
      const { searchEntries } = await client.search(entry.dn, {
        scope: "base",
        attributes: ["*", RBCD],
        explicitBufferAttributes: ["objectSid", RBCD],
      });
      const got = searchEntries[0];
      if (got === undefined) {
        problems.push(`${entry.dn}: missing`);
        continue;
      }
      const have = (name: string): string[] => {
        for (const [k, v] of Object.entries(got)) if (k.toLowerCase() === name.toLowerCase() && k !== "dn") return asStrings(v);
        return [];
      };
      for (const [name, values] of Object.entries(entry.attributes)) {
        const low = name.toLowerCase();
        if (low === "whencreated" || low === "userpassword") continue;
        if (low === "objectsid") {
          // Well-known SIDs must match; Samba numbers the objects it creates itself (see sidMap).
          const sid = got["objectSid"];
          const text = Buffer.isBuffer(sid) ? sidToString(sid) : "(none)";
          if (entry.provisioned && text !== values[0]) problems.push(`${entry.dn}: objectSid is ${text}, LDIF says ${values[0] ?? ""}`);
          continue;
        }
        const h = have(name);
        if (low === RBCD.toLowerCase()) {
          // Binary: the descriptor's SIDs, mapped to the ones Samba assigned, in the LDIF's order.
          const want = report.rbcd.find((r) => normDN(r.dn) === normDN(entry.dn))?.principals.map((p) => p.samba) ?? ["(not seeded)"];
          const value = got[RBCD];
          const buffer = Array.isArray(value) ? value[0] : value;
          const sids = Buffer.isBuffer(buffer) ? daclAces(buffer).map((ace) => ace.sid) : [];
          if (JSON.stringify(sids) !== JSON.stringify(want)) problems.push(`${entry.dn}: ${RBCD} names [${sids.join("; ")}], expected [${want.join("; ")}]`);
          continue;
        }
        if (low === "member") {
          const hs = new Set(h.map(normDN));
          for (const v of values) if (!hs.has(normDN(v))) problems.push(`${entry.dn}: member ${v} missing`);
          continue;
        }
        if (entry.provisioned && low !== "useraccountcontrol") continue; // drift is reported, not fixed
        const want = values.map((v) => v.toLowerCase()).sort();
        const hv = h.map((v) => v.toLowerCase()).sort();
        const ok = low === "objectclass" ? want.every((v) => hv.includes(v)) : JSON.stringify(want) === JSON.stringify(hv);
        if (!ok) problems.push(`${entry.dn}: ${name} is [${h.join("; ")}], LDIF says [${values.join("; ")}]`);
      }
    }
    // The Hyper-V hosts, found the way delegaudit finds them: by their migration SPN.
    const spnPrefix = "Microsoft Virtual System Migration Service/";
    const { searchEntries } = await client.search(BASE_DN, {
      scope: "sub",
      filter: `(servicePrincipalName=${spnPrefix}*)`,
      attributes: ["msDS-AllowedToDelegateTo", "userAccountControl"],
    });
    const wantHosts = report.entries
      .filter((e) => attr(e, "servicePrincipalName").some((s) => s.startsWith(spnPrefix)))
      .map((e) => normDN(e.dn))
      .concat((bulk?.hosts ?? []).map(normDN))
      .sort();
    const gotHosts = searchEntries.map((e) => normDN(e.dn)).sort();
    if (JSON.stringify(wantHosts) !== JSON.stringify(gotHosts)) {
      problems.push(`SPN search found [${gotHosts.join("; ")}], LDIF has [${wantHosts.join("; ")}]`);
    }
    if (bulk !== undefined) {
      // Every object the bulk load added is there (one paged search for all DNs, not 60,000 reads).
      const present = new Set<string>();
      const pages = client.searchPaginated(BASE_DN, { scope: "sub", filter: "(objectClass=*)", attributes: ["1.1"], paged: { pageSize: 1000 } });
      for await (const page of pages) for (const entry of page.searchEntries) present.add(normDN(entry.dn));
      const absent = bulk.added.filter((dn) => !present.has(normDN(dn)));
      if (absent.length > 0) problems.push(`${absent.length} of ${bulk.added.length} bulk-loaded objects are missing, e.g. ${absent.slice(0, 3).join("; ")}`);
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
  // Every seeded password works for a simple bind over LDAPS, except for members of Protected
  // Users: Samba (like Windows) refuses them NTLM-style authentication, simple binds included,
  // with "data 52f" (STATUS_ACCOUNT_RESTRICTION).
  const protectedUsers = protectedUserDNs(report);
  for (const entry of report.entries) {
    const pw = attr(entry, "userPassword")[0];
    if (pw === undefined || entry.provisioned) continue;
    const refused = protectedUsers.has(normDN(entry.dn));
    try {
      await canBind(url, ca, entry.dn, pw);
      if (refused) problems.push(`${entry.dn}: in Protected Users, yet a simple bind succeeded`);
    } catch (err) {
      const msg = (err as Error).message;
      if (!refused || !msg.includes("data 52f")) problems.push(`${entry.dn}: bind with its LDIF password failed: ${msg}`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------ teardown

/** Undo whatever a (possibly partial) start created, in reverse order. Only our own resources. */
async function teardown(state: LabState): Promise<void> {
  const ip = findExecutable("ip");
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
    const pids = (await run(ip, ["netns", "pids", state.netns])).stdout.split("\n").filter(Boolean).map(Number);
    for (const p of pids) {
      const info = procInfo(p);
      if (info === undefined) continue;
      log(`killing leftover process ${p} (${info.comm}) in ${state.netns}`);
      signal(p, "SIGKILL");
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
      if (name === "connection.json" || name === "state.json" || name === "seed-report.json" || name === "ca.pem" || name.endsWith(".password") || name.endsWith(".tmp")) {
        rmSync(join(labStateDir, name), { force: true });
      }
    }
    // The directory itself goes when the lock is released, if nothing else is in it.
  }
}

// ------------------------------------------------------------------------------------ commands

async function probeRunning(conn: LabConnection): Promise<string | undefined> {
  if (!isLabSamba(conn.pid, conn.labDir)) return `samba (pid ${conn.pid}) is not running`;
  try {
    const password = readFileSync(conn.users.admin.passwordFile, "utf8");
    await canBind(conn.url, readFileSync(conn.caFile), conn.users.admin.dn, password);
  } catch (err) {
    return `LDAPS at ${conn.url} does not answer a bind: ${(err as Error).message}`;
  }
  return undefined;
}

function safeReadConnection(): { conn?: LabConnection; error?: string } {
  try {
    const conn = readLabConnection(labConnectionFile);
    return conn ? { conn } : {};
  } catch (err) {
    return { error: (err as Error).message };
  }
}

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
    log("removing the remains of an earlier lab");
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
    for (const child of runningChildren) child.kill("SIGTERM");
    void teardown(state).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const network = await setupNetwork(tools, state);
    state.isolation = network.isolation;
    saveState(state);

    // ---- provision
    const logDir = join(labDir, "log");
    const runDir = join(labDir, "run");
    mkdirSync(logDir, { mode: 0o700 });
    mkdirSync(runDir, { mode: 0o700 });
    const options: Record<string, string> = {
      interfaces: network.interfaces,
      "bind interfaces only": "yes",
      // Only what an LDAP/Kerberos lab needs: no smbd/winbindd/nbt/dns/drepl/kcc processes.
      "server services": "ldap cldap kdc",
      "prefork children": "2",
      "pid directory": runDir,
      "lock directory": join(labDir, "lock"),
      "state directory": join(labDir, "state"),
      "cache directory": join(labDir, "cache"),
      "private dir": join(labDir, "private"),
      "ncalrpc dir": join(runDir, "ncalrpc"),
      "winbindd socket directory": join(runDir, "winbindd"),
      "ntp signd socket directory": join(runDir, "ntp_signd"),
      "usershare path": join(labDir, "usershares"),
      "log file": join(logDir, "samba.log"),
      logging: "file",
      "log level": "1",
      "panic action": "",
    };
    const provisionLog = join(logDir, "provision.log");
    const t1 = performance.now();
    log(`provisioning ${REALM} in ${labDir}`);
    const prov = await run(tools.sambaTool, [
      "domain",
      "provision",
      `--realm=${REALM}`,
      `--domain=${NETBIOS}`,
      "--server-role=dc",
      "--dns-backend=NONE",
      `--host-name=${HOST_NAME}`,
      `--domain-sid=${DOMAIN_SID}`,
      // A throwaway: the seeder sets the real, random password, which never appears in argv.
      `--adminpass=${randomPassword()}`,
      `--targetdir=${labDir}`,
      ...Object.entries(options).map(([k, v]) => `--option=${k}=${v}`),
    ]);
    writeFileSync(provisionLog, prov.stdout + prov.stderr, { mode: 0o600 });
    if (prov.code !== 0) throw new LabError(`samba-tool domain provision failed:\n${tail(provisionLog)}`);
    const smbConf = join(labDir, "etc", "smb.conf");
    const tProvision = performance.now() - t1;

    // ---- seed (offline, before samba starts)
    const t2 = performance.now();
    const adminPassword = randomPassword();
    const seed = await run(SYSTEM_PYTHON, [SEED_SCRIPT, "--ldif", LDIF_FILE, "--smbconf", smbConf, "--admin-password-stdin"], {
      input: adminPassword,
    });
    writeFileSync(join(logDir, "seed.log"), seed.stderr, { mode: 0o600 });
    if (seed.code !== 0) throw new LabError(`seeding from ${LDIF_FILE} failed:\n${tail(join(logDir, "seed.log"))}`);
    const report = JSON.parse(seed.stdout) as SeedReport;
    const tSeed = performance.now() - t2;
    log(
      `seeded from ${LDIF_FILE}: ${report.created.length} created, ${report.createdMissingProvisioned.length} missing ` +
        `well-known created, ${report.membersAdded.length} member links added, ${report.reconciled.length} reconciled ` +
        `(${seconds(tSeed)})`,
    );
    let bulk: BulkReport | undefined;
    let tBulk = 0;
    if (BULK_LDIF !== undefined) {
      const tBulk0 = performance.now();
      log(`loading ${BULK_LDIF} offline (seed-bulk.py, batched transactions)`);
      const loaded = await run(SYSTEM_PYTHON, [BULK_SEED_SCRIPT, "--changes", BULK_LDIF, "--smbconf", smbConf]);
      writeFileSync(join(logDir, "seed-bulk.log"), loaded.stderr, { mode: 0o600 });
      if (loaded.code !== 0) throw new LabError(`loading ${BULK_LDIF} failed:\n${tail(join(logDir, "seed-bulk.log"))}`);
      bulk = JSON.parse(loaded.stdout) as BulkReport;
      tBulk = performance.now() - tBulk0;
      log(`loaded ${bulk.counts.add} objects and ${bulk.counts.modify} modifications in ${seconds(tBulk)}`);
    }

    // ---- start samba, detached, stdio to a file and nothing else inherited
    const t3 = performance.now();
    const sambaArgs = ["-s", smbConf, "--foreground", "--no-process-group"];
    const [cmd, args] =
      network.isolation === "netns" && tools.ip
        ? [tools.ip, ["netns", "exec", NETNS, tools.samba, ...sambaArgs]] // ip execs samba: same PID
        : [tools.samba, sambaArgs];
    const out = openSync(join(logDir, "samba.stdout.log"), "a", 0o600);
    const child = spawn(cmd, args, { detached: true, stdio: ["ignore", out, out], cwd: labDir });
    closeSync(out);
    const pid = await new Promise<number>((resolvePromise, reject) => {
      child.once("error", reject);
      child.once("spawn", () => resolvePromise(child.pid ?? -1));
    });
    child.unref();
    state.pid = pid;
    saveState(state);

    // ---- wait for LDAPS to answer a bind
    const url = `ldaps://${network.address}:636`;
    const caSource = join(labDir, "private", "tls", "ca.pem");
    const deadline = performance.now() + READY_TIMEOUT_MS;
    let lastError = "not started";
    for (;;) {
      const info = procInfo(pid);
      if (info === undefined || info.state === "Z") {
        throw new LabError(`samba exited during startup:\n${tail(join(logDir, "samba.stdout.log"))}\n${tail(join(logDir, "samba.log"))}`);
      }
      if (state.pidStartTime === undefined && info.comm === "samba") {
        state.pidStartTime = info.startTime; // after exec: `ip netns exec` became samba
        saveState(state);
      }
      if (existsSync(caSource)) {
        try {
          await canBind(url, readFileSync(caSource), ADMIN_DN, adminPassword, 2000);
          break;
        } catch (err) {
          lastError = (err as Error).message;
        }
      }
      if (performance.now() > deadline) {
        throw new LabError(`LDAPS at ${url} did not answer within ${seconds(READY_TIMEOUT_MS)} (${lastError}):\n${tail(join(logDir, "samba.log"))}`);
      }
      await sleep(200);
    }
    if (!isLabSamba(pid, labDir)) throw new LabError(`pid ${pid} is not samba (${procInfo(pid)?.comm ?? "gone"})`);
    const tSamba = performance.now() - t3;
    const tReady = performance.now() - tReady0;
    log(`LDAPS answers at ${url} (samba pid ${pid}); ready ${seconds(tReady)} after start began`);

    // ---- verify the seed over LDAPS
    const t4 = performance.now();
    const ca = readFileSync(caSource);
    const problems = await verifySeed(url, ca, adminPassword, report, bulk);
    if (problems.length > 0) throw new LabError(`the lab does not match ${LDIF_FILE}:\n  ${problems.join("\n  ")}`);
    const tVerify = performance.now() - t4;

    // ---- connection file and secrets
    copyFileSync(caSource, CA_FILE);
    chmodSync(CA_FILE, 0o600);
    const users: Record<string, LabUser> = {};
    const passwordFile = (sam: string): string => join(labStateDir, `${sam}.password`);
    writePrivate(passwordFile("Administrator"), adminPassword);
    users["admin"] = {
      dn: ADMIN_DN,
      upn: `Administrator@${DNS_DOMAIN}`,
      netbios: `${NETBIOS}\\Administrator`,
      sAMAccountName: "Administrator",
      passwordFile: passwordFile("Administrator"),
      canSimpleBind: true,
    };
    const protectedUsers = protectedUserDNs(report);
    for (const entry of report.entries) {
      const pw = attr(entry, "userPassword")[0];
      const sam = attr(entry, "sAMAccountName")[0];
      if (pw === undefined || sam === undefined || entry.provisioned) continue;
      writePrivate(passwordFile(sam), pw);
      const user: LabUser = {
        dn: entry.dn,
        upn: attr(entry, "userPrincipalName")[0] ?? `${sam}@${DNS_DOMAIN}`,
        netbios: `${NETBIOS}\\${sam}`,
        sAMAccountName: sam,
        passwordFile: passwordFile(sam),
        canSimpleBind: !protectedUsers.has(normDN(entry.dn)),
      };
      users[sam === READER_SAM ? "reader" : sam] = user;
    }
    if (users["reader"] === undefined) throw new LabError(`${LDIF_FILE} has no "${READER_SAM}" account with a userPassword`);
    const sidMap: Record<string, string> = {};
    for (const { ldif, samba } of Object.values(report.sids)) if (ldif && samba && ldif !== samba) sidMap[ldif] = samba;
    const { entries: _entries, ...reportWithoutEntries } = report;
    writePrivate(SEED_REPORT_FILE, `${JSON.stringify(reportWithoutEntries, null, 2)}\n`);
    const connection: LabConnection = {
      url,
      startTlsUrl: `ldap://${network.address}:389`,
      host: network.address,
      caFile: CA_FILE,
      servername: `${HOST_NAME}.${DNS_DOMAIN}`,
      baseDN: BASE_DN,
      configurationDN: CONFIG_DN,
      dnsDomain: DNS_DOMAIN,
      realm: REALM,
      netbios: NETBIOS,
      domainSid: DOMAIN_SID,
      users: users as LabConnection["users"],
      sidMap,
      seedReport: SEED_REPORT_FILE,
      isolation: network.isolation,
      ...(network.isolation === "netns" ? { netns: NETNS } : {}),
      pid,
      labDir,
      startedAt: state.startedAt ?? new Date().toISOString(),
    };
    writePrivate(labConnectionFile, `${JSON.stringify(connection, null, 2)}\n`);

    const total = performance.now() - t0;
    process.stdout.write(
      `AD lab running: ${url} (StartTLS ${connection.startTlsUrl}), servername ${connection.servername}, ` +
        `${network.isolation === "netns" ? `namespace ${NETNS}` : "loopback"}, samba pid ${pid}\n` +
        `ready in ${seconds(tReady)} (provision ${seconds(tProvision)}, seed ${seconds(tSeed)}, ` +
        `${bulk === undefined ? "" : `bulk load ${seconds(tBulk)} (${bulk.counts.add} objects), `}samba to LDAPS bind ${seconds(tSamba)}); ` +
        `verified over LDAPS in ${seconds(tVerify)}; ${seconds(total)} in all\n` +
        `connection: ${labConnectionFile}\n`,
    );
    return 0;
  } catch (err) {
    if (interrupted) return 130;
    log(`start failed: ${(err as Error).message}`);
    log("undoing the partial start");
    await teardown(state).catch((e: unknown) => log(`cleanup failed: ${(e as Error).message}`));
    return 1;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

async function stop(): Promise<number> {
  const state = readState();
  const ip = findExecutable("ip");
  if (state === undefined) {
    // No record of a lab; a namespace of this checkout without one is an orphan of a crash.
    if (ip && (await namespaceExists(ip, NETNS))) {
      log(`removing orphaned namespace ${NETNS}`);
      await teardown({ netns: NETNS, vethHost: VETH_HOST });
      process.stdout.write("AD lab stopped (orphaned namespace removed)\n");
      return 0;
    }
    process.stdout.write("AD lab is not running; nothing to do\n");
    return 0;
  }
  await teardown(state);
  // Check that nothing is left: samba's tree, the namespace, a listener on the lab address.
  const leftovers: string[] = [];
  if (state.pid !== undefined && alive(state.pid, state.pidStartTime)) leftovers.push(`pid ${state.pid}`);
  if (state.netns !== undefined && ip && (await namespaceExists(ip, state.netns))) leftovers.push(`namespace ${state.netns}`);
  if (state.isolation === "loopback" && !(await portFree(636, false))) leftovers.push("a listener on 127.0.0.1:636");
  if (leftovers.length > 0) {
    process.stderr.write(`AD lab stop left ${leftovers.join(", ")}\n`);
    return 1;
  }
  process.stdout.write("AD lab stopped\n");
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
    process.stdout.write("stopped\n");
    return 3;
  }
  const problem = await probeRunning(conn);
  if (problem !== undefined) {
    process.stdout.write(`broken: ${problem} (${conn.url}); run "${STOP_COMMAND}"\n`);
    return 1;
  }
  process.stdout.write(
    `running ${conn.url} (StartTLS ${conn.startTlsUrl}), samba pid ${conn.pid}, ` +
      `${conn.isolation === "netns" ? `namespace ${conn.netns ?? "?"}` : "loopback"}, since ${conn.startedAt}\n` +
      `connection: ${labConnectionFile}\n`,
  );
  return 0;
}

const LOCK_FILE = join(labStateDir, "lock");

/**
 * One start/stop at a time per checkout: a lock file holding the owner's PID. A second caller
 * waits (a parallel `lab:start` then finds the lab running); a lock whose owner is gone is taken.
 */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  ensureStateDir();
  const deadline = Date.now() + 180_000;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: "wx", mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(LOCK_FILE, "utf8").trim() || "0");
      if (!(owner > 0 && alive(owner))) {
        rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LabError(`another lab command (pid ${owner}) holds ${LOCK_FILE}`);
      if (!announced) log(`waiting for another lab command (pid ${owner}) to finish`);
      announced = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_FILE, { force: true });
    try {
      if (readdirSync(labStateDir).length === 0) rmdirSync(labStateDir);
    } catch {
      // gone already
    }
  }
}

async function main(): Promise<number> {
  const command = process.argv[2];
  switch (command) {
    case "start":
      if (!isRoot()) return notRoot();
      return withLock(start);
    case "stop":
      return withLock(stop);
    case "status":
      return status();
    default:
      process.stderr.write("usage: tsx test/ad-lab/lab.ts start|stop|status [--name NAME] [--bulk-ldif FILE]\n");
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[ad-lab] ${err instanceof LabError ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
