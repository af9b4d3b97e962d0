/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Incidents: see incidents.h for the rules. Fixed-size tables throughout,
 * so a flood of names or addresses costs bounded memory: the names' history
 * is direct-mapped (a collision forgets the older name, which then counts
 * as never seen: never a false "changed"), and fan-in candidates are a
 * small table whose stalest entry gives way.
 */
#include "guard/incidents.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "util/alloc.h"
#include "util/jsonw.h"
#include "util/random.h"

#define HIST_SLOTS       16384
#define HIST_PREFIXES    4
#define CANDIDATES       64
#define CAND_NAMES       1024
#define CAND_ZONES       64 /* holds 48 (a set fills to 3/4): guard.fan-in-zones at most */
#define CAND_SERVERS     32 /* holds 24: guard.fan-in-servers at most */
#define CAND_ADDRS       8
#define SAMPLE_TEXT      128
#define UNMATCHED_WINDOW 10                    /* seconds */
#define UPDATE_EVERY     1                     /* seconds between updates of one incident */
#define RECENT_ACCEPTED  1024                  /* accepted answers remembered for rollback */
#define V4_TAG           0xffff000000000000ull /* IPv4 /24 keys: never a global IPv6 /64 */

/* A set of 64-bit hashes, open-addressed; full means "no more room", not an error. */
struct hset {
	uint64_t *v;
	unsigned cap, n;
};

struct sample {
	char text[HF_INCIDENT_SAMPLE][SAMPLE_TEXT];
	unsigned n;
};

struct fanin {
	bool used;
	uint64_t key;
	int family;
	uint8_t prefix[16];
	int64_t first, last;
	struct hset names, zones, servers;
	unsigned names_more; /* distinct names past the set's room */
	unsigned suspects;   /* replies shown forged among them: at least one is needed */
	uint8_t addr[CAND_ADDRS][16];
	uint8_t addr_len[CAND_ADDRS];
	unsigned naddr;
	struct sample sample;
	unsigned rolled_back; /* names dropped from the caches when it opened */
	/* The incident, once open. */
	uint64_t id;
	int64_t opened, closed;
	uint64_t blocked;
	int64_t reported;
	bool dirty;
};

/* A burst rule (dnssec-burst, unmatched-flood): one running count. */
struct burst {
	const char *rule;
	struct hset keys; /* zones (dnssec-burst) */
	uint64_t events;
	int64_t first, last;
	struct sample sample;
	uint64_t id;
	int64_t opened;
	int64_t reported;
	bool dirty;
};

/* An accepted answer lately, kept so that an incident can roll it back. */
struct recent {
	uint64_t key; /* its prefix */
	int64_t when;
	uint8_t name[HF_NAME_MAX];
};

struct history {
	uint64_t name;
	uint64_t prefix[HIST_PREFIXES];
	uint8_t n;
};

struct hf_incidents {
	pthread_mutex_t lock;
	struct hf_incident_opts o;
	hf_incident_sink sink;
	hf_incident_rollback rollback;
	void *arg;
	uint64_t seed;
	uint64_t next_id;
	struct history *hist;
	struct fanin cand[CANDIDATES];
	struct burst dnssec, unmatched;
	unsigned open;
	struct recent *recent; /* a ring of RECENT_ACCEPTED */
	unsigned recent_next;
	/* Names to roll back, gathered under the lock and flushed after it. */
	uint8_t (*rollback_names)[HF_NAME_MAX];
	unsigned nrollback;
};

/* --- small helpers ------------------------------------------------------- */

static bool hset_init(struct hset *s, unsigned cap)
{
	s->v = hf_calloc(cap, sizeof(*s->v));
	s->cap = cap;
	s->n = 0;
	return s->v != NULL;
}

static void hset_clear(struct hset *s)
{
	memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
}

/* Adds h (never 0); 1 if new, 0 if there already, -1 if there is no room. */
static int hset_add(struct hset *s, uint64_t h)
{
	h |= 1;
	for (unsigned i = 0, at = (unsigned)(h % s->cap); i < s->cap; i++, at = (at + 1) % s->cap) {
		if (s->v[at] == h)
			return 0;
		if (s->v[at] == 0) {
			if (s->n * 4 >= s->cap * 3)
				return -1;
			s->v[at] = h;
			s->n++;
			return 1;
		}
	}
	return -1;
}

static uint64_t hash_bytes(uint64_t seed, const uint8_t *p, size_t n, bool fold_case)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= fold_case ? hf_lower(p[i]) : p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static uint64_t hash_name(const struct hf_incidents *h, const uint8_t *name)
{
	return hash_bytes(h->seed, name, hf_name_len(name), true);
}

/* Where the zone is not known (forwarding): the name's parent stands in for it. */
static const uint8_t *zone_or_parent(const uint8_t *zone, const uint8_t *name)
{
	unsigned labels = hf_name_labels(name);
	if (zone != NULL)
		return zone;
	return labels > 1 ? hf_name_suffix(name, labels - 1) : name;
}

static void sample_add(struct sample *s, const char *text)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->text[i], text) == 0)
			return;
	if (s->n < HF_INCIDENT_SAMPLE)
		snprintf(s->text[s->n++], SAMPLE_TEXT, "%s", text);
}

static void sample_name(struct sample *s, const uint8_t *name)
{
	char text[HF_NAME_TEXT_MAX];
	if (hf_name_to_text(name, text, sizeof(text)) >= 0)
		sample_add(s, text);
}

/* The /24 (IPv4) or /64 (IPv6) an address falls in, as a key and as bytes. */
static uint64_t prefix_key(const uint8_t *a, size_t len, uint8_t prefix[16])
{
	memset(prefix, 0, 16);
	if (len == 4) {
		memcpy(prefix, a, 3);
		return V4_TAG | (uint64_t)a[0] << 16 | (uint64_t)a[1] << 8 | a[2];
	}
	memcpy(prefix, a, 8);
	uint64_t k = 0;
	for (int i = 0; i < 8; i++)
		k = k << 8 | a[i];
	return k;
}

/* --- JSON ------------------------------------------------------------------ */

static void put_sample(struct hf_jsonw *o, const char *key, const struct sample *s)
{
	hf_jsonw_put(o, ",\"%s\":[", key);
	for (unsigned i = 0; i < s->n; i++) {
		hf_jsonw_put(o, i ? "," : "");
		hf_jsonw_str(o, s->text[i]);
	}
	hf_jsonw_put(o, "]");
}

static void put_times(struct hf_jsonw *o, int64_t start, int64_t last, int64_t end)
{
	hf_jsonw_put(o, ",\"start\":%lld,\"last\":%lld,\"end\":", (long long)start,
	             (long long)last);
	if (end != 0)
		hf_jsonw_put(o, "%lld", (long long)end);
	else
		hf_jsonw_put(o, "null");
}

static size_t fanin_json(const struct fanin *c, char *buf, size_t cap)
{
	struct hf_jsonw o = {.buf = buf, .cap = cap};
	char net[INET6_ADDRSTRLEN], why[256];
	inet_ntop(c->family, c->prefix, net, sizeof(net));
	unsigned bits = c->family == AF_INET ? 24 : 64;
	unsigned names = c->names.n + c->names_more;
	snprintf(why, sizeof(why),
	         "%u names in %u zones from %u servers newly resolved to %s/%u within %lld s",
	         names, c->zones.n, c->servers.n, net, bits, (long long)(c->last - c->first));
	hf_jsonw_put(&o, "{\"type\":\"incident\",\"id\":%llu,\"rule\":\"fan-in\",\"state\":\"%s\"",
	             (unsigned long long)c->id, c->closed ? "closed" : "open");
	hf_jsonw_put(&o, ",\"address\":\"%s/%u\",\"addresses\":[", net, bits);
	for (unsigned i = 0; i < c->naddr; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(c->addr_len[i] == 4 ? AF_INET : AF_INET6, c->addr[i], a, sizeof(a));
		hf_jsonw_put(&o, "%s\"%s\"", i ? "," : "", a);
	}
	hf_jsonw_put(&o, "],\"names\":%u,\"zones\":%u,\"servers\":%u", names, c->zones.n,
	             c->servers.n);
	put_sample(&o, "sample", &c->sample);
	put_times(&o, c->first, c->last, c->closed);
	hf_jsonw_put(&o,
	             ",\"opened\":%lld,\"forged_replies\":%u,\"answers_blocked\":%llu,"
	             "\"rolled_back\":%u,\"why\":",
	             (long long)c->opened, c->suspects, (unsigned long long)c->blocked,
	             c->rolled_back);
	hf_jsonw_str(&o, why);
	hf_jsonw_put(&o, "}");
	return o.full ? 0 : o.len;
}

static size_t burst_json(const struct burst *b, int64_t closed, char *buf, size_t cap)
{
	struct hf_jsonw o = {.buf = buf, .cap = cap};
	char why[256];
	if (b == NULL)
		return 0;
	bool dnssec = b->keys.v != NULL;
	if (dnssec)
		snprintf(why, sizeof(why),
		         "%llu DNSSEC failures in %u unrelated zones within %lld s",
		         (unsigned long long)b->events, b->keys.n, (long long)(b->last - b->first));
	else
		snprintf(why, sizeof(why),
		         "%llu replies that matched no question within %d s: off-path spoofing",
		         (unsigned long long)b->events, UNMATCHED_WINDOW);
	hf_jsonw_put(&o, "{\"type\":\"incident\",\"id\":%llu,\"rule\":\"%s\",\"state\":\"%s\"",
	             (unsigned long long)b->id, b->rule, closed ? "closed" : "open");
	if (dnssec)
		hf_jsonw_put(&o, ",\"failures\":%llu,\"zones\":%u", (unsigned long long)b->events,
		             b->keys.n);
	else
		hf_jsonw_put(&o, ",\"replies\":%llu", (unsigned long long)b->events);
	put_sample(&o, dnssec ? "sample" : "servers", &b->sample);
	put_times(&o, b->first, b->last, closed);
	hf_jsonw_put(&o, ",\"opened\":%lld,\"why\":", (long long)b->opened);
	hf_jsonw_str(&o, why);
	hf_jsonw_put(&o, "}");
	return o.full ? 0 : o.len;
}

static void report_fanin(struct hf_incidents *h, struct fanin *c, enum hf_incident_change ch,
                         int64_t now)
{
	char json[HF_INCIDENT_JSON_MAX];
	size_t len = fanin_json(c, json, sizeof(json));
	c->reported = now;
	c->dirty = false;
	if (len != 0 && h->sink != NULL)
		h->sink(h->arg, c->id, "fan-in", ch, json, len);
}

static void report_burst(struct hf_incidents *h, struct burst *b, enum hf_incident_change ch,
                         int64_t now)
{
	char json[HF_INCIDENT_JSON_MAX];
	size_t len = burst_json(b, ch == HF_INCIDENT_CLOSE ? b->last : 0, json, sizeof(json));
	b->reported = now;
	b->dirty = false;
	if (len != 0 && h->sink != NULL)
		h->sink(h->arg, b->id, b->rule, ch, json, len);
}

/* --- life ------------------------------------------------------------------ */

static bool fanin_init(struct fanin *c)
{
	return hset_init(&c->names, CAND_NAMES) && hset_init(&c->zones, CAND_ZONES) &&
	       hset_init(&c->servers, CAND_SERVERS);
}

static void fanin_free(struct fanin *c)
{
	hf_free(c->names.v);
	hf_free(c->zones.v);
	hf_free(c->servers.v);
}

/* Empties a candidate for a new prefix (its sets keep their memory). */
static void fanin_reset(struct fanin *c, uint64_t key, int family, const uint8_t *prefix,
                        int64_t now)
{
	struct hset n = c->names, z = c->zones, s = c->servers;
	hset_clear(&n);
	hset_clear(&z);
	hset_clear(&s);
	memset(c, 0, sizeof(*c));
	c->names = n;
	c->zones = z;
	c->servers = s;
	c->used = true;
	c->key = key;
	c->family = family;
	memcpy(c->prefix, prefix, 16);
	c->first = c->last = now;
}

struct hf_incidents *hf_incidents_new(const struct hf_incident_opts *o, hf_incident_sink sink,
                                      hf_incident_rollback rollback, void *arg)
{
	struct hf_incidents *h = hf_calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	h->o = *o;
	h->sink = sink;
	h->rollback = rollback;
	h->arg = arg;
	hf_random_bytes(&h->seed, sizeof(h->seed));
	h->hist = hf_calloc(HIST_SLOTS, sizeof(*h->hist));
	h->recent = hf_calloc(RECENT_ACCEPTED, sizeof(*h->recent));
	h->rollback_names = hf_calloc(HF_INCIDENT_ROLLBACK, HF_NAME_MAX);
	h->dnssec.rule = "dnssec-burst";
	h->unmatched.rule = "unmatched-flood";
	bool ok = h->hist != NULL && h->recent != NULL && h->rollback_names != NULL &&
	          hset_init(&h->dnssec.keys, CAND_ZONES);
	for (int i = 0; ok && i < CANDIDATES; i++)
		ok = fanin_init(&h->cand[i]);
	if (!ok) {
		hf_incidents_free(h);
		return NULL;
	}
	return h;
}

void hf_incidents_free(struct hf_incidents *h)
{
	if (h == NULL)
		return;
	for (int i = 0; i < CANDIDATES; i++)
		fanin_free(&h->cand[i]);
	hf_free(h->dnssec.keys.v);
	hf_free(h->hist);
	hf_free(h->recent);
	hf_free(h->rollback_names);
	pthread_mutex_destroy(&h->lock);
	hf_free(h);
}

void hf_incidents_set_opts(struct hf_incidents *h, const struct hf_incident_opts *o)
{
	pthread_mutex_lock(&h->lock);
	h->o = *o;
	pthread_mutex_unlock(&h->lock);
}

/* --- fan-in ---------------------------------------------------------------- */

static struct history *history_of(struct hf_incidents *h, uint64_t name)
{
	return &h->hist[name % HIST_SLOTS];
}

/* Has the name been answered in this prefix before? (*known: is it known at all) */
static bool history_has(struct hf_incidents *h, uint64_t name, uint64_t key, bool *known)
{
	struct history *e = history_of(h, name);
	*known = e->name == name && e->n != 0;
	if (!*known)
		return false;
	for (unsigned i = 0; i < e->n; i++)
		if (e->prefix[i] == key)
			return true;
	return false;
}

static void history_learn(struct hf_incidents *h, uint64_t name, uint64_t key)
{
	struct history *e = history_of(h, name);
	if (e->name != name) {
		memset(e, 0, sizeof(*e));
		e->name = name;
	}
	for (unsigned i = 0; i < e->n; i++)
		if (e->prefix[i] == key)
			return;
	if (e->n == HIST_PREFIXES) /* the oldest goes */
		memmove(e->prefix, e->prefix + 1, (HIST_PREFIXES - 1) * sizeof(e->prefix[0]));
	else
		e->n++;
	e->prefix[e->n - 1] = key;
}

/* The candidate for key: found, or a new one in place of an empty or the stalest. */
static struct fanin *candidate(struct hf_incidents *h, uint64_t key, int family,
                               const uint8_t *prefix, int64_t now)
{
	struct fanin *stalest = NULL;
	for (int i = 0; i < CANDIDATES; i++) {
		struct fanin *c = &h->cand[i];
		if (c->used && c->key == key)
			return c;
		if (c->used && c->id != 0 && !c->closed)
			continue; /* an open incident keeps its place */
		if (stalest == NULL || !c->used || (stalest->used && c->last < stalest->last))
			stalest = c;
	}
	if (stalest != NULL)
		fanin_reset(stalest, key, family, prefix, now);
	return stalest;
}

static void remember_accepted(struct hf_incidents *h, const uint8_t *name, uint64_t key,
                              int64_t now)
{
	struct recent *r = &h->recent[h->recent_next++ % RECENT_ACCEPTED];
	r->key = key;
	r->when = now;
	memcpy(r->name, name, hf_name_len(name));
}

/* Names accepted in the prefix since the incident began, queued for rollback (once each). */
static unsigned gather_rollback(struct hf_incidents *h, uint64_t key, int64_t since)
{
	unsigned n = 0;
	for (unsigned i = 0; i < RECENT_ACCEPTED; i++) {
		const struct recent *r = &h->recent[i];
		if (r->key != key || r->when < since || r->when == 0)
			continue;
		bool have = false;
		for (unsigned j = 0; j < h->nrollback && !have; j++)
			have = hf_name_eq(h->rollback_names[j], r->name);
		if (!have && h->nrollback < HF_INCIDENT_ROLLBACK) {
			memcpy(h->rollback_names[h->nrollback++], r->name, hf_name_len(r->name));
			n++;
		}
	}
	return n;
}

static void fanin_open(struct hf_incidents *h, struct fanin *c, int64_t now)
{
	c->id = ++h->next_id;
	c->opened = now;
	h->open++;
	/* What was accepted in the prefix before the breaker could act goes from the caches. */
	c->rolled_back = gather_rollback(h, c->key, c->first);
	report_fanin(h, c, HF_INCIDENT_OPEN, now);
}

/*
 * The rollback queued under the lock runs after it: flushing walks the
 * caches' shards, and no worker should wait on the incidents meanwhile.
 * Called with the lock held; returns with it released.
 */
static void unlock_and_roll_back(struct hf_incidents *h)
{
	uint8_t(*names)[HF_NAME_MAX] = NULL;
	unsigned n = h->nrollback;
	if (n != 0 && h->rollback != NULL) {
		names = hf_malloc((size_t)n * HF_NAME_MAX);
		if (names != NULL)
			memcpy(names, h->rollback_names, (size_t)n * HF_NAME_MAX);
	}
	h->nrollback = 0;
	pthread_mutex_unlock(&h->lock);
	for (unsigned i = 0; names != NULL && i < n; i++)
		h->rollback(h->arg, names[i]);
	hf_free(names);
}

/* One name seen in a candidate's prefix. */
static void fanin_count(struct hf_incidents *h, struct fanin *c, const struct hf_seen *s,
                        uint64_t name, const uint8_t *addr, size_t alen, int64_t now)
{
	if (now - c->first > (int64_t)h->o.window_s && c->id == 0) {
		uint8_t prefix[16];
		memcpy(prefix, c->prefix, 16);
		fanin_reset(c, c->key, c->family, prefix, now); /* too old to be one event */
	}
	c->last = now;
	int added = hset_add(&c->names, name);
	if (added < 0)
		c->names_more++;
	if (added != 0) {
		sample_name(&c->sample, s->name);
		c->dirty = true;
	}
	c->dirty |= hset_add(&c->zones, hash_name(h, zone_or_parent(s->zone, s->name))) > 0;
	c->dirty |= hset_add(&c->servers, hash_bytes(h->seed, (const uint8_t *)s->server,
	                                             strlen(s->server), false)) > 0;
	bool have = false;
	for (unsigned i = 0; i < c->naddr; i++)
		have |= c->addr_len[i] == alen && memcmp(c->addr[i], addr, alen) == 0;
	if (!have && c->naddr < CAND_ADDRS) {
		memcpy(c->addr[c->naddr], addr, alen);
		c->addr_len[c->naddr++] = (uint8_t)alen;
	}
	c->suspects += s->suspect;
	if (c->id == 0 && h->o.fanin_names != 0 && c->suspects != 0 &&
	    c->names.n + c->names_more >= h->o.fanin_names && c->zones.n >= h->o.fanin_zones &&
	    c->servers.n >= h->o.fanin_servers)
		fanin_open(h, c, now);
}

static struct fanin *open_for(struct hf_incidents *h, uint64_t key)
{
	for (int i = 0; i < CANDIDATES; i++) {
		struct fanin *c = &h->cand[i];
		if (c->used && c->key == key && c->id != 0 && !c->closed)
			return c;
	}
	return NULL;
}

uint64_t hf_incidents_answer(struct hf_incidents *h, const struct hf_seen *s, int64_t now)
{
	if (h == NULL || s->naddr == 0)
		return 0;
	uint64_t name = hash_name(h, s->name), match = 0;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < s->naddr && i < 16; i++) {
		uint8_t prefix[16];
		size_t alen = s->addr_len[i];
		if (alen != 4 && alen != 16)
			continue;
		uint64_t key = prefix_key(s->addr[i], alen, prefix);
		struct fanin *open = open_for(h, key);
		bool known;
		bool before = history_has(h, name, key, &known);
		if (open != NULL) {
			/* Only what was shown forged keeps it open and adds to it: honest servers
			 * whose answers fall in the prefix are blocked, and counted, but an
			 * incident they kept alive would never end. */
			if (s->suspect)
				fanin_count(h, open, s, name, s->addr[i], alen, now);
			else
				open->blocked++;
			open->dirty = true;
			match = open->id;
			continue;
		}
		if (s->suspect || (known && !before)) {
			struct fanin *c =
			    candidate(h, key, alen == 4 ? AF_INET : AF_INET6, prefix, now);
			if (c != NULL)
				fanin_count(h, c, s, name, s->addr[i], alen, now);
			if (c != NULL && c->id != 0) {
				c->blocked += !s->suspect;
				match = c->id;
			}
		}
	}
	if (match == 0 && !s->suspect)
		for (size_t i = 0; i < s->naddr && i < 16; i++) {
			uint8_t prefix[16];
			if (s->addr_len[i] != 4 && s->addr_len[i] != 16)
				continue;
			uint64_t key = prefix_key(s->addr[i], s->addr_len[i], prefix);
			history_learn(h, name, key);
			remember_accepted(h, s->name, key, now);
		}
	unlock_and_roll_back(h);
	return match;
}

/* --- bursts ---------------------------------------------------------------- */

static void burst_restart(struct burst *b, int64_t now)
{
	if (b->keys.v != NULL)
		hset_clear(&b->keys);
	b->events = 0;
	b->first = now;
	b->sample.n = 0;
}

/* One more event for b; opens the incident when distinct (keys or events) reach need. */
static void burst_event(struct hf_incidents *h, struct burst *b, uint64_t key, unsigned window,
                        unsigned need, int64_t now, const char *label)
{
	if (b->id == 0 && (b->events == 0 || now - b->first > (int64_t)window))
		burst_restart(b, now);
	b->events++;
	b->last = now;
	b->dirty = true;
	sample_add(&b->sample, label);
	unsigned distinct = (unsigned)b->events;
	if (b->keys.v != NULL) {
		(void)hset_add(&b->keys, key);
		distinct = b->keys.n;
	}
	if (b->id == 0 && need != 0 && distinct >= need) {
		b->id = ++h->next_id;
		b->opened = now;
		h->open++;
		report_burst(h, b, HF_INCIDENT_OPEN, now);
	}
}

void hf_incidents_dnssec_failure(struct hf_incidents *h, const uint8_t *name, const uint8_t *zone,
                                 int64_t now)
{
	if (h == NULL)
		return;
	char text[HF_NAME_TEXT_MAX];
	if (hf_name_to_text(name, text, sizeof(text)) < 0)
		text[0] = '\0';
	pthread_mutex_lock(&h->lock);
	burst_event(h, &h->dnssec, hash_name(h, zone_or_parent(zone, name)), h->o.window_s,
	            h->o.dnssec_zones, now, text);
	pthread_mutex_unlock(&h->lock);
}

void hf_incidents_unmatched(struct hf_incidents *h, const char *server, unsigned n, int64_t now)
{
	if (h == NULL || n == 0)
		return;
	pthread_mutex_lock(&h->lock);
	for (unsigned i = 0; i < n; i++)
		burst_event(h, &h->unmatched, 0, UNMATCHED_WINDOW, h->o.unmatched_flood, now,
		            server);
	pthread_mutex_unlock(&h->lock);
}

/* --- time ------------------------------------------------------------------ */

static void tick_burst(struct hf_incidents *h, struct burst *b, int64_t now)
{
	if (b->id == 0)
		return;
	if (now - b->last >= (int64_t)h->o.quiet_s) {
		report_burst(h, b, HF_INCIDENT_CLOSE, now);
		b->id = 0;
		h->open--;
		burst_restart(b, now);
		b->events = 0;
	} else if (b->dirty && now - b->reported >= UPDATE_EVERY) {
		report_burst(h, b, HF_INCIDENT_UPDATE, now);
	}
}

void hf_incidents_tick(struct hf_incidents *h, int64_t now)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	for (int i = 0; i < CANDIDATES; i++) {
		struct fanin *c = &h->cand[i];
		if (!c->used || c->id == 0 || c->closed)
			continue;
		if (now - c->last >= (int64_t)h->o.quiet_s) {
			c->closed = c->last > 0 ? c->last : 1; /* its end: the last forged reply */
			h->open--;
			report_fanin(h, c, HF_INCIDENT_CLOSE, now);
			c->used = false; /* its prefix may come back as a new incident */
		} else if (c->dirty && now - c->reported >= UPDATE_EVERY) {
			report_fanin(h, c, HF_INCIDENT_UPDATE, now);
		}
	}
	tick_burst(h, &h->dnssec, now);
	tick_burst(h, &h->unmatched, now);
	pthread_mutex_unlock(&h->lock);
}

unsigned hf_incidents_open(struct hf_incidents *h)
{
	if (h == NULL)
		return 0;
	pthread_mutex_lock(&h->lock);
	unsigned n = h->open;
	pthread_mutex_unlock(&h->lock);
	return n;
}

uint64_t hf_incidents_new_id(struct hf_incidents *h)
{
	if (h == NULL)
		return 0;
	pthread_mutex_lock(&h->lock);
	uint64_t id = ++h->next_id;
	pthread_mutex_unlock(&h->lock);
	return id;
}

void hf_incidents_report(struct hf_incidents *h, uint64_t id, const char *rule,
                         enum hf_incident_change change, const char *json, size_t len)
{
	if (h == NULL || id == 0)
		return;
	pthread_mutex_lock(&h->lock);
	if (change == HF_INCIDENT_OPEN)
		h->open++;
	else if (change == HF_INCIDENT_CLOSE && h->open > 0)
		h->open--;
	if (h->sink != NULL)
		h->sink(h->arg, id, rule, change, json, len);
	pthread_mutex_unlock(&h->lock);
}
