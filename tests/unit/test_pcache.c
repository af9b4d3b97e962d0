/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The packet cache: ID, RD, question-name case and TTL patching, the key
 * bits, expiry, the TTL cap, bad input, the byte budget, flushing, and use
 * from several threads.
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
#include "wire/buf.h"
#include "wire/msgtext.h"
#include "wire/name.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

#define T0 1700000000

static void name_of(const char *text, uint8_t out[HF_NAME_MAX])
{
	assert_true(hf_name_from_text(text, strlen(text), NULL, out) > 0);
}

static size_t wire_of(const char *text, uint8_t *buf, size_t cap)
{
	int line = 0;
	int len = hf_msg_from_text(text, strlen(text), buf, cap, &line);
	if (len < 0)
		print_error("hf_msg_from_text: %s at line %d\n", hf_errname(len), line);
	assert_true(len > 0);
	return (size_t)len;
}

static void store(struct hf_pcache *pc, const char *text, unsigned bits, uint32_t cap, int64_t now)
{
	uint8_t wire[4096];
	size_t len = wire_of(text, wire, sizeof(wire));
	assert_int_equal(hf_pcache_store(pc, wire, len, bits, cap, now), HF_OK);
}

/* A client's query: ID, RD, the name in the client's case, type IN. */
struct query {
	uint8_t buf[512];
	size_t len;
	size_t qname_len;
};

static void make_query(struct query *q, uint16_t id, bool rd, const char *name, uint16_t qtype)
{
	uint8_t qname[HF_NAME_MAX];
	name_of(name, qname);
	struct hf_build b;
	hf_build_init(&b, q->buf, sizeof(q->buf));
	assert_int_equal(hf_build_header(&b, id, rd ? HF_FLAG_RD : 0), HF_OK);
	assert_int_equal(hf_build_question(&b, qname, qtype, HF_CLASS_IN), HF_OK);
	q->len = hf_build_finish(&b);
	q->qname_len = hf_name_len(qname);
}

static size_t answer(struct hf_pcache *pc, const struct query *q, uint16_t qtype, unsigned bits,
                     int64_t now, uint8_t *out, size_t cap)
{
	return hf_pcache_answer(pc, q->buf, HF_HEADER_LEN, q->qname_len, qtype, HF_CLASS_IN, bits,
	                        now, out, cap, NULL);
}

/* The answer as text. */
static void text_of(const uint8_t *wire, size_t len, char *out, size_t cap)
{
	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, wire, len, NULL), HF_OK);
	assert_true(hf_msg_to_text(&pkt, out, cap) > 0);
	hf_pkt_clear(&pkt);
}

static const char www_a_do[] = ";; id 7 opcode QUERY rcode NOERROR flags qr rd ra ad\n"
                               ";; edns version 0 udp 1232 flags do\n"
                               ";; QUESTION\n"
                               "www.example.com. IN A\n"
                               ";; ANSWER\n"
                               "www.example.com. 300 IN CNAME web.example.com.\n"
                               "web.example.com. 600 IN A 192.0.2.1\n"
                               ";; AUTHORITY\n"
                               "example.com. 86400 IN NS ns.example.com.\n"
                               ";; ADDITIONAL\n"
                               "ns.example.com. 3600 IN A 192.0.2.53\n";

static void test_patching(void **state)
{
	(void)state;
	struct hf_pcache *pc = hf_pcache_new(1 << 20);
	assert_non_null(pc);
	store(pc, www_a_do, HF_PCACHE_DO, 3600, T0);

	struct query q;
	make_query(&q, 0xbeef, true, "wWw.ExAmPlE.cOm.", HF_TYPE_A);
	uint8_t out[1024];
	char text[4096];
	size_t len = answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0 + 100, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(hf_get16(out), 0xbeef);
	assert_memory_equal(out + HF_HEADER_LEN, q.buf + HF_HEADER_LEN, q.qname_len);
	text_of(out, len, text, sizeof(text));
	/* Names compressed against the question (the first owner, and every "example.com"
	 * suffix here) take the client's case too; the OPT record's flags are left alone. */
	assert_string_equal(text, ";; id 48879 opcode QUERY rcode NOERROR flags qr rd ra ad\n"
	                          ";; edns version 0 udp 1232 flags do\n"
	                          ";; QUESTION\n"
	                          "wWw.ExAmPlE.cOm. IN A\n"
	                          ";; ANSWER\n"
	                          "wWw.ExAmPlE.cOm. 200 IN CNAME web.ExAmPlE.cOm.\n"
	                          "web.ExAmPlE.cOm. 500 IN A 192.0.2.1\n"
	                          ";; AUTHORITY\n"
	                          "ExAmPlE.cOm. 86300 IN NS ns.ExAmPlE.cOm.\n"
	                          ";; ADDITIONAL\n"
	                          "ns.ExAmPlE.cOm. 3500 IN A 192.0.2.53\n");

	/* RD follows the query; at the store time nothing is lowered. */
	make_query(&q, 2, false, "www.example.com.", HF_TYPE_A);
	len = answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0, out, sizeof(out));
	assert_true(len > 0);
	text_of(out, len, text, sizeof(text));
	assert_non_null(strstr(text, "flags qr ra ad\n"));
	assert_non_null(strstr(text, "www.example.com. 300 IN CNAME"));

	/* Too small an output buffer is a miss. */
	assert_int_equal(answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0, out, len - 1), 0);
	assert_int_equal(answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0, out, len), len);

	/* Other types, names and classes miss. */
	assert_int_equal(answer(pc, &q, HF_TYPE_AAAA, HF_PCACHE_DO, T0, out, sizeof(out)), 0);
	make_query(&q, 2, false, "ww.example.com.", HF_TYPE_A);
	assert_int_equal(answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0, out, sizeof(out)), 0);
	make_query(&q, 2, false, "www.example.com.", HF_TYPE_A);
	assert_int_equal(hf_pcache_answer(pc, q.buf, HF_HEADER_LEN, q.qname_len, HF_TYPE_A,
	                                  HF_CLASS_CH, HF_PCACHE_DO, T0, out, sizeof(out), NULL),
	                 0);

	struct hf_cache_stats st;
	hf_pcache_stats(pc, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.inserts, 1);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 4);
	hf_pcache_free(pc);
}

static void test_key_bits_and_expiry(void **state)
{
	(void)state;
	struct hf_pcache *pc = hf_pcache_new(1 << 20);
	assert_non_null(pc);
	store(pc, www_a_do, HF_PCACHE_DO, 3600, T0);
	struct query q;
	make_query(&q, 1, true, "www.example.com.", HF_TYPE_A);
	uint8_t out[1024];
	/* A query without DO does not get the DO answer. */
	assert_int_equal(answer(pc, &q, HF_TYPE_A, 0, T0, out, sizeof(out)), 0);
	assert_int_equal(
	    answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO | HF_PCACHE_CD, T0, out, sizeof(out)), 0);
	store(pc,
	      ";; id 7 opcode QUERY rcode NOERROR flags qr rd ra\n"
	      ";; QUESTION\nwww.example.com. IN A\n"
	      ";; ANSWER\nwww.example.com. 60 IN A 192.0.2.99\n",
	      0, 3600, T0);
	char text[4096];
	size_t len = answer(pc, &q, HF_TYPE_A, 0, T0 + 1, out, sizeof(out));
	assert_true(len > 0);
	text_of(out, len, text, sizeof(text));
	assert_non_null(strstr(text, "www.example.com. 59 IN A 192.0.2.99\n"));
	len = answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0 + 1, out, sizeof(out));
	assert_true(len > 0);
	text_of(out, len, text, sizeof(text));
	assert_non_null(strstr(text, "192.0.2.1\n"));

	/* Each lives as long as its smallest TTL. */
	assert_true(answer(pc, &q, HF_TYPE_A, 0, T0 + 59, out, sizeof(out)) > 0);
	assert_int_equal(answer(pc, &q, HF_TYPE_A, 0, T0 + 60, out, sizeof(out)), 0);
	len = answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0 + 299, out, sizeof(out));
	assert_true(len > 0);
	text_of(out, len, text, sizeof(text));
	assert_non_null(strstr(text, "www.example.com. 1 IN CNAME"));
	assert_int_equal(answer(pc, &q, HF_TYPE_A, HF_PCACHE_DO, T0 + 300, out, sizeof(out)), 0);
	struct hf_cache_stats st;
	hf_pcache_stats(pc, &st);
	assert_int_equal(st.entries, 0); /* expired entries went on the way */
	hf_pcache_free(pc);
}

static void test_ttl_cap_and_empty(void **state)
{
	(void)state;
	struct hf_pcache *pc = hf_pcache_new(1 << 20);
	assert_non_null(pc);
	uint8_t out[1024];
	struct query q;
	/* Capped: the TTLs in the message are patched from their own values. */
	store(pc, www_a_do, 0, 30, T0);
	make_query(&q, 1, true, "www.example.com.", HF_TYPE_A);
	size_t len = answer(pc, &q, HF_TYPE_A, 0, T0 + 29, out, sizeof(out));
	assert_true(len > 0);
	char text[4096];
	text_of(out, len, text, sizeof(text));
	assert_non_null(strstr(text, "www.example.com. 271 IN CNAME"));
	assert_int_equal(answer(pc, &q, HF_TYPE_A, 0, T0 + 30, out, sizeof(out)), 0);

	/* No records at all (e.g. a NODATA without SOA): kept for the cap. */
	store(pc,
	      ";; id 7 opcode QUERY rcode NOERROR flags qr rd ra\n"
	      ";; edns version 0 udp 1232 flags\n"
	      ";; QUESTION\nempty.example. IN TXT\n",
	      0, 10, T0);
	make_query(&q, 1, true, "EMPTY.example.", HF_TYPE_TXT);
	assert_true(answer(pc, &q, HF_TYPE_TXT, 0, T0 + 9, out, sizeof(out)) > 0);
	assert_int_equal(answer(pc, &q, HF_TYPE_TXT, 0, T0 + 10, out, sizeof(out)), 0);

	/* A zero TTL anywhere: not kept. */
	store(pc,
	      ";; id 7 opcode QUERY rcode NOERROR flags qr\n"
	      ";; QUESTION\nzero.example. IN A\n"
	      ";; ANSWER\nzero.example. 300 IN A 192.0.2.1\n"
	      ";; ADDITIONAL\nzero.example. 0 IN TXT \"x\"\n",
	      0, 3600, T0);
	make_query(&q, 1, true, "zero.example.", HF_TYPE_A);
	assert_int_equal(answer(pc, &q, HF_TYPE_A, 0, T0, out, sizeof(out)), 0);
	hf_pcache_free(pc);
}

static void test_bad_input_and_replace(void **state)
{
	(void)state;
	struct hf_pcache *pc = hf_pcache_new(1 << 20);
	assert_non_null(pc);
	uint8_t wire[512] = {0};
	assert_int_equal(hf_pcache_store(pc, wire, 5, 0, 60, T0), HF_EINVAL);
	/* A header with no question. */
	assert_int_equal(hf_pcache_store(pc, wire, HF_HEADER_LEN, 0, 60, T0), HF_EINVAL);
	/* Two questions. */
	size_t len = wire_of(";; id 7 opcode QUERY rcode NOERROR flags qr\n"
	                     ";; QUESTION\na.example. IN A\nb.example. IN A\n",
	                     wire, sizeof(wire));
	assert_int_equal(hf_pcache_store(pc, wire, len, 0, 60, T0), HF_EINVAL);
	/* Trailing garbage. */
	len = wire_of(";; id 7 opcode QUERY rcode NOERROR flags qr\n;; QUESTION\na.example. IN A\n",
	              wire, sizeof(wire));
	assert_int_equal(hf_pcache_store(pc, wire, len + 1, 0, 60, T0), HF_EINVAL);

	/* Storing a key again replaces the entry. */
	store(pc, www_a_do, 0, 60, T0);
	store(pc, www_a_do, 0, 60, T0 + 5);
	struct hf_cache_stats st;
	hf_pcache_stats(pc, &st);
	assert_int_equal(st.entries, 1);
	struct query q;
	make_query(&q, 1, true, "www.example.com.", HF_TYPE_A);
	uint8_t out[1024];
	assert_true(answer(pc, &q, HF_TYPE_A, 0, T0 + 64, out, sizeof(out)) > 0);

	/* Out of memory. */
	len = wire_of(www_a_do, wire, sizeof(wire));
	hf_alloc_fail_nth(1);
	assert_int_equal(hf_pcache_store(pc, wire, len, HF_PCACHE_CD, 60, T0), HF_ENOMEM);
	hf_alloc_fail_nth(0);
	assert_int_equal(answer(pc, &q, HF_TYPE_A, HF_PCACHE_CD, T0, out, sizeof(out)), 0);
	hf_pcache_free(pc);
}

static void store_a(struct hf_pcache *pc, const char *name, int64_t now)
{
	char text[512];
	snprintf(text, sizeof(text),
	         ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
	         ";; QUESTION\n%s IN A\n;; ANSWER\n%s 3600 IN A 192.0.2.1\n",
	         name, name);
	store(pc, text, 0, 86400, now);
}

static bool has_a(struct hf_pcache *pc, const char *name, int64_t now)
{
	struct query q;
	uint8_t out[1024];
	make_query(&q, 1, true, name, HF_TYPE_A);
	return answer(pc, &q, HF_TYPE_A, 0, now, out, sizeof(out)) > 0;
}

static void test_eviction_lru_and_bound(void **state)
{
	(void)state;
	const uint64_t max = 16 * 1024;
	size_t base = hf_alloc_in_use();
	struct hf_pcache *pc = hf_pcache_new(max);
	assert_non_null(pc);
	size_t empty = hf_alloc_in_use();
	store_a(pc, "keep.example.", T0);
	char name[64];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		store_a(pc, name, T0);
		assert_true(has_a(pc, "keep.example.", T0));
		assert_true(hf_alloc_in_use() - empty <= max);
	}
	struct hf_cache_stats st;
	hf_pcache_stats(pc, &st);
	assert_true(st.bytes <= max);
	assert_true(st.entries > 50 && st.entries < 1000);
	assert_int_equal(st.evictions, 1001 - st.entries);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		assert_false(has_a(pc, name, T0));
	}
	for (int i = 995; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d.example.", i);
		assert_true(has_a(pc, name, T0));
	}
	hf_pcache_free(pc);
	assert_int_equal(hf_alloc_in_use(), base);
}

static void test_flush(void **state)
{
	(void)state;
	struct hf_pcache *pc = hf_pcache_new(1 << 20);
	assert_non_null(pc);
	store_a(pc, "www.example.com.", T0);
	store_a(pc, "example.com.", T0);
	store_a(pc, "www.example.net.", T0);
	uint8_t zone[HF_NAME_MAX];
	name_of("EXAMPLE.com.", zone);
	hf_pcache_flush(pc, zone);
	assert_false(has_a(pc, "www.example.com.", T0));
	assert_false(has_a(pc, "example.com.", T0));
	assert_true(has_a(pc, "www.example.net.", T0));
	/* Just the name: what lies below stays. */
	store_a(pc, "www.example.com.", T0);
	store_a(pc, "example.com.", T0);
	hf_pcache_flush_name(pc, zone);
	assert_false(has_a(pc, "example.com.", T0));
	assert_true(has_a(pc, "www.example.com.", T0));
	hf_pcache_free(pc);
}

/* --- several threads at once --- */

struct worker {
	struct hf_pcache *pc;
	unsigned seed;
	unsigned long ops;
	unsigned long hits;
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
	uint8_t wire[512], out[512];
	while (now_seconds() < end) {
		for (int k = 0; k < 64; k++, w->ops++) {
			unsigned r = (unsigned)rand_r(&w->seed);
			char name[64], text[512];
			snprintf(name, sizeof(name), "h%u.Z%u.example.", r % 500, r / 500 % 4);
			int64_t now = T0 + (int64_t)(w->ops / 2000);
			unsigned op = r / 2000 % 100;
			if (op < 20) {
				snprintf(text, sizeof(text),
				         ";; id 1 opcode QUERY rcode NOERROR flags qr\n"
				         ";; QUESTION\n%s IN A\n;; ANSWER\n%s %u IN A 192.0.2.1\n",
				         name, name, 1 + r % 5);
				int len =
				    hf_msg_from_text(text, strlen(text), wire, sizeof(wire), NULL);
				assert_true(len > 0);
				assert_int_equal(hf_pcache_store(w->pc, wire, (size_t)len,
				                                 r % 2 ? HF_PCACHE_DO : 0, 60, now),
				                 HF_OK);
			} else if (op < 99) {
				struct query q;
				make_query(&q, (uint16_t)r, true, name, HF_TYPE_A);
				size_t len = answer(w->pc, &q, HF_TYPE_A, r % 2 ? HF_PCACHE_DO : 0,
				                    now, out, sizeof(out));
				if (len > 0) {
					w->hits++;
					assert_int_equal(hf_get16(out), (uint16_t)r);
					assert_memory_equal(out + HF_HEADER_LEN,
					                    q.buf + HF_HEADER_LEN, q.qname_len);
				}
			} else if (r % 5 == 0) {
				uint8_t zone[HF_NAME_MAX];
				name_of("z2.example.", zone);
				hf_pcache_flush(w->pc, zone);
			} else {
				struct hf_cache_stats st;
				hf_pcache_stats(w->pc, &st);
			}
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	const uint64_t max = 32 * 1024;
	struct hf_pcache *pc = hf_pcache_new(max);
	assert_non_null(pc);
	struct worker w[4];
	pthread_t t[4];
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){.pc = pc, .seed = i + 11};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	unsigned long hits = 0, ops = 0;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		hits += w[i].hits;
		ops += w[i].ops;
	}
	struct hf_cache_stats st;
	hf_pcache_stats(pc, &st);
	assert_true(st.bytes <= max);
	assert_int_equal(st.hits, hits);
	assert_true(hits > 0 && st.evictions > 0);
	print_message("threads: %lu ops, %lu hits, %lu misses, %lu evictions\n", ops, hits,
	              (unsigned long)st.misses, (unsigned long)st.evictions);
	hf_pcache_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_patching),
	    cmocka_unit_test(test_key_bits_and_expiry),
	    cmocka_unit_test(test_ttl_cap_and_empty),
	    cmocka_unit_test(test_bad_input_and_replace),
	    cmocka_unit_test(test_eviction_lru_and_bound),
	    cmocka_unit_test(test_flush),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
