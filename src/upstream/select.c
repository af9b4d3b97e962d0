/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server sets from the config and the SRTT-based choice. See upstream.h. */
#include "upstream/upstream.h"

#include <stdio.h>
#include <string.h>

#include "upstream/tls.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"
#include "util/random.h"
#include "wire/build.h"
#include "wire/edns.h"

#define SRTT_FAIL_MIN_US   100000u /* a failure counts at least as a 100 ms RTT */
#define SRTT_MAX_US        10000000u
#define FAILS_BEFORE_DOWN  3
#define DOWN_BASE_MS       1000u
#define DOWN_MAX_MS        60000u
#define EXPLORE_ONE_IN     20
#define TIMEOUT_UNKNOWN_MS 1000u
#define TIMEOUT_MIN_MS     300u

static bool same_addr(const struct hf_addr *a, const struct hf_addr *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static bool is_own_listen(const struct hf_config *cfg, const struct hf_addr *a)
{
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (same_addr(&cfg->listen[i], a))
			return true;
	}
	return false;
}

/* The name for logs: "ADDR@PORT", "tls://ADDR@PORT#name" or the URL without pins (cut
 * to fit). */
static void server_name(const struct hf_upstream_conf *uc, char name[64])
{
	char addr[64], full[600];
	hf_addr_format(&uc->addr, addr, sizeof(addr));
	if (uc->proto == HF_UPSTREAM_HTTPS)
		snprintf(full, sizeof(full), "%.*s", (int)strcspn(uc->url, "^"), uc->url);
	else if (uc->proto != HF_UPSTREAM_TLS)
		snprintf(full, sizeof(full), "%s", addr);
	else
		snprintf(full, sizeof(full), "tls://%s%s%s", addr, uc->tls_name[0] ? "#" : "",
		         uc->tls_name);
	snprintf(name, 64, "%.63s", full);
}

static int add_tls(struct hf_fwd_set *set, struct hf_upstream *s, const struct hf_upstream_conf *uc,
                   const char *tls_ca, char *err)
{
	if (set->tls_ctx == NULL) {
		char why[256];
		set->tls_ctx = hf_tls_ctx_new(tls_ca, why, sizeof(why));
		if (set->tls_ctx == NULL) {
			char ztext[HF_NAME_TEXT_MAX];
			if (hf_name_to_text(set->zone, ztext, sizeof(ztext)) < 0)
				ztext[0] = '\0';
			snprintf(err, HF_CONFIG_ERR_MAX, "forward: zone %.200s: %s", ztext, why);
			return HF_EINVAL;
		}
	}
	s->tls = hf_calloc(1, sizeof(*s->tls));
	if (s->tls == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		return HF_ENOMEM;
	}
	s->tls->ctx = set->tls_ctx;
	memcpy(s->tls->name, uc->tls_name, sizeof(s->tls->name));
	memcpy(s->tls->pins, uc->tls_pins, sizeof(s->tls->pins));
	s->tls->npins = uc->tls_npins;
	if (uc->proto == HF_UPSTREAM_HTTPS) {
		s->tls->https = true;
		memcpy(s->tls->authority, uc->http_authority, sizeof(s->tls->authority));
		memcpy(s->tls->path, uc->http_path, sizeof(s->tls->path));
	}
	return HF_OK;
}

static int add_server(struct hf_fwd_set *set, const struct hf_config *cfg,
                      const struct hf_upstream_conf *uc, const char *tls_ca, char *err)
{
	char name[64];
	server_name(uc, name);
	if (is_own_listen(cfg, &uc->addr)) {
		hf_log_warn(
		    "forward: %s is holdfast's own listen address; left out (it would loop)", name);
		return HF_OK;
	}
	if (set->n == HF_UPSTREAM_MAX_SERVERS) {
		hf_log_warn("forward: more than %d servers in one zone; %s left out",
		            HF_UPSTREAM_MAX_SERVERS, name);
		return HF_OK;
	}
	struct hf_upstream *s = &set->servers[set->n];
	memset(s, 0, sizeof(*s));
	s->addr = uc->addr;
	memcpy(s->name, name, sizeof(s->name));
	if (uc->proto == HF_UPSTREAM_TLS || uc->proto == HF_UPSTREAM_HTTPS) {
		int rc = add_tls(set, s, uc, tls_ca, err);
		if (rc != HF_OK)
			return rc;
	}
	set->n++;
	return HF_OK;
}

/* Reads "nameserver ADDR" lines (RFC-less but universal resolv.conf format). */
static size_t read_resolv_conf(const char *path, struct hf_upstream_conf *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char line[512];
	size_t n = 0;
	while (n < cap && fgets(line, sizeof(line), f) != NULL) {
		char addr[256];
		if (sscanf(line, " nameserver %255s", addr) != 1)
			continue;
		char *pct = strchr(addr, '%'); /* link-local scope: not supported */
		if (pct != NULL)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].proto = HF_UPSTREAM_DNS;
		if (hf_addr_parse(addr, 53, &out[n].addr) == HF_OK)
			n++;
	}
	fclose(f);
	return n;
}

static int build_set(struct hf_fwd_set *set, const uint8_t *zone, const struct hf_config *cfg,
                     const struct hf_upstream_conf *ucs, size_t n, const char *tls_ca, char *err)
{
	char ztext[HF_NAME_TEXT_MAX];
	memcpy(set->zone, zone, hf_name_len(zone));
	set->servers = hf_calloc(n ? n : 1, sizeof(struct hf_upstream));
	if (set->servers == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		return HF_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = add_server(set, cfg, &ucs[i], tls_ca, err);
		if (rc != HF_OK)
			return rc;
	}
	if (set->n == 0) {
		if (hf_name_to_text(zone, ztext, sizeof(ztext)) < 0)
			ztext[0] = '\0';
		snprintf(err, HF_CONFIG_ERR_MAX,
		         "forward: zone %.200s has no usable upstream server", ztext);
		return HF_EINVAL;
	}
	return HF_OK;
}

struct hf_upstreams *hf_upstreams_new(const struct hf_config *cfg, const char *resolv_conf,
                                      char err[HF_CONFIG_ERR_MAX])
{
	struct hf_upstreams *u = hf_calloc(1, sizeof(*u));
	if (u == NULL)
		goto nomem;
	size_t nzones = cfg->nforward + (cfg->forward_resolv_conf ? 1 : 0);
	u->zones = hf_calloc(nzones ? nzones : 1, sizeof(*u->zones));
	if (u->zones == NULL)
		goto nomem;
	for (size_t i = 0; i < cfg->nforward; i++) {
		const struct hf_forward_zone *fz = &cfg->forward[i];
		int rc = build_set(&u->zones[u->nzones++], fz->zone, cfg, fz->upstreams,
		                   fz->nupstreams, fz->tls_ca, err);
		if (rc != HF_OK)
			goto fail;
		u->zones[u->nzones - 1].trusted = fz->trusted;
	}
	if (cfg->forward_resolv_conf) {
		static const uint8_t root[1] = {0};
		struct hf_upstream_conf ucs[HF_UPSTREAM_MAX_SERVERS];
		size_t n = read_resolv_conf(resolv_conf, ucs, HF_UPSTREAM_MAX_SERVERS);
		if (n == 0) {
			snprintf(err, HF_CONFIG_ERR_MAX,
			         "%.300s: no nameserver to forward to (set forward: in the config)",
			         resolv_conf);
			goto fail;
		}
		if (build_set(&u->zones[u->nzones++], root, cfg, ucs, n, NULL, err) != HF_OK)
			goto fail;
	}
	return u;
nomem:
	snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
fail:
	hf_upstreams_free(u);
	return NULL;
}

void hf_upstreams_free(struct hf_upstreams *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->nzones; i++) {
		struct hf_fwd_set *set = &u->zones[i];
		for (size_t j = 0; set->servers != NULL && j < set->n; j++)
			hf_free(set->servers[j].tls);
		hf_free(set->servers);
		hf_tls_ctx_free(set->tls_ctx);
	}
	hf_free(u->zones);
	hf_free(u);
}

static struct hf_fwd_set *find(struct hf_upstreams *u, const uint8_t *qname, bool trusted)
{
	struct hf_fwd_set *best = NULL;
	unsigned best_labels = 0;
	for (size_t i = 0; i < u->nzones; i++) {
		unsigned labels = hf_name_labels(u->zones[i].zone);
		if (u->zones[i].trusted == trusted && (best == NULL || labels > best_labels) &&
		    hf_name_in_zone(qname, u->zones[i].zone)) {
			best = &u->zones[i];
			best_labels = labels;
		}
	}
	return best;
}

struct hf_fwd_set *hf_upstreams_find(struct hf_upstreams *u, const uint8_t *qname)
{
	return find(u, qname, false);
}

struct hf_fwd_set *hf_upstreams_find_trusted(struct hf_upstreams *u, const uint8_t *qname)
{
	return find(u, qname, true);
}

static bool is_down(const struct hf_upstream *s, uint64_t now_ms)
{
	return atomic_load_explicit(&s->down_until_ms, memory_order_relaxed) > now_ms;
}

int hf_upstream_pick(struct hf_fwd_set *set, uint32_t tried, uint64_t now_ms)
{
	int best = -1, live = 0, oldest_down = -1;
	uint32_t best_srtt = UINT32_MAX;
	uint64_t oldest = UINT64_MAX;
	for (size_t i = 0; i < set->n; i++) {
		const struct hf_upstream *s = &set->servers[i];
		if (tried & (1u << i))
			continue;
		if (is_down(s, now_ms)) {
			uint64_t until =
			    atomic_load_explicit(&s->down_until_ms, memory_order_relaxed);
			if (until < oldest) {
				oldest = until;
				oldest_down = (int)i;
			}
			continue;
		}
		live++;
		uint32_t srtt = atomic_load_explicit(&s->srtt_us, memory_order_relaxed);
		if (srtt < best_srtt) {
			best_srtt = srtt;
			best = (int)i;
		}
	}
	if (best < 0)
		return oldest_down;
	if (live > 1 && hf_random_below(EXPLORE_ONE_IN) == 0) {
		int skip = (int)hf_random_below((uint32_t)live);
		for (size_t i = 0; i < set->n; i++) {
			if ((tried & (1u << i)) || is_down(&set->servers[i], now_ms))
				continue;
			if (skip-- == 0)
				return (int)i;
		}
	}
	return best;
}

uint32_t hf_upstream_timeout_ms(const struct hf_upstream *s, uint32_t max_ms)
{
	uint32_t srtt = atomic_load_explicit(&s->srtt_us, memory_order_relaxed);
	/* A forwarder's answer time includes its own resolution, which varies far
	 * more than the network does: be generous around the smoothed figure. */
	uint32_t t = srtt == 0 ? TIMEOUT_UNKNOWN_MS : srtt / 1000 * 4 + 100;
	if (t < TIMEOUT_MIN_MS)
		t = TIMEOUT_MIN_MS;
	return t < max_ms ? t : max_ms;
}

static void rtt_observe(struct hf_upstream *s, uint32_t rtt_us)
{
	static const uint32_t bounds[] = HF_RTT_BUCKETS_US;
	_Static_assert(HF_ARRAY_LEN(bounds) + 1 == HF_RTT_BUCKETS, "one bucket more: +Inf");
	size_t b = 0;
	while (b < HF_ARRAY_LEN(bounds) && rtt_us > bounds[b])
		b++;
	atomic_fetch_add_explicit(&s->rtt_hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->rtt_sum_us, rtt_us, memory_order_relaxed);
}

void hf_upstream_answered(struct hf_upstream *s, uint32_t rtt_us)
{
	rtt_observe(s, rtt_us);
	uint32_t old = atomic_load_explicit(&s->srtt_us, memory_order_relaxed);
	uint32_t srtt = old == 0 ? rtt_us : (uint32_t)(((uint64_t)old * 7 + rtt_us) / 8);
	atomic_store_explicit(&s->srtt_us, srtt ? srtt : 1, memory_order_relaxed);
	atomic_store_explicit(&s->fails, 0, memory_order_relaxed);
	atomic_store_explicit(&s->down_until_ms, 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->answers, 1, memory_order_relaxed);
}

void hf_upstream_failed(struct hf_upstream *s, uint64_t now_ms)
{
	uint32_t old = atomic_load_explicit(&s->srtt_us, memory_order_relaxed);
	uint64_t srtt = (uint64_t)old * 2;
	if (srtt < SRTT_FAIL_MIN_US)
		srtt = SRTT_FAIL_MIN_US;
	if (srtt > SRTT_MAX_US)
		srtt = SRTT_MAX_US;
	atomic_store_explicit(&s->srtt_us, (uint32_t)srtt, memory_order_relaxed);
	uint32_t fails = atomic_fetch_add_explicit(&s->fails, 1, memory_order_relaxed) + 1;
	if (fails >= FAILS_BEFORE_DOWN) {
		unsigned shift = fails - FAILS_BEFORE_DOWN;
		uint64_t backoff = shift >= 6 ? DOWN_MAX_MS : (uint64_t)DOWN_BASE_MS << shift;
		if (backoff > DOWN_MAX_MS)
			backoff = DOWN_MAX_MS;
		atomic_store_explicit(&s->down_until_ms, now_ms + backoff, memory_order_relaxed);
		if (fails == FAILS_BEFORE_DOWN)
			hf_log_warn("upstream %s failed %u times in a row; set aside", s->name,
			            fails);
	}
}

/* --- DNS cookies (RFC 7873, RFC 9018) ------------------------------------------------------ */

static void cookie_lock(struct hf_upstream *s)
{
	while (atomic_flag_test_and_set_explicit(&s->cookie_lock, memory_order_acquire))
		;
}

static void cookie_unlock(struct hf_upstream *s)
{
	atomic_flag_clear_explicit(&s->cookie_lock, memory_order_release);
}

void hf_upstream_cookie_opt(struct hf_upstream *s, struct hf_build_opt *opt, uint8_t buf[40])
{
	struct hf_edns_cookie c;
	cookie_lock(s);
	if (!s->cookie_made) {
		/* Random per server (RFC 9018 §3 would have a keyed hash; random is as
		 * unguessable). */
		hf_random_bytes(s->client_cookie, sizeof(s->client_cookie));
		s->cookie_made = true;
	}
	memcpy(c.client, s->client_cookie, sizeof(c.client));
	memcpy(c.server, s->server_cookie, s->server_cookie_len);
	c.server_len = s->server_cookie_len;
	cookie_unlock(s);
	int n = hf_edns_cookie_encode(&c, buf, 40);
	*opt = (struct hf_build_opt){
	    .code = HF_EDNS_COOKIE, .len = n > 0 ? (uint16_t)n : 0, .data = buf};
}

int hf_upstream_cookie_check(struct hf_upstream *s, const uint8_t *opts, size_t len)
{
	struct hf_edns_opt o;
	struct hf_edns_cookie c;
	if (!hf_edns_find(opts, len, HF_EDNS_COOKIE, &o))
		return 0;
	if (hf_edns_cookie_parse(&o, &c) != HF_OK)
		return -1;
	cookie_lock(s);
	bool ours = s->cookie_made && memcmp(c.client, s->client_cookie, sizeof(c.client)) == 0;
	cookie_unlock(s);
	return ours ? 1 : -1;
}

void hf_upstream_cookie_learn(struct hf_upstream *s, const uint8_t *opts, size_t len)
{
	struct hf_edns_opt o;
	struct hf_edns_cookie c;
	if (!hf_edns_find(opts, len, HF_EDNS_COOKIE, &o) || hf_edns_cookie_parse(&o, &c) != HF_OK ||
	    c.server_len == 0)
		return;
	cookie_lock(s);
	if (s->cookie_made && memcmp(c.client, s->client_cookie, sizeof(c.client)) == 0) {
		memcpy(s->server_cookie, c.server, c.server_len);
		s->server_cookie_len = c.server_len;
	}
	cookie_unlock(s);
}
