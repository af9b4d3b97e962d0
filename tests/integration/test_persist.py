# SPDX-License-Identifier: GPL-3.0-or-later
"""The persistent cache (cache.path): answers survive a clean restart and a
kill -9 with the upstream gone, TTLs keep counting down while holdfast is
stopped, a garbage cache file is moved aside (and the log says so) while
holdfast starts and answers, an unusable cache.path leaves the cache in
memory, and the file stays within cache.size.

base_config sets cache.path to "" (memory only); each test here points it at
a directory of its own."""

import os
import stat
import time

import dns.rcode

import zones
from conftest import answer_rrset, rdata_set

# The writer commits a batch 50 ms after its first entry; this leaves it
# ample time before a test kills holdfast without warning.
COMMIT_WAIT = 0.5


def _cache_cfg(path, size="16M"):
    return {"cache": {"path": str(path), "size": size}}


def _www_is_answered(hf):
    r = hf.ask("www.example.test.", "A")
    assert r.rcode() == dns.rcode.NOERROR, r
    assert rdata_set(answer_rrset(r, "www.example.test.", "A")) == zones.texts(
        "www.example.test.", "A")
    return r


def test_answer_survives_clean_restart(holdfast_factory, nsd_factory, tmp_path):
    own = nsd_factory()
    hf = holdfast_factory([own.server], config=_cache_cfg(tmp_path / "cache"))
    _www_is_answered(hf)
    neg = hf.ask("nx-persist.example.test.", "A")
    assert neg.rcode() == dns.rcode.NXDOMAIN
    assert hf.stop() == 0
    own.stop()
    hf.start()
    assert "entries loaded" in hf.stderr()
    _www_is_answered(hf)
    again = hf.ask("nx-persist.example.test.", "A")
    assert again.rcode() == dns.rcode.NXDOMAIN, "the negative answer did not survive"


def test_answer_survives_kill_9(holdfast_factory, nsd_factory, tmp_path):
    own = nsd_factory()
    hf = holdfast_factory([own.server], config=_cache_cfg(tmp_path / "cache"))
    _www_is_answered(hf)
    time.sleep(COMMIT_WAIT)  # let the writer thread commit before the kill
    hf.kill()
    assert hf.proc.returncode == -9
    own.stop()
    hf.start()
    _www_is_answered(hf)


def test_ttl_counts_down_across_restart(holdfast_factory, nsd_factory, tmp_path):
    own = nsd_factory()
    hf = holdfast_factory([own.server], config=_cache_cfg(tmp_path / "cache"))
    ttl1 = answer_rrset(hf.ask("ttl.example.test.", "A"), "ttl.example.test.", "A").ttl
    assert hf.stop() == 0
    own.stop()
    time.sleep(2.2)
    hf.start()
    r = hf.ask("ttl.example.test.", "A")
    assert r.rcode() == dns.rcode.NOERROR, r
    ttl2 = answer_rrset(r, "ttl.example.test.", "A").ttl
    assert ttl1 - 5 <= ttl2 <= ttl1 - 2, (ttl1, ttl2)


def test_garbage_cache_file_moved_aside(holdfast_factory, nsd, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    garbage = bytes((i * 37 + 11) & 0xFF for i in range(50000))
    (cache / "data.mdb").write_bytes(garbage)
    hf = holdfast_factory([nsd.server], config=_cache_cfg(cache))
    _www_is_answered(hf)
    aside = [f for f in os.listdir(cache) if f.startswith("data.mdb.corrupt-")]
    assert len(aside) == 1, os.listdir(cache)
    assert (cache / aside[0]).read_bytes() == garbage
    log = hf.stderr()
    line = next((ln for ln in log.splitlines() if "moved it to" in ln), None)
    assert line is not None, log
    assert str(cache / "data.mdb") in line and aside[0] in line, line
    assert "not an LMDB file" in line, line
    # The new file works: what was just cached survives a restart.
    assert hf.stop() == 0
    hf.start()
    assert "entries loaded" in hf.stderr()
    assert len([f for f in os.listdir(cache) if f.startswith("data.mdb.corrupt-")]) == 1


def test_unusable_cache_path_keeps_cache_in_memory(holdfast_factory, nsd, tmp_path):
    plain = tmp_path / "a-file"
    plain.write_text("not a directory\n")
    hf = holdfast_factory([nsd.server], config=_cache_cfg(plain / "cache"))
    _www_is_answered(hf)
    assert "keeping the cache in memory only" in hf.stderr()


def test_cache_path_created_0700(holdfast_factory, nsd, tmp_path):
    path = tmp_path / "var" / "cache" / "holdfast"
    hf = holdfast_factory([nsd.server], config=_cache_cfg(path))
    _www_is_answered(hf)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    assert (path / "data.mdb").exists()


def test_cache_file_stays_within_cache_size(holdfast_factory, bad_upstream, tmp_path):
    # About 1 KB of TXT per name, 3000 names: three times what 1 MiB holds.
    text = ['"' + c * 250 + '"' for c in "abcd"]
    names = [f"n{i}.big.test." for i in range(3000)]
    up = bad_upstream("honest", records={(n, "TXT"): text for n in names})
    cache = tmp_path / "cache"
    hf = holdfast_factory([up.server], config=_cache_cfg(cache, size="1M"))
    for n in names:
        r = hf.ask(n, "TXT", tcp=True)
        assert r.rcode() == dns.rcode.NOERROR, (n, r)
    assert hf.stop() == 0
    assert os.path.getsize(cache / "data.mdb") <= 1024 * 1024
    hf.start()
    trouble = [ln for ln in hf.stderr().splitlines() if "cache file" in ln and (
        "moved it to" in ln or "failed" in ln or "not written" in ln)]
    assert not trouble, trouble
    # The newest names are among those kept.
    up.close()
    r = hf.ask(names[-1], "TXT", tcp=True)
    assert r.rcode() == dns.rcode.NOERROR, r
    assert os.path.getsize(cache / "data.mdb") <= 1024 * 1024
