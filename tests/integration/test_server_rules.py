# SPDX-License-Identifier: GPL-3.0-or-later
"""What the server answers by itself: FORMERR for malformed queries,
NOTIMP for unknown opcodes, minimal answers to ANY (RFC 8482), REFUSED
outside access.allow. Every malformed input leaves the daemon answering."""

import socket
import struct

import dns.rcode
import dns.rdatatype
import pytest

import zones
from conftest import (CLIENT_PREFIX, answer_rrset, header, make_query, raw_udp, rcode_of,
                      rdata_set, tcp_read_msg)

FORMERR, NOTIMP, REFUSED = 1, 4, 5


def _alive(hf):
    assert hf.running(), "holdfast died"
    r = hf.ask("www.example.test.", "A")
    assert rdata_set(answer_rrset(r, "www.example.test.", "A")) == zones.texts(
        "www.example.test.", "A")


def _hdr(qid, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


# Malformed queries whose header is intact, so the server can say FORMERR.
MALFORMED_QUERIES = {
    "truncated-qname": _hdr(0xBEEF, 0x0100) + b"\x07examp",
    "no-question-bytes": _hdr(0xBEEF, 0x0100),
    "missing-qtype": _hdr(0xBEEF, 0x0100) + b"\x03www\x00\x00",
    "pointer-loop": _hdr(0xBEEF, 0x0100) + b"\xc0\x0c\x00\x01\x00\x01",
    "label-type-0x80": _hdr(0xBEEF, 0x0100) + b"\x83www\x00\x00\x01\x00\x01",
    "arcount-lies": _hdr(0xBEEF, 0x0100, ar=1) + b"\x03www\x00\x00\x01\x00\x01",
    "two-opt-records": _hdr(0xBEEF, 0x0100, ar=2) + b"\x03www\x00\x00\x01\x00\x01"
    + (b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00") * 2,
    "label-past-end": _hdr(0xBEEF, 0x0100) + b"\x3fabc",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED_QUERIES))
def test_malformed_query_gets_formerr(resolver, kind):
    reply = raw_udp(resolver.server, MALFORMED_QUERIES[kind])
    assert reply is not None, "no answer to a malformed query"
    qid, flags, *_ = header(reply)
    assert qid == 0xBEEF
    assert flags & 0x8000, "QR not set"
    assert rcode_of(reply) == FORMERR, f"rcode {rcode_of(reply)}"
    _alive(resolver)


def test_malformed_query_over_tcp_gets_formerr(resolver):
    w = MALFORMED_QUERIES["truncated-qname"]
    s = socket.create_connection(resolver.server, timeout=5)
    try:
        s.sendall(struct.pack("!H", len(w)) + w)
        reply = tcp_read_msg(s)
    finally:
        s.close()
    assert header(reply)[0] == 0xBEEF and rcode_of(reply) == FORMERR
    _alive(resolver)


@pytest.mark.parametrize("wire", [b"", b"\x01", b"\x12\x34\x01", bytes(11),
                                  bytes(range(256)) * 3, b"\xff" * 12 + b"\xc0\x0c" * 200],
                         ids=["empty", "1-octet", "3-octet", "11-octet", "768-noise",
                              "ones-and-pointers"])
def test_garbage_does_not_kill_the_daemon(resolver, wire):
    raw_udp(resolver.server, wire, timeout=0.5)  # any answer or none
    _alive(resolver)


def test_response_sent_as_query_is_not_answered(resolver):
    """A message with QR=1 is not a query; answering it would let two
    servers ping-pong forever."""
    q = make_query("www.example.test.", "A")
    wire = bytearray(q.to_wire())
    wire[2] |= 0x80
    assert raw_udp(resolver.server, bytes(wire), timeout=1.0) is None
    _alive(resolver)


def test_garbage_on_tcp_closes_only_that_connection(resolver):
    s = socket.create_connection(resolver.server, timeout=5)
    try:
        s.sendall(b"\x00\x05" + b"\xff" * 5 + b"\x00\x00")
        s.settimeout(2)
        try:
            s.recv(65535)
        except (socket.timeout, ConnectionResetError):
            pass
    finally:
        s.close()
    _alive(resolver)


@pytest.mark.parametrize("opcode", [3, 6, 7, 15])
def test_unknown_opcode_gets_notimp(resolver, opcode):
    q = make_query("www.example.test.", "A")
    q.flags = (q.flags & ~(0xF << 11)) | (opcode << 11)
    reply = raw_udp(resolver.server, q.to_wire())
    assert reply is not None
    qid, flags, *_ = header(reply)
    assert qid == q.id and flags & 0x8000
    assert (flags >> 11) & 0xF == opcode, "the opcode is echoed"
    assert rcode_of(reply) == NOTIMP
    _alive(resolver)


def test_any_query_gets_minimal_answer(resolver):
    r = resolver.ask("www.example.test.", "ANY")
    assert r.rcode() == dns.rcode.NOERROR
    assert len(r.answer) == 1, r
    (rs,) = r.answer
    assert rs.rdtype == dns.rdatatype.HINFO, r
    (rd,) = rs
    assert rd.cpu == b"RFC8482"


def test_any_query_over_tcp_is_minimal_too(resolver):
    r = resolver.ask("www.example.test.", "ANY", tcp=True)
    assert r.rcode() == dns.rcode.NOERROR
    assert len(r.answer) == 1 and r.answer[0].rdtype == dns.rdatatype.HINFO


def test_client_outside_allow_is_refused(holdfast_factory, nsd, client_ip):
    allowed, denied = client_ip(), client_ip()
    hf = holdfast_factory([nsd.server], config={"access": {"allow": [f"{allowed}/32"]}})
    ok = hf.ask("www.example.test.", "A", source=allowed)
    assert ok.rcode() == dns.rcode.NOERROR and ok.answer
    no = hf.ask("www.example.test.", "A", source=denied)
    assert no.rcode() == dns.rcode.REFUSED
    assert no.answer == []


def test_client_outside_allow_is_refused_over_tcp(holdfast_factory, nsd, client_ip):
    allowed, denied = client_ip(), client_ip()
    hf = holdfast_factory([nsd.server], config={"access": {"allow": [f"{allowed}/32"]}})
    no = hf.ask("www.example.test.", "A", source=denied, tcp=True)
    assert no.rcode() == dns.rcode.REFUSED and no.answer == []
    ok = hf.ask("www.example.test.", "A", source=allowed, tcp=True)
    assert ok.rcode() == dns.rcode.NOERROR and ok.answer


def test_refused_client_does_not_fill_the_cache(holdfast_factory, nsd, client_ip):
    """A refused query is not forwarded at all."""
    allowed, denied = client_ip(), client_ip()
    hf = holdfast_factory([nsd.server], config={"access": {"allow": [f"{allowed}/32"]}})
    asked = nsd.queries()
    assert hf.ask("ttl.example.test.", "A", source=denied).rcode() == dns.rcode.REFUSED
    assert nsd.queries() == asked


def test_allow_prefix_covers_its_range(holdfast_factory, nsd, client_ip):
    hf = holdfast_factory([nsd.server], config={"access": {"allow": [CLIENT_PREFIX]}})
    r = hf.ask("www.example.test.", "A", source=client_ip())
    assert r.rcode() == dns.rcode.NOERROR
