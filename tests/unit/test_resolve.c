/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The forwarding state machine without a network: scripted replies and a
 * scripted clock drive hf_req_produce/consume/timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "resolve/resolve.h"
#include "util/err.h"
#include "wire/build.h"
#include "wire/buf.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

static struct hf_upstream servers[2];
static struct hf_fwd_set set = {.zone = {0}, .servers = servers, .n = 2};
static uint8_t qname[HF_NAME_MAX];

static int setup(void **state)
{
	(void)state;
	memset(servers, 0, sizeof(servers));
	strcpy(servers[0].name, "a");
	strcpy(servers[1].name, "b");
	assert_true(hf_name_from_text("WwW.example.", 12, NULL, qname) > 0);
	return 0;
}

static void start(struct hf_req *r)
{
	hf_req_init(r, qname, HF_TYPE_A, HF_CLASS_IN, false, false, &set, 1232, 1500, 10000);
}

/* A reply to the query in flight; tweak lets a test break one thing. */
enum tweak { GOOD, WRONG_ID, WRONG_CASE, TRUNCATED, FORMERR_NO_OPT, SERVFAIL };

static size_t reply_to(const struct hf_req *r, enum tweak t, uint8_t *out)
{
	uint8_t name[HF_NAME_MAX];
	memcpy(name, qname, sizeof(name));
	if (t == WRONG_CASE)
		name[1] = 'w';
	uint16_t id = hf_get16(r->query) ^ (t == WRONG_ID ? 1 : 0);
	uint16_t rcode = t == FORMERR_NO_OPT ? HF_RCODE_FORMERR
	                 : t == SERVFAIL     ? HF_RCODE_SERVFAIL
	                                     : HF_RCODE_NOERROR;
	uint16_t flags =
	    HF_FLAG_QR | HF_FLAG_RD | HF_FLAG_RA | rcode | (t == TRUNCATED ? HF_FLAG_TC : 0);
	struct hf_build b;
	hf_build_init(&b, out, 512);
	assert_int_equal(hf_build_header(&b, id, flags), HF_OK);
	assert_int_equal(hf_build_question(&b, name, HF_TYPE_A, HF_CLASS_IN), HF_OK);
	if (t == GOOD) {
		const uint8_t addr[4] = {192, 0, 2, 1};
		assert_int_equal(
		    hf_build_rr(&b, HF_SECTION_ANSWER, name, HF_TYPE_A, HF_CLASS_IN, 60, addr, 4),
		    HF_OK);
	}
	return hf_build_finish(&b);
}

static void test_answer_accepted(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	uint8_t buf[512];
	start(&r);
	assert_int_equal(hf_req_produce(&r, 1000, &out), HF_REQ_SEND);
	assert_false(out.tcp);
	size_t len = reply_to(&r, GOOD, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1500, -1), HF_REQ_DONE);
	assert_non_null(r.reply);
	assert_int_equal(r.reply_len, len);
	assert_int_equal(atomic_load(&out.server->srtt_us), 500);
	hf_req_clear(&r);
}

static void test_mismatches_are_ignored(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	uint8_t buf[512];
	start(&r);
	assert_int_equal(hf_req_produce(&r, 1000, &out), HF_REQ_SEND);
	size_t len = reply_to(&r, WRONG_ID, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1100, -1), HF_REQ_WAIT);
	len = reply_to(&r, WRONG_CASE, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1100, -1), HF_REQ_WAIT);
	assert_int_equal(hf_req_consume(&r, (const uint8_t *)"garbage", 7, 1100, -1), HF_REQ_WAIT);
	assert_int_equal(r.stats.bad_replies, 3);
	/* The real answer still wins. */
	len = reply_to(&r, GOOD, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1200, -1), HF_REQ_DONE);
	assert_non_null(r.reply);
	hf_req_clear(&r);
}

static void test_malformed_with_our_id_moves_on(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	start(&r);
	assert_int_equal(hf_req_produce(&r, 1000, &out), HF_REQ_SEND);
	struct hf_upstream *first = out.server;
	uint8_t bad[12];
	memcpy(bad, r.query, 2);
	memset(bad + 2, 0xff, 10); /* counts far beyond the message */
	assert_int_equal(hf_req_consume(&r, bad, sizeof(bad), 1100, -1), HF_REQ_NEXT);
	assert_int_equal(hf_req_produce(&r, 1200, &out), HF_REQ_SEND);
	assert_ptr_not_equal(out.server, first);
}

static void test_truncated_goes_tcp_to_same_server(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	uint8_t buf[512];
	start(&r);
	assert_int_equal(hf_req_produce(&r, 1000, &out), HF_REQ_SEND);
	struct hf_upstream *first = out.server;
	size_t len = reply_to(&r, TRUNCATED, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1100, -1), HF_REQ_NEXT);
	assert_int_equal(hf_req_produce(&r, 1200, &out), HF_REQ_SEND);
	assert_true(out.tcp);
	assert_ptr_equal(out.server, first);
}

static void test_formerr_without_opt_drops_edns(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	uint8_t buf[512];
	start(&r);
	assert_int_equal(hf_req_produce(&r, 1000, &out), HF_REQ_SEND);
	assert_int_equal(hf_get16(out.wire + 10), 1); /* ARCOUNT: the OPT */
	size_t len = reply_to(&r, FORMERR_NO_OPT, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1100, -1), HF_REQ_NEXT);
	assert_int_equal(hf_req_produce(&r, 1200, &out), HF_REQ_SEND);
	assert_int_equal(hf_get16(out.wire + 10), 0);
}

static void test_all_dead_gives_up_with_ede(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	start(&r);
	unsigned sends = 0;
	uint64_t now = 1000;
	while (hf_req_produce(&r, now, &out) == HF_REQ_SEND) {
		sends++;
		now += 1000;
		assert_int_equal(hf_req_timeout(&r, now / 1000), HF_REQ_NEXT);
	}
	assert_int_equal(sends, 4); /* two servers, two rounds */
	assert_null(r.reply);
	assert_int_equal(r.ede, 22);
}

static void test_servfail_tries_the_other_server(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	uint8_t buf[512];
	start(&r);
	assert_int_equal(hf_req_produce(&r, 1000, &out), HF_REQ_SEND);
	struct hf_upstream *first = out.server;
	size_t len = reply_to(&r, SERVFAIL, buf);
	assert_int_equal(hf_req_consume(&r, buf, len, 1100, -1), HF_REQ_NEXT);
	assert_int_equal(hf_req_produce(&r, 1200, &out), HF_REQ_SEND);
	assert_ptr_not_equal(out.server, first);
}

static void test_deadline(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	start(&r);
	assert_int_equal(hf_req_produce(&r, 10000 * 1000, &out), HF_REQ_DONE);
	assert_int_equal(r.ede, 22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_answer_accepted, setup),
	    cmocka_unit_test_setup(test_mismatches_are_ignored, setup),
	    cmocka_unit_test_setup(test_malformed_with_our_id_moves_on, setup),
	    cmocka_unit_test_setup(test_truncated_goes_tcp_to_same_server, setup),
	    cmocka_unit_test_setup(test_formerr_without_opt_drops_edns, setup),
	    cmocka_unit_test_setup(test_all_dead_gives_up_with_ede, setup),
	    cmocka_unit_test_setup(test_servfail_tries_the_other_server, setup),
	    cmocka_unit_test_setup(test_deadline, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
