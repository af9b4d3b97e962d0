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
""", ns="ns1.nic.com.")
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
""", ns="ns1.nic.net.")
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
""", ns="ns1.nic.org.")
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
    for role, (_, _, origins) in SERVERS.items():
        missing = set(origins) - set(z[role])
        if missing:
            raise AssertionError(f"zones.py: role {role} lacks zone text for {missing}")
    return dict(z)


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
