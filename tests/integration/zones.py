# SPDX-License-Identifier: GPL-3.0-or-later
"""The zones the test NSD serves, as text, and the same data read back by
dnspython so tests compare answers with the zone rather than with constants.

example.test.  A, AAAA, MX, TXT (one string, several strings, two 255-octet
               strings), a CNAME chain that leaves for other.test., a short-TTL
               name, a 100-address RRset (about 1.6 kB: TC over UDP at 1232),
               the NXDOMAIN/NODATA cases, and *.wild for any number of
               distinct names. SOA MINIMUM 120 (negative TTL).
other.test.    the rest of the CNAME chain.
"""

import dns.name
import dns.rdatatype
import dns.zone

EXAMPLE = "example.test."
OTHER = "other.test."

NEG_TTL = 120           # SOA MINIMUM of both zones, < the SOA's own TTL
SHORT_TTL = 3           # short.example.test.
BIG_COUNT = 100         # A records at big.example.test.

LONG1 = "a" * 255
LONG2 = "".join(chr(ord("b") + i % 24) for i in range(255))

_EXAMPLE_TEXT = f"""$ORIGIN example.test.
$TTL 3600
@        3600 IN SOA  ns1.example.test. hostmaster.example.test. 2024010101 3600 900 604800 {NEG_TTL}
@             IN NS   ns1.example.test.
ns1           IN A    192.0.2.53
www      3600 IN A    192.0.2.1
www      3600 IN A    192.0.2.2
www      3600 IN AAAA 2001:db8::1
www      3600 IN AAAA 2001:db8::2
@        3600 IN MX   10 mail.example.test.
@        3600 IN MX   20 mail2.example.test.
mail          IN A    192.0.2.25
mail2         IN A    192.0.2.26
txt           IN TXT  "hello world"
multi         IN TXT  "first string" "second string" "third; with \\"quotes\\" and spaces"
long          IN TXT  "{LONG1}" "{LONG2}"
chain         IN CNAME hop1.example.test.
hop1          IN CNAME hop2.other.test.
short    {SHORT_TTL}    IN A    192.0.2.30
ttl           IN A    192.0.2.40
ttl-aaaa      IN AAAA 2001:db8::40
neg-only      IN A    192.0.2.41
*.wild   300  IN A    192.0.2.200
""" + "".join(f"big  300 IN A 10.0.{i // 250}.{i % 250 + 1}\n" for i in range(BIG_COUNT)) \
    + "".join(f"name{i} 300 IN A 192.0.2.{100 + i}\n" for i in range(20))

_OTHER_TEXT = f"""$ORIGIN other.test.
$TTL 3600
@        3600 IN SOA  ns1.example.test. hostmaster.example.test. 2024010101 3600 900 604800 {NEG_TTL}
@             IN NS   ns1.example.test.
hop2          IN CNAME end.other.test.
end           IN A    198.51.100.7
"""


def zone_texts():
    return {EXAMPLE: _EXAMPLE_TEXT, OTHER: _OTHER_TEXT}


_ZONES = {origin: dns.zone.from_text(text, origin=origin, relativize=False)
          for origin, text in zone_texts().items()}


def rrset(owner, rdtype):
    """The RRset the zone holds at owner (absolute name), or KeyError."""
    name = dns.name.from_text(owner)
    for origin, z in _ZONES.items():
        if name.is_subdomain(dns.name.from_text(origin)):
            rs = z.get_rrset(name, dns.rdatatype.from_text(rdtype))
            if rs is None:
                raise KeyError(f"{owner} {rdtype} is not in the zone")
            return rs
    raise KeyError(f"{owner} is in no test zone")


def texts(owner, rdtype):
    return {rd.to_text() for rd in rrset(owner, rdtype)}
