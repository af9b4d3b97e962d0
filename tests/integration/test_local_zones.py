"""Special-use names are answered by holdfast itself (RFC 6761, RFC 6303,
RFC 7686) and never sent upstream, unless resolver.local-zones is off."""
import dns.rcode
import dns.rdatatype
import pytest

from conftest import ask, rdata_set


@pytest.fixture
def local(holdfast_factory, nsd):
    return holdfast_factory([nsd.server], config={"resolver": {"local-zones": True}})


@pytest.mark.parametrize("qname,rdtype,want", [
    ("localhost.", "A", {"127.0.0.1"}),
    ("foo.localhost.", "AAAA", {"::1"}),
    ("1.0.0.127.in-addr.arpa.", "PTR", {"localhost."}),
])
def test_localhost_answers(local, qname, rdtype, want):
    m = ask(local.server, qname, rdtype)
    assert m.rcode() == dns.rcode.NOERROR
    assert rdata_set(m.answer[0]) == want


@pytest.mark.parametrize("qname", [
    "x.invalid.", "a.b.onion.", "www.example.test.", "5.1.168.192.in-addr.arpa.",
    "1.0.0.10.in-addr.arpa.", "4.3.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
])
def test_special_names_are_nxdomain_with_a_soa(local, qname):
    m = ask(local.server, qname, "A")
    assert m.rcode() == dns.rcode.NXDOMAIN
    assert m.authority and m.authority[0].rdtype == dns.rdatatype.SOA


def test_other_types_at_localhost_are_nodata(local):
    m = ask(local.server, "localhost.", "MX")
    assert m.rcode() == dns.rcode.NOERROR and not m.answer
    assert m.authority[0].rdtype == dns.rdatatype.SOA


def test_switched_off_names_go_upstream(resolver):
    # The shared fixture turns local zones off, so example.test. is resolved normally.
    m = ask(resolver.server, "www.example.test.", "A")
    assert m.rcode() == dns.rcode.NOERROR and m.answer
