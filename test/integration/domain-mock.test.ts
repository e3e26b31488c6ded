/**
 * `--domain` on two mock DCs and a test DNS server: SRV discovery, failover, where fix writes,
 * --verify-replication and --compare-dcs. The mocks never replicate, so a write to one is the
 * "not yet" case, and a rollback that puts it back is the converged one. The Samba lab's two real
 * DCs, which do replicate, are in domain-lab.test.ts.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { type JournalOutcome, readJournal } from '../../src/fix/journal.js';
import { locateDomainControllers, orderSrv } from '../../src/ldap/dc-locator.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp.js';
import { labWithHosts } from '../helpers/synthetic-domain.js';
import { SRV, startTwoDcs, type TwoDcs } from '../helpers/two-dcs.js';
import { audit } from '../../src/index.js';

const MIG = 'Microsoft Virtual System Migration Service';

interface JsonReport {
  directory: { dc: string };
  findings: Array<{ rule: string; subject: { sAMAccountName: string }; details: { dcs?: Array<{ dc: string; allowedToDelegateTo: string[] }> } }>;
  comparedDcs?: Array<{ dc: string; reachable: boolean }>;
}

const findingKeys = (report: JsonReport): string[] => report.findings.map((f) => `${f.rule} ${f.subject.sAMAccountName}`).sort();

describe('--domain: DNS SRV discovery and failover [mock]', () => {
  let dcs: TwoDcs;
  beforeEach(async () => {
    dcs = await startTwoDcs();
  });
  afterEach(async () => {
    await dcs.close();
  });

  const audit = (extra: string[] = [], flags = dcs.flags) => runCli(['audit', ...flags, '--format', 'json', ...extra], dcs.env);

  it('finds both DCs by SRV, reads the first, names it in the report, and reports what --url reports', async () => {
    const byDomain = await audit();
    expect(byDomain.code, byDomain.stderr).to.equal(1);
    expect(byDomain.stderr).to.contain(`DNS names 2 DC(s) for corp.example.com (${SRV}): DC01.corp.example.com, DC02.corp.example.com`);
    expect(dcs.dns.asked).to.include(`SRV ${SRV}`);
    const report = JSON.parse(byDomain.stdout) as JsonReport;
    expect(report.directory.dc).to.equal('dc01.corp.example.com');
    const byUrl = await runCli(
      [
        'audit',
        '--url',
        dcs.dc01.ldapsUrl!,
        '--ca-file',
        dcs.dc01.caFile,
        '--tls-servername',
        'dc01.corp.example.com',
        '--user',
        'Administrator@corp.example.com',
        '--format',
        'json',
      ],
      dcs.env,
    );
    expect(findingKeys(report)).to.deep.equal(findingKeys(JSON.parse(byUrl.stdout) as JsonReport));
  });

  it('names the DC read, with its URL, at the head of the table, Markdown and HTML reports', async () => {
    const where = `dc01.corp.example.com, ${dcs.dc01.url}`;
    expect((await runCli(['audit', ...dcs.flags], dcs.env)).stdout).to.contain(`delegaudit 0.1.0: corp.example.com (${where})`);
    expect((await audit(['--format', 'markdown'])).stdout).to.contain(where);
    expect((await audit(['--format', 'html'])).stdout).to.contain(`<p class="meta">${where} ·`);
  });

  it('tries the lower SRV priority first', async () => {
    await dcs.close();
    dcs = await startTwoDcs({ first: 'DC02' });
    const r = await audit();
    expect((JSON.parse(r.stdout) as JsonReport).directory.dc).to.equal('dc02.corp.example.com');
  });

  it('with --site, asks for the site SRV name', async () => {
    const site = '_ldap._tcp.Branch._sites.dc._msdcs.corp.example.com';
    dcs.dns.table.srv.push({ name: site, target: 'DC02.corp.example.com', port: Number(new URL(dcs.dc02.url).port) });
    const r = await audit(['--site', 'Branch']);
    expect(r.stderr).to.contain(`DNS names 1 DC(s) for corp.example.com (${site}): DC02.corp.example.com`);
    expect((JSON.parse(r.stdout) as JsonReport).directory.dc).to.equal('dc02.corp.example.com');
  });

  it('fails over when the first DC refuses connections, says so, and reports the same findings from the second', async () => {
    const before = JSON.parse((await audit()).stdout) as JsonReport;
    dcs.dc01.faults.refuseConnections = true;
    const r = await audit();
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/DC01\.corp\.example\.com did not answer \(.*\); trying DC02\.corp\.example\.com/);
    const after = JSON.parse(r.stdout) as JsonReport;
    expect(after.directory.dc).to.equal('dc02.corp.example.com');
    expect(findingKeys(after)).to.deep.equal(findingKeys(before));
  });

  it('fails over when the first DC answers the bind busy (51) or unavailable (52)', async () => {
    for (const code of [51, 52]) {
      dcs.dc01.faults.clear();
      dcs.dc01.faults.add({ on: 'bind', action: { type: 'result', code, message: 'not now' } });
      const r = await audit();
      expect(r.stderr, `result ${code}`).to.contain('trying DC02.corp.example.com');
      expect((JSON.parse(r.stdout) as JsonReport).directory.dc).to.equal('dc02.corp.example.com');
    }
  });

  it('reads the whole directory again on the next DC when the first drops the connection mid-read: one DC per report', async () => {
    dcs.dc01.faults.add({ on: 'search', nth: 4, action: { type: 'close' } });
    const r = await audit(['--retry-delay', '0']);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/reading again in 0 ms on a new connection to ldap:\/\/127\.0\.0\.1:\d+/);
    expect((JSON.parse(r.stdout) as JsonReport).directory.dc).to.equal('dc02.corp.example.com');
  });

  it('never tries another DC after a refused bind (the same password would be refused there and count towards a lockout)', async () => {
    const r = await runCli(['audit', ...dcs.flags], { DELEGAUDIT_PASSWORD: 'wrong' });
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('bind as Administrator@corp.example.com refused');
    expect(r.stderr).not.to.contain('trying DC02');
    expect(dcs.dc02.stats.binds ?? 0).to.equal(0);
  });

  it('exits 3 naming every DC when none answers, and when DNS has no SRV record', async () => {
    dcs.dc01.faults.refuseConnections = true;
    dcs.dc02.faults.refuseConnections = true;
    const none = await audit();
    expect(none.code).to.equal(3);
    expect(none.stderr).to.match(/no DC answered: DC01\.corp\.example\.com: .*; DC02\.corp\.example\.com: /);
    const unknown = await audit(
      [],
      dcs.flags.map((f) => (f === 'corp.example.com' ? 'other.example.com' : f)),
    );
    expect(unknown.code).to.equal(3);
    expect(unknown.stderr).to.contain(`DNS from ${dcs.dns.server} has no DC for _ldap._tcp.dc._msdcs.other.example.com: no such name`);
    expect(unknown.stderr).not.to.match(/\n\s+at /);
  });

  it('refuses --url with --domain, and --site or --dns-server without it (exit 2)', async () => {
    const both = await runCli(['audit', ...dcs.flags, '--url', dcs.dc01.ldapsUrl!], dcs.env);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.contain('--url and --domain both name where to connect: give one');
    const site = await runCli(['audit', '--url', dcs.dc01.ldapsUrl!, '--site', 'Branch', '--user', 'x@corp.example.com'], dcs.env);
    expect(site.code).to.equal(2);
    expect(site.stderr).to.contain('--site goes with --domain');
  });
});

describe('orderSrv: RFC 2782 order', () => {
  const target = (name: string, priority: number, weight: number) => ({ name, port: 389, priority, weight });
  it('puts lower priorities first, whatever the weights', () => {
    const ordered = orderSrv([target('b', 10, 100), target('a', 0, 0), target('c', 5, 50)], () => 0.5);
    expect(ordered.map((t) => t.name)).to.deep.equal(['a', 'c', 'b']);
  });
  it('draws within a priority in proportion to the weights', () => {
    const firsts = { heavy: 0, light: 0 };
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 2000; i += 1) {
      const [first] = orderSrv([target('light', 0, 10), target('heavy', 0, 90)], random);
      firsts[first!.name as 'heavy' | 'light'] += 1;
    }
    expect(firsts.heavy / 2000).to.be.within(0.85, 0.95);
  });
  it('refuses a domain that is not a DNS name before asking DNS', async () => {
    const error = await locateDomainControllers({ domain: 'corp example' }).catch((e: unknown) => e);
    expect((error as Error).message).to.contain('is not a DNS domain name');
  });
});

describe('fix on two DCs: where it writes, --verify-replication, --compare-dcs [mock]', () => {
  let dcs: TwoDcs;
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('delegaudit-dcs-');
  });
  afterEach(async () => {
    await dcs.close();
  });

  const delegation = (mock: TwoDcs['dc01'], sam: string): string[] =>
    mock.getEntry(`CN=${sam.replace('$', '')},OU=Hyper-V,DC=corp,DC=example,DC=com`)?.get('msDS-AllowedToDelegateTo') ?? [];

  it('writes where it read, verifies: "not yet" on the DC that did not get it (exit 5), journal complete; a rollback converges (exit 0)', async () => {
    dcs = await startTwoDcs();
    const journal = join(dir, 'fix.jsonl');
    const fix = await runCli(['fix', ...dcs.flags, '--apply', '--yes', '--journal', journal, '--verify-replication', '--wait', '2'], dcs.env);
    expect(fix.code, fix.stderr + fix.stdout).to.equal(5);
    expect(fix.stdout).to.match(/Apply|Applied: \d+ done/);
    expect(fix.stdout).to.match(/dc01\.corp\.example\.com\s+written here/i);
    expect(fix.stdout).to.match(/DC02\.corp\.example\.com\s+not yet after 2 s: HV02\$, HV03\$ still differ/);
    expect(delegation(dcs.dc01, 'HV03$').some((v) => v.startsWith(MIG))).to.equal(true);
    expect(delegation(dcs.dc02, 'HV03$')).to.deep.equal([]);
    const lines = readJournal(journal);
    const intents = lines.filter((l) => l.type === 'intent').length;
    expect(lines.filter((l): l is JournalOutcome => l.type === 'done')).to.have.length(intents);
    expect(lines.at(-1)).to.include({ type: 'end' });

    // Nothing left to write, and a second verification still says where it is missing.
    const second = await runCli(
      ['fix', ...dcs.flags, '--apply', '--yes', '--journal', join(dir, 'second.jsonl'), '--verify-replication', '--wait', '1'],
      dcs.env,
    );
    expect(second.code, second.stderr + second.stdout).to.equal(5);
    expect(second.stdout).to.contain('Nothing to do: the directory already matches.');
    expect(second.stdout).to.match(/DC02\.corp\.example\.com\s+not yet after 1 s: HV02\$, HV03\$ still differ/);

    const compared = await runCli(['audit', ...dcs.flags, '--compare-dcs', '--format', 'json'], dcs.env);
    const report = JSON.parse(compared.stdout) as JsonReport;
    expect(report.comparedDcs?.map((d) => d.dc)).to.deep.equal(['dc01.corp.example.com', 'DC02.corp.example.com']);
    const differ = report.findings.filter((f) => f.rule === 'DG006');
    expect(differ.map((f) => f.subject.sAMAccountName)).to.deep.equal(['HV02$', 'HV03$']);
    const views = differ.find((f) => f.subject.sAMAccountName === 'HV03$')!.details.dcs!;
    expect(views.map((v) => v.dc)).to.deep.equal(['dc01.corp.example.com', 'DC02.corp.example.com']);
    expect(views[0]!.allowedToDelegateTo.length).to.be.above(views[1]!.allowedToDelegateTo.length);
    expect(compared.stderr).to.match(/account\(s\) differ between dc01\.corp\.example\.com, DC02\.corp\.example\.com/);

    const rollback = await runCli(
      ['rollback', journal, ...dcs.flags, '--apply', '--yes', '--journal', join(dir, 'rb.jsonl'), '--verify-replication', '--wait', '5'],
      dcs.env,
    );
    expect(rollback.code, rollback.stderr + rollback.stdout).to.equal(0);
    expect(rollback.stderr).to.contain('restoring on the DC the journal names (DC01.corp.example.com');
    expect(rollback.stdout).to.match(/DC02\.corp\.example\.com\s+converged after [\d.]+ s/);
    const agree = await runCli(['audit', ...dcs.flags, '--compare-dcs', '--format', 'json'], dcs.env);
    expect((JSON.parse(agree.stdout) as JsonReport).findings.filter((f) => f.rule === 'DG006')).to.have.length(0);
    expect(agree.stderr).to.contain('dc01.corp.example.com, DC02.corp.example.com agree on every delegation');
  });

  it('--write-dc pdc reads and writes on the PDC emulator (fSMORoleOwner), not the first DC DNS names', async () => {
    dcs = await startTwoDcs({ pdc: 'DC02' });
    const fix = await runCli(['fix', ...dcs.flags, '--host', 'HV03', '--write-dc', 'pdc', '--apply', '--yes', '--journal', join(dir, 'pdc.jsonl')], dcs.env);
    expect(fix.code, fix.stderr).to.equal(0);
    expect(fix.stderr).to.contain(`--write-dc pdc: reading the plan from and writing it to ${dcs.dc02.url}`);
    expect(delegation(dcs.dc02, 'HV03$').some((v) => v.startsWith(MIG))).to.equal(true);
    expect(delegation(dcs.dc01, 'HV03$')).to.deep.equal([]);
    const named = await runCli(
      ['fix', ...dcs.flags, '--host', 'HV03', '--write-dc', 'DC01', '--apply', '--yes', '--journal', join(dir, 'named.jsonl')],
      dcs.env,
    );
    expect(named.code, named.stderr).to.equal(0);
    expect(named.stderr).to.contain(`writing it to ${dcs.dc01.url}`);
    expect(delegation(dcs.dc01, 'HV03$').some((v) => v.startsWith(MIG))).to.equal(true);
  });

  it('losing the DC being written mid-apply: journal complete, exit 3, nothing moved to the other DC; a second fix converges', async () => {
    dcs = await startTwoDcs();
    dcs.dc01.faults.add({ on: 'modify', nth: 2, action: { type: 'close-after-apply' } });
    const journal = join(dir, 'lost.jsonl');
    const lost = await runCli(['fix', ...dcs.flags, '--apply', '--yes', '--journal', journal], dcs.env);
    expect(lost.code, lost.stderr).to.equal(3);
    const lines = readJournal(journal);
    expect(lines.filter((l) => l.type === 'intent').length).to.equal(lines.filter((l) => l.type === 'done' || l.type === 'unknown').length);
    expect(lines.filter((l) => l.type === 'unknown')).to.have.length(1);
    expect(delegation(dcs.dc02, 'HV03$')).to.deep.equal([]);
    const again = await runCli(['fix', ...dcs.flags, '--apply', '--yes', '--journal', join(dir, 'again.jsonl')], dcs.env);
    expect(again.code, again.stderr).to.equal(0);
    const third = await runCli(['fix', ...dcs.flags], dcs.env);
    expect(third.stdout).to.contain(': 0 accounts, 0 values to add, 0 to remove, 0 flag changes');
  });

  it('refuses --verify-replication and --wait without --apply, and --wait without --verify-replication (exit 2)', async () => {
    dcs = await startTwoDcs();
    for (const [extra, words] of [
      [['--verify-replication'], '--verify-replication goes with --apply'],
      [['--apply', '--yes', '--wait', '5'], '--wait goes with --verify-replication'],
      [['--apply', '--yes', '--verify-replication', '--wait', 'soon'], '--wait takes a whole number of seconds'],
    ] as const) {
      const r = await runCli(['fix', ...dcs.flags, ...extra], dcs.env);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain(words);
    }
  });
});

describe('--compare-dcs costs one search per DC, whatever the number of hosts [mock]', () => {
  async function searchesWith(hosts: number): Promise<{ dc01: number; dc02: number; plain: number; compared: string[] }> {
    const dcs = await startTwoDcs({ entries: labWithHosts(hosts) });
    try {
      const connect = {
        url: dcs.dc01.ldapsUrl!,
        caFile: dcs.dc01.caFile,
        tlsServername: 'dc01.corp.example.com',
        knownDcs: [{ name: 'DC02.corp.example.com', url: dcs.dc02.ldapsUrl! }],
      };
      const credentials = { user: 'CORP\\Administrator', password: 'Lab-Admin-Passw0rd' };
      const plain = (await audit({ ...connect, credentials })).stats.searches;
      dcs.dc01.resetStats();
      const { report } = await audit({ ...connect, credentials, compareDcs: true });
      return { dc01: dcs.dc01.stats.searches, dc02: dcs.dc02.stats.searches, plain, compared: (report.comparedDcs ?? []).map((d) => d.dc) };
    } finally {
      await dcs.close();
    }
  }

  it('[mock] reads each other DC once, and the DC read three more times (the RootDSE, CN=Sites, its own delegation), at 3 and at 300 hosts', async () => {
    const small = await searchesWith(3);
    const large = await searchesWith(300);
    for (const run of [small, large]) {
      expect(run.dc02).to.equal(1);
      expect(run.dc01).to.equal(run.plain + 3);
      // The child domain's DC holds none of corp.example.com: it is not compared.
      expect(run.compared).to.deep.equal(['dc01.corp.example.com', 'DC02.corp.example.com']);
    }
    expect(large.dc01).to.equal(small.dc01);
  });
});
