/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Message parsing: one pass over the whole message that checks everything
 * and records views. See pkt.h for the contract.
 */
#include "wire/pkt.h"

#include <stddef.h>
#include <string.h>

#include "util/err.h"
#include "wire/buf.h"
#include "wire/edns.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

/* The smallest question (root name, type, class) and record (plus TTL, RDLENGTH). */
#define MIN_QUESTION_LEN 5
#define MIN_RECORD_LEN   11

struct parse_state {
	struct hf_pkt *pkt;
	size_t pos;
	int edns_version_error; /* HF_EBADVERS once seen; reported after the full parse */
};

/* Running out of octets exactly where a record should start means the counts lied. */
static int name_error_at_start(int err, size_t pos, size_t len)
{
	return err == HF_ETRUNC && pos >= len ? HF_ECOUNT : err;
}

static int parse_question(struct parse_state *st, struct hf_rr *rr)
{
	const struct hf_pkt *pkt = st->pkt;
	size_t start = st->pos;
	int n = hf_name_skip(pkt->wire, pkt->len, &st->pos);
	if (n < 0)
		return name_error_at_start(n, start, pkt->len);
	if (pkt->len - st->pos < 4)
		return HF_ETRUNC;
	rr->owner = (uint16_t)start;
	rr->type = hf_get16(pkt->wire + st->pos);
	rr->rclass = hf_get16(pkt->wire + st->pos + 2);
	rr->ttl = 0;
	rr->rdata = 0;
	rr->rdlen = 0;
	st->pos += 4;
	return HF_OK;
}

static int check_opt(struct parse_state *st, const struct hf_rr *rr, enum hf_section s,
                     size_t index)
{
	struct hf_pkt *pkt = st->pkt;
	if (s != HF_SECTION_ADDITIONAL)
		return HF_EOPTSECT;
	if (pkt->has_edns)
		return HF_EOPTDUP;
	size_t p = rr->owner;
	if (hf_name_skip(pkt->wire, pkt->len, &p) != 1)
		return HF_EOPTNAME;
	int err = hf_edns_check(pkt->wire + rr->rdata, rr->rdlen);
	if (err != HF_OK)
		return err;
	pkt->has_edns = true;
	pkt->opt_index = index;
	pkt->edns.udp_size = rr->rclass;
	pkt->edns.ext_rcode = (uint8_t)(rr->ttl >> 24);
	pkt->edns.version = (uint8_t)(rr->ttl >> 16);
	pkt->edns.flags = (uint16_t)rr->ttl;
	pkt->edns.opts = rr->rdata;
	pkt->edns.opts_len = rr->rdlen;
	if (pkt->edns.version != 0)
		st->edns_version_error = HF_EBADVERS;
	return HF_OK;
}

static int check_rdata(const struct hf_pkt *pkt, const struct hf_rr *rr)
{
	/* Unpacking without a buffer checks the layout and copies nothing. */
	int n = hf_rdata_unpack(pkt->wire, pkt->len, rr->rdata, rr->rdlen,
	                        hf_rdata_layout(rr->type, rr->rclass), NULL, 0);
	if (n == HF_ESPACE)
		return HF_ERDATA; /* expands past 65535 octets: no such RDATA */
	return n < 0 ? n : HF_OK;
}

static int parse_record(struct parse_state *st, struct hf_rr *rr, enum hf_section s, size_t index)
{
	const struct hf_pkt *pkt = st->pkt;
	size_t start = st->pos;
	int n = hf_name_skip(pkt->wire, pkt->len, &st->pos);
	if (n < 0)
		return name_error_at_start(n, start, pkt->len);
	if (pkt->len - st->pos < 10)
		return HF_ETRUNC;
	const uint8_t *p = pkt->wire + st->pos;
	rr->owner = (uint16_t)start;
	rr->type = hf_get16(p);
	rr->rclass = hf_get16(p + 2);
	rr->ttl = hf_get32(p + 4);
	rr->rdlen = hf_get16(p + 8);
	st->pos += 10;
	if (pkt->len - st->pos < rr->rdlen)
		return HF_ERDLEN;
	rr->rdata = (uint16_t)st->pos;
	st->pos += rr->rdlen;
	if (rr->type == HF_TYPE_OPT)
		return check_opt(st, rr, s, index);
	return check_rdata(pkt, rr);
}

static int parse_sections(struct parse_state *st)
{
	struct hf_pkt *pkt = st->pkt;
	size_t index = 0;
	for (int s = HF_SECTION_QUESTION; s <= HF_SECTION_ADDITIONAL; s++) {
		pkt->sect[s] = index;
		for (unsigned i = 0; i < pkt->count[s]; i++, index++) {
			int err =
			    s == HF_SECTION_QUESTION
			        ? parse_question(st, &pkt->rr[index])
			        : parse_record(st, &pkt->rr[index], (enum hf_section)s, index);
			if (err != HF_OK)
				return err;
		}
	}
	pkt->nrr = index;
	if (st->pos != pkt->len)
		return HF_ETRAILING;
	return st->edns_version_error;
}

int hf_pkt_parse(struct hf_pkt *pkt, const uint8_t *wire, size_t len, const struct hf_mm *mm)
{
	memset(pkt, 0, offsetof(struct hf_pkt, inline_rr));
	pkt->wire = wire;
	pkt->len = len;
	pkt->mm = mm;
	pkt->rr = pkt->inline_rr;
	if (len > HF_MSG_MAX)
		return HF_ETOOBIG;
	if (len < HF_HEADER_LEN)
		return HF_EHDR;

	pkt->id = hf_get16(wire);
	pkt->flags = hf_get16(wire + 2);
	size_t total = 0, min_len = HF_HEADER_LEN;
	for (int s = 0; s < 4; s++) {
		pkt->count[s] = hf_get16(wire + 4 + 2 * s);
		total += pkt->count[s];
		min_len += (size_t)pkt->count[s] * (s == 0 ? MIN_QUESTION_LEN : MIN_RECORD_LEN);
	}
	/* Cheap early refusal; also bounds the view array by the message size. */
	if (min_len > len)
		return HF_ECOUNT;
	if (total > HF_PKT_INLINE_RRS) {
		pkt->rr = hf_mm_alloc(mm, total * sizeof(struct hf_rr));
		if (pkt->rr == NULL)
			return HF_ENOMEM;
	}

	struct parse_state st = {.pkt = pkt, .pos = HF_HEADER_LEN};
	int err = parse_sections(&st);
	if (err != HF_OK && err != HF_EBADVERS)
		hf_pkt_clear(pkt);
	return err;
}

void hf_pkt_clear(struct hf_pkt *pkt)
{
	if (pkt->rr != NULL && pkt->rr != pkt->inline_rr)
		hf_mm_free(pkt->mm, pkt->rr);
	pkt->rr = pkt->inline_rr;
	pkt->nrr = 0;
}

uint16_t hf_pkt_rcode(const struct hf_pkt *pkt)
{
	uint16_t rcode = HF_RCODE(pkt->flags);
	if (pkt->has_edns)
		rcode |= (uint16_t)(pkt->edns.ext_rcode << 4);
	return rcode;
}

int hf_pkt_owner(const struct hf_pkt *pkt, const struct hf_rr *rr, uint8_t out[HF_NAME_MAX])
{
	size_t pos = rr->owner;
	return hf_name_unpack(pkt->wire, pkt->len, &pos, out);
}

int hf_pkt_rdata(const struct hf_pkt *pkt, const struct hf_rr *rr, uint8_t *out, size_t cap)
{
	/* OPT's class field is a payload size, not a class. */
	uint16_t layout =
	    rr->type == HF_TYPE_OPT ? HF_TYPE_OPT : hf_rdata_layout(rr->type, rr->rclass);
	return hf_rdata_unpack(pkt->wire, pkt->len, rr->rdata, rr->rdlen, layout, out, cap);
}

bool hf_pkt_answers(const struct hf_pkt *reply, const uint8_t *query, size_t query_len)
{
	if (query_len < HF_HEADER_LEN || reply->id != hf_get16(query) ||
	    !(reply->flags & HF_FLAG_QR) || HF_OPCODE(reply->flags) != HF_OPCODE_QUERY ||
	    reply->count[HF_SECTION_QUESTION] != 1)
		return false;
	int qlen = hf_name_check(query + HF_HEADER_LEN, query_len - HF_HEADER_LEN);
	if (qlen < 0 || query_len - HF_HEADER_LEN - (size_t)qlen < 4)
		return false;
	const uint8_t *qtail = query + HF_HEADER_LEN + qlen;
	const struct hf_rr *q = hf_pkt_section_rr(reply, HF_SECTION_QUESTION, 0);
	uint8_t name[HF_NAME_MAX];
	return hf_pkt_owner(reply, q, name) == qlen &&
	       memcmp(name, query + HF_HEADER_LEN, (size_t)qlen) == 0 &&
	       q->type == hf_get16(qtail) && q->rclass == hf_get16(qtail + 2);
}

const char *hf_opcode_name(unsigned opcode)
{
	static const char *const names[] = {
	    [HF_OPCODE_QUERY] = "QUERY",   [HF_OPCODE_IQUERY] = "IQUERY",
	    [HF_OPCODE_STATUS] = "STATUS", [HF_OPCODE_NOTIFY] = "NOTIFY",
	    [HF_OPCODE_UPDATE] = "UPDATE", [HF_OPCODE_DSO] = "DSO",
	};
	return opcode < sizeof(names) / sizeof(names[0]) ? names[opcode] : NULL;
}

const char *hf_rcode_name(unsigned rcode)
{
	static const char *const names[] = {
	    [HF_RCODE_NOERROR] = "NOERROR",     [HF_RCODE_FORMERR] = "FORMERR",
	    [HF_RCODE_SERVFAIL] = "SERVFAIL",   [HF_RCODE_NXDOMAIN] = "NXDOMAIN",
	    [HF_RCODE_NOTIMP] = "NOTIMP",       [HF_RCODE_REFUSED] = "REFUSED",
	    [HF_RCODE_YXDOMAIN] = "YXDOMAIN",   [HF_RCODE_YXRRSET] = "YXRRSET",
	    [HF_RCODE_NXRRSET] = "NXRRSET",     [HF_RCODE_NOTAUTH] = "NOTAUTH",
	    [HF_RCODE_NOTZONE] = "NOTZONE",     [HF_RCODE_BADVERS] = "BADVERS",
	    [HF_RCODE_BADCOOKIE] = "BADCOOKIE",
	};
	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}

const char *hf_section_name(enum hf_section s)
{
	static const char *const names[] = {"QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL"};
	return (unsigned)s < 4 ? names[s] : NULL;
}
