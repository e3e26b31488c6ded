/**
 * The system packages the lab needs (Debian's samba, samba-ad-dc, samba-ad-provision,
 * ldap-utils), installed with apt-get when missing.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { APT_PACKAGES, SYSTEM_PYTHON } from './config.js';
import { findExecutable, LabError, log, run, runVisible } from './process.js';

export interface Tools {
  samba: string;
  sambaTool: string;
  ldapsearch: string;
  ip: string | undefined;
}

async function pythonHasSamba(): Promise<boolean> {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  const r = await run(SYSTEM_PYTHON, ['-c', 'import ldb, samba.samdb']);
  return r.code === 0;
}

async function findTools(): Promise<{ tools: Partial<Tools>; missing: string[] }> {
  const tools: Partial<Tools> = {
    samba: findExecutable('samba'),
    sambaTool: findExecutable('samba-tool'),
    ldapsearch: findExecutable('ldapsearch'),
    ip: findExecutable('ip'),
  };
  const missing: string[] = [];
  if (!tools.samba) missing.push('samba');
  if (!tools.sambaTool) missing.push('samba-tool');
  if (!tools.ldapsearch) missing.push('ldapsearch');
  if (!findExecutable('kinit')) missing.push('kinit');
  if (!(await pythonHasSamba())) missing.push(`${SYSTEM_PYTHON} with Samba's bindings`);
  return { tools, missing };
}

function installCommand(packages: string[]): string {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
}

/** Not root: say what to install if anything is missing, else that samba needs root. Exit 2. */
export async function notRoot(): Promise<number> {
  const { tools, missing } = await findTools();
  if (missing.length > 0) {
    const packages = [...APT_PACKAGES, ...(tools.ip ? [] : ['iproute2'])];
    process.stderr.write(
      `The AD lab needs Samba's AD DC, the OpenLDAP tools and the Kerberos client; missing: ${missing.join(', ')}.\n` +
        `Install them as root:\n  ${installCommand(packages)}\nthen run "npm run lab:start" as root.\n`,
    );
  } else {
    process.stderr.write('The AD lab runs samba, which must run as root (ports below 1024, a network namespace): run it as root.\n');
  }
  return 2;
}

/** As root: install what is missing (Debian packages), then return the tools' paths. */
export async function ensurePackages(): Promise<Tools> {
  let { tools, missing } = await findTools();
  const wantIp = process.env['AD_LAB_ISOLATION'] !== 'loopback' && !tools.ip;
  if (missing.length > 0 || wantIp) {
    const packages = [...APT_PACKAGES, ...(tools.ip ? [] : ['iproute2'])];
    log(`missing: ${[...missing, ...(tools.ip ? [] : ['ip'])].join(', ')}; installing ${packages.join(' ')}`);
    // Keep the packages' own services (smbd, nmbd, samba-ad-dc) from starting on the host during
    // the install: a policy-rc.d that says "no" (101) for the duration, unless one exists already.
    const policy = '/usr/sbin/policy-rc.d';
    const ownPolicy = !existsSync(policy);
    if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# delegaudit ad-lab: no service starts during install\nexit 101\n', { mode: 0o755 });
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      if ((await runVisible('apt-get', ['update'], env)) !== 0) throw new LabError('apt-get update failed');
      const code = await runVisible('apt-get', ['install', '-y', ...packages], env);
      if (code !== 0) throw new LabError(`apt-get install ${packages.join(' ')} failed (exit ${code})`);
    } finally {
      if (ownPolicy) unlinkSync(policy);
    }
    ({ tools, missing } = await findTools());
    if (missing.length > 0) throw new LabError(`still missing after apt-get install: ${missing.join(', ')}`);
  }
  return tools as Tools;
}
