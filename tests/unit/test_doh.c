/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The DNS-over-HTTPS session (src/upstream/doh.c) without a network: a
 * client with three streams open is fed what a server said, as HTTP/2 bytes
 * (the conversations in fuzz/corpus/doh/, written by gen_doh_seeds.py with
 * Python's h2), and each stream must end as it should: a reply, a failure
 * saying why (status, content type, size, reset), or refused (GOAWAY,
 * REFUSED_STREAM); a cancelled one silently. Also the header values
 * holdfast reads itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "upstream/doh.h"

#define NQ 3

struct ends {
	int how[NQ]; /* -1 until it ended */
	char why[NQ][160];
	size_t len[NQ];
	int calls;
};

static void on_end(void *arg, void *q, enum hf_doh_end how, const uint8_t *wire, size_t len,
                   const char *why)
{
	struct ends *e = arg;
	size_t i = (size_t)(uintptr_t)q - 1; /* owners are 1, 2, 3: never NULL */
	assert_true(i < NQ);
	assert_int_equal(e->how[i], -1); /* once */
	e->how[i] = (int)how;
	e->len[i] = len;
	assert_true(how != HF_DOH_REPLY || (wire != NULL && len > 0));
	snprintf(e->why[i], sizeof(e->why[i]), "%s", why);
	e->calls++;
}

static const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x03, 'w',  'w',  'w',  0x00, 0x00, 0x01, 0x00, 0x01};

struct sink {
	uint8_t buf[4096];
	size_t len;
};

static int collect(void *ctx, const uint8_t *data, size_t len)
{
	struct sink *s = ctx;
	assert_true(len <= sizeof(s->buf) - s->len);
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

/* Feeds the server's side of a conversation from the fuzz corpus to a fresh client. */
static struct hf_doh *converse(const char *seed, struct ends *e, int *rc)
{
	char path[256];
	static uint8_t data[65536];
	snprintf(path, sizeof(path), "fuzz/corpus/doh/%s", seed);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s (run from the source tree)", path);
	size_t n = fread(data, 1, sizeof(data), f);
	fclose(f);
	for (size_t i = 0; i < NQ; i++)
		e->how[i] = -1;
	e->calls = 0;
	struct hf_doh *d = hf_doh_new("dns.example", "/dns-query", on_end, e);
	assert_non_null(d);
	for (uintptr_t i = 0; i < NQ; i++)
		assert_int_equal(hf_doh_submit(d, query, sizeof(query), (void *)(i + 1)),
		                 1 + 2 * (int)i);
	struct sink out = {.len = 0};
	assert_int_equal(hf_doh_send(d, collect, &out), 0);
	char why[256];
	*rc = hf_doh_recv(d, data, n, why, sizeof(why));
	out.len = 0;
	if (*rc == 0)
		assert_int_equal(hf_doh_send(d, collect, &out), 0);
	return d;
}

static void test_replies_by_stream(void **state)
{
	(void)state;
	struct ends e;
	int rc;
	struct hf_doh *d = converse("honest", &e, &rc);
	assert_int_equal(rc, 0);
	for (size_t i = 0; i < NQ; i++) {
		assert_int_equal(e.how[i], HF_DOH_REPLY);
		assert_true(e.len[i] > 12);
	}
	assert_false(hf_doh_refusing(d));
	assert_int_equal(hf_doh_max_streams(d, 128), 100); /* the server's SETTINGS */
	assert_int_equal(hf_doh_max_streams(d, 64), 64);
	hf_doh_free(d);

	/* Last first, each answer in 7-octet DATA frames. */
	d = converse("reversed-split", &e, &rc);
	for (size_t i = 0; i < NQ; i++)
		assert_int_equal(e.how[i], HF_DOH_REPLY);
	hf_doh_free(d);
}

static void test_http_answers_without_dns(void **state)
{
	(void)state;
	struct ends e;
	int rc;
	struct hf_doh *d = converse("http-errors", &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(e.how[0], HF_DOH_FAILED);
	assert_string_equal(e.why[0], "HTTP status 404 (a DNS answer has 200)");
	assert_int_equal(e.how[1], HF_DOH_FAILED);
	assert_string_equal(e.why[1], "HTTP status 503 (a DNS answer has 200)");
	assert_int_equal(e.how[2], HF_DOH_FAILED);
	assert_string_equal(e.why[2],
	                    "HTTP response whose content-type is not application/dns-message");
	hf_doh_free(d);

	d = converse("type-size-empty", &e, &rc);
	assert_int_equal(e.how[0], HF_DOH_REPLY); /* parameters and case are fine */
	assert_int_equal(e.how[1], HF_DOH_FAILED);
	assert_string_equal(e.why[1], "HTTP response larger than 65535 octets; refused");
	assert_int_equal(e.how[2], HF_DOH_FAILED);
	assert_string_equal(e.why[2], "HTTP response without a body");
	hf_doh_free(d);
}

static void test_informational_trailers_refused(void **state)
{
	(void)state;
	struct ends e;
	int rc;
	struct hf_doh *d = converse("informational-trailers-refused", &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(e.how[0], HF_DOH_REPLY); /* after a 100, with trailers */
	assert_int_equal(e.how[1], HF_DOH_REPLY);
	assert_int_equal(e.how[2], HF_DOH_REFUSED); /* RST_STREAM REFUSED_STREAM */
	hf_doh_free(d);
}

static void test_goaway(void **state)
{
	(void)state;
	struct ends e;
	int rc;
	/* GOAWAY with last stream 1: 1 is answered, 3 and 5 were never processed. */
	struct hf_doh *d = converse("goaway", &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(e.how[0], HF_DOH_REPLY);
	assert_int_equal(e.how[1], HF_DOH_REFUSED);
	assert_int_equal(e.how[2], HF_DOH_REFUSED);
	assert_true(hf_doh_refusing(d));
	assert_true(hf_doh_done(d));
	assert_true(hf_doh_submit(d, query, sizeof(query), (void *)1) < 0);
	hf_doh_free(d);

	d = converse("reset-goaway-error", &e, &rc);
	assert_int_equal(e.how[0], HF_DOH_FAILED);
	assert_string_equal(e.why[0], "HTTP/2 stream reset (INTERNAL_ERROR)");
	assert_int_equal(e.how[1], HF_DOH_REPLY);
	assert_int_equal(e.how[2], HF_DOH_REFUSED);
	hf_doh_free(d);
}

/* A cancelled stream ends silently; one cancelled before it went out never goes. */
static void test_cancel(void **state)
{
	(void)state;
	struct ends e;
	for (size_t i = 0; i < NQ; i++)
		e.how[i] = -1;
	struct hf_doh *d = hf_doh_new("dns.example:8443", "/q?a=1", on_end, &e);
	assert_non_null(d);
	int32_t s1 = hf_doh_submit(d, query, sizeof(query), (void *)1);
	int32_t s2 = hf_doh_submit(d, query, sizeof(query), (void *)2);
	hf_doh_cancel(d, s2);
	struct sink out = {.len = 0};
	assert_int_equal(hf_doh_send(d, collect, &out), 0);
	/* The connection preface first (the requests' headers: test_doh.py reads them). */
	assert_true(out.len > 24 && memcmp(out.buf, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24) == 0);
	hf_doh_cancel(d, s1);
	assert_int_equal(hf_doh_send(d, collect, &out), 0);
	assert_int_equal(e.how[0], -1);
	assert_int_equal(e.how[1], -1);
	hf_doh_goaway(d);
	assert_int_equal(hf_doh_send(d, collect, &out), 0);
	assert_true(hf_doh_done(d));
	hf_doh_free(d);
}

static void test_header_values(void **state)
{
	(void)state;
#define S(x) (const uint8_t *)(x), strlen(x)
	assert_int_equal(hf_doh_status(S("200")), 200);
	assert_int_equal(hf_doh_status(S("404")), 404);
	assert_int_equal(hf_doh_status(S("099")), -1);
	assert_int_equal(hf_doh_status(S("20")), -1);
	assert_int_equal(hf_doh_status(S("2000")), -1);
	assert_int_equal(hf_doh_status(S("2a0")), -1);
	assert_int_equal(hf_doh_status(S("")), -1);

	assert_true(hf_doh_is_dns_message(S("application/dns-message")));
	assert_true(hf_doh_is_dns_message(S("Application/DNS-Message")));
	assert_true(hf_doh_is_dns_message(S(" application/dns-message ")));
	assert_true(hf_doh_is_dns_message(S("application/dns-message;charset=x")));
	assert_true(hf_doh_is_dns_message(S("application/dns-message \t; a=b")));
	assert_false(hf_doh_is_dns_message(S("application/dns-messages")));
	assert_false(hf_doh_is_dns_message(S("application/dns-json")));
	assert_false(hf_doh_is_dns_message(S("application/dns")));
	assert_false(hf_doh_is_dns_message(S("text/html")));
	assert_false(hf_doh_is_dns_message(S("")));
	assert_false(hf_doh_is_dns_message(S("application/dns-message x")));

	assert_int_equal(hf_doh_content_length(S("0")), 0);
	assert_int_equal(hf_doh_content_length(S("65535")), 65535);
	assert_int_equal(hf_doh_content_length(S("4294967295")), 4294967295LL);
	assert_int_equal(hf_doh_content_length(S("4294967296")), -1);
	assert_int_equal(hf_doh_content_length(S("99999999999999999999")), -1);
	assert_int_equal(hf_doh_content_length(S("")), -1);
	assert_int_equal(hf_doh_content_length(S("-1")), -1);
	assert_int_equal(hf_doh_content_length(S("1 ")), -1);
#undef S
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replies_by_stream),
	    cmocka_unit_test(test_http_answers_without_dns),
	    cmocka_unit_test(test_informational_trailers_refused),
	    cmocka_unit_test(test_goaway),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_header_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
