/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Incidents (src/guard/incidents.c) and the known-forged list: the 2014
 * fan-in opens one incident naming the prefix and its spread, trips the
 * breaker, rolls back what was accepted and closes by itself; hosting many
 * names on one /24 does not; DNSSEC-failure bursts and unmatched-reply
 * floods; the list's parser and lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "guard/forged.h"
#include "guard/incidents.h"

struct seen_log {
	unsigned opened, updated, closed, rolled_back;
	uint64_t last_id;
	char rule[32];
	char json[HF_INCIDENT_JSON_MAX + 1];
};

static void sink(void *arg, uint64_t id, const char *rule, enum hf_incident_change ch,
                 const char *json, size_t len)
{
	struct seen_log *l = arg;
	l->opened += ch == HF_INCIDENT_OPEN;
	l->updated += ch == HF_INCIDENT_UPDATE;
	l->closed += ch == HF_INCIDENT_CLOSE;
	l->last_id = id;
	snprintf(l->rule, sizeof(l->rule), "%s", rule);
	memcpy(l->json, json, len);
	l->json[len] = '\0';
}

static void rollback(void *arg, const uint8_t *name)
{
	(void)name;
	((struct seen_log *)arg)->rolled_back++;
}

static const struct hf_incident_opts OPTS = {
    .window_s = 300,
    .quiet_s = 120,
    .fanin_names = 5,
    .fanin_zones = 3,
    .fanin_servers = 2,
    .dnssec_zones = 4,
    .unmatched_flood = 50,
};

/* One reply for name (from zone, via server) with one IPv4 address. */
static uint64_t answer(struct hf_incidents *h, const char *name, const char *zone,
                       const char *server, const char *addr, bool suspect, int64_t now)
{
	uint8_t n[HF_NAME_MAX], z[HF_NAME_MAX], a[4];
	assert_true(hf_name_from_text(name, strlen(name), NULL, n) > 0);
	assert_true(hf_name_from_text(zone, strlen(zone), NULL, z) > 0);
	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	struct hf_seen s = {.name = n, .zone = z, .server = server, .naddr = 1, .suspect = suspect};
	s.addr[0] = a;
	s.addr_len[0] = 4;
	return hf_incidents_answer(h, &s, now);
}

static void test_fanin_2014(void **state)
{
	(void)state;
	struct seen_log log = {0};
	struct hf_incidents *h = hf_incidents_new(&OPTS, sink, rollback, &log);
	assert_non_null(h);
	char name[64], zone[64], server[32];
	/* A normal day: ten names in ten zones, each at its own address. */
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "www.z%d.example.", i);
		snprintf(zone, sizeof(zone), "z%d.example.", i);
		snprintf(server, sizeof(server), "192.0.2.%d@53", i);
		char addr[32];
		snprintf(addr, sizeof(addr), "203.0.%d.10", 100 + i);
		assert_int_equal(answer(h, name, zone, server, addr, false, 1000), 0);
	}
	/* The injector: the first two names' forged answers slip through (accepted), the
	 * rest are doubted; one incident opens at the fifth name. */
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "www.z%d.example.", i);
		snprintf(zone, sizeof(zone), "z%d.example.", i);
		snprintf(server, sizeof(server), "192.0.2.%d@53", i);
		assert_int_equal(answer(h, name, zone, server, "65.49.2.178", i >= 2, 2000 + i), 0);
	}
	assert_int_equal(log.opened, 0);
	/* The reply that opens it is part of it. */
	assert_int_equal(
	    answer(h, "www.z4.example.", "z4.example.", "192.0.2.4@53", "65.49.2.178", true, 2005),
	    1);
	assert_int_equal(log.opened, 1);
	assert_int_equal(hf_incidents_open(h), 1);
	assert_string_equal(log.rule, "fan-in");
	assert_non_null(strstr(log.json, "\"address\":\"65.49.2.0/24\""));
	assert_non_null(strstr(log.json, "\"names\":5,\"zones\":5,\"servers\":5"));
	assert_non_null(strstr(log.json, "\"state\":\"open\""));
	assert_non_null(strstr(log.json, "\"start\":2000"));
	assert_int_equal(log.rolled_back, 2); /* the two accepted before it opened */
	/* The breaker: an accepted answer in the prefix is now refused, another address is not. */
	uint64_t id = log.last_id;
	assert_int_equal(
	    answer(h, "www.z7.example.", "z7.example.", "192.0.2.7@53", "65.49.2.9", false, 2010),
	    id);
	assert_int_equal(answer(h, "www.z8.example.", "z8.example.", "192.0.2.8@53", "203.0.108.10",
	                        false, 2010),
	                 0);
	hf_incidents_tick(h, 2012);
	assert_int_equal(log.updated, 1);
	assert_non_null(strstr(log.json, "\"answers_blocked\":1"));
	/* Honest answers it blocks do not keep it open: quiet for guard.incident-quiet after
	 * the last forged reply, it closes, its end that reply. */
	hf_incidents_tick(h, 2100);
	assert_int_equal(log.closed, 0);
	hf_incidents_tick(h, 2005 + 120);
	assert_int_equal(log.closed, 1);
	assert_int_equal(hf_incidents_open(h), 0);
	assert_non_null(strstr(log.json, "\"state\":\"closed\""));
	assert_non_null(strstr(log.json, "\"end\":2005")); /* the last forged reply */
	assert_int_equal(
	    answer(h, "www.z9.example.", "z9.example.", "192.0.2.9@53", "65.49.2.9", false, 2200),
	    0);
	hf_incidents_free(h);
}

static void test_hosting_is_no_incident(void **state)
{
	(void)state;
	struct seen_log log = {0};
	struct hf_incidents *h = hf_incidents_new(&OPTS, sink, rollback, &log);
	char name[64], zone[64], server[32];
	/* Fifty names in fifty zones on one hoster's /24, first seen, accepted: normal. */
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "www.site%d.example.", i);
		snprintf(zone, sizeof(zone), "site%d.example.", i);
		snprintf(server, sizeof(server), "192.0.2.%d@53", i % 7);
		assert_int_equal(answer(h, name, zone, server, "203.0.113.80", false, 1000 + i), 0);
	}
	/* Nor is a CDN moving names to another of its /24s: nothing was shown forged. */
	for (int i = 10; i < 20; i++) {
		snprintf(name, sizeof(name), "www.site%d.example.", i);
		snprintf(zone, sizeof(zone), "site%d.example.", i);
		snprintf(server, sizeof(server), "192.0.2.%d@53", i % 7);
		assert_int_equal(answer(h, name, zone, server, "203.0.114.80", false, 1100 + i), 0);
	}
	/* Names moving one by one, far apart in time, are no fan-in either. */
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "www.site%d.example.", i);
		snprintf(zone, sizeof(zone), "site%d.example.", i);
		assert_int_equal(
		    answer(h, name, zone, "192.0.2.1@53", "198.51.100.7", false, 5000 + 400 * i),
		    0);
	}
	/* Doubted replies from one zone alone are per-query events, not an incident. */
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%d.site1.example.", i);
		assert_int_equal(answer(h, name, "site1.example.", "192.0.2.1@53", "65.49.2.178",
		                        true, 9000 + i),
		                 0);
	}
	assert_int_equal(log.opened, 0);
	hf_incidents_free(h);
}

static void test_dnssec_burst_and_unmatched_flood(void **state)
{
	(void)state;
	struct seen_log log = {0};
	struct hf_incidents *h = hf_incidents_new(&OPTS, sink, rollback, &log);
	uint8_t n[HF_NAME_MAX];
	char name[64];
	for (int i = 0; i < 10; i++) { /* many failures in one zone: that zone is broken */
		snprintf(name, sizeof(name), "n%d.broken.example.", i);
		assert_true(hf_name_from_text(name, strlen(name), NULL, n) > 0);
		hf_incidents_dnssec_failure(h, n, NULL, 100);
	}
	assert_int_equal(log.opened, 0);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "www.z%d.example.", i);
		assert_true(hf_name_from_text(name, strlen(name), NULL, n) > 0);
		hf_incidents_dnssec_failure(h, n, NULL, 101);
	}
	assert_int_equal(log.opened, 1);
	assert_string_equal(log.rule, "dnssec-burst");
	assert_non_null(strstr(log.json, "\"zones\":4"));
	hf_incidents_tick(h, 101 + 120);
	assert_int_equal(log.closed, 1);

	hf_incidents_unmatched(h, "192.0.2.1@53", 49, 500);
	assert_int_equal(log.opened, 1);
	hf_incidents_unmatched(h, "192.0.2.1@53", 1, 520); /* outside the 10 s window */
	assert_int_equal(log.opened, 1);
	hf_incidents_unmatched(h, "192.0.2.2@53", 60, 521);
	assert_int_equal(log.opened, 2);
	assert_string_equal(log.rule, "unmatched-flood");
	assert_non_null(strstr(log.json, "\"servers\":[\"192.0.2.1@53\",\"192.0.2.2@53\"]"));
	assert_non_null(strstr(log.json, "\"replies\":50"));
	hf_incidents_free(h);
}

static void test_incidents_raised_elsewhere(void **state)
{
	(void)state;
	struct seen_log log = {0};
	struct hf_incidents *h = hf_incidents_new(&OPTS, sink, rollback, &log);
	uint64_t a = hf_incidents_new_id(h), b = hf_incidents_new_id(h);
	assert_true(a != 0 && b == a + 1);
	const char *json = "{\"type\":\"incident\",\"id\":1,\"rule\":\"policy-breaker\"}";
	hf_incidents_report(h, a, "policy-breaker", HF_INCIDENT_OPEN, json, strlen(json));
	assert_int_equal(hf_incidents_open(h), 1);
	assert_int_equal(log.opened, 1);
	assert_string_equal(log.rule, "policy-breaker");
	hf_incidents_report(h, a, "policy-breaker", HF_INCIDENT_CLOSE, json, strlen(json));
	assert_int_equal(hf_incidents_open(h), 0);
	assert_int_equal(log.closed, 1);
	hf_incidents_free(h);
}

static void test_forged_list(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	const char *text = "# comment\n\n 192.0.2.1  # trailing\n198.51.100.0/24\n2001:db8::/32\n"
	                   "10.0.0.0/8\n10.1.2.3\n";
	struct hf_forged *f = hf_forged_parse(text, strlen(text), err);
	assert_non_null(f);
	assert_int_equal(hf_forged_count(f), 5);
	uint8_t a[16];
	struct {
		const char *addr;
		bool on;
	} cases[] = {{"192.0.2.1", true},     {"192.0.2.2", false},    {"198.51.100.77", true},
	             {"198.51.101.1", false}, {"10.200.1.1", true},    {"10.1.2.3", true},
	             {"11.0.0.1", false},     {"2001:db8:1::5", true}, {"2001:db9::1", false}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool v6 = strchr(cases[i].addr, ':') != NULL;
		assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, cases[i].addr, a), 1);
		assert_int_equal(hf_forged_has(f, a, v6 ? 16 : 4), cases[i].on);
	}
	hf_forged_free(f);

	const char *bad = "192.0.2.1\n192.0.2.300\n";
	assert_null(hf_forged_parse(bad, strlen(bad), err));
	assert_string_equal(err, "line 2: '192.0.2.300' is not an address or prefix");
	assert_null(hf_forged_load("/nonexistent/forged.txt", err));
	assert_non_null(strstr(err, "/nonexistent/forged.txt"));

	f = hf_forged_load(NULL, err); /* the built-in list */
	assert_non_null(f);
	assert_true(hf_forged_count(f) > 600);
	assert_int_equal(inet_pton(AF_INET, "65.49.2.178", a), 1);
	assert_true(hf_forged_has(f, a, 4));
	assert_int_equal(inet_pton(AF_INET, "65.49.2.179", a), 1);
	assert_false(hf_forged_has(f, a, 4));
	hf_forged_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fanin_2014),
	    cmocka_unit_test(test_hosting_is_no_incident),
	    cmocka_unit_test(test_dnssec_burst_and_unmatched_flood),
	    cmocka_unit_test(test_incidents_raised_elsewhere),
	    cmocka_unit_test(test_forged_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
