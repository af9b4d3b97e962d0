/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration loader: defaults from an empty document, every key set
 * and read back, every class of error with its exact one-line message,
 * addresses and prefixes table-driven, local-data checks, reading files, the
 * reference table, and every allocation failing in turn without a leak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/rr.h"

static struct hf_config *parse(const char *text, char err[HF_CONFIG_ERR_MAX])
{
	return hf_config_parse("t.yaml", text, strlen(text), err);
}

/* text fails to load with exactly the message want. */
static void check_error(const char *text, const char *want)
{
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = parse(text, err);
	if (cfg != NULL || strcmp(err, want) != 0) {
		print_error("config:\n%s\nwant: %s\ngot:  %s\n", text, want,
		            cfg != NULL ? "(loaded)" : err);
		hf_config_free(cfg);
		fail();
	}
	assert_null(strchr(err, '\n'));
}

static const char *fmt_addr(const struct hf_addr *a)
{
	static char buf[64];
	hf_addr_format(a, buf, sizeof(buf));
	return buf;
}

static const char *fmt_prefix(const struct hf_prefix *p)
{
	static char buf[64];
	hf_prefix_format(p, buf, sizeof(buf));
	return buf;
}

static void check_defaults(const struct hf_config *cfg)
{
	assert_int_equal(cfg->nlisten, 2);
	assert_string_equal(fmt_addr(&cfg->listen[0]), "127.0.0.1@53");
	assert_string_equal(fmt_addr(&cfg->listen[1]), "::1@53");
	assert_int_equal(cfg->workers, 0);
	assert_int_equal(cfg->nforward, 0);
	assert_null(cfg->forward);
	assert_false(cfg->forward_resolv_conf);
	assert_string_equal(cfg->root_hints, "/usr/share/dns/root.hints");
	assert_int_equal(cfg->ntrust_anchors, 1);
	assert_string_equal(cfg->trust_anchors[0], "/usr/share/dns/root.ds");
	assert_int_equal(cfg->nnegative_trust_anchors, 0);
	assert_int_equal(cfg->nlocal_data, 0);

	assert_true(cfg->resolver.qname_minimisation);
	assert_true(cfg->resolver.strict_glue);
	assert_true(cfg->resolver.upstream_ip4);
	assert_true(cfg->resolver.upstream_ip6);
	assert_false(cfg->resolver.allow_loopback_upstreams);
	assert_int_equal(cfg->resolver.noutgoing, 0);
	assert_int_equal(cfg->resolver.edns_buffer_size, 1232);
	assert_true(cfg->resolver.local_zones);
	assert_int_equal(cfg->resolver.query_timeout_ms, 1500);

	assert_string_equal(cfg->cache.path, "/var/cache/holdfast");
	assert_int_equal(cfg->cache.size, 256ull << 20);
	assert_int_equal(cfg->cache.min_ttl, 0);
	assert_int_equal(cfg->cache.max_ttl, 86400);
	assert_int_equal(cfg->cache.negative_max_ttl, 3 * 3600);

	assert_true(cfg->serve_stale.enabled);
	assert_int_equal(cfg->serve_stale.max_stale, 86400);
	assert_int_equal(cfg->serve_stale.client_timeout_ms, 1800);
	assert_int_equal(cfg->serve_stale.answer_ttl, 30);

	assert_int_equal(cfg->access.nallow, 2);
	assert_string_equal(fmt_prefix(&cfg->access.allow[0]), "127.0.0.0/8");
	assert_string_equal(fmt_prefix(&cfg->access.allow[1]), "::1/128");

	assert_int_equal(cfg->tcp.idle_timeout_ms, 10000);
	assert_int_equal(cfg->tcp.max_connections, 1000);
	assert_int_equal(cfg->tcp.max_per_client, 32);

	assert_string_equal(cfg->control.socket, "/run/holdfast/control.sock");
	assert_true(cfg->control.http_enabled);
	assert_string_equal(fmt_addr(&cfg->control.http), "127.0.0.1@8053");
	assert_string_equal(cfg->events.file, "/var/log/holdfast/events.jsonl");
	/* dnstap is off by default: neither a file nor a socket. */
	assert_string_equal(cfg->dnstap.file, "");
	assert_string_equal(cfg->dnstap.socket, "");
	assert_true(cfg->dnstap.client);
	assert_true(cfg->dnstap.upstream);
	assert_string_equal(cfg->dnstap.identity, "");
	assert_string_equal(cfg->dnstap.version, "");
	assert_int_equal(cfg->log.level, HF_LOG_LVL_INFO);
}

static void test_defaults(void **state)
{
	(void)state;
	static const char *const empty[] = {
	    "",
	    "\n\n",
	    "# only a comment\n",
	    "---\n",
	    "---\n...\n",
	    "~\n",
	    "{}\n",
	    "resolver:\ncache:\n  # every key commented out\nforward:\nlocal-data:\n",
	};
	char err[HF_CONFIG_ERR_MAX];
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		struct hf_config *cfg = parse(empty[i], err);
		if (cfg == NULL)
			print_error("%s: %s\n", empty[i], err);
		assert_non_null(cfg);
		assert_string_equal(cfg->path, "t.yaml");
		check_defaults(cfg);
		hf_config_free(cfg);
	}

	struct hf_config *cfg = parse("forward: []\n", err);
	assert_non_null(cfg);
	check_defaults(cfg);
	hf_config_free(cfg);
	cfg = parse("forward: resolv.conf\n", err);
	assert_non_null(cfg);
	assert_true(cfg->forward_resolv_conf);
	cfg->forward_resolv_conf = false;
	check_defaults(cfg);
	hf_config_free(cfg);

	cfg = hf_config_load(NULL, err);
	assert_non_null(cfg);
	assert_null(cfg->path);
	check_defaults(cfg);
	hf_config_free(cfg);

	/* NULL text with no length is the empty document. */
	cfg = hf_config_parse(NULL, NULL, 0, err);
	assert_non_null(cfg);
	check_defaults(cfg);
	hf_config_free(cfg);
}

static const char every_key[] =
    "listen: [192.0.2.53@5353, \"2001:db8::53\"]\n"
    "workers: 4\n"
    "forward:\n"
    "  - zone: example.com\n"
    "    upstreams: [192.0.2.1, \"tls://192.0.2.2@8853#dns.example\", "
    "\"https://dns.example/q@192.0.2.4\"]\n"
    "    tls-ca: /etc/holdfast/ca.pem\n"
    "  - zone: .\n"
    "    upstreams: \"2001:db8::1@5300\"\n"
    "root-hints: /etc/holdfast/root.hints\n"
    "trust-anchors: []\n"
    "negative-trust-anchors: [broken.example., corp]\n"
    "local-data:\n"
    "  - \"host.lan. 300 A 192.0.2.7\"\n"
    "  - host.lan. AAAA 2001:db8::7\n"
    "resolver:\n"
    "  qname-minimisation: false\n"
    "  strict-glue: no\n"
    "  upstream-ip4: false\n"
    "  upstream-ip6: true\n"
    "  allow-loopback-upstreams: true\n"
    "  outgoing: [192.0.2.9, \"2001:db8::9@1234\"]\n"
    "  edns-buffer-size: 4096\n"
    "  local-zones: off\n"
    "  query-timeout: 2s\n"
    "cache:\n"
    "  path: \"\"\n"
    "  size: 1G\n"
    "  min-ttl: 1m\n"
    "  max-ttl: 2w\n"
    "  negative-max-ttl: 1h30m\n"
    "serve-stale: {enabled: false, max-stale: 3d, client-timeout: 400ms, answer-ttl: 1m}\n"
    "access: {allow: [192.0.2.0/24, \"2001:db8::/32\", 198.51.100.7]}\n"
    "tcp:\n"
    "  idle-timeout: 1m\n"
    "  max-connections: 50\n"
    "  max-per-client: 2\n"
    "control: {socket: \"\", http: \"\"}\n"
    "events: {file: /tmp/events.jsonl}\n"
    "log: {level: debug}\n";

static void test_every_key(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = parse(every_key, err);
	if (cfg == NULL)
		print_error("%s\n", err);
	assert_non_null(cfg);

	assert_int_equal(cfg->nlisten, 2);
	assert_string_equal(fmt_addr(&cfg->listen[0]), "192.0.2.53@5353");
	assert_string_equal(fmt_addr(&cfg->listen[1]), "2001:db8::53@53");
	assert_int_equal(cfg->workers, 4);

	assert_false(cfg->forward_resolv_conf);
	assert_int_equal(cfg->nforward, 2);
	assert_memory_equal(cfg->forward[0].zone, "\7example\3com", 13);
	assert_int_equal(cfg->forward[0].nupstreams, 3);
	const struct hf_upstream_conf *u = cfg->forward[0].upstreams;
	assert_int_equal(u[0].proto, HF_UPSTREAM_DNS);
	assert_string_equal(fmt_addr(&u[0].addr), "192.0.2.1@53");
	assert_int_equal(u[1].proto, HF_UPSTREAM_TLS);
	assert_string_equal(fmt_addr(&u[1].addr), "192.0.2.2@8853");
	assert_string_equal(u[1].tls_name, "dns.example");
	assert_int_equal(u[2].proto, HF_UPSTREAM_HTTPS);
	assert_string_equal(u[2].url, "https://dns.example/q@192.0.2.4");
	assert_string_equal(fmt_addr(&u[2].addr), "192.0.2.4@443");
	assert_string_equal(u[2].tls_name, "dns.example");
	assert_string_equal(u[2].http_authority, "dns.example");
	assert_string_equal(u[2].http_path, "/q");
	assert_string_equal(cfg->forward[0].tls_ca, "/etc/holdfast/ca.pem");
	assert_int_equal(cfg->forward[1].zone[0], 0);
	assert_string_equal(cfg->forward[1].tls_ca, ""); /* the default: the system's store */
	assert_int_equal(cfg->forward[1].nupstreams, 1);
	assert_string_equal(fmt_addr(&cfg->forward[1].upstreams[0].addr), "2001:db8::1@5300");

	assert_string_equal(cfg->root_hints, "/etc/holdfast/root.hints");
	assert_int_equal(cfg->ntrust_anchors, 0);
	assert_int_equal(cfg->nnegative_trust_anchors, 2);
	assert_memory_equal(cfg->negative_trust_anchors[0], "\6broken\7example", 16);
	assert_memory_equal(cfg->negative_trust_anchors[1], "\4corp", 6);
	assert_int_equal(cfg->nlocal_data, 2);
	assert_string_equal(cfg->local_data[0], "host.lan. 300 A 192.0.2.7");
	assert_string_equal(cfg->local_data[1], "host.lan. AAAA 2001:db8::7");

	assert_false(cfg->resolver.qname_minimisation);
	assert_false(cfg->resolver.strict_glue);
	assert_false(cfg->resolver.upstream_ip4);
	assert_true(cfg->resolver.upstream_ip6);
	assert_true(cfg->resolver.allow_loopback_upstreams);
	assert_int_equal(cfg->resolver.noutgoing, 2);
	assert_string_equal(fmt_addr(&cfg->resolver.outgoing[0]), "192.0.2.9@0");
	assert_string_equal(fmt_addr(&cfg->resolver.outgoing[1]), "2001:db8::9@1234");
	assert_int_equal(cfg->resolver.edns_buffer_size, 4096);
	assert_false(cfg->resolver.local_zones);
	assert_int_equal(cfg->resolver.query_timeout_ms, 2000);

	assert_string_equal(cfg->cache.path, "");
	assert_int_equal(cfg->cache.size, 1ull << 30);
	assert_int_equal(cfg->cache.min_ttl, 60);
	assert_int_equal(cfg->cache.max_ttl, 14 * 86400);
	assert_int_equal(cfg->cache.negative_max_ttl, 5400);

	assert_false(cfg->serve_stale.enabled);
	assert_int_equal(cfg->serve_stale.max_stale, 3 * 86400);
	assert_int_equal(cfg->serve_stale.client_timeout_ms, 400);
	assert_int_equal(cfg->serve_stale.answer_ttl, 60);

	assert_int_equal(cfg->access.nallow, 3);
	assert_string_equal(fmt_prefix(&cfg->access.allow[0]), "192.0.2.0/24");
	assert_string_equal(fmt_prefix(&cfg->access.allow[1]), "2001:db8::/32");
	assert_string_equal(fmt_prefix(&cfg->access.allow[2]), "198.51.100.7/32");

	assert_int_equal(cfg->tcp.idle_timeout_ms, 60000);
	assert_int_equal(cfg->tcp.max_connections, 50);
	assert_int_equal(cfg->tcp.max_per_client, 2);

	assert_string_equal(cfg->control.socket, "");
	assert_false(cfg->control.http_enabled);
	assert_string_equal(cfg->events.file, "/tmp/events.jsonl");
	assert_int_equal(cfg->log.level, HF_LOG_LVL_DEBUG);
	hf_config_free(cfg);
}

/* Smaller forms: a scalar where a list is expected, default ports, auto. */
static void test_shorthands(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = parse("listen: 127.0.0.1@5353\n"
	                              "workers: auto\n"
	                              "control: {http: \"::1\"}\n"
	                              "trust-anchors: /etc/ta.ds\n"
	                              "resolver: {query-timeout: 1}\n",
	                              err);
	if (cfg == NULL)
		print_error("%s\n", err);
	assert_non_null(cfg);
	assert_int_equal(cfg->nlisten, 1);
	assert_string_equal(fmt_addr(&cfg->listen[0]), "127.0.0.1@5353");
	assert_int_equal(cfg->workers, 0);
	assert_true(cfg->control.http_enabled);
	assert_string_equal(fmt_addr(&cfg->control.http), "::1@8053");
	assert_int_equal(cfg->ntrust_anchors, 1);
	assert_string_equal(cfg->trust_anchors[0], "/etc/ta.ds");
	assert_int_equal(cfg->resolver.query_timeout_ms, 1000);
	hf_config_free(cfg);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	check_error(
	    "listen: [127.0.0.1\n",
	    "t.yaml:2: YAML syntax error: did not find expected ',' or ']' (while parsing a "
	    "flow sequence at line 1)");
	check_error("workers: 2\nlog: level: info\n",
	            "t.yaml:2: YAML syntax error: mapping values are not allowed in this context");
	check_error("workers: 2\n  tcp: 1\n",
	            "t.yaml:2: YAML syntax error: mapping values are not allowed in this context");
	check_error("workers: \"2\n",
	            "t.yaml:2: YAML syntax error: found unexpected end of stream (while scanning a "
	            "quoted scalar at line 1)");
	check_error("workers: 2\nlog: \xff\n",
	            "t.yaml:2: YAML syntax error: invalid leading UTF-8 octet");
	check_error("cache:\n\tsize: 1M\n",
	            "t.yaml:2: YAML syntax error: found character that cannot start any token "
	            "(while scanning for the next token at line 2)");
}

static void test_structure_errors(void **state)
{
	(void)state;
	check_error("- a\n- b\n", "t.yaml:1: expected a mapping of keys at the top level (like "
	                          "\"listen: ...\"), found a list");
	check_error("hello\n", "t.yaml:1: expected a mapping of keys at the top level (like "
	                       "\"listen: ...\"), found \"hello\"");
	check_error("workers: 2\n---\nworkers: 3\n",
	            "t.yaml:2: a second YAML document; a config file holds one");
	check_error("listen: &a [127.0.0.1]\nresolver:\n  outgoing: *a\n",
	            "t.yaml:3: YAML aliases (*name) are not supported; write the value out");
	check_error("? [a]\n: b\n", "t.yaml:1: a key must be a plain string, found a list");
	check_error("cache:\n  ? {a: 1}\n  : b\n",
	            "t.yaml:2: cache: a key must be a plain string, found a mapping");

	char deep[300] = "workers: ";
	for (int i = 0; i < 100; i++)
		strcat(deep, "[");
	check_error(deep, "t.yaml:1: nested deeper than 64 levels");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	check_error("lisen: []\n", "t.yaml:1: lisen: unknown key; did you mean listen?");
	check_error("resolver:\n  qname_minimization: true\n",
	            "t.yaml:2: resolver.qname_minimization: unknown key; did you mean "
	            "qname-minimisation?");
	check_error("resolver:\n  Strict-Glue: true\n",
	            "t.yaml:2: resolver.Strict-Glue: unknown key; did you mean strict-glue?");
	check_error("cache:\n  bogus: 1\n",
	            "t.yaml:2: cache.bogus: unknown key (allowed here: path, size, min-ttl, "
	            "max-ttl, prefetch, negative-max-ttl)");
	check_error(
	    "workers: 1\nzzz: 1\n",
	    "t.yaml:2: zzz: unknown key (allowed here: listen, workers, forward, "
	    "root-hints, trust-anchors, negative-trust-anchors, guard, dnssec, local-data, "
	    "resolver, "
	    "cache, serve-stale, access, ratelimit, tcp, control, events, dnstap, policy, log)");
	/* Dotted keys are not a shorthand for nesting. */
	check_error(
	    "cache.size: 1M\n",
	    "t.yaml:1: cache.size: unknown key (allowed here: listen, workers, forward, "
	    "root-hints, trust-anchors, negative-trust-anchors, guard, dnssec, local-data, "
	    "resolver, "
	    "cache, serve-stale, access, ratelimit, tcp, control, events, dnstap, policy, log)");
	/* A key with a newline in it is escaped, so the message stays one line. */
	check_error(
	    "\"a\\nb\": 1\n",
	    "t.yaml:1: a\\x0ab: unknown key (allowed here: listen, workers, forward, "
	    "root-hints, trust-anchors, negative-trust-anchors, guard, dnssec, local-data, "
	    "resolver, "
	    "cache, serve-stale, access, ratelimit, tcp, control, events, dnstap, policy, log)");
	check_error("forward:\n  - zone: .\n    upstream: [192.0.2.1]\n",
	            "t.yaml:3: forward[0].upstream: unknown key; did you mean upstreams?");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	check_error("workers: 2\nworkers: 3\n",
	            "t.yaml:2: workers: duplicate key (first at line 1)");
	check_error("cache: {}\nlog: {}\ncache: {size: 2M}\n",
	            "t.yaml:3: cache: duplicate key (first at line 1)");
	check_error("tcp:\n  max-connections: 5\n  max-connections: 6\n",
	            "t.yaml:3: tcp.max-connections: duplicate key (first at line 2)");
	check_error("forward:\n  - zone: a\n    zone: b\n    upstreams: [192.0.2.1]\n",
	            "t.yaml:3: forward[0].zone: duplicate key (first at line 2)");
}

static void test_type_errors(void **state)
{
	(void)state;
	check_error("cache: 5\n", "t.yaml:1: cache: expected a mapping, found \"5\"");
	check_error("cache: [1]\n", "t.yaml:1: cache: expected a mapping, found a list");
	check_error("cache:\n  size: [1]\n",
	            "t.yaml:2: cache.size: expected a size (like 512K, 256M, 2G), found a list");
	check_error("cache:\n  size:\n",
	            "t.yaml:2: cache.size: has no value; expected a size (like 512K, 256M, 2G)");
	check_error("listen: {a: 1}\n",
	            "t.yaml:1: listen: expected a list of addresses, found a mapping");
	check_error("listen:\n  - 127.0.0.1\n  - [1]\n",
	            "t.yaml:3: listen[1]: expected an address, found a list");
	check_error("listen: []\n", "t.yaml:1: listen: must not be empty");
	check_error("listen:\n", "t.yaml:1: listen: must not be empty");
	check_error("serve-stale:\n  enabled: maybe\n",
	            "t.yaml:2: serve-stale.enabled: \"maybe\" is not a boolean (true or false)");
	check_error("serve-stale:\n  enabled: {}\n",
	            "t.yaml:2: serve-stale.enabled: expected a boolean (true or false), found a "
	            "mapping");
	check_error("log:\n  level: loud\n",
	            "t.yaml:2: log.level: \"loud\" is not a log level (error, warning, info or "
	            "debug)");
	check_error("log:\n  level: \"a\\nb\"\n",
	            "t.yaml:2: log.level: \"a\\x0ab\" is not a log level (error, warning, info or "
	            "debug)");
	check_error("log:\n  level: \"in\\0fo\"\n",
	            "t.yaml:2: log.level: \"in\\x00fo\" contains a NUL character");
	check_error("log:\n  level: ~\n",
	            "t.yaml:2: log.level: has no value; expected a log level (error, warning, info "
	            "or debug)");
	check_error("root-hints: null\n", "t.yaml:1: root-hints: has no value; expected a path");
	check_error("trust-anchors: [a, \"\"]\n", "t.yaml:1: trust-anchors[1]: must not be empty");
	check_error("events:\n  file: [a]\n",
	            "t.yaml:2: events.file: expected a path, found a list");
	/* A long value is cut short in the message. */
	check_error(
	    "log:\n  level: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t.yaml:2: log.level: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is "
	    "not a log level (error, warning, info or debug)");
}

/* The query log goes to one place; errors name the line and the key. */
static void test_dnstap_keys(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = parse("dnstap:\n  socket: /run/tap.sock\n  upstream: false\n"
	                              "  identity: ns1\n  version: \"\"\n",
	                              err);
	assert_non_null(cfg);
	assert_string_equal(cfg->dnstap.socket, "/run/tap.sock");
	assert_string_equal(cfg->dnstap.file, "");
	assert_true(cfg->dnstap.client);
	assert_false(cfg->dnstap.upstream);
	assert_string_equal(cfg->dnstap.identity, "ns1");
	hf_config_free(cfg);

	check_error("dnstap:\n  file: /tmp/a\n  socket: /tmp/b\n",
	            "t.yaml:3: dnstap.socket: dnstap.file and dnstap.socket are both set; "
	            "choose one");
	check_error("dnstap:\n  socket: /tmp/b\n  file: /tmp/a\n",
	            "t.yaml:3: dnstap.file: dnstap.file and dnstap.socket are both set; "
	            "choose one");
	check_error("dnstap:\n  files: /tmp/a\n",
	            "t.yaml:2: dnstap.files: unknown key; did you mean file?");
	check_error("dnstap:\n  client: maybe\n",
	            "t.yaml:2: dnstap.client: \"maybe\" is not a boolean (true or false)");
	check_error("dnstap:\n  identity: [a]\n",
	            "t.yaml:2: dnstap.identity: expected a string, found a list");
	char text[400];
	snprintf(text, sizeof(text), "dnstap:\n  version: %0300d\n", 0);
	check_error(text, "t.yaml:2: dnstap.version: longer than 255 octets");
}

static void test_range_errors(void **state)
{
	(void)state;
	check_error("resolver:\n  edns-buffer-size: 5000\n",
	            "t.yaml:2: resolver.edns-buffer-size: \"5000\" is out of range (512..4096)");
	check_error("resolver:\n  edns-buffer-size: 511\n",
	            "t.yaml:2: resolver.edns-buffer-size: \"511\" is out of range (512..4096)");
	/* Past what a fan-in candidate's sets hold, the rule could never fire: refused. */
	check_error("guard:\n  fan-in-zones: 49\n",
	            "t.yaml:2: guard.fan-in-zones: \"49\" is out of range (1..48)");
	check_error("resolver:\n  edns-buffer-size: 99999999999999999999999999\n",
	            "t.yaml:2: resolver.edns-buffer-size: \"99999999999999999999999999\" is out of "
	            "range (512..4096)");
	check_error("resolver:\n  edns-buffer-size: -1\n",
	            "t.yaml:2: resolver.edns-buffer-size: \"-1\" is not a number");
	check_error("resolver:\n  edns-buffer-size: 1k\n",
	            "t.yaml:2: resolver.edns-buffer-size: \"1k\" is not a number");
	check_error("workers: 0\n", "t.yaml:1: workers: \"0\" is out of range (auto or 1..256)");
	check_error("workers: 257\n",
	            "t.yaml:1: workers: \"257\" is out of range (auto or 1..256)");
	check_error("workers: many\n", "t.yaml:1: workers: \"many\" is not a number or \"auto\"");
	check_error("tcp:\n  max-per-client: 0\n",
	            "t.yaml:2: tcp.max-per-client: \"0\" is out of range (1..65535)");

	check_error("cache:\n  max-ttl: 2x\n",
	            "t.yaml:2: cache.max-ttl: \"2x\" is not a duration (like 30s, 5m, 1d)");
	check_error("cache:\n  max-ttl: 1h30\n",
	            "t.yaml:2: cache.max-ttl: \"1h30\" is not a duration (like 30s, 5m, 1d)");
	check_error("cache:\n  max-ttl: 1.5h\n",
	            "t.yaml:2: cache.max-ttl: \"1.5h\" is not a duration (like 30s, 5m, 1d)");
	check_error("cache:\n  max-ttl: 0s\n",
	            "t.yaml:2: cache.max-ttl: \"0s\" is out of range (1s..52w)");
	check_error("cache:\n  max-ttl: 99999999999999999999w\n",
	            "t.yaml:2: cache.max-ttl: \"99999999999999999999w\" is out of range (1s..52w)");
	check_error("cache:\n  min-ttl: 1500ms\n",
	            "t.yaml:2: cache.min-ttl: \"1500ms\" is not a whole number of seconds");
	check_error("resolver:\n  query-timeout: 40ms\n",
	            "t.yaml:2: resolver.query-timeout: \"40ms\" is out of range (50ms..30s)");
	check_error("resolver:\n  query-timeout: 31s\n",
	            "t.yaml:2: resolver.query-timeout: \"31s\" is out of range (50ms..30s)");
	check_error("serve-stale: {client-timeout: 1m}\n",
	            "t.yaml:1: serve-stale.client-timeout: \"1m\" is out of range (0s..30s)");

	check_error("cache:\n  size: 12Q\n",
	            "t.yaml:2: cache.size: \"12Q\" is not a size (like 512K, 256M, 2G)");
	check_error("cache:\n  size: 1MB\n",
	            "t.yaml:2: cache.size: \"1MB\" is not a size (like 512K, 256M, 2G)");
	check_error("cache:\n  size: 2T\n",
	            "t.yaml:2: cache.size: \"2T\" is out of range (1M..1T)");
	check_error("cache:\n  size: 1023K\n",
	            "t.yaml:2: cache.size: \"1023K\" is out of range (1M..1T)");
	check_error("cache:\n  size: 99999999999999999G\n",
	            "t.yaml:2: cache.size: \"99999999999999999G\" is out of range (1M..1T)");

	/* Checks between keys, at the line of whichever was set later. */
	check_error(
	    "cache:\n  max-ttl: 1m\n  min-ttl: 1h\n",
	    "t.yaml:3: cache.min-ttl: cache.min-ttl (1h) is longer than cache.max-ttl (1m)");
	check_error(
	    "cache:\n  min-ttl: 1h\n  max-ttl: 1m\n",
	    "t.yaml:3: cache.max-ttl: cache.min-ttl (1h) is longer than cache.max-ttl (1m)");
	check_error("resolver:\n  upstream-ip6: false\n  upstream-ip4: false\n",
	            "t.yaml:3: resolver.upstream-ip4: upstream-ip4 and upstream-ip6 cannot both be "
	            "false");
}

static void test_value_errors(void **state)
{
	(void)state;
	check_error("listen: [127.0.0.1, 300.1.1.1]\n",
	            "t.yaml:1: listen[1]: \"300.1.1.1\" is not an address (ADDR or ADDR@PORT, like "
	            "192.0.2.1@53 or \"2001:db8::1@53\")");
	check_error("listen: [\"::1@70000\"]\n",
	            "t.yaml:1: listen[0]: \"::1@70000\" has a port out of range (0..65535)");
	check_error("listen: [\"[::1]:53\"]\n",
	            "t.yaml:1: listen[0]: \"[::1]:53\" is not an address (ADDR or ADDR@PORT, like "
	            "192.0.2.1@53 or \"2001:db8::1@53\")");
	check_error("control:\n  http: localhost\n",
	            "t.yaml:2: control.http: \"localhost\" is not an address (ADDR or ADDR@PORT, "
	            "like 192.0.2.1@53 or \"2001:db8::1@53\")");
	check_error("access:\n  allow: [192.0.2.1/24]\n",
	            "t.yaml:2: access.allow[0]: \"192.0.2.1/24\" has bits set past the prefix "
	            "length (did you mean 192.0.2.0/24?)");
	check_error("access:\n  allow: [\"2001:db8::1/32\"]\n",
	            "t.yaml:2: access.allow[0]: \"2001:db8::1/32\" has bits set past the prefix "
	            "length (did you mean 2001:db8::/32?)");
	check_error("access:\n  allow: [\"::1/129\"]\n",
	            "t.yaml:2: access.allow[0]: \"::1/129\" has a prefix length too long for its "
	            "address");
	check_error("access:\n  allow: [10.0.0.0/]\n",
	            "t.yaml:2: access.allow[0]: \"10.0.0.0/\" is not a prefix (ADDR/BITS or ADDR, "
	            "like 192.0.2.0/24 or \"2001:db8::/32\")");

	char want[HF_CONFIG_ERR_MAX];
	snprintf(want, sizeof(want),
	         "t.yaml:1: negative-trust-anchors[1]: \"a..b\" is not a domain name: %s",
	         hf_strerror(HF_ESYNTAX));
	check_error("negative-trust-anchors: [ok, a..b]\n", want);
	snprintf(want, sizeof(want),
	         "t.yaml:1: negative-trust-anchors[0]: \"\" is not a domain name: %s",
	         hf_strerror(HF_ESYNTAX));
	check_error("negative-trust-anchors: [\"\"]\n", want);
	char label[80];
	memset(label, 'a', 64);
	snprintf(label + 64, sizeof(label) - 64, ".com");
	char text[128];
	snprintf(text, sizeof(text), "negative-trust-anchors: [%s]\n", label);
	snprintf(want, sizeof(want),
	         "t.yaml:1: negative-trust-anchors[0]: \"%.48s...\" is not a domain name: %s",
	         label, hf_strerror(HF_ELABEL));
	check_error(text, want);
}

static void test_forward_errors(void **state)
{
	(void)state;
	check_error("forward: 5\n",
	            "t.yaml:1: forward: expected \"resolv.conf\" or a list of zones, found \"5\"");
	check_error("forward: {zone: .}\n",
	            "t.yaml:1: forward: expected \"resolv.conf\" or a list of zones, found a "
	            "mapping");
	check_error(
	    "forward: [x]\n",
	    "t.yaml:1: forward[0]: expected a mapping with zone and upstreams, found \"x\"");
	check_error("forward:\n  - upstreams: [192.0.2.1]\n",
	            "t.yaml:2: forward[0]: missing key zone");
	check_error("forward:\n  - zone: .\n", "t.yaml:2: forward[0]: missing key upstreams");
	check_error("forward:\n  - zone: .\n    upstreams: []\n",
	            "t.yaml:3: forward[0].upstreams: must not be empty");
	check_error("forward:\n"
	            "  - zone: example.\n"
	            "    upstreams: [192.0.2.1]\n"
	            "  - zone: EXAMPLE\n"
	            "    upstreams: [192.0.2.2]\n",
	            "t.yaml:4: forward[1].zone: EXAMPLE. is already forwarded by forward[0]");
	check_error("forward:\n"
	            "  - zone: .\n"
	            "    upstreams:\n"
	            "      - 192.0.2.1\n"
	            "      - \"tls://192.0.2.2@853#\"\n",
	            "t.yaml:5: forward[0].upstreams[1]: \"tls://192.0.2.2@853#\" has an empty TLS "
	            "name after #");
	check_error("forward:\n"
	            "  - zone: a.\n"
	            "    upstreams: [192.0.2.1]\n"
	            "  - zone: b.\n"
	            "    upstreams: [192.0.2.1, \"quic://192.0.2.1\"]\n",
	            "t.yaml:5: forward[1].upstreams[1]: \"quic://192.0.2.1\" has an unknown scheme "
	            "(tls:// and https:// are known)");
	check_error("forward:\n  - zone: .\n    upstreams: [\"https://dns.example\"]\n",
	            "t.yaml:3: forward[0].upstreams[0]: \"https://dns.example\" has no path (like "
	            "https://dns.example/dns-query@192.0.2.1)");
	check_error("forward:\n  - zone: .\n    upstreams: [\"https:///dns-query\"]\n",
	            "t.yaml:3: forward[0].upstreams[0]: \"https:///dns-query\" has no host after "
	            "https://");
	check_error("forward:\n  - zone: .\n    upstreams: [\"tls://dns.example\"]\n",
	            "t.yaml:3: forward[0].upstreams[0]: \"tls://dns.example\" is not "
	            "tls://ADDR[@PORT][#name][^sha256/PIN] (like "
	            "tls://192.0.2.1@853#dns.example)");
	check_error(
	    "forward:\n  - zone: .\n    upstreams: [\"tls://192.0.2.1#a b\"]\n",
	    "t.yaml:3: forward[0].upstreams[0]: \"tls://192.0.2.1#a b\" has a TLS name that "
	    "is not a host name");
	check_error(
	    "forward:\n  - zone: .\n    upstreams: [192.0.2.1@99999]\n",
	    "t.yaml:3: forward[0].upstreams[0]: \"192.0.2.1@99999\" has a port out of range "
	    "(0..65535)");
	check_error("forward:\n  - zone: .\n    upstreams: [dns.example]\n",
	            "t.yaml:3: forward[0].upstreams[0]: \"dns.example\" is not an upstream "
	            "(ADDR@PORT, tls://ADDR@PORT#name or https://host/path@ADDR)");
	check_error("forward:\n  - zone: a..b\n    upstreams: [192.0.2.1]\n",
	            "t.yaml:2: forward[0].zone: \"a..b\" is not a domain name: "
	            "presentation-format syntax error");
}

/* SPKI pins: tls://ADDR[@PORT][#name][^sha256/BASE64]..., the digest in Base64 (44 chars). */
static void test_tls_pins(void **state)
{
	(void)state;
	/* sha256 of nothing, and 32 octets of 0xff: known Base64 spellings. */
	static const char empty[] = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
	static const uint8_t empty_bin[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
	                                      0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	                                      0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	                                      0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
	static const char ones[] = "//////////////////////////////////////////8=";
	struct hf_upstream_conf uc;
	const char *why = NULL;
	char text[512];

	snprintf(text, sizeof(text), "tls://192.0.2.1@8853#dns.example^sha256/%s", empty);
	assert_int_equal(hf_config_parse_upstream(text, &uc, &why), HF_OK);
	assert_int_equal(uc.proto, HF_UPSTREAM_TLS);
	assert_string_equal(fmt_addr(&uc.addr), "192.0.2.1@8853");
	assert_string_equal(uc.tls_name, "dns.example");
	assert_int_equal(uc.tls_npins, 1);
	assert_memory_equal(uc.tls_pins[0], empty_bin, 32);

	/* Pins without a name (the pin alone authenticates), several of them. */
	snprintf(text, sizeof(text), "tls://2001:db8::1^sha256/%s^sha256/%s", empty, ones);
	assert_int_equal(hf_config_parse_upstream(text, &uc, &why), HF_OK);
	assert_string_equal(fmt_addr(&uc.addr), "2001:db8::1@853");
	assert_string_equal(uc.tls_name, "");
	assert_int_equal(uc.tls_npins, 2);
	assert_memory_equal(uc.tls_pins[0], empty_bin, 32);
	for (size_t i = 0; i < 32; i++)
		assert_int_equal(uc.tls_pins[1][i], 0xff);

	/* No pin at all. */
	assert_int_equal(hf_config_parse_upstream("tls://192.0.2.1#a.example", &uc, &why), HF_OK);
	assert_int_equal(uc.tls_npins, 0);

	static const char *const bad[] = {
	    "tls://192.0.2.1#dns.example^", /* empty pin */
	    "tls://192.0.2.1#dns.example^47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", /* no algo
	                                                                                 */
	    "tls://192.0.2.1#dns.example^sha1/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "tls://192.0.2.1#dns.example^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
	    "tls://192.0.2.1#dns.example^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU==",
	    "tls://192.0.2.1#dns.example^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF*=",
	    "tls://192.0.2.1#dns.example^sha256/47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "tls://192.0.2.1#dns.example^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
	    "tls://192.0.2.1#dns.example^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hS=FU=",
	    "tls://192.0.2.1#dns.example^sha256/ 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF=",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (hf_config_parse_upstream(bad[i], &uc, &why) != HF_EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(why, "pin that is not sha256/BASE64"));
	}
	/* Four pins at most. */
	size_t len = (size_t)snprintf(text, sizeof(text), "tls://192.0.2.1");
	for (int i = 0; i < 5; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "^sha256/%s", empty);
	assert_int_equal(hf_config_parse_upstream(text, &uc, &why), HF_EINVAL);
	assert_string_equal(why, "has more than 4 pins");
	/* A name after the pins is not a name: '^' ends it. */
	snprintf(text, sizeof(text), "tls://192.0.2.1^sha256/%s#dns.example", empty);
	assert_int_equal(hf_config_parse_upstream(text, &uc, &why), HF_EINVAL);

	check_error(
	    "forward:\n  - zone: .\n    upstreams: [\"tls://192.0.2.1#x.example^sha256/abc\"]\n",
	    "t.yaml:3: forward[0].upstreams[0]: \"tls://192.0.2.1#x.example^sha256/abc\" "
	    "has a pin that is not sha256/BASE64 (the SHA-256 of the server's "
	    "SubjectPublicKeyInfo: 44 characters of Base64)");
	check_error("forward:\n  - zone: .\n    upstreams: [192.0.2.1]\n    tls-ca: [a]\n",
	            "t.yaml:4: forward[0].tls-ca: expected a path, found a list");
}

/* https://HOST[:PORT]/PATH[@ADDR][#name][^sha256/PIN]...: where to connect, what to check. */
static void test_https_urls(void **state)
{
	(void)state;
	static const struct {
		const char *text, *addr, *name, *authority, *path;
	} good[] = {
	    /* A host name: it is the name checked; @ADDR says where it is. */
	    {"https://dns.example/dns-query@192.0.2.1", "192.0.2.1@443", "dns.example",
	     "dns.example", "/dns-query"},
	    {"https://dns.example:8443/q?x=1@2001:db8::1", "2001:db8::1@8443", "dns.example",
	     "dns.example:8443", "/q?x=1"},
	    /* RFC 8484's URI template is dropped: the message goes in the body. */
	    {"https://dns.example/dns-query{?dns}@192.0.2.1", "192.0.2.1@443", "dns.example",
	     "dns.example", "/dns-query"},
	    /* An address host: the certificate must carry it, or #name as for tls://. */
	    {"https://192.0.2.1/dns-query", "192.0.2.1@443", "", "192.0.2.1", "/dns-query"},
	    {"https://192.0.2.1:8443/", "192.0.2.1@8443", "", "192.0.2.1:8443", "/"},
	    {"https://[2001:db8::1]:8443/dns-query", "2001:db8::1@8443", "", "[2001:db8::1]:8443",
	     "/dns-query"},
	    {"https://192.0.2.1/dns-query#dns.example", "192.0.2.1@443", "dns.example",
	     "dns.example", "/dns-query"},
	    {"https://192.0.2.1:4443/dns-query#dns.example", "192.0.2.1@4443", "dns.example",
	     "dns.example:4443", "/dns-query"},
	};
	struct hf_upstream_conf uc;
	const char *why = NULL;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (hf_config_parse_upstream(good[i].text, &uc, &why) != HF_OK)
			fail_msg("%s: %s", good[i].text, why);
		assert_int_equal(uc.proto, HF_UPSTREAM_HTTPS);
		assert_string_equal(fmt_addr(&uc.addr), good[i].addr);
		assert_string_equal(uc.tls_name, good[i].name);
		assert_string_equal(uc.http_authority, good[i].authority);
		assert_string_equal(uc.http_path, good[i].path);
		assert_string_equal(uc.url, good[i].text);
		assert_int_equal(uc.tls_npins, 0);
	}
	/* Pins, as for tls://. */
	assert_int_equal(
	    hf_config_parse_upstream("https://dns.example/q@192.0.2.1"
	                             "^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	                             &uc, &why),
	    HF_OK);
	assert_int_equal(uc.tls_npins, 1);
	assert_int_equal(uc.tls_pins[0][0], 0xe3);
	assert_string_equal(uc.http_path, "/q");
	assert_string_equal(fmt_addr(&uc.addr), "192.0.2.1@443");

	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"https://dns.example/dns-query", "has a host name but no @ADDR"},
	    {"https://dns.example/dns-query@dns2.example", "something after @ that is not an"},
	    {"https://dns.example/dns-query@192.0.2.1@853", "something after @ that is not an"},
	    {"https://dns.example/q@192.0.2.1#other.example", "both a host name and #name"},
	    {"https://192.0.2.1/q@192.0.2.2", "an address both as host and after @"},
	    {"https://user@dns.example/q@192.0.2.1", "user information"},
	    {"https://dns.example:0/q@192.0.2.1", "port that is not 1..65535"},
	    {"https://dns.example:99999/q@192.0.2.1", "port that is not 1..65535"},
	    {"https://dns.example:x/q@192.0.2.1", "port that is not 1..65535"},
	    {"https://[192.0.2.1]/q", "not an IPv6 address"},
	    {"https://[2001:db8::1/q", "not an IPv6 address"},
	    {"https://[2001:db8::1]x/q", "other than :PORT"},
	    {"https://2001:db8::1/q", "port that is not"},
	    {"https://dns_example/q@192.0.2.1", "neither an address nor a host name"},
	    {"https://:443/q@192.0.2.1", "no host"},
	    {"https://192.0.2.1/q#", "empty TLS name"},
	    {"https://192.0.2.1/q#a/b", "not a host name"},
	    {"https://192.0.2.1/q^sha256/abc", "pin that is not sha256/BASE64"},
	    {"https://192.0.2.1", "has no path"},
	    {"https://192.0.2.1#dns.example/q", "has no path"},
	    {"https://dns.example/d q@192.0.2.1", "outside printable ASCII"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (hf_config_parse_upstream(bad[i].text, &uc, &why) != HF_EINVAL)
			fail_msg("accepted %s", bad[i].text);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].text, why, bad[i].why);
	}
	/* 511 characters at most. */
	char text[600];
	memset(text, 'a', sizeof(text));
	memcpy(text, "https://192.0.2.1/", 18);
	text[512] = '\0';
	assert_int_equal(hf_config_parse_upstream(text, &uc, &why), HF_EINVAL);
	assert_non_null(strstr(why, "too long"));
	text[511] = '\0';
	assert_int_equal(hf_config_parse_upstream(text, &uc, &why), HF_OK);
	assert_int_equal(strlen(uc.http_path), 511 - 17);
}

static void test_local_data(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "bad. 300 A 1.2.3", "bad. 300 BOGUS 1", "bad. 300 CLASS9999999 A 192.0.2.1",
	    "bad. 300 A",       "no-ttl.example.",
	};
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	assert_non_null(rr);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512], want[HF_CONFIG_ERR_MAX];
		int ret = hf_rr_from_text(bad[i], strlen(bad[i]), NULL, 3600, rr);
		assert_true(ret < 0);
		snprintf(text, sizeof(text),
		         "local-data:\n  - \"host.lan. 300 A 192.0.2.7\"\n  - \"%s\"\n", bad[i]);
		snprintf(want, sizeof(want), "t.yaml:3: local-data[1]: \"%s\" is not a record: %s",
		         bad[i], hf_strerror(ret));
		check_error(text, want);
	}
	hf_free(rr);
	check_error("local-data:\n  - {a: 1}\n",
	            "t.yaml:2: local-data[0]: expected a record, found a mapping");
	check_error(
	    "local-data: \"x. 1 TXT\"\n",
	    "t.yaml:1: local-data: \"x. 1 TXT\" is not a record: presentation-format syntax "
	    "error");
}

struct addr_case {
	const char *text;
	uint16_t default_port;
	int ret;
	const char *formatted;
};

static void test_addr_parse(void **state)
{
	(void)state;
	static const struct addr_case cases[] = {
	    {"127.0.0.1", 53, HF_OK, "127.0.0.1@53"},
	    {"127.0.0.1@5353", 53, HF_OK, "127.0.0.1@5353"},
	    {"192.0.2.1@0", 53, HF_OK, "192.0.2.1@0"},
	    {"192.0.2.1@65535", 53, HF_OK, "192.0.2.1@65535"},
	    {"::1", 53, HF_OK, "::1@53"},
	    {"::1@53", 0, HF_OK, "::1@53"},
	    {"2001:DB8::1@853", 53, HF_OK, "2001:db8::1@853"},
	    {"::ffff:192.0.2.1@53", 53, HF_OK, "::ffff:192.0.2.1@53"},
	    {"::", 8053, HF_OK, "::@8053"},
	    {"0.0.0.0", 53, HF_OK, "0.0.0.0@53"},
	    {"192.0.2.1@65536", 53, HF_ERANGE, NULL},
	    {"192.0.2.1@99999999999999999999", 53, HF_ERANGE, NULL},
	    {"192.0.2.1@", 53, HF_EINVAL, NULL},
	    {"192.0.2.1@x", 53, HF_EINVAL, NULL},
	    {"192.0.2.1@-1", 53, HF_EINVAL, NULL},
	    {"192.0.2.1@ 53", 53, HF_EINVAL, NULL},
	    {"192.0.2.1:53", 53, HF_EINVAL, NULL},
	    {"[::1]:53", 53, HF_EINVAL, NULL},
	    {"[::1]", 53, HF_EINVAL, NULL},
	    {"300.0.0.1", 53, HF_EINVAL, NULL},
	    {"1.2.3", 53, HF_EINVAL, NULL},
	    {"01.2.3.4", 53, HF_EINVAL, NULL},
	    {"localhost", 53, HF_EINVAL, NULL},
	    {"", 53, HF_EINVAL, NULL},
	    {"@53", 53, HF_EINVAL, NULL},
	    {" 127.0.0.1", 53, HF_EINVAL, NULL},
	    {"fe80::1%eth0", 53, HF_EINVAL, NULL},
	    {"1111:2222:3333:4444:5555:6666:7777:8888:9999", 53, HF_EINVAL, NULL},
	    {"1111:2222:3333:4444:5555:6666:255.255.255.255.255", 53, HF_EINVAL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hf_addr a;
		int ret = hf_addr_parse(cases[i].text, cases[i].default_port, &a);
		if (ret != cases[i].ret)
			print_error("%s: got %s\n", cases[i].text, hf_errname(ret));
		assert_int_equal(ret, cases[i].ret);
		if (ret != HF_OK)
			continue;
		assert_string_equal(fmt_addr(&a), cases[i].formatted);
		assert_int_equal(a.len, a.ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
		                                                  : sizeof(struct sockaddr_in6));
		/* What it prints parses back to the same address. */
		struct hf_addr b;
		assert_int_equal(hf_addr_parse(cases[i].formatted, 1, &b), HF_OK);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(&a.ss, &b.ss, a.len);
	}
}

struct prefix_case {
	const char *text;
	int ret;
	const char *formatted;
};

static void test_prefix_parse(void **state)
{
	(void)state;
	static const struct prefix_case cases[] = {
	    {"192.0.2.0/24", HF_OK, "192.0.2.0/24"},
	    {"192.0.2.7", HF_OK, "192.0.2.7/32"},
	    {"0.0.0.0/0", HF_OK, "0.0.0.0/0"},
	    {"10.0.0.0/8", HF_OK, "10.0.0.0/8"},
	    {"10.128.0.0/9", HF_OK, "10.128.0.0/9"},
	    {"2001:db8::/32", HF_OK, "2001:db8::/32"},
	    {"::1", HF_OK, "::1/128"},
	    {"::/0", HF_OK, "::/0"},
	    {"2001:db8:8000::/33", HF_OK, "2001:db8:8000::/33"},
	    {"192.0.2.1/24", HF_EINVAL, NULL},
	    {"10.192.0.0/9", HF_EINVAL, NULL},
	    {"192.0.2.0/33", HF_ERANGE, NULL},
	    {"::/129", HF_ERANGE, NULL},
	    {"::/99999999999", HF_ERANGE, NULL},
	    {"192.0.2.0/", HF_EINVAL, NULL},
	    {"192.0.2.0/x", HF_EINVAL, NULL},
	    {"192.0.2.0/-1", HF_EINVAL, NULL},
	    {"192.0.2.0/24/1", HF_EINVAL, NULL},
	    {"/24", HF_EINVAL, NULL},
	    {"", HF_EINVAL, NULL},
	    {"192.0.2.0@53", HF_EINVAL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hf_prefix p;
		int ret = hf_prefix_parse(cases[i].text, &p);
		if (ret != cases[i].ret)
			print_error("%s: got %s\n", cases[i].text, hf_errname(ret));
		assert_int_equal(ret, cases[i].ret);
		if (ret == HF_OK)
			assert_string_equal(fmt_prefix(&p), cases[i].formatted);
	}
}

static bool match(const char *prefixes, const char *addr)
{
	struct hf_prefix p[4];
	size_t n = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", prefixes);
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		assert_true(n < 4);
		assert_int_equal(hf_prefix_parse(tok, &p[n]), HF_OK);
		n++;
	}
	struct hf_addr a;
	assert_int_equal(hf_addr_parse(addr, 53, &a), HF_OK);
	return hf_prefix_match(p, n, (const struct sockaddr *)&a.ss);
}

static void test_prefix_match(void **state)
{
	(void)state;
	assert_true(match("127.0.0.0/8 ::1/128", "127.0.0.1"));
	assert_true(match("127.0.0.0/8 ::1/128", "127.255.255.255"));
	assert_false(match("127.0.0.0/8 ::1/128", "128.0.0.1"));
	assert_true(match("127.0.0.0/8 ::1/128", "::1"));
	assert_false(match("127.0.0.0/8 ::1/128", "::2"));
	/* IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d. */
	assert_true(match("127.0.0.0/8", "::ffff:127.0.0.1"));
	assert_false(match("127.0.0.0/8", "::ffff:10.0.0.1"));
	assert_true(match("10.128.0.0/9", "10.200.1.1"));
	assert_false(match("10.128.0.0/9", "10.127.1.1"));
	assert_true(match("2001:db8:8000::/33", "2001:db8:ffff::1"));
	assert_false(match("2001:db8:8000::/33", "2001:db8:7fff::1"));
	assert_true(match("0.0.0.0/0", "203.0.113.9"));
	assert_false(match("0.0.0.0/0", "2001:db8::1"));
	assert_true(match("::/0", "2001:db8::1"));
	assert_true(match("192.0.2.7", "192.0.2.7"));
	assert_false(match("192.0.2.7", "192.0.2.8"));
	assert_false(match("", "192.0.2.8"));
	assert_false(hf_prefix_match(NULL, 0, NULL));
}

static void test_durations_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int ret;
		uint64_t ms;
	} durations[] = {
	    {"0", HF_OK, 0},
	    {"30", HF_OK, 30000},
	    {"1500ms", HF_OK, 1500},
	    {"30s", HF_OK, 30000},
	    {"5m", HF_OK, 300000},
	    {"2h", HF_OK, 7200000},
	    {"1d", HF_OK, 86400000},
	    {"1w", HF_OK, 604800000},
	    {"1h30m", HF_OK, 5400000},
	    {"1w2d3h4m5s6ms", HF_OK, 788645006},
	    {"", HF_ESYNTAX, 0},
	    {"s", HF_ESYNTAX, 0},
	    {"1h30", HF_ESYNTAX, 0},
	    {"1x", HF_ESYNTAX, 0},
	    {"1S", HF_ESYNTAX, 0},
	    {"1 s", HF_ESYNTAX, 0},
	    {"-1s", HF_ESYNTAX, 0},
	    {"18446744073709551615ms", HF_OK, UINT64_MAX},
	    {"18446744073709551616ms", HF_ERANGE, 0},
	    {"18446744073709551615s", HF_ERANGE, 0},
	    {"18446744073709551615ms1ms", HF_ERANGE, 0},
	};
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		uint64_t ms = 0;
		int ret =
		    hf_config_parse_duration(durations[i].text, strlen(durations[i].text), &ms);
		if (ret != durations[i].ret)
			print_error("%s: got %s\n", durations[i].text, hf_errname(ret));
		assert_int_equal(ret, durations[i].ret);
		if (ret == HF_OK)
			assert_int_equal(ms, durations[i].ms);
	}
	static const struct {
		const char *text;
		int ret;
		uint64_t n;
	} sizes[] = {
	    {"0", HF_OK, 0},           {"512", HF_OK, 512},           {"4K", HF_OK, 4096},
	    {"4k", HF_OK, 4096},       {"256M", HF_OK, 256ull << 20}, {"2G", HF_OK, 2ull << 30},
	    {"1T", HF_OK, 1ull << 40}, {"", HF_ESYNTAX, 0},           {"M", HF_ESYNTAX, 0},
	    {"1MB", HF_ESYNTAX, 0},    {"1.5G", HF_ESYNTAX, 0},       {"99999999T", HF_ERANGE, 0},
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = 0;
		int ret = hf_config_parse_size(sizes[i].text, strlen(sizes[i].text), &n);
		if (ret != sizes[i].ret)
			print_error("%s: got %s\n", sizes[i].text, hf_errname(ret));
		assert_int_equal(ret, sizes[i].ret);
		if (ret == HF_OK)
			assert_int_equal(n, sizes[i].n);
	}
	char buf[32];
	hf_config_format_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
	hf_config_format_duration(1800, buf, sizeof(buf));
	assert_string_equal(buf, "1800ms");
	hf_config_format_duration(90000, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
	hf_config_format_duration(5400000, buf, sizeof(buf));
	assert_string_equal(buf, "90m");
	hf_config_format_duration(14 * 86400000ull, buf, sizeof(buf));
	assert_string_equal(buf, "2w");
	hf_config_format_size(256ull << 20, buf, sizeof(buf));
	assert_string_equal(buf, "256M");
	hf_config_format_size(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1536");
	hf_config_format_size(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
}

static void test_load_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/hf-config-XXXXXX", path[64], err[HF_CONFIG_ERR_MAX], want[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/holdfast.yaml", dir);

	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	assert_null(hf_config_load(path, err));
	assert_string_equal(err, want);

	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
	assert_null(hf_config_load(dir, err));
	assert_string_equal(err, want);

	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("workers: 3\ncache:\n  max-ttl: 2x\n", f);
	fclose(f);
	snprintf(want, sizeof(want),
	         "%s:3: cache.max-ttl: \"2x\" is not a duration (like 30s, 5m, 1d)", path);
	assert_null(hf_config_load(path, err));
	assert_string_equal(err, want);

	/* Bigger than one read. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 2000; i++)
		fprintf(f, "# comment line %d, to make the file longer than a buffer\n", i);
	fputs("workers: 3\n", f);
	fclose(f);
	struct hf_config *cfg = hf_config_load(path, err);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_int_equal(cfg->workers, 3);
	hf_config_free(cfg);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_reference(void **state)
{
	(void)state;
	size_t need = hf_config_write_reference(NULL, 0);
	assert_true(need > 1000);
	char *buf = hf_malloc(need + 1);
	assert_non_null(buf);
	assert_int_equal(hf_config_write_reference(buf, need + 1), need);
	assert_int_equal(strlen(buf), need);
	assert_true(strncmp(buf, "| key | type | default | description |\n", 39) == 0);
	for (size_t i = 0; i < hf_config_schema_len; i++) {
		const struct hf_config_key *row = &hf_config_schema[i];
		char key[128];
		snprintf(key, sizeof(key), "| `%s` |", row->key);
		if (row->type == HF_CONFIG_SECTION)
			assert_null(strstr(buf, key));
		else
			assert_non_null(strstr(buf, key));
	}
	assert_non_null(
	    strstr(buf, "| `resolver.edns-buffer-size` | integer, 512..4096 | `1232` |"));
	assert_non_null(
	    strstr(buf, "| `resolver.query-timeout` | duration, 50ms..30s | `1500ms` |"));
	assert_non_null(strstr(buf, "| `forward[].zone` | domain name | required |"));

	/* Cut short: still NUL-terminated, still says how much it needed. */
	char small[16];
	assert_int_equal(hf_config_write_reference(small, sizeof(small)), need);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	hf_free(buf);
}

/* Every allocation failing in turn: NULL with "out of memory", or a whole config; no leak. */
static void test_alloc_failures(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	size_t before = hf_alloc_in_use();
	bool loaded = false;
	for (unsigned long nth = 1; !loaded && nth < 10000; nth++) {
		hf_alloc_fail_nth(nth);
		struct hf_config *cfg = parse(every_key, err);
		hf_alloc_fail_nth(0);
		if (cfg != NULL) {
			loaded = true;
			assert_int_equal(cfg->nforward, 2);
			hf_config_free(cfg);
		} else {
			assert_string_equal(err, "t.yaml: out of memory");
		}
		assert_int_equal(hf_alloc_in_use(), before);
	}
	assert_true(loaded);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),         cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_shorthands),       cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_structure_errors), cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_duplicate_keys),   cmocka_unit_test(test_type_errors),
	    cmocka_unit_test(test_range_errors),     cmocka_unit_test(test_value_errors),
	    cmocka_unit_test(test_forward_errors),   cmocka_unit_test(test_tls_pins),
	    cmocka_unit_test(test_https_urls),       cmocka_unit_test(test_local_data),
	    cmocka_unit_test(test_addr_parse),       cmocka_unit_test(test_prefix_parse),
	    cmocka_unit_test(test_prefix_match),     cmocka_unit_test(test_durations_sizes),
	    cmocka_unit_test(test_load_file),        cmocka_unit_test(test_reference),
	    cmocka_unit_test(test_alloc_failures),   cmocka_unit_test(test_dnstap_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
