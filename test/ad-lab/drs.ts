/**
 * `samba-tool drs` against the lab's DCs: replication links (kcc), forced replication (replicate)
 * and DSA options (options). Run inside the lab's namespace, as the DC's machine account (`-P`,
 * read from that DC's secrets.ldb) or, where that is not enough, as the Administrator through
 * PASSWD_FILE: no password ever appears on a command line.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BASE_DN, CONFIG_DN, NETBIOS, NETNS } from './config.js';
import { LabError, run, type RunResult } from './process.js';

/** One DC as samba-tool needs it: its name, the address it listens on, its directory (DIR/etc/smb.conf). */
export interface DrsDc {
  name: string;
  address: string;
  dir: string;
}

export interface DrsContext {
  sambaTool: string;
  /** The ip command, to run inside the namespace (where the DCs' names resolve). */
  ip: string;
  dcs: DrsDc[];
  /** The Administrator's 0600 password file. */
  adminPasswordFile: string;
}

/** The naming contexts `replicate` syncs: the domain's, then the configuration (a few ms more). */
export const REPLICATED_NCS = [BASE_DN, CONFIG_DN];

function dcOf(ctx: DrsContext, name: string): DrsDc {
  const dc = ctx.dcs.find((d) => d.name.toUpperCase() === name.toUpperCase());
  if (dc === undefined) throw new LabError(`the lab has no DC ${name} (it has ${ctx.dcs.map((d) => d.name).join(', ')})`);
  return dc;
}

async function sambaTool(ctx: DrsContext, dc: DrsDc, args: string[], as: 'machine' | 'admin'): Promise<RunResult> {
  const smbConf = join(dc.dir, 'etc', 'smb.conf');
  const creds = as === 'machine' ? ['-P'] : [`-U${NETBIOS}\\Administrator`];
  const env = as === 'admin' ? { ...process.env, PASSWD_FILE: ctx.adminPasswordFile } : process.env;
  const r = await run(ctx.ip, ['netns', 'exec', NETNS, ctx.sambaTool, ...args, '-s', smbConf, ...creds], { env });
  if (r.code !== 0) {
    const lines = (r.stderr || r.stdout).trim().split('\n');
    const error = lines.find((l) => l.startsWith('ERROR')) ?? lines.filter((l) => /WERR_|NT_STATUS_|failed/.test(l)).pop() ?? lines.pop() ?? '';
    throw new LabError(`samba-tool ${args.slice(0, 2).join(' ')} on ${dc.name} failed (exit ${r.code}): ${error.trim()}`);
  }
  return r;
}

/** How long `drsReplicate` retries a sync that failed for a passing reason. */
const REPLICATE_RETRY_MS = 15_000;

/**
 * Has `to` pull `nc` from `from` now and waits until it has (`samba-tool drs replicate TO FROM NC`,
 * synchronous). Fails at once while replication is disabled (DISABLE_INBOUND_REPL on `to`, …_OUTBOUND_…
 * on `from`). Other failures are retried for up to 15 s: right after `from` restarts, `to` still holds
 * its DRS connection to the old process, and its first sync fails with WERR_NETNAME_DELETED.
 */
export async function drsReplicate(ctx: DrsContext, to: string, from: string, ncs: string[] = REPLICATED_NCS): Promise<void> {
  const dest = dcOf(ctx, to);
  const source = dcOf(ctx, from);
  for (const nc of ncs) {
    const deadline = Date.now() + REPLICATE_RETRY_MS;
    for (;;) {
      try {
        await sambaTool(ctx, dest, ['drs', 'replicate', dest.address, source.name, nc], 'machine');
        break;
      } catch (err) {
        if ((err as Error).message.includes('DISABLED') || Date.now() > deadline) throw err;
        await sleep(250);
      }
    }
  }
}

/** Runs the KCC on `dc` now, so that it has a replication link from every DC it knows of. */
export async function drsKcc(ctx: DrsContext, name: string): Promise<void> {
  const dc = dcOf(ctx, name);
  await sambaTool(ctx, dc, ['drs', 'kcc', dc.address], 'machine');
}

/** The DSA options of `dc` (IS_GC, DISABLE_INBOUND_REPL, ...), as samba-tool names them. */
export async function drsOptions(ctx: DrsContext, name: string, change?: string): Promise<string[]> {
  const dc = dcOf(ctx, name);
  // The machine account may not write its own NTDS Settings; the Administrator may.
  const r = await sambaTool(ctx, dc, ['drs', 'options', dc.address, ...(change === undefined ? [] : [`--dsa-option=${change}`])], 'admin');
  const line = r.stdout
    .split('\n')
    .filter((l) => /^(Current|New) DSA options:/.test(l))
    .pop();
  if (line === undefined) throw new LabError(`samba-tool drs options on ${dc.name} printed no options: ${r.stdout.trim()}`);
  return line
    .replace(/^.*options:/, '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}
