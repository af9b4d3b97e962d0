# SPDX-License-Identifier: GPL-3.0-or-later
"""Answers through holdfast equal the zone NSD serves: each record type,
a CNAME chain that crosses zones, NXDOMAIN and NODATA."""

import dns.flags
import dns.rcode
import dns.rdatatype

import zones
from conftest import answer_rrset, rdata_set


def _check_rrset(resolver, owner, rdtype):
    r = resolver.ask(owner, rdtype)
    assert r.rcode() == dns.rcode.NOERROR, r
    assert r.flags & dns.flags.QR and r.flags & dns.flags.RA, r
    rs = answer_rrset(r, owner, rdtype)
    assert rdata_set(rs) == zones.texts(owner, rdtype)
    assert 0 < rs.ttl <= zones.rrset(owner, rdtype).ttl
    return r


def test_a_record_equals_zone(resolver):
    _check_rrset(resolver, "www.example.test.", "A")


def test_aaaa_record_equals_zone(resolver):
    _check_rrset(resolver, "www.example.test.", "AAAA")


def test_mx_record_equals_zone(resolver):
    _check_rrset(resolver, "example.test.", "MX")


def test_txt_single_string(resolver):
    _check_rrset(resolver, "txt.example.test.", "TXT")


def test_txt_several_strings_keep_boundaries(resolver):
    r = _check_rrset(resolver, "multi.example.test.", "TXT")
    (rd,) = answer_rrset(r, "multi.example.test.", "TXT")
    assert rd.strings == (b"first string", b"second string",
                          b'third; with "quotes" and spaces')


def test_txt_255_octet_strings(resolver):
    r = _check_rrset(resolver, "long.example.test.", "TXT")
    (rd,) = answer_rrset(r, "long.example.test.", "TXT")
    assert rd.strings == (zones.LONG1.encode(), zones.LONG2.encode())


def test_answer_echoes_question_and_id(resolver):
    r = resolver.ask("WwW.ExAmPlE.TeSt.", "A")
    # dns.query.udp already checks the ID; the question must come back as asked.
    assert r.question[0].name.to_text() == "WwW.ExAmPlE.TeSt."
    assert r.rcode() == dns.rcode.NOERROR


def test_cname_chain_across_zones(resolver):
    """chain.example.test -> hop1.example.test -> hop2.other.test -> end.other.test A."""
    r = resolver.ask("chain.example.test.", "A")
    assert r.rcode() == dns.rcode.NOERROR, r
    links = [("chain.example.test.", "hop1.example.test."),
             ("hop1.example.test.", "hop2.other.test."),
             ("hop2.other.test.", "end.other.test.")]
    for owner, target in links:
        rs = answer_rrset(r, owner, "CNAME")
        assert rdata_set(rs) == {target}
    assert rdata_set(answer_rrset(r, "end.other.test.", "A")) == zones.texts("end.other.test.", "A")
    # The chain comes in order: each CNAME before the record it leads to.
    owners = [rs.name.to_text() for rs in r.answer]
    assert owners == ["chain.example.test.", "hop1.example.test.", "hop2.other.test.",
                      "end.other.test."]


def test_cname_chain_second_time_from_cache(resolver, nsd):
    """The second ask is answered from the cached pieces without asking NSD."""
    first = resolver.ask("chain.example.test.", "A")
    before = nsd.queries()
    second = resolver.ask("chain.example.test.", "A")
    assert nsd.queries() == before
    assert [rs.name for rs in second.answer] == [rs.name for rs in first.answer]
    assert [rdata_set(rs) for rs in second.answer] == [rdata_set(rs) for rs in first.answer]


def test_nxdomain_has_soa_in_authority(resolver):
    r = resolver.ask("does-not-exist.example.test.", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN, r
    assert r.answer == []
    soa = [rs for rs in r.authority if rs.rdtype == dns.rdatatype.SOA]
    assert len(soa) == 1, r
    assert soa[0].name.to_text() == "example.test."
    assert rdata_set(soa[0]) == zones.texts("example.test.", "SOA")
    assert 0 < soa[0].ttl <= zones.NEG_TTL


def test_nodata_is_noerror_with_soa(resolver):
    r = resolver.ask("www.example.test.", "MX")
    assert r.rcode() == dns.rcode.NOERROR, r
    assert r.answer == []
    soa = [rs for rs in r.authority if rs.rdtype == dns.rdatatype.SOA]
    assert len(soa) == 1, r
    assert soa[0].name.to_text() == "example.test."
    assert 0 < soa[0].ttl <= zones.NEG_TTL


def test_nxdomain_in_second_zone(resolver):
    r = resolver.ask("nothing.other.test.", "AAAA")
    assert r.rcode() == dns.rcode.NXDOMAIN, r
    soa = [rs for rs in r.authority if rs.rdtype == dns.rdatatype.SOA]
    assert soa and soa[0].name.to_text() == "other.test."


def test_edns_answer_has_opt(resolver):
    r = resolver.ask("www.example.test.", "A", edns=0, payload=1232)
    assert r.edns == 0
    assert 512 <= r.payload <= 4096


def test_query_without_edns_gets_answer_without_opt(resolver):
    r = resolver.ask("www.example.test.", "A", edns=-1)
    assert r.edns == -1
    assert rdata_set(answer_rrset(r, "www.example.test.", "A")) == zones.texts(
        "www.example.test.", "A")
