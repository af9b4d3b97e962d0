/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every figure once, written two ways from the same code: /metrics in the
 * Prometheus text format (0.0.4: "# HELP", "# TYPE", one sample a line,
 * label values escaped) and /api/stats as one flat JSON object whose keys
 * are the same series names with their labels. Names follow Prometheus
 * conventions: holdfast_ prefix, snake_case, units in the name, counters
 * end in _total.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control/impl.h"
#include "policy/policy.h"
#include "server/server.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/pkt.h"

#define LABELS_MAX 256

struct sink {
	json_t *obj; /* the JSON form; NULL for text */
	char *buf;   /* the text form */
	size_t len, cap;
	bool failed;
	const char *family;
};

static void put(struct sink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct sink *k, const char *fmt, ...)
{
	for (int attempt = 0; attempt < 2 && !k->failed; attempt++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(k->buf + k->len, k->cap - k->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			k->failed = true;
		} else if ((size_t)n < k->cap - k->len) {
			k->len += (size_t)n;
			return;
		} else {
			size_t cap = (k->cap + (size_t)n) * 2;
			char *b = hf_realloc(k->buf, cap);
			if (b == NULL)
				k->failed = true;
			else {
				k->buf = b;
				k->cap = cap;
			}
		}
	}
}

/* Starts a metric family: its HELP and TYPE lines (text form only). */
static void family(struct sink *k, const char *name, const char *type, const char *help)
{
	k->family = name;
	if (k->obj == NULL)
		put(k, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample of the current family; suffix is "" or _bucket, _sum, _count. */
static void sample(struct sink *k, const char *suffix, const char *labels, double value)
{
	char name[160];
	snprintf(name, sizeof(name), "%s%s%s%s%s", k->family, suffix, labels[0] ? "{" : "", labels,
	         labels[0] ? "}" : "");
	bool integral = value > -9e15 && value < 9e15 && value == (double)(long long)value;
	if (k->obj != NULL) {
		json_object_set_new(k->obj, name,
		                    integral ? json_integer((json_int_t)value) : json_real(value));
	} else if (integral) {
		put(k, "%s %lld\n", name, (long long)value);
	} else {
		put(k, "%s %.9g\n", name, value);
	}
}

/* Appends key="value" (escaped as the format wants: \\, \" and \n) to labels. */
static void label(char labels[LABELS_MAX], const char *key, const char *value)
{
	size_t n = strlen(labels);
	int w = snprintf(labels + n, LABELS_MAX - n, "%s%s=\"", n ? "," : "", key);
	if (w < 0 || (size_t)w >= LABELS_MAX - n)
		return;
	n += (size_t)w;
	for (const char *p = value; *p != '\0' && n + 4 < LABELS_MAX; p++) {
		if (*p == '\\' || *p == '"' || *p == '\n') {
			labels[n++] = '\\';
			labels[n++] = *p == '\n' ? 'n' : *p;
		} else {
			labels[n++] = *p;
		}
	}
	labels[n++] = '"';
	labels[n] = '\0';
}

static void sample1(struct sink *k, const char *key, const char *value, double v)
{
	char l[LABELS_MAX] = "";
	label(l, key, value);
	sample(k, "", l, v);
}

/* --- the families ------------------------------------------------------------------- */

static const char *result_name(unsigned r, char buf[16])
{
	if (r == HF_SERVER_DROPPED)
		return "dropped";
	const char *n = hf_rcode_name(r);
	if (n == NULL)
		snprintf(buf, 16, "RCODE%u", r);
	return n != NULL ? n : buf;
}

static void queries(struct sink *k, const struct hf_ctl_figures *f)
{
	static const char *const transport[] = {"udp", "tcp"};
	family(k, "holdfast_queries_total", "counter",
	       "Client queries answered, by transport and result (RCODE sent, or dropped).");
	for (int t = 0; t < 2; t++) {
		for (unsigned r = 0; r < HF_SERVER_RESULTS; r++) {
			/* The usual results always, so a series exists before its first count. */
			bool usual = r <= HF_RCODE_REFUSED || r == HF_SERVER_DROPPED;
			if (!usual && f->srv.answers[t][r] == 0)
				continue;
			char l[LABELS_MAX] = "", buf[16];
			label(l, "transport", transport[t]);
			label(l, "result", result_name(r, buf));
			sample(k, "", l, (double)f->srv.answers[t][r]);
		}
	}
}

static void answers(struct sink *k, const struct hf_ctl_figures *f)
{
	family(k, "holdfast_cache_hits_total", "counter",
	       "Queries answered from a cache without asking upstream.");
	sample1(k, "cache", "packet", (double)f->srv.pcache_hits);
	sample1(k, "cache", "record", (double)f->srv.cache_hits);
	family(k, "holdfast_resolutions_total", "counter",
	       "Queries the caches could not answer, sent to resolution.");
	sample(k, "", "", (double)f->srv.resolving);
	family(k, "holdfast_stale_answers_total", "counter",
	       "Answers served from expired cache data (RFC 8767).");
	sample(k, "", "", (double)f->srv.stale);
	family(k, "holdfast_local_answers_total", "counter",
	       "Answers from the built-in local zones (local data counts as a policy answer).");
	sample(k, "", "", (double)f->srv.local);
}

static void flood(struct sink *k, const struct hf_ctl_figures *f)
{
	family(k, "holdfast_ratelimited_total", "counter",
	       "UDP queries over their client prefix's rate (ratelimit.*): dropped, or "
	       "answered truncated (slipped) so the client retries over TCP.");
	sample1(k, "action", "dropped", (double)f->srv.ratelimit_dropped);
	sample1(k, "action", "slipped", (double)f->srv.ratelimit_slipped);
	family(k, "holdfast_resolutions_refused_total", "counter",
	       "Cache misses not resolved for a flood limit (they got a stale answer or "
	       "SERVFAIL), by limit: resolver.max-per-client, max-per-zone, max-pending.");
	sample1(k, "limit", "client", (double)f->srv.refused_client);
	sample1(k, "limit", "zone", (double)f->srv.refused_zone);
	sample1(k, "limit", "pending", (double)f->srv.shed);
	family(k, "holdfast_resolutions_pending", "gauge", "Resolutions in flight now.");
	sample(k, "", "", (double)f->srv.pending);
}

static void caches(struct sink *k, const struct hf_ctl_figures *f)
{
	family(k, "holdfast_cache_entries", "gauge", "Entries in each cache.");
	sample1(k, "cache", "packet", (double)f->pkt.entries);
	sample1(k, "cache", "record", (double)f->rec.entries);
	family(k, "holdfast_cache_bytes", "gauge", "Memory each cache takes, in bytes.");
	sample1(k, "cache", "packet", (double)f->pkt.bytes);
	sample1(k, "cache", "record", (double)f->rec.bytes);
	family(k, "holdfast_cache_evictions_total", "counter",
	       "Entries evicted to stay within the cache size.");
	sample1(k, "cache", "packet", (double)f->pkt.evictions);
	sample1(k, "cache", "record", (double)f->rec.evictions);
}

static void upstream_counts(struct sink *k, const struct hf_ctl_figures *f)
{
	family(k, "holdfast_upstream_queries_total", "counter", "Queries sent to each upstream.");
	for (size_t i = 0; i < f->nup; i++)
		sample1(k, "server", f->up[i].name, (double)f->up[i].queries);
	family(k, "holdfast_upstream_timeouts_total", "counter",
	       "Queries to each upstream that got no usable reply in time.");
	for (size_t i = 0; i < f->nup; i++)
		sample1(k, "server", f->up[i].name, (double)f->up[i].timeouts);
	family(k, "holdfast_upstream_up", "gauge",
	       "1 when the upstream is being asked, 0 while it is held down after failures.");
	for (size_t i = 0; i < f->nup; i++)
		sample1(k, "server", f->up[i].name, f->up[i].down ? 0 : 1);
}

static void verdicts(struct sink *k, const struct hf_ctl_figures *f)
{
	static const char *const name[] = {"accepted", "doubted", "rejected"};
	family(k, "holdfast_upstream_replies_total", "counter",
	       "Replies from each upstream, by the response guard's verdict.");
	uint64_t sum[3] = {0};
	for (size_t i = 0; i < f->nup; i++) {
		const uint64_t v[3] = {f->up[i].accepted, f->up[i].doubted, f->up[i].rejected};
		for (int j = 0; j < 3; j++) {
			char l[LABELS_MAX] = "";
			label(l, "server", f->up[i].name);
			label(l, "verdict", name[j]);
			sample(k, "", l, (double)v[j]);
			sum[j] += v[j];
		}
	}
	family(k, "holdfast_guard_replies_total", "counter",
	       "Upstream replies judged by the response guard, by verdict.");
	for (int j = 0; j < 3; j++)
		sample1(k, "verdict", name[j], (double)sum[j]);
}

static void rtt(struct sink *k, const struct hf_ctl_figures *f)
{
	static const uint32_t bounds[] = HF_RTT_BUCKETS_US;
	family(k, "holdfast_upstream_rtt_seconds", "histogram",
	       "Round-trip time of answers from each upstream, in seconds.");
	for (size_t i = 0; i < f->nup; i++) {
		const struct hf_ctl_upstream *u = &f->up[i];
		uint64_t cum = 0;
		for (size_t b = 0; b < HF_RTT_BUCKETS; b++) {
			char l[LABELS_MAX] = "", le[32];
			cum += u->rtt_hist[b];
			if (b < HF_RTT_BUCKETS - 1)
				snprintf(le, sizeof(le), "%g", bounds[b] / 1e6);
			else
				snprintf(le, sizeof(le), "+Inf");
			label(l, "server", u->name);
			label(l, "le", le);
			sample(k, "_bucket", l, (double)cum);
		}
		char l[LABELS_MAX] = "";
		label(l, "server", u->name);
		sample(k, "_sum", l, (double)u->rtt_sum_us / 1e6);
		sample(k, "_count", l, (double)cum);
	}
}

struct rule_pass {
	struct sink *k;
	bool incidents;
};

static void rule_sample(void *ctx, const char *rule, uint64_t events, uint64_t incidents)
{
	struct rule_pass *p = ctx;
	uint64_t v = p->incidents ? incidents : events;
	if (v != 0)
		sample1(p->k, "rule", rule, (double)v);
}

static void detections(struct sink *k, struct hf_ctl_view *v, const struct hf_ctl_figures *f)
{
	family(k, "holdfast_events_total", "counter",
	       "Suspected-hijack evidence events recorded (all rules).");
	sample(k, "", "", (double)f->hub.events);
	family(k, "holdfast_event_rules_total", "counter",
	       "Rules that fired in evidence events, by rule (an event may name several).");
	struct rule_pass p = {.k = k, .incidents = false};
	hf_hub_rules(v->hub, rule_sample, &p);
	family(k, "holdfast_incidents_total", "counter", "Incidents opened, by rule.");
	p.incidents = true;
	hf_hub_rules(v->hub, rule_sample, &p);
	family(k, "holdfast_incidents_open", "gauge", "Incidents still going on.");
	sample(k, "", "", (double)f->hub.incidents_open);
}

static void source_hits(void *ctx, const char *name, enum hf_policy_kind kind,
                        const uint64_t hits[HF_POLICY_ACTIONS])
{
	static const char *const kinds[] = {"local-data", "rpz", "blocklist"};
	for (int a = 0; a < HF_POLICY_ACTIONS; a++) {
		if (hits[a] == 0)
			continue;
		char l[LABELS_MAX] = "";
		label(l, "source", name);
		label(l, "kind", kinds[kind]);
		label(l, "action", hf_policy_action_name((enum hf_policy_action)a));
		sample(ctx, "", l, (double)hits[a]);
	}
}

/* The running policy's figures; its counters start again at each reload. */
static void policy(struct sink *k, struct hf_ctl_view *v, const struct hf_ctl_figures *f)
{
	struct hf_policy *p = hf_server_policy(v->server);
	family(k, "holdfast_policy_answers_total", "counter",
	       "Queries answered by local data or policy before the caches.");
	sample(k, "", "", (double)f->srv.policy);
	family(k, "holdfast_policy_hits_total", "counter",
	       "Policy rules applied, by zone or list and action, since the policy loaded.");
	if (p != NULL)
		hf_policy_each_source(p, source_hits, k);
	family(k, "holdfast_policy_rules_suspended", "gauge",
	       "Rules of the running policy the breaker suspended.");
	sample(k, "", "", (double)hf_policy_suspended(p));
	family(k, "holdfast_policy_refused_total", "counter",
	       "Policy loads the blast-radius guard refused.");
	sample(k, "", "", (double)hf_server_policy_refused(v->server));
}

static void process(struct sink *k, struct hf_ctl_view *v, const struct hf_ctl_figures *f)
{
	family(k, "holdfast_uptime_seconds", "gauge", "Seconds since holdfast started.");
	sample(k, "", "", (double)(f->now_s - v->started_s));
	family(k, "holdfast_build_info", "gauge", "The running version (always 1).");
	sample1(k, "version", v->version, 1);
	family(k, "holdfast_workers", "gauge", "Worker threads answering queries.");
	sample(k, "", "", f->srv.workers);
}

static int collect(struct hf_ctl_view *v, struct sink *k)
{
	struct hf_ctl_figures f;
	int rc = hf_ctl_figures(v, &f);
	if (rc == HF_OK) {
		process(k, v, &f);
		queries(k, &f);
		answers(k, &f);
		flood(k, &f);
		caches(k, &f);
		upstream_counts(k, &f);
		verdicts(k, &f);
		rtt(k, &f);
		detections(k, v, &f);
		policy(k, v, &f);
	}
	hf_ctl_figures_clear(&f);
	return rc != HF_OK || k->failed ? HF_ENOMEM : HF_OK;
}

char *hf_ctl_metrics(struct hf_ctl_view *v, size_t *len)
{
	struct sink k = {.cap = 16384};
	k.buf = hf_malloc(k.cap);
	if (k.buf == NULL)
		return NULL;
	if (collect(v, &k) != HF_OK) {
		hf_free(k.buf);
		return NULL;
	}
	*len = k.len;
	return k.buf;
}

json_t *hf_ctl_stats(struct hf_ctl_view *v)
{
	struct sink k = {.obj = json_object()};
	if (k.obj == NULL || collect(v, &k) != HF_OK) {
		json_decref(k.obj);
		return NULL;
	}
	return k.obj;
}
