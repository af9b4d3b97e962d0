/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS over HTTPS (RFC 8484): the HTTP/2 client session on one connection,
 * with nghttp2 and without I/O. What arrives from the server (TLS plaintext)
 * goes in through hf_doh_recv(); what the session has to say goes out
 * through hf_doh_send(); tls.c carries both over its TLS connection, which
 * does the authentication, pooling and reconnecting for DoT and DoH alike.
 *
 * A query is one stream (RFC 8484 §4.1):
 *
 *   HEADERS  :method POST  :scheme https  :authority NAME  :path /dns-query
 *            content-type: application/dns-message
 *            accept: application/dns-message
 *            content-length: N
 *   DATA     the DNS message, as it would go over UDP (END_STREAM)
 *
 * and its answer is the response on that stream: :status 200, content-type
 * application/dns-message (parameters allowed, case ignored), a body of 1 to
 * 65535 octets. The DNS message keeps the fresh random ID the resolver gave
 * it (RFC 8484 §4.1 asks for ID 0 only for the sake of HTTP caches, which
 * POST does not meet): the stream says which query a reply is for, and the
 * resolver then checks the reply answers its question, as for any upstream.
 *
 * Each stream ends once, through the callback given to hf_doh_new():
 *   HF_DOH_REPLY    the body: a DNS message for the resolver to judge
 *   HF_DOH_FAILED   an HTTP answer that carries no DNS reply (another status,
 *                   another content type, too large, empty, the stream reset
 *                   by the server), with why in words for the log
 *   HF_DOH_REFUSED  the server did not process it (REFUSED_STREAM, or above
 *                   the last stream of a GOAWAY): it may go again elsewhere
 * A stream cancelled with hf_doh_cancel() (RST_STREAM CANCEL) ends silently.
 * The callback may submit and cancel streams, but must not call
 * hf_doh_recv() or hf_doh_send() (nghttp2 is not reentrant) nor free the
 * session.
 *
 * Ours to the server: SETTINGS with no push, a 64 KiB stream and 1 MiB
 * connection window; GOAWAY (NO_ERROR) from hf_doh_goaway() before an idle
 * close. nghttp2 checks the HTTP/2 rules (HPACK, pseudo-headers,
 * content-length against DATA, flow control) and ends the session on a
 * protocol error, which hf_doh_recv() reports.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

#define HF_DOH_BODY_MAX 65535 /* the largest DNS message; a larger response is refused */

struct hf_doh;

enum hf_doh_end {
	HF_DOH_REPLY,
	HF_DOH_FAILED,
	HF_DOH_REFUSED,
};

/* A stream ended: q as given to hf_doh_submit(); wire and len for a reply, why otherwise. */
typedef void (*hf_doh_cb)(void *arg, void *q, enum hf_doh_end how, const uint8_t *wire, size_t len,
                          const char *why);

/*
 * A client session sending authority and path (both copied) with every
 * request; its connection preface and SETTINGS wait in hf_doh_send(). NULL
 * when out of memory.
 */
struct hf_doh *hf_doh_new(const char *authority, const char *path, hf_doh_cb cb, void *arg);
void hf_doh_free(struct hf_doh *d);

/*
 * Opens a stream for the DNS message wire (copied), for q: its stream ID
 * (> 0), or a negative HF_ error (out of memory, stream IDs used up, the
 * server sent GOAWAY).
 */
HF_MUSTCHECK int32_t hf_doh_submit(struct hf_doh *d, const uint8_t *wire, size_t len, void *q);

/* Gives up on a stream: RST_STREAM (CANCEL) unless it ended; no callback for it from now. */
void hf_doh_cancel(struct hf_doh *d, int32_t stream);

/*
 * Takes what the server sent (TLS plaintext) and ends streams through the
 * callback. HF_OK, or a negative code with why filled in when the session
 * is broken (it then only wants to send its GOAWAY).
 */
HF_MUSTCHECK int hf_doh_recv(struct hf_doh *d, const uint8_t *data, size_t len, char *why,
                             size_t cap);

/* Hands everything the session has to send to write(ctx, ...); HF_OK or a negative code. */
HF_MUSTCHECK int hf_doh_send(struct hf_doh *d,
                             int (*write)(void *ctx, const uint8_t *data, size_t len), void *ctx);

/* Queues GOAWAY (NO_ERROR): no more streams from us; hf_doh_send() sends it. */
void hf_doh_goaway(struct hf_doh *d);

/* The server sent GOAWAY: new streams go to another connection. */
bool hf_doh_refusing(const struct hf_doh *d);

/* The session is over: nothing more to read or write on it. */
bool hf_doh_done(const struct hf_doh *d);

/* How many streams may be open at once: the server's SETTINGS, at most cap. */
unsigned hf_doh_max_streams(const struct hf_doh *d, unsigned cap);

/* The value of :status: 100..999, or -1 if it is not three digits. */
HF_TESTABLE int hf_doh_status(const uint8_t *value, size_t len);

/* Is a content-type value application/dns-message (case ignored, parameters allowed)? */
HF_TESTABLE bool hf_doh_is_dns_message(const uint8_t *value, size_t len);

/* A content-length value: 0..UINT32_MAX, or -1 if it is not decimal digits (or larger). */
HF_TESTABLE int64_t hf_doh_content_length(const uint8_t *value, size_t len);
