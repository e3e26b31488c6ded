#!/usr/bin/python3
"""Seed a freshly provisioned, *offline* Samba AD DC from the lab LDIF.

Run by test/ad-lab/lab.ts with Debian's /usr/bin/python3 (Samba's Python bindings live there,
not in pyenv or a venv) *before* `samba` is started: ldb then writes straight into
DIR/private/sam.ldb as the system session, which takes well under a second.

The LDIF (mock-ldap/fixtures/lab.ldif) is the one source of truth. Nothing in here names an
object of the scenario:

* the domain root and everything under the configuration NC are skipped (Samba owns them);
* entries preceded by a "# joined DCNN" comment are made by `samba-tool domain join` of that DC
  (the lab's DC02): the seeder leaves them alone, and `--joined DCNN` reconciles them once it has
  joined, over LDAP, as it does provisioned entries;
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

With --dns-zone the seeder also writes the domain's DNS zone, which Samba's internal DNS serves,
in the legacy location CN=MicrosoftDNS,CN=System (the domain NC): provisioning with a DNS backend
would add the DomainDnsZones and ForestDnsZones partitions, and with them two more continuation
references in every subtree search of the domain, which mock-ldap does not return. The zone names
every --dns-host DC (A records, NS, and the DC locator's SRV records); --dc-spns adds the DC's own
SPNs that Samba's samba_spnupdate (part of the dnsupdate service, off here) would add.

Usage: seed.py --ldif FILE --smbconf DIR/etc/smb.conf [--parse-only]
                [--dns-zone corp.example.com --dns-host DC01=ADDR [--dns-host DC02=ADDR]] [--dc-spns]
       seed.py --ldif FILE --smbconf DC02DIR/etc/smb.conf --joined DC02 --server DC01ADDR --admin-password-stdin
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
        joined = None
        dn = None
        attributes = {}
        names = {}  # lower-case name -> spelling used in `attributes`
        for line in para:
            if line.startswith("#"):
                words = line[1:].split()
                if dn is None and [w.lower() for w in words] == ["provisioned"]:
                    provisioned = True
                if dn is None and len(words) == 2 and words[0].lower() == "joined":
                    joined = words[1].upper()
                    provisioned = True  # made by the join: compared like provisioned entries
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
            entry = {"dn": dn, "provisioned": provisioned, "attributes": attributes, "binary": binary}
            if joined is not None:
                entry["joined"] = joined
            entries.append(entry)
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
            "joinedLater": [],
            "dns": None,
            "dcSpns": [],
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
            if entry.get("joined"):
                self.report["joinedLater"].append({"dn": entry["dn"], "dc": entry["joined"]})
                continue
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


    def reconcile_joined(self, dc):
        """After `samba-tool domain join` of DC: its LDIF entries as provisioned ones (uAC, members, drift, SIDs)."""
        mine = [e for e in self.entries if e.get("joined") == dc]
        for entry in mine:
            dn = self.dn(entry["dn"])
            if self.dn(entry["dn"]) == self.domain_dn or self.in_config_nc(dn):
                self.drift(entry)
                continue
            if not self.exists(dn):
                self.report["drift"].append({"dn": entry["dn"], "attribute": None, "note": "missing after the join"})
                continue
            self.members(entry)
            self.user_account_control(entry)
            self.drift(entry)
            msg = self.lookup(dn, ["objectSid"])
            ldif_sid = (get_attr(entry, "objectSid") or [None])[0]
            self.report["sids"][entry["dn"]] = {"ldif": ldif_sid, "samba": self.sid_of(msg)}
        return self.report


# ---------------------------------------------------------------------------- DNS and DC SPNs

SRV_RECORDS = [
    # (node under the zone, port, DCs: "all" or "pdc")
    ("_ldap._tcp", 389, "all"),
    ("_ldap._tcp.{site}._sites", 389, "all"),
    ("_ldap._tcp.dc._msdcs", 389, "all"),
    ("_ldap._tcp.{site}._sites.dc._msdcs", 389, "all"),
    ("_ldap._tcp.pdc._msdcs", 389, "pdc"),
    ("_kerberos._tcp", 88, "all"),
    ("_kerberos._udp", 88, "all"),
    ("_kerberos._tcp.dc._msdcs", 88, "all"),
    ("_kpasswd._tcp", 464, "all"),
    ("_gc._tcp", 3268, "all"),
]


def dns_zone_dn(samdb, zone):
    return "DC=%s,CN=MicrosoftDNS,CN=System,%s" % (zone, samdb.get_default_basedn())


def add_dns_node(samdb, zone, name, records):
    """Add (or extend) the dnsNode NAME of ZONE with RECORDS (samba.provision.sambadns record objects)."""
    import ldb
    from samba.ndr import ndr_pack
    dn = ldb.Dn(samdb, "DC=%s,%s" % (name, dns_zone_dn(samdb, zone)))
    packed = [ndr_pack(r) for r in records]
    res = samdb.search(base=dn.parent(), scope=ldb.SCOPE_ONELEVEL, expression="(name=%s)" % ldb.binary_encode(name),
                       attrs=["dnsRecord"])
    if len(res):
        have = set(bytes(v) for v in res[0].get("dnsRecord", []))
        new = [p for p in packed if p not in have]
        if new:
            m = ldb.Message(res[0].dn)
            m["dnsRecord"] = ldb.MessageElement(new, ldb.FLAG_MOD_ADD, "dnsRecord")
            samdb.modify(m)
        return
    m = ldb.Message(dn)
    m["objectClass"] = ["top", "dnsNode"]
    m["dnsRecord"] = ldb.MessageElement(packed, ldb.FLAG_MOD_ADD, "dnsRecord")
    samdb.add(m)


def ntds_guid(samdb, dc):
    """objectGUID of DC's NTDS Settings object (CN=NTDS Settings,CN=<DC>,CN=Servers,CN=<site>,CN=Sites,...)."""
    import ldb
    from samba.dcerpc import misc
    from samba.ndr import ndr_unpack
    res = [r for r in samdb.search(base="CN=Sites,%s" % samdb.get_config_basedn(), scope=ldb.SCOPE_SUBTREE,
                                   expression="(objectClass=nTDSDSA)", attrs=["objectGUID"])
           if str(r.dn.parent().get_rdn_value()).upper() == dc.upper()]
    if len(res) != 1:
        raise RuntimeError("no NTDS Settings object for %s" % dc)
    return str(ndr_unpack(misc.GUID, res[0]["objectGUID"][0]))


def seed_dns(samdb, zone, hosts, site):
    """The zone, in CN=MicrosoftDNS,CN=System: SOA and NS, an A record per DC, the locator's SRV records, DC01's CNAME."""
    import ldb
    from samba.provision.sambadns import ARecord, CNAMERecord, NSRecord, SOARecord, SRVRecord, add_domain_record
    from samba.dcerpc import security
    domain_dn = str(samdb.get_default_basedn())
    container = ldb.Message(ldb.Dn(samdb, "CN=MicrosoftDNS,CN=System,%s" % domain_dn))
    container["objectClass"] = ["top", "container"]
    samdb.add(container)
    # The zone's descriptor as provision makes it, with Domain Admins where it names DnsAdmins (not created here).
    add_domain_record(samdb, domain_dn, "CN=System", zone, security.dom_sid(str(samdb.get_domain_sid())), "DA")
    fqdn = lambda name: "%s.%s" % (name, zone)
    pdc = hosts[0][0]
    add_dns_node(samdb, zone, "@", [SOARecord(fqdn(pdc), "hostmaster.%s" % zone)] + [NSRecord(fqdn(n)) for n, _ in hosts])
    for name, address in hosts:
        add_dns_node(samdb, zone, name, [ARecord(address)])
    for node, port, which in SRV_RECORDS:
        targets = [n for n, _ in hosts] if which == "all" else [pdc]
        add_dns_node(samdb, zone, node.format(site=site), [SRVRecord(fqdn(n), port) for n in targets])
    # Replication finds a DC by <NTDS Settings GUID>._msdcs.<forest>; DC02's is added once it has joined.
    guid = ntds_guid(samdb, pdc)
    add_dns_node(samdb, zone, "%s._msdcs" % guid, [CNAMERecord(fqdn(pdc))])
    log("DNS zone %s: %s" % (zone, ", ".join("%s %s" % h for h in hosts)))
    return {"zone": zone, "dn": dns_zone_dn(samdb, zone), "hosts": [{"name": n, "address": a} for n, a in hosts],
            "ntdsGuids": {pdc: guid}}


def dns_account_without_spn(samdb):
    """Provision's dns-<DC> account holds DNS/<fqdn>; with it, Samba's DNS server wants that account's keys in
    secrets.ldb, which only a BIND9 provision writes, and ends samba. Without it, the server uses the DC's own."""
    import ldb
    res = samdb.search(base=samdb.get_default_basedn(), scope=ldb.SCOPE_SUBTREE,
                       expression="(&(objectClass=user)(servicePrincipalName=DNS/*))", attrs=["servicePrincipalName"])
    removed = []
    for r in res:
        spns = [str(v) for v in r["servicePrincipalName"] if str(v).upper().startswith("DNS/")]
        m = ldb.Message(r.dn)
        m["servicePrincipalName"] = ldb.MessageElement(spns, ldb.FLAG_MOD_DELETE, "servicePrincipalName")
        samdb.modify(m)
        removed.append({"dn": str(r.dn), "spns": spns})
        log("removed %s from %s" % (", ".join(spns), r.dn))
    return removed


def add_dc_spns(samdb, dc, zone, extra):
    """SPNs of DC's account: ldap/<fqdn> and ldap/<DC> (Kerberos clients ask for them), and the ones replication
    needs, E3514235-4B06-11D1-AB04-00C04FC2DCD2/<NTDS GUID>/<domain> and ldap/<NTDS GUID>._msdcs.<forest>."""
    import ldb
    guid = ntds_guid(samdb, dc)
    wanted = ["ldap/%s.%s" % (dc, zone), "ldap/%s" % dc] + (
        ["E3514235-4B06-11D1-AB04-00C04FC2DCD2/%s/%s" % (guid, zone), "ldap/%s._msdcs.%s" % (guid, zone)] if extra else [])
    res = samdb.search(base=samdb.get_default_basedn(), scope=ldb.SCOPE_SUBTREE,
                       expression="(sAMAccountName=%s$)" % dc, attrs=["servicePrincipalName"])
    if len(res) != 1:
        raise RuntimeError("no account %s$" % dc)
    have = set(str(v).lower() for v in res[0].get("servicePrincipalName", []))
    new = [spn for spn in wanted if spn.lower() not in have]
    if new:
        m = ldb.Message(res[0].dn)
        m["servicePrincipalName"] = ldb.MessageElement(new, ldb.FLAG_MOD_ADD, "servicePrincipalName")
        samdb.modify(m)
        log("SPNs of %s$: added %s" % (dc, ", ".join(new)))
    return new


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
                    help="set the password of the RID-500 Administrator to the text read from stdin "
                         "(with --joined: bind as the Administrator with it)")
    ap.add_argument("--dns-zone", help="write this DNS zone (CN=MicrosoftDNS,CN=System) for the --dns-host DCs")
    ap.add_argument("--dns-host", action="append", default=[], metavar="DC=ADDRESS",
                    help="a DC of the zone, DC01 (the PDC emulator) first")
    ap.add_argument("--site", default="Default-First-Site-Name")
    ap.add_argument("--dc-spns", choices=["ldap", "replication"],
                    help="add the DC's ldap/ SPNs (ldap), and those replication needs (replication)")
    ap.add_argument("--joined", metavar="DC", help="DC has just joined: add its DNS records and SPNs, reconcile its LDIF entries")
    ap.add_argument("--server", help="with --joined: the address of the DC to write to (DC01), over LDAP")
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
    hosts = [tuple(h.split("=", 1)) for h in args.dns_host]
    if args.joined:
        return joined(args, lp, entries, admin_password, hosts)
    samdb = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
    samdb.transaction_start()
    try:
        report = Seeder(samdb, entries).run()
        if admin_password:
            set_admin_password(samdb, admin_password)
        dc = lp.get("netbios name").upper()
        if args.dns_zone:
            report["dns"] = seed_dns(samdb, args.dns_zone, hosts, args.site)
            report["dnsAccountSpnsRemoved"] = dns_account_without_spn(samdb)
        if args.dc_spns:
            report["dcSpns"] = add_dc_spns(samdb, dc, lp.get("realm").lower(), args.dc_spns == "replication")
    except BaseException:
        samdb.transaction_cancel()
        raise
    samdb.transaction_commit()
    report["entries"] = entries
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


def joined(args, lp, entries, admin_password, hosts):
    """DC (args.joined) has joined: on the DC at args.server, over LDAP as the Administrator, add the CNAME that
    replication finds DC by and its SPNs, and reconcile its LDIF entries (# joined DC). DC itself is still stopped:
    what is written here reaches it by replication."""
    from samba.credentials import Credentials, DONT_USE_KERBEROS
    from samba.provision.sambadns import CNAMERecord
    from samba.samdb import SamDB
    if not args.server or admin_password is None:
        raise SystemExit("--joined needs --server and --admin-password-stdin")
    creds = Credentials()
    creds.guess(lp)
    creds.set_kerberos_state(DONT_USE_KERBEROS)
    creds.set_domain(lp.get("workgroup"))
    creds.set_username("Administrator")
    creds.set_password(admin_password)
    samdb = SamDB(url="ldap://%s" % args.server, credentials=creds, lp=lp)
    dc = args.joined.upper()
    zone = lp.get("realm").lower()
    spns = add_dc_spns(samdb, dc, zone, True)
    report = Seeder(samdb, entries).reconcile_joined(dc)
    report["dcSpns"] = spns
    guid = ntds_guid(samdb, dc)
    if args.dns_zone:
        add_dns_node(samdb, args.dns_zone, "%s._msdcs" % guid, [CNAMERecord("%s.%s" % (dc, args.dns_zone))])
        log("DNS: %s._msdcs.%s -> %s.%s" % (guid, args.dns_zone, dc, args.dns_zone))
    report["ntdsGuid"] = guid
    for key in ("skipped", "created", "createdMissingProvisioned", "primaryGroupChanges", "rbcd", "joinedLater"):
        report.pop(key, None)
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
