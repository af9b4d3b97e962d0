#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus of fuzz/fuzz_nsec.c in fuzz/corpus/nsec/.

Run with Debian's interpreter (python3-dnspython 2.3):

    /usr/bin/python3 fuzz/corpus/gen_nsec_seeds.py

Each seed is one question and its denial records in the layout fuzz_nsec.c
reads: four octets (qtype selector, hash budget, iteration cap, closest
encloser depth below the zone), the zone, the qname less the zone, then per
record a set octet (1 = NSEC3), the owner less the zone, RDATA length and
RDATA. dnspython writes the RDATA, so the records are what real signers send.
The NSEC3 seeds are the example responses of RFC 5155 Appendix B over the
zone of Appendix A; the NSEC seeds use a small zone written here. A few
seeds are broken on purpose (RDATA cut short, a bitmap window too long, a
qname of many labels for the hash budget).

The run removes the seeds it wrote before and leaves the fuzzer's findings
alone: crash-* (a bug still open) and regress-* (a fixed one). Everything is
deterministic: running it twice gives the same files.
"""

import os
import struct
import sys

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_SEED = 4096

# fuzz_nsec.c's qtype table, in order.
QTYPES = ["A", "NS", "CNAME", "SOA", "MX", "AAAA", "DS", "DNAME", "TXT", "RRSIG", "NSEC", "NSEC3"]

# RFC 5155 Appendix A: the NSEC3 chain of the zone "example" (salt aabbccdd,
# 12 iterations, opt-out set on every record).
RFC5155 = {
    "0p9m": ("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
             "MX DNSKEY NS SOA NSEC3PARAM RRSIG"),
    "2t7b": ("2t7b4g4vsa5smi47k61mv5bv1a22bojr", "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG"),
    "2vpt": ("2vptu5timamqttgl4luu9kg21e0aor3s", "35mthgpgcu1qg68fab165klnsnk3dpvl", "MX RRSIG"),
    "35mt": ("35mthgpgcu1qg68fab165klnsnk3dpvl", "b4um86eghhds6nea196smvmlo4ors995",
             "NS DS RRSIG"),
    "b4um": ("b4um86eghhds6nea196smvmlo4ors995", "gjeqe526plbf1g8mklp59enfd789njgi", "MX RRSIG"),
    "gjeq": ("gjeqe526plbf1g8mklp59enfd789njgi", "ji6neoaepv8b5o6k4ev33abha8ht9fgc",
             "A HINFO AAAA RRSIG"),
    "ji6n": ("ji6neoaepv8b5o6k4ev33abha8ht9fgc", "k8udemvp1j2f7eg6jebps17vp3n8i58h", ""),
    "k8ud": ("k8udemvp1j2f7eg6jebps17vp3n8i58h", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", ""),
    "koha": ("kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "q04jkcevqvmu85r014c7dkba38o0ji5r", "A RRSIG"),
    "q04j": ("q04jkcevqvmu85r014c7dkba38o0ji5r", "r53bq7cc2uvmubfu5ocmm6pers9tk9en", "A RRSIG"),
    "r53b": ("r53bq7cc2uvmubfu5ocmm6pers9tk9en", "t644ebqk9bibcna874givr6joj62mlhv", "MX RRSIG"),
    "t644": ("t644ebqk9bibcna874givr6joj62mlhv", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
             "A HINFO AAAA RRSIG"),
}

# A small NSEC zone in canonical order: an unsigned delegation, a DNAME, a
# secure delegation, a wildcard below an empty non-terminal, an empty
# non-terminal (x), and the last name wrapping round to the apex.
NSEC_ZONE = {
    "apex": ("example.", "a.example. NS SOA RRSIG NSEC DNSKEY"),
    "a": ("a.example.", "deleg.example. A RRSIG NSEC"),
    "deleg": ("deleg.example.", "dn.example. NS RRSIG NSEC"),
    "dn": ("dn.example.", "sec.example. DNAME RRSIG NSEC"),
    "sec": ("sec.example.", "*.w.example. NS DS RRSIG NSEC"),
    "wild": ("*.w.example.", "b.x.example. MX RRSIG NSEC"),
    "bx": ("b.x.example.", "z.example. A RRSIG NSEC"),
    "z": ("z.example.", "example. A RRSIG NSEC"),
}


def rdata(rdtype, text):
    rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text)
    return rd.to_wire()


def prefix(name, zone):
    """The labels of name in front of zone, as a wire name ending in the root."""
    rel = dns.name.from_text(name).relativize(dns.name.from_text(zone))
    if rel == dns.name.empty:
        return b"\x00"
    return b"".join(bytes([len(label)]) + label for label in rel.labels) + b"\x00"


def seed(qtype, zone, qname, records, ce_depth=0, max_hashes=100, max_iterations=12):
    out = bytes([QTYPES.index(qtype), max_hashes, max_iterations, ce_depth])
    out += dns.name.from_text(zone).to_wire() + prefix(qname, zone)
    for is_nsec3, owner, rd in records:
        out += bytes([is_nsec3]) + prefix(owner, zone) + struct.pack("!H", len(rd)) + rd
    return out


def nsec3(key, flags=1, types=None):
    owner, nxt, bits = RFC5155[key]
    text = "1 %d 12 aabbccdd %s %s" % (flags, nxt.upper(), bits if types is None else types)
    return (1, owner + ".example.", rdata("NSEC3", text))


def nsec(key):
    owner, text = NSEC_ZONE[key]
    return (0, owner, rdata("NSEC", text))


def seeds():
    s = {}

    def add(name, data):
        s[name] = data

    # RFC 5155 Appendix B.
    add("rfc5155-b1-name-error",
        seed("A", "example.", "a.c.x.w.example.", [nsec3(k) for k in ("0p9m", "b4um", "35mt")]))
    add("rfc5155-b2-no-data", seed("MX", "example.", "ns1.example.", [nsec3("2t7b")]))
    add("rfc5155-b21-empty-non-terminal", seed("A", "example.", "y.w.example.", [nsec3("ji6n")]))
    add("rfc5155-b3-opt-out-ds",
        seed("DS", "example.", "c.example.", [nsec3("0p9m"), nsec3("35mt")]))
    add("rfc5155-b4-wildcard",
        seed("MX", "example.", "a.z.w.example.", [nsec3("q04j")], ce_depth=1))
    add("rfc5155-b5-wildcard-no-data",
        seed("AAAA", "example.", "a.z.w.example.", [nsec3(k) for k in ("k8ud", "q04j", "r53b")]))
    add("rfc5155-b6-ds-child-apex", seed("DS", "example.", "example.", [nsec3("0p9m")]))
    add("nsec3-dname-encloser",
        seed("A", "example.", "a.c.x.w.example.",
             [nsec3("0p9m", 0), nsec3("b4um", 0, "DNAME RRSIG"), nsec3("35mt", 0)]))
    add("nsec3-iterations-over-cap",
        seed("A", "example.", "a.c.x.w.example.", [nsec3(k) for k in ("0p9m", "b4um", "35mt")],
             max_iterations=11))
    add("nsec3-long-qname",
        seed("A", "example.", "a." * 120 + "example.", [nsec3("0p9m"), nsec3("t644")],
             max_hashes=40))
    cut = nsec3("2t7b")
    add("nsec3-rdata-cut", seed("MX", "example.", "ns1.example.", [(1, cut[1], cut[2][:27])]))

    # NSEC, the zone above.
    add("nsec-name-error", seed("A", "example.", "b.example.", [nsec("a"), nsec("apex")]))
    add("nsec-name-error-after-last", seed("A", "example.", "zz.example.",
                                           [nsec("z"), nsec("apex")]))
    add("nsec-no-data", seed("MX", "example.", "a.example.", [nsec("a")]))
    add("nsec-empty-non-terminal", seed("A", "example.", "x.example.", [nsec("wild")]))
    add("nsec-wildcard-no-data", seed("AAAA", "example.", "q.w.example.", [nsec("wild")]))
    add("nsec-wildcard-answer", seed("MX", "example.", "q.w.example.", [nsec("wild")],
                                     ce_depth=1))
    add("nsec-ds-parent-side", seed("DS", "example.", "deleg.example.", [nsec("deleg")]))
    add("nsec-below-delegation", seed("A", "example.", "www.deleg.example.",
                                      [nsec("deleg"), nsec("apex")]))
    add("nsec-below-dname", seed("A", "example.", "www.dn.example.", [nsec("dn"), nsec("apex")]))
    bad = bytearray(nsec("a")[2])
    bad[len(bad) - 7] = 33  # the bitmap window's length, past the 32 allowed
    add("nsec-bitmap-window-too-long",
        seed("A", "example.", "b.example.", [(0, "a.example.", bytes(bad)), nsec("apex")]))

    # Both kinds at once: the NSEC proves nothing, the NSEC3 the name error.
    add("mixed-nsec-then-nsec3",
        seed("A", "example.", "a.c.x.w.example.",
             [nsec("a")] + [nsec3(k) for k in ("0p9m", "b4um", "35mt")]))
    return s


def write(kind, found):
    d = os.path.join(HERE, kind)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if not f.startswith(("crash-", "regress-", ".")):
            os.remove(os.path.join(d, f))
    for name, data in sorted(found.items()):
        if len(data) > MAX_SEED:
            sys.exit("%s/%s: %d octets, over the %d limit" % (kind, name, len(data), MAX_SEED))
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (kind, len(found)))


def main():
    write("nsec", seeds())


if __name__ == "__main__":
    main()
