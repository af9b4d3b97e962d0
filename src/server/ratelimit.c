/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rate limits and in-flight counters for flood protection. See ratelimit.h
 * for the shape and why it is lock-free and fixed in size.
 */
#include "server/ratelimit.h"

#include <netinet/in.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>

#include "util/alloc.h"
#include "util/random.h"
#include "wire/name.h"

#define LINE       8 /* slots per line: 64 octets, one cache line */
#define TAG_SHIFT  48
#define TAT_MASK   ((UINT64_C(1) << TAG_SHIFT) - 1)
#define CAS_TRIES  8
#define V4_KEY_BIT (UINT64_C(1) << 32)

struct hf_ratelimit {
	_Atomic uint64_t *slots; /* aligned to a cache line inside mem */
	void *mem;
	size_t nlines;
	uint64_t seed;
	uint64_t epoch_us; /* TATs count from here, so 48 bits last 8.9 years */
};

struct hf_inflight {
	_Atomic uint32_t *counts;
	size_t n;
	uint64_t seed;
};

/* splitmix64's finaliser over key and seed: keyed and well spread, not cryptographic. */
static uint64_t mix(uint64_t key, uint64_t seed)
{
	uint64_t x = key ^ seed;
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t mask64(uint64_t v, unsigned bits, unsigned width)
{
	if (bits == 0)
		return 0;
	if (bits >= width)
		return v;
	return v & ~((UINT64_C(1) << (width - bits)) - 1);
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

uint64_t hf_client_prefix(const struct sockaddr *client, unsigned v4_bits, unsigned v6_bits)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *v4 = NULL;
	if (client->sa_family == AF_INET) {
		v4 = (const uint8_t *)&((const struct sockaddr_in *)client)->sin_addr;
	} else if (client->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)client)->sin6_addr.s6_addr;
		if (memcmp(a, mapped, sizeof(mapped)) != 0)
			return mask64(load_be64(a), v6_bits, 64);
		v4 = a + 12;
	} else {
		return 0;
	}
	uint64_t a4 = (uint64_t)v4[0] << 24 | (uint64_t)v4[1] << 16 | (uint64_t)v4[2] << 8 | v4[3];
	return V4_KEY_BIT | mask64(a4, v4_bits, 32);
}

/* --- rate limits ------------------------------------------------------------------- */

struct hf_ratelimit *hf_ratelimit_new(size_t slots, uint64_t now_us)
{
	struct hf_ratelimit *rl = hf_calloc(1, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	rl->nlines = (slots + LINE - 1) / LINE;
	if (rl->nlines == 0)
		rl->nlines = 1;
	size_t line_bytes = LINE * sizeof(uint64_t);
	rl->mem = hf_calloc(rl->nlines + 1, line_bytes);
	if (rl->mem == NULL) {
		hf_free(rl);
		return NULL;
	}
	uintptr_t p = ((uintptr_t)rl->mem + line_bytes - 1) & ~(uintptr_t)(line_bytes - 1);
	rl->slots = (_Atomic uint64_t *)p;
	hf_random_bytes(&rl->seed, sizeof(rl->seed));
	rl->epoch_us = now_us;
	return rl;
}

void hf_ratelimit_free(struct hf_ratelimit *rl)
{
	if (rl == NULL)
		return;
	hf_free(rl->mem);
	hf_free(rl);
}

/*
 * The slot prefix uses in its line: its own (same tag), else one that holds
 * no state (empty, or TAT passed: a full bucket), else the one nearest to
 * that (the least limited prefix loses its history, not a heavy one).
 */
static size_t pick_slot(_Atomic uint64_t *line, uint64_t tag, uint64_t *seen)
{
	size_t victim = 0;
	uint64_t victim_tat = UINT64_MAX;
	for (size_t i = 0; i < LINE; i++) {
		uint64_t v = atomic_load_explicit(&line[i], memory_order_relaxed);
		if (v >> TAG_SHIFT == tag) {
			*seen = v;
			return i;
		}
		uint64_t tat = v & TAT_MASK;
		if (tat < victim_tat) {
			victim_tat = tat;
			victim = i;
		}
	}
	*seen = atomic_load_explicit(&line[victim], memory_order_relaxed);
	return victim;
}

bool hf_ratelimit_allow(struct hf_ratelimit *rl, uint64_t prefix, unsigned qps, unsigned burst,
                        uint64_t now_us)
{
	/* Microseconds since the table began; a clock that went back counts as its start. */
	uint64_t now = now_us > rl->epoch_us ? (now_us - rl->epoch_us) & TAT_MASK : 0;
	uint64_t interval = 1000000 / (qps != 0 ? qps : 1);
	if (interval == 0)
		interval = 1;
	uint64_t tolerance = (burst > 0 ? burst - 1 : 0) * interval;
	uint64_t h = mix(prefix, rl->seed);
	uint64_t tag = (h >> TAG_SHIFT) | 1; /* 0 is the empty slot */
	_Atomic uint64_t *line = rl->slots + (h % rl->nlines) * LINE;
	for (int tries = 0; tries < CAS_TRIES; tries++) {
		uint64_t seen;
		size_t i = pick_slot(line, tag, &seen);
		uint64_t tat = seen >> TAG_SHIFT == tag ? seen & TAT_MASK : 0;
		if (tat < now)
			tat = now;
		if (tat - now > tolerance)
			return false;
		uint64_t next = tag << TAG_SHIFT | ((tat + interval) & TAT_MASK);
		if (atomic_compare_exchange_weak_explicit(
		        &line[i], &seen, next, memory_order_relaxed, memory_order_relaxed))
			return true;
	}
	/* Another worker kept winning this line: under that much contention, refuse. */
	return false;
}

/* --- in-flight counters ------------------------------------------------------------ */

struct hf_inflight *hf_inflight_new(size_t slots)
{
	struct hf_inflight *t = hf_calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->n = slots > 0 ? slots : 1;
	t->counts = hf_calloc(t->n, sizeof(*t->counts));
	if (t->counts == NULL) {
		hf_free(t);
		return NULL;
	}
	hf_random_bytes(&t->seed, sizeof(t->seed));
	return t;
}

void hf_inflight_free(struct hf_inflight *t)
{
	if (t == NULL)
		return;
	hf_free(t->counts);
	hf_free(t);
}

bool hf_inflight_take(struct hf_inflight *t, uint64_t key, unsigned max, uint32_t *slot)
{
	uint32_t i = (uint32_t)(mix(key, t->seed) % t->n);
	uint32_t have = atomic_load_explicit(&t->counts[i], memory_order_relaxed);
	do {
		if (have >= max)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
	    &t->counts[i], &have, have + 1, memory_order_relaxed, memory_order_relaxed));
	*slot = i;
	return true;
}

void hf_inflight_put(struct hf_inflight *t, uint32_t slot)
{
	if (slot < t->n)
		atomic_fetch_sub_explicit(&t->counts[slot], 1, memory_order_relaxed);
}

unsigned hf_inflight_count(const struct hf_inflight *t, uint64_t key)
{
	uint32_t i = (uint32_t)(mix(key, t->seed) % t->n);
	return atomic_load_explicit(&t->counts[i], memory_order_relaxed);
}

/* FNV-1a over the name's octets, lowercased. */
static uint64_t name_hash(const uint8_t *name)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0, n = hf_name_len(name); i < n; i++)
		h = (h ^ hf_lower(name[i])) * UINT64_C(0x100000001b3);
	return h;
}

uint64_t hf_zone_key(const uint8_t *name, const uint8_t *zone)
{
	unsigned labels = hf_name_labels(name);
	unsigned want = labels < 2 ? labels : 2;
	if (zone != NULL && hf_name_labels(zone) > want && hf_name_in_zone(name, zone))
		want = hf_name_labels(zone);
	const uint8_t *suffix = hf_name_suffix(name, want);
	return name_hash(suffix != NULL ? suffix : name);
}
