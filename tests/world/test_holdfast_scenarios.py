# SPDX-License-Identifier: GPL-3.0-or-later
"""The hold-fast scenarios of TESTWORLD.md (2 to 5), with an on-path injector in the
border namespace (injector.py) and the far servers cut off when a scenario says so.

Each scenario runs once (a module fixture), against a validating stock unbound and a
validating holdfast side by side (both from the world's trust anchor, both in res, so
the injector sees and forges the queries of both). Then separate tests judge it:

  - the world: the injector really did what the scenario needs (2-3 forged packets per
    attacked query, from injectors with different TTL habits; nothing for names that
    were not attacked; the flood really reached res);
  - the positive control: stock unbound is fooled, or fails, where the scenario says
    it must. If it is not, the test world is broken and the run fails;
  - holdfast: the pass conditions of TESTWORLD.md, as hard checks (only S4's recovery
    time is soft: it rests on timing).

Every scenario prints, and appends to SCENARIOS.txt in pytest's base temp directory,
a table: scenario, resolver, answers asked, share correct, forged, stale, failed,
wrong (see scenario.py); the terminal summary repeats the tables.

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest -p no:cacheprovider tests/world
"""

import base64
import concurrent.futures
import contextlib
import json
import os
import socket
import struct
import time

import pytest

import dns.flags
import dns.message
import dns.rdatatype

from . import conftest, injector, zones
from .conftest import attach, holdfast_config, holdfast_process, holdfast_stop, \
    unbound_process
from .scenario import CORRECT, FAILED, FORGED, STALE, WRONG, Tally, format_table

UNBOUND, HOLDFAST = "unbound", "holdfast"
# Each scenario's resolvers on their own addresses in res (127.0.0.1-5 are taken).
ADDRS = {"S2": ("127.0.0.20", "127.0.0.21"), "S3": ("127.0.0.22", "127.0.0.23"),
         "S4": ("127.0.0.24", "127.0.0.25"), "S5": ("127.0.0.26", "127.0.0.27")}

FAIL_FAST = 6.0      # s: an uncached name in an outage: SERVFAIL within max-time (5 s) + slack
RECOVERY = 5.0       # s: fresh answers again after the outage ends ("within seconds")
RECOVERY_WATCH = 20.0  # s: how long S4 watches for recovery (so the table can say when)
UNBOUND_PATIENCE = 5.0  # s: in an outage, no answer from unbound this long counts as failed


# --- running a scenario -------------------------------------------------------------


@contextlib.contextmanager
def resolvers(world, holdfast_bin, d, scenario):
    """Validating unbound and validating holdfast in res, on the scenario's addresses."""
    ub_addr, hf_addr = ADDRS[scenario]
    os.makedirs(os.path.join(d, "unbound"), exist_ok=True)
    os.makedirs(os.path.join(d, "holdfast"), exist_ok=True)
    ub = unbound_process(world, os.path.join(d, "unbound"), ub_addr,
                         trust_anchor=world.trust_anchor_path, title=f"unbound-{scenario}")
    try:
        hd = os.path.join(d, "holdfast")
        hf = holdfast_process(world, holdfast_bin, hd,
                              holdfast_config(hd, world, hf_addr, [world.trust_anchor_path]),
                              hf_addr, title=f"holdfast-{scenario}")
    except BaseException:
        world.stop(ub)
        raise
    try:
        yield {UNBOUND: ub_addr, HOLDFAST: hf_addr}, {UNBOUND: ub, HOLDFAST: hf}
    finally:
        world.stop(ub)
        holdfast_stop(world, hf)


class Run:
    """One scenario's outcome: the tally of answers, the injector's log and status,
    the resolvers' logs, notes for the table, and measurements."""

    def __init__(self, scenario, d):
        self.tally = Tally(scenario)
        self.events, self.status, self.logs, self.notes, self.measures = [], {}, {}, [], {}
        self.dir = str(d)  # the resolvers' directories are in it
        self.evidence_file = os.path.join(self.dir, "holdfast", "events.jsonl")
        self.windows = {}  # resolver: [(start, end)] wall times it was asked under attack

    def evidence(self, kind=None):
        """holdfast's events.file as JSON objects (kind: only those of this type)."""
        if not self.evidence_file or not os.path.exists(self.evidence_file):
            return []
        with open(self.evidence_file) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        return [e for e in lines if kind is None or e.get("type") == kind]


def report(run, tmp_path_factory):
    table = format_table(run.tally.rows(), run.notes)
    print(f"\n{table}")
    path = tmp_path_factory.getbasetemp() / "SCENARIOS.txt"
    with open(path, "a") as f:
        f.write(table + "\n")
        for resolver in dict.fromkeys(a.resolver for a in run.tally.answers):
            f.write(f"{resolver}:\n{run.tally.details(resolver)}\n")
        f.write("\n")
    conftest.SCENARIO_TABLES.append(table)


def ask_all(run, world, addrs, names, phase, timeout=10.0, parallel=False):
    """Each resolver asked each name once; timeout: seconds, or {resolver: seconds};
    parallel: all at once (where slow failures would add up)."""
    jobs = [(resolver, addr, name, qtype) for resolver, addr in addrs.items()
            for name, qtype in names]

    def one(job):
        resolver, addr, name, qtype = job
        t = timeout[resolver] if isinstance(timeout, dict) else timeout
        return run.tally.ask(world, resolver, addr, name, qtype, phase, timeout=t)

    if not parallel:
        return [one(j) for j in jobs]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(one, jobs))


def attach_run(request, run):
    for title, path in run.logs.items():
        attach(request, title, path)


def cats(run, resolver, phase=None, names=None):
    return {(a.name, a.qtype, a.phase): a.category
            for a in run.tally.select(resolver, phase, names)}


def bad(run, resolver, allowed, phase=None, names=None):
    """The answers of a resolver whose category is not in allowed, as text (or '')."""
    wrong = [a for a in run.tally.select(resolver, phase, names) if a.category not in allowed]
    return "\n".join(f"  {a.phase} {a.name} {a.qtype}: {a.category} ({a.text})"
                     for a in wrong)


# --- the injector itself: wire format and the race ------------------------------------


def test_forged_reply_is_the_published_shape():
    """The reply the injectors build from a query with EDNS, DO and RD: the query copied
    up to the end of the question (ID, case), flags 0x8180, one A answer, nothing else:
    no authority, no additional, no OPT, no RRSIG; AAAA only for AAAA; 0x8400 for RD=0."""
    for qtype, rd, want_flags, rtype in (("A", True, 0x8180, "A"), ("DNSKEY", True, 0x8180, "A"),
                                         ("TXT", False, 0x8400, "A"),
                                         ("AAAA", False, 0x8400, "AAAA")):
        q = dns.message.make_query("wWw.AlPhA.cOm.", qtype, use_edns=0, want_dnssec=True)
        if not rd:
            q.flags &= ~dns.flags.RD
        wire = q.to_wire()
        qend, qname, qt, qrd = injector.parse_question(wire)
        assert (qname, qt, qrd) == ("wWw.AlPhA.cOm.", dns.rdatatype.from_text(qtype), rd)
        addr = "2001::1f0d:5a36" if qtype == "AAAA" else "65.49.2.178"
        reply = injector.forged_reply(wire, qend, qt, qrd, addr, 600)
        assert reply[:qend][:2] == wire[:2] and reply[12:qend] == wire[12:qend]
        assert struct.unpack("!HHHHH", reply[2:12]) == (want_flags, 1, 1, 0, 0)
        m = dns.message.from_wire(reply)
        assert m.edns < 0 and not m.authority and not m.additional
        assert [(rs.name.to_text(), dns.rdatatype.to_text(rs.rdtype), [r.to_text() for r in rs])
                for rs in m.answer] == [("wWw.AlPhA.cOm.", rtype, [addr])]


def test_injector_wins_the_race_and_the_real_answer_follows(world_logs, tmp_path):
    """A query from res to alpha.com's server, for a forged name: 2-3 forged replies
    come first, each from the server's address and port, from injectors with the
    published TTL habits (random, 58, the query's own), then the real answer, at
    least two delay-line crossings (2 x 20 ms) later, with its OPT record."""
    w = world_logs
    inj = injector.Injector(w, title="injector-race").start()
    try:
        inj.names(["www.alpha.com."])
        got = w.in_ns("res", _race, w.servers["alpha"], timeout=10)
    finally:
        inj.stop()
    forged = [g for g in got if g[3] & injector.FORGED]
    real = [g for g in got if not g[3] & injector.FORGED]
    text = "\n".join(f"{t * 1000:7.2f} ms ttl {ttl} {sorted(a)} opt={opt}"
                     for t, ttl, _, a, opt in got)
    assert 2 <= len(forged) <= 3, text
    assert len(real) == 1 and real[0][3] == {"203.0.113.10", "203.0.113.11"}, text
    assert real[0][4] and not any(g[4] for g in forged), text  # only the real one has OPT
    assert max(g[0] for g in forged) < real[0][0], text
    assert real[0][0] >= 2 * w.delay_ms / 1000, text
    assert all(g[2] for g in forged), f"a forged reply without the query's ID/case:\n{text}"
    ev = inj.events()
    assert {e["injector"] for e in ev} <= {"random-ttl", "ttl-58", "copy-ttl"}, ev
    assert all(e["ip_ttl"] == 58 for e in ev if e["injector"] == "ttl-58"), ev
    assert all(e["ip_ttl"] == 64 for e in ev if e["injector"] == "copy-ttl"), ev
    print(text)


def test_injector_resets_tcp_for_forged_names(world_logs):
    """With tcp_reset, a DNS-over-TCP query for a forged name loses its connection to a
    RST from the server's address; other names over TCP are untouched."""
    w = world_logs
    inj = injector.Injector(w, title="injector-tcp").start()
    try:
        inj.names(["www.alpha.com."], tcp_reset=True)
        with pytest.raises((ConnectionResetError, EOFError)):
            w.query("res", w.servers["alpha"], "www.alpha.com.", "A", tcp=True, timeout=3)
        r = w.query("res", w.servers["alpha"], "mail.alpha.com.", "A", tcp=True, timeout=3)
        assert {rd.to_text() for rs in r.answer for rd in rs} == {"203.0.113.25"}, r.to_text()
    finally:
        st = inj.stop()
    assert st["tcp_reset"] == 1 and st["tcp_seen"] >= 2, st


def _race(server):
    """In res: one query (mixed case, EDNS with DO, RD=0) and every reply for 0.3 s:
    [(seconds after sending, IP TTL, same ID and question, addresses, has OPT)]."""
    q = dns.message.make_query("wWw.aLpHa.CoM.", "A", use_edns=0, want_dnssec=True)
    q.flags &= ~dns.flags.RD
    wire = q.to_wire()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL (no Python constant in 3.11)
    out = []
    try:
        s.settimeout(0.3)
        t0 = time.monotonic()
        s.sendto(wire, (server, 53))
        while time.monotonic() - t0 < 0.3:
            try:
                data, anc, _, src = s.recvmsg(65535, 64)
            except socket.timeout:
                break
            t = time.monotonic() - t0
            ttl = next((struct.unpack("i", d[:4])[0] for lvl, typ, d in anc
                        if lvl == socket.IPPROTO_IP and typ == 2), None)
            if src != (server, 53):
                continue
            m = dns.message.from_wire(data)
            same = data[:2] == wire[:2] and m.question[0].name.to_text() == "wWw.aLpHa.CoM."
            addrs = {r.to_text() for rs in m.answer for r in rs}
            out.append((t, ttl, same, addrs, m.edns >= 0))
    finally:
        s.close()
    return out


# --- S2: per-name injection ---------------------------------------------------------

S2_RULES = ["www.alpha.com.", "www.beta.net.", "txt.alpha.com.", "www.ecdsa.com.",
            "*.eddsa.net.", "txt.rsa.org."]
S2_UNSIGNED_ADDR = [("www.alpha.com.", "A"), ("www.alpha.com.", "AAAA"), ("www.beta.net.", "A")]
S2_UNSIGNED_OTHER = [("txt.alpha.com.", "TXT")]
S2_SIGNED = [("www.ecdsa.com.", "A"), ("www.eddsa.net.", "AAAA"), ("txt.rsa.org.", "TXT")]
S2_ATTACKED = S2_UNSIGNED_ADDR + S2_UNSIGNED_OTHER + S2_SIGNED
S2_CONTROLS = [("www.hoster.net.", "A"), ("www.optout.com.", "A"), ("www.example.cn.", "A")]


@pytest.fixture(scope="module")
def s2(world, holdfast_bin, tmp_path_factory):
    """Some names forged by 2-3 racing packets each (signed and unsigned ones; for
    *.eddsa.net also its DS and DNSKEY queries), every name asked once under attack;
    then the injector stops, the far servers are cut off, and every name is asked
    again: what comes now comes from the cache."""
    run = Run("S2 per-name injection", tmp_path_factory.mktemp("s2"))
    d = run.dir
    t0 = time.monotonic()
    with resolvers(world, holdfast_bin, d, "S2") as (addrs, procs):
        run.logs = {f"{k} log": p.log for k, p in procs.items()}
        inj = injector.Injector(world, title="injector-s2").start()
        try:
            inj.names(S2_RULES)
            for resolver in (UNBOUND, HOLDFAST):  # one after the other: whose query was forged
                t = time.time()
                ask_all(run, world, {resolver: addrs[resolver]}, S2_ATTACKED + S2_CONTROLS,
                        "attack")
                run.windows[resolver] = (t, time.time())
            inj.off()
            world.outage(True)
            ask_all(run, world, addrs, S2_ATTACKED + S2_CONTROLS, "cached")
        finally:
            world.outage(False)
            run.status, run.events = inj.stop(), inj.events()
    run.measures["seconds"] = time.monotonic() - t0
    ids = {e["dns_id"] for e in run.events}
    run.notes.append(f"  injector: {run.status.get('matched')} queries forged, "
                     f"{run.status.get('forged')} packets ({len(run.events) / max(1, len(ids)):.1f}"
                     f" per query); phases: attack, then cached (injector off, far servers "
                     f"cut off); {run.measures['seconds']:.0f} s")
    report(run, tmp_path_factory)
    return run


def test_s2_injector_forges_only_the_attacked_names(s2):
    """2-3 packets per forged query, only for names in the rule set."""
    per_query = {}
    for e in s2.events:
        if e.get("tcp_reset"):
            continue
        per_query.setdefault((e["dns_id"], e["sport"]), []).append(e)
    assert per_query, "the injector forged nothing"
    counts = {len(v) for v in per_query.values()}
    assert counts <= {2, 3}, counts
    forged_names = {e["qname"].lower() for e in s2.events}
    for name, _ in S2_ATTACKED:
        assert name in forged_names, f"{name} was never forged: {sorted(forged_names)}"
    for name, _ in S2_CONTROLS:
        assert name not in forged_names, f"{name} was forged"
    assert {e["qname"].lower() for e in s2.events} & {"eddsa.net."}, \
        "the DS/DNSKEY queries of eddsa.net were not forged"


def test_s2_unbound_is_fooled(s2, request):
    """The positive control: validating unbound serves the forged address for the
    unsigned names (and keeps it in its cache), fails the signed ones (SERVFAIL),
    and still answers the names nobody attacked."""
    attach_run(request, s2)
    t = s2.tally
    msg = t.details(UNBOUND)
    assert not bad(s2, UNBOUND, {FORGED}, "attack", S2_UNSIGNED_ADDR), msg
    assert not bad(s2, UNBOUND, {FORGED}, "cached", S2_UNSIGNED_ADDR), msg
    assert not bad(s2, UNBOUND, {FORGED, WRONG, FAILED}, "attack", S2_UNSIGNED_OTHER), msg
    assert not bad(s2, UNBOUND, {FAILED}, "attack", S2_SIGNED), msg
    assert not bad(s2, UNBOUND, {CORRECT}, "attack", S2_CONTROLS), msg


def test_s2_holdfast_answers_unattacked_names(s2, request):
    attach_run(request, s2)
    assert not bad(s2, HOLDFAST, {CORRECT}, "attack", S2_CONTROLS), s2.tally.details(HOLDFAST)


def test_s2_holdfast_holds_on(s2, request):
    """Correct answers for signed and unsigned names alike, under attack and from the
    cache afterwards: the forged address never served, never cached."""
    attach_run(request, s2)
    msg = s2.tally.details(HOLDFAST)
    assert not bad(s2, HOLDFAST, {CORRECT}, "attack"), msg
    assert not bad(s2, HOLDFAST, {CORRECT, STALE}, "cached"), msg


def _query_of(event):
    """(DNS ID, question name as sent) of the query an evidence event is about."""
    q = dns.message.from_wire(base64.b64decode(event["query"]["wire"]))
    return q.id, q.question[0].name.to_text()


def test_s2_holdfast_one_event_per_attacked_query(s2, request):
    """Evidence: each of holdfast's queries the injector forged replies to is exactly one
    event, holding every forged packet (by IP TTL and address, as the injector logged
    them) and the rules that fired; no event for a name nobody attacked."""
    attach_run(request, s2)
    events = s2.evidence("suspected-hijack")
    attach(request, "holdfast events.jsonl", s2.evidence_file)
    forged = {}
    for e in s2.events:
        if not e.get("tcp_reset"):
            forged.setdefault((e["dns_id"], e["qname"]), []).append(e)
    t0, t1 = s2.windows[HOLDFAST]
    attacked = {k for k, v in forged.items() if t0 <= v[0]["t"] <= t1 + 1}
    assert attacked, "the injector forged none of holdfast's queries"
    by_query = {}
    for ev in events:
        by_query.setdefault(_query_of(ev), []).append(ev)
    assert set(by_query) == attacked | (set(by_query) - set(forged)) and \
        not set(by_query) - set(forged), \
        f"events {sorted(by_query)} vs attacked queries {sorted(attacked)}"
    controls = {n for n, _ in S2_CONTROLS}
    for key, evs in by_query.items():
        assert len(evs) == 1, f"{key}: {len(evs)} events"
        ev = evs[0]
        assert key[1].lower() not in controls, key
        assert ev["rules"], key
        kept = sorted((r["ip_ttl"], r["verdict"]) for r in ev["replies"]
                      if r["verdict"] != "accepted")
        sent = sorted(p["ip_ttl"] for p in forged[key])
        assert [t for t, _ in kept] == sent, f"{key}: forged {sent}, in the event {kept}"
        for p in forged[key]:
            assert any(p["address"] in r["text"] for r in ev["replies"]), (key, p["address"])


# --- S3: the 2014 pattern -------------------------------------------------------------

S3_WARM = [("short1.alpha.com.", "A"), ("short2.alpha.com.", "A"), ("short.ecdsa.com.", "A"),
           ("ns1.beta.net.", "A"), ("ns1.gamma.org.", "A"), ("ns1.rsa.org.", "A"),
           ("www.hoster.net.", "A")]
S3_FRESH_UNSIGNED = [("www.alpha.com.", "A"), ("www.alpha.com.", "AAAA"), ("www.beta.net.", "A"),
                     ("end.gamma.org.", "A")]
S3_FRESH_SIGNED = [("www.ecdsa.com.", "A"), ("www.rsa.org.", "A")]
S3_EXPIRED_UNSIGNED = [("short1.alpha.com.", "A"), ("short2.alpha.com.", "A")]
S3_EXPIRED_SIGNED = [("short.ecdsa.com.", "A")]
S3_CACHED = [("www.hoster.net.", "A"), ("ns1.beta.net.", "A")]
S3_CN = [("www.example.cn.", "A"), ("www.example.cn.", "AAAA"), ("nx.example.cn.", "A")]
S3_FOREIGN = (S3_FRESH_UNSIGNED + S3_FRESH_SIGNED + S3_EXPIRED_UNSIGNED + S3_EXPIRED_SIGNED
              + S3_CACHED)


@pytest.fixture(scope="module")
def s3(world, holdfast_bin, tmp_path_factory):
    """Warm caches (delegations, a few names, short-lived ones), then every name
    outside cn. forged to 65.49.2.178: once the short-lived names have expired, every
    name is asked twice a second apart (fresh ones, expired ones, cached ones, cn.);
    then the injector stops and the foreign names are asked again."""
    run = Run("S3 2014 pattern", tmp_path_factory.mktemp("s3"))
    d = run.dir
    t0 = time.monotonic()
    with resolvers(world, holdfast_bin, d, "S3") as (addrs, procs):
        run.logs = {f"{k} log": p.log for k, p in procs.items()}
        inj = injector.Injector(world, title="injector-s3").start()
        try:
            for resolver, addr in addrs.items():
                for name, qtype in S3_WARM:
                    world.query("res", addr, name, qtype, rd=True, timeout=10)
            inj.everything(except_zones=["cn."])
            on = time.monotonic()
            run.measures["injector on"] = time.time()
            time.sleep(zones.SHORT_TTL + 1)
            ask_all(run, world, addrs, S3_FOREIGN + S3_CN, "2014")
            time.sleep(1)
            ask_all(run, world, addrs, S3_FOREIGN + S3_CN, "2014")
            inj.off()
            run.measures["forged for"] = time.monotonic() - on
            ask_all(run, world, addrs, S3_FOREIGN + S3_CN, "stopped")
        finally:
            run.status, run.events = inj.stop(), inj.events()
    run.measures["seconds"] = time.monotonic() - t0
    run.notes.append(f"  injector: everything outside cn. to {injector.ADDRESS_2014} for "
                     f"{run.measures['forged for']:.0f} s: {run.status.get('matched')} "
                     f"queries, {run.status.get('forged')} packets; phases: 2014 (x2), then "
                     f"stopped; {run.measures['seconds']:.0f} s")
    report(run, tmp_path_factory)
    return run


def test_s3_injector_forges_everything_but_cn(s3):
    assert s3.events, "the injector forged nothing"
    names = {e["qname"].lower() for e in s3.events}
    assert not [n for n in names if n == "cn." or n.endswith(".cn.")], sorted(names)
    assert {e["address"] for e in s3.events if e["qtype"] != 28} == {injector.ADDRESS_2014}
    for name, _ in S3_FRESH_UNSIGNED + S3_FRESH_SIGNED + S3_EXPIRED_UNSIGNED:
        assert name in names, f"{name} never forged: {sorted(names)}"


def test_s3_unbound_is_fooled(s3, request):
    """The positive control: unbound serves 65.49.2.178 for the unsigned names it had
    to ask for (fresh or expired) and keeps serving it after the injector stopped;
    SERVFAIL for signed ones; its cached names and cn. are unaffected."""
    attach_run(request, s3)
    msg = s3.tally.details(UNBOUND)
    for phase in ("2014", "stopped"):
        assert not bad(s3, UNBOUND, {FORGED}, phase,
                       S3_FRESH_UNSIGNED + S3_EXPIRED_UNSIGNED), msg
    assert not bad(s3, UNBOUND, {FAILED}, "2014", S3_FRESH_SIGNED + S3_EXPIRED_SIGNED), msg
    assert not bad(s3, UNBOUND, {CORRECT}, "2014", S3_CACHED), msg
    assert not bad(s3, UNBOUND, {CORRECT}, None, S3_CN), msg


def test_s3_holdfast_cn_unaffected(s3, request):
    attach_run(request, s3)
    assert not bad(s3, HOLDFAST, {CORRECT}, None, S3_CN), s3.tally.details(HOLDFAST)


def test_s3_holdfast_never_serves_the_forged_address(s3, request):
    """Foreign names correct or, where no honest answer came, stale or SERVFAIL, never
    65.49.2.178; once the injector stops, every name correct: nothing forged left."""
    attach_run(request, s3)
    msg = s3.tally.details(HOLDFAST)
    assert not bad(s3, HOLDFAST, {CORRECT, STALE, FAILED}, "2014"), msg
    assert not bad(s3, HOLDFAST, {CORRECT}, "stopped"), msg


INCIDENT_WITHIN = 15.0  # s from the injector's start: the incident is open ("within seconds")


def test_s3_holdfast_raises_one_fan_in_incident(s3, request):
    """The 2014 rule: one fan-in incident naming 65.49.2.0/24 and the spread (names from
    several zones and servers), opened within seconds of the injector's start."""
    attach_run(request, s3)
    attach(request, "holdfast events.jsonl", s3.evidence_file)
    incidents = [e for e in s3.evidence("incident") if e["rule"] == "fan-in"]
    opened = [e for e in incidents if e["state"] == "open"]
    assert len({e["id"] for e in incidents}) == 1 and len(opened) == 1, \
        [{k: v for k, v in e.items() if k != "prev"} for e in incidents]
    inc = opened[0]
    assert inc["address"] == "65.49.2.0/24" and injector.ADDRESS_2014 in inc["addresses"], inc
    assert inc["names"] >= 4 and inc["zones"] >= 3 and inc["servers"] >= 2, inc
    assert inc["opened"] - s3.measures["injector on"] <= INCIDENT_WITHIN, inc
    names = {n for n, _ in S3_FOREIGN}
    assert set(inc["sample"]) <= names, inc["sample"]
    hijacks = s3.evidence("suspected-hijack")
    assert hijacks and not [e["name"] for e in hijacks if e["name"].lower().endswith(".cn.")]


# --- S4: the far servers go away --------------------------------------------------------

S4_SHORT = [(n, "A") for n in zones.SHORT]
S4_LONG = [("www.alpha.com.", "A"), ("ns1.beta.net.", "A")]
S4_CN = [("www.example.cn.", "A")]
S4_UNCACHED = [("www.beta.net.", "A"), ("end.gamma.org.", "A"), ("www.rsa.org.", "A")]


def _until_fresh(world, addrs, name, limit, grace=3.0):
    """{resolver: seconds until name gets a fresh correct answer there, or None}: every
    resolver asked every 0.25 s until all have one, or holdfast has had one for grace
    seconds, or limit seconds have passed."""
    t0, tally, out = time.monotonic(), Tally("-"), {r: None for r in addrs}
    while time.monotonic() - t0 < limit and None in out.values() and \
            (out[HOLDFAST] is None or time.monotonic() - t0 < out[HOLDFAST] + grace):
        for resolver, addr in addrs.items():
            if out[resolver] is None and \
                    tally.ask(world, resolver, addr, name, "A", timeout=1).category == CORRECT:
                out[resolver] = time.monotonic() - t0
        time.sleep(0.25)
    return out, time.monotonic() - t0


@pytest.fixture(scope="module")
def s4(world, holdfast_bin, tmp_path_factory):
    """Caches warmed with short-lived (2 s) and long-lived names; the far servers cut
    off (blackhole on gw) until the short ones have expired; then every name asked:
    expired, still fresh, near (cn.), never asked. Then the network comes back."""
    run = Run("S4 outage", tmp_path_factory.mktemp("s4"))
    d = run.dir
    t0 = time.monotonic()
    with resolvers(world, holdfast_bin, d, "S4") as (addrs, procs):
        run.logs = {f"{k} log": p.log for k, p in procs.items()}
        try:
            for resolver, addr in addrs.items():
                for name, qtype in S4_SHORT + S4_LONG + S4_CN:
                    world.query("res", addr, name, qtype, rd=True, timeout=10)
            world.outage(True)
            time.sleep(zones.SHORT_TTL + 1)
            ask_all(run, world, addrs, S4_SHORT + S4_LONG + S4_CN + S4_UNCACHED, "outage",
                    timeout={UNBOUND: UNBOUND_PATIENCE, HOLDFAST: 10.0}, parallel=True)
        finally:
            world.outage(False)
        fresh, watched = _until_fresh(world, addrs, S4_SHORT[0][0], RECOVERY_WATCH)
        for resolver, s in fresh.items():
            run.measures[f"{resolver} recovery"] = s
        ask_all(run, world, addrs, S4_SHORT + S4_UNCACHED, "back", timeout=3)
    run.measures["seconds"] = time.monotonic() - t0
    for resolver in addrs:
        un = [a.seconds for a in run.tally.select(resolver, "outage", S4_UNCACHED)]
        st = [a.seconds for a in run.tally.select(resolver, "outage", S4_SHORT)]
        rec = run.measures[f"{resolver} recovery"]
        run.measures[f"{resolver} uncached"] = max(un)
        run.notes.append(f"  {resolver}: expired names answered in <= {max(st):.1f} s, "
                         f"uncached failed in <= {max(un):.1f} s, fresh again "
                         + (f"{rec:.1f} s after the outage" if rec is not None
                            else f"not within the {watched:.0f} s watched"))
    run.notes.append(f"  phases: outage (far servers cut off, short TTLs expired), back; "
                     f"{run.measures['seconds']:.0f} s")
    report(run, tmp_path_factory)
    return run


def test_s4_unbound_fails_without_its_servers(s4, request):
    """The positive control: a stock unbound (no serve-expired) cannot answer the
    expired names nor the uncached ones, so the outage is real and the TTLs ran out;
    cn. (near) and the long-lived cached name still answer."""
    attach_run(request, s4)
    msg = s4.tally.details(UNBOUND)
    assert not bad(s4, UNBOUND, {FAILED}, "outage", S4_SHORT + S4_UNCACHED), msg
    assert not bad(s4, UNBOUND, {CORRECT}, "outage", S4_LONG + S4_CN), msg


def test_s4_holdfast_serves_stale(s4, request):
    """holdfast answers the expired names from its cache, stale (EDE 3), the fresh
    ones and cn. as usual."""
    attach_run(request, s4)
    msg = s4.tally.details(HOLDFAST)
    assert not bad(s4, HOLDFAST, {STALE}, "outage", S4_SHORT), msg
    assert not bad(s4, HOLDFAST, {CORRECT}, "outage", S4_LONG + S4_CN), msg


def test_s4_holdfast_fails_uncached_names_fast(s4, request):
    attach_run(request, s4)
    msg = s4.tally.details(HOLDFAST)
    assert not bad(s4, HOLDFAST, {FAILED}, "outage", S4_UNCACHED), msg
    assert s4.measures[f"{HOLDFAST} uncached"] <= FAIL_FAST, msg


def test_s4_outage_is_no_hijack(s4, request):
    """A dead server sends nothing to doubt: the outage leaves no event and no incident."""
    attach_run(request, s4)
    assert s4.evidence() == [], [(e["type"], e.get("name"), e.get("rule")) for e in s4.evidence()]


@pytest.mark.xfail(strict=False, reason="timing: recovery rests on the background refresh "
                   "(every 2 s) and the servers' back-off; seen at 1.0-1.3 s, kept soft")
def test_s4_holdfast_recovers(s4, request):
    """Fresh answers within seconds of the network coming back (stale ones until the
    first background refresh gets through, never forged or failed)."""
    attach_run(request, s4)
    rec = s4.measures[f"{HOLDFAST} recovery"]
    assert rec is not None and rec <= RECOVERY, f"recovery {rec}"
    assert not bad(s4, HOLDFAST, {CORRECT, STALE}, "back"), s4.tally.details(HOLDFAST)


# --- S5: an off-path spoofing flood ------------------------------------------------------

S5_NAMES = [(f"flood{i}.alpha.com.", "A") for i in range(12)] + \
    [("short3.alpha.com.", "A"), ("short4.alpha.com.", "A")]
S5_COUNT, S5_RATE = 40000, 20000


def _udp_counters(world):
    text = world.run_in("res", ["cat", "/proc/net/snmp"]).stdout
    head, vals = [ln.split()[1:] for ln in text.splitlines() if ln.startswith("Udp:")][:2]
    return dict(zip(head, map(int, vals)))


@pytest.fixture(scope="module")
def s5(world, holdfast_bin, tmp_path_factory):
    """Blind forged replies from alpha.com's server address to res, on random ports
    with random IDs, for names the resolvers are made to ask while the flood runs
    (made-up NXDOMAIN names, and two short-lived names asked again and again); then
    every name asked once more, from the caches."""
    run = Run("S5 spoofing flood", tmp_path_factory.mktemp("s5"))
    d = run.dir
    t0 = time.monotonic()
    with resolvers(world, holdfast_bin, d, "S5") as (addrs, procs):
        run.logs = {f"{k} log": p.log for k, p in procs.items()}
        inj = injector.Injector(world, title="injector-s5").start()
        try:
            for addr in addrs.values():
                world.query("res", addr, "mail.alpha.com.", "A", rd=True, timeout=10)
            before = _udp_counters(world)
            inj.flood(src=world.servers["alpha"], names=[n for n, _ in S5_NAMES],
                      count=S5_COUNT, rate=S5_RATE)
            rounds = 0
            while rounds == 0 or inj.status().get("flood_running"):
                ask_all(run, world, addrs, S5_NAMES if rounds == 0 else S5_NAMES[-2:],
                        "flood")
                rounds += 1
                if rounds > 200:
                    break
                time.sleep(0.2)
            st = inj.wait_flood(timeout=60)
            after = _udp_counters(world)
            ask_all(run, world, addrs, S5_NAMES, "after")
        finally:
            run.status = inj.stop()
    delta = {k: after[k] - before[k] for k in ("NoPorts", "InErrors", "InDatagrams")}
    run.measures.update(sent=st["flood_sent"], **delta)
    run.measures["seconds"] = time.monotonic() - t0
    run.notes.append(f"  flood: {st['flood_sent']} blind replies from {world.servers['alpha']}"
                     f" at <= {S5_RATE}/s; res UDP NoPorts +{delta['NoPorts']}, InErrors "
                     f"+{delta['InErrors']}, delivered +{delta['InDatagrams']}; phases: "
                     f"flood, after; {run.measures['seconds']:.0f} s")
    report(run, tmp_path_factory)
    return run


def test_s5_flood_reaches_res(s5):
    """The positive control of this scenario: blind spoofing fails against both
    resolvers (random ports and IDs), so what must hold is that the flood was really
    sent and really arrived at res's UDP stack, mostly on ports nobody listens on."""
    assert s5.measures["sent"] == S5_COUNT, s5.measures
    assert s5.measures["NoPorts"] >= S5_COUNT // 2, s5.measures


def test_s5_unbound_report(s5):
    """unbound is only reported here (blind spoofing fails against it as well)."""
    print(s5.tally.details(UNBOUND))


def test_s5_holdfast_keeps_the_flood_out(s5, request):
    """Nothing forged enters holdfast's cache: every answer during and after the
    flood is the zone's."""
    attach_run(request, s5)
    assert not bad(s5, HOLDFAST, {CORRECT}), s5.tally.details(HOLDFAST)
