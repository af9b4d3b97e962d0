/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: DNSSEC validation of a hostile reply. The input is a DNS
 * message; its question is the question validated, its DNSKEY records (any
 * section) are the zone's keys, its DS records what vouches for them. The
 * low bits of the message ID choose what the chain of trust says about the
 * zone (secure with those keys, insecure, bogus, or keys still needed), so
 * every path of validator.c and nsec.c sees attacker-made records. Nothing
 * may crash, leak or run unbounded.
 */
#include <string.h>

#include "validator/validator.h"
#include "wire/buf.h"
#include "wire/rrtype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const struct hf_pkt *p;
	unsigned mode;
	uint8_t rdata[4096];
};

/* Adds every record of type from the message, uncompressed, through add(). */
static void each_of_type(struct fz *f, uint16_t type,
                         void (*add)(void *, const uint8_t *, uint16_t), void *ctx)
{
	for (size_t i = f->p->sect[HF_SECTION_ANSWER]; i < f->p->nrr; i++) {
		const struct hf_rr *rr = &f->p->rr[i];
		if (rr->type != type)
			continue;
		int n = hf_pkt_rdata(f->p, rr, f->rdata, sizeof(f->rdata));
		if (n >= 0)
			add(ctx, f->rdata, (uint16_t)n);
	}
}

static void add_key(void *ctx, const uint8_t *rdata, uint16_t len)
{
	(void)hf_val_keys_add(ctx, rdata, len);
}

static void zone_status(void *ctx, const uint8_t *zone, struct hf_val_keys *keys,
                        struct hf_val_result *res)
{
	struct fz *f = ctx;
	memset(res, 0, sizeof(*res));
	switch (f->mode) {
	case 0:
		res->verdict = HF_VAL_SECURE;
		keys->n = 0;
		keys->used = 0;
		memcpy(keys->zone, zone, hf_name_len(zone));
		each_of_type(f, HF_TYPE_DNSKEY, add_key, keys);
		break;
	case 1:
		res->verdict = HF_VAL_INSECURE;
		break;
	case 2:
		res->verdict = HF_VAL_BOGUS;
		res->ede = 6;
		break;
	default:
		res->verdict = HF_VAL_NEED;
		memcpy(res->need, zone, hf_name_len(zone));
		res->need_type = HF_TYPE_DNSKEY;
		break;
	}
}

struct trust {
	const uint8_t *rdata[16];
	uint16_t rdlen[16];
	size_t n, used;
	uint8_t buf[4096];
};

static void add_trust(void *ctx, const uint8_t *rdata, uint16_t len)
{
	struct trust *t = ctx;
	if (t->n == 16 || t->used + len > sizeof(t->buf))
		return;
	memcpy(t->buf + t->used, rdata, len);
	t->rdata[t->n] = t->buf + t->used;
	t->rdlen[t->n++] = len;
	t->used += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_pkt p;
	if (!hf_pkt_parse_valid(&p, data, size))
		return 0;
	uint8_t qname[HF_NAME_MAX];
	const struct hf_rr *q = hf_pkt_section_rr(&p, HF_SECTION_QUESTION, 0);
	if (q == NULL || hf_pkt_owner(&p, q, qname) < 0) {
		hf_pkt_clear(&p);
		return 0;
	}
	static struct fz f;
	static struct hf_val_keys keys;
	static struct trust trust;
	f.p = &p;
	f.mode = p.id & 3;
	const struct hf_val_limits lim = {.max_sig_checks = 16,
	                                  .max_key_tries = 4,
	                                  .max_sigs = 8,
	                                  .max_nsec3_hashes = 16,
	                                  .max_nsec3_iterations = 150,
	                                  .skew = 300,
	                                  .allow_sha1 = true};
	struct hf_val_work work = {.nsec3 = {.max_hashes = 16, .max_iterations = 150}};
	struct hf_val v = {
	    .lim = &lim, .work = &work, .now = 1700000000, .zone_status = zone_status, .ctx = &f};
	struct hf_val_result res;
	/* The zone asked: the question's parent, or the root for a one-label name. */
	const uint8_t *zone =
	    hf_name_suffix(qname, hf_name_labels(qname) ? hf_name_labels(qname) - 1 : 0);
	hf_val_reply(&v, &p, zone, qname, q->type, &res);
	trust.n = trust.used = 0;
	each_of_type(&f, (p.id & 4) ? HF_TYPE_DNSKEY : HF_TYPE_DS, add_trust, &trust);
	struct hf_val_trust tr = {.type = (p.id & 4) ? HF_TYPE_DNSKEY : HF_TYPE_DS,
	                          .n = trust.n,
	                          .rdata = trust.rdata,
	                          .rdlen = trust.rdlen};
	hf_val_dnskey(&v, &p, qname, &tr, &keys, &res);
	hf_pkt_clear(&p);
	return 0;
}
