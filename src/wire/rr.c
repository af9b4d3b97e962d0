/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One resource record in text (a zone-file entry) and in the canonical wire
 * form DNSSEC signs (RFC 4034 §6.2). The entry is tokenized by lex.c; the
 * TTL and class may come in either order before the type; the RDATA part is
 * handed to rdata_text.c on the same tokenizer so "( )" may open anywhere.
 */
#include "wire/rr.h"

#include <string.h>

#include "util/err.h"
#include "wire/buf.h"
#include "wire/lex.h"
#include "wire/rdata_impl.h"
#include "wire/rrtype.h"

static bool starts_with_digit(const struct hf_lex_tok *t)
{
	return t->len > 0 && t->text[0] >= '0' && t->text[0] <= '9';
}

int hf_rr_from_text(const char *text, size_t len, const uint8_t *origin, uint32_t default_ttl,
                    struct hf_rrdata *rr)
{
	struct hf_lex lx;
	struct hf_lex_tok t;
	bool have_ttl = false;
	bool have_class = false;
	int rc;

	hf_lex_init(&lx, text, len);
	rc = hf_lex_next(&lx, &t);
	if (rc < 0)
		return rc;
	if (rc == 0 || t.quoted)
		return HF_ESYNTAX;
	rc = hf_name_from_text(t.text, t.len, origin, rr->owner);
	if (rc < 0)
		return rc;
	rr->ttl = default_ttl;
	rr->rclass = HF_CLASS_IN;
	for (;;) {
		rc = hf_lex_next(&lx, &t);
		if (rc < 0)
			return rc;
		if (rc == 0 || t.quoted)
			return HF_ESYNTAX;
		if (!have_ttl && starts_with_digit(&t)) {
			rc = hf_rdata_parse_ttl(t.text, t.len, &rr->ttl);
			if (rc < 0)
				return rc;
			have_ttl = true;
			continue;
		}
		if (!have_class && hf_rrclass_from_text(t.text, t.len, &rr->rclass) == HF_OK) {
			have_class = true;
			continue;
		}
		rc = hf_rrtype_from_text(t.text, t.len, &rr->type);
		if (rc < 0)
			return rc;
		break;
	}
	rc = hf_rdata_from_lex(hf_rdata_layout(rr->type, rr->rclass), &lx, origin, rr->rdata,
	                       sizeof(rr->rdata));
	if (rc < 0)
		return rc;
	rr->rdlen = (uint16_t)rc;
	if (hf_lex_finish(&lx) != HF_OK)
		return HF_ESYNTAX;
	return HF_OK;
}

int hf_rr_to_text(const uint8_t *owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                  const uint8_t *rdata, size_t rdlen, char *out, size_t cap)
{
	char name[HF_NAME_TEXT_MAX];
	char tbuf[HF_RRTYPE_TEXT_MAX];
	struct hf_tw w;
	int rc;

	hf_tw_init(&w, out, cap);
	rc = hf_name_to_text(owner, name, sizeof(name));
	if (rc < 0)
		return rc;
	hf_tw_put(&w, name, (size_t)rc);
	hf_tw_putc(&w, ' ');
	hf_tw_uint(&w, ttl);
	hf_tw_putc(&w, ' ');
	hf_tw_puts(&w, hf_rrclass_name(rclass, tbuf));
	hf_tw_putc(&w, ' ');
	hf_tw_puts(&w, hf_rrtype_name(type, tbuf));
	hf_tw_putc(&w, ' ');
	if (w.err != HF_OK)
		return HF_ESPACE;
	rc =
	    hf_rdata_to_text(hf_rdata_layout(type, rclass), rdata, rdlen, out + w.pos, cap - w.pos);
	if (rc < 0)
		return rc;
	return (int)w.pos + rc;
}

int hf_rr_canonical(const uint8_t *owner, uint16_t type, uint16_t rclass, uint32_t orig_ttl,
                    unsigned rrsig_labels, const uint8_t *rdata, size_t rdlen, uint8_t *out,
                    size_t cap)
{
	unsigned labels = hf_name_labels(owner);
	const uint8_t *name = owner;
	struct hf_wbuf w;
	size_t nstart;
	size_t rdstart;

	uint16_t layout = hf_rdata_layout(type, rclass);
	if (rdlen > HF_RDATA_MAX || hf_rdata_check(layout, rdata, rdlen) != HF_OK)
		return HF_ERDATA;
	hf_wbuf_init(&w, out, cap);
	nstart = w.pos;
	/* RFC 4034 §3.1.3 / §5.3.2: a wildcard expansion is signed as "*." plus
	 * the rightmost rrsig_labels labels. */
	if (rrsig_labels < labels) {
		static const uint8_t star[] = {1, '*'};

		hf_wbuf_bytes(&w, star, sizeof(star));
		name = hf_name_suffix(owner, rrsig_labels);
		if (name == NULL)
			return HF_ERDATA;
	}
	hf_wbuf_bytes(&w, name, hf_name_len(name));
	if (w.err != HF_OK)
		return HF_ESPACE;
	hf_name_lower(out + nstart);
	hf_wbuf_u16(&w, type);
	hf_wbuf_u16(&w, rclass);
	hf_wbuf_u32(&w, orig_ttl);
	hf_wbuf_u16(&w, (uint16_t)rdlen);
	rdstart = w.pos;
	hf_wbuf_bytes(&w, rdata, rdlen);
	if (w.err != HF_OK)
		return HF_ESPACE;
	hf_rdata_canonicalize(layout, out + rdstart, rdlen);
	return (int)w.pos;
}

int hf_rr_each_line(const char *text, size_t len, uint32_t default_ttl, struct hf_rrdata *rr,
                    int (*fn)(void *ctx, const struct hf_rrdata *rr), void *ctx, unsigned *line)
{
	*line = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *l = text + pos;
		size_t llen = end - pos;
		pos = end + 1;
		++*line;
		size_t k = 0;
		while (k < llen && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'))
			k++;
		if (k == llen || l[k] == ';')
			continue;
		int rc = hf_rr_from_text(l, llen, NULL, default_ttl, rr);
		if (rc == HF_OK)
			rc = fn(ctx, rr);
		if (rc != HF_OK)
			return rc;
	}
	return HF_OK;
}
