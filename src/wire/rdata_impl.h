/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internals shared by rdata.c, rdata_text.c and svcb.c: the per-type field
 * descriptors that drive every RDATA operation, and a small bounded text
 * writer.
 *
 * A type's layout is a list of field kinds. Fixed-size kinds (numbers,
 * addresses) and self-delimiting ones (names, <character-string>s, counted
 * octets) may appear anywhere; "rest" kinds (base64, hex, type bitmaps, CAA
 * value, SVCB parameters, EDNS options, TXT strings) take everything up to
 * the end of the RDATA and so come last.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/compiler.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/lex.h"

enum rd_kind {
	RD_END = 0,
	RD_U8,
	RD_U16,
	RD_U32,
	RD_TTL,       /* u32; text input also takes BIND units (1h30m) */
	RD_TYPE,      /* u16 shown as a type mnemonic (RRSIG type covered) */
	RD_TIME,      /* u32 shown as YYYYMMDDHHMMSS (RFC 4034 §3.2) */
	RD_A,         /* 4 octets */
	RD_AAAA,      /* 16 octets */
	RD_NAME,      /* plain name: never compressed, case kept (NSEC next, SVCB target) */
	RD_NAME_L,    /* lowercased in canonical form (RRSIG signer) */
	RD_NAME_DL,   /* + decompressed on input (SRV, NAPTR, DNAME) */
	RD_NAME_DWL,  /* + compressed on output (NS, CNAME, SOA, PTR, MX) */
	RD_STR,       /* <character-string> */
	RD_STRS,      /* one or more <character-string>s to the end (TXT) */
	RD_B64,       /* octets to the end, base64 text, may be empty */
	RD_HEX,       /* octets to the end, hex text, may be empty */
	RD_SALT,      /* counted octets, hex text or "-" (RFC 5155 §3.3) */
	RD_HASH,      /* counted octets (at least 1), base32hex text */
	RD_BITMAP,    /* type bitmap to the end (RFC 4034 §4.1.2) */
	RD_CAATAG,    /* counted alphanumeric tag, 1..255 (RFC 8659 §4.1) */
	RD_CAAVAL,    /* octets to the end, one quoted string */
	RD_SVCPARAMS, /* SvcParams to the end (RFC 9460 §2.2) */
	RD_OPTIONS,   /* EDNS options to the end (RFC 6891 §6.1.2) */
};

#define RD_MAX_FIELDS 10

struct rd_desc {
	uint16_t type;
	bool generic_text;        /* printed and parsed only in \# form (OPT) */
	uint8_t f[RD_MAX_FIELDS]; /* enum rd_kind, RD_END-terminated */
};

/* The layout of type, or NULL for opaque types. */
const struct rd_desc *hf_rdata_desc(uint16_t type);

/* Wire length of one field at p[0..left), checking its content, or HF_ERDATA. */
HF_MUSTCHECK int hf_rdata_field_len(enum rd_kind kind, const uint8_t *p, size_t left);

/* SVCB/HTTPS SvcParams (svcb.c). */
HF_MUSTCHECK int hf_svcb_params_check(const uint8_t *p, size_t len);

/* A bounded text writer; the first overflow sticks as HF_ESPACE. One octet
 * is always kept for the final NUL. */
struct hf_tw {
	char *buf;
	size_t cap;
	size_t pos;
	int err;
};

static inline void hf_tw_init(struct hf_tw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->pos = 0;
	w->err = cap == 0 ? HF_ESPACE : HF_OK;
}

static inline bool hf_tw_room(struct hf_tw *w, size_t n)
{
	if (w->err != HF_OK)
		return false;
	if (w->cap - 1 - w->pos < n) {
		w->err = HF_ESPACE;
		return false;
	}
	return true;
}

static inline void hf_tw_putc(struct hf_tw *w, char c)
{
	if (hf_tw_room(w, 1))
		w->buf[w->pos++] = c;
}

static inline void hf_tw_put(struct hf_tw *w, const char *s, size_t n)
{
	if (n != 0 && hf_tw_room(w, n)) {
		memcpy(w->buf + w->pos, s, n);
		w->pos += n;
	}
}

static inline void hf_tw_puts(struct hf_tw *w, const char *s)
{
	hf_tw_put(w, s, strlen(s));
}

void hf_tw_uint(struct hf_tw *w, unsigned long v);

/* Octets as \DDD / \X escaped text: `escape` lists the characters that get a
 * backslash; octets outside 0x20..0x7e become \DDD. */
void hf_tw_escaped(struct hf_tw *w, const uint8_t *p, size_t n, const char *escape);

/* A <character-string> as dnspython writes it: always quoted. */
void hf_tw_qstring(struct hf_tw *w, const uint8_t *p, size_t n);

/* Finishes the text: NUL-terminates and returns the length or HF_ESPACE. */
HF_MUSTCHECK int hf_tw_finish(struct hf_tw *w);

void hf_svcb_params_to_text(struct hf_tw *w, const uint8_t *p, size_t len);
HF_MUSTCHECK int hf_svcb_params_from_lex(struct hf_lex *lx, struct hf_wbuf *w);

/* Token helpers shared by the text parsers (rdata_text.c). */
HF_MUSTCHECK int hf_rdata_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *v);
