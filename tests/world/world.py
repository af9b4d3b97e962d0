# SPDX-License-Identifier: GPL-3.0-or-later
"""The test world: a private network of authoritative servers in Linux network
namespaces (see ../../../shared/TESTWORLD.md and the issue that asked for it).

        [res]  hfw-RUN-res  the resolver under test and the client driver
          | gw0 192.0.2.2/24  ---  res0 192.0.2.1/24
        [gw]   hfw-RUN-gw   border; IP forwarding; delay line (TUN dly0) on the far path
          | frn0 198.51.100.1/25       \\ dom0 198.51.100.129/25
          | gw0  198.51.100.2/25        \\ gw0  198.51.100.130/25
        [frn]  hfw-RUN-frn              [dom]  hfw-RUN-dom
        far servers, 198.18.0.0/16       near servers (cn. and children),
        on frn's loopback:               198.19.0.0/16 on dom's loopback
        root, com/net/org, 2nd level

Nothing routes anywhere else: no namespace has a default route, the host's own
namespace is never touched (the veth pairs are created inside the namespaces).

The delay line: on gw, `ip rule iif res0 lookup 100` and `iif frn0 lookup 100`;
table 100 sends 198.18.0.0/16 and 192.0.2.0/24 to the TUN device dly0, where
delayline.c holds each packet D ms (or drops it with probability P) and writes
it back; the kernel, seeing it arrive on dly0, routes it on by the main table.
So res <-> frn traffic is delayed D each way; res <-> dom is not.

Process rule: the world only ever signals processes it started itself (Popen
objects it holds), or, when cleaning up after a crashed run, the processes
`ip netns pids` finds inside namespaces named hfw-* that no live run owns.
"""

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import dns.flags
import dns.message
import dns.query
import dns.rdatatype

from . import signer, zones

PREFIX = "hfw-"
ROLES = ("res", "gw", "frn", "dom")
STATE_DIR = "/run/hfw"
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"

# Links and addresses (documentation prefixes only).
RES_ADDR, GW_RES_ADDR = "192.0.2.2", "192.0.2.1"
RES_NET = "192.0.2.0/24"
GW_FRN_ADDR, FRN_ADDR = "198.51.100.1", "198.51.100.2"
GW_DOM_ADDR, DOM_ADDR = "198.51.100.129", "198.51.100.130"
LINK_NET = "198.51.100.0/24"
TUN = "dly0"
TABLE = "100"

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


class WorldError(RuntimeError):
    pass


def sh(argv, timeout=20, check=True, **kw):
    """Runs argv, bounded; raises WorldError with its output when it fails."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired as e:
        raise WorldError(f"{' '.join(argv)}: no exit within {timeout}s") from e
    if check and p.returncode != 0:
        raise WorldError(f"{' '.join(argv)} failed with status {p.returncode}:\n"
                         f"{p.stdout}{p.stderr}")
    return p


def _start_time(pid):
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _setns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(fd, _CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns({name}): {os.strerror(e)}")
    finally:
        os.close(fd)


def list_namespaces():
    out = sh(["ip", "netns", "list"]).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def our_runs():
    """{run: [namespace, ...]} for every namespace named like ours."""
    runs = {}
    for name in list_namespaces():
        m = re.fullmatch(rf"{re.escape(PREFIX)}([0-9a-z]+)-(res|gw|frn|dom)", name)
        if m:
            runs.setdefault(m.group(1), []).append(name)
    for fn in os.listdir(STATE_DIR) if os.path.isdir(STATE_DIR) else []:
        if fn.endswith(".json"):
            runs.setdefault(fn[:-5], [])
    return runs


def read_state(run):
    try:
        with open(os.path.join(STATE_DIR, f"{run}.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run_is_live(run):
    """True when a run's owner still lives, or it was started to stay (`up`)."""
    st = read_state(run)
    if st is None:
        return False
    if st.get("persistent"):
        return True
    pid = st.get("owner_pid")
    return pid is not None and _start_time(pid) == st.get("owner_start")


def teardown_run(run, namespaces=None, log=None):
    """Removes a run's namespaces: stops the processes inside them, deletes them."""
    names = namespaces if namespaces is not None else [f"{PREFIX}{run}-{r}" for r in ROLES]
    existing = set(list_namespaces())
    names = [n for n in names if n in existing]
    pids = set()
    for n in names:
        out = sh(["ip", "netns", "pids", n], check=False).stdout
        pids.update(int(p) for p in out.split() if p.isdigit())
    pids.discard(os.getpid())
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        for p in list(pids):
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pids.discard(p)
        deadline = time.monotonic() + wait
        while pids and time.monotonic() < deadline:
            pids = {p for p in pids if _start_time(p) is not None and not _zombie(p)}
            time.sleep(0.05)
    for n in names:
        sh(["ip", "netns", "del", n], check=False)
    st = read_state(run)
    try:
        os.unlink(os.path.join(STATE_DIR, f"{run}.json"))
    except FileNotFoundError:
        pass
    # A workdir World made itself (mkdtemp, hfw-RUN-*) goes too; a caller's stays.
    wd = (st or {}).get("workdir", "")
    if wd and os.path.basename(wd).startswith(f"{PREFIX}{run}-") and os.path.isdir(wd):
        shutil.rmtree(wd, ignore_errors=True)
    if log and names:
        log(f"removed world {run}: {' '.join(names)}")
    return st


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def cleanup_stale(log=None, keep=()):
    """Tears down every hfw-* world whose owner is gone (a crashed run)."""
    removed = []
    for run, names in our_runs().items():
        if run in keep or run_is_live(run):
            continue
        teardown_run(run, names, log)
        removed.append(run)
    return removed


class World:
    """The network, the servers and the delay line of one run.

    w = World(); w.up(); ...; w.down()  (down is safe to call twice and after a
    failed up). Attributes after up(): servers {role: address}, root_hints_path,
    trust_anchor_path (the signed root's DS, made at this run), started (the time
    the zones were made and signed), dnssec (signer.Signer.info), logs
    {title: path}, workdir.
    """

    def __init__(self, workdir=None, run=None, delay_ms=20, loss=0.0, persistent=False,
                 log=None):
        self.run = run or self._new_run_id()
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"hfw-{self.run}-")
        os.makedirs(self.workdir, exist_ok=True)
        self.delay_ms, self.loss = delay_ms, loss
        self.persistent = persistent
        self.log = log or (lambda msg: print(msg, file=sys.stderr))
        self.servers = {role: v[1] for role, v in zones.SERVERS.items()}
        self.root_hints_path = os.path.join(self.workdir, "root.hints")
        # The root's DS, made at this run (zones are signed when the servers start).
        self.trust_anchor_path = os.path.join(self.workdir, "root.anchor")
        self.started = None      # time.time() the zones were made and signed at
        self.dnssec = {}         # signer.Signer.info: {origin: {key, ds, inception, ...}}
        self.logs = {}
        self.procs = []          # (title, Popen) started here
        self._delayline = None
        self._outage = False
        self._up = False

    # -- names --

    @staticmethod
    def _new_run_id():
        taken = set(our_runs())
        for _ in range(100):
            run = os.urandom(2).hex()
            if run not in taken:
                return run
        raise WorldError("no free run id")

    def ns(self, role):
        """The namespace name for a role (res, gw, frn, dom); full names pass through."""
        return f"{PREFIX}{self.run}-{role}" if role in ROLES else role

    # -- processes --

    def run_in(self, ns, argv, timeout=30, check=True, **kw):
        """Runs argv to completion in a namespace (bounded); returns CompletedProcess."""
        return sh(["ip", "netns", "exec", self.ns(ns)] + list(argv), timeout=timeout,
                  check=check, **kw)

    def popen(self, ns, argv, title=None, **popen_kw):
        """Starts argv in a namespace; returns the Popen (its pid is the program's own:
        `ip netns exec` execs it). stdout/stderr go to WORKDIR/TITLE.log unless given."""
        title = title or os.path.basename(argv[0])
        logf = None
        if "stdout" not in popen_kw and "stderr" not in popen_kw:
            path = os.path.join(self.workdir, f"{title}.log")
            logf = open(path, "ab")
            popen_kw.update(stdout=logf, stderr=subprocess.STDOUT)
            self.logs[title] = path
        popen_kw.setdefault("stdin", subprocess.DEVNULL)
        try:
            p = subprocess.Popen(["ip", "netns", "exec", self.ns(ns)] + list(argv), **popen_kw)
        finally:
            if logf:
                logf.close()
        self.procs.append((title, p))
        self._save_state()
        return p

    Popen = popen

    def stop(self, proc, timeout=5.0):
        """SIGTERM (then SIGKILL) one process this world started; returns its status."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        return proc.returncode

    def in_ns(self, ns, fn, *args, timeout=60, **kw):
        """Calls fn(*args, **kw) on a thread inside the namespace (its sockets stay
        there); returns the result or raises what fn raised."""
        name, box = self.ns(ns), {}

        def body():
            try:
                _setns(name)
                box["value"] = fn(*args, **kw)
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                box["error"] = e

        t = threading.Thread(target=body, name=f"in-{name}", daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise WorldError(f"call in {name} did not finish within {timeout}s")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def query(self, ns, server, qname, qtype="A", *, port=53, tcp=False, rd=False,
              timeout=3.0, edns=0, want_dnssec=False, cd=False, ad=False):
        """One DNS query from inside a namespace; returns the dns.message.Message.
        want_dnssec sets DO; cd and ad set those header bits."""
        q = dns.message.make_query(qname, qtype, use_edns=edns, want_dnssec=want_dnssec)
        if not rd:
            q.flags &= ~dns.flags.RD
        if cd:
            q.flags |= dns.flags.CD
        if ad:
            q.flags |= dns.flags.AD

        def go():
            if tcp:
                return dns.query.tcp(q, server, port=port, timeout=timeout)
            return dns.query.udp(q, server, port=port, timeout=timeout,
                                 ignore_unexpected=True)

        return self.in_ns(ns, go, timeout=timeout + 10)

    # -- state (so `down` and the next run can find a run's leftovers) --

    def _save_state(self):
        os.makedirs(STATE_DIR, exist_ok=True)
        st = {"run": self.run, "owner_pid": os.getpid(), "owner_start": _start_time(os.getpid()),
              "persistent": self.persistent, "workdir": self.workdir,
              "namespaces": [self.ns(r) for r in ROLES],
              "pids": [p.pid for _, p in self.procs if p.poll() is None],
              "servers": self.servers, "root_hints": self.root_hints_path,
              "trust_anchor": self.trust_anchor_path,
              "delay_ctl": os.path.join(self.workdir, "delay.ctl")}
        tmp = os.path.join(STATE_DIR, f".{self.run}.tmp")
        with open(tmp, "w") as f:
            json.dump(st, f, indent=1)
        os.replace(tmp, os.path.join(STATE_DIR, f"{self.run}.json"))

    # -- bring up --

    def up(self):
        if os.geteuid() != 0:
            raise WorldError("the test world needs root (network namespaces)")
        for tool in ("ip", "nsd", "nsd-checkconf", "gcc", "ldns-keygen", "ldns-signzone",
                     "ldns-key2ds"):
            if shutil.which(tool) is None:
                raise WorldError(f"{tool} not found (see the lead's deps/debian.txt)")
        cleanup_stale(self.log, keep={self.run})
        self._save_state()
        try:
            self._network()
            self._delay_line()
            self._servers()
        except BaseException:
            self.down()
            raise
        self._up = True
        return self

    def _ip(self, role, *args):
        return sh(["ip", "-n", self.ns(role)] + list(args))

    def _sysctl(self, role, **settings):
        self.run_in(role, ["sysctl", "-q", "-w"]
                    + [f"{k.replace('__', '.')}={v}" for k, v in settings.items()])

    def _network(self):
        for r in ROLES:
            sh(["ip", "netns", "add", self.ns(r)])
            self._ip(r, "link", "set", "lo", "up")
        # veth pairs, created inside the namespaces (never in the host's).
        for a, an, b, bn in (("res", "gw0", "gw", "res0"), ("gw", "frn0", "frn", "gw0"),
                             ("gw", "dom0", "dom", "gw0")):
            self._ip(a, "link", "add", an, "type", "veth", "peer", "name", bn,
                     "netns", self.ns(b))
        self._sysctl("gw", net__ipv4__ip_forward=1, net__ipv4__conf__all__rp_filter=0,
                     net__ipv4__conf__default__rp_filter=0)
        for r in ("res", "frn", "dom"):  # ICMP errors (port unreachable) never rate-limited
            self._sysctl(r, net__ipv4__icmp_ratelimit=0)
        self._sysctl("gw", net__ipv4__icmp_ratelimit=0)
        for role, dev, addr in (("res", "gw0", f"{RES_ADDR}/24"),
                                ("gw", "res0", f"{GW_RES_ADDR}/24"),
                                ("gw", "frn0", f"{GW_FRN_ADDR}/25"),
                                ("frn", "gw0", f"{FRN_ADDR}/25"),
                                ("gw", "dom0", f"{GW_DOM_ADDR}/25"),
                                ("dom", "gw0", f"{DOM_ADDR}/25")):
            self._ip(role, "addr", "add", addr, "dev", dev)
            self._ip(role, "link", "set", dev, "up")
        for dev in ("res0", "frn0", "dom0"):
            self._sysctl("gw", **{f"net__ipv4__conf__{dev}__rp_filter": 0})
        # Server addresses on the servers' loopbacks.
        for role, (nsrole, addr, _) in zones.SERVERS.items():
            self._ip(nsrole, "addr", "add", f"{addr}/32", "dev", "lo")
        for addr in zones.UNLISTENED:
            self._ip("frn", "addr", "add", f"{addr}/32", "dev", "lo")
        # Routes: only what the world needs, no defaults.
        for pfx in ("198.18.0.0/15", LINK_NET):
            self._ip("res", "route", "add", pfx, "via", GW_RES_ADDR)
        self._ip("frn", "route", "add", RES_NET, "via", GW_FRN_ADDR)
        self._ip("dom", "route", "add", RES_NET, "via", GW_DOM_ADDR)
        self._ip("gw", "route", "add", zones.FAR_PREFIX, "via", FRN_ADDR)
        self._ip("gw", "route", "add", zones.NEAR_PREFIX, "via", DOM_ADDR)
        self._ip("gw", "route", "add", "blackhole", zones.BLACKHOLE_PREFIX)

    def _delay_line(self):
        src = os.path.join(HERE, "delayline.c")
        binary = os.path.join(self.workdir, "delayline")
        sh(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary, src], timeout=60)
        self._ip("gw", "tuntap", "add", "dev", TUN, "mode", "tun")
        self._ip("gw", "link", "set", TUN, "mtu", "1500", "up")
        self._sysctl("gw", **{f"net__ipv4__conf__{TUN}__rp_filter": 0})
        self._write_delay_ctl()
        self._delayline = self.popen("gw", [binary, TUN, self._ctl_path()], title="delayline")
        self._wait_log("delayline", "attached to", 5.0, self._delayline)
        self._ip("gw", "route", "add", zones.FAR_PREFIX, "dev", TUN, "table", TABLE)
        self._ip("gw", "route", "add", RES_NET, "dev", TUN, "table", TABLE)
        self._ip("gw", "rule", "add", "iif", "res0", "lookup", TABLE, "pref", "1000")
        self._ip("gw", "rule", "add", "iif", "frn0", "lookup", TABLE, "pref", "1001")

    def _ctl_path(self):
        return os.path.join(self.workdir, "delay.ctl")

    def _write_delay_ctl(self):
        tmp = self._ctl_path() + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{int(self.delay_ms)} {float(self.loss)}\n")
        os.replace(tmp, self._ctl_path())

    def _wait_log(self, title, text, timeout, proc):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.logs[title], errors="replace") as f:
                    content = f.read()
            except OSError:
                content = ""
            if text in content:
                return content
            if proc.poll() is not None:
                raise WorldError(f"{title} exited with status {proc.returncode}:\n{content}")
            time.sleep(0.02)
        raise WorldError(f"{title} did not say {text!r} within {timeout}s")

    def set_delay(self, delay_ms=None, loss=None):
        """Changes the delay line at run time: D ms each way, drop probability loss."""
        if delay_ms is not None:
            self.delay_ms = delay_ms
        if loss is not None:
            self.loss = loss
        self._write_delay_ctl()
        before = self._log_text("delayline").count("delayline: delay")
        self._delayline.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 3
        while self._log_text("delayline").count("delayline: delay") <= before:
            if time.monotonic() > deadline:
                raise WorldError("delayline did not take the new settings within 3s")
            time.sleep(0.01)

    def _log_text(self, title):
        try:
            with open(self.logs[title], errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def outage(self, on):
        """on=True: gw drops everything towards the far servers (blackhole route);
        on=False: restores the route. The near servers (cn.) stay reachable."""
        if on:
            self._ip("gw", "route", "replace", "blackhole", zones.FAR_PREFIX)
        else:
            self._ip("gw", "route", "replace", zones.FAR_PREFIX, "via", FRN_ADDR)
        self._outage = on

    # -- the servers --

    def _servers(self):
        self.started = int(time.time())
        texts = zones.zone_texts(self.started)
        signing = signer.Signer(self.workdir, self.started)
        try:
            signing.sign_all(texts)
        except signer.SignError as e:
            raise WorldError(f"signing the zones: {e}") from e
        signing.write_anchor(self.trust_anchor_path)
        self.dnssec = signing.info
        with open(self.root_hints_path, "w") as f:
            f.write(zones.root_hints())
        started = []
        for role, (nsrole, addr, origins) in zones.SERVERS.items():
            listen = zones.PROXIED[role][0] if role in zones.PROXIED else addr
            d = os.path.join(self.workdir, f"nsd-{role}")
            os.makedirs(d, exist_ok=True)
            conf = self._nsd_conf(d, listen, texts[role])
            p = self.popen(nsrole, ["nsd", "-d", "-c", conf], title=f"nsd-{role}")
            self.logs[f"nsd-{role} log"] = os.path.join(d, "nsd.log")
            started.append((role, nsrole, listen, origins[0], p))
        for role, nsrole, listen, origin, p in started:
            self._wait_answers(nsrole, listen, origin, p, f"nsd-{role}")
        for role, (backend, lies) in zones.PROXIED.items():
            nsrole, addr, origins = zones.SERVERS[role]
            args = [f"{cut}={rr}" for cut, rrs in lies.items() for rr in rrs]
            p = self.popen(nsrole, [PYTHON, os.path.join(HERE, "glueproxy.py"), addr, backend]
                           + args, title=f"glueproxy-{role}")
            self._wait_answers(nsrole, addr, origins[0], p, f"glueproxy-{role}")

    def _nsd_conf(self, d, addr, zone_texts):
        stanzas = []
        for origin, text in zone_texts.items():
            fname = os.path.join(d, (origin.rstrip(".") or "root") + ".zone")
            with open(fname, "w") as f:
                f.write(text)
            stanzas.append(f'zone:\n  name: "{origin}"\n  zonefile: "{fname}"\n')
        conf = os.path.join(d, "nsd.conf")
        with open(conf, "w") as f:
            f.write(f"""# written by tests/world/world.py
server:
  ip-address: {addr}@53
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
  logfile: "{d}/nsd.log"
  verbosity: 1
  server-count: 1
  hide-version: yes
  refuse-any: no
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
""" + "".join(stanzas))
        sh(["nsd-checkconf", conf])
        return conf

    def _wait_answers(self, ns, addr, origin, proc, what, timeout=10.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise WorldError(f"{what} exited with status {proc.returncode} while "
                                 f"starting:\n{self._log_text(what)}")
            try:
                r = self.query(ns, addr, origin, "SOA", timeout=0.3)
                if r.rcode() == 0 and r.answer:
                    return
                last = f"rcode {r.rcode()}"
            except Exception as e:  # noqa: BLE001 - any failure means not yet
                last = repr(e)
            time.sleep(0.05)
        raise WorldError(f"{what} at {addr} ({ns}) did not serve {origin} within "
                         f"{timeout}s ({last})")

    # -- tear down --

    def down(self):
        """Stops everything this world started and deletes its namespaces."""
        for title, p in reversed(self.procs):
            try:
                self.stop(p)
            except Exception as e:  # noqa: BLE001 - keep tearing down
                self.log(f"stopping {title} (pid {p.pid}): {e}")
        teardown_run(self.run, log=None)
        self._up = False

    def __enter__(self):
        return self.up()

    def __exit__(self, *exc):
        self.down()

    def describe(self):
        lines = [f"world {self.run}  (workdir {self.workdir})",
                 "namespaces: " + " ".join(self.ns(r) for r in ROLES),
                 f"resolver side: {self.ns('res')} {RES_ADDR}; "
                 f"delay {self.delay_ms} ms each way to the far servers, loss {self.loss}",
                 f"root hints: {self.root_hints_path}",
                 f"trust anchor: {self.trust_anchor_path}", "servers:"]
        for role, (nsrole, addr, origins) in zones.SERVERS.items():
            lines.append(f"  {role:9} {addr:13} {nsrole}  {' '.join(origins)}")
        lines.append(f"  (dead: {zones.SILENT_NS} {zones.HALF_DEAD_NS} blackholed, "
                     f"{zones.CLOSED_NS} closed port)")
        lines.append(f"try: ip netns exec {self.ns('res')} dig +norec @{zones.ROOT_ADDR} "
                     "com. NS")
        return "\n".join(lines)
