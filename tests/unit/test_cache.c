/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The record cache: storing responses (CNAME chains, negative answers per
 * RFC 2308), answering from the pieces, TTL clamping and countdown, expiry,
 * the byte budget with LRU eviction, flushing, and use from several threads.
 * Responses are written as dig-like text (wire/msgtext.h) and answers are
 * compared as text.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/msgtext.h"
#include "wire/name.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

#define T0 1700000000 /* wall seconds at the start of every test */

static const struct hf_cache_opts default_opts = {
    .max_bytes = 1 << 20,
    .min_ttl = 0,
    .max_ttl = 86400,
    .neg_max_ttl = 10800,
};

static void name_of(const char *text, uint8_t out[HF_NAME_MAX])
{
	assert_true(hf_name_from_text(text, strlen(text), NULL, out) > 0);
}

/* Turns response text into wire in buf and parses it into pkt (hf_pkt_clear() after). */
static void parse_text(const char *text, uint8_t *buf, size_t cap, struct hf_pkt *pkt)
{
	int line = 0;
	int len = hf_msg_from_text(text, strlen(text), buf, cap, &line);
	if (len < 0)
		print_error("hf_msg_from_text: %s at line %d\n", hf_errname(len), line);
	assert_true(len > 0);
	assert_int_equal(hf_pkt_parse(pkt, buf, (size_t)len, NULL), HF_OK);
}

/* How the next stores file their data, and how asks read it back (DNSSEC tests set these). */
static enum hf_sec store_sec = HF_SEC_INSECURE;
static uint32_t store_ttl_cap = UINT32_MAX;
static bool ask_dnssec = false;
static enum hf_sec ask_sec; /* what the last hit said */

/* Files a parsed response for the question it carries. */
static int store_pkt(struct hf_cache *c, const struct hf_pkt *pkt, int64_t now)
{
	uint8_t qname[HF_NAME_MAX];
	assert_true(hf_pkt_owner(pkt, &pkt->rr[0], qname) > 0);
	return hf_cache_store_response(c, pkt, qname, pkt->rr[0].type, pkt->rr[0].rclass, now,
	                               store_sec, store_ttl_cap);
}

static int store_text(struct hf_cache *c, const char *text, int64_t now)
{
	uint8_t wire[4096];
	struct hf_pkt pkt;
	parse_text(text, wire, sizeof(wire), &pkt);
	int rc = store_pkt(c, &pkt, now);
	hf_pkt_clear(&pkt);
	return rc;
}

static void store(struct hf_cache *c, const char *text, int64_t now)
{
	assert_int_equal(store_text(c, text, now), HF_OK);
}

/*
 * Asks the cache for (qname, qtype, IN) and returns HF_CACHE_HIT or
 * HF_CACHE_MISS; on a hit, text gets the answer's sections (the lines after
 * the question), on a miss it is empty.
 */
static int ask(struct hf_cache *c, const char *qname_text, uint16_t qtype, int64_t now, char *text,
               size_t cap)
{
	uint8_t buf[4096], qname[HF_NAME_MAX];
	name_of(qname_text, qname);
	struct hf_build b;
	hf_build_init(&b, buf, sizeof(buf));
	assert_int_equal(hf_build_header(&b, 1, HF_FLAG_QR | HF_FLAG_RD | HF_FLAG_RA), HF_OK);
	assert_int_equal(hf_build_question(&b, qname, qtype, HF_CLASS_IN), HF_OK);
	uint16_t rcode = 0xffff;
	int r =
	    hf_cache_answer(c, qname, qtype, HF_CLASS_IN, now, &b, &rcode, ask_dnssec, &ask_sec);
	text[0] = '\0';
	if (r == HF_CACHE_MISS) {
		assert_int_equal(b.count[HF_SECTION_ANSWER] + b.count[HF_SECTION_AUTHORITY], 0);
		return r;
	}
	assert_int_equal(r, HF_CACHE_HIT);
	assert_true(rcode == HF_RCODE_NOERROR || rcode == HF_RCODE_NXDOMAIN);
	hf_build_set_flags(&b, (uint16_t)(HF_FLAG_QR | HF_FLAG_RD | HF_FLAG_RA | rcode));
	size_t len = hf_build_finish(&b);
	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
	char all[8192];
	assert_true(hf_msg_to_text(&pkt, all, sizeof(all)) > 0);
	hf_pkt_clear(&pkt);
	/* Keep the rcode from the header line, then everything from ";; ANSWER" on. */
	const char *rc = strstr(all, "rcode ");
	const char *sections = strstr(all, ";; ANSWER\n");
	assert_non_null(rc);
	assert_non_null(sections);
	int rlen = 6 + (int)strcspn(rc + 6, " \n");
	int n = snprintf(text, cap, "%.*s\n%s", rlen, rc, sections);
	assert_true(n > 0 && (size_t)n < cap);
	return r;
}

#define ASK_HIT(c, name, type, now, expected)                                                      \
	do {                                                                                       \
		char got_[8192];                                                                   \
		assert_int_equal(ask(c, name, type, now, got_, sizeof(got_)), HF_CACHE_HIT);       \
		assert_string_equal(got_, expected);                                               \
	} while (0)

#define ASK_MISS(c, name, type, now)                                                               \
	do {                                                                                       \
		char got_[8192];                                                                   \
		assert_int_equal(ask(c, name, type, now, got_, sizeof(got_)), HF_CACHE_MISS);      \
	} while (0)

static const char www_a[] = ";; id 1 opcode QUERY rcode NOERROR flags qr rd ra\n"
                            ";; QUESTION\n"
                            "www.example.com. IN A\n"
                            ";; ANSWER\n"
                            "www.example.com. 300 IN A 192.0.2.1\n"
                            "www.example.com. 300 IN A 192.0.2.2\n"
                            ";; AUTHORITY\n"
                            ";; ADDITIONAL\n";

static void test_positive_countdown_and_expiry(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store(c, www_a, T0);
	ASK_HIT(c, "www.example.com.", HF_TYPE_A, T0,
	        "rcode NOERROR\n"
	        ";; ANSWER\n"
	        "www.example.com. 300 IN A 192.0.2.1\n"
	        "www.example.com. 300 IN A 192.0.2.2\n"
	        ";; AUTHORITY\n"
	        ";; ADDITIONAL\n");
	/* Names match in any case; the answer spells the owner as asked. */
	ASK_HIT(c, "WWW.Example.COM.", HF_TYPE_A, T0 + 100,
	        "rcode NOERROR\n"
	        ";; ANSWER\n"
	        "WWW.Example.COM. 200 IN A 192.0.2.1\n"
	        "WWW.Example.COM. 200 IN A 192.0.2.2\n"
	        ";; AUTHORITY\n"
	        ";; ADDITIONAL\n");
	ASK_HIT(c, "www.example.com.", HF_TYPE_A, T0 + 299,
	        "rcode NOERROR\n"
	        ";; ANSWER\n"
	        "www.example.com. 1 IN A 192.0.2.1\n"
	        "www.example.com. 1 IN A 192.0.2.2\n"
	        ";; AUTHORITY\n"
	        ";; ADDITIONAL\n");
	ASK_MISS(c, "www.example.com.", HF_TYPE_AAAA, T0);
	ASK_MISS(c, "example.com.", HF_TYPE_A, T0);

	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.inserts, 1);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 2);

	/* At expiry it is a miss, and the entry goes. */
	ASK_MISS(c, "www.example.com.", HF_TYPE_A, T0 + 300);
	hf_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	hf_cache_free(c);
}

static void test_ttl_clamping(void **state)
{
	(void)state;
	struct hf_cache_opts opts = default_opts;
	opts.min_ttl = 60;
	opts.max_ttl = 3600;
	struct hf_cache *c = hf_cache_new(&opts);
	assert_non_null(c);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nshort.example. IN A\n"
	      ";; ANSWER\nshort.example. 5 IN A 192.0.2.1\n",
	      T0);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nlong.example. IN A\n"
	      ";; ANSWER\nlong.example. 604800 IN A 192.0.2.1\n",
	      T0);
	/* Differing TTLs in one RRset: all get the smallest. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nmixed.example. IN A\n"
	      ";; ANSWER\nmixed.example. 900 IN A 192.0.2.1\n"
	      "mixed.example. 600 IN A 192.0.2.2\nmixed.example. 1200 IN A 192.0.2.3\n",
	      T0);
	ASK_HIT(c, "short.example.", HF_TYPE_A, T0,
	        "rcode NOERROR\n;; ANSWER\nshort.example. 60 IN A 192.0.2.1\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	ASK_HIT(c, "short.example.", HF_TYPE_A, T0 + 59,
	        "rcode NOERROR\n;; ANSWER\nshort.example. 1 IN A 192.0.2.1\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	ASK_MISS(c, "short.example.", HF_TYPE_A, T0 + 60);
	ASK_HIT(c, "long.example.", HF_TYPE_A, T0,
	        "rcode NOERROR\n;; ANSWER\nlong.example. 3600 IN A 192.0.2.1\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	ASK_MISS(c, "long.example.", HF_TYPE_A, T0 + 3600);
	ASK_HIT(c, "mixed.example.", HF_TYPE_A, T0,
	        "rcode NOERROR\n;; ANSWER\nmixed.example. 600 IN A 192.0.2.1\n"
	        "mixed.example. 600 IN A 192.0.2.2\nmixed.example. 600 IN A 192.0.2.3\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	hf_cache_free(c);

	/* A TTL of zero (and no min_ttl) is not worth keeping. */
	c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nzero.example. IN A\n"
	      ";; ANSWER\nzero.example. 0 IN A 192.0.2.1\n",
	      T0);
	ASK_MISS(c, "zero.example.", HF_TYPE_A, T0);
	hf_cache_free(c);
}

static void test_cname_chain_from_two_responses(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	/* The first upstream answer gives only the alias (and nothing to deny). */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr rd ra\n"
	      ";; QUESTION\nwww.example.com. IN A\n"
	      ";; ANSWER\nwww.example.com. 600 IN CNAME Web.Example.NET.\n",
	      T0);
	/* Half a chain is a miss, and leaves the builder untouched (ask() checks). */
	ASK_MISS(c, "www.example.com.", HF_TYPE_A, T0);
	store(c,
	      ";; id 2 opcode QUERY rcode NOERROR flags qr rd ra\n"
	      ";; QUESTION\nweb.example.net. IN A\n"
	      ";; ANSWER\nweb.example.net. 120 IN A 198.51.100.7\n",
	      T0 + 10);
	ASK_HIT(c, "www.example.com.", HF_TYPE_A, T0 + 20,
	        "rcode NOERROR\n"
	        ";; ANSWER\n"
	        "www.example.com. 580 IN CNAME Web.Example.NET.\n"
	        "Web.Example.NET. 110 IN A 198.51.100.7\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	/* Asking for the CNAME gives the CNAME alone. */
	ASK_HIT(c, "www.example.com.", HF_TYPE_CNAME, T0 + 20,
	        "rcode NOERROR\n"
	        ";; ANSWER\n"
	        "www.example.com. 580 IN CNAME Web.Example.NET.\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	/* The target's own RRset answers directly too. */
	ASK_HIT(c, "web.example.net.", HF_TYPE_A, T0 + 20,
	        "rcode NOERROR\n;; ANSWER\nweb.example.net. 110 IN A 198.51.100.7\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	/* When the end of the chain expires, the chain is a miss. */
	ASK_MISS(c, "www.example.com.", HF_TYPE_A, T0 + 130);
	hf_cache_free(c);
}

/*
 * RRSIGs and denial proofs travel with the data, go out only to DO clients,
 * the weakest piece decides the security, and signatures bound the TTL.
 */
static void test_dnssec_records_and_security(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store_sec = HF_SEC_SECURE;
	store_ttl_cap = 100;
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
	      ";; QUESTION\nwww.example. IN A\n"
	      ";; ANSWER\n"
	      "www.example. 300 IN A 192.0.2.1\n"
	      "www.example. 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 1 example. AAAA\n"
	      "www.example. 300 IN RRSIG AAAA 13 2 300 20300101000000 20200101000000 1 example. "
	      "AAAA\n",
	      T0);
	store(c,
	      ";; id 1 opcode QUERY rcode NXDOMAIN flags qr aa\n"
	      ";; QUESTION\nnope.example. IN A\n"
	      ";; ANSWER\n;; AUTHORITY\n"
	      "example. 300 IN SOA ns. host. 1 2 3 4 300\n"
	      "example. 300 IN RRSIG SOA 13 1 300 20300101000000 20200101000000 1 example. AAAA\n"
	      "mail.example. 300 IN NSEC www.example. A\n"
	      "mail.example. 300 IN RRSIG NSEC 13 2 300 20300101000000 20200101000000 1 example. "
	      "AAAA\n",
	      T0);
	store_sec = HF_SEC_INSECURE;
	store_ttl_cap = UINT32_MAX;
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
	      ";; QUESTION\nalias.example. IN CNAME\n"
	      ";; ANSWER\nalias.example. 300 IN CNAME www.example.\n",
	      T0);
	/* Without DO: the data alone, secure, the TTL bound by the signatures. */
	ASK_HIT(c, "www.example.", HF_TYPE_A, T0,
	        "rcode NOERROR\n;; ANSWER\nwww.example. 100 IN A 192.0.2.1\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	assert_int_equal(ask_sec, HF_SEC_SECURE);
	ask_dnssec = true;
	/* With DO: the RRSIG over the A RRset, not the one over AAAA. */
	ASK_HIT(c, "www.example.", HF_TYPE_A, T0 + 10,
	        "rcode NOERROR\n;; ANSWER\nwww.example. 90 IN A 192.0.2.1\n"
	        "www.example. 90 IN RRSIG A 13 2 300 20300101000000 20200101000000 1 example. "
	        "AAAA\n;; AUTHORITY\n;; ADDITIONAL\n");
	ASK_HIT(c, "nope.example.", HF_TYPE_A, T0,
	        "rcode NXDOMAIN\n;; ANSWER\n;; AUTHORITY\n"
	        "example. 100 IN SOA ns. host. 1 2 3 4 300\n"
	        "example. 100 IN RRSIG SOA 13 1 300 20300101000000 20200101000000 1 example. "
	        "AAAA\n"
	        "mail.example. 100 IN NSEC www.example. A\n"
	        "mail.example. 100 IN RRSIG NSEC 13 2 300 20300101000000 20200101000000 1 "
	        "example. AAAA\n;; ADDITIONAL\n");
	assert_int_equal(ask_sec, HF_SEC_SECURE);
	/* An insecure link makes the whole chain insecure. */
	ASK_HIT(c, "alias.example.", HF_TYPE_A, T0,
	        "rcode NOERROR\n;; ANSWER\nalias.example. 300 IN CNAME www.example.\n"
	        "www.example. 100 IN A 192.0.2.1\n"
	        "www.example. 100 IN RRSIG A 13 2 300 20300101000000 20200101000000 1 example. "
	        "AAAA\n;; AUTHORITY\n;; ADDITIONAL\n");
	assert_int_equal(ask_sec, HF_SEC_INSECURE);
	enum hf_sec sec;
	uint8_t name[HF_NAME_MAX];
	name_of("www.example.", name);
	assert_int_equal(hf_cache_probe(c, name, HF_TYPE_A, HF_CLASS_IN, T0, &sec),
	                 HF_PROBE_POSITIVE);
	assert_int_equal(sec, HF_SEC_SECURE);
	assert_int_equal(hf_cache_probe(c, name, HF_TYPE_MX, HF_CLASS_IN, T0, &sec), HF_PROBE_NONE);
	name_of("nope.example.", name);
	assert_int_equal(hf_cache_probe(c, name, HF_TYPE_DS, HF_CLASS_IN, T0, &sec),
	                 HF_PROBE_NXDOMAIN);
	ask_dnssec = false;
	hf_cache_free(c);
}

static void put_nsec(struct hf_nsec_index *x, const char *zone, const char *owner, const char *next,
                     uint32_t ttl, bool soa)
{
	struct hf_signed_rec r;
	memset(&r, 0, sizeof(r));
	uint8_t z[HF_NAME_MAX];
	name_of(zone, z);
	name_of(owner, r.owner);
	name_of(next, r.rdata);
	r.rdlen = (uint16_t)hf_name_len(r.rdata);
	r.siglen = 3;
	r.ttl = ttl;
	assert_int_equal(hf_nsec_index_put(x, z, &r, soa, T0), HF_OK);
}

static void expect_nsec(struct hf_nsec_index *x, const char *zone, const char *name, int64_t now,
                        const char *want_owner)
{
	uint8_t z[HF_NAME_MAX], n[HF_NAME_MAX], w[HF_NAME_MAX];
	name_of(zone, z);
	name_of(name, n);
	struct hf_signed_rec r;
	bool found = hf_nsec_index_find(x, z, n, now, &r);
	if (want_owner == NULL) {
		assert_false(found);
		return;
	}
	assert_true(found);
	name_of(want_owner, w);
	assert_true(hf_name_eq(r.owner, w));
}

/* The NSEC chain index finds the record before a name in canonical order, wrapping around. */
static void test_nsec_index(void **state)
{
	(void)state;
	struct hf_nsec_index *x = hf_nsec_index_new(1 << 20);
	assert_non_null(x);
	put_nsec(x, "example.", "example.", "b.example.", 300, true); /* the SOA slot */
	put_nsec(x, "example.", "m.example.", "example.", 300, false);
	put_nsec(x, "example.", "B.example.", "m.example.", 100, false);
	put_nsec(x, "example.", "example.", "b.example.", 300, false);
	expect_nsec(x, "example.", "c.example.", T0, "b.example.");
	expect_nsec(x, "example.", "b.example.", T0, "b.example.");   /* a match */
	expect_nsec(x, "example.", "a.b.example.", T0, "b.example."); /* canonical: below b */
	expect_nsec(x, "example.", "z.example.", T0, "m.example.");
	expect_nsec(x, "example.", "example.", T0, "example.");
	expect_nsec(x, "example.", "c.example.", T0 + 100, NULL); /* expired */
	expect_nsec(x, "other.", "c.other.", T0, NULL);
	uint8_t name[HF_NAME_MAX], zone[HF_NAME_MAX];
	name_of("deep.c.example.", name);
	assert_true(hf_nsec_index_zone(x, name, zone));
	struct hf_signed_rec soa;
	assert_true(hf_nsec_index_soa(x, zone, T0 + 10, &soa));
	assert_int_equal(soa.ttl, 290);
	/* Records outside the zone are not kept; a flush drops the zone. */
	put_nsec(x, "example.", "x.other.", "y.other.", 300, false);
	expect_nsec(x, "example.", "z.example.", T0, "m.example.");
	name_of("example.", name);
	hf_nsec_index_flush(x, name);
	expect_nsec(x, "example.", "c.example.", T0, NULL);
	hf_nsec_index_free(x);
}

/* RFC 8767: expired entries stay for the stale window, answer only when asked to, then go. */
static void test_stale_window(void **state)
{
	(void)state;
	struct hf_cache_opts o = default_opts;
	o.stale_window = 100;
	o.stale_answer_ttl = 30;
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
	      ";; QUESTION\nwww.example. IN A\n"
	      ";; ANSWER\nwww.example. 10 IN A 192.0.2.1\n",
	      T0);
	uint8_t buf[512], qname[HF_NAME_MAX];
	name_of("www.example.", qname);
	struct {
		int64_t at;
		unsigned flags;
		int want;
	} steps[] = {
	    {T0 + 5, HF_CACHE_USE_STALE, HF_CACHE_HIT},    /* fresh: a plain hit */
	    {T0 + 20, 0, HF_CACHE_MISS},                   /* expired: a miss ... */
	    {T0 + 20, HF_CACHE_USE_STALE, HF_CACHE_STALE}, /* ... unless stale may answer */
	    {T0 + 111, HF_CACHE_USE_STALE, HF_CACHE_MISS}, /* past the window: gone */
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct hf_build b;
		uint16_t rcode;
		enum hf_sec sec;
		hf_build_init(&b, buf, sizeof(buf));
		assert_int_equal(hf_build_header(&b, 1, HF_FLAG_QR), HF_OK);
		assert_int_equal(hf_build_question(&b, qname, HF_TYPE_A, HF_CLASS_IN), HF_OK);
		assert_int_equal(hf_cache_answer(c, qname, HF_TYPE_A, HF_CLASS_IN, steps[i].at, &b,
		                                 &rcode, steps[i].flags, &sec),
		                 steps[i].want);
		if (steps[i].want == HF_CACHE_STALE) {
			struct hf_pkt pkt;
			assert_int_equal(hf_pkt_parse(&pkt, buf, hf_build_finish(&b), NULL), HF_OK);
			assert_int_equal(hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, 0)->ttl, 30);
			hf_pkt_clear(&pkt);
		}
	}
	hf_cache_free(c);
}

static void test_cname_chain_one_response_and_limits(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	/* Out of order, with a record off the chain, an RRSIG and a record in class CH. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr rd ra\n"
	      ";; QUESTION\na.example. IN AAAA\n"
	      ";; ANSWER\n"
	      "c.example. 300 IN AAAA 2001:db8::1\n"
	      "other.example. 300 IN AAAA 2001:db8::99\n"
	      "b.example. 300 IN CNAME c.example.\n"
	      "a.example. 300 IN CNAME B.example.\n"
	      "a.example. 300 IN RRSIG CNAME 13 2 300 20300101000000 20200101000000 12345 "
	      "example. AAAA\n"
	      "c.example. 300 CH AAAA \\# 16 20010db8000000000000000000000002\n",
	      T0);
	ASK_HIT(c, "a.example.", HF_TYPE_AAAA, T0,
	        "rcode NOERROR\n;; ANSWER\n"
	        "a.example. 300 IN CNAME B.example.\n"
	        "B.example. 300 IN CNAME c.example.\n"
	        "c.example. 300 IN AAAA 2001:db8::1\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	ASK_MISS(c, "other.example.", HF_TYPE_AAAA, T0);
	ASK_MISS(c, "a.example.", HF_TYPE_RRSIG, T0);

	/* A loop answers nothing (and stops after 16 links). */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr rd ra\n"
	      ";; QUESTION\nloop1.example. IN A\n"
	      ";; ANSWER\nloop1.example. 300 IN CNAME loop2.example.\n"
	      "loop2.example. 300 IN CNAME loop1.example.\n",
	      T0);
	ASK_MISS(c, "loop1.example.", HF_TYPE_A, T0);
	ASK_HIT(c, "loop1.example.", HF_TYPE_CNAME, T0,
	        "rcode NOERROR\n;; ANSWER\nloop1.example. 300 IN CNAME loop2.example.\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");

	/* Chains of 16 links are followed, 17 are not. */
	char text[4096];
	for (int links = 16; links <= 17; links++) {
		int n = snprintf(text, sizeof(text),
		                 ";; id 1 opcode QUERY rcode NOERROR flags qr rd ra\n"
		                 ";; QUESTION\nl%d-0.example. IN A\n;; ANSWER\n",
		                 links);
		for (int i = 0; i < links; i++)
			n += snprintf(text + n, sizeof(text) - (size_t)n,
			              "l%d-%d.example. 300 IN CNAME l%d-%d.example.\n", links, i,
			              links, i + 1);
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		              "l%d-%d.example. 300 IN A 192.0.2.1\n", links, links);
		assert_true((size_t)n < sizeof(text));
		store(c, text, T0);
	}
	char got[8192];
	assert_int_equal(ask(c, "l16-0.example.", HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	assert_non_null(strstr(got, "l16-16.example. 300 IN A 192.0.2.1\n"));
	ASK_MISS(c, "l17-0.example.", HF_TYPE_A, T0);
	/* The 17-link response kept its first 16 links but not the A at the end. */
	ASK_MISS(c, "l17-17.example.", HF_TYPE_A, T0);
	ASK_HIT(c, "l17-15.example.", HF_TYPE_CNAME, T0,
	        "rcode NOERROR\n;; ANSWER\nl17-15.example. 300 IN CNAME l17-16.example.\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	hf_cache_free(c);
}

static const char soa_text[] = "example.com. 3600 IN SOA ns.example.com. admin.example.com. "
                               "2024010101 7200 900 1209600 300\n";

static void test_nxdomain_covers_every_type(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	char text[1024];
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NXDOMAIN flags qr aa\n"
	         ";; QUESTION\nnx.example.com. IN A\n;; ANSWER\n;; AUTHORITY\n%s",
	         soa_text);
	store(c, text, T0);
	const char *expect = "rcode NXDOMAIN\n;; ANSWER\n;; AUTHORITY\n"
	                     "example.com. 290 IN SOA ns.example.com. admin.example.com. "
	                     "2024010101 7200 900 1209600 300\n"
	                     ";; ADDITIONAL\n";
	ASK_HIT(c, "nx.example.com.", HF_TYPE_A, T0 + 10, expect);
	ASK_HIT(c, "NX.example.com.", HF_TYPE_MX, T0 + 10, expect);
	ASK_HIT(c, "nx.example.com.", HF_TYPE_CNAME, T0 + 10, expect);
	ASK_MISS(c, "nx.example.com.", HF_TYPE_ANY, T0 + 10);
	ASK_MISS(c, "example.com.", HF_TYPE_A, T0 + 10);
	ASK_MISS(c, "nx.example.com.", HF_TYPE_A, T0 + 300);

	/* A chain into a name that does not exist: the CNAME, then NXDOMAIN. */
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NXDOMAIN flags qr\n"
	         ";; QUESTION\nalias.example.org. IN A\n"
	         ";; ANSWER\nalias.example.org. 100 IN CNAME gone.example.com.\n"
	         ";; AUTHORITY\n%s",
	         soa_text);
	store(c, text, T0);
	ASK_HIT(c, "alias.example.org.", HF_TYPE_A, T0,
	        "rcode NXDOMAIN\n;; ANSWER\nalias.example.org. 100 IN CNAME gone.example.com.\n"
	        ";; AUTHORITY\nexample.com. 300 IN SOA ns.example.com. admin.example.com. "
	        "2024010101 7200 900 1209600 300\n;; ADDITIONAL\n");
	ASK_HIT(c, "gone.example.com.", HF_TYPE_TXT, T0,
	        "rcode NXDOMAIN\n;; ANSWER\n;; AUTHORITY\nexample.com. 300 IN SOA ns.example.com. "
	        "admin.example.com. 2024010101 7200 900 1209600 300\n;; ADDITIONAL\n");

	/* The name coming into existence replaces the denial. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nnx.example.com. IN A\n;; ANSWER\nnx.example.com. 60 IN A 192.0.2.9\n",
	      T0 + 20);
	ASK_HIT(c, "nx.example.com.", HF_TYPE_A, T0 + 20,
	        "rcode NOERROR\n;; ANSWER\nnx.example.com. 60 IN A 192.0.2.9\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	ASK_MISS(c, "nx.example.com.", HF_TYPE_MX, T0 + 20);
	hf_cache_free(c);
}

static void test_nodata_for_one_type(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	char text[1024];
	store(c, www_a, T0);
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
	         ";; QUESTION\nwww.example.com. IN AAAA\n;; ANSWER\n;; AUTHORITY\n%s",
	         soa_text);
	store(c, text, T0);
	ASK_HIT(c, "www.example.com.", HF_TYPE_AAAA, T0 + 1,
	        "rcode NOERROR\n;; ANSWER\n;; AUTHORITY\n"
	        "example.com. 299 IN SOA ns.example.com. admin.example.com. "
	        "2024010101 7200 900 1209600 300\n;; ADDITIONAL\n");
	ASK_HIT(c, "www.example.com.", HF_TYPE_A, T0 + 1,
	        "rcode NOERROR\n;; ANSWER\n"
	        "www.example.com. 299 IN A 192.0.2.1\nwww.example.com. 299 IN A 192.0.2.2\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");
	ASK_MISS(c, "www.example.com.", HF_TYPE_MX, T0 + 1);

	/* No SOA, or an SOA that is not an ancestor: nothing denied. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nwww.example.com. IN TXT\n;; ANSWER\n;; AUTHORITY\n"
	      "example.com. 3600 IN NS ns.example.com.\n",
	      T0);
	ASK_MISS(c, "www.example.com.", HF_TYPE_TXT, T0);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nwww.example.com. IN TXT\n;; ANSWER\n;; AUTHORITY\n"
	      "other.com. 3600 IN SOA ns.other.com. admin.other.com. 1 2 3 4 300\n"
	      "www.example.com.sub. 3600 IN SOA ns.other.com. admin.other.com. 1 2 3 4 300\n",
	      T0);
	ASK_MISS(c, "www.example.com.", HF_TYPE_TXT, T0);
	store(c,
	      ";; id 1 opcode QUERY rcode NXDOMAIN flags qr\n"
	      ";; QUESTION\nnosoa.example.com. IN A\n;; ANSWER\n;; AUTHORITY\n",
	      T0);
	ASK_MISS(c, "nosoa.example.com.", HF_TYPE_A, T0);
	/* An SOA at the name itself (a zone apex) does count. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nexample.com. IN TXT\n;; ANSWER\n;; AUTHORITY\n"
	      "Example.COM. 3600 IN SOA ns.example.com. admin.example.com. 1 2 3 4 50\n",
	      T0);
	ASK_HIT(c, "example.com.", HF_TYPE_TXT, T0,
	        "rcode NOERROR\n;; ANSWER\n;; AUTHORITY\n"
	        "Example.COM. 50 IN SOA ns.example.com. admin.example.com. 1 2 3 4 50\n"
	        ";; ADDITIONAL\n");
	hf_cache_free(c);
}

static void negative_ttl_case(uint32_t soa_ttl, uint32_t minimum, const struct hf_cache_opts *o,
                              uint32_t expect)
{
	struct hf_cache *c = hf_cache_new(o);
	assert_non_null(c);
	char text[1024], want[1024];
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NXDOMAIN flags qr\n"
	         ";; QUESTION\nx.example. IN A\n;; ANSWER\n;; AUTHORITY\n"
	         "example. %u IN SOA ns.example. h.example. 1 2 3 4 %u\n",
	         soa_ttl, minimum);
	store(c, text, T0);
	snprintf(want, sizeof(want),
	         "rcode NXDOMAIN\n;; ANSWER\n;; AUTHORITY\n"
	         "example. %u IN SOA ns.example. h.example. 1 2 3 4 %u\n;; ADDITIONAL\n",
	         expect, minimum);
	ASK_HIT(c, "x.example.", HF_TYPE_A, T0, want);
	ASK_MISS(c, "x.example.", HF_TYPE_A, T0 + expect);
	hf_cache_free(c);
}

static void test_negative_ttl(void **state)
{
	(void)state;
	negative_ttl_case(3600, 300, &default_opts, 300);
	negative_ttl_case(60, 300, &default_opts, 60);
	struct hf_cache_opts o = default_opts;
	o.neg_max_ttl = 900;
	negative_ttl_case(86400, 86400, &o, 900);
	o.min_ttl = 30;
	negative_ttl_case(3600, 5, &o, 30);
}

static void test_not_stored(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	/* Truncated. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr tc\n"
	      ";; QUESTION\ntc.example. IN A\n;; ANSWER\ntc.example. 300 IN A 192.0.2.1\n",
	      T0);
	ASK_MISS(c, "tc.example.", HF_TYPE_A, T0);
	/* SERVFAIL and REFUSED. */
	store(c,
	      ";; id 1 opcode QUERY rcode SERVFAIL flags qr\n"
	      ";; QUESTION\nsf.example. IN A\n;; ANSWER\nsf.example. 300 IN A 192.0.2.1\n",
	      T0);
	ASK_MISS(c, "sf.example.", HF_TYPE_A, T0);
	/* ANY. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nany.example. IN ANY\n;; ANSWER\nany.example. 300 IN A 192.0.2.1\n",
	      T0);
	ASK_MISS(c, "any.example.", HF_TYPE_A, T0);
	ASK_MISS(c, "any.example.", HF_TYPE_ANY, T0);
	/* Records that do not answer the question. */
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nq.example. IN A\n;; ANSWER\nelse.example. 300 IN A 192.0.2.1\n"
	      "q.example. 300 IN AAAA 2001:db8::1\n"
	      ";; ADDITIONAL\nq.example. 300 IN A 192.0.2.2\n",
	      T0);
	ASK_MISS(c, "q.example.", HF_TYPE_A, T0);
	ASK_MISS(c, "q.example.", HF_TYPE_AAAA, T0);
	ASK_MISS(c, "else.example.", HF_TYPE_A, T0);
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.inserts, 0);
	hf_cache_free(c);
}

static void test_replace_and_out_of_memory(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store(c, www_a, T0);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nwww.example.com. IN A\n;; ANSWER\nwww.example.com. 30 IN A 192.0.2.3\n",
	      T0 + 1);
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	assert_int_equal(st.entries, 1);
	ASK_HIT(c, "www.example.com.", HF_TYPE_A, T0 + 1,
	        "rcode NOERROR\n;; ANSWER\nwww.example.com. 30 IN A 192.0.2.3\n"
	        ";; AUTHORITY\n;; ADDITIONAL\n");

	/* The store's one allocation fails. */
	uint8_t wire[512];
	struct hf_pkt pkt;
	parse_text(";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	           ";; QUESTION\nnew.example. IN A\n"
	           ";; ANSWER\nnew.example. 30 IN A 192.0.2.3\n",
	           wire, sizeof(wire), &pkt);
	hf_alloc_fail_nth(1);
	assert_int_equal(store_pkt(c, &pkt, T0), HF_ENOMEM);
	hf_pkt_clear(&pkt);
	hf_alloc_fail_nth(0);
	ASK_MISS(c, "new.example.", HF_TYPE_A, T0);
	hf_cache_free(c);
}

static void test_answer_does_not_fit(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store(c, www_a, T0);
	uint8_t buf[512], qname[HF_NAME_MAX];
	name_of("www.example.com.", qname);
	struct hf_build b;
	/* Room for the header, the question and one A record, not two. */
	hf_build_init(&b, buf, 12 + 21 + 16 + 8);
	assert_int_equal(hf_build_header(&b, 1, HF_FLAG_QR), HF_OK);
	assert_int_equal(hf_build_question(&b, qname, HF_TYPE_A, HF_CLASS_IN), HF_OK);
	uint16_t rcode;
	enum hf_sec sec;
	assert_int_equal(
	    hf_cache_answer(c, qname, HF_TYPE_A, HF_CLASS_IN, T0, &b, &rcode, false, &sec),
	    HF_CACHE_HIT);
	assert_true(b.tc);
	assert_int_equal(b.count[HF_SECTION_ANSWER], 0);
	hf_cache_free(c);
}

static void store_a(struct hf_cache *c, const char *name, int64_t now)
{
	char text[512];
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	         ";; QUESTION\n%s IN A\n;; ANSWER\n%s 3600 IN A 192.0.2.1\n",
	         name, name);
	store(c, text, now);
}

static void test_eviction_lru_and_bound(void **state)
{
	(void)state;
	struct hf_cache_opts opts = default_opts;
	opts.max_bytes = 16 * 1024;
	size_t base = hf_alloc_in_use();
	struct hf_cache *c = hf_cache_new(&opts);
	assert_non_null(c);
	size_t empty = hf_alloc_in_use();
	store_a(c, "keep.example.", T0);
	char name[64], got[8192];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		store_a(c, name, T0);
		assert_int_equal(ask(c, "keep.example.", HF_TYPE_A, T0, got, sizeof(got)),
		                 HF_CACHE_HIT);
		/* Memory stays within the budget all along. */
		assert_true(hf_alloc_in_use() - empty <= opts.max_bytes);
	}
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	assert_true(st.bytes <= opts.max_bytes);
	assert_true(st.entries > 50 && st.entries < 1000);
	assert_int_equal(st.inserts, 1001);
	assert_int_equal(st.evictions, 1001 - st.entries);
	/* The oldest went first; the newest and the one in use stayed. */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		ASK_MISS(c, name, HF_TYPE_A, T0);
	}
	for (int i = 995; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		assert_int_equal(ask(c, name, HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	}
	assert_int_equal(ask(c, "keep.example.", HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	hf_cache_free(c);
	assert_int_equal(hf_alloc_in_use(), base);
}

static void test_flush_zone(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store(c, www_a, T0);
	store_a(c, "example.com.", T0);
	store_a(c, "a.b.example.com.", T0);
	store_a(c, "example.net.", T0);
	store_a(c, "notexample.com.", T0);
	char text[1024];
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NXDOMAIN flags qr\n"
	         ";; QUESTION\nnx.example.com. IN A\n;; ANSWER\n;; AUTHORITY\n%s",
	         soa_text);
	store(c, text, T0);
	uint8_t zone[HF_NAME_MAX];
	name_of("Example.Com.", zone);
	hf_cache_flush(c, zone);
	ASK_MISS(c, "www.example.com.", HF_TYPE_A, T0);
	ASK_MISS(c, "example.com.", HF_TYPE_A, T0);
	ASK_MISS(c, "a.b.example.com.", HF_TYPE_A, T0);
	ASK_MISS(c, "nx.example.com.", HF_TYPE_A, T0);
	char got[8192];
	assert_int_equal(ask(c, "example.net.", HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	assert_int_equal(ask(c, "notexample.com.", HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	name_of(".", zone);
	hf_cache_flush(c, zone);
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	hf_cache_free(c);
}

/* The control plane's "flush this name": the name itself, every type, nothing below it. */
static void test_flush_name(void **state)
{
	(void)state;
	struct hf_cache *c = hf_cache_new(&default_opts);
	assert_non_null(c);
	store_a(c, "example.com.", T0);
	store_a(c, "a.example.com.", T0);
	store(c, www_a, T0);
	uint8_t name[HF_NAME_MAX];
	name_of("EXAMPLE.com.", name);
	hf_cache_flush_name(c, name);
	ASK_MISS(c, "example.com.", HF_TYPE_A, T0);
	char got[8192];
	assert_int_equal(ask(c, "a.example.com.", HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	assert_int_equal(ask(c, "www.example.com.", HF_TYPE_A, T0, got, sizeof(got)), HF_CACHE_HIT);
	hf_cache_free(c);
}

/* --- several threads at once --- */

struct worker {
	struct hf_cache *c;
	unsigned seed;
	unsigned long ops;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	double end = now_seconds() + 1.0;
	uint8_t wire[512], buf[1024], qname[HF_NAME_MAX];
	while (now_seconds() < end) {
		for (int k = 0; k < 64; k++, w->ops++) {
			unsigned r = (unsigned)rand_r(&w->seed);
			char name[64], text[512];
			snprintf(name, sizeof(name), "h%u.z%u.example.", r % 300, r / 300 % 4);
			int64_t now = T0 + (int64_t)(w->ops / 1000);
			unsigned op = r / 1200 % 100;
			assert_true(hf_name_from_text(name, strlen(name), NULL, qname) > 0);
			if (op < 30) {
				snprintf(
				    text, sizeof(text),
				    ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
				    ";; QUESTION\n%s IN A\n;; ANSWER\n"
				    "%s 5 IN CNAME t%u.example.\nt%u.example. 7 IN A 192.0.2.1\n",
				    name, name, r % 50, r % 50);
				int len =
				    hf_msg_from_text(text, strlen(text), wire, sizeof(wire), NULL);
				assert_true(len > 0);
				struct hf_pkt pkt;
				assert_int_equal(hf_pkt_parse(&pkt, wire, (size_t)len, NULL),
				                 HF_OK);
				assert_int_equal(hf_cache_store_response(
				                     w->c, &pkt, qname, HF_TYPE_A, HF_CLASS_IN, now,
				                     HF_SEC_INSECURE, UINT32_MAX),
				                 HF_OK);
				hf_pkt_clear(&pkt);
			} else if (op < 99) {
				struct hf_build b;
				uint16_t rcode;
				hf_build_init(&b, buf, sizeof(buf));
				assert_int_equal(hf_build_header(&b, 1, HF_FLAG_QR), HF_OK);
				assert_int_equal(
				    hf_build_question(&b, qname, HF_TYPE_A, HF_CLASS_IN), HF_OK);
				enum hf_sec sec;
				(void)hf_cache_answer(w->c, qname, HF_TYPE_A, HF_CLASS_IN, now, &b,
				                      &rcode, false, &sec);
				size_t len = hf_build_finish(&b);
				struct hf_pkt pkt;
				assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
				hf_pkt_clear(&pkt);
			} else if (r % 7 == 0) {
				uint8_t zone[HF_NAME_MAX];
				name_of(r % 2 ? "z1.example." : "t3.example.", zone);
				hf_cache_flush(w->c, zone);
			} else {
				struct hf_cache_stats st;
				hf_cache_stats(w->c, &st);
			}
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct hf_cache_opts opts = default_opts;
	opts.max_bytes = 32 * 1024; /* small enough that eviction runs all the time */
	struct hf_cache *c = hf_cache_new(&opts);
	assert_non_null(c);
	struct worker w[4];
	pthread_t t[4];
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){.c = c, .seed = i + 1};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	assert_true(st.bytes <= opts.max_bytes);
	assert_true(st.hits > 0 && st.evictions > 0);
	print_message("threads: %lu ops, %lu hits, %lu misses, %lu evictions\n",
	              w[0].ops + w[1].ops + w[2].ops + w[3].ops, (unsigned long)st.hits,
	              (unsigned long)st.misses, (unsigned long)st.evictions);
	hf_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_positive_countdown_and_expiry),
	    cmocka_unit_test(test_ttl_clamping),
	    cmocka_unit_test(test_cname_chain_from_two_responses),
	    cmocka_unit_test(test_cname_chain_one_response_and_limits),
	    cmocka_unit_test(test_nxdomain_covers_every_type),
	    cmocka_unit_test(test_nodata_for_one_type),
	    cmocka_unit_test(test_negative_ttl),
	    cmocka_unit_test(test_not_stored),
	    cmocka_unit_test(test_replace_and_out_of_memory),
	    cmocka_unit_test(test_answer_does_not_fit),
	    cmocka_unit_test(test_eviction_lru_and_bound),
	    cmocka_unit_test(test_flush_zone),
	    cmocka_unit_test(test_flush_name),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_dnssec_records_and_security),
	    cmocka_unit_test(test_nsec_index),
	    cmocka_unit_test(test_stale_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
