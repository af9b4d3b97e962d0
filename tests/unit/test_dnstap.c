/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The dnstap query log: frames decode with the code generated from
 * dnstap.proto into what went in; the writer produces an fstrm file of
 * content type protobuf:dnstap.Dnstap that fstrm's own reader accepts; a
 * destination that cannot be used is an error at open.
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
#include <fstrm.h>

#include "config/config.h"
#include "dnstap/dnstap.h"
#include "dnstap/dnstap.pb-c.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/name.h"

/* A query for example.com. A, and a zone name. */
static const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',
                                3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01};
static const uint8_t zone[] = {3, 'c', 'o', 'm', 0};

static struct sockaddr_in v4(const char *addr, uint16_t port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};
	assert_int_equal(inet_pton(AF_INET, addr, &s.sin_addr), 1);
	return s;
}

static Dnstap__Dnstap *decode(const uint8_t *frame, size_t len)
{
	Dnstap__Dnstap *dt = dnstap__dnstap__unpack(NULL, len, frame);
	assert_non_null(dt);
	assert_int_equal(dt->type, DNSTAP__DNSTAP__TYPE__MESSAGE);
	assert_non_null(dt->message);
	return dt;
}

static void assert_bytes(const ProtobufCBinaryData *b, const void *want, size_t len)
{
	assert_int_equal(b->len, len);
	assert_memory_equal(b->data, want, len);
}

static void test_client_query_roundtrip(void **state)
{
	(void)state;
	struct sockaddr_in client = v4("192.0.2.1", 40000), local = v4("127.0.0.1", 53);
	struct hf_dnstap_msg m = {.type = HF_DNSTAP_CLIENT_QUERY,
	                          .proto = HF_DNSTAP_UDP,
	                          .query_addr = (const struct sockaddr *)&client,
	                          .response_addr = (const struct sockaddr *)&local,
	                          .query_time_us = 1700000000123456ull,
	                          .query = query,
	                          .query_len = sizeof(query)};
	size_t len = 0;
	uint8_t *frame = hf_dnstap_encode(&m, "ns1", "holdfast 9", &len);
	assert_non_null(frame);
	Dnstap__Dnstap *dt = decode(frame, len);
	assert_bytes(&dt->identity, "ns1", 3);
	assert_bytes(&dt->version, "holdfast 9", 10);
	const Dnstap__Message *dm = dt->message;
	assert_int_equal(dm->type, DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
	assert_int_equal(dm->socket_family, DNSTAP__SOCKET_FAMILY__INET);
	assert_int_equal(dm->socket_protocol, DNSTAP__SOCKET_PROTOCOL__UDP);
	assert_bytes(&dm->query_address, &client.sin_addr, 4);
	assert_bytes(&dm->response_address, &local.sin_addr, 4);
	assert_int_equal(dm->query_port, 40000);
	assert_int_equal(dm->response_port, 53);
	assert_true(dm->has_query_time_sec);
	assert_int_equal(dm->query_time_sec, 1700000000);
	assert_int_equal(dm->query_time_nsec, 123456000);
	assert_bytes(&dm->query_message, query, sizeof(query));
	/* What the message did not carry stays out of the frame. */
	assert_false(dm->has_response_message);
	assert_false(dm->has_response_time_sec);
	assert_false(dm->has_query_zone);
	dnstap__dnstap__free_unpacked(dt, NULL);
	hf_free(frame);
}

static void test_forwarder_response_ipv6_zone(void **state)
{
	(void)state;
	struct sockaddr_in6 up = {.sin6_family = AF_INET6, .sin6_port = htons(853)};
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::53", &up.sin6_addr), 1);
	struct hf_dnstap_msg m = {.type = HF_DNSTAP_FORWARDER_RESPONSE,
	                          .proto = HF_DNSTAP_DOT,
	                          .response_addr = (const struct sockaddr *)&up,
	                          .query_time_us = 5000001,
	                          .response_time_us = 5000002,
	                          .response = query,
	                          .response_len = sizeof(query),
	                          .zone = zone};
	size_t len = 0;
	uint8_t *frame = hf_dnstap_encode(&m, "", "", &len);
	assert_non_null(frame);
	Dnstap__Dnstap *dt = decode(frame, len);
	assert_false(dt->has_identity);
	assert_false(dt->has_version);
	const Dnstap__Message *dm = dt->message;
	assert_int_equal(dm->type, DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE);
	assert_int_equal(dm->socket_family, DNSTAP__SOCKET_FAMILY__INET6);
	assert_int_equal(dm->socket_protocol, DNSTAP__SOCKET_PROTOCOL__DOT);
	assert_false(dm->has_query_address);
	assert_bytes(&dm->response_address, &up.sin6_addr, 16);
	assert_int_equal(dm->response_port, 853);
	assert_bytes(&dm->query_zone, zone, sizeof(zone));
	assert_int_equal(dm->query_time_sec, 5);
	assert_int_equal(dm->query_time_nsec, 1000);
	assert_int_equal(dm->response_time_nsec, 2000);
	assert_bytes(&dm->response_message, query, sizeof(query));
	dnstap__dnstap__free_unpacked(dt, NULL);
	hf_free(frame);
}

/* A zone that is no valid name is left out rather than read past its end. */
static void test_bad_zone_left_out(void **state)
{
	(void)state;
	static const uint8_t bad[HF_NAME_MAX] = {0xc0, 0x0c};
	struct hf_dnstap_msg m = {
	    .type = HF_DNSTAP_RESOLVER_QUERY, .proto = HF_DNSTAP_UDP, .zone = bad};
	size_t len = 0;
	uint8_t *frame = hf_dnstap_encode(&m, NULL, NULL, &len);
	assert_non_null(frame);
	Dnstap__Dnstap *dt = decode(frame, len);
	assert_false(dt->message->has_query_zone);
	assert_false(dt->message->has_socket_family);
	dnstap__dnstap__free_unpacked(dt, NULL);
	hf_free(frame);
}

static struct hf_config *config(const char *yaml)
{
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = hf_config_parse("t.yaml", yaml, strlen(yaml), err);
	assert_non_null(cfg);
	return cfg;
}

/* Frames written on two worker queues come back through fstrm's reader, content type checked. */
static void test_file_roundtrip(void **state)
{
	(void)state;
	char path[] = "/tmp/hf-dnstap-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char yaml[128];
	snprintf(yaml, sizeof(yaml), "dnstap: {file: %s, identity: t1}\n", path);
	struct hf_config *cfg = config(yaml);
	char err[HF_CONFIG_ERR_MAX];
	struct hf_dnstap *d = NULL;
	assert_int_equal(hf_dnstap_open(cfg, 2, &d, err), HF_OK);
	assert_non_null(d);
	assert_true(hf_dnstap_logs_client(d));
	struct hf_dnstap_msg m = {.type = HF_DNSTAP_CLIENT_QUERY,
	                          .proto = HF_DNSTAP_TCP,
	                          .query = query,
	                          .query_len = sizeof(query)};
	hf_dnstap_log(d, 0, &m);
	m.type = HF_DNSTAP_CLIENT_RESPONSE;
	hf_dnstap_log(d, 1, &m);
	struct hf_dnstap_stats st;
	hf_dnstap_stats(d, &st);
	assert_int_equal(st.written, 2);
	hf_dnstap_close(d);

	struct fstrm_file_options *fopt = fstrm_file_options_init();
	fstrm_file_options_set_file_path(fopt, path);
	struct fstrm_reader_options *ropt = fstrm_reader_options_init();
	fstrm_reader_options_add_content_type(ropt, "protobuf:dnstap.Dnstap", 22);
	struct fstrm_reader *r = fstrm_file_reader_init(fopt, ropt);
	assert_non_null(r);
	const uint8_t *data;
	size_t len;
	unsigned seen = 0, types = 0;
	while (fstrm_reader_read(r, &data, &len) == fstrm_res_success) {
		Dnstap__Dnstap *dt = decode(data, len);
		assert_bytes(&dt->identity, "t1", 2);
		assert_int_equal(dt->message->socket_protocol, DNSTAP__SOCKET_PROTOCOL__TCP);
		types |= 1u << dt->message->type;
		seen++;
		dnstap__dnstap__free_unpacked(dt, NULL);
	}
	assert_int_equal(seen, 2);
	assert_int_equal(types, (1u << 5) | (1u << 6));
	fstrm_reader_destroy(&r);
	fstrm_reader_options_destroy(&ropt);
	fstrm_file_options_destroy(&fopt);
	unlink(path);
	hf_config_free(cfg);
}

static void test_open_errors(void **state)
{
	(void)state;
	char err[HF_CONFIG_ERR_MAX];
	struct hf_dnstap *d = (struct hf_dnstap *)1;

	struct hf_config *cfg = config("");
	assert_int_equal(hf_dnstap_open(cfg, 1, &d, err), HF_OK);
	assert_null(d); /* off by default */
	assert_false(hf_dnstap_logs_client(d));
	hf_dnstap_close(d);
	hf_config_free(cfg);

	cfg = config("dnstap: {file: /nonexistent-dir/tap.fstrm}\n");
	assert_true(hf_dnstap_open(cfg, 1, &d, err) < 0);
	assert_null(d);
	assert_non_null(strstr(err, "dnstap.file /nonexistent-dir/tap.fstrm: cannot be created"));
	hf_config_free(cfg);

	cfg = config("dnstap: {socket: /nonexistent-dir/tap.sock}\n");
	assert_true(hf_dnstap_open(cfg, 1, &d, err) < 0);
	assert_null(d);
	assert_non_null(strstr(err, "dnstap.socket /nonexistent-dir/tap.sock: no collector"));
	hf_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_client_query_roundtrip),
	    cmocka_unit_test(test_forwarder_response_ipv6_zone),
	    cmocka_unit_test(test_bad_zone_left_out),
	    cmocka_unit_test(test_file_roundtrip),
	    cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
