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
import { main } from './commands.js';
import { LabError } from './process.js';

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[ad-lab] ${err instanceof LabError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  },
);
