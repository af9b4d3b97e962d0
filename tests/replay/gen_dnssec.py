#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the DNSSEC replay scenarios, tests/replay/dnssec_*.rpl.

    /usr/bin/python3 tests/replay/gen_dnssec.py      (from the top of the tree)

The generated files are committed: this only runs again when someone
changes it. Each run makes new signatures (ECDSA signs with a random
nonce, and the RSA keys are new each time), so every file changes; the
other keys come from fixed seeds.

A small signed tree, served by scripted servers (replay.c):

    .             RSASHA256 (8), NSEC; its KSK is the trust anchor
    test.         ECDSAP256SHA256 (13), NSEC
    example.test. 13, NSEC: data, a wildcard, CNAMEs into insecure.test. and
                  into its children insecure.example.test. (unsigned) and
                  signed.example.test.
    rsa.test.     8;  ed.test. 15 (ED25519)
    insecure.test.       unsigned, no DS (NSEC proves it)
    n3.test.             NSEC3, 0 iterations, no salt; a wildcard too
    oo.test.             NSEC3 opt-out, above the unsigned unsigned.oo.test.
    n3iter.test.         NSEC3 with 10 iterations
    alg253.test.         DS and keys of algorithm 253 (private): insecure
    expired.test., notyet.test., nokey.test., nozonebit.test., badsig.test.,
    two.test., keytrap.test.   zones broken in one way each (see scenarios())

Each zone is a tiny authoritative server (Zone.respond): answers,
referrals with DS or a signed proof that there is none, NXDOMAIN and NODATA
with NSEC or NSEC3 proofs, wildcard expansion. A scenario lists questions
and what holdfast must answer; the generator works out which questions
holdfast will send on the way (QNAME minimisation: one label more than
the zone, type A; the DS at each cut from the parent; each zone's DNSKEY)
and writes one entry for each, per server. Misbehaviour is a hook that
edits the response one server gives to one question.

Every honest signature is checked with dnspython at the scripted clock
(1700000000) before it is written, so a failure in replay is holdfast's.
"""

import hashlib
import os
import random
import struct
import sys

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.RRSIG
import dns.rrset
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

NOW = 1700000000  # replay.c's wall clock: 2023-11-14
INCEPTION = 1672531200  # 2023-01-01
EXPIRATION = 1988150400  # 2033-01-01
EXPIRED = (1672531200, 1696118400)  # 2023-01-01 .. 2023-10-01: over before NOW
NOT_YET = (1704067200, 1988150400)  # 2024-01-01 .. 2033-01-01: starts after NOW

IN = dns.rdataclass.IN
T = dns.rdatatype
OUT = os.path.dirname(os.path.abspath(__file__))


def N(text):
    return dns.name.from_text(text)


def rd(rdtype, text):
    return dns.rdata.from_text(IN, rdtype, text)


# --- keys ------------------------------------------------------------------------------


class Key:
    """A DNSKEY with its private half (None for a key we cannot sign with)."""

    def __init__(self, alg, flags, seed):
        self.alg = alg
        h = hashlib.sha256(seed.encode()).digest()
        if alg == 13:
            self.priv = ec.derive_private_key(int.from_bytes(h, "big"), ec.SECP256R1())
        elif alg == 15:
            self.priv = ed25519.Ed25519PrivateKey.from_private_bytes(h)
        elif alg == 8:
            self.priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:  # an algorithm nobody implements: random key bytes, no private half
            self.priv = None
            body = struct.pack("!HBB", flags, 3, alg) + random.Random(seed).randbytes(64)
            self.dnskey = dns.rdata.from_wire(IN, T.DNSKEY, body, 0, len(body))
        if self.priv is not None:
            self.dnskey = dns.dnssec.make_dnskey(self.priv.public_key(), alg, flags=flags)
        self.tag = dns.dnssec.key_id(self.dnskey)


def key_with_tag(alg, flags, tag, seed):
    """DNSKEY RDATA of `alg` whose key tag is `tag`: random key octets, the last
    two chosen to make the RFC 4034 Appendix B sum come out right (KeyTrap)."""
    rng = random.Random(seed)
    body = bytearray(struct.pack("!HBB", flags, 3, alg) + rng.randbytes(64))
    for last in range(65536):
        body[-2:] = struct.pack("!H", last)
        r = dns.rdata.from_wire(IN, T.DNSKEY, bytes(body), 0, len(body))
        if dns.dnssec.key_id(r) == tag:
            return r
    raise AssertionError("no key octets give that tag")


def sign_wildcard(rrset, key, signer, inception, expiration):
    """An RRSIG over a wildcard RRset. dnspython 2.3's sign() counts the "*"
    in the labels field, which RFC 4034 §3.1.3 says it must not, and a
    validator then takes the expansion for an ordinary name."""
    template = dns.rdtypes.ANY.RRSIG.RRSIG(
        IN, T.RRSIG, rrset.rdtype, key.alg, len(rrset.name) - 2, rrset.ttl, expiration,
        inception, key.tag, signer, b"")
    data = dns.dnssec._make_rrsig_signature_data(rrset, template)
    if key.alg == 13:
        der = key.priv.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = utils.decode_dss_signature(der)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif key.alg == 15:
        sig = key.priv.sign(data)
    else:
        sig = key.priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return template.replace(signature=sig)


# --- zones ------------------------------------------------------------------------------


class Zone:
    """One zone, its keys and chain of denial, and how its servers answer."""

    def __init__(self, origin, servers, alg=13, denial="nsec", iterations=0, salt="",
                 optout=False, signed=True):
        self.origin = N(origin)
        self.servers = servers  # [(ns name, address)]
        self.alg = alg
        self.denial = denial
        self.iterations = iterations
        self.salt = salt
        self.optout = optout
        self.signed = signed
        self.nodes = {}  # name -> {type: RRset}
        self.cuts = {}  # child name -> Zone
        self.ds = {}  # child name -> [DS rdata] (absent: no DS)
        self.sigs = {}  # (name, type) -> [RRSIG rdata]
        # (name, type) -> {"window": (inc, exp), "key": Key, "corrupt": True, "sigs": [...]}
        self.override = {}
        self.ds_rrsets = {}  # child name -> signed DS RRset
        self.denial_rrsets = {}  # owner -> NSEC or NSEC3 RRset
        self.extra_keys = []  # DNSKEY RDATA published besides the real keys
        self.keys = []
        if signed:
            seed = origin + str(alg)
            self.ksk = Key(alg, 257, seed + "ksk")
            self.zsk = Key(alg, 256, seed + "zsk")
            self.keys = [self.ksk, self.zsk]
        ns = [s[0] for s in servers]
        rname = dns.name.from_text("hostmaster", origin=self.origin)
        self.add("@", "SOA", f"{ns[0]} {rname} 1 7200 900 1209600 300",
                 ttl=3600)
        for n in ns:
            self.add("@", "NS", n, ttl=3600)
        for n, addr in servers:
            if N(n).is_subdomain(self.origin) and N(n) != self.origin:
                self.add(n, "A", addr, ttl=3600)

    def name(self, text):
        if text == "@":
            return self.origin
        return dns.name.from_text(text, origin=self.origin)

    def add(self, owner, rdtype, text, ttl=300):
        name = self.name(owner)
        rdtype = T.from_text(rdtype) if isinstance(rdtype, str) else rdtype
        node = self.nodes.setdefault(name, {})
        rrset = node.get(rdtype)
        if rrset is None:
            rrset = node[rdtype] = dns.rrset.RRset(name, IN, rdtype)
        rrset.add(rd(rdtype, text), ttl)

    def delegate(self, child, ds=None):
        """A child zone; ds: its DS RDATA (default: of its KSK; [] for none)."""
        self.cuts[child.origin] = child
        if ds is None:
            ds = [dns.dnssec.make_ds(child.origin, k.dnskey, "SHA256") for k in child.keys
                  if k.dnskey.flags & 1]
        if ds:
            self.ds[child.origin] = ds

    # -- structure

    def cut_above(self, name):
        """The delegation point at or above name inside this zone, or None."""
        for cut in self.cuts:
            if name.is_subdomain(cut):
                return cut
        return None

    def data_names(self):
        """Owner names with authoritative data, and the cuts (parent side)."""
        names = {n for n in self.nodes if self.cut_above(n) is None}
        return names | set(self.cuts)

    def types_at(self, name):
        if name in self.cuts:
            return {T.NS} | ({T.DS} if name in self.ds else set())
        return set(self.nodes.get(name, {}))

    def exists(self, name):
        """Has data, or is an empty non-terminal above names that do."""
        return any(n.is_subdomain(name) for n in self.data_names())

    # -- signing

    def dnskey_rrset(self):
        rrset = dns.rrset.RRset(self.origin, IN, T.DNSKEY)
        for k in self.keys:
            rrset.add(k.dnskey, 3600)
        for r in self.extra_keys:
            rrset.add(r, 3600)
        return rrset

    def sign_rrset(self, rrset):
        key = (rrset.name, rrset.rdtype)
        ov = self.override.get(key, {})
        if "sigs" in ov:
            self.sigs[key] = ov["sigs"]
            return
        signer = ov.get("key") or (self.ksk if rrset.rdtype == T.DNSKEY else self.zsk)
        inception, expiration = ov.get("window", (INCEPTION, EXPIRATION))
        if signer.priv is None:  # algorithm 253: a signature-shaped blob
            labels = len(rrset.name.labels) - 1 - (1 if rrset.name.is_wild() else 0)
            sig = dns.rdtypes.ANY.RRSIG.RRSIG(
                IN, T.RRSIG, rrset.rdtype, signer.alg, labels, rrset.ttl, expiration,
                inception, signer.tag, self.origin,
                random.Random(str(key)).randbytes(64))
        else:
            if rrset.name.is_wild():
                sig = sign_wildcard(rrset, signer, self.origin, inception, expiration)
            else:
                sig = dns.dnssec.sign(rrset, signer.priv, self.origin, signer.dnskey,
                                      inception=inception, expiration=expiration)
            good = (inception, expiration) == (INCEPTION, EXPIRATION)
            if good and signer.dnskey.flags & 0x100:
                keys = {self.origin: self.dnskey_rrset()}
                dns.dnssec.validate_rrsig(rrset, sig, keys, now=NOW)
                if rrset.name.is_wild():  # and as a validator sees an expansion
                    expanded = dns.name.Name((b"x",) + rrset.name.labels[1:])
                    dns.dnssec.validate_rrsig(self.rename(rrset, expanded), sig, keys, now=NOW)
        if ov.get("corrupt"):
            s = bytearray(sig.signature)
            s[len(s) // 2] ^= 0x55
            sig = sig.replace(signature=bytes(s))
        self.sigs[key] = [sig]

    def sign(self):
        if not self.signed:
            return
        self.nodes.setdefault(self.origin, {})[T.DNSKEY] = self.dnskey_rrset()
        if self.denial == "nsec3":
            flags = 0
            self.add("@", "NSEC3PARAM", f"1 {flags} {self.iterations} {self.salt or '-'}",
                     ttl=0)
        self.build_denial()
        for name, node in self.nodes.items():
            if self.cut_above(name) is not None:
                continue  # glue and what lies below a cut is not ours to sign
            for rrset in node.values():
                self.sign_rrset(rrset)
        for child, ds in self.ds.items():
            rrset = dns.rrset.RRset(child, IN, T.DS)
            for r in ds:
                rrset.add(r, 3600)
            self.ds_rrsets[child] = rrset
            self.sign_rrset(rrset)
        for rrset in self.denial_rrsets.values():
            self.sign_rrset(rrset)

    def build_denial(self):
        self.denial_rrsets = {}  # owner -> RRset (NSEC or NSEC3)
        if self.denial == "nsec":
            names = sorted(self.data_names())
            for i, name in enumerate(names):
                nxt = names[(i + 1) % len(names)]
                types = self.types_at(name) | {T.NSEC, T.RRSIG}
                text = " ".join([nxt.to_text()] + sorted(T.to_text(t) for t in types))
                rrset = dns.rrset.RRset(name, IN, T.NSEC)
                rrset.add(rd(T.NSEC, text), 300)
                self.denial_rrsets[name] = rrset
            return
        names = set()
        for name in self.data_names():
            if self.optout and name in self.cuts and name not in self.ds:
                continue  # RFC 5155 §6: opt-out skips insecure delegations
            while name != self.origin:  # the name and the empty non-terminals above it
                names.add(name)
                name = name.parent()
        names.add(self.origin)
        self.n3 = sorted((self.hash(n), n) for n in names)
        flags = 1 if self.optout else 0
        for i, (h, name) in enumerate(self.n3):
            nxt = self.n3[(i + 1) % len(self.n3)][0]
            types = self.types_at(name)
            if types and not (name in self.cuts and name not in self.ds):
                types |= {T.RRSIG}  # every RRset here is signed (not an unsigned cut's NS)
            text = " ".join([f"1 {flags} {self.iterations} {self.salt or '-'} {nxt}"] +
                            sorted(T.to_text(t) for t in types))
            owner = dns.name.from_text(h, origin=self.origin)
            rrset = dns.rrset.RRset(owner, IN, T.NSEC3)
            rrset.add(rd(T.NSEC3, text), 300)
            self.denial_rrsets[owner] = rrset

    def hash(self, name):
        return dns.dnssec.nsec3_hash(name, self.salt or None, self.iterations, 1).upper()

    # -- denial records for a response

    def nsec_matching(self, name):
        return self.denial_rrsets.get(name)

    def nsec_covering(self, name):
        for owner, rrset in self.denial_rrsets.items():
            nxt = rrset[0].next
            if owner < nxt:
                if owner < name < nxt:
                    return rrset
            elif name > owner or name < nxt:
                return rrset
        return None

    def n3_matching(self, name):
        owner = dns.name.from_text(self.hash(name), origin=self.origin)
        return self.denial_rrsets.get(owner)

    def n3_covering(self, name):
        h = self.hash(name)
        for i, (oh, _) in enumerate(self.n3):
            nh = self.n3[(i + 1) % len(self.n3)][0]
            if (oh < h < nh) if oh < nh else (h > oh or h < nh):
                return self.denial_rrsets[dns.name.from_text(oh, origin=self.origin)]
        return None

    def closest_encloser(self, name):
        while not self.exists(name):
            name = name.parent()
        return name

    def next_closer(self, name, ce):
        return dns.name.Name(name.labels[-(len(ce.labels) + 1):])

    def proof(self, kinds):
        """Denial RRsets for a list of (what, name): match or cover."""
        out = []
        for what, name in kinds:
            if self.denial == "nsec":
                r = self.nsec_matching(name) if what == "match" else self.nsec_covering(name)
            else:
                r = self.n3_matching(name) if what == "match" else self.n3_covering(name)
            assert r is not None, (self.origin, what, name)
            if r not in out:
                out.append(r)
        return out

    # -- answering

    def signed_set(self, rrset, owner=None):
        """The RRset and its signatures, renamed to owner (wildcard expansion)."""
        out = []
        sigs = self.sigs.get((rrset.name, rrset.rdtype), [])
        if owner is not None:
            copy = dns.rrset.RRset(owner, IN, rrset.rdtype)
            copy.update(rrset)
            rrset = copy
        out.append(rrset)
        if sigs:
            sr = dns.rrset.RRset(rrset.name, IN, T.RRSIG)
            for s in sigs:
                sr.add(s, rrset.ttl)
            out.append(sr)
        return out

    def with_sigs(self, rrsets):
        out = []
        for r in rrsets:
            out += self.signed_set(r)
        return out

    def soa(self):
        return self.signed_set(self.nodes[self.origin][T.SOA])

    def respond(self, qname, qtype, depth=0):
        """(rcode, aa, answer, authority, additional), each a list of RRsets."""
        cut = self.cut_above(qname)
        if cut is not None and not (qname == cut and qtype == T.DS):
            return self.referral(cut)
        if qname in self.cuts and qtype == T.DS:
            if qname in self.ds:
                return ("NOERROR", True, self.signed_set(self.ds_rrsets[qname]), [], [])
            return ("NOERROR", True, [], self.soa() + self.with_sigs(self.no_ds(qname)), [])
        node = self.nodes.get(qname)
        if node is not None:
            return self.from_node(qname, qtype, node, qname, depth)
        if self.exists(qname):  # an empty non-terminal
            if not self.signed:
                return ("NOERROR", True, [], self.soa(), [])
            if self.denial == "nsec":
                proof = [self.nsec_covering(qname)]
            else:
                proof = self.proof([("match", qname)])
            return ("NOERROR", True, [], self.soa() + self.with_sigs(proof), [])
        ce = self.closest_encloser(qname)
        wild = dns.name.from_text("*", origin=ce)
        if wild in self.nodes:
            rcode, aa, ans, auth, add = self.from_node(qname, qtype, self.nodes[wild], wild,
                                                       depth)
            if ans:  # RFC 4035 §3.1.3.3: qname (the next closer name) does not exist
                if self.signed:
                    nc = self.next_closer(qname, ce)
                    auth += self.with_sigs(self.proof([("cover", qname if self.denial ==
                                                        "nsec" else nc)]))
                return rcode, aa, ans, auth, add
            # wildcard NODATA (§3.1.3.4): qname covered, the wildcard matched
            proof = [("cover", qname), ("match", wild)]
            if self.denial == "nsec3":
                proof = [("match", ce), ("cover", self.next_closer(qname, ce)),
                         ("match", wild)]
            return ("NOERROR", True, [],
                    self.soa() + (self.with_sigs(self.proof(proof)) if self.signed else []),
                    [])
        proof = [("cover", qname), ("cover", wild)]
        if self.denial == "nsec3":
            proof = [("match", ce), ("cover", self.next_closer(qname, ce)), ("cover", wild)]
        return ("NXDOMAIN", True, [],
                self.soa() + (self.with_sigs(self.proof(proof)) if self.signed else []), [])

    def chase(self, target, qtype, ans, depth):
        """RFC 1034 §4.3.2 step 3: a CNAME is followed as far as this zone goes;
        into a child zone, the referral goes in the authority section."""
        if not target.is_subdomain(self.origin) or depth > 8:
            return ("NOERROR", True, ans, [], [])
        if self.cut_above(target) is not None:
            _, _, _, auth, add = self.referral(self.cut_above(target))
            return ("NOERROR", True, ans, auth, add)
        rcode, _, more, auth, add = self.respond(target, qtype, depth + 1)
        return (rcode, True, ans + [r for r in more if r not in ans], auth, add)

    def from_node(self, qname, qtype, node, source, depth=0):
        """An answer from node (source is its owner: qname, or the wildcard)."""
        owner = qname if source != qname else None
        if qtype in node:
            ans = self.signed_set(node[qtype], owner) if self.signed else [
                self.rename(node[qtype], qname)]
            return ("NOERROR", True, ans, [], [])
        if T.CNAME in node:
            ans = self.signed_set(node[T.CNAME], owner) if self.signed else [
                self.rename(node[T.CNAME], qname)]
            return self.chase(node[T.CNAME][0].target, qtype, ans, depth)
        if not self.signed:
            return ("NOERROR", True, [], self.soa(), [])
        proof = self.proof([("match", source)])
        return ("NOERROR", True, [], self.soa() + self.with_sigs(proof), [])

    def rename(self, rrset, owner):
        copy = dns.rrset.RRset(owner, IN, rrset.rdtype)
        copy.update(rrset)
        return copy

    def no_ds(self, child):
        """The proof that child has no DS: its NSEC, its NSEC3, or an opt-out span."""
        if not self.signed:
            return []
        if self.denial == "nsec":
            return [self.nsec_matching(child)]
        m = self.n3_matching(child)
        if m is not None:
            return [m]
        ce = self.closest_encloser(child.parent())
        return self.proof([("match", ce), ("cover", self.next_closer(child, ce))])

    def referral(self, cut):
        ns = dns.rrset.RRset(cut, IN, T.NS)
        glue = []
        for n, addr in self.cuts[cut].servers:
            ns.add(rd(T.NS, n), 3600)
            a = dns.rrset.RRset(N(n), IN, T.A)
            a.add(rd(T.A, addr), 3600)
            glue.append(a)
        auth = [ns]
        if cut in self.ds:
            auth += self.signed_set(self.ds_rrsets[cut])
        else:
            auth += self.with_sigs(self.no_ds(cut))
        return ("NOERROR", False, [], auth, glue)


# --- the tree ---------------------------------------------------------------------------


def build_tree():
    addr = iter(f"192.0.2.{i}" for i in range(10, 250))
    root = Zone(".", [("a.root-servers.net.", "192.0.2.1")], alg=8)
    test = Zone("test.", [("ns1.test.", "192.0.2.2")], alg=13)
    z = {".": root, "test.": test}

    def sld(name, nservers=1, **kw):
        servers = [(f"ns{i + 1}.{name}", next(addr)) for i in range(nservers)]
        zone = Zone(name, servers, **kw)
        z[name] = zone
        return zone

    ex = sld("example.test.")
    ex.add("www", "A", "192.0.2.80")
    ex.add("www", "AAAA", "2001:db8::80")
    ex.add("*.wild", "A", "192.0.2.81")
    ex.add("alias", "CNAME", "www.insecure.test.")
    ex.add("child-alias", "CNAME", "www.insecure.example.test.")
    sld("insecure.example.test.", signed=False).add("www", "A", "192.0.2.98")
    ex.add("signed-alias", "CNAME", "www.signed.example.test.")
    sld("signed.example.test.").add("www", "A", "192.0.2.99")
    sld("rsa.test.", alg=8).add("www", "A", "192.0.2.82")
    sld("ed.test.", alg=15).add("www", "A", "192.0.2.83")
    sld("insecure.test.", signed=False).add("www", "A", "192.0.2.84")
    n3 = sld("n3.test.", denial="nsec3")
    n3.add("www", "A", "192.0.2.85")
    n3.add("*.wild", "A", "192.0.2.86")
    oo = sld("oo.test.", denial="nsec3", optout=True)
    oo.add("www", "A", "192.0.2.87")
    unsigned_oo = sld("unsigned.oo.test.", signed=False)
    unsigned_oo.add("www", "A", "192.0.2.88")
    sld("n3iter.test.", denial="nsec3", iterations=10).add("www", "A", "192.0.2.89")
    a253 = sld("alg253.test.", alg=253)
    a253.add("www", "A", "192.0.2.90")
    exp = sld("expired.test.")
    exp.add("www", "A", "192.0.2.91")
    exp.override[(exp.name("www"), T.A)] = {"window": EXPIRED}
    ny = sld("notyet.test.")
    ny.add("www", "A", "192.0.2.92")
    ny.override[(ny.name("www"), T.A)] = {"window": NOT_YET}
    nokey = sld("nokey.test.")
    nokey.add("www", "A", "192.0.2.93")
    nzb = sld("nozonebit.test.")
    nzb.add("www", "A", "192.0.2.94")
    # The data is signed by a key without the zone key bit (flags 0, RFC 4034 §2.1.1).
    nzb.nonzone = Key(13, 0, "nozonebit.test.nonzone")
    nzb.extra_keys.append(nzb.nonzone.dnskey)
    nzb.override[(nzb.name("www"), T.A)] = {"key": nzb.nonzone}
    bad = sld("badsig.test.")
    bad.add("www", "A", "192.0.2.95")
    bad.override[(bad.name("www"), T.A)] = {"corrupt": True}
    two = sld("two.test.", nservers=2)
    two.add("www", "A", "192.0.2.96")
    kt = sld("keytrap.test.", nservers=2)
    kt.add("www", "A", "192.0.2.97")
    # KeyTrap (CVE-2023-50387): 15 keys that share one key tag (the validator
    # keeps 16 keys of a zone), and 8 signatures naming that tag, none valid.
    tag = 4242
    kt.extra_keys = [key_with_tag(13, 256, tag, f"keytrap{i}") for i in range(15)]
    rng = random.Random("keytrap-sigs")
    kt.override[(kt.name("www"), T.A)] = {"sigs": [
        dns.rdtypes.ANY.RRSIG.RRSIG(IN, T.RRSIG, T.A, 13, 3, 300, EXPIRATION, INCEPTION, tag,
                                    kt.origin, rng.randbytes(64)) for _ in range(8)]}

    root.delegate(test)
    for name, zone in z.items():
        if name in (".", "test.", "unsigned.oo.test.") or name.endswith(".example.test."):
            continue
        ds = None
        if name == "nokey.test.":  # a DS for a key the zone does not publish
            ds = [dns.dnssec.make_ds(zone.origin, Key(13, 257, "not published").dnskey,
                                     "SHA256")]
        test.delegate(zone, ds)
    oo.delegate(unsigned_oo)
    ex.delegate(z["insecure.example.test."])
    ex.delegate(z["signed.example.test."])
    for zone in z.values():
        zone.sign()
    return z


# --- scenarios --------------------------------------------------------------------------


class Q:
    """A client question and the outcome holdfast must produce."""

    def __init__(self, name, rdtype, rcode="NOERROR", ad=False, records=(), ede=None,
                 text="", cd=False, before=(), after=()):
        self.name = N(name)
        self.rdtype = T.from_text(rdtype)
        self.rcode = rcode
        self.ad = ad
        self.records = records
        self.ede = ede
        self.text = text
        self.cd = cd
        self.before = before  # replay lines before the query (time, srtt)
        self.after = after  # replay lines after the answer check


class Scenario:
    def __init__(self, file, doc, queries, config="", hooks=None, anchor="ds"):
        self.file = file
        self.doc = doc
        self.queries = queries
        self.config = config
        self.hooks = hooks or {}  # (address, qname, qtype) -> fn(response) -> response
        self.anchor = anchor


def strip(types, section):
    """A hook: drops records of the types (and their RRSIGs) from one section of the
    response tuple (2 answer, 3 authority)."""
    def fn(resp):
        resp = list(resp)
        resp[section] = [r for r in resp[section] if r.rdtype not in types and not (
            r.rdtype == T.RRSIG and r[0].type_covered in types)]
        return tuple(resp)
    return fn


def strip_answer_sigs(resp):
    rcode, aa, ans, auth, add = resp
    return (rcode, aa, [r for r in ans if r.rdtype != T.RRSIG], auth, add)


def nsec_not_covering(zone, qname):
    """A hook: the NXDOMAIN keeps its signed NSEC records, but none spans qname."""
    def fn(resp):
        rcode, aa, ans, auth, add = resp
        keep = [r for r in auth if r.rdtype == T.SOA or
                (r.rdtype == T.RRSIG and r[0].type_covered == T.SOA)]
        spans = zone.nsec_covering(qname).name
        for owner, rrset in sorted(zone.denial_rrsets.items()):
            if owner != spans:
                keep += zone.signed_set(rrset)
        return (rcode, aa, ans, keep, add)
    return fn


def forged_answer(addr):
    """A hook: the A record replaced, the real signature kept (it no longer verifies)."""
    def fn(resp):
        rcode, aa, ans, auth, add = resp
        out = []
        for r in ans:
            if r.rdtype == T.A:
                f = dns.rrset.RRset(r.name, IN, T.A)
                f.add(rd(T.A, addr), r.ttl)
                r = f
            out.append(r)
        return (rcode, aa, out, auth, add)
    return fn


def scenarios(z):
    ex, two = z["example.test."], z["two.test."]
    www_a = ["www.example.test. 300 IN A 192.0.2.80"]
    S = []
    S.append(Scenario("dnssec_secure_alg13", """\
A secure answer (RFC 4035 §5): the chain of trust runs from the root's
anchor (RSASHA256) through test. to example.test. (both ECDSAP256SHA256);
the answer has AD.""", [Q("www.example.test.", "A", ad=True, records=www_a)]))
    S.append(Scenario("dnssec_secure_alg8", """\
A secure answer from a zone signed with RSASHA256 (algorithm 8).""",
                      [Q("www.rsa.test.", "A", ad=True,
                         records=["www.rsa.test. 300 IN A 192.0.2.82"])]))
    S.append(Scenario("dnssec_secure_alg15", """\
A secure answer from a zone signed with ED25519 (algorithm 15, RFC 8080).""",
                      [Q("www.ed.test.", "A", ad=True,
                         records=["www.ed.test. 300 IN A 192.0.2.83"])]))
    S.append(Scenario("dnssec_anchor_dnskey", """\
The trust anchor given as the root's DNSKEY (not its DS): the same secure
answer.""", [Q("www.example.test.", "A", ad=True, records=www_a)], anchor="dnskey"))
    S.append(Scenario("dnssec_nxdomain_nsec", """\
NXDOMAIN proven with NSEC (RFC 4035 §5.4): one NSEC covers the name, one
the wildcard at its closest encloser. Secure: AD.""",
                      [Q("nx.example.test.", "A", rcode="NXDOMAIN", ad=True)]))
    S.append(Scenario("dnssec_nodata_nsec", """\
NODATA proven with NSEC: the NSEC at the name lists A but not TXT.""",
                      [Q("www.example.test.", "TXT", ad=True)]))
    S.append(Scenario("dnssec_nxdomain_nsec3", """\
NXDOMAIN proven with NSEC3 (RFC 5155 §8.4; 0 iterations, no salt, as RFC 9276
asks): the closest encloser matched, the next closer name and the wildcard
covered.""", [Q("nx.n3.test.", "A", rcode="NXDOMAIN", ad=True)]))
    S.append(Scenario("dnssec_nodata_nsec3", """\
NODATA proven with NSEC3 (RFC 5155 §8.5): the NSEC3 matching the name lists
A but not TXT.""", [Q("www.n3.test.", "TXT", ad=True)]))
    S.append(Scenario("dnssec_wildcard_nsec", """\
A wildcard answer (RFC 4035 §5.3.4): *.wild.example.test. expanded for
foo.wild.example.test.; the RRSIG's labels field says so, and an NSEC proves
that foo.wild.example.test. itself does not exist. Secure.""",
                      [Q("foo.wild.example.test.", "A", ad=True,
                         records=["foo.wild.example.test. 300 IN A 192.0.2.81"])]))
    S.append(Scenario("dnssec_wildcard_nsec3", """\
A wildcard answer with NSEC3 (RFC 5155 §8.8): the next closer name below the
wildcard's closest encloser is covered. Secure.""",
                      [Q("foo.wild.n3.test.", "A", ad=True,
                         records=["foo.wild.n3.test. 300 IN A 192.0.2.86"])]))
    S.append(Scenario("dnssec_wildcard_no_proof", """\
A wildcard expansion without the NSEC that proves the name itself absent
(RFC 4035 §5.3.4): had foo.wild.example.test. existed, the expansion could
hide its real data. SERVFAIL, EDE 12 (NSEC Missing).""",
                      [Q("foo.wild.example.test.", "A", rcode="SERVFAIL", ede=12)],
                      hooks={(ex.servers[0][1], "foo.wild.example.test.", T.A):
                             strip({T.NSEC, T.NSEC3}, 3)}))
    S.append(Scenario("dnssec_wildcard_nodata_nsec", """\
Wildcard NODATA (RFC 4035 §3.1.3.4): the name is covered by one NSEC, and the
NSEC of the wildcard that would have matched lists A but not TXT.""",
                      [Q("foo.wild.example.test.", "TXT", ad=True)]))
    S.append(Scenario("dnssec_wildcard_nodata_nsec3", """\
Wildcard NODATA with NSEC3 (RFC 5155 §8.7): closest encloser proof, and the
NSEC3 matching the wildcard lists A but not TXT.""",
                      [Q("foo.wild.n3.test.", "TXT", ad=True)]))
    S.append(Scenario("dnssec_insecure_nsec", """\
An insecure delegation (RFC 4035 §5.2): test. proves with a signed NSEC that
insecure.test. has no DS (NS bit set, DS bit clear), so the unsigned answer
is insecure: no AD, and no SERVFAIL either.""",
                      [Q("www.insecure.test.", "A",
                         records=["www.insecure.test. 300 IN A 192.0.2.84"])]))
    S.append(Scenario("dnssec_insecure_optout", """\
An insecure delegation hidden in an NSEC3 opt-out span (RFC 5155 §8.6, §9.2):
oo.test. has no NSEC3 for unsigned.oo.test.; the closest encloser proof for
its DS ends in an opt-out span. The answer is insecure: no AD. Data of
oo.test. itself is still secure.""",
                      [Q("www.unsigned.oo.test.", "A",
                         records=["www.unsigned.oo.test. 300 IN A 192.0.2.88"]),
                       Q("www.oo.test.", "A", ad=True,
                         records=["www.oo.test. 300 IN A 192.0.2.87"])]))
    S.append(Scenario("dnssec_cname_to_insecure", """\
A CNAME in a signed zone (secure) to a name in an unsigned one (insecure):
the answer is as strong as its weakest part, so no AD.""",
                      [Q("alias.example.test.", "A", records=[
                          "alias.example.test. 300 IN CNAME www.insecure.test.",
                          "www.insecure.test. 300 IN A 192.0.2.84"])]))
    S.append(Scenario("dnssec_cname_into_unsigned_child", """\
A CNAME in a signed zone to a name in an unsigned child of that same zone
(insecure.example.test., no DS, NSEC proves it). The server answers with the
CNAME and a referral (RFC 1034 §4.3.2 step 3b): the chain is to be continued
below the cut, not a NODATA to prove. The whole answer is insecure: no AD.""",
                      [Q("child-alias.example.test.", "A", records=[
                          "child-alias.example.test. 300 IN CNAME www.insecure.example.test.",
                          "www.insecure.example.test. 300 IN A 192.0.2.98"])]))
    S.append(Scenario("dnssec_cname_into_signed_child", """\
A CNAME in a signed zone to a name in a signed child of that same zone
(signed.example.test., with DS): the server answers with the CNAME and a
referral carrying the DS. Both parts validate: the answer is secure, AD.""",
                      [Q("signed-alias.example.test.", "A", ad=True, records=[
                          "signed-alias.example.test. 300 IN CNAME www.signed.example.test.",
                          "www.signed.example.test. 300 IN A 192.0.2.99"])]))
    ex_keys = [f"example.test. 3600 IN DNSKEY {k.to_text(chunksize=0)}"
               for k in ex.dnskey_rrset()]
    S.append(Scenario("dnssec_dnskey_query", """\
A client asks for a zone's DNSKEY RRset (as dig DNSKEY does): it is the
RRset the chain of trust validates anyway, so the answer is secure, AD.""",
                      [Q("example.test.", "DNSKEY", ad=True, records=ex_keys)]))
    S.append(Scenario("dnssec_unsupported_algorithm", """\
The DS for alg253.test. names algorithm 253 (private), which no validator
implements: RFC 4035 §5.2 / RFC 6840 §5.2 make the zone insecure, not bogus.
The answer comes without AD.""",
                      [Q("www.alg253.test.", "A",
                         records=["www.alg253.test. 300 IN A 192.0.2.90"])]))
    S.append(Scenario("dnssec_expired", """\
The answer's only RRSIG expired on 2023-10-01, before the clock's 2023-11-14
(RFC 4035 §5.3.1): bogus, SERVFAIL with EDE 7 (Signature Expired).""",
                      [Q("www.expired.test.", "A", rcode="SERVFAIL", ede=7)]))
    S.append(Scenario("dnssec_not_yet_valid", """\
The answer's only RRSIG is valid from 2024-01-01: bogus, SERVFAIL with EDE 8
(Signature Not Yet Valid).""", [Q("www.notyet.test.", "A", rcode="SERVFAIL", ede=8)]))
    S.append(Scenario("dnssec_ds_no_dnskey", """\
The DS for nokey.test. describes a key the zone does not publish: no DNSKEY
can be trusted, so SERVFAIL with EDE 9 (DNSKEY Missing).""",
                      [Q("www.nokey.test.", "A", rcode="SERVFAIL", ede=9)]))
    S.append(Scenario("dnssec_rrsig_missing", """\
The server strips the RRSIG from the answer of a signed zone: SERVFAIL with
EDE 10 (RRSIGs Missing).""", [Q("www.example.test.", "A", rcode="SERVFAIL", ede=10)],
                      hooks={(ex.servers[0][1], "www.example.test.", T.A):
                             strip_answer_sigs}))
    S.append(Scenario("dnssec_no_zone_key_bit", """\
The answer is signed by a key in the DNSKEY RRset whose flags lack the zone
key bit (RFC 4034 §2.1.1: it must not be used to verify RRSIGs): SERVFAIL
with EDE 11 (No Zone Key Bit Set).""",
                      [Q("www.nozonebit.test.", "A", rcode="SERVFAIL", ede=11)]))
    S.append(Scenario("dnssec_nxdomain_without_nsec", """\
An NXDOMAIN from a signed zone with its SOA signed but no NSEC records:
nothing proves the name absent, SERVFAIL with EDE 12 (NSEC Missing).""",
                      [Q("nx.example.test.", "A", rcode="SERVFAIL", ede=12)],
                      hooks={(ex.servers[0][1], "nx.example.test.", T.A):
                             strip({T.NSEC, T.NSEC3}, 3)}))
    S.append(Scenario("dnssec_nodata_without_soa", """\
A NODATA (authoritative, empty) from a signed zone with the SOA and NSEC
taken out: an answer that claims nothing still denies the data, and nothing
proves it. SERVFAIL with EDE 12, never an unvalidated empty answer.""",
                      [Q("www.example.test.", "TXT", rcode="SERVFAIL", ede=12)],
                      hooks={(ex.servers[0][1], "www.example.test.", T.TXT):
                             strip({T.SOA, T.NSEC, T.NSEC3}, 3)}))
    S.append(Scenario("dnssec_aggressive_nsec", """\
Aggressive use of the validated NSEC chain (RFC 8198): after the NXDOMAIN for
nx.example.test., nxa.example.test. lies in the same NSEC span (and the same
wildcard denial): it is answered NXDOMAIN, secure, with no query sent.""",
                      [Q("nx.example.test.", "A", rcode="NXDOMAIN", ad=True),
                       Q("nxa.example.test.", "A", rcode="NXDOMAIN", ad=True,
                         after=["queries-at-most 0"])]))
    S.append(Scenario("dnssec_nsec_not_covering", """\
An NXDOMAIN whose NSEC records are genuine and signed but none of them spans
the name asked: the denial is not proven, SERVFAIL with EDE 12 (NSEC Missing)
or 6 (DNSSEC Bogus): the records are there, they just prove nothing.""",
                      [Q("nx.example.test.", "A", rcode="SERVFAIL", ede="12,6")],
                      hooks={(ex.servers[0][1], "nx.example.test.", T.A):
                             nsec_not_covering(ex, N("nx.example.test."))}))
    S.append(Scenario("dnssec_bogus_signature", """\
The answer's signature does not verify (one octet changed): SERVFAIL with
EDE 6 (DNSSEC Bogus).""", [Q("www.badsig.test.", "A", rcode="SERVFAIL", ede=6)]))
    S.append(Scenario("dnssec_bogus_one_server", f"""\
two.test. has two servers; {two.servers[0][1]} forges the address (the real
signature no longer matches), {two.servers[1][1]} is honest. The forger looks
quicker, so it is asked first (but for the 1 in 20 choices that explore); its
bogus answer makes holdfast ask the other server, whose answer is secure.""",
                      [Q("www.two.test.", "A", ad=True,
                         records=["www.two.test. 300 IN A 192.0.2.96"],
                         before=[f"srtt {two.servers[0][1]} 1",
                                 f"srtt {two.servers[1][1]} 400000"])],
                      hooks={(two.servers[0][1], "www.two.test.", T.A):
                             forged_answer("203.0.113.66")}))
    bad = z["badsig.test."]
    bad_sig = bad.sigs[(N("www.badsig.test."), T.A)][0].to_text(chunksize=0)
    S.append(Scenario("dnssec_cd_bogus", """\
With CD (RFC 4035 §3.2.2) the client validates: the bogus answer comes back
as the server sent it, its RRSIG included, without AD. It is not cached: the
same question without CD fails with EDE 6.""", [Q("www.badsig.test.", "A", cd=True,
                   records=["www.badsig.test. 300 IN A 192.0.2.95",
                            f"www.badsig.test. 300 IN RRSIG {bad_sig}"]),
                 Q("www.badsig.test.", "A", rcode="SERVFAIL", ede=6)]))
    S.append(Scenario("dnssec_negative_trust_anchor", """\
A negative trust anchor (RFC 7646) for badsig.test.: its bogus answer is
taken as insecure (no AD); a zone beside it still validates.""",
                      [Q("www.badsig.test.", "A",
                         records=["www.badsig.test. 300 IN A 192.0.2.95"]),
                       Q("www.example.test.", "A", ad=True, records=www_a)],
                      config="negative-trust-anchors: [badsig.test.]\n"))
    S.append(Scenario("dnssec_cached", """\
Secure answers are cached as secure: asked again 10 s later, the positive
answer and the NXDOMAIN come from the cache, with AD, no query sent.""",
                      [Q("www.example.test.", "A", ad=True, records=www_a),
                       Q("nx.example.test.", "A", rcode="NXDOMAIN", ad=True),
                       Q("www.example.test.", "A", ad=True,
                         records=["www.example.test. 290 IN A 192.0.2.80"],
                         before=["time 10"], after=["queries-at-most 0"]),
                       Q("nx.example.test.", "A", rcode="NXDOMAIN", ad=True,
                         after=["queries-at-most 0"])]))
    S.append(Scenario("dnssec_nsec3_iterations", """\
n3iter.test. uses 10 NSEC3 iterations, more than dnssec.max-nsec3-iterations
(5 here): RFC 9276 §3.2 lets the validator treat the proof as insecure. The
NXDOMAIN comes back without AD.""",
                      [Q("nx.n3iter.test.", "A", rcode="NXDOMAIN")],
                      config="dnssec: {max-nsec3-iterations: 5}\n"))
    S.append(Scenario("dnssec_nsec3_iterations_allowed", """\
The same NXDOMAIN as dnssec_nsec3_iterations under the default
dnssec.max-nsec3-iterations (150): 10 iterations are checked, and the answer
is secure.""", [Q("nx.n3iter.test.", "A", rcode="NXDOMAIN", ad=True)]))
    S.append(Scenario("dnssec_keytrap", """\
KeyTrap (CVE-2023-50387): keytrap.test. publishes 15 DNSKEYs that share key
tag 4242 besides its real ones, and signs www with 8 RRSIGs naming that tag,
none valid; both its servers say the same. Each signature may try
max-key-tries keys and each RRset max-signatures signatures, and the whole
resolution does at most max-signature-checks verifications: the question
fails (EDE 0, the bound named) without doing more than that.""",
                      [Q("www.keytrap.test.", "A", rcode="SERVFAIL", ede=0, text="KeyTrap",
                         after=["verifications-at-most 64"])],
                      config="dnssec: {max-signature-checks: 64, max-key-tries: 4, "
                             "max-signatures: 8}\n"))
    S.append(Scenario("dnssec_nsec3_hash_cap", """\
The NSEC3 hashing bound (CVE-2023-50868): with dnssec.max-nsec3-hashes at 1,
the NXDOMAIN proof (which needs three hashes) cannot be checked: SERVFAIL,
EDE 0 naming the bound.""",
                      [Q("nx.n3.test.", "A", rcode="SERVFAIL", ede=0, text="NSEC3")],
                      config="dnssec: {max-nsec3-hashes: 1}\n"))
    return S


# --- what holdfast asks, and the replay file ----------------------------------------------


def zone_of(z, name):
    """The zone whose servers answer for name authoritatively (deepest cut)."""
    best = z["."]
    for zone in z.values():
        if name.is_subdomain(zone.origin) and len(zone.origin) > len(best.origin):
            best = zone
    return best


def questions(z, qname, qtype):
    """(zone, name, type) holdfast will send on the way to qname, following CNAMEs."""
    out = [(z["."], N("."), T.NS)]
    todo = [qname]
    while todo:
        target = todo.pop()
        zone = z["."]
        while True:
            if zone.signed:
                out.append((zone, zone.origin, T.DNSKEY))
            if target == zone.origin:
                out.append((zone, target, qtype))
                break
            child = None
            for k in range(len(zone.origin) + 1, len(target) + 1):
                name = dns.name.Name(target.labels[-k:])
                cut = zone.cut_above(name)
                out.append((zone, name, qtype if name == target else T.A))
                if cut is not None:
                    out.append((zone, name, T.DS))
                    child = zone.cuts[cut]
                    break
            if child is None:
                break
            zone = child
        # A CNAME whose target the response leaves unanswered: holdfast goes on there.
        rcode, aa, ans, auth, add = zone.respond(target, qtype)
        owners = {r.name for r in ans}
        for r in ans:
            if r.rdtype == T.CNAME and r[0].target not in owners:
                todo.append(r[0].target)
    seen, uniq = set(), []
    for q in out:
        key = (q[0].origin, q[1], q[2])
        if key not in seen:
            seen.add(key)
            uniq.append(q)
    return uniq


def message_text(qname, qtype, resp):
    rcode, aa, ans, auth, add = resp
    lines = [f";; id 0 opcode QUERY rcode {rcode} flags qr{' aa' if aa else ''}",
             ";; edns version 0 udp 1232 flags do", ";; QUESTION",
             f"{qname} IN {T.to_text(qtype)}"]
    for title, section in (("ANSWER", ans), ("AUTHORITY", auth), ("ADDITIONAL", add)):
        if section:
            lines.append(f";; {title}")
            for rrset in section:
                lines += rrset.to_text().split("\n")
    return lines


def priming(z):
    root = z["."]
    ns = root.nodes[root.origin][T.NS]
    a = dns.rrset.RRset(N("a.root-servers.net."), IN, T.A)
    a.add(rd(T.A, "192.0.2.1"), 518400)
    return ("NOERROR", True, [ns], [], [a])


def write(z, sc):
    root = z["."]
    out = ["# Generated by tests/replay/gen_dnssec.py: edit that, not this file.", "#"]
    out += ["# " + line for line in sc.doc.split("\n")]
    out += ["anchors"]
    if sc.anchor == "dnskey":
        out += [f". 3600 IN DNSKEY {root.ksk.dnskey.to_text()}"]
    else:
        ds = dns.dnssec.make_ds(root.origin, root.ksk.dnskey, "SHA256")
        out += [f". 3600 IN DS {ds.to_text()}"]
    out += ["end"]
    if sc.config:
        out += ["config"] + sc.config.rstrip("\n").split("\n") + ["end"]
    out += ["hints", ". 3600000 NS a.root-servers.net.",
            "a.root-servers.net. 3600000 A 192.0.2.1", "end"]
    entries = {}  # address -> [(name, type, lines)]
    for q in sc.queries:
        for zone, name, rdtype in questions(z, q.name, q.rdtype):
            for _, addr in zone.servers:
                lst = entries.setdefault(addr, [])
                if any(e[0] == name and e[1] == rdtype for e in lst):
                    continue
                if zone is root and name == root.origin and rdtype == T.NS:
                    resp = priming(z)
                else:
                    resp = zone.respond(name, rdtype)
                hook = sc.hooks.get((addr, name.to_text(), rdtype))
                if hook is not None:
                    resp = hook(resp)
                lst.append((name, rdtype, message_text(name, rdtype, resp)))
    order = sorted(entries, key=lambda a: tuple(int(x) for x in a.split(".")))
    for addr in order:
        zone = next(zz for zz in z.values() if addr in [s[1] for s in zz.servers])
        out += ["", f"# {zone.origin}", f"server {addr}"]
        for name, rdtype, lines in entries[addr]:
            out += [f"entry {name} {T.to_text(rdtype)}"] + lines + ["end"]
    out.append("")
    for q in sc.queries:
        out += list(q.before)
        out.append(f"query {q.name} {T.to_text(q.rdtype)}{' cd' if q.cd else ''}")
        if q.rcode == "SERVFAIL":
            out.append(f"answer SERVFAIL ede {q.ede}" + (f" {q.text}" if q.text else ""))
        else:
            out.append(f"answer {q.rcode}{' ad' if q.ad else ''}")
            out += list(q.records) + ["end"]
        out += list(q.after)
    path = os.path.join(OUT, sc.file + ".rpl")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


def main():
    z = build_tree()
    for sc in scenarios(z):
        print(write(z, sc))


if __name__ == "__main__":
    sys.exit(main())
