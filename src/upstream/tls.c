/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS over TLS and DNS over HTTPS to forward upstreams: pooled, pipelined,
 * authenticated connections. See tls.h; doh.c speaks HTTP/2 on them.
 */
#include "upstream/tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "upstream/doh.h"
#include "upstream/upstream.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"
#include "wire/pkt.h"

#define IDLE_MS        10000 /* an unused connection is closed after this long */
#define HANDSHAKE_MS   5000  /* TCP connect plus TLS handshake */
#define INFLIGHT_MAX   128   /* unanswered queries written on one connection */
#define UNANSWERED_MAX 3     /* queries in a row given up on with nothing read: dead */
#define READ_CHUNK     16384
#define WARN_EVERY_MS  10000 /* failures of one upstream are warnings this often, debug between */
#define IN_CAP         (2 + HF_MSG_MAX)

static const unsigned char alpn_dot[] = {3, 'd', 'o', 't'}; /* RFC 7858 ALPN, as RFC 9461 */
static const unsigned char alpn_h2[] = {2, 'h', '2'};       /* RFC 8484 §5.2: HTTP/2 */

/* --- contexts --------------------------------------------------------------- */

static int on_new_session(SSL *ssl, SSL_SESSION *sess);

struct ssl_ctx_st *hf_tls_ctx_new(const char *ca, char *err, size_t cap)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		snprintf(err, cap, "cannot set up TLS (out of memory)");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Sessions are kept by the pool (per upstream), not in the context's cache. */
	SSL_CTX_set_session_cache_mode(ctx,
	                               SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, on_new_session);
	int ok;
	struct stat st;
	if (ca == NULL || ca[0] == '\0')
		ok = SSL_CTX_set_default_verify_paths(ctx);
	else if (stat(ca, &st) == 0 && S_ISDIR(st.st_mode))
		ok = SSL_CTX_load_verify_dir(ctx, ca);
	else
		ok = SSL_CTX_load_verify_file(ctx, ca);
	if (ok != 1) {
		char why[256];
		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		snprintf(err, cap, "tls-ca %.200s: cannot load CA certificates (%s)",
		         ca != NULL && ca[0] ? ca : "(system store)", why);
		ERR_clear_error();
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void hf_tls_ctx_free(struct ssl_ctx_st *ctx)
{
	SSL_CTX_free(ctx);
}

void hf_tls_pin_format(const uint8_t pin[HF_TLS_PIN_LEN], char *out, size_t cap)
{
	unsigned char b64[4 * ((HF_TLS_PIN_LEN + 2) / 3) + 1];
	EVP_EncodeBlock(b64, pin, HF_TLS_PIN_LEN);
	snprintf(out, cap, "sha256/%s", (const char *)b64);
}

/* --- the pool's parts ------------------------------------------------------- */

enum conn_state {
	CONN_CONNECTING, /* TCP */
	CONN_HANDSHAKE,  /* TLS, then the pin check */
	CONN_READY,      /* queries flow */
	CONN_CLOSED,     /* handles closing; freed by their close callbacks */
};

struct tls_conn;

/* One upstream as this pool knows it; kept as long as the pool. */
struct tls_entry {
	struct hf_tls_pool *pool;
	struct hf_upstream *server;
	struct tls_conn *conn; /* the open one queries go to; NULL when none */
	SSL_SESSION *session;  /* to resume; NULL when none yet */
	uint64_t warned_ms;    /* last failure logged as a warning */
	struct tls_entry *next;
};

struct hf_tls_pool {
	uv_loop_t *loop;
	struct tls_entry *entries;
	struct tls_conn *conns; /* every connection not yet freed, closing ones included */
	bool closing;
};

struct hf_tls_q {
	struct tls_conn *conn; /* NULL once its connection failed */
	struct hf_tls_q *prev, *next;
	uint16_t id;
	bool sent;      /* written on conn */
	bool answered;  /* a message with its ID came */
	bool resent;    /* already moved once to a fresh connection */
	int32_t stream; /* DoH: its HTTP/2 stream while that runs; 0 otherwise */
	hf_upq_cb cb;
	void *arg;
	size_t len;
	uint8_t frame[]; /* the 2-octet length, then the message */
};

struct tls_conn {
	struct hf_tls_pool *pool;
	struct tls_conn *prev, *next; /* in pool->conns */
	struct tls_entry *entry;
	enum conn_state state;
	uv_tcp_t tcp;
	uv_timer_t timer; /* handshake deadline, idle close, deferred failure */
	uv_connect_t connect;
	uv_shutdown_t shutdown;
	int open_handles;
	SSL *ssl;
	BIO *net_in;                  /* ciphertext from the server, for OpenSSL to read */
	BIO *net_out;                 /* ciphertext OpenSSL wrote, for the socket */
	struct hf_tls_q *head, *tail; /* every query on the connection, oldest first */
	unsigned inflight;            /* sent, not cancelled */
	unsigned unanswered;          /* given up on in a row, nothing read since */
	int later_err;                /* a failure to deliver from the loop, not the caller */
	struct hf_doh *h2;            /* DoH: the HTTP/2 session, once TLS is up; NULL for DoT */
	bool h2_busy;                 /* inside the HTTP/2 session: no output from here */
	bool h2_again;                /* asked for output meanwhile */
	uint8_t *in;                  /* plaintext: framed messages (DoT), read buffer (DoH) */
	size_t in_len;
	char rbuf[READ_CHUNK];
};

struct conn_write {
	uv_write_t req;
	char data[];
};

static void on_timer(uv_timer_t *t);
static void conn_lost(struct tls_conn *c, int err);
static struct tls_conn *entry_conn(struct tls_entry *e);
static void conn_fail(struct tls_conn *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const char *conn_name(const struct tls_conn *c)
{
	return c->entry->server->name;
}

static void q_link(struct tls_conn *c, struct hf_tls_q *q)
{
	q->conn = c;
	q->prev = c->tail;
	q->next = NULL;
	if (c->tail != NULL)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
}

static void q_unlink(struct tls_conn *c, struct hf_tls_q *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		c->head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		c->tail = q->prev;
	q->prev = q->next = NULL;
	q->conn = NULL;
	if (q->sent)
		c->inflight--;
}

/* DoH: after the server's GOAWAY, later queries go to another connection. */
static void conn_retire(struct tls_conn *c)
{
	if (c->entry->conn != c)
		return;
	hf_log_debug("upstream %s: the server sent GOAWAY (%u queries waiting); later queries go "
	             "on a fresh connection",
	             conn_name(c), c->inflight);
	c->entry->conn = NULL;
}

/* Puts q on c, which stops being idle. */
static void conn_take(struct tls_conn *c, struct hf_tls_q *q)
{
	if (c->state == CONN_READY && c->head == NULL && c->later_err == 0)
		uv_timer_stop(&c->timer);
	q_link(c, q);
}

/* The query in flight on c with this ID, or NULL. */
static struct hf_tls_q *q_find_sent(const struct tls_conn *c, uint16_t id)
{
	for (struct hf_tls_q *q = c->head; q != NULL; q = q->next) {
		if (q->sent && q->id == id)
			return q;
	}
	return NULL;
}

/* --- closing -------------------------------------------------------------- */

static void pool_free(struct hf_tls_pool *pool)
{
	struct tls_entry *e = pool->entries;
	while (e != NULL) {
		struct tls_entry *next = e->next;
		SSL_SESSION_free(e->session);
		hf_free(e);
		e = next;
	}
	hf_free(pool);
}

static void on_conn_closed(uv_handle_t *h)
{
	struct tls_conn *c = h->data;
	if (--c->open_handles > 0)
		return;
	struct hf_tls_pool *pool = c->pool;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		pool->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	SSL_free(c->ssl); /* and both BIOs */
	hf_doh_free(c->h2);
	hf_free(c->in);
	hf_free(c);
	if (pool->conns == NULL && pool->closing)
		pool_free(pool);
}

/* Takes c out of use: no new query goes to it, and its handles close. */
static void conn_close(struct tls_conn *c)
{
	if (c->state == CONN_CLOSED)
		return;
	c->state = CONN_CLOSED;
	if (c->entry->conn == c)
		c->entry->conn = NULL;
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, on_conn_closed);
	uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

/* Every query still on c learns of err; each may cancel itself or start another. */
static void fail_queries(struct tls_conn *c, int err)
{
	while (c->head != NULL) {
		struct hf_tls_q *q = c->head;
		q_unlink(c, q);
		q->cb(q->arg, NULL, 0, err, -1);
	}
}

/* Logs a failure of e's upstream: a warning at most every WARN_EVERY_MS per pool, debug
 * in between. */
static void entry_log_failure(struct tls_entry *e, const char *why)
{
	uint64_t now = hf_clock_mono_ms();
	bool warn = e->warned_ms == 0 || now - e->warned_ms >= WARN_EVERY_MS;
	if (warn)
		e->warned_ms = now;
	hf_log(warn ? HF_LOG_LVL_WARNING : HF_LOG_LVL_DEBUG, "upstream %s: %s", e->server->name,
	       why);
}

/* Closes c and fails its queries with err, logging why (entry_log_failure). */
static void conn_fail(struct tls_conn *c, int err, const char *fmt, ...)
{
	if (c->state == CONN_CLOSED)
		return;
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	struct hf_upstream *s = c->entry->server;
	atomic_fetch_add_explicit(&s->tls_failures, 1, memory_order_relaxed);
	entry_log_failure(c->entry, why);
	conn_close(c);
	fail_queries(c, err);
}

/* A failure found inside a call from the resolver, delivered from the loop instead. */
static void conn_fail_later(struct tls_conn *c, int err)
{
	if (c->state == CONN_CLOSED || c->later_err != 0)
		return;
	c->later_err = err;
	uv_timer_stop(&c->timer);
	uv_timer_start(&c->timer, on_timer, 0, 0);
}

/* --- writing ---------------------------------------------------------------- */

static void on_written(uv_write_t *req, int status)
{
	struct tls_conn *c = req->handle->data;
	hf_free(req);
	if (status < 0 && status != UV_ECANCELED)
		conn_fail(c, status, "TLS connection: write: %s", uv_strerror(status));
}

/* Hands whatever OpenSSL wrote to the socket. */
static int flush_out(struct tls_conn *c)
{
	size_t pending = BIO_ctrl_pending(c->net_out);
	if (pending == 0 || c->state == CONN_CLOSED)
		return HF_OK;
	struct conn_write *w = hf_malloc(sizeof(*w) + pending);
	if (w == NULL)
		return HF_ENOMEM;
	int n = BIO_read(c->net_out, w->data, (int)pending);
	if (n != (int)pending) {
		hf_free(w);
		return -EPROTO;
	}
	uv_buf_t b = uv_buf_init(w->data, (unsigned)pending);
	int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written);
	if (rc < 0) {
		hf_free(w);
		return rc;
	}
	return HF_OK;
}

static int h2_write(void *ctx, const uint8_t *data, size_t len)
{
	struct tls_conn *c = ctx;
	ERR_clear_error();
	return SSL_write(c->ssl, data, (int)len) == (int)len ? HF_OK : -EPROTO;
}

/*
 * DoH: passes what the HTTP/2 session has to send through TLS to the
 * socket. From inside one of the session's callbacks (a query ending there
 * may start or cancel others) it only asks the outer call for another
 * round: nghttp2 is not reentrant.
 */
static int h2_flush(struct tls_conn *c)
{
	if (c->h2_busy) {
		c->h2_again = true;
		return HF_OK;
	}
	int rc = HF_OK;
	c->h2_busy = true;
	do {
		c->h2_again = false;
		rc = hf_doh_send(c->h2, h2_write, c);
	} while (rc == HF_OK && c->h2_again && c->state != CONN_CLOSED);
	c->h2_busy = false;
	return rc == HF_OK ? flush_out(c) : rc;
}

/* DoH: a stream for each query that may go now, as many as the server allows at once. */
static int h2_send_queued(struct tls_conn *c)
{
	unsigned max = hf_doh_max_streams(c->h2, INFLIGHT_MAX);
	for (struct hf_tls_q *q = c->head; q != NULL && c->inflight < max; q = q->next) {
		if (q->sent)
			continue;
		if (hf_doh_refusing(c->h2))
			break; /* after GOAWAY: h2_settle() moves them */
		int32_t id = hf_doh_submit(c->h2, q->frame + 2, q->len - 2, q);
		if (id < 0)
			return id;
		q->stream = id;
		q->sent = true;
		c->inflight++;
	}
	return h2_flush(c);
}

/* Writes the queries that may go now: up to INFLIGHT_MAX, no two with one ID (DoT). */
static int send_queued(struct tls_conn *c)
{
	if (c->state != CONN_READY)
		return HF_OK;
	if (c->h2 != NULL)
		return h2_send_queued(c);
	for (struct hf_tls_q *q = c->head; q != NULL && c->inflight < INFLIGHT_MAX; q = q->next) {
		if (q->sent || q_find_sent(c, q->id) != NULL)
			continue;
		ERR_clear_error();
		if (SSL_write(c->ssl, q->frame, (int)q->len) != (int)q->len)
			return -EPROTO; /* memory BIOs take everything: out of memory */
		q->sent = true;
		c->inflight++;
	}
	return flush_out(c);
}

/* --- reading ---------------------------------------------------------------- */

static void dispatch(struct tls_conn *c, const uint8_t *msg, size_t len)
{
	struct hf_upstream *s = c->entry->server;
	c->unanswered = 0;
	struct hf_tls_q *q = len >= HF_HEADER_LEN ? q_find_sent(c, hf_get16(msg)) : NULL;
	if (q == NULL) {
		atomic_fetch_add_explicit(&s->bad_replies, 1, memory_order_relaxed);
		if (len >= HF_HEADER_LEN)
			hf_log_debug("upstream %s: reply with ID %u matches no query in flight; "
			             "dropped",
			             conn_name(c), (unsigned)hf_get16(msg));
		else
			hf_log_debug("upstream %s: %zu-octet message dropped", conn_name(c), len);
		return;
	}
	q->answered = true;
	q->cb(q->arg, msg, len, HF_OK, -1);
}

/*
 * Decrypts what arrived into buf: the number of octets, or 0 when there is
 * nothing more for now or the connection ended (c->state then says so).
 */
static size_t read_plain(struct tls_conn *c, uint8_t *buf, size_t cap)
{
	ERR_clear_error();
	int n = SSL_read(c->ssl, buf, (int)cap);
	if (n > 0)
		return (size_t)n;
	int e = SSL_get_error(c->ssl, n);
	if (flush_out(c) != HF_OK) /* e.g. a reply to a key update */
		conn_fail(c, -EPROTO, "TLS connection: cannot write (out of memory)");
	else if (e == SSL_ERROR_ZERO_RETURN) {
		/* close_notify: ours in return, then as if the server hung up. */
		(void)SSL_shutdown(c->ssl);
		(void)flush_out(c);
		conn_lost(c, -ECONNRESET);
	} else if (e != SSL_ERROR_WANT_READ)
		conn_fail(c, -EPROTO, "TLS connection: error while reading: %s",
		          ERR_reason_error_string(ERR_peek_last_error()) != NULL
		              ? ERR_reason_error_string(ERR_peek_last_error())
		              : "unknown");
	return 0;
}

/* DoT: decrypts what arrived and hands each whole message to its query. */
static void read_messages(struct tls_conn *c)
{
	while (c->state == CONN_READY) {
		size_t n = read_plain(c, c->in + c->in_len, IN_CAP - c->in_len);
		if (n == 0)
			return;
		c->in_len += n;
		size_t off = 0;
		while (c->state == CONN_READY && c->in_len - off >= 2) {
			size_t mlen = hf_get16(c->in + off);
			if (c->in_len - off < 2 + mlen)
				break;
			dispatch(c, c->in + off + 2, mlen);
			off += 2 + mlen;
		}
		if (c->state != CONN_READY)
			return;
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

/* --- DoH: streams ending, the server's GOAWAY ------------------------------------ */

/*
 * A query on c goes on the connection its upstream's queries go to now:
 * once more at most if it went out already (sent), else as it is; it fails
 * with err when it may not or no connection can be had.
 */
static void q_again(struct tls_conn *c, struct hf_tls_q *q, int err)
{
	bool second = q->sent;
	q_unlink(c, q);
	q->sent = false;
	q->stream = 0;
	struct tls_conn *fresh = second && q->resent ? NULL : entry_conn(c->entry);
	if (fresh == NULL) {
		q->cb(q->arg, NULL, 0, err, -1);
		return;
	}
	if (second)
		q->resent = true;
	conn_take(fresh, q);
	if (send_queued(fresh) != HF_OK)
		conn_fail_later(fresh, -EPROTO);
}

/* A stream ended (doh.h): its reply, or why there is none. */
static void on_h2_end(void *arg, void *qp, enum hf_doh_end how, const uint8_t *wire, size_t len,
                      const char *why)
{
	struct tls_conn *c = arg;
	struct hf_tls_q *q = qp;
	struct hf_upstream *s = c->entry->server;
	q->stream = 0;
	switch (how) {
	case HF_DOH_REPLY:
		c->unanswered = 0;
		q->answered = true;
		q->cb(q->arg, wire, len, HF_OK, -1);
		break;
	case HF_DOH_FAILED: {
		/* The server answered, but not with DNS: that query fails, the rest go on. */
		char line[256];
		c->unanswered = 0;
		atomic_fetch_add_explicit(&s->bad_replies, 1, memory_order_relaxed);
		snprintf(line, sizeof(line), "%s; no DNS answer, no fallback to plain DNS", why);
		entry_log_failure(c->entry, line);
		q_unlink(c, q);
		q->cb(q->arg, NULL, 0, -EPROTO, -1);
		break;
	}
	case HF_DOH_REFUSED:
		hf_log_debug("upstream %s: %s; the query goes again", conn_name(c), why);
		q_again(c, q, -ECONNRESET);
		break;
	}
}

/*
 * After the session had its say. A GOAWAY from the server: later queries,
 * and those not sent yet, go to a fresh connection, and this one closes
 * once its streams end. A session that is over with queries still on it:
 * as if the server had closed the connection.
 */
static void h2_settle(struct tls_conn *c)
{
	if (c->state != CONN_READY)
		return;
	struct tls_entry *e = c->entry;
	if (hf_doh_refusing(c->h2)) {
		conn_retire(c);
		/* From the head each time: a query failing here may end others. */
		while (c->state == CONN_READY) {
			struct hf_tls_q *q = c->head;
			while (q != NULL && q->sent)
				q = q->next;
			if (q == NULL)
				break;
			q_again(c, q, -ECONNRESET);
		}
	}
	if (c->state != CONN_READY)
		return;
	if (hf_doh_done(c->h2) && c->head != NULL)
		conn_lost(c, -ECONNRESET);
	else if (c->head == NULL && (e->conn != c || hf_doh_done(c->h2)) && c->later_err == 0)
		uv_timer_start(&c->timer, on_timer, 0, 0); /* closes it */
}

/* DoH: decrypts what arrived and hands it to the HTTP/2 session. */
static void h2_read(struct tls_conn *c)
{
	while (c->state == CONN_READY) {
		size_t n = read_plain(c, c->in, IN_CAP);
		if (n == 0)
			break;
		char why[256];
		c->h2_busy = true;
		int rc = hf_doh_recv(c->h2, c->in, n, why, sizeof(why));
		c->h2_busy = false;
		if (rc != HF_OK) {
			(void)h2_flush(c); /* its GOAWAY */
			conn_fail(c, -EPROTO, "%s", why);
			return;
		}
	}
	if (c->state == CONN_READY && h2_flush(c) != HF_OK) {
		conn_fail(c, -EPROTO, "TLS connection: cannot write (out of memory)");
		return;
	}
	h2_settle(c);
}

/* The SHA-256 of the certificate's SubjectPublicKeyInfo; false if there is none. */
static bool peer_spki(SSL *ssl, uint8_t out[HF_TLS_PIN_LEN])
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	if (cert == NULL)
		return false;
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (len <= 0)
		return false;
	unsigned int mdlen = 0;
	bool ok = EVP_Digest(der, (size_t)len, out, &mdlen, EVP_sha256(), NULL) == 1 &&
	          mdlen == HF_TLS_PIN_LEN;
	OPENSSL_free(der);
	return ok;
}

static bool pin_matches(struct tls_conn *c, char *seen, size_t cap)
{
	const struct hf_tls_peer *peer = c->entry->server->tls;
	uint8_t spki[HF_TLS_PIN_LEN];
	if (!peer_spki(c->ssl, spki)) {
		snprintf(seen, cap, "no certificate");
		return false;
	}
	for (size_t i = 0; i < peer->npins; i++) {
		if (CRYPTO_memcmp(spki, peer->pins[i], HF_TLS_PIN_LEN) == 0)
			return true;
	}
	hf_tls_pin_format(spki, seen, cap);
	return false;
}

static void established(struct tls_conn *c)
{
	struct hf_upstream *s = c->entry->server;
	if (s->tls->npins > 0) {
		char seen[64];
		if (!pin_matches(c, seen, sizeof(seen))) {
			SSL_SESSION_free(c->entry->session); /* (TLS 1.2 may have left one) */
			c->entry->session = NULL;
			conn_fail(c, -EPROTO,
			          "TLS authentication failed: no pin matches the server's key (its "
			          "pin is %s); not used, no fallback to plain DNS",
			          seen);
			return;
		}
	}
	if (s->tls->https) {
		/* RFC 8484 §5.2: HTTP/2, agreed in the handshake; nothing else will do. */
		const unsigned char *proto = NULL;
		unsigned int plen = 0;
		SSL_get0_alpn_selected(c->ssl, &proto, &plen);
		if (plen != 2 || memcmp(proto, "h2", 2) != 0) {
			conn_fail(
			    c, -EPROTO,
			    "TLS connection: the server did not agree to HTTP/2 (ALPN h2); not "
			    "used, no fallback to plain DNS");
			return;
		}
		c->h2 = hf_doh_new(s->tls->authority, s->tls->path, on_h2_end, c);
		if (c->h2 == NULL) {
			conn_fail(c, HF_ENOMEM, "HTTP/2 session: out of memory");
			return;
		}
	}
	c->state = CONN_READY;
	c->entry->warned_ms = 0;
	bool resumed = SSL_session_reused(c->ssl);
	atomic_fetch_add_explicit(&s->tls_connections, 1, memory_order_relaxed);
	if (resumed)
		atomic_fetch_add_explicit(&s->tls_resumed, 1, memory_order_relaxed);
	hf_log_debug("upstream %s: TLS connection up (%s, %s%s)", conn_name(c),
	             SSL_get_version(c->ssl), resumed ? "session resumed" : "full handshake",
	             c->h2 != NULL ? ", HTTP/2" : "");
	uv_timer_stop(&c->timer);
	if (c->head == NULL)
		uv_timer_start(&c->timer, on_timer, IDLE_MS, 0);
	if (send_queued(c) != HF_OK)
		conn_fail(c, -EPROTO, "TLS connection: cannot write (out of memory)");
}

/* Why the handshake failed, in OpenSSL's words. */
static void handshake_failed(struct tls_conn *c)
{
	long v = SSL_get_verify_result(c->ssl);
	unsigned long e = ERR_peek_last_error();
	if (v != X509_V_OK) {
		conn_fail(c, -EPROTO,
		          "TLS authentication failed: certificate: %s; not used, no fallback to "
		          "plain DNS",
		          X509_verify_cert_error_string(v));
		return;
	}
	char why[256];
	if (e != 0)
		ERR_error_string_n(e, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "the server ended the handshake");
	conn_fail(c, -EPROTO, "TLS handshake failed: %s; not used, no fallback to plain DNS", why);
}

static void handshake(struct tls_conn *c)
{
	ERR_clear_error();
	int r = SSL_do_handshake(c->ssl);
	int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, r);
	if (flush_out(c) != HF_OK) {
		conn_fail(c, -EPROTO, "TLS connection: cannot write (out of memory)");
		return;
	}
	if (r == 1)
		established(c);
	else if (e != SSL_ERROR_WANT_READ)
		handshake_failed(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct tls_conn *c = h->data;
	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static struct tls_conn *conn_open(struct tls_entry *e);

/*
 * The server closed the connection. Nothing waiting: it was idle, and the
 * next query opens another. Queries waiting go once more on a fresh one
 * (RFC 7766 §6.2.1: a server may close at any time); the rest fail.
 */
static void conn_lost(struct tls_conn *c, int err)
{
	if (c->state == CONN_HANDSHAKE || c->state == CONN_CONNECTING) {
		conn_fail(c, err,
		          "TLS handshake failed: the server closed the connection (%s); not used, "
		          "no fallback to plain DNS",
		          uv_strerror(err));
		return;
	}
	hf_log_debug("upstream %s: the server closed the TLS connection (%u queries waiting)",
	             conn_name(c), c->inflight);
	struct tls_entry *e = c->entry;
	/* A close is no attack on the session: OpenSSL would mark it not resumable. */
	SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	conn_close(c);
	struct tls_conn *fresh = NULL;
	for (struct hf_tls_q *q = c->head; q != NULL; q = q->next) {
		if (!(q->resent && q->sent) && !q->answered) {
			fresh = entry_conn(e);
			break;
		}
	}
	struct hf_tls_q *q = c->head;
	while (q != NULL) {
		struct hf_tls_q *next = q->next;
		if (fresh != NULL && !(q->resent && q->sent) && !q->answered) {
			if (q->sent)
				q->resent = true;
			q_unlink(c, q);
			q->sent = false;
			q->stream = 0;
			conn_take(fresh, q);
		}
		q = next;
	}
	fail_queries(c, err);
	if (fresh != NULL && send_queued(fresh) != HF_OK)
		conn_fail(fresh, -EPROTO, "TLS connection: cannot write (out of memory)");
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct tls_conn *c = stream->data;
	if (c->state == CONN_CLOSED)
		return;
	if (nread < 0) {
		conn_lost(c, nread == UV_EOF ? -ECONNRESET : (int)nread);
		return;
	}
	if (nread == 0)
		return;
	if (BIO_write(c->net_in, buf->base, (int)nread) != (int)nread) {
		conn_fail(c, HF_ENOMEM, "TLS connection: out of memory");
		return;
	}
	if (c->state == CONN_HANDSHAKE)
		handshake(c);
	if (c->h2 != NULL)
		h2_read(c);
	else
		read_messages(c);
}

static void on_connected(uv_connect_t *req, int status)
{
	struct tls_conn *c = req->handle->data;
	if (status == UV_ECANCELED || c->state == CONN_CLOSED)
		return;
	if (status < 0) {
		conn_fail(c, status, "TLS connection: connect: %s", uv_strerror(status));
		return;
	}
	c->state = CONN_HANDSHAKE;
	int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	if (rc < 0) {
		conn_fail(c, rc, "TLS connection: read: %s", uv_strerror(rc));
		return;
	}
	handshake(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	struct tls_conn *c = req->handle->data;
	conn_close(c);
}

static void on_timer(uv_timer_t *t)
{
	struct tls_conn *c = t->data;
	if (c->later_err != 0) {
		conn_fail(c, c->later_err, "TLS connection: cannot write");
		return;
	}
	switch (c->state) {
	case CONN_CONNECTING:
	case CONN_HANDSHAKE:
		conn_fail(c, -ETIMEDOUT, "TLS connection: not set up within %d ms", HANDSHAKE_MS);
		break;
	case CONN_READY:
		if (c->head != NULL)
			break;
		/* Idle (or left by a GOAWAY): say goodbye properly (close_notify), then close. */
		hf_log_debug("upstream %s: TLS connection %s; closing", conn_name(c),
		             c->entry->conn == c ? "idle" : "no longer used");
		if (c->entry->conn == c)
			c->entry->conn = NULL;
		if (c->h2 != NULL) {
			hf_doh_goaway(c->h2);
			(void)h2_flush(c);
		}
		(void)SSL_shutdown(c->ssl);
		if (flush_out(c) != HF_OK ||
		    uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
			conn_close(c);
		break;
	case CONN_CLOSED:
		break;
	}
}

/* --- sessions ----------------------------------------------------------------- */

/* OpenSSL has a session to resume later (TLS 1.3: a ticket after the handshake). */
static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_conn *c = SSL_get_app_data(ssl);
	if (c == NULL || c->state == CONN_CLOSED)
		return 0; /* TLS 1.2 hands it over inside the handshake, 1.3 after it */
	SSL_SESSION_free(c->entry->session);
	c->entry->session = sess;
	return 1; /* ours now */
}

/* --- opening ------------------------------------------------------------------- */

static int setup_ssl(struct tls_conn *c)
{
	const struct hf_upstream *s = c->entry->server;
	const struct hf_tls_peer *peer = s->tls;
	c->ssl = SSL_new(peer->ctx);
	c->net_in = BIO_new(BIO_s_mem());
	c->net_out = BIO_new(BIO_s_mem());
	if (c->ssl == NULL || c->net_in == NULL || c->net_out == NULL) {
		BIO_free(c->net_in);
		BIO_free(c->net_out);
		return HF_ENOMEM;
	}
	SSL_set_bio(c->ssl, c->net_in, c->net_out); /* the SSL owns them now */
	SSL_set_connect_state(c->ssl);
	SSL_set_app_data(c->ssl, c);
	int ok = SSL_set_alpn_protos(c->ssl, peer->https ? alpn_h2 : alpn_dot,
	                             peer->https ? sizeof(alpn_h2) : sizeof(alpn_dot)) == 0;
	if (ok == 1 && peer->name[0] != '\0') {
		/* RFC 8310 §8.1: the authentication name, in SNI and in the certificate. */
		ok = SSL_set_tlsext_host_name(c->ssl, peer->name) == 1 &&
		     SSL_set1_host(c->ssl, peer->name) == 1;
		SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	} else if (ok == 1 && peer->npins == 0) {
		/* No name: the certificate must name the address we connect to. */
		const struct sockaddr *sa = (const struct sockaddr *)&s->addr.ss;
		const unsigned char *ip =
		    sa->sa_family == AF_INET6
		        ? (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr
		        : (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		ok = X509_VERIFY_PARAM_set1_ip(SSL_get0_param(c->ssl), ip,
		                               sa->sa_family == AF_INET6 ? 16 : 4);
	}
	/* Pins alone (no name) authenticate by themselves: the chain is not checked. */
	SSL_set_verify(c->ssl,
	               peer->name[0] == '\0' && peer->npins > 0 ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
	               NULL);
	if (ok == 1 && c->entry->session != NULL)
		ok = SSL_set_session(c->ssl, c->entry->session);
	return ok == 1 ? HF_OK : HF_ENOMEM;
}

static struct tls_conn *conn_open(struct tls_entry *e)
{
	struct hf_tls_pool *pool = e->pool;
	const struct hf_addr *a = &e->server->addr;
	struct tls_conn *c = hf_calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->pool = pool;
	c->entry = e;
	c->state = CONN_CONNECTING;
	c->in = hf_malloc(IN_CAP);
	int rc = c->in != NULL ? setup_ssl(c) : HF_ENOMEM;
	if (rc == HF_OK)
		rc = uv_tcp_init_ex(pool->loop, &c->tcp, (unsigned)a->ss.ss_family);
	if (rc < 0) {
		SSL_free(c->ssl);
		hf_free(c->in);
		hf_free(c);
		return NULL;
	}
	uv_timer_init(pool->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->open_handles = 2;
	c->next = pool->conns;
	if (pool->conns != NULL)
		pool->conns->prev = c;
	pool->conns = c;
	uv_tcp_nodelay(&c->tcp, 1);
	rc = uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)&a->ss, on_connected);
	if (rc == 0)
		rc = uv_timer_start(&c->timer, on_timer, HANDSHAKE_MS, 0);
	if (rc < 0) {
		hf_log_debug("upstream %s: connect: %s", e->server->name, uv_strerror(rc));
		conn_close(c);
		return NULL;
	}
	e->conn = c;
	return c;
}

static struct tls_conn *entry_conn(struct tls_entry *e)
{
	struct tls_conn *c = e->conn;
	if (c != NULL && c->h2 != NULL && hf_doh_refusing(c->h2)) {
		conn_retire(c); /* the server sent GOAWAY: no new streams there */
		c = NULL;
	}
	return c != NULL ? c : conn_open(e);
}

static struct tls_entry *entry_get(struct hf_tls_pool *pool, struct hf_upstream *server)
{
	for (struct tls_entry *e = pool->entries; e != NULL; e = e->next) {
		if (e->server == server)
			return e;
	}
	struct tls_entry *e = hf_calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->pool = pool;
	e->server = server;
	e->next = pool->entries;
	pool->entries = e;
	return e;
}

/* --- the API -------------------------------------------------------------------- */

struct hf_tls_pool *hf_tls_pool_new(uv_loop_t *loop)
{
	struct hf_tls_pool *pool = hf_calloc(1, sizeof(*pool));
	if (pool != NULL)
		pool->loop = loop;
	return pool;
}

void hf_tls_pool_close(struct hf_tls_pool *pool)
{
	if (pool == NULL)
		return;
	pool->closing = true;
	for (struct tls_conn *c = pool->conns; c != NULL; c = c->next) {
		if (c->state == CONN_CLOSED)
			continue;
		conn_close(c);
		fail_queries(c, -ECANCELED);
	}
	if (pool->conns == NULL)
		pool_free(pool);
}

struct hf_tls_q *hf_tls_query(struct hf_tls_pool *pool, struct hf_upstream *server,
                              const uint8_t *wire, size_t len, hf_upq_cb cb, void *arg)
{
	if (pool->closing || server->tls == NULL || len < HF_HEADER_LEN || len > HF_MSG_MAX)
		return NULL;
	struct tls_entry *e = entry_get(pool, server);
	struct hf_tls_q *q = e != NULL ? hf_malloc(sizeof(*q) + 2 + len) : NULL;
	if (q == NULL)
		return NULL;
	*q = (struct hf_tls_q){.id = hf_get16(wire), .cb = cb, .arg = arg, .len = 2 + len};
	hf_put16(q->frame, (uint16_t)len);
	memcpy(q->frame + 2, wire, len);
	struct tls_conn *c = entry_conn(e);
	if (c == NULL) {
		hf_free(q);
		return NULL;
	}
	conn_take(c, q);
	if (send_queued(c) != HF_OK)
		conn_fail_later(c, -EPROTO);
	return q;
}

void hf_tls_cancel(struct hf_tls_q *q)
{
	if (q == NULL)
		return;
	struct tls_conn *c = q->conn;
	if (c != NULL) {
		bool gave_up = q->sent && !q->answered;
		if (c->h2 != NULL && q->stream > 0)
			hf_doh_cancel(c->h2, q->stream); /* RST_STREAM, sent by send_queued() */
		q_unlink(c, q);
		if (c->state == CONN_READY && c->later_err == 0) {
			if (gave_up && ++c->unanswered == UNANSWERED_MAX && c->entry->conn == c) {
				/* Nothing read while three queries waited in vain: presumed dead.
				 * Later queries go to a fresh connection; this one closes once
				 * the queries still on it end. */
				hf_log_debug(
				    "upstream %s: %d queries in a row unanswered on the TLS "
				    "connection; opening another",
				    conn_name(c), UNANSWERED_MAX);
				c->entry->conn = NULL;
			}
			if (send_queued(c) != HF_OK) /* an ID may have come free */
				conn_fail_later(c, -EPROTO);
			else if (c->head == NULL)
				uv_timer_start(&c->timer, on_timer,
				               c->entry->conn == c ? IDLE_MS : 0, 0);
		}
	}
	hf_free(q);
}
