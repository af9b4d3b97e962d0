# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the DNS over TLS and DNS over HTTPS tests: a throwaway PKI made
with the openssl CLI (a CA, another CA nobody trusts, and a server certificate
from the first for NAME and the server's address), and a TCP relay that counts
and cuts connections."""

import concurrent.futures
import os
import socket
import ssl
import subprocess
import threading

import dns.edns
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

import zones
from conftest import answer_rrset, next_ip, rdata_set

NAME = "dns.test"          # the certificate's DNS name
WWW = "www.example.test."  # the name the DoT and DoH tests ask


def _openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{r.stderr}")
    return r.stdout


def _make_ca(d, stem):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{stem}.key", "-out", f"{stem}.pem", "-days", "2",
             "-subj", f"/CN=holdfast test {stem}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    return os.path.join(d, f"{stem}.pem")


def _make_cert(d, stem, ca, san):
    with open(os.path.join(d, f"{stem}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", f"/CN={NAME}", cwd=d)
    _openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-out", f"{stem}.pem", "-days", "2",
             "-extfile", f"{stem}.ext", cwd=d)
    return os.path.join(d, f"{stem}.pem"), os.path.join(d, f"{stem}.key")


def spki_pin(pem):
    """sha256/BASE64 of a certificate's SubjectPublicKeyInfo, as RFC 7858 §4.2 and kdig."""
    pub = subprocess.run(["openssl", "x509", "-in", pem, "-pubkey", "-noout"],
                         capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                         capture_output=True, check=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der,
                            capture_output=True, check=True).stdout
    b64 = subprocess.run(["openssl", "enc", "-base64", "-A"], input=digest,
                         capture_output=True, check=True).stdout
    return "sha256/" + b64.decode().strip()


class Pki:
    def __init__(self, d, server_ip):
        self.dir = d
        self.ca = _make_ca(d, "ca")
        self.other_ca = _make_ca(d, "other-ca")
        self.cert, self.key = _make_cert(d, "server", "ca", f"DNS:{NAME},IP:{server_ip}")
        self.pin = spki_pin(self.cert)
        self.other_pin = spki_pin(self.other_ca)


def listening(addr, backlog):
    """A TCP socket listening on addr (an ephemeral port), accept() waking every 0.2 s so a
    thread can notice it should stop; and its (address, port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((addr, 0))
    sock.listen(backlog)
    sock.settimeout(0.2)
    return sock, (addr, sock.getsockname()[1])


class Relay:
    """A TCP relay (bytes only: TLS stays end to end) that counts connections
    and can cut every open one, as a server closing them would."""

    def __init__(self, addr, target):
        self.target = target
        self.accepted = 0
        self._live = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.sock, self.server = listening(addr, 64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                u = socket.create_connection(self.target, timeout=5)
            except OSError:
                c.close()
                continue
            c.settimeout(None)
            u.settimeout(None)
            with self._lock:
                self.accepted += 1
                self._live.append((c, u))
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        with self._lock:
            live, self._live = self._live, []
        for c, u in live:
            for s in (c, u):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self._stop.set()
        self.sock.close()
        self.cut()


@pytest.fixture
def relay():
    """relay(target) -> a counting TCP Relay in front of target, closed after the test."""
    made = []

    def make(target):
        r = Relay(target[0], target)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def example_reply(q):
    """Every name under example.test. has A 192.0.2.1; others are NXDOMAIN."""
    r = dns.message.make_response(q)
    qq = q.question[0]
    if qq.name.to_text().lower().endswith("example.test."):
        if qq.rdtype == dns.rdatatype.A:
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "A", "192.0.2.1"))
    else:
        r.set_rcode(dns.rcode.NXDOMAIN)
    return r


def start(holdfast_factory, upstream, ca):
    """holdfast forwarding everything to one encrypted upstream, trusting ca (None: the
    system's CAs)."""
    zone = {"zone": ".", "upstreams": [upstream]}
    if ca is not None:
        zone["tls-ca"] = ca
    return holdfast_factory([], forward=[zone])


def assert_www(r):
    assert r.rcode() == dns.rcode.NOERROR, r
    assert rdata_set(answer_rrset(r, WWW, "A")) == zones.texts(WWW, "A")


def ede_codes(r):
    return [o.code for o in r.options if o.otype == dns.edns.EDE]


class ScriptedTls:
    """A TLS server on its own address (an ephemeral port) with the session's certificate:
    a subclass sets up self.ctx in its __init__, then calls listen(addr); each connection
    is served by its _serve(raw, number) on a thread of its own. close() ends them all."""

    def __init__(self, pki, behaviour):
        self.behaviour = behaviour
        self.connections = 0
        self.queries = 0
        self._stop = threading.Event()
        self._conns = []
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pki.cert, pki.key)

    def listen(self, addr):
        self.sock, self.server = listening(addr, 16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                raw, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(raw, self.connections),
                             daemon=True).start()

    def close(self):
        self._stop.set()
        self.sock.close()
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass


def scripted_servers(cls, pki):
    """The body of a fixture: make(...) starts a cls server on a fresh address; all are
    closed when the test ends."""
    made = []

    def make(*args, **kw):
        s = cls(next_ip("scripted"), pki, *args, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def check_replies_in_another_order(hf, server, timeout):
    """Eight questions at once to a server answering each pair last first (behaviour
    "reverse"): every answer reaches its own question, over one connection."""
    names = [f"r{i}.example.test." for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        answers = list(pool.map(lambda n: hf.ask(n, "A", timeout=timeout), names))
    for n, a in zip(names, answers):
        assert a.rcode() == dns.rcode.NOERROR
        assert rdata_set(answer_rrset(a, n, "A")) == {"192.0.2.1"}, n
    assert server.connections == 1
