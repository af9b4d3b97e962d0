#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus in fuzz/corpus/doh/: what a DNS-over-HTTPS server
sends a client that opened streams 1, 3 and 5 (fuzz/fuzz_doh.c), as HTTP/2
bytes, one conversation per file: honest answers, HTTP errors, another
content type, an oversized content-length, informational responses and
trailers, GOAWAY, RST_STREAM, PING, answers split over many DATA frames.

Run with Debian's interpreter (python3-h2 4.1, python3-dnspython 2.3):

    /usr/bin/python3 fuzz/corpus/gen_doh_seeds.py

The run removes the seeds it wrote before and leaves crash-* and regress-*
files alone. Deterministic (HPACK and framing have no randomness here).
"""

import os

import dns.message
import dns.rrset
import h2.config
import h2.connection
import h2.errors
import h2.settings

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "doh")
STREAMS = (1, 3, 5)
DNS = "application/dns-message"


def answer(name="www.example."):
    q = dns.message.make_query(name, "A")
    q.id = 0x1234
    r = dns.message.make_response(q)
    r.answer.append(dns.rrset.from_text(name, 300, "IN", "A", "192.0.2.1"))
    return r.to_wire()


def server():
    """A server connection that has read the client's three requests."""
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    for sid in STREAMS:
        client.send_headers(sid, [(":method", "POST"), (":scheme", "https"),
                                  (":authority", "dns.example"), (":path", "/dns-query"),
                                  ("content-type", DNS)])
        client.send_data(sid, b"\0" * 29, end_stream=True)
    s = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    s.initiate_connection()
    s.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 100})
    s.receive_data(client.data_to_send())
    return s


def respond(s, sid, status="200", ctype=DNS, body=None, length=True, extra=(), split=0,
            trailers=None):
    body = answer() if body is None else body
    headers = [(":status", status)]
    if ctype is not None:
        headers.append(("content-type", ctype))
    if length is True:
        headers.append(("content-length", str(len(body))))
    elif length is not None:
        headers.append(("content-length", length))
    headers.extend(extra)
    if not body and trailers is None:
        s.send_headers(sid, headers, end_stream=True)
        return
    s.send_headers(sid, headers)
    if split:
        for i in range(0, len(body), split):
            s.send_data(sid, body[i:i + split])
    elif body:
        s.send_data(sid, body)
    if trailers is not None:
        s.send_headers(sid, trailers, end_stream=True)
    else:
        s.end_stream(sid)


def seeds():
    s = server()
    for sid in STREAMS:
        respond(s, sid)
    yield "honest", s.data_to_send()

    s = server()
    for sid in reversed(STREAMS):
        respond(s, sid, body=answer(f"s{sid}.example."), split=7)
    yield "reversed-split", s.data_to_send()

    s = server()
    respond(s, 1, status="404", ctype="text/plain", body=b"not found\n")
    respond(s, 3, status="503", ctype=None, body=b"")
    respond(s, 5, status="200", ctype="text/html; charset=utf-8")
    yield "http-errors", s.data_to_send()

    s = server()
    respond(s, 1, ctype="Application/DNS-Message ; charset=binary")
    respond(s, 3, length="70000", body=answer())
    respond(s, 5, body=b"", length=True)
    yield "type-size-empty", s.data_to_send()

    s = server()
    s.send_headers(1, [(":status", "100")])
    respond(s, 1, trailers=[("x-trailer", "yes")])
    respond(s, 3, extra=[("cache-control", "max-age=300")])
    s.reset_stream(5, h2.errors.ErrorCodes.REFUSED_STREAM)
    yield "informational-trailers-refused", s.data_to_send()

    s = server()
    respond(s, 1)
    s.ping(b"12345678")
    s.close_connection(last_stream_id=1)
    yield "goaway", s.data_to_send()

    s = server()
    s.reset_stream(1, h2.errors.ErrorCodes.INTERNAL_ERROR)
    respond(s, 3)
    s.close_connection(error_code=h2.errors.ErrorCodes.PROTOCOL_ERROR, last_stream_id=3)
    yield "reset-goaway-error", s.data_to_send()


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if not f.startswith(("crash-", "regress-")):
            os.remove(os.path.join(OUT, f))
    for name, data in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
