# SPDX-License-Identifier: GPL-3.0-or-later
"""Upstreams that fail or lie: a dead first upstream and failover, replies
that are malformed (SERVFAIL, daemon alive), and replies that must be
ignored because their source port, ID or question does not match what
holdfast sent. Nothing forged may reach a client or the cache."""

import time

import dns.exception
import dns.rcode
import pytest

import zones
from conftest import FORGED_A, answer_rrset, hostport, rdata_set

WWW = "www.example.test."
# Long enough for a few per-attempt timeouts and retries, under any build.
SLOW_ANSWER_TIMEOUT = 20.0


def _assert_www(r, want=None):
    assert r.rcode() == dns.rcode.NOERROR, r
    got = rdata_set(answer_rrset(r, WWW, "A"))
    assert got == (want or zones.texts(WWW, "A")), got
    assert FORGED_A not in got


def test_dead_first_upstream_fails_over_to_live_one(holdfast_factory, nsd, bad_upstream):
    dead = bad_upstream("dead")
    hf = holdfast_factory([dead.server, nsd.server])
    _assert_www(hf.ask(WWW, "A", timeout=SLOW_ANSWER_TIMEOUT))
    # Further uncached names keep resolving, whichever server is tried first.
    for i in range(5):
        name = f"name{i}.example.test."
        r = hf.ask(name, "A", timeout=SLOW_ANSWER_TIMEOUT)
        assert rdata_set(answer_rrset(r, name, "A")) == zones.texts(name, "A")


def test_dead_upstream_is_avoided_once_known(holdfast_factory, nsd, bad_upstream):
    """After the failover, the live server is preferred: later misses do not
    each wait for the dead one (not a timing benchmark; the bound is loose)."""
    dead = bad_upstream("dead")
    hf = holdfast_factory([dead.server, nsd.server])
    hf.ask(WWW, "A", timeout=SLOW_ANSWER_TIMEOUT)
    tried_dead = len(dead_queries(dead))
    t0 = time.monotonic()
    for i in range(10, 20):
        name = f"name{i}.example.test."
        r = hf.ask(name, "A", timeout=SLOW_ANSWER_TIMEOUT)
        assert rdata_set(answer_rrset(r, name, "A")) == zones.texts(name, "A")
    assert time.monotonic() - t0 < 10, "ten misses took as long as ten timeouts"
    assert len(dead_queries(dead)) <= tried_dead + 5


def dead_queries(dead):
    return dead.received


def test_all_upstreams_dead_gives_servfail(holdfast_factory, bad_upstream):
    a, b = bad_upstream("dead"), bad_upstream("dead")
    hf = holdfast_factory([a.server, b.server])
    r = hf.ask("nowhere.example.test.", "A", timeout=SLOW_ANSWER_TIMEOUT)
    assert r.rcode() == dns.rcode.SERVFAIL
    assert hf.running()


@pytest.mark.parametrize("kind", ["garbage", "short", "count-lies", "pointer-loop",
                                  "bad-rdlength", "bad-a-length"])
def test_malformed_upstream_reply_gives_servfail(holdfast_factory, nsd, bad_upstream, kind):
    bad = bad_upstream(f"malformed:{kind}")
    hf = holdfast_factory([nsd.server], forward=[
        {"zone": ".", "upstreams": [hostport(*nsd.server)]},
        {"zone": "bad.test.", "upstreams": [hostport(*bad.server)]},
    ])
    try:
        r = hf.ask("www.bad.test.", "A", timeout=SLOW_ANSWER_TIMEOUT)
    except dns.exception.FormError as e:
        pytest.fail(f"holdfast passed the malformed reply on to its client: {e!r}")
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert r.answer == []
    assert hf.running()
    # The daemon still serves everything else (via NSD).
    _assert_www(hf.ask(WWW, "A"))


def test_malformed_reply_is_not_cached(holdfast_factory, bad_upstream):
    """After SERVFAILs from a broken server, the same upstream turning honest
    gives the right answer: nothing broken was kept."""
    up = bad_upstream("malformed:bad-a-length")
    hf = holdfast_factory([up.server])
    assert hf.ask(WWW, "A", timeout=SLOW_ANSWER_TIMEOUT).rcode() == dns.rcode.SERVFAIL
    up.behaviour = "honest"
    deadline = time.monotonic() + 15
    while True:
        r = hf.ask(WWW, "A", timeout=SLOW_ANSWER_TIMEOUT)
        if r.rcode() == dns.rcode.NOERROR or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # a SERVFAIL may be remembered briefly (RFC 2308 section 7.1)
    _assert_www(r, {"192.0.2.1", "192.0.2.2"})


@pytest.mark.parametrize("behaviour", ["spoof-port", "wrong-id", "wrong-question", "wrong-case"])
def test_mismatched_reply_is_ignored_and_real_answer_wins(holdfast_factory, bad_upstream,
                                                          behaviour):
    """A forged reply arrives first (from another port, with another ID, for
    another name, or with the name's case changed); the real one 200 ms later.
    The client gets the real one, and so does the next client (cache)."""
    up = bad_upstream(behaviour)
    hf = holdfast_factory([up.server])
    r = hf.ask(WWW, "A", timeout=SLOW_ANSWER_TIMEOUT)
    assert up.forged_sent >= 1, "the forgery was never sent: the test proves nothing"
    _assert_www(r, {"192.0.2.1", "192.0.2.2"})
    again = hf.ask(WWW, "A")
    _assert_www(again, {"192.0.2.1", "192.0.2.2"})


def test_upstream_queries_use_random_ids_and_ports(holdfast_factory, bad_upstream):
    """Every upstream query gets a fresh ID; 20 queries with one repeated ID
    or all from one port would make blind spoofing easy."""
    up = bad_upstream("honest", records={
        (f"r{i}.example.test.", "A"): ["192.0.2.9"] for i in range(20)})
    hf = holdfast_factory([up.server])
    for i in range(20):
        hf.ask(f"r{i}.example.test.", "A")
    ids = [q.id for t, q in up.queries if t == "udp"]
    assert len(ids) >= 20
    assert len(set(ids)) >= len(ids) - 1
    ports = up.client_ports
    assert len(set(ports)) >= 15, f"source ports not varied: {sorted(set(ports))}"
