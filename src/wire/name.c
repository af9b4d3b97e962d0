/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Domain names: decompression, checking, text form, comparison. See name.h
 * for the rules; the compression-pointer rule is the one worth reading.
 */
#include "wire/name.h"

#include <string.h>

#include "util/err.h"

/*
 * The top two bits of a label's length octet: 00 = label, 11 = pointer. An
 * octet 0x40..0x7f would be a label of 64 to 127 octets (the "extended label"
 * type of RFC 2671 is gone, RFC 6891 §5), so it is reported as too long;
 * 0x80..0xbf is reserved.
 */
static int label_type_error(uint8_t c)
{
	return (c & 0xc0) == 0x40 ? HF_ELABEL : HF_ELABELTYPE;
}

/* Shared by hf_name_unpack() (out != NULL) and hf_name_skip() (out == NULL). */
static int name_read(const uint8_t *msg, size_t msglen, size_t *pos, uint8_t *out)
{
	size_t p = *pos;
	size_t run_start = p;  /* where the run of labels being read began */
	size_t limit = msglen; /* the run must end before this */
	size_t resume = 0;     /* where the caller continues, once known */
	size_t outlen = 0;

	for (;;) {
		if (p >= limit)
			return limit == msglen ? HF_ETRUNC : HF_EPTRLOOP;
		uint8_t c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= limit)
				return limit == msglen ? HF_ETRUNC : HF_EPTRLOOP;
			size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			if (target == p)
				return HF_EPTRLOOP;
			if (target > p)
				return HF_EPTRFWD;
			if (target >= run_start)
				return HF_EPTRLOOP;
			if (resume == 0)
				resume = p + 2;
			/* The name pointed at was written before this run began, so
			 * it must also end before it: no reading over the pointer. */
			limit = run_start;
			p = target;
			run_start = target;
			continue;
		}
		if (c & 0xc0)
			return label_type_error(c);
		if (outlen + c + 1 > HF_NAME_MAX)
			return HF_ENAMELEN;
		if (c == 0) {
			if (out != NULL)
				out[outlen] = 0;
			outlen++;
			if (resume == 0)
				resume = p + 1;
			break;
		}
		if (limit - p - 1 < c)
			return limit == msglen ? HF_ETRUNC : HF_EPTRLOOP;
		if (out != NULL)
			memcpy(out + outlen, msg + p, (size_t)c + 1);
		outlen += (size_t)c + 1;
		p += (size_t)c + 1;
	}
	*pos = resume;
	return (int)outlen;
}

int hf_name_unpack(const uint8_t *msg, size_t msglen, size_t *pos, uint8_t out[HF_NAME_MAX])
{
	return name_read(msg, msglen, pos, out);
}

int hf_name_skip(const uint8_t *msg, size_t msglen, size_t *pos)
{
	return name_read(msg, msglen, pos, NULL);
}

int hf_name_check(const uint8_t *buf, size_t len)
{
	size_t p = 0;
	for (;;) {
		if (p >= len)
			return HF_ETRUNC;
		uint8_t c = buf[p];
		if ((c & 0xc0) == 0xc0)
			return HF_EPTRHERE;
		if (c & 0xc0)
			return label_type_error(c);
		if (p + c + 1 > HF_NAME_MAX)
			return HF_ENAMELEN;
		if (c == 0)
			return (int)(p + 1);
		if (len - p - 1 < c)
			return HF_ETRUNC;
		p += (size_t)c + 1;
	}
}

size_t hf_name_len(const uint8_t *name)
{
	size_t p = 0;
	while (name[p] != 0)
		p += (size_t)name[p] + 1;
	return p + 1;
}

unsigned hf_name_labels(const uint8_t *name)
{
	unsigned n = 0;
	for (size_t p = 0; name[p] != 0; p += (size_t)name[p] + 1)
		n++;
	return n;
}

const uint8_t *hf_name_suffix(const uint8_t *name, unsigned labels)
{
	unsigned total = hf_name_labels(name);
	if (labels > total)
		return NULL;
	for (unsigned skip = total - labels; skip > 0; skip--)
		name += (size_t)name[0] + 1;
	return name;
}

/* --- text form ------------------------------------------------------------ */

static int parse_escape(const char *text, size_t len, size_t *i, uint8_t *octet)
{
	/* text[*i] is the character after the backslash. */
	if (*i >= len)
		return HF_ESYNTAX;
	char c = text[*i];
	if (c < '0' || c > '9') {
		*octet = (uint8_t)c;
		*i += 1;
		return HF_OK;
	}
	if (len - *i < 3)
		return HF_ESYNTAX;
	unsigned v = 0;
	for (int k = 0; k < 3; k++) {
		char d = text[*i + (size_t)k];
		if (d < '0' || d > '9')
			return HF_ESYNTAX;
		v = v * 10 + (unsigned)(d - '0');
	}
	if (v > 255)
		return HF_ESYNTAX;
	*octet = (uint8_t)v;
	*i += 3;
	return HF_OK;
}

static int append_origin(uint8_t *out, size_t outlen, const uint8_t *origin)
{
	static const uint8_t root[1] = {0};
	if (origin == NULL)
		origin = root;
	size_t olen = hf_name_len(origin);
	if (outlen + olen > HF_NAME_MAX)
		return HF_ENAMELEN;
	memcpy(out + outlen, origin, olen);
	return (int)(outlen + olen);
}

int hf_name_from_text(const char *text, size_t len, const uint8_t *origin, uint8_t out[HF_NAME_MAX])
{
	if (len == 0)
		return HF_ESYNTAX;
	if (len == 1 && text[0] == '@')
		return append_origin(out, 0, origin);
	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}

	size_t outlen = 0; /* octets of completed labels */
	size_t lablen = 0; /* octets in the label being read */
	bool absolute = false;
	size_t i = 0;
	while (i < len) {
		uint8_t octet;
		char c = text[i++];
		if (c == '.') {
			if (lablen == 0)
				return HF_ESYNTAX; /* empty label */
			out[outlen] = (uint8_t)lablen;
			outlen += lablen + 1;
			lablen = 0;
			if (i == len)
				absolute = true;
			continue;
		}
		if (c == '\\') {
			int err = parse_escape(text, len, &i, &octet);
			if (err != HF_OK)
				return err;
		} else {
			octet = (uint8_t)c;
		}
		if (lablen == HF_LABEL_MAX)
			return HF_ELABEL;
		/* Keep room for this label's length octet and the root label. */
		if (outlen + 1 + lablen + 1 + 1 > HF_NAME_MAX)
			return HF_ENAMELEN;
		out[outlen + 1 + lablen] = octet;
		lablen++;
	}
	if (absolute) {
		out[outlen] = 0;
		return (int)(outlen + 1);
	}
	out[outlen] = (uint8_t)lablen;
	outlen += lablen + 1;
	return append_origin(out, outlen, origin);
}

static bool needs_backslash(uint8_t c)
{
	return c == '"' || c == '(' || c == ')' || c == '.' || c == ';' || c == '\\' || c == '@' ||
	       c == '$';
}

int hf_name_to_text(const uint8_t *name, char *out, size_t cap)
{
	size_t o = 0;
	if (name[0] == 0) {
		if (cap < 2)
			return HF_ESPACE;
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	for (size_t p = 0; name[p] != 0; p += (size_t)name[p] + 1) {
		for (size_t k = 1; k <= name[p]; k++) {
			uint8_t c = name[p + k];
			if (cap - o < 5)
				return HF_ESPACE;
			if (needs_backslash(c)) {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c >= 0x21 && c <= 0x7e) {
				out[o++] = (char)c;
			} else {
				out[o++] = '\\';
				out[o++] = (char)('0' + c / 100);
				out[o++] = (char)('0' + c / 10 % 10);
				out[o++] = (char)('0' + c % 10);
			}
		}
		if (cap - o < 2)
			return HF_ESPACE;
		out[o++] = '.';
	}
	out[o] = '\0';
	return (int)o;
}

/* --- comparison ----------------------------------------------------------- */

bool hf_name_eq(const uint8_t *a, const uint8_t *b)
{
	size_t p = 0;
	for (;;) {
		if (a[p] != b[p])
			return false;
		if (a[p] == 0)
			return true;
		size_t end = p + (size_t)a[p] + 1;
		for (p++; p < end; p++) {
			if (hf_lower(a[p]) != hf_lower(b[p]))
				return false;
		}
	}
}

/* Offsets of each label's length octet; returns the label count. */
static unsigned label_offsets(const uint8_t *name, uint8_t offs[HF_NAME_MAX / 2 + 1])
{
	unsigned n = 0;
	for (size_t p = 0; name[p] != 0; p += (size_t)name[p] + 1)
		offs[n++] = (uint8_t)p;
	return n;
}

static int label_cmp(const uint8_t *a, const uint8_t *b)
{
	size_t alen = a[0], blen = b[0];
	size_t n = alen < blen ? alen : blen;
	for (size_t k = 1; k <= n; k++) {
		int d = (int)hf_lower(a[k]) - (int)hf_lower(b[k]);
		if (d != 0)
			return d;
	}
	return (int)alen - (int)blen;
}

int hf_name_cmp_canonical(const uint8_t *a, const uint8_t *b)
{
	uint8_t ao[HF_NAME_MAX / 2 + 1], bo[HF_NAME_MAX / 2 + 1];
	unsigned an = label_offsets(a, ao);
	unsigned bn = label_offsets(b, bo);
	while (an > 0 && bn > 0) {
		an--;
		bn--;
		int d = label_cmp(a + ao[an], b + bo[bn]);
		if (d != 0)
			return d;
	}
	return (int)an - (int)bn;
}

bool hf_name_in_zone(const uint8_t *name, const uint8_t *parent)
{
	const uint8_t *tail = hf_name_suffix(name, hf_name_labels(parent));
	return tail != NULL && hf_name_eq(tail, parent);
}

void hf_name_lower(uint8_t *name)
{
	for (size_t p = 0; name[p] != 0; p += (size_t)name[p] + 1) {
		for (size_t k = 1; k <= name[p]; k++)
			name[p + k] = hf_lower(name[p + k]);
	}
}

bool hf_name_wildcard(const uint8_t *name, uint8_t out[HF_NAME_MAX])
{
	size_t len = hf_name_len(name);
	if (len + 2 > HF_NAME_MAX)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, len);
	return true;
}

unsigned hf_name_common_labels(const uint8_t *a, const uint8_t *b)
{
	unsigned la = hf_name_labels(a), lb = hf_name_labels(b);
	unsigned n = la < lb ? la : lb;
	while (n > 0 && !hf_name_eq(hf_name_suffix(a, n), hf_name_suffix(b, n)))
		n--;
	return n;
}
