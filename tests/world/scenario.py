# SPDX-License-Identifier: GPL-3.0-or-later
"""What the hold-fast scenarios (test_holdfast_scenarios.py) and `make demo` share:
the true answers of the names they ask, how an answer is judged (correct, forged,
stale, failed, wrong) and the table they print.

An answer is
  forged   when it carries an address the injector hands out (injector.FORGED);
  correct  when its rcode and the data of the asked type are the zone's, no EDE 3;
  stale    when it is the zone's data with Extended DNS Error 3 (Stale Answer);
  failed   when it is SERVFAIL (or REFUSED), or no answer came in time;
  wrong    otherwise (a lie that is not an address, e.g. NODATA for a TXT name
           whose forged A record the resolver dropped).
"""

import collections
import time

import dns.edns
import dns.exception
import dns.rcode
import dns.rdatatype

from . import injector, zones

CORRECT, FORGED, STALE, FAILED, WRONG = "correct", "forged", "stale", "failed", "wrong"
CATEGORIES = (CORRECT, FORGED, STALE, FAILED, WRONG)
EDE_STALE = 3

# (name, type) -> (rcode, data of that type in the answer section). From zones.py.
TRUTH = {
    ("www.alpha.com.", "A"): ("NOERROR", {"203.0.113.10", "203.0.113.11"}),
    ("www.alpha.com.", "AAAA"): ("NOERROR", {"2001:db8::10"}),
    ("mail.alpha.com.", "A"): ("NOERROR", {"203.0.113.25"}),
    ("txt.alpha.com.", "TXT"): ("NOERROR", {'"hello from alpha" "second string"'}),
    ("www.beta.net.", "A"): ("NOERROR", {"203.0.113.20"}),
    ("ns1.beta.net.", "A"): ("NOERROR", {"198.18.2.2"}),
    ("end.gamma.org.", "A"): ("NOERROR", {"203.0.113.30"}),
    ("ns1.gamma.org.", "A"): ("NOERROR", {"198.18.2.3"}),
    ("www.hoster.net.", "A"): ("NOERROR", {"203.0.113.40"}),
    ("www.oob.org.", "A"): ("NOERROR", {"203.0.113.41"}),
    ("www.ecdsa.com.", "A"): ("NOERROR", {"203.0.113.113"}),
    ("www.ecdsa.com.", "AAAA"): ("NOERROR", {"2001:db8::113"}),
    ("ns1.ecdsa.com.", "A"): ("NOERROR", {"198.18.3.1"}),
    ("www.rsa.org.", "A"): ("NOERROR", {"203.0.113.108"}),
    ("txt.rsa.org.", "TXT"): ("NOERROR", {'"rsa.org. signed"'}),
    ("ns1.rsa.org.", "A"): ("NOERROR", {"198.18.3.1"}),
    ("www.eddsa.net.", "A"): ("NOERROR", {"203.0.113.115"}),
    ("www.eddsa.net.", "AAAA"): ("NOERROR", {"2001:db8::115"}),
    ("www.optout.com.", "A"): ("NOERROR", {"203.0.113.116"}),
    ("www.example.cn.", "A"): ("NOERROR", {"203.0.113.80"}),
    ("www.example.cn.", "AAAA"): ("NOERROR", {"2001:db8::80"}),
    ("nx.example.cn.", "A"): ("NXDOMAIN", set()),
}
TRUTH.update({(name, "A"): ("NOERROR", {addr}) for name, addr in zones.SHORT.items()})

# Names in signed zones (a validating resolver can tell a forged answer from the truth).
SIGNED_ZONES = [z for z, s in zones.SIGNED.items() if s.breakage is None and z != "."]


def is_signed(name):
    return any(name == z or name.endswith("." + z) for z in SIGNED_ZONES
               if z not in ("com.", "net.", "org."))


def truth(name, qtype):
    if (name, qtype) in TRUTH:
        return TRUTH[(name, qtype)]
    return ("NXDOMAIN", set())  # names made up for a scenario (flood targets)


def data(msg, qtype):
    t = dns.rdatatype.from_text(qtype)
    return {rd.to_text() for rrset in msg.answer if rrset.rdtype == t for rd in rrset}


def addresses(msg):
    return {rd.to_text() for rrset in msg.answer
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA) for rd in rrset}


def ede_codes(msg):
    return [o.code for o in msg.options if o.otype == dns.edns.EDE]


def judge(msg, name, qtype):
    """(category, short text) of one answer (msg None: no answer in time)."""
    if msg is None:
        return FAILED, "no answer"
    rcode = dns.rcode.to_text(msg.rcode())
    got = data(msg, qtype)
    text = f"{rcode} {','.join(sorted(got)) or '-'}"
    if EDE_STALE in ede_codes(msg):
        text += " (stale)"
    forged = addresses(msg) & injector.FORGED
    if forged:
        return FORGED, text
    want_rcode, want = truth(name, qtype)
    if rcode == want_rcode and got == want:
        return (STALE if EDE_STALE in ede_codes(msg) else CORRECT), text
    if rcode in ("SERVFAIL", "REFUSED"):
        return FAILED, text
    return WRONG, text


Answer = collections.namedtuple("Answer", "scenario resolver phase name qtype category text "
                                          "seconds")


class Tally:
    """Every answer a scenario asked for, judged; the table of them."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.answers = []
        self.notes = []

    def ask(self, world, resolver, addr, name, qtype="A", phase="", timeout=10.0):
        t = time.monotonic()
        try:
            msg = world.query("res", addr, name, qtype, rd=True, timeout=timeout)
        except dns.exception.Timeout:
            msg = None
        cat, text = judge(msg, name, qtype)
        a = Answer(self.scenario, resolver, phase, name, qtype, cat, text,
                   time.monotonic() - t)
        self.answers.append(a)
        return a

    def select(self, resolver=None, phase=None, names=None):
        return [a for a in self.answers
                if (resolver is None or a.resolver == resolver)
                and (phase is None or a.phase == phase)
                and (names is None or (a.name, a.qtype) in names or a.name in names)]

    def rows(self):
        out = []
        for resolver in dict.fromkeys(a.resolver for a in self.answers):
            got = self.select(resolver)
            n = collections.Counter(a.category for a in got)
            out.append((self.scenario, resolver, len(got),
                        f"{100 * n[CORRECT] / len(got):.0f}%" if got else "-",
                        n[FORGED], n[STALE], n[FAILED], n[WRONG]))
        return out

    def details(self, resolver, phase=None):
        return "\n".join(f"  {a.phase:8} {a.name} {a.qtype}: {a.category} ({a.text}, "
                         f"{a.seconds:.2f}s)" for a in self.select(resolver, phase))


HEADER = ("scenario", "resolver", "asked", "correct", "forged", "stale", "failed", "wrong")


def format_table(rows, notes=()):
    rows = [HEADER] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines + list(notes))
