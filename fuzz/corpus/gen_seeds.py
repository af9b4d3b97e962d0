#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora in fuzz/corpus/{pkt,name,text}/.

Run with Debian's interpreter (python3-dnspython 2.3):

    /usr/bin/python3 fuzz/corpus/gen_seeds.py

Messages come from dnspython, so the seeds are what real software sends;
the few that no library writes (pointer loops, a message cut short) are
built by hand. Each file is named after what it holds; the run first
removes the seeds it wrote before, but leaves the fuzzers' findings alone:
crash-* (a bug still open) and regress-* (a fixed one).
Everything is deterministic: running it twice gives the same files.
"""

import os
import struct
import sys

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_SEED = 2048

# Deterministic filler for keys, signatures and hashes.
B64_KEY = "AwEAAcMnWBKLuvG/LwnPVykcmpvnntwxfshHlHRhlY0F3oz8AMcuF8gw9McCw+BoC2YxWaiTpNPuxjSNhnk8ae+FjzOUSjcq8iaY"
B64_SIG = "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRoZSByaWdodCBzaGFwZSBmb3IgYSBzZWVkIGZpbGU="
HEX32 = "2bb183af5f22588179a53b0a98631fad1a292118c6ae7d1b1a4b4e8f4c3a3e1d"
HEX48 = HEX32 + "00112233445566778899aabbccddeeff"


def rrset(owner, ttl, rdtype, *texts, rdclass="IN"):
    return dns.rrset.from_text(owner, ttl, rdclass, rdtype, *texts)


# --- records, one line each (text corpus, and answers for the pkt corpus) ---

RECORDS = [
    ("a", "www.example.com. 300 IN A 192.0.2.1"),
    ("aaaa", "www.example.com. 300 IN AAAA 2001:db8::1"),
    ("ns", "example.com. 86400 IN NS ns1.example.com."),
    ("cname", "alias.example.com. 300 IN CNAME www.example.com."),
    ("dname", "old.example.com. 300 IN DNAME new.example.net."),
    ("ptr", "1.2.0.192.in-addr.arpa. 3600 IN PTR host.example.com."),
    ("mx", "example.com. 3600 IN MX 10 mail.example.com."),
    ("soa", "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. "
            "2024010101 7200 3600 1209600 300"),
    ("txt", 'txt.example.com. 60 IN TXT "hello world" "with \\"quotes\\", \\\\ and \\010"'),
    ("srv", "_sip._tcp.example.com. 86400 IN SRV 10 60 5060 sip.example.com."),
    ("naptr", 'example.com. 3600 IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'),
    ("caa", 'example.com. 3600 IN CAA 0 issue "letsencrypt.org"'),
    ("tlsa", "_443._tcp.www.example.com. 3600 IN TLSA 3 1 1 " + HEX32),
    ("ds", "example.com. 86400 IN DS 12345 13 2 " + HEX32),
    ("cds", "example.com. 86400 IN CDS 12345 13 2 " + HEX32),
    ("dnskey", "example.com. 3600 IN DNSKEY 257 3 13 " + B64_KEY),
    ("cdnskey", "example.com. 3600 IN CDNSKEY 257 3 13 " + B64_KEY),
    ("rrsig", "www.example.com. 300 IN RRSIG A 13 3 300 20300101000000 20240101000000 "
              "12345 example.com. " + B64_SIG),
    ("nsec", "example.com. 3600 IN NSEC www.example.com. A NS SOA MX TXT AAAA RRSIG NSEC "
             "DNSKEY CAA TYPE65000"),
    ("nsec3", "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.com. 3600 IN NSEC3 1 1 10 aabbccdd "
              "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG"),
    ("nsec3-nosalt", "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.com. 3600 IN NSEC3 1 0 0 - "
                     "2vptu5timamqttgl4luu9kg21e0aor3s"),
    ("nsec3param", "example.com. 0 IN NSEC3PARAM 1 0 10 aabbccdd"),
    ("svcb", '_dns.example.com. 300 IN SVCB 1 dns.example.com. mandatory="alpn" '
             'alpn="dot,doq" port="853"'),
    ("https", 'example.com. 300 IN HTTPS 1 . alpn="h2,h3" ipv4hint="192.0.2.1,192.0.2.2" '
              'ipv6hint="2001:db8::1" ech="AEj+DQBEAQAgACBI"'),
    ("https-alias", "www.example.com. 300 IN HTTPS 0 example.com."),
    ("zonemd", "example.com. 86400 IN ZONEMD 2024010101 1 1 " + HEX48),
    ("unknown", "example.com. 300 IN TYPE65280 \\# 3 abcdef"),
    ("ch-txt", 'version.bind. 0 CH TXT "holdfast"'),
]

# Text that only the text parser sees: the syntax corners of rr.h.
TEXT_ONLY = [
    ("relative-owner", "www IN A 192.0.2.1"),
    ("no-ttl-no-class", "www.example.com. A 192.0.2.1"),
    ("class-before-ttl", "www.example.com. IN 300 AAAA ::ffff:192.0.2.1"),
    ("ttl-units", "www.example.com. 1w2d3h4m5s IN A 192.0.2.1"),
    ("parens-comments", "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. (\n"
                        "\t2024010101 ; serial\n\t7200 ; refresh\n\t3600 ; retry\n"
                        "\t1209600 ; expire\n\t300 ) ; minimum\n"),
    ("escaped-owner", "a\\.b\\065\\000.example. 60 IN TXT unquoted \"\\240\\255\""),
    ("generic-a", "www.example.com. 300 IN A \\# 4 c0000201"),
    ("typennn", "www.example.com. 300 CLASS1 TYPE1 192.0.2.1"),
    ("https-alpn-ddd", 'example.com. 300 IN HTTPS 1 . alpn="h2,h\\\\019"'),
]


# Types whose text differs from another's only in its name stay out of the text corpus.
TEXT_SKIP = {"ns", "ptr", "dname", "cds", "cdnskey", "https-alias"}


def text_seeds():
    seeds = {}
    for name, line in RECORDS + TEXT_ONLY:
        if name not in TEXT_SKIP:
            seeds[name] = line.encode()
    return seeds


# --- wire names -------------------------------------------------------------

def wire(name):
    return dns.name.from_text(name).to_wire()


def name_seeds():
    seeds = {}
    seeds["root"] = b"\x00"
    seeds["www-example-com"] = wire("www.example.com.")
    seeds["mixed-case"] = wire("WwW.ExAmPlE.CoM.")
    seeds["specials"] = wire('a\\.b.\\@\\$\\;\\(\\)\\"\\\\.\\000\\255\\032.example.')
    seeds["wildcard"] = wire("*.z.example.")
    seeds["label-63"] = wire("a" * 63 + ".example.")
    seeds["name-255"] = wire(".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61]) + ".")
    # Compressed: "example.com." at 0, then "www" + pointer to it at 13.
    seeds["compressed"] = wire("example.com.") + b"\x03www\xc0\x00"
    # First label of 63 whose content holds a compressed name at offset 15
    # (63 & 0x0f), so the harness decodes it too.
    inner = b"\x04mail" + b"\xc0\x00"
    body = b"x" * 14 + inner
    body += b"y" * (63 - len(body))
    seeds["pointer-in-label"] = b"\x3f" + body + wire("example.")
    # Errors: loop, forward pointer, reserved label types, too long.
    seeds["ptr-self"] = b"\x01a\xc0\x00"
    seeds["ptr-forward"] = b"\xc0\x02\x00"
    seeds["label-0x80"] = b"\x80abc\x00"
    seeds["label-0x40"] = b"\x40" + b"a" * 64 + b"\x00"
    seeds["name-256"] = b"\x3f" + b"a" * 63 + b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 \
        + b"\x3e" + b"d" * 62 + b"\x00"
    # Text, for hf_name_from_text() on the raw bytes.
    seeds["text-absolute"] = b"www.example.com."
    seeds["text-relative"] = b"mail.example"
    seeds["text-escapes"] = b"a\\.b\\065\\\\\\000.c."
    seeds["text-at"] = b"@"
    seeds["text-root"] = b"."
    return seeds


# --- messages ---------------------------------------------------------------

def query(qname, qtype, **kw):
    return dns.message.make_query(qname, qtype, **kw)


def answer_to(q, *rrsets, section="answer", rcode=dns.rcode.NOERROR, flags=None):
    r = dns.message.make_response(q)
    r.set_rcode(rcode)
    getattr(r, section).extend(rrsets)
    if flags is not None:
        r.flags = flags
    return r


def cookie(client, server=b""):
    return dns.edns.GenericOption(dns.edns.OptionType.COOKIE, client + server)


def pkt_seeds():
    seeds = {}

    def add(name, msg, **kw):
        seeds[name] = msg.to_wire(**kw) if not isinstance(msg, bytes) else msg

    q = query("www.example.com.", "A", use_edns=False)
    q.id = 0x1234
    add("query-a", q)
    q = query("WwW.eXaMpLe.CoM.", "AAAA", use_edns=0, payload=1232, want_dnssec=True)
    q.id = 0x2345
    add("query-edns-do-0x20", q)
    q = query("example.com.", "MX", use_edns=0, payload=1232,
              options=[cookie(bytes(range(1, 9)))])
    q.id = 0x3456
    add("query-cookie-client", q)
    q = query("example.com.", "NS", use_edns=0, payload=4096,
              options=[cookie(bytes(range(1, 9)), bytes(range(0x10, 0x20)))])
    q.id = 0x4567
    add("query-cookie-server", q)
    q = query("www.example.com.", "A", use_edns=0, payload=1232,
              options=[dns.edns.ECSOption("192.0.2.0", 24, 0),
                       dns.edns.ECSOption("2001:db8::", 56, 0),
                       dns.edns.GenericOption(dns.edns.OptionType.PADDING, bytes(16)),
                       dns.edns.GenericOption(65001, b"\x00\xff")])
    q.id = 0x5678
    add("query-ecs-padding", q)
    q = query("example.com.", "SOA", use_edns=False)
    q.use_edns(1, 0, 1232)  # make_query() turns use_edns=1 into version 0
    q.id = 0x6789
    add("query-edns-version-1", q)

    # Responses, all compressed by dnspython.
    q = query("www.example.com.", "A", use_edns=0, payload=1232)
    q.id = 0x1111
    r = answer_to(q, rrset("www.example.com.", 300, "CNAME", "web.example.com."),
                  rrset("web.example.com.", 300, "A", "192.0.2.1", "192.0.2.2", "192.0.2.3"))
    r.authority.append(rrset("example.com.", 86400, "NS", "ns1.example.com.", "ns2.example.com."))
    r.additional.append(rrset("ns1.example.com.", 86400, "A", "192.0.2.53"))
    r.additional.append(rrset("ns2.example.com.", 86400, "AAAA", "2001:db8::53"))
    add("response-cname-glue", r)

    q = query("nope.example.com.", "A", use_edns=0, payload=1232)
    q.id = 0x2222
    r = answer_to(q, rrset("example.com.", 300, "SOA", "ns1.example.com. hostmaster.example.com. "
                           "2024010101 7200 3600 1209600 300"),
                  section="authority", rcode=dns.rcode.NXDOMAIN)
    add("response-nxdomain-soa", r)

    q = query("big.example.com.", "TXT", use_edns=False)
    q.id = 0x3333
    r = answer_to(q)
    r.flags |= dns.flags.TC
    add("response-tc", r)

    q = query("example.com.", "A", use_edns=0, payload=1232)
    q.id = 0x4444
    r = answer_to(q, rcode=dns.rcode.SERVFAIL)
    r.use_edns(0, 0, 1232, options=[dns.edns.EDEOption(dns.edns.EDECode.DNSSEC_BOGUS,
                                                       "signature expired"),
                                    cookie(bytes(range(1, 9)), bytes(range(0x10, 0x18)))])
    add("response-servfail-ede", r)

    q = query("example.com.", "SOA", use_edns=False)
    q.use_edns(1, 0, 1232)
    q.id = 0x5555
    r = dns.message.make_response(q)
    r.use_edns(0, 0, 1232)
    r.set_rcode(dns.rcode.BADVERS)
    add("response-badvers", r)

    # One response per group of record types, answering a query for the first.
    groups = [
        ("mx-txt-srv", ["mx", "txt", "srv", "naptr"]),
        ("dnssec", ["ds", "dnskey", "rrsig", "nsec"]),
        ("nsec3", ["nsec3", "nsec3-nosalt", "nsec3param", "cds", "cdnskey"]),
        ("svcb-https", ["svcb", "https", "https-alias"]),
        ("misc", ["aaaa", "ptr", "dname", "caa", "tlsa", "zonemd", "unknown"]),
    ]
    recs = dict(RECORDS)
    for i, (gname, names) in enumerate(groups):
        rr = [dns.rrset.from_text(*_split(recs[n])) for n in names]
        q = query(rr[0].name, rr[0].rdtype, use_edns=0, payload=1232, want_dnssec=True)
        q.id = 0x6000 + i
        add("response-" + gname, answer_to(q, *rr))

    q = dns.message.make_query("version.bind.", "TXT", "CH", use_edns=False)
    q.id = 0x7777
    add("response-chaos", answer_to(q, rrset("version.bind.", 0, "TXT", '"holdfast"',
                                             rdclass="CH")))

    n = dns.message.Message(id=0x8888)
    n.set_opcode(dns.opcode.NOTIFY)
    n.flags |= dns.flags.AA
    n.find_rrset(n.question, dns.name.from_text("example.com."), dns.rdataclass.IN,
                 dns.rdatatype.SOA, create=True, force_unique=True)
    add("notify", n)

    # More records than fit in struct hf_pkt's inline array.
    q = query("many.example.com.", "A", use_edns=False)
    q.id = 0x9999
    add("response-many", answer_to(q, rrset("many.example.com.", 60, "A",
                                            *["192.0.2.%d" % k for k in range(1, 25)])))

    # Hand-built: what no library writes.
    hdr = struct.pack("!HHHHHH", 0xabcd, 0x0100, 1, 0, 0, 0)
    add("ptr-self", hdr + b"\xc0\x0c" + struct.pack("!HH", 1, 1))
    # The loop of test_ptr_loop_two_step: backward pointers only.
    hdr2 = struct.pack("!HHHHHH", 0xabce, 0x8000, 0, 2, 0, 0)
    add("ptr-loop", hdr2 + b"\x00" + struct.pack("!HHIH", 0xff00, 1, 0, 5)
        + b"\x02\xc0\x17\xc0\x18" + b"\xc0\x18" + struct.pack("!HHIH", 1, 1, 0, 4)
        + b"\xc0\x00\x02\x01")
    # HTTPS alpn ids "h2" and "h\x13": the non-printable octet needs both
    # escape levels of RFC 9460 Appendix A.1 (dnspython 2.3 reads its own
    # text of it back as "h019"). Found by fuzz_pkt.
    alpn = b"\x02h2\x02h\x13"
    rdata = struct.pack("!H", 1) + b"\x00" + struct.pack("!HH", 1, len(alpn)) + alpn
    add("https-alpn-nonprintable", struct.pack("!HHHHHH", 0xabcf, 0x8000, 0, 1, 0, 0) + b"\x00"
        + struct.pack("!HHIH", 65, 1, 300, len(rdata)) + rdata)
    full = seeds["response-cname-glue"]
    add("cut-short", full[:len(full) - 7])
    return seeds


def _split(line):
    owner, ttl, rdclass, rdtype, rdata = line.split(None, 4)
    return owner, int(ttl), rdclass, rdtype, rdata


def write(kind, seeds):
    d = os.path.join(HERE, kind)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if not f.startswith(("crash-", "regress-", ".")):
            os.remove(os.path.join(d, f))
    for name, data in sorted(seeds.items()):
        if len(data) > MAX_SEED:
            sys.exit("%s/%s: %d octets, over the %d limit" % (kind, name, len(data), MAX_SEED))
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (kind, len(seeds)))


def main():
    write("pkt", pkt_seeds())
    write("name", name_seeds())
    write("text", text_seeds())


if __name__ == "__main__":
    main()
