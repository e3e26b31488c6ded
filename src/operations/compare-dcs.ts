/**
 * `audit --compare-dcs`: the delegation attributes as every DC of the domain holds them, one search
 * per DC, compared account by account (DG006 reports the disagreements).
 */
import { compareStates, type DcComparison, type DelegationState, listDomainControllers, readDelegationStates } from '../directory/domain-controllers.js';
import type { Directory } from '../directory/model.js';
import { endpointFor } from '../ldap/dc-locator.js';
import { type BindCredentials, type LdapConnectOptions, LdapSession, pinned } from '../ldap/session.js';

export interface CompareOptions {
  connect: LdapConnectOptions;
  credentials: BindCredentials | undefined;
  onProgress?: (line: string) => void;
}

/** Reads every DC (the one the audit read first, by its URL) and compares what they hold. */
export async function compareDcs(directory: Pick<Directory, 'url' | 'dc' | 'baseDN'>, options: CompareOptions): Promise<DcComparison> {
  const progress = options.onProgress ?? (() => undefined);
  const read = pinned(options.connect, { name: directory.dc, url: directory.url });
  const first = await LdapSession.open(read, options.credentials);
  let names: string[];
  const byDc: Array<{ dc: string; states: Map<string, DelegationState> }> = [];
  try {
    names = (await listDomainControllers(first)).map((dc) => dc.name);
    byDc.push({ dc: directory.dc, states: await readDelegationStates(first, directory.baseDN) });
  } finally {
    await first.close();
  }
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  const others = names.filter((name) => !same(name, directory.dc));
  progress(`comparing the delegation attributes on ${others.length + 1} DC(s): ${[directory.dc, ...others].join(', ')}`);
  const dcs: DcComparison['dcs'] = [{ dc: directory.dc, reachable: true }];
  const results = await Promise.all(
    others.map(async (dc) => {
      try {
        const session = await LdapSession.open(pinned(options.connect, await endpointFor(dc, { ...options.connect, url: directory.url })), options.credentials);
        try {
          return { dc, states: await readDelegationStates(session, directory.baseDN) };
        } finally {
          await session.close();
        }
      } catch (error) {
        return { dc, error: (error as Error).message };
      }
    }),
  );
  for (const result of results) {
    if (result.states !== undefined) {
      byDc.push({ dc: result.dc, states: result.states });
      dcs.push({ dc: result.dc, reachable: true });
    } else {
      progress(`${result.dc}: not compared: ${result.error}`);
      dcs.push({ dc: result.dc, reachable: false, error: result.error });
    }
  }
  return { dcs, differences: compareStates(byDc) };
}
