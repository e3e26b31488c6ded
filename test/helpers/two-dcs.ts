/**
 * Two mock DCs of corp.example.com (DC01 and DC02, each serving the lab LDIF with the domain's
 * CN=Sites objects) and a test DNS server naming them: the mock side of `--domain`, failover,
 * replication checks and `--compare-dcs`. The mocks never replicate: a write to one stays there.
 */
import { type LdifEntry, loadLdifFile, type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { startTestDns, type TestDns } from './dns-server.js';
import { join } from 'node:path';
import { projectRoot } from '../../mock-ldap/project-root.js';

const LAB_LDIF = join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');

export const SRV = '_ldap._tcp.dc._msdcs.corp.example.com';
const CONFIG = 'CN=Configuration,DC=corp,DC=example,DC=com';
const DOMAIN = 'DC=corp,DC=example,DC=com';

const entry = (dn: string, attributes: Record<string, string[]>): LdifEntry => ({
  dn,
  line: 0,
  attributes: Object.entries(attributes).map(([name, values]) => ({ name, values })),
});

/**
 * CN=Sites with a server and NTDS Settings object per DC, and a DC of another domain of the forest
 * (child.corp.example.com), which holds none of this domain and is never listed.
 */
function sitesEntries(): LdifEntry[] {
  const site = `CN=Default-First-Site-Name,CN=Sites,${CONFIG}`;
  const child = 'DC=child,DC=corp,DC=example,DC=com';
  const servers = ['DC01', 'DC02'].flatMap((dc) => [
    entry(`CN=${dc},CN=Servers,${site}`, { objectClass: ['top', 'server'], cn: [dc], dNSHostName: [`${dc}.corp.example.com`] }),
    entry(`CN=NTDS Settings,CN=${dc},CN=Servers,${site}`, {
      objectClass: ['top', 'applicationSettings', 'nTDSDSA'],
      cn: ['NTDS Settings'],
      hasMasterNCs: [DOMAIN, CONFIG],
    }),
  ]);
  return [
    entry(`CN=Sites,${CONFIG}`, { objectClass: ['top', 'sitesContainer'], cn: ['Sites'] }),
    entry(site, { objectClass: ['top', 'site'], cn: ['Default-First-Site-Name'] }),
    entry(`CN=Servers,${site}`, { objectClass: ['top', 'serversContainer'], cn: ['Servers'] }),
    ...servers,
    entry(`CN=CHILDDC,CN=Servers,${site}`, { objectClass: ['top', 'server'], cn: ['CHILDDC'], dNSHostName: ['childdc.child.corp.example.com'] }),
    entry(`CN=NTDS Settings,CN=CHILDDC,CN=Servers,${site}`, {
      objectClass: ['top', 'applicationSettings', 'nTDSDSA'],
      cn: ['NTDS Settings'],
      hasMasterNCs: [child, CONFIG],
    }),
  ];
}

/** The lab LDIF (or `base`) with the CN=Sites objects (those it does not have already) and fSMORoleOwner naming `pdc`. */
async function twoDcEntries(pdc: 'DC01' | 'DC02' = 'DC01', base?: LdifEntry[]): Promise<LdifEntry[]> {
  const lab = base ?? (await loadLdifFile(LAB_LDIF));
  const have = new Set(lab.map((e) => e.dn.toLowerCase()));
  const owner = `CN=NTDS Settings,CN=${pdc},CN=Servers,CN=Default-First-Site-Name,CN=Sites,${CONFIG}`;
  const withRole = lab.map((e) =>
    e.dn.toLowerCase() === DOMAIN.toLowerCase()
      ? { ...e, attributes: [...e.attributes.filter((a) => a.name.toLowerCase() !== 'fsmoroleowner'), { name: 'fSMORoleOwner', values: [owner] }] }
      : e,
  );
  return [...withRole, ...sitesEntries().filter((e) => !have.has(e.dn.toLowerCase()))];
}

export interface TwoDcs {
  dc01: MockLdap;
  dc02: MockLdap;
  dns: TestDns;
  /** --domain … --dns-server … --starttls --ca-file … --user Administrator (the password in `env`). */
  flags: string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

const port = (url: string): number => Number(new URL(url).port);

/** Both mocks and the DNS server; DC01 first by SRV priority unless `first` says otherwise. */
export async function startTwoDcs(options: { pdc?: 'DC01' | 'DC02'; first?: 'DC01' | 'DC02'; entries?: LdifEntry[] } = {}): Promise<TwoDcs> {
  const entries = await twoDcEntries(options.pdc, options.entries);
  const dc01 = await startMockLdap({ entries, dcName: 'DC01' });
  const dc02 = await startMockLdap({ entries, dcName: 'DC02' });
  const first = options.first ?? 'DC01';
  const dns = await startTestDns({
    srv: [
      { name: SRV, target: 'DC01.corp.example.com', port: port(dc01.url), priority: first === 'DC01' ? 0 : 10 },
      { name: SRV, target: 'DC02.corp.example.com', port: port(dc02.url), priority: first === 'DC02' ? 0 : 10 },
    ],
    a: { 'dc01.corp.example.com': '127.0.0.1', 'dc02.corp.example.com': '127.0.0.1' },
  });
  return {
    dc01,
    dc02,
    dns,
    flags: ['--domain', 'corp.example.com', '--dns-server', dns.server, '--starttls', '--ca-file', dc01.caFile, '--user', 'Administrator@corp.example.com'],
    env: { DELEGAUDIT_PASSWORD: 'Lab-Admin-Passw0rd' },
    close: async () => {
      await Promise.all([dc01.close(), dc02.close(), dns.close()]);
    },
  };
}
