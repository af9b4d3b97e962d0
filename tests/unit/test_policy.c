/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Policy (src/policy): block lists in both formats, RPZ triggers and
 * actions, the precedence between sources and within one, errors that name
 * the line, the blast-radius guard on a sample, and the breaker tripping on
 * a rule that takes the traffic, then closing its incident on retirement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "guard/incidents.h"
#include "policy/policy.h"
#include "util/err.h"
#include "wire/name.h"

static const uint8_t *name(const char *text)
{
	static uint8_t buf[4][HF_NAME_MAX];
	static unsigned next;
	uint8_t *out = buf[next++ % 4];
	assert_true(hf_name_from_text(text, strlen(text), NULL, out) > 0);
	return out;
}

static int action_of(struct hf_policy *p, const char *qname)
{
	struct hf_policy_rule *r = hf_policy_qname(p, name(qname));
	return r == NULL ? -1 : (int)hf_policy_rule_action(r);
}

static struct hf_policy *rpz(const char *text)
{
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy *p = hf_policy_new();
	assert_non_null(p);
	int rc = hf_policy_add_rpz(p, "rpz.test.", name("rpz.test."), text, strlen(text), err,
	                           sizeof(err));
	if (rc != HF_OK)
		fail_msg("%s", err);
	return p;
}

static void rpz_error(const char *text, const char *want)
{
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy *p = hf_policy_new();
	assert_int_equal(
	    hf_policy_add_rpz(p, "z", name("rpz.test."), text, strlen(text), err, sizeof(err)),
	    HF_EINVAL);
	assert_string_equal(err, want);
	hf_policy_free(p);
}

static void test_blocklist_formats(void **state)
{
	(void)state;
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy *p = hf_policy_new();
	const char *hosts = "127.0.0.1 localhost\n0.0.0.0 ads.example tr.example # x\n";
	const char *doms = "# c\nbad.example\n\n*.below.example\n";
	assert_int_equal(hf_policy_add_blocklist(p, "h", HF_POLICY_HOSTS, "nxdomain", hosts,
	                                         strlen(hosts), err, sizeof(err)),
	                 HF_OK);
	assert_int_equal(hf_policy_add_blocklist(p, "d", HF_POLICY_DOMAINS, "192.0.2.1", doms,
	                                         strlen(doms), err, sizeof(err)),
	                 HF_OK);
	assert_int_equal(action_of(p, "ads.example."), HF_POLICY_NXDOMAIN);
	assert_int_equal(action_of(p, "x.ads.example."), -1); /* hosts: exact names */
	assert_int_equal(action_of(p, "localhost."), -1);     /* single labels skipped */
	assert_int_equal(action_of(p, "bad.example."), HF_POLICY_LOCAL);
	assert_int_equal(action_of(p, "a.b.bad.example."), HF_POLICY_LOCAL);
	assert_int_equal(action_of(p, "below.example."), -1);
	assert_int_equal(action_of(p, "x.below.example."), HF_POLICY_LOCAL);
	struct hf_policy_rule *r = hf_policy_qname(p, name("BAD.Example."));
	assert_non_null(r);
	assert_string_equal(hf_policy_rule_source(r), "d");
	const struct hf_policy_rr *rrs;
	assert_int_equal(hf_policy_rule_rrs(r, &rrs), 1);
	assert_int_equal(rrs[0].rdlen, 4);
	hf_policy_free(p);
}

static void test_blocklist_errors(void **state)
{
	(void)state;
	static const struct {
		enum hf_policy_format fmt;
		const char *text, *want;
	} cases[] = {
	    {HF_POLICY_HOSTS, "0.0.0.0 a.example\nads.example\n",
	     "line 2: \"ads.example\" is not an address (hosts lines are ADDR NAME...)"},
	    {HF_POLICY_DOMAINS, "a.example\nb.example c.example\n",
	     "line 2: one name a line, found more"},
	    {HF_POLICY_DOMAINS, "a.*.example\n", "line 1: \"a.*.example\" is not a domain name"},
	    {HF_POLICY_DOMAINS, "||ads.example^\n",
	     "line 1: \"||ads.example^\" is not a domain name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[HF_POLICY_ERR_MAX];
		struct hf_policy *p = hf_policy_new();
		assert_int_equal(hf_policy_add_blocklist(p, "l", cases[i].fmt, "nodata",
		                                         cases[i].text, strlen(cases[i].text), err,
		                                         sizeof(err)),
		                 HF_EINVAL);
		assert_string_equal(err, cases[i].want);
		hf_policy_free(p);
	}
}

static void test_rpz_triggers_and_actions(void **state)
{
	(void)state;
	struct hf_policy *p = rpz("$TTL 60\n"
	                          "@ SOA a. b. ( 1 2\n 3 4 5 ) ; apex\n"
	                          "  NS a.\n"
	                          "nx.example CNAME .\n"
	                          "nd.example CNAME *.\n"
	                          "ok.example CNAME rpz-passthru.\n"
	                          "dr.example CNAME rpz-drop.\n"
	                          "tc.example CNAME rpz-tcp-only.\n"
	                          "*.w.example CNAME .\n"
	                          "data.example A 192.0.2.1\n"
	                          "             AAAA 2001:db8::1\n"
	                          "24.0.2.0.192.rpz-ip CNAME .\n"
	                          "64.zz.db8.2001.rpz-ip CNAME *.\n"
	                          "ns.bad.rpz-nsdname CNAME .\n"
	                          "32.1.0.0.10.rpz-client-ip CNAME .\n");
	assert_int_equal(action_of(p, "nx.example."), HF_POLICY_NXDOMAIN);
	assert_int_equal(action_of(p, "nd.example."), HF_POLICY_NODATA);
	assert_int_equal(action_of(p, "ok.example."), HF_POLICY_PASSTHRU);
	assert_int_equal(action_of(p, "dr.example."), HF_POLICY_DROP);
	assert_int_equal(action_of(p, "tc.example."), HF_POLICY_TCP_ONLY);
	assert_int_equal(action_of(p, "a.b.w.example."), HF_POLICY_NXDOMAIN);
	assert_int_equal(action_of(p, "w.example."), -1);
	assert_int_equal(action_of(p, "data.example."), HF_POLICY_LOCAL);
	const struct hf_policy_rr *rrs;
	assert_int_equal(hf_policy_rule_rrs(hf_policy_qname(p, name("data.example.")), &rrs), 2);
	assert_int_equal(rrs[0].ttl, 60);
	uint8_t v4[4] = {192, 0, 2, 200}, v4no[4] = {192, 0, 3, 1};
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 9};
	assert_int_equal(hf_policy_rule_action(hf_policy_ip(p, v4, 4)), HF_POLICY_NXDOMAIN);
	assert_null(hf_policy_ip(p, v4no, 4));
	assert_int_equal(hf_policy_rule_action(hf_policy_ip(p, v6, 16)), HF_POLICY_NODATA);
	char text[64];
	hf_policy_rule_text(hf_policy_ip(p, v6, 16), text, sizeof(text));
	assert_string_equal(text, "2001:db8:0:0:0:0:0:0/64");
	assert_non_null(hf_policy_nsdname(p, name("NS.bad.")));
	assert_null(hf_policy_nsdname(p, name("ns.good.")));
	hf_policy_free(p);
}

static void test_rpz_errors(void **state)
{
	(void)state;
	rpz_error("a A 192.0.2.1\nb A 1.2.3\n", "line 2: presentation-format syntax error");
	rpz_error("a CNAME .\na A 192.0.2.1\n",
	          "line 2: a.rpz.test. has a policy action already (line 1); an action takes no "
	          "other records");
	rpz_error("x.example. A 192.0.2.1\n", "line 1: x.example. is outside the zone");
	rpz_error("$INCLUDE other\n", "line 1: $INCLUDE is not supported");
	rpz_error("a SOA a. b. ( 1 2 3 4 5\n", "line 1: unbalanced parentheses or quotes");
	rpz_error("33.1.2.0.192.rpz-ip CNAME .\n",
	          "line 1: not an rpz-ip trigger (PREFIXLEN.address reversed)");
	rpz_error("  A 192.0.2.1\n", "line 1: no owner name yet");
}

/* Local data, then zones in order, then lists; within a source exact beats wildcard. */
static void test_precedence(void **state)
{
	(void)state;
	char err[HF_POLICY_ERR_MAX];
	char *local[] = {"x.example. A 192.0.2.9"};
	struct hf_policy *p = hf_policy_new();
	const char *z1 = "*.example CNAME *.\nkeep.example CNAME rpz-passthru.\n";
	const char *z2 = "y.example CNAME .\nkeep.example CNAME .\n";
	const char *list = "example\n";
	assert_int_equal(hf_policy_add_local_data(p, local, 1, err, sizeof(err)), HF_OK);
	assert_int_equal(
	    hf_policy_add_rpz(p, "one", name("one."), z1, strlen(z1), err, sizeof(err)), HF_OK);
	assert_int_equal(
	    hf_policy_add_rpz(p, "two", name("two."), z2, strlen(z2), err, sizeof(err)), HF_OK);
	assert_int_equal(hf_policy_add_blocklist(p, "l", HF_POLICY_DOMAINS, "nxdomain", list,
	                                         strlen(list), err, sizeof(err)),
	                 HF_OK);
	assert_int_equal(action_of(p, "x.example."), HF_POLICY_LOCAL);
	assert_int_equal(action_of(p, "y.example."), HF_POLICY_NODATA); /* zone one first */
	assert_int_equal(action_of(p, "keep.example."), HF_POLICY_PASSTHRU);
	assert_int_equal(action_of(p, "example."), HF_POLICY_NXDOMAIN); /* only the list */
	hf_policy_free(p);
}

static void test_wide_rules(void **state)
{
	(void)state;
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy *p = rpz("* A 65.49.2.178\n*.com CNAME .\nnet CNAME .\nok.com CNAME .\n"
	                          "*.org CNAME rpz-passthru.\n");
	assert_int_equal(hf_policy_check_wide(p, err, sizeof(err)), HF_EINVAL);
	assert_non_null(strstr(err, "3 rules at or above a top-level domain"));
	assert_non_null(strstr(err, "* (rpz.test., line 1)"));
	assert_non_null(strstr(err, "*.com. (rpz.test., line 2)"));
	hf_policy_free(p);
	p = rpz("ok.com CNAME .\n");
	assert_int_equal(hf_policy_check_wide(p, err, sizeof(err)), HF_OK);
	hf_policy_free(p);
}

static void ask_names(struct hf_policy_sample *s, unsigned n, const char *first, const char *tld)
{
	for (unsigned i = 0; i < n; i++) {
		char t[64];
		snprintf(t, sizeof(t), "%s%u.%s.", first, i, tld);
		hf_policy_sample_add(s, i, name(t));
	}
}

static void test_blast_radius(void **state)
{
	(void)state;
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy_sample *s = hf_policy_sample_new(2);
	struct hf_policy *wide = rpz("*.com CNAME .\n"), *one = rpz("n1.com CNAME .\n");
	ask_names(s, 50, "n", "com");
	/* Too few names to show a share: passes. */
	assert_int_equal(hf_policy_check_blast(NULL, wide, s, 100, err, sizeof(err)), HF_OK);
	ask_names(s, 150, "m", "org");
	assert_int_equal(hf_policy_check_blast(NULL, wide, s, 100, err, sizeof(err)), HF_EINVAL);
	assert_non_null(strstr(err, "50 of the 200 recently asked names (25.0%, over "
	                            "policy.max-blast 1%), among them n"));
	/* 1 of 200 is 0.5%: within 1%. */
	assert_int_equal(hf_policy_check_blast(NULL, one, s, 100, err, sizeof(err)), HF_OK);
	/* What the running policy does already is not new. */
	assert_int_equal(hf_policy_check_blast(wide, wide, s, 100, err, sizeof(err)), HF_OK);
	hf_policy_free(wide);
	hf_policy_free(one);
	hf_policy_sample_free(s);
}

struct seen {
	unsigned opened, closed;
	char json[HF_INCIDENT_JSON_MAX + 1];
};

static void sink(void *arg, uint64_t id, const char *rule, enum hf_incident_change ch,
                 const char *json, size_t len)
{
	struct seen *l = arg;
	(void)id;
	assert_string_equal(rule, "policy-breaker");
	l->opened += ch == HF_INCIDENT_OPEN;
	l->closed += ch == HF_INCIDENT_CLOSE;
	memcpy(l->json, json, len);
	l->json[len] = '\0';
}

static void test_breaker(void **state)
{
	(void)state;
	struct seen seen = {0};
	struct hf_incident_opts io = {.window_s = 60, .quiet_s = 60};
	struct hf_incidents *inc = hf_incidents_new(&io, sink, NULL, &seen);
	struct hf_policy_sample *s = hf_policy_sample_new(1);
	struct hf_policy *p = rpz("* A 65.49.2.178\nquiet.example CNAME .\n");
	struct hf_policy_breaker_opts o = {
	    .enabled = true, .window_s = 10, .share_bp = 2000, .min_hits = 50, .growth = 10};
	hf_policy_set_breaker(p, &o);
	assert_int_equal(hf_policy_tick(p, 0, s, inc, 1000), 0);
	/* A few hits of a quiet rule: nothing. */
	for (int i = 0; i < 5; i++)
		hf_policy_hit(p, hf_policy_qname(p, name("quiet.example.")));
	assert_int_equal(hf_policy_tick(p, 100, s, inc, 1001), 0);
	/* The root wildcard takes 60 of 100 queries. */
	for (int i = 0; i < 60; i++) {
		char t[32];
		snprintf(t, sizeof(t), "n%d.example.", i);
		hf_policy_sample_add(s, 0, name(t));
		hf_policy_hit(p, hf_policy_qname(p, name(t)));
	}
	assert_int_equal(hf_policy_tick(p, 200, s, inc, 1002), 1);
	assert_int_equal(hf_policy_suspended(p), 1);
	assert_int_equal(seen.opened, 1);
	assert_non_null(strstr(seen.json, "\"policy_rule\":\"*\""));
	assert_non_null(strstr(seen.json, "\"hits\":60,\"queries\":200"));
	assert_non_null(strstr(seen.json, "\"sample\":[\"n"));
	assert_null(hf_policy_qname(p, name("n1.example."))); /* suspended: as if absent */
	assert_int_equal(action_of(p, "quiet.example."), HF_POLICY_NXDOMAIN);
	hf_policy_retire(p, inc, 1003);
	assert_int_equal(seen.closed, 1);
	assert_non_null(strstr(seen.json, "\"state\":\"closed\""));
	hf_policy_free(p);
	hf_policy_sample_free(s);
	hf_incidents_free(inc);
}

/* A rule for one exact name that takes the traffic is a popular name, not a misfire. */
static void test_breaker_spares_exact_names(void **state)
{
	(void)state;
	struct hf_policy *p = rpz("printer.example A 192.0.2.9\n");
	struct hf_policy_breaker_opts o = {
	    .enabled = true, .window_s = 10, .share_bp = 2000, .min_hits = 50, .growth = 10};
	hf_policy_set_breaker(p, &o);
	assert_int_equal(hf_policy_tick(p, 0, NULL, NULL, 1000), 0);
	for (int i = 0; i < 90; i++)
		hf_policy_hit(p, hf_policy_qname(p, name("printer.example.")));
	assert_int_equal(hf_policy_tick(p, 100, NULL, NULL, 1001), 0);
	assert_int_equal(hf_policy_suspended(p), 0);
	hf_policy_free(p);
}

/* A rule that was busy before it got busier does not trip: growth is against its own rate. */
static void test_breaker_steady_rule(void **state)
{
	(void)state;
	struct hf_policy *p = rpz("*.busy.example CNAME .\n");
	struct hf_policy_breaker_opts o = {
	    .enabled = true, .window_s = 1, .share_bp = 2000, .min_hits = 50, .growth = 10};
	hf_policy_set_breaker(p, &o);
	assert_int_equal(hf_policy_tick(p, 0, NULL, NULL, 0), 0);
	for (int i = 0; i < 40; i++) /* below min-hits: its first window sets its rate */
		hf_policy_hit(p, hf_policy_qname(p, name("www.busy.example.")));
	assert_int_equal(hf_policy_tick(p, 120, NULL, NULL, 1), 0);
	uint64_t q = 120;
	for (int t = 2; t < 6; t++) {
		for (int i = 0; i < 100; i++)
			hf_policy_hit(p, hf_policy_qname(p, name("www.busy.example.")));
		q += 120;
		assert_int_equal(hf_policy_tick(p, q, NULL, NULL, t), 0);
	}
	assert_int_equal(hf_policy_suspended(p), 0);
	hf_policy_free(p);
}

static void test_config(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	const char *good = "policy:\n  rpz:\n    - {file: /x, name: rpz.test}\n"
	                   "  blocklists:\n    - {file: /y, format: hosts, action: \"::1\"}\n"
	                   "  max-blast: 0.5%\n  breaker: {share: 30%, window: 5s}\n";
	struct hf_config *cfg = hf_config_parse("t.yaml", good, strlen(good), err);
	assert_non_null(cfg);
	assert_int_equal(cfg->policy.nrpz, 1);
	assert_int_equal(cfg->policy.rpz[0].line, 3);
	assert_string_equal(cfg->policy.blocklists[0].format, "hosts");
	assert_string_equal(cfg->policy.blocklists[0].name, "");
	assert_int_equal(cfg->policy.max_blast, 50);
	assert_int_equal(cfg->policy.breaker.share, 3000);
	assert_int_equal(cfg->policy.breaker.min_hits, 50);
	hf_config_free(cfg);
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {"policy:\n  max-blast: 1\n",
	     "t.yaml:2: policy.max-blast: \"1\" is not a share (like 1% or 0.5%)"},
	    {"policy:\n  max-blast: 101%\n",
	     "t.yaml:2: policy.max-blast: \"101%\" is out of range (0%..100%)"},
	    {"policy:\n  rpz:\n    - {file: /x}\n", "t.yaml:3: policy.rpz[0]: missing key name"},
	    {"policy:\n  blocklists:\n    - file: /y\n      format: adblock\n",
	     "t.yaml:4: policy.blocklists[0].format: \"adblock\" is not hosts or domains"},
	    {"policy:\n  blocklists: [/y]\n",
	     "t.yaml:2: policy.blocklists[0]: expected a mapping, found \"/y\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(hf_config_parse("t.yaml", bad[i].text, strlen(bad[i].text), err));
		assert_string_equal(err, bad[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocklist_formats),
	    cmocka_unit_test(test_blocklist_errors),
	    cmocka_unit_test(test_rpz_triggers_and_actions),
	    cmocka_unit_test(test_rpz_errors),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_wide_rules),
	    cmocka_unit_test(test_blast_radius),
	    cmocka_unit_test(test_breaker),
	    cmocka_unit_test(test_breaker_steady_rule),
	    cmocka_unit_test(test_breaker_spares_exact_names),
	    cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
