/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNSSEC primitives (RFC 4034, RFC 4035, RFC 6840): the arithmetic and
 * cryptography a validator is built from, with no policy and no state.
 *
 *   hf_dnssec_key_tag()        RFC 4034 Appendix B
 *   hf_dnssec_ds_match()       does a DS record describe this DNSKEY?
 *   hf_dnssec_signed_data()    the octets an RRSIG signs (RFC 4034 §3.1.8.1):
 *                              RRSIG RDATA without the signature, then the
 *                              RRset in canonical form and order (§6.2, §6.3)
 *   hf_dnssec_verify()         one signature, one key: OpenSSL 3 does the math
 *
 * Algorithms verified: 8 RSASHA256, 10 RSASHA512, 13 ECDSAP256SHA256,
 * 14 ECDSAP384SHA384, 15 ED25519, 16 ED448 (RFC 8624 "MUST"/"RECOMMENDED"
 * for validation), and 5/7 RSASHA1 only when the caller allows SHA-1.
 * DS digests: 2 SHA-256, 4 SHA-384, and 1 SHA-1 when allowed. Anything else
 * is HF_EUNSUPPORTED, which a validator treats as insecure, not bogus
 * (RFC 6840 §5.2).
 *
 * Everything takes uncompressed RDATA, as rdata.h defines it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "util/err.h"

enum hf_dnssec_alg {
	HF_ALG_RSASHA1 = 5,
	HF_ALG_RSASHA1_NSEC3 = 7,
	HF_ALG_RSASHA256 = 8,
	HF_ALG_RSASHA512 = 10,
	HF_ALG_ECDSAP256 = 13,
	HF_ALG_ECDSAP384 = 14,
	HF_ALG_ED25519 = 15,
	HF_ALG_ED448 = 16,
};

enum hf_ds_digest {
	HF_DS_SHA1 = 1,
	HF_DS_SHA256 = 2,
	HF_DS_SHA384 = 4,
};

/* Bit 7 of the DNSKEY flags (RFC 4034 §2.1.1); only zone keys sign zone data. */
#define HF_DNSKEY_ZONE 0x0100
#define HF_DNSKEY_SEP  0x0001

/* Key tag of a DNSKEY RDATA (RFC 4034 Appendix B; algorithm 1 is not supported: 0). */
uint16_t hf_dnssec_key_tag(const uint8_t *dnskey, size_t len);

bool hf_dnssec_alg_supported(uint8_t alg, bool allow_sha1);
bool hf_dnssec_digest_supported(uint8_t digest, bool allow_sha1);

/*
 * Does ds (DS RDATA) match the DNSKEY (RDATA) owned by owner? Checks key
 * tag, algorithm and digest. HF_OK (match), HF_EBOGUS (no match),
 * HF_EUNSUPPORTED (digest type unknown or not allowed), HF_ERDATA.
 */
HF_MUSTCHECK int hf_dnssec_ds_match(const uint8_t *owner, const uint8_t *ds, size_t ds_len,
                                    const uint8_t *dnskey, size_t key_len, bool allow_sha1);

/*
 * Writes the data an RRSIG signs into out: the RRSIG RDATA up to the
 * signature, then each RR of the RRset (owner, type, class and the RRSIG's
 * original TTL; wildcard owners per the RRSIG labels field) in canonical
 * form, sorted, duplicates removed. rdata[i]/rdlen[i] are the RRset's
 * records (uncompressed). Returns the length, or HF_ESPACE / HF_ERDATA.
 */
HF_MUSTCHECK int hf_dnssec_signed_data(const uint8_t *owner, uint16_t type, uint16_t rclass,
                                       const uint8_t *rrsig, size_t rrsig_len,
                                       const uint8_t *const *rdata, const uint16_t *rdlen, size_t n,
                                       uint8_t *out, size_t cap);

/*
 * Verifies the signature in rrsig (RDATA) over data with the key in dnskey
 * (RDATA). HF_OK, HF_EBOGUS, HF_EUNSUPPORTED, HF_ERDATA (a key or
 * signature that is malformed for its algorithm counts as bogus: HF_EBOGUS).
 */
HF_MUSTCHECK int hf_dnssec_verify(const uint8_t *rrsig, size_t rrsig_len, const uint8_t *dnskey,
                                  size_t key_len, const uint8_t *data, size_t data_len,
                                  bool allow_sha1);
