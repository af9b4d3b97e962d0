# SPDX-License-Identifier: GPL-3.0-or-later
"""An on-path DNS injector for the test world, built after the published
measurements of the injectors that caused the January 2014 outage (see the
project's TESTWORLD.md, "How real injectors behave").

It runs as its own process inside the world's border namespace (gw), started by
Injector (below) through World.popen:

    injector.py --netns hfw-RUN-gw --ctl CTL.json --status STATUS.json --log EVENTS.jsonl
                [--iface res0] [--max-seconds 900]

Sniffing. An AF_PACKET socket on gw's res0 (the link to the resolver host) sees every
UDP query res sends towards the far servers (198.18.0.0/16, port 53) before the delay
line holds it; the real answer therefore comes back at least 2 x 20 ms later, while a
forged one, written straight back onto res0, arrives within a millisecond or two.

Forging. For a query that the current rule matches, 2 or 3 "injectors" (each with its
own IP-TTL and IP-ID habit: one random TTL, one fixed TTL 58, one copying the query's
TTL) each send one reply from the server's address and port 53 to the querier's
address and port. The reply is the query copied up to the end of the question (ID and
the exact case of the name kept), flags 0x8180 when the query had RD, else 0x8400,
exactly one answer (a compression pointer to the question's name; A for every QTYPE but
AAAA, which gets an AAAA from 2001::/32; DS, DNSKEY and TXT queries too), no
authority, no additional section, no OPT record even when the query had EDNS, and no
RRSIG even when it had DO. Addresses come from an ordered pool, each injector walking
it from its own offset. Packets leave through a raw IP socket (IP_HDRINCL) in gw, so
the spoofed source and the TTL are exactly what the injector wrote.

Rules (the control file, JSON, re-read when its modification time changes or on
SIGUSR1/SIGHUP; "generation" is echoed in the status file once applied):
  {"mode": "off"}                                   forge nothing
  {"mode": "names", "names": ["www.alpha.com.", "*.eddsa.net."]}
                                                    forge these names only ("*.zone."
                                                    = the zone's apex and every name under it)
  {"mode": "all", "except": ["cn."], "pool": ["65.49.2.178"]}
                                                    the 2014 rule: every name outside the
                                                    given zones, to one address
  and, independently, {"flood": {...}}: the off-path spoofing flood, blind replies to
  "target" (res's address) from "src" (a far server's address, port 53) on random
  destination ports with random IDs, for the given names, "count" packets at most
  "rate" per second; it never looks at queries. A new "flood" object (new "id")
  starts a new flood; "flood": null stops a running one.
Other keys: "pool", "pool6", "answer_ttl", "per_query" ([min, max] injectors firing
per query), "injectors" ([{"name", "ttl": "random"|"copy"|N, "ipid":
"random"|"counter"|"copy"}]), "tcp_reset" (true: a DNS-over-TCP query for a matched
name gets its connection reset, a RST from the server's address in sequence, as the
published injectors sometimes do; off by default).

Bounds. It only ever sends to addresses inside the world's resolver link
(192.0.2.0/24), refuses to start anywhere but in the world's namespace it is given
(hfw-*, checked against /run/netns) with an interface res0, exits on SIGTERM,
when --max-seconds have passed, or when the process that started it dies
(PR_SET_PDEATHSIG); the world's teardown kills whatever is left in its namespaces.
The status file (JSON, rewritten a few times a second) counts queries seen,
queries matched, packets forged and flood packets sent; the log (JSON lines) has one
line per forged packet: time, injector, IP TTL and ID, DNS ID, ports, name, type, address.
"""

import argparse
import ctypes
import ipaddress
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

RES_NET = ipaddress.ip_network("192.0.2.0/24")    # the only place forged packets go
FAR_NET = ipaddress.ip_network("198.18.0.0/16")   # queries to these servers are seen
IFACE = "res0"
PYTHON = "/usr/bin/python3"
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4

# Addresses the published injectors answered with (a few of the hundreds measured);
# nothing in the world ever connects to them.
DEFAULT_POOL = ["8.7.198.45", "37.61.54.158", "46.82.174.68", "59.24.3.173",
                "93.46.8.89", "159.106.121.75", "203.98.7.65", "78.16.49.15"]
DEFAULT_POOL6 = ["2001::1f0d:5a36", "2001::2e52:ae44", "2001::3b18:3ad",
                 "2001::5d2e:859"]
ADDRESS_2014 = "65.49.2.178"
FORGED = frozenset(DEFAULT_POOL) | frozenset(DEFAULT_POOL6) | {ADDRESS_2014}  # to spot them
DEFAULT_INJECTORS = [
    {"name": "random-ttl", "ttl": "random", "ipid": "random"},
    {"name": "ttl-58", "ttl": 58, "ipid": "counter"},
    {"name": "copy-ttl", "ttl": "copy", "ipid": "copy"},
]
DEFAULTS = {"generation": 0, "mode": "off", "names": [], "except": ["cn."], "tcp_reset": False,
            "pool": DEFAULT_POOL, "pool6": DEFAULT_POOL6, "answer_ttl": 600,
            "per_query": [2, 3], "injectors": DEFAULT_INJECTORS, "flood": None}


# --- wire helpers (no dnspython here: this file also runs on its own) ---------


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ip_udp(src, dst, sport, dport, payload, ttl, ipid):
    """An IPv4/UDP packet with both checksums."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ulen = 8 + len(payload)
    pseudo = s + d + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, ipid & 0xFFFF, 0, ttl & 0xFF,
                      17, 0, s, d)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + udp


def ip_tcp_rst(src, dst, sport, dport, seq, ack):
    """An IPv4 TCP RST+ACK with both checksums."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x14, 0, 0, 0)
    csum = checksum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.randrange(1, 65536), 0,
                      64, 6, 0, s, d)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + tcp


def parse_question(msg):
    """(end of question, qname text as sent, qtype, rd) of a query, or None."""
    if len(msg) < 17:
        return None
    flags, qd = struct.unpack("!HH", msg[2:6])
    if flags & 0x8000 or (flags >> 11) & 0xF != 0 or qd != 1:
        return None
    i, labels = 12, []
    while True:
        if i >= len(msg):
            return None
        n = msg[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > len(msg):
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 4 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[i:i + 2])[0]
    return i + 4, ".".join(labels) + ".", qtype, bool(flags & 0x0100)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def forged_reply(query, qend, qtype, rd, address, answer_ttl):
    """The injectors' reply: the query to the end of its question, one answer."""
    flags = 0x8180 if rd else 0x8400
    head = query[:2] + struct.pack("!HHHHH", flags, 1, 1, 0, 0)
    if qtype == 28:
        rtype, rdata = 28, socket.inet_pton(socket.AF_INET6, address)
    else:
        rtype, rdata = 1, socket.inet_aton(address)
    answer = b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, answer_ttl, len(rdata)) + rdata
    return head + query[12:qend] + answer


def in_zone(name, zone):
    name, zone = name.lower().rstrip(".") + ".", zone.lower().rstrip(".") + "."
    return zone == "." or name == zone or name.endswith("." + zone)


def matches(rules, qname):
    mode = rules.get("mode", "off")
    if mode == "names":
        for n in rules.get("names", []):
            if n.startswith("*."):
                if in_zone(qname, n[2:]):
                    return True
            elif qname.lower().rstrip(".") == n.lower().rstrip("."):
                return True
        return False
    if mode == "all":
        return not any(in_zone(qname, z) for z in rules.get("except", []))
    return False


# --- the process ---------------------------------------------------------------


class Process:
    def __init__(self, a):
        self.a = a
        self.rules = dict(DEFAULTS)
        self.ctl_mtime = None
        self.stop = threading.Event()
        self.reload = threading.Event()
        self.lock = threading.Lock()
        self.counts = {"seen": 0, "matched": 0, "forged": 0, "flood_sent": 0, "tcp_seen": 0,
                       "tcp_reset": 0}
        self.flood_id = None
        self.flood_thread = None
        self.flood_stop = threading.Event()
        self.counter = random.randrange(65536)
        self.offsets = {}
        self.logf = open(a.log, "a", buffering=1)
        self.raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sniff = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self.sniff.bind((a.iface, ETH_P_IP))
        self.sniff.settimeout(0.05)
        self.last_status = 0.0

    def send(self, dst, packet):
        if ipaddress.ip_address(dst) not in RES_NET:  # never anywhere but the world's res
            raise RuntimeError(f"refusing to send to {dst}")
        self.raw.sendto(packet, (dst, 0))

    def load(self):
        try:
            st = os.stat(self.a.ctl)
            if st.st_mtime_ns == self.ctl_mtime and not self.reload.is_set():
                return
            self.reload.clear()
            with open(self.a.ctl) as f:
                new = json.load(f)
            self.ctl_mtime = st.st_mtime_ns
        except (OSError, ValueError):
            return
        rules = dict(DEFAULTS)
        rules.update(new)
        with self.lock:
            self.rules = rules
        flood = rules.get("flood")
        if flood is None and self.flood_thread is not None:
            self.flood_stop.set()
        elif flood is not None and flood.get("id") != self.flood_id:
            self.flood_stop.set()
            if self.flood_thread is not None:
                self.flood_thread.join()
            self.flood_stop = threading.Event()
            self.flood_id = flood.get("id")
            self.flood_thread = threading.Thread(target=self.flood, args=(flood,),
                                                 daemon=True)
            self.flood_thread.start()
        self.write_status(force=True)

    def write_status(self, force=False):
        now = time.monotonic()
        if not force and now - self.last_status < 0.2:
            return
        self.last_status = now
        with self.lock:
            st = dict(self.counts, generation=self.rules.get("generation", 0),
                      mode=self.rules.get("mode"), pid=os.getpid(), time=time.time(),
                      flood_id=self.flood_id,
                      flood_running=bool(self.flood_thread and self.flood_thread.is_alive()))
        tmp = self.a.status + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f)
        os.replace(tmp, self.a.status)

    def pick(self, pool, injector_index):
        """The ordered pool: each injector walks it from its own offset."""
        k = self.offsets.get(injector_index, injector_index)
        self.offsets[injector_index] = k + 1
        return pool[k % len(pool)]

    def handle(self, pkt):
        if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] not in (6, 17):
            return
        ihl = (pkt[0] & 0xF) * 4
        src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
        if ipaddress.ip_address(dst) not in FAR_NET or ipaddress.ip_address(src) not in RES_NET:
            return
        sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4])
        if dport != 53:
            return
        if pkt[9] == 6:
            self.handle_tcp(pkt, ihl, src, dst, sport)
            return
        query = pkt[ihl + 8:]
        q = parse_question(query)
        if q is None:
            return
        qend, qname, qtype, rd = q
        with self.lock:
            self.counts["seen"] += 1
            rules = self.rules
        if not matches(rules, qname):
            return
        with self.lock:
            self.counts["matched"] += 1
        injectors = rules["injectors"]
        lo, hi = rules["per_query"]
        n = min(len(injectors), random.randint(lo, hi))
        chosen = sorted(random.sample(range(len(injectors)), n))
        qttl, qipid = pkt[8], struct.unpack("!H", pkt[4:6])[0]
        for i in chosen:
            inj = injectors[i]
            ttl = (random.randint(30, 250) if inj.get("ttl") == "random" else
                   qttl if inj.get("ttl") == "copy" else int(inj.get("ttl", 64)))
            if inj.get("ipid") == "copy":
                ipid = qipid
            elif inj.get("ipid") == "counter":
                self.counter = (self.counter + 1) & 0xFFFF
                ipid = self.counter
            else:
                ipid = random.randrange(1, 65536)
            pool = rules["pool6"] if qtype == 28 else rules["pool"]
            address = self.pick(pool, i)
            reply = forged_reply(query, qend, qtype, rd, address, int(rules["answer_ttl"]))
            self.send(src, ip_udp(dst, src, 53, sport, reply, ttl, ipid))
            with self.lock:
                self.counts["forged"] += 1
            self.logf.write(json.dumps({
                "t": time.time(), "injector": inj.get("name", str(i)), "ip_ttl": ttl,
                "ip_id": ipid, "dns_id": struct.unpack("!H", query[:2])[0], "server": dst,
                "client": src, "sport": sport, "qname": qname, "qtype": qtype, "rd": rd,
                "address": address, "generation": rules.get("generation", 0)}) + "\n")

    def handle_tcp(self, pkt, ihl, src, dst, sport):
        """DNS over TCP: with "tcp_reset", a segment carrying a query for a matched name
        gets a RST from the server's address, in sequence, so the client's connection dies."""
        if len(pkt) < ihl + 20:
            return
        seq, ack = struct.unpack("!II", pkt[ihl + 4:ihl + 12])
        off, flags = (pkt[ihl + 12] >> 4) * 4, pkt[ihl + 13]
        payload = pkt[ihl + off:]
        if not flags & 0x10 or len(payload) < 2 + 17:  # needs ACK and a query
            return
        q = parse_question(payload[2:])
        if q is None:
            return
        with self.lock:
            self.counts["tcp_seen"] += 1
            rules = self.rules
        if not rules.get("tcp_reset") or not matches(rules, q[1]):
            return
        self.send(src, ip_tcp_rst(dst, src, 53, sport, ack, seq + len(payload)))
        with self.lock:
            self.counts["tcp_reset"] += 1
        self.logf.write(json.dumps({
            "t": time.time(), "injector": "tcp-reset", "server": dst, "client": src,
            "sport": sport, "qname": q[1], "qtype": q[2], "tcp_reset": True,
            "generation": rules.get("generation", 0)}) + "\n")

    def flood(self, spec):
        """Blind replies: random ID, random destination port, never looking at queries."""
        target, src = spec.get("target", "192.0.2.2"), spec["src"]
        names = spec.get("names") or ["www.alpha.com."]
        qtype = {"A": 1, "AAAA": 28}.get(spec.get("qtype", "A"), 1)
        address = spec.get("address", DEFAULT_POOL[0])
        count, rate = int(spec.get("count", 10000)), float(spec.get("rate", 10000))
        count = min(count, 500000)
        rate = min(rate, 100000.0)
        questions = [encode_name(n) + struct.pack("!HH", qtype, 1) for n in names]
        t0, sent, burst = time.monotonic(), 0, 64
        while sent < count and not self.flood_stop.is_set() and not self.stop.is_set():
            k = min(burst, count - sent)
            for _ in range(k):
                qn = random.choice(questions)
                fake_query = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 0) + qn
                reply = forged_reply(fake_query, len(fake_query), qtype, False, address,
                                     int(spec.get("answer_ttl", 600)))
                self.send(target, ip_udp(src, target, 53, random.randint(1024, 65535), reply,
                                         64, random.randrange(1, 65536)))
            sent += k
            with self.lock:
                self.counts["flood_sent"] += k
            ahead = sent / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)

    def run(self):
        deadline = time.monotonic() + self.a.max_seconds
        self.load()
        print(f"injector: sniffing on {self.a.iface}, pid {os.getpid()}", flush=True)
        while not self.stop.is_set() and time.monotonic() < deadline:
            self.load()
            try:
                pkt, addr = self.sniff.recvfrom(65535)
            except socket.timeout:
                self.write_status()
                continue
            if addr[2] != PACKET_OUTGOING:
                self.handle(pkt)
            self.write_status()
        self.flood_stop.set()
        if self.flood_thread is not None:
            self.flood_thread.join(5)
        self.write_status(force=True)
        print(f"injector: done: {json.dumps(self.counts)}", flush=True)


def _die_with_parent():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--status", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--iface", default=IFACE)
    ap.add_argument("--max-seconds", type=float, default=900)
    ap.add_argument("--netns", required=True, help="the world's gw namespace (hfw-RUN-gw)")
    a = ap.parse_args(argv)
    _die_with_parent()
    if os.getppid() == 1:
        sys.exit("injector: the process that started me is gone")
    try:
        socket.if_nametoindex(a.iface)
    except OSError:
        sys.exit(f"injector: no interface {a.iface} here: not the world's border namespace")
    ns = os.path.join("/run/netns", a.netns)
    if not a.netns.startswith("hfw-") or not os.path.exists(ns) or \
            os.stat(ns).st_ino != os.stat("/proc/self/ns/net").st_ino:
        sys.exit(f"injector: not inside the world's namespace {a.netns}: refusing to run")
    p = Process(a)

    def on_term(*_):
        p.stop.set()

    def on_reload(*_):
        p.reload.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGUSR1, on_reload)
    signal.signal(signal.SIGHUP, on_reload)  # `tests.world delay` HUPs everything in gw
    p.run()
    return 0


# --- the test side: start and steer one from a World ------------------------------


class Injector:
    """The injector process in a world's gw namespace, steered through its control file.

        inj = Injector(world).start()
        inj.names(["www.alpha.com.", "*.eddsa.net."])   # forge those names
        inj.everything(except_zones=["cn."])           # the 2014 rule, 65.49.2.178
        inj.flood(src=..., names=[...], count=..., rate=...)
        inj.off(); inj.status(); inj.events(); inj.stop()
    """

    def __init__(self, world, title="injector", max_seconds=900):
        self.world, self.title, self.max_seconds = world, title, max_seconds
        d = os.path.join(world.workdir, title)
        os.makedirs(d, exist_ok=True)
        self.ctl, self.status_path = os.path.join(d, "ctl.json"), os.path.join(d, "status.json")
        self.log = os.path.join(d, "events.jsonl")
        self.rules = {k: v for k, v in DEFAULTS.items()}
        self.proc = None
        self._flood_id = 0

    def start(self, timeout=10.0):
        for path in (self.status_path, self.log):
            if os.path.exists(path):
                os.unlink(path)
        self._write()
        self.proc = self.world.popen("gw", [PYTHON, os.path.abspath(__file__),
                                            "--ctl", self.ctl, "--status", self.status_path,
                                            "--log", self.log,
                                            "--max-seconds", str(self.max_seconds),
                                     "--netns", self.world.ns("gw")],
                                     title=self.title)
        self._wait_generation(timeout)
        return self

    def _write(self):
        tmp = self.ctl + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.rules, f)
        os.replace(tmp, self.ctl)

    def configure(self, timeout=5.0, **rules):
        """Changes the rules and waits until the injector has applied them."""
        self.rules.update(rules)
        self.rules["generation"] = self.rules.get("generation", 0) + 1
        self._write()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)
        self._wait_generation(timeout)
        return self

    def _wait_generation(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"injector exited with status {self.proc.returncode}:\n"
                                   + self._log_text())
            st = self.status()
            if st and st.get("generation") == self.rules["generation"]:
                return st
            time.sleep(0.02)
        raise RuntimeError(f"injector did not apply generation {self.rules['generation']} "
                           f"within {timeout}s:\n{self._log_text()}")

    def _log_text(self):
        path = self.world.logs.get(self.title)
        try:
            with open(path, errors="replace") as f:
                return f.read()[-3000:]
        except (OSError, TypeError):
            return ""

    def names(self, names, pool=None, tcp_reset=False):
        return self.configure(mode="names", names=list(names), pool=pool or DEFAULT_POOL,
                              tcp_reset=tcp_reset)

    def everything(self, except_zones=("cn.",), address=ADDRESS_2014, tcp_reset=False):
        """The 2014 rule: every name outside except_zones answered with one address."""
        return self.configure(mode="all", names=[], pool=[address], tcp_reset=tcp_reset,
                              **{"except": list(except_zones)})

    def off(self):
        return self.configure(mode="off")

    def flood(self, src, names, count=20000, rate=20000, target="192.0.2.2",
              address=DEFAULT_POOL[0], qtype="A"):
        self._flood_id += 1
        return self.configure(flood={"id": self._flood_id, "src": src, "names": list(names),
                                     "count": count, "rate": rate, "target": target,
                                     "address": address, "qtype": qtype})

    def wait_flood(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if st and st.get("flood_id") == self._flood_id and not st.get("flood_running"):
                return st
            time.sleep(0.1)
        raise RuntimeError(f"flood still running after {timeout}s")

    def status(self):
        try:
            with open(self.status_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def events(self):
        """Every forged packet so far, as logged (one dict each)."""
        out = []
        try:
            with open(self.log) as f:
                for line in f:
                    if line.strip():
                        try:
                            out.append(json.loads(line))
                        except ValueError:
                            pass
        except OSError:
            pass
        return out

    def stop(self):
        if self.proc is not None:
            self.world.stop(self.proc)
        return self.status()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
