/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Iteration from the root. See iterator.h for the rules. */
#include "iterator/iterator.h"

#include <arpa/inet.h>
#include <string.h>

#include "resolve/resolve.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"
#include "util/random.h"
#include "validator/anchors.h"
#include "validator/validator.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

#define IT_MAX_TASKS   32 /* name server lookups and the chain of trust's DS/DNSKEY fetches */
#define IT_MAX_FETCHES 24
#define IT_GO_ON       (-1) /* validation: file the reply and go on */
#define IT_MAX_NS      13
#define IT_MAX_ADDRS   26
#define IT_MAX_STEPS   10 /* minimisation steps before sending the full name (RFC 9156 §2.3) */

struct it_addr {
	struct hf_upstream *srv;
	bool tried;
};

struct it_ns {
	uint8_t name[HF_NAME_MAX];
	bool looked_up;
};

struct it_task {
	uint8_t qname[HF_NAME_MAX];
	uint16_t qtype;
	bool ns_lookup; /* finding a name server's address for the task below */
	bool prime;     /* RFC 8109 priming of the root NS set */
	bool key_fetch; /* a DS or DNSKEY RRset the chain of trust needs */
	/* A validated reply waiting for a key_fetch above it (scrubbed, hf_malloc). */
	uint8_t *pending;
	size_t pending_len;
	/* The last reply failed validation: why, should no other server do better. */
	bool bogus;
	uint16_t bogus_ede;
	const char *bogus_why;
	bool have_cut;
	uint8_t zone[HF_NAME_MAX];
	struct it_ns ns[IT_MAX_NS];
	unsigned nns;
	struct it_addr addr[IT_MAX_ADDRS];
	unsigned naddr;
	unsigned ns_lookups;
	unsigned referrals;
	bool minimise;
	unsigned min_labels;
	unsigned min_steps;
	/* The attempt in flight. */
	int cur;
	bool tcp;
	bool no_edns;
	bool retry_same;
	uint8_t sent_name[HF_NAME_MAX];
	uint16_t sent_type;
};

/* A DS or DNSKEY fetch started for the chain of trust, and how it ended. */
struct it_fetch {
	uint8_t name[HF_NAME_MAX];
	uint16_t type;
	uint16_t ede;
	const char *why;
};

struct hf_iter {
	struct hf_iter_env env;
	uint8_t qname[HF_NAME_MAX];
	uint16_t qtype;
	uint16_t qclass;
	bool cd;
	struct it_task *task[IT_MAX_TASKS];
	unsigned ntask;
	struct it_fetch fetch[IT_MAX_FETCHES];
	unsigned nfetch;
	struct hf_val_limits lim;
	struct hf_val_work work;
	struct hf_val_keys keys; /* scratch for a zone's keys */
	bool primed;
	unsigned queries;
	unsigned cnames;
	uint64_t deadline_ms;
	uint8_t query[HF_REQ_QUERY_MAX];
	size_t query_len;
	uint64_t sent_us;
	struct hf_upstream *inflight;
	uint8_t *reply;
	size_t reply_len;
	uint16_t ede;
	const char *ede_text;
	uint8_t scrubbed[HF_MSG_MAX];
	uint8_t rdata[HF_RDATA_MAX];
};

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

static struct it_task *top(struct hf_iter *it)
{
	return it->task[it->ntask - 1];
}

static struct it_task *push(struct hf_iter *it, const uint8_t *qname, uint16_t qtype)
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

static bool in_stack(const struct hf_iter *it, const uint8_t *name, uint16_t type)
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
		if (in_stack(it, t->ns[i].name, type))
			continue;
		t->ns_lookups++;
		struct it_task *sub = push(it, t->ns[i].name, type);
		if (sub == NULL)
			return false;
		sub->ns_lookup = true;
		return true;
	}
	return false;
}

/* --- outcomes ------------------------------------------------------------------------ */

static int fail(struct hf_iter *it, uint16_t ede, const char *text)
{
	it->ede = ede;
	it->ede_text = text;
	return HF_REQ_DONE;
}

/* The client's answer, assembled from the cache (so CNAME chains across zones come whole). */
static bool answer_from_cache(struct hf_iter *it)
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
static void answer_from_reply(struct hf_iter *it, const uint8_t *wire, size_t len)
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
	struct it_task *t = top(it);
	load_addrs(it, t); /* what the finished lookup found */
	return true;
}

static int finish_task(struct hf_iter *it, const uint8_t *wire, size_t len)
{
	if (it->ntask > 1) {
		pop(it);
		return HF_REQ_NEXT;
	}
	if (!answer_from_cache(it) && wire != NULL)
		answer_from_reply(it, wire, len);
	if (it->reply == NULL)
		return fail(it, 0, "answer could not be assembled");
	return HF_REQ_DONE;
}

static struct it_fetch *find_fetch(struct hf_iter *it, const uint8_t *name, uint16_t type)
{
	for (unsigned i = 0; i < it->nfetch; i++) {
		if (it->fetch[i].type == type && hf_name_eq(it->fetch[i].name, name))
			return &it->fetch[i];
	}
	return NULL;
}

/* A task that cannot go on: the client's question fails, a helper lookup just ends. */
static int task_failed(struct hf_iter *it, uint16_t ede, const char *text)
{
	struct it_task *t = top(it);
	struct it_fetch *f = t->key_fetch ? find_fetch(it, t->qname, t->qtype) : NULL;
	if (f != NULL) {
		/* Whoever waits for these keys learns why they did not come. */
		f->ede = ede;
		f->why = text;
	}
	if (it->ntask > 1) {
		pop(it);
		return HF_REQ_NEXT;
	}
	return fail(it, ede, text);
}

/* --- the chain of trust ------------------------------------------------------------- */

static bool validating(const struct hf_iter *it)
{
	return it->env.anchors != NULL && it->env.anchors->n > 0;
}

/* The deepest trust anchor at or above zone; NULL when zone is insecure by configuration. */
static const uint8_t *trust_point(const struct hf_iter *it, const uint8_t *zone)
{
	if (!validating(it))
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
	const struct it_fetch *f = find_fetch(it, name, type);
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
	if (in_stack(it, res->need, res->need_type) || it->nfetch == IT_MAX_FETCHES)
		return task_failed(it, 6, "the chain of trust cannot be followed");
	uint8_t *copy = hf_malloc(len);
	if (copy == NULL)
		return task_failed(it, 0, "out of memory");
	memcpy(copy, wire, len);
	hf_free(t->pending);
	t->pending = copy;
	t->pending_len = len;
	struct it_fetch *f = &it->fetch[it->nfetch++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, res->need, hf_name_len(res->need));
	f->type = res->need_type;
	struct it_task *sub = push(it, res->need, res->need_type);
	if (sub == NULL)
		return task_failed(it, 6, "the chain of trust is too long to follow");
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
		answer_from_reply(it, wire, len); /* the client validates itself */
		return it->reply != NULL ? HF_REQ_DONE : fail(it, 0, "out of memory");
	}
	if (res->need_type != 0 || t->cur < 0) /* the chain of trust broke, not this reply */
		return task_failed(it, res->ede, res->why);
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
static int validate(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p,
                    const uint8_t *wire, size_t len, enum hf_sec *sec, uint32_t *ttl_cap,
                    bool *not_cut)
{
	*sec = HF_SEC_INSECURE;
	*ttl_cap = UINT32_MAX;
	*not_cut = false;
	if (!validating(it) || t->prime)
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

static unsigned common_labels(const uint8_t *a, const uint8_t *b)
{
	unsigned n = hf_name_labels(a) < hf_name_labels(b) ? hf_name_labels(a) : hf_name_labels(b);
	while (n > 0 && !hf_name_eq(hf_name_suffix(a, n), hf_name_suffix(b, n)))
		n--;
	return n;
}

/* The NSEC that may deny the wildcard at the closest encloser the first NSEC implies. */
static bool wildcard_nsec(struct hf_nsec_index *x, const uint8_t *zone, const uint8_t *qname,
                          const struct hf_signed_rec *cover, int64_t now, struct hf_signed_rec *out)
{
	if (hf_name_check(cover->rdata, cover->rdlen) < 0)
		return false;
	unsigned ce = common_labels(qname, cover->owner);
	unsigned ce_next = common_labels(qname, cover->rdata);
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
static bool aggressive_answer(struct hf_iter *it)
{
	struct hf_nsec_index *x = hf_cache_nsec_index(it->env.cache);
	int64_t now = it->env.now_wall;
	uint8_t zone[HF_NAME_MAX];
	if (!validating(it) || !hf_nsec_index_zone(x, it->qname, zone) ||
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
	done = file_synthesised(it, r, n, rcode) && answer_from_cache(it);
out:
	hf_free(r);
	return done;
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
		struct hf_build_edns e = {.udp_size = it->env.cfg->resolver.edns_buffer_size,
		                          .flags = validating(it) ? HF_EDNS_DO : 0};
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
			return fail(it, 22, "resolution took longer than resolver.max-time");
		if (it->queries >= cfg->resolver.max_queries)
			return fail(it, 0,
			            "resolution needed more than resolver.max-queries queries");
		struct it_task *t = top(it);
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
		if (it->ntask == 1 && !t->have_cut &&
		    (answer_from_cache(it) || nxdomain_cut(it) || aggressive_answer(it)))
			return HF_REQ_DONE;
		if (!t->have_cut && it->ntask == 1 && !follow_cached_cnames(it, t))
			return fail(it, 0, "CNAME chain longer than resolver.max-cname-chain");
		if (!t->have_cut) {
			bool primed = load_cut(it, t);
			if (!primed && !it->primed && hf_name_labels(t->zone) == 0) {
				it->primed = true;
				struct it_task *p = push(it, root_name, HF_TYPE_NS);
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
			int st = t->bogus ? task_failed(it, t->bogus_ede, t->bogus_why)
			                  : task_failed(it, 22,
			                                "no server of the zone could be reached");
			if (st == HF_REQ_DONE)
				return st;
			continue;
		}
		choose_question(t);
		if (build_query(it, t) != HF_OK)
			return fail(it, 0, "query does not fit");
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
		return task_failed(it, 0, "more referrals than resolver.max-depth");
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
	int st = validate(it, t, p, wire, len, &sec, &ttl_cap, &not_cut);
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
		return task_failed(it, 0, "CNAME chain longer than resolver.max-cname-chain");
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
	struct it_task *t = top(it);
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

int hf_iter_timeout(struct hf_iter *it, uint64_t now_ms)
{
	attempt_over(it);
	struct it_task *t = top(it);
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
	if (push(it, qname, qtype) == NULL) {
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
