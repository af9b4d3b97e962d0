/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS over TLS (RFC 7858) and DNS over HTTPS (RFC 8484) to forward
 * upstreams, authenticated as RFC 8310's strict profile asks: a server that
 * cannot prove who it is gets no query, and nothing falls back to plain DNS.
 * Both ride the same connections; a DoH upstream's speak HTTP/2 (doh.h: one
 * stream per query, matched by stream instead of by ID) and need ALPN "h2",
 * a DoT upstream's carry length-framed messages (ALPN "dot" offered).
 *
 * Authentication, per upstream (`tls://ADDR@PORT#name^sha256/PIN`, or
 * `https://NAME/PATH@ADDR^sha256/PIN` where NAME plays #name's part):
 *   #name          the chain must verify against the zone's CA store
 *                  (`forward[].tls-ca`, the system's by default) and the
 *                  certificate must carry the name (SSL_set1_host, no partial
 *                  wildcards); the name also goes out as SNI.
 *   ^sha256/PIN    the SHA-256 of the certificate's SubjectPublicKeyInfo must
 *                  be one of the pins, checked after the handshake (TLS has by
 *                  then proven the server holds the key). With a name, the pin
 *                  is checked as well as the chain; without one, the pin alone
 *                  authenticates (RFC 7858 §4.2: self-signed servers work).
 *   neither        the chain must verify and the certificate must carry the
 *                  address itself (an iPAddress subjectAltName).
 * A failed check fails every query waiting on that connection, and is logged
 * with OpenSSL's reason (at most every 10 s per upstream and worker as a
 * warning, debug otherwise); the resolver then counts the server as failed.
 * TLS 1.2 is the least accepted (RFC 8310 §8 via BCP 195).
 *
 * Connections: one per upstream per worker, opened by the first query and
 * kept open until idle for 10 s, so later queries skip the TCP and TLS
 * handshakes. DoH: each query is a stream, up to 128 (or the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS) at once; a response that is no DNS answer
 * (status, content type, size) fails that query only, logged like a failed
 * handshake and counted in the server's bad replies; a GOAWAY sends later
 * queries to a fresh connection, and streams it refused go there too (once).
 * DoT: queries are pipelined (RFC 7766 §6.2.1.1): each is written as
 * soon as the connection is ready, up to 128 unanswered at once, and keeps
 * the fresh random ID the resolver gave it; a reply goes to the query in
 * flight with its ID (the resolver then checks the question, as for UDP),
 * and a reply whose ID matches none (a late answer to a query given up on,
 * or garbage) is dropped and counted in the server's bad replies. Two queries
 * with the same ID are never in flight together: the second waits for the
 * first to end. TLS sessions are kept per upstream and worker and resumed on
 * the next connection (TLS 1.3 tickets or 1.2 session IDs).
 *
 * A connection the server closes is simply reopened by the next query; the
 * queries it left unanswered are sent again once on a fresh connection. A
 * connection on which three queries in a row went unanswered is presumed dead
 * and replaced. Connecting plus handshaking may take 5 s.
 *
 * I/O: libuv TCP handles carry the ciphertext, and OpenSSL runs over a pair of
 * memory BIOs (what arrives is written into one, what OpenSSL produces is
 * read out of the other and handed to uv_write). The worker's loop stays the
 * only thing that waits, OpenSSL never touches a socket, and a handshake
 * needs no special case in the event loop.
 *
 * All of this runs on one worker's loop: a pool is used by its thread only.
 * The SSL_CTX (CA store, session callback) is built once per forward zone by
 * select.c and shared by every worker, as OpenSSL allows.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "upstream/io.h"

struct ssl_ctx_st;
struct hf_upstream;

/* How to reach and authenticate one DoT or DoH upstream; owned by its hf_upstreams. */
struct hf_tls_peer {
	struct ssl_ctx_st *ctx; /* the zone's (CA store); borrowed */
	char name[256];         /* authentication name and SNI; "" = check the address */
	uint8_t pins[HF_TLS_PINS_MAX][HF_TLS_PIN_LEN];
	size_t npins;
	bool https;          /* DNS over HTTPS: HTTP/2 (ALPN h2) on the connection, doh.h */
	char authority[262]; /* DoH: the :authority of each request */
	char path[512];      /* DoH: the :path of each request */
};

/*
 * A client context trusting the CA certificates in ca (a PEM file or a hashed
 * directory; NULL or "" = the system's default store). NULL with a message
 * in err when they cannot be loaded.
 */
struct ssl_ctx_st *hf_tls_ctx_new(const char *ca, char *err, size_t cap);
void hf_tls_ctx_free(struct ssl_ctx_st *ctx);

/* The connections of one worker loop. */
struct hf_tls_pool;

struct hf_tls_pool *hf_tls_pool_new(uv_loop_t *loop);

/*
 * Closes every connection (no query may be waiting: cancel them first); the
 * pool frees itself once libuv has let go of them, so the loop must run on.
 */
void hf_tls_pool_close(struct hf_tls_pool *pool);

/* One query waiting on a connection. */
struct hf_tls_q;

/*
 * Sends wire (a DNS message) to server (server->tls set) over the pool's
 * connection to it, opening one if needed. Each message with the query's ID
 * is passed to cb as (wire, len, HF_OK, -1); a failure of the connection as
 * (NULL, 0, error, -1), once, after which nothing more arrives. cb is never
 * called from inside this function. NULL when no connection could be
 * started. The caller ends every query with hf_tls_cancel(), also after an
 * error, and may do so from inside cb.
 */
struct hf_tls_q *hf_tls_query(struct hf_tls_pool *pool, struct hf_upstream *server,
                              const uint8_t *wire, size_t len, hf_upq_cb cb, void *arg);

void hf_tls_cancel(struct hf_tls_q *q);

/* Writes a pin as the config spells it, "sha256/BASE64" (cap: at least 52 octets). */
HF_TESTABLE void hf_tls_pin_format(const uint8_t pin[HF_TLS_PIN_LEN], char *out, size_t cap);
