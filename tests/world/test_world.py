# SPDX-License-Identifier: GPL-3.0-or-later
"""The test world: (1) is it sound, (2) does a stock unbound resolve every
name in zones.CASES as the table says (the positive control: if it does not,
the world is wrong, not the resolver), (3) does holdfast.

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest -p no:cacheprovider tests/world
"""

import time

import pytest

import dns.exception
import dns.flags
import dns.rcode
import dns.rdatatype

from . import world as W
from . import zones
from .conftest import HOLDFAST_ADDR, UNBOUND_ADDR, answer_set, attach, check_case, ede_text, \
    resolve

# --- (1) the world itself ---------------------------------------------------


def _servers_and_zones():
    for role, (_, addr, origins) in zones.SERVERS.items():
        for origin in origins:
            yield pytest.param(role, addr, origin, id=f"{role}:{origin}")


@pytest.mark.parametrize("role,addr,origin", list(_servers_and_zones()))
def test_server_answers_its_zone(world_logs, role, addr, origin):
    """Each server, asked from res across gw, answers for each of its zones with
    authority and the apex NS set its zone text has."""
    w = world_logs
    r = w.query("res", addr, origin, "SOA")
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r.to_text()
    assert answer_set(r) and next(iter(answer_set(r))).split()[1] == "SOA", r.to_text()
    ns = w.query("res", addr, origin, "NS", tcp=True)
    names = {rd.target.to_text() for rrset in ns.answer for rd in rrset}
    want = {line.split()[-1] if line.split()[-1].endswith(".") else
            f"{line.split()[-1]}.{origin}"
            for line in zones.zone_texts()[role][origin].splitlines()
            if line.startswith("@") and " NS " in line}
    assert names == want, ns.to_text()


@pytest.mark.parametrize("addr", [zones.SILENT_NS, zones.HALF_DEAD_NS, zones.CLOSED_NS])
def test_dead_servers_never_answer(world_logs, addr):
    with pytest.raises(dns.exception.Timeout):
        world_logs.query("res", addr, "org.", "SOA", timeout=1.0)


def test_broken_cases_are_really_broken(world_logs):
    """Each deliberately broken delegation misbehaves as zones.py says, so a
    resolver that gets them right has really coped with something."""
    w = world_logs
    # lame: the delegated server refuses the zone
    r = w.query("res", w.servers["hoster"], "www.lame.com.", "A")
    assert r.rcode() == dns.rcode.REFUSED, r.to_text()
    # lying glue: com.'s referral for liar.com carries a wrong A for ns1.victim.net
    # (out of bailiwick), and that address serves a liar.com with the wrong answer.
    for tcp in (False, True):
        r = w.query("res", w.servers["com"], "www.liar.com.", "A", tcp=tcp)
        glue = {f"{rrset.name} {rd}" for rrset in r.additional for rd in rrset
                if rrset.rdtype == dns.rdatatype.A}
        assert glue == {"ns1.victim.net. 198.18.2.66"}, r.to_text()
    r = w.query("res", "198.18.2.66", "www.liar.com.", "A")
    assert answer_set(r) == {"www.liar.com. A 203.0.113.66"}, r.to_text()
    r = w.query("res", w.servers["net"], "ns1.victim.net.", "A")
    assert {f"{rs.name} {rd}" for rs in r.additional for rd in rs} == \
        {"ns1.victim.net. 198.18.2.5"}, r.to_text()
    # the rest of com. passes through the proxy untouched
    r = w.query("res", w.servers["com"], "www.alpha.com.", "A")
    assert {f"{rs.name} {rd}" for rs in r.additional for rd in rs} == \
        {"ns1.alpha.com. 198.18.2.1"}, r.to_text()
    # the NS cycle: no glue on either side
    for server, name in ((w.servers["com"], "www.cyc1.com."), (w.servers["net"], "www.cyc2.net.")):
        r = w.query("res", server, name, "A")
        assert not r.answer and r.authority, r.to_text()
        assert not [rs for rs in r.additional if rs.rdtype == dns.rdatatype.A], r.to_text()
    # the CNAME loop
    r = w.query("res", w.servers["beta"], "loop1.beta.net.", "A")
    assert answer_set(r) == {"loop1.beta.net. CNAME loop2.gamma.org."}, r.to_text()
    r = w.query("res", w.servers["gamma"], "loop2.gamma.org.", "A")
    assert answer_set(r) == {"loop2.gamma.org. CNAME loop1.beta.net."}, r.to_text()


def _rtt(w, addr, n=5):
    times = []
    for _ in range(n):
        t = time.monotonic()
        w.query("res", addr, ".", "SOA", timeout=5)
        times.append(time.monotonic() - t)
    return min(times)  # the floor: load only ever adds


def test_delay_line(world_logs):
    """Far servers are D ms away each way, near ones are not; D and loss change at run time."""
    w = world_logs
    d = w.delay_ms / 1000
    far, near = _rtt(w, zones.ROOT_ADDR), _rtt(w, w.servers["cn"])
    assert far >= 2 * d, f"far RTT {far * 1000:.1f} ms < 2 x {w.delay_ms} ms"
    assert near < d, f"near RTT {near * 1000:.1f} ms, want < {w.delay_ms} ms (no delay)"
    try:
        w.set_delay(100)
        slow = _rtt(w, zones.ROOT_ADDR, 3)
        assert slow >= 0.2, f"far RTT {slow * 1000:.1f} ms with D = 100 ms"
        w.set_delay(w.delay_ms, 1.0)
        with pytest.raises(dns.exception.Timeout):
            w.query("res", zones.ROOT_ADDR, ".", "SOA", timeout=1.0)
        w.query("res", w.servers["cn"], "cn.", "SOA", timeout=1.0)  # near: no loss
    finally:
        w.set_delay(20, 0.0)
    assert _rtt(w, zones.ROOT_ADDR, 3) >= 2 * d


def test_outage(world_logs):
    w = world_logs
    try:
        w.outage(True)
        with pytest.raises(dns.exception.Timeout):
            w.query("res", zones.ROOT_ADDR, ".", "SOA", timeout=1.0)
        w.query("res", w.servers["cn"], "cn.", "SOA", timeout=1.0)
    finally:
        w.outage(False)
    w.query("res", zones.ROOT_ADDR, ".", "SOA", timeout=2.0)


def test_world_is_closed(world):
    """No namespace of the world has a way out: nothing routes to a real address."""
    for role in W.ROLES:
        routes = world.run_in(role, ["ip", "route", "show", "table", "all"]).stdout
        assert "default" not in routes, f"{role}:\n{routes}"
        for outside in ("10.255.255.53", "8.8.8.8", "192.168.1.1"):
            p = world.run_in(role, ["ip", "route", "get", outside], check=False)
            assert p.returncode != 0, f"{role} routes {outside}: {p.stdout}"


# --- (2) the positive control: stock unbound --------------------------------

CASE_PARAMS = [pytest.param(c, id=zones.case_id(c)) for c in zones.CASES]
CONTROL = zones.CASES[0]  # www.alpha.com A: a plain name through root, com., alpha.com.


def _check(w, addr, case, *, want_ede):
    """A SERVFAIL only counts from a resolver that resolves a plain name, so one that
    fails everything cannot pass the broken cases."""
    if case.rcode == "SERVFAIL":
        r = resolve(w, addr, CONTROL)
        bad = check_case(r, CONTROL, want_ede=False)
        assert not bad, (f"the control name {zones.case_id(CONTROL)} fails, so the SERVFAIL "
                         f"for {zones.case_id(case)} proves nothing: " + "; ".join(bad))
    r = resolve(w, addr, case)
    bad = check_case(r, case, want_ede=want_ede)
    assert not bad, f"{case.why}: " + "; ".join(bad) + f"\n{r.to_text()}"
    return r


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_unbound_agrees(world_logs, unbound, request, case):
    """A stock unbound (iterator only, qname minimisation) resolves each name as the
    table says. It is held to rcode and answer; its EDE is only reported."""
    attach(request, "unbound log", unbound.log)
    r = _check(world_logs, UNBOUND_ADDR, case, want_ede=False)
    if case.rcode == "SERVFAIL":
        print(f"unbound EDE for {zones.case_id(case)}: {ede_text(r)}")


# --- (3) holdfast, recursing from the private root ---------------------------


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_holdfast_resolves(world_logs, holdfast, request, case):
    """holdfast, with only root-hints and no forward key, resolves each name as the
    table says, with the table's Extended DNS Error on each SERVFAIL."""
    attach(request, "holdfast stderr", holdfast.log)
    attach(request, "holdfast config", holdfast.conf)
    _check(world_logs, HOLDFAST_ADDR, case, want_ede=True)


def _rrsets(msg):
    return sorted((rrset.name.to_text().lower(), rrset.rdtype,
                   tuple(sorted(rd.to_text().lower() for rd in rrset)))
                  for rrset in msg.answer)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_holdfast_and_unbound_give_the_same_answer(world_logs, holdfast, unbound, request, case):
    """The two resolvers, side by side in the same world, agree on rcode and answer
    records (TTLs aside): the positive control that the world, not holdfast, decides."""
    attach(request, "holdfast stderr", holdfast.log)
    attach(request, "unbound log", unbound.log)
    h = resolve(world_logs, HOLDFAST_ADDR, case)
    u = resolve(world_logs, UNBOUND_ADDR, case)
    assert h.rcode() == u.rcode(), f"holdfast {h.rcode()} vs unbound {u.rcode()}"
    assert _rrsets(h) == _rrsets(u), f"holdfast:\n{h.to_text()}\nunbound:\n{u.to_text()}"
