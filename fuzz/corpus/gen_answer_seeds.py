#!/usr/bin/python3
"""Seeds for fuzz_answer: a role octet (0 = client query, 1 = upstream reply) and a message."""
import pathlib

import dns.flags
import dns.message
import dns.rrset

HERE = pathlib.Path(__file__).parent / "answer"


def write(name, role, msg):
    (HERE / name).write_bytes(bytes([role]) + msg.to_wire())


def query(name, rdtype="A", **kw):
    return dns.message.make_query(name, rdtype, **kw)


def reply(*rrsets, rcode=0, authority=(), tc=False):
    q = query("www.example.com.", "A", use_edns=0)
    r = dns.message.make_response(q)
    r.set_rcode(rcode)
    r.answer.extend(rrsets)
    r.authority.extend(authority)
    if tc:
        r.flags |= dns.flags.TC
    return r


write("query-a", 0, query("www.example.com."))
write("query-edns-do", 0, query("www.Example.com.", "AAAA", use_edns=0, want_dnssec=True))
write("query-any", 0, query("example.com.", "ANY"))
write("query-axfr", 0, query("example.com.", "AXFR"))
write("query-chaos", 0, query("version.bind.", "TXT", rdclass="CH"))
write("query-edns1", 0, query("example.com.", use_edns=1))
a = dns.rrset.from_text("www.example.com.", 300, "IN", "A", "192.0.2.1", "192.0.2.2")
write("reply-a", 1, reply(a))
chain = [dns.rrset.from_text("www.example.com.", 60, "IN", "CNAME", "web.example.net."),
         dns.rrset.from_text("web.example.net.", 30, "IN", "A", "198.51.100.1")]
write("reply-cname", 1, reply(*chain))
soa = dns.rrset.from_text("example.com.", 3600, "IN", "SOA", "ns. host. 1 2 3 4 300")
write("reply-nxdomain", 1, reply(rcode=3, authority=[soa]))
write("reply-nodata", 1, reply(authority=[soa]))
write("reply-tc", 1, reply(tc=True))
write("reply-servfail", 1, reply(rcode=2))


def iter_seed(name, msg):
    """Role 2: flags, AN/NS/AR counts, then the sections after the question."""
    wire = msg.to_wire()
    qend = 12
    while wire[qend] != 0:
        qend += wire[qend] + 1
    qend += 5
    # Names in the sections must not point into the question: write them uncompressed.
    (HERE / name).write_bytes(bytes([2]) + wire[2:4] + wire[6:12] + wire[qend:])


prime = dns.message.make_response(query(".", "NS"))
prime.answer.append(dns.rrset.from_text(".", 518400, "IN", "NS", "a.root.test."))
prime.additional.append(dns.rrset.from_text("a.root.test.", 518400, "IN", "A", "192.0.2.1"))
iter_seed("iter-priming", prime)
ref = dns.message.make_response(query("com.", "A"))
ref.flags &= ~dns.flags.AA
ref.authority.append(dns.rrset.from_text("com.", 172800, "IN", "NS", "ns.gtld.com."))
ref.additional.append(dns.rrset.from_text("ns.gtld.com.", 172800, "IN", "A", "192.0.2.2"))
iter_seed("iter-referral", ref)
