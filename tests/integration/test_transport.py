# SPDX-License-Identifier: GPL-3.0-or-later
"""UDP and TCP as RFC 7766 and RFC 6891 want them: TC when an answer does
not fit, the full answer over TCP, pipelined queries on one connection,
answers sent as they are ready rather than in order."""

import socket
import struct
import time

import dns.flags
import dns.message
import dns.rcode

import zones
from conftest import answer_rrset, make_query, rdata_set, tcp_read_msg

BIG = "big.example.test."


def test_large_answer_sets_tc_over_udp(resolver):
    r = resolver.ask(BIG, "A", payload=1232)
    assert r.flags & dns.flags.TC, "a 1.6 kB answer cannot fit 1232 octets"
    assert r.rcode() == dns.rcode.NOERROR


def test_large_answer_sets_tc_without_edns(resolver):
    r = resolver.ask(BIG, "A", edns=-1)
    assert r.flags & dns.flags.TC
    assert len(r.to_wire()) <= 512


def test_large_answer_complete_over_tcp(resolver):
    r = resolver.ask(BIG, "A", tcp=True)
    assert not r.flags & dns.flags.TC
    rs = answer_rrset(r, BIG, "A")
    assert len(rs) == zones.BIG_COUNT
    assert rdata_set(rs) == zones.texts(BIG, "A")


def test_large_answer_fits_a_large_edns_buffer(resolver):
    """A client that offers 4096 octets gets the whole RRset over UDP
    (holdfast fetched it over TCP after NSD's own TC)."""
    resolver.ask(BIG, "A", tcp=True)
    r = resolver.ask(BIG, "A", payload=4096)
    if r.flags & dns.flags.TC:
        # Allowed only if the server caps its UDP size; then it must be below 4096.
        assert r.payload < 4096, r
    else:
        assert len(answer_rrset(r, BIG, "A")) == zones.BIG_COUNT


def _pipeline(server, queries, timeout=10.0):
    """Sends every query on one TCP connection before reading anything;
    returns {id: (arrival index, dns.message.Message)}."""
    s = socket.create_connection(server, timeout=timeout)
    try:
        blob = b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in queries))
        s.sendall(blob)
        got = {}
        for i in range(len(queries)):
            wire = tcp_read_msg(s)
            m = dns.message.from_wire(wire)
            got[m.id] = (i, m)
        return got
    finally:
        s.close()


def test_tcp_pipelining_answers_every_query(resolver):
    asks = [("www.example.test.", "A"), ("www.example.test.", "AAAA"),
            ("example.test.", "MX"), ("txt.example.test.", "TXT"),
            ("chain.example.test.", "A"), ("nope.example.test.", "A"),
            (BIG, "A")]
    queries = []
    for n, (name, t) in enumerate(asks):
        q = make_query(name, t)
        q.id = 1000 + n
        queries.append(q)
    got = _pipeline(resolver.server, queries)
    assert sorted(got) == [q.id for q in queries]
    for q, (name, t) in zip(queries, asks):
        _, m = got[q.id]
        assert m.question == q.question
        if name.startswith("nope"):
            assert m.rcode() == dns.rcode.NXDOMAIN
        elif name == "chain.example.test.":
            assert answer_rrset(m, "end.other.test.", "A")
        else:
            assert rdata_set(answer_rrset(m, name, t)) == zones.texts(name, t), name


def test_tcp_pipelining_same_id_twice_is_answered_twice(resolver):
    """Two queries with one ID on a connection each get their answer."""
    a = make_query("www.example.test.", "A")
    b = make_query("www.example.test.", "AAAA")
    a.id = b.id = 4242
    s = socket.create_connection(resolver.server, timeout=10)
    try:
        s.sendall(b"".join(struct.pack("!H", len(w)) + w for w in (a.to_wire(), b.to_wire())))
        types = sorted(dns.message.from_wire(tcp_read_msg(s)).question[0].rdtype
                       for _ in range(2))
    finally:
        s.close()
    assert types == sorted([a.question[0].rdtype, b.question[0].rdtype])


def test_tcp_answers_out_of_order(holdfast_factory, nsd, bad_upstream):
    """A slow query first, a cached one second: the cached answer must not
    wait behind the slow one (RFC 7766 section 6.2.1.1)."""
    # The delay stays under any sane per-attempt upstream timeout, so the slow
    # answer is late but not retried.
    slow = bad_upstream("slow", delay=0.5,
                        records={("www.slow.test.", "A"): ["192.0.2.77"]})
    hf = holdfast_factory([nsd.server], forward=[
        {"zone": ".", "upstreams": [f"{nsd.addr}@{nsd.port}"]},
        {"zone": "slow.test.", "upstreams": [f"{slow.addr}@{slow.port}"]},
    ])
    hf.ask("www.example.test.", "A")  # now cached
    q_slow = make_query("www.slow.test.", "A")
    q_slow.id = 1
    q_fast = make_query("www.example.test.", "A")
    q_fast.id = 2
    t0 = time.monotonic()
    got = _pipeline(hf.server, [q_slow, q_fast])
    assert time.monotonic() - t0 >= 0.4, "the slow upstream did not delay anything"
    assert got[2][0] == 0, "the cached answer waited behind the slow one"
    assert rdata_set(answer_rrset(got[1][1], "www.slow.test.", "A")) == {"192.0.2.77"}


def test_tcp_connection_stays_open_between_queries(resolver):
    s = socket.create_connection(resolver.server, timeout=10)
    try:
        for n in range(3):
            q = make_query("www.example.test.", "A")
            w = q.to_wire()
            s.sendall(struct.pack("!H", len(w)) + w)
            m = dns.message.from_wire(tcp_read_msg(s))
            assert m.id == q.id
            time.sleep(0.2)
    finally:
        s.close()


def test_tcp_length_split_across_segments(resolver):
    """The two-octet length and the message may arrive in pieces."""
    q = make_query("www.example.test.", "A")
    w = q.to_wire()
    s = socket.create_connection(resolver.server, timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        data = struct.pack("!H", len(w)) + w
        for i in range(0, len(data), 5):
            s.sendall(data[i:i + 5])
            time.sleep(0.02)
        m = dns.message.from_wire(tcp_read_msg(s))
        assert m.id == q.id and m.rcode() == dns.rcode.NOERROR
    finally:
        s.close()
