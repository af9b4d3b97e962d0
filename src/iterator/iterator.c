/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Iteration from the root. See iterator.h for the rules. */
#include "iterator/iterator.h"

#include <arpa/inet.h>
#include <string.h>

#include "iterator/impl.h"
#include "resolve/resolve.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"
#include "util/random.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

static const uint8_t root_name[1] = {0};

/* --- the cut: zone, servers, addresses ----------------------------------------------- */

static bool family_on(const struct hf_iter *it, int family)
{
	const struct hf_config *cfg = it->env.cfg;
	return family == AF_INET ? cfg->resolver.upstream_ip4 : cfg->resolver.upstream_ip6;
}

static bool loopback_or_unspecified(const struct hf_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		uint32_t v4 = ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr);
		return (v4 >> 24) == 127 || v4 == 0;
	}
	const struct in6_addr *v6 = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(v6) || IN6_IS_ADDR_UNSPECIFIED(v6) || IN6_IS_ADDR_V4MAPPED(v6);
}

static void add_addr(struct hf_iter *it, struct it_task *t, const struct hf_addr *a)
{
	if (!family_on(it, a->ss.ss_family) || t->naddr == IT_MAX_ADDRS)
		return;
	/* A delegation to loopback is a classic trick to make a resolver attack itself. */
	if (!it->env.cfg->resolver.allow_loopback_upstreams && loopback_or_unspecified(a))
		return;
	struct hf_upstream *srv = hf_infra_get(it->env.infra, a);
	for (unsigned i = 0; i < t->naddr; i++) {
		if (t->addr[i].srv == srv)
			return;
	}
	t->addr[t->naddr++] = (struct it_addr){.srv = srv};
}

struct addr_ctx {
	struct hf_iter *it;
	struct it_task *t;
	uint16_t type;
};

static void collect_addr(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	struct addr_ctx *c = ctx;
	struct hf_addr a;
	memset(&a, 0, sizeof(a));
	if (c->type == HF_TYPE_A && rdlen == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		memcpy(&sin->sin_addr, rdata, 4);
		a.len = sizeof(*sin);
	} else if (c->type == HF_TYPE_AAAA && rdlen == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		memcpy(&sin6->sin6_addr, rdata, 16);
		a.len = sizeof(*sin6);
	} else {
		return;
	}
	add_addr(c->it, c->t, &a);
}

static void load_addrs(struct hf_iter *it, struct it_task *t)
{
	for (unsigned i = 0; i < t->nns; i++) {
		struct addr_ctx c = {.it = it, .t = t, .type = HF_TYPE_A};
		uint32_t found = hf_cache_get_rrset(it->env.cache, t->ns[i].name, HF_TYPE_A,
		                                    it->qclass, it->env.now_wall, collect_addr, &c);
		c.type = HF_TYPE_AAAA;
		found |= hf_cache_get_rrset(it->env.cache, t->ns[i].name, HF_TYPE_AAAA, it->qclass,
		                            it->env.now_wall, collect_addr, &c);
		/* A name whose addresses are known has nothing more to give when they fail. */
		if (found != 0)
			t->ns[i].looked_up = true;
	}
}

static void collect_ns(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	struct it_task *t = ctx;
	if (t->nns == IT_MAX_NS || hf_name_check(rdata, rdlen) < 0)
		return;
	memcpy(t->ns[t->nns].name, rdata, hf_name_len(rdata));
	t->ns[t->nns].looked_up = false;
	t->nns++;
}

static void set_zone(struct it_task *t, const uint8_t *zone)
{
	memcpy(t->zone, zone, hf_name_len(zone));
	t->nns = 0;
	t->naddr = 0;
	t->ns_lookups = 0;
	t->have_cut = true;
	if (t->minimise)
		t->min_labels = hf_name_labels(zone) + 1;
}

static void use_hints(struct hf_iter *it, struct it_task *t)
{
	const struct hf_roots *r = it->env.roots;
	set_zone(t, root_name);
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->servers[i].naddr; k++)
			add_addr(it, t, &r->servers[i].addr[k]);
	}
}

/* Finds the deepest zone above qname whose NS set is cached; the hints when none is. */
static bool load_cut(struct hf_iter *it, struct it_task *t)
{
	unsigned labels = hf_name_labels(t->qname);
	/* DS lives on the parent's side of the cut (RFC 4035 §4.2). */
	if (t->qtype == HF_TYPE_DS && labels > 0)
		labels--;
	for (unsigned l = labels + 1; l-- > 0;) {
		const uint8_t *anc = hf_name_suffix(t->qname, l);
		struct it_task probe;
		probe.nns = 0;
		if (hf_cache_get_rrset(it->env.cache, anc, HF_TYPE_NS, it->qclass, it->env.now_wall,
		                       collect_ns, &probe) == 0 ||
		    probe.nns == 0)
			continue;
		set_zone(t, anc);
		memcpy(t->ns, probe.ns, sizeof(probe.ns[0]) * probe.nns);
		t->nns = probe.nns;
		load_addrs(it, t);
		if (l == 0 && t->naddr == 0) {
			/* A priming answer without addresses: the hints still know some. */
			const struct hf_roots *r = it->env.roots;
			for (size_t i = 0; i < r->n; i++) {
				for (size_t k = 0; k < r->servers[i].naddr; k++)
					add_addr(it, t, &r->servers[i].addr[k]);
			}
		}
		return l == 0; /* the root's NS set: already primed */
	}
	use_hints(it, t);
	return false;
}

struct cname_ctx {
	uint8_t target[HF_NAME_MAX];
	bool found;
};

static void collect_cname(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	struct cname_ctx *c = ctx;
	if (!c->found && hf_name_check(rdata, rdlen) > 0) {
		memcpy(c->target, rdata, hf_name_len(rdata));
		c->found = true;
	}
}

/*
 * RFC 1034 §5.3.3: CNAMEs already cached are followed locally, so the task
 * starts from the end of the known chain. False when that makes the chain
 * longer than allowed.
 */
static bool follow_cached_cnames(struct hf_iter *it, struct it_task *t)
{
	if (t->qtype == HF_TYPE_CNAME)
		return true;
	for (;;) {
		struct cname_ctx c = {.found = false};
		if (hf_cache_get_rrset(it->env.cache, t->qname, HF_TYPE_CNAME, it->qclass,
		                       it->env.now_wall, collect_cname, &c) == 0 ||
		    !c.found)
			return true;
		if (++it->cnames > it->env.cfg->resolver.max_cname_chain)
			return false;
		memcpy(t->qname, c.target, hf_name_len(c.target));
	}
}

/* --- tasks ------------------------------------------------------------------------- */

struct it_task *it_top(struct hf_iter *it)
{
	return it->task[it->ntask - 1];
}

struct it_task *it_push(struct hf_iter *it, const uint8_t *qname, uint16_t qtype)
{
	if (it->ntask == IT_MAX_TASKS)
		return NULL;
	struct it_task *t = hf_calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	it->task[it->ntask++] = t;
	memcpy(t->qname, qname, hf_name_len(qname));
	t->qtype = qtype;
	t->cur = -1;
	t->minimise = it->env.cfg->resolver.qname_minimisation;
	return t;
}

bool it_in_stack(const struct hf_iter *it, const uint8_t *name, uint16_t type)
{
	for (unsigned i = 0; i < it->ntask; i++) {
		if (it->task[i]->qtype == type && hf_name_eq(it->task[i]->qname, name))
			return true;
	}
	return false;
}

/* Starts resolving the address of a server name without glue; false if none may be. */
static bool push_ns_lookup(struct hf_iter *it, struct it_task *t)
{
	uint16_t type = it->env.cfg->resolver.upstream_ip4 ? HF_TYPE_A : HF_TYPE_AAAA;
	for (unsigned i = 0; i < t->nns; i++) {
		if (t->ns[i].looked_up)
			continue;
		if (t->ns_lookups >= it->env.cfg->resolver.max_ns_lookups)
			return false;
		t->ns[i].looked_up = true;
		/* A name whose address is already being looked up further down is an NS cycle. */
		if (it_in_stack(it, t->ns[i].name, type))
			continue;
		t->ns_lookups++;
		struct it_task *sub = it_push(it, t->ns[i].name, type);
		if (sub == NULL)
			return false;
		sub->ns_lookup = true;
		return true;
	}
	return false;
}

/* --- outcomes ------------------------------------------------------------------------ */

int it_fail(struct hf_iter *it, uint16_t ede, const char *text)
{
	it->ede = ede;
	it->ede_text = text;
	return HF_REQ_DONE;
}

/* The client's answer, assembled from the cache (so CNAME chains across zones come whole). */
bool it_answer_from_cache(struct hf_iter *it)
{
	struct hf_build b;
	uint16_t rcode = HF_RCODE_NOERROR;
	enum hf_sec sec;
	uint8_t *buf = hf_malloc(HF_MSG_MAX);
	if (buf == NULL)
		return false;
	hf_build_init(&b, buf, HF_MSG_MAX);
	if (hf_build_header(&b, 0, HF_FLAG_QR | HF_FLAG_RA) != HF_OK ||
	    hf_build_question(&b, it->qname, it->qtype, it->qclass) != HF_OK ||
	    hf_cache_answer(it->env.cache, it->qname, it->qtype, it->qclass, it->env.now_wall, &b,
	                    &rcode, false, &sec) != HF_CACHE_HIT) {
		hf_free(buf);
		return false;
	}
	hf_build_set_flags(&b, (uint16_t)(HF_FLAG_QR | HF_FLAG_RA | rcode));
	it->reply = buf;
	it->reply_len = hf_build_finish(&b);
	return true;
}

/*
 * RFC 8020: an NXDOMAIN cached for an ancestor means the name does not exist
 * either. Answers NXDOMAIN for the client's question with that ancestor's SOA.
 */
static bool nxdomain_cut(struct hf_iter *it)
{
	unsigned labels = hf_name_labels(it->qname);
	for (unsigned l = 1; l < labels; l++) {
		const uint8_t *anc = hf_name_suffix(it->qname, l);
		if (!hf_cache_has_nxdomain(it->env.cache, anc, it->qclass, it->env.now_wall))
			continue;
		struct hf_build b;
		uint16_t rcode = HF_RCODE_NXDOMAIN;
		enum hf_sec sec;
		uint8_t *buf = hf_malloc(HF_MSG_MAX);
		if (buf == NULL)
			return false;
		hf_build_init(&b, buf, HF_MSG_MAX);
		if (hf_build_header(&b, 0, HF_FLAG_QR | HF_FLAG_RA) != HF_OK ||
		    hf_build_question(&b, it->qname, it->qtype, it->qclass) != HF_OK ||
		    hf_cache_answer(it->env.cache, anc, it->qtype, it->qclass, it->env.now_wall, &b,
		                    &rcode, false, &sec) != HF_CACHE_HIT) {
			hf_free(buf);
			return false;
		}
		hf_build_set_flags(&b, (uint16_t)(HF_FLAG_QR | HF_FLAG_RA | rcode));
		it->reply = buf;
		it->reply_len = hf_build_finish(&b);
		return true;
	}
	return false;
}

/* The last reply itself, when its records could not be cached (TTL 0, no SOA, ...). */
void it_answer_from_reply(struct hf_iter *it, const uint8_t *wire, size_t len)
{
	it->reply = hf_malloc(len);
	if (it->reply == NULL)
		return;
	memcpy(it->reply, wire, len);
	it->reply_len = len;
}

/* The task on top is finished; false when that was the client's question. */
static void free_task(struct it_task *t)
{
	hf_free(t->pending);
	hf_free(t);
}

static bool pop(struct hf_iter *it)
{
	free_task(it->task[--it->ntask]);
	if (it->ntask == 0)
		return false;
	struct it_task *t = it_top(it);
	load_addrs(it, t); /* what the finished lookup found */
	return true;
}

static int finish_task(struct hf_iter *it, const uint8_t *wire, size_t len)
{
	if (it->ntask > 1) {
		pop(it);
		return HF_REQ_NEXT;
	}
	if (!it_answer_from_cache(it) && wire != NULL)
		it_answer_from_reply(it, wire, len);
	if (it->reply == NULL)
		return it_fail(it, 0, "answer could not be assembled");
	return HF_REQ_DONE;
}

struct it_fetch *it_find_fetch(struct hf_iter *it, const uint8_t *name, uint16_t type)
{
	for (unsigned i = 0; i < it->nfetch; i++) {
		if (it->fetch[i].type == type && hf_name_eq(it->fetch[i].name, name))
			return &it->fetch[i];
	}
	return NULL;
}

/* A task that cannot go on: the client's question fails, a helper lookup just ends. */
int it_task_failed(struct hf_iter *it, uint16_t ede, const char *text)
{
	struct it_task *t = it_top(it);
	struct it_fetch *f = t->key_fetch ? it_find_fetch(it, t->qname, t->qtype) : NULL;
	if (f != NULL) {
		/* Whoever waits for these keys learns why they did not come. */
		f->ede = ede;
		f->why = text;
	}
	if (it->ntask > 1) {
		pop(it);
		return HF_REQ_NEXT;
	}
	return it_fail(it, ede, text);
}

/* --- sending -------------------------------------------------------------------------- */

static int pick_addr(const struct hf_iter *it, const struct it_task *t, uint64_t now_ms)
{
	int best = -1, down = -1;
	uint32_t best_srtt = UINT32_MAX;
	for (unsigned i = 0; i < t->naddr; i++) {
		const struct hf_upstream *s = t->addr[i].srv;
		if (t->addr[i].tried ||
		    atomic_load(&s->outstanding) >= it->env.cfg->resolver.max_outstanding)
			continue;
		if (atomic_load(&s->down_until_ms) > now_ms) {
			down = (int)i;
			continue;
		}
		uint32_t srtt = atomic_load(&s->srtt_us);
		/* Unmeasured servers are tried in random order, not always the first listed. */
		if (srtt == 0)
			srtt = 1 + hf_random_below(1000);
		if (srtt < best_srtt) {
			best_srtt = srtt;
			best = (int)i;
		}
	}
	if (best < 0)
		return down;
	/* One choice in 20 explores another live address, so a server whose figures
	 * are stale (it recovered, or the network changed) gets measured again. */
	if (hf_random_below(20) == 0) {
		unsigned start = hf_random_below(t->naddr);
		for (unsigned k = 0; k < t->naddr; k++) {
			unsigned i = (start + k) % t->naddr;
			const struct hf_upstream *s = t->addr[i].srv;
			if (!t->addr[i].tried && atomic_load(&s->down_until_ms) <= now_ms &&
			    atomic_load(&s->outstanding) < it->env.cfg->resolver.max_outstanding)
				return (int)i;
		}
	}
	return best;
}

static void choose_question(struct it_task *t)
{
	unsigned labels = hf_name_labels(t->qname);
	if (t->minimise && t->min_labels < labels && t->min_steps < IT_MAX_STEPS) {
		const uint8_t *part = hf_name_suffix(t->qname, t->min_labels);
		memcpy(t->sent_name, part, hf_name_len(part));
		t->sent_type = HF_TYPE_A;
		return;
	}
	memcpy(t->sent_name, t->qname, hf_name_len(t->qname));
	t->sent_type = t->qtype;
}

static int build_query(struct hf_iter *it, struct it_task *t)
{
	struct hf_build b;
	hf_build_init(&b, it->query, sizeof(it->query));
	int rc = hf_build_header(&b, hf_random_u16(), 0);
	if (rc == HF_OK)
		rc = hf_build_question(&b, t->sent_name, t->sent_type, it->qclass);
	if (rc == HF_OK && !t->no_edns) {
		struct hf_build_opt cookie;
		uint8_t cookie_buf[40];
		hf_upstream_cookie_opt(t->addr[t->cur].srv, &cookie, cookie_buf);
		struct hf_build_edns e = {.udp_size = it->env.cfg->resolver.edns_buffer_size,
		                          .flags = it_validating(it) ? HF_EDNS_DO : 0,
		                          .opts = &cookie,
		                          .nopts = 1};
		rc = hf_build_edns(&b, &e);
	}
	it->query_len = hf_build_finish(&b);
	return rc;
}

static void attempt_over(struct hf_iter *it)
{
	if (it->inflight != NULL) {
		atomic_fetch_sub(&it->inflight->outstanding, 1);
		it->inflight = NULL;
	}
}

static int classify(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p,
                    const uint8_t *wire, size_t len, uint64_t now_ms);

/* A reply set aside for the chain of trust: its keys are fetched now, so look at it again. */
static int resume(struct hf_iter *it, struct it_task *t, uint64_t now_ms)
{
	uint8_t *wire = t->pending;
	size_t len = t->pending_len;
	t->pending = NULL;
	struct hf_pkt p;
	int st = HF_REQ_NEXT;
	if (hf_pkt_parse(&p, wire, len, NULL) == HF_OK) {
		st = classify(it, t, &p, wire, len, now_ms); /* may pop t */
		hf_pkt_clear(&p);
	}
	hf_free(wire);
	return st;
}

/* A DS or DNSKEY fetch whose RRset another resolution has filed meanwhile. */
static bool cached_already(struct hf_iter *it, const struct it_task *t)
{
	enum hf_sec sec;
	return hf_cache_probe(it->env.cache, t->qname, t->qtype, it->qclass, it->env.now_wall,
	                      &sec) != HF_PROBE_NONE;
}

int hf_iter_produce(struct hf_iter *it, uint64_t now_us, struct hf_req_out *out)
{
	uint64_t now_ms = now_us / 1000;
	const struct hf_config *cfg = it->env.cfg;
	for (;;) {
		if (it->reply != NULL || it->ede_text != NULL)
			return HF_REQ_DONE;
		if (now_ms >= it->deadline_ms)
			return it_fail(it, 22, "resolution took longer than resolver.max-time");
		if (it->queries >= cfg->resolver.max_queries)
			return it_fail(it, 0,
			               "resolution needed more than resolver.max-queries queries");
		struct it_task *t = it_top(it);
		if (t->pending != NULL) {
			int st = resume(it, t, now_ms);
			if (st == HF_REQ_DONE)
				return st;
			continue;
		}
		if (t->key_fetch && !t->have_cut && cached_already(it, t)) {
			pop(it);
			continue;
		}
		/* Before going out: the cache may know it all (another request just
		 * resolved it, or a CNAME target is already there) or know an
		 * ancestor does not exist. */
		if (it->ntask == 1 && !t->have_cut && !it->env.refresh &&
		    (it_answer_from_cache(it) || nxdomain_cut(it) || it_aggressive_answer(it)))
			return HF_REQ_DONE;
		if (!t->have_cut && it->ntask == 1 && !follow_cached_cnames(it, t))
			return it_fail(it, 0, "CNAME chain longer than resolver.max-cname-chain");
		if (!t->have_cut) {
			bool primed = load_cut(it, t);
			if (!primed && !it->primed && hf_name_labels(t->zone) == 0) {
				it->primed = true;
				struct it_task *p = it_push(it, root_name, HF_TYPE_NS);
				if (p != NULL) {
					p->prime = true;
					p->minimise = false;
					use_hints(it, p);
					t = p;
				}
			}
		}
		if (!t->retry_same || t->cur < 0) {
			t->tcp = false;
			t->no_edns = false;
			t->cur = pick_addr(it, t, now_ms);
		}
		t->retry_same = false;
		if (t->cur < 0) {
			if (!t->bogus && push_ns_lookup(it, t))
				continue;
			int st =
			    t->bogus
			        ? it_task_failed(it, t->bogus_ede, t->bogus_why)
			        : it_task_failed(it, 22, "no server of the zone could be reached");
			if (st == HF_REQ_DONE)
				return st;
			continue;
		}
		choose_question(t);
		if (build_query(it, t) != HF_OK)
			return it_fail(it, 0, "query does not fit");
		struct hf_upstream *s = t->addr[t->cur].srv;
		uint32_t timeout = t->tcp
		                       ? cfg->resolver.query_timeout_ms
		                       : hf_upstream_timeout_ms(s, cfg->resolver.query_timeout_ms);
		if (now_ms + timeout > it->deadline_ms)
			timeout = (uint32_t)(it->deadline_ms - now_ms);
		it->queries++;
		it->sent_us = now_us;
		it->inflight = s;
		atomic_fetch_add(&s->outstanding, 1);
		atomic_fetch_add(&s->queries, 1);
		out->server = s;
		out->tcp = t->tcp;
		out->wire = it->query;
		out->len = it->query_len;
		out->timeout_ms = timeout;
		return HF_REQ_SEND;
	}
}

/* --- reading replies ------------------------------------------------------------------- */

static bool owner_is(const struct hf_pkt *p, const struct hf_rr *rr, const uint8_t *name)
{
	uint8_t owner[HF_NAME_MAX];
	return hf_pkt_owner(p, rr, owner) > 0 && hf_name_eq(owner, name);
}

/*
 * Rebuilds a reply keeping only records whose owner lies in the zone the
 * server was asked as: what it has no authority for never reaches the cache.
 */
static int scrub(struct hf_iter *it, const struct hf_pkt *p, const uint8_t *zone, size_t *len)
{
	struct hf_build b;
	hf_build_init(&b, it->scrubbed, HF_MSG_MAX);
	int rc = hf_build_header(&b, p->id, p->flags & ~HF_FLAG_TC);
	uint8_t qname[HF_NAME_MAX];
	const struct hf_rr *q = hf_pkt_section_rr(p, HF_SECTION_QUESTION, 0);
	if (rc == HF_OK && hf_pkt_owner(p, q, qname) > 0)
		rc = hf_build_question(&b, qname, q->type, q->rclass);
	for (int s = HF_SECTION_ANSWER; rc == HF_OK && s <= HF_SECTION_ADDITIONAL; s++) {
		for (size_t i = 0; i < hf_pkt_section_count(p, (enum hf_section)s); i++) {
			const struct hf_rr *rr = hf_pkt_section_rr(p, (enum hf_section)s, i);
			uint8_t owner[HF_NAME_MAX];
			if (rr->type == HF_TYPE_OPT || hf_pkt_owner(p, rr, owner) < 0 ||
			    !hf_name_in_zone(owner, zone))
				continue;
			int n = hf_pkt_rdata(p, rr, it->rdata, sizeof(it->rdata));
			if (n < 0)
				continue;
			rc = hf_build_rr(&b, (enum hf_section)s, owner, rr->type, rr->rclass,
			                 rr->ttl, it->rdata, (size_t)n);
		}
	}
	if (rc != HF_OK)
		return rc;
	*len = hf_build_finish(&b);
	/* An rcode wider than 4 bits needs the OPT we dropped; keep the low bits only. */
	return HF_OK;
}

static int server_failed(struct it_task *t, uint64_t now_ms)
{
	struct hf_upstream *s = t->addr[t->cur].srv;
	hf_upstream_failed(s, now_ms);
	t->addr[t->cur].tried = true;
	return HF_REQ_NEXT;
}

/* Stores the glue of a referral: addresses of the new zone's servers, within bailiwick. */
static void store_glue(struct hf_iter *it, const struct hf_pkt *p, const uint8_t *child,
                       const uint8_t *parent)
{
	const struct hf_config *cfg = it->env.cfg;
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_ADDITIONAL); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_ADDITIONAL, i);
		uint8_t owner[HF_NAME_MAX];
		if ((rr->type != HF_TYPE_A && rr->type != HF_TYPE_AAAA) ||
		    hf_pkt_owner(p, rr, owner) < 0)
			continue;
		bool inside = hf_name_in_zone(owner, cfg->resolver.strict_glue ? child : parent);
		if (!inside)
			continue;
		int n = hf_pkt_rdata(p, rr, it->rdata, sizeof(it->rdata));
		if (n < 0)
			continue;
		const uint8_t *rd = it->rdata;
		uint16_t rdlen = (uint16_t)n;
		/* One record at a time: put_infra keeps the first set, which is enough for glue. */
		int rc = hf_cache_put_infra(it->env.cache, owner, rr->type, rr->rclass, rr->ttl,
		                            &rd, &rdlen, 1, it->env.now_wall);
		(void)rc;
	}
}

/* A referral to zone `child`, strictly below the current cut and above the name asked. */
static int follow_referral(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p,
                           const uint8_t *child)
{
	if (++t->referrals > it->env.cfg->resolver.max_depth)
		return it_task_failed(it, 0, "more referrals than resolver.max-depth");
	const uint8_t *rdata[IT_MAX_NS];
	uint16_t rdlen[IT_MAX_NS];
	uint8_t names[IT_MAX_NS][HF_NAME_MAX];
	size_t n = 0;
	uint32_t ttl = UINT32_MAX;
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_AUTHORITY) && n < IT_MAX_NS;
	     i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_AUTHORITY, i);
		if (rr->type != HF_TYPE_NS || !owner_is(p, rr, child))
			continue;
		int len = hf_pkt_rdata(p, rr, names[n], HF_NAME_MAX);
		if (len < 0)
			continue;
		rdata[n] = names[n];
		rdlen[n] = (uint16_t)len;
		if (rr->ttl < ttl)
			ttl = rr->ttl;
		n++;
	}
	int rc = hf_cache_put_infra(it->env.cache, child, HF_TYPE_NS, it->qclass, ttl, rdata, rdlen,
	                            n, it->env.now_wall);
	(void)rc;
	store_glue(it, p, child, t->zone);
	set_zone(t, child);
	for (size_t i = 0; i < n; i++)
		collect_ns(t, names[i], rdlen[i]);
	load_addrs(it, t);
	t->cur = -1;
	return HF_REQ_NEXT;
}

/* The deepest NS owner in the authority section, if it is a referral downwards. */
static bool find_referral(const struct it_task *t, const struct hf_pkt *p, uint8_t *child)
{
	bool found = false;
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_AUTHORITY); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_AUTHORITY, i);
		uint8_t owner[HF_NAME_MAX];
		if (rr->type != HF_TYPE_NS || hf_pkt_owner(p, rr, owner) < 0)
			continue;
		if (hf_name_labels(owner) <= hf_name_labels(t->zone) ||
		    !hf_name_in_zone(t->sent_name, owner))
			continue;
		/* The DS of a zone is the parent's to give: a referral into it is no answer. */
		if (t->sent_type == HF_TYPE_DS && hf_name_eq(owner, t->sent_name))
			continue;
		if (!found || hf_name_labels(owner) > hf_name_labels(child)) {
			memcpy(child, owner, hf_name_len(owner));
			found = true;
		}
	}
	return found;
}

/* Follows the answer's CNAME chain from qname; returns true if it ends in qtype data. */
static bool chain_end(const struct hf_pkt *p, uint8_t *name, uint16_t qtype, unsigned *links,
                      unsigned max_links, bool *too_long)
{
	for (;;) {
		bool cname = false;
		for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_ANSWER); i++) {
			const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_ANSWER, i);
			if (!owner_is(p, rr, name))
				continue;
			if (rr->type == qtype)
				return true;
			if (rr->type == HF_TYPE_CNAME && !cname) {
				uint8_t target[HF_NAME_MAX];
				if (hf_pkt_rdata(p, rr, target, sizeof(target)) > 0) {
					memcpy(name, target, hf_name_len(target));
					cname = true;
				}
			}
		}
		if (!cname)
			return false;
		if (++*links > max_links) {
			*too_long = true;
			return false;
		}
	}
}

static bool answer_has(const struct hf_pkt *p, const uint8_t *name, uint16_t type)
{
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_ANSWER, i);
		if ((type == 0 || rr->type == type) && owner_is(p, rr, name))
			return true;
	}
	return false;
}

static bool minimised(const struct it_task *t)
{
	return !hf_name_eq(t->sent_name, t->qname) || t->sent_type != t->qtype;
}

/* An intermediate name exists: one more label next time. */
static int next_label(struct it_task *t)
{
	t->min_labels++;
	t->min_steps++;
	t->retry_same = true;
	return HF_REQ_NEXT;
}

/* Relaxed minimisation: something odd at an intermediate name, so ask the full name. */
static int stop_minimising(struct it_task *t)
{
	t->minimise = false;
	t->retry_same = true;
	return HF_REQ_NEXT;
}

/* Validates the reply, then files it. IT_GO_ON when filed, else the state to return. */
static int check_and_store(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p,
                           const uint8_t *wire, size_t len)
{
	enum hf_sec sec;
	uint32_t ttl_cap;
	bool not_cut;
	int st = it_validate(it, t, p, wire, len, &sec, &ttl_cap, &not_cut);
	if (st != IT_GO_ON)
		return st;
	int rc = hf_cache_store_response(it->env.cache, p, t->qname, t->qtype, it->qclass,
	                                 it->env.now_wall, sec, ttl_cap);
	/* The same proof shows no NS there: remembered, so the name is never taken for an
	 * insecure delegation (zone_status). */
	if (rc == HF_OK && not_cut)
		rc = hf_cache_store_response(it->env.cache, p, t->qname, HF_TYPE_NS, it->qclass,
		                             it->env.now_wall, sec, ttl_cap);
	/* Validated denials serve later questions too (RFC 8198). Only denials: there the
	 * validator checked every NSEC of the authority section, not just the answer. */
	bool data = false;
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_ANSWER); i++)
		data |= hf_pkt_section_rr(p, HF_SECTION_ANSWER, i)->type == t->qtype;
	bool denial = hf_pkt_rcode(p) == HF_RCODE_NXDOMAIN || !data;
	if (rc == HF_OK && sec == HF_SEC_SECURE && denial)
		rc = hf_nsec_index_store_reply(hf_cache_nsec_index(it->env.cache), p, ttl_cap,
		                               it->env.now_wall);
	(void)rc; /* out of memory: the answer still goes out, from the reply */
	return IT_GO_ON;
}

static int on_answer(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p,
                     const uint8_t *wire, size_t len)
{
	if (minimised(t))
		return answer_has(p, t->sent_name, HF_TYPE_CNAME) ? stop_minimising(t)
		                                                  : next_label(t);
	int st = check_and_store(it, t, p, wire, len);
	if (st != IT_GO_ON)
		return st;
	if (t->prime) {
		/* The root servers' addresses come as additional data of the priming answer. */
		store_glue(it, p, root_name, root_name);
		return finish_task(it, wire, len);
	}
	uint8_t name[HF_NAME_MAX];
	memcpy(name, t->qname, hf_name_len(t->qname));
	bool too_long = false;
	unsigned links = it->ntask > 1 ? 0 : it->cnames;
	if (t->qtype == HF_TYPE_CNAME ||
	    chain_end(p, name, t->qtype, &links, it->env.cfg->resolver.max_cname_chain, &too_long))
		return finish_task(it, wire, len);
	if (too_long)
		return it_task_failed(it, 0, "CNAME chain longer than resolver.max-cname-chain");
	if (it->ntask == 1)
		it->cnames = links;
	if (hf_name_eq(name, t->qname))
		return finish_task(it, wire, len); /* data, but not of that type: NODATA-ish */
	/* The chain leaves this reply: go on from its end, from the closest known cut. */
	memcpy(t->qname, name, hf_name_len(name));
	t->have_cut = false;
	t->minimise = it->env.cfg->resolver.qname_minimisation;
	t->min_steps = 0;
	t->cur = -1;
	return HF_REQ_NEXT;
}

static int classify(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p,
                    const uint8_t *wire, size_t len, uint64_t now_ms)
{
	uint16_t rcode = HF_RCODE(p->flags);
	if (rcode == HF_RCODE_NXDOMAIN) {
		if (minimised(t))
			return stop_minimising(t);
		int st = check_and_store(it, t, p, wire, len);
		return st != IT_GO_ON ? st : finish_task(it, wire, len);
	}
	if (rcode != HF_RCODE_NOERROR)
		return server_failed(t, now_ms);
	if (answer_has(p, t->sent_name, 0))
		return on_answer(it, t, p, wire, len);
	uint8_t child[HF_NAME_MAX];
	if (!(p->flags & HF_FLAG_AA) && find_referral(t, p, child))
		return follow_referral(it, t, p, child);
	/*
	 * Neither answer nor referral downwards. With AA or an SOA it is NODATA;
	 * without either it is an upward or sideways referral (scrubbed away
	 * above) or an empty answer from a server that does not serve the zone:
	 * lame (RFC 4697 §2.3), so the next server is asked.
	 */
	bool soa = false;
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_AUTHORITY); i++)
		soa |= hf_pkt_section_rr(p, HF_SECTION_AUTHORITY, i)->type == HF_TYPE_SOA;
	if (!(p->flags & HF_FLAG_AA) && !soa)
		return server_failed(t, now_ms);
	if (minimised(t))
		return next_label(t); /* an empty non-terminal */
	int st = check_and_store(it, t, p, wire, len);
	return st != IT_GO_ON ? st : finish_task(it, wire, len);
}

int hf_iter_consume(struct hf_iter *it, const uint8_t *wire, size_t len, uint64_t now_us)
{
	uint64_t now_ms = now_us / 1000;
	struct it_task *t = it_top(it);
	struct hf_pkt p;
	int rc = hf_pkt_parse(&p, wire, len, NULL);
	if (rc != HF_OK) {
		if (rc == HF_EBADVERS)
			hf_pkt_clear(&p);
		if (len < 2 || hf_get16(wire) != hf_get16(it->query))
			return HF_REQ_WAIT;
		attempt_over(it);
		return server_failed(t, now_ms);
	}
	if (!hf_pkt_answers(&p, it->query, it->query_len)) {
		hf_pkt_clear(&p);
		atomic_fetch_add(&t->addr[t->cur].srv->bad_replies, 1);
		return HF_REQ_WAIT;
	}
	attempt_over(it);
	bool tc = p.flags & HF_FLAG_TC;
	uint16_t rcode = hf_pkt_rcode(&p);
	bool has_edns = p.has_edns;
	if (tc && !t->tcp) {
		hf_pkt_clear(&p);
		t->tcp = true;
		t->retry_same = true;
		return HF_REQ_NEXT;
	}
	if ((rcode == HF_RCODE_FORMERR || rcode == HF_RCODE_NOTIMP) && !t->no_edns && !has_edns) {
		hf_pkt_clear(&p);
		t->no_edns = true;
		t->retry_same = true;
		return HF_REQ_NEXT;
	}
	hf_upstream_answered(t->addr[t->cur].srv, (uint32_t)(now_us - it->sent_us));
	size_t slen = 0;
	rc = scrub(it, &p, t->zone, &slen);
	hf_pkt_clear(&p);
	if (rc != HF_OK)
		return server_failed(t, now_ms);
	struct hf_pkt s;
	if (hf_pkt_parse(&s, it->scrubbed, slen, NULL) != HF_OK)
		return server_failed(t, now_ms);
	int st = classify(it, t, &s, it->scrubbed, slen, now_ms);
	hf_pkt_clear(&s);
	return st;
}

int hf_iter_retry_tcp(struct hf_iter *it)
{
	attempt_over(it);
	struct it_task *t = it_top(it);
	t->tcp = true;
	t->retry_same = true;
	return HF_REQ_NEXT;
}

int hf_iter_timeout(struct hf_iter *it, uint64_t now_ms)
{
	attempt_over(it);
	struct it_task *t = it_top(it);
	if (t->cur < 0)
		return HF_REQ_NEXT;
	atomic_fetch_add(&t->addr[t->cur].srv->timeouts, 1);
	return server_failed(t, now_ms);
}

/* --- life ------------------------------------------------------------------------------- */

static void set_limits(struct hf_iter *it)
{
	const struct hf_config *cfg = it->env.cfg;
	it->lim = (struct hf_val_limits){.max_sig_checks = cfg->dnssec.max_signature_checks,
	                                 .max_key_tries = cfg->dnssec.max_key_tries,
	                                 .max_sigs = cfg->dnssec.max_signatures,
	                                 .max_nsec3_hashes = cfg->dnssec.max_nsec3_hashes,
	                                 .max_nsec3_iterations = cfg->dnssec.max_nsec3_iterations,
	                                 .skew = cfg->dnssec.clock_skew,
	                                 .allow_sha1 = cfg->dnssec.allow_sha1};
	it->work.nsec3 =
	    (struct hf_nsec3_budget){.max_hashes = cfg->dnssec.max_nsec3_hashes,
	                             .max_iterations = cfg->dnssec.max_nsec3_iterations};
}

struct hf_iter *hf_iter_new(const struct hf_iter_env *env, const uint8_t *qname, uint16_t qtype,
                            uint16_t qclass, bool cd, uint64_t now_ms)
{
	struct hf_iter *it = hf_calloc(1, sizeof(*it));
	if (it == NULL)
		return NULL;
	it->env = *env;
	memcpy(it->qname, qname, hf_name_len(qname));
	it->qtype = qtype;
	it->qclass = qclass;
	it->cd = cd;
	it->deadline_ms = now_ms + env->cfg->resolver.max_time_ms;
	set_limits(it);
	if (it_push(it, qname, qtype) == NULL) {
		hf_free(it);
		return NULL;
	}
	return it;
}

void hf_iter_free(struct hf_iter *it)
{
	if (it == NULL)
		return;
	while (it->ntask > 0)
		free_task(it->task[--it->ntask]);
	attempt_over(it);
	hf_free(it->reply);
	hf_free(it);
}

const uint8_t *hf_iter_reply(const struct hf_iter *it, size_t *len)
{
	*len = it->reply_len;
	return it->reply;
}

uint16_t hf_iter_ede(const struct hf_iter *it, const char **text)
{
	*text = it->ede_text;
	return it->ede;
}

unsigned hf_iter_queries(const struct hf_iter *it)
{
	return it->queries;
}

unsigned hf_iter_ns_names(const struct hf_iter *it, const uint8_t **names, unsigned max)
{
	if (it->ntask == 0 || !it->task[0]->have_cut)
		return 0;
	const struct it_task *t = it->task[0];
	unsigned n = 0;
	for (; n < t->nns && n < max; n++)
		names[n] = t->ns[n].name;
	return n;
}

const uint8_t *hf_iter_zone(const struct hf_iter *it)
{
	if (it->ntask == 0)
		return NULL;
	const struct it_task *t = it->task[it->ntask - 1];
	return t->have_cut ? t->zone : NULL;
}
