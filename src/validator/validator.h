/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNSSEC validation of one reply (RFC 4035 §5, RFC 6840): are its RRsets
 * signed by the keys of their zone, and do its NSEC/NSEC3 records prove
 * what the reply denies? No I/O and no cache: what the chain of trust says
 * about a zone comes from the caller (the iterator), through zone_status.
 * When the caller does not know yet, the verdict is HF_VAL_NEED with the
 * DS or DNSKEY RRset to fetch; the caller fetches it and asks again.
 *
 * Verdicts: SECURE (every RRset validated, every denial proven), INSECURE
 * (the data lies in a zone the chain of trust proves unsigned, or NSEC3
 * opt-out or parameters a validator may not check: RFC 5155 §9.2, RFC 9276),
 * BOGUS (with the Extended DNS Error of RFC 8914 that says why), NEED.
 *
 * Bounds against KeyTrap (CVE-2023-50387): at most max_sigs signatures are
 * tried per RRset and max_key_tries keys per signature (keys that share a
 * key tag), and max_sig_checks verifications in the whole resolution (the
 * work counters live with the caller). NSEC3 hashing is bounded by
 * nsec.h's budget (CVE-2023-50868). Past a bound the verdict is BOGUS with
 * EDE 0 and a text that names the bound.
 *
 * Signature validity: inception - skew <= now <= expiration + skew, in
 * serial-number arithmetic (RFC 4034 §3.1.5). A validated RRset is cached
 * no longer than its signatures last nor than their original TTL (ttl_cap).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "validator/nsec.h"
#include "wire/name.h"
#include "wire/pkt.h"

#define HF_VAL_MAX_KEYS  16    /* DNSKEYs of one zone considered */
#define HF_VAL_KEY_BYTES 16384 /* their RDATA, together */

enum hf_val_verdict {
	HF_VAL_SECURE,
	HF_VAL_INSECURE,
	HF_VAL_BOGUS,
	HF_VAL_NEED,
};

struct hf_val_limits {
	unsigned max_sig_checks; /* signature verifications per resolution */
	unsigned max_key_tries;  /* keys tried per signature */
	unsigned max_sigs;       /* signatures tried per RRset */
	unsigned max_nsec3_hashes;
	unsigned max_nsec3_iterations;
	uint32_t skew; /* seconds */
	bool allow_sha1;
};

/* Work done so far in one resolution, against the limits. */
struct hf_val_work {
	unsigned sig_checks;
	struct hf_nsec3_budget nsec3;
};

/* A zone's validated DNSKEY RRset. */
struct hf_val_keys {
	uint8_t zone[HF_NAME_MAX];
	size_t n;
	uint16_t rdlen[HF_VAL_MAX_KEYS];
	const uint8_t *rdata[HF_VAL_MAX_KEYS];
	size_t used;
	uint8_t buf[HF_VAL_KEY_BYTES];
};

struct hf_val_result {
	enum hf_val_verdict verdict;
	uint16_t ede;     /* RFC 8914 code: why BOGUS (or 1/2 for an INSECURE zone) */
	const char *why;  /* static text */
	uint32_t ttl_cap; /* SECURE: how long the data may be cached */
	/* SECURE NODATA for a DS query at a name that is no zone cut (the denial
	 * proves no NS there): not an insecure delegation, just no DS. */
	bool not_cut;
	/* NEED: the DS or DNSKEY RRset at need to fetch. BOGUS with need_type
	 * set: the chain of trust broke there, not the reply itself. */
	uint8_t need[HF_NAME_MAX];
	uint16_t need_type;
};

/*
 * The chain of trust as the caller knows it: sets res->verdict to SECURE
 * (and fills keys with the zone's validated DNSKEYs), INSECURE, BOGUS (with
 * ede and why) or NEED (with need and need_type).
 */
typedef void (*hf_val_zone_fn)(void *ctx, const uint8_t *zone, struct hf_val_keys *keys,
                               struct hf_val_result *res);

struct hf_val {
	const struct hf_val_limits *lim;
	struct hf_val_work *work;
	int64_t now; /* wall seconds */
	hf_val_zone_fn zone_status;
	void *ctx;
};

/* Records trusted to vouch for a zone's DNSKEY RRset: DS RDATA, or DNSKEY RDATA (anchors). */
struct hf_val_trust {
	uint16_t type;
	size_t n;
	const uint8_t *const *rdata;
	const uint16_t *rdlen;
};

/* Adds one DNSKEY RDATA to keys; false when full (the key is then not used). */
bool hf_val_keys_add(struct hf_val_keys *keys, const uint8_t *rdata, uint16_t rdlen);

/*
 * Validates a reply for (qname, qtype) that came from the servers of zone:
 * an answer (the RRsets on its CNAME/DNAME chain from qname, and for a
 * wildcard expansion the proof that qname does not exist), an NXDOMAIN or a
 * NODATA (SOA and denial proof for the end of the chain). The reply has been
 * scrubbed to zone.
 */
void hf_val_reply(const struct hf_val *v, const struct hf_pkt *p, const uint8_t *zone,
                  const uint8_t *qname, uint16_t qtype, struct hf_val_result *res);

/*
 * Validates the DNSKEY RRset of zone in the answer section of p against
 * trust (RFC 4035 §5.2): a key that a DS (or an anchor) names must sign it.
 * SECURE fills keys with the RRset's zone keys. INSECURE when no trusted
 * record uses a digest or algorithm we can check (RFC 6840 §5.2).
 */
void hf_val_dnskey(const struct hf_val *v, const struct hf_pkt *p, const uint8_t *zone,
                   const struct hf_val_trust *trust, struct hf_val_keys *keys,
                   struct hf_val_result *res);
