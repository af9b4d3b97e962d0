# SPDX-License-Identifier: GPL-3.0-or-later
"""The response guard (hold-on) against a forwarder whose UDP replies are forged the
way on-path injectors forge them (no OPT, another address; the real answer only over
TCP): the forged address is never served nor cached, the server is asked over TCP
from then on, and that is remembered across a restart (guard.state under cache.path)."""

import json
import os
import time

import dns.rcode

from conftest import FORGED_A, answer_rrset, rdata_set


def _config(tmp):
    return {"cache": {"path": str(tmp)}}


def test_injected_udp_replies_never_served(holdfast_factory, bad_upstream, tmp_path):
    up = bad_upstream("inject", records={("www.example.test.", "A"): ["192.0.2.1"]})
    hf = holdfast_factory([up.server], config=_config(tmp_path / "cache"))
    r = hf.ask("www.example.test.", "A", timeout=5.0)
    assert r.rcode() == dns.rcode.NOERROR, r
    assert rdata_set(answer_rrset(r, "www.example.test.", "A")) == {"192.0.2.1"}
    transports = [t for t, q in up.queries]
    assert transports[:2] == ["udp", "tcp"], transports
    again = hf.ask("www.example.test.", "A")
    assert rdata_set(answer_rrset(again, "www.example.test.", "A")) == {"192.0.2.1"}
    assert FORGED_A not in str(again)


def test_tcp_only_is_remembered_across_a_restart(holdfast_factory, bad_upstream, tmp_path):
    up = bad_upstream("inject", records={
        ("a.example.test.", "A"): ["192.0.2.1"], ("b.example.test.", "A"): ["192.0.2.2"]})
    cache = tmp_path / "cache"
    hf = holdfast_factory([up.server], config=_config(cache))
    assert hf.ask("a.example.test.", "A", timeout=5.0).rcode() == dns.rcode.NOERROR
    hf.stop()
    assert os.path.exists(cache / "guard.state")
    with open(cache / "guard.state") as f:
        assert f"{up.server[0]}@{up.server[1]} " in f.read()
    seen = len(up.queries)
    hf2 = holdfast_factory([up.server], config=_config(cache))
    r = hf2.ask("b.example.test.", "A", timeout=5.0)
    assert rdata_set(answer_rrset(r, "b.example.test.", "A")) == {"192.0.2.2"}
    assert [t for t, q in up.queries[seen:]] == ["tcp"], up.queries[seen:]


def test_doubted_question_goes_to_the_trusted_path(holdfast_factory, bad_upstream, tmp_path):
    """forward[].trusted: a question whose UDP replies were doubted is asked of the trusted
    path instead of over TCP; the trusted path resolves nothing else."""
    up = bad_upstream("inject", records={("t.example.test.", "A"): ["192.0.2.1"],
                                         ("u.example.test.", "A"): ["192.0.2.3"]})
    trusted = bad_upstream("honest", records={("t.example.test.", "A"): ["192.0.2.77"]})
    hf = holdfast_factory([up.server], config=_config(tmp_path / "cache"), forward=[
        {"zone": ".", "upstreams": [f"{up.server[0]}@{up.server[1]}"]},
        {"zone": "example.test.", "upstreams": [f"{trusted.server[0]}@{trusted.server[1]}"],
         "trusted": True}])
    r = hf.ask("t.example.test.", "A", timeout=5.0)
    assert rdata_set(answer_rrset(r, "t.example.test.", "A")) == {"192.0.2.77"}, r
    assert [t for t, q in up.queries] == ["udp"], up.queries
    # An undoubted question is never sent to the trusted path: the doubted server is on
    # TCP now (where it is honest), and the trusted one is not asked.
    asked = len(trusted.queries)
    r = hf.ask("u.example.test.", "A", timeout=5.0)
    assert rdata_set(answer_rrset(r, "u.example.test.", "A")) == {"192.0.2.3"}, r
    assert len(trusted.queries) == asked


def _events(hf):
    path = os.path.join(hf.dir, "events.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def test_one_evidence_event_per_attacked_query(holdfast_factory, bad_upstream, tmp_path):
    """Each query whose replies the guard doubted becomes one event in events.file, with
    every reply (the forged one and the honest TCP one), the rules that fired, the action
    and what the client got; untouched queries leave nothing; the lines are hash-chained."""
    import hashlib
    up = bad_upstream("inject", records={("e1.example.test.", "A"): ["192.0.2.1"],
                                         ("e2.example.test.", "A"): ["192.0.2.2"]})
    honest = bad_upstream("honest", records={("ok.other.test.", "A"): ["192.0.2.9"]})
    hf = holdfast_factory([up.server], config=_config(tmp_path / "cache"), forward=[
        {"zone": "example.test.", "upstreams": [f"{up.server[0]}@{up.server[1]}"]},
        {"zone": "other.test.", "upstreams": [f"{honest.server[0]}@{honest.server[1]}"]}])
    assert hf.ask("ok.other.test.", "A").rcode() == dns.rcode.NOERROR
    assert _events(hf) == []
    hf.ask("e1.example.test.", "A", timeout=5.0)
    hf.ask("e2.example.test.", "A", timeout=5.0)  # the server is on TCP now: no doubt
    hf.ask("ok.other.test.", "A")
    lines = _events(hf)
    assert len(lines) == 1, lines
    ev = json.loads(lines[0])
    assert ev["type"] == "suspected-hijack" and "no-opt" in ev["rules"], ev
    assert "e1.example.test." in ev["query"]["text"]
    verdicts = [r["verdict"] for r in ev["replies"]]
    assert verdicts[0] == "doubted" and verdicts[-1] == "accepted", verdicts
    assert FORGED_A in ev["replies"][0]["text"] and ev["replies"][0]["ip_ttl"] > 0
    assert "TCP" in ev["action"]
    assert "192.0.2.1" in ev["client"]["answer"] and FORGED_A not in ev["client"]["answer"]
    assert ev["prev"] == "0" * 64
    # A second attacked query (a fresh holdfast, same file) chains to the first line.
    hf.stop()
    hf2 = holdfast_factory([up.server], config={"cache": {"path": ""},
                                                 "events": {"file": os.path.join(hf.dir, "events.jsonl")},
                                                 "guard": {"tcp-after-doubt": "0s"}})
    hf2.ask("e2.example.test.", "A", timeout=5.0)
    lines = _events(hf)
    assert len(lines) == 2, lines
    assert json.loads(lines[1])["prev"] == hashlib.sha256(lines[0].encode()).hexdigest()


def test_breaker_serves_last_known_good(holdfast_factory, bad_upstream):
    """While a fan-in incident is open, a reply in its prefix is refused even from an
    honest server: not cached, and the client gets the last known good answer the cache
    still holds (stale, EDE 3); the incident counts the answers it blocked."""
    import dns.edns
    hijacked = bad_upstream("inject", records={("e1.example.test.", "A"): ["192.0.2.1"]})
    # An honest name whose address shares the forged address's /24.
    honest = bad_upstream("honest", records={("h.other.test.", "A"): ["203.0.113.7"]})
    hf = holdfast_factory([hijacked.server], config={
        "cache": {"path": "", "max-ttl": "1s"},
        "guard": {"tcp-after-doubt": "0s", "fan-in-names": 1, "fan-in-zones": 1,
                  "fan-in-servers": 1}}, forward=[
        {"zone": "example.test.", "upstreams": [f"{hijacked.server[0]}@{hijacked.server[1]}"]},
        {"zone": "other.test.", "upstreams": [f"{honest.server[0]}@{honest.server[1]}"]}])
    assert "203.0.113.7" in hf.ask("h.other.test.", "A").to_text()
    time.sleep(1.1)  # learned before the incident began (in whole seconds): not rolled back
    assert "192.0.2.1" in hf.ask("e1.example.test.", "A", timeout=5.0).to_text()
    time.sleep(1.5)  # h.other.test. has expired: only its stale copy is left
    r = hf.ask("h.other.test.", "A", timeout=8.0)
    assert r.rcode() == dns.rcode.NOERROR and "203.0.113.7" in r.to_text(), r
    ede = [o.code for o in r.options if isinstance(o, dns.edns.EDEOption)]
    assert dns.edns.EDECode.STALE_ANSWER in ede, r
    lines = [json.loads(line) for line in _events(hf)]
    incident = [e for e in lines if e["type"] == "incident"]
    assert [i["rule"] for i in incident] == ["fan-in"], incident
    blocked = [e for e in lines if e["type"] == "suspected-hijack" and "fan-in" in e["rules"]]
    assert blocked and blocked[0]["name"] == "h.other.test.", lines
    assert blocked[0]["incident"] == incident[0]["id"]


def test_known_forged_address_is_only_doubt(holdfast_factory, bad_upstream, tmp_path):
    """An honest server whose answer is on guard.forged-list: the reply is doubted (held,
    asked again over TCP), the answer still reaches the client, and since the server's own
    TCP answer confirms it no event is kept; a reload with a list that does not parse keeps
    the running one."""
    forged = tmp_path / "forged.txt"
    forged.write_text("192.0.2.77\n")
    up = bad_upstream("honest", records={("k.example.test.", "A"): ["192.0.2.77"]})
    hf = holdfast_factory([up.server], config={
        "cache": {"path": ""}, "guard": {"forged-list": str(forged)}})
    r = hf.ask("k.example.test.", "A", timeout=5.0)
    assert r.rcode() == dns.rcode.NOERROR and "192.0.2.77" in r.to_text(), r
    # The server's TCP answer confirmed it: a real site at a borrowed address, no evidence.
    assert _events(hf) == []
    assert up.queries and up.queries[-1][0] == "tcp", [t for t, _ in up.queries]
    forged.write_text("192.0.2.77\nnot an address\n")
    hf.reload(hf.config)
    time.sleep(0.5)
    assert hf.running()
    with open(hf.stderr_path) as f:
        assert "line 2: 'not an address'" in f.read()
