# SPDX-License-Identifier: GPL-3.0-or-later
"""Policy (issue #8) against the real holdfast and NSD: local-data, RPZ
triggers and actions, block lists, each answer's Extended DNS Error; reloads
that take effect, reloads that are refused (a bad file, the blast-radius
guard), and the run-time breaker on the 2014 shape: a wildcard at the root
that redirects everything to 65.49.2.178.

Loads are bounded (at most a few hundred queries) and on loopback only."""

import json
import os
import subprocess
import time

import pytest

import dns.edns
import dns.rcode
import dns.rdatatype

import zones
from conftest import ask

CTL_TIMEOUT = 45
REDIRECT = "65.49.2.178"  # where 2014's misfire sent everything

RPZ_ZONE = """$TTL 300
@ SOA localhost. root.localhost. ( 1 3600 600 86400 300 )
  NS localhost.
; QNAME triggers
nx.example.test        CNAME .
nodata.example.test    CNAME *.
www.example.test       CNAME rpz-passthru.
*.wild.example.test    CNAME .
kept.wild.example.test CNAME rpz-passthru.
drop.example.test      CNAME rpz-drop.
txt.example.test       CNAME rpz-tcp-only.
local.example.test     A 192.0.2.77
                       TXT "redirected"
; response-IP: mail.example.test is 192.0.2.25, ttl is 192.0.2.40
32.25.2.0.192.rpz-ip   CNAME .
32.40.2.0.192.rpz-ip   A 192.0.2.99
128.40.zz.db8.2001.rpz-ip CNAME *.
"""

HOSTS = """# a hosts file as lists publish it
127.0.0.1 localhost
255.255.255.255 broadcasthost
0.0.0.0 name1.example.test name2.example.test
"""

DOMAINS = """# one name a line: the name and below
other.test
*.name3.example.test
"""


def ede(msg):
    """(code, text) of the answer's Extended DNS Error, or None."""
    for o in msg.options:
        if o.otype == dns.edns.EDE:
            return o.code, o.text
    return None


def addrs(msg):
    return sorted(r.address for rrset in msg.answer for r in rrset
                  if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


@pytest.fixture(scope="session")
def ctl_bin(holdfast_bin):
    return os.path.join(os.path.dirname(holdfast_bin), "holdfastctl")


def ctl(ctl_bin, hf, *args):
    return subprocess.run([ctl_bin, "-s", hf.config["control"]["socket"], *args],
                          capture_output=True, text=True, timeout=CTL_TIMEOUT)


def policy_config(tmp_path, rpz=None, hosts=None, domains=None, **extra):
    pol = dict(extra)
    if rpz is not None:
        pol["rpz"] = [{"file": write(tmp_path / "policy.rpz", rpz), "name": "rpz.test"}]
    lists = []
    if hosts is not None:
        lists.append({"file": write(tmp_path / "ads.hosts", hosts), "format": "hosts"})
    if domains is not None:
        lists.append({"file": write(tmp_path / "domains.txt", domains), "format": "domains",
                      "action": "nodata", "name": "domains"})
    if lists:
        pol["blocklists"] = lists
    return {"policy": pol}


@pytest.fixture
def policed(holdfast_factory, nsd, tmp_path):
    cfg = policy_config(tmp_path, rpz=RPZ_ZONE, hosts=HOSTS, domains=DOMAINS)
    cfg["local-data"] = ["host.lan. 300 A 192.0.2.7", "nx.example.test. 300 A 192.0.2.8"]
    return holdfast_factory([nsd.server], cfg)


def reload_and_wait(hf, config, check, timeout=10.0):
    hf.reload(config)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"the reload did not take effect within {timeout}s; stderr:\n{hf.stderr()}")


# --- triggers and actions ------------------------------------------------------------


def test_local_data_comes_first(policed):
    r = policed.ask("host.lan.")
    assert addrs(r) == ["192.0.2.7"] and r.flags & 0x0400  # AA: holdfast's own data
    assert ede(r) is None
    # nx.example.test is CNAME . in the zone too: local data wins.
    assert addrs(policed.ask("nx.example.test.")) == ["192.0.2.8"]
    assert policed.ask("host.lan.", "AAAA").answer == []


def test_rpz_qname_actions(policed):
    r = policed.ask("nodata.example.test.")
    assert r.rcode() == dns.rcode.NOERROR and r.answer == []
    assert ede(r) == (17, "filtered by response policy zone rpz.test.")
    r = policed.ask("a.wild.example.test.")
    assert r.rcode() == dns.rcode.NXDOMAIN and ede(r)[0] == 17
    r = policed.ask("local.example.test.")
    assert addrs(r) == ["192.0.2.77"] and ede(r)[0] == 17
    assert policed.ask("local.example.test.", "TXT").answer[0][0].strings == (b"redirected",)
    assert policed.ask("local.example.test.", "MX").answer == []


def test_rpz_passthru_stops_evaluation(policed):
    # kept.wild is PASSTHRU although *.wild is NXDOMAIN; the zone answers *.wild itself.
    r = policed.ask("kept.wild.example.test.")
    assert addrs(r) == ["192.0.2.200"] and ede(r) is None
    assert addrs(policed.ask("www.example.test.")) == sorted(zones.texts(
        "www.example.test.", "A"))


def test_rpz_drop_sends_nothing(policed):
    with pytest.raises(dns.exception.Timeout):
        policed.ask("drop.example.test.", timeout=1.0)
    assert policed.running()


def test_rpz_tcp_only(policed):
    r = policed.ask("txt.example.test.", "TXT")
    assert r.flags & 0x0200 and r.answer == [] and ede(r)[0] == 17  # TC over UDP
    r = policed.ask("txt.example.test.", "TXT", tcp=True)
    assert r.answer[0][0].strings == (b"hello world",) and ede(r) is None


def test_rpz_response_ip_fresh_and_cached(policed):
    for _ in range(2):  # the second answer comes from the cache: filtered all the same
        r = policed.ask("mail.example.test.")
        assert r.rcode() == dns.rcode.NXDOMAIN and ede(r)[0] == 17
        r = policed.ask("ttl.example.test.")
        assert addrs(r) == ["192.0.2.99"] and ede(r)[0] == 17
        r = policed.ask("ttl-aaaa.example.test.", "AAAA")
        assert r.rcode() == dns.rcode.NOERROR and r.answer == [] and ede(r)[0] == 17


def test_blocklists(policed):
    r = policed.ask("name1.example.test.")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert ede(r) == (15, "blocked by list ads.hosts")
    # hosts entries are exact names; single-label ones (localhost) are skipped
    assert addrs(policed.ask("name4.example.test.")) == ["192.0.2.104"]
    # domains: the name and below, with the list's action (nodata)
    for name in ("end.other.test.", "other.test."):
        r = policed.ask(name)
        assert r.rcode() == dns.rcode.NOERROR and r.answer == []
        assert ede(r) == (15, "blocked by list domains")
    # *.name3: below only
    assert policed.ask("a.name3.example.test.").answer == []
    assert addrs(policed.ask("name3.example.test.")) == ["192.0.2.103"]


def test_blocklist_address_action(holdfast_factory, nsd, tmp_path):
    cfg = {"policy": {"blocklists": [{"file": write(tmp_path / "l.txt", "name5.example.test\n"),
                                      "action": "192.0.2.250"}]}}
    hf = holdfast_factory([nsd.server], cfg)
    r = hf.ask("sub.name5.example.test.")
    assert addrs(r) == ["192.0.2.250"] and ede(r) == (15, "blocked by list l.txt")
    assert hf.ask("name5.example.test.", "AAAA").answer == []


# --- reloads -------------------------------------------------------------------------


def test_reload_with_a_changed_list_takes_effect(holdfast_factory, nsd, tmp_path):
    cfg = policy_config(tmp_path, domains="name6.example.test\n")
    hf = holdfast_factory([nsd.server], cfg)
    assert hf.ask("name6.example.test.").answer == []
    assert addrs(hf.ask("name7.example.test.")) == ["192.0.2.107"]
    write(tmp_path / "domains.txt", "name7.example.test\n")
    reload_and_wait(hf, hf.config, lambda: hf.ask("name7.example.test.").answer == [])
    assert addrs(hf.ask("name6.example.test.")) == ["192.0.2.106"]


def test_bad_file_on_reload_keeps_the_policy(ctl_bin, holdfast_factory, nsd, tmp_path):
    cfg = policy_config(tmp_path, domains="name8.example.test\n")
    hf = holdfast_factory([nsd.server], cfg)
    path = write(tmp_path / "domains.txt", "name8.example.test\nbad name here\n")
    r = ctl(ctl_bin, hf, "reload")
    assert r.returncode == 1
    assert f"policy.blocklists[0].file: {path}: line 2: one name a line" in r.stderr
    assert "holdfast.yaml:" in r.stderr
    assert hf.ask("name8.example.test.").answer == []  # the old policy still answers
    assert "reload failed" in hf.stderr()


def test_bad_rpz_line_is_refused_at_check(holdfast_bin, tmp_path):
    conf = tmp_path / "h.yaml"
    rpz = write(tmp_path / "bad.rpz", "@ SOA a. b. 1 2 3 4 5\nx A 1.2.3\n")
    conf.write_text(f"policy:\n  rpz:\n    - file: {rpz}\n      name: rpz.test\n")
    r = subprocess.run([holdfast_bin, "--check-config", "-c", str(conf)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert f"h.yaml:3: policy.rpz[0].file: {rpz}: line 2:" in r.stderr


# --- the blast-radius guard and the breaker: 2014 -------------------------------------

ROOT_WILDCARD = f"""$TTL 300
@ SOA localhost. root.localhost. ( 1 3600 600 86400 300 )
  NS localhost.
* A {REDIRECT}
"""


def ask_many(hf, n, prefix="n"):
    """n distinct names, all resolvable (*.wild.example.test)."""
    out = []
    for i in range(n):
        out.append(hf.ask(f"{prefix}{i}.wild.example.test."))
    return out


def test_root_wildcard_refused_at_start(holdfast_bin, tmp_path):
    rpz = write(tmp_path / "root.rpz", ROOT_WILDCARD)
    conf = tmp_path / "h.yaml"
    conf.write_text(f"listen: [127.0.0.1@1]\npolicy:\n  rpz:\n    - file: {rpz}\n"
                    "      name: rpz.test\n")
    r = subprocess.run([holdfast_bin, "-c", str(conf), "--foreground"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1
    assert ("policy refused (policy.force: true loads it anyway): 1 rule at or above a "
            "top-level domain: * (rpz.test., line 4)") in r.stderr


def test_2014_root_wildcard_refused_then_forced_then_broken(ctl_bin, holdfast_factory, nsd,
                                                            tmp_path):
    cfg = {"policy": {"breaker": {"min-hits": 50, "share": "20%"}}}
    hf = holdfast_factory([nsd.server], cfg)
    ask_many(hf, 120)  # recent traffic for the guard to weigh the policy against
    forced = policy_config(tmp_path, rpz=ROOT_WILDCARD)
    forced["policy"]["breaker"] = cfg["policy"]["breaker"]
    hf.write_config({**hf.config, **forced})

    r = ctl(ctl_bin, hf, "reload")
    assert r.returncode == 1, r.stdout
    print("refused:", r.stderr.strip())
    assert "policy refused, the running one stays" in r.stderr
    assert "1 rule at or above a top-level domain: * (rpz.test., line 4)" in r.stderr
    assert ("it would newly change the answer for 120 of the 120 recently asked names "
            "(100.0%, over policy.max-blast 1%), among them n0.wild.example.test.") in r.stderr
    assert addrs(hf.ask("n1.wild.example.test.")) == ["192.0.2.200"]

    r = ctl(ctl_bin, hf, "reload", "--force")
    assert r.returncode == 0, r.stderr
    assert addrs(hf.ask("x0.wild.example.test.")) == [REDIRECT]  # the misfire is live
    t0 = time.monotonic()
    tripped = None
    for i in range(400):
        msg = hf.ask(f"m{i}.wild.example.test.")
        if addrs(msg) == ["192.0.2.200"]:
            tripped = time.monotonic() - t0
            break
        time.sleep(0.01)
    assert tripped is not None, "the breaker never tripped"
    print(f"breaker tripped after {tripped:.1f} s and {i + 1} queries")
    assert tripped < 10
    assert addrs(hf.ask("again.wild.example.test.")) == ["192.0.2.200"]

    inc = json.loads(ctl(ctl_bin, hf, "--json", "incidents").stdout)["incidents"]
    br = [x for x in inc if x["rule"] == "policy-breaker"]
    assert len(br) == 1 and br[0]["state"] == "open", inc
    assert br[0]["policy_rule"] == "*" and br[0]["source"] == "rpz.test."
    assert br[0]["share"] > 0.2 and br[0]["sample"], br[0]
    with open(hf.config["events"]["file"]) as f:
        events = [json.loads(line) for line in f if "policy-breaker" in line]
    assert events and events[0]["state"] == "open"
    text = ctl(ctl_bin, hf, "incidents").stdout
    assert "policy-breaker" in text

    # The operator reloads (the rule removed): the incident closes.
    hf.write_config({**hf.config, "policy": {}})
    assert ctl(ctl_bin, hf, "reload").returncode == 0
    inc = json.loads(ctl(ctl_bin, hf, "--json", "incidents").stdout)["incidents"]
    assert [x["state"] for x in inc if x["rule"] == "policy-breaker"] == ["closed"]


def test_blocklist_hitting_recent_names_is_refused(ctl_bin, holdfast_factory, nsd, tmp_path):
    hf = holdfast_factory([nsd.server])
    ask_many(hf, 100)
    for i in range(5):
        hf.ask(f"name{i}.example.test.")
    hosts = "".join(f"0.0.0.0 name{i}.example.test\n" for i in range(5))
    hf.write_config({**hf.config, **policy_config(tmp_path, hosts=hosts)})
    r = ctl(ctl_bin, hf, "reload")
    assert r.returncode == 1
    print("refused:", r.stderr.strip())
    assert "would newly change the answer for 5 of the 105 recently asked names" in r.stderr
    assert "(4.8%, over policy.max-blast 1%)" in r.stderr
    assert "name0.example.test." in r.stderr
    assert addrs(hf.ask("name0.example.test.")) == ["192.0.2.100"]
    metrics = ctl(ctl_bin, hf, "--json", "stats")
    assert json.loads(metrics.stdout)["holdfast_policy_refused_total"] == 1
    assert ctl(ctl_bin, hf, "reload", "--force").returncode == 0
    assert hf.ask("name0.example.test.").rcode() == dns.rcode.NXDOMAIN
