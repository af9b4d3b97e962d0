/* SPDX-License-Identifier: GPL-3.0-or-later */
/* EDNS options: cookie, client subnet and Extended DNS Error layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "wire/edns.h"

static struct hf_edns_opt opt(uint16_t code, const uint8_t *data, uint16_t len)
{
	return (struct hf_edns_opt){.code = code, .len = len, .data = data};
}

static void test_cookie_lengths(void **state)
{
	(void)state;
	uint8_t data[41] = {0};
	struct hf_edns_cookie c;
	for (uint16_t len = 0; len <= 41; len++) {
		struct hf_edns_opt o = opt(HF_EDNS_COOKIE, data, len);
		int want = len == 8 || (len >= 16 && len <= 40) ? HF_OK : HF_EOPTDATA;
		assert_int_equal(hf_edns_cookie_parse(&o, &c), want);
		if (want == HF_OK)
			assert_int_equal(c.server_len, len - 8);
	}
}

static void test_cookie_encode_round_trip(void **state)
{
	(void)state;
	struct hf_edns_cookie c = {.client = {1, 2, 3, 4, 5, 6, 7, 8}, .server_len = 16};
	memset(c.server, 0xab, 16);
	uint8_t out[40];
	int n = hf_edns_cookie_encode(&c, out, sizeof(out));
	assert_int_equal(n, 24);
	struct hf_edns_opt o = opt(HF_EDNS_COOKIE, out, (uint16_t)n);
	struct hf_edns_cookie back;
	assert_int_equal(hf_edns_cookie_parse(&o, &back), HF_OK);
	assert_memory_equal(back.client, c.client, 8);
	assert_memory_equal(back.server, c.server, 16);
	c.server_len = 7;
	assert_int_equal(hf_edns_cookie_encode(&c, out, sizeof(out)), HF_EINVAL);
}

static void test_ecs(void **state)
{
	(void)state;
	struct hf_edns_ecs e;
	const uint8_t v4[] = {0, 1, 24, 0, 192, 0, 2};
	struct hf_edns_opt o = opt(HF_EDNS_ECS, v4, sizeof(v4));
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_OK);
	assert_int_equal(e.family, 1);
	assert_int_equal(e.source_prefix, 24);
	assert_int_equal(e.addr[2], 2);

	const uint8_t bits_past_prefix[] = {0, 1, 23, 0, 192, 0, 3};
	o = opt(HF_EDNS_ECS, bits_past_prefix, sizeof(bits_past_prefix));
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_EOPTDATA);

	const uint8_t too_many_octets[] = {0, 1, 16, 0, 192, 0, 0};
	o = opt(HF_EDNS_ECS, too_many_octets, sizeof(too_many_octets));
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_EOPTDATA);

	const uint8_t prefix_too_long[] = {0, 1, 33, 0, 1, 2, 3, 4, 0};
	o = opt(HF_EDNS_ECS, prefix_too_long, sizeof(prefix_too_long));
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_EOPTDATA);

	const uint8_t bad_family[] = {0, 3, 0, 0};
	o = opt(HF_EDNS_ECS, bad_family, sizeof(bad_family));
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_EOPTDATA);

	const uint8_t v6_zero[] = {0, 2, 0, 0};
	o = opt(HF_EDNS_ECS, v6_zero, sizeof(v6_zero));
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_OK);

	/* Encoding cuts the address and clears the bits past the prefix. */
	struct hf_edns_ecs in = {.family = 2, .source_prefix = 56};
	memset(in.addr, 0xff, 16);
	uint8_t out[20];
	int n = hf_edns_ecs_encode(&in, out, sizeof(out));
	assert_int_equal(n, 4 + 7);
	o = opt(HF_EDNS_ECS, out, (uint16_t)n);
	assert_int_equal(hf_edns_ecs_parse(&o, &e), HF_OK);
	in.source_prefix = 57;
	n = hf_edns_ecs_encode(&in, out, sizeof(out));
	assert_int_equal(out[n - 1], 0x80);
}

static void test_ede(void **state)
{
	(void)state;
	uint8_t out[64];
	int n = hf_edns_ede_encode(3, "stale", 5, out, sizeof(out));
	assert_int_equal(n, 7);
	struct hf_edns_opt o = opt(HF_EDNS_EDE, out, (uint16_t)n);
	struct hf_edns_ede e;
	assert_int_equal(hf_edns_ede_parse(&o, &e), HF_OK);
	assert_int_equal(e.info_code, 3);
	assert_int_equal(e.text_len, 5);
	assert_memory_equal(e.text, "stale", 5);
	assert_string_equal(hf_edns_ede_name(3), "Stale Answer");
	assert_string_equal(hf_edns_ede_name(6), "DNSSEC Bogus");
	assert_null(hf_edns_ede_name(4000));
	o = opt(HF_EDNS_EDE, out, 1);
	assert_int_equal(hf_edns_ede_parse(&o, &e), HF_EOPTDATA);
}

static void test_iteration(void **state)
{
	(void)state;
	/* padding(2 zeros), unknown 65001 (empty), cookie (8) */
	const uint8_t opts[] = {0,  12, 0, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0,
	                        10, 0,  8, 1, 2, 3, 4,    5,    6, 7, 8};
	size_t pos = 0;
	struct hf_edns_opt o;
	assert_int_equal(hf_edns_next(opts, sizeof(opts), &pos, &o), 1);
	assert_int_equal(o.code, HF_EDNS_PADDING);
	assert_int_equal(hf_edns_next(opts, sizeof(opts), &pos, &o), 1);
	assert_int_equal(o.code, 65001);
	assert_int_equal(o.len, 0);
	assert_int_equal(hf_edns_next(opts, sizeof(opts), &pos, &o), 1);
	assert_int_equal(o.code, HF_EDNS_COOKIE);
	assert_int_equal(hf_edns_next(opts, sizeof(opts), &pos, &o), 0);
	assert_int_equal(hf_edns_check(opts, sizeof(opts)), HF_OK);
	assert_true(hf_edns_find(opts, sizeof(opts), HF_EDNS_COOKIE, &o));
	assert_false(hf_edns_find(opts, sizeof(opts), HF_EDNS_ECS, &o));

	/* An option running past the end, and a lone half header. */
	assert_int_equal(hf_edns_check(opts, sizeof(opts) - 1), HF_EOPTDATA);
	assert_int_equal(hf_edns_check(opts, 3), HF_EOPTDATA);
	/* A cookie of 7 octets inside an otherwise fine list. */
	const uint8_t short_cookie[] = {0, 10, 0, 7, 1, 2, 3, 4, 5, 6, 7};
	assert_int_equal(hf_edns_check(short_cookie, sizeof(short_cookie)), HF_EOPTDATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cookie_lengths),
	    cmocka_unit_test(test_cookie_encode_round_trip),
	    cmocka_unit_test(test_ecs),
	    cmocka_unit_test(test_ede),
	    cmocka_unit_test(test_iteration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
