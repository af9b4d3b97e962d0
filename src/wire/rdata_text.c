/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RDATA from presentation text. The type's field list (rdata.c) drives the
 * parse: each field kind reads one token, or for the "rest" kinds every
 * token left in the entry. RFC 3597 "\# LEN HEX" is accepted for any type;
 * for a typed type the octets must then pass hf_rdata_check().
 *
 * Numbers are unsigned decimal and range-checked (HF_ERANGE); a missing or
 * extra token, or a malformed one, is HF_ESYNTAX.
 */
#include "wire/rdata.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/err.h"
#include "wire/codec.h"
#include "wire/lex.h"
#include "wire/name.h"
#include "wire/rdata_impl.h"
#include "wire/rrtype.h"

int hf_rdata_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (n == 0)
		return HF_ESYNTAX;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return HF_ESYNTAX;
		x = x * 10 + (uint64_t)(s[i] - '0');
		if (x > max)
			goto range;
	}
	*v = (uint32_t)x;
	return HF_OK;
range:
	/* Still a syntax error if a non-digit follows. */
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return HF_ESYNTAX;
	}
	return HF_ERANGE;
}

/* A TTL: plain seconds or BIND units ("1w2d3h4m5s"), at most 2^32-1. */
static int parse_ttl(const char *s, size_t n, uint32_t *v)
{
	uint64_t total = 0;
	uint64_t cur = 0;
	bool digits = false;
	bool units = false;

	if (n == 0)
		return HF_ESYNTAX;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		uint64_t mult;

		if (c >= '0' && c <= '9') {
			cur = cur * 10 + (uint64_t)(c - '0');
			if (cur > UINT32_MAX)
				return HF_ERANGE;
			digits = true;
			continue;
		}
		switch (c | 0x20) {
		case 'w':
			mult = 604800;
			break;
		case 'd':
			mult = 86400;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'm':
			mult = 60;
			break;
		case 's':
			mult = 1;
			break;
		default:
			return HF_ESYNTAX;
		}
		if (!digits)
			return HF_ESYNTAX;
		total += cur * mult;
		if (total > UINT32_MAX)
			return HF_ERANGE;
		cur = 0;
		digits = false;
		units = true;
	}
	/* Digits after a unit need a unit of their own ("1h30" is an error). */
	if (digits && units)
		return HF_ESYNTAX;
	total += cur;
	if (total > UINT32_MAX)
		return HF_ERANGE;
	*v = (uint32_t)total;
	return HF_OK;
}

int hf_rdata_parse_ttl(const char *s, size_t n, uint32_t *v)
{
	return parse_ttl(s, n, v);
}

/* Days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil, y >= 1970). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = y / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* RFC 4034 §3.2: YYYYMMDDHHmmSS (UTC) or a decimal number of seconds. */
static int parse_time(const char *s, size_t n, uint32_t *v)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	uint32_t part[6];
	static const size_t width[6] = {4, 2, 2, 2, 2, 2};
	size_t off = 0;
	int64_t t;

	if (n <= 10)
		return hf_rdata_parse_uint(s, n, UINT32_MAX, v);
	if (n != 14)
		return HF_ESYNTAX;
	for (int i = 0; i < 6; i++) {
		if (hf_rdata_parse_uint(s + off, width[i], 9999, &part[i]) < 0)
			return HF_ESYNTAX;
		off += width[i];
	}
	if (part[1] < 1 || part[1] > 12 || part[2] < 1 || part[3] > 23 || part[4] > 59 ||
	    part[5] > 59)
		return HF_ERANGE;
	if (part[2] > mdays[part[1] - 1] + (part[1] == 2 && leap(part[0])))
		return HF_ERANGE;
	if (part[0] < 1970)
		return HF_ERANGE;
	t = days_from_civil(part[0], part[1], part[2]) * 86400 + part[3] * 3600 + part[4] * 60 +
	    part[5];
	if (t > (int64_t)UINT32_MAX)
		return HF_ERANGE;
	*v = (uint32_t)t;
	return HF_OK;
}

static int need_tok(struct hf_lex *lx, struct hf_lex_tok *t)
{
	int rc = hf_lex_next(lx, t);

	if (rc == 0)
		return HF_ESYNTAX;
	return rc < 0 ? rc : HF_OK;
}

/* Decodes the remaining tokens of the entry as one base64 or hex run. */
static int decode_rest(struct hf_lex *lx, bool b64, struct hf_wbuf *w, struct hf_lex_tok *first)
{
	char stage[512];
	size_t n = 0;
	bool padded = false;
	struct hf_lex_tok t;
	int rc;

	for (;;) {
		if (first != NULL) {
			t = *first;
			first = NULL;
		} else {
			rc = hf_lex_next(lx, &t);
			if (rc < 0)
				return rc;
			if (rc == 0)
				break;
		}
		for (size_t i = 0; i < t.len; i++) {
			if (n == sizeof(stage)) {
				/* stage full: decode whole groups (n is a multiple of both) */
				if (padded)
					return HF_ESYNTAX;
				rc = b64 ? hf_base64_decode(stage, n, w->base + w->pos,
				                            w->cap - w->pos)
				         : hf_hex_decode(stage, n, w->base + w->pos,
				                         w->cap - w->pos);
				if (rc < 0)
					return rc;
				w->pos += (size_t)rc;
				padded = b64 && stage[n - 1] == '=';
				n = 0;
			}
			stage[n++] = t.text[i];
		}
	}
	if (n > 0) {
		if (padded)
			return HF_ESYNTAX;
		rc = b64 ? hf_base64_decode(stage, n, w->base + w->pos, w->cap - w->pos)
		         : hf_hex_decode(stage, n, w->base + w->pos, w->cap - w->pos);
		if (rc < 0)
			return rc;
		w->pos += (size_t)rc;
	}
	return HF_OK;
}

/* One <character-string> from a token, quoted or not. */
static int put_string(const struct hf_lex_tok *t, struct hf_wbuf *w)
{
	uint8_t buf[255];
	int rc = hf_lex_unescape(t->text, t->len, buf, sizeof(buf));

	if (rc == HF_ESPACE)
		return HF_ERANGE;
	if (rc < 0)
		return rc;
	hf_wbuf_u8(w, (uint8_t)rc);
	hf_wbuf_bytes(w, buf, (size_t)rc);
	return HF_OK;
}

static int parse_bitmap(struct hf_lex *lx, struct hf_wbuf *w)
{
	uint8_t bits[8192];
	struct hf_lex_tok t;
	bool any = false;
	int rc;

	memset(bits, 0, sizeof(bits));
	for (;;) {
		uint16_t type;

		rc = hf_lex_next(lx, &t);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (hf_rrtype_from_text(t.text, t.len, &type) < 0)
			return HF_ETYPE;
		bits[type >> 3] |= (uint8_t)(0x80 >> (type & 7));
		any = true;
	}
	if (!any)
		return HF_OK;
	for (unsigned win = 0; win < 256; win++) {
		const uint8_t *b = bits + win * 32;
		unsigned len = 32;

		while (len > 0 && b[len - 1] == 0)
			len--;
		if (len == 0)
			continue;
		hf_wbuf_u8(w, (uint8_t)win);
		hf_wbuf_u8(w, (uint8_t)len);
		hf_wbuf_bytes(w, b, len);
	}
	return HF_OK;
}

static int parse_counted(const struct hf_lex_tok *t, enum rd_kind k, struct hf_wbuf *w)
{
	uint8_t buf[256];
	int rc;

	if (k == RD_SALT && t->len == 1 && t->text[0] == '-') {
		hf_wbuf_u8(w, 0);
		return HF_OK;
	}
	if (k == RD_SALT)
		rc = hf_hex_decode(t->text, t->len, buf, sizeof(buf));
	else
		rc = hf_base32hex_decode(t->text, t->len, buf, sizeof(buf));
	if (rc == HF_ESPACE || rc > 255)
		return HF_ERANGE;
	if (rc < 0)
		return rc;
	if (rc == 0)
		return HF_ESYNTAX;
	hf_wbuf_u8(w, (uint8_t)rc);
	hf_wbuf_bytes(w, buf, (size_t)rc);
	return HF_OK;
}

static int parse_field(struct hf_lex *lx, enum rd_kind k, const uint8_t *origin, struct hf_wbuf *w)
{
	static const uint32_t max[] = {[RD_U8] = 255, [RD_U16] = 65535, [RD_U32] = UINT32_MAX};
	struct hf_lex_tok t;
	uint8_t buf[HF_NAME_MAX];
	char addr[INET6_ADDRSTRLEN + 1];
	uint32_t v;
	uint16_t type;
	int rc;

	switch (k) {
	case RD_STRS:
		rc = need_tok(lx, &t);
		if (rc < 0)
			return rc;
		do {
			rc = put_string(&t, w);
			if (rc < 0)
				return rc;
			rc = hf_lex_next(lx, &t);
		} while (rc == 1);
		return rc;
	case RD_B64:
	case RD_HEX:
		return decode_rest(lx, k == RD_B64, w, NULL);
	case RD_BITMAP:
		return parse_bitmap(lx, w);
	case RD_SVCPARAMS:
		return hf_svcb_params_from_lex(lx, w);
	default:
		break;
	}
	rc = need_tok(lx, &t);
	if (rc < 0)
		return rc;
	switch (k) {
	case RD_U8:
	case RD_U16:
	case RD_U32:
		rc = hf_rdata_parse_uint(t.text, t.len, max[k], &v);
		if (rc < 0)
			return rc;
		if (k == RD_U8)
			hf_wbuf_u8(w, (uint8_t)v);
		else if (k == RD_U16)
			hf_wbuf_u16(w, (uint16_t)v);
		else
			hf_wbuf_u32(w, v);
		return HF_OK;
	case RD_TTL:
		rc = parse_ttl(t.text, t.len, &v);
		if (rc < 0)
			return rc;
		hf_wbuf_u32(w, v);
		return HF_OK;
	case RD_TIME:
		rc = parse_time(t.text, t.len, &v);
		if (rc < 0)
			return rc;
		hf_wbuf_u32(w, v);
		return HF_OK;
	case RD_TYPE:
		rc = hf_rrtype_from_text(t.text, t.len, &type);
		if (rc < 0)
			return rc;
		hf_wbuf_u16(w, type);
		return HF_OK;
	case RD_A:
	case RD_AAAA:
		if (t.len >= sizeof(addr))
			return HF_ESYNTAX;
		memcpy(addr, t.text, t.len);
		addr[t.len] = '\0';
		if (inet_pton(k == RD_A ? AF_INET : AF_INET6, addr, buf) != 1)
			return HF_ESYNTAX;
		hf_wbuf_bytes(w, buf, k == RD_A ? 4 : 16);
		return HF_OK;
	case RD_NAME:
	case RD_NAME_L:
	case RD_NAME_DL:
	case RD_NAME_DWL:
		rc = hf_name_from_text(t.text, t.len, origin, buf);
		if (rc < 0)
			return rc;
		hf_wbuf_bytes(w, buf, (size_t)rc);
		return HF_OK;
	case RD_STR:
		return put_string(&t, w);
	case RD_SALT:
	case RD_HASH:
		return parse_counted(&t, k, w);
	case RD_CAATAG:
		rc = hf_lex_unescape(t.text, t.len, buf, 255);
		if (rc <= 0)
			return rc == 0 || rc == HF_ESPACE ? HF_ESYNTAX : rc;
		for (int i = 0; i < rc; i++) {
			uint8_t c = buf[i];

			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			      (c >= 'A' && c <= 'Z')))
				return HF_ESYNTAX;
		}
		hf_wbuf_u8(w, (uint8_t)rc);
		hf_wbuf_bytes(w, buf, (size_t)rc);
		return HF_OK;
	case RD_CAAVAL:
		if (w->err != HF_OK)
			return HF_ESPACE;
		rc = hf_lex_unescape(t.text, t.len, w->base + w->pos, w->cap - w->pos);
		if (rc < 0)
			return rc;
		w->pos += (size_t)rc;
		return HF_OK;
	default:
		return HF_ESYNTAX;
	}
}

/* RFC 3597 §5: "\#" was read; LEN and the hex octets follow. */
static int parse_generic(struct hf_lex *lx, struct hf_wbuf *w)
{
	struct hf_lex_tok t;
	uint32_t len;
	int rc;

	rc = need_tok(lx, &t);
	if (rc < 0)
		return rc;
	rc = hf_rdata_parse_uint(t.text, t.len, HF_RDATA_MAX, &len);
	if (rc < 0)
		return rc;
	rc = decode_rest(lx, false, w, NULL);
	if (rc < 0)
		return rc;
	if (w->err != HF_OK)
		return HF_ESPACE;
	return w->pos == len ? HF_OK : HF_ESYNTAX;
}

int hf_rdata_from_lex(uint16_t type, struct hf_lex *lx, const uint8_t *origin, uint8_t *out,
                      size_t cap)
{
	const struct rd_desc *d = hf_rdata_desc(type);
	struct hf_lex saved = *lx;
	struct hf_lex_tok t;
	struct hf_wbuf w;
	int rc;

	hf_wbuf_init(&w, out, cap > HF_RDATA_MAX ? HF_RDATA_MAX : cap);
	rc = hf_lex_next(lx, &t);
	if (rc < 0)
		return rc;
	if (rc == 1 && !t.quoted && t.len == 2 && t.text[0] == '\\' && t.text[1] == '#') {
		rc = parse_generic(lx, &w);
		if (rc < 0)
			return rc;
		if (hf_rdata_check(type, out, w.pos) != HF_OK)
			return HF_ERDATA;
		return (int)w.pos;
	}
	if (d == NULL || d->generic_text)
		return HF_ESYNTAX;
	*lx = saved;
	for (size_t i = 0; i < RD_MAX_FIELDS && d->f[i] != RD_END; i++) {
		rc = parse_field(lx, (enum rd_kind)d->f[i], origin, &w);
		if (rc < 0)
			return rc;
		if (w.err != HF_OK)
			return HF_ESPACE;
	}
	rc = hf_lex_next(lx, &t);
	if (rc < 0)
		return rc;
	if (rc != 0)
		return HF_ESYNTAX; /* tokens left over */
	if (hf_rdata_check(type, out, w.pos) != HF_OK)
		return HF_ESYNTAX;
	return (int)w.pos;
}

int hf_rdata_from_text(uint16_t type, const char *text, size_t len, const uint8_t *origin,
                       uint8_t *out, size_t cap)
{
	struct hf_lex lx;
	int rc;

	hf_lex_init(&lx, text, len);
	rc = hf_rdata_from_lex(type, &lx, origin, out, cap);
	if (rc < 0)
		return rc;
	if (hf_lex_finish(&lx) != HF_OK)
		return HF_ESYNTAX;
	return rc;
}
