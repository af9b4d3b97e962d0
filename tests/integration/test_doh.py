# SPDX-License-Identifier: GPL-3.0-or-later
"""DNS over HTTPS to forward upstreams (RFC 8484), authenticated as DNS over
TLS is (RFC 8310 strict profile).

The server is a real Unbound (Debian's is built with nghttp2) answering
DNS over HTTPS from the test zones as auth-zones, with a throwaway CA and
certificate made for the session (tls_helpers.py, shared with test_dot.py).
Its counters (unbound-control stats) tell queries over HTTPS from plain
ones, so each test checks nothing went out in clear; a TCP relay in front
of it counts holdfast's connections and can cut them. A scripted HTTP/2
server (Python's h2, Debian's python3-h2) does what Unbound will not: HTTP
errors, another content type, oversized bodies, GOAWAY, replies in another
order than asked.
"""

import concurrent.futures
import os
import socket
import ssl
import subprocess
import threading
import time

import dns.edns
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
import pytest

import zones
from conftest import answer_rrset, control_stats, free_port, next_ip, rdata_set, stop_process
from tls_helpers import (NAME, WWW, Pki, Relay, ScriptedTls, assert_www,  # noqa: F401
                         check_replies_in_another_order, ede_codes, example_reply as _reply,
                         relay, scripted_servers, start)

TIMEOUT = 20.0             # per client query: failures take a few attempts
PATH = "/dns-query"


# --- Unbound serving DNS over HTTPS --------------------------------------------------


class DohUnbound:
    """Unbound with DNS over HTTPS on one address and port, answering the test zones
    itself (auth-zone, for-downstream), nothing else: no recursion, no plain DNS port
    that holdfast could use."""

    def __init__(self, workdir, addr, port, pki, endpoint=PATH):
        self.dir = workdir
        self.server = (addr, port)
        self.conf = os.path.join(workdir, "unbound.conf")
        self.log = os.path.join(workdir, "unbound.log")
        self.proc = None
        os.makedirs(workdir, exist_ok=True)
        auth = []
        for origin, text in zones.zone_texts().items():
            fname = os.path.join(workdir, origin.rstrip(".") + ".zone")
            with open(fname, "w") as f:
                f.write(text)
            auth.append(f"auth-zone:\n  name: \"{origin}\"\n  zonefile: \"{fname}\"\n"
                        "  for-downstream: yes\n  for-upstream: no\n"
                        "  fallback-enabled: no\n")
        with open(self.conf, "w") as f:
            f.write(f"""# written by tests/integration/test_doh.py
server:
  interface: {addr}@{port}
  https-port: {port}
  http-endpoint: "{endpoint}"
  tls-service-key: "{pki.key}"
  tls-service-pem: "{pki.cert}"
  do-ip6: no
  do-udp: no
  username: ""
  chroot: ""
  directory: "{workdir}"
  pidfile: "{workdir}/unbound.pid"
  logfile: "{self.log}"
  use-syslog: no
  verbosity: 1
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "test." nodefault
  extended-statistics: yes
remote-control:
  control-enable: yes
  control-interface: "{workdir}/control.sock"
  control-use-cert: no
""" + "".join(auth))
        chk = subprocess.run(["unbound-checkconf", self.conf], capture_output=True, text=True)
        if chk.returncode != 0:
            raise RuntimeError(f"unbound-checkconf failed:\n{chk.stdout}{chk.stderr}")

    def start(self):
        with open(self.log + ".stderr", "w") as err:
            self.proc = subprocess.Popen(["unbound", "-d", "-c", self.conf],
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"unbound exited with {self.proc.returncode}")
            try:
                socket.create_connection(self.server, timeout=0.3).close()
                self.stats()
                return self
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self):
        stop_process(self.proc)

    def stats(self):
        return control_stats(["unbound-control", "-c", self.conf, "stats_noreset"], float)

    def counts(self):
        """Queries so far: all of them, and those that came over HTTPS."""
        s = self.stats()
        return {"all": int(s.get("total.num.queries", 0)),
                "https": int(s.get("num.query.https", 0))}


@pytest.fixture(scope="module")
def doh_addr():
    return next_ip("nsd")


@pytest.fixture(scope="module")
def pki(tmp_path_factory, doh_addr):
    return Pki(str(tmp_path_factory.mktemp("pki")), doh_addr)


@pytest.fixture(scope="module")
def unbound(tmp_path_factory, doh_addr, pki):
    u = DohUnbound(str(tmp_path_factory.mktemp("doh-unbound")), doh_addr,
                   free_port(doh_addr), pki)
    u.start()
    yield u
    u.stop()


# --- a scripted HTTP/2 server ------------------------------------------------------------


class ScriptedDoh(ScriptedTls):
    """A DNS-over-HTTPS server in threads (h2 over ssl), for misbehaviour Unbound does
    not produce.

    behaviour:
      "honest"            200, application/dns-message, the reply
      "status:N"          answers every query with HTTP status N (a short text body)
      "content-type:T"    the reply, but labelled T
      "too-large"         200 with content-length 70000 (more than any DNS message)
      "empty"             200 with no body
      "reverse"           waits for two queries, answers the later one first
      "goaway-after:N"    answers N queries, then GOAWAY refusing the rest
      "wrong-question"    answers another question than asked
    alpn: the protocols offered ("h2" normally).
    """

    def __init__(self, addr, pki, behaviour="honest", alpn=("h2",)):
        super().__init__(pki, behaviour)
        self.paths = []
        self.headers = []
        self._lock = threading.Lock()
        if alpn:
            self.ctx.set_alpn_protocols(list(alpn))
        self.listen(addr)

    def _respond(self, conn, sock, sid, body):
        b = self.behaviour
        q = dns.message.from_wire(body)
        with self._lock:
            self.queries += 1
        if b.startswith("status:"):
            text = b"no DNS here\n"
            conn.send_headers(sid, [(":status", b.split(":", 1)[1]),
                                    ("content-type", "text/plain"),
                                    ("content-length", str(len(text)))])
            conn.send_data(sid, text, end_stream=True)
            return
        r = _reply(q)
        if b == "wrong-question":
            r = _reply(dns.message.make_query("other.example.test.", "A"))
            r.id = q.id
        wire = r.to_wire()
        ctype = b.split(":", 1)[1] if b.startswith("content-type:") else "application/dns-message"
        if b == "too-large":
            conn.send_headers(sid, [(":status", "200"), ("content-type", ctype),
                                    ("content-length", "70000")])
            conn.send_data(sid, wire)
            return
        if b == "empty":
            conn.send_headers(sid, [(":status", "200"), ("content-type", ctype),
                                    ("content-length", "0")], end_stream=True)
            return
        conn.send_headers(sid, [(":status", "200"), ("content-type", ctype),
                                ("content-length", str(len(wire)))])
        conn.send_data(sid, wire, end_stream=True)

    def _serve(self, raw, number):
        try:
            raw.settimeout(10)
            sock = self.ctx.wrap_socket(raw, server_side=True)
            self._conns.append(sock)
            conn = h2.connection.H2Connection(h2.config.H2Configuration(
                client_side=False, header_encoding="utf-8"))
            conn.initiate_connection()
            conn.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 100})
            sock.sendall(conn.data_to_send())
            bodies = {}
            pending = []
            answered = 0
            limit = None
            if self.behaviour.startswith("goaway-after:"):
                limit = int(self.behaviour.split(":", 1)[1])
            while not self._stop.is_set():
                data = sock.recv(65536)
                if not data:
                    return
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.RequestReceived):
                        h = dict(ev.headers)
                        self.paths.append(h.get(":path"))
                        self.headers.append(h)
                        bodies[ev.stream_id] = b""
                    elif isinstance(ev, h2.events.DataReceived):
                        bodies[ev.stream_id] += ev.data
                        conn.acknowledge_received_data(ev.flow_controlled_length,
                                                       ev.stream_id)
                    elif isinstance(ev, h2.events.StreamEnded):
                        pending.append(ev.stream_id)
                if self.behaviour == "reverse" and len(pending) >= 2:
                    pending.reverse()
                elif self.behaviour == "reverse" and pending:
                    sock.sendall(conn.data_to_send())
                    continue
                for sid in pending:
                    if limit is not None and answered == limit:
                        conn.close_connection(last_stream_id=sid - 2 if sid > 1 else 0)
                        sock.sendall(conn.data_to_send())
                        time.sleep(0.5)
                        sock.close()
                        return
                    self._respond(conn, sock, sid, bodies.pop(sid))
                    answered += 1
                pending = []
                sock.sendall(conn.data_to_send())
        except (OSError, ssl.SSLError, h2.exceptions.ProtocolError,
                dns.exception.DNSException):
            pass


@pytest.fixture
def scripted_doh(pki):
    yield from scripted_servers(ScriptedDoh, pki)


# --- helpers ------------------------------------------------------------------------------


def doh_upstream(server, path=PATH, name=NAME, pins=()):
    """https://NAME:PORT/PATH@ADDR, or https://ADDR:PORT/PATH when name is None."""
    addr, port = server
    text = f"https://{name}:{port}{path}@{addr}" if name else f"https://{addr}:{port}{path}"
    for p in pins:
        text += f"^{p}"
    return text


def assert_servfail(r):
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert 22 in ede_codes(r), r


def assert_refused(hf, before, server, why):
    """SERVFAIL with EDE 22, a log line naming the problem, and no query anywhere."""
    assert_servfail(hf.ask(WWW, "A", timeout=TIMEOUT))
    log = hf.stderr()
    assert "TLS authentication failed" in log and why in log, log
    assert "no fallback to plain DNS" in log
    assert server.counts() == before, "a query reached the server"


def wait_log(hf, text, timeout=5.0):
    deadline = time.monotonic() + timeout
    while text not in hf.stderr():
        assert time.monotonic() < deadline, hf.stderr()
        time.sleep(0.05)


# --- answers ------------------------------------------------------------------------------------


def test_answers_over_https_and_never_in_clear(holdfast_factory, unbound, pki):
    before = unbound.counts()
    hf = start(holdfast_factory, doh_upstream(unbound.server), pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))
    r = hf.ask(WWW, "AAAA", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r, WWW, "AAAA")) == zones.texts(WWW, "AAAA")
    r = hf.ask("nowhere.example.test.", "A", timeout=TIMEOUT)
    assert r.rcode() == dns.rcode.NXDOMAIN
    # A big answer that is truncated over UDP comes whole over HTTP/2.
    big = hf.ask("big.example.test.", "A", tcp=True, timeout=TIMEOUT)
    assert len(answer_rrset(big, "big.example.test.", "A")) == zones.BIG_COUNT
    after = unbound.counts()
    assert after["https"] - before["https"] == 4
    assert after["all"] - before["all"] == 4
    log = hf.stderr()
    assert f"forwarding . to https://{NAME}:" in log
    assert log.count("TLS connection up") == 1, "the connection was not reused"
    assert "HTTP/2)" in log


def test_address_host_with_name_and_without(holdfast_factory, unbound, pki):
    addr, port = unbound.server
    hf = start(holdfast_factory, f"https://{addr}:{port}{PATH}#{NAME}", pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))
    # No name: the certificate must carry the address (it does).
    hf = start(holdfast_factory, doh_upstream(unbound.server, name=None), pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))


def test_requests_are_rfc8484_posts(holdfast_factory, pki, scripted_doh):
    s = scripted_doh()
    hf = start(holdfast_factory, doh_upstream(s.server, path="/q?x=1"), pki.ca)
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r, WWW, "A")) == {"192.0.2.1"}
    h = s.headers[0]
    assert h[":method"] == "POST"
    assert h[":scheme"] == "https"
    assert h[":authority"] == f"{NAME}:{s.server[1]}"
    assert h[":path"] == "/q?x=1"
    assert h["content-type"] == "application/dns-message"
    assert h["accept"] == "application/dns-message"


def test_concurrent_queries_share_one_connection(holdfast_factory, unbound, pki, relay):
    r = relay(unbound.server)
    before = unbound.counts()
    hf = start(holdfast_factory, doh_upstream(r.server), pki.ca)
    names = [f"name{i}.example.test." for i in range(20)] + \
            [f"c{i}.wild.example.test." for i in range(60)]
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        answers = list(pool.map(lambda n: hf.ask(n, "A", timeout=TIMEOUT), names))
    for n, a in zip(names, answers):
        want = zones.texts("*.wild.example.test." if ".wild." in n else n, "A")
        assert rdata_set(answer_rrset(a, n, "A")) == want, n
    assert r.accepted == 1
    after = unbound.counts()
    assert after["https"] - before["https"] == len(names)
    assert after["all"] - before["all"] == len(names)


def test_replies_in_another_order_reach_their_queries(holdfast_factory, pki, scripted_doh):
    s = scripted_doh("reverse")
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    check_replies_in_another_order(hf, s, TIMEOUT)


def test_reply_to_another_question_is_not_used(holdfast_factory, pki, scripted_doh):
    s = scripted_doh("wrong-question")
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert not r.answer


# --- authentication -----------------------------------------------------------------------


def test_wrong_name_is_refused(holdfast_factory, unbound, pki):
    before = unbound.counts()
    hf = start(holdfast_factory, doh_upstream(unbound.server, name="wrong.test"), pki.ca)
    assert_refused(hf, before, unbound, "hostname mismatch")


def test_certificate_from_an_untrusted_ca_is_refused(holdfast_factory, unbound, pki):
    before = unbound.counts()
    hf = start(holdfast_factory, doh_upstream(unbound.server), pki.other_ca)
    assert_refused(hf, before, unbound, "unable to get local issuer certificate")


def test_pins(holdfast_factory, unbound, pki):
    hf = start(holdfast_factory, doh_upstream(unbound.server, pins=[pki.other_pin, pki.pin]),
               pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))
    # A pin alone authenticates, with no trusted chain and no name.
    hf = start(holdfast_factory, doh_upstream(unbound.server, name=None, pins=[pki.pin]), None)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))


def test_pin_that_does_not_match_is_refused(holdfast_factory, unbound, pki):
    before = unbound.counts()
    hf = start(holdfast_factory, doh_upstream(unbound.server, pins=[pki.other_pin]), pki.ca)
    assert_refused(hf, before, unbound, f"no pin matches the server's key (its pin is {pki.pin})")


def test_server_without_http2_is_refused(holdfast_factory, pki, scripted_doh):
    s = scripted_doh(alpn=("http/1.1",))
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    assert_servfail(hf.ask(WWW, "A", timeout=TIMEOUT))
    assert "did not agree to HTTP/2 (ALPN h2)" in hf.stderr()
    assert s.queries == 0


# --- HTTP answers that are no DNS answers ---------------------------------------------------


def test_wrong_endpoint_404_is_a_failure(holdfast_factory, unbound, pki):
    before = unbound.counts()
    hf = start(holdfast_factory, doh_upstream(unbound.server, path="/nothing-here"), pki.ca)
    assert_servfail(hf.ask(WWW, "A", timeout=TIMEOUT))
    assert "HTTP status 404" in hf.stderr()
    assert unbound.counts()["all"] == before["all"]


@pytest.mark.parametrize("behaviour,why", [
    ("status:503", "HTTP status 503 (a DNS answer has 200)"),
    ("status:302", "HTTP status 302"),
    ("content-type:text/html", "content-type is not application/dns-message"),
    ("too-large", "larger than 65535 octets; refused"),
    ("empty", "HTTP response without a body"),
])
def test_http_answers_without_dns_are_failures(holdfast_factory, pki, scripted_doh,
                                               behaviour, why):
    s = scripted_doh(behaviour)
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    assert_servfail(hf.ask(WWW, "A", timeout=TIMEOUT))
    log = hf.stderr()
    assert why in log, log
    assert "no fallback to plain DNS" in log
    assert s.queries >= 1
    assert s.connections == 1, "an HTTP error is no reason to reconnect"


def test_content_type_parameters_and_case_are_fine(holdfast_factory, pki, scripted_doh):
    s = scripted_doh("content-type:Application/DNS-Message; charset=binary")
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    assert rdata_set(answer_rrset(hf.ask(WWW, "A", timeout=TIMEOUT), WWW, "A")) == {"192.0.2.1"}


def test_a_failing_server_gives_way_to_the_next(holdfast_factory, unbound, pki, scripted_doh):
    broken = scripted_doh("status:500")
    zone = {"zone": ".", "tls-ca": pki.ca,
            "upstreams": [doh_upstream(broken.server), doh_upstream(unbound.server)]}
    hf = holdfast_factory([], forward=[zone])
    for i in range(4):
        n = f"n{i}.wild.example.test."
        assert rdata_set(answer_rrset(hf.ask(n, "A", timeout=TIMEOUT), n, "A")) == \
            zones.texts("*.wild.example.test.", "A")
    assert broken.queries >= 1
    assert "HTTP status 500" in hf.stderr()


def test_plain_dns_server_at_an_https_address_gets_nothing_in_clear(holdfast_factory,
                                                                    bad_upstream):
    plain = bad_upstream("honest")
    hf = start(holdfast_factory, doh_upstream(plain.server), None)
    assert_servfail(hf.ask(WWW, "A", timeout=TIMEOUT))
    assert plain.queries == [], "a query went out in clear"
    assert not [t for t, _ in plain.received if t == "udp"]


# --- connections --------------------------------------------------------------------------


def test_server_closing_the_connection_is_reconnected(holdfast_factory, unbound, pki, relay):
    r = relay(unbound.server)
    hf = start(holdfast_factory, doh_upstream(r.server), pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))
    assert r.accepted == 1
    r.cut()
    wait_log(hf, "the server closed the TLS connection")
    r2 = hf.ask("name1.example.test.", "A", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r2, "name1.example.test.", "A")) == \
        zones.texts("name1.example.test.", "A")
    assert r.accepted == 2
    assert "session resumed, HTTP/2)" in hf.stderr()


def test_goaway_sends_the_rest_to_a_fresh_connection(holdfast_factory, pki, scripted_doh):
    s = scripted_doh("goaway-after:2")
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    names = [f"g{i}.example.test." for i in range(6)]
    for n in names[:2]:
        assert rdata_set(answer_rrset(hf.ask(n, "A", timeout=TIMEOUT), n, "A")) == \
            {"192.0.2.1"}
    # The third query meets the GOAWAY: it goes again on a new connection.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: hf.ask(n, "A", timeout=TIMEOUT), names[2:]))
    for n, a in zip(names[2:], answers):
        assert rdata_set(answer_rrset(a, n, "A")) == {"192.0.2.1"}, n
    assert s.connections >= 2
    assert "the server sent GOAWAY" in hf.stderr()


def test_idle_connection_is_closed_politely(holdfast_factory, pki, scripted_doh):
    s = scripted_doh()
    hf = start(holdfast_factory, doh_upstream(s.server), pki.ca)
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r, WWW, "A")) == {"192.0.2.1"}
    wait_log(hf, "TLS connection idle; closing", timeout=15)
    r = hf.ask("again.example.test.", "A", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r, "again.example.test.", "A")) == {"192.0.2.1"}
    assert s.connections == 2
