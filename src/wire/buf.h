/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bounds-checked reading and writing of octets (Knot's wire_ctx). Every read
 * checks the remaining length; the first overrun sets a sticky error, after
 * which reads return zeros and writes do nothing, so a caller can do a run of
 * reads and check once at the end. All packet bytes in holdfast pass through
 * here.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"

struct hf_rbuf {
	const uint8_t *base; /* start of the whole message (names point into it) */
	size_t len;          /* octets readable from base */
	size_t pos;          /* next octet to read */
	int err;             /* HF_OK or the first error */
};

struct hf_wbuf {
	uint8_t *base;
	size_t cap; /* octets writable from base */
	size_t pos;
	int err; /* HF_OK or HF_ESPACE after the first overflow */
};

static inline void hf_rbuf_init(struct hf_rbuf *r, const uint8_t *base, size_t len)
{
	r->base = base;
	r->len = len;
	r->pos = 0;
	r->err = HF_OK;
}

static inline size_t hf_rbuf_left(const struct hf_rbuf *r)
{
	return r->err == HF_OK && r->pos <= r->len ? r->len - r->pos : 0;
}

/* Marks the buffer failed with err (only the first error sticks). */
static inline void hf_rbuf_fail(struct hf_rbuf *r, int err)
{
	if (r->err == HF_OK)
		r->err = err;
}

static inline bool hf_rbuf_need(struct hf_rbuf *r, size_t n)
{
	if (hf_rbuf_left(r) < n) {
		hf_rbuf_fail(r, HF_ETRUNC);
		return false;
	}
	return true;
}

static inline uint8_t hf_rbuf_u8(struct hf_rbuf *r)
{
	if (!hf_rbuf_need(r, 1))
		return 0;
	return r->base[r->pos++];
}

static inline uint16_t hf_rbuf_u16(struct hf_rbuf *r)
{
	if (!hf_rbuf_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->base[r->pos] << 8 | r->base[r->pos + 1]);
	r->pos += 2;
	return v;
}

static inline uint32_t hf_rbuf_u32(struct hf_rbuf *r)
{
	if (!hf_rbuf_need(r, 4))
		return 0;
	const uint8_t *p = r->base + r->pos;
	r->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Returns a pointer to the next n octets and skips them, or NULL on overrun. */
static inline const uint8_t *hf_rbuf_take(struct hf_rbuf *r, size_t n)
{
	if (!hf_rbuf_need(r, n))
		return NULL;
	const uint8_t *p = r->base + r->pos;
	r->pos += n;
	return p;
}

static inline void hf_wbuf_init(struct hf_wbuf *w, uint8_t *base, size_t cap)
{
	w->base = base;
	w->cap = cap;
	w->pos = 0;
	w->err = HF_OK;
}

static inline bool hf_wbuf_room(struct hf_wbuf *w, size_t n)
{
	if (w->err != HF_OK || w->cap - w->pos < n) {
		w->err = HF_ESPACE;
		return false;
	}
	return true;
}

static inline void hf_wbuf_u8(struct hf_wbuf *w, uint8_t v)
{
	if (hf_wbuf_room(w, 1))
		w->base[w->pos++] = v;
}

static inline void hf_wbuf_u16(struct hf_wbuf *w, uint16_t v)
{
	if (!hf_wbuf_room(w, 2))
		return;
	w->base[w->pos] = (uint8_t)(v >> 8);
	w->base[w->pos + 1] = (uint8_t)v;
	w->pos += 2;
}

static inline void hf_wbuf_u32(struct hf_wbuf *w, uint32_t v)
{
	if (!hf_wbuf_room(w, 4))
		return;
	uint8_t *p = w->base + w->pos;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	w->pos += 4;
}

static inline void hf_wbuf_bytes(struct hf_wbuf *w, const void *src, size_t n)
{
	if (n != 0 && hf_wbuf_room(w, n)) {
		memcpy(w->base + w->pos, src, n);
		w->pos += n;
	}
}

/* Big-endian helpers for code that has already checked its bounds. */
static inline uint16_t hf_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t hf_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void hf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void hf_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
