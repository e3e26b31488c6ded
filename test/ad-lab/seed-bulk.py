#!/usr/bin/python3
"""Load a large generated directory into an *offline* Samba AD DC, after seed.py.

Run by test/ad-lab/lab.ts (`--bulk-ldif FILE`) with Debian's /usr/bin/python3, before `samba`
starts. FILE holds LDIF change records as scripts/generate-directory.ts writes them
(<scale>.samba.ldif): `changetype: add` for the generated objects, in an order where every member
and parent exists first, then `changetype: modify` records that add members to groups the domain
already has and set primaryGroupID.

Over LDAPS an add costs ~18 ms (about 18 minutes for 60,000 objects); written straight into
sam.ldb as the system session, in transactions of --batch records, the same load takes about two
minutes. Two ldb options make that possible: transaction_index_cache_size (ldb keeps the index
records a transaction changes in an in-memory hash of that many buckets; with the default, a few
hundred, every add walks chains as long as the transaction is big, and 16,000 users took 100 s
instead of 15 s here) and batch_mode (no nested transaction per record: a failure aborts the batch,
which is what happens here anyway).

Usage: seed-bulk.py --changes FILE --smbconf DIR/etc/smb.conf [--batch N]
Prints one JSON report on stdout (counts, seconds, every DN added, the DNs of the hosts with a
migration SPN); progress goes to stderr. Exit status 0 on success; on an error the batch in
progress is rolled back and the failing record is named.
"""

import argparse
import json
import sys
import time

MIGRATION_PREFIX = b"microsoft virtual system migration service/"


def log(msg):
    print("seed-bulk: " + msg, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", required=True)
    ap.add_argument("--smbconf", required=True)
    ap.add_argument("--batch", type=int, default=10000, help="records per transaction (default 10000)")
    args = ap.parse_args()

    import ldb
    from samba.auth import system_session
    from samba.param import LoadParm
    from samba.samdb import SamDB

    started = time.monotonic()
    with open(args.changes, encoding="utf-8") as f:
        text = f.read()
    # ldb's LDIF reader does not take RFC 2849's optional "version: 1" line.
    if text.startswith("version:"):
        text = text.split("\n", 1)[1].lstrip("\n")
    lp = LoadParm()
    lp.load(args.smbconf)
    options = ["transaction_index_cache_size:%d" % max(200000, 20 * args.batch), "batch_mode:1"]
    samdb = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp, options=options)

    added = []
    hosts = []
    counts = {"add": 0, "modify": 0}
    in_batch = 0
    samdb.transaction_start()
    try:
        for changetype, msg in samdb.parse_ldif(text):
            try:
                if changetype == ldb.CHANGETYPE_ADD:
                    samdb.add(msg)
                    added.append(str(msg.dn))
                    counts["add"] += 1
                    spns = msg.get("servicePrincipalName")
                    if spns is not None and any(bytes(v).lower().startswith(MIGRATION_PREFIX) for v in spns):
                        hosts.append(str(msg.dn))
                elif changetype == ldb.CHANGETYPE_MODIFY:
                    samdb.modify(msg)
                    counts["modify"] += 1
                else:
                    raise RuntimeError("unsupported changetype %d" % changetype)
            except ldb.LdbError as e:
                raise RuntimeError("%s: %s" % (msg.dn, e.args[1] if len(e.args) > 1 else e)) from e
            in_batch += 1
            if in_batch >= args.batch:
                samdb.transaction_commit()
                samdb.transaction_start()
                in_batch = 0
                done = counts["add"] + counts["modify"]
                log("%d records (%.0f s)" % (done, time.monotonic() - started))
    except BaseException:
        samdb.transaction_cancel()
        raise
    samdb.transaction_commit()
    seconds = time.monotonic() - started
    log("%d added, %d modified in %.1f s" % (counts["add"], counts["modify"], seconds))
    json.dump({"added": added, "hosts": hosts, "counts": counts, "seconds": round(seconds, 1)}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        log(str(e))
        sys.exit(1)
