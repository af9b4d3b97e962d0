# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the test world (world.py): the world itself, once per session,
and resolvers run inside it (a stock unbound as the positive control, and
holdfast).

Needs root (network namespaces), nsd, gcc, iproute2, unbound, dnspython.
Leftovers of a crashed earlier run (namespaces hfw-*, no live owner) are
removed when the world comes up; the world is removed at the end of the
session whatever happened.

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest -p no:cacheprovider tests/world
"""

import os
import signal
import socket
import subprocess
import time

import pytest

import dns.edns
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from . import world as W

UNBOUND_ADDR = "127.0.0.1"   # inside res
HOLDFAST_ADDR = "127.0.0.2"  # inside res


# --- failure reports carry the daemons' logs -------------------------------


def attach(request, title, path):
    logs = getattr(request.node, "_hfw_logs", None)
    if logs is None:
        logs = request.node._hfw_logs = []
    logs.append((title, path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for title, path in getattr(item, "_hfw_logs", []):
            try:
                with open(path, errors="replace") as f:
                    text = f.read()
            except OSError as e:
                text = f"(cannot read {path}: {e})"
            if not text.strip():
                continue
            if len(text) > 20000:
                text = "...\n" + text[-20000:]
            rep.sections.append((title, text))


# The hold-fast scenarios' tables (test_holdfast_scenarios.py), repeated at the end.
SCENARIO_TABLES = []


def pytest_terminal_summary(terminalreporter):
    if SCENARIO_TABLES:
        terminalreporter.section("hold-fast scenarios")
        for table in SCENARIO_TABLES:
            terminalreporter.write_line(table)
            terminalreporter.write_line("")


# --- the world -------------------------------------------------------------


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.fail("the test world needs root (it creates network namespaces)", pytrace=False)
    w = W.World(workdir=str(tmp_path_factory.mktemp("world")), delay_ms=20)
    try:
        w.up()
    except W.WorldError as e:
        pytest.fail(f"cannot build the test world: {e}", pytrace=False)
    try:
        yield w
    finally:
        w.down()


@pytest.fixture
def world_logs(world, request):
    """Attaches the world's logs (delay line, servers) to a failing test's report."""
    for title, path in world.logs.items():
        attach(request, title, path)
    return world


# --- answers, as the table in zones.py writes them -------------------------


def answer_set(msg):
    return frozenset(f"{rrset.name.to_text().lower()} {dns.rdatatype.to_text(rrset.rdtype)} "
                     f"{rd.to_text()}" for rrset in msg.answer for rd in rrset)


def ede_codes(msg):
    return [o.code for o in msg.options if o.otype == dns.edns.EDE]


def ede_text(msg):
    return "; ".join(f"{o.code} {o.text or ''}".strip() for o in msg.options
                     if o.otype == dns.edns.EDE) or "none"


def check_case(msg, case, *, want_ede):
    """The problems with one resolver answer against the table ([] = right)."""
    bad = []
    rcode = dns.rcode.to_text(msg.rcode())
    if rcode != case.rcode:
        bad.append(f"rcode {rcode}, want {case.rcode}")
    if case.answer is not None and answer_set(msg) != case.answer:
        bad.append(f"answer {sorted(answer_set(msg))}, want {sorted(case.answer)}")
    if want_ede and case.ede is not None and case.ede not in ede_codes(msg):
        bad.append(f"EDE {ede_text(msg)}, want {case.ede}")
    return bad


def resolve(world, addr, case, timeout=20.0):
    return world.query("res", addr, case.qname, case.qtype, rd=True, timeout=timeout)


# --- resolvers in res -------------------------------------------------------


def _wait_ready(world, proc, probe, timeout, what, log):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} while starting:\n"
                               f"{_read(log)}")
        try:
            if world.in_ns("res", probe) is not None:
                return
        except Exception as e:  # noqa: BLE001 - not yet
            last = e
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready after {timeout}s ({last!r}):\n{_read(log)}")


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-5000:]
    except OSError:
        return ""


def unbound_process(world, d, addr, *, trust_anchor=None, title="unbound"):
    """Starts a stock unbound in res on addr (config and log in d), iterating from the
    private root; validating from trust_anchor (a file) when given, else iterator only.
    Returns the Popen (attributes log, conf) once it answers; world.stop() ends it."""
    conf = os.path.join(d, "unbound.conf")
    if trust_anchor:
        modules = f"""module-config: "validator iterator"
  trust-anchor-file: "{trust_anchor}"
  val-log-level: 2"""
    else:
        modules = 'module-config: "iterator"'
    with open(conf, "w") as f:
        f.write(f"""# the positive control: written by tests/world/conftest.py
server:
  interface: {addr}@53
  do-ip6: no
  do-not-query-localhost: yes
  username: ""
  chroot: ""
  directory: "{d}"
  pidfile: "{d}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  num-threads: 1
  root-hints: "{world.root_hints_path}"
  {modules}
  qname-minimisation: yes
  access-control: 127.0.0.0/8 allow
  ede: yes
  # Answer the client when resolution ends (the default drops it after 1.9 s), and
  # give up on a dead server after a few seconds rather than two minutes.
  discard-timeout: 0
  infra-cache-max-rtt: 2000
remote-control:
  control-enable: no
""")
    subprocess.run(["unbound-checkconf", conf], check=True, capture_output=True, timeout=20)
    log = os.path.join(d, "unbound.log")
    with open(log, "wb") as out:
        p = world.popen("res", ["unbound", "-d", "-c", conf], title=title,
                        stdout=out, stderr=subprocess.STDOUT)

    def probe():  # answered from unbound's built-in localhost zone
        return dns.query.udp(dns.message.make_query("localhost.", "A"), addr, timeout=0.3)

    try:
        _wait_ready(world, p, probe, 10.0, title, log)
    except Exception:
        world.stop(p)
        raise
    p.log, p.conf = log, conf
    return p


@pytest.fixture(scope="module")
def unbound(world, tmp_path_factory):
    """A stock unbound in res, iterating from the private root without validation."""
    p = unbound_process(world, str(tmp_path_factory.mktemp("unbound")), UNBOUND_ADDR)
    yield p
    world.stop(p)


@pytest.fixture(scope="session")
def holdfast_bin():
    path = os.environ.get("HOLDFAST")
    if not path:
        pytest.fail("HOLDFAST is not set: run with HOLDFAST=build/default/holdfast",
                    pytrace=False)
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        pytest.fail(f"HOLDFAST={path} is not an executable file", pytrace=False)
    return path


def holdfast_config(d, world, addr=HOLDFAST_ADDR, trust_anchors=(), control_http=""):
    """Recursion from the private root: no forward key, the world's hints, the given
    trust anchor files (none: no validation); control_http: ADDR@PORT of the web page
    and API ("": none)."""
    anchors = ", ".join(f'"{a}"' for a in trust_anchors)
    return f"""# written by tests/world/conftest.py
listen: ["{addr}@53"]
workers: 1
root-hints: "{world.root_hints_path}"
trust-anchors: [{anchors}]
resolver:
  qname-minimisation: true
cache: {{ path: "", size: 16M }}
access: {{ allow: [127.0.0.0/8] }}
control: {{ socket: "{d}/control.sock", http: "{control_http}" }}
events: {{ file: "{d}/events.jsonl" }}
log: {{ level: debug }}
"""


def holdfast_process(world, holdfast_bin, d, config_text, addr, title="holdfast"):
    """Starts holdfast in res (`-c cfg --foreground`, config and log in d) and waits
    until it answers on addr; returns the Popen (attributes log, conf). End it with
    holdfast_stop()."""
    conf = os.path.join(d, "holdfast.yaml")
    with open(conf, "w") as f:
        f.write(config_text)
    log = os.path.join(d, "holdfast.stderr")
    with open(log, "wb") as out:
        p = world.popen("res", [holdfast_bin, "-c", conf, "--foreground"], title=title,
                        stdout=out, stderr=subprocess.STDOUT)

    def probe():  # opcode STATUS: answered (NOTIMP) without asking anyone
        q = dns.message.make_query("probe.invalid.", "A")
        q.flags = (q.flags & ~(0xF << 11)) | (2 << 11)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.settimeout(0.3)
            s.sendto(q.to_wire(), (addr, 53))
            return s.recvfrom(65535)[0]
        finally:
            s.close()

    try:
        _wait_ready(world, p, probe, 10.0, title, log)
    except Exception:
        world.stop(p)
        raise
    p.log, p.conf = log, conf
    return p


def holdfast_stop(world, p):
    """SIGTERM; holdfast must exit with status 0 within 10 s (else the test fails)."""
    was_running = p.poll() is None
    if was_running:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            world.stop(p)
            pytest.fail("holdfast still running 10 s after SIGTERM (killed)", pytrace=False)
    if p.returncode != 0:
        pytest.fail(f"holdfast {'exited' if was_running else 'died'} with status "
                    f"{p.returncode}:\n{_read(p.log)}", pytrace=False)


@pytest.fixture(scope="module")
def holdfast(world, holdfast_bin, tmp_path_factory):
    """holdfast in res, recursing from the private root (`-c cfg --foreground`).
    Stopped with SIGTERM at the end; it must exit with status 0."""
    d = str(tmp_path_factory.mktemp("holdfast"))
    p = holdfast_process(world, holdfast_bin, d, holdfast_config(d, world), HOLDFAST_ADDR)
    yield p
    holdfast_stop(world, p)
