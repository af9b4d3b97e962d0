# SPDX-License-Identifier: GPL-3.0-or-later
"""Configuration errors and reloads.

`holdfast --check-config -c FILE` exits non-zero for every class of error
and prints one message naming the file, the line and the key; a good file
passes. SIGHUP with a bad file keeps the old config and logs why; SIGHUP
with a good file takes effect. SIGTERM exits with status 0 (checked by the
holdfast fixture for every test)."""

import os
import re
import signal
import subprocess
import threading
import time

import dns.rcode
import pytest

from conftest import ask

# (name, file text, line of the error, key the message must name)
BAD_CONFIGS = [
    ("unknown-top-level-key", 'listen: ["127.0.0.1@5353"]\nbogus-key: 1\n', 2, "bogus-key"),
    ("unknown-nested-key", 'cache:\n  path: ""\n  sise: 10M\n', 3, "cache.sise"),
    ("unknown-key-in-forward-zone",
     'forward:\n  - zone: .\n    upstreams: ["127.0.0.1@53"]\n    upstream: ["127.0.0.1@53"]\n',
     4, "upstream"),
    ("bool-not-bool", "resolver:\n  qname-minimisation: maybe\n", 2,
     "resolver.qname-minimisation"),
    ("list-where-scalar", "cache:\n  size: [1, 2]\n", 2, "cache.size"),
    ("mapping-where-list", "listen: {a: b}\n", 1, "listen"),
    ("scalar-where-section", "cache: 5\n", 1, "cache"),
    ("bad-duration", "cache:\n  max-ttl: 2x\n", 2, "cache.max-ttl"),
    ("bad-size", "cache:\n  size: lots\n", 2, "cache.size"),
    ("negative-size", "cache:\n  size: -5M\n", 2, "cache.size"),
    ("edns-buffer-too-big", "resolver:\n  edns-buffer-size: 70000\n", 2,
     "resolver.edns-buffer-size"),
    ("edns-buffer-too-small", "resolver:\n  edns-buffer-size: 100\n", 2,
     "resolver.edns-buffer-size"),
    ("workers-not-a-number", "workers: many\n", 1, "workers"),
    ("bad-listen-address", 'listen: ["300.1.1.1@53"]\n', 1, "listen"),
    ("bad-listen-port", 'listen: ["127.0.0.1@70000"]\n', 1, "listen"),
    ("bad-upstream-address", 'forward:\n  - zone: .\n    upstreams: ["not-an-address"]\n', 3,
     "upstreams"),
    ("forward-zone-bad-name", 'forward:\n  - zone: "a..b"\n    upstreams: ["127.0.0.1@53"]\n', 2,
     "zone"),
    ("forward-zone-without-upstreams", "forward:\n  - zone: .\n", 2, "upstreams"),
    ("bad-prefix", 'access:\n  allow: ["127.0.0.0/33"]\n', 2, "access.allow"),
    ("bad-prefix-address", 'access:\n  allow: ["banana/8"]\n', 2, "access.allow"),
    ("bad-log-level", "log:\n  level: loud\n", 2, "log.level"),
    ("bad-local-data", 'local-data: ["host.lan. 300 A not-an-ip"]\n', 1, "local-data"),
    ("duplicate-key", "cache:\n  size: 1M\n  size: 2M\n", 3, "cache.size"),
]

# YAML that libyaml itself rejects: the message names file and line, no key.
SYNTAX_ERRORS = [
    ("tab-indent", "cache:\n\tpath: x\n", 2),
    ("unclosed-flow-list", 'listen: ["127.0.0.1@53"\nlog:\n  level: info\n', None),
    ("bad-indentation", "cache:\n  path: x\n size: 1M\n", 3),
    ("top-level-list", "- listen\n- cache\n", 1),
]


def _check(holdfast_bin, path, cwd):
    return subprocess.run([holdfast_bin, "--check-config", "-c", path], cwd=cwd,
                          capture_output=True, text=True, timeout=20)


def _write(dirpath, name, text):
    p = os.path.join(dirpath, name)
    with open(p, "w") as f:
        f.write(text)
    return p


@pytest.mark.parametrize("name,text,line,key", BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_check_config_rejects(holdfast_bin, tmp_path, name, text, line, key):
    _write(tmp_path, "bad.yaml", text)
    p = _check(holdfast_bin, "bad.yaml", tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode != 0, f"accepted:\n{text}\n{out}"
    assert f"bad.yaml:{line}" in out, f"file:line missing in: {out!r}"
    assert key in out, f"key {key!r} missing in: {out!r}"
    assert "Sanitizer" not in out and "runtime error" not in out, out


@pytest.mark.parametrize("name,text,line", SYNTAX_ERRORS, ids=[c[0] for c in SYNTAX_ERRORS])
def test_check_config_rejects_yaml_syntax(holdfast_bin, tmp_path, name, text, line):
    _write(tmp_path, "bad.yaml", text)
    p = _check(holdfast_bin, "bad.yaml", tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode != 0, f"accepted:\n{text}\n{out}"
    if line is None:
        assert re.search(r"bad\.yaml:\d+", out), f"file:line missing in: {out!r}"
    else:
        assert f"bad.yaml:{line}" in out, f"file:line missing in: {out!r}"
    assert "Sanitizer" not in out and "runtime error" not in out, out


def test_check_config_rejects_missing_file(holdfast_bin, tmp_path):
    p = _check(holdfast_bin, "no-such.yaml", tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode != 0
    assert "no-such.yaml" in out


def test_check_config_rejects_directory(holdfast_bin, tmp_path):
    (tmp_path / "adir.yaml").mkdir()
    p = _check(holdfast_bin, "adir.yaml", tmp_path)
    assert p.returncode != 0
    assert "adir.yaml" in p.stdout + p.stderr


def test_check_config_rejects_binary_junk(holdfast_bin, tmp_path):
    (tmp_path / "junk.yaml").write_bytes(bytes(range(256)) * 4)
    p = _check(holdfast_bin, "junk.yaml", tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode != 0
    assert "junk.yaml" in out
    assert "Sanitizer" not in out and "runtime error" not in out, out


GOOD = """# every key from DESIGN.md, with non-default values
listen: ["127.0.0.1@5353", "::1@5353"]
workers: auto
forward:
  - zone: .
    upstreams: ["192.0.2.1@53", "tls://192.0.2.2@853#dns.example", "https://dns.example/dns-query@192.0.2.4"]
  - zone: example.test.
    upstreams: [192.0.2.3]
trust-anchors: []
negative-trust-anchors: [example.test.]
local-data: ["host.lan. 300 A 192.0.2.7"]
resolver:
  qname-minimisation: false
  strict-glue: true
  upstream-ip4: true
  upstream-ip6: false
  allow-loopback-upstreams: true
  outgoing: []
  edns-buffer-size: 1232
  local-zones: true
cache:
  path: ""
  size: 64M
  min-ttl: 0s
  max-ttl: 1d
serve-stale: { enabled: true, max-stale: 1d, client-timeout: 1800ms, answer-ttl: 30s }
access: { allow: [127.0.0.0/8, "::1/128"] }
control: { socket: /tmp/holdfast-test-control.sock, http: 127.0.0.1@8053 }
events: { file: /tmp/holdfast-test-events.jsonl }
log: { level: info }
"""


@pytest.mark.parametrize("text", [GOOD, "", "# only a comment\n", "{}\n"],
                         ids=["every-key", "empty", "comment-only", "empty-mapping"])
def test_check_config_accepts_good_files(holdfast_bin, tmp_path, text):
    _write(tmp_path, "good.yaml", text)
    p = _check(holdfast_bin, "good.yaml", tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr


def test_daemon_refuses_to_start_with_bad_config(holdfast_bin, tmp_path):
    _write(tmp_path, "bad.yaml", "cache:\n  sise: 10M\n")
    p = subprocess.run([holdfast_bin, "-c", "bad.yaml", "--foreground"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=20)
    assert p.returncode != 0
    assert "bad.yaml:2" in p.stdout + p.stderr


# --- reloads ---------------------------------------------------------------


def _wait_for(pred, timeout=5.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def test_sighup_with_bad_config_keeps_old_one(holdfast_factory, nsd, client_ip):
    src = client_ip()
    hf = holdfast_factory([nsd.server], config={"access": {"allow": [f"{src}/32"]}})
    assert hf.ask("www.example.test.", "A", source=src).rcode() == dns.rcode.NOERROR
    good_text = open(hf.conf).read()
    # Same file, one unknown key added at the end (its line is the last line).
    bad_text = good_text + "cache-typo: 1\n"
    bad_line = bad_text.count("\n")
    log_before = len(hf.stderr())
    hf.reload(bad_text)
    assert _wait_for(lambda: "cache-typo" in hf.stderr()[log_before:]), \
        "the rejected reload was not logged with the key"
    new_log = hf.stderr()[log_before:]
    assert f"holdfast.yaml:{bad_line}" in new_log, new_log
    assert hf.running()
    # The old config still rules: the allowed client is still answered.
    r = hf.ask("www.example.test.", "A", source=src)
    assert r.rcode() == dns.rcode.NOERROR and r.answer


def test_sighup_with_good_config_takes_effect(holdfast_factory, nsd, client_ip):
    first, second = client_ip(), client_ip()
    hf = holdfast_factory([nsd.server], config={"access": {"allow": [f"{first}/32"]}})
    assert hf.ask("www.example.test.", "A", source=first).rcode() == dns.rcode.NOERROR
    assert hf.ask("www.example.test.", "A", source=second).rcode() == dns.rcode.REFUSED
    cfg = dict(hf.config)
    cfg["access"] = {"allow": [f"{second}/32"]}
    hf.reload(cfg)
    assert _wait_for(lambda: hf.ask("www.example.test.", "A", source=second).rcode()
                     == dns.rcode.NOERROR), "the new access.allow did not take effect"
    assert hf.ask("www.example.test.", "A", source=first).rcode() == dns.rcode.REFUSED
    assert hf.running()


def test_sighup_with_unreadable_config_keeps_running(holdfast_factory, nsd):
    hf = holdfast_factory([nsd.server])
    os.unlink(hf.conf)
    log_before = len(hf.stderr())
    hf.proc.send_signal(signal.SIGHUP)
    assert _wait_for(lambda: "holdfast.yaml" in hf.stderr()[log_before:]), \
        "the failed reload was not logged with the file name"
    assert hf.running()
    assert hf.ask("www.example.test.", "A").rcode() == dns.rcode.NOERROR
    hf.write_config(hf.config)  # leave a file behind for a tidy teardown


def test_sigterm_during_queries_exits_cleanly(holdfast_factory, nsd, bad_upstream):
    """SIGTERM while a query waits on a slow upstream: exit status 0, promptly."""
    slow = bad_upstream("slow", delay=3.0)
    hf = holdfast_factory([slow.server])
    t = threading.Thread(target=lambda: _ignore(ask, hf.server, "www.example.test.", "A",
                                                timeout=5), daemon=True)
    t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    rc = hf.stop(timeout=10)
    assert rc == 0, f"exit status {rc} after SIGTERM"
    assert time.monotonic() - t0 < 8


def _ignore(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except Exception:  # noqa: BLE001
        pass
