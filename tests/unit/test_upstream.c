/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Upstream sets from the config and from a resolv.conf full of things to skip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "upstream/tls.h"
#include "upstream/upstream.h"
#include "util/err.h"

static char path[] = "/tmp/hf-resolv-XXXXXX";

static void write_resolv(const char *text)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static struct hf_config *config(const char *yaml)
{
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = hf_config_parse("t", yaml, strlen(yaml), err);
	assert_non_null(cfg);
	return cfg;
}

static void test_resolv_conf_skips_what_it_cannot_use(void **state)
{
	(void)state;
	write_resolv("# comment\n"
	             "search example.com\n"
	             "nameserver garbage\n"
	             "nameserver fe80::1%eth0\n" /* link-local with a scope: not supported */
	             "nameserver 127.0.0.1\n"    /* holdfast's own listen address: would loop */
	             "nameserver   192.0.2.53\n"
	             "nameserver 2001:db8::53\n");
	struct hf_config *cfg = config("listen: [127.0.0.1@53]\nforward: resolv.conf\n");
	char err[HF_CONFIG_ERR_MAX];
	struct hf_upstreams *up = hf_upstreams_new(cfg, path, err);
	assert_non_null(up);
	assert_int_equal(up->nzones, 1);
	assert_int_equal(up->zones[0].n, 2);
	assert_string_equal(up->zones[0].servers[0].name, "192.0.2.53@53");
	assert_string_equal(up->zones[0].servers[1].name, "2001:db8::53@53");
	hf_upstreams_free(up);
	hf_config_free(cfg);
	unlink(path);
	strcpy(path, "/tmp/hf-resolv-XXXXXX");
}

static void test_resolv_conf_without_servers_is_an_error(void **state)
{
	(void)state;
	write_resolv("nameserver 127.0.0.1\nnameserver not-an-address\n");
	struct hf_config *cfg = config("listen: [127.0.0.1@53]\nforward: resolv.conf\n");
	char err[HF_CONFIG_ERR_MAX];
	/* The only address that parses is our own: nothing usable is left. */
	assert_null(hf_upstreams_new(cfg, path, err));
	assert_non_null(strstr(err, "zone . has no usable upstream server"));
	assert_null(hf_upstreams_new(cfg, "/nonexistent/resolv.conf", err));
	assert_non_null(strstr(err, "no nameserver to forward to"));
	hf_config_free(cfg);
	unlink(path);
	strcpy(path, "/tmp/hf-resolv-XXXXXX");
}

static void test_longest_forward_zone_wins(void **state)
{
	(void)state;
	struct hf_config *cfg =
	    config("forward:\n"
	           "  - {zone: ., upstreams: [192.0.2.1]}\n"
	           "  - {zone: example.com., upstreams: [192.0.2.2]}\n"
	           "  - {zone: doh.example., upstreams: [\"https://dns.example/q@192.0.2.3\"]}\n");
	char err[HF_CONFIG_ERR_MAX];
	struct hf_upstreams *up = hf_upstreams_new(cfg, "/nonexistent", err);
	assert_non_null(up);
	uint8_t name[HF_NAME_MAX];
	assert_true(hf_name_from_text("www.EXAMPLE.com.", 16, NULL, name) > 0);
	assert_string_equal(hf_upstreams_find(up, name)->servers[0].name, "192.0.2.2@53");
	assert_true(hf_name_from_text("example.net.", 12, NULL, name) > 0);
	assert_string_equal(hf_upstreams_find(up, name)->servers[0].name, "192.0.2.1@53");
	assert_true(hf_name_from_text("www.doh.example.", 16, NULL, name) > 0);
	assert_string_equal(hf_upstreams_find(up, name)->servers[0].name,
	                    "https://dns.example/q@192.0.2.3");
	hf_upstreams_free(up);
	hf_config_free(cfg);
}

static void test_tls_upstreams(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = config(
	    "forward:\n"
	    "  - zone: .\n"
	    "    upstreams: [192.0.2.1, \"tls://192.0.2.3#dns.example\",\n"
	    "                "
	    "\"tls://2001:db8::3@8853^sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"]\n"
	    "  - {zone: plain.example., upstreams: [192.0.2.2]}\n");
	struct hf_upstreams *up = hf_upstreams_new(cfg, "/nonexistent", err);
	assert_non_null(up);
	struct hf_fwd_set *set = &up->zones[0];
	assert_int_equal(set->n, 3);
	assert_non_null(set->tls_ctx); /* the system's store */
	assert_null(set->servers[0].tls);
	assert_string_equal(set->servers[1].name, "tls://192.0.2.3@853#dns.example");
	assert_non_null(set->servers[1].tls);
	assert_ptr_equal(set->servers[1].tls->ctx, set->tls_ctx);
	assert_string_equal(set->servers[1].tls->name, "dns.example");
	assert_int_equal(set->servers[1].tls->npins, 0);
	assert_string_equal(set->servers[2].name, "tls://2001:db8::3@8853");
	assert_string_equal(set->servers[2].tls->name, "");
	assert_int_equal(set->servers[2].tls->npins, 1);
	assert_int_equal(set->servers[2].tls->pins[0][0], 0xe3);
	char pin[64];
	hf_tls_pin_format(set->servers[2].tls->pins[0], pin, sizeof(pin));
	assert_string_equal(pin, "sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	assert_null(up->zones[1].tls_ctx); /* no TLS server there */
	assert_false(set->servers[1].tls->https);
	hf_upstreams_free(up);
	hf_config_free(cfg);

	/* DNS over HTTPS: the same authentication, plus what each request carries. */
	cfg = config("forward:\n"
	             "  - zone: .\n"
	             "    upstreams: [\"tls://192.0.2.3#dns.example\",\n"
	             "                \"https://dns.example:8443/dns-query@192.0.2.4\",\n"
	             "                \"https://[2001:db8::4]/q^sha256/"
	             "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"]\n");
	up = hf_upstreams_new(cfg, "/nonexistent", err);
	assert_non_null(up);
	set = &up->zones[0];
	assert_int_equal(set->n, 3);
	const struct hf_upstream *doh = &set->servers[1];
	assert_string_equal(doh->name, "https://dns.example:8443/dns-query@192.0.2.4");
	assert_ptr_equal(doh->tls->ctx, set->tls_ctx); /* one CA store per zone */
	assert_true(doh->tls->https);
	assert_string_equal(doh->tls->name, "dns.example");
	assert_string_equal(doh->tls->authority, "dns.example:8443");
	assert_string_equal(doh->tls->path, "/dns-query");
	char a[64];
	hf_addr_format(&doh->addr, a, sizeof(a));
	assert_string_equal(a, "192.0.2.4@8443");
	doh = &set->servers[2];
	assert_string_equal(doh->name, "https://[2001:db8::4]/q"); /* pins left out */
	assert_string_equal(doh->tls->name, "");
	assert_string_equal(doh->tls->authority, "[2001:db8::4]");
	assert_int_equal(doh->tls->npins, 1);
	hf_upstreams_free(up);
	hf_config_free(cfg);

	/* A CA file that cannot be loaded is an error naming the zone and the file. */
	cfg = config("forward:\n"
	             "  - zone: example.\n"
	             "    upstreams: [\"tls://192.0.2.3#dns.example\"]\n"
	             "    tls-ca: /nonexistent/ca.pem\n");
	assert_null(hf_upstreams_new(cfg, "/nonexistent", err));
	assert_non_null(strstr(err, "forward: zone example.: tls-ca /nonexistent/ca.pem: cannot "
	                            "load CA certificates"));
	hf_config_free(cfg);

	/* ...but only where a tls:// upstream needs it. */
	cfg = config("forward:\n"
	             "  - zone: example.\n"
	             "    upstreams: [192.0.2.3]\n"
	             "    tls-ca: /nonexistent/ca.pem\n");
	up = hf_upstreams_new(cfg, "/nonexistent", err);
	assert_non_null(up);
	hf_upstreams_free(up);
	hf_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolv_conf_skips_what_it_cannot_use),
	    cmocka_unit_test(test_resolv_conf_without_servers_is_an_error),
	    cmocka_unit_test(test_longest_forward_zone_wins),
	    cmocka_unit_test(test_tls_upstreams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
