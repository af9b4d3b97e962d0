/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: what a DNS-over-HTTPS server sends back (upstream/doh.h), as
 * the HTTP/2 byte stream after TLS, into a client session with three
 * requests open: nghttp2's framing and HPACK, then holdfast's reading of
 * :status, content-type and content-length and its size limit. Each request
 * must end at most once, a reply must be 1..65535 octets, and a callback
 * that cancels or submits other streams must be safe (the resolver does
 * both from there).
 */
#include <stdlib.h>
#include <string.h>

#include "upstream/doh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NQ 4

struct run {
	struct hf_doh *d;
	int ended[NQ];
	int32_t stream[NQ];
};

static const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x03, 'w',  'w',  'w',  0x07, 'e',  'x',  'a',
                                'm',  'p',  'l',  'e',  0x00, 0x00, 0x01, 0x00, 0x01};

static int discard(void *ctx, const uint8_t *out, size_t len)
{
	(void)ctx;
	(void)out;
	(void)len;
	return 0;
}

static void on_end(void *arg, void *q, enum hf_doh_end how, const uint8_t *wire, size_t len,
                   const char *why)
{
	struct run *r = arg;
	size_t i = (size_t)(uintptr_t)q - 1; /* owners are 1..NQ: never NULL */
	if (i >= NQ || r->ended[i]++ != 0 || why == NULL)
		abort();
	if (how == HF_DOH_REPLY && (wire == NULL || len == 0 || len > HF_DOH_BODY_MAX))
		abort();
	/* As the resolver may: the next query gives up, and the last one is asked anew. */
	if (i == 0 && r->stream[1] > 0 && r->ended[1] == 0) {
		hf_doh_cancel(r->d, r->stream[1]);
		r->ended[1] = 1;
	}
	if (i == 2 && r->stream[3] == 0)
		r->stream[3] = hf_doh_submit(r->d, query, sizeof(query), (void *)(uintptr_t)4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	char why[256];
	memset(&r, 0, sizeof(r));
	r.d = hf_doh_new("dns.example", "/dns-query", on_end, &r);
	if (r.d == NULL)
		return 0;
	for (uintptr_t i = 0; i < 3; i++)
		r.stream[i] = hf_doh_submit(r.d, query, sizeof(query), (void *)(i + 1));
	/* In two pieces, as TLS records may cut it anywhere. */
	size_t half = size / 2;
	int rc = hf_doh_send(r.d, discard, NULL);
	if (rc == 0)
		rc = hf_doh_recv(r.d, data, half, why, sizeof(why));
	if (rc == 0)
		rc = hf_doh_send(r.d, discard, NULL);
	if (rc == 0)
		rc = hf_doh_recv(r.d, data + half, size - half, why, sizeof(why));
	if (rc == 0)
		rc = hf_doh_send(r.d, discard, NULL);
	(void)hf_doh_refusing(r.d);
	(void)hf_doh_done(r.d);
	(void)hf_doh_max_streams(r.d, 128);
	hf_doh_free(r.d);
	return 0;
}
