# SPDX-License-Identifier: GPL-3.0-or-later
"""RPZ NSDNAME triggers where they apply: resolving from the private root, where the
iterator knows which name servers answered. A zone whose server is named in the policy
(ns1.gamma.org.) is filtered for every name in it, whatever the name; zones served by
other servers are not; a QNAME trigger and a response-IP trigger work from the root too.

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest -q -p no:cacheprovider \\
       tests/world/test_policy_world.py
"""

import os

import dns.edns
import dns.rcode
import pytest

from .conftest import attach, holdfast_config, holdfast_process, holdfast_stop

ADDR = "127.0.0.29"  # S2-S5 use 127.0.0.20-27, the web test 127.0.0.28

RPZ = """$TTL 300
@ SOA localhost. root.localhost. ( 1 3600 600 86400 300 )
  NS localhost.
ns1.gamma.org.rpz-nsdname CNAME .
www.beta.net CNAME *.
32.40.113.0.203.rpz-ip CNAME .
"""


@pytest.fixture(scope="module")
def policed(world, holdfast_bin, tmp_path_factory):
    d = str(tmp_path_factory.mktemp("policy"))
    rpz = os.path.join(d, "world.rpz")
    with open(rpz, "w") as f:
        f.write(RPZ)
    conf = holdfast_config(d, world, ADDR) + \
        f'policy: {{ rpz: [{{file: "{rpz}", name: rpz.world.}}] }}\n'
    hf = holdfast_process(world, holdfast_bin, d, conf, ADDR, title="holdfast-policy")
    yield world, hf
    holdfast_stop(world, hf)


def ask(world, name, qtype="A"):
    return world.query("res", ADDR, name, qtype, rd=True, timeout=10)


def filtered(r):
    return [o for o in r.options if isinstance(o, dns.edns.EDEOption) and
            o.code == dns.edns.EDECode.FILTERED]


def test_nsdname_filters_a_zone_by_its_server(policed, request):
    world, hf = policed
    attach(request, "holdfast log", hf.log)
    for name, qtype in (("end.gamma.org.", "A"), ("end.gamma.org.", "TXT"),
                        ("ns1.gamma.org.", "A")):
        r = ask(world, name, qtype)
        assert r.rcode() == dns.rcode.NXDOMAIN and filtered(r), r.to_text()
        assert "rpz.world." in filtered(r)[0].text
    r = ask(world, "www.alpha.com.")  # served by ns1.alpha.com.: not filtered
    assert r.rcode() == dns.rcode.NOERROR and not filtered(r), r.to_text()


def test_qname_and_response_ip_from_the_root(policed, request):
    world, hf = policed
    attach(request, "holdfast log", hf.log)
    r = ask(world, "www.beta.net.")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and filtered(r), r.to_text()
    r = ask(world, "www.hoster.net.")  # 203.0.113.40: the response-IP trigger
    assert r.rcode() == dns.rcode.NXDOMAIN and filtered(r), r.to_text()
    r = ask(world, "mail.alpha.com.")  # 203.0.113.25: untouched
    assert r.rcode() == dns.rcode.NOERROR and r.answer, r.to_text()
