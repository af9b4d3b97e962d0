/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internals shared by the record cache (rrcache.c), the packet cache
 * (pcache.c) and the record cache's file (persist.c, persist_rec.c): a
 * sharded hash table with an intrusive LRU list per shard, a seeded
 * case-insensitive hash over wire names, the record cache's entries and the
 * calls between it and its file. Not part of the API.
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
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cache/cache.h"
#include "util/compiler.h"
#include "wire/name.h"

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

/* --- the record cache's entries (rrcache.c; persist.c stores and loads them) --- */

#define TYPE_NXDOMAIN 0 /* key type of an NXDOMAIN entry */

enum rr_kind {
	RR_POSITIVE = 0,
	RR_NODATA = 1,
	RR_NXDOMAIN = 2,
	RR_INFRA = 3, /* from referrals and glue: for finding servers, never an answer */
	RR_SYNTH = 4, /* a CNAME synthesized from a DNAME (RFC 6672): answered after it */
};

/* One allocation; the layout of data[] is described at the top of rrcache.c. */
struct rr_entry {
	struct hf_cent h;
	int64_t expire; /* wall seconds; a miss from then on */
	uint32_t ttl;   /* the TTL it was stored with */
	uint16_t type;  /* key: the RRset's type, the type denied, or TYPE_NXDOMAIN */
	uint16_t rclass;
	uint16_t nrr; /* records; 1 (the SOA) for negative entries */
	uint8_t kind;
	uint8_t owner_len;
	uint8_t soa_owner_len; /* negative entries */
	uint8_t sec;           /* enum hf_sec */
	uint16_t extra_len;    /* octets of DNSSEC records after the RDATA */
	_Alignas(uint64_t) uint8_t data[];
};

struct hf_persist;

struct hf_cache {
	struct hf_cshard shards[HF_CACHE_SHARDS];
	struct hf_nsec_index *nsec;
	struct hf_cache_opts opts; /* opts.path is not kept: NULL */
	uint64_t seed;
	_Atomic uint64_t hits;
	_Atomic uint64_t misses;
	struct hf_persist *persist; /* NULL: memory only */
};

static inline uint16_t *entry_rdlen(struct rr_entry *e)
{
	return (uint16_t *)(void *)e->data;
}

static inline uint8_t *entry_owner(struct rr_entry *e)
{
	return e->data + e->nrr * sizeof(uint16_t);
}

static inline uint8_t *entry_soa_owner(struct rr_entry *e)
{
	return entry_owner(e) + e->owner_len;
}

static inline uint8_t *entry_rdata(struct rr_entry *e)
{
	return entry_soa_owner(e) + e->soa_owner_len;
}

static inline uint8_t *entry_extra(struct rr_entry *e)
{
	uint8_t *p = entry_rdata(e);
	for (size_t i = 0; i < e->nrr; i++)
		p += entry_rdlen(e)[i];
	return p;
}

/*
 * Allocates an entry for key (lowercased, owner_len octets) with room for n
 * record lengths, soa_owner_len octets of SOA owner, rdtotal octets of RDATA
 * and extra_len octets of DNSSEC records; the key, its kind and the size it
 * is charged are filled in, the rest is zero or unset.
 */
struct rr_entry *hf_rrcache_entry_new(const uint8_t *key, size_t owner_len, uint16_t type,
                                      uint16_t rclass, uint8_t kind, size_t n, size_t soa_owner_len,
                                      size_t rdtotal, size_t extra_len);

/* Files e in the memory cache, replacing any entry with its key; nothing is written through. */
void hf_rrcache_file(struct hf_cache *c, struct rr_entry *e);

/* --- persistence (persist.c) --- */

/*
 * Opens the LMDB store under c->opts.path, loads what it holds into c and
 * starts the writer thread. Returns NULL when the cache is to stay in memory
 * only: out of memory, or a directory that cannot be used (logged).
 */
struct hf_persist *hf_persist_open(struct hf_cache *c);
/* Writes out what is queued, syncs and closes the store. NULL is fine. */
void hf_persist_close(struct hf_persist *p);
/* Queues e (complete, not yet filed) to be written; drops it when the queue is full. */
void hf_persist_put(struct hf_persist *p, struct rr_entry *e);
/* Queues the removal of one key, name lowercased. */
void hf_persist_del(struct hf_persist *p, const uint8_t *name, uint16_t type, uint16_t rclass);
/* Queues the removal of everything at or below name; never dropped. */
void hf_persist_flush(struct hf_persist *p, const uint8_t *name);
/* Adds the store's counters to out. */
void hf_persist_stats(struct hf_persist *p, struct hf_cache_stats *out);

/* --- the stored form of an entry (persist_rec.c; no I/O) --- */

#define HF_PERSIST_KEY_MAX    (HF_NAME_MAX + 4)
#define HF_PERSIST_VALUE_HEAD 20 /* octets of a value before its record lengths */

/* A stored record that passed every check, pointing into the key and value it came from. */
struct hf_persist_rec {
	uint8_t owner[HF_NAME_MAX]; /* from the key, lowercase */
	size_t owner_len;           /* 0 until the key has been read */
	uint16_t type, rclass;
	int64_t expire;
	uint32_t ttl;
	uint16_t nrr, extra_len;
	uint8_t kind, sec, soa_owner_len;
	const uint8_t *rdlens; /* big-endian, nrr of them */
	const uint8_t *soa_owner;
	const uint8_t *rdata; /* rdtotal octets of RDATA, then extra_len of DNSSEC records */
	size_t rdtotal;
};

/* The labels of a (checked) wire name last first, without the root label: a key's prefix. */
size_t hf_persist_rev_name(const uint8_t *name, uint8_t *out);
size_t hf_persist_key(struct rr_entry *e, uint8_t out[HF_PERSIST_KEY_MAX]);
size_t hf_persist_value_len(struct rr_entry *e);
void hf_persist_value(struct rr_entry *e, uint8_t *out);
/* Reads and checks a stored record into r: HF_OK, or HF_EMALF with *why saying what is wrong. */
HF_MUSTCHECK int hf_persist_read(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                                 struct hf_persist_rec *r, const char **why);
/* A new entry (hf_free() it, or file it) from a checked record; NULL when out of memory. */
struct rr_entry *hf_persist_rec_entry(const struct hf_persist_rec *r);
/* hf_persist_read() and hf_persist_rec_entry() in one: HF_OK, HF_ENOMEM or HF_EMALF. */
HF_MUSTCHECK int hf_persist_parse(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                                  struct rr_entry **out, const char **why);
/* The expiry and the time stored of any value at least HF_PERSIST_VALUE_HEAD long, clamped. */
void hf_persist_value_times(const uint8_t *val, int64_t *expire, int64_t *stored);

/* Tests: while paused the writer takes nothing from the queue. */
HF_TESTABLE void hf_persist_pause(struct hf_persist *p, bool paused);
