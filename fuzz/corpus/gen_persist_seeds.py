#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus in fuzz/corpus/persist/: records as the persistent
cache stores them (layout at the top of src/cache/persist.c), one file each:
the key's length (two octets, big-endian), the key, then the value.

Run with Debian's interpreter (python3-dnspython 2.3):

    /usr/bin/python3 fuzz/corpus/gen_persist_seeds.py

Every kind of entry is here (positive, NODATA, NXDOMAIN, infrastructure,
synthesized CNAME), with and without DNSSEC records, plus a few that the
parser must refuse. RDATA comes from dnspython. The run removes the seeds it
wrote before and leaves crash-* and regress-* files alone. Deterministic.
"""

import os
import struct

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "persist")

POSITIVE, NODATA, NXDOMAIN, INFRA, SYNTH = range(5)
ANSWER, AUTHORITY = 1, 2
EXPIRE = 1700000300
SIG = ("13 2 300 20300101000000 20200101000000 1 example. "
       "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==")


def wire_name(text):
    return dns.name.from_text(text).to_wire()


def rdata(rdtype, text):
    rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text)
    return rd.to_wire()  # uncompressed, names as written


def key(owner, rdtype, rclass=1):
    labels = dns.name.from_text(owner.lower()).labels[:-1]
    rev = b"".join(bytes([len(l)]) + l for l in reversed(labels))
    return rev + b"\0" + struct.pack("!HH", rclass, rdtype)


def extra_rec(section, owner, rdtype, text):
    o = b"" if owner is None else wire_name(owner)
    rd = rdata(rdtype, text)
    return (bytes([section, len(o)]) + o
            + struct.pack("!HH", dns.rdatatype.from_text(rdtype), len(rd)) + rd)


def value(kind, rdatas, *, ttl=300, expire=EXPIRE, sec=0, soa_owner=b"", extra=b""):
    head = struct.pack("!QIHHBBBB", expire, ttl, len(rdatas), len(extra), kind, sec,
                       len(soa_owner), 0)
    return (head + b"".join(struct.pack("!H", len(r)) for r in rdatas) + soa_owner
            + b"".join(rdatas) + extra)


def seed(k, v):
    return struct.pack("!H", len(k)) + k + v


SOA = rdata("SOA", "ns.example. host.example. 1 7200 3600 1209600 300")
A = dns.rdatatype.A

SEEDS = {
    "positive-a": seed(key("www.example.", A),
                       value(POSITIVE, [rdata("A", "192.0.2.1"), rdata("A", "192.0.2.2")])),
    "positive-a-signed": seed(
        key("www.example.", A),
        value(POSITIVE, [rdata("A", "192.0.2.1")], sec=1,
              extra=extra_rec(ANSWER, None, "RRSIG", "A " + SIG))),
    "wildcard-with-proof": seed(
        key("a.w.example.", dns.rdatatype.TXT),
        value(POSITIVE, [rdata("TXT", '"wild"')], sec=1,
              extra=extra_rec(ANSWER, None, "RRSIG", "TXT " + SIG)
              + extra_rec(AUTHORITY, "w.example.", "NSEC", "x.example. TXT RRSIG NSEC")
              + extra_rec(AUTHORITY, "w.example.", "RRSIG", "NSEC " + SIG))),
    "cname": seed(key("alias.example.", dns.rdatatype.CNAME),
                  value(POSITIVE, [rdata("CNAME", "www.example.")], ttl=600)),
    "synth-cname": seed(key("x.d.example.", dns.rdatatype.CNAME),
                        value(SYNTH, [rdata("CNAME", "x.t.example.")])),
    "dname": seed(key("d.example.", dns.rdatatype.DNAME),
                  value(POSITIVE, [rdata("DNAME", "t.example.")])),
    "nodata": seed(key("www.example.", dns.rdatatype.MX),
                   value(NODATA, [SOA], soa_owner=wire_name("example."))),
    "nxdomain-signed": seed(
        key("nope.example.", 0),
        value(NXDOMAIN, [SOA], sec=1, soa_owner=wire_name("example."),
              extra=extra_rec(AUTHORITY, "example.", "RRSIG", "SOA " + SIG)
              + extra_rec(AUTHORITY, "mail.example.", "NSEC", "www.example. A")
              + extra_rec(AUTHORITY, "mail.example.", "RRSIG", "NSEC " + SIG))),
    "infra-ns": seed(key("sub.example.", dns.rdatatype.NS),
                     value(INFRA, [rdata("NS", "ns1.sub.example."),
                                   rdata("NS", "ns2.sub.example.")], ttl=3600)),
    "infra-glue": seed(key("ns1.sub.example.", dns.rdatatype.AAAA),
                       value(INFRA, [rdata("AAAA", "2001:db8::53")], ttl=3600)),
    "root-ns": seed(key(".", dns.rdatatype.NS),
                    value(INFRA, [rdata("NS", "a.root-servers.net.")], ttl=518400)),
    "class-ch": seed(key("version.bind.", dns.rdatatype.TXT, 3),
                     value(POSITIVE, [rdata("TXT", '"x"')])),
    "long-name": seed(key(".".join(["a" * 63] * 3) + ".b" * 31 + ".", A),
                      value(POSITIVE, [rdata("A", "192.0.2.3")])),
    # Refused: each breaks one rule.
    "bad-nxdomain-under-a": seed(key("nope.example.", A),
                                 value(NXDOMAIN, [SOA], soa_owner=wire_name("example."))),
    "bad-soa-not-above": seed(key("nope.example.", 0),
                              value(NXDOMAIN, [SOA], soa_owner=wire_name("other."))),
    "bad-cname-not-a-name": seed(key("alias.example.", dns.rdatatype.CNAME),
                                 value(POSITIVE, [b"\x05ab"])),
    "bad-uppercase-key": seed(key("www.example.", A).replace(b"www", b"WWW"),
                              value(POSITIVE, [rdata("A", "192.0.2.1")])),
    "bad-extra-owner": seed(key("www.example.", A),
                            value(POSITIVE, [rdata("A", "192.0.2.1")],
                                  extra=bytes([AUTHORITY, 0, 0, 47, 0, 0]))),
    "bad-truncated": seed(key("www.example.", A),
                          value(POSITIVE, [rdata("A", "192.0.2.1")])[:-1]),
    "bad-expiry-before-ttl": seed(key("www.example.", A),
                                  value(POSITIVE, [rdata("A", "192.0.2.1")], expire=5)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if not f.startswith(("crash-", "regress-")):
            os.remove(os.path.join(OUT, f))
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {OUT}")


if __name__ == "__main__":
    main()
