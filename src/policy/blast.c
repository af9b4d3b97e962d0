/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The blast-radius guard: before a policy takes effect, what would it do to
 * the names clients asked lately, and does it hold a rule so wide that it
 * can only be a mistake (the 2014 shape: one rule matching everything)?
 *
 * The sample is a ring of recent question names per worker, each behind its
 * own mutex: the worker is the only writer, so the lock is uncontended
 * except for the moment a reload reads the rings. Names are kept lowercased,
 * as often as they were asked: a popular name weighs more, as it should
 * when the question is how much of the traffic would change.
 */
#include <stdio.h>
#include <string.h>

#include "policy/impl.h"
#include "util/alloc.h"
#include "util/err.h"

#define SHOWN 5 /* names or rules a refusal names */

struct slot {
	uint8_t len; /* 0: empty */
	uint8_t name[HF_NAME_MAX];
};

struct shard {
	pthread_mutex_t lock;
	unsigned next;
	struct slot *slots;
};

struct hf_policy_sample {
	unsigned nshards, per_shard;
	struct shard shards[];
};

struct hf_policy_sample *hf_policy_sample_new(unsigned shards)
{
	if (shards == 0)
		shards = 1;
	struct hf_policy_sample *s = hf_calloc(1, sizeof(*s) + shards * sizeof(struct shard));
	if (s == NULL)
		return NULL;
	s->nshards = shards;
	s->per_shard = HF_POLICY_SAMPLE / shards ? HF_POLICY_SAMPLE / shards : 1;
	for (unsigned i = 0; i < shards; i++) {
		pthread_mutex_init(&s->shards[i].lock, NULL);
		s->shards[i].slots = hf_calloc(s->per_shard, sizeof(struct slot));
		if (s->shards[i].slots == NULL) {
			s->nshards = i + 1;
			hf_policy_sample_free(s);
			return NULL;
		}
	}
	return s;
}

void hf_policy_sample_free(struct hf_policy_sample *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < s->nshards; i++) {
		pthread_mutex_destroy(&s->shards[i].lock);
		hf_free(s->shards[i].slots);
	}
	hf_free(s);
}

void hf_policy_sample_add(struct hf_policy_sample *s, unsigned shard, const uint8_t *qname)
{
	if (s == NULL)
		return;
	struct shard *sh = &s->shards[shard % s->nshards];
	size_t len = hf_name_len(qname);
	pthread_mutex_lock(&sh->lock);
	struct slot *sl = &sh->slots[sh->next];
	sh->next = (sh->next + 1) % s->per_shard;
	for (size_t i = 0; i < len; i++)
		sl->name[i] = hf_lower(qname[i]);
	sl->len = (uint8_t)len;
	pthread_mutex_unlock(&sh->lock);
}

uint8_t (*hf_policy_sample_names(struct hf_policy_sample *s, size_t *n))[HF_NAME_MAX]
{
	uint8_t(*names)[HF_NAME_MAX] = hf_malloc((size_t)s->nshards * s->per_shard * HF_NAME_MAX);
	*n = 0;
	if (names == NULL)
		return NULL;
	for (unsigned i = 0; i < s->nshards; i++) {
		struct shard *sh = &s->shards[i];
		pthread_mutex_lock(&sh->lock);
		for (unsigned j = 0; j < s->per_shard; j++) {
			if (sh->slots[j].len != 0)
				memcpy(names[(*n)++], sh->slots[j].name, sh->slots[j].len);
		}
		pthread_mutex_unlock(&sh->lock);
	}
	return names;
}

/* --- rules too wide to be meant ------------------------------------------------------ */

struct wide {
	unsigned n;
	char *shown;
	size_t cap, len;
};

static bool too_wide(const struct hf_policy_rule *r)
{
	if (r->action == HF_POLICY_PASSTHRU || r->src->kind == HF_POLICY_LOCAL_DATA)
		return false;
	switch (r->key[0]) {
	case TRIG_QNAME:
	case TRIG_WILD:
	case TRIG_NSD_WILD:
		return hf_name_labels(r->key + 1) <= 1;
	case TRIG_IP:
		return r->key[2] < (r->key[1] == 4 ? 8 : 16);
	default:
		return false;
	}
}

static void note_wide(void *ctx, const struct hf_policy_rule *r)
{
	struct wide *w = ctx;
	if (!too_wide(r))
		return;
	if (w->n++ < SHOWN && w->len < w->cap) {
		char t[HF_NAME_TEXT_MAX + 16];
		hf_policy_rule_text(r, t, sizeof(t));
		int k = snprintf(w->shown + w->len, w->cap - w->len, "%s%s (%s, line %u)",
		                 w->len ? ", " : "", t, r->src->name, r->line);
		w->len = k > 0 ? w->len + (size_t)k : w->len;
	}
}

int hf_policy_check_wide(const struct hf_policy *p, char *err, size_t cap)
{
	char shown[400] = "";
	struct wide w = {.shown = shown, .cap = sizeof(shown)};
	if (p == NULL)
		return HF_OK;
	hf_policy_each_rule(p, note_wide, &w);
	if (w.n == 0)
		return HF_OK;
	snprintf(err, cap, "%u rule%s at or above a top-level domain: %s%s", w.n,
	         w.n == 1 ? "" : "s", shown, w.n > SHOWN ? ", ..." : "");
	return HF_EINVAL;
}

/* --- what a new policy would change --------------------------------------------------- */

static bool same_answer(const struct hf_policy_rule *a, const struct hf_policy_rule *b)
{
	return a->action == b->action && strcmp(a->src->name, b->src->name) == 0 &&
	       a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0;
}

/* Would new answer name differently from old? */
static bool newly_changed(struct hf_policy *old, struct hf_policy *new_policy, const uint8_t *name)
{
	struct hf_policy_rule *rn = hf_policy_qname_lookup(new_policy, name, true);
	if (rn == NULL || rn->action == HF_POLICY_PASSTHRU)
		return false;
	struct hf_policy_rule *ro = old != NULL ? hf_policy_qname_lookup(old, name, false) : NULL;
	return ro == NULL || ro->action == HF_POLICY_PASSTHRU || !same_answer(ro, rn);
}

struct blast {
	size_t hits;
	unsigned shown;
	const uint8_t *shown_names[SHOWN];
};

static void remember(struct blast *b, const uint8_t *name)
{
	b->hits++;
	for (unsigned i = 0; i < b->shown; i++) {
		if (hf_name_eq(b->shown_names[i], name))
			return;
	}
	if (b->shown < SHOWN)
		b->shown_names[b->shown++] = name;
}

static void refusal(const struct blast *b, size_t n, uint32_t max_bp, char *err, size_t cap)
{
	char names[SHOWN * (HF_NAME_TEXT_MAX + 2)] = "";
	size_t len = 0;
	for (unsigned i = 0; i < b->shown; i++) {
		char t[HF_NAME_TEXT_MAX];
		if (hf_name_to_text(b->shown_names[i], t, sizeof(t)) < 0)
			continue;
		int k = snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", t);
		len = k > 0 && (size_t)k < sizeof(names) - len ? len + (size_t)k : len;
	}
	char limit[16];
	if (max_bp % 100 == 0)
		snprintf(limit, sizeof(limit), "%u%%", max_bp / 100);
	else
		snprintf(limit, sizeof(limit), "%u.%02u%%", max_bp / 100, max_bp % 100);
	snprintf(
	    err, cap,
	    "it would newly change the answer for %zu of the %zu recently asked names (%.1f%%, "
	    "over policy.max-blast %s), among them %s",
	    b->hits, n, 100.0 * (double)b->hits / (double)n, limit, names);
}

int hf_policy_check_blast(struct hf_policy *old, struct hf_policy *new_policy,
                          struct hf_policy_sample *s, uint32_t max_bp, char *err, size_t cap)
{
	size_t n;
	if (new_policy == NULL || s == NULL)
		return HF_OK;
	uint8_t(*names)[HF_NAME_MAX] = hf_policy_sample_names(s, &n);
	if (names == NULL) {
		snprintf(err, cap, "out of memory");
		return HF_ENOMEM;
	}
	struct blast b = {0};
	for (size_t i = 0; n >= HF_POLICY_SAMPLE_MIN && i < n; i++) {
		if (newly_changed(old, new_policy, names[i]))
			remember(&b, names[i]);
	}
	int rc = HF_OK;
	if (n >= HF_POLICY_SAMPLE_MIN && b.hits * 10000 > (size_t)max_bp * n) {
		refusal(&b, n, max_bp, err, cap);
		rc = HF_EINVAL;
	}
	hf_free(names);
	return rc;
}
