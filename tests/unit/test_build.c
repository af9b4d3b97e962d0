/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The message builder: compression, size limits, TC, EDNS reservation and padding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/name.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

static void name_of(const char *text, uint8_t out[HF_NAME_MAX])
{
	assert_true(hf_name_from_text(text, strlen(text), NULL, out) > 0);
}

static void start(struct hf_build *b, uint8_t *buf, size_t limit, const uint8_t *qname)
{
	hf_build_init(b, buf, limit);
	assert_int_equal(hf_build_header(b, 0x1234, HF_FLAG_QR | HF_FLAG_RD), HF_OK);
	assert_int_equal(hf_build_question(b, qname, HF_TYPE_A, HF_CLASS_IN), HF_OK);
}

static void test_compression_and_parse_back(void **state)
{
	(void)state;
	uint8_t buf[512], www[HF_NAME_MAX], web[HF_NAME_MAX], got[HF_NAME_MAX];
	name_of("www.example.com.", www);
	name_of("web.example.com.", web);
	struct hf_build b;
	start(&b, buf, sizeof(buf), www);
	assert_int_equal(hf_build_rr(&b, HF_SECTION_ANSWER, www, HF_TYPE_CNAME, HF_CLASS_IN, 300,
	                             web, hf_name_len(web)),
	                 HF_OK);
	const uint8_t addr[4] = {192, 0, 2, 1};
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ANSWER, web, HF_TYPE_A, HF_CLASS_IN, 300, addr, 4), HF_OK);
	size_t len = hf_build_finish(&b);
	/* header 12, question 17+4, CNAME owner pointer 2+10 and rdata "web"+pointer 6,
	 * A owner pointer 2+10+4. */
	assert_int_equal(len, 12 + 21 + 12 + 6 + 16);

	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
	assert_int_equal(pkt.id, 0x1234);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_ANSWER), 2);
	const struct hf_rr *cname = hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, 0);
	assert_true(hf_pkt_owner(&pkt, cname, got) > 0);
	assert_memory_equal(got, www, hf_name_len(www));
	uint8_t rdata[HF_NAME_MAX];
	assert_int_equal(hf_pkt_rdata(&pkt, cname, rdata, sizeof(rdata)), (int)hf_name_len(web));
	assert_memory_equal(rdata, web, hf_name_len(web));
	hf_pkt_clear(&pkt);
}

static void test_compression_keeps_case(void **state)
{
	(void)state;
	uint8_t buf[512], lower[HF_NAME_MAX], upper[HF_NAME_MAX], got[HF_NAME_MAX];
	name_of("www.example.", lower);
	name_of("WWW.example.", upper);
	struct hf_build b;
	start(&b, buf, sizeof(buf), lower);
	const uint8_t addr[4] = {192, 0, 2, 1};
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ANSWER, upper, HF_TYPE_A, HF_CLASS_IN, 1, addr, 4), HF_OK);
	size_t len = hf_build_finish(&b);
	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
	assert_true(hf_pkt_owner(&pkt, hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, 0), got) > 0);
	assert_memory_equal(got, upper, hf_name_len(upper));
	hf_pkt_clear(&pkt);
}

/*
 * A name with repeated labels, written into a buffer that still holds the
 * same message: no label may point into the name being written (found by
 * fuzz_persist: the octets after the written ones are stale).
 */
static void test_compression_never_points_into_its_own_name(void **state)
{
	(void)state;
	uint8_t buf[1024], name[HF_NAME_MAX];
	name_of("b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.", name);
	const uint8_t addr[4] = {192, 0, 2, 1};
	for (int round = 0; round < 2; round++) {
		struct hf_build b;
		start(&b, buf, sizeof(buf), name);
		assert_int_equal(
		    hf_build_rr(&b, HF_SECTION_ANSWER, name, HF_TYPE_A, HF_CLASS_IN, 1, addr, 4),
		    HF_OK);
		size_t len = hf_build_finish(&b);
		assert_int_equal(len, 12 + 63 + 4 + 2 + 10 + 4); /* the question uncompressed */
		struct hf_pkt pkt;
		assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
		hf_pkt_clear(&pkt);
	}
	/* Stale octets that look like the rest of the name are not taken for it either. */
	memset(buf, 0, sizeof(buf));
	for (size_t i = 14; i + 1 < sizeof(buf); i += 2) {
		buf[i] = 1;
		buf[i + 1] = 'b';
	}
	struct hf_build b;
	hf_build_init(&b, buf, sizeof(buf));
	assert_int_equal(hf_build_header(&b, 1, HF_FLAG_QR), HF_OK);
	uint8_t two[HF_NAME_MAX];
	name_of("b.b.", two);
	assert_int_equal(hf_build_question(&b, two, HF_TYPE_A, HF_CLASS_IN), HF_OK);
	size_t len = hf_build_finish(&b);
	assert_int_equal(len, 12 + 5 + 4);
	assert_memory_equal(buf + 12, "\1b\1b\0", 5);
}

static void test_answer_overflow_sets_tc(void **state)
{
	(void)state;
	uint8_t buf[100], qname[HF_NAME_MAX];
	name_of("example.", qname);
	struct hf_build b;
	start(&b, buf, sizeof(buf), qname);
	const uint8_t addrs[10][4] = {{0}};
	const uint8_t *rdata[10];
	uint16_t rdlen[10];
	for (int i = 0; i < 10; i++) {
		rdata[i] = addrs[i];
		rdlen[i] = 4;
	}
	/* 10 records of 16 octets: 160 > 100 - 12 - 13. All or nothing. */
	assert_int_equal(hf_build_rrset(&b, HF_SECTION_ANSWER, qname, HF_TYPE_A, HF_CLASS_IN, 60,
	                                rdata, rdlen, 10),
	                 HF_ESPACE);
	assert_true(b.tc);
	/* Nothing may follow what did not fit. */
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ADDITIONAL, qname, HF_TYPE_A, HF_CLASS_IN, 60, addrs[0], 4),
	    HF_ESPACE);
	size_t len = hf_build_finish(&b);
	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
	assert_true(pkt.flags & HF_FLAG_TC);
	assert_int_equal(pkt.count[HF_SECTION_ANSWER], 0);
	hf_pkt_clear(&pkt);
}

static void test_additional_overflow_is_dropped(void **state)
{
	(void)state;
	uint8_t buf[40], qname[HF_NAME_MAX];
	name_of("example.", qname);
	struct hf_build b;
	start(&b, buf, sizeof(buf), qname);
	const uint8_t addr[4] = {192, 0, 2, 1};
	uint8_t big[100] = {0};
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ADDITIONAL, qname, 65280, HF_CLASS_IN, 60, big, sizeof(big)),
	    HF_ESPACE);
	assert_false(b.tc);
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ADDITIONAL, qname, HF_TYPE_A, HF_CLASS_IN, 60, addr, 4),
	    HF_ESPACE); /* 12 + 13 + 16 = 41 > 40 */
	assert_false(b.tc);
	size_t len = hf_build_finish(&b);
	assert_int_equal(len, 25);
	assert_false(buf[2] & (HF_FLAG_TC >> 8));
}

static void test_section_order(void **state)
{
	(void)state;
	uint8_t buf[512], qname[HF_NAME_MAX];
	const uint8_t addr[4] = {192, 0, 2, 1};
	name_of("example.", qname);
	struct hf_build b;
	start(&b, buf, sizeof(buf), qname);
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_AUTHORITY, qname, HF_TYPE_A, HF_CLASS_IN, 1, addr, 4),
	    HF_OK);
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ANSWER, qname, HF_TYPE_A, HF_CLASS_IN, 1, addr, 4),
	    HF_EINVAL);
	assert_int_equal(hf_build_question(&b, qname, HF_TYPE_A, HF_CLASS_IN), HF_EINVAL);
}

static void test_edns_reserved_and_padded(void **state)
{
	(void)state;
	uint8_t buf[512], qname[HF_NAME_MAX];
	name_of("example.", qname);
	uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct hf_build_opt opt = {.code = HF_EDNS_COOKIE, .len = 8, .data = cookie};
	struct hf_build_edns e = {
	    .udp_size = 1232, .flags = HF_EDNS_DO, .opts = &opt, .nopts = 1, .pad_block = 128};
	assert_int_equal(hf_build_edns_size(&e), 11 + 12);

	/* Exactly room for header, question and OPT: the answer must not eat the OPT. */
	size_t limit = 12 + 13 + 23 + 4;
	struct hf_build b;
	start(&b, buf, limit, qname);
	assert_int_equal(hf_build_reserve(&b, hf_build_edns_size(&e)), HF_OK);
	const uint8_t addr[4] = {192, 0, 2, 1};
	assert_int_equal(
	    hf_build_rr(&b, HF_SECTION_ANSWER, qname, HF_TYPE_A, HF_CLASS_IN, 1, addr, 4),
	    HF_ESPACE);
	assert_true(b.tc);
	assert_int_equal(hf_build_edns(&b, &e), HF_OK);
	size_t len = hf_build_finish(&b);
	assert_int_equal(len, limit); /* padding used the 4 spare octets for its header */

	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
	assert_true(pkt.has_edns);
	assert_int_equal(pkt.edns.udp_size, 1232);
	assert_int_equal(pkt.edns.flags, HF_EDNS_DO);
	struct hf_edns_opt o;
	assert_true(hf_edns_find(buf + pkt.edns.opts, pkt.edns.opts_len, HF_EDNS_COOKIE, &o));
	assert_int_equal(o.len, 8);
	hf_pkt_clear(&pkt);

	/* With room to spare, the whole message becomes a multiple of the block. */
	start(&b, buf, sizeof(buf), qname);
	assert_int_equal(hf_build_edns(&b, &e), HF_OK);
	assert_int_equal(hf_build_finish(&b) % 128, 0);
}

static void test_header_only_too_small(void **state)
{
	(void)state;
	uint8_t buf[11];
	struct hf_build b;
	hf_build_init(&b, buf, sizeof(buf));
	assert_int_equal(hf_build_header(&b, 1, 0), HF_ESPACE);
	assert_int_equal(hf_build_finish(&b), 0);
}

/* A reply answers our query only with our ID, QR, and the question exactly as sent. */
static void test_reply_answers_query(void **state)
{
	(void)state;
	uint8_t query[512], reply[512], name[HF_NAME_MAX], other[HF_NAME_MAX];
	name_of("wWw.Example.", name);
	name_of("www.example.", other);
	struct hf_build b;
	hf_build_init(&b, query, sizeof(query));
	assert_int_equal(hf_build_header(&b, 0x4242, HF_FLAG_RD), HF_OK);
	assert_int_equal(hf_build_question(&b, name, HF_TYPE_A, HF_CLASS_IN), HF_OK);
	size_t qlen = hf_build_finish(&b);

	struct {
		uint16_t id, flags;
		const uint8_t *name;
		uint16_t type;
		bool answers;
	} cases[] = {
	    {0x4242, HF_FLAG_QR, name, HF_TYPE_A, true},
	    {0x4243, HF_FLAG_QR, name, HF_TYPE_A, false},  /* another ID */
	    {0x4242, 0, name, HF_TYPE_A, false},           /* a query, not a reply */
	    {0x4242, HF_FLAG_QR, other, HF_TYPE_A, false}, /* the case pattern changed */
	    {0x4242, HF_FLAG_QR, name, HF_TYPE_AAAA, false},
	    {0x4242, HF_FLAG_QR | (HF_OPCODE_NOTIFY << 11), name, HF_TYPE_A, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hf_build_init(&b, reply, sizeof(reply));
		assert_int_equal(hf_build_header(&b, cases[i].id, cases[i].flags), HF_OK);
		assert_int_equal(hf_build_question(&b, cases[i].name, cases[i].type, HF_CLASS_IN),
		                 HF_OK);
		size_t rlen = hf_build_finish(&b);
		struct hf_pkt p;
		assert_int_equal(hf_pkt_parse(&p, reply, rlen, NULL), HF_OK);
		assert_int_equal(hf_pkt_answers(&p, query, qlen), cases[i].answers);
		assert_false(hf_pkt_answers(&p, query, 11)); /* our query cut short */
		hf_pkt_clear(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compression_and_parse_back),
	    cmocka_unit_test(test_compression_keeps_case),
	    cmocka_unit_test(test_compression_never_points_into_its_own_name),
	    cmocka_unit_test(test_answer_overflow_sets_tc),
	    cmocka_unit_test(test_additional_overflow_is_dropped),
	    cmocka_unit_test(test_section_order),
	    cmocka_unit_test(test_edns_reserved_and_padded),
	    cmocka_unit_test(test_header_only_too_small),
	    cmocka_unit_test(test_reply_answers_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
