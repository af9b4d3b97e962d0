# SPDX-License-Identifier: GPL-3.0-or-later
"""Signs the test world's zones at each build (zones.SIGNED says which and how).

Keys are made for each run (ldns-keygen, one combined key per zone: flags 257,
used for every RRset), zones are signed with ldns-signzone, and each zone's DS
(ldns-key2ds, SHA-256) goes into its parent's text before the parent is signed:
deepest zones first, the root last. The root's DS is the world's trust anchor.
Signatures are valid from an hour before the run started to three weeks after.

The broken zones (zones.BREAKAGES) are made here too, from the same tools plus
small edits of ldns-signzone's output (which prints one record a line: owner,
TTL, class, type, data).
"""

import base64
import os
import subprocess

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from . import zones

DAY = 86400
ALGORITHMS = {8: ("RSASHA256", 2048), 13: ("ECDSAP256SHA256", None), 15: ("ED25519", None)}


class SignError(RuntimeError):
    pass


def _run(argv, cwd):
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SignError(f"{' '.join(argv)}: {e}") from e
    if p.returncode != 0:
        raise SignError(f"{' '.join(argv)} failed with status {p.returncode}:\n"
                        f"{p.stdout}{p.stderr}")
    return p.stdout


def depth(origin):
    return len(dns.name.from_text(origin)) - 1


def parent_of(origin, origins):
    """The nearest enclosing zone of origin among origins (None for the root)."""
    n = dns.name.from_text(origin)
    above = [o for o in origins if n != dns.name.from_text(o)
             and n.is_subdomain(dns.name.from_text(o))]
    return max(above, key=depth) if above else None


def rr_fields(line):
    """(owner, type, covered) of one record line of ldns-signzone's output;
    covered is the type an RRSIG covers, else None. (None, None, None) for others."""
    f = line.split()
    if len(f) < 5 or line.startswith((";", "$")):
        return None, None, None
    rtype = f[3].upper()
    return f[0].lower(), rtype, f[4].upper() if rtype == "RRSIG" else None


def _ecdsa_private_key(path):
    """An ECDSAP256SHA256 private key from ldns-keygen's .private file."""
    from cryptography.hazmat.primitives.asymmetric import ec
    with open(path) as f:
        fields = dict(ln.split(":", 1) for ln in f if ":" in ln)
    if not fields.get("Algorithm", "").strip().startswith("13"):
        raise SignError(f"{path}: not an algorithm 13 key")
    value = int.from_bytes(base64.b64decode(fields["PrivateKey"].strip()), "big")
    return ec.derive_private_key(value, ec.SECP256R1())


def _is_nsec3_chain(line):
    _, t, covered = rr_fields(line)
    return t == "NSEC3" or covered == "NSEC3"


def _is_nsec(line):
    _, t, covered = rr_fields(line)
    return t == "NSEC" or covered == "NSEC"


class Signer:
    """Signs the zones of one world build. After sign_all(texts): anchor (the root's
    DS line), info {origin: {"key": key file base, "ds": DS line put in the parent,
    "inception", "expiration"}}."""

    def __init__(self, workdir, now):
        self.dir = os.path.join(workdir, "dnssec")
        os.makedirs(self.dir, exist_ok=True)
        self.now = int(now)
        self.info = {}
        self.anchor = None

    def sign_all(self, texts):
        """texts: {role: {origin: text}} (zones.zone_texts()); signs zones.SIGNED in
        place, deepest first, adding DS records to the parents. Returns texts."""
        where = {}
        for role, by_origin in texts.items():
            for origin in by_origin:
                where.setdefault(origin, []).append(role)
        for origin in sorted(zones.SIGNED, key=depth, reverse=True):
            if origin not in where:
                raise SignError(f"zones.SIGNED lists {origin}, which no server serves")
            roles = where[origin]
            signed, ds = self._sign_one(origin, texts[roles[0]][origin])
            for r in roles:
                texts[r][origin] = signed
            self.info[origin]["ds"] = ds
            if origin == ".":
                self.anchor = ds
                continue
            parent = parent_of(origin, where)
            if parent is None or parent not in zones.SIGNED:
                raise SignError(f"{origin}: its parent {parent} is not signed")
            for r in where[parent]:
                texts[r][parent] += ds + "\n"
        if self.anchor is None:
            raise SignError("the root is not in zones.SIGNED: no trust anchor")
        return texts

    # -- one zone --

    def _sign_one(self, origin, text):
        spec = zones.SIGNED[origin]
        d = os.path.join(self.dir, origin.rstrip(".") or "root")
        os.makedirs(d, exist_ok=True)
        inc, exp = self.now - 3600, self.now + 21 * DAY
        if spec.breakage == "expired":
            inc, exp = self.now - 30 * DAY, self.now - 7 * DAY
        elif spec.breakage == "not-yet-valid":
            inc, exp = self.now + 7 * DAY, self.now + 37 * DAY
        self.info[origin] = {"inception": inc, "expiration": exp, "key": None}
        if spec.breakage == "unsupported-algorithm":
            return self._unsupported_algorithm(origin, text, spec)

        key = self._keygen(origin, spec.alg, d)
        self.info[origin]["key"] = key
        tail = ""
        if spec.denial == "nsec3-optout":
            text, tail = text.split(zones.OPTOUT_MARK, 1)
            tail = f"{zones.OPTOUT_MARK}$ORIGIN {origin}\n$TTL 3600\n{tail}"
        signed = self._signzone(origin, text, key, spec, inc, exp, d, "zone")
        if spec.breakage == "wrong-nsec3":
            other = self._signzone(origin, text + zones.PHANTOM[origin], key, spec, inc, exp,
                                   d, "phantom")
            signed = ([ln for ln in signed if not _is_nsec3_chain(ln)]
                      + ["; the NSEC3 chain of the zone with PHANTOM (zones.py)"]
                      + [ln for ln in other if _is_nsec3_chain(ln)])
        elif spec.breakage == "no-rrsig":
            drop = {(o.lower(), t) for o, t in zones.NO_RRSIG[origin]}
            signed = [ln for ln in signed if rr_fields(ln)[::2] not in drop]
        elif spec.breakage == "no-nsec":
            signed = [ln for ln in signed if not _is_nsec(ln)]
        elif spec.breakage == "no-zone-bit":
            # ldns-signzone will not sign with a key that is not a zone key: sign
            # with it as a zone key, then clear the bit and sign again here.
            signed = self._clear_zone_bit(origin, signed, key, inc, exp)
        if not any(rr_fields(ln)[1] == "RRSIG" for ln in signed):
            raise SignError(f"{origin}: ldns-signzone made no RRSIG")

        ds = _run(["ldns-key2ds", "-n", "-2", key + ".key"], d).strip()
        f = ds.split()
        if len(ds.splitlines()) != 1 or len(f) != 8 or f[3] != "DS":
            raise SignError(f"{origin}: ldns-key2ds printed {ds!r}")
        if spec.breakage == "ds-mismatch":  # same tag and algorithm, one bit off
            f[7] = f[7][:-1] + format(int(f[7][-1], 16) ^ 1, "x")
        elif spec.breakage == "unsupported-digest":
            f[6] = str(zones.UNSUPPORTED_DIGEST)
        ds = " ".join(f)
        return "\n".join(signed) + "\n" + tail, ds

    def _keygen(self, origin, alg, d):
        name, bits = ALGORITHMS[alg]
        argv = ["ldns-keygen", "-r", "/dev/urandom", "-a", name, "-k"]
        if bits:
            argv += ["-b", str(bits)]
        base = _run(argv + [origin], d).strip()
        if not base.startswith("K") or not os.path.exists(os.path.join(d, base + ".private")):
            raise SignError(f"ldns-keygen for {origin} printed {base!r}")
        return os.path.join(d, base)

    def _signzone(self, origin, text, key, spec, inc, exp, d, what):
        src = os.path.join(d, f"{what}.txt")
        out = os.path.join(d, f"{what}.signed")
        with open(src, "w") as f:
            f.write(text)
        argv = ["ldns-signzone", "-o", origin, "-i", str(inc), "-e", str(exp), "-f", out]
        if spec.denial in ("nsec3", "nsec3-optout"):
            argv += ["-n", "-a", "1", "-t", "0"]
            if spec.salt:
                argv += ["-s", spec.salt]
            if spec.denial == "nsec3-optout":
                argv.append("-p")
        _run(argv + [src, key], d)
        with open(out) as f:
            return [ln.rstrip("\n") for ln in f if ln.strip()]

    def _clear_zone_bit(self, origin, lines, key, inc, exp):
        """The zone's DNSKEY (and key file) with flags 1 instead of 257, and every
        RRSIG made again with it (new key tag), by dnspython."""
        with open(key + ".key") as f:
            pub = f.read().split(";")[0].split()
        if pub[2:4] != ["DNSKEY", "257"] or pub[5] != "13":
            raise SignError(f"{key}.key: want a flags-257 algorithm-13 DNSKEY, not {pub}")
        pub[3] = "1"
        dnskey = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, " ".join(pub[3:]))
        with open(key + ".key", "w") as f:
            f.write(f"{origin}\tIN\tDNSKEY\t{dnskey.to_text()}\n")
        private = _ecdsa_private_key(key + ".private")
        rrsets, covered, out = {}, [], []
        for ln in lines:
            owner, t, cov = rr_fields(ln)
            if t is None:
                continue
            if t == "RRSIG":
                covered.append((owner, cov))
                continue
            f = ln.split(None, 4)
            if t == "DNSKEY":
                f[4] = dnskey.to_text()
                ln = "\t".join(f)
            rrsets.setdefault((owner, t), (int(f[1]), []))[1].append(f[4].split(";")[0])
            out.append(ln)
        for owner, t in covered:
            ttl, rdatas = rrsets[(owner, t)]
            rrset = dns.rrset.from_text_list(owner, ttl, "IN", t, rdatas)
            sig = dns.dnssec.sign(rrset, private, dns.name.from_text(origin), dnskey,
                                  inception=inc, expiration=exp)
            out.append(f"{owner}\t{ttl}\tIN\tRRSIG\t{sig.to_text()}")
        return out

    def _unsupported_algorithm(self, origin, text, spec):
        """A DNSKEY of an algorithm nobody implements (PRIVATEDNS: the key starts with
        the algorithm's domain name), and the DS that matches it. No RRSIG."""
        pub = dns.name.from_text(zones.PRIVATEDNS_NAME).to_wire() + os.urandom(32)
        dnskey = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY,
                                     f"257 3 {spec.alg} {base64.b64encode(pub).decode()}")
        ds = dns.dnssec.make_ds(origin, dnskey, "SHA256")
        return (text + f"@       IN DNSKEY {dnskey.to_text()}\n",
                f"{origin} 3600 IN DS {ds.to_text()}")

    def write_anchor(self, path):
        with open(path, "w") as f:
            f.write("; the test world's root trust anchor (made at this run)\n"
                    f"{self.anchor}\n")
        return path
