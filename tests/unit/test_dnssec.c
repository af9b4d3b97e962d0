/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNSSEC primitives (validator/dnssec.h) against implementations nobody here
 * wrote:
 *
 *  - dnspython 2.3's dns.dnssec: dnssec_vectors.h, written by
 *    gen_dnssec_vectors.py (keys, key tags, DS for digests 1/2/4, RRSIGs and
 *    the exact octets dnspython signs) for algorithms 5, 7, 8, 10, 13, 14, 15,
 *    16, plus a wildcard, mixed case, names in RDATA, duplicates and
 *    non-canonical order;
 *  - the published examples of RFC 6605 §6 (ECDSA P-256 and P-384) and
 *    RFC 8080 §6 (Ed25519 and Ed448, as corrected by Errata ID 4935: the
 *    printed RRSIGs lack the algorithm field and count the root label), and
 *    isc.org's 2018 RSASHA1 DNSKEY RRset whose KSK has a 4-octet exponent
 *    (miekg/dns issue #688), in presentation form, read with hf_rr_from_text.
 *
 * Then the failures: flipped signature, data and digest bits, the wrong key,
 * SHA-1 when not allowed, unknown algorithms and digests, malformed keys,
 * signatures and RDATA, which must give an error and never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/err.h"
#include "validator/dnssec.h"
#include "wire/name.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#include "dnssec_vectors.h"

#define DATA_CAP  8192
#define RDATA_MAX 2048

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *q = hf_malloc(n ? n : 1);

	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

static void hexdump_diff(const char *what, const uint8_t *want, size_t wlen, const uint8_t *got,
                         size_t glen)
{
	size_t i = 0;

	while (i < wlen && i < glen && want[i] == got[i])
		i++;
	fprintf(stderr, "%s: lengths want %zu got %zu, first difference at offset %zu\n", what,
	        wlen, glen, i);
	fprintf(stderr, "  want:");
	for (size_t j = i; j < wlen && j < i + 24; j++)
		fprintf(stderr, " %02x", want[j]);
	fprintf(stderr, "\n  got: ");
	for (size_t j = i; j < glen && j < i + 24; j++)
		fprintf(stderr, " %02x", got[j]);
	fprintf(stderr, "\n");
}

static void assert_bytes(const char *what, const uint8_t *want, size_t wlen, const uint8_t *got,
                         size_t glen)
{
	if (wlen != glen || memcmp(want, got, wlen) != 0) {
		hexdump_diff(what, want, wlen, got, glen);
		fail_msg("%s: bytes differ", what);
	}
}

static void assert_rc(const char *what, int want, int got)
{
	if (want != got)
		fail_msg("%s: want %s, got %s (%d)", what, hf_errname(want), hf_errname(got), got);
}

/* A key or signature that is malformed: bogus, or malformed RDATA. Never OK. */
static void assert_bogus_or_rdata(const char *what, int got)
{
	if (got != HF_EBOGUS && got != HF_ERDATA)
		fail_msg("%s: want HF_EBOGUS or HF_ERDATA, got %s (%d)", what, hf_errname(got),
		         got);
}

/* Offset of the signature in RRSIG RDATA: 18 fixed octets, then the signer. */
static size_t rrsig_sig_offset(const uint8_t *rrsig, size_t len)
{
	size_t off = 18;

	assert_true(len > off);
	while (rrsig[off] != 0) {
		off += 1u + rrsig[off];
		assert_true(off < len);
	}
	return off + 1;
}

/* --- key tags --------------------------------------------------------------- */

static void test_key_tags(void **state)
{
	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_keys); i++) {
		const struct dv_key *k = &dv_keys[i];
		uint16_t tag = hf_dnssec_key_tag(k->rdata, k->len);

		if (tag != k->tag)
			fail_msg("%s: key tag %u, dnspython says %u", k->name, tag, k->tag);
	}
}

/* RFC 4034 Appendix B.1: algorithm 1 uses another formula, not supported: 0. */
static void test_key_tag_rsamd5(void **state)
{
	uint8_t key[16] = {0x01, 0x01, 0x03, 0x01, 0x03, 0x01, 0x00, 0x01,
	                   0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x12, 0x34};

	(void)state;
	assert_int_equal(hf_dnssec_key_tag(key, sizeof(key)), 0);
}

/* Short and empty keys give some tag, never a crash or a read past the end. (Odd
 * lengths, where the last octet is the high half of a word, are the Ed448 vectors:
 * 4 + 57 octets.) */
static void test_key_tag_short(void **state)
{
	static const uint8_t one[1] = {0x01};
	uint8_t *k;

	(void)state;
	k = dup_bytes(one, 0);
	(void)hf_dnssec_key_tag(k, 0);
	hf_free(k);
	k = dup_bytes(one, 1);
	(void)hf_dnssec_key_tag(k, 1);
	hf_free(k);
}

/* --- algorithm and digest support --------------------------------------------- */

static void test_supported(void **state)
{
	static const uint8_t always[] = {8, 10, 13, 14, 15, 16};
	static const uint8_t sha1[] = {5, 7};
	static const uint8_t never[] = {0, 1, 2, 3, 4, 6, 9, 11, 12, 17, 23, 252, 253, 254, 255};

	(void)state;
	for (size_t i = 0; i < sizeof(always); i++) {
		assert_true(hf_dnssec_alg_supported(always[i], false));
		assert_true(hf_dnssec_alg_supported(always[i], true));
	}
	for (size_t i = 0; i < sizeof(sha1); i++) {
		assert_false(hf_dnssec_alg_supported(sha1[i], false));
		assert_true(hf_dnssec_alg_supported(sha1[i], true));
	}
	for (size_t i = 0; i < sizeof(never); i++) {
		assert_false(hf_dnssec_alg_supported(never[i], false));
		assert_false(hf_dnssec_alg_supported(never[i], true));
	}
	assert_true(hf_dnssec_digest_supported(2, false));
	assert_true(hf_dnssec_digest_supported(4, false));
	assert_false(hf_dnssec_digest_supported(1, false));
	assert_true(hf_dnssec_digest_supported(1, true));
	for (unsigned d = 0; d < 256; d++) {
		if (d == 1 || d == 2 || d == 4)
			continue;
		assert_false(hf_dnssec_digest_supported((uint8_t)d, true));
	}
}

/* --- DS ------------------------------------------------------------------------ */

static int ds_match(const uint8_t *owner, const uint8_t *ds, size_t ds_len, const uint8_t *key,
                    size_t key_len, bool allow_sha1)
{
	/* Exact-size heap copies, so ASan sees any read past the end. */
	uint8_t *d = dup_bytes(ds, ds_len);
	uint8_t *k = dup_bytes(key, key_len);
	int rc = hf_dnssec_ds_match(owner, d, ds_len, k, key_len, allow_sha1);

	hf_free(d);
	hf_free(k);
	return rc;
}

static void test_ds_match(void **state)
{
	char what[160];

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_keys); i++) {
		const struct dv_key *k = &dv_keys[i];

		for (size_t d = 0; d < 3; d++) {
			snprintf(what, sizeof(what), "%s DS digest %u", k->name, dv_digests[d]);
			assert_rc(
			    what, HF_OK,
			    ds_match(dv_zone, k->ds[d], k->ds_len[d], k->rdata, k->len, true));
			assert_rc(
			    what, dv_digests[d] == 1 ? HF_EUNSUPPORTED : HF_OK,
			    ds_match(dv_zone, k->ds[d], k->ds_len[d], k->rdata, k->len, false));
		}
	}
}

/* The owner name is hashed in canonical (lowercase) form. */
static void test_ds_owner_case(void **state)
{
	static const uint8_t upper[] = {7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 0};
	static const uint8_t other[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'f', 0};
	char what[160];

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_keys); i++) {
		const struct dv_key *k = &dv_keys[i];

		for (size_t d = 0; d < 3; d++) {
			snprintf(what, sizeof(what), "%s DS digest %u, owner EXAMPLE.", k->name,
			         dv_digests[d]);
			assert_rc(what, HF_OK,
			          ds_match(upper, k->ds[d], k->ds_len[d], k->rdata, k->len, true));
			snprintf(what, sizeof(what), "%s DS digest %u, owner examplf.", k->name,
			         dv_digests[d]);
			assert_rc(what, HF_EBOGUS,
			          ds_match(other, k->ds[d], k->ds_len[d], k->rdata, k->len, true));
		}
	}
}

static void test_ds_mismatch(void **state)
{
	char what[200];

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_keys); i++) {
		const struct dv_key *k = &dv_keys[i];

		for (size_t d = 0; d < 3; d++) {
			uint8_t ds[128];

			assert_true(k->ds_len[d] <= sizeof(ds));
			/* A DS of every other key, same algorithm or not. */
			for (size_t j = 0; j < HF_ARRAY_LEN(dv_keys); j++) {
				const struct dv_key *o = &dv_keys[j];

				if (j == i)
					continue;
				snprintf(what, sizeof(what), "DS (digest %u) of %s against %s",
				         dv_digests[d], o->name, k->name);
				assert_rc(what, HF_EBOGUS,
				          ds_match(dv_zone, o->ds[d], o->ds_len[d], k->rdata,
				                   k->len, true));
			}
			/* One flipped digest octet, first and last. */
			memcpy(ds, k->ds[d], k->ds_len[d]);
			ds[4] ^= 0x01;
			snprintf(what, sizeof(what), "%s DS digest %u, first digest octet flipped",
			         k->name, dv_digests[d]);
			assert_rc(what, HF_EBOGUS,
			          ds_match(dv_zone, ds, k->ds_len[d], k->rdata, k->len, true));
			memcpy(ds, k->ds[d], k->ds_len[d]);
			ds[k->ds_len[d] - 1] ^= 0x80;
			snprintf(what, sizeof(what), "%s DS digest %u, last digest octet flipped",
			         k->name, dv_digests[d]);
			assert_rc(what, HF_EBOGUS,
			          ds_match(dv_zone, ds, k->ds_len[d], k->rdata, k->len, true));
			/* The key tag, or the algorithm, of the DS changed. */
			memcpy(ds, k->ds[d], k->ds_len[d]);
			ds[1] ^= 0x01;
			snprintf(what, sizeof(what), "%s DS digest %u, key tag changed", k->name,
			         dv_digests[d]);
			assert_rc(what, HF_EBOGUS,
			          ds_match(dv_zone, ds, k->ds_len[d], k->rdata, k->len, true));
			memcpy(ds, k->ds[d], k->ds_len[d]);
			ds[2] = ds[2] == 13 ? 8 : 13;
			snprintf(what, sizeof(what), "%s DS digest %u, algorithm changed", k->name,
			         dv_digests[d]);
			assert_rc(what, HF_EBOGUS,
			          ds_match(dv_zone, ds, k->ds_len[d], k->rdata, k->len, true));
			/* The digest one octet short or long: never a match. */
			snprintf(what, sizeof(what), "%s DS digest %u, digest one octet short",
			         k->name, dv_digests[d]);
			assert_bogus_or_rdata(what, ds_match(dv_zone, k->ds[d], k->ds_len[d] - 1u,
			                                     k->rdata, k->len, true));
			memcpy(ds, k->ds[d], k->ds_len[d]);
			ds[k->ds_len[d]] = 0;
			snprintf(what, sizeof(what), "%s DS digest %u, digest one octet long",
			         k->name, dv_digests[d]);
			assert_bogus_or_rdata(
			    what, ds_match(dv_zone, ds, k->ds_len[d] + 1u, k->rdata, k->len, true));
		}
		/* The key's flags changed after the DS was made (the DS covers them). */
		{
			uint8_t *key = dup_bytes(k->rdata, k->len);

			key[1] ^= 0x01; /* SEP bit */
			snprintf(what, sizeof(what), "%s with the SEP bit flipped", k->name);
			assert_rc(what, HF_EBOGUS,
			          ds_match(dv_zone, k->ds[1], k->ds_len[1], key, k->len, true));
			hf_free(key);
		}
	}
}

static void test_ds_unsupported_digest(void **state)
{
	static const uint8_t digests[] = {0, 3, 5, 6, 200, 255};
	const struct dv_key *k = &dv_keys[0];
	char what[80];

	(void)state;
	for (size_t i = 0; i < sizeof(digests); i++) {
		uint8_t ds[128];

		memcpy(ds, k->ds[1], k->ds_len[1]);
		ds[3] = digests[i];
		snprintf(what, sizeof(what), "DS digest type %u", digests[i]);
		assert_rc(what, HF_EUNSUPPORTED,
		          ds_match(dv_zone, ds, k->ds_len[1], k->rdata, k->len, true));
	}
}

static void test_ds_malformed(void **state)
{
	const struct dv_key *k = &dv_keys[0];
	char what[80];

	(void)state;
	/* DS RDATA shorter than its fixed part (key tag, algorithm, digest type). */
	for (size_t n = 0; n < 4; n++) {
		snprintf(what, sizeof(what), "DS RDATA of %zu octets", n);
		assert_rc(what, HF_ERDATA, ds_match(dv_zone, k->ds[1], n, k->rdata, k->len, true));
	}
	/* A DS with no digest at all. */
	assert_bogus_or_rdata("DS with an empty digest",
	                      ds_match(dv_zone, k->ds[1], 4, k->rdata, k->len, true));
	/* Keys that are too short to be DNSKEY RDATA. */
	for (size_t n = 0; n < 4; n++) {
		int rc = ds_match(dv_zone, k->ds[1], k->ds_len[1], k->rdata, n, true);

		snprintf(what, sizeof(what), "DNSKEY RDATA of %zu octets", n);
		assert_bogus_or_rdata(what, rc);
	}
}

/* --- signed data ------------------------------------------------------------------ */

static int signed_data(const struct dv_sig *s, bool reverse, uint8_t *out, size_t cap)
{
	const uint8_t *rd[8];
	uint16_t len[8];
	uint8_t *rrsig = dup_bytes(s->rrsig, s->rrsig_len);
	int rc;

	assert_true(s->n <= 8);
	for (size_t i = 0; i < s->n; i++) {
		size_t j = reverse ? s->n - 1 - i : i;

		rd[i] = dup_bytes(s->rdata[j], s->rdlen[j]);
		len[i] = s->rdlen[j];
	}
	rc = hf_dnssec_signed_data(s->owner, s->type, s->rclass, rrsig, s->rrsig_len, rd, len, s->n,
	                           out, cap);
	for (size_t i = 0; i < s->n; i++)
		hf_free((void *)(uintptr_t)rd[i]);
	hf_free(rrsig);
	return rc;
}

static void test_signed_data(void **state)
{
	uint8_t *out = hf_malloc(DATA_CAP);

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++) {
		const struct dv_sig *s = &dv_sigs[i];

		for (int rev = 0; rev < 2; rev++) {
			int n = signed_data(s, rev, out, DATA_CAP);

			if (n < 0)
				fail_msg("%s%s: hf_dnssec_signed_data returned %s", s->name,
				         rev ? " (records reversed)" : "", hf_errname(n));
			assert_bytes(s->name, s->data, s->data_len, out, (size_t)n);
		}
	}
	hf_free(out);
}

static void test_signed_data_space(void **state)
{
	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++) {
		const struct dv_sig *s = &dv_sigs[i];
		/* Exactly enough, then one octet short, then nothing: heap buffers of that size. */
		uint8_t *exact = hf_malloc(s->data_len);
		uint8_t *short1 = hf_malloc(s->data_len - 1u);

		assert_int_equal(signed_data(s, false, exact, s->data_len), s->data_len);
		assert_rc(s->name, HF_ESPACE, signed_data(s, false, short1, s->data_len - 1u));
		assert_rc(s->name, HF_ESPACE, signed_data(s, false, short1, 0));
		hf_free(exact);
		hf_free(short1);
	}
}

/* RRSIG RDATA cut short: inside the fixed part and inside the signer name. */
static void test_signed_data_malformed(void **state)
{
	const struct dv_sig *s = &dv_sigs[0];
	uint8_t *out = hf_malloc(DATA_CAP);
	size_t sig_off = rrsig_sig_offset(s->rrsig, s->rrsig_len);
	char what[80];

	(void)state;
	for (size_t n = 0; n < sig_off; n++) {
		struct dv_sig cut = *s;
		int rc;

		cut.rrsig_len = (uint16_t)n;
		rc = signed_data(&cut, false, out, DATA_CAP);
		snprintf(what, sizeof(what), "RRSIG RDATA cut to %zu octets", n);
		assert_rc(what, HF_ERDATA, rc);
	}
	/* A record whose RDATA does not fit its type (an A record of 3 octets). */
	{
		struct dv_sig bad = *s;
		static const uint16_t three[3] = {4, 3, 4};

		bad.rdlen = three;
		snprintf(what, sizeof(what), "an A record of 3 octets");
		assert_rc(what, HF_ERDATA, signed_data(&bad, false, out, DATA_CAP));
	}
	/* An RRSIG labels field greater than the owner's label count: RFC 4035 §5.3.1
	 * (dnspython raises "owner name longer than RRSIG labels"). */
	{
		struct dv_sig bad = *s;
		uint8_t *rrsig = dup_bytes(s->rrsig, s->rrsig_len);
		int rc;

		rrsig[3] = 3; /* www.example. has 2 labels */
		bad.rrsig = rrsig;
		rc = signed_data(&bad, false, out, DATA_CAP);
		hf_free(rrsig);
		if (rc >= 0)
			fail_msg("%s with RRSIG labels 3 > 2 owner labels: %d octets, want an "
			         "error (RFC 4035 5.3.1)",
			         s->name, rc);
	}
	hf_free(out);
}

/* --- verification --------------------------------------------------------------------- */

static int verify(const uint8_t *rrsig, size_t rrsig_len, const uint8_t *key, size_t key_len,
                  const uint8_t *data, size_t data_len, bool allow_sha1)
{
	uint8_t *r = dup_bytes(rrsig, rrsig_len);
	uint8_t *k = dup_bytes(key, key_len);
	uint8_t *d = dup_bytes(data, data_len);
	int rc = hf_dnssec_verify(r, rrsig_len, k, key_len, d, data_len, allow_sha1);

	hf_free(r);
	hf_free(k);
	hf_free(d);
	return rc;
}

static bool is_sha1(uint8_t alg)
{
	return alg == 5 || alg == 7;
}

static void test_verify(void **state)
{
	char what[200];

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++) {
		const struct dv_sig *s = &dv_sigs[i];
		const struct dv_key *k = &dv_keys[s->key];

		snprintf(what, sizeof(what), "%s: verify", s->name);
		assert_rc(
		    what, HF_OK,
		    verify(s->rrsig, s->rrsig_len, k->rdata, k->len, s->data, s->data_len, true));
		snprintf(what, sizeof(what), "%s: verify, SHA-1 not allowed", s->name);
		assert_rc(
		    what, is_sha1(s->alg) ? HF_EUNSUPPORTED : HF_OK,
		    verify(s->rrsig, s->rrsig_len, k->rdata, k->len, s->data, s->data_len, false));
	}
}

/* hf_dnssec_signed_data's own output verifies: the whole path, end to end. */
static void test_verify_own_data(void **state)
{
	uint8_t *out = hf_malloc(DATA_CAP);

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++) {
		const struct dv_sig *s = &dv_sigs[i];
		const struct dv_key *k = &dv_keys[s->key];
		int n = signed_data(s, true, out, DATA_CAP);

		if (n < 0)
			fail_msg("%s: hf_dnssec_signed_data returned %s", s->name, hf_errname(n));
		assert_rc(s->name, HF_OK,
		          verify(s->rrsig, s->rrsig_len, k->rdata, k->len, out, (size_t)n, true));
	}
	hf_free(out);
}

static void test_verify_tampered(void **state)
{
	char what[200];

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++) {
		const struct dv_sig *s = &dv_sigs[i];
		const struct dv_key *k = &dv_keys[s->key];
		const struct dv_key *wrong = &dv_keys[s->wrong_key];
		size_t off = rrsig_sig_offset(s->rrsig, s->rrsig_len);
		size_t sig_len = s->rrsig_len - off;
		const size_t sig_bits[] = {0, 7, sig_len * 4 + 3, sig_len * 8 - 8, sig_len * 8 - 1};
		uint8_t rrsig[RDATA_MAX];
		uint8_t *data = dup_bytes(s->data, s->data_len);

		assert_true(s->rrsig_len <= sizeof(rrsig));
		for (size_t b = 0; b < HF_ARRAY_LEN(sig_bits); b++) {
			memcpy(rrsig, s->rrsig, s->rrsig_len);
			rrsig[off + sig_bits[b] / 8] ^= (uint8_t)(1u << (sig_bits[b] % 8));
			snprintf(what, sizeof(what), "%s: signature bit %zu flipped", s->name,
			         sig_bits[b]);
			assert_rc(what, HF_EBOGUS,
			          verify(rrsig, s->rrsig_len, k->rdata, k->len, s->data,
			                 s->data_len, true));
		}
		/* One bit of the signed data: in the RRSIG part, the owner, the last RDATA octet.
		 */
		{
			const size_t data_bytes[] = {4, 20, s->data_len / 2u, s->data_len - 1u};

			for (size_t b = 0; b < HF_ARRAY_LEN(data_bytes); b++) {
				memcpy(data, s->data, s->data_len);
				data[data_bytes[b]] ^= 0x01;
				snprintf(what, sizeof(what), "%s: data octet %zu flipped", s->name,
				         data_bytes[b]);
				assert_rc(what, HF_EBOGUS,
				          verify(s->rrsig, s->rrsig_len, k->rdata, k->len, data,
				                 s->data_len, true));
			}
			/* Data one octet shorter, one octet longer. */
			snprintf(what, sizeof(what), "%s: data one octet short", s->name);
			assert_rc(what, HF_EBOGUS,
			          verify(s->rrsig, s->rrsig_len, k->rdata, k->len, s->data,
			                 s->data_len - 1u, true));
		}
		/* The other key of the same algorithm. */
		snprintf(what, sizeof(what), "%s: verified with %s", s->name, wrong->name);
		assert_rc(what, HF_EBOGUS,
		          verify(s->rrsig, s->rrsig_len, wrong->rdata, wrong->len, s->data,
		                 s->data_len, true));
		/* One bit of the public key itself. */
		{
			uint8_t *key = dup_bytes(k->rdata, k->len);

			key[k->len - 1u] ^= 0x02;
			snprintf(what, sizeof(what), "%s: last key octet changed", s->name);
			{
				int rc = verify(s->rrsig, s->rrsig_len, key, k->len, s->data,
				                s->data_len, true);

				assert_bogus_or_rdata(what, rc);
			}
			hf_free(key);
		}
		hf_free(data);
	}
}

/* A key of another algorithm than the RRSIG's: never a valid signature. */
static void test_verify_alg_mismatch(void **state)
{
	char what[200];

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++) {
		const struct dv_sig *s = &dv_sigs[i];

		for (size_t j = 0; j < HF_ARRAY_LEN(dv_keys); j++) {
			const struct dv_key *o = &dv_keys[j];
			int rc;

			if (o->alg == s->alg)
				continue;
			rc = verify(s->rrsig, s->rrsig_len, o->rdata, o->len, s->data, s->data_len,
			            true);
			snprintf(what, sizeof(what), "%s with %s", s->name, o->name);
			if (rc == HF_OK)
				fail_msg("%s: HF_OK with a key of algorithm %u", what, o->alg);
		}
	}
}

/* Unknown or unimplemented algorithms are unsupported (insecure), not bogus. */
static void test_verify_unsupported(void **state)
{
	static const uint8_t algs[] = {0, 1, 2, 3, 4, 6, 9, 11, 12, 17, 23, 252, 253, 254, 255};
	const struct dv_sig *s = &dv_sigs[0];
	const struct dv_key *k = &dv_keys[s->key];
	char what[80];

	(void)state;
	for (size_t i = 0; i < sizeof(algs); i++) {
		uint8_t *rrsig = dup_bytes(s->rrsig, s->rrsig_len);
		uint8_t *key = dup_bytes(k->rdata, k->len);

		rrsig[2] = algs[i];
		key[3] = algs[i];
		snprintf(what, sizeof(what), "algorithm %u", algs[i]);
		assert_rc(
		    what, HF_EUNSUPPORTED,
		    hf_dnssec_verify(rrsig, s->rrsig_len, key, k->len, s->data, s->data_len, true));
		assert_rc(what, HF_EUNSUPPORTED,
		          hf_dnssec_verify(rrsig, s->rrsig_len, key, k->len, s->data, s->data_len,
		                           false));
		hf_free(rrsig);
		hf_free(key);
	}
}

/* --- malformed keys and signatures ------------------------------------------------------ */

static const struct dv_sig *sig_of_alg(uint8_t alg)
{
	for (size_t i = 0; i < HF_ARRAY_LEN(dv_sigs); i++)
		if (dv_sigs[i].alg == alg)
			return &dv_sigs[i];
	fail_msg("no vector for algorithm %u", alg);
	return NULL;
}

static int verify_with_key(const struct dv_sig *s, const uint8_t *key, size_t key_len)
{
	return verify(s->rrsig, s->rrsig_len, key, key_len, s->data, s->data_len, true);
}

static void test_malformed_keys(void **state)
{
	static const uint8_t algs[] = {5, 7, 8, 10, 13, 14, 15, 16};
	uint8_t key[RDATA_MAX];
	char what[120];

	(void)state;
	for (size_t a = 0; a < sizeof(algs); a++) {
		const struct dv_sig *s = sig_of_alg(algs[a]);
		const struct dv_key *k = &dv_keys[s->key];

		/* Empty RDATA, the 4-octet header alone, and every shorter key. */
		snprintf(what, sizeof(what), "alg %u: empty DNSKEY RDATA", algs[a]);
		assert_bogus_or_rdata(what, verify_with_key(s, k->rdata, 0));
		for (size_t n = 1; n < k->len; n += (n < 8 ? 1 : 7)) {
			snprintf(what, sizeof(what), "alg %u: DNSKEY cut to %zu octets", algs[a],
			         n);
			assert_bogus_or_rdata(what, verify_with_key(s, k->rdata, n));
		}
		/* One octet too many. */
		memcpy(key, k->rdata, k->len);
		key[k->len] = 0x5a;
		snprintf(what, sizeof(what), "alg %u: DNSKEY with one octet more", algs[a]);
		assert_bogus_or_rdata(what, verify_with_key(s, key, k->len + 1u));
		/* The public key all zeros, all ones. */
		for (int fill = 0; fill < 2; fill++) {
			memcpy(key, k->rdata, 4);
			memset(key + 4, fill ? 0xff : 0x00, k->len - 4u);
			snprintf(what, sizeof(what), "alg %u: public key all %s", algs[a],
			         fill ? "ones" : "zeros");
			assert_bogus_or_rdata(what, verify_with_key(s, key, k->len));
		}
	}
}

static void test_malformed_rsa_keys(void **state)
{
	const struct dv_sig *s = sig_of_alg(8);
	const struct dv_key *k = &dv_keys[s->key];
	uint8_t key[RDATA_MAX];
	size_t n;

	(void)state;
	/* Exponent length (one octet) past the end. */
	memcpy(key, k->rdata, 4);
	key[4] = 0xff;
	memset(key + 5, 0x01, 8);
	assert_bogus_or_rdata("RSA exponent length 255, 8 octets follow",
	                      verify_with_key(s, key, 13));
	/* Exponent length equal to what follows: no modulus. */
	key[4] = 8;
	assert_bogus_or_rdata("RSA exponent fills the key, no modulus",
	                      verify_with_key(s, key, 13));
	/* Three-octet form (0, then 16 bits) past the end, and cut inside the length. */
	key[4] = 0;
	key[5] = 0x01;
	key[6] = 0x00;
	assert_bogus_or_rdata("RSA 16-bit exponent length 256, 6 octets follow",
	                      verify_with_key(s, key, 13));
	assert_bogus_or_rdata("RSA key ends inside the 16-bit exponent length",
	                      verify_with_key(s, key, 6));
	assert_bogus_or_rdata("RSA key ends after the zero exponent-length octet",
	                      verify_with_key(s, key, 5));
	/* Zero-length exponent (the three-octet form saying 0). */
	memcpy(key, k->rdata, 4);
	key[4] = 0;
	key[5] = 0;
	key[6] = 0;
	memcpy(key + 7, k->rdata + 8, k->len - 8u); /* the modulus */
	n = 7 + k->len - 8u;
	assert_bogus_or_rdata("RSA zero-length exponent", verify_with_key(s, key, n));
	/* The real key with its exponent length in the three-octet form (0, 0x0003), which
	 * RFC 3110 reserves for exponents over 255 octets: accepted or refused, no crash. */
	assert_int_equal(k->rdata[4], 3);
	memcpy(key, k->rdata, 4);
	key[4] = 0;
	key[5] = 0;
	key[6] = 3;
	memcpy(key + 7, k->rdata + 5, k->len - 5u);
	{
		int rc = verify_with_key(s, key, k->len + 2u);

		if (rc != HF_OK)
			assert_bogus_or_rdata("RSA exponent length in the three-octet form", rc);
	}
	/* A one-octet modulus. */
	memcpy(key, k->rdata, 8);
	key[8] = 0x05;
	assert_bogus_or_rdata("RSA one-octet modulus", verify_with_key(s, key, 9));
}

static void test_malformed_ec_keys(void **state)
{
	static const struct {
		uint8_t alg;
		size_t len; /* public key octets */
	} algs[] = {{13, 64}, {14, 96}, {15, 32}, {16, 57}};
	uint8_t key[RDATA_MAX];
	char what[120];

	(void)state;
	for (size_t a = 0; a < HF_ARRAY_LEN(algs); a++) {
		const struct dv_sig *s = sig_of_alg(algs[a].alg);
		const struct dv_key *k = &dv_keys[s->key];

		assert_int_equal(k->len, 4 + algs[a].len);
		/* Wrong lengths: one short, one long, the other curve's length. */
		snprintf(what, sizeof(what), "alg %u: key one octet short", algs[a].alg);
		assert_bogus_or_rdata(what, verify_with_key(s, k->rdata, k->len - 1u));
		memcpy(key, k->rdata, k->len);
		key[k->len] = 0;
		snprintf(what, sizeof(what), "alg %u: key one octet long", algs[a].alg);
		assert_bogus_or_rdata(what, verify_with_key(s, key, k->len + 1u));
		/* A key with a 0x04 (uncompressed point) prefix, as OpenSSL writes it. */
		if (algs[a].alg == 13 || algs[a].alg == 14) {
			memcpy(key, k->rdata, 4);
			key[4] = 0x04;
			memcpy(key + 5, k->rdata + 4, k->len - 4u);
			snprintf(what, sizeof(what), "alg %u: key with an 0x04 prefix",
			         algs[a].alg);
			assert_bogus_or_rdata(what, verify_with_key(s, key, k->len + 1u));
		}
		/* A point not on the curve: last coordinate octet changed. */
		memcpy(key, k->rdata, k->len);
		key[k->len - 1u] ^= 0x01;
		snprintf(what, sizeof(what), "alg %u: point changed", algs[a].alg);
		assert_bogus_or_rdata(what, verify_with_key(s, key, k->len));
	}
}

static void test_malformed_signatures(void **state)
{
	static const uint8_t algs[] = {5, 8, 10, 13, 14, 15, 16};
	uint8_t rrsig[RDATA_MAX];
	char what[120];

	(void)state;
	for (size_t a = 0; a < sizeof(algs); a++) {
		const struct dv_sig *s = sig_of_alg(algs[a]);
		const struct dv_key *k = &dv_keys[s->key];
		size_t off = rrsig_sig_offset(s->rrsig, s->rrsig_len);
		size_t sig_len = s->rrsig_len - off;

		/* No signature; half; one octet short; one octet long; all zeros; all ones. */
		snprintf(what, sizeof(what), "alg %u: empty signature", algs[a]);
		assert_bogus_or_rdata(
		    what, verify(s->rrsig, off, k->rdata, k->len, s->data, s->data_len, true));
		snprintf(what, sizeof(what), "alg %u: half the signature", algs[a]);
		assert_bogus_or_rdata(what, verify(s->rrsig, off + sig_len / 2u, k->rdata, k->len,
		                                   s->data, s->data_len, true));
		snprintf(what, sizeof(what), "alg %u: signature one octet short", algs[a]);
		assert_bogus_or_rdata(what, verify(s->rrsig, s->rrsig_len - 1u, k->rdata, k->len,
		                                   s->data, s->data_len, true));
		memcpy(rrsig, s->rrsig, s->rrsig_len);
		rrsig[s->rrsig_len] = 0;
		snprintf(what, sizeof(what), "alg %u: signature one octet long", algs[a]);
		assert_bogus_or_rdata(what, verify(rrsig, s->rrsig_len + 1u, k->rdata, k->len,
		                                   s->data, s->data_len, true));
		for (int fill = 0; fill < 2; fill++) {
			memcpy(rrsig, s->rrsig, s->rrsig_len);
			memset(rrsig + off, fill ? 0xff : 0x00, sig_len);
			snprintf(what, sizeof(what), "alg %u: signature all %s", algs[a],
			         fill ? "ones" : "zeros");
			assert_bogus_or_rdata(what, verify(rrsig, s->rrsig_len, k->rdata, k->len,
			                                   s->data, s->data_len, true));
		}
		/* RRSIG RDATA cut inside the fixed part or the signer name. */
		for (size_t n = 0; n < off; n += 3) {
			snprintf(what, sizeof(what), "alg %u: RRSIG RDATA cut to %zu octets",
			         algs[a], n);
			assert_bogus_or_rdata(what, verify(s->rrsig, n, k->rdata, k->len, s->data,
			                                   s->data_len, true));
		}
	}
}

/* --- published examples, in presentation form ------------------------------------------------ */

struct rfc_case {
	const char *name;
	bool sha1;
	const char *const *rrs; /* NULL-terminated */
};

/* RFC 6605 §6.1. */
static const char *const rfc6605_p256[] = {
    "example.net. 3600 IN DNSKEY 257 3 13 (\n"
    "        GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb\n"
    "        krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )",
    "example.net. 3600 IN DS 55648 13 2 (\n"
    "        b4c8c1fe2e7477127b27115656ad6256f424625bf5c1\n"
    "        e2770ce6d6e37df61d17 )",
    "www.example.net. 3600 IN A 192.0.2.1",
    "www.example.net. 3600 IN RRSIG A 13 3 3600 (\n"
    "        20100909100439 20100812100439 55648 example.net.\n"
    "        qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA\n"
    "        yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )",
    NULL,
};

/* RFC 6605 §6.2. */
static const char *const rfc6605_p384[] = {
    "example.net. 3600 IN DNSKEY 257 3 14 (\n"
    "        xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1\n"
    "        w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8\n"
    "        /uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40 )",
    "example.net. 3600 IN DS 10771 14 4 (\n"
    "        72d7b62976ce06438e9c0bf319013cf801f09ecc84b8\n"
    "        d7e9495f27e305c6a9b0563a9b5f4d288405c3008a94\n"
    "        6df983d6 )",
    "www.example.net. 3600 IN A 192.0.2.1",
    "www.example.net. 3600 IN RRSIG A 14 3 3600 (\n"
    "        20100909102025 20100812102025 10771 example.net.\n"
    "        /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP\n"
    "        95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz\n"
    "        WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm )",
    NULL,
};

/*
 * RFC 8080 §6.1 and §6.2 as corrected by Errata ID 4935 (the published RRSIGs
 * have no algorithm field and a labels count of 3). The erratum nests a second
 * "(" around the signature; one level of parentheses is kept here.
 */
static const char *const rfc8080_ed25519_1[] = {
    "example.com. 3600 IN DNSKEY 257 3 15 (\n"
    "        l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )",
    "example.com. 3600 IN DS 3613 15 2 (\n"
    "        3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79\n"
    "        a304b )",
    "example.com. 3600 IN MX 10 mail.example.com.",
    "example.com. 3600 IN RRSIG MX 15 2 3600 (\n"
    "        1440021600 1438207200 3613 example.com.\n"
    "        oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3f\n"
    "        x8A4M3e23mRZ9VrbpMngwcrqNAg== )",
    NULL,
};

static const char *const rfc8080_ed25519_2[] = {
    "example.com. 3600 IN DNSKEY 257 3 15 (\n"
    "        zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs= )",
    "example.com. 3600 IN DS 35217 15 2 (\n"
    "        401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c\n"
    "        6614c )",
    "example.com. 3600 IN MX 10 mail.example.com.",
    "example.com. 3600 IN RRSIG MX 15 2 3600 (\n"
    "        1440021600 1438207200 35217 example.com.\n"
    "        zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQ\n"
    "        oSm5poJ7gD7AQR0O7KuI5k2pcBg== )",
    NULL,
};

static const char *const rfc8080_ed448_1[] = {
    "example.com. 3600 IN DNSKEY 257 3 16 (\n"
    "        3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx\n"
    "        1FYYUcJKm1MDpJtIA )",
    "example.com. 3600 IN DS 9713 16 2 (\n"
    "        6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2\n"
    "        b19c7 )",
    "example.com. 3600 IN MX 10 mail.example.com.",
    "example.com. 3600 IN RRSIG MX 16 2 3600 (\n"
    "        1440021600 1438207200 9713 example.com.\n"
    "        3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0am\n"
    "        xWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/\n"
    "        JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA )",
    NULL,
};

static const char *const rfc8080_ed448_2[] = {
    "example.com. 3600 IN DNSKEY 257 3 16 (\n"
    "        kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcN\n"
    "        Lp5HlHAMy12VoISsA )",
    "example.com. 3600 IN DS 38353 16 2 (\n"
    "        645ff078b3568f5852b70cb60e8e696cc77b75bfaaffc118cf79cbda1ba\n"
    "        28af4 )",
    "example.com. 3600 IN MX 10 mail.example.com.",
    "example.com. 3600 IN RRSIG MX 16 2 3600 (\n"
    "        1440021600 1438207200 38353 example.com.\n"
    "        E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57C\n"
    "        SnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSxv5OWbf81\n"
    "        Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA )",
    NULL,
};

/*
 * isc.org's DNSKEY RRset of May 2018 (RSASHA1), signed by both keys; the KSK's
 * exponent is 4 octets (0x40000003), the case of miekg/dns issue #688.
 */
static const char *const isc_rsasha1[] = {
    "isc.org. 7200 IN DNSKEY 256 3 5 AwEAAcdkaRUlsRD4gcF63PpPJJ1E6kOIb3yn/UHptVsPEQtEbgJ2y20O "
    "eix4unpwoQkz+bIAd2rrOU/95wgV530x0/qqKwBLWoGkxdcnNcvVT4hl "
    "3SOTZy1VjwkAfyayHPU8VisXqJGbB3KWevBZlb6AtrXzFu8AHuBeeAAe /fOgreCh",
    "isc.org. 7200 IN DNSKEY 257 3 5 BEAAAAOhHQDBrhQbtphgq2wQUpEQ5t4DtUHxoMVFu2hWLDMvoOMRXjGr "
    "hhCeFvAZih7yJHf8ZGfW6hd38hXG/xylYCO6Krpbdojwx8YMXLA5/kA+ "
    "u50WIL8ZR1R6KTbsYVMf/Qx5RiNbPClw+vT+U8eXEJmO20jIS1ULgqy3 "
    "47cBB1zMnnz/4LJpA0da9CbKj3A254T515sNIMcwsB8/2+2E63/zZrQz "
    "Bkj0BrN/9Bexjpiks3jRhZatEsXn3dTy47R09Uix5WcJt+xzqZ7+ysyL "
    "KOOedS39Z7SDmsn2eA0FKtQpwA6LXeG2w+jxmw3oA8lVUgEf/rzeC/bB yBNsO70aEFTd",
    "isc.org. 7200 IN RRSIG DNSKEY 5 2 7200 20180627230244 20180528230244 12892 isc.org. "
    "ebKBlhYi1hPGTdPg6zSwvprOIkoFMs+WIhMSjoYW6/K5CS9lDDFdK4cu "
    "TgXJRT3etrltTuJiFe2HRpp+7t5cKLy+CeJZVzqrCz200MoHiFuLI9yI "
    "DJQGaS5YYCiFbw5+jUGU6aUhZ7Y5/YufeqATkRZzdrKwgK+zri8LPw9T "
    "WLoVJPAOW7GR0dgxl9WKmO7Fzi9P8BZR3NuwLV7329X94j+4zyswaw7q "
    "e5vif0ybzFveODLsEi/E0a2rTXc4QzzyM0fSVxRkVQyQ7ifIPP4ohnnT "
    "d5qpPUbE8xxBzTdWR/TaKADC5aCFkppG9lVAq5CPfClii2949X5RYzy1 rxhuSA==",
    "isc.org. 7200 IN RRSIG DNSKEY 5 2 7200 20180627230244 20180528230244 19923 isc.org. "
    "RgCfzUeq4RJPGoe9RRB6cWf6d/Du+tHK5SxI5QL1waA3O5qVtQKFkY1C "
    "dq/yyVjwzfjD9F62TObujOaktv8X80ZMcNPmgHbvK1xOqelMBWv5hxj3 "
    "xRe+QQObLZ5NPfHFsphQKXvwgO5Sjk8py2B2iCr3BHCZ8S38oIfuSrQx sn8=",
    NULL,
};

static const struct rfc_case rfc_cases[] = {
    {"RFC 6605 6.1 P-256", false, rfc6605_p256},
    {"RFC 6605 6.2 P-384", false, rfc6605_p384},
    {"RFC 8080 6.1 Ed25519 #1 (erratum 4935)", false, rfc8080_ed25519_1},
    {"RFC 8080 6.1 Ed25519 #2 (erratum 4935)", false, rfc8080_ed25519_2},
    {"RFC 8080 6.2 Ed448 #1 (erratum 4935)", false, rfc8080_ed448_1},
    {"RFC 8080 6.2 Ed448 #2 (erratum 4935)", false, rfc8080_ed448_2},
    {"isc.org RSASHA1, 4-octet exponent", true, isc_rsasha1},
};

#define RFC_MAX_RRS 8

static void check_rfc_case(const struct rfc_case *c)
{
	struct hf_rrdata *rr[RFC_MAX_RRS];
	uint8_t *out = hf_malloc(DATA_CAP);
	size_t n = 0, keys = 0;
	char what[200];

	for (; c->rrs[n]; n++) {
		int rc;

		assert_true(n < RFC_MAX_RRS);
		rr[n] = hf_malloc(sizeof(*rr[n]));
		rc = hf_rr_from_text(c->rrs[n], strlen(c->rrs[n]), NULL, 3600, rr[n]);
		if (rc != HF_OK)
			fail_msg("%s: record %zu does not parse: %s", c->name, n, hf_errname(rc));
		if (rr[n]->type == HF_TYPE_DNSKEY)
			keys++;
	}
	assert_true(keys > 0);

	for (size_t i = 0; i < n; i++) {
		size_t found = 0;

		if (rr[i]->type == HF_TYPE_DS) {
			uint16_t tag = (uint16_t)(rr[i]->rdata[0] << 8 | rr[i]->rdata[1]);

			for (size_t j = 0; j < n; j++) {
				if (rr[j]->type != HF_TYPE_DNSKEY ||
				    hf_dnssec_key_tag(rr[j]->rdata, rr[j]->rdlen) != tag)
					continue;
				snprintf(what, sizeof(what), "%s: DS %u", c->name, tag);
				assert_rc(what, HF_OK,
				          ds_match(rr[i]->owner, rr[i]->rdata, rr[i]->rdlen,
				                   rr[j]->rdata, rr[j]->rdlen, false));
				found++;
			}
			if (!found)
				fail_msg("%s: no DNSKEY has the key tag %u of the DS", c->name,
				         tag);
		}
		if (rr[i]->type == HF_TYPE_RRSIG) {
			uint16_t covered = (uint16_t)(rr[i]->rdata[0] << 8 | rr[i]->rdata[1]);
			uint16_t tag = (uint16_t)(rr[i]->rdata[16] << 8 | rr[i]->rdata[17]);
			const uint8_t *rd[RFC_MAX_RRS];
			uint16_t len[RFC_MAX_RRS];
			size_t m = 0;
			int dlen;

			/* The covered RRset, in the order given. */
			for (size_t j = 0; j < n; j++) {
				if (rr[j]->type != covered)
					continue;
				rd[m] = rr[j]->rdata;
				len[m++] = rr[j]->rdlen;
			}
			assert_true(m > 0);
			dlen = hf_dnssec_signed_data(rr[i]->owner, covered, rr[i]->rclass,
			                             rr[i]->rdata, rr[i]->rdlen, rd, len, m, out,
			                             DATA_CAP);
			if (dlen < 0)
				fail_msg("%s: signed data: %s", c->name, hf_errname(dlen));
			for (size_t j = 0; j < n; j++) {
				if (rr[j]->type != HF_TYPE_DNSKEY ||
				    hf_dnssec_key_tag(rr[j]->rdata, rr[j]->rdlen) != tag)
					continue;
				snprintf(what, sizeof(what), "%s: RRSIG by key %u", c->name, tag);
				assert_rc(what, HF_OK,
				          verify(rr[i]->rdata, rr[i]->rdlen, rr[j]->rdata,
				                 rr[j]->rdlen, out, (size_t)dlen, true));
				assert_rc(what, c->sha1 ? HF_EUNSUPPORTED : HF_OK,
				          verify(rr[i]->rdata, rr[i]->rdlen, rr[j]->rdata,
				                 rr[j]->rdlen, out, (size_t)dlen, false));
				out[dlen - 1] ^= 0x01;
				assert_rc(what, HF_EBOGUS,
				          verify(rr[i]->rdata, rr[i]->rdlen, rr[j]->rdata,
				                 rr[j]->rdlen, out, (size_t)dlen, true));
				out[dlen - 1] ^= 0x01;
				found++;
			}
			if (!found)
				fail_msg("%s: no DNSKEY has the key tag %u of the RRSIG", c->name,
				         tag);
		}
	}
	for (size_t i = 0; i < n; i++)
		hf_free(rr[i]);
	hf_free(out);
}

static void test_rfc_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(rfc_cases); i++)
		check_rfc_case(&rfc_cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_tags),
	    cmocka_unit_test(test_key_tag_rsamd5),
	    cmocka_unit_test(test_key_tag_short),
	    cmocka_unit_test(test_supported),
	    cmocka_unit_test(test_ds_match),
	    cmocka_unit_test(test_ds_owner_case),
	    cmocka_unit_test(test_ds_mismatch),
	    cmocka_unit_test(test_ds_unsupported_digest),
	    cmocka_unit_test(test_ds_malformed),
	    cmocka_unit_test(test_signed_data),
	    cmocka_unit_test(test_signed_data_space),
	    cmocka_unit_test(test_signed_data_malformed),
	    cmocka_unit_test(test_verify),
	    cmocka_unit_test(test_verify_own_data),
	    cmocka_unit_test(test_verify_tampered),
	    cmocka_unit_test(test_verify_alg_mismatch),
	    cmocka_unit_test(test_verify_unsupported),
	    cmocka_unit_test(test_malformed_keys),
	    cmocka_unit_test(test_malformed_rsa_keys),
	    cmocka_unit_test(test_malformed_ec_keys),
	    cmocka_unit_test(test_malformed_signatures),
	    cmocka_unit_test(test_rfc_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
