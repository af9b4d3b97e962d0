"""Forwarding and iteration mix: a `forward` zone wins over iteration for the names in it,
and every other name is still resolved from the root (issue 4)."""
import os
import signal
import subprocess

import dns.message
import dns.rcode
import pytest

from .conftest import _wait_ready, holdfast_config

MIXED_ADDR = "127.0.0.3"  # inside res
NEAR_SERVER = "198.19.1.1"  # serves example.cn. and near.cn., but not cn. itself


@pytest.fixture(scope="module")
def mixed(world, holdfast_bin, tmp_path_factory):
    d = str(tmp_path_factory.mktemp("mixed"))
    conf = os.path.join(d, "holdfast.yaml")
    text = holdfast_config(d, world).replace('"127.0.0.2@53"', f'"{MIXED_ADDR}@53"')
    text += f'forward:\n  - zone: "cn."\n    upstreams: ["{NEAR_SERVER}"]\n'
    with open(conf, "w") as f:
        f.write(text)
    log = os.path.join(d, "holdfast.stderr")
    with open(log, "wb") as out:
        p = world.popen("res", [holdfast_bin, "-c", conf, "--foreground"], title="mixed",
                        stdout=out, stderr=subprocess.STDOUT)

    def probe():
        return world.query("res", MIXED_ADDR, "www.alpha.com.", "A", rd=True, timeout=2)

    try:
        _wait_ready(world, p, probe, 15.0, "holdfast (mixed)", log)
    except Exception:
        world.stop(p)
        raise
    yield p
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=10) == 0


def ask(world, qname, qtype="A"):
    return world.query("res", MIXED_ADDR, qname, qtype, rd=True, timeout=10)


def test_forward_zone_goes_to_its_upstream(world, mixed):
    m = ask(world, "www.example.cn.")
    assert m.rcode() == dns.rcode.NOERROR
    assert {rd.to_text() for rrset in m.answer for rd in rrset} == {"203.0.113.80"}


def test_forward_zone_wins_over_iteration(world, mixed):
    # Iteration would ask cn.'s own server and get its SOA; the forward zone sends the
    # question to a server that does not serve cn. itself, which refuses it.
    m = ask(world, "cn.", "SOA")
    assert m.rcode() == dns.rcode.SERVFAIL


def test_other_names_still_iterate(world, mixed):
    m = ask(world, "www.alpha.com.")
    assert m.rcode() == dns.rcode.NOERROR
    assert {rd.to_text() for rrset in m.answer for rd in rrset} == {"203.0.113.10",
                                                                      "203.0.113.11"}
