# SPDX-License-Identifier: GPL-3.0-or-later
"""DNS over TLS to forward upstreams (RFC 7858, RFC 8310 strict profile).

A throwaway CA and server certificate are made with the openssl CLI for the
session; a real NSD serves the test zones over TLS on its own address and
port. Its counters (nsd-control stats) tell TLS queries from plain UDP and
TCP ones, so each test checks that nothing went out in clear. A TCP relay in
front of NSD counts the connections holdfast opens and can cut them; a
scripted DoT server (Python's ssl module) does what NSD will not: replies in
another order than asked, replies with an ID nobody asked for, and closing a
connection with a query unanswered.
"""

import concurrent.futures
import socket
import ssl
import struct
import subprocess
import time

import dns.edns
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

import zones
from conftest import (Nsd, answer_rrset, free_port, next_ip, rdata_set, tcp_read_msg)
from tls_helpers import (NAME, WWW, Pki, Relay, ScriptedTls, assert_www,  # noqa: F401
                         check_replies_in_another_order, ede_codes, example_reply as _reply,
                         relay, scripted_servers, start)
TIMEOUT = 20.0             # per client query: failures take a few attempts


# --- the servers -------------------------------------------------------------------


class DotNsd(Nsd):
    """NSD with DNS over TLS on its one address and port (UDP there stays plain DNS,
    which is how the counters tell a query in clear from one over TLS)."""

    def __init__(self, workdir, addr, port, pki):
        super().__init__(workdir, addr, port, zones.zone_texts(), extra_server_conf=(
            f"  tls-port: {port}\n"
            f"  tls-service-key: \"{pki.key}\"\n"
            f"  tls-service-pem: \"{pki.cert}\"\n"))

    def counts(self):
        s = self.stats()
        return {k: s.get(f"num.{k}", 0) for k in ("udp", "tcp", "tls")}


@pytest.fixture(scope="module")
def dot_addr():
    return next_ip("nsd")


@pytest.fixture(scope="module")
def pki(tmp_path_factory, dot_addr):
    return Pki(str(tmp_path_factory.mktemp("pki")), dot_addr)


@pytest.fixture(scope="module")
def dot_nsd(tmp_path_factory, dot_addr, pki):
    n = DotNsd(str(tmp_path_factory.mktemp("dot-nsd")), dot_addr, free_port(dot_addr), pki)
    n.start()
    yield n
    n.stop()


def _frame(msg):
    wire = msg.to_wire()
    return struct.pack("!H", len(wire)) + wire


class ScriptedDot(ScriptedTls):
    """A DNS-over-TLS server in threads, for misbehaviour NSD does not produce.

    behaviour:
      "reverse"     reads queries in pairs and answers each pair last first
      "unknown-id"  before each reply, one with an ID no query carried
      "close-first" the first connection reads one query and closes unanswered
      "one-each"    closes the connection after each reply
    tls12: speak TLS 1.2 at most.
    """

    def __init__(self, addr, pki, behaviour, tls12=False):
        super().__init__(pki, behaviour)
        if tls12:
            self.ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        self.listen(addr)

    def _read(self, conn):
        wire = tcp_read_msg(conn)
        self.queries += 1
        return dns.message.from_wire(wire)

    def _serve(self, raw, number):
        try:
            raw.settimeout(10)
            conn = self.ctx.wrap_socket(raw, server_side=True)
            self._conns.append(conn)
            while not self._stop.is_set():
                q = self._read(conn)
                if self.behaviour == "close-first" and number == 1:
                    conn.close()
                    return
                if self.behaviour == "unknown-id":
                    stray = _reply(q)
                    stray.id = (q.id + 1) & 0xFFFF
                    conn.sendall(_frame(stray))
                    conn.sendall(_frame(_reply(q)))
                elif self.behaviour == "reverse":
                    conn.settimeout(0.3)
                    try:
                        q2 = self._read(conn)
                    except (socket.timeout, ssl.SSLError):
                        q2 = None
                    conn.settimeout(10)
                    if q2 is not None:
                        conn.sendall(_frame(_reply(q2)))
                    conn.sendall(_frame(_reply(q)))
                else:
                    conn.sendall(_frame(_reply(q)))
                if self.behaviour == "one-each":
                    conn.unwrap()
                    conn.close()
                    return
        except (OSError, EOFError, ssl.SSLError, dns.exception.DNSException):
            pass


@pytest.fixture
def scripted_dot(pki):
    yield from scripted_servers(ScriptedDot, pki)


# --- helpers ------------------------------------------------------------------------


def tls_upstream(server, name=NAME, pins=()):
    text = f"tls://{server[0]}@{server[1]}"
    if name:
        text += f"#{name}"
    for p in pins:
        text += f"^{p}"
    return text


def assert_refused(hf, before, nsd, why):
    """SERVFAIL with EDE 22, a log line naming the problem, and nothing sent anywhere:
    no TLS query (the handshake failed first), no plain one."""
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert 22 in ede_codes(r), r
    log = hf.stderr()
    assert "TLS authentication failed" in log and why in log, log
    assert "no fallback to plain DNS" in log
    assert nsd.counts() == before, "a query reached the server"


# --- answers, and nothing in clear ----------------------------------------------------------


def test_answers_over_tls_and_never_in_clear(holdfast_factory, dot_nsd, pki):
    before = dot_nsd.counts()
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server), pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))
    r = hf.ask(WWW, "AAAA", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r, WWW, "AAAA")) == zones.texts(WWW, "AAAA")
    r = hf.ask("nowhere.example.test.", "A", timeout=TIMEOUT)
    assert r.rcode() == dns.rcode.NXDOMAIN
    # A big answer that is truncated over UDP comes whole over the stream.
    big = hf.ask("big.example.test.", "A", tcp=True, timeout=TIMEOUT)
    assert len(answer_rrset(big, "big.example.test.", "A")) == zones.BIG_COUNT
    after = dot_nsd.counts()
    assert after["tls"] - before["tls"] == 4
    assert (after["udp"], after["tcp"]) == (before["udp"], before["tcp"])
    assert "forwarding . to tls://" in hf.stderr()
    assert hf.stderr().count("TLS connection up") == 1, "the connection was not reused"


def test_without_a_name_the_certificate_must_name_the_address(holdfast_factory, dot_nsd, pki):
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server, name=None), pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))


def test_plain_dns_server_at_a_tls_address_gets_nothing_in_clear(holdfast_factory,
                                                                  bad_upstream):
    plain = bad_upstream("honest")
    hf = start(holdfast_factory, tls_upstream(plain.server), None)
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert r.rcode() == dns.rcode.SERVFAIL, r
    assert plain.queries == [], "a query went out in clear"
    assert not [t for t, _ in plain.received if t == "udp"]


# --- authentication --------------------------------------------------------------------------


def test_wrong_name_is_refused(holdfast_factory, dot_nsd, pki):
    before = dot_nsd.counts()
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server, name="wrong.test"), pki.ca)
    assert_refused(hf, before, dot_nsd, "hostname mismatch")


@pytest.mark.parametrize("store", ["other CA", "system store"])
def test_certificate_from_an_untrusted_ca_is_refused(holdfast_factory, dot_nsd, pki, store):
    before = dot_nsd.counts()
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server),
               pki.other_ca if store == "other CA" else None)
    assert_refused(hf, before, dot_nsd, "unable to get local issuer certificate")


def test_matching_pin_is_used(holdfast_factory, dot_nsd, pki):
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server, pins=[pki.other_pin, pki.pin]),
               pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))


def test_pin_alone_authenticates_without_a_trusted_chain(holdfast_factory, dot_nsd, pki):
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server, name=None, pins=[pki.pin]), None)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))


@pytest.mark.parametrize("name", [NAME, None])
def test_pin_that_does_not_match_is_refused(holdfast_factory, dot_nsd, pki, name):
    before = dot_nsd.counts()
    hf = start(holdfast_factory, tls_upstream(dot_nsd.server, name=name, pins=[pki.other_pin]),
               pki.ca)
    assert_refused(hf, before, dot_nsd, f"no pin matches the server's key (its pin is {pki.pin})")


def test_unreadable_ca_file_is_a_config_error(holdfast_bin, tmp_path, dot_nsd):
    conf = tmp_path / "hf.yaml"
    conf.write_text("forward:\n  - zone: .\n"
                    f"    upstreams: [\"{tls_upstream(dot_nsd.server)}\"]\n"
                    f"    tls-ca: {tmp_path}/missing.pem\n")
    r = subprocess.run([holdfast_bin, "--check-config", "-c", str(conf)], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert f"tls-ca {tmp_path}/missing.pem: cannot load CA certificates" in r.stderr


# --- connection reuse -----------------------------------------------------------------------


def test_concurrent_queries_share_one_connection(holdfast_factory, dot_nsd, pki, relay):
    r = relay(dot_nsd.server)
    before = dot_nsd.counts()
    hf = start(holdfast_factory, tls_upstream(r.server), pki.ca)
    names = [f"name{i}.example.test." for i in range(20)] + \
            [f"c{i}.wild.example.test." for i in range(40)]
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        answers = list(pool.map(lambda n: hf.ask(n, "A", timeout=TIMEOUT), names))
    for n, a in zip(names, answers):
        want = zones.texts("*.wild.example.test." if ".wild." in n else n, "A")
        assert rdata_set(answer_rrset(a, n, "A")) == want, n
    assert r.accepted == 1
    after = dot_nsd.counts()
    assert after["tls"] - before["tls"] == len(names)
    assert (after["udp"], after["tcp"]) == (before["udp"], before["tcp"])


def test_server_closing_the_connection_is_reconnected(holdfast_factory, dot_nsd, pki, relay):
    r = relay(dot_nsd.server)
    hf = start(holdfast_factory, tls_upstream(r.server), pki.ca)
    assert_www(hf.ask(WWW, "A", timeout=TIMEOUT))
    assert r.accepted == 1
    r.cut()
    deadline = time.monotonic() + 5
    while "the server closed the TLS connection" not in hf.stderr():
        assert time.monotonic() < deadline, hf.stderr()
        time.sleep(0.05)
    r2 = hf.ask("name1.example.test.", "A", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r2, "name1.example.test.", "A")) == \
        zones.texts("name1.example.test.", "A")
    assert r.accepted == 2
    # The second connection resumed the first one's TLS session.
    assert "TLS connection up (TLSv1.3, session resumed)" in hf.stderr()
    assert "TLS authentication failed" not in hf.stderr()


def test_query_left_unanswered_by_a_closing_server_is_sent_again(holdfast_factory, pki,
                                                                 scripted_dot):
    s = scripted_dot("close-first")
    hf = start(holdfast_factory, tls_upstream(s.server), pki.ca)
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert r.rcode() == dns.rcode.NOERROR
    assert rdata_set(answer_rrset(r, WWW, "A")) == {"192.0.2.1"}
    assert s.connections == 2
    assert "server closed the TLS connection (1 queries waiting)" in hf.stderr()


# --- matching replies to queries ------------------------------------------------------


def test_replies_in_another_order_reach_their_queries(holdfast_factory, pki, scripted_dot):
    s = scripted_dot("reverse")
    hf = start(holdfast_factory, tls_upstream(s.server), pki.ca)
    check_replies_in_another_order(hf, s, TIMEOUT)


def test_reply_with_an_unknown_id_is_dropped(holdfast_factory, pki, scripted_dot):
    s = scripted_dot("unknown-id")
    hf = start(holdfast_factory, tls_upstream(s.server), pki.ca)
    r = hf.ask(WWW, "A", timeout=TIMEOUT)
    assert rdata_set(answer_rrset(r, WWW, "A")) == {"192.0.2.1"}
    assert "matches no query in flight; dropped" in hf.stderr()
    assert s.connections == 1


@pytest.mark.parametrize("tls12", [False, True], ids=["TLSv1.3", "TLSv1.2"])
def test_sessions_are_resumed(holdfast_factory, pki, scripted_dot, tls12):
    s = scripted_dot("one-each", tls12=tls12)
    hf = start(holdfast_factory, tls_upstream(s.server), pki.ca)
    for i in range(3):
        name = f"s{i}.example.test."
        r = hf.ask(name, "A", timeout=TIMEOUT)
        assert rdata_set(answer_rrset(r, name, "A")) == {"192.0.2.1"}
        deadline = time.monotonic() + 5
        while hf.stderr().count("the server closed the TLS connection") <= i:
            assert time.monotonic() < deadline, hf.stderr()
            time.sleep(0.05)
    version = "TLSv1.2" if tls12 else "TLSv1.3"
    assert s.connections == 3
    assert hf.stderr().count(f"TLS connection up ({version}, full handshake)") == 1
    assert hf.stderr().count(f"TLS connection up ({version}, session resumed)") == 2
