/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hub (see hub.h). Two halves:
 *
 * The timeline is a ring of HF_HUB_MINUTES buckets, each stamped with the
 * minute it counts. A worker adds to its minute's bucket with relaxed
 * atomics and no lock; the first one to reach a bucket still stamped with
 * an old minute claims it (compare-and-swap on the stamp to a "being reset"
 * mark), zeroes it and stamps it. The others wait those few stores out, and
 * after a bounded spin drop their count rather than block: the timeline is
 * a picture, not an account.
 *
 * Events, incidents and the per-rule counts are rare (a detection each) and
 * sit under one mutex; readers copy out under it.
 */
#include "control/hub.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/clock.h"

#define RESETTING     INT64_MIN /* a bucket's stamp while it is being zeroed */
#define SPIN_MAX      1000
#define RULES_MAX     64 /* distinct rule names counted; more go under "other" */
#define RULE_NAME_MAX 48
#define INCIDENTS_MAX 512 /* incidents kept; the oldest closed one makes room */

struct bucket {
	_Atomic int64_t minute;
	_Atomic uint64_t n[HF_OUTCOME_COUNT];
};

struct event {
	uint64_t id; /* 0: empty slot */
	char *json;
	size_t len;
};

struct incident {
	uint64_t id;
	bool open;
	char *json;
	size_t len;
};

struct rule {
	char name[RULE_NAME_MAX];
	uint64_t events, incidents;
};

struct hf_hub {
	struct bucket minutes[HF_HUB_MINUTES];

	pthread_mutex_t lock;
	uint64_t last_id;
	int64_t last_event_s;
	struct event events[HF_HUB_EVENTS]; /* id i lives at (i - 1) % HF_HUB_EVENTS */
	struct incident *incidents;         /* in the order first seen */
	size_t nincidents;
	uint64_t incidents_seen;
	struct rule rules[RULES_MAX];
	size_t nrules;
};

struct hf_hub *hf_hub_new(void)
{
	struct hf_hub *h = hf_calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->incidents = hf_calloc(INCIDENTS_MAX, sizeof(*h->incidents));
	if (h->incidents == NULL) {
		hf_free(h);
		return NULL;
	}
	for (size_t i = 0; i < HF_HUB_MINUTES; i++)
		atomic_init(&h->minutes[i].minute, -1);
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

void hf_hub_free(struct hf_hub *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < HF_HUB_EVENTS; i++)
		hf_free(h->events[i].json);
	for (size_t i = 0; i < h->nincidents; i++)
		hf_free(h->incidents[i].json);
	hf_free(h->incidents);
	pthread_mutex_destroy(&h->lock);
	hf_free(h);
}

/* --- the timeline ------------------------------------------------------------- */

static int64_t minute_of(int64_t now_s)
{
	/* Floor division: a clock before 1970 must not land in the wrong bucket. */
	return now_s >= 0 ? now_s / 60 : -((-now_s + 59) / 60);
}

static struct bucket *bucket_of(struct hf_hub *h, int64_t minute)
{
	uint64_t i = (uint64_t)minute % HF_HUB_MINUTES;
	return &h->minutes[i];
}

/* The bucket stamped with minute, claimed and zeroed if it held an older one; NULL to give up. */
static struct bucket *claim(struct hf_hub *h, int64_t minute)
{
	struct bucket *b = bucket_of(h, minute);
	for (int spin = 0; spin < SPIN_MAX; spin++) {
		int64_t seen = atomic_load_explicit(&b->minute, memory_order_acquire);
		if (seen == minute)
			return b;
		if (seen == RESETTING) {
			sched_yield(); /* the claimer may be off the CPU: let it finish */
			continue;
		}
		if (seen > minute)
			return NULL; /* the clock went back a day: too old to count */
		if (!atomic_compare_exchange_weak_explicit(
		        &b->minute, &seen, RESETTING, memory_order_acquire, memory_order_relaxed))
			continue;
		for (int o = 0; o < HF_OUTCOME_COUNT; o++)
			atomic_store_explicit(&b->n[o], 0, memory_order_relaxed);
		atomic_store_explicit(&b->minute, minute, memory_order_release);
		return b;
	}
	return NULL;
}

void hf_hub_outcome(struct hf_hub *h, enum hf_outcome o, int64_t now_s)
{
	if (h == NULL || (unsigned)o >= HF_OUTCOME_COUNT)
		return;
	struct bucket *b = claim(h, minute_of(now_s));
	if (b != NULL)
		atomic_fetch_add_explicit(&b->n[o], 1, memory_order_relaxed);
}

/* What the bucket for minute holds (zeros if it counts another minute). */
static void read_minute(struct hf_hub *h, int64_t minute, uint64_t n[HF_OUTCOME_COUNT])
{
	struct bucket *b = bucket_of(h, minute);
	for (int o = 0; o < HF_OUTCOME_COUNT; o++)
		n[o] = atomic_load_explicit(&b->n[o], memory_order_relaxed);
	if (atomic_load_explicit(&b->minute, memory_order_acquire) != minute)
		memset(n, 0, sizeof(uint64_t) * HF_OUTCOME_COUNT);
}

size_t hf_hub_timeline(struct hf_hub *h, int64_t now_s, size_t n, struct hf_hub_point *out)
{
	if (n > HF_HUB_MINUTES)
		n = HF_HUB_MINUTES;
	int64_t last = minute_of(now_s);
	for (size_t i = 0; i < n; i++) {
		int64_t m = last - (int64_t)(n - 1 - i);
		out[i].t = m * 60;
		read_minute(h, m, out[i].n);
	}
	return n;
}

void hf_hub_last_minute(struct hf_hub *h, int64_t now_s, uint64_t out[HF_OUTCOME_COUNT])
{
	int64_t m = minute_of(now_s);
	uint64_t cur[HF_OUTCOME_COUNT], prev[HF_OUTCOME_COUNT];
	read_minute(h, m, cur);
	read_minute(h, m - 1, prev);
	/* The share of the previous minute still inside the last 60 seconds. */
	uint64_t left = (uint64_t)(60 - (now_s - m * 60));
	for (int o = 0; o < HF_OUTCOME_COUNT; o++)
		out[o] = cur[o] + (prev[o] * left + 59) / 60;
}

/* --- events, incidents and rules ---------------------------------------------- */

static struct rule *rule_slot(struct hf_hub *h, const char *name)
{
	if (name == NULL || name[0] == '\0')
		name = "unnamed";
	for (size_t i = 0; i < h->nrules; i++) {
		if (strncmp(h->rules[i].name, name, RULE_NAME_MAX - 1) == 0)
			return &h->rules[i];
	}
	if (h->nrules == RULES_MAX)
		return &h->rules[RULES_MAX - 1]; /* the last slot became "other" */
	struct rule *r = &h->rules[h->nrules++];
	if (h->nrules == RULES_MAX)
		name = "other";
	strncpy(r->name, name, RULE_NAME_MAX - 1);
	return r;
}

/*
 * json with "id":N as its first member, NUL-terminated (for readers that
 * want a string); NULL if json is not an object or memory ran out.
 */
static char *with_id(uint64_t id, const char *json, size_t len, size_t *out_len)
{
	size_t at = 0;
	while (at < len && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n'))
		at++;
	if (at == len || json[at] != '{')
		return NULL;
	size_t rest = at + 1;
	while (rest < len && (json[rest] == ' ' || json[rest] == '\n'))
		rest++;
	bool empty = rest < len && json[rest] == '}';
	char head[40];
	int hlen = snprintf(head, sizeof(head), "{\"id\":%llu%s", (unsigned long long)id,
	                    empty ? "" : ",");
	size_t tail = len - (at + 1);
	char *s = hf_malloc((size_t)hlen + tail + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, head, (size_t)hlen);
	memcpy(s + hlen, json + at + 1, tail);
	s[(size_t)hlen + tail] = '\0';
	*out_len = (size_t)hlen + tail;
	return s;
}

uint64_t hf_hub_event(struct hf_hub *h, const char *json, size_t len, const char *const *rules,
                      size_t nrules)
{
	if (h == NULL || json == NULL)
		return 0;
	pthread_mutex_lock(&h->lock);
	uint64_t id = h->last_id + 1;
	size_t slen;
	char *s = with_id(id, json, len, &slen);
	if (s != NULL) {
		struct event *e = &h->events[(id - 1) % HF_HUB_EVENTS];
		hf_free(e->json);
		*e = (struct event){.id = id, .json = s, .len = slen};
		h->last_id = id;
		h->last_event_s = hf_clock_wall();
		for (size_t i = 0; i < nrules; i++)
			rule_slot(h, rules[i])->events++;
	}
	pthread_mutex_unlock(&h->lock);
	return s != NULL ? id : 0;
}

static struct incident *incident_find(struct hf_hub *h, uint64_t id)
{
	for (size_t i = 0; i < h->nincidents; i++) {
		if (h->incidents[i].id == id)
			return &h->incidents[i];
	}
	return NULL;
}

/* A free slot at the end, making room by dropping the oldest closed (or oldest) incident. */
static struct incident *incident_add(struct hf_hub *h)
{
	if (h->nincidents == INCIDENTS_MAX) {
		size_t drop = 0;
		for (size_t i = 0; i < h->nincidents; i++) {
			if (!h->incidents[i].open) {
				drop = i;
				break;
			}
		}
		hf_free(h->incidents[drop].json);
		memmove(&h->incidents[drop], &h->incidents[drop + 1],
		        (h->nincidents - drop - 1) * sizeof(*h->incidents));
		h->nincidents--;
	}
	struct incident *in = &h->incidents[h->nincidents++];
	memset(in, 0, sizeof(*in));
	return in;
}

void hf_hub_incident(struct hf_hub *h, uint64_t id, const char *rule, bool open, const char *json,
                     size_t len)
{
	if (h == NULL || json == NULL)
		return;
	char *s = hf_malloc(len + 1);
	if (s == NULL)
		return;
	memcpy(s, json, len);
	s[len] = '\0';
	pthread_mutex_lock(&h->lock);
	struct incident *in = incident_find(h, id);
	if (in == NULL) {
		in = incident_add(h);
		in->id = id;
		h->incidents_seen++;
		rule_slot(h, rule)->incidents++;
	}
	hf_free(in->json);
	in->json = s;
	in->len = len;
	in->open = open;
	pthread_mutex_unlock(&h->lock);
}

uint64_t hf_hub_events_after(struct hf_hub *h, uint64_t after, size_t limit, hf_hub_json_fn fn,
                             void *ctx)
{
	pthread_mutex_lock(&h->lock);
	uint64_t first = h->last_id > HF_HUB_EVENTS ? h->last_id - HF_HUB_EVENTS + 1 : 1;
	if (after + 1 > first)
		first = after + 1;
	uint64_t last = after;
	for (uint64_t id = first; id <= h->last_id && limit > 0; id++, limit--) {
		const struct event *e = &h->events[(id - 1) % HF_HUB_EVENTS];
		if (e->id != id)
			continue;
		fn(ctx, id, e->json, e->len);
		last = id;
	}
	pthread_mutex_unlock(&h->lock);
	return last;
}

bool hf_hub_event_get(struct hf_hub *h, uint64_t id, hf_hub_json_fn fn, void *ctx)
{
	bool found = false;
	if (id == 0)
		return false;
	pthread_mutex_lock(&h->lock);
	const struct event *e = &h->events[(id - 1) % HF_HUB_EVENTS];
	if (e->id == id) {
		fn(ctx, id, e->json, e->len);
		found = true;
	}
	pthread_mutex_unlock(&h->lock);
	return found;
}

void hf_hub_incidents(struct hf_hub *h, hf_hub_json_fn fn, void *ctx)
{
	pthread_mutex_lock(&h->lock);
	/* Ids may arrive in any order: pick the highest not yet passed each time. */
	uint64_t below = UINT64_MAX;
	for (size_t k = 0; k < h->nincidents; k++) {
		const struct incident *best = NULL;
		for (size_t i = 0; i < h->nincidents; i++) {
			const struct incident *in = &h->incidents[i];
			if (in->id < below && (best == NULL || in->id > best->id))
				best = in;
		}
		if (best == NULL)
			break;
		fn(ctx, best->id, best->json, best->len);
		below = best->id;
	}
	pthread_mutex_unlock(&h->lock);
}

void hf_hub_rules(struct hf_hub *h,
                  void (*fn)(void *ctx, const char *rule, uint64_t events, uint64_t incidents),
                  void *ctx)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nrules; i++)
		fn(ctx, h->rules[i].name, h->rules[i].events, h->rules[i].incidents);
	pthread_mutex_unlock(&h->lock);
}

void hf_hub_summary(struct hf_hub *h, struct hf_hub_summary *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&h->lock);
	out->events = h->last_id;
	out->incidents = h->incidents_seen;
	out->last_event_s = h->last_event_s;
	for (size_t i = 0; i < h->nincidents; i++)
		out->incidents_open += h->incidents[i].open;
	pthread_mutex_unlock(&h->lock);
}
