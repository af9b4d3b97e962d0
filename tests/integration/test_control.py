# SPDX-License-Identifier: GPL-3.0-or-later
"""The control plane against the real holdfast and NSD: holdfastctl over
control.socket (status, stats, cache lookup and flush, reload, --json, a
missing socket), /metrics over control.http parsed by the Prometheus
client's own parser with figures that follow the traffic, the read-only
listener refusing changes, and garbage on both listeners never crashing or
wedging the daemon."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import dns.rcode
import pytest
from prometheus_client.parser import text_string_to_metric_families

import zones
from conftest import free_port, hostport, next_ip, to_yaml

CTL_TIMEOUT = 45


@pytest.fixture(scope="session")
def ctl_bin(holdfast_bin):
    path = os.path.join(os.path.dirname(holdfast_bin), "holdfastctl")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: `make all` builds it next to holdfast", pytrace=False)
    return path


@pytest.fixture
def hf(holdfast_factory, nsd):
    """A holdfast forwarding to the session's NSD, with control.http on its own address."""
    probe = holdfast_factory([nsd.server], start=False)
    port = free_port(probe.addr)
    probe.config["control"]["http"] = hostport(probe.addr, port)
    probe.write_config(probe.config)
    probe.http = (probe.addr, port)
    probe.sock = probe.config["control"]["socket"]
    return probe.start()


def ctl(ctl_bin, hf, *args, check=True):
    r = subprocess.run([ctl_bin, "-s", hf.sock, *args], capture_output=True, text=True,
                       timeout=CTL_TIMEOUT)
    if check and r.returncode != 0:
        pytest.fail(f"holdfastctl {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r


def ctl_json(ctl_bin, hf, *args):
    return json.loads(ctl(ctl_bin, hf, "--json", *args).stdout)


def http_get(hf, path, method="GET"):
    """(status, body bytes, content type) from control.http."""
    req = urllib.request.Request(f"http://{hf.http[0]}:{hf.http[1]}{path}", method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Content-Type", "")


def metrics(hf):
    status, body, ctype = http_get(hf, "/metrics")
    assert status == 200
    assert ctype.startswith("text/plain; version=0.0.4")
    samples = {}
    for fam in text_string_to_metric_families(body.decode()):
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def still_serving(hf):
    assert hf.running(), "holdfast died"
    assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    assert http_get(hf, "/api/status")[0] == 200


# --- holdfastctl ---------------------------------------------------------------------


def test_status_healthy(ctl_bin, hf):
    hf.ask("www.example.test.", "A")
    out = ctl(ctl_bin, hf, "status").stdout
    assert out.startswith("healthy: "), out
    assert "queries since start" in out
    st = ctl_json(ctl_bin, hf, "status")
    assert st["state"] == "healthy"
    assert st["queries"] >= 1
    assert st["upstreams"] == [{"server": nsd_name(hf), "rtt_ms": st["upstreams"][0]["rtt_ms"],
                                "state": "up", "kind": "forwarder"}]


def nsd_name(hf):
    return hf.config["forward"][0]["upstreams"][0]


def test_stats_follow_the_traffic(ctl_bin, hf):
    before = ctl_json(ctl_bin, hf, "stats")
    for _ in range(3):
        assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    after = ctl_json(ctl_bin, hf, "stats")
    key = 'holdfast_queries_total{transport="udp",result="NOERROR"}'
    assert after[key] - before.get(key, 0) == 3
    assert after['holdfast_cache_hits_total{cache="packet"}'] + \
        after['holdfast_cache_hits_total{cache="record"}'] >= 2
    lines = ctl(ctl_bin, hf, "stats").stdout.splitlines()
    assert f"{key} {after[key]}" in lines


def test_cache_lookup_and_flush_name(ctl_bin, hf):
    assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    assert hf.ask("example.test.", "MX").rcode() == dns.rcode.NOERROR
    got = ctl_json(ctl_bin, hf, "cache", "lookup", "www.example.test")
    assert got["found"] and not got["stale"]
    assert got["security"] == "insecure"  # the test zones are unsigned
    assert sorted(r.split()[-1] for r in got["records"]) == ["192.0.2.1", "192.0.2.2"]
    assert 0 < got["ttl"] <= 3600
    text = ctl(ctl_bin, hf, "cache", "lookup", "www.example.test.", "A").stdout
    assert text.startswith("www.example.test. A: NOERROR"), text
    assert "www.example.test. " in text.splitlines()[1]
    missing = ctl(ctl_bin, hf, "cache", "lookup", "www.example.test.", "TXT").stdout
    assert "not in the cache" in missing

    # Just the name: example.test.'s MX stays; www's A goes.
    out = ctl(ctl_bin, hf, "cache", "flush", "www.example.test.").stdout
    assert out.strip() == "flushed www.example.test."
    assert not ctl_json(ctl_bin, hf, "cache", "lookup", "www.example.test.")["found"]
    assert ctl_json(ctl_bin, hf, "cache", "lookup", "example.test.", "MX")["found"]
    # ...and the packet cache forgot it too: the next query goes to NSD again.
    before = metrics(hf)
    assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    after = metrics(hf)
    assert value(after, "holdfast_resolutions_total") == \
        value(before, "holdfast_resolutions_total") + 1


def test_cache_flush_zone(ctl_bin, hf):
    for name in ("www.example.test.", "mail.example.test.", "example.test."):
        hf.ask(name, "A")
    r = ctl_json(ctl_bin, hf, "cache", "flush", "example.test", "--zone")
    assert r == {"flushed": "example.test.", "zone": True}
    for name in ("www.example.test.", "mail.example.test."):
        assert not ctl_json(ctl_bin, hf, "cache", "lookup", name)["found"]


def test_bad_arguments_are_clear(ctl_bin, hf):
    r = ctl(ctl_bin, hf, "cache", "lookup", "a..b", check=False)
    assert r.returncode == 1
    assert "not a domain name" in r.stderr
    r = ctl(ctl_bin, hf, "cache", "lookup", "www.example.test.", "NOTATYPE", check=False)
    assert r.returncode == 1 and "record type" in r.stderr
    r = ctl(ctl_bin, hf, "events", "show", "999", check=False)
    assert r.returncode == 1 and "no such event" in r.stderr
    r = ctl(ctl_bin, hf, "frobnicate", check=False)
    assert r.returncode == 1 and "usage:" in r.stderr


def test_events_and_incidents_empty(ctl_bin, hf):
    assert ctl(ctl_bin, hf, "events").stdout.strip() == "no suspected hijacks in memory"
    assert ctl(ctl_bin, hf, "incidents").stdout.strip() == "no incidents"
    assert ctl_json(ctl_bin, hf, "events") == {"events": [], "last_id": 0}
    assert ctl_json(ctl_bin, hf, "incidents") == {"incidents": []}


def test_reload_takes_effect_and_bad_file_is_reported(ctl_bin, hf, client_ip):
    source = client_ip()
    assert hf.ask("www.example.test.", "A", source=source).rcode() == dns.rcode.NOERROR
    cfg = dict(hf.config)
    cfg["access"] = {"allow": ["127.0.0.1/32"]}
    hf.write_config(cfg)
    assert ctl(ctl_bin, hf, "reload").stdout.strip() == "reloaded"
    assert hf.ask("www.example.test.", "A", source=source).rcode() == dns.rcode.REFUSED

    with open(hf.conf, "w") as f:
        f.write("cache:\n  size: lots\n")
    r = ctl(ctl_bin, hf, "reload", check=False)
    assert r.returncode == 1
    assert "cache.size" in r.stderr
    assert hf.ask("www.example.test.", "A", source=source).rcode() == dns.rcode.REFUSED


def test_socket_from_config_file(ctl_bin, hf):
    r = subprocess.run([ctl_bin, "-c", hf.conf, "status"], capture_output=True, text=True,
                       timeout=CTL_TIMEOUT)
    assert r.returncode == 0, r.stderr
    st = os.stat(hf.sock)
    assert oct(st.st_mode & 0o777) == oct(0o660)


def test_missing_socket_exit_2(ctl_bin, tmp_path):
    path = str(tmp_path / "nothing-here.sock")
    r = subprocess.run([ctl_bin, "-s", path, "status"], capture_output=True, text=True,
                       timeout=CTL_TIMEOUT)
    assert r.returncode == 2
    assert r.stderr.startswith(f"holdfastctl: cannot reach holdfast at {path}: ")
    assert "No such file" in r.stderr


# --- /metrics and the read-only listener -----------------------------------------------


def test_metrics_parse_and_count(hf):
    before = metrics(hf)
    assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    assert hf.ask("nx.example.test.", "A").rcode() == dns.rcode.NXDOMAIN
    assert hf.ask("www.example.test.", "A", tcp=True).rcode() == dns.rcode.NOERROR
    after = metrics(hf)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("holdfast_queries_total", transport="udp", result="NOERROR") == 2
    assert delta("holdfast_queries_total", transport="udp", result="NXDOMAIN") == 1
    assert delta("holdfast_queries_total", transport="tcp", result="NOERROR") == 1
    assert delta("holdfast_cache_hits_total", cache="packet") + \
        delta("holdfast_cache_hits_total", cache="record") >= 2
    server = nsd_name(hf)
    assert value(after, "holdfast_upstream_queries_total", server=server) >= 2
    assert value(after, "holdfast_upstream_rtt_seconds_count", server=server) >= 2
    assert value(after, "holdfast_upstream_rtt_seconds_bucket", server=server, le="+Inf") == \
        value(after, "holdfast_upstream_rtt_seconds_count", server=server)
    assert value(after, "holdfast_upstream_replies_total", server=server,
                 verdict="accepted") >= 2
    assert value(after, "holdfast_cache_entries", cache="record") >= 1
    assert value(after, "holdfast_cache_bytes", cache="record") > 0
    assert value(after, "holdfast_incidents_open") == 0
    assert value(after, "holdfast_uptime_seconds") >= 0
    assert value(after, "holdfast_build_info", version=st_version(hf)) == 1


def st_version(hf):
    return json.loads(http_get(hf, "/api/status")[1])["version"]


def test_read_only_listener(hf):
    status, body, ctype = http_get(hf, "/api/reload", method="POST")
    assert status == 405 and ctype == "application/json"
    assert "error" in json.loads(body)
    assert http_get(hf, "/api/cache/flush?name=example.test.", method="POST")[0] == 405
    assert http_get(hf, "/api/status", method="DELETE")[0] == 405
    assert http_get(hf, "/api/cache?name=www.example.test.")[0] == 403
    assert http_get(hf, "/nowhere")[0] == 404
    assert http_get(hf, "/api/events/0")[0] == 404
    assert http_get(hf, "/api/events?limit=abc")[0] == 400
    assert http_get(hf, "/api/timeline?minutes=99999")[0] == 400
    status, body, ctype = http_get(hf, "/api/timeline?minutes=5")
    points = json.loads(body)["points"]
    assert status == 200 and len(points) == 5
    assert http_get(hf, "/?" + "&".join(f"a{i}=1" for i in range(20)))[0] == 400
    status, _, ctype = http_get(hf, "/")
    assert status == 200 and ctype.startswith("text/html")


def raw_exchange(addr, data, *, timeout=5.0):
    """Sends raw bytes, returns what came back until the server closed or went quiet."""
    s = socket.create_connection(addr, timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def test_dns_rebinding_is_refused(hf):
    """A loopback control.http answers only requests that name an address or localhost:
    a page elsewhere that points its own name at 127.0.0.1 gets nothing to read."""
    ok = raw_exchange(hf.http, b"GET /api/status HTTP/1.1\r\nHost: localhost:8053\r\n"
                      b"Connection: close\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200"), ok[:40]
    for host in (b"evil.example", b"evil.example:8053", b"127.0.0.1.evil.example"):
        reply = raw_exchange(hf.http, b"GET /api/status HTTP/1.1\r\nHost: " + host +
                             b"\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 403") and b"rebinding" in reply, reply[:200]
    still_serving(hf)


def test_garbage_never_hurts(hf):
    # Junk gets a 400 or the connection closed, never an answer or a hang.
    reply = raw_exchange(hf.http, b"\x00\xff\x13garbage\r\n\r\n")
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply[:40]
    assert raw_exchange(hf.http, b"BREW /pot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[:12] in (
        b"HTTP/1.1 405", b"HTTP/1.1 501")
    huge = b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    reply = raw_exchange(hf.http, huge)
    assert reply == b"" or reply.split(b" ")[1] in (b"414", b"431", b"400"), reply[:40]
    many_headers = b"GET / HTTP/1.1\r\n" + b"X-A: " + b"b" * 2000 + b"\r\n" * 1 + \
        b"".join(b"X-%d: y\r\n" % i for i in range(3000)) + b"\r\n"
    reply = raw_exchange(hf.http, many_headers)
    assert reply == b"" or not reply.startswith(b"HTTP/1.1 200"), reply[:40]
    still_serving(hf)


def test_idle_connections_are_bounded(hf, client_ip):
    """A client that opens connections and sends half a request (slowloris)
    keeps no one else out, and the server closes those connections itself."""
    idle = []
    for _ in range(24):  # past the per-address cap: those are refused or closed at once
        try:
            s = socket.create_connection(hf.http, timeout=5)
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(s)
        except OSError:
            break
    try:
        other = socket.create_connection(hf.http, timeout=10, source_address=(client_ip(), 0))
        other.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        other.settimeout(10)
        assert other.recv(12) == b"HTTP/1.1 200"
        other.close()
        # The idle timeout is 10 s; 60 s only bounds the test should it never come.
        first = idle[0]
        first.settimeout(60)
        assert first.recv(100) == b"", "an idle half-request was answered or kept forever"
    finally:
        for s in idle:
            s.close()
    still_serving(hf)


def test_unix_socket_garbage(hf):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(hf.sock)
    s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
    try:
        reply = s.recv(100)
    except socket.timeout:
        reply = b"timeout"
    s.close()
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply
    still_serving(hf)


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["300.1.1.1", "127.0.0.1@70000", "localhost", "127.0.0.1@"])
def test_check_config_rejects_bad_control_http(holdfast_bin, tmp_path, bad):
    conf = tmp_path / "bad.yaml"
    conf.write_text(f'control:\n  http: "{bad}"\n')
    r = subprocess.run([holdfast_bin, "--check-config", "-c", str(conf)], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode != 0
    assert "control.http" in r.stderr and ":2:" in r.stderr, r.stderr


def test_socket_in_use_refuses_start(holdfast_bin, hf, tmp_path):
    """A second holdfast on the same control socket says so and exits; the first goes on."""
    addr = next_ip("holdfast")
    cfg = dict(hf.config, listen=[hostport(addr, free_port(addr))])
    cfg["control"] = {"socket": hf.sock, "http": ""}
    conf = tmp_path / "second.yaml"
    conf.write_text(to_yaml(cfg) + "\n")
    r = subprocess.run([holdfast_bin, "-c", str(conf), "--foreground"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert f"control.socket: {hf.sock} is in use" in r.stderr
    still_serving(hf)


def test_status_when_the_upstream_is_gone(ctl_bin, holdfast_factory, nsd_factory):
    """A stale answer shows in the figures, the timeline and the status; with the
    only forwarder gone the state says so."""
    own = nsd_factory()
    hf = holdfast_factory([own.server])
    hf.sock = hf.config["control"]["socket"]
    name = "short.example.test."
    assert hf.ask(name, "A").rcode() == dns.rcode.NOERROR
    own.stop()
    time.sleep(zones.SHORT_TTL + 1.2)
    for _ in range(3):
        assert hf.ask(name, "A", timeout=10.0).rcode() == dns.rcode.NOERROR  # stale
    st = ctl_json(ctl_bin, hf, "status")
    assert st["stale_1m"] >= 3, st
    assert st["state"] in ("upstream-down", "serving-stale"), st
    assert st["why"]
    stats = ctl_json(ctl_bin, hf, "stats")
    assert stats["holdfast_stale_answers_total"] >= 3
    line = ctl(ctl_bin, hf, "status").stdout.splitlines()[0]
    assert line.startswith(st["state"] + ": "), line


# --- what an attack leaves: events and incidents -------------------------------------


def test_events_and_incidents_of_an_attack(ctl_bin, holdfast_factory, bad_upstream):
    """An injected reply (doubted, then contradicted by the TCP answer) is one event that
    holdfastctl lists, lays out and follows, and with thresholds of one name it opens a
    fan-in incident: incidents, status, /metrics and the events' link all show it."""
    from conftest import FORGED_A
    up = bad_upstream("inject", records={("e1.example.test.", "A"): ["192.0.2.1"],
                                         ("e2.example.test.", "A"): ["192.0.2.2"]})
    hf = holdfast_factory([up.server], start=False)
    port = free_port(hf.addr)
    hf.config["control"]["http"] = hostport(hf.addr, port)
    hf.config["guard"] = {"tcp-after-doubt": "0s", "fan-in-names": 1, "fan-in-zones": 1,
                          "fan-in-servers": 1}
    hf.write_config(hf.config)
    hf.http, hf.sock = (hf.addr, port), hf.config["control"]["socket"]
    hf.start()
    follow = subprocess.Popen([ctl_bin, "-s", hf.sock, "events", "follow", "--count", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # follow starts after what is there: let it look first
        assert "192.0.2.1" in hf.ask("e1.example.test.", "A", timeout=5.0).to_text()
        assert "192.0.2.2" in hf.ask("e2.example.test.", "A", timeout=5.0).to_text()
        out, err = follow.communicate(timeout=CTL_TIMEOUT)
    finally:
        if follow.poll() is None:
            follow.kill()
    assert follow.returncode == 0, err
    assert "e1.example.test." in out and "e2.example.test." in out, out

    listed = ctl(ctl_bin, hf, "events").stdout
    assert "e1.example.test." in listed and "no-opt" in listed, listed
    shown = ctl(ctl_bin, hf, "events", "show", "1").stdout
    assert FORGED_A in shown and "doubted" in shown and "192.0.2.1" in shown, shown
    events = ctl_json(ctl_bin, hf, "events")["events"]
    assert [e["id"] for e in events] == [1, 2], events
    assert events[0]["name"] == "e1.example.test." and events[0]["qtype"] == "A"
    assert "differing-replies" in events[0]["rules"] and events[0]["incident"] == 1, events[0]

    for _ in range(50):  # an open incident's figures reach the hub once a second
        incidents = ctl_json(ctl_bin, hf, "incidents")["incidents"]
        if incidents and incidents[0]["names"] == 2:
            break
        time.sleep(0.1)
    assert len(incidents) == 1, incidents
    inc = incidents[0]
    assert inc["rule"] == "fan-in" and inc["state"] == "open", inc
    assert inc["address"] == FORGED_A.rsplit(".", 1)[0] + ".0/24" and inc["names"] == 2, inc
    assert inc["address"] in ctl(ctl_bin, hf, "incidents").stdout
    assert ctl_json(ctl_bin, hf, "status")["state"] == "network-lying"
    samples = metrics(hf)
    assert value(samples, "holdfast_events_total") == 2
    assert value(samples, "holdfast_event_rules_total", rule="no-opt") == 2
    assert value(samples, "holdfast_incidents_total", rule="fan-in") == 1
    assert value(samples, "holdfast_incidents_open") == 1
    # The file has the same: two events and the incident's opening line, chained.
    with open(os.path.join(hf.dir, "events.jsonl")) as f:
        kinds = [json.loads(line)["type"] for line in f]
    assert sorted(kinds) == ["incident", "suspected-hijack", "suspected-hijack"], kinds


def test_unmatched_flood_is_an_incident(ctl_bin, holdfast_factory, bad_upstream):
    """Replies with the wrong ID (off-path spoofing) feed the unmatched-flood rule."""
    up = bad_upstream("wrong-id", records={("f1.example.test.", "A"): ["192.0.2.1"]})
    hf = holdfast_factory([up.server], config={"guard": {"unmatched-flood": 1}})
    hf.sock = hf.config["control"]["socket"]
    assert hf.ask("f1.example.test.", "A", timeout=5.0).rcode() == dns.rcode.NOERROR
    incidents = ctl_json(ctl_bin, hf, "incidents")["incidents"]
    assert [i["rule"] for i in incidents] == ["unmatched-flood"], incidents
    assert incidents[0]["replies"] >= 1 and incidents[0]["servers"], incidents[0]
