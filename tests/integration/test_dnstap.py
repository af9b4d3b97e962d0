# SPDX-License-Identifier: GPL-3.0-or-later
"""The dnstap query log, read back with the real tools: dnstap-ldns decodes
what holdfast wrote to a file, fstrm_capture collects what it sent to a Unix
socket. A miss shows the client's query, holdfast's query to NSD and NSD's
reply, and the answer; a cache hit shows only the client's pair. Off by
default; a log that cannot be written stops the start with a clear line."""

import os
import signal
import socket
import subprocess
import time

import dns.rcode
import pytest
import yaml

import zones
from conftest import answer_rrset, rdata_set

NAME = "www.example.test."


def read_dnstap(path, *, all_frames=False):
    """The messages of a dnstap file as dicts, in order (dnstap-ldns -y: one YAML document
    each), without the readiness probe the fixture sends unless all_frames."""
    out = subprocess.run(["dnstap-ldns", "-r", str(path), "-y"], capture_output=True, text=True,
                         timeout=20)
    assert out.returncode == 0, f"dnstap-ldns failed on {path}: {out.stderr}"
    frames = [d for d in yaml.safe_load_all(out.stdout) if d]
    return frames if all_frames else [f for f in frames if not asks(f, "probe.invalid.")]


def asks(frame, qname):
    """Does the frame's query or response carry qname in its question section?"""
    m = frame["message"]
    text = m.get("query_message", "") + m.get("response_message", "")
    return f";{qname}\tIN\t" in text


def types(frames):
    return [f["message"]["type"] for f in frames]


def test_file_has_client_and_forwarder_messages(holdfast_factory, nsd, client_ip, tmp_path):
    path = tmp_path / "tap.fstrm"
    hf = holdfast_factory([nsd.server], config={"dnstap": {"file": str(path),
                                                          "identity": "tap-test"}})
    src = client_ip()
    miss = hf.ask(NAME, "A", source=src)
    hit = hf.ask(NAME, "A", source=src)
    tcp_hit = hf.ask(NAME, "A", tcp=True, source=src)
    for r in (miss, hit, tcp_hit):
        assert r.rcode() == dns.rcode.NOERROR
        assert rdata_set(answer_rrset(r, NAME, "A")) == zones.texts(NAME, "A")
    # SIGTERM: the file must be flushed and the stream ended before exit.
    assert hf.stop() == 0
    written = len(read_dnstap(path, all_frames=True))
    assert f"dnstap: {written} messages written" in hf.stderr(), hf.stderr()
    assert "0 dropped" in hf.stderr()

    frames = read_dnstap(path)
    assert types(frames) == [
        "CLIENT_QUERY", "FORWARDER_QUERY", "FORWARDER_RESPONSE", "CLIENT_RESPONSE",  # miss
        "CLIENT_QUERY", "CLIENT_RESPONSE",  # hit over UDP: nothing upstream
        "CLIENT_QUERY", "CLIENT_RESPONSE",  # hit over TCP
    ], types(frames)
    for f in frames:
        assert f["identity"] == "tap-test"
        assert f["version"].startswith("holdfast ")
        assert asks(f, NAME), f
        assert f["message"]["socket_family"] == "INET"

    client = [f["message"] for f in frames if f["message"]["type"].startswith("CLIENT_")]
    for m, proto in zip(client, ["UDP"] * 4 + ["TCP"] * 2):
        assert m["socket_protocol"] == proto, m
        assert m["query_address"] == src, m
        assert m["response_address"] == hf.addr, m
        assert m["response_port"] == hf.port, m
    assert "query_time" in client[0] and "response_time" in client[1]

    up = [f["message"] for f in frames if f["message"]["type"].startswith("FORWARDER_")]
    for m in up:
        assert m["socket_protocol"] == "UDP"
        assert m["response_address"] == nsd.addr and m["response_port"] == nsd.port, m
        assert m["query_zone"] == "."
    assert "query_message" in up[0] and "response_message" in up[1]
    # The reply carries the time its query left, for the round trip.
    assert "query_time" in up[1] and "response_time" in up[1]


def test_client_only_and_default_identity(holdfast_factory, nsd, tmp_path):
    path = tmp_path / "tap.fstrm"
    hf = holdfast_factory([nsd.server], config={"dnstap": {"file": str(path),
                                                          "upstream": False}})
    hf.ask("mail.example.test.", "MX")
    assert hf.stop() == 0
    frames = read_dnstap(path)
    assert types(frames) == ["CLIENT_QUERY", "CLIENT_RESPONSE"]
    assert frames[0]["identity"] == socket.gethostname()


def test_off_by_default(holdfast_factory, nsd):
    hf = holdfast_factory([nsd.server])
    before = set(os.listdir(hf.dir))
    hf.ask(NAME, "A")
    assert hf.stop() == 0
    assert "dnstap" not in hf.stderr()
    new = set(os.listdir(hf.dir)) - before
    assert not new, f"files appeared with dnstap off: {new}"


def test_socket_to_fstrm_capture(holdfast_factory, nsd, tmp_path):
    sock = tmp_path / "tap.sock"
    out = tmp_path / "captured.fstrm"
    cap = subprocess.Popen(["fstrm_capture", "-t", "protobuf:dnstap.Dnstap", "-u", str(sock),
                            "-w", str(out)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 5
        while not sock.exists() and time.monotonic() < deadline:
            assert cap.poll() is None, cap.stderr.read()
            time.sleep(0.05)
        assert sock.exists(), "fstrm_capture did not create its socket"
        hf = holdfast_factory([nsd.server], config={"dnstap": {"socket": str(sock)}})
        hf.ask("txt.example.test.", "TXT")
        assert hf.stop() == 0
        assert "0 dropped" in hf.stderr(), hf.stderr()
        # holdfast ended its stream (STOP frame); give fstrm_capture a moment to write it out.
        time.sleep(0.5)
    finally:
        cap.send_signal(signal.SIGINT)
        try:
            cap.wait(timeout=5)
        except subprocess.TimeoutExpired:
            cap.kill()
            cap.wait(timeout=5)
    frames = read_dnstap(out)
    assert types(frames) == ["CLIENT_QUERY", "FORWARDER_QUERY", "FORWARDER_RESPONSE",
                             "CLIENT_RESPONSE"], types(frames)
    assert all(asks(f, "txt.example.test.") for f in frames)


def _start_fails(hf, want):
    """Runs holdfast on hf's config: it must exit non-zero, saying `want`, without a sanitizer
    report."""
    p = subprocess.run([hf.bin, "-c", hf.conf, "--foreground"], capture_output=True, text=True,
                       timeout=20)
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert want in out, out
    assert "Sanitizer" not in out and "runtime error" not in out, out
    return out


def test_unwritable_file_stops_start(holdfast_factory, nsd, tmp_path):
    bad = tmp_path / "no-such-dir" / "tap.fstrm"
    hf = holdfast_factory([nsd.server], config={"dnstap": {"file": str(bad)}}, start=False)
    _start_fails(hf, f"dnstap.file {bad}: cannot be created: No such file or directory")


def test_socket_without_collector_stops_start(holdfast_factory, nsd, tmp_path):
    sock = tmp_path / "nobody.sock"
    hf = holdfast_factory([nsd.server], config={"dnstap": {"socket": str(sock)}}, start=False)
    _start_fails(hf, f"dnstap.socket {sock}: no collector listening")


def test_file_and_socket_both_rejected(holdfast_bin, tmp_path):
    conf = tmp_path / "bad.yaml"
    conf.write_text("dnstap:\n  file: /tmp/a.fstrm\n  socket: /tmp/b.sock\n")
    p = subprocess.run([holdfast_bin, "--check-config", "-c", str(conf)], capture_output=True,
                       text=True, timeout=20)
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "bad.yaml:3: dnstap.socket: dnstap.file and dnstap.socket are both set" in out, out


def test_reload_keeps_the_log(holdfast_factory, nsd, tmp_path):
    path = tmp_path / "tap.fstrm"
    hf = holdfast_factory([nsd.server], config={"dnstap": {"file": str(path)}})
    hf.ask(NAME, "A")
    cfg = dict(hf.config)
    cfg["dnstap"] = {"file": str(tmp_path / "other.fstrm")}
    hf.reload(cfg)
    deadline = time.monotonic() + 5
    while "dnstap settings change only on restart" not in hf.stderr():
        assert time.monotonic() < deadline, hf.stderr()
        time.sleep(0.05)
    hf.ask(NAME, "A")
    assert hf.stop() == 0
    assert not (tmp_path / "other.fstrm").exists()
    assert types(read_dnstap(path))[-2:] == ["CLIENT_QUERY", "CLIENT_RESPONSE"]
