# SPDX-License-Identifier: GPL-3.0-or-later
"""The test world's DNS: which server serves which zones, the zone texts
(generated at each run, serial = the run's start time), and CASES, the table
of names with the answer a correct resolver must give.

Addresses (all inside the world's namespaces, see world.py):
  198.18.0.0/16  far servers, on frn's loopback, behind the delay line
  198.19.0.0/16  near servers (cn. and children), on dom's loopback
  198.18.99.0/24 routed to a blackhole on gw: servers there never answer
  198.18.98.0/24 on frn's loopback but nobody listens (ICMP port unreachable)
Record data (what names resolve TO) is 203.0.113.x and 2001:db8::/32: nothing
ever connects to it.

The hierarchy:
  .                 a.root-servers.net 198.18.0.1 (also serves root-servers.net.)
  com. net. org.    ns1.nic.{com,net,org} 198.18.1.{1,2,3}
                    (com. is NSD behind glueproxy.py, which adds the lying glue)
  cn.               ns1.nic.cn 198.19.0.1
  alpha.com.        ordinary: A AAAA MX TXT, in-zone CNAME, CNAME chain
                    alpha.com -> beta.net -> gamma.org, sub.alpha.com delegated
                    to an out-of-bailiwick NS
  beta.net. gamma.org.  the rest of the chain, a CNAME loop between them,
                    a DNAME (old.gamma.org -> alpha.com)
  hoster.net.       a hosting server (198.18.2.4) that serves oob.org,
                    sub.alpha.com, half.net, cyc1.com, cyc2.net, all named by
                    NS records in another zone with no glue
  half.net.         two NS: one dead (blackholed), one good
  liar.com.         NS ns1.victim.net; com's server adds glue
                    "ns1.victim.net A 198.18.2.66" (out of bailiwick, a lie):
                    198.18.2.66 serves a liar.com with a wrong address
  lame.com.         delegated to ns1.hoster.net, which does not serve it (REFUSED)
  cyc1.com. cyc2.net.  NS cycle: each one's NS lives in the other, no glue
  silent.org.       its only server is blackholed (never answers)
  closed.org.       its only server's address has no listener (port unreachable)
  example.cn. near.cn.  near zones; www.near.cn is a CNAME to www.alpha.com

DNSSEC (signed at each world build by signer.py, bottom-up, keys made per run;
SIGNED below says how; the zones not in SIGNED stay unsigned, so alpha.com,
cn. and the rest are insecure delegations under signed parents):
  .  com.           ECDSAP256SHA256 (13), NSEC; the root's DS is the trust anchor
  net.              ED25519 (15), NSEC3 (no salt, 0 iterations)
  org.              ECDSAP256SHA256, NSEC3 (salt ab12, 0 iterations)
  rsa.org.          RSASHA256 (8), NSEC          on 198.18.3.1 ("signed"), each
  ecdsa.com.        13, NSEC                      with www A AAAA, txt TXT, *.wild A,
  eddsa.net.        15, NSEC3                     NXDOMAIN and NODATA proofs;
  optout.com.       13, NSEC3 opt-out, with       CNAMEs from ecdsa.com to alpha.com
                    the unsigned delegation       and from eddsa.net to ecdsa.com
                    unsig.optout.com (198.18.3.3)
  broken on purpose, all on 198.18.3.2 ("broken"), 13 unless said:
  expired.com.      every RRSIG expired a week ago
  future.com.       every RRSIG valid only from a week ahead
  badds.com.        com.'s DS for it has the right key tag but a wrong digest
  norrsig.com.      the RRSIG of www.norrsig.com A removed
  nonsec.com.       every NSEC (and its RRSIG) removed
  badnsec3.net.     NSEC3 chain of another version of the zone (one with a
                    *.badnsec3.net wildcard and an AAAA at txt): signatures
                    fine, the denials say a wildcard / the type exists
  nozonebit.com.    its only DNSKEY has flags 1 (SEP, no Zone Key bit); the
                    DS matches it
  unsupalg.org.     DS and DNSKEY of algorithm 253 (PRIVATEDNS), no RRSIG:
                    no resolver implements it, so the zone is insecure
  unsupdigest.org.  signed (13), but org.'s only DS for it has digest type
                    200 (unassigned): insecure
DNSSEC_CASES is the table of names with their expected security verdict.
"""

import collections
import time

# --- servers ---------------------------------------------------------------

# role -> (namespace role, address, zones served). One NSD per role.
SERVERS = {
    "root":     ("frn", "198.18.0.1", [".", "root-servers.net."]),
    "com":      ("frn", "198.18.1.1", ["com."]),
    "net":      ("frn", "198.18.1.2", ["net."]),
    "org":      ("frn", "198.18.1.3", ["org."]),
    "alpha":    ("frn", "198.18.2.1", ["alpha.com."]),
    "beta":     ("frn", "198.18.2.2", ["beta.net."]),
    "gamma":    ("frn", "198.18.2.3", ["gamma.org."]),
    "hoster":   ("frn", "198.18.2.4", ["hoster.net.", "oob.org.", "sub.alpha.com.",
                                       "half.net.", "cyc1.com.", "cyc2.net."]),
    "victim":   ("frn", "198.18.2.5", ["victim.net.", "liar.com."]),
    "impostor": ("frn", "198.18.2.66", ["liar.com."]),
    "cn":       ("dom", "198.19.0.1", ["cn."]),
    "nearcn":   ("dom", "198.19.1.1", ["example.cn.", "near.cn."]),
    # DNSSEC (see SIGNED): good signed zones, broken ones, an opt-out's unsigned child.
    "signed":   ("frn", "198.18.3.1", ["rsa.org.", "ecdsa.com.", "eddsa.net.",
                                       "optout.com."]),
    "broken":   ("frn", "198.18.3.2", ["expired.com.", "future.com.", "badds.com.",
                                       "norrsig.com.", "nonsec.com.", "badnsec3.net.",
                                       "nozonebit.com.", "unsupalg.org.",
                                       "unsupdigest.org."]),
    "optchild": ("frn", "198.18.3.3", ["unsig.optout.com."]),
}

# Roles whose public address is glueproxy.py; their NSD listens on the
# namespace's loopback instead. role -> (backend address, {cut: [glue RR text]}).
PROXIED = {
    "com": ("127.0.0.1", {"liar.com.": ["ns1.victim.net. 3600 IN A 198.18.2.66"]}),
}

BLACKHOLE_PREFIX = "198.18.99.0/24"  # routed to a blackhole on gw
SILENT_NS = "198.18.99.1"            # silent.org's server
HALF_DEAD_NS = "198.18.99.2"         # half.net's first server
CLOSED_NS = "198.18.98.1"            # closed.org's server: on frn, nobody listens
UNLISTENED = [CLOSED_NS]             # addresses put on frn's loopback with no server

ROOT_NS = "a.root-servers.net."
ROOT_ADDR = SERVERS["root"][1]

FAR_PREFIX = "198.18.0.0/16"
NEAR_PREFIX = "198.19.0.0/16"

# TTL of the short-lived names (short1-4.alpha.com, short.ecdsa.com: see SHORT), so a
# scenario can wait until a cached answer has expired.
SHORT_TTL = 2


def root_hints():
    return (f".                        3600000 IN NS {ROOT_NS}\n"
            f"{ROOT_NS:<24} 3600000 IN A  {ROOT_ADDR}\n")


# --- zones -----------------------------------------------------------------

def _zone(origin, serial, body, ns="ns1"):
    """A zone text: SOA (negative TTL 300), then body (relative names allowed)."""
    mname = ns if ns.endswith(".") else f"{ns}.{origin}"
    rname = "hostmaster." + (origin if origin != "." else "root-servers.net.")
    return (f"$ORIGIN {origin}\n$TTL 3600\n"
            f"@ 3600 IN SOA {mname} {rname} {serial} 3600 900 604800 300\n" + body)


def zone_texts(serial=None):
    """{role: {origin: text}} for every NSD, generated now."""
    s = serial or int(time.time())
    A = {r: v[1] for r, v in SERVERS.items()}
    z = collections.defaultdict(dict)

    z["root"]["."] = _zone(".", s, f"""\
@                   IN NS {ROOT_NS}
{ROOT_NS}  IN A  {A['root']}
com.                IN NS ns1.nic.com.
ns1.nic.com.        IN A  {A['com']}
net.                IN NS ns1.nic.net.
ns1.nic.net.        IN A  {A['net']}
org.                IN NS ns1.nic.org.
ns1.nic.org.        IN A  {A['org']}
cn.                 IN NS ns1.nic.cn.
ns1.nic.cn.         IN A  {A['cn']}
""", ns=ROOT_NS)
    z["root"]["root-servers.net."] = _zone("root-servers.net.", s, f"""\
@   IN NS {ROOT_NS}
a   IN A  {A['root']}
""", ns=ROOT_NS)

    z["com"]["com."] = _zone("com.", s, f"""\
@               IN NS ns1.nic.com.
ns1.nic         IN A  {A['com']}
alpha           IN NS ns1.alpha.com.
ns1.alpha       IN A  {A['alpha']}
liar            IN NS ns1.victim.net.
lame            IN NS ns1.hoster.net.
cyc1            IN NS ns.cyc2.net.
{_dnssec_delegations("com.", A)}""", ns="ns1.nic.com.")
    z["net"]["net."] = _zone("net.", s, f"""\
@               IN NS ns1.nic.net.
ns1.nic         IN A  {A['net']}
root-servers    IN NS {ROOT_NS}
a.root-servers  IN A  {A['root']}
beta            IN NS ns1.beta.net.
ns1.beta        IN A  {A['beta']}
hoster          IN NS ns1.hoster.net.
ns1.hoster      IN A  {A['hoster']}
victim          IN NS ns1.victim.net.
ns1.victim      IN A  {A['victim']}
half            IN NS ns1.half.net.
half            IN NS ns2.half.net.
ns1.half        IN A  {HALF_DEAD_NS}
ns2.half        IN A  {A['hoster']}
cyc2            IN NS ns.cyc1.com.
{_dnssec_delegations("net.", A)}""", ns="ns1.nic.net.")
    z["org"]["org."] = _zone("org.", s, f"""\
@               IN NS ns1.nic.org.
ns1.nic         IN A  {A['org']}
gamma           IN NS ns1.gamma.org.
ns1.gamma       IN A  {A['gamma']}
oob             IN NS ns1.hoster.net.
silent          IN NS ns1.silent.org.
ns1.silent      IN A  {SILENT_NS}
closed          IN NS ns1.closed.org.
ns1.closed      IN A  {CLOSED_NS}
{_dnssec_delegations("org.", A)}""", ns="ns1.nic.org.")
    z["cn"]["cn."] = _zone("cn.", s, f"""\
@               IN NS ns1.nic.cn.
ns1.nic         IN A  {A['cn']}
example         IN NS ns1.example.cn.
ns1.example     IN A  {A['nearcn']}
near            IN NS ns1.near.cn.
ns1.near        IN A  {A['nearcn']}
""", ns="ns1.nic.cn.")

    z["alpha"]["alpha.com."] = _zone("alpha.com.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['alpha']}
www     IN A     203.0.113.10
www     IN A     203.0.113.11
www     IN AAAA  2001:db8::10
@       IN MX    10 mail
mail    IN A     203.0.113.25
txt     IN TXT   "hello from alpha" "second string"
alias   IN CNAME www
chain   IN CNAME hop.beta.net.
sub     IN NS    ns1.hoster.net.
; short-lived names (SHORT_TTL seconds), for the outage and injection scenarios
short1  {SHORT_TTL} IN A  203.0.113.12
short2  {SHORT_TTL} IN A  203.0.113.13
short3  {SHORT_TTL} IN A  203.0.113.14
short4  {SHORT_TTL} IN A  203.0.113.15
""")
    z["beta"]["beta.net."] = _zone("beta.net.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['beta']}
www     IN A     203.0.113.20
hop     IN CNAME end.gamma.org.
loop1   IN CNAME loop2.gamma.org.
""")
    z["gamma"]["gamma.org."] = _zone("gamma.org.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['gamma']}
end     IN A     203.0.113.30
loop2   IN CNAME loop1.beta.net.
old     IN DNAME alpha.com.
""")
    z["hoster"]["hoster.net."] = _zone("hoster.net.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['hoster']}
www     IN A     203.0.113.40
""")
    z["hoster"]["oob.org."] = _zone("oob.org.", s, """\
@       IN NS    ns1.hoster.net.
www     IN A     203.0.113.41
""", ns="ns1.hoster.net.")
    z["hoster"]["sub.alpha.com."] = _zone("sub.alpha.com.", s, """\
@       IN NS    ns1.hoster.net.
deep    IN A     203.0.113.42
""", ns="ns1.hoster.net.")
    z["hoster"]["half.net."] = _zone("half.net.", s, f"""\
@       IN NS    ns1
@       IN NS    ns2
ns1     IN A     {HALF_DEAD_NS}
ns2     IN A     {A['hoster']}
www     IN A     203.0.113.43
""")
    # The cycle: each zone is really served here, and each names its server
    # in the other, so only the missing glue breaks it.
    z["hoster"]["cyc1.com."] = _zone("cyc1.com.", s, f"""\
@       IN NS    ns.cyc2.net.
ns      IN A     {A['hoster']}
www     IN A     203.0.113.44
""", ns="ns.cyc2.net.")
    z["hoster"]["cyc2.net."] = _zone("cyc2.net.", s, f"""\
@       IN NS    ns.cyc1.com.
ns      IN A     {A['hoster']}
www     IN A     203.0.113.45
""", ns="ns.cyc1.com.")
    z["victim"]["victim.net."] = _zone("victim.net.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['victim']}
""")
    z["victim"]["liar.com."] = _zone("liar.com.", s, """\
@       IN NS    ns1.victim.net.
www     IN A     203.0.113.50
""", ns="ns1.victim.net.")
    z["impostor"]["liar.com."] = _zone("liar.com.", s, """\
@       IN NS    ns1.victim.net.
www     IN A     203.0.113.66
""", ns="ns1.victim.net.")
    z["nearcn"]["example.cn."] = _zone("example.cn.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['nearcn']}
www     IN A     203.0.113.80
www     IN AAAA  2001:db8::80
""")
    z["nearcn"]["near.cn."] = _zone("near.cn.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['nearcn']}
www     IN CNAME www.alpha.com.
""")
    _dnssec_zones(z, s, A)
    for role, (_, _, origins) in SERVERS.items():
        missing = set(origins) - set(z[role])
        if missing:
            raise AssertionError(f"zones.py: role {role} lacks zone text for {missing}")
    return dict(z)


# --- DNSSEC: which zones are signed, how, and how they are broken -----------

# origin -> Signing(alg, denial, salt, breakage). signer.py signs them at each
# world build, deepest first, and puts each one's DS into its parent's text
# before the parent is signed. alg: DNSSEC algorithm number; denial: "nsec",
# "nsec3" or "nsec3-optout" (NSEC3: 0 extra iterations, RFC 9276); salt: hex
# or "" (NSEC3 only); breakage: None, or one of BREAKAGES.
Signing = collections.namedtuple("Signing", "alg denial salt breakage")

BREAKAGES = {
    "expired": "every RRSIG expired (inception 30 days back, expiration 7 days back)",
    "not-yet-valid": "every RRSIG valid only from 7 days ahead (to 37 days ahead)",
    "ds-mismatch": "the DS in the parent has the key's tag and algorithm but a wrong digest",
    "no-rrsig": "the RRSIGs of the RRsets in NO_RRSIG removed",
    "no-nsec": "every NSEC record and its RRSIG removed",
    "wrong-nsec3": "the NSEC3 chain (and its RRSIGs) of the zone with PHANTOM added, served "
                   "with the real zone: valid signatures, denials that contradict the data",
    "no-zone-bit": "the only DNSKEY has flags 1 (SEP, no Zone Key bit); zone signed with "
                   "it, DS made from it",
    "unsupported-algorithm": "not signed: a DNSKEY of algorithm `alg` (PRIVATEDNS) and its "
                             "DS in the parent, no RRSIG",
    "unsupported-digest": "signed; the parent's only DS for it has digest type "
                          "UNSUPPORTED_DIGEST",
}

SIGNED = {
    ".":                Signing(13, "nsec", "", None),
    "com.":             Signing(13, "nsec", "", None),
    "net.":             Signing(15, "nsec3", "", None),
    "org.":             Signing(13, "nsec3", "ab12", None),
    "rsa.org.":         Signing(8, "nsec", "", None),
    "ecdsa.com.":       Signing(13, "nsec", "", None),
    "eddsa.net.":       Signing(15, "nsec3", "", None),
    "optout.com.":      Signing(13, "nsec3-optout", "", None),
    "expired.com.":     Signing(13, "nsec", "", "expired"),
    "future.com.":      Signing(13, "nsec", "", "not-yet-valid"),
    "badds.com.":       Signing(13, "nsec", "", "ds-mismatch"),
    "norrsig.com.":     Signing(13, "nsec", "", "no-rrsig"),
    "nonsec.com.":      Signing(13, "nsec", "", "no-nsec"),
    "badnsec3.net.":    Signing(13, "nsec3", "", "wrong-nsec3"),
    "nozonebit.com.":   Signing(13, "nsec", "", "no-zone-bit"),
    "unsupalg.org.":    Signing(253, None, "", "unsupported-algorithm"),
    "unsupdigest.org.": Signing(13, "nsec", "", "unsupported-digest"),
}
NO_RRSIG = {"norrsig.com.": [("www.norrsig.com.", "A")]}
PHANTOM = {"badnsec3.net.": '*       IN TXT   "phantom wildcard"\n'
                            'txt     IN AAAA  2001:db8::dead\n'}
UNSUPPORTED_DIGEST = 200
PRIVATEDNS_NAME = "alg.holdfast.invalid."   # the PRIVATEDNS key's algorithm name
# In an opt-out zone's text, the lines after this one are added after signing,
# so the chain skips them (unsigned delegations under an opt-out span).
OPTOUT_MARK = "; -- unsigned delegations (NSEC3 opt-out): added after signing --\n"

# Record data of the DNSSEC zones: 203.0.113.N and 2001:db8::N.
_DNSSEC_N = {"rsa.org.": 108, "ecdsa.com.": 113, "eddsa.net.": 115, "optout.com.": 116,
             "unsig.optout.com.": 117, "expired.com.": 150, "future.com.": 151,
             "badds.com.": 152, "norrsig.com.": 153, "nonsec.com.": 154,
             "badnsec3.net.": 155, "nozonebit.com.": 156, "unsupalg.org.": 157,
             "unsupdigest.org.": 158}


def _dnssec_delegations(tld, A):
    """The delegations (NS + glue) of the DNSSEC zones under one TLD."""
    out = []
    for role in ("signed", "broken"):
        for origin in SERVERS[role][2]:
            label, parent = origin.split(".", 1)
            if parent == tld:
                out.append(f"{label:<15} IN NS ns1.{origin}\n"
                           f"ns1.{label:<11} IN A  {A[role]}\n")
    return "".join(out)


def _dnssec_zones(z, s, A):
    for role in ("signed", "broken"):
        for origin in SERVERS[role][2]:
            n = _DNSSEC_N[origin]
            body = f"""\
@       IN NS    ns1
ns1     IN A     {A[role]}
www     IN A     203.0.113.{n}
www     IN AAAA  2001:db8::{n}
txt     IN TXT   "{origin} {SIGNED[origin].breakage or 'signed'}"
"""
            if role == "signed":
                body += f"*.wild  IN A     203.0.113.{n + 100}\n"
            z[role][origin] = _zone(origin, s, body)
    z["signed"]["ecdsa.com."] += "cname   IN CNAME www.alpha.com.\n"
    z["signed"]["ecdsa.com."] += f"short   {SHORT_TTL} IN A 203.0.113.114\n"
    z["signed"]["eddsa.net."] += "alias   IN CNAME www.ecdsa.com.\n"
    z["signed"]["optout.com."] += (OPTOUT_MARK + "unsig   IN NS    ns1.unsig\n"
                                   f"ns1.unsig IN A   {A['optchild']}\n")
    z["optchild"]["unsig.optout.com."] = _zone("unsig.optout.com.", s, f"""\
@       IN NS    ns1
ns1     IN A     {A['optchild']}
www     IN A     203.0.113.{_DNSSEC_N['unsig.optout.com.']}
""")


# --- what a correct resolver answers ---------------------------------------

# EDE codes (RFC 8914) used below.
EDE_OTHER = 0
EDE_NO_REACHABLE_AUTHORITY = 22

Case = collections.namedtuple("Case", "qname qtype rcode answer ede why")
# rcode: "NOERROR", "NXDOMAIN" or "SERVFAIL".
# answer: the answer section as a frozenset of "owner TYPE rdata" (lower-case
#   owner, TTL left out); frozenset() for NODATA/NXDOMAIN; None for SERVFAIL.
# ede: for SERVFAIL, the Extended DNS Error holdfast must attach (None for
#   others). The stock unbound control is only held to the rcode and answer.


def _ans(*rrs):
    return frozenset(rrs)


WWW_ALPHA = ("www.alpha.com. A 203.0.113.10", "www.alpha.com. A 203.0.113.11")

CASES = [
    # -- ordinary --
    Case("www.alpha.com.", "A", "NOERROR", _ans(*WWW_ALPHA), None, "two A records"),
    Case("www.alpha.com.", "AAAA", "NOERROR", _ans("www.alpha.com. AAAA 2001:db8::10"),
         None, "AAAA"),
    Case("alpha.com.", "MX", "NOERROR", _ans("alpha.com. MX 10 mail.alpha.com."), None, "MX"),
    Case("txt.alpha.com.", "TXT", "NOERROR",
         _ans('txt.alpha.com. TXT "hello from alpha" "second string"'), None, "TXT, 2 strings"),
    Case("www.alpha.com.", "TXT", "NOERROR", _ans(), None, "NODATA"),
    Case("nx.alpha.com.", "A", "NXDOMAIN", _ans(), None, "NXDOMAIN in a second-level zone"),
    Case("www.nosuchtld.", "A", "NXDOMAIN", _ans(), None, "NXDOMAIN from the root"),
    Case("alias.alpha.com.", "A", "NOERROR",
         _ans("alias.alpha.com. CNAME www.alpha.com.", *WWW_ALPHA), None, "in-zone CNAME"),
    Case("chain.alpha.com.", "A", "NOERROR",
         _ans("chain.alpha.com. CNAME hop.beta.net.", "hop.beta.net. CNAME end.gamma.org.",
              "end.gamma.org. A 203.0.113.30"), None, "CNAME chain com -> net -> org"),
    Case("www.old.gamma.org.", "A", "NOERROR",
         _ans("old.gamma.org. DNAME alpha.com.", "www.old.gamma.org. CNAME www.alpha.com.",
              *WWW_ALPHA), None, "DNAME into another TLD"),
    Case("www.beta.net.", "A", "NOERROR", _ans("www.beta.net. A 203.0.113.20"), None, "net."),
    Case("www.hoster.net.", "A", "NOERROR", _ans("www.hoster.net. A 203.0.113.40"), None,
         "in-bailiwick glue"),
    Case("www.oob.org.", "A", "NOERROR", _ans("www.oob.org. A 203.0.113.41"), None,
         "NS in another TLD, no glue"),
    Case("deep.sub.alpha.com.", "A", "NOERROR", _ans("deep.sub.alpha.com. A 203.0.113.42"),
         None, "third-level delegation to an out-of-bailiwick NS"),
    Case("www.half.net.", "A", "NOERROR", _ans("www.half.net. A 203.0.113.43"), None,
         "one of two servers dead"),
    Case("www.liar.com.", "A", "NOERROR", _ans("www.liar.com. A 203.0.113.50"), None,
         "com. adds lying out-of-bailiwick glue; 203.0.113.66 means it was believed"),
    Case("www.example.cn.", "A", "NOERROR", _ans("www.example.cn. A 203.0.113.80"), None,
         "near zone"),
    Case("www.example.cn.", "AAAA", "NOERROR", _ans("www.example.cn. AAAA 2001:db8::80"), None,
         "near zone AAAA"),
    Case("nx.example.cn.", "A", "NXDOMAIN", _ans(), None, "near NXDOMAIN"),
    Case("www.near.cn.", "A", "NOERROR",
         _ans("www.near.cn. CNAME www.alpha.com.", *WWW_ALPHA), None, "CNAME near -> far"),
    # -- broken on purpose --
    Case("www.lame.com.", "A", "SERVFAIL", None, EDE_NO_REACHABLE_AUTHORITY,
         "lame delegation: the only server answers REFUSED"),
    Case("www.cyc1.com.", "A", "SERVFAIL", None, EDE_NO_REACHABLE_AUTHORITY,
         "NS cycle with cyc2.net: no server address can be found"),
    Case("loop1.beta.net.", "A", "SERVFAIL", None, EDE_OTHER,
         "CNAME loop beta.net <-> gamma.org (no RFC 8914 code fits: 0 Other + text)"),
    Case("www.silent.org.", "A", "SERVFAIL", None, EDE_NO_REACHABLE_AUTHORITY,
         "the only server never answers (blackholed)"),
    Case("www.closed.org.", "A", "SERVFAIL", None, EDE_NO_REACHABLE_AUTHORITY,
         "the only server's port is closed (ICMP port unreachable)"),
]


def case_id(c):
    return f"{c.qname.rstrip('.')}/{c.qtype}"


# --- DNSSEC: what a validating resolver answers -----------------------------

# EDE codes (RFC 8914) for DNSSEC.
EDE_UNSUPPORTED_DNSKEY_ALG = 1
EDE_UNSUPPORTED_DS_DIGEST = 2
EDE_DNSSEC_BOGUS = 6
EDE_SIGNATURE_EXPIRED = 7
EDE_SIGNATURE_NOT_YET_VALID = 8
EDE_DNSKEY_MISSING = 9
EDE_RRSIGS_MISSING = 10
EDE_NO_ZONE_KEY_BIT = 11
EDE_NSEC_MISSING = 12

SECURE, INSECURE, BOGUS = "secure", "insecure", "bogus"

DnssecCase = collections.namedtuple("DnssecCase", "qname qtype rcode verdict answer ede why")
# rcode: "NOERROR" or "NXDOMAIN": the rcode of the data. A validating resolver gives it
#   for secure and insecure names; for bogus ones it answers SERVFAIL, and gives this
#   rcode (and the answer) only when the query has CD set.
# verdict: SECURE (AD set when the query has DO or AD), INSECURE (never AD) or BOGUS.
# answer: as in CASES, RRSIGs left out (frozenset() for NODATA and NXDOMAIN).
# ede: for BOGUS, the Extended DNS Error holdfast must attach to its SERVFAIL; for
#   INSECURE, an informational code holdfast may attach (not checked); else None.


def validated_rcode(case):
    """The rcode a validating resolver answers without CD."""
    return "SERVFAIL" if case.verdict == BOGUS else case.rcode


def _d(qname, qtype, rcode, verdict, answer, ede, why):
    return DnssecCase(qname, qtype, rcode, verdict, answer, ede, why)


def _a(origin, n, owner=None):
    return _ans(f"{owner or 'www.' + origin} A 203.0.113.{n}")


DNSSEC_CASES = [
    # -- secure: the signed TLDs and root --
    _d("com.", "NS", "NOERROR", SECURE, _ans("com. NS ns1.nic.com."), None, "signed TLD apex"),
    _d("www.nosuchtld.", "A", "NXDOMAIN", SECURE, _ans(), None, "root NSEC denial"),
    _d("nosuch.net.", "A", "NXDOMAIN", SECURE, _ans(), None,
       "net. NSEC3 denial (ED25519, no salt)"),
    _d("nosuch.org.", "A", "NXDOMAIN", SECURE, _ans(), None, "org. NSEC3 denial (salt ab12)"),
    # -- secure: one zone per algorithm --
    _d("www.rsa.org.", "A", "NOERROR", SECURE, _a("rsa.org.", 108), None, "RSASHA256"),
    _d("txt.rsa.org.", "TXT", "NOERROR", SECURE, _ans('txt.rsa.org. TXT "rsa.org. signed"'),
       None, "RSASHA256 TXT"),
    _d("nx.rsa.org.", "A", "NXDOMAIN", SECURE, _ans(), None, "RSASHA256 NSEC NXDOMAIN"),
    _d("x.wild.rsa.org.", "A", "NOERROR", SECURE, _a("rsa.org.", 208, "x.wild.rsa.org."), None,
       "RSASHA256 wildcard (NSEC proves no closer match)"),
    _d("www.ecdsa.com.", "A", "NOERROR", SECURE, _a("ecdsa.com.", 113), None, "ECDSAP256SHA256"),
    _d("www.ecdsa.com.", "AAAA", "NOERROR", SECURE, _ans("www.ecdsa.com. AAAA 2001:db8::113"),
       None, "ECDSAP256SHA256 AAAA"),
    _d("www.ecdsa.com.", "MX", "NOERROR", SECURE, _ans(), None, "NSEC NODATA"),
    _d("nx.ecdsa.com.", "A", "NXDOMAIN", SECURE, _ans(), None, "NSEC NXDOMAIN"),
    _d("x.wild.ecdsa.com.", "A", "NOERROR", SECURE, _a("ecdsa.com.", 213, "x.wild.ecdsa.com."),
       None, "ECDSA wildcard"),
    _d("www.eddsa.net.", "A", "NOERROR", SECURE, _a("eddsa.net.", 115), None, "ED25519"),
    _d("www.eddsa.net.", "MX", "NOERROR", SECURE, _ans(), None, "NSEC3 NODATA"),
    _d("nx.eddsa.net.", "A", "NXDOMAIN", SECURE, _ans(), None,
       "NSEC3 NXDOMAIN (closest encloser, next closer, wildcard)"),
    _d("x.wild.eddsa.net.", "A", "NOERROR", SECURE, _a("eddsa.net.", 215, "x.wild.eddsa.net."),
       None, "NSEC3 wildcard"),
    _d("alias.eddsa.net.", "A", "NOERROR", SECURE,
       _ans("alias.eddsa.net. CNAME www.ecdsa.com.", "www.ecdsa.com. A 203.0.113.113"), None,
       "CNAME from one signed zone into another (net. -> com.)"),
    _d("www.optout.com.", "A", "NOERROR", SECURE, _a("optout.com.", 116), None,
       "signed name in an NSEC3 opt-out zone"),
    _d("www.optout.com.", "MX", "NOERROR", SECURE, _ans(), None,
       "NODATA in an opt-out zone: the NSEC3 matches the name"),
    # -- secure: the unbroken parts of broken zones --
    _d("txt.norrsig.com.", "TXT", "NOERROR", SECURE,
       _ans('txt.norrsig.com. TXT "norrsig.com. no-rrsig"'), None,
       "norrsig.com's other RRsets keep their RRSIGs"),
    _d("www.nonsec.com.", "A", "NOERROR", SECURE, _a("nonsec.com.", 154), None,
       "nonsec.com's positive answers are signed"),
    _d("www.badnsec3.net.", "A", "NOERROR", SECURE, _a("badnsec3.net.", 155), None,
       "badnsec3.net's positive answers are signed"),
    # -- insecure --
    _d("www.alpha.com.", "A", "NOERROR", INSECURE, _ans(*WWW_ALPHA), None,
       "unsigned zone under signed com. (NSEC proves no DS)"),
    _d("nx.alpha.com.", "A", "NXDOMAIN", INSECURE, _ans(), None, "NXDOMAIN in an unsigned zone"),
    _d("www.example.cn.", "A", "NOERROR", INSECURE, _ans("www.example.cn. A 203.0.113.80"),
       None, "unsigned TLD under the signed root"),
    _d("cname.ecdsa.com.", "A", "NOERROR", INSECURE,
       _ans("cname.ecdsa.com. CNAME www.alpha.com.", *WWW_ALPHA), None,
       "signed CNAME into an unsigned zone: the whole answer is insecure"),
    _d("www.unsig.optout.com.", "A", "NOERROR", INSECURE, _a("unsig.optout.com.", 117), None,
       "unsigned delegation covered by an NSEC3 opt-out span"),
    _d("nx.optout.com.", "A", "NXDOMAIN", INSECURE, _ans(), None,
       "NXDOMAIN whose next-closer NSEC3 has opt-out: an unsigned delegation could hide "
       "there, so the denial is not secure (RFC 5155 9.2)"),
    _d("www.unsupalg.org.", "A", "NOERROR", INSECURE, _a("unsupalg.org.", 157),
       EDE_UNSUPPORTED_DNSKEY_ALG, "only DS is algorithm 253 (PRIVATEDNS): unsupported"),
    _d("www.unsupdigest.org.", "A", "NOERROR", INSECURE, _a("unsupdigest.org.", 158),
       EDE_UNSUPPORTED_DS_DIGEST, "only DS has digest type 200: unsupported"),
    # -- bogus --
    _d("www.expired.com.", "A", "NOERROR", BOGUS, _a("expired.com.", 150),
       EDE_SIGNATURE_EXPIRED, "every RRSIG expired, the DNSKEY set's too"),
    _d("www.future.com.", "A", "NOERROR", BOGUS, _a("future.com.", 151),
       EDE_SIGNATURE_NOT_YET_VALID, "every RRSIG's inception is a week ahead"),
    _d("www.badds.com.", "A", "NOERROR", BOGUS, _a("badds.com.", 152), EDE_DNSKEY_MISSING,
       "com.'s DS (right tag, wrong digest) matches no DNSKEY"),
    _d("www.norrsig.com.", "A", "NOERROR", BOGUS, _a("norrsig.com.", 153), EDE_RRSIGS_MISSING,
       "the A RRset comes without its RRSIG"),
    _d("nx.nonsec.com.", "A", "NXDOMAIN", BOGUS, _ans(), EDE_NSEC_MISSING,
       "NXDOMAIN without NSEC"),
    _d("www.nonsec.com.", "MX", "NOERROR", BOGUS, _ans(), EDE_NSEC_MISSING,
       "NODATA without NSEC"),
    _d("nx.badnsec3.net.", "A", "NXDOMAIN", BOGUS, _ans(), EDE_DNSSEC_BOGUS,
       "NXDOMAIN whose (validly signed) NSEC3s say *.badnsec3.net exists"),
    _d("txt.badnsec3.net.", "AAAA", "NOERROR", BOGUS, _ans(), EDE_DNSSEC_BOGUS,
       "NODATA whose (validly signed) NSEC3 lists AAAA at the name"),
    _d("www.nozonebit.com.", "A", "NOERROR", BOGUS, _a("nozonebit.com.", 156),
       EDE_NO_ZONE_KEY_BIT, "the DS matches a DNSKEY without the Zone Key bit"),
]


def dnssec_case_id(c):
    return f"{c.qname.rstrip('.') or '.'}/{c.qtype}/{c.verdict}"


# --- short-lived names (TTL SHORT_TTL), for the scenarios -------------------------

SHORT = {
    "short1.alpha.com.": "203.0.113.12",
    "short2.alpha.com.": "203.0.113.13",
    "short3.alpha.com.": "203.0.113.14",
    "short4.alpha.com.": "203.0.113.15",
    "short.ecdsa.com.": "203.0.113.114",   # signed
}
