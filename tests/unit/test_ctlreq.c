/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control API's request parser: each route with its arguments and
 * defaults, what only control.socket serves, wrong methods, bad and
 * missing arguments, and the bounds on numbers and argument counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "control/control.h"
#include "wire/rrtype.h"

#define ARGS(...) ((const struct hf_ctl_arg[]){__VA_ARGS__})

static int parse(const char *method, const char *path, const struct hf_ctl_arg *a, size_t n,
                 bool priv, struct hf_ctl_req *q)
{
	char err[128];
	int st = hf_ctl_parse(method, path, a, n, priv, q, err, sizeof(err));
	assert_true((st == 200) == (err[0] == '\0'));
	return st;
}

static void test_reads_and_defaults(void **state)
{
	(void)state;
	struct hf_ctl_req q;
	assert_int_equal(parse("GET", "/", NULL, 0, false, &q), 200);
	assert_int_equal(q.route, HF_CTL_PAGE);
	assert_int_equal(parse("HEAD", "/metrics", NULL, 0, false, &q), 200);
	assert_int_equal(q.route, HF_CTL_METRICS);
	assert_int_equal(parse("GET", "/api/timeline", NULL, 0, false, &q), 200);
	assert_int_equal(q.limit, HF_CTL_TIMELINE_DEF);
	assert_int_equal(parse("GET", "/api/events", NULL, 0, false, &q), 200);
	assert_int_equal(q.id, 0);
	assert_int_equal(q.limit, HF_CTL_EVENTS_DEF);
	assert_int_equal(parse("GET", "/api/events",
	                       ARGS({"after", "41"}, {"limit", "1000"}, {"_", "cache-buster"}), 3,
	                       false, &q),
	                 200);
	assert_int_equal(q.id, 41);
	assert_int_equal(q.limit, 1000);
	assert_int_equal(parse("GET", "/api/events/7", NULL, 0, false, &q), 200);
	assert_int_equal(q.route, HF_CTL_EVENT);
	assert_int_equal(q.id, 7);
}

static void test_socket_only(void **state)
{
	(void)state;
	struct hf_ctl_req q;
	const struct hf_ctl_arg *a = ARGS({"name", "WWW.example.com"}, {"type", "aaaa"});
	assert_int_equal(parse("GET", "/api/cache", a, 2, false, &q), 403);
	assert_int_equal(parse("GET", "/api/cache", a, 2, true, &q), 200);
	assert_int_equal(q.type, HF_TYPE_AAAA);
	assert_memory_equal(q.name, "\3WWW\7example\3com", 17);
	assert_int_equal(parse("POST", "/api/cache/flush", a, 1, false, &q), 405);
	assert_int_equal(parse("POST", "/api/cache/flush", a, 1, true, &q), 200);
	assert_false(q.zone);
	assert_int_equal(
	    parse("POST", "/api/cache/flush", ARGS({"name", "."}, {"zone", "1"}), 2, true, &q),
	    200);
	assert_true(q.zone);
	assert_int_equal(q.name[0], 0);
	assert_int_equal(parse("POST", "/api/reload", NULL, 0, true, &q), 200);
	assert_int_equal(q.route, HF_CTL_RELOAD);
	assert_int_equal(parse("GET", "/api/reload", NULL, 0, true, &q), 405);
	assert_int_equal(parse("POST", "/api/status", NULL, 0, true, &q), 405);
}

static void test_bad_requests(void **state)
{
	(void)state;
	struct hf_ctl_req q;
	assert_int_equal(parse("DELETE", "/api/status", NULL, 0, false, &q), 405);
	assert_int_equal(parse("GET", "/api/nothing", NULL, 0, false, &q), 404);
	assert_int_equal(parse("GET", "/api/events/0", NULL, 0, false, &q), 404);
	assert_int_equal(parse("GET", "/api/events/-1", NULL, 0, false, &q), 404);
	assert_int_equal(parse("GET", "/api/events/99999999999999999999", NULL, 0, false, &q), 404);
	assert_int_equal(parse("GET", "/api/events", ARGS({"limit", "0"}), 1, false, &q), 400);
	assert_int_equal(parse("GET", "/api/events", ARGS({"limit", "1001"}), 1, false, &q), 400);
	assert_int_equal(parse("GET", "/api/events", ARGS({"after", NULL}), 1, false, &q), 400);
	assert_int_equal(parse("GET", "/api/events", ARGS({"after", "+3"}), 1, false, &q), 400);
	assert_int_equal(parse("GET", "/api/timeline", ARGS({"minutes", "1441"}), 1, false, &q),
	                 400);
	assert_int_equal(parse("GET", "/api/cache", NULL, 0, true, &q), 400);
	assert_int_equal(parse("GET", "/api/cache", ARGS({"name", "a..b"}), 1, true, &q), 400);
	assert_int_equal(
	    parse("GET", "/api/cache", ARGS({"name", "a"}, {"type", "ANY"}), 2, true, &q), 400);
	assert_int_equal(
	    parse("GET", "/api/cache", ARGS({"name", "a"}, {"type", "BOGUS"}), 2, true, &q), 400);
	assert_int_equal(
	    parse("POST", "/api/cache/flush", ARGS({"name", "a"}, {"zone", "yes"}), 2, true, &q),
	    400);
	struct hf_ctl_arg many[HF_CTL_ARGS_MAX + 1];
	for (size_t i = 0; i < HF_CTL_ARGS_MAX + 1; i++)
		many[i] = (struct hf_ctl_arg){.key = "k", .value = "v"};
	assert_int_equal(parse("GET", "/", many, HF_CTL_ARGS_MAX, false, &q), 200);
	assert_int_equal(parse("GET", "/", many, HF_CTL_ARGS_MAX + 1, false, &q), 400);
	assert_int_equal(parse(NULL, "/", NULL, 0, false, &q), 400);
	assert_int_equal(parse("GET", NULL, NULL, 0, false, &q), 400);
}

static void test_host_is_local(void **state)
{
	(void)state;
	const char *ok[] = {"127.0.0.1", "127.0.0.1:8053", "localhost",  "LocalHost:80",
	                    "[::1]",     "[::1]:8053",     "192.0.2.7:1"};
	const char *bad[] = {NULL,
	                     "",
	                     "evil.example",
	                     "evil.example:8053",
	                     "localhost.evil.example",
	                     "127.0.0.1.evil.example",
	                     "127.0.0.1:",
	                     "127.0.0.1:123456",
	                     "[::1",
	                     "[::1]x",
	                     "[]",
	                     "::1",
	                     "127.0.0.1:80:80",
	                     "localhost:x"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(hf_ctl_host_is_local(ok[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(hf_ctl_host_is_local(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads_and_defaults),
	    cmocka_unit_test(test_socket_only),
	    cmocka_unit_test(test_bad_requests),
	    cmocka_unit_test(test_host_is_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
