# SPDX-License-Identifier: GPL-3.0-or-later
"""The cache: TTLs count down, answers and negative answers are served
without asking NSD again (counted with nsd-control), expired entries are
fetched again, and a cached answer survives its upstream going away."""

import socket
import time

import dns.message
import dns.rcode
import dns.rdatatype

import zones
from conftest import answer_rrset, rdata_set


def _soa(r):
    soa = [rs for rs in r.authority if rs.rdtype == dns.rdatatype.SOA]
    assert len(soa) == 1, r
    return soa[0]


def test_ttl_counts_down_and_nsd_not_asked_again(resolver, nsd):
    first = resolver.ask("ttl.example.test.", "A")
    ttl1 = answer_rrset(first, "ttl.example.test.", "A").ttl
    asked = nsd.queries()
    time.sleep(2.2)
    second = resolver.ask("ttl.example.test.", "A")
    ttl2 = answer_rrset(second, "ttl.example.test.", "A").ttl
    assert nsd.queries() == asked, "a cached answer went to NSD again"
    assert ttl2 <= ttl1 - 1, (ttl1, ttl2)
    assert ttl2 >= ttl1 - 4, (ttl1, ttl2)
    assert rdata_set(answer_rrset(second, "ttl.example.test.", "A")) == zones.texts(
        "ttl.example.test.", "A")


def test_cached_answer_over_tcp_too(resolver, nsd):
    resolver.ask("ttl-aaaa.example.test.", "AAAA")
    asked = nsd.queries()
    r = resolver.ask("ttl-aaaa.example.test.", "AAAA", tcp=True)
    assert nsd.queries() == asked
    assert rdata_set(answer_rrset(r, "ttl-aaaa.example.test.", "AAAA")) == zones.texts(
        "ttl-aaaa.example.test.", "AAAA")


def test_cached_answer_survives_upstream_stop(holdfast_factory, nsd_factory):
    own = nsd_factory()
    hf = holdfast_factory([own.server])
    first = hf.ask("www.example.test.", "A")
    assert first.rcode() == dns.rcode.NOERROR
    own.stop()
    second = hf.ask("www.example.test.", "A")
    assert second.rcode() == dns.rcode.NOERROR
    assert rdata_set(answer_rrset(second, "www.example.test.", "A")) == zones.texts(
        "www.example.test.", "A")


def test_negative_nxdomain_cached_and_counts_down(resolver, nsd):
    first = resolver.ask("nx-cached.example.test.", "A")
    assert first.rcode() == dns.rcode.NXDOMAIN
    ttl1 = _soa(first).ttl
    assert ttl1 <= zones.NEG_TTL
    asked = nsd.queries()
    time.sleep(2.2)
    second = resolver.ask("nx-cached.example.test.", "A")
    assert second.rcode() == dns.rcode.NXDOMAIN
    assert nsd.queries() == asked, "a cached NXDOMAIN went to NSD again"
    ttl2 = _soa(second).ttl
    assert ttl2 <= ttl1 - 1, (ttl1, ttl2)


def test_nxdomain_covers_every_type_at_the_name(resolver, nsd):
    """RFC 2308 section 5: an NXDOMAIN says the name has no data of any type."""
    assert resolver.ask("nx-alltypes.example.test.", "A").rcode() == dns.rcode.NXDOMAIN
    asked = nsd.queries()
    for rdtype in ("AAAA", "MX", "TXT"):
        r = resolver.ask("nx-alltypes.example.test.", rdtype)
        assert r.rcode() == dns.rcode.NXDOMAIN, (rdtype, r)
        _soa(r)
    assert nsd.queries() == asked


def test_negative_nodata_cached(resolver, nsd):
    first = resolver.ask("neg-only.example.test.", "TXT")
    assert first.rcode() == dns.rcode.NOERROR and first.answer == []
    asked = nsd.queries()
    time.sleep(1.2)
    second = resolver.ask("neg-only.example.test.", "TXT")
    assert second.rcode() == dns.rcode.NOERROR and second.answer == []
    assert nsd.queries() == asked, "a cached NODATA went to NSD again"
    assert _soa(second).ttl < _soa(first).ttl or _soa(first).ttl <= 1


def test_nodata_does_not_hide_other_types(resolver):
    """NODATA for TXT at a name must not make its A record disappear."""
    r = resolver.ask("neg-only.example.test.", "TXT")
    assert r.rcode() == dns.rcode.NOERROR and r.answer == []
    a = resolver.ask("neg-only.example.test.", "A")
    assert rdata_set(answer_rrset(a, "neg-only.example.test.", "A")) == zones.texts(
        "neg-only.example.test.", "A")


def test_expired_answer_is_fetched_again(resolver, nsd):
    first = resolver.ask("short.example.test.", "A")
    assert answer_rrset(first, "short.example.test.", "A").ttl <= zones.SHORT_TTL
    asked = nsd.queries()
    time.sleep(zones.SHORT_TTL + 1.5)
    second = resolver.ask("short.example.test.", "A")
    assert nsd.queries() > asked, "an expired answer was not fetched again"
    rs = answer_rrset(second, "short.example.test.", "A")
    assert rdata_set(rs) == zones.texts("short.example.test.", "A")
    assert 0 < rs.ttl <= zones.SHORT_TTL


def test_max_ttl_caps_answers(holdfast_factory, nsd):
    hf = holdfast_factory([nsd.server], config={"cache": {"max-ttl": "60s"}})
    r = hf.ask("www.example.test.", "A")
    assert answer_rrset(r, "www.example.test.", "A").ttl <= 60


def test_min_ttl_raises_answers(holdfast_factory, nsd):
    hf = holdfast_factory([nsd.server], config={"cache": {"min-ttl": "30s"}})
    r = hf.ask("short.example.test.", "A")
    assert answer_rrset(r, "short.example.test.", "A").ttl >= 28


def test_full_cache_evicts_and_still_answers_correctly(holdfast_factory, nsd):
    """cache.size at its 1M minimum, then far more distinct names than fit:
    eviction must happen and every answer stays right, including the first
    name asked (from the cache or fetched again)."""
    hf = holdfast_factory([nsd.server], config={"cache": {"size": "1M"}})
    first = hf.ask("www.example.test.", "A")
    assert rdata_set(answer_rrset(first, "www.example.test.", "A")) == zones.texts(
        "www.example.test.", "A")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    try:
        for batch in range(0, 12000, 20):  # 20 in flight at a time
            want = {}
            for i in range(batch, batch + 20):
                q = dns.message.make_query(f"n{i}.wild.example.test.", "A")
                q.id = i % 20 + 1
                want[q.id] = i
                s.sendto(q.to_wire(), hf.server)
            while want:
                r = dns.message.from_wire(s.recv(65535))
                i = want.pop(r.id, None)
                if i is None:
                    continue
                assert r.question[0].name.to_text() == f"n{i}.wild.example.test."
                assert r.rcode() == dns.rcode.NOERROR and r.answer, (i, r.to_text())
                assert [rd.to_text() for rd in r.answer[0]] == ["192.0.2.200"], i
    finally:
        s.close()
    again = hf.ask("www.example.test.", "A")
    assert rdata_set(answer_rrset(again, "www.example.test.", "A")) == zones.texts(
        "www.example.test.", "A")
    assert hf.running()


def test_prefetch_refreshes_a_popular_answer_before_it_expires(holdfast_factory, nsd_factory):
    """cache.prefetch: asked in the last tenth of its TTL, an answer is resolved again in the
    background; asked after its old expiry, it is still a cache hit."""
    own = nsd_factory()
    hf = holdfast_factory([own.server], config={"cache": {"max-ttl": "20s"}})
    hf.ask("ttl.example.test.", "A")
    hf.ask("ttl.example.test.", "A")  # now in the packet cache
    asked = own.queries()
    # The cache counts whole seconds: 18.5 s on is its 19th or 20th second of 20.
    time.sleep(18.5)
    r = hf.ask("ttl.example.test.", "A")  # the last tenth of its life: prefetch
    assert answer_rrset(r, "ttl.example.test.", "A").ttl <= 2
    time.sleep(0.5)
    assert own.queries() == asked + 1, "no prefetch went out"
    time.sleep(2.0)  # past the old expiry
    r = hf.ask("ttl.example.test.", "A")
    assert own.queries() == asked + 1, "the refreshed answer was not cached"
    assert answer_rrset(r, "ttl.example.test.", "A").ttl >= 15
