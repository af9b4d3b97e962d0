/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The rule store and its lookups (see policy.h and impl.h), local-data, and
 * loading the policy the configuration describes.
 */
#include "policy/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "policy/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/file.h"
#include "wire/rr.h"

#define POLICY_FILE_MAX ((size_t)256 << 20) /* a large hosts file is tens of MiB */
#define LOCAL_DATA_TTL  3600
#define LOCAL_DATA_NAME "local-data"
#define SPEC_EXACT      1000 /* an exact name beats any wildcard of its source */

int hf_policy_fail(char *err, size_t cap, unsigned line, const char *fmt, ...)
{
	int n = snprintf(err, cap, "line %u: ", line);
	if (n > 0 && (size_t)n < cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + n, cap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return HF_EINVAL;
}

/* --- the hash table ---------------------------------------------------------------- */

/* FNV-1a; names are hashed lowercased, so keys are stored lowercased. */
static uint64_t hash_key(const uint8_t *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 0x100000001b3ULL;
	return h;
}

static struct hf_policy_rule **find_slot(const struct hf_policy *p, const uint8_t *key, size_t len)
{
	size_t mask = p->cap - 1;
	for (size_t i = hash_key(key, len) & mask;; i = (i + 1) & mask) {
		struct hf_policy_rule *r = p->slot[i];
		if (r == NULL || (r->keylen == len && memcmp(r->key, key, len) == 0))
			return &p->slot[i];
	}
}

static int grow(struct hf_policy *p)
{
	size_t cap = p->cap ? p->cap * 2 : 1024;
	struct hf_policy_rule **old = p->slot;
	size_t oldcap = p->cap;
	p->slot = hf_calloc(cap, sizeof(*p->slot));
	if (p->slot == NULL) {
		p->slot = old;
		return HF_ENOMEM;
	}
	p->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i] != NULL)
			*find_slot(p, old[i]->key, old[i]->keylen) = old[i];
	}
	hf_free(old);
	return HF_OK;
}

static struct hf_policy_rule *lookup(const struct hf_policy *p, const uint8_t *key, size_t len)
{
	if (p->cap == 0)
		return NULL;
	return *find_slot(p, key, len);
}

size_t hf_policy_name_key(uint8_t key[KEY_MAX], enum trigger t, const uint8_t *name)
{
	size_t n = hf_name_len(name);
	key[0] = (uint8_t)t;
	for (size_t i = 0; i < n; i++)
		key[1 + i] = hf_lower(name[i]);
	return 1 + n;
}

/* --- building ---------------------------------------------------------------------- */

struct hf_policy *hf_policy_new(void)
{
	struct hf_policy *p = hf_calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	pthread_mutex_init(&p->br.lock, NULL);
	atomic_init(&p->br.epoch, 1); /* rules start at 0: their first hit is a new window's */
	p->br.o = (struct hf_policy_breaker_opts){
	    .enabled = true, .window_s = 10, .share_bp = 2000, .min_hits = 50, .growth = 10};
	return p;
}

static void rule_free(struct hf_policy_rule *r)
{
	if (!r->shared_rrs) {
		for (size_t i = 0; i < r->nrr; i++)
			hf_free(r->rrs[i].rdata);
		hf_free(r->rrs);
	}
	hf_free(r);
}

void hf_policy_free(struct hf_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->cap; i++) {
		for (struct hf_policy_rule *r = p->slot[i], *next; r != NULL; r = next) {
			next = r->next;
			rule_free(r);
		}
	}
	for (size_t i = 0; i < p->nsrc; i++)
		hf_free(p->src[i]);
	hf_free(p->src);
	hf_free(p->slot);
	pthread_mutex_destroy(&p->br.lock);
	hf_free(p);
}

struct hf_policy_source *hf_policy_source_add(struct hf_policy *p, const char *name,
                                              enum hf_policy_kind kind)
{
	if (p->nsrc == p->srccap) {
		size_t cap = p->srccap ? p->srccap * 2 : 8;
		struct hf_policy_source **s = hf_realloc(p->src, cap * sizeof(*s));
		if (s == NULL)
			return NULL;
		p->src = s;
		p->srccap = cap;
	}
	struct hf_policy_source *s = hf_calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->kind = kind;
	s->order = (unsigned)p->nsrc;
	p->src[p->nsrc++] = s;
	return s;
}

static int rr_append(struct hf_policy_rule *r, const struct hf_policy_rr *rr)
{
	struct hf_policy_rr *rrs = hf_realloc(r->rrs, (r->nrr + 1u) * sizeof(*rrs));
	if (rrs == NULL)
		return HF_ENOMEM;
	r->rrs = rrs;
	struct hf_policy_rr *to = &rrs[r->nrr];
	*to = *rr;
	to->rdata = hf_malloc(rr->rdlen ? rr->rdlen : 1);
	if (to->rdata == NULL)
		return HF_ENOMEM;
	memcpy(to->rdata, rr->rdata, rr->rdlen);
	r->nrr++;
	return HF_OK;
}

static void count_trigger(struct hf_policy *p, uint8_t t, const uint8_t *key)
{
	if (t == TRIG_IP && key[1] == 4)
		p->ip4_len[key[2]] = true;
	else if (t == TRIG_IP)
		p->ip6_len[key[2]] = true;
	p->nip += t == TRIG_IP;
	p->nnsd += t == TRIG_NSD || t == TRIG_NSD_WILD;
	p->nwild += t == TRIG_WILD;
}

/* A rule of the same source and key already there: data joins it, anything else clashes. */
static int merge(struct hf_policy_rule *r, enum hf_policy_action action,
                 const struct hf_policy_rr *rr, unsigned *prev_line)
{
	*prev_line = r->line;
	if (action != HF_POLICY_LOCAL || r->action != HF_POLICY_LOCAL || r->shared_rrs ||
	    rr == NULL)
		return RULE_DUP;
	return rr_append(r, rr);
}

int hf_policy_rule_add(struct hf_policy *p, struct hf_policy_source *src, const uint8_t *key,
                       size_t keylen, enum hf_policy_action action, const struct hf_policy_rr *rr,
                       unsigned line, unsigned *prev_line)
{
	if ((p->n + 1) * 2 > p->cap && grow(p) != HF_OK)
		return HF_ENOMEM;
	struct hf_policy_rule **slot = find_slot(p, key, keylen), **at = slot;
	for (; *at != NULL; at = &(*at)->next) {
		if ((*at)->src == src)
			return merge(*at, action, rr, prev_line);
	}
	struct hf_policy_rule *r = hf_calloc(1, sizeof(*r) + keylen);
	if (r == NULL)
		return HF_ENOMEM;
	r->src = src;
	r->action = (uint8_t)action;
	r->line = line;
	r->keylen = (uint16_t)keylen;
	memcpy(r->key, key, keylen);
	if (rr != NULL && rr == &src->shared_rr) {
		r->rrs = &src->shared_rr;
		r->nrr = 1;
		r->shared_rrs = true;
	} else if (rr != NULL && rr_append(r, rr) != HF_OK) {
		rule_free(r);
		return HF_ENOMEM;
	}
	if (slot == at)
		p->n++;
	*at = r;
	count_trigger(p, key[0], key);
	return HF_OK;
}

/* --- local-data --------------------------------------------------------------------- */

int hf_policy_add_local_data(struct hf_policy *p, char *const *lines, size_t n, char *err,
                             size_t cap)
{
	struct hf_policy_source *src =
	    hf_policy_source_add(p, LOCAL_DATA_NAME, HF_POLICY_LOCAL_DATA);
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	int rc = src != NULL && rr != NULL ? HF_OK : HF_ENOMEM;
	for (size_t i = 0; i < n && rc == HF_OK; i++) {
		rc = hf_rr_from_text(lines[i], strlen(lines[i]), NULL, LOCAL_DATA_TTL, rr);
		if (rc != HF_OK) {
			snprintf(err, cap, "local-data[%zu]: %s", i, hf_strerror(rc));
			break;
		}
		uint8_t key[KEY_MAX];
		size_t klen = hf_policy_name_key(key, TRIG_QNAME, rr->owner);
		struct hf_policy_rr one = {
		    .type = rr->type, .ttl = rr->ttl, .rdlen = rr->rdlen, .rdata = rr->rdata};
		unsigned prev;
		rc = hf_policy_rule_add(p, src, key, klen, HF_POLICY_LOCAL, &one, (unsigned)i + 1,
		                        &prev);
	}
	if (rc == HF_ENOMEM)
		snprintf(err, cap, "out of memory");
	hf_free(rr);
	return rc;
}

/* --- lookups ------------------------------------------------------------------------ */

/* The first rule for key whose source still applies it. */
static struct hf_policy_rule *first_live(struct hf_policy_rule *r, bool all)
{
	while (r != NULL && !all && atomic_load_explicit(&r->suspended, memory_order_relaxed))
		r = r->next;
	return r;
}

/* Earlier source first; within a source the more specific trigger. */
static bool better(const struct hf_policy_rule *a, unsigned aspec, const struct hf_policy_rule *b,
                   unsigned bspec)
{
	if (b == NULL)
		return true;
	if (a->src->order != b->src->order)
		return a->src->order < b->src->order;
	return aspec > bspec;
}

/* Exact key, then "*." at every ancestor, closest first. */
static struct hf_policy_rule *name_lookup(struct hf_policy *p, const uint8_t *name,
                                          enum trigger exact, enum trigger wild, bool all)
{
	uint8_t key[KEY_MAX];
	size_t klen = hf_policy_name_key(key, exact, name);
	struct hf_policy_rule *best = first_live(lookup(p, key, klen), all), *r;
	unsigned spec = SPEC_EXACT;
	unsigned labels = hf_name_labels(name);
	if (best != NULL && best->src->order == 0)
		return best;
	if (wild == TRIG_WILD && p->nwild == 0)
		return best;
	uint8_t wkey[KEY_MAX];
	wkey[0] = (uint8_t)wild;
	for (unsigned k = labels; k-- > 0;) {
		size_t off = (size_t)(hf_name_suffix(name, k) - name);
		memcpy(wkey + 1, key + 1 + off, klen - 1 - off);
		r = first_live(lookup(p, wkey, klen - off), all);
		if (r != NULL && better(r, k, best, spec)) {
			best = r;
			spec = k;
		}
	}
	return best;
}

struct hf_policy_rule *hf_policy_qname_lookup(struct hf_policy *p, const uint8_t *qname, bool all)
{
	return name_lookup(p, qname, TRIG_QNAME, TRIG_WILD, all);
}

struct hf_policy_rule *hf_policy_qname(struct hf_policy *p, const uint8_t *qname)
{
	return name_lookup(p, qname, TRIG_QNAME, TRIG_WILD, false);
}

struct hf_policy_rule *hf_policy_nsdname(struct hf_policy *p, const uint8_t *nsname)
{
	if (p->nnsd == 0)
		return NULL;
	return name_lookup(p, nsname, TRIG_NSD, TRIG_NSD_WILD, false);
}

struct hf_policy_rule *hf_policy_ip(struct hf_policy *p, const uint8_t *addr, size_t len)
{
	if (p->nip == 0 || (len != 4 && len != 16))
		return NULL;
	const bool *lens = len == 4 ? p->ip4_len : p->ip6_len;
	struct hf_policy_rule *best = NULL;
	uint8_t key[3 + 16];
	key[0] = TRIG_IP;
	key[1] = len == 4 ? 4 : 6;
	for (unsigned bits = (unsigned)len * 8 + 1; bits-- > 0;) {
		if (!lens[bits])
			continue;
		key[2] = (uint8_t)bits;
		memset(key + 3, 0, len);
		memcpy(key + 3, addr, bits / 8);
		if (bits % 8)
			key[3 + bits / 8] = (uint8_t)(addr[bits / 8] & (0xff << (8 - bits % 8)));
		struct hf_policy_rule *r = first_live(lookup(p, key, 3 + len), false);
		if (r != NULL && better(r, bits, best, 0))
			best = r; /* longest prefix first: a later one wins only by source order */
	}
	return best;
}

bool hf_policy_has_ip(const struct hf_policy *p)
{
	return p->nip != 0;
}

bool hf_policy_has_nsdname(const struct hf_policy *p)
{
	return p->nnsd != 0;
}

size_t hf_policy_rule_count(const struct hf_policy *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->cap; i++) {
		for (const struct hf_policy_rule *r = p->slot[i]; r != NULL; r = r->next)
			n++;
	}
	return n;
}

void hf_policy_each_rule(const struct hf_policy *p,
                         void (*fn)(void *ctx, const struct hf_policy_rule *r), void *ctx)
{
	for (size_t i = 0; i < p->cap; i++) {
		for (const struct hf_policy_rule *r = p->slot[i]; r != NULL; r = r->next)
			fn(ctx, r);
	}
}

/* --- rules seen from outside --------------------------------------------------------- */

enum hf_policy_action hf_policy_rule_action(const struct hf_policy_rule *r)
{
	return (enum hf_policy_action)r->action;
}

enum hf_policy_kind hf_policy_rule_kind(const struct hf_policy_rule *r)
{
	return r->src->kind;
}

const char *hf_policy_rule_source(const struct hf_policy_rule *r)
{
	return r->src->name;
}

size_t hf_policy_rule_rrs(const struct hf_policy_rule *r, const struct hf_policy_rr **rrs)
{
	*rrs = r->rrs;
	return r->nrr;
}

static void ip_text(const struct hf_policy_rule *r, char *out, size_t cap)
{
	const uint8_t *a = r->key + 3;
	if (r->key[1] == 4) {
		snprintf(out, cap, "%u.%u.%u.%u/%u", a[0], a[1], a[2], a[3], r->key[2]);
		return;
	}
	int n = 0;
	for (int i = 0; i < 8; i++)
		n += snprintf(out + n, cap > (size_t)n ? cap - (size_t)n : 0, "%s%x", i ? ":" : "",
		              (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
	snprintf(out + n, cap > (size_t)n ? cap - (size_t)n : 0, "/%u", r->key[2]);
}

void hf_policy_rule_text(const struct hf_policy_rule *r, char *out, size_t cap)
{
	char name[HF_NAME_TEXT_MAX];
	uint8_t t = r->key[0];
	if (t == TRIG_IP) {
		ip_text(r, out, cap);
		return;
	}
	if (hf_name_to_text(r->key + 1, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "?");
	bool wild = t == TRIG_WILD || t == TRIG_NSD_WILD;
	bool root = strcmp(name, ".") == 0;
	snprintf(out, cap, "%s%s%s", wild ? (root ? "*" : "*.") : "", wild && root ? "" : name,
	         t == TRIG_NSD || t == TRIG_NSD_WILD ? " (nsdname)" : "");
}

const char *hf_policy_action_name(enum hf_policy_action a)
{
	static const char *const names[HF_POLICY_ACTIONS] = {"nxdomain", "nodata",   "passthru",
	                                                     "drop",     "tcp-only", "local-data"};
	return a < HF_POLICY_ACTIONS ? names[a] : "?";
}

void hf_policy_hit(struct hf_policy *p, struct hf_policy_rule *r)
{
	atomic_fetch_add_explicit(&r->src->hits[r->action], 1, memory_order_relaxed);
	uint32_t now = atomic_load_explicit(&p->br.epoch, memory_order_relaxed);
	uint32_t seen = atomic_load_explicit(&r->epoch, memory_order_relaxed);
	if (seen == now || !atomic_compare_exchange_strong_explicit(
	                       &r->epoch, &seen, now, memory_order_relaxed, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&r->hits, 1, memory_order_relaxed);
		return;
	}
	/* First hit in this window: the count starts over and the breaker will look at it. A
	 * rule whose place in the list was lost to a race is found again next window. */
	atomic_store_explicit(&r->hits, 1, memory_order_relaxed);
	size_t i = atomic_fetch_add_explicit(&p->br.ntouched, 1, memory_order_relaxed);
	if (i < TOUCHED_MAX)
		atomic_store_explicit(&p->br.touched[i], r, memory_order_release);
}

void hf_policy_each_source(const struct hf_policy *p,
                           void (*fn)(void *ctx, const char *name, enum hf_policy_kind kind,
                                      const uint64_t hits[HF_POLICY_ACTIONS]),
                           void *ctx)
{
	for (size_t i = 0; i < p->nsrc; i++) {
		uint64_t hits[HF_POLICY_ACTIONS];
		for (int a = 0; a < HF_POLICY_ACTIONS; a++)
			hits[a] = atomic_load_explicit(&p->src[i]->hits[a], memory_order_relaxed);
		fn(ctx, p->src[i]->name, p->src[i]->kind, hits);
	}
}

/* --- loading ------------------------------------------------------------------------ */

static char *read_source(const char *path, size_t *len, char *err, size_t cap)
{
	int rc;
	char *text = hf_read_file(path, POLICY_FILE_MAX, len, &rc);
	if (text == NULL)
		snprintf(err, cap, "%s", hf_strerror(rc));
	return text;
}

static int load_rpz(struct hf_policy *p, const struct hf_policy_rpz_conf *z, char *err, size_t cap)
{
	char name[HF_NAME_TEXT_MAX];
	size_t len;
	if (hf_name_to_text(z->name, name, sizeof(name)) < 0)
		return HF_EINVAL;
	char *text = read_source(z->file, &len, err, cap);
	if (text == NULL)
		return HF_EINVAL;
	int rc = hf_policy_add_rpz(p, name, z->name, text, len, err, cap);
	hf_free(text);
	return rc;
}

static int load_list(struct hf_policy *p, const struct hf_policy_list_conf *b, char *err,
                     size_t cap)
{
	size_t len;
	const char *base = strrchr(b->file, '/');
	const char *name = b->name[0] ? b->name : base ? base + 1 : b->file;
	enum hf_policy_format fmt =
	    strcmp(b->format, "hosts") == 0 ? HF_POLICY_HOSTS : HF_POLICY_DOMAINS;
	char *text = read_source(b->file, &len, err, cap);
	if (text == NULL)
		return HF_EINVAL;
	int rc = hf_policy_add_blocklist(p, name, fmt, b->action, text, len, err, cap);
	hf_free(text);
	return rc;
}

static int load_sources(struct hf_policy *p, const struct hf_config *cfg, char *err, size_t cap)
{
	const char *conf = cfg->path ? cfg->path : "(config)";
	char why[HF_POLICY_ERR_MAX];
	why[0] = '\0';
	if (cfg->nlocal_data != 0 && hf_policy_add_local_data(p, cfg->local_data, cfg->nlocal_data,
	                                                      why, sizeof(why)) != HF_OK) {
		snprintf(err, cap, "%s: %.400s", conf, why);
		return HF_EINVAL;
	}
	for (size_t i = 0; i < cfg->policy.nrpz; i++) {
		const struct hf_policy_rpz_conf *z = &cfg->policy.rpz[i];
		if (load_rpz(p, z, why, sizeof(why)) != HF_OK) {
			snprintf(err, cap, "%s:%lu: policy.rpz[%zu].file: %.200s: %.250s", conf,
			         z->line, i, z->file, why);
			return HF_EINVAL;
		}
	}
	for (size_t i = 0; i < cfg->policy.nblocklists; i++) {
		const struct hf_policy_list_conf *b = &cfg->policy.blocklists[i];
		if (load_list(p, b, why, sizeof(why)) != HF_OK) {
			snprintf(err, cap, "%s:%lu: policy.blocklists[%zu].file: %.200s: %.250s",
			         conf, b->line, i, b->file, why);
			return HF_EINVAL;
		}
	}
	return HF_OK;
}

int hf_policy_load(const struct hf_config *cfg, struct hf_policy **out, char *err, size_t cap)
{
	*out = NULL;
	if (cfg->nlocal_data == 0 && cfg->policy.nrpz == 0 && cfg->policy.nblocklists == 0)
		return HF_OK;
	struct hf_policy *p = hf_policy_new();
	if (p == NULL) {
		snprintf(err, cap, "out of memory");
		return HF_ENOMEM;
	}
	int rc = load_sources(p, cfg, err, cap);
	if (rc != HF_OK) {
		hf_policy_free(p);
		return rc;
	}
	struct hf_policy_breaker_opts o = {.enabled = cfg->policy.breaker.enabled,
	                                   .window_s = cfg->policy.breaker.window,
	                                   .share_bp = cfg->policy.breaker.share,
	                                   .min_hits = cfg->policy.breaker.min_hits,
	                                   .growth = cfg->policy.breaker.growth};
	hf_policy_set_breaker(p, &o);
	*out = p;
	return HF_OK;
}
