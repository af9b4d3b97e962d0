/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cache: records by name, type and class (the record cache), and in
 * front of it whole answers ready to send (the packet cache).
 *
 * Record cache. hf_cache_store_response() files what an accepted upstream
 * response says: the RRsets on the answer's CNAME chain from the question
 * name, or a negative entry (RFC 2308: NXDOMAIN covers every type at the
 * name, NODATA one type; negative TTL = min(SOA TTL, SOA MINIMUM)) keeping
 * the SOA for the authority section. hf_cache_answer() builds an answer from
 * cached pieces, following CNAMEs across entries. TTLs are clamped to
 * [min_ttl, max_ttl] on the way in and count down from the wall clock
 * (seconds since the epoch, passed in as `now` so tests and faketime move
 * time).
 *
 * Packet cache. hf_pcache_store() keeps a whole response keyed by question
 * (name case-insensitively, type, class) and the DO and CD bits of the
 * query; hf_pcache_answer() copies it for a new query, patching the ID, the
 * question name's case (the client's 0x20 pattern) and every TTL for the
 * time elapsed. It is what makes a cache hit cost almost nothing.
 *
 * Both are bounded in bytes (everything an entry allocates counts) and evict
 * the least recently used entry in O(1). Both are safe to use from several
 * threads at once: they are sharded, one lock per shard.
 *
 * Persistence. With opts.path set, the record cache also lives in an LMDB
 * file in that directory (persist.c): hf_cache_new() loads the entries still
 * worth having, and every entry stored afterwards is written through by a
 * background thread, so the cache survives a restart or a crash. Memory
 * stays the primary store; lookups never touch the file. A file that cannot
 * be used is moved aside and the cache starts empty; a directory that cannot
 * be used leaves the cache in memory only. Both are logged, neither fails.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "wire/build.h"
#include "wire/pkt.h"

struct hf_cache;
struct hf_pcache;

struct hf_cache_opts {
	uint64_t max_bytes;
	uint32_t min_ttl;     /* seconds; applied to positive and negative entries */
	uint32_t max_ttl;     /* seconds */
	uint32_t neg_max_ttl; /* seconds; cap for negative entries (RFC 2308 §5 suggests 3h) */
	/* RFC 8767: expired entries are kept this long (seconds) for stale answers,
	 * which carry stale_answer_ttl. 0: an expired entry is gone. */
	uint32_t stale_window;
	uint32_t stale_answer_ttl;
	/* The LMDB directory (created 0700 if missing); NULL or "" keeps the cache in memory
	 * only. Read by hf_cache_new() alone. */
	const char *path;
	uint64_t disk_bytes; /* most the file may take (its map size); 0: max_bytes */
};

/*
 * What DNSSEC validation said about cached data. Bogus data is never
 * stored; data that was not validated (forwarded, or validation off) is
 * insecure. The order matters: the weakest link of an answer decides.
 */
enum hf_sec {
	HF_SEC_INSECURE = 0,
	HF_SEC_SECURE = 1,
};

enum hf_cache_result {
	HF_CACHE_MISS = 0,
	HF_CACHE_HIT = 1,
	HF_CACHE_STALE = 2, /* a hit that used expired data (HF_CACHE_USE_STALE only) */
};

/* hf_cache_answer() flags. */
#define HF_CACHE_DNSSEC    0x1 /* the client set DO: RRSIGs and proofs too */
#define HF_CACHE_USE_STALE 0x2 /* expired data within the stale window may answer */

struct hf_cache_stats {
	uint64_t entries;
	uint64_t bytes;
	uint64_t hits;
	uint64_t misses;
	uint64_t inserts;
	uint64_t evictions;
	/* the persistent store (all 0 in memory only) */
	uint64_t disk_loaded;  /* entries loaded at start */
	uint64_t disk_written; /* entries written through */
	uint64_t disk_dropped; /* entries not written: queue full, or no room in the file */
};

/* NULL only when out of memory (a store that cannot be used is logged and left out). */
struct hf_cache *hf_cache_new(const struct hf_cache_opts *opts);
/* Writes what is still queued to the store first. */
void hf_cache_free(struct hf_cache *c);

/*
 * Files a response to (qname, qtype, qclass) that the resolver has accepted
 * (ID, source and question checked), with the security validation gave it.
 * Only NOERROR and NXDOMAIN responses are stored; a response that is
 * truncated, has no usable records, or whose records do not belong to the
 * question is ignored (HF_OK, nothing stored). Each RRset keeps the RRSIGs
 * that cover it, a negative entry the NSEC/NSEC3 records and signatures of
 * its proof, a wildcard-expanded RRset the proof that the name itself does
 * not exist: what a client asking with DO gets back. No entry outlives
 * ttl_cap seconds (the signatures' expiry). Returns HF_OK or HF_ENOMEM.
 */
HF_MUSTCHECK int hf_cache_store_response(struct hf_cache *c, const struct hf_pkt *resp,
                                         const uint8_t *qname, uint16_t qtype, uint16_t qclass,
                                         int64_t now, enum hf_sec sec, uint32_t ttl_cap);

/*
 * Answers (qname, qtype, qclass) from cached records into b, whose header
 * and question the caller has written: the CNAME chain (at most 16 links)
 * and the final RRset into the answer section, or for a negative answer the
 * SOA into the authority section. On HF_CACHE_HIT, *rcode is NOERROR or
 * NXDOMAIN. A chain that ends in a name with nothing cached is a miss.
 * TTLs written are the remaining ones. If b runs out of room the answer is
 * still a hit (b has set TC). With HF_CACHE_DNSSEC (the client set DO) the
 * RRSIGs and denial proofs stored with each piece are written too; with
 * HF_CACHE_USE_STALE expired pieces within the stale window may answer, with
 * the stale answer TTL, and the result is HF_CACHE_STALE when one did. *sec
 * gets the weakest security among the pieces used.
 */
int hf_cache_answer(struct hf_cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
                    int64_t now, struct hf_build *b, uint16_t *rcode, unsigned flags,
                    enum hf_sec *sec);

/*
 * Infrastructure data: NS sets from referrals and the addresses of name
 * servers (glue), which the iterator needs to find servers. They never
 * answer a client (RFC 2181 §5.4.1) and never replace an RRset learned as an
 * answer; an answer replaces them. rdata is uncompressed. HF_OK or HF_ENOMEM.
 */
HF_MUSTCHECK int hf_cache_put_infra(struct hf_cache *c, const uint8_t *owner, uint16_t type,
                                    uint16_t rclass, uint32_t ttl, const uint8_t *const *rdata,
                                    const uint16_t *rdlen, size_t n, int64_t now);

/*
 * Calls fn for each record of the live RRset (owner, type, rclass), answer
 * or infrastructure data alike, and returns its remaining TTL; 0 when there
 * is none. fn runs under the cache's lock: it must only copy.
 */
uint32_t hf_cache_get_rrset(struct hf_cache *c, const uint8_t *owner, uint16_t type,
                            uint16_t rclass, int64_t now,
                            void (*fn)(void *ctx, const uint8_t *rdata, uint16_t rdlen), void *ctx);

enum hf_cache_probe {
	HF_PROBE_NONE,     /* nothing live that answers clients */
	HF_PROBE_POSITIVE, /* the RRset */
	HF_PROBE_NEGATIVE, /* NODATA for the type */
	HF_PROBE_NXDOMAIN, /* the name does not exist */
};

/* What the cache holds for (owner, type, rclass), and how secure it is. */
enum hf_cache_probe hf_cache_probe(struct hf_cache *c, const uint8_t *owner, uint16_t type,
                                   uint16_t rclass, int64_t now, enum hf_sec *sec);

/* Is an NXDOMAIN for exactly this name cached (RFC 8020: nothing exists below it)? */
bool hf_cache_has_nxdomain(struct hf_cache *c, const uint8_t *name, uint16_t rclass, int64_t now);

/* --- the validated NSEC chain (RFC 8198), in canonical order per zone (nsecidx.c) --- */

#define HF_SIGNED_REC_MAX 1024

/* One record kept with its RRSIG: an NSEC, or a zone's SOA. */
struct hf_signed_rec {
	uint8_t owner[HF_NAME_MAX];
	uint8_t rdata[HF_SIGNED_REC_MAX];
	uint16_t rdlen;
	uint8_t sig[HF_SIGNED_REC_MAX]; /* RRSIG RDATA */
	uint16_t siglen;
	uint32_t ttl; /* remaining, when read back */
};

struct hf_nsec_index;

/* The cache's index (created with it, a sixteenth of its byte budget). */
struct hf_nsec_index *hf_cache_nsec_index(struct hf_cache *c);

struct hf_nsec_index *hf_nsec_index_new(uint64_t max_bytes);
void hf_nsec_index_free(struct hf_nsec_index *x);

/*
 * Keeps the NSEC records and the SOA of a reply that validated as secure,
 * each with its RRSIG, under the zone that signed them; TTLs no longer than
 * ttl_cap. HF_OK or HF_ENOMEM.
 */
HF_MUSTCHECK int hf_nsec_index_store_reply(struct hf_nsec_index *x, const struct hf_pkt *p,
                                           uint32_t ttl_cap, int64_t now);
/* Keeps one record (an NSEC, or with soa the zone's SOA) of zone. */
HF_MUSTCHECK int hf_nsec_index_put(struct hf_nsec_index *x, const uint8_t *zone,
                                   const struct hf_signed_rec *r, bool soa, int64_t now);
/* The deepest zone at or above name with NSEC records and an SOA kept. */
bool hf_nsec_index_zone(struct hf_nsec_index *x, const uint8_t *name, uint8_t zone[HF_NAME_MAX]);
/* The live NSEC of zone whose owner comes last at or before name (canonical order, wrapping). */
bool hf_nsec_index_find(struct hf_nsec_index *x, const uint8_t *zone, const uint8_t *name,
                        int64_t now, struct hf_signed_rec *out);
bool hf_nsec_index_soa(struct hf_nsec_index *x, const uint8_t *zone, int64_t now,
                       struct hf_signed_rec *out);
/* Drops the zones at or below name. */
void hf_nsec_index_flush(struct hf_nsec_index *x, const uint8_t *name);

/* Drops everything at or below name (name "." flushes all), from the store too. */
void hf_cache_flush(struct hf_cache *c, const uint8_t *name);

/* Drops what is cached under exactly name (every type), from the store too. */
void hf_cache_flush_name(struct hf_cache *c, const uint8_t *name);

void hf_cache_stats(struct hf_cache *c, struct hf_cache_stats *out);

/* --- packet cache --- */

/* Query bits that make answers differ: part of the packet-cache key. */
#define HF_PCACHE_DO 0x1
#define HF_PCACHE_CD 0x2

struct hf_pcache *hf_pcache_new(uint64_t max_bytes);
void hf_pcache_free(struct hf_pcache *pc);

/*
 * Keeps a response (wire[0..len), exactly one question) for queries with the
 * given key bits, for the smallest TTL in it (ttl_cap bounds it, and a
 * response without records is kept for ttl_cap). Records of type OPT are not
 * TTL-patched. Returns HF_OK, HF_ENOMEM, or HF_EINVAL for a response that
 * does not parse or has no single question.
 */
HF_MUSTCHECK int hf_pcache_store(struct hf_pcache *pc, const uint8_t *wire, size_t len,
                                 unsigned key_bits, uint32_t ttl_cap, int64_t now);

/*
 * Answers a query from the packet cache: query[0..qlen) is the client's
 * message, qname_off/qname_len locate its question name (uncompressed, as
 * the parser found it), qtype and qclass follow it. On a hit copies the
 * stored response into out, sets its ID to the query's, copies the query's
 * question name octets over the stored one (so the case matches), lowers
 * every TTL by the time elapsed, and returns the response length. Returns 0
 * on a miss (including an expired entry) or if cap is too small. When the
 * answer has less than a tenth of its lifetime left, *refresh is set, once
 * per entry (refresh may be NULL): time to prefetch it.
 */
size_t hf_pcache_answer(struct hf_pcache *pc, const uint8_t *query, size_t qname_off,
                        size_t qname_len, uint16_t qtype, uint16_t qclass, unsigned key_bits,
                        int64_t now, uint8_t *out, size_t cap, bool *refresh);

/* Drops every answer whose question name is at or below name ("." flushes all). */
void hf_pcache_flush(struct hf_pcache *pc, const uint8_t *name);

/* Drops every answer whose question name is exactly name. */
void hf_pcache_flush_name(struct hf_pcache *pc, const uint8_t *name);

void hf_pcache_stats(struct hf_pcache *pc, struct hf_cache_stats *out);
