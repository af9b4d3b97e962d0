/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internals shared by the record cache (rrcache.c) and the packet cache
 * (pcache.c): a sharded hash table with an intrusive LRU list per shard, and
 * a seeded case-insensitive hash over wire names. Not part of the API.
 *
 * Every entry is one hf_malloc() block that starts with struct hf_cent. A
 * shard owns its entries: it links each into one hash chain and into its LRU
 * list (most recent at the head), and charges the entry's size, plus the
 * shard's bucket array, against the shard's byte budget (max_bytes divided
 * by the number of shards). Inserting evicts from the LRU tail until the
 * shard fits again. The bucket array doubles when the entries outnumber the
 * buckets (amortised O(1) per insert) while it stays under a quarter of the
 * budget; it never shrinks.
 *
 * Promotion is lazy (second chance, as in CLOCK): a hit only sets the
 * entry's referenced bit; eviction moves a referenced tail entry back to the
 * head with the bit cleared instead of dropping it, at most
 * HF_CSHARD_CHANCES times per eviction, so each insert stays O(1). A hit so
 * writes nothing outside the entry it already read, where moving it in the
 * list would touch two more (cold) entries: on 100 000 entries hit at random
 * that cuts a packet-cache hit from ~450 ns to ~310 ns. An entry
 * used since it last reached the tail is never the one evicted (unless every
 * entry the eviction looks at was used too); among the unused ones the
 * least recently inserted or promoted goes first.
 *
 *   shard: [lock][buckets]--> e --> e        (hash chains, hnext)
 *          [lru] <-> e <-> e <-> e <-> [lru] (LRU, head = most recent)
 *
 * Callers take shard->lock around every use of a shard and its entries.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/compiler.h"

#define HF_CACHE_SHARDS 16 /* a power of two; the top hash bits pick the shard */

struct hf_cent {
	struct hf_cent *hnext; /* next in the hash chain */
	struct hf_cent *lprev; /* LRU neighbours; the shard's sentinel closes the ring */
	struct hf_cent *lnext;
	uint64_t hash;
	uint32_t size; /* bytes charged for this entry (its whole allocation) */
	bool ref;      /* used since it was last linked at the head */
};

#define HF_CSHARD_CHANCES 16 /* referenced entries spared per eviction */

struct hf_cshard {
	pthread_mutex_t lock;
	struct hf_cent **tab;
	size_t mask;  /* number of buckets - 1 */
	size_t count; /* entries */
	uint64_t bytes;
	uint64_t max_bytes;
	struct hf_cent lru; /* sentinel: lru.lnext is the most recent entry */
	uint64_t hits, misses, inserts, evictions;
	char pad[64]; /* keeps neighbouring shards' hot fields off one cache line */
};

HF_MUSTCHECK int hf_cshard_init(struct hf_cshard *s, uint64_t max_bytes);
/* Frees every entry and the bucket array; destroys the lock. */
void hf_cshard_clear(struct hf_cshard *s);

/*
 * Links e (whose hash and size are set) as the most recent entry, then
 * evicts least recently used entries other than e until the shard fits its
 * budget. An entry larger than the whole budget is freed instead (false).
 */
bool hf_cshard_insert(struct hf_cshard *s, struct hf_cent *e);

/* Unlinks e from its chain and the LRU list, uncharges and frees it. */
void hf_cshard_remove(struct hf_cshard *s, struct hf_cent *e);

static inline struct hf_cshard *hf_cshard_of(struct hf_cshard *shards, uint64_t hash)
{
	return &shards[hash >> 60];
}

static inline struct hf_cent *hf_cshard_chain(const struct hf_cshard *s, uint64_t hash)
{
	return s->tab[hash & s->mask];
}

/* Marks e used (it gets a second chance at the LRU tail). */
static inline void hf_cshard_touch(struct hf_cent *e)
{
	if (!e->ref)
		e->ref = true;
}

/* --- hashing and comparing names case-insensitively, eight octets at a time --- */

/* A per-process random seed (getrandom), so nobody can aim names at one bucket. */
uint64_t hf_cache_seed(void);

static inline uint64_t hf_cache_load64(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	memcpy(&w, p, n < 8 ? n : 8);
	return w;
}

/*
 * Lowercases the ASCII letters among eight octets. Label length octets
 * (0..63) are never letters, so this lowercases a wire name as
 * hf_name_lower() does.
 */
static inline uint64_t hf_cache_lower64(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t low7 = w & (0x7f * ones);
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;     /* high bit: octet >= 'A' */
	uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * ones; /* high bit: octet > 'Z' */
	uint64_t upper = ge_a & ~gt_z & ~w & (0x80 * ones);
	return w | (upper >> 2);
}

static inline uint64_t hf_cache_mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define HF_CACHE_P0 0xa0761d6478bd642fULL
#define HF_CACHE_P1 0xe7037ed1a0b428dbULL
#define HF_CACHE_P2 0x8ebc6af09c88c6e3ULL

/* Hash of name[0..len) read case-insensitively, with extra (type, class, bits) mixed in. */
static inline uint64_t hf_cache_hash(uint64_t seed, const uint8_t *name, size_t len, uint64_t extra)
{
	uint64_t h = seed ^ (len * HF_CACHE_P0);
	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = hf_cache_lower64(hf_cache_load64(name + i, len - i));
		h = hf_cache_mix(w ^ HF_CACHE_P1, h ^ HF_CACHE_P2);
	}
	return hf_cache_mix(h ^ extra, HF_CACHE_P0 ^ len);
}

/* True if name[0..len) equals the lowercase key[0..len), ignoring case in name. */
static inline bool hf_cache_name_eq(const uint8_t *key, const uint8_t *name, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t a, b;
		memcpy(&a, key + i, 8);
		memcpy(&b, name + i, 8);
		if (a != hf_cache_lower64(b))
			return false;
	}
	if (i == len)
		return true;
	return hf_cache_load64(key + i, len - i) ==
	       hf_cache_lower64(hf_cache_load64(name + i, len - i));
}
