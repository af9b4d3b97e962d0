# SPDX-License-Identifier: GPL-3.0-or-later
"""glueproxy: an authoritative server that lies about glue, for the test world.

NSD never puts out-of-zone records into a referral, so a role that must do so
(com. listing an A record for ns1.victim.net.) runs its real NSD on a backend
address and this proxy on the public one. Every query, UDP or TCP, goes to the
backend over the same transport; a referral (no answer, NS in the authority
section) for one of the given cuts gets the given records appended to its
additional section. Everything else passes through byte for byte.

  glueproxy.py LISTEN_ADDR BACKEND_ADDR CUT=RR [CUT=RR...]
  e.g.  glueproxy.py 198.18.1.1 127.0.0.1 "liar.com.=ns1.victim.net. 3600 IN A 198.18.2.66"

Runs in the foreground until SIGTERM; port 53 on both sides.
"""

import signal
import socket
import struct
import sys
import threading

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

PORT = 53


def parse_lies(args):
    lies = {}
    for a in args:
        cut, rr = a.split("=", 1)
        lies.setdefault(dns.name.from_text(cut), []).append(rr)
    return lies


def doctor(wire, lies):
    try:
        m = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001 - pass anything odd through untouched
        return wire
    if m.answer:
        return wire
    for rrset in m.authority:
        if rrset.rdtype == dns.rdatatype.NS and rrset.name in lies:
            for text in lies[rrset.name]:
                owner, ttl, rdclass, rdtype, rdata = text.split(None, 4)
                m.additional.append(dns.rrset.from_text(owner, int(ttl), rdclass, rdtype,
                                                        rdata))
            return m.to_wire()
    return wire


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def serve_udp(sock, backend, lies, wire, peer):
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        b.settimeout(3)
        b.sendto(wire, (backend, PORT))
        reply, _ = b.recvfrom(65535)
        sock.sendto(doctor(reply, lies), peer)
    except OSError:
        pass
    finally:
        b.close()


def serve_tcp(conn, backend, lies):
    try:
        conn.settimeout(10)
        b = socket.create_connection((backend, PORT), timeout=3)
        with b:
            while True:
                (n,) = struct.unpack("!H", recv_exact(conn, 2))
                q = recv_exact(conn, n)
                b.sendall(struct.pack("!H", len(q)) + q)
                (n,) = struct.unpack("!H", recv_exact(b, 2))
                reply = doctor(recv_exact(b, n), lies)
                conn.sendall(struct.pack("!H", len(reply)) + reply)
    except (OSError, EOFError, struct.error):
        pass
    finally:
        conn.close()


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    listen, backend, lies = argv[0], argv[1], parse_lies(argv[2:])
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((listen, PORT))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((listen, PORT))
    tcp.listen(64)

    def tcp_loop():
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=serve_tcp, args=(conn, backend, lies), daemon=True).start()

    threading.Thread(target=tcp_loop, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"glueproxy: {listen}@{PORT} -> {backend}@{PORT}, lies for "
          f"{', '.join(str(c) for c in lies)}", file=sys.stderr, flush=True)
    while True:
        wire, peer = udp.recvfrom(65535)
        threading.Thread(target=serve_udp, args=(udp, backend, lies, wire, peer),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
