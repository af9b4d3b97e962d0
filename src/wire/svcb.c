/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SVCB and HTTPS SvcParams (RFC 9460 §2.2, §7, Appendix A).
 *
 *   +--------+--------+--------+--------+-------------------+
 *   |  SvcParamKey    | SvcParamValue len | SvcParamValue ... |
 *   +--------+--------+--------+--------+-------------------+
 *
 * Wire rules checked: keys strictly increasing; mandatory a non-empty,
 * strictly increasing key list not naming itself; alpn one or more
 * non-empty ids exactly filling the value; no-default-alpn empty; port two
 * octets; ipv4hint / ipv6hint a non-empty multiple of 4 / 16 octets. ech and
 * unknown keys are opaque. Zone-level self-consistency (every mandatory key
 * present, alpn alongside no-default-alpn, no params in AliasMode) is not
 * enforced, here or in text input, so whatever passes the check also
 * survives wire -> text -> wire.
 *
 * Text matches dnspython: params sorted by key, values quoted; alpn ids use
 * the two-level escaping of Appendix A.1 (a comma inside an id is "\\,", a
 * non-printable octet "\\DDD"). On input the second level also decodes
 * "\DDD", so that printed form reads back as the same octet (dnspython 2.3
 * reads it as the three digits).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "wire/codec.h"
#include "wire/rdata_impl.h"

enum {
	KEY_MANDATORY = 0,
	KEY_ALPN = 1,
	KEY_NO_DEFAULT_ALPN = 2,
	KEY_PORT = 3,
	KEY_IPV4HINT = 4,
	KEY_ECH = 5,
	KEY_IPV6HINT = 6,
};

static const char *const key_names[] = {
    "mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint",
};

static int value_check(uint16_t key, const uint8_t *v, size_t n)
{
	switch (key) {
	case KEY_MANDATORY:
		if (n == 0 || n % 2 != 0)
			return HF_ERDATA;
		for (size_t i = 0; i < n; i += 2) {
			uint16_t k = hf_get16(v + i);

			if (k == KEY_MANDATORY || (i != 0 && k <= hf_get16(v + i - 2)))
				return HF_ERDATA;
		}
		return HF_OK;
	case KEY_ALPN:
		if (n == 0)
			return HF_ERDATA;
		for (size_t i = 0; i < n; i += 1 + (size_t)v[i]) {
			if (v[i] == 0 || (size_t)v[i] > n - i - 1)
				return HF_ERDATA;
		}
		return HF_OK;
	case KEY_NO_DEFAULT_ALPN:
		return n == 0 ? HF_OK : HF_ERDATA;
	case KEY_PORT:
		return n == 2 ? HF_OK : HF_ERDATA;
	case KEY_IPV4HINT:
		return n != 0 && n % 4 == 0 ? HF_OK : HF_ERDATA;
	case KEY_IPV6HINT:
		return n != 0 && n % 16 == 0 ? HF_OK : HF_ERDATA;
	default:
		return HF_OK;
	}
}

int hf_svcb_params_check(const uint8_t *p, size_t len)
{
	long last = -1;

	for (size_t i = 0; i < len;) {
		if (len - i < 4)
			return HF_ERDATA;
		uint16_t key = hf_get16(p + i);
		size_t vlen = hf_get16(p + i + 2);

		if ((long)key <= last || vlen > len - i - 4)
			return HF_ERDATA;
		if (value_check(key, p + i + 4, vlen) < 0)
			return HF_ERDATA;
		last = key;
		i += 4 + vlen;
	}
	return HF_OK;
}

/* --- text output ---------------------------------------------------------- */

static void tw_key(struct hf_tw *w, uint16_t key)
{
	if (key < HF_ARRAY_LEN(key_names)) {
		hf_tw_puts(w, key_names[key]);
	} else {
		hf_tw_puts(w, "key");
		hf_tw_uint(w, key);
	}
}

static void tw_alpn(struct hf_tw *w, const uint8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i += 1 + (size_t)v[i]) {
		if (i != 0)
			hf_tw_putc(w, ',');
		for (size_t j = 0; j < v[i]; j++) {
			uint8_t c = v[i + 1 + j];

			/* Inner level escapes , " \ and non-printables; the outer
			 * level then doubles each backslash and escapes the quote. */
			if (c == ',') {
				hf_tw_puts(w, "\\\\,");
			} else if (c == '"') {
				hf_tw_puts(w, "\\\\\\\"");
			} else if (c == '\\') {
				hf_tw_puts(w, "\\\\\\\\");
			} else if (c < 0x20 || c > 0x7e) {
				char tmp[8];

				snprintf(tmp, sizeof(tmp), "\\\\%03u", (unsigned)c);
				hf_tw_puts(w, tmp);
			} else {
				hf_tw_putc(w, (char)c);
			}
		}
	}
}

static void tw_addrs(struct hf_tw *w, const uint8_t *v, size_t n, int af)
{
	size_t step = af == AF_INET ? 4 : 16;
	char tmp[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i += step) {
		if (i != 0)
			hf_tw_putc(w, ',');
		if (inet_ntop(af, v + i, tmp, sizeof(tmp)) != NULL)
			hf_tw_puts(w, tmp);
	}
}

static void tw_b64(struct hf_tw *w, const uint8_t *v, size_t n)
{
	int rc;

	if (w->err != HF_OK)
		return;
	rc = hf_base64_encode(v, n, w->buf + w->pos, w->cap - w->pos);
	if (rc < 0)
		w->err = HF_ESPACE;
	else
		w->pos += (size_t)rc;
}

void hf_svcb_params_to_text(struct hf_tw *w, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint16_t key = hf_get16(p + i);
		size_t n = hf_get16(p + i + 2);
		const uint8_t *v = p + i + 4;

		if (i != 0)
			hf_tw_putc(w, ' ');
		tw_key(w, key);
		i += 4 + n;
		if (key == KEY_NO_DEFAULT_ALPN || (key > KEY_IPV6HINT && n == 0))
			continue;
		hf_tw_puts(w, "=\"");
		switch (key) {
		case KEY_MANDATORY:
			for (size_t j = 0; j < n; j += 2) {
				if (j != 0)
					hf_tw_putc(w, ',');
				tw_key(w, hf_get16(v + j));
			}
			break;
		case KEY_ALPN:
			tw_alpn(w, v, n);
			break;
		case KEY_PORT:
			hf_tw_uint(w, hf_get16(v));
			break;
		case KEY_IPV4HINT:
			tw_addrs(w, v, n, AF_INET);
			break;
		case KEY_IPV6HINT:
			tw_addrs(w, v, n, AF_INET6);
			break;
		case KEY_ECH:
			tw_b64(w, v, n);
			break;
		default:
			hf_tw_escaped(w, v, n, "\"\\");
			break;
		}
		hf_tw_putc(w, '"');
	}
}

/* --- text input ----------------------------------------------------------- */

/* Decodes one level of \X / \DDD escapes, one octet at a time. */
struct unesc {
	const char *s;
	size_t n;
	size_t i;
};

/* The next octet (0..255), -1 at the end, or HF_ESYNTAX. */
static int unesc_next(struct unesc *u)
{
	uint8_t c;
	int rc;

	if (u->i >= u->n)
		return -1;
	if (u->s[u->i] != '\\') {
		return (unsigned char)u->s[u->i++];
	}
	/* hf_lex_unescape handles a single escape sequence for us. */
	size_t len = 2;

	if (u->i + 1 < u->n && u->s[u->i + 1] >= '0' && u->s[u->i + 1] <= '9')
		len = 4;
	if (len > u->n - u->i)
		return HF_ESYNTAX;
	rc = hf_lex_unescape(u->s + u->i, len, &c, 1);
	if (rc != 1)
		return HF_ESYNTAX;
	u->i += len;
	return c;
}

static bool eq_nocase(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = a[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (b[i] == '\0' || c != b[i])
			return false;
	}
	return b[i] == '\0';
}

/* A key name or "keyNNNNN" (no leading zeros); *generic set for the latter. */
static int parse_key(const char *s, size_t n, uint16_t *key, bool *generic)
{
	uint32_t v;

	*generic = false;
	for (uint16_t k = 0; k < HF_ARRAY_LEN(key_names); k++) {
		if (eq_nocase(s, n, key_names[k])) {
			*key = k;
			return HF_OK;
		}
	}
	if (n < 4 || !eq_nocase(s, 3, "key") || (s[3] == '0' && n != 4))
		return HF_ESYNTAX;
	if (hf_rdata_parse_uint(s + 3, n - 3, 65535, &v) < 0)
		return HF_ESYNTAX;
	*key = (uint16_t)v;
	*generic = true;
	return HF_OK;
}

/* Reads a comma-separated item (one escape level decoded) into buf; returns
 * its length, -1 if the value is exhausted, or an error. */
static int next_item(struct unesc *u, char *buf, size_t cap)
{
	size_t n = 0;
	int c;

	if (u->i >= u->n && u->i != 0 && u->s[u->i - 1] != ',')
		return -1;
	for (;;) {
		c = unesc_next(u);
		if (c == HF_ESYNTAX)
			return HF_ESYNTAX;
		if (c < 0 || c == ',')
			break;
		if (n + 1 >= cap)
			return HF_ESYNTAX;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return (int)n;
}

static int value_mandatory(struct unesc *u, struct hf_wbuf *w)
{
	size_t start = w->pos;
	char item[32];
	int n;

	if (u->n == 0)
		return HF_ESYNTAX;
	for (;;) {
		uint16_t key;
		bool generic;

		n = next_item(u, item, sizeof(item));
		if (n == -1)
			break;
		if (n < 0)
			return n;
		if (parse_key(item, (size_t)n, &key, &generic) < 0)
			return HF_ESYNTAX;
		hf_wbuf_u16(w, key);
		if (w->err != HF_OK)
			return HF_ESPACE;
		/* Insertion sort into place; duplicates are refused by the check. */
		for (size_t j = w->pos - 2; j > start && hf_get16(w->base + j - 2) > key; j -= 2) {
			hf_put16(w->base + j, hf_get16(w->base + j - 2));
			hf_put16(w->base + j - 2, key);
		}
		if (u->i >= u->n && u->s[u->n - 1] != ',')
			break;
	}
	return HF_OK;
}

static int value_alpn(struct unesc *u, struct hf_wbuf *w)
{
	size_t lenpos = w->pos;
	int c;

	hf_wbuf_u8(w, 0);
	for (;;) {
		c = unesc_next(u);
		if (c == HF_ESYNTAX)
			return c;
		if (c < 0 || c == ',') {
			size_t idlen = w->pos - lenpos - 1;

			if (w->err != HF_OK)
				return HF_ESPACE;
			if (idlen == 0 || idlen > 255)
				return HF_ESYNTAX;
			w->base[lenpos] = (uint8_t)idlen;
			if (c < 0)
				return HF_OK;
			lenpos = w->pos;
			hf_wbuf_u8(w, 0);
			continue;
		}
		if (c == '\\') {
			/* Second level: "\DDD" is an octet (that is how non-printable
			 * octets are printed), any other octet after a backslash is
			 * taken literally. */
			c = unesc_next(u);
			if (c < 0)
				return HF_ESYNTAX;
			if (c >= '0' && c <= '9') {
				int c2 = unesc_next(u);
				int c3 = unesc_next(u);

				if (c2 < '0' || c2 > '9' || c3 < '0' || c3 > '9')
					return HF_ESYNTAX;
				c = (c - '0') * 100 + (c2 - '0') * 10 + (c3 - '0');
				if (c > 255)
					return HF_ESYNTAX;
			}
		}
		hf_wbuf_u8(w, (uint8_t)c);
	}
}

static int value_addrs(struct unesc *u, struct hf_wbuf *w, int af)
{
	char item[INET6_ADDRSTRLEN + 1];
	uint8_t addr[16];
	int n;

	if (u->n == 0)
		return HF_ESYNTAX;
	for (;;) {
		n = next_item(u, item, sizeof(item));
		if (n == -1)
			break;
		if (n < 0)
			return n;
		if (inet_pton(af, item, addr) != 1)
			return HF_ESYNTAX;
		hf_wbuf_bytes(w, addr, af == AF_INET ? 4 : 16);
		if (u->i >= u->n && u->s[u->n - 1] != ',')
			break;
	}
	return HF_OK;
}

static int value_port(struct unesc *u, struct hf_wbuf *w)
{
	char item[8];
	uint32_t v;
	int n = next_item(u, item, sizeof(item));

	if (n < 0 || u->i < u->n)
		return HF_ESYNTAX;
	n = hf_rdata_parse_uint(item, (size_t)n, 65535, &v);
	if (n < 0)
		return n;
	hf_wbuf_u16(w, (uint16_t)v);
	return HF_OK;
}

static int value_raw(struct unesc *u, struct hf_wbuf *w)
{
	int c;

	for (;;) {
		c = unesc_next(u);
		if (c == HF_ESYNTAX)
			return c;
		if (c < 0)
			return HF_OK;
		hf_wbuf_u8(w, (uint8_t)c);
	}
}

static int value_ech(const char *s, size_t n, struct hf_wbuf *w)
{
	int rc;

	if (w->err != HF_OK)
		return HF_ESPACE;
	rc = hf_base64_decode(s, n, w->base + w->pos, w->cap - w->pos);
	if (rc < 0)
		return rc;
	w->pos += (size_t)rc;
	return HF_OK;
}

static void reverse(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Moves the param at [at, end) to its place by key among those at [start, at). */
static int place_param(uint8_t *base, size_t start, size_t at, size_t end)
{
	uint16_t key = hf_get16(base + at);
	size_t i = start;

	while (i < at) {
		uint16_t k = hf_get16(base + i);

		if (k == key)
			return HF_ESYNTAX; /* duplicate key */
		if (k > key)
			break;
		i += 4 + (size_t)hf_get16(base + i + 2);
	}
	if (i < at) {
		/* rotate [i, end) so [at, end) comes first */
		reverse(base + i, at - i);
		reverse(base + at, end - at);
		reverse(base + i, end - i);
	}
	return HF_OK;
}

static int parse_param(const struct hf_lex_tok *kt, size_t klen, const char *val, size_t vlen,
                       struct hf_wbuf *w, size_t start)
{
	char kbuf[32];
	uint16_t key;
	bool generic;
	struct unesc u = {val, vlen, 0};
	size_t at = w->pos;
	size_t vstart;
	int rc;

	rc = hf_lex_unescape(kt->text, klen, (uint8_t *)kbuf, sizeof(kbuf));
	if (rc < 0)
		return HF_ESYNTAX;
	rc = parse_key(kbuf, (size_t)rc, &key, &generic);
	if (rc < 0)
		return rc;
	hf_wbuf_u16(w, key);
	hf_wbuf_u16(w, 0);
	vstart = w->pos;
	if (generic || key > KEY_IPV6HINT)
		rc = value_raw(&u, w);
	else if (key == KEY_MANDATORY)
		rc = value_mandatory(&u, w);
	else if (key == KEY_ALPN)
		rc = value_alpn(&u, w);
	else if (key == KEY_PORT)
		rc = value_port(&u, w);
	else if (key == KEY_IPV4HINT)
		rc = value_addrs(&u, w, AF_INET);
	else if (key == KEY_IPV6HINT)
		rc = value_addrs(&u, w, AF_INET6);
	else if (key == KEY_ECH)
		rc = value_ech(val, vlen, w);
	else
		rc = value_raw(&u, w); /* no-default-alpn: must be empty */
	if (rc < 0)
		return rc;
	if (w->err != HF_OK)
		return HF_ESPACE;
	if (w->pos - vstart > 65535)
		return HF_ERANGE;
	hf_put16(w->base + vstart - 2, (uint16_t)(w->pos - vstart));
	if (value_check(key, w->base + vstart, w->pos - vstart) < 0)
		return HF_ESYNTAX;
	return place_param(w->base, start, at, w->pos);
}

int hf_svcb_params_from_lex(struct hf_lex *lx, struct hf_wbuf *w)
{
	size_t start = w->pos;
	struct hf_lex_tok t;
	struct hf_lex_tok v;
	int rc;

	for (;;) {
		const char *eq;
		size_t klen;

		rc = hf_lex_next(lx, &t);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return w->err != HF_OK ? HF_ESPACE : HF_OK;
		if (t.quoted)
			return HF_ESYNTAX;
		eq = memchr(t.text, '=', t.len);
		if (eq == t.text)
			return HF_ESYNTAX;
		if (eq == NULL) {
			rc = parse_param(&t, t.len, "", 0, w, start);
		} else if ((size_t)(eq - t.text) == t.len - 1) {
			/* key= then a quoted value with no blank in between */
			klen = t.len - 1;
			rc = hf_lex_next(lx, &v);
			if (rc < 0)
				return rc;
			if (rc == 0 || !v.quoted || !v.glued)
				return HF_ESYNTAX;
			rc = parse_param(&t, klen, v.text, v.len, w, start);
		} else {
			klen = (size_t)(eq - t.text);
			rc = parse_param(&t, klen, eq + 1, t.len - klen - 1, w, start);
		}
		if (rc < 0)
			return rc;
	}
}
