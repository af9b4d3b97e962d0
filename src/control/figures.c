/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The figures the control plane shows: one snapshot of the server's
 * counters, the caches and the upstreams, the samples behind the "last
 * minute" rates, and the JSON answers built from the hub (status, timeline,
 * events, incidents).
 */
#include <stdio.h>
#include <string.h>

#include "control/impl.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/err.h"

#define LYING_WINDOW_S      300 /* a hijack event this recent still says "network-lying" */
#define DOWN_MIN_QUERIES    3   /* fewer upstream queries in a minute say nothing */
#define STATUS_NAME_SERVERS 16  /* name servers down or on TCP only shown in the status */

void hf_ctl_view_init(struct hf_ctl_view *v, struct hf_server *s, const char *version)
{
	memset(v, 0, sizeof(*v));
	v->server = s;
	v->hub = hf_server_hub(s);
	v->version = version != NULL ? version : "";
	v->started_s = hf_clock_wall();
	v->started_ms = hf_clock_mono_ms();
	pthread_mutex_init(&v->lock, NULL);
}

void hf_ctl_view_clear(struct hf_ctl_view *v)
{
	pthread_mutex_destroy(&v->lock);
}

/* --- one snapshot ------------------------------------------------------------------ */

struct up_walk {
	struct hf_ctl_figures *f;
};

static struct hf_ctl_upstream *up_slot(struct hf_ctl_figures *f, const char *name)
{
	for (size_t i = 0; i < f->nup; i++) {
		if (strcmp(f->up[i].name, name) == 0)
			return &f->up[i];
	}
	if (f->nup == HF_CTL_UPSTREAMS_MAX)
		return &f->up[HF_CTL_UPSTREAMS_MAX - 1];
	struct hf_ctl_upstream *u = &f->up[f->nup++];
	snprintf(u->name, sizeof(u->name), "%s", f->nup == HF_CTL_UPSTREAMS_MAX ? "other" : name);
	return u;
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static void add_upstream(void *ctx, const struct hf_upstream *s, bool forwarder)
{
	struct hf_ctl_figures *f = ctx;
	uint64_t queries = LOAD(s->queries);
	bool down = LOAD(s->down_until_ms) > f->now_ms,
	     tcp_only = LOAD(s->tcp_until_ms) > f->now_ms;
	/* Name servers iteration met but never asked stay out: they are many and say nothing.
	 * (Its queries count in answers and timeouts: the iterator sends without counting.) */
	if (!forwarder && queries == 0 && LOAD(s->answers) == 0 && !down && !tcp_only)
		return;
	struct hf_ctl_upstream *u = up_slot(f, s->name);
	u->forwarder |= forwarder;
	u->down |= down;
	u->tcp_only |= tcp_only;
	u->srtt_us = LOAD(s->srtt_us);
	u->queries += queries;
	u->answers += LOAD(s->answers);
	u->timeouts += LOAD(s->timeouts);
	u->accepted += LOAD(s->accepted);
	u->doubted += LOAD(s->doubted);
	u->rejected += LOAD(s->rejected);
	for (size_t b = 0; b < HF_RTT_BUCKETS; b++)
		u->rtt_hist[b] += LOAD(s->rtt_hist[b]);
	u->rtt_sum_us += LOAD(s->rtt_sum_us);
}

int hf_ctl_figures(struct hf_ctl_view *v, struct hf_ctl_figures *f)
{
	memset(f, 0, sizeof(*f));
	f->now_s = hf_clock_wall();
	f->now_ms = hf_clock_mono_ms();
	f->up = hf_calloc(HF_CTL_UPSTREAMS_MAX, sizeof(*f->up));
	if (f->up == NULL)
		return HF_ENOMEM;
	hf_server_stats(v->server, &f->srv);
	hf_cache_stats(hf_server_cache(v->server), &f->rec);
	hf_pcache_stats(hf_server_pcache(v->server), &f->pkt);
	hf_server_upstreams(v->server, add_upstream, f);
	hf_hub_summary(v->hub, &f->hub);
	return HF_OK;
}

void hf_ctl_figures_clear(struct hf_ctl_figures *f)
{
	hf_free(f->up);
	f->up = NULL;
}

/* --- the last minute ---------------------------------------------------------------- */

static void current_sample(struct hf_ctl_view *v, struct hf_ctl_sample *out)
{
	struct hf_ctl_figures f;
	memset(out, 0, sizeof(*out));
	if (hf_ctl_figures(v, &f) == HF_OK) {
		out->t_ms = f.now_ms;
		out->queries = f.srv.queries;
		out->hits = f.srv.pcache_hits + f.srv.cache_hits;
		for (size_t i = 0; i < f.nup; i++) {
			out->up_queries += f.up[i].queries;
			out->up_timeouts += f.up[i].timeouts;
		}
	}
	hf_ctl_figures_clear(&f);
}

void hf_ctl_sample(struct hf_ctl_view *v)
{
	struct hf_ctl_sample s;
	current_sample(v, &s);
	pthread_mutex_lock(&v->lock);
	v->samples[v->next_sample] = s;
	v->next_sample = (v->next_sample + 1) % HF_CTL_SAMPLES;
	pthread_mutex_unlock(&v->lock);
}

/* now minus the oldest sample within the last minute (or since start). */
static void last_minute(struct hf_ctl_view *v, struct hf_ctl_sample *d, double *secs)
{
	struct hf_ctl_sample now, base = {.t_ms = v->started_ms};
	current_sample(v, &now);
	pthread_mutex_lock(&v->lock);
	for (size_t i = 0; i < HF_CTL_SAMPLES; i++) {
		const struct hf_ctl_sample *s = &v->samples[i];
		if (s->t_ms != 0 && s->t_ms + 60000 >= now.t_ms && s->t_ms < now.t_ms &&
		    (base.t_ms == v->started_ms || s->t_ms < base.t_ms))
			base = *s;
	}
	pthread_mutex_unlock(&v->lock);
	d->queries = now.queries - base.queries;
	d->hits = now.hits - base.hits;
	d->up_queries = now.up_queries - base.up_queries;
	d->up_timeouts = now.up_timeouts - base.up_timeouts;
	*secs = (double)(now.t_ms - base.t_ms) / 1000.0;
	if (*secs < 1)
		*secs = 1;
}

/* --- /api/status ---------------------------------------------------------------------- */

struct state {
	const char *name;
	char why[256];
};

static void judge(const struct hf_ctl_figures *f, const struct hf_ctl_sample *d,
                  const uint64_t o[HF_OUTCOME_COUNT], struct state *st)
{
	size_t forwarders = 0, down = 0;
	for (size_t i = 0; i < f->nup; i++) {
		forwarders += f->up[i].forwarder;
		down += f->up[i].forwarder && f->up[i].down;
	}
	int64_t since_event = f->hub.last_event_s ? f->now_s - f->hub.last_event_s : -1;
	if (f->hub.incidents_open > 0 || (since_event >= 0 && since_event < LYING_WINDOW_S)) {
		st->name = "network-lying";
		snprintf(st->why, sizeof(st->why),
		         "%llu incident(s) open; last suspected hijack %llds ago; %llu forged "
		         "answers caught in the last minute",
		         (unsigned long long)f->hub.incidents_open, (long long)since_event,
		         (unsigned long long)o[HF_OUTCOME_FORGED_CAUGHT]);
	} else if ((forwarders > 0 && down == forwarders) ||
	           (d->up_queries >= DOWN_MIN_QUERIES && d->up_timeouts * 2 > d->up_queries)) {
		st->name = "upstream-down";
		snprintf(st->why, sizeof(st->why),
		         "%zu of %zu forwarders down; %llu of %llu upstream queries timed out in "
		         "the last minute",
		         down, forwarders, (unsigned long long)d->up_timeouts,
		         (unsigned long long)d->up_queries);
	} else if (o[HF_OUTCOME_STALE] > 0) {
		st->name = "serving-stale";
		snprintf(
		    st->why, sizeof(st->why),
		    "%llu stale answers in the last minute (upstreams failing for those names)",
		    (unsigned long long)o[HF_OUTCOME_STALE]);
	} else {
		st->name = "healthy";
		snprintf(st->why, sizeof(st->why),
		         "%llu queries in the last minute, %llu failed, no stale answers, no "
		         "suspected hijacks",
		         (unsigned long long)d->queries, (unsigned long long)o[HF_OUTCOME_FAILED]);
	}
}

/*
 * The forwarders, and the name servers iteration asked that are down or on
 * TCP only now (the ones worth a look: a doubted server is asked over TCP),
 * at most STATUS_NAME_SERVERS of those.
 */
static json_t *upstreams_json(const struct hf_ctl_figures *f)
{
	json_t *a = json_array();
	unsigned shown = 0;
	for (size_t i = 0; a != NULL && i < f->nup; i++) {
		const struct hf_ctl_upstream *u = &f->up[i];
		if (!u->forwarder && (!(u->down || u->tcp_only) || shown++ >= STATUS_NAME_SERVERS))
			continue;
		const char *state = u->down ? "down" : u->tcp_only ? "tcp-only" : "up";
		json_array_append_new(a,
		                      json_pack("{s:s, s:f, s:s, s:s}", "server", u->name, "rtt_ms",
		                                u->srtt_us / 1000.0, "state", state, "kind",
		                                u->forwarder ? "forwarder" : "name server"));
	}
	return a;
}

json_t *hf_ctl_status(struct hf_ctl_view *v)
{
	struct hf_ctl_figures f;
	json_t *j = NULL;
	if (hf_ctl_figures(v, &f) != HF_OK)
		goto out;
	struct hf_ctl_sample d;
	double secs;
	last_minute(v, &d, &secs);
	uint64_t o[HF_OUTCOME_COUNT];
	hf_hub_last_minute(v->hub, f.now_s, o);
	struct state st;
	judge(&f, &d, o, &st);
	j = json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:o}", "state", st.name,
	    "why", st.why, "version", v->version, "uptime_s", (json_int_t)(f.now_s - v->started_s),
	    "queries", (json_int_t)f.srv.queries, "qps_1m", (double)d.queries / secs,
	    "cache_hit_ratio_1m", d.queries ? (double)d.hits / (double)d.queries : 0.0, "stale_1m",
	    (json_int_t)o[HF_OUTCOME_STALE], "failed_1m", (json_int_t)o[HF_OUTCOME_FAILED],
	    "forged_caught_1m", (json_int_t)o[HF_OUTCOME_FORGED_CAUGHT], "events",
	    (json_int_t)f.hub.events, "incidents_open", (json_int_t)f.hub.incidents_open,
	    "upstreams", upstreams_json(&f));
out:
	hf_ctl_figures_clear(&f);
	return j;
}

/* --- the hub's records ------------------------------------------------------------------ */

json_t *hf_ctl_timeline(struct hf_ctl_view *v, size_t minutes)
{
	struct hf_hub_point *pts = hf_calloc(HF_HUB_MINUTES, sizeof(*pts));
	if (pts == NULL)
		return NULL;
	size_t n = hf_hub_timeline(v->hub, hf_clock_wall(), minutes, pts);
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(
		    a, json_pack("{s:I, s:I, s:I, s:I, s:I}", "t", (json_int_t)pts[i].t, "honest",
		                 (json_int_t)pts[i].n[HF_OUTCOME_HONEST], "forged_caught",
		                 (json_int_t)pts[i].n[HF_OUTCOME_FORGED_CAUGHT], "stale",
		                 (json_int_t)pts[i].n[HF_OUTCOME_STALE], "failed",
		                 (json_int_t)pts[i].n[HF_OUTCOME_FAILED]));
	hf_free(pts);
	return json_pack("{s:i, s:o*}", "minute_s", 60, "points", a);
}

/* Appends each record, parsed, to the array ctx; a record that is not JSON is left out. */
static void append_record(void *ctx, uint64_t id, const char *json, size_t len)
{
	(void)id;
	json_t *rec = json_loadb(json, len, 0, NULL);
	if (rec != NULL)
		json_array_append_new(ctx, rec);
}

json_t *hf_ctl_events(struct hf_ctl_view *v, uint64_t after, size_t limit)
{
	json_t *a = json_array();
	if (a == NULL)
		return NULL;
	uint64_t last = hf_hub_events_after(v->hub, after, limit, append_record, a);
	return json_pack("{s:o, s:I}", "events", a, "last_id", (json_int_t)last);
}

json_t *hf_ctl_event(struct hf_ctl_view *v, uint64_t id)
{
	json_t *a = json_array();
	if (a == NULL)
		return NULL;
	json_t *e = NULL;
	if (hf_hub_event_get(v->hub, id, append_record, a) && json_array_size(a) == 1)
		e = json_incref(json_array_get(a, 0));
	json_decref(a);
	return e;
}

json_t *hf_ctl_incidents(struct hf_ctl_view *v)
{
	json_t *a = json_array();
	if (a == NULL)
		return NULL;
	hf_hub_incidents(v->hub, append_record, a);
	return json_pack("{s:o}", "incidents", a);
}
