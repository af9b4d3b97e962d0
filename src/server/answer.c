/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Query checks and the answers that need no upstream. See answer.h.
 *
 * Order of the checks, and why: a message that is a response (QR set) or too
 * short to carry an ID gets nothing, so holdfast never answers answers; a
 * message that does not parse gets FORMERR without a question (its question
 * cannot be trusted); then access control, so strangers learn nothing but
 * REFUSED; then EDNS version, opcode, class and type; then the caches.
 */
#include "server/answer.h"

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "server/localzones.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

#define ANY_HINFO_TTL 3600 /* RFC 8482 §4.2 leaves it to us; long, since it never changes */

#define PCACHE_EDNS 0x4 /* beyond HF_PCACHE_DO and HF_PCACHE_CD */
#define PCACHE_RD   0x8
#define PCACHE_AD   0x10 /* the client asked with AD: it gets AD on secure answers */

static uint16_t response_flags(uint16_t query_flags, uint16_t rcode)
{
	uint16_t keep = query_flags & (0x7800 /* opcode */ | HF_FLAG_RD | HF_FLAG_CD);
	return (uint16_t)(HF_FLAG_QR | HF_FLAG_RA | keep | (rcode & 0xf));
}

/* A header-only FORMERR: the question of a message that does not parse is not repeated. */
static size_t formerr_bare(const uint8_t *msg, uint8_t *out)
{
	memset(out, 0, HF_HEADER_LEN);
	memcpy(out, msg, 2);
	hf_put16(out + 2, response_flags(hf_get16(msg + 2), HF_RCODE_FORMERR) & ~HF_FLAG_RA);
	return HF_HEADER_LEN;
}

struct edns_out {
	struct hf_build_edns e;
	struct hf_build_opt opt;
	uint8_t ede[2 + 128];
};

/* Our OPT record for an answer to q: our buffer size, DO echoed, an EDE if given. */
static void edns_for(const struct hf_answer_ctx *ctx, const struct hf_query *q, uint16_t rcode,
                     uint16_t ede, const char *ede_text, struct edns_out *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->e.udp_size = ctx->cfg->resolver.edns_buffer_size;
	eo->e.ext_rcode = (uint8_t)(rcode >> 4);
	eo->e.flags = q->dnssec_ok ? HF_EDNS_DO : 0;
	if (ede_text == NULL)
		return;
	int n = hf_edns_ede_encode(ede, ede_text, strnlen(ede_text, sizeof(eo->ede) - 2), eo->ede,
	                           sizeof(eo->ede));
	if (n < 0)
		return;
	eo->opt = (struct hf_build_opt){.code = HF_EDNS_EDE, .len = (uint16_t)n, .data = eo->ede};
	eo->e.opts = &eo->opt;
	eo->e.nopts = 1;
}

/* Header, question and reserved room for OPT; the caller adds records and finishes. */
static void start_answer(const struct hf_answer_ctx *ctx, struct hf_build *b, uint8_t *out,
                         const struct hf_query *q, uint16_t rcode, struct edns_out *eo,
                         uint16_t ede, const char *ede_text)
{
	hf_build_init(b, out, q->max_size);
	if (hf_build_header(b, q->id, response_flags(q->flags, rcode)) != HF_OK)
		return;
	if (q->qname_len != 0 && hf_build_question(b, q->qname, q->qtype, q->qclass) != HF_OK)
		return;
	if (q->edns) {
		edns_for(ctx, q, rcode, ede, ede_text, eo);
		if (hf_build_reserve(b, hf_build_edns_size(&eo->e)) != HF_OK)
			eo->e.nopts = 0; /* drop the EDE rather than the OPT */
	}
}

static size_t finish_answer(struct hf_build *b, const struct hf_query *q, struct edns_out *eo)
{
	if (q->edns && hf_build_edns(b, &eo->e) != HF_OK)
		return 0;
	return hf_build_finish(b);
}

static size_t simple_answer(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                            uint16_t rcode, uint16_t ede, const char *ede_text, uint8_t *out)
{
	struct hf_build b;
	struct edns_out eo;
	start_answer(ctx, &b, out, q, rcode, &eo, ede, ede_text);
	return finish_answer(&b, q, &eo);
}

size_t hf_answer_servfail(const struct hf_answer_ctx *ctx, const struct hf_query *q, uint16_t ede,
                          const char *ede_text, uint8_t *out)
{
	return simple_answer(ctx, q, HF_RCODE_SERVFAIL, ede, ede_text, out);
}

/* --- policy (src/policy) ------------------------------------------------------------ */

#define EDE_BLOCKED  15 /* RFC 8914: block lists */
#define EDE_FILTERED 17 /* RFC 8914: response policy zones */

/* Which EDE a rule's answers carry (local data: none; it is the operator's own truth). */
static uint16_t policy_ede(const struct hf_policy_rule *r, char *text, size_t cap)
{
	switch (hf_policy_rule_kind(r)) {
	case HF_POLICY_RPZ:
		snprintf(text, cap, "filtered by response policy zone %s",
		         hf_policy_rule_source(r));
		return EDE_FILTERED;
	case HF_POLICY_BLOCKLIST:
		snprintf(text, cap, "blocked by list %s", hf_policy_rule_source(r));
		return EDE_BLOCKED;
	default:
		return 0;
	}
}

/* The rule's records of the question's type (or its CNAME), owned by the question's name. */
static size_t local_answer(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                           const struct hf_policy_rule *r, uint16_t ede, const char *text,
                           uint8_t *out)
{
	struct hf_build b;
	struct edns_out eo;
	const struct hf_policy_rr *rrs;
	size_t n = hf_policy_rule_rrs(r, &rrs), added = 0;
	start_answer(ctx, &b, out, q, HF_RCODE_NOERROR, &eo, ede, ede ? text : NULL);
	for (int pass = 0; pass < 2 && added == 0; pass++) {
		uint16_t want = pass == 0 ? q->qtype : HF_TYPE_CNAME;
		for (size_t i = 0; i < n; i++) {
			if (rrs[i].type != want)
				continue;
			if (hf_build_rr(&b, HF_SECTION_ANSWER, q->qname, want, HF_CLASS_IN,
			                rrs[i].ttl, rrs[i].rdata, rrs[i].rdlen) == HF_OK)
				added++;
		}
	}
	bool aa = hf_policy_rule_kind(r) == HF_POLICY_LOCAL_DATA;
	hf_build_set_flags(&b, response_flags(q->flags, HF_RCODE_NOERROR) | (aa ? HF_FLAG_AA : 0));
	return finish_answer(&b, q, &eo);
}

/* UDP gets an empty truncated answer, so the client asks again over TCP. */
static size_t tcp_only_answer(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                              uint16_t ede, const char *text, uint8_t *out)
{
	struct hf_build b;
	struct edns_out eo;
	start_answer(ctx, &b, out, q, HF_RCODE_NOERROR, &eo, ede, text);
	hf_build_set_flags(&b, response_flags(q->flags, HF_RCODE_NOERROR) | HF_FLAG_TC);
	return finish_answer(&b, q, &eo);
}

/* What rule r answers to q: HF_VERDICT_ANSWER with *len, or HF_VERDICT_DROP. */
static enum hf_verdict policy_answer(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                                     struct hf_policy_rule *r, uint8_t *out, size_t *len)
{
	char text[160];
	uint16_t ede = policy_ede(r, text, sizeof(text));
	const char *t = ede ? text : NULL;
	hf_policy_hit(ctx->policy, r);
	switch (hf_policy_rule_action(r)) {
	case HF_POLICY_NXDOMAIN:
		*len = simple_answer(ctx, q, HF_RCODE_NXDOMAIN, ede, t, out);
		return HF_VERDICT_ANSWER;
	case HF_POLICY_DROP:
		*len = 0;
		return HF_VERDICT_DROP;
	case HF_POLICY_TCP_ONLY:
		*len = tcp_only_answer(ctx, q, ede, t, out);
		return HF_VERDICT_ANSWER;
	case HF_POLICY_LOCAL:
		*len = local_answer(ctx, q, r, ede, t, out);
		return HF_VERDICT_ANSWER;
	default: /* NODATA */
		*len = simple_answer(ctx, q, HF_RCODE_NOERROR, ede, t, out);
		return HF_VERDICT_ANSWER;
	}
}

/* PASSTHRU, or TCP-only asked over TCP: the truth, and no later rule applies. */
static bool passes(const struct hf_answer_ctx *ctx, const struct hf_policy_rule *r)
{
	enum hf_policy_action a = hf_policy_rule_action(r);
	return a == HF_POLICY_PASSTHRU || (a == HF_POLICY_TCP_ONLY && ctx->tcp);
}

/* QNAME triggers, before the caches: HF_VERDICT_RESOLVE when no rule decides. */
static enum hf_verdict qname_policy(const struct hf_answer_ctx *ctx, struct hf_query *q,
                                    uint8_t *out, size_t *out_len)
{
	struct hf_policy_rule *r = hf_policy_qname(ctx->policy, q->qname);
	if (r == NULL)
		return HF_VERDICT_RESOLVE;
	if (passes(ctx, r)) {
		q->policy_passed = true;
		return HF_VERDICT_RESOLVE;
	}
	return policy_answer(ctx, q, r, out, out_len);
}

/* The rule the answer's addresses trigger (the first address that matches decides). */
static struct hf_policy_rule *ip_rule(const struct hf_answer_ctx *ctx, const uint8_t *msg,
                                      size_t len)
{
	struct hf_pkt p;
	struct hf_policy_rule *r = NULL;
	if (hf_pkt_parse(&p, msg, len, NULL) != HF_OK)
		return NULL;
	for (size_t i = 0; r == NULL && i < hf_pkt_section_count(&p, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(&p, HF_SECTION_ANSWER, i);
		uint8_t addr[16];
		if (rr->type != HF_TYPE_A && rr->type != HF_TYPE_AAAA)
			continue;
		int n = hf_pkt_rdata(&p, rr, addr, sizeof(addr));
		if (n == 4 || n == 16)
			r = hf_policy_ip(ctx->policy, addr, (size_t)n);
	}
	hf_pkt_clear(&p);
	return r;
}

/*
 * Response-IP (and, when the iterator named them, NSDNAME) triggers on an
 * answer going out, cached or fresh: the caches keep the truth, so a policy
 * change needs no flush. Returns the length of what goes out, 0 for none.
 */
static size_t answer_policy(const struct hf_answer_ctx *ctx, const struct hf_query *q, uint8_t *out,
                            size_t len)
{
	struct hf_policy_rule *r = NULL;
	if (ctx->policy == NULL || q->policy_passed || len == 0)
		return len;
	for (unsigned i = 0; i < ctx->nns && r == NULL && hf_policy_has_nsdname(ctx->policy); i++)
		r = hf_policy_nsdname(ctx->policy, ctx->ns_names[i]);
	if (r == NULL && hf_policy_has_ip(ctx->policy))
		r = ip_rule(ctx, out, len);
	if (r == NULL || passes(ctx, r))
		return len;
	size_t n = 0;
	return policy_answer(ctx, q, r, out, &n) == HF_VERDICT_DROP ? 0 : n;
}

/* RFC 8482 §4.2: answer ANY with one synthesized HINFO instead of everything. */
static size_t any_answer(const struct hf_answer_ctx *ctx, const struct hf_query *q, uint8_t *out)
{
	static const uint8_t hinfo[] = {7, 'R', 'F', 'C', '8', '4', '8', '2', 0};
	struct hf_build b;
	struct edns_out eo;
	start_answer(ctx, &b, out, q, HF_RCODE_NOERROR, &eo, 0, NULL);
	/* If even this does not fit, the answer goes out truncated. */
	int rc = hf_build_rr(&b, HF_SECTION_ANSWER, q->qname, HF_TYPE_HINFO, q->qclass,
	                     ANY_HINFO_TTL, hinfo, sizeof(hinfo));
	(void)rc;
	return finish_answer(&b, q, &eo);
}

static uint16_t client_max_size(const struct hf_answer_ctx *ctx, const struct hf_pkt *p)
{
	if (ctx->tcp)
		return HF_MSG_MAX;
	if (!p->has_edns)
		return 512;
	uint16_t size = p->edns.udp_size;
	if (size > ctx->cfg->resolver.edns_buffer_size)
		size = ctx->cfg->resolver.edns_buffer_size;
	return size < 512 ? 512 : size;
}

/* Fills q from a parsed query with exactly one question. */
static int describe(const struct hf_answer_ctx *ctx, const struct hf_pkt *p, struct hf_query *q)
{
	const struct hf_rr *qr = hf_pkt_section_rr(p, HF_SECTION_QUESTION, 0);
	int n = hf_pkt_owner(p, qr, q->qname);
	if (n < 0)
		return n;
	q->qname_len = (size_t)n;
	/* The packet cache patches the name in place: it must sit there in one piece, which
	 * it does exactly when the message holds the unpacked octets (no pointer). */
	bool whole = p->len - qr->owner >= (size_t)n &&
	             memcmp(p->wire + qr->owner, q->qname, (size_t)n) == 0;
	q->qname_off = whole ? qr->owner : 0;
	q->qtype = qr->type;
	q->qclass = qr->rclass;
	q->edns = p->has_edns;
	q->dnssec_ok = p->has_edns && (p->edns.flags & HF_EDNS_DO);
	q->max_size = client_max_size(ctx, p);
	q->pcache_bits = (q->dnssec_ok ? HF_PCACHE_DO : 0) |
	                 (q->flags & HF_FLAG_CD ? HF_PCACHE_CD : 0) | (q->edns ? PCACHE_EDNS : 0) |
	                 (q->flags & HF_FLAG_RD ? PCACHE_RD : 0) |
	                 (q->flags & HF_FLAG_AD ? PCACHE_AD : 0);
	return HF_OK;
}

static size_t from_pcache(const struct hf_answer_ctx *ctx, const uint8_t *msg, struct hf_query *q,
                          uint8_t *out)
{
	if (q->qname_off == 0)
		return 0;
	return hf_pcache_answer(ctx->pcache, msg, q->qname_off, q->qname_len, q->qtype, q->qclass,
	                        q->pcache_bits, ctx->now, out, q->max_size,
	                        ctx->cfg->cache.prefetch ? &q->refresh : NULL);
}

/*
 * Builds an answer from the record cache into out; 0 on a miss. want is
 * HF_CACHE_HIT, or HF_CACHE_STALE to let expired data answer (then with the
 * EDE given). *got says which it was.
 */
static size_t cache_answer(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                           enum hf_cache_result want, uint16_t ede, const char *ede_text,
                           uint8_t *out, enum hf_cache_result *got)
{
	struct hf_build b;
	struct edns_out eo;
	uint16_t rcode = HF_RCODE_NOERROR;
	enum hf_sec sec;
	unsigned flags = (q->dnssec_ok ? HF_CACHE_DNSSEC : 0) |
	                 (want == HF_CACHE_STALE ? HF_CACHE_USE_STALE : 0);
	start_answer(ctx, &b, out, q, HF_RCODE_NOERROR, &eo, ede, ede_text);
	*got = hf_cache_answer(ctx->cache, q->qname, q->qtype, q->qclass, ctx->now, &b, &rcode,
	                       flags, &sec);
	if (*got == HF_CACHE_MISS)
		return 0;
	if (*got == HF_CACHE_HIT && eo.e.nopts != 0)
		eo.e.nopts = 0; /* fresh data after all: no EDE */
	/* RFC 6840 §5.7: AD only for clients that showed they understand it (DO or AD). */
	bool ad = sec == HF_SEC_SECURE && (q->dnssec_ok || (q->flags & HF_FLAG_AD));
	hf_build_set_flags(&b, response_flags(q->flags, rcode) | (ad ? HF_FLAG_AD : 0));
	return finish_answer(&b, q, &eo);
}

/* Builds an answer from the record cache; 0 on a miss. Keeps it in the packet cache. */
static size_t from_cache(const struct hf_answer_ctx *ctx, const struct hf_query *q, uint8_t *out)
{
	enum hf_cache_result got;
	size_t len = cache_answer(ctx, q, HF_CACHE_HIT, 0, NULL, out, &got);
	if (len != 0 && !(hf_get16(out + 2) & HF_FLAG_TC)) {
		/* Out of memory only costs a later hit its speed. */
		int rc = hf_pcache_store(ctx->pcache, out, len, q->pcache_bits,
		                         ctx->cfg->cache.max_ttl, ctx->now);
		(void)rc;
	}
	return len;
}

size_t hf_answer_stale(const struct hf_answer_ctx *ctx, const struct hf_query *q, const char *why,
                       uint8_t *out)
{
	char text[96];
	snprintf(text, sizeof(text), "stale answer: %s", why != NULL ? why : "resolution failed");
	enum hf_cache_result got;
	return answer_policy(ctx, q, out, cache_answer(ctx, q, HF_CACHE_STALE, 3, text, out, &got));
}

/* RFC 6761/6303 names answered here and now, authoritatively; 0 for every other name. */
static size_t from_local_zones(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                               uint8_t *out)
{
	if (!ctx->cfg->resolver.local_zones || !hf_local_zone_candidate(q->qname))
		return 0;
	struct hf_build b;
	struct edns_out eo;
	uint16_t rcode = HF_RCODE_NOERROR;
	start_answer(ctx, &b, out, q, HF_RCODE_NOERROR, &eo, 0, NULL);
	if (hf_local_zone_answer(q->qname, q->qtype, q->qclass, &b, &rcode) != 1)
		return 0;
	hf_build_set_flags(&b, response_flags(q->flags, rcode) | HF_FLAG_AA);
	return finish_answer(&b, q, &eo);
}

/* Which rcode, if any, the question alone earns. */
static int check_question(const struct hf_query *q, uint16_t opcode, uint16_t *rcode)
{
	if (opcode != HF_OPCODE_QUERY) {
		*rcode = HF_RCODE_NOTIMP;
		return 1;
	}
	if (q->qclass != HF_CLASS_IN || q->qtype == HF_TYPE_AXFR || q->qtype == HF_TYPE_IXFR) {
		*rcode = HF_RCODE_REFUSED;
		return 1;
	}
	if (q->qtype == HF_TYPE_OPT) {
		*rcode = HF_RCODE_FORMERR;
		return 1;
	}
	if (q->qtype != HF_TYPE_ANY && hf_rrtype_is_meta(q->qtype)) {
		*rcode = HF_RCODE_NOTIMP;
		return 1;
	}
	return 0;
}

enum hf_verdict hf_answer_query(const struct hf_answer_ctx *ctx, const uint8_t *msg, size_t len,
                                const struct sockaddr *client, struct hf_query *q, uint8_t *out,
                                size_t *out_len, struct hf_answer_stats *st)
{
	if (len < HF_HEADER_LEN || (hf_get16(msg + 2) & HF_FLAG_QR)) {
		hf_counter_inc(&st->dropped);
		return HF_VERDICT_DROP;
	}
	hf_counter_inc(&st->queries);
	memset(q, 0, offsetof(struct hf_query, qname));
	q->qname_len = 0;
	q->refresh = false;
	q->id = hf_get16(msg);
	q->flags = hf_get16(msg + 2);

	struct hf_pkt p;
	int rc = hf_pkt_parse(&p, msg, len, NULL);
	if ((rc != HF_OK && rc != HF_EBADVERS) || p.count[HF_SECTION_QUESTION] != 1 ||
	    describe(ctx, &p, q) != HF_OK) {
		if (rc == HF_OK || rc == HF_EBADVERS)
			hf_pkt_clear(&p);
		hf_counter_inc(&st->formerr);
		*out_len = formerr_bare(msg, out);
		return HF_VERDICT_ANSWER;
	}
	hf_pkt_clear(&p);

	uint16_t rcode;
	if (!hf_prefix_match(ctx->cfg->access.allow, ctx->cfg->access.nallow, client)) {
		hf_counter_inc(&st->refused);
		*out_len = simple_answer(ctx, q, HF_RCODE_REFUSED, 18, "access denied", out);
		return HF_VERDICT_ANSWER;
	}
	if (rc == HF_EBADVERS) {
		hf_counter_inc(&st->badvers);
		*out_len = simple_answer(ctx, q, HF_RCODE_BADVERS, 0, NULL, out);
		return HF_VERDICT_ANSWER;
	}
	if (check_question(q, HF_OPCODE(q->flags), &rcode)) {
		if (rcode == HF_RCODE_NOTIMP)
			hf_counter_inc(&st->notimp);
		else if (rcode == HF_RCODE_REFUSED)
			hf_counter_inc(&st->refused);
		else
			hf_counter_inc(&st->formerr);
		*out_len = simple_answer(ctx, q, rcode, 0, NULL, out);
		return HF_VERDICT_ANSWER;
	}
	q->asked = true;
	if (ctx->policy != NULL) {
		enum hf_verdict v = qname_policy(ctx, q, out, out_len);
		if (v != HF_VERDICT_RESOLVE) {
			hf_counter_inc(&st->policy);
			return v;
		}
	}
	if (q->qtype == HF_TYPE_ANY) {
		hf_counter_inc(&st->any);
		*out_len = any_answer(ctx, q, out);
		return HF_VERDICT_ANSWER;
	}
	*out_len = from_local_zones(ctx, q, out);
	if (*out_len != 0) {
		hf_counter_inc(&st->local);
		return HF_VERDICT_ANSWER;
	}
	*out_len = from_pcache(ctx, msg, q, out);
	if (*out_len != 0) {
		hf_counter_inc(&st->pcache_hits);
		*out_len = answer_policy(ctx, q, out, *out_len);
		return *out_len != 0 ? HF_VERDICT_ANSWER : HF_VERDICT_DROP;
	}
	*out_len = from_cache(ctx, q, out);
	if (*out_len != 0) {
		hf_counter_inc(&st->cache_hits);
		*out_len = answer_policy(ctx, q, out, *out_len);
		return *out_len != 0 ? HF_VERDICT_ANSWER : HF_VERDICT_DROP;
	}
	hf_counter_inc(&st->resolving);
	return HF_VERDICT_RESOLVE;
}

/* RFC 4035 §3.2.1: DNSSEC records go to clients that set DO, or asked for that type. */
static bool dnssec_record_unwanted(const struct hf_query *q, uint16_t type)
{
	return !q->dnssec_ok && type != q->qtype &&
	       (type == HF_TYPE_RRSIG || type == HF_TYPE_NSEC || type == HF_TYPE_NSEC3);
}

/* Copies one section of an accepted reply into b. False once the answer is truncated. */
static bool copy_section(const struct hf_query *q, const struct hf_pkt *p, enum hf_section s,
                         struct hf_build *b, uint8_t *rdata)
{
	for (size_t i = 0; i < hf_pkt_section_count(p, s); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, s, i);
		uint8_t owner[HF_NAME_MAX];
		if (rr->type == HF_TYPE_OPT || dnssec_record_unwanted(q, rr->type) ||
		    hf_pkt_owner(p, rr, owner) < 0)
			continue;
		int n = hf_pkt_rdata(p, rr, rdata, HF_RDATA_MAX);
		if (n < 0)
			continue;
		int rc = hf_build_rr(b, s, owner, rr->type, rr->rclass, rr->ttl, rdata, (size_t)n);
		if (rc == HF_ESPACE && b->tc)
			return false;
	}
	return true;
}

static size_t copy_reply(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                         const struct hf_pkt *p, uint8_t *out)
{
	static _Thread_local uint8_t rdata[HF_RDATA_MAX];
	struct hf_build b;
	struct edns_out eo;
	uint16_t rcode = hf_pkt_rcode(p);
	start_answer(ctx, &b, out, q, rcode, &eo, 0, NULL);
	if (copy_section(q, p, HF_SECTION_ANSWER, &b, rdata) &&
	    copy_section(q, p, HF_SECTION_AUTHORITY, &b, rdata))
		copy_section(q, p, HF_SECTION_ADDITIONAL, &b, rdata);
	return finish_answer(&b, q, &eo);
}

size_t hf_answer_upstream(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                          const uint8_t *reply, size_t reply_len, bool filed, uint8_t *out)
{
	struct hf_pkt p;
	if (!hf_pkt_parse_valid(&p, reply, reply_len))
		return hf_answer_servfail(ctx, q, 23, "upstream reply unusable", out);
	size_t len = 0;
	/* A forwarder's reply is not validated: it is filed as insecure. */
	if (filed || hf_cache_store_response(ctx->cache, &p, q->qname, q->qtype, q->qclass,
	                                     ctx->now, HF_SEC_INSECURE, UINT32_MAX) == HF_OK)
		len = from_cache(ctx, q, out);
	if (len == 0)
		len = copy_reply(ctx, q, &p, out);
	hf_pkt_clear(&p);
	return answer_policy(ctx, q, out, len);
}

size_t hf_answer_slip(const uint8_t *msg, size_t len, uint8_t *out)
{
	if (len < HF_HEADER_LEN || (hf_get16(msg + 2) & HF_FLAG_QR) || hf_get16(msg + 4) != 1)
		return 0;
	size_t pos = HF_HEADER_LEN;
	int n = hf_name_skip(msg, len, &pos);
	/* Uncompressed (the name's octets are all there) and a type and class after it. */
	if (n < 0 || pos - HF_HEADER_LEN != (size_t)n || len - pos < 4)
		return 0;
	size_t out_len = pos + 4;
	memcpy(out, msg, out_len);
	uint16_t flags = response_flags(hf_get16(msg + 2), HF_RCODE_NOERROR) | HF_FLAG_TC;
	hf_put16(out + 2, flags);
	memset(out + 6, 0, 6); /* no answer, authority or additional records */
	return out_len;
}
