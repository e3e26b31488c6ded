#!/usr/bin/python3
"""Seed a freshly provisioned, *offline* Samba AD DC from the lab LDIF.

Run by test/ad-lab/lab.ts with Debian's /usr/bin/python3 (Samba's Python bindings live there,
not in pyenv or a venv) *before* `samba` is started: ldb then writes straight into
DIR/private/sam.ldb as the system session, which takes well under a second.

The LDIF (mock-ldap/fixtures/lab.ldif) is the one source of truth. Nothing in here names an
object of the scenario:

* the domain root and everything under the configuration NC are skipped (Samba owns them);
* entries preceded by a "# provisioned" comment already exist in a new domain: only their
  `member` values (missing ones are added) and `userAccountControl` are brought in line with the
  LDIF. A provisioned entry that this Samba version does not create (Key Admins and Enterprise
  Key Admins only appear with the 2016 domain prep, which Samba 4.17 lacks) is created with the
  well-known objectSid from the LDIF. Every other difference is reported as drift, never changed;
* every other entry is created with its LDIF attributes, except the system-owned ones: objectSid
  and whenCreated (Samba assigns them), userPassword (becomes unicodePwd), member (added once all
  entries exist), primaryGroupID (set afterwards, once the account is a member of that group, as
  AD requires; Samba then drops that member link and gives the old primary group one);
* msDS-AllowedToActOnBehalfOfOtherIdentity (resource-based delegation, base64 in the LDIF) is set
  on any entry, provisioned ones included, once every entry exists: the descriptor's SIDs are
  mapped from the LDIF's to the ones Samba assigned, and it is written as the system session,
  exactly as `samba-tool delegation add-principal -H sam.ldb` does (over LDAP, Samba 4.17 lets only
  the system change this attribute). A domain SID that names no LDIF account (a deleted principal)
  is kept as it is, after checking that Samba did not give that SID to one of its own objects.

Usage: seed.py --ldif FILE --smbconf DIR/etc/smb.conf [--parse-only]
Prints one JSON report on stdout; diagnostics go to stderr. Exit status 0 on success.
"""

import argparse
import base64
import json
import sys


# ---------------------------------------------------------------------------- LDIF parsing


class LdifError(Exception):
    pass


RBCD = "msds-allowedtoactonbehalfofotheridentity"
# Attributes whose LDIF values are binary (base64 in the file, kept as base64 text here).
BINARY_ATTRIBUTES = {RBCD}


def parse_ldif(text):
    """Parse a content LDIF (RFC 2849, no change records) into a list of entries.

    Each entry: {"dn": str, "provisioned": bool, "attributes": {name: [str, ...]}, "binary": [name]}
    with the attribute names spelled as in the first occurrence in the entry, values in file order.
    Values of the attributes listed in "binary" are base64 text (the LDIF's own `name:: ...`).
    An entry is "provisioned" when a comment line reading "# provisioned" belongs to the same
    paragraph (no blank line in between) and precedes its dn line.
    """
    # Unfold continuation lines (a line starting with one space continues the previous one).
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.startswith(" ") and lines and lines[-1] is not None:
            lines[-1] += raw[1:]
        else:
            lines.append(raw if raw.strip() != "" else None)  # None marks a blank line
    paragraphs = []
    current = []
    for line in lines:
        if line is None:
            if current:
                paragraphs.append(current)
                current = []
        else:
            current.append(line)
    if current:
        paragraphs.append(current)

    entries = []
    for para in paragraphs:
        provisioned = False
        dn = None
        attributes = {}
        names = {}  # lower-case name -> spelling used in `attributes`
        for line in para:
            if line.startswith("#"):
                if dn is None and line[1:].strip().lower() == "provisioned":
                    provisioned = True
                continue
            if ":" not in line:
                raise LdifError("not an LDIF line: %r" % line)
            name, rest = line.split(":", 1)
            if rest.startswith(":"):
                text = rest[1:].strip()
                raw = base64.b64decode(text)
                if name.lower() in BINARY_ATTRIBUTES:
                    value = text
                else:
                    try:
                        value = raw.decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise LdifError("binary value of %s in %s is not supported" % (name, dn)) from e
            elif rest.startswith("<"):
                raise LdifError("URL values (%s:<) are not supported" % name)
            else:
                value = rest.lstrip(" ")
            if dn is None:
                if name.lower() == "version":
                    continue
                if name.lower() != "dn":
                    raise LdifError("record does not start with dn: %r" % line)
                dn = value
                continue
            if name.lower() in ("changetype", "control"):
                raise LdifError("change records are not supported (%s)" % dn)
            key = names.setdefault(name.lower(), name)
            attributes.setdefault(key, []).append(value)
        if dn is not None:
            binary = [key for key in attributes if key.lower() in BINARY_ATTRIBUTES]
            entries.append({"dn": dn, "provisioned": provisioned, "attributes": attributes, "binary": binary})
    return entries


def get_attr(entry, name):
    for key, values in entry["attributes"].items():
        if key.lower() == name.lower():
            return values
    return []


# ---------------------------------------------------------------------------- seeding

# Never written on creation: Samba assigns them, or they are handled in a later pass.
NOT_ON_ADD = {
    "objectsid", "whencreated", "whenchanged", "objectguid", "usncreated", "usnchanged",
    "distinguishedname", "name", "memberof", "instancetype",
    "primarygroupid",  # set after the membership exists
    "member",          # added once every entry exists
    "userpassword",    # becomes unicodePwd
    RBCD,              # set once every entry exists, with SIDs mapped
}
# Not compared when reporting drift of provisioned entries.
NOT_COMPARED = {"whencreated", "userpassword", "member", RBCD}

UF_ACCOUNTDISABLE = 0x2


def log(msg):
    print("seed: " + msg, file=sys.stderr)


def unicode_pwd(password):
    return ('"%s"' % password).encode("utf-16-le")


class Seeder:
    def __init__(self, samdb, entries):
        import ldb
        from samba.dcerpc import security
        from samba.ndr import ndr_unpack

        self.ldb = ldb
        self.security = security
        self.ndr_unpack = ndr_unpack
        self.db = samdb
        self.entries = entries
        self.domain_dn = samdb.get_default_basedn()
        self.config_dn = samdb.get_config_basedn()
        self.domain_sid = str(samdb.get_domain_sid())
        self.report = {
            "domainDN": str(self.domain_dn),
            "domainSid": self.domain_sid,
            "skipped": [],
            "created": [],
            "createdMissingProvisioned": [],
            "reconciled": [],
            "primaryGroupChanges": [],
            "membersAdded": [],
            "drift": [],
            "sids": {},
            "rbcd": [],
        }

    # -- helpers
    def dn(self, text):
        return self.ldb.Dn(self.db, text)

    def lookup(self, dn, attrs):
        res = self.db.search(base=dn, scope=self.ldb.SCOPE_BASE, attrs=attrs)
        return res[0] if len(res) else None

    def exists(self, dn):
        try:
            return self.lookup(dn, ["objectClass"]) is not None
        except self.ldb.LdbError as e:
            if e.args[0] == self.ldb.ERR_NO_SUCH_OBJECT:
                return False
            raise

    def sid_of(self, msg):
        if "objectSid" not in msg:
            return None
        return str(self.ndr_unpack(self.security.dom_sid, msg["objectSid"][0]))

    def values(self, msg, name):
        if name not in msg:
            return []
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in msg[name]]

    def in_config_nc(self, dn):
        return dn == self.config_dn or dn.is_child_of(self.config_dn)

    # -- passes
    def run(self):
        present = []
        for entry in self.entries:
            dn = self.dn(entry["dn"])
            if dn == self.domain_dn or self.in_config_nc(dn):
                self.report["skipped"].append(entry["dn"])
                if entry["provisioned"]:
                    self.drift(entry)  # reported only
                continue
            if entry["provisioned"]:
                if self.exists(dn):
                    present.append(entry)
                else:
                    self.create(entry, keep_sid=True)
                    self.report["createdMissingProvisioned"].append(entry["dn"])
                    present.append(entry)
            else:
                if self.exists(dn):
                    log("%s already exists; reconciling it only" % entry["dn"])
                else:
                    self.create(entry, keep_sid=False)
                    self.report["created"].append(entry["dn"])
                present.append(entry)
        for entry in present:
            self.primary_group(entry)
        for entry in present:
            self.members(entry)
        for entry in present:
            if entry["provisioned"]:
                self.user_account_control(entry)
        for entry in present:
            if entry["provisioned"]:
                self.drift(entry)
            msg = self.lookup(self.dn(entry["dn"]), ["objectSid"])
            ldif_sid = (get_attr(entry, "objectSid") or [None])[0]
            samba_sid = self.sid_of(msg) if msg is not None else None
            if ldif_sid is not None or samba_sid is not None:
                self.report["sids"][entry["dn"]] = {"ldif": ldif_sid, "samba": samba_sid}
        sid_map = {v["ldif"].upper(): v["samba"] for v in self.report["sids"].values() if v["ldif"] and v["samba"]}
        for entry in present:
            self.resource_based_delegation(entry, sid_map)
        return self.report

    def resource_based_delegation(self, entry, sid_map):
        wanted = get_attr(entry, RBCD)
        if not wanted:
            return
        ldb = self.ldb
        security = self.security
        from samba.ndr import ndr_pack
        descriptor = self.ndr_unpack(security.descriptor, base64.b64decode(wanted[0]))
        principals = []
        for ace in descriptor.dacl.aces if descriptor.dacl is not None else []:
            ldif_sid = str(ace.trustee)
            samba_sid = sid_map.get(ldif_sid.upper())
            if samba_sid is None:
                if ldif_sid.upper().startswith(self.domain_sid.upper() + "-"):
                    taken = self.db.search(base=self.domain_dn, scope=ldb.SCOPE_SUBTREE,
                                           expression="(objectSid=%s)" % ldif_sid, attrs=["1.1"])
                    if len(taken):
                        raise RuntimeError("%s: the LDIF's RBCD SID %s names no LDIF account, but Samba gave it to %s"
                                           % (entry["dn"], ldif_sid, taken[0].dn))
                samba_sid = ldif_sid
            ace.trustee = security.dom_sid(samba_sid)
            principals.append({"ldif": ldif_sid, "samba": samba_sid})
        m = ldb.Message(self.dn(entry["dn"]))
        m["msDS-AllowedToActOnBehalfOfOtherIdentity"] = ldb.MessageElement(
            ndr_pack(descriptor), ldb.FLAG_MOD_REPLACE, "msDS-AllowedToActOnBehalfOfOtherIdentity")
        self.db.modify(m)
        self.report["rbcd"].append({"dn": entry["dn"], "principals": principals})
        log("resource-based delegation on %s: %s" % (entry["dn"], ", ".join(p["samba"] for p in principals)))

    def create(self, entry, keep_sid):
        ldb = self.ldb
        msg = ldb.Message(self.dn(entry["dn"]))
        password = None
        for name, vals in entry["attributes"].items():
            low = name.lower()
            if low == "userpassword":
                password = vals[0]
                continue
            if low == "objectsid" and keep_sid:
                sid = self.security.dom_sid(vals[0])
                from samba.ndr import ndr_pack
                msg[name] = ldb.MessageElement(ndr_pack(sid), ldb.FLAG_MOD_ADD, name)
                continue
            if low in NOT_ON_ADD:
                continue
            msg[name] = ldb.MessageElement([v.encode("utf-8") for v in vals], ldb.FLAG_MOD_ADD, name)
        if password is not None:
            msg["unicodePwd"] = ldb.MessageElement(unicode_pwd(password), ldb.FLAG_MOD_ADD, "unicodePwd")
        self.db.add(msg)
        log("created %s" % entry["dn"])

    def primary_group(self, entry):
        wanted = get_attr(entry, "primaryGroupID")
        if not wanted:
            return
        ldb = self.ldb
        dn = self.dn(entry["dn"])
        cur = self.lookup(dn, ["primaryGroupID"])
        current = self.values(cur, "primaryGroupID")
        if current == wanted[:1]:
            return
        if entry["provisioned"]:
            # Not ours to change: report as drift.
            return
        rid = int(wanted[0])
        group_sid = "%s-%d" % (self.domain_sid, rid)
        res = self.db.search(base=self.domain_dn, scope=ldb.SCOPE_SUBTREE,
                             expression="(objectSid=%s)" % group_sid, attrs=["member"])
        if len(res) != 1:
            raise RuntimeError("primaryGroupID %s of %s: no group with SID %s" % (rid, entry["dn"], group_sid))
        group = res[0]
        if not any(self.dn(m) == dn for m in self.values(group, "member")):
            m = ldb.Message(group.dn)
            m["member"] = ldb.MessageElement(str(dn), ldb.FLAG_MOD_ADD, "member")
            self.db.modify(m)
        m = ldb.Message(dn)
        m["primaryGroupID"] = ldb.MessageElement(str(rid), ldb.FLAG_MOD_REPLACE, "primaryGroupID")
        self.db.modify(m)
        self.report["primaryGroupChanges"].append(
            {"dn": entry["dn"], "from": current[0] if current else None, "to": rid, "group": str(group.dn)})
        log("primaryGroupID of %s set to %d" % (entry["dn"], rid))

    def members(self, entry):
        wanted = get_attr(entry, "member")
        if not wanted:
            return
        ldb = self.ldb
        dn = self.dn(entry["dn"])
        have = [self.dn(v) for v in self.values(self.lookup(dn, ["member"]), "member")]
        for value in wanted:
            member = self.dn(value)
            if any(member == h for h in have):
                continue
            m = ldb.Message(dn)
            m["member"] = ldb.MessageElement(value, ldb.FLAG_MOD_ADD, "member")
            self.db.modify(m)
            have.append(member)
            self.report["membersAdded"].append({"group": entry["dn"], "member": value})
            log("added %s to %s" % (value, entry["dn"]))

    def user_account_control(self, entry):
        wanted = get_attr(entry, "userAccountControl")
        if not wanted:
            return
        ldb = self.ldb
        dn = self.dn(entry["dn"])
        current = self.values(self.lookup(dn, ["userAccountControl"]), "userAccountControl")
        if current == wanted[:1]:
            return
        m = ldb.Message(dn)
        m["userAccountControl"] = ldb.MessageElement(wanted[0], ldb.FLAG_MOD_REPLACE, "userAccountControl")
        self.db.modify(m)
        self.report["reconciled"].append(
            {"dn": entry["dn"], "attribute": "userAccountControl", "from": current[0] if current else None,
             "to": wanted[0]})
        log("userAccountControl of %s: %s -> %s" % (entry["dn"], current, wanted[0]))

    def drift(self, entry):
        """Report LDIF attributes of a provisioned entry whose values Samba does not share."""
        msg = self.lookup(self.dn(entry["dn"]), ["*", "objectSid"])
        if msg is None:
            self.report["drift"].append({"dn": entry["dn"], "attribute": None, "note": "missing in Samba"})
            return
        for name, vals in entry["attributes"].items():
            low = name.lower()
            if low in NOT_COMPARED:
                continue
            if low == "objectsid":
                have = [self.sid_of(msg)]
            else:
                have = self.values(msg, name)
            if sorted(v.lower() for v in vals) != sorted(v.lower() for v in have):
                self.report["drift"].append({"dn": entry["dn"], "attribute": name, "ldif": vals, "samba": have})
        wanted = get_attr(entry, "member")
        if wanted:
            have = self.values(msg, "member")
            extra = [h for h in have if not any(self.dn(h) == self.dn(w) for w in wanted)]
            if extra:
                self.report["drift"].append(
                    {"dn": entry["dn"], "attribute": "member", "note": "extra Samba members", "samba": extra})


def set_admin_password(samdb, password):
    """Give the RID-500 account the lab's random password (it never appears on a command line)."""
    import ldb
    sid = "%s-500" % samdb.get_domain_sid()
    res = samdb.search(base=samdb.get_default_basedn(), scope=ldb.SCOPE_SUBTREE,
                       expression="(objectSid=%s)" % sid, attrs=[])
    if len(res) != 1:
        raise RuntimeError("no account with SID %s" % sid)
    m = ldb.Message(res[0].dn)
    m["unicodePwd"] = ldb.MessageElement(unicode_pwd(password), ldb.FLAG_MOD_REPLACE, "unicodePwd")
    samdb.modify(m)
    log("password of %s set" % res[0].dn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ldif", required=True)
    ap.add_argument("--smbconf")
    ap.add_argument("--parse-only", action="store_true", help="print the parsed LDIF as JSON and exit")
    ap.add_argument("--admin-password-stdin", action="store_true",
                    help="set the password of the RID-500 Administrator to the text read from stdin")
    args = ap.parse_args()
    with open(args.ldif, encoding="utf-8") as f:
        entries = parse_ldif(f.read())
    if args.parse_only:
        json.dump({"entries": entries}, sys.stdout, indent=1)
        print()
        return 0
    if not args.smbconf:
        ap.error("--smbconf is required unless --parse-only")

    from samba.auth import system_session
    from samba.param import LoadParm
    from samba.samdb import SamDB

    admin_password = sys.stdin.read() if args.admin_password_stdin else None
    lp = LoadParm()
    lp.load(args.smbconf)
    samdb = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
    samdb.transaction_start()
    try:
        report = Seeder(samdb, entries).run()
        if admin_password:
            set_admin_password(samdb, admin_password)
    except BaseException:
        samdb.transaction_cancel()
        raise
    samdb.transaction_commit()
    report["entries"] = entries
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
