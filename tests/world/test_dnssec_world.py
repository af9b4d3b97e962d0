# SPDX-License-Identifier: GPL-3.0-or-later
"""DNSSEC in the test world (issue 5): (a) the signed world is sound: each zone is
signed as zones.SIGNED says and each broken zone is broken exactly as it says;
(b) a validating stock unbound, from the world's own trust anchor, reaches the
verdict zones.DNSSEC_CASES gives for every name (the positive control: if it does
not, the table or the world is wrong); (c) holdfast, validating from the same
anchor, does the same, with the table's Extended DNS Errors.

Run: HOLDFAST=build/default/holdfast /usr/bin/python3 -m pytest -p no:cacheprovider tests/world
"""

import base64
import time

import pytest

import dns.dnssec
import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from . import zones
from .conftest import _read, answer_set, attach, check_case, ede_codes, ede_text, \
    holdfast_config, holdfast_process, holdfast_stop, unbound_process

VALIDATING_UNBOUND_ADDR = "127.0.0.4"   # inside res (127.0.0.1-3 are the other resolvers)
VALIDATING_HOLDFAST_ADDR = "127.0.0.5"

RRSIG, NSEC, NSEC3, DS, DNSKEY = (dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3,
                                  dns.rdatatype.DS, dns.rdatatype.DNSKEY)
ZONE_FLAG, SEP_FLAG = 0x0100, 0x0001


# --- asking authoritative servers -------------------------------------------


def server_of(origin):
    """The public address of the server that serves origin (one per signed zone)."""
    addrs = [addr for _, addr, origins in zones.SERVERS.values() if origin in origins]
    assert len(addrs) == 1, f"{origin} is served by {addrs}"
    return addrs[0]


def parent_of(origin):
    p = dns.name.from_text(origin).parent()
    while p.to_text() not in {o for _, _, os_ in zones.SERVERS.values() for o in os_}:
        p = p.parent()
    return p.to_text()


def ask_auth(w, origin_or_addr, qname, qtype, tcp=False):
    """A DO query (no RD) to the server of a zone (or an address)."""
    addr = origin_or_addr if origin_or_addr[0].isdigit() else server_of(origin_or_addr)
    return w.query("res", addr, qname, qtype, want_dnssec=True, tcp=tcp)


def find(msg, section, name, rdtype, covers=dns.rdatatype.NONE):
    """The RRset (or None) of that owner and type in a section of msg."""
    name = dns.name.from_text(name) if isinstance(name, str) else name
    for rrset in getattr(msg, section):
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def rrset_with_sigs(msg, section, name, rdtype):
    return find(msg, section, name, rdtype), find(msg, section, name, RRSIG, rdtype)


def zone_keys(w, origin):
    """The zone's DNSKEY RRset and its RRSIGs, from its server."""
    r = ask_auth(w, origin, origin, "DNSKEY")
    keys, sigs = rrset_with_sigs(r, "answer", origin, DNSKEY)
    assert keys is not None, f"no DNSKEY for {origin}:\n{r.to_text()}"
    return keys, sigs


def validate(rrset, sigs, keys, now=None):
    """dnspython's validation of rrset by sigs with the DNSKEY RRset keys (raises)."""
    assert sigs is not None, f"no RRSIG for {rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
    dns.dnssec.validate(rrset, sigs, {keys.name: keys}, now=now)


def parent_ds(w, origin):
    """The DS RRset for origin and its RRSIGs, from the parent's server."""
    r = ask_auth(w, parent_of(origin), origin, "DS")
    return rrset_with_sigs(r, "answer", origin, DS)


def ds_matches(ds, key, owner):
    try:
        want = dns.dnssec.make_ds(owner, key, ds.digest_type)
    except Exception:  # noqa: BLE001 - an unknown digest type matches nothing
        return False
    return want == ds


def nsec3_hash(name, rd):
    return dns.dnssec.nsec3_hash(name, rd.salt, rd.iterations, rd.algorithm).lower()


def nsec3_owner_hash(rrset):
    return rrset.name.labels[0].decode().lower()


def nsec3_next_hash(rd):
    return base64.b32hexencode(rd.next).decode().lower()


def nsec3_covers(rrset, h):
    """True when the NSEC3 RRset's interval (owner, next) strictly covers hash h."""
    lo, hi = nsec3_owner_hash(rrset), nsec3_next_hash(rrset[0])
    return lo < h < hi if lo < hi else (h > lo or h < hi)


def bitmap_types(rd):
    """The types in an NSEC or NSEC3 record's bitmap, as mnemonics."""
    fields = rd.to_text().split()
    return set(fields[1:] if rd.rdtype == NSEC else fields[5:])


def denial_records(msg):
    return [rs for rs in msg.authority if rs.rdtype in (NSEC, NSEC3)]


# --- (a) the signed world is sound -------------------------------------------


def test_trust_anchor_is_the_roots_key(world_logs):
    """The anchor file holds the DS of the key that signs the root's DNSKEY set."""
    w = world_logs
    with open(w.trust_anchor_path) as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith(";")]
    assert len(lines) == 1, lines
    owner, ttl, rdclass, rdtype, rdata = lines[0].split(None, 4)
    anchor = dns.rrset.from_text(owner, int(ttl), rdclass, rdtype, rdata)
    assert anchor.name == dns.name.root and anchor.rdtype == DS
    keys, sigs = zone_keys(w, ".")
    assert any(ds_matches(anchor[0], k, ".") for k in keys), f"{anchor}\n{keys}"
    validate(keys, sigs, keys)
    r = ask_auth(w, ".", ".", "SOA")
    validate(*rrset_with_sigs(r, "answer", ".", dns.rdatatype.SOA), keys)


SIGNED_PARAMS = [pytest.param(o, s, id=o) for o, s in zones.SIGNED.items()]


@pytest.mark.parametrize("origin,spec", SIGNED_PARAMS)
def test_zone_signed_as_the_table_says(world_logs, origin, spec):
    """Each zone in SIGNED: DNSKEY of the table's algorithm, its DS in the (signed)
    parent with a valid signature, and the table's kind of denial (NSEC, or NSEC3 with
    0 iterations, the salt and the opt-out flag), unless the breakage removes it."""
    w = world_logs
    keys, key_sigs = zone_keys(w, origin)
    assert {k.algorithm for k in keys} == {spec.alg}, keys.to_text()
    if spec.breakage not in ("expired", "not-yet-valid", "unsupported-algorithm"):
        validate(keys, key_sigs, keys)
    if origin != ".":
        ds, ds_sigs = parent_ds(w, origin)
        assert ds is not None and len(ds) == 1, f"{origin}: DS {ds}"
        validate(ds, ds_sigs, zone_keys(w, parent_of(origin))[0])
        matches = any(ds_matches(ds[0], k, origin) for k in keys)
        assert matches == (spec.breakage not in ("ds-mismatch", "unsupported-digest")), \
            f"{origin}: DS {ds[0]} vs\n{keys.to_text()}"
    nx = "nx-nosuchtld." if origin == "." else f"nx.{origin}"
    r = ask_auth(w, origin, nx, "A")
    assert r.rcode() == dns.rcode.NXDOMAIN, r.to_text()
    kinds = {rs.rdtype for rs in denial_records(r)}
    if spec.breakage in ("no-nsec", "unsupported-algorithm"):
        assert not kinds, r.to_text()
    elif spec.denial == "nsec":
        assert kinds == {NSEC}, r.to_text()
    else:
        assert kinds == {NSEC3}, r.to_text()
        for rs in denial_records(r):
            rd = rs[0]
            assert (rd.algorithm, rd.iterations, rd.salt.hex()) == (1, 0, spec.salt), rs
            assert bool(rd.flags & 1) == (spec.denial == "nsec3-optout"), rs
        p = ask_auth(w, origin, origin, "NSEC3PARAM")
        assert data_set(p) == {f"{origin} NSEC3PARAM 1 0 0 {spec.salt or '-'}"}, p.to_text()


def test_expired_zone(world_logs):
    """expired.com: every RRSIG's validity ended a week ago; the signatures are
    otherwise right (they validate at a time inside their window)."""
    w = world_logs
    keys, key_sigs = zone_keys(w, "expired.com.")
    a, a_sigs = rrset_with_sigs(ask_auth(w, "expired.com.", "www.expired.com.", "A"), "answer",
                                "www.expired.com.", dns.rdatatype.A)
    for rrset, sigs in ((keys, key_sigs), (a, a_sigs)):
        for sig in sigs:
            assert sig.expiration < time.time() - 6 * 86400, sig
            with pytest.raises(dns.dnssec.ValidationFailure, match="^expired"):
                dns.dnssec.validate_rrsig(rrset, sig, {keys.name: keys})
        validate(rrset, sigs, keys, now=sigs[0].expiration - 3600)


def test_not_yet_valid_zone(world_logs):
    w = world_logs
    keys, key_sigs = zone_keys(w, "future.com.")
    a, a_sigs = rrset_with_sigs(ask_auth(w, "future.com.", "www.future.com.", "A"), "answer",
                                "www.future.com.", dns.rdatatype.A)
    for rrset, sigs in ((keys, key_sigs), (a, a_sigs)):
        for sig in sigs:
            assert sig.inception > time.time() + 6 * 86400, sig
            with pytest.raises(dns.dnssec.ValidationFailure, match="^not yet valid"):
                dns.dnssec.validate_rrsig(rrset, sig, {keys.name: keys})
        validate(rrset, sigs, keys, now=sigs[0].inception + 3600)


def test_ds_mismatch_zone(world_logs):
    """badds.com: com.'s DS has the zone key's tag and algorithm, but its digest
    matches no DNSKEY; the zone itself is signed correctly."""
    w = world_logs
    keys, key_sigs = zone_keys(w, "badds.com.")
    validate(keys, key_sigs, keys)
    ds, _ = parent_ds(w, "badds.com.")
    assert [dns.dnssec.key_id(k) for k in keys] == [ds[0].key_tag]
    assert [k.algorithm for k in keys] == [ds[0].algorithm]
    right = dns.dnssec.make_ds("badds.com.", keys[0], ds[0].digest_type)
    assert right.digest != ds[0].digest, (right, ds[0])


def test_missing_rrsig_zone(world_logs):
    """norrsig.com: www A comes without RRSIG (on UDP and TCP); its other RRsets have them."""
    w = world_logs
    for tcp in (False, True):
        r = ask_auth(w, "norrsig.com.", "www.norrsig.com.", "A", tcp=tcp)
        a, sigs = rrset_with_sigs(r, "answer", "www.norrsig.com.", dns.rdatatype.A)
        assert a is not None and sigs is None, r.to_text()
    keys, _ = zone_keys(w, "norrsig.com.")
    for name, t in (("www.norrsig.com.", "AAAA"), ("txt.norrsig.com.", "TXT")):
        r = ask_auth(w, "norrsig.com.", name, t)
        validate(*rrset_with_sigs(r, "answer", name, dns.rdatatype.from_text(t)), keys)


def test_no_nsec_zone(world_logs):
    """nonsec.com: NXDOMAIN and NODATA come with a signed SOA but no NSEC at all."""
    w = world_logs
    keys, _ = zone_keys(w, "nonsec.com.")
    for name, t, rcode in (("nx.nonsec.com.", "A", dns.rcode.NXDOMAIN),
                           ("www.nonsec.com.", "MX", dns.rcode.NOERROR)):
        r = ask_auth(w, "nonsec.com.", name, t)
        assert r.rcode() == rcode and not r.answer, r.to_text()
        assert not denial_records(r), r.to_text()
        validate(*rrset_with_sigs(r, "authority", "nonsec.com.", dns.rdatatype.SOA), keys)


def test_wrong_nsec3_zone(world_logs):
    """badnsec3.net: the NSEC3 records served are validly signed, but they are the
    chain of another version of the zone: the NXDOMAIN proof carries an NSEC3 that
    matches *.badnsec3.net (a wildcard that does not exist), the NODATA proof for
    txt AAAA an NSEC3 whose bitmap lists AAAA."""
    w = world_logs
    origin = "badnsec3.net."
    keys, _ = zone_keys(w, origin)
    r = ask_auth(w, origin, f"nx.{origin}", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN, r.to_text()
    n3 = denial_records(r)
    assert n3 and all(rs.rdtype == NSEC3 for rs in n3), r.to_text()
    for rs in n3:
        validate(rs, find(r, "authority", rs.name, RRSIG, NSEC3), keys)
    wild = nsec3_hash(f"*.{origin}", n3[0][0])
    assert wild in {nsec3_owner_hash(rs) for rs in n3}, r.to_text()
    assert ask_auth(w, origin, f"x.{origin}", "TXT").rcode() == dns.rcode.NXDOMAIN

    r = ask_auth(w, origin, f"txt.{origin}", "AAAA")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer, r.to_text()
    n3 = denial_records(r)
    h = nsec3_hash(f"txt.{origin}", n3[0][0])
    match = [rs for rs in n3 if nsec3_owner_hash(rs) == h]
    assert match and "AAAA" in bitmap_types(match[0][0]), r.to_text()
    validate(match[0], find(r, "authority", match[0].name, RRSIG, NSEC3), keys)


def test_no_zone_bit_zone(world_logs):
    """nozonebit.com: its only DNSKEY lacks the Zone Key bit (flags 1: SEP only); the
    DS matches that key and the RRSIGs are made with it (valid as signatures)."""
    w = world_logs
    keys, key_sigs = zone_keys(w, "nozonebit.com.")
    assert [k.flags for k in keys] == [SEP_FLAG], keys.to_text()
    ds, _ = parent_ds(w, "nozonebit.com.")
    assert ds_matches(ds[0], keys[0], "nozonebit.com.")
    validate(keys, key_sigs, keys)  # dnspython does not look at the flags
    r = ask_auth(w, "nozonebit.com.", "www.nozonebit.com.", "A")
    validate(*rrset_with_sigs(r, "answer", "www.nozonebit.com.", dns.rdatatype.A), keys)


def test_unsupported_algorithm_zone(world_logs):
    """unsupalg.org: org.'s validly signed DS is algorithm 253 (PRIVATEDNS) and matches
    the zone's DNSKEY; nothing in the zone is signed."""
    w = world_logs
    ds, _ = parent_ds(w, "unsupalg.org.")  # its signature: test_zone_signed_as_the_table_says
    assert ds[0].algorithm == 253
    keys, key_sigs = zone_keys(w, "unsupalg.org.")
    assert key_sigs is None and ds_matches(ds[0], keys[0], "unsupalg.org.")
    assert keys[0].key.startswith(dns.name.from_text(zones.PRIVATEDNS_NAME).to_wire())
    r = ask_auth(w, "unsupalg.org.", "www.unsupalg.org.", "A")
    assert r.answer and not find(r, "answer", "www.unsupalg.org.", RRSIG, dns.rdatatype.A)


def test_unsupported_digest_zone(world_logs):
    """unsupdigest.org: correctly signed, but org.'s only DS for it has digest type 200."""
    w = world_logs
    ds, _ = parent_ds(w, "unsupdigest.org.")
    assert [d.digest_type for d in ds] == [zones.UNSUPPORTED_DIGEST]
    keys, key_sigs = zone_keys(w, "unsupdigest.org.")
    validate(keys, key_sigs, keys)
    assert ds[0].key_tag == dns.dnssec.key_id(keys[0])


def test_optout_zone(world_logs):
    """optout.com: the referral to the unsigned unsig.optout.com has no DS and no NSEC3
    of its own, only the closest encloser's and an opt-out NSEC3 covering it."""
    w = world_logs
    origin, child = "optout.com.", "unsig.optout.com."
    keys, _ = zone_keys(w, origin)
    for tcp in (False, True):
        r = ask_auth(w, origin, f"www.{child}", "A", tcp=tcp)
        assert not r.answer and find(r, "authority", child, dns.rdatatype.NS), r.to_text()
        assert not find(r, "authority", child, DS), r.to_text()
        n3 = denial_records(r)
        assert n3 and all(rs.rdtype == NSEC3 for rs in n3), r.to_text()
        for rs in n3:
            validate(rs, find(r, "authority", rs.name, RRSIG, NSEC3), keys)
        h_child, h_apex = nsec3_hash(child, n3[0][0]), nsec3_hash(origin, n3[0][0])
        owners = {nsec3_owner_hash(rs) for rs in n3}
        assert h_apex in owners and h_child not in owners, r.to_text()
        cover = [rs for rs in n3 if nsec3_covers(rs, h_child)]
        assert cover and cover[0][0].flags & 1, r.to_text()
    r = ask_auth(w, child, f"www.{child}", "A")
    assert answer_set(r) == {f"www.{child} A 203.0.113.117"} and not \
        [rs for rs in r.answer if rs.rdtype == RRSIG], r.to_text()


def test_signed_com_through_glueproxy(world_logs):
    """com. is signed and fronted by glueproxy.py: with DO, over UDP and TCP, its DS
    answers and its NSEC proofs of no DS (insecure delegations) come through signed,
    and the lying glue is still added to liar.com's referral."""
    w = world_logs
    keys, key_sigs = zone_keys(w, "com.")
    validate(keys, key_sigs, keys)
    com = w.servers["com"]
    for tcp in (False, True):
        r = ask_auth(w, com, "ecdsa.com.", "DS", tcp=tcp)
        validate(*rrset_with_sigs(r, "answer", "ecdsa.com.", DS), keys)
        for name, cut in (("www.alpha.com.", "alpha.com."), ("www.liar.com.", "liar.com.")):
            r = ask_auth(w, com, name, "A", tcp=tcp)
            assert find(r, "authority", cut, dns.rdatatype.NS), r.to_text()
            nsec, sigs = rrset_with_sigs(r, "authority", cut, NSEC)
            assert nsec is not None and "DS" not in bitmap_types(nsec[0]), r.to_text()
            validate(nsec, sigs, keys)
        glue = {f"{rs.name} {rd}" for rs in r.additional for rd in rs
                if rs.rdtype == dns.rdatatype.A}
        assert glue == {"ns1.victim.net. 198.18.2.66"}, r.to_text()


# --- resolvers: verdicts -------------------------------------------------------


def data_set(msg):
    """The answer section as CASES writes it, RRSIGs left out."""
    return frozenset(a for a in answer_set(msg) if a.split()[1] != "RRSIG")


def verdict_of(msg):
    if msg.rcode() == dns.rcode.SERVFAIL:
        return zones.BOGUS
    return zones.SECURE if msg.flags & dns.flags.AD else zones.INSECURE


def ask(w, addr, case, *, do=True, cd=False, ad=False, timeout=20.0):
    return w.query("res", addr, case.qname, case.qtype, rd=True, want_dnssec=do, cd=cd, ad=ad,
                   timeout=timeout)


def check_verdict(w, addr, case):
    """The problems ([] = none) with a validating resolver's answers for one case: the
    DO query's rcode, AD bit and answer; for a secure name also the AD-only query (RFC
    6840 5.7); for a bogus one the CD query, which must bring the data. Returns
    (problems, the DO answer)."""
    bad = []
    r = ask(w, addr, case)
    rcode, want = dns.rcode.to_text(r.rcode()), zones.validated_rcode(case)
    if rcode != want:
        bad.append(f"rcode {rcode}, want {want}")
    if verdict_of(r) != case.verdict:
        bad.append(f"verdict {verdict_of(r)} (AD {bool(r.flags & dns.flags.AD)}), "
                   f"want {case.verdict}")
    if case.verdict != zones.BOGUS and case.answer is not None and data_set(r) != case.answer:
        bad.append(f"answer {sorted(data_set(r))}, want {sorted(case.answer)}")
    if case.verdict == zones.SECURE:
        r2 = ask(w, addr, case, do=False, ad=True)
        if not r2.flags & dns.flags.AD:
            bad.append("no AD when asked with AD (no DO)")
    if case.verdict == zones.BOGUS:
        c = ask(w, addr, case, cd=True)
        if dns.rcode.to_text(c.rcode()) != case.rcode or data_set(c) != case.answer:
            bad.append(f"with CD: {dns.rcode.to_text(c.rcode())} {sorted(data_set(c))}, want "
                       f"{case.rcode} {sorted(case.answer)}")
        if c.flags & dns.flags.AD:
            bad.append("AD on bogus data given with CD")
    return bad, r


DNSSEC_PARAMS = [pytest.param(c, id=zones.dnssec_case_id(c)) for c in zones.DNSSEC_CASES]
BOGUS_PARAMS = [p for p in DNSSEC_PARAMS if p.values[0].verdict == zones.BOGUS]
SECURE_PARAMS = [p for p in DNSSEC_PARAMS if p.values[0].verdict == zones.SECURE]
CASE_PARAMS = [pytest.param(c, id=zones.case_id(c)) for c in zones.CASES]
CONTROL = zones.DNSSEC_CASES[[c.qname for c in zones.DNSSEC_CASES].index("www.ecdsa.com.")]


# --- (b) the positive control: a validating stock unbound ---------------------


@pytest.fixture(scope="module")
def vunbound(world, tmp_path_factory):
    """A stock unbound in res validating from the world's trust anchor (val-log-level 2,
    qname minimisation, the private root hints)."""
    p = unbound_process(world, str(tmp_path_factory.mktemp("vunbound")),
                        VALIDATING_UNBOUND_ADDR, trust_anchor=world.trust_anchor_path,
                        title="unbound-validating")
    yield p
    world.stop(p)


@pytest.mark.parametrize("case", DNSSEC_PARAMS)
def test_validating_unbound_verdicts(world_logs, vunbound, request, case):
    """Validating unbound reaches the table's verdict for each name: secure with AD,
    insecure without, bogus as SERVFAIL (with the table's EDE) whose data CD brings."""
    attach(request, "validating unbound log", vunbound.log)
    bad, r = check_verdict(world_logs, VALIDATING_UNBOUND_ADDR, case)
    if case.verdict == zones.BOGUS and case.ede not in ede_codes(r):
        bad.append(f"EDE {ede_text(r)}, want {case.ede}")
    print(f"unbound: {zones.dnssec_case_id(case)}: {verdict_of(r)}, EDE {ede_text(r)}")
    assert not bad, f"{case.why}: " + "; ".join(bad) + f"\n{r.to_text()}"


def answering_zone(qname):
    """The nearest zone any server of the world serves that encloses qname."""
    n = dns.name.from_text(qname)
    served = {o for _, _, origins in zones.SERVERS.values() for o in origins}
    while n.to_text() not in served:
        n = n.parent()
    return n.to_text()


def check_unsigned_case(w, addr, case, *, want_ede):
    """A CASES name through a validating resolver: as that table says, and AD only
    where the answering zone is signed (www.nosuchtld: the root's denial)."""
    r = w.query("res", addr, case.qname, case.qtype, rd=True, want_dnssec=True, timeout=20)
    bad = check_case(r, case, want_ede=want_ede)
    spec = zones.SIGNED.get(answering_zone(case.qname))
    want_ad = case.rcode != "SERVFAIL" and spec is not None and spec.breakage is None
    if bool(r.flags & dns.flags.AD) != want_ad:
        bad.append(f"AD {bool(r.flags & dns.flags.AD)}, want {want_ad}")
    return bad, r


@pytest.mark.parametrize("case", [p for p in CASE_PARAMS if p.values[0].rcode != "SERVFAIL"])
def test_validating_unbound_keeps_the_unsigned_world(world_logs, vunbound, request, case):
    """Every name of CASES (all but one in unsigned zones) resolves as that table says
    with validation on, without AD: the insecure delegations under the signed root and
    TLDs are provably insecure. (The SERVFAIL names are left out: the iterating control
    in test_world.py has them, and their dead servers cost seconds each.)"""
    attach(request, "validating unbound log", vunbound.log)
    bad, r = check_unsigned_case(world_logs, VALIDATING_UNBOUND_ADDR, case, want_ede=False)
    assert not bad, f"{case.why}: " + "; ".join(bad) + f"\n{r.to_text()}"


# --- (c) holdfast, validating from the same anchor -----------------------------


@pytest.fixture(scope="module")
def vholdfast(world, holdfast_bin, tmp_path_factory):
    """holdfast in res, recursing from the private root and validating from the
    world's trust anchor (`trust-anchors: [<anchor>]`). Must exit 0 on SIGTERM."""
    d = str(tmp_path_factory.mktemp("vholdfast"))
    text = holdfast_config(d, world, VALIDATING_HOLDFAST_ADDR, [world.trust_anchor_path])
    p = holdfast_process(world, holdfast_bin, d, text, VALIDATING_HOLDFAST_ADDR,
                         title="holdfast-validating")
    yield p
    holdfast_stop(world, p)


def _attach_holdfast(request, p):
    attach(request, "validating holdfast stderr", p.log)
    attach(request, "validating holdfast config", p.conf)


@pytest.mark.parametrize("case", DNSSEC_PARAMS)
def test_holdfast_verdicts(world_logs, vholdfast, request, case):
    """holdfast's rcode, AD bit and answer for each name are the table's; for bogus
    names CD brings the data."""
    _attach_holdfast(request, vholdfast)
    bad, r = check_verdict(world_logs, VALIDATING_HOLDFAST_ADDR, case)
    assert not bad, f"{case.why}: " + "; ".join(bad) + f"\n{r.to_text()}"


@pytest.mark.parametrize("case", BOGUS_PARAMS)
def test_holdfast_ede_on_bogus(world_logs, vholdfast, request, case):
    """Each bogus SERVFAIL carries the table's Extended DNS Error, and only if
    holdfast resolves a secure name (so a resolver that fails everything cannot pass)."""
    _attach_holdfast(request, vholdfast)
    bad, _ = check_verdict(world_logs, VALIDATING_HOLDFAST_ADDR, CONTROL)
    assert not bad, f"the control {zones.dnssec_case_id(CONTROL)} fails: " + "; ".join(bad)
    r = ask(world_logs, VALIDATING_HOLDFAST_ADDR, case)
    assert r.rcode() == dns.rcode.SERVFAIL and case.ede in ede_codes(r), \
        f"{case.why}: EDE {ede_text(r)}, want {case.ede}\n{r.to_text()}"


@pytest.mark.parametrize("case", SECURE_PARAMS)
def test_holdfast_ad_on_secure(world_logs, vholdfast, request, case):
    """AD on every secure answer, asked with DO and asked with AD alone; the RRSIGs
    come with the data when DO is set."""
    _attach_holdfast(request, vholdfast)
    w = world_logs
    for kw in ({"do": True}, {"do": False, "ad": True}):
        r = ask(w, VALIDATING_HOLDFAST_ADDR, case, **kw)
        assert r.flags & dns.flags.AD, f"{kw}: no AD\n{r.to_text()}"
    r = ask(w, VALIDATING_HOLDFAST_ADDR, case)
    if r.answer:
        assert any(rs.rdtype == RRSIG for rs in r.answer), r.to_text()
    else:
        assert denial_records(r), f"a secure denial without its NSEC/NSEC3:\n{r.to_text()}"


@pytest.mark.parametrize("case", BOGUS_PARAMS)
def test_holdfast_cd_gives_the_data(world_logs, vholdfast, request, case):
    """With CD, a bogus name's data comes through unvalidated (no AD)."""
    _attach_holdfast(request, vholdfast)
    r = ask(world_logs, VALIDATING_HOLDFAST_ADDR, case, cd=True)
    assert dns.rcode.to_text(r.rcode()) == case.rcode and data_set(r) == case.answer, \
        r.to_text()
    assert not r.flags & dns.flags.AD, r.to_text()


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_holdfast_validating_keeps_the_unsigned_world(world_logs, vholdfast, request, case):
    """Validation on, every name of CASES still resolves as that table says (with its
    EDE on SERVFAIL), without AD (but for the root's signed denial)."""
    _attach_holdfast(request, vholdfast)
    bad, r = check_unsigned_case(world_logs, VALIDATING_HOLDFAST_ADDR, case, want_ede=True)
    assert not bad, f"{case.why}: " + "; ".join(bad) + f"\n{r.to_text()}"


def test_holdfast_and_validating_unbound_agree(world_logs, vholdfast, vunbound, request):
    """For every name of DNSSEC_CASES, holdfast's verdict (and, for bogus names, the
    rcode and data it gives with CD) is validating unbound's."""
    _attach_holdfast(request, vholdfast)
    attach(request, "validating unbound log", vunbound.log)
    w = world_logs
    rows = []
    for case in zones.DNSSEC_CASES:
        got = {}
        for name, addr in (("holdfast", VALIDATING_HOLDFAST_ADDR),
                           ("unbound", VALIDATING_UNBOUND_ADDR)):
            r = ask(w, addr, case)
            c = ask(w, addr, case, cd=True)
            got[name] = (verdict_of(r), dns.rcode.to_text(c.rcode()), data_set(c))
        if got["holdfast"] != got["unbound"]:
            rows.append(f"{zones.dnssec_case_id(case)}: holdfast {got['holdfast'][:2]} "
                        f"vs unbound {got['unbound'][:2]}"
                        + ("" if got["holdfast"][2] == got["unbound"][2] else
                           f"; data {sorted(got['holdfast'][2])} vs {sorted(got['unbound'][2])}"))
    assert not rows, f"{len(rows)} of {len(zones.DNSSEC_CASES)} names differ:\n" + \
        "\n".join(rows) + f"\n(holdfast log tail)\n{_read(vholdfast.log)[-2000:]}"


def test_holdfast_aggressive_nsec(world_logs, vholdfast, request):
    """RFC 8198: once a signed NXDOMAIN has been validated, another name in the same
    NSEC span is denied from the cache, securely, even with the far servers cut off;
    a name in an unsigned zone has no such proof, and fails instead."""
    _attach_holdfast(request, vholdfast)
    w = world_logs
    first = w.query("res", VALIDATING_HOLDFAST_ADDR, "nx.ecdsa.com.", "A", rd=True,
                    want_dnssec=True, timeout=20.0)
    assert first.rcode() == dns.rcode.NXDOMAIN and first.flags & dns.flags.AD, first.to_text()
    w.outage(True)
    try:
        r = w.query("res", VALIDATING_HOLDFAST_ADDR, "nxa.ecdsa.com.", "A", rd=True,
                    want_dnssec=True, timeout=20.0)
        assert r.rcode() == dns.rcode.NXDOMAIN and r.flags & dns.flags.AD, r.to_text()
        assert any(rs.rdtype == NSEC for rs in r.authority), r.to_text()
        other = w.query("res", VALIDATING_HOLDFAST_ADDR, "never-asked.alpha.com.", "A",
                        rd=True, timeout=20.0)
        assert other.rcode() == dns.rcode.SERVFAIL, other.to_text()
    finally:
        w.outage(False)
