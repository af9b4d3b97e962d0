# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the integration tests: the real holdfast binary, a real NSD,
and a scripted upstream for the misbehaviour NSD cannot produce.

Everything runs on loopback. Each test session picks its own 127.A.0.0/16
(127.0.0.0/8 is all local on Linux), so two runs side by side, or a system
resolver on 127.0.0.1:53, never collide with it. Inside it, one /24 per role:

  127.A.1.1    the session's NSD (zones from zones.py), high port
  127.A.1.2-   extra NSDs a test starts for itself (nsd_factory)
  127.A.2.*    holdfast instances, one address each
  127.A.3.*    scripted upstreams (bad_upstream)
  127.A.4.*    client source addresses a test binds to on purpose (CLIENT_PREFIX)

Only PIDs started here are ever signalled.

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest tests/integration
"""

import itertools
import os
import random
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

import zones

# --- the network plan ------------------------------------------------------

_NET = random.randint(100, 250)
_ROLES = {"nsd": 1, "holdfast": 2, "scripted": 3, "client": 4}
_hosts = {role: itertools.count(2 if role == "nsd" else 1) for role in _ROLES}

# The prefix every client address from client_ip() falls in.
CLIENT_PREFIX = f"127.{_NET}.{_ROLES['client']}.0/24"


def ip(role, host):
    """The address of host number `host` (1..254) in the role's /24."""
    if not 1 <= host <= 254:
        raise RuntimeError(f"out of {role} addresses")
    return f"127.{_NET}.{_ROLES[role]}.{host}"


def next_ip(role):
    return ip(role, next(_hosts[role]))


def free_port(addr):
    """A port free for both UDP and TCP on addr (addr is ours alone)."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind((addr, 0))
            port = u.getsockname()[1]
            try:
                t.bind((addr, port))
            except OSError:
                continue
            return port
        finally:
            u.close()
            t.close()
    raise RuntimeError(f"no free port on {addr}")


def hostport(addr, port):
    return f"{addr}@{port}"


# --- DNS client helpers ----------------------------------------------------


def make_query(qname, rdtype="A", *, edns=0, payload=1232, rd=True, want_dnssec=False):
    q = dns.message.make_query(qname, rdtype, use_edns=edns, payload=payload,
                               want_dnssec=want_dnssec)
    if not rd:
        q.flags &= ~dns.flags.RD
    return q


def ask(server, qname, rdtype="A", *, tcp=False, source=None, timeout=5.0, **kw):
    """One query to server (addr, port); returns the dns.message.Message."""
    q = make_query(qname, rdtype, **kw)
    addr, port = server
    if tcp:
        return dns.query.tcp(q, addr, port=port, source=source, timeout=timeout)
    return dns.query.udp(q, addr, port=port, source=source, timeout=timeout,
                         ignore_unexpected=True)


def raw_udp(server, wire, *, source=None, timeout=3.0):
    """Sends raw bytes over UDP; returns the raw reply or None on timeout."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if source:
            s.bind((source, 0))
        s.settimeout(timeout)
        s.sendto(wire, server)
        try:
            data, _ = s.recvfrom(65535)
            return data
        except socket.timeout:
            return None
    finally:
        s.close()


def tcp_read_msg(sock):
    """Reads one length-prefixed DNS message from a TCP socket (bytes)."""
    def recv_exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise EOFError(f"connection closed after {len(buf)} of {n} octets")
            buf += chunk
        return buf
    (n,) = struct.unpack("!H", recv_exact(2))
    return recv_exact(n)


def header(wire):
    """(id, flags, qd, an, ns, ar) of a raw message."""
    return struct.unpack("!HHHHHH", wire[:12])


def rcode_of(wire):
    return header(wire)[1] & 0xF


def answer_rrset(msg, qname, rdtype):
    return msg.find_rrset(msg.answer, dns.name.from_text(qname), dns.rdataclass.IN,
                          dns.rdatatype.from_text(rdtype))


def rdata_set(rrset):
    return {rd.to_text() for rd in rrset}


# --- failure reports carry the daemons' logs -------------------------------


def _attach(request, title, path):
    logs = getattr(request.node, "_hf_logs", None)
    if logs is None:
        logs = request.node._hf_logs = []
    logs.append((title, path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for title, path in getattr(item, "_hf_logs", []):
            try:
                with open(path, errors="replace") as f:
                    text = f.read()
            except OSError as e:
                text = f"(cannot read {path}: {e})"
            if len(text) > 20000:
                text = "...\n" + text[-20000:]
            rep.sections.append((title, text))


# --- the holdfast binary ---------------------------------------------------


@pytest.fixture(scope="session")
def holdfast_bin():
    path = os.environ.get("HOLDFAST")
    if not path:
        pytest.fail("HOLDFAST is not set: run with HOLDFAST=build/default/holdfast "
                    "(the Makefile sets it)", pytrace=False)
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        pytest.fail(f"HOLDFAST={path} is not an executable file", pytrace=False)
    return path


# --- NSD -------------------------------------------------------------------


def _wait_answers(server, qname, deadline_s, proc=None, what="server"):
    deadline = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} while starting")
        try:
            return ask(server, qname, "SOA", timeout=0.3)
        except Exception as e:  # noqa: BLE001 - any failure means not yet
            last = e
            time.sleep(0.05)
    raise RuntimeError(f"{what} at {server} did not answer within {deadline_s}s ({last!r})")


def stop_process(proc):
    """A server a test started: SIGTERM, and SIGKILL if it has not gone within 5 s."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def control_stats(argv, convert):
    """The key=value lines a control tool prints (nsd-control, unbound-control stats)."""
    out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:1] + argv[-1:])} failed: {out.stdout}{out.stderr}")
    stats = {}
    for line in out.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            try:
                stats[key] = convert(value)
            except ValueError:
                pass
    return stats


class Nsd:
    """One NSD process in the foreground with a private config and zones."""

    def __init__(self, workdir, addr, port, zone_texts, extra_server_conf=""):
        """extra_server_conf: more `server:` lines (indented two spaces), e.g. for TLS."""
        self.dir = workdir
        self.addr, self.port = addr, port
        self.server = (addr, port)
        self.conf = os.path.join(workdir, "nsd.conf")
        self.log = os.path.join(workdir, "nsd.log")
        self.ctl = os.path.join(workdir, "control.sock")
        self.proc = None
        os.makedirs(workdir, exist_ok=True)
        zone_stanzas = []
        for origin, text in zone_texts.items():
            fname = os.path.join(workdir, origin.rstrip(".") + ".zone")
            with open(fname, "w") as f:
                f.write(text)
            zone_stanzas.append(f"zone:\n  name: \"{origin}\"\n  zonefile: \"{fname}\"\n")
        d = workdir
        with open(self.conf, "w") as f:
            f.write(f"""# written by tests/integration/conftest.py
server:
  ip-address: {addr}@{port}
  do-ip4: yes
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: ""
  pidfile: "{d}/nsd.pid"
  database: ""
  zonelistfile: "{d}/zone.list"
  xfrdfile: "{d}/xfrd.state"
  xfrdir: "{d}"
  logfile: "{self.log}"
  verbosity: 1
  server-count: 1
  hide-version: yes
  refuse-any: no
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
""" + extra_server_conf + f"""remote-control:
  control-enable: yes
  control-interface: "{self.ctl}"
""" + "".join(zone_stanzas))
        chk = subprocess.run(["nsd-checkconf", self.conf], capture_output=True, text=True)
        if chk.returncode != 0:
            raise RuntimeError(f"nsd-checkconf {self.conf} failed:\n{chk.stdout}{chk.stderr}")

    def start(self):
        with open(self.log + ".stderr", "w") as err:
            self.proc = subprocess.Popen(["nsd", "-d", "-c", self.conf],
                                         stdout=subprocess.DEVNULL, stderr=err)
        try:
            _wait_answers(self.server, zones.EXAMPLE, 5.0, self.proc, "nsd")
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        stop_process(self.proc)

    def stats(self):
        """NSD's counters so far (nsd-control stats_noreset), e.g. num.udp, num.tls."""
        stats = control_stats(["nsd-control", "-c", self.conf, "stats_noreset"], int)
        if "num.queries" not in stats:
            raise RuntimeError(f"no num.queries in nsd-control output: {stats}")
        return stats

    def queries(self):
        """How many queries NSD has answered so far (nsd-control stats)."""
        return self.stats()["num.queries"]


@pytest.fixture(scope="session")
def nsd(tmp_path_factory):
    """The session's NSD on 127.A.B.1, serving the zones in zones.py."""
    addr = ip("nsd", 1)
    n = Nsd(str(tmp_path_factory.mktemp("nsd")), addr, free_port(addr), zones.zone_texts())
    n.start()
    yield n
    n.stop()


@pytest.fixture
def nsd_factory(tmp_path, request):
    """Starts a private NSD (same zones) a test may stop, e.g. to prove a cache hit."""
    started = []

    def start():
        addr = next_ip("nsd")
        n = Nsd(str(tmp_path / f"nsd-{len(started)}"), addr, free_port(addr), zones.zone_texts())
        _attach(request, f"nsd log {addr}", n.log)
        started.append(n)
        return n.start()

    yield start
    for n in started:
        n.stop()


# --- holdfast --------------------------------------------------------------


def _yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_yaml(value, indent=0):
    """A small YAML writer: block mappings, block lists of mappings, flow lists of scalars."""
    pad = "  " * indent
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict):
                if v:
                    out.append(f"{pad}{k}:")
                    out.append(to_yaml(v, indent + 1))
                else:
                    out.append(f"{pad}{k}: {{}}")
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                out.append(f"{pad}{k}:")
                for item in v:
                    lines = to_yaml(item, indent + 2).split("\n")
                    lines[0] = "  " * (indent + 1) + "- " + lines[0].lstrip()
                    out.extend(lines)
            elif isinstance(v, list):
                out.append(f"{pad}{k}: [" + ", ".join(_yaml_scalar(x) for x in v) + "]")
            else:
                out.append(f"{pad}{k}: {_yaml_scalar(v)}")
        return "\n".join(out)
    raise TypeError(f"to_yaml wants a dict, got {type(value)}")


def merge(base, over):
    """Deep-merges dict `over` into a copy of `base`; None in `over` deletes a key."""
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


class Holdfast:
    """One holdfast process: `holdfast -c FILE --foreground`, stderr to a file."""

    def __init__(self, binary, workdir, addr, port, config):
        self.bin = binary
        self.dir = workdir
        self.addr, self.port = addr, port
        self.server = (addr, port)
        self.conf = os.path.join(workdir, "holdfast.yaml")
        self.stderr_path = os.path.join(workdir, "holdfast.stderr")
        self.config = config
        self.proc = None
        self.write_config(config)

    def write_config(self, config):
        text = config if isinstance(config, str) else to_yaml(config) + "\n"
        tmp = self.conf + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.conf)
        if not isinstance(config, str):
            self.config = config

    def start(self, ready_timeout=10.0):
        self._err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen([self.bin, "-c", self.conf, "--foreground"],
                                     stdin=subprocess.DEVNULL, stdout=self._err, stderr=self._err)
        try:
            self.wait_ready(ready_timeout)
        except Exception:
            self.kill()
            raise
        return self

    def wait_ready(self, timeout):
        """Ready = accepts TCP and answers a UDP probe (any answer will do).

        The probe is an opcode-STATUS query, which the server must answer
        itself (NOTIMP) without asking an upstream."""
        deadline = time.monotonic() + timeout
        stage = "TCP connect"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"holdfast exited with status {self.proc.returncode} while "
                                   f"starting; stderr:\n{self.stderr()}")
            try:
                if stage == "TCP connect":
                    socket.create_connection(self.server, timeout=0.3).close()
                    stage = "UDP probe"
                q = make_query("probe.invalid.", "A")
                q.flags = (q.flags & ~(0xF << 11)) | (2 << 11)  # opcode STATUS
                if raw_udp(self.server, q.to_wire(), timeout=0.3) is not None:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"holdfast at {self.server} not ready after {timeout}s "
                           f"(stuck at {stage}); stderr:\n{self.stderr()}")

    def ask(self, qname, rdtype="A", **kw):
        return ask(self.server, qname, rdtype, **kw)

    def stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def reload(self, config):
        self.write_config(config)
        self.proc.send_signal(signal.SIGHUP)

    def stop(self, timeout=10.0):
        """SIGTERM, then the exit status (killed and None after timeout)."""
        if self.proc is None:
            return None
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.kill()
                    return None
            return self.proc.returncode
        finally:
            self._err.close()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


def base_config(hf_dir, listen, upstreams):
    return {
        "listen": [listen],
        "workers": 1,
        "forward": [{"zone": ".", "upstreams": list(upstreams)}],
        "trust-anchors": [],  # the test zones are unsigned
        # local-zones off: RFC 6761 lets a resolver answer NXDOMAIN for test. itself.
        "resolver": {"allow-loopback-upstreams": True, "local-zones": False},
        "cache": {"path": "", "size": "16M"},
        "access": {"allow": ["127.0.0.0/8"]},
        "control": {"socket": os.path.join(hf_dir, "control.sock"), "http": ""},
        "events": {"file": os.path.join(hf_dir, "events.jsonl")},
        "log": {"level": "debug"},
    }


@pytest.fixture
def holdfast_factory(holdfast_bin, tmp_path, request):
    """start(upstreams=[...], config={overrides}) -> a running Holdfast.

    On teardown each one gets SIGTERM and must exit with status 0 (the issue
    asks for a clean exit on SIGTERM); its stderr is shown when a test fails.
    """
    started = []

    def start(upstreams, config=None, forward=None, start=True):
        addr = next_ip("holdfast")
        port = free_port(addr)
        d = tmp_path / f"holdfast-{addr}"
        d.mkdir()
        cfg = base_config(str(d), hostport(addr, port),
                          [u if isinstance(u, str) else hostport(*u) for u in upstreams])
        if forward is not None:
            cfg["forward"] = forward
        if config:
            cfg = merge(cfg, config)
        hf = Holdfast(holdfast_bin, str(d), addr, port, cfg)
        _attach(request, f"holdfast stderr ({addr}@{port})", hf.stderr_path)
        _attach(request, "holdfast config", hf.conf)
        started.append(hf)
        return hf.start() if start else hf

    yield start
    bad = []
    for hf in started:
        if hf.proc is None:
            continue
        was_running = hf.running()
        rc = hf.stop()
        if was_running and rc != 0:
            bad.append(f"holdfast {hf.server} exited with status {rc} after SIGTERM "
                       f"(None = still running after 10 s, killed)")
        elif not was_running and rc != 0:
            bad.append(f"holdfast {hf.server} died during the test with status {rc}")
    if bad:
        pytest.fail("; ".join(bad), pytrace=False)


@pytest.fixture
def resolver(holdfast_factory, nsd):
    """A holdfast forwarding everything to the session's NSD."""
    return holdfast_factory([nsd.server])


# --- a scripted upstream for what NSD will not do --------------------------

FORGED_A = "203.0.113.66"


class ScriptedUpstream:
    """A UDP and TCP DNS server in threads, answering from a tiny table and
    misbehaving on purpose.

    behaviour:
      "honest"         answer from `records` (NXDOMAIN otherwise)
      "dead"           read queries, never answer (TCP: accept, never answer)
      "malformed:KIND" answer only with broken bytes (see malformed_reply)
      "spoof-port"     first a forged answer (FORGED_A) from another port, then the real one
      "wrong-id"       first a forged answer with the wrong ID, then the real one
      "wrong-question" first a forged answer for another name, then the real one
      "wrong-case"     first a forged answer with the question in other case, then the real one
      "slow"           answer honestly after `delay` seconds
      "inject"         over UDP only a forged answer (FORGED_A, no OPT, as on-path
                       injectors send); over TCP the real one
    """

    def __init__(self, addr, behaviour="honest", records=None, delay=0.2):
        self.addr = addr
        self.behaviour = behaviour
        self.delay = delay
        self.records = records if records is not None else {
            ("www.example.test.", "A"): ["192.0.2.1", "192.0.2.2"],
        }
        self.queries = []       # (transport, dns.message.Message) that parsed
        self.received = []      # (transport, peer) of every datagram or TCP message
        self.forged_sent = 0
        self._stop = threading.Event()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((addr, 0))
        self.port = self.udp.getsockname()[1]
        self.server = (addr, self.port)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((addr, self.port))
        self.tcp.listen(16)
        self.spoofer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.spoofer.bind((addr, 0))
        self._threads = [threading.Thread(target=self._udp_loop, daemon=True),
                         threading.Thread(target=self._tcp_loop, daemon=True)]
        self._conns = []
        for t in self._threads:
            t.start()

    # -- answers --

    def honest_reply(self, q):
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        qq = q.question[0]
        key = (qq.name.to_text().lower(), dns.rdatatype.to_text(qq.rdtype))
        if key in self.records:
            r.answer.append(dns.rrset.from_text_list(qq.name, 300, "IN", key[1],
                                                     self.records[key]))
        elif not any(k[0] == key[0] for k in self.records):
            r.set_rcode(dns.rcode.NXDOMAIN)
        return r

    def forged_reply(self, q, *, qname=None):
        r = dns.message.make_response(q)
        qq = q.question[0]
        if qname is not None:
            r.question = [dns.rrset.RRset(dns.name.from_text(qname), qq.rdclass, qq.rdtype)]
        name = r.question[0].name
        r.answer.append(dns.rrset.from_text(name, 300, "IN", "A", FORGED_A))
        return r

    @staticmethod
    def malformed_reply(kind, qwire):
        """Broken replies that keep the query's ID, so only parsing can reject them."""
        qid = qwire[:2]
        # The question section as sent: QNAME (uncompressed in a query) + type + class.
        i = 12
        while i < len(qwire) and qwire[i] != 0:
            i += 1 + qwire[i]
        question = qwire[12:i + 5]
        flags = struct.pack("!H", 0x8180)
        if kind == "garbage":
            return qid + bytes(random.getrandbits(8) for _ in range(60))
        if kind == "short":
            return qid + b"\x81"
        if kind == "count-lies":   # promises 3 answers, carries none
            return qid + flags + struct.pack("!HHHH", 1, 3, 0, 0) + question
        if kind == "pointer-loop":  # answer owner is a pointer to itself
            off = 12 + len(question)
            ptr = struct.pack("!H", 0xC000 | off)
            return (qid + flags + struct.pack("!HHHH", 1, 1, 0, 0) + question + ptr
                    + struct.pack("!HHIH", 1, 1, 300, 4) + b"\xc0\x00\x02\x01")
        if kind == "bad-rdlength":  # A record whose RDLENGTH runs past the end
            return (qid + flags + struct.pack("!HHHH", 1, 1, 0, 0) + question
                    + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 40) + b"\xc0\x00")
        if kind == "bad-a-length":  # A record with 3 octets of RDATA
            return (qid + flags + struct.pack("!HHHH", 1, 1, 0, 0) + question
                    + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 3) + b"\xc0\x00\x02")
        raise ValueError(kind)

    def _plan(self, wire, transport):
        """What to send for one query: ("send"|"forge"|"spoof", bytes), ("sleep", s)."""
        b = self.behaviour
        if b == "dead":
            return []
        if b.startswith("malformed:"):
            return [("send", self.malformed_reply(b.split(":", 1)[1], wire))]
        try:
            q = dns.message.from_wire(wire)
        except Exception:  # noqa: BLE001
            return []
        self.queries.append((transport, q))
        real = ("send", self.honest_reply(q).to_wire())
        if b == "honest":
            return [real]
        if b == "slow":
            return [("sleep", self.delay), real]
        if transport == "tcp":  # forgeries are a UDP matter
            return [real]
        if b == "inject":
            f = self.forged_reply(q)
            f.use_edns(False)
            return [("send", f.to_wire())]
        if b == "spoof-port":
            forged = ("spoof", self.forged_reply(q).to_wire())
        elif b == "wrong-id":
            f = self.forged_reply(q)
            f.id = (q.id + 1 + random.randrange(0xFFFE)) & 0xFFFF
            forged = ("forge", f.to_wire())
        elif b == "wrong-question":
            forged = ("forge", self.forged_reply(q, qname="other.example.test.").to_wire())
        elif b == "wrong-case":
            name = q.question[0].name.to_text()
            flipped = "".join(c.lower() if c.isupper() else c.upper() for c in name)
            forged = ("forge", self.forged_reply(q, qname=flipped).to_wire())
        else:
            raise ValueError(b)
        return [forged, ("sleep", self.delay), real]

    # -- transports --

    def _udp_loop(self):
        self.udp.settimeout(0.2)
        while not self._stop.is_set():
            try:
                wire, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            self.received.append(("udp", peer))
            threading.Thread(target=self._udp_serve, args=(wire, peer), daemon=True).start()

    def _udp_serve(self, wire, peer):
        for action, arg in self._plan(wire, "udp"):
            if self._stop.is_set():
                return
            try:
                if action == "sleep":
                    time.sleep(arg)
                elif action == "spoof":  # right ID and question, wrong source port
                    self.spoofer.sendto(arg, peer)
                    self.forged_sent += 1
                elif action == "forge":  # right source, something else wrong
                    self.udp.sendto(arg, peer)
                    self.forged_sent += 1
                else:
                    self.udp.sendto(arg, peer)
            except OSError:
                return

    def _tcp_loop(self):
        self.tcp.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._tcp_serve, args=(conn,), daemon=True).start()

    def _tcp_serve(self, conn):
        conn.settimeout(0.5)
        while not self._stop.is_set():
            try:
                wire = tcp_read_msg(conn)
            except socket.timeout:
                continue
            except (EOFError, OSError):
                break
            self.received.append(("tcp", conn.getpeername()))
            for action, arg in self._plan(wire, "tcp"):
                try:
                    if action == "sleep":
                        time.sleep(arg)
                    else:
                        conn.sendall(struct.pack("!H", len(arg)) + arg)
                except OSError:
                    break
        try:
            conn.close()
        except OSError:
            pass

    @property
    def client_ports(self):
        """Source ports of the UDP queries received."""
        return [peer[1] for t, peer in self.received if t == "udp"]

    def close(self):
        self._stop.set()
        for s in [self.udp, self.tcp, self.spoofer] + self._conns:
            try:
                s.close()
            except OSError:
                pass


@pytest.fixture
def bad_upstream():
    """bad_upstream(behaviour, **kw) -> a ScriptedUpstream on its own loopback address."""
    made = []

    def make(behaviour="honest", **kw):
        u = ScriptedUpstream(next_ip("scripted"), behaviour, **kw)
        made.append(u)
        return u

    yield make
    for u in made:
        u.close()


@pytest.fixture
def client_ip():
    """A fresh loopback source address for a client socket."""
    return lambda: next_ip("client")
