/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Flood protection's tables: the token bucket's burst and refill, clients
 * keyed by prefix (and kept apart), a table far smaller than the clients
 * that still limits a heavy one, the clock going back, the in-flight
 * counters' cap and release, the zone a name is charged to, and two threads
 * sharing one bucket without either getting more than the rate.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "server/ratelimit.h"
#include "util/err.h"
#include "wire/name.h"

#define T0 UINT64_C(5000000000) /* an arbitrary monotonic start, in microseconds */
#define S  UINT64_C(1000000)

static uint64_t v4(const char *text, unsigned bits)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
	return hf_client_prefix((struct sockaddr *)&a, bits, 56);
}

static uint64_t v6(const char *text, unsigned bits)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};
	assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
	return hf_client_prefix((struct sockaddr *)&a, 24, bits);
}

static unsigned allowed(struct hf_ratelimit *rl, uint64_t key, unsigned n, unsigned qps,
                        unsigned burst, uint64_t now)
{
	unsigned ok = 0;
	for (unsigned i = 0; i < n; i++)
		ok += hf_ratelimit_allow(rl, key, qps, burst, now);
	return ok;
}

static void test_prefix_keys(void **state)
{
	(void)state;
	assert_true(v4("192.0.2.1", 24) == v4("192.0.2.200", 24));
	assert_true(v4("192.0.2.1", 24) != v4("192.0.3.1", 24));
	assert_true(v4("192.0.2.1", 32) != v4("192.0.2.2", 32));
	assert_true(v4("192.0.2.1", 0) == v4("198.51.100.7", 0));
	assert_true(v6("2001:db8:0:100::1", 56) == v6("2001:db8:0:1ff::9", 56));
	assert_true(v6("2001:db8:0:100::1", 56) != v6("2001:db8:0:200::1", 56));
	/* An IPv4-mapped address is its IPv4 client. */
	assert_true(v6("::ffff:192.0.2.9", 56) == v4("192.0.2.1", 24));
	/* The families never share a key, even for the address ::. */
	assert_true(v6("::", 56) != v4("0.0.0.0", 24));
	struct sockaddr unknown = {.sa_family = AF_UNIX};
	assert_true(hf_client_prefix(&unknown, 24, 56) == 0);
}

static void test_burst_then_rate(void **state)
{
	(void)state;
	struct hf_ratelimit *rl = hf_ratelimit_new(1024, T0);
	assert_non_null(rl);
	uint64_t k = v4("192.0.2.1", 24);
	/* A burst of 20 passes at once, then nothing at the same instant. */
	assert_int_equal(allowed(rl, k, 50, 10, 20, T0), 20);
	/* One interval (100 ms at 10 qps) later, exactly one more. */
	assert_int_equal(allowed(rl, k, 5, 10, 20, T0 + S / 10), 1);
	/* Over ten seconds at full speed: the burst is spent, so 10 per second. */
	unsigned ok = 0;
	for (uint64_t t = T0 + S / 10 + 1000; t < T0 + S / 10 + 10 * S; t += 1000)
		ok += allowed(rl, k, 1, 10, 20, t);
	assert_in_range(ok, 99, 101);
	/* Idle long enough and the whole burst is back. */
	assert_int_equal(allowed(rl, k, 50, 10, 20, T0 + 60 * S), 20);
	hf_ratelimit_free(rl);
}

static void test_clients_apart(void **state)
{
	(void)state;
	struct hf_ratelimit *rl = hf_ratelimit_new(1024, T0);
	uint64_t a = v4("192.0.2.1", 24), b = v4("198.51.100.1", 24);
	assert_int_equal(allowed(rl, a, 100, 5, 5, T0), 5);
	/* The other prefix still has its whole bucket, while a stays limited. */
	assert_int_equal(allowed(rl, b, 100, 5, 5, T0), 5);
	assert_false(hf_ratelimit_allow(rl, a, 5, 5, T0 + 1));
	/* A client in a's /24 shares a's bucket. */
	assert_false(hf_ratelimit_allow(rl, v4("192.0.2.77", 24), 5, 5, T0 + 1));
	hf_ratelimit_free(rl);
}

/* A spoofed flood from far more prefixes than slots (one query each): memory stays put,
 * and the heavy client, whose bucket is emptier than any of theirs, keeps its slot. */
static void test_small_table_many_clients(void **state)
{
	(void)state;
	struct hf_ratelimit *rl = hf_ratelimit_new(8, T0); /* one line */
	uint64_t heavy = v4("203.0.113.1", 24);
	uint64_t now = T0;
	unsigned heavy_ok = 0;
	for (unsigned i = 0; i < 100000; i++, now += 10) {
		struct sockaddr_in a = {.sin_family = AF_INET,
		                        .sin_addr.s_addr = htonl(0x0a000000 + (i << 8))};
		(void)hf_ratelimit_allow(rl, hf_client_prefix((struct sockaddr *)&a, 24, 56), 10,
		                         10, now);
		heavy_ok += hf_ratelimit_allow(rl, heavy, 10, 10, now);
	}
	/* One second at 10 qps, burst 10: no more than burst + rate, whatever the churn. */
	assert_in_range(heavy_ok, 10, 21);
	hf_ratelimit_free(rl);
}

static void test_clock_back(void **state)
{
	(void)state;
	struct hf_ratelimit *rl = hf_ratelimit_new(64, T0);
	uint64_t k = v4("192.0.2.1", 24);
	assert_int_equal(allowed(rl, k, 10, 1, 3, T0 + S), 3);
	/* A time before the table's start reads as its start: no credit, no crash. */
	assert_int_equal(allowed(rl, k, 10, 1, 3, 1), 0);
	assert_int_equal(allowed(rl, k, 10, 1, 3, T0 + 5 * S), 3);
	/* The highest rate allowed: one microsecond apart. */
	assert_int_equal(allowed(rl, k, 10, HF_RATELIMIT_QPS_MAX, 1, T0 + 10 * S), 1);
	assert_int_equal(allowed(rl, k, 1, HF_RATELIMIT_QPS_MAX, 1, T0 + 10 * S + 1), 1);
	hf_ratelimit_free(rl);
}

struct share {
	struct hf_ratelimit *rl;
	uint64_t key;
	unsigned ok;
};

static void *hammer(void *arg)
{
	struct share *s = arg;
	for (unsigned i = 0; i < 200000; i++)
		s->ok += hf_ratelimit_allow(s->rl, s->key, 1000, 100, T0 + i / 100);
	return NULL;
}

/* Two workers on one bucket: together they get what one would, never more. */
static void test_threads_share(void **state)
{
	(void)state;
	struct hf_ratelimit *rl = hf_ratelimit_new(64, T0);
	struct share a = {.rl = rl, .key = v4("192.0.2.1", 24)}, b = a;
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, hammer, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, hammer, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	/* 2000 µs at 1000 qps: 100 of burst plus at most 2 more. */
	assert_in_range(a.ok + b.ok, 1, 102);
	hf_ratelimit_free(rl);
}

static void test_inflight(void **state)
{
	(void)state;
	struct hf_inflight *t = hf_inflight_new(HF_INFLIGHT_SLOTS);
	assert_non_null(t);
	uint32_t slots[3], other;
	for (int i = 0; i < 3; i++)
		assert_true(hf_inflight_take(t, 42, 3, &slots[i]));
	assert_false(hf_inflight_take(t, 42, 3, &other));
	assert_int_equal(hf_inflight_count(t, 42), 3);
	assert_true(hf_inflight_take(t, 43, 3, &other));
	hf_inflight_put(t, slots[0]);
	assert_true(hf_inflight_take(t, 42, 3, &slots[0]));
	for (int i = 0; i < 3; i++)
		hf_inflight_put(t, slots[i]);
	hf_inflight_put(t, other);
	assert_int_equal(hf_inflight_count(t, 42), 0);
	/* A slot number from nowhere is ignored. */
	hf_inflight_put(t, UINT32_MAX);
	/* max 0: nothing ever goes. */
	assert_false(hf_inflight_take(t, 7, 0, &other));
	hf_inflight_free(t);
	hf_inflight_free(NULL);
	hf_ratelimit_free(NULL);
}

static uint64_t zkey(const char *name, const char *zone)
{
	uint8_t n[HF_NAME_MAX], z[HF_NAME_MAX];
	assert_true(hf_name_from_text(name, strlen(name), NULL, n) > 0);
	if (zone == NULL)
		return hf_zone_key(n, NULL);
	assert_true(hf_name_from_text(zone, strlen(zone), NULL, z) > 0);
	return hf_zone_key(n, z);
}

static void test_zone_key(void **state)
{
	(void)state;
	uint64_t victim = zkey("victim.example.", NULL);
	assert_true(zkey("random123.victim.example.", NULL) == victim);
	assert_true(zkey("a.b.c.VICTIM.Example.", NULL) == victim);
	assert_true(zkey("www.other.example.", NULL) != victim);
	assert_true(zkey("example.", NULL) != victim);
	assert_true(zkey(".", NULL) == zkey(".", "."));
	/* A deeper forward zone is the key; a shallower one changes nothing. */
	assert_true(zkey("x.corp.victim.example.", "corp.victim.example.") ==
	            zkey("y.corp.victim.example.", "corp.victim.example."));
	assert_true(zkey("x.corp.victim.example.", "corp.victim.example.") != victim);
	assert_true(zkey("x.victim.example.", ".") == victim);
	/* A forward zone the name is not in is ignored. */
	assert_true(zkey("x.victim.example.", "a.b.other.") == victim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_keys),   cmocka_unit_test(test_burst_then_rate),
	    cmocka_unit_test(test_clients_apart), cmocka_unit_test(test_small_table_many_clients),
	    cmocka_unit_test(test_clock_back),    cmocka_unit_test(test_threads_share),
	    cmocka_unit_test(test_inflight),      cmocka_unit_test(test_zone_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
