/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RDATA layouts and the wire-side operations on them: checking, unpacking
 * out of a message, canonical form, ordering, and presentation output.
 *
 * Each typed type is a row in `descs`: a list of field kinds (rdata_impl.h).
 * One function, hf_rdata_field_len(), knows how long each kind is on the
 * wire and whether its content is well formed; every operation here walks
 * the row with it, so a layout is written down once. Types without a row are
 * opaque: any octets are accepted and printed as RFC 3597 "\# LEN HEX".
 *
 * Not done here: text input (rdata_text.c) and SvcParams (svcb.c).
 */
#include "wire/rdata.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "wire/codec.h"
#include "wire/name.h"
#include "wire/rdata_impl.h"
#include "wire/rrtype.h"

/* clang-format off */
static const struct rd_desc descs[] = {
	{HF_TYPE_A, false, {RD_A}},
	{HF_TYPE_NS, false, {RD_NAME_DWL}},
	{HF_TYPE_CNAME, false, {RD_NAME_DWL}},
	{HF_TYPE_SOA, false, {RD_NAME_DWL, RD_NAME_DWL, RD_U32, RD_TTL, RD_TTL, RD_TTL, RD_TTL}},
	{HF_TYPE_PTR, false, {RD_NAME_DWL}},
	{HF_TYPE_HINFO, false, {RD_STR, RD_STR}},
	{HF_TYPE_MX, false, {RD_U16, RD_NAME_DWL}},
	{HF_TYPE_TXT, false, {RD_STRS}},
	{HF_TYPE_RP, false, {RD_NAME_DL, RD_NAME_DL}},
	{HF_TYPE_AFSDB, false, {RD_U16, RD_NAME_DL}},
	{HF_TYPE_RT, false, {RD_U16, RD_NAME_DL}},
	{HF_TYPE_PX, false, {RD_U16, RD_NAME_DL, RD_NAME_DL}},
	{HF_TYPE_AAAA, false, {RD_AAAA}},
	{HF_TYPE_SRV, false, {RD_U16, RD_U16, RD_U16, RD_NAME_DL}},
	{HF_TYPE_NAPTR, false, {RD_U16, RD_U16, RD_STR, RD_STR, RD_STR, RD_NAME_DL}},
	{HF_TYPE_DNAME, false, {RD_NAME_DL}},
	{HF_TYPE_OPT, true, {RD_OPTIONS}},
	{HF_TYPE_DS, false, {RD_U16, RD_U8, RD_U8, RD_HEX}},
	{HF_TYPE_RRSIG, false, {RD_TYPE, RD_U8, RD_U8, RD_TTL, RD_TIME, RD_TIME, RD_U16, RD_NAME_L,
				RD_B64}},
	{HF_TYPE_NSEC, false, {RD_NAME, RD_BITMAP}},
	{HF_TYPE_DNSKEY, false, {RD_U16, RD_U8, RD_U8, RD_B64}},
	{HF_TYPE_NSEC3, false, {RD_U8, RD_U8, RD_U16, RD_SALT, RD_HASH, RD_BITMAP}},
	{HF_TYPE_NSEC3PARAM, false, {RD_U8, RD_U8, RD_U16, RD_SALT}},
	{HF_TYPE_TLSA, false, {RD_U8, RD_U8, RD_U8, RD_HEX}},
	{HF_TYPE_CDS, false, {RD_U16, RD_U8, RD_U8, RD_HEX}},
	{HF_TYPE_CDNSKEY, false, {RD_U16, RD_U8, RD_U8, RD_B64}},
	{HF_TYPE_ZONEMD, false, {RD_U32, RD_U8, RD_U8, RD_HEX}},
	{HF_TYPE_SVCB, false, {RD_U16, RD_NAME, RD_SVCPARAMS}},
	{HF_TYPE_HTTPS, false, {RD_U16, RD_NAME, RD_SVCPARAMS}},
	{HF_TYPE_CAA, false, {RD_U8, RD_CAATAG, RD_CAAVAL}},
};
/* clang-format on */

const struct rd_desc *hf_rdata_desc(uint16_t type)
{
	for (size_t i = 0; i < HF_ARRAY_LEN(descs); i++) {
		if (descs[i].type == type)
			return &descs[i];
	}
	return NULL;
}

uint16_t hf_rdata_layout(uint16_t type, uint16_t rclass)
{
	if (rclass == HF_CLASS_IN)
		return type;
	if (rclass == HF_CLASS_ANY)
		return HF_RDATA_OPAQUE;
	switch (type) {
	case HF_TYPE_A:
	case HF_TYPE_AAAA:
	case HF_TYPE_SRV:
	case HF_TYPE_NAPTR:
	case HF_TYPE_PX:
	case HF_TYPE_SVCB:
	case HF_TYPE_HTTPS:
		return HF_RDATA_OPAQUE;
	default:
		return type;
	}
}

static bool is_name(enum rd_kind k)
{
	return k == RD_NAME || k == RD_NAME_L || k == RD_NAME_DL || k == RD_NAME_DWL;
}

/*
 * Type bitmap (RFC 4034 §4.1.2): windows in strictly increasing order, each
 * 1..32 octets. Trailing zero octets "MUST be omitted", so a block ending in
 * a zero octet is refused too: that keeps wire -> text -> wire exact.
 */
static int bitmap_check(const uint8_t *p, size_t len)
{
	int last = -1;
	size_t i = 0;

	while (i < len) {
		if (len - i < 2)
			return HF_ERDATA;
		unsigned window = p[i];
		unsigned blen = p[i + 1];

		if ((int)window <= last || blen < 1 || blen > 32 || len - i - 2 < blen)
			return HF_ERDATA;
		if (p[i + 1 + blen] == 0)
			return HF_ERDATA;
		last = (int)window;
		i += 2 + blen;
	}
	return HF_OK;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hf_rdata_field_len(enum rd_kind kind, const uint8_t *p, size_t left)
{
	size_t n;
	int rc;

	switch (kind) {
	case RD_U8:
		n = 1;
		break;
	case RD_U16:
	case RD_TYPE:
		n = 2;
		break;
	case RD_U32:
	case RD_TTL:
	case RD_TIME:
	case RD_A:
		n = 4;
		break;
	case RD_AAAA:
		n = 16;
		break;
	case RD_NAME:
	case RD_NAME_L:
	case RD_NAME_DL:
	case RD_NAME_DWL:
		rc = hf_name_check(p, left);
		return rc < 0 ? HF_ERDATA : rc;
	case RD_STR:
	case RD_SALT:
		if (left < 1)
			return HF_ERDATA;
		n = 1 + (size_t)p[0];
		break;
	case RD_HASH:
		if (left < 1 || p[0] == 0)
			return HF_ERDATA;
		n = 1 + (size_t)p[0];
		break;
	case RD_STRS:
		if (left == 0)
			return HF_ERDATA;
		for (size_t i = 0; i < left; i += 1 + (size_t)p[i]) {
			if (1 + (size_t)p[i] > left - i)
				return HF_ERDATA;
		}
		n = left;
		break;
	case RD_B64:
	case RD_HEX:
	case RD_CAAVAL:
		n = left;
		break;
	case RD_BITMAP:
		if (bitmap_check(p, left) < 0)
			return HF_ERDATA;
		n = left;
		break;
	case RD_CAATAG:
		if (left < 1 || p[0] == 0 || (size_t)p[0] + 1 > left)
			return HF_ERDATA;
		for (size_t i = 1; i <= p[0]; i++) {
			if (!is_alnum(p[i]))
				return HF_ERDATA;
		}
		n = 1 + (size_t)p[0];
		break;
	case RD_SVCPARAMS:
		if (hf_svcb_params_check(p, left) < 0)
			return HF_ERDATA;
		n = left;
		break;
	case RD_OPTIONS:
		for (size_t i = 0; i < left;) {
			if (left - i < 4 || hf_get16(p + i + 2) > left - i - 4)
				return HF_ERDATA;
			i += 4 + (size_t)hf_get16(p + i + 2);
		}
		n = left;
		break;
	default:
		return HF_ERDATA;
	}
	if (n > left)
		return HF_ERDATA;
	return (int)n;
}

int hf_rdata_check(uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	const struct rd_desc *d = hf_rdata_desc(type);
	size_t off = 0;

	if (rdlen > HF_RDATA_MAX)
		return HF_ERDATA;
	if (d == NULL)
		return HF_OK;
	for (size_t i = 0; i < RD_MAX_FIELDS && d->f[i] != RD_END; i++) {
		int n = hf_rdata_field_len((enum rd_kind)d->f[i], rdata + off, rdlen - off);

		if (n < 0)
			return HF_ERDATA;
		off += (size_t)n;
	}
	return off == rdlen ? HF_OK : HF_ERDATA;
}

/* Appends to w, or only counts when w has no buffer (check-only unpacking). */
static void emit(struct hf_wbuf *w, const uint8_t *src, size_t n)
{
	if (w->base != NULL) {
		hf_wbuf_bytes(w, src, n);
		return;
	}
	if (w->err == HF_OK && w->cap - w->pos < n)
		w->err = HF_ESPACE;
	else
		w->pos += n;
}

int hf_rdata_unpack(const uint8_t *msg, size_t msglen, size_t pos, size_t rdlen, uint16_t type,
                    uint8_t *out, size_t cap)
{
	const struct rd_desc *d = hf_rdata_desc(type);
	struct hf_wbuf w;
	size_t end;

	if (pos > msglen || rdlen > msglen - pos)
		return HF_ERDATA;
	end = pos + rdlen;
	if (out == NULL)
		cap = HF_RDATA_MAX;
	hf_wbuf_init(&w, out, cap > HF_RDATA_MAX ? HF_RDATA_MAX : cap);
	if (d == NULL) {
		emit(&w, msg + pos, rdlen);
		goto out;
	}
	for (size_t i = 0; i < RD_MAX_FIELDS && d->f[i] != RD_END; i++) {
		enum rd_kind k = (enum rd_kind)d->f[i];
		int n;

		if (k == RD_NAME_DL || k == RD_NAME_DWL) {
			uint8_t name[HF_NAME_MAX];

			/* Only the message up to the end of this RDATA is visible,
			 * so a name cannot run out of its record. */
			n = hf_name_unpack(msg, end, &pos, name);
			if (n == HF_ETRUNC || n == HF_EPTRHERE)
				return HF_ERDATA;
			if (n < 0)
				return n;
			emit(&w, name, (size_t)n);
			continue;
		}
		n = hf_rdata_field_len(k, msg + pos, end - pos);
		if (n < 0)
			return n;
		emit(&w, msg + pos, (size_t)n);
		pos += (size_t)n;
	}
	if (pos != end)
		return HF_ERDATA;
out:
	if (w.err != HF_OK)
		return HF_ESPACE;
	return (int)w.pos;
}

/* Calls fn for every name field of checked RDATA. */
static void each_name(const struct rd_desc *d, uint8_t *rdata, size_t rdlen,
                      void (*fn)(enum rd_kind k, uint8_t *name, size_t off, void *ctx), void *ctx)
{
	size_t off = 0;

	for (size_t i = 0; i < RD_MAX_FIELDS && d->f[i] != RD_END; i++) {
		enum rd_kind k = (enum rd_kind)d->f[i];
		int n = hf_rdata_field_len(k, rdata + off, rdlen - off);

		if (n < 0)
			return;
		if (is_name(k))
			fn(k, rdata + off, off, ctx);
		off += (size_t)n;
	}
}

static void lower_name(enum rd_kind k, uint8_t *name, size_t off, void *ctx)
{
	(void)off;
	(void)ctx;
	if (k != RD_NAME)
		hf_name_lower(name);
}

void hf_rdata_canonicalize(uint16_t type, uint8_t *rdata, size_t rdlen)
{
	const struct rd_desc *d = hf_rdata_desc(type);

	if (d == NULL || hf_rdata_check(type, rdata, rdlen) != HF_OK)
		return;
	each_name(d, rdata, rdlen, lower_name, NULL);
}

int hf_rdata_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n == 0 ? 0 : memcmp(a, b, n);

	if (c != 0)
		return c;
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

struct comp_ctx {
	uint16_t *offs;
	int n;
};

static void note_compressible(enum rd_kind k, uint8_t *name, size_t off, void *ctx)
{
	struct comp_ctx *c = ctx;

	(void)name;
	if (k == RD_NAME_DWL && c->n < 2)
		c->offs[c->n++] = (uint16_t)off;
}

int hf_rdata_compressible_names(uint16_t type, const uint8_t *rdata, size_t rdlen, uint16_t offs[2])
{
	const struct rd_desc *d = hf_rdata_desc(type);
	struct comp_ctx c = {offs, 0};

	if (d == NULL)
		return 0;
	if (hf_rdata_check(type, rdata, rdlen) != HF_OK)
		return HF_ERDATA;
	/* each_name only reads through the pointer here. */
	each_name(d, (uint8_t *)(uintptr_t)rdata, rdlen, note_compressible, &c);
	return c.n;
}

/* --- text output ---------------------------------------------------------- */

void hf_tw_uint(struct hf_tw *w, unsigned long v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lu", v);

	if (n > 0)
		hf_tw_put(w, tmp, (size_t)n);
}

void hf_tw_escaped(struct hf_tw *w, const uint8_t *p, size_t n, const char *escape)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c < 0x20 || c > 0x7e) {
			char tmp[5];

			snprintf(tmp, sizeof(tmp), "\\%03u", (unsigned)c);
			hf_tw_put(w, tmp, 4);
		} else {
			if (strchr(escape, c) != NULL)
				hf_tw_putc(w, '\\');
			hf_tw_putc(w, (char)c);
		}
	}
}

void hf_tw_qstring(struct hf_tw *w, const uint8_t *p, size_t n)
{
	hf_tw_putc(w, '"');
	hf_tw_escaped(w, p, n, "\"\\");
	hf_tw_putc(w, '"');
}

int hf_tw_finish(struct hf_tw *w)
{
	if (w->err != HF_OK)
		return HF_ESPACE;
	w->buf[w->pos] = '\0';
	return (int)w->pos;
}

/* Encoders write straight into the text buffer. */
static void tw_encode(struct hf_tw *w, int (*enc)(const uint8_t *, size_t, char *, size_t),
                      const uint8_t *p, size_t n)
{
	int rc;

	if (w->err != HF_OK)
		return;
	rc = enc(p, n, w->buf + w->pos, w->cap - w->pos);
	if (rc < 0) {
		w->err = HF_ESPACE;
		return;
	}
	w->pos += (size_t)rc;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian, after
 * H. Hinnant's civil_from_days); no libc time functions. */
static void civil_from_days(uint32_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint32_t z = days + 719468;
	uint32_t era = z / 146097;
	uint32_t doe = z - era * 146097;
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static void tw_time(struct hf_tw *w, uint32_t t)
{
	unsigned y, mo, d;
	char tmp[32];
	int n;

	civil_from_days(t / 86400, &y, &mo, &d);
	n = snprintf(tmp, sizeof(tmp), "%04u%02u%02u%02u%02u%02u", y, mo, d,
	             (unsigned)(t % 86400 / 3600), (unsigned)(t % 3600 / 60), (unsigned)(t % 60));
	if (n > 0)
		hf_tw_put(w, tmp, (size_t)n);
}

static void tw_type(struct hf_tw *w, uint16_t type)
{
	char buf[HF_RRTYPE_TEXT_MAX];

	hf_tw_puts(w, hf_rrtype_name(type, buf));
}

static void tw_bitmap(struct hf_tw *w, const uint8_t *p, size_t len)
{
	bool first = true;

	for (size_t i = 0; i < len; i += 2 + (size_t)p[i + 1]) {
		unsigned window = p[i];

		for (unsigned b = 0; b < p[i + 1]; b++) {
			for (unsigned bit = 0; bit < 8; bit++) {
				if ((p[i + 2 + b] & (0x80 >> bit)) == 0)
					continue;
				if (!first)
					hf_tw_putc(w, ' ');
				first = false;
				tw_type(w, (uint16_t)(window * 256 + b * 8 + bit));
			}
		}
	}
}

static void tw_field(struct hf_tw *w, enum rd_kind k, const uint8_t *p, size_t n)
{
	char tmp[HF_NAME_TEXT_MAX];

	switch (k) {
	case RD_U8:
		hf_tw_uint(w, p[0]);
		break;
	case RD_U16:
		hf_tw_uint(w, hf_get16(p));
		break;
	case RD_U32:
	case RD_TTL:
		hf_tw_uint(w, hf_get32(p));
		break;
	case RD_TYPE:
		tw_type(w, hf_get16(p));
		break;
	case RD_TIME:
		tw_time(w, hf_get32(p));
		break;
	case RD_A:
	case RD_AAAA:
		if (inet_ntop(k == RD_A ? AF_INET : AF_INET6, p, tmp, sizeof(tmp)) == NULL)
			w->err = HF_ERDATA;
		else
			hf_tw_puts(w, tmp);
		break;
	case RD_NAME:
	case RD_NAME_L:
	case RD_NAME_DL:
	case RD_NAME_DWL: {
		int rc = hf_name_to_text(p, tmp, sizeof(tmp));

		if (rc < 0)
			w->err = rc;
		else
			hf_tw_put(w, tmp, (size_t)rc);
		break;
	}
	case RD_STR:
		hf_tw_qstring(w, p + 1, p[0]);
		break;
	case RD_STRS:
		for (size_t i = 0; i < n; i += 1 + (size_t)p[i]) {
			if (i != 0)
				hf_tw_putc(w, ' ');
			hf_tw_qstring(w, p + i + 1, p[i]);
		}
		break;
	case RD_B64:
		tw_encode(w, hf_base64_encode, p, n);
		break;
	case RD_HEX:
		tw_encode(w, hf_hex_encode, p, n);
		break;
	case RD_SALT:
		if (p[0] == 0)
			hf_tw_putc(w, '-');
		else
			tw_encode(w, hf_hex_encode, p + 1, p[0]);
		break;
	case RD_HASH:
		tw_encode(w, hf_base32hex_encode, p + 1, p[0]);
		break;
	case RD_BITMAP:
		tw_bitmap(w, p, n);
		break;
	case RD_CAATAG:
		hf_tw_escaped(w, p + 1, p[0], "\"\\");
		break;
	case RD_CAAVAL:
		hf_tw_qstring(w, p, n);
		break;
	case RD_SVCPARAMS:
		hf_svcb_params_to_text(w, p, n);
		break;
	default:
		w->err = HF_ERDATA;
		break;
	}
}

/* RFC 3597 §5: "\# LEN HEX", or "\# 0" for empty RDATA. */
static void tw_generic(struct hf_tw *w, const uint8_t *rdata, size_t rdlen)
{
	hf_tw_puts(w, "\\# ");
	hf_tw_uint(w, rdlen);
	if (rdlen != 0) {
		hf_tw_putc(w, ' ');
		tw_encode(w, hf_hex_encode, rdata, rdlen);
	}
}

int hf_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t rdlen, char *out, size_t cap)
{
	const struct rd_desc *d = hf_rdata_desc(type);
	struct hf_tw w;
	size_t off = 0;

	if (hf_rdata_check(type, rdata, rdlen) != HF_OK)
		return HF_ERDATA;
	hf_tw_init(&w, out, cap);
	if (d == NULL || d->generic_text) {
		tw_generic(&w, rdata, rdlen);
		return hf_tw_finish(&w);
	}
	for (size_t i = 0; i < RD_MAX_FIELDS && d->f[i] != RD_END; i++) {
		enum rd_kind k = (enum rd_kind)d->f[i];
		int n = hf_rdata_field_len(k, rdata + off, rdlen - off);
		size_t mark = w.pos;

		if (n < 0)
			return HF_ERDATA;
		if (i != 0)
			hf_tw_putc(&w, ' ');
		tw_field(&w, k, rdata + off, (size_t)n);
		/* Fields that print nothing (empty bitmap, key or digest) leave no
		 * stray separator. */
		if (w.err == HF_OK && w.pos == mark + 1 && i != 0)
			w.pos = mark;
		off += (size_t)n;
	}
	if (w.err == HF_ERDATA || w.err == HF_EINVAL)
		return w.err;
	return hf_tw_finish(&w);
}
