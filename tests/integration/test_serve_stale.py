# SPDX-License-Identifier: GPL-3.0-or-later
"""Serve-stale (RFC 8767): when the upstream is gone and a record has expired,
the client gets the expired record with the stale answer TTL and Extended DNS
Error 3 (Stale Answer) instead of SERVFAIL; never once it is older than
serve-stale.max-stale, and never with serve-stale off."""

import time

import dns.edns
import dns.rcode

import zones
from conftest import answer_rrset, rdata_set

NAME = "short.example.test."


def _ede_codes(msg):
    return [o.code for o in msg.options if o.otype == dns.edns.EDE]


def _expired_with_upstream_gone(holdfast_factory, nsd_factory, serve_stale, wait=1.2):
    own = nsd_factory()
    hf = holdfast_factory([own.server], config={"serve-stale": serve_stale})
    first = hf.ask(NAME, "A")
    assert first.rcode() == dns.rcode.NOERROR, first
    own.stop()
    time.sleep(zones.SHORT_TTL + wait)
    return hf.ask(NAME, "A", timeout=10.0)


def test_expired_answer_served_stale(holdfast_factory, nsd_factory):
    r = _expired_with_upstream_gone(holdfast_factory, nsd_factory, {"answer-ttl": "30s"})
    assert r.rcode() == dns.rcode.NOERROR, r
    rrset = answer_rrset(r, NAME, "A")
    assert rdata_set(rrset) == zones.texts(NAME, "A")
    assert rrset.ttl == 30, r
    assert 3 in _ede_codes(r), r


def test_no_stale_answer_when_off(holdfast_factory, nsd_factory):
    r = _expired_with_upstream_gone(holdfast_factory, nsd_factory, {"enabled": False})
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert 3 not in _ede_codes(r), r


def test_no_stale_answer_past_max_stale(holdfast_factory, nsd_factory):
    r = _expired_with_upstream_gone(holdfast_factory, nsd_factory, {"max-stale": "1s"},
                                    wait=2.5)
    assert r.rcode() == dns.rcode.SERVFAIL, r


def test_stale_answer_when_resolution_takes_too_long(holdfast_factory, bad_upstream):
    """RFC 8767 section 5: with the upstream silent, the client gets the expired answer
    once serve-stale.client-timeout has passed, long before the resolution itself
    gives up (resolver.max-time) and before the client's own timeout."""
    up = bad_upstream("honest", records={("slow.example.test.", "A"): ["192.0.2.7"]})
    hf = holdfast_factory([up.server], config={
        "cache": {"max-ttl": "1s"},
        "resolver": {"max-time": "20s"},
        "serve-stale": {"client-timeout": "300ms"}})
    assert hf.ask("slow.example.test.", "A").rcode() == dns.rcode.NOERROR
    up.behaviour = "dead"
    time.sleep(1.5)
    r = hf.ask("slow.example.test.", "A", timeout=4.0)  # well under max-time
    assert r.rcode() == dns.rcode.NOERROR, r
    assert rdata_set(answer_rrset(r, "slow.example.test.", "A")) == {"192.0.2.7"}
    assert 3 in _ede_codes(r), r


def test_failed_name_answered_stale_without_asking_again(holdfast_factory, bad_upstream):
    """RFC 8767 section 4: once resolving a name has failed and a stale answer went out,
    further questions for it get the stale answer at once, without asking upstream again,
    for serve-stale.recheck."""
    up = bad_upstream("honest", records={("held.example.test.", "A"): ["192.0.2.8"]})
    hf = holdfast_factory([up.server], config={
        "cache": {"max-ttl": "1s"},
        "resolver": {"max-time": "1s", "query-timeout": "300ms"},
        "serve-stale": {"client-timeout": "0s", "recheck": "30s"}})
    assert hf.ask("held.example.test.", "A").rcode() == dns.rcode.NOERROR
    up.behaviour = "dead"
    time.sleep(1.5)
    first = hf.ask("held.example.test.", "A", timeout=5.0)  # fails upstream: stale
    assert 3 in _ede_codes(first), first
    asked = len(up.received)
    for _ in range(3):
        r = hf.ask("held.example.test.", "A", timeout=5.0)
        assert rdata_set(answer_rrset(r, "held.example.test.", "A")) == {"192.0.2.8"}
        assert 3 in _ede_codes(r), r
    assert len(up.received) == asked, "the upstream was asked again within serve-stale.recheck"


def test_held_name_recovers_within_seconds(holdfast_factory, bad_upstream):
    """While a name is held (answered stale at once), a background refresh still goes out
    every couple of seconds, so once the upstream is back the answers are fresh again
    within seconds, not after serve-stale.recheck."""
    up = bad_upstream("honest", records={("back.example.test.", "A"): ["192.0.2.6"]})
    hf = holdfast_factory([up.server], config={
        "cache": {"max-ttl": "2s"},
        "resolver": {"max-time": "1s", "query-timeout": "300ms"},
        "serve-stale": {"client-timeout": "0s", "recheck": "60s"}})
    assert hf.ask("back.example.test.", "A").rcode() == dns.rcode.NOERROR
    up.behaviour = "dead"
    time.sleep(2.5)
    assert 3 in _ede_codes(hf.ask("back.example.test.", "A", timeout=5.0))  # held now
    up.behaviour = "honest"
    deadline = time.monotonic() + 8.0
    fresh = None
    while time.monotonic() < deadline:
        r = hf.ask("back.example.test.", "A", timeout=5.0)
        if 3 not in _ede_codes(r):
            fresh = r
            break
        time.sleep(0.5)
    assert fresh is not None, "still stale 8 s after the upstream came back (recheck is 60 s)"
    assert rdata_set(answer_rrset(fresh, "back.example.test.", "A")) == {"192.0.2.6"}
