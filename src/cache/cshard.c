/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One shard of a cache: a chained hash table, an intrusive LRU list and a
 * byte budget (see impl.h). The caller holds the shard's lock; nothing here
 * locks. Also the process-wide hash seed.
 */
#include "cache/impl.h"

#include <stdatomic.h>
#include <sys/random.h>

#include "util/alloc.h"
#include "util/err.h"

#define MIN_BUCKETS 16

int hf_cshard_init(struct hf_cshard *s, uint64_t max_bytes)
{
	memset(s, 0, sizeof(*s));
	s->tab = hf_calloc(MIN_BUCKETS, sizeof(*s->tab));
	if (s->tab == NULL)
		return HF_ENOMEM;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		hf_free(s->tab);
		s->tab = NULL;
		return HF_ENOMEM;
	}
	s->mask = MIN_BUCKETS - 1;
	s->bytes = MIN_BUCKETS * sizeof(*s->tab);
	s->max_bytes = max_bytes;
	s->lru.lnext = &s->lru;
	s->lru.lprev = &s->lru;
	return HF_OK;
}

void hf_cshard_clear(struct hf_cshard *s)
{
	if (s->tab == NULL)
		return;
	struct hf_cent *e = s->lru.lnext;
	while (e != &s->lru) {
		struct hf_cent *next = e->lnext;
		hf_free(e);
		e = next;
	}
	hf_free(s->tab);
	s->tab = NULL;
	pthread_mutex_destroy(&s->lock);
}

/* Doubles the bucket array; on failure the old one stays (longer chains, still correct). */
static void grow(struct hf_cshard *s)
{
	size_t n = (s->mask + 1) * 2;
	struct hf_cent **tab = hf_calloc(n, sizeof(*tab));
	if (tab == NULL)
		return;
	for (size_t i = 0; i <= s->mask; i++) {
		struct hf_cent *e = s->tab[i];
		while (e != NULL) {
			struct hf_cent *next = e->hnext;
			size_t b = e->hash & (n - 1);
			e->hnext = tab[b];
			tab[b] = e;
			e = next;
		}
	}
	hf_free(s->tab);
	s->bytes += (n - (s->mask + 1)) * sizeof(*tab);
	s->tab = tab;
	s->mask = n - 1;
}

static void unlink_entry(struct hf_cshard *s, struct hf_cent *e)
{
	struct hf_cent **pp = &s->tab[e->hash & s->mask];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->lprev->lnext = e->lnext;
	e->lnext->lprev = e->lprev;
	s->count--;
	s->bytes -= e->size;
}

void hf_cshard_remove(struct hf_cshard *s, struct hf_cent *e)
{
	unlink_entry(s, e);
	hf_free(e);
}

bool hf_cshard_insert(struct hf_cshard *s, struct hf_cent *e)
{
	/* The entry alone must fit beside the bucket array. */
	e->ref = false;
	if (e->size + (s->mask + 1) * sizeof(*s->tab) > s->max_bytes) {
		hf_free(e);
		return false;
	}
	if (s->count >= s->mask + 1 && (s->mask + 1) * 2 * sizeof(*s->tab) < s->max_bytes / 4)
		grow(s);
	struct hf_cent **head = &s->tab[e->hash & s->mask];
	e->hnext = *head;
	*head = e;
	e->lprev = &s->lru;
	e->lnext = s->lru.lnext;
	s->lru.lnext->lprev = e;
	s->lru.lnext = e;
	s->count++;
	s->bytes += e->size;
	s->inserts++;
	unsigned chances = 0;
	while (s->bytes > s->max_bytes && s->lru.lprev != e) {
		struct hf_cent *victim = s->lru.lprev;
		if (victim->ref && chances < HF_CSHARD_CHANCES) {
			chances++;
			victim->ref = false;
			victim->lprev->lnext = &s->lru;
			s->lru.lprev = victim->lprev;
			victim->lnext = s->lru.lnext;
			victim->lprev = &s->lru;
			s->lru.lnext->lprev = victim;
			s->lru.lnext = victim;
			continue;
		}
		hf_cshard_remove(s, victim);
		s->evictions++;
	}
	return true;
}

uint64_t hf_cache_seed(void)
{
	static _Atomic uint64_t seed;
	uint64_t v = atomic_load_explicit(&seed, memory_order_relaxed);
	if (v != 0)
		return v;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint64_t)(uintptr_t)&seed * HF_CACHE_P1; /* ASLR is better than nothing */
	v |= 1;
	uint64_t expected = 0;
	if (!atomic_compare_exchange_strong(&seed, &expected, v))
		v = expected;
	return v;
}
