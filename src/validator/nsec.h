/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Authenticated denial of existence: what a set of NSEC (RFC 4034 §4,
 * RFC 4035 §5.4, RFC 6840 §4) or NSEC3 (RFC 5155 §8, RFC 9276) records
 * proves about a question. Pure functions over records whose signatures the
 * caller has already verified; no state, no I/O.
 *
 * Proofs, for a question (qname, qtype) answered from zone `zone`:
 *   HF_DENY_NXDOMAIN   qname does not exist and no wildcard could have
 *                      produced it (NSEC/NSEC3 covering qname, or the next
 *                      closer name, and one covering the wildcard at the
 *                      closest encloser);
 *   HF_DENY_NODATA     qname exists (or is an empty non-terminal) without
 *                      qtype and without CNAME; or, wildcard NODATA, qname is
 *                      covered and the wildcard at its closest encloser
 *                      exists without qtype. For qtype DS the matching record
 *                      must come from the parent side of a cut (NS set, no
 *                      SOA) and an NSEC3 opt-out span covering the next closer
 *                      name also proves it, with *opt_out set: that is an
 *                      insecure delegation (RFC 5155 §8.6);
 *   HF_DENY_WILDCARD   a positive answer synthesised from a wildcard whose
 *                      closest encloser is `ce` (the RRSIG labels field tells
 *                      the caller): qname itself, or the next closer name
 *                      below ce, must be covered (RFC 4035 §5.3.4, RFC 5155
 *                      §8.8).
 * An NSEC whose owner has NS and no SOA (the parent side of a delegation)
 * never denies names below it, nor any type there but DS (RFC 6840 §4.1); an
 * NSEC or NSEC3 with DNAME denies nothing below its owner.
 *
 * NSEC3 parameters: only hash algorithm 1 (SHA-1). Records with another
 * algorithm or flags other than opt-out are ignored. Iterations above
 * budget->max_iterations make the proof HF_EUNSUPPORTED: the answer is then
 * insecure, not bogus (RFC 9276 §3.2, as Unbound does above 150). Every name
 * hashed counts against budget->max_hashes (CVE-2023-50868): past it the
 * proof stops with HF_ELIMIT. One proof uses one NSEC3 chain: the first usable
 * record fixes iterations and salt, records with other parameters are ignored,
 * and so is every usable record past HF_NSEC3_PROOF_MAX. Each name is hashed
 * at most once per call.
 *
 * Records are hostile input: an NSEC whose owner or next name is outside the
 * zone, an NSEC3 not owned by one base32hex label directly below the zone,
 * and any record whose RDATA or type bitmap is malformed is ignored (as if
 * absent), never read past rdlen.
 *
 * A DS NODATA at a name that is not a cut (matching record without NS, or an
 * empty non-terminal) is not proven here: RFC 6840 §4.4 asks for the NS bit so
 * that a spoofed unsigned referral cannot borrow the NSEC of an ordinary name.
 * The root, which has no parent side, is the one exception (SOA allowed).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "util/err.h"

#define HF_NSEC3_HASH_LEN 20 /* SHA-1 */
/* Usable NSEC3 records one proof looks at; a real proof needs at most three. */
#define HF_NSEC3_PROOF_MAX 64

/* One NSEC or NSEC3 record: owner (uncompressed wire name) and RDATA. */
struct hf_denial_rr {
	const uint8_t *owner;
	const uint8_t *rdata;
	uint16_t rdlen;
};

enum hf_denial_kind {
	HF_DENY_NXDOMAIN,
	HF_DENY_NODATA,
	HF_DENY_WILDCARD,
};

/* Work allowed for NSEC3 proofs within one resolution; hashes counts up. */
struct hf_nsec3_budget {
	unsigned hashes;
	unsigned max_hashes;
	unsigned max_iterations;
};

/* Is type present in an NSEC/NSEC3 type bitmap (the bitmap field alone)? */
bool hf_nsec_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type);

/*
 * The NSEC3 hash of name (RFC 5155 §5): iterations+1 rounds of SHA-1 over
 * the lowercased wire name and salt. HF_OK or HF_EINVAL (unknown algorithm),
 * or HF_ENOMEM if OpenSSL fails.
 */
HF_MUSTCHECK int hf_nsec3_hash(const uint8_t *name, uint8_t alg, uint16_t iterations,
                               const uint8_t *salt, size_t salt_len,
                               uint8_t out[HF_NSEC3_HASH_LEN]);

/*
 * Checks the proof of `kind` for (qname, qtype) in zone with the given NSEC
 * records, else the NSEC3 records (a proof uses one kind, never a mix). ce
 * is needed for HF_DENY_WILDCARD only (NULL otherwise). opt_out may be NULL;
 * when it is not, it is set to whether an NSEC3 opt-out span was needed (the
 * result is then only insecure: RFC 5155 §9.2).
 * Returns HF_OK (proven), HF_EBOGUS (not proven), HF_EUNSUPPORTED (NSEC3
 * parameters a validator may not check: treat as insecure), HF_ELIMIT.
 * When the NSEC records prove nothing and NSEC3 records were given too, the
 * NSEC3 records are tried on their own. budget may be NULL when n_nsec3 is
 * 0. HF_EINVAL for a NULL zone/qname (or ce for HF_DENY_WILDCARD), HF_ENOMEM
 * if OpenSSL fails.
 */
HF_MUSTCHECK int hf_denial_check(enum hf_denial_kind kind, const uint8_t *zone,
                                 const uint8_t *qname, uint16_t qtype, const uint8_t *ce,
                                 const struct hf_denial_rr *nsec, size_t n_nsec,
                                 const struct hf_denial_rr *nsec3, size_t n_nsec3,
                                 struct hf_nsec3_budget *budget, bool *opt_out);
