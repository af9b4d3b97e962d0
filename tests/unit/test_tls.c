/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS over TLS connections (src/upstream/tls.c) against a small OpenSSL
 * server in a thread on loopback: replies matched to queries by ID whatever
 * their order, a reply nobody asked for dropped and counted, two queries with
 * one ID never in flight together, and refused authentication (name, pin)
 * failing the queries without sending them.
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
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "upstream/tls.h"
#include "upstream/upstream.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/pkt.h"

static char cert_path[] = "/tmp/hf-test-tls-XXXXXX";
static EVP_PKEY *key;
static X509 *cert;

/* --- a self-signed certificate for dot.test and 127.0.0.1 --------------------------- */

static int setup(void **state)
{
	(void)state;
	/* A peer that hangs up must not kill the test, as it does not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	cert = X509_new();
	if (key == NULL || cert == NULL)
		return -1;
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_set_pubkey(cert, key);
	X509_NAME *n = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"dot.test", -1, -1,
	                           0);
	X509_set_issuer_name(cert, n);
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	X509_EXTENSION *ext =
	    X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:dot.test,IP:127.0.0.1");
	if (ext == NULL || X509_add_ext(cert, ext, -1) != 1)
		return -1;
	X509_EXTENSION_free(ext);
	if (X509_sign(cert, key, EVP_sha256()) <= 0)
		return -1;
	int fd = mkstemp(cert_path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || PEM_write_X509(f, cert) != 1)
		return -1;
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cert_path);
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

/* --- the server thread: blocking OpenSSL, one connection ---------------------------- */

enum mode {
	REORDER,   /* read 3 queries; send a stray ID, then the replies last first */
	SAME_ID,   /* read one, note whether another follows within 200 ms, reply; again */
	HANDSHAKE, /* accept, then count what is sent */
};

struct server {
	enum mode mode;
	int lfd;
	uint16_t port;
	pthread_t thread;
	int queries;       /* messages read */
	bool second_early; /* SAME_ID: the second query came before the first reply */
};

static bool read_full(SSL *ssl, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		int n = SSL_read(ssl, buf + got, (int)(len - got));
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* One framed message into msg (at least 512 octets); its length, or 0 at the end. */
static size_t read_msg(SSL *ssl, uint8_t *msg)
{
	uint8_t len[2];
	if (!read_full(ssl, len, 2) || hf_get16(len) > 512 || !read_full(ssl, msg, hf_get16(len)))
		return 0;
	return hf_get16(len);
}

/* The query, echoed as its own reply (QR set). */
static void reply(SSL *ssl, const uint8_t *msg, size_t len, uint16_t id)
{
	uint8_t out[514];
	hf_put16(out, (uint16_t)len);
	memcpy(out + 2, msg, len);
	hf_put16(out + 2, id);
	out[4] |= 0x80;
	assert_int_equal(SSL_write(ssl, out, (int)len + 2), (int)len + 2);
}

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(ctx, cert);
	SSL_CTX_use_PrivateKey(ctx, key);
	SSL *ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	uint8_t msg[3][512];
	size_t len[3];
	if (SSL_accept(ssl) == 1) {
		switch (s->mode) {
		case REORDER:
			for (int i = 0; i < 3; i++) {
				len[i] = read_msg(ssl, msg[i]);
				if (len[i] == 0)
					goto out;
				s->queries++;
			}
			reply(ssl, msg[0], len[0], 0xdead);
			for (int i = 2; i >= 0; i--)
				reply(ssl, msg[i], len[i], hf_get16(msg[i]));
			break;
		case SAME_ID:
			len[0] = read_msg(ssl, msg[0]);
			if (len[0] == 0)
				goto out;
			s->queries++;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			s->second_early = SSL_pending(ssl) > 0 || poll(&p, 1, 200) > 0;
			reply(ssl, msg[0], len[0], hf_get16(msg[0]));
			len[1] = read_msg(ssl, msg[1]);
			if (len[1] == 0)
				goto out;
			s->queries++;
			reply(ssl, msg[1], len[1], hf_get16(msg[1]));
			break;
		case HANDSHAKE:
			break;
		}
		/* Until the client goes: anything more it sends is counted. */
		while (read_msg(ssl, msg[0]) > 0)
			s->queries++;
	}
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return NULL;
}

static void server_start(struct server *s, enum mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sin, &sl), 0);
	s->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_join(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->lfd);
}

/* --- the client side ------------------------------------------------------------ */

struct got {
	int messages;
	int errors;
	uint16_t id;    /* of the last message */
	uint8_t label0; /* first octet of the question's first label, to tell queries apart */
	struct hf_tls_q **self; /* cancel on the first message (frees the ID) */
};

static void on_msg(void *arg, const uint8_t *wire, size_t len, int err, int ip_ttl)
{
	struct got *g = arg;
	assert_int_equal(ip_ttl, -1);
	if (err != HF_OK) {
		assert_null(wire);
		g->errors++;
		return;
	}
	assert_true(len > HF_HEADER_LEN + 1);
	g->messages++;
	g->id = hf_get16(wire);
	g->label0 = wire[HF_HEADER_LEN + 1];
	if (g->self != NULL) {
		hf_tls_cancel(*g->self);
		*g->self = NULL;
	}
}

/* A query for <c>.test A with this ID. */
static size_t query(uint8_t *buf, uint16_t id, char c)
{
	static const uint8_t tail[] = {1, 0, 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
	memset(buf, 0, HF_HEADER_LEN);
	hf_put16(buf, id);
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* QDCOUNT */
	memcpy(buf + HF_HEADER_LEN, tail, sizeof(tail));
	buf[HF_HEADER_LEN + 1] = (uint8_t)c;
	return HF_HEADER_LEN + sizeof(tail);
}

struct client {
	uv_loop_t loop;
	uv_timer_t tick; /* keeps the loop waking up */
	struct hf_tls_pool *pool;
	struct hf_upstream server;
	struct hf_tls_peer peer;
};

static void on_tick(uv_timer_t *t)
{
	(void)t;
}

static void client_init(struct client *c, uint16_t port, const char *name, const char *ca)
{
	memset(c, 0, sizeof(*c));
	char err[256];
	c->peer.ctx = hf_tls_ctx_new(ca, err, sizeof(err));
	assert_non_null(c->peer.ctx);
	snprintf(c->peer.name, sizeof(c->peer.name), "%s", name);
	c->server.tls = &c->peer;
	snprintf(c->server.name, sizeof(c->server.name), "test");
	struct sockaddr_in *sin = (struct sockaddr_in *)&c->server.addr.ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->server.addr.len = sizeof(*sin);
	assert_int_equal(uv_loop_init(&c->loop), 0);
	uv_timer_init(&c->loop, &c->tick);
	uv_timer_start(&c->tick, on_tick, 20, 20);
	c->pool = hf_tls_pool_new(&c->loop);
	assert_non_null(c->pool);
}

/* Runs the loop until *done says so (or 5 s pass). */
static void client_run(struct client *c, bool (*done)(void *), void *arg)
{
	for (int i = 0; i < 250 && !done(arg); i++)
		uv_run(&c->loop, UV_RUN_ONCE);
}

static void client_close(struct client *c)
{
	hf_tls_pool_close(c->pool);
	uv_close((uv_handle_t *)&c->tick, NULL);
	uv_run(&c->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&c->loop), 0);
	hf_tls_ctx_free(c->peer.ctx);
}

struct three {
	struct got g[3];
};

static bool three_answered(void *arg)
{
	struct three *t = arg;
	return t->g[0].messages + t->g[1].messages + t->g[2].messages >= 3;
}

static void test_replies_matched_by_id_in_any_order(void **state)
{
	(void)state;
	struct server s;
	struct client c;
	server_start(&s, REORDER);
	client_init(&c, s.port, "dot.test", cert_path);
	struct three t = {0};
	struct hf_tls_q *q[3];
	uint16_t ids[3] = {0x1111, 0x2222, 0x3333};
	for (int i = 0; i < 3; i++) {
		uint8_t wire[64];
		size_t len = query(wire, ids[i], (char)('a' + i));
		q[i] = hf_tls_query(c.pool, &c.server, wire, len, on_msg, &t.g[i]);
		assert_non_null(q[i]);
	}
	client_run(&c, three_answered, &t);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(t.g[i].messages, 1);
		assert_int_equal(t.g[i].errors, 0);
		assert_int_equal(t.g[i].id, ids[i]);
		assert_int_equal(t.g[i].label0, 'a' + i);
	}
	/* The reply with ID 0xdead matched no query: dropped and counted. */
	assert_int_equal(atomic_load(&c.server.bad_replies), 1);
	assert_int_equal(atomic_load(&c.server.tls_connections), 1);
	assert_int_equal(atomic_load(&c.server.tls_failures), 0);
	for (int i = 0; i < 3; i++)
		hf_tls_cancel(q[i]);
	client_close(&c);
	server_join(&s);
	assert_int_equal(s.queries, 3);
}

struct two {
	struct got g[2];
};

static bool two_answered(void *arg)
{
	struct two *t = arg;
	return t->g[0].messages + t->g[1].messages >= 2;
}

static void test_one_id_never_twice_in_flight(void **state)
{
	(void)state;
	struct server s;
	struct client c;
	server_start(&s, SAME_ID);
	client_init(&c, s.port, "dot.test", cert_path);
	struct two t = {0};
	struct hf_tls_q *q[2];
	for (int i = 0; i < 2; i++) {
		uint8_t wire[64];
		size_t len = query(wire, 0x4242, (char)('a' + i));
		t.g[i].self = &q[i];
		q[i] = hf_tls_query(c.pool, &c.server, wire, len, on_msg, &t.g[i]);
		assert_non_null(q[i]);
	}
	client_run(&c, two_answered, &t);
	/* Each got its own reply: the second was sent only once the first was done. */
	assert_int_equal(t.g[0].messages, 1);
	assert_int_equal(t.g[0].label0, 'a');
	assert_int_equal(t.g[1].messages, 1);
	assert_int_equal(t.g[1].label0, 'b');
	assert_null(q[0]);
	assert_null(q[1]);
	client_close(&c);
	server_join(&s);
	assert_false(s.second_early);
	assert_int_equal(s.queries, 2);
}

static bool failed(void *arg)
{
	return ((struct got *)arg)->errors > 0;
}

static void refused(const char *name, const uint8_t *pin)
{
	struct server s;
	struct client c;
	server_start(&s, HANDSHAKE);
	client_init(&c, s.port, name, cert_path);
	if (pin != NULL) {
		memcpy(c.peer.pins[0], pin, HF_TLS_PIN_LEN);
		c.peer.npins = 1;
	}
	struct got g = {0};
	uint8_t wire[64];
	size_t len = query(wire, 7, 'a');
	struct hf_tls_q *q = hf_tls_query(c.pool, &c.server, wire, len, on_msg, &g);
	assert_non_null(q);
	client_run(&c, failed, &g);
	assert_int_equal(g.errors, 1);
	assert_int_equal(g.messages, 0);
	assert_int_equal(atomic_load(&c.server.tls_failures), 1);
	assert_int_equal(atomic_load(&c.server.tls_connections), 0);
	hf_tls_cancel(q);
	client_close(&c);
	server_join(&s);
	assert_int_equal(s.queries, 0); /* nothing was sent */
}

static void test_wrong_name_refused(void **state)
{
	(void)state;
	refused("other.test", NULL);
}

static void test_wrong_pin_refused(void **state)
{
	(void)state;
	static const uint8_t zero[HF_TLS_PIN_LEN];
	refused("dot.test", zero);
	refused("", zero); /* a pin alone: the chain is not what fails */
}

static void test_right_pin_alone_accepted(void **state)
{
	(void)state;
	/* The server's pin, with no name and a CA store that does not know it. */
	uint8_t pin[HF_TLS_PIN_LEN];
	unsigned char *der = NULL;
	int dlen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	assert_true(dlen > 0);
	assert_int_equal(EVP_Digest(der, (size_t)dlen, pin, NULL, EVP_sha256(), NULL), 1);
	OPENSSL_free(der);

	struct server s;
	struct client c;
	server_start(&s, SAME_ID);
	client_init(&c, s.port, "", "");
	memcpy(c.peer.pins[0], pin, HF_TLS_PIN_LEN);
	c.peer.npins = 1;
	struct two t = {0};
	struct hf_tls_q *q[2];
	for (int i = 0; i < 2; i++) {
		uint8_t wire[64];
		size_t len = query(wire, (uint16_t)(100 + i), (char)('a' + i));
		q[i] = hf_tls_query(c.pool, &c.server, wire, len, on_msg, &t.g[i]);
	}
	client_run(&c, two_answered, &t);
	assert_int_equal(t.g[0].messages, 1);
	assert_int_equal(t.g[1].messages, 1);
	hf_tls_cancel(q[0]);
	hf_tls_cancel(q[1]);
	client_close(&c);
	server_join(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replies_matched_by_id_in_any_order),
	    cmocka_unit_test(test_one_id_never_twice_in_flight),
	    cmocka_unit_test(test_wrong_name_refused),
	    cmocka_unit_test(test_wrong_pin_refused),
	    cmocka_unit_test(test_right_pin_alone_accepted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
