/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The iterator's side of DNSSEC: what the cache knows of each zone's keys
 * (the chain of trust, fetched on demand as DS and DNSKEY tasks), validating
 * replies before they are filed, and answering from the validated NSEC chain
 * (RFC 8198). See iterator.h for the rules.
 */
#include <string.h>

#include "iterator/impl.h"
#include "util/alloc.h"
#include "validator/anchors.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/rrtype.h"

/* --- the chain of trust ------------------------------------------------------------- */

bool it_validating(const struct hf_iter *it)
{
	return it->env.anchors != NULL && it->env.anchors->n > 0;
}

/* The deepest trust anchor at or above zone; NULL when zone is insecure by configuration. */
static const uint8_t *trust_point(const struct hf_iter *it, const uint8_t *zone)
{
	if (!it_validating(it))
		return NULL;
	const struct hf_config *cfg = it->env.cfg;
	for (size_t i = 0; i < cfg->nnegative_trust_anchors; i++) {
		if (hf_name_in_zone(zone, cfg->negative_trust_anchors[i]))
			return NULL;
	}
	const uint8_t *best = NULL;
	for (size_t i = 0; i < it->env.anchors->n; i++) {
		const uint8_t *a = it->env.anchors->anchors[i].owner;
		if (hf_name_in_zone(zone, a) &&
		    (best == NULL || hf_name_labels(a) > hf_name_labels(best)))
			best = a;
	}
	return best;
}

/* The chain of trust needs (name, type): fetch it, unless that was tried and failed. */
static void need(struct hf_iter *it, const uint8_t *name, uint16_t type, struct hf_val_result *res)
{
	const struct it_fetch *f = it_find_fetch(it, name, type);
	memcpy(res->need, name, hf_name_len(name));
	res->need_type = type;
	if (f != NULL) {
		res->verdict = HF_VAL_BOGUS;
		res->ede = f->ede != 0 ? f->ede : type == HF_TYPE_DNSKEY ? 9 : 6;
		res->why = f->why != NULL           ? f->why
		           : type == HF_TYPE_DNSKEY ? "zone keys could not be validated"
		                                    : "DS records could not be validated";
		return;
	}
	res->verdict = HF_VAL_NEED;
}

/* Unless a secure denial showed no NS at name, a DS denial there means a delegation. */
static bool proven_cut(struct hf_iter *it, const uint8_t *name)
{
	enum hf_sec sec;
	return hf_cache_probe(it->env.cache, name, HF_TYPE_NS, it->qclass, it->env.now_wall,
	                      &sec) != HF_PROBE_NEGATIVE ||
	       sec != HF_SEC_SECURE;
}

static void add_key(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	(void)hf_val_keys_add(ctx, rdata, rdlen);
}

/* What the cache knows of zone's keys: validator.h's zone_status for the iterator. */
static void zone_status(void *ctx, const uint8_t *zone, struct hf_val_keys *keys,
                        struct hf_val_result *res)
{
	struct hf_iter *it = ctx;
	res->verdict = HF_VAL_INSECURE;
	const uint8_t *anchor = trust_point(it, zone);
	if (anchor == NULL)
		return;
	struct hf_cache *c = it->env.cache;
	int64_t now = it->env.now_wall;
	enum hf_sec sec = HF_SEC_INSECURE;
	enum hf_cache_probe pr = hf_cache_probe(c, zone, HF_TYPE_DNSKEY, it->qclass, now, &sec);
	if (pr != HF_PROBE_NONE && sec == HF_SEC_INSECURE)
		return;
	if (pr == HF_PROBE_POSITIVE) {
		keys->n = 0;
		keys->used = 0;
		memcpy(keys->zone, zone, hf_name_len(zone));
		hf_cache_get_rrset(c, zone, HF_TYPE_DNSKEY, it->qclass, now, add_key, keys);
		res->verdict = HF_VAL_SECURE;
		return;
	}
	if (!hf_name_eq(zone, anchor)) {
		pr = hf_cache_probe(c, zone, HF_TYPE_DS, it->qclass, now, &sec);
		if (pr == HF_PROBE_NONE) {
			need(it, zone, HF_TYPE_DS, res);
			return;
		}
		/* A signer proven not to exist, or not to be a zone cut, is no zone:
		 * whatever it signed is forged. */
		if (sec == HF_SEC_SECURE && (pr == HF_PROBE_NXDOMAIN || !proven_cut(it, zone))) {
			res->verdict = HF_VAL_BOGUS;
			res->ede = 6;
			res->why = "signer name is not a zone";
			return;
		}
		/* No DS (proven at a delegation, or in an insecure parent): insecure. The
		 * NODATA proof checked that the parent delegates there (NS bit). */
		if (pr != HF_PROBE_POSITIVE || sec == HF_SEC_INSECURE)
			return;
	}
	need(it, zone, HF_TYPE_DNSKEY, res);
}

struct trust_buf {
	const uint8_t *rdata[HF_VAL_MAX_KEYS];
	uint16_t rdlen[HF_VAL_MAX_KEYS];
	size_t n, used;
	uint8_t buf[4096];
};

static void add_trust(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	struct trust_buf *tb = ctx;
	if (tb->n == HF_VAL_MAX_KEYS || tb->used + rdlen > sizeof(tb->buf))
		return;
	memcpy(tb->buf + tb->used, rdata, rdlen);
	tb->rdata[tb->n] = tb->buf + tb->used;
	tb->rdlen[tb->n++] = rdlen;
	tb->used += rdlen;
}

/* The anchors for exactly zone: its DS records if any, else its DNSKEYs. */
static uint16_t anchors_at(const struct hf_iter *it, const uint8_t *zone, struct trust_buf *tb)
{
	const struct hf_anchors *a = it->env.anchors;
	for (int pass = 0; pass < 2 && tb->n == 0; pass++) {
		uint16_t type = pass == 0 ? HF_TYPE_DS : HF_TYPE_DNSKEY;
		for (size_t i = 0; i < a->n && tb->n < HF_VAL_MAX_KEYS; i++) {
			if (a->anchors[i].type == type && hf_name_eq(a->anchors[i].owner, zone)) {
				tb->rdata[tb->n] = a->anchors[i].rdata;
				tb->rdlen[tb->n++] = a->anchors[i].rdlen;
			}
		}
		if (tb->n != 0)
			return type;
	}
	return HF_TYPE_DS;
}

/* A DNSKEY RRset fetched for the chain of trust: vouched for by the anchors or the DS. */
static void validate_keys(struct hf_iter *it, const struct hf_val *v, const struct hf_pkt *p,
                          const uint8_t *zone, struct hf_val_result *res)
{
	const uint8_t *anchor = trust_point(it, zone);
	if (anchor == NULL) {
		res->verdict = HF_VAL_INSECURE;
		return;
	}
	struct trust_buf *tb = hf_calloc(1, sizeof(*tb));
	if (tb == NULL) {
		*res = (struct hf_val_result){.verdict = HF_VAL_BOGUS, .why = "out of memory"};
		return;
	}
	struct hf_val_trust trust = {.type = HF_TYPE_DS};
	if (hf_name_eq(anchor, zone)) {
		trust.type = anchors_at(it, zone, tb);
	} else {
		enum hf_sec sec = HF_SEC_INSECURE;
		enum hf_cache_probe pr = hf_cache_probe(it->env.cache, zone, HF_TYPE_DS, it->qclass,
		                                        it->env.now_wall, &sec);
		if (pr == HF_PROBE_NONE)
			need(it, zone, HF_TYPE_DS, res);
		else if (sec == HF_SEC_SECURE && (pr == HF_PROBE_NXDOMAIN || !proven_cut(it, zone)))
			*res = (struct hf_val_result){
			    .verdict = HF_VAL_BOGUS, .ede = 6, .why = "name is not a zone"};
		else if (pr != HF_PROBE_POSITIVE || sec == HF_SEC_INSECURE)
			res->verdict = HF_VAL_INSECURE;
		else
			hf_cache_get_rrset(it->env.cache, zone, HF_TYPE_DS, it->qclass,
			                   it->env.now_wall, add_trust, tb);
		if (pr != HF_PROBE_POSITIVE || sec != HF_SEC_SECURE) {
			hf_free(tb);
			return;
		}
	}
	trust.n = tb->n;
	trust.rdata = tb->rdata;
	trust.rdlen = tb->rdlen;
	hf_val_dnskey(v, p, zone, &trust, &it->keys, res);
	hf_free(tb);
}

/* Sets the reply aside and starts fetching what the chain of trust lacks. */
static int fetch(struct hf_iter *it, struct it_task *t, const uint8_t *wire, size_t len,
                 const struct hf_val_result *res)
{
	if (it_in_stack(it, res->need, res->need_type) || it->nfetch == IT_MAX_FETCHES)
		return it_task_failed(it, 6, "the chain of trust cannot be followed");
	uint8_t *copy = hf_malloc(len);
	if (copy == NULL)
		return it_task_failed(it, 0, "out of memory");
	memcpy(copy, wire, len);
	hf_free(t->pending);
	t->pending = copy;
	t->pending_len = len;
	struct it_fetch *f = &it->fetch[it->nfetch++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, res->need, hf_name_len(res->need));
	f->type = res->need_type;
	struct it_task *sub = it_push(it, res->need, res->need_type);
	if (sub == NULL)
		return it_task_failed(it, 6, "the chain of trust is too long to follow");
	sub->key_fetch = true;
	return HF_REQ_NEXT;
}

/*
 * A reply that failed validation. Its data is never filed. When the reply
 * itself is at fault, the zone's other servers get their chance; when the
 * keys are, none of them can help.
 */
static int bogus(struct hf_iter *it, struct it_task *t, const uint8_t *wire, size_t len,
                 const struct hf_val_result *res)
{
	if (it->cd && it->ntask == 1) {
		it_answer_from_reply(it, wire, len); /* the client validates itself */
		return it->reply != NULL ? HF_REQ_DONE : it_fail(it, 0, "out of memory");
	}
	if (res->need_type != 0 || t->cur < 0) /* the chain of trust broke, not this reply */
		return it_task_failed(it, res->ede, res->why);
	t->bogus = true;
	t->bogus_ede = res->ede;
	t->bogus_why = res->why;
	t->addr[t->cur].tried = true;
	return HF_REQ_NEXT;
}

/*
 * Validates a reply about to be filed. IT_GO_ON with its security (and how
 * long it may be cached), or the state to return: fetching keys, trying
 * another server, failing.
 */
int it_validate(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p, const uint8_t *wire,
                size_t len, enum hf_sec *sec, uint32_t *ttl_cap, bool *not_cut)
{
	*sec = HF_SEC_INSECURE;
	*ttl_cap = UINT32_MAX;
	*not_cut = false;
	if (!it_validating(it) || t->prime)
		return IT_GO_ON;
	struct hf_val v = {.lim = &it->lim,
	                   .work = &it->work,
	                   .now = it->env.now_wall,
	                   .zone_status = zone_status,
	                   .ctx = it};
	struct hf_val_result res;
	memset(&res, 0, sizeof(res));
	/* A zone's own DNSKEY RRset is vouched for from above (DS or anchor), not by itself. */
	if (t->qtype == HF_TYPE_DNSKEY && (t->key_fetch || hf_name_eq(t->qname, t->zone)))
		validate_keys(it, &v, p, t->qname, &res);
	else
		hf_val_reply(&v, p, t->zone, t->qname, t->qtype, &res);
	switch (res.verdict) {
	case HF_VAL_SECURE:
		*sec = HF_SEC_SECURE;
		*ttl_cap = res.ttl_cap;
		*not_cut = res.not_cut;
		return IT_GO_ON;
	case HF_VAL_INSECURE:
		return IT_GO_ON;
	case HF_VAL_NEED:
		return fetch(it, t, wire, len, &res);
	case HF_VAL_BOGUS:
	default:
		return bogus(it, t, wire, len, &res);
	}
}

/* --- aggressive use of the validated NSEC chain (RFC 8198) ---------------------------- */

/* The NSEC that may deny the wildcard at the closest encloser the first NSEC implies. */
static bool wildcard_nsec(struct hf_nsec_index *x, const uint8_t *zone, const uint8_t *qname,
                          const struct hf_signed_rec *cover, int64_t now, struct hf_signed_rec *out)
{
	if (hf_name_check(cover->rdata, cover->rdlen) < 0)
		return false;
	unsigned ce = hf_name_common_labels(qname, cover->owner);
	unsigned ce_next = hf_name_common_labels(qname, cover->rdata);
	if (ce_next > ce)
		ce = ce_next;
	uint8_t wild[HF_NAME_MAX];
	if (!hf_name_wildcard(hf_name_suffix(qname, ce), wild))
		return false;
	return hf_nsec_index_find(x, zone, wild, now, out) && !hf_name_eq(out->owner, cover->owner);
}

static int put_signed(struct hf_build *b, const struct hf_signed_rec *r, uint16_t type,
                      uint32_t ttl)
{
	int rc = hf_build_rr(b, HF_SECTION_AUTHORITY, r->owner, type, HF_CLASS_IN, ttl, r->rdata,
	                     r->rdlen);
	if (rc == HF_OK)
		rc = hf_build_rr(b, HF_SECTION_AUTHORITY, r->owner, HF_TYPE_RRSIG, HF_CLASS_IN, ttl,
		                 r->sig, r->siglen);
	return rc;
}

/* Files the negative answer the NSEC records r[1..n] and the SOA r[0] prove, secure. */
static bool file_synthesised(struct hf_iter *it, const struct hf_signed_rec *r, size_t n,
                             uint16_t rcode)
{
	uint32_t ttl = r[0].ttl;
	if (r[0].rdlen >= 20 && hf_get32(r[0].rdata + r[0].rdlen - 4) < ttl)
		ttl = hf_get32(r[0].rdata + r[0].rdlen -
		               4); /* RFC 8198 §5.4: SOA MINIMUM bounds it */
	for (size_t i = 1; i <= n; i++)
		ttl = r[i].ttl < ttl ? r[i].ttl : ttl;
	uint8_t *buf = hf_malloc(HF_MSG_MAX);
	if (buf == NULL)
		return false;
	struct hf_build b;
	hf_build_init(&b, buf, HF_MSG_MAX);
	int rc = hf_build_header(&b, 0, (uint16_t)(HF_FLAG_QR | HF_FLAG_RA | rcode));
	if (rc == HF_OK)
		rc = hf_build_question(&b, it->qname, it->qtype, it->qclass);
	if (rc == HF_OK)
		rc = put_signed(&b, &r[0], HF_TYPE_SOA, ttl);
	for (size_t i = 1; rc == HF_OK && i <= n; i++)
		rc = put_signed(&b, &r[i], HF_TYPE_NSEC, ttl);
	size_t len = hf_build_finish(&b);
	struct hf_pkt p;
	bool filed = rc == HF_OK && hf_pkt_parse(&p, buf, len, NULL) == HF_OK;
	if (filed) {
		filed = hf_cache_store_response(it->env.cache, &p, it->qname, it->qtype, it->qclass,
		                                it->env.now_wall, HF_SEC_SECURE, ttl) == HF_OK;
		hf_pkt_clear(&p);
	}
	hf_free(buf);
	return filed;
}

/*
 * RFC 8198: NSEC records already validated may prove the name or type
 * absent without asking anyone. Files that secure negative answer and
 * answers from it; false when the cached chain proves nothing.
 */
bool it_aggressive_answer(struct hf_iter *it)
{
	struct hf_nsec_index *x = hf_cache_nsec_index(it->env.cache);
	int64_t now = it->env.now_wall;
	uint8_t zone[HF_NAME_MAX];
	if (!it_validating(it) || !hf_nsec_index_zone(x, it->qname, zone) ||
	    trust_point(it, zone) == NULL)
		return false;
	struct hf_signed_rec *r = hf_calloc(3, sizeof(*r)); /* SOA, NSEC, wildcard NSEC */
	if (r == NULL)
		return false;
	bool done = false;
	if (!hf_nsec_index_soa(x, zone, now, &r[0]) ||
	    !hf_nsec_index_find(x, zone, it->qname, now, &r[1]))
		goto out;
	size_t n = 1;
	if (!hf_name_eq(r[1].owner, it->qname) &&
	    wildcard_nsec(x, zone, it->qname, &r[1], now, &r[2]))
		n = 2;
	struct hf_denial_rr d[2];
	for (size_t i = 0; i < n; i++)
		d[i] = (struct hf_denial_rr){r[i + 1].owner, r[i + 1].rdata, r[i + 1].rdlen};
	struct hf_nsec3_budget none = {0};
	uint16_t rcode = HF_RCODE_NXDOMAIN;
	if (hf_denial_check(HF_DENY_NXDOMAIN, zone, it->qname, it->qtype, NULL, d, n, NULL, 0,
	                    &none, NULL) != HF_OK) {
		rcode = HF_RCODE_NOERROR;
		if (hf_denial_check(HF_DENY_NODATA, zone, it->qname, it->qtype, NULL, d, n, NULL, 0,
		                    &none, NULL) != HF_OK)
			goto out;
	}
	done = file_synthesised(it, r, n, rcode) && it_answer_from_cache(it);
out:
	hf_free(r);
	return done;
}
