/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Authenticated denial (validator/nsec.h):
 *
 *  - type bitmaps, well-formed and not (each malformed one in a heap block
 *    of exactly its size, so AddressSanitizer sees a read past the end);
 *  - the NSEC3 hash against RFC 5155 Appendix A (every name listed there),
 *    the four hashed names Appendix B proves absent, and the empty-salt,
 *    zero-iteration hash of "com" (BIND's nsec3hash test);
 *  - the example responses of RFC 5155 Appendix B, read from the zone of
 *    Appendix A, with the RFC's opt-out flags and with them cleared, and
 *    each with one record missing;
 *  - NSEC proofs over a small zone built by hand: name error with and without
 *    the wildcard denied, NODATA, an empty non-terminal, wildcard NODATA and
 *    answers, DS from the parent side and not from the child side, the
 *    RFC 6840 §4.1 and §4.3 rules (delegations and DNAME hide what is below
 *    them), and the last NSEC wrapping round to the apex;
 *  - the limits: too many iterations (insecure), the hash budget, each name
 *    hashed once; and records that must be ignored: malformed RDATA, owners
 *    outside the zone, unknown hash algorithm or flags.
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
#include "validator/nsec.h"
#include "wire/name.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define SET_MAX 16

/* Records for one call: parsed from text, or raw RDATA in an exact-size block. */
struct set {
	struct hf_rrdata *rr[SET_MAX];
	uint8_t *raw[SET_MAX];
	struct hf_denial_rr d[SET_MAX];
	size_t n;
};

static void set_add(struct set *s, const char *text)
{
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	int rc;

	assert_true(s->n < SET_MAX);
	assert_non_null(rr);
	rc = hf_rr_from_text(text, strlen(text), NULL, 3600, rr);
	if (rc != HF_OK)
		fail_msg("%s: does not parse: %s", text, hf_errname(rc));
	s->rr[s->n] = rr;
	s->raw[s->n] = NULL;
	s->d[s->n] =
	    (struct hf_denial_rr){.owner = rr->owner, .rdata = rr->rdata, .rdlen = rr->rdlen};
	s->n++;
}

/* A record with the given RDATA octets, which need not parse. */
static void set_add_raw(struct set *s, const char *owner, const uint8_t *rdata, size_t len)
{
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	uint8_t *copy = hf_malloc(len ? len : 1);

	assert_true(s->n < SET_MAX);
	assert_non_null(rr);
	assert_non_null(copy);
	assert_true(hf_name_from_text(owner, strlen(owner), NULL, rr->owner) > 0);
	if (len)
		memcpy(copy, rdata, len);
	s->rr[s->n] = rr;
	s->raw[s->n] = copy;
	s->d[s->n] =
	    (struct hf_denial_rr){.owner = rr->owner, .rdata = copy, .rdlen = (uint16_t)len};
	s->n++;
}

/* The RDATA of a record written as text, for tests that then damage it. */
static size_t rdata_of(const char *text, uint8_t *out, size_t cap)
{
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	size_t len;

	assert_non_null(rr);
	assert_int_equal(hf_rr_from_text(text, strlen(text), NULL, 3600, rr), HF_OK);
	len = rr->rdlen;
	assert_true(len <= cap);
	memcpy(out, rr->rdata, len);
	hf_free(rr);
	return len;
}

static void set_clear(struct set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		hf_free(s->rr[i]);
		hf_free(s->raw[i]);
	}
	s->n = 0;
}

static void name_of(const char *text, uint8_t out[HF_NAME_MAX])
{
	if (hf_name_from_text(text, strlen(text), NULL, out) <= 0)
		fail_msg("%s: not a name", text);
}

static struct hf_nsec3_budget default_budget(void)
{
	return (struct hf_nsec3_budget){.hashes = 0, .max_hashes = 1000, .max_iterations = 150};
}

/* One call; nsec or nsec3 may be NULL; budget NULL means a fresh generous one. */
static int check(enum hf_denial_kind kind, const char *zone, const char *qname, uint16_t qtype,
                 const char *ce, const struct set *nsec, const struct set *nsec3,
                 struct hf_nsec3_budget *budget, bool *opt_out)
{
	uint8_t z[HF_NAME_MAX], q[HF_NAME_MAX], c[HF_NAME_MAX];
	struct hf_nsec3_budget fresh = default_budget();

	name_of(zone, z);
	name_of(qname, q);
	if (ce != NULL)
		name_of(ce, c);
	return hf_denial_check(kind, z, q, qtype, ce ? c : NULL, nsec ? nsec->d : NULL,
	                       nsec ? nsec->n : 0, nsec3 ? nsec3->d : NULL, nsec3 ? nsec3->n : 0,
	                       budget ? budget : &fresh, opt_out);
}

static void assert_rc(const char *what, int want, int got)
{
	if (want != got)
		fail_msg("%s: want %s, got %s (%d)", what, hf_errname(want), hf_errname(got), got);
}

/* --- bitmaps ---------------------------------------------------------------------------- */

/*
 * A bitmap holding A, MX, RRSIG, NSEC (window 0), CAA (window 1) and
 * TYPE1234 (window 4: 1234 = 4 * 256 + 210, octet 26, bit 2). Returns its length.
 */
static size_t make_bitmap(uint8_t out[64])
{
	static const uint8_t head[] = {
	    0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, /* window 0: 1, 15, 46, 47 */
	    0x01, 0x01, 0x40,                               /* window 1: 257 */
	};

	memcpy(out, head, sizeof(head));
	out[sizeof(head)] = 0x04;
	out[sizeof(head) + 1] = 27;
	memset(out + sizeof(head) + 2, 0, 27);
	out[sizeof(head) + 2 + 26] = 0x20;
	return sizeof(head) + 2 + 27;
}

static void test_bitmap(void **state)
{
	static const uint16_t present[] = {HF_TYPE_A,    HF_TYPE_MX,  HF_TYPE_RRSIG,
	                                   HF_TYPE_NSEC, HF_TYPE_CAA, 1234};
	static const uint16_t absent[] = {0,    HF_TYPE_NS, HF_TYPE_AAAA, HF_TYPE_DS, 48,
	                                  256,  258,        512,          1233,       1235,
	                                  1240, 2000,       65535};

	uint8_t bitmap[64];
	size_t len = make_bitmap(bitmap);

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(present); i++) {
		if (!hf_nsec_bitmap_has(bitmap, len, present[i]))
			fail_msg("type %u should be present", present[i]);
	}
	for (size_t i = 0; i < HF_ARRAY_LEN(absent); i++) {
		if (hf_nsec_bitmap_has(bitmap, len, absent[i]))
			fail_msg("type %u should be absent", absent[i]);
	}
	assert_false(hf_nsec_bitmap_has(NULL, 0, HF_TYPE_A));
}

/* Malformed bitmaps answer false and never read past their end. */
static void test_bitmap_malformed(void **state)
{
	static const struct {
		const char *what;
		uint8_t octets[8];
		size_t len;
		uint16_t type;
	} cases[] = {
	    {"window header cut short", {0x00}, 1, HF_TYPE_A},
	    {"window length 0", {0x00, 0x00, 0x40}, 3, HF_TYPE_A},
	    {"window longer than 32", {0x00, 0x21, 0x40}, 3, HF_TYPE_A},
	    {"window runs past the end", {0x00, 0x04, 0x40}, 3, HF_TYPE_A},
	    {"second window cut short", {0x00, 0x01, 0x40, 0x01}, 4, HF_TYPE_CAA},
	    {"second window runs past", {0x00, 0x01, 0x40, 0x01, 0x02, 0x40}, 6, HF_TYPE_CAA},
	};

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(cases); i++) {
		uint8_t *b = hf_malloc(cases[i].len);

		assert_non_null(b);
		memcpy(b, cases[i].octets, cases[i].len);
		if (hf_nsec_bitmap_has(b, cases[i].len, cases[i].type))
			fail_msg("%s: type %u found", cases[i].what, cases[i].type);
		/* Every type, so every window is looked for. */
		for (unsigned t = 0; t < 65536; t += 97)
			(void)hf_nsec_bitmap_has(b, cases[i].len, (uint16_t)t);
		hf_free(b);
	}
}

/* --- NSEC3 hash ------------------------------------------------------------------------- */

static void b32hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = digits[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = digits[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

static void assert_hash(const char *name, const uint8_t *salt, size_t salt_len, uint16_t iterations,
                        const char *want)
{
	uint8_t n[HF_NAME_MAX], h[HF_NSEC3_HASH_LEN];
	char text[64];

	name_of(name, n);
	assert_rc(name, HF_OK, hf_nsec3_hash(n, 1, iterations, salt, salt_len, h));
	b32hex(h, sizeof(h), text);
	if (strcmp(text, want) != 0)
		fail_msg("H(%s) = %s, want %s", name, text, want);
}

static void test_nsec3_hash_rfc5155(void **state)
{
	static const uint8_t salt[] = {0xaa, 0xbb, 0xcc, 0xdd};
	static const char *const vectors[][2] = {
	    /* RFC 5155 Appendix A */
	    {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
	    {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
	    {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
	    {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
	    {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
	    {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
	    {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
	    {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
	    {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
	    {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
	    {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
	    {"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi"},
	    /* RFC 5155 Appendix B: the names proven absent */
	    {"c.x.w.example.", "0va5bpr2ou0vk0lbqeeljri88laipsfh"},
	    {"*.x.w.example.", "92pqneegtaue7pjatc3l3qnk738c6v5m"},
	    {"c.example.", "4g6p9u5gvfshp30pqecj98b3maqbn1ck"},
	    {"z.w.example.", "qlu7gtfaeh0ek0c05ksfhdpbcgglbe03"},
	    /* case folds: RFC 5155 §5 hashes the canonical (lowercase) name */
	    {"X.W.Example.", "b4um86eghhds6nea196smvmlo4ors995"},
	};

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(vectors); i++)
		assert_hash(vectors[i][0], salt, sizeof(salt), 12, vectors[i][1]);
	/* No salt, no extra iteration (BIND bin/tests/system/nsec3hash). */
	assert_hash("com.", NULL, 0, 0, "ck0pojmg874ljref7efn8430qvit8bsm");
}

static void test_nsec3_hash_bad_alg(void **state)
{
	uint8_t n[HF_NAME_MAX], h[HF_NSEC3_HASH_LEN];

	(void)state;
	name_of("example.", n);
	assert_rc("alg 0", HF_EINVAL, hf_nsec3_hash(n, 0, 0, NULL, 0, h));
	assert_rc("alg 2", HF_EINVAL, hf_nsec3_hash(n, 2, 0, NULL, 0, h));
}

/* --- RFC 5155 Appendix B ---------------------------------------------------------------- */

/* The NSEC3 chain of the Appendix A zone, keyed by the first four characters. */
static const struct {
	const char *owner, *next, *types;
} rfc5155_chain[] = {
    {"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
     "MX DNSKEY NS SOA NSEC3PARAM RRSIG"}, /* example */
    {"2t7b4g4vsa5smi47k61mv5bv1a22bojr", "2vptu5timamqttgl4luu9kg21e0aor3s",
     "A RRSIG"}, /* ns1.example */
    {"2vptu5timamqttgl4luu9kg21e0aor3s", "35mthgpgcu1qg68fab165klnsnk3dpvl",
     "MX RRSIG"}, /* x.y.w.example */
    {"35mthgpgcu1qg68fab165klnsnk3dpvl", "b4um86eghhds6nea196smvmlo4ors995",
     "NS DS RRSIG"}, /* a.example */
    {"b4um86eghhds6nea196smvmlo4ors995", "gjeqe526plbf1g8mklp59enfd789njgi",
     "MX RRSIG"}, /* x.w.example */
    {"gjeqe526plbf1g8mklp59enfd789njgi", "ji6neoaepv8b5o6k4ev33abha8ht9fgc",
     "A HINFO AAAA RRSIG"}, /* ai.example */
    {"ji6neoaepv8b5o6k4ev33abha8ht9fgc", "k8udemvp1j2f7eg6jebps17vp3n8i58h",
     ""}, /* y.w.example (empty non-terminal) */
    {"k8udemvp1j2f7eg6jebps17vp3n8i58h", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi",
     ""}, /* w.example (empty non-terminal) */
    {"kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "q04jkcevqvmu85r014c7dkba38o0ji5r",
     "A RRSIG"}, /* 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example */
    {"q04jkcevqvmu85r014c7dkba38o0ji5r", "r53bq7cc2uvmubfu5ocmm6pers9tk9en",
     "A RRSIG"}, /* ns2.example */
    {"r53bq7cc2uvmubfu5ocmm6pers9tk9en", "t644ebqk9bibcna874givr6joj62mlhv",
     "MX RRSIG"}, /* *.w.example */
    {"t644ebqk9bibcna874givr6joj62mlhv", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
     "A HINFO AAAA RRSIG"}, /* xx.example */
};

/* The chain record whose owner starts with key, with flags and (unless NULL) other types. */
static void rfc_add(struct set *s, const char *key, int flags, const char *types)
{
	char text[512];

	for (size_t i = 0; i < HF_ARRAY_LEN(rfc5155_chain); i++) {
		if (strncmp(rfc5155_chain[i].owner, key, 4) != 0)
			continue;
		snprintf(text, sizeof(text), "%s.example. 3600 IN NSEC3 1 %d 12 aabbccdd %s %s",
		         rfc5155_chain[i].owner, flags, rfc5155_chain[i].next,
		         types ? types : rfc5155_chain[i].types);
		set_add(s, text);
		return;
	}
	fail_msg("no record %s in the chain", key);
}

/* Space-separated keys. */
static void rfc_add_list(struct set *s, const char *keys, int flags)
{
	for (const char *k = keys; *k != '\0'; k += (k[4] == ' ') ? 5 : 4)
		rfc_add(s, k, flags, NULL);
}

struct rfc_case {
	const char *what;
	enum hf_denial_kind kind;
	const char *qname;
	uint16_t qtype;
	const char *ce;
	const char *records;
	int want;         /* with the RFC's records (opt-out set) */
	bool opt_out;     /* ... and what *opt_out says then */
	int want_no_flag; /* with every flag cleared (*opt_out then always false) */
};

static const struct rfc_case rfc_cases[] = {
    /* B.1: a.c.x.w.example: x.w.example the closest encloser, c.x.w.example
     * the next closer (covered by 0p9m, opt-out), *.x.w.example covered. */
    {"B.1 name error", HF_DENY_NXDOMAIN, "a.c.x.w.example.", HF_TYPE_A, NULL, "0p9m b4um 35mt",
     HF_OK, true, HF_OK},
    {"B.1 without the closest encloser", HF_DENY_NXDOMAIN, "a.c.x.w.example.", HF_TYPE_A, NULL,
     "0p9m 35mt", HF_EBOGUS, false, HF_EBOGUS},
    {"B.1 without the next closer cover", HF_DENY_NXDOMAIN, "a.c.x.w.example.", HF_TYPE_A, NULL,
     "b4um 35mt", HF_EBOGUS, false, HF_EBOGUS},
    {"B.1 without the wildcard cover", HF_DENY_NXDOMAIN, "a.c.x.w.example.", HF_TYPE_A, NULL,
     "0p9m b4um", HF_EBOGUS, false, HF_EBOGUS},
    {"B.1 for a name that exists", HF_DENY_NXDOMAIN, "x.w.example.", HF_TYPE_A, NULL,
     "0p9m b4um 35mt", HF_EBOGUS, false, HF_EBOGUS},
    {"B.1 outside the zone", HF_DENY_NXDOMAIN, "a.c.x.w.example.org.", HF_TYPE_A, NULL,
     "0p9m b4um 35mt", HF_EBOGUS, false, HF_EBOGUS},
    /* B.2: ns1.example has A and RRSIG, no MX. */
    {"B.2 no data", HF_DENY_NODATA, "ns1.example.", HF_TYPE_MX, NULL, "2t7b", HF_OK, false, HF_OK},
    {"B.2 for a type that exists", HF_DENY_NODATA, "ns1.example.", HF_TYPE_A, NULL, "2t7b",
     HF_EBOGUS, false, HF_EBOGUS},
    {"B.2 without its record", HF_DENY_NODATA, "ns1.example.", HF_TYPE_MX, NULL, "0p9m", HF_EBOGUS,
     false, HF_EBOGUS},
    /* B.2.1: y.w.example is an empty non-terminal: empty bitmap. */
    {"B.2.1 empty non-terminal", HF_DENY_NODATA, "y.w.example.", HF_TYPE_A, NULL, "ji6n", HF_OK,
     false, HF_OK},
    {"B.2.1 with the wrong record", HF_DENY_NODATA, "y.w.example.", HF_TYPE_A, NULL, "35mt",
     HF_EBOGUS, false, HF_EBOGUS},
    /* B.3: c.example is an unsigned delegation in the opt-out span 35mt..b4um. */
    {"B.3 opt-out referral, DS", HF_DENY_NODATA, "c.example.", HF_TYPE_DS, NULL, "0p9m 35mt", HF_OK,
     true, HF_EBOGUS},
    {"B.3 without the closest encloser", HF_DENY_NODATA, "c.example.", HF_TYPE_DS, NULL, "35mt",
     HF_EBOGUS, false, HF_EBOGUS},
    {"B.3 without the opt-out span", HF_DENY_NODATA, "c.example.", HF_TYPE_DS, NULL, "0p9m",
     HF_EBOGUS, false, HF_EBOGUS},
    /* a.example is a secure delegation: its DS exists. */
    {"DS of a secure delegation", HF_DENY_NODATA, "a.example.", HF_TYPE_DS, NULL, "35mt", HF_EBOGUS,
     false, HF_EBOGUS},
    /* B.4: a.z.w.example MX from *.w.example; z.w.example covered by q04j. */
    {"B.4 wildcard answer", HF_DENY_WILDCARD, "a.z.w.example.", HF_TYPE_MX, "w.example.", "q04j",
     HF_OK, true, HF_OK},
    {"B.4 without the next closer cover", HF_DENY_WILDCARD, "a.z.w.example.", HF_TYPE_MX,
     "w.example.", "r53b", HF_EBOGUS, false, HF_EBOGUS},
    {"B.4 claiming the apex as encloser", HF_DENY_WILDCARD, "a.z.w.example.", HF_TYPE_MX,
     "example.", "q04j", HF_EBOGUS, false, HF_EBOGUS},
    {"B.4 with the encloser as qname", HF_DENY_WILDCARD, "a.z.w.example.", HF_TYPE_MX,
     "a.z.w.example.", "q04j", HF_EBOGUS, false, HF_EBOGUS},
    /* B.5: a.z.w.example AAAA: *.w.example exists with MX only. */
    {"B.5 wildcard no data", HF_DENY_NODATA, "a.z.w.example.", HF_TYPE_AAAA, NULL, "k8ud q04j r53b",
     HF_OK, true, HF_OK},
    {"B.5 without the closest encloser", HF_DENY_NODATA, "a.z.w.example.", HF_TYPE_AAAA, NULL,
     "q04j r53b", HF_EBOGUS, false, HF_EBOGUS},
    {"B.5 without the next closer cover", HF_DENY_NODATA, "a.z.w.example.", HF_TYPE_AAAA, NULL,
     "k8ud r53b", HF_EBOGUS, false, HF_EBOGUS},
    {"B.5 without the wildcard", HF_DENY_NODATA, "a.z.w.example.", HF_TYPE_AAAA, NULL, "k8ud q04j",
     HF_EBOGUS, false, HF_EBOGUS},
    {"B.5 for the type the wildcard has", HF_DENY_NODATA, "a.z.w.example.", HF_TYPE_MX, NULL,
     "k8ud q04j r53b", HF_EBOGUS, false, HF_EBOGUS},
    /* B.6: the DS of example from example itself: the child side (SOA) cannot deny it. */
    {"B.6 DS from the child apex", HF_DENY_NODATA, "example.", HF_TYPE_DS, NULL, "0p9m", HF_EBOGUS,
     false, HF_EBOGUS},
};

static void test_rfc5155_appendix_b(void **state)
{
	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(rfc_cases); i++) {
		const struct rfc_case *c = &rfc_cases[i];

		for (int flags = 1; flags >= 0; flags--) {
			struct set s = {0};
			bool opt_out = !c->opt_out;
			char what[128];
			int rc;

			rfc_add_list(&s, c->records, flags);
			rc = check(c->kind, "example.", c->qname, c->qtype, c->ce, NULL, &s, NULL,
			           &opt_out);
			snprintf(what, sizeof(what), "%s (flags %d)", c->what, flags);
			assert_rc(what, flags ? c->want : c->want_no_flag, rc);
			if (opt_out != (flags && c->opt_out))
				fail_msg("%s: opt_out %d", what, opt_out);
			set_clear(&s);
		}
	}
}

/* RFC 6840 §4.1, §4.3 for NSEC3: what the closest encloser or the match may not be. */
static void test_nsec3_cut_and_dname(void **state)
{
	struct set s = {0};

	(void)state;
	/* B.1 with x.w.example a DNAME: nothing below it is denied. */
	rfc_add(&s, "0p9m", 0, NULL);
	rfc_add(&s, "b4um", 0, "DNAME RRSIG");
	rfc_add(&s, "35mt", 0, NULL);
	assert_rc("DNAME encloser", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	/* ... or an (insecure) delegation: the names below are the child's. */
	rfc_add(&s, "0p9m", 0, NULL);
	rfc_add(&s, "b4um", 0, "NS");
	rfc_add(&s, "35mt", 0, NULL);
	assert_rc("delegation encloser", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	/* ns1.example as an insecure delegation: no DS (proven), but no MX says nothing. */
	rfc_add(&s, "2t7b", 0, "NS");
	assert_rc("DS at a delegation", HF_OK,
	          check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_DS, NULL, NULL, &s,
	                NULL, NULL));
	assert_rc("MX at a delegation", HF_EBOGUS,
	          check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	/* DS at an ordinary name (no NS): not a cut, so no insecure delegation is proven. */
	rfc_add(&s, "2t7b", 0, NULL);
	assert_rc("DS without NS", HF_EBOGUS,
	          check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_DS, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	/* CNAME at the name: the answer would have been the CNAME. */
	rfc_add(&s, "2t7b", 0, "CNAME RRSIG");
	assert_rc("CNAME at the name", HF_EBOGUS,
	          check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	/* The wildcard of B.5 with CNAME. */
	rfc_add(&s, "k8ud", 0, NULL);
	rfc_add(&s, "q04j", 0, NULL);
	rfc_add(&s, "r53b", 0, "CNAME RRSIG");
	assert_rc("CNAME at the wildcard", HF_EBOGUS,
	          check(HF_DENY_NODATA, "example.", "a.z.w.example.", HF_TYPE_AAAA, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
}

/*
 * The last record of the chain (t644, next 0p9m) covers the hashes above it and
 * below the first: H(n34.example) = vqk8..., H(n13.example) = 0909..., and
 * H(*.example) = jhsv... lies in gjeq..ji6n.
 */
static void test_nsec3_wrap(void **state)
{
	struct set s = {0};

	(void)state;
	rfc_add_list(&s, "0p9m t644 gjeq", 0);
	assert_rc("above the last hash", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "n34.example.", HF_TYPE_A, NULL, NULL, &s,
	                NULL, NULL));
	assert_rc("below the first hash", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "n13.example.", HF_TYPE_A, NULL, NULL, &s,
	                NULL, NULL));
	assert_rc("in the middle", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "c.example.", HF_TYPE_A, NULL, NULL, &s, NULL,
	                NULL));
	set_clear(&s);
}

/* --- NSEC3 limits ----------------------------------------------------------------------- */

static void test_nsec3_iterations(void **state)
{
	struct set s = {0};
	struct hf_nsec3_budget b = default_budget();

	(void)state;
	rfc_add_list(&s, "0p9m b4um 35mt", 0);
	b.max_iterations = 11;
	assert_rc("12 iterations, 11 allowed", HF_EUNSUPPORTED,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                &b, NULL));
	assert_int_equal(b.hashes, 0); /* refused before any work */
	b.max_iterations = 12;
	assert_rc("12 iterations, 12 allowed", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                &b, NULL));
	/* Also when the proof would fail anyway, and for every kind. */
	b.max_iterations = 0;
	assert_rc("NODATA", HF_EUNSUPPORTED,
	          check(HF_DENY_NODATA, "example.", "nothing.example.", HF_TYPE_A, NULL, NULL, &s,
	                &b, NULL));
	assert_rc("wildcard", HF_EUNSUPPORTED,
	          check(HF_DENY_WILDCARD, "example.", "a.z.w.example.", HF_TYPE_A, "w.example.",
	                NULL, &s, &b, NULL));
	set_clear(&s);
}

/* B.1 hashes a.c.x.w, c.x.w, x.w and *.x.w: four names, each once. */
static void test_nsec3_budget(void **state)
{
	struct set s = {0};
	struct hf_nsec3_budget b = default_budget();

	(void)state;
	rfc_add_list(&s, "0p9m b4um 35mt", 0);
	b.max_hashes = 4;
	assert_rc("budget 4", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                &b, NULL));
	assert_int_equal(b.hashes, 4);
	/* The budget is per resolution: it is spent. */
	assert_rc("budget spent", HF_ELIMIT,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                &b, NULL));
	assert_int_equal(b.hashes, 4);
	b = default_budget();
	b.max_hashes = 3;
	assert_rc("budget 3", HF_ELIMIT,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                &b, NULL));
	assert_int_equal(b.hashes, 3);
	set_clear(&s);

	/* B.5 looks for a.z.w.example twice (match, then encloser) and z.w.example twice
	 * (encloser walk, then next closer): still four hashes. */
	rfc_add_list(&s, "k8ud q04j r53b", 0);
	b = default_budget();
	assert_rc("B.5", HF_OK,
	          check(HF_DENY_NODATA, "example.", "a.z.w.example.", HF_TYPE_AAAA, NULL, NULL, &s,
	                &b, NULL));
	assert_int_equal(b.hashes, 4);
	/* Out of budget at the wildcard, the last hash, with the opt-out next closer cover
	 * already found: a failed proof must not report opt-out (found by fuzz_nsec). */
	b = default_budget();
	b.max_hashes = 3;
	set_clear(&s);
	rfc_add_list(&s, "k8ud q04j r53b", 1);
	bool opt_out = true;
	assert_rc("B.5, budget 3", HF_ELIMIT,
	          check(HF_DENY_NODATA, "example.", "a.z.w.example.", HF_TYPE_AAAA, NULL, NULL, &s,
	                &b, &opt_out));
	assert_false(opt_out);
	set_clear(&s);
}

/* CVE-2023-50868: a qname of many labels under the apex must stop at the budget. */
static void test_nsec3_long_qname(void **state)
{
	struct set s = {0};
	struct hf_nsec3_budget b = default_budget();
	char qname[HF_NAME_MAX * 2];
	size_t o = 0;

	(void)state;
	while (o + 2 + sizeof("example.") < 250) {
		qname[o++] = 'a';
		qname[o++] = '.';
	}
	memcpy(qname + o, "example.", sizeof("example."));
	rfc_add_list(&s, "0p9m t644", 0);
	b.max_hashes = 50;
	assert_rc("long qname", HF_ELIMIT,
	          check(HF_DENY_NXDOMAIN, "example.", qname, HF_TYPE_A, NULL, NULL, &s, &b, NULL));
	assert_int_equal(b.hashes, 50);
	set_clear(&s);
}

/* RFC 5155 §8.1, §8.2 and the owner rule: each record is B.2's with one thing wrong. */
static void test_nsec3_ignored(void **state)
{
	static const char *const bad[] = {
	    /* hash algorithm 2 */
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. NSEC3 2 0 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	    /* flags 2 */
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. NSEC3 1 2 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	    /* owner not base32hex ('w') */
	    "wt7b4g4vsa5smi47k61mv5bv1a22bojr.example. NSEC3 1 0 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	    /* owner label of 31 characters */
	    "2t7b4g4vsa5smi47k61mv5bv1a22boj.example. NSEC3 1 0 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	    /* owned in another zone */
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.org. NSEC3 1 0 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	    /* owned two labels below the zone */
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.sub.example. NSEC3 1 0 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	    /* next hash of 15 octets */
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. NSEC3 1 0 12 aabbccdd "
	    "2vptu5timamqttgl4luu9kg2 A RRSIG",
	};
	struct set s = {0};

	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(bad); i++) {
		set_add(&s, bad[i]);
		if (check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
		          NULL, NULL) != HF_EBOGUS)
			fail_msg("record %zu counted: %s", i, bad[i]);
		set_clear(&s);
	}
	/* Upper-case owner hashes are still base32hex. */
	set_add(&s, "2T7B4G4VSA5SMI47K61MV5BV1A22BOJR.example. NSEC3 1 0 12 aabbccdd "
	            "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
	assert_rc("upper-case owner", HF_OK,
	          check(HF_DENY_NODATA, "example.", "NS1.EXAMPLE.", HF_TYPE_MX, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	/* A record with another salt: one chain per proof, the first record's. */
	set_add(&s, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 0 12 aabbccde "
	            "2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA RRSIG");
	rfc_add_list(&s, "0p9m b4um 35mt", 0);
	assert_rc("first record of another chain", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
	rfc_add_list(&s, "0p9m b4um 35mt", 0);
	set_add(&s, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 0 5000 aabbccde "
	            "2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA RRSIG");
	assert_rc("a later record of another chain", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
}

/* Truncated and damaged NSEC3 RDATA: ignored, never read past rdlen. */
static void test_nsec3_malformed(void **state)
{
	uint8_t good[256], bad[256];
	size_t len = rdata_of("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. NSEC3 1 0 12 aabbccdd "
	                      "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	                      good, sizeof(good));
	const char *owner = "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.";
	struct set s = {0};

	(void)state;
	/* Every truncation. Cut just before the bitmap, the record is well formed: an empty
	 * bitmap (as an empty non-terminal has) denies MX too. */
	for (size_t cut = 0; cut < len; cut++) {
		set_add_raw(&s, owner, good, cut);
		if (check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
		          NULL, NULL) != (cut == 30 ? HF_OK : HF_EBOGUS))
			fail_msg("RDATA cut to %zu octets", cut);
		set_clear(&s);
	}
	/* Salt length past the end; hash length 0 and 255; a bitmap window of 0 and 33. */
	static const struct {
		size_t off;
		uint8_t value;
	} edits[] = {{4, 200}, {9, 0}, {9, 255}, {31, 0}, {31, 33}};
	assert_int_equal(good[4], 4);                 /* salt length */
	assert_int_equal(good[9], 20);                /* hash length */
	assert_int_equal(good[30], 0);                /* window 0 */
	assert_int_equal(len, 32 + (size_t)good[31]); /* its length */
	for (size_t i = 0; i < HF_ARRAY_LEN(edits); i++) {
		memcpy(bad, good, len);
		bad[edits[i].off] = edits[i].value;
		set_add_raw(&s, owner, bad, len);
		if (check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
		          NULL, NULL) != HF_EBOGUS)
			fail_msg("edit %zu counted", i);
		set_clear(&s);
	}
	/* Trailing octets after the bitmap, and windows out of order. */
	memcpy(bad, good, len);
	bad[len] = 0x00;
	set_add_raw(&s, owner, bad, len + 1);
	bad[len] = 0x00;
	bad[len + 1] = 0x01;
	bad[len + 2] = 0x40;
	set_add_raw(&s, owner, bad, len + 3);
	assert_rc("trailing and repeated windows", HF_EBOGUS,
	          check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
	                NULL, NULL));
	/* The good record still proves, the bad ones beside it. */
	set_add_raw(&s, owner, good, len);
	assert_rc("good among bad", HF_OK,
	          check(HF_DENY_NODATA, "example.", "ns1.example.", HF_TYPE_MX, NULL, NULL, &s,
	                NULL, NULL));
	set_clear(&s);
}

/* --- NSEC ------------------------------------------------------------------------------- */

/*
 * A zone in canonical order: an unsigned delegation (deleg), a DNAME (dn), a
 * secure delegation (sec), a wildcard below the empty non-terminal w, and the
 * empty non-terminal x above b.x; z is last and wraps round to the apex.
 */
enum { N_APEX, N_A, N_DELEG, N_DN, N_SEC, N_WILD, N_BX, N_Z, N_COUNT };
static const char *const zone_nsec[N_COUNT] = {
    "example. NSEC a.example. NS SOA RRSIG NSEC DNSKEY",
    "a.example. NSEC deleg.example. A RRSIG NSEC",
    "deleg.example. NSEC dn.example. NS RRSIG NSEC",
    "dn.example. NSEC sec.example. DNAME RRSIG NSEC",
    "sec.example. NSEC *.w.example. NS DS RRSIG NSEC",
    "*.w.example. NSEC b.x.example. MX RRSIG NSEC",
    "b.x.example. NSEC z.example. A RRSIG NSEC",
    "z.example. NSEC example. A RRSIG NSEC",
};

/* The zone's records with the given indices (-1 ends the list). */
static void nsec_add(struct set *s, const int *which)
{
	for (; *which >= 0; which++)
		set_add(s, zone_nsec[*which]);
}

struct nsec_case {
	const char *what;
	enum hf_denial_kind kind;
	const char *qname;
	uint16_t qtype;
	const char *ce;
	int records[4]; /* ended by -1 */
	int want;
};

static const struct nsec_case nsec_cases[] = {
    /* Name error: b.example between a and deleg; *.example between the apex and a. */
    {"NXDOMAIN", HF_DENY_NXDOMAIN, "b.example.", HF_TYPE_A, NULL, {N_A, N_APEX, -1}, HF_OK},
    {"NXDOMAIN without the wildcard denied",
     HF_DENY_NXDOMAIN,
     "b.example.",
     HF_TYPE_A,
     NULL,
     {N_A, -1},
     HF_EBOGUS},
    {"NXDOMAIN without the name denied",
     HF_DENY_NXDOMAIN,
     "b.example.",
     HF_TYPE_A,
     NULL,
     {N_APEX, -1},
     HF_EBOGUS},
    {"NXDOMAIN for a name that exists",
     HF_DENY_NXDOMAIN,
     "a.example.",
     HF_TYPE_A,
     NULL,
     {N_A, N_APEX, N_Z, -1},
     HF_EBOGUS},
    {"NXDOMAIN below a name: one NSEC denies both",
     HF_DENY_NXDOMAIN,
     "q.a.example.",
     HF_TYPE_A,
     NULL,
     {N_A, -1},
     HF_OK},
    {"NXDOMAIN for an empty non-terminal",
     HF_DENY_NXDOMAIN,
     "x.example.",
     HF_TYPE_A,
     NULL,
     {N_WILD, N_BX, N_APEX, -1},
     HF_EBOGUS},
    {"NXDOMAIN where a wildcard exists",
     HF_DENY_NXDOMAIN,
     "q.w.example.",
     HF_TYPE_A,
     NULL,
     {N_WILD, N_APEX, -1},
     HF_EBOGUS},
    /* The last NSEC covers everything after it. */
    {"NXDOMAIN after the last name",
     HF_DENY_NXDOMAIN,
     "zz.example.",
     HF_TYPE_A,
     NULL,
     {N_Z, N_APEX, -1},
     HF_OK},
    {"NXDOMAIN below the last name",
     HF_DENY_NXDOMAIN,
     "q.z.example.",
     HF_TYPE_A,
     NULL,
     {N_Z, -1},
     HF_OK},
    {"NXDOMAIN after the last name, wildcard missing",
     HF_DENY_NXDOMAIN,
     "zz.example.",
     HF_TYPE_A,
     NULL,
     {N_Z, -1},
     HF_EBOGUS},
    /* RFC 6840 §4.1: the parent side of a cut denies nothing below it. */
    {"NXDOMAIN below a delegation",
     HF_DENY_NXDOMAIN,
     "www.deleg.example.",
     HF_TYPE_A,
     NULL,
     {N_DELEG, N_APEX, -1},
     HF_EBOGUS},
    {"NXDOMAIN below a secure delegation",
     HF_DENY_NXDOMAIN,
     "www.sec.example.",
     HF_TYPE_A,
     NULL,
     {N_SEC, N_APEX, -1},
     HF_EBOGUS},
    /* RFC 6840 §4.3: nor does a DNAME. */
    {"NXDOMAIN below a DNAME",
     HF_DENY_NXDOMAIN,
     "www.dn.example.",
     HF_TYPE_A,
     NULL,
     {N_DN, N_APEX, -1},
     HF_EBOGUS},
    {"NXDOMAIN beside a DNAME",
     HF_DENY_NXDOMAIN,
     "e.example.",
     HF_TYPE_A,
     NULL,
     {N_DN, N_APEX, -1},
     HF_OK},

    /* NODATA. */
    {"NODATA", HF_DENY_NODATA, "a.example.", HF_TYPE_MX, NULL, {N_A, -1}, HF_OK},
    {"NODATA for a type that exists",
     HF_DENY_NODATA,
     "a.example.",
     HF_TYPE_A,
     NULL,
     {N_A, -1},
     HF_EBOGUS},
    {"NODATA without the record",
     HF_DENY_NODATA,
     "a.example.",
     HF_TYPE_MX,
     NULL,
     {N_APEX, -1},
     HF_EBOGUS},
    {"NODATA at the apex", HF_DENY_NODATA, "example.", HF_TYPE_A, NULL, {N_APEX, -1}, HF_OK},
    {"NODATA at a DNAME owner", HF_DENY_NODATA, "dn.example.", HF_TYPE_A, NULL, {N_DN, -1}, HF_OK},
    /* x.example is an empty non-terminal: the NSEC before it has next name b.x.example. */
    {"NODATA, empty non-terminal",
     HF_DENY_NODATA,
     "x.example.",
     HF_TYPE_A,
     NULL,
     {N_WILD, -1},
     HF_OK},
    {"NODATA, empty non-terminal, wrong NSEC",
     HF_DENY_NODATA,
     "x.example.",
     HF_TYPE_A,
     NULL,
     {N_BX, -1},
     HF_EBOGUS},
    {"NODATA, the parent side of a cut",
     HF_DENY_NODATA,
     "deleg.example.",
     HF_TYPE_A,
     NULL,
     {N_DELEG, -1},
     HF_EBOGUS},
    /* Wildcard NODATA: q.w.example denied, *.w.example has MX only. */
    {"wildcard NODATA", HF_DENY_NODATA, "q.w.example.", HF_TYPE_AAAA, NULL, {N_WILD, -1}, HF_OK},
    {"wildcard NODATA for the wildcard's type",
     HF_DENY_NODATA,
     "q.w.example.",
     HF_TYPE_MX,
     NULL,
     {N_WILD, -1},
     HF_EBOGUS},
    {"wildcard NODATA without the wildcard",
     HF_DENY_NODATA,
     "c.example.",
     HF_TYPE_AAAA,
     NULL,
     {N_A, -1},
     HF_EBOGUS},

    /* DS: the parent side of a cut, NS without SOA. */
    {"DS at an unsigned delegation",
     HF_DENY_NODATA,
     "deleg.example.",
     HF_TYPE_DS,
     NULL,
     {N_DELEG, -1},
     HF_OK},
    {"DS at a secure delegation",
     HF_DENY_NODATA,
     "sec.example.",
     HF_TYPE_DS,
     NULL,
     {N_SEC, -1},
     HF_EBOGUS},
    {"DS at an ordinary name",
     HF_DENY_NODATA,
     "a.example.",
     HF_TYPE_DS,
     NULL,
     {N_A, -1},
     HF_EBOGUS},
    {"DS at an empty non-terminal",
     HF_DENY_NODATA,
     "x.example.",
     HF_TYPE_DS,
     NULL,
     {N_WILD, -1},
     HF_EBOGUS},
    {"DS from the wildcard",
     HF_DENY_NODATA,
     "q.w.example.",
     HF_TYPE_DS,
     NULL,
     {N_WILD, -1},
     HF_EBOGUS},
    {"DS at the apex", HF_DENY_NODATA, "example.", HF_TYPE_DS, NULL, {N_APEX, -1}, HF_EBOGUS},

    /* Wildcard answers: q.w.example from *.w.example. */
    {"wildcard answer",
     HF_DENY_WILDCARD,
     "q.w.example.",
     HF_TYPE_MX,
     "w.example.",
     {N_WILD, -1},
     HF_OK},
    {"wildcard answer, encloser too short",
     HF_DENY_WILDCARD,
     "q.w.example.",
     HF_TYPE_MX,
     "example.",
     {N_WILD, -1},
     HF_EBOGUS},
    {"wildcard answer without the denial",
     HF_DENY_WILDCARD,
     "q.w.example.",
     HF_TYPE_MX,
     "w.example.",
     {N_A, N_BX, -1},
     HF_EBOGUS},
    {"wildcard answer for a name that exists",
     HF_DENY_WILDCARD,
     "a.example.",
     HF_TYPE_MX,
     "example.",
     {N_APEX, N_A, -1},
     HF_EBOGUS},
    {"wildcard answer below a delegation",
     HF_DENY_WILDCARD,
     "q.deleg.example.",
     HF_TYPE_A,
     "deleg.example.",
     {N_DELEG, -1},
     HF_EBOGUS},
    {"wildcard answer outside the zone",
     HF_DENY_WILDCARD,
     "q.w.example.",
     HF_TYPE_MX,
     "w.example.org.",
     {N_WILD, -1},
     HF_EBOGUS},
};

static void test_nsec_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < HF_ARRAY_LEN(nsec_cases); i++) {
		const struct nsec_case *c = &nsec_cases[i];
		struct set s = {0};
		bool opt_out = true;

		nsec_add(&s, c->records);
		assert_rc(c->what, c->want,
		          check(c->kind, "example.", c->qname, c->qtype, c->ce, &s, NULL, NULL,
		                &opt_out));
		assert_false(opt_out);
		/* The proof does not depend on the case of the question. */
		char upper[HF_NAME_MAX * 4];
		size_t k = 0;
		for (; c->qname[k] != '\0'; k++)
			upper[k] =
			    (char)(c->qname[k] >= 'a' && c->qname[k] <= 'z' ? c->qname[k] - 32
			                                                    : c->qname[k]);
		upper[k] = '\0';
		assert_rc(c->what, c->want,
		          check(c->kind, "EXAMPLE.", upper, c->qtype, c->ce, &s, NULL, NULL, NULL));
		set_clear(&s);
	}
}

/* The child's apex NSEC has SOA: it cannot deny the DS, which lives in the parent. */
static void test_nsec_ds_child_side(void **state)
{
	struct set s = {0};

	(void)state;
	set_add(&s, "deleg.example. NSEC www.deleg.example. NS SOA RRSIG NSEC DNSKEY");
	assert_rc("child apex, zone example", HF_EBOGUS,
	          check(HF_DENY_NODATA, "example.", "deleg.example.", HF_TYPE_DS, NULL, &s, NULL,
	                NULL, NULL));
	assert_rc("child apex, zone deleg.example", HF_EBOGUS,
	          check(HF_DENY_NODATA, "deleg.example.", "deleg.example.", HF_TYPE_DS, NULL, &s,
	                NULL, NULL, NULL));
	set_clear(&s);
	/* The root has no parent: its own apex NSEC denies its DS. */
	set_add(&s, ". NSEC aaa. NS SOA RRSIG NSEC DNSKEY");
	assert_rc("root DS", HF_OK,
	          check(HF_DENY_NODATA, ".", ".", HF_TYPE_DS, NULL, &s, NULL, NULL, NULL));
	set_clear(&s);
}

/* A zone of one name: the apex NSEC points at itself and denies everything else. */
static void test_nsec_single(void **state)
{
	struct set s = {0};

	(void)state;
	set_add(&s, "example. NSEC example. NS SOA RRSIG NSEC DNSKEY");
	assert_rc("single NSEC, NXDOMAIN", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "www.example.", HF_TYPE_A, NULL, &s, NULL,
	                NULL, NULL));
	assert_rc(
	    "single NSEC, apex", HF_EBOGUS,
	    check(HF_DENY_NXDOMAIN, "example.", "example.", HF_TYPE_A, NULL, &s, NULL, NULL, NULL));
	set_clear(&s);
}

/* Records that must not count: owners or next names outside the zone, broken RDATA. */
static void test_nsec_ignored(void **state)
{
	static const int both[] = {N_A, N_APEX, -1};
	struct set s = {0};
	uint8_t good[128], bad[128];
	size_t len;

	(void)state;
	/* b.example's denial from a record owned in another zone. */
	set_add(&s, "a.example.org. NSEC deleg.example.org. A RRSIG NSEC");
	set_add(&s, zone_nsec[N_APEX]);
	assert_rc("owner outside the zone", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "b.example.", HF_TYPE_A, NULL, &s, NULL, NULL,
	                NULL));
	set_clear(&s);
	/* ... or with a next name outside it. */
	set_add(&s, "a.example. NSEC deleg.example.org. A RRSIG NSEC");
	set_add(&s, zone_nsec[N_APEX]);
	assert_rc("next name outside the zone", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "b.example.", HF_TYPE_A, NULL, &s, NULL, NULL,
	                NULL));
	set_clear(&s);

	/* Every truncation: malformed, except right after the next name (empty bitmap). */
	len = rdata_of(zone_nsec[N_A], good, sizeof(good));
	int name_len = hf_name_check(good, len);
	assert_true(name_len > 0);
	for (size_t cut = 0; cut < len; cut++) {
		set_add_raw(&s, "a.example.", good, cut);
		set_add(&s, zone_nsec[N_APEX]);
		int rc = check(HF_DENY_NXDOMAIN, "example.", "b.example.", HF_TYPE_A, NULL, &s,
		               NULL, NULL, NULL);
		if (rc != (cut == (size_t)name_len ? HF_OK : HF_EBOGUS))
			fail_msg("NSEC RDATA cut to %zu octets: %s", cut, hf_errname(rc));
		set_clear(&s);
	}
	/* A compression pointer in the next name; a window of length 0. */
	memcpy(bad, good, len);
	bad[0] = 0xc0;
	set_add_raw(&s, "a.example.", bad, len);
	memcpy(bad, good, len);
	assert_int_equal(good[len - 7], 6); /* the window's length: A RRSIG NSEC is 6 octets */
	bad[len - 7] = 0;
	set_add_raw(&s, "a.example.", bad, len);
	set_add(&s, zone_nsec[N_APEX]);
	assert_rc("damaged NSEC", HF_EBOGUS,
	          check(HF_DENY_NXDOMAIN, "example.", "b.example.", HF_TYPE_A, NULL, &s, NULL, NULL,
	                NULL));
	set_clear(&s);
	nsec_add(&s, both);
	assert_rc("intact", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "b.example.", HF_TYPE_A, NULL, &s, NULL, NULL,
	                NULL));
	set_clear(&s);
}

/* NSEC records that prove nothing do not stop an NSEC3 proof given beside them. */
static void test_nsec_then_nsec3(void **state)
{
	struct set n = {0}, n3 = {0};
	bool opt_out = false;

	(void)state;
	set_add(&n, "ns1.example. NSEC ns2.example. A RRSIG NSEC");
	rfc_add_list(&n3, "0p9m b4um 35mt", 1);
	assert_rc("NSEC3 after NSEC", HF_OK,
	          check(HF_DENY_NXDOMAIN, "example.", "a.c.x.w.example.", HF_TYPE_A, NULL, &n, &n3,
	                NULL, &opt_out));
	assert_true(opt_out);
	/* NSEC alone: no budget needed. */
	assert_rc("NSEC alone", HF_EBOGUS,
	          hf_denial_check(HF_DENY_NXDOMAIN, (const uint8_t *)"\7example", n.d[0].owner,
	                          HF_TYPE_A, NULL, n.d, n.n, NULL, 0, NULL, NULL));
	set_clear(&n);
	set_clear(&n3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bitmap),
	    cmocka_unit_test(test_bitmap_malformed),
	    cmocka_unit_test(test_nsec3_hash_rfc5155),
	    cmocka_unit_test(test_nsec3_hash_bad_alg),
	    cmocka_unit_test(test_rfc5155_appendix_b),
	    cmocka_unit_test(test_nsec3_cut_and_dname),
	    cmocka_unit_test(test_nsec3_wrap),
	    cmocka_unit_test(test_nsec3_iterations),
	    cmocka_unit_test(test_nsec3_budget),
	    cmocka_unit_test(test_nsec3_long_qname),
	    cmocka_unit_test(test_nsec3_ignored),
	    cmocka_unit_test(test_nsec3_malformed),
	    cmocka_unit_test(test_nsec_cases),
	    cmocka_unit_test(test_nsec_ds_child_side),
	    cmocka_unit_test(test_nsec_single),
	    cmocka_unit_test(test_nsec_ignored),
	    cmocka_unit_test(test_nsec_then_nsec3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
