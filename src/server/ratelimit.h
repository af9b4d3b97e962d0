/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Flood protection's two tables, both fixed in size, shared by the worker
 * threads and lock-free, so a flood from spoofed sources cannot grow memory
 * and a client whose packets the kernel spreads over several workers
 * (SO_REUSEPORT hashes on the source port too) meets one limit, not one per
 * worker.
 *
 * hf_ratelimit: per-client query rates (ratelimit.*). One token bucket per
 * client prefix (/24, /56 by default), kept as GCRA: a bucket is a single
 * "theoretical arrival time" (TAT), so a slot is one 64-bit word (16-bit
 * tag, 48-bit TAT in microseconds) updated with one compare-and-swap. A query
 * is allowed when TAT - now <= (burst - 1) * interval; then TAT becomes
 * max(TAT, now) + interval. A slot whose TAT has passed holds a full bucket,
 * which is the same as no entry at all, so it may be reused without losing
 * anything. Slots come in lines of 8 (one cache line): a prefix hashes to a
 * line and takes its own slot, an idle one, or else the least limited one.
 * Cost on the hot path: one keyed hash, one cache line, one CAS.
 *
 * hf_inflight: counts of resolutions in flight, per client prefix and per
 * zone (resolver.max-per-client, resolver.max-per-zone). Counters without
 * keys: two keys that hash alike share a counter, which can only make a
 * limit stricter, never looser, and at 65536 counters is rare.
 *
 * Both hash with a random per-table seed, so nobody outside can aim keys at
 * one line or counter.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/compiler.h"

#define HF_RATELIMIT_SLOTS   65536 /* 512 KiB: 8192 lines of 8 buckets */
#define HF_INFLIGHT_SLOTS    65536 /* 256 KiB of counters */
#define HF_RATELIMIT_QPS_MAX 1000000

struct hf_ratelimit;
struct hf_inflight;

/*
 * The client's prefix as a 64-bit key: the first v4_bits of an IPv4 address
 * or the first v6_bits (at most 64) of an IPv6 address, with the family in
 * it. IPv4-mapped IPv6 addresses count as IPv4.
 */
uint64_t hf_client_prefix(const struct sockaddr *client, unsigned v4_bits, unsigned v6_bits);

/*
 * slots is rounded up to a whole number of lines; now_us (monotonic) starts
 * its clock, which lasts 8.9 years from there. NULL when out of memory.
 */
struct hf_ratelimit *hf_ratelimit_new(size_t slots, uint64_t now_us);
void hf_ratelimit_free(struct hf_ratelimit *rl);

/*
 * One query from prefix at now_us (monotonic microseconds): true when it is
 * within qps (1..HF_RATELIMIT_QPS_MAX) and burst (at least 1), and then
 * counts it. A limited query costs the bucket nothing.
 */
bool hf_ratelimit_allow(struct hf_ratelimit *rl, uint64_t prefix, unsigned qps, unsigned burst,
                        uint64_t now_us);

struct hf_inflight *hf_inflight_new(size_t slots);
void hf_inflight_free(struct hf_inflight *t);

/*
 * Takes one unit of key's counter if it is below max: true and *slot set
 * (give it back with hf_inflight_put), or false and nothing taken.
 */
HF_MUSTCHECK bool hf_inflight_take(struct hf_inflight *t, uint64_t key, unsigned max,
                                   uint32_t *slot);
void hf_inflight_put(struct hf_inflight *t, uint32_t slot);
/* What key's counter holds now (tests, figures). */
unsigned hf_inflight_count(const struct hf_inflight *t, uint64_t key);

/*
 * The zone a name's resolution is charged to: its last two labels (a fair
 * stand-in for the registered domain: random.victim.example. is charged to
 * victim.example.), or the forward zone when that is deeper; the name itself
 * when it is shorter. Hashed, case-blind. zone may be NULL.
 */
uint64_t hf_zone_key(const uint8_t *name, const uint8_t *zone);
