/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The run-time breaker. A rule that suddenly matches far more of the traffic
 * than before is what a misfire looks like (2014: a list that matched
 * everything), so within each window (policy.breaker.window) a rule trips
 * when all of these hold:
 *
 *   - it matched more than policy.breaker.share of the window's queries,
 *   - at least policy.breaker.min-hits times,
 *   - more than policy.breaker.growth times its hits in earlier windows
 *     (an average; a rule new to the traffic has none),
 *   - it covers many names (see can_misfire: not a rule for one exact name).
 *
 * The check runs every second on the counts so far, so a misfire is cut
 * within a second or two of reaching min-hits, not at the window's end.
 * A tripped rule is suspended: lookups pass over it as if it did not
 * exist, the rest of the policy goes on, and an incident "policy-breaker"
 * names the rule, its zone or list, the share and sample names. The rule
 * stays suspended, and the incident open, until the operator reloads (a
 * new policy): the operator has to look at a rule that misfired, and a rule
 * that came back by itself after a quiet spell would misfire again.
 *
 * Only rules hit in the window are looked at (the "touched" list workers
 * fill on a rule's first hit in a window), so a list of a million names
 * costs the breaker nothing while they are not asked.
 */
#include <stdio.h>
#include <string.h>

#include "guard/incidents.h"
#include "policy/impl.h"
#include "util/alloc.h"
#include "util/jsonw.h"
#include "util/log.h"

#define SAMPLE_NAMES 8

void hf_policy_set_breaker(struct hf_policy *p, const struct hf_policy_breaker_opts *o)
{
	p->br.o = *o;
	if (p->br.o.window_s == 0)
		p->br.o.window_s = 1;
}

unsigned hf_policy_suspended(const struct hf_policy *p)
{
	return p != NULL ? atomic_load(&p->br.suspended) : 0;
}

/*
 * Only a rule that covers many names can misfire the 2014 way: a wildcard, a
 * subtree, an address prefix, a name server serving many zones. A rule for
 * one exact name (local data, a hosts-file entry) that gets busy is one name
 * getting popular (a printer polled by every device, a news site on a big
 * day): no misfire, whatever its share.
 */
static bool can_misfire(const struct hf_policy_rule *r)
{
	return r->key[0] != TRIG_QNAME;
}

static bool trips(const struct hf_policy_breaker_opts *o, uint32_t hits, uint64_t queries,
                  uint32_t baseline)
{
	return hits >= o->min_hits && (uint64_t)hits * 10000 > (uint64_t)o->share_bp * queries &&
	       (uint64_t)hits > (uint64_t)o->growth * baseline;
}

/* Sample names the rule decides for, from the recent questions, as a JSON array. */
static void sample_names(struct hf_policy *p, const struct hf_policy_rule *r,
                         struct hf_policy_sample *s, char *out, size_t cap)
{
	struct hf_jsonw o = {.buf = out, .cap = cap};
	uint8_t(*names)[HF_NAME_MAX] = NULL;
	size_t n = 0;
	unsigned shown = 0;
	hf_jsonw_put(&o, "[");
	if (s != NULL && r->key[0] != TRIG_IP)
		names = hf_policy_sample_names(s, &n);
	for (size_t i = 0; i < n && shown < SAMPLE_NAMES; i++) {
		char t[HF_NAME_TEXT_MAX];
		if (hf_policy_qname_lookup(p, names[i], true) != r ||
		    hf_name_to_text(names[i], t, sizeof(t)) < 0 || strstr(out, t) != NULL)
			continue;
		hf_jsonw_put(&o, shown++ ? "," : "");
		hf_jsonw_str(&o, t);
	}
	hf_jsonw_put(&o, "]");
	hf_free(names);
	if (o.full)
		snprintf(out, cap, "[]");
}

static size_t trip_json(const struct tripped *t, int64_t end, char *buf, size_t cap)
{
	struct hf_jsonw o = {.buf = buf, .cap = cap};
	char rule[HF_NAME_TEXT_MAX + 16], why[2048];
	const struct hf_policy_rule *r = t->rule;
	double share = t->queries ? (double)t->hits / (double)t->queries : 1.0;
	hf_policy_rule_text(r, rule, sizeof(rule));
	snprintf(why, sizeof(why),
	         "policy rule %s (%s, line %u) matched %u of %llu queries (%.0f%%): suspended, the "
	         "rest of the policy applies; a reload of the policy ends it",
	         rule, r->src->name, r->line, t->hits, (unsigned long long)t->queries, share * 100);
	hf_jsonw_put(&o,
	             "{\"type\":\"incident\",\"id\":%llu,\"rule\":\"policy-breaker\","
	             "\"state\":\"%s\",\"policy_rule\":",
	             (unsigned long long)t->id, end ? "closed" : "open");
	hf_jsonw_str(&o, rule);
	hf_jsonw_put(&o, ",\"source\":");
	hf_jsonw_str(&o, r->src->name);
	hf_jsonw_put(&o,
	             ",\"action\":\"%s\",\"line\":%u,\"hits\":%u,\"queries\":%llu,"
	             "\"share\":%.3f,\"sample\":%s",
	             hf_policy_action_name((enum hf_policy_action)r->action), r->line, t->hits,
	             (unsigned long long)t->queries, share, t->sample);
	hf_jsonw_put(&o, ",\"start\":%lld,\"last\":%lld,\"end\":", (long long)t->start,
	             (long long)(end ? end : t->start));
	if (end)
		hf_jsonw_put(&o, "%lld", (long long)end);
	else
		hf_jsonw_put(&o, "null");
	hf_jsonw_put(&o, ",\"why\":");
	hf_jsonw_str(&o, why);
	hf_jsonw_put(&o, "}");
	return o.full ? 0 : o.len;
}

static void suspend(struct hf_policy *p, struct hf_policy_rule *r, uint32_t hits, uint64_t queries,
                    struct hf_policy_sample *s, struct hf_incidents *inc, int64_t now)
{
	atomic_store(&r->suspended, true);
	atomic_fetch_add(&p->br.suspended, 1);
	struct tripped t = {.rule = r, .start = now, .hits = hits, .queries = queries};
	sample_names(p, r, s, t.sample, sizeof(t.sample));
	t.id = hf_incidents_new_id(inc);
	char json[HF_INCIDENT_JSON_MAX];
	size_t len = trip_json(&t, 0, json, sizeof(json));
	hf_log_error("policy breaker: %.*s", (int)len, json);
	hf_incidents_report(inc, t.id, "policy-breaker", HF_INCIDENT_OPEN, json, len);
	if (p->br.nopen < BREAKER_OPEN)
		p->br.open[p->br.nopen++] = t;
}

/* The window ends: each touched rule's hits join its average, and a new window begins. */
static void roll(struct hf_policy *p, size_t nt, uint64_t queries, int64_t now)
{
	for (size_t i = 0; i < nt; i++) {
		struct hf_policy_rule *r = atomic_load(&p->br.touched[i]);
		if (r == NULL)
			continue;
		uint32_t h = atomic_load_explicit(&r->hits, memory_order_relaxed);
		r->baseline = (r->baseline + h + 1) / 2;
		atomic_store_explicit(&p->br.touched[i], NULL, memory_order_relaxed);
	}
	atomic_fetch_add(&p->br.epoch, 1);
	atomic_store(&p->br.ntouched, 0);
	p->br.window_start = now;
	p->br.window_queries = queries;
}

unsigned hf_policy_tick(struct hf_policy *p, uint64_t queries, struct hf_policy_sample *s,
                        struct hf_incidents *inc, int64_t now)
{
	unsigned tripped = 0;
	if (p == NULL || !p->br.o.enabled)
		return 0;
	pthread_mutex_lock(&p->br.lock);
	if (!p->br.started) {
		p->br.started = true;
		p->br.window_start = now;
		p->br.window_queries = queries;
	}
	uint64_t q = queries - p->br.window_queries;
	size_t nt = atomic_load(&p->br.ntouched);
	nt = nt < TOUCHED_MAX ? nt : TOUCHED_MAX;
	for (size_t i = 0; i < nt; i++) {
		struct hf_policy_rule *r = atomic_load(&p->br.touched[i]);
		if (r == NULL || atomic_load(&r->suspended) || !can_misfire(r))
			continue;
		uint32_t h = atomic_load_explicit(&r->hits, memory_order_relaxed);
		if (trips(&p->br.o, h, q, r->baseline)) {
			suspend(p, r, h, q, s, inc, now);
			tripped++;
		}
	}
	if (now - p->br.window_start >= (int64_t)p->br.o.window_s)
		roll(p, nt, queries, now);
	pthread_mutex_unlock(&p->br.lock);
	return tripped;
}

void hf_policy_retire(struct hf_policy *p, struct hf_incidents *inc, int64_t now)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->br.lock);
	for (unsigned i = 0; i < p->br.nopen; i++) {
		char json[HF_INCIDENT_JSON_MAX];
		size_t len = trip_json(&p->br.open[i], now, json, sizeof(json));
		hf_incidents_report(inc, p->br.open[i].id, "policy-breaker", HF_INCIDENT_CLOSE,
		                    json, len);
	}
	p->br.nopen = 0;
	p->br.o.enabled = false; /* retired: nothing new trips in it */
	pthread_mutex_unlock(&p->br.lock);
}
