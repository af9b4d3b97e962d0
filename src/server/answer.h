/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * From a client's query to what goes back, for everything that needs no
 * upstream: the checks every query passes (RFC 1035 header rules, EDNS
 * version, access control, opcode, class and type), the error answers
 * (FORMERR, REFUSED, NOTIMP, BADVERS), minimal answers to ANY (RFC 8482),
 * answers from local data and policy (src/policy: before the caches for
 * the question's name, on every answer going out for the addresses in it),
 * and answers from the caches. Pure: no sockets, no clock reads, no
 * globals; the worker (worker.c) does the I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cache/cache.h"
#include "config/config.h"
#include "util/counter.h"
#include "wire/name.h"

/* What the worker needs to know about a query to answer it later. */
struct hf_query {
	uint16_t id;
	uint16_t flags;
	bool policy_passed;         /* a PASSTHRU (or TCP-only over TCP) rule: no policy applies */
	bool asked;                 /* passed the checks: it goes into the policy's sample */
	uint8_t qname[HF_NAME_MAX]; /* as the client wrote it, case included */
	size_t qname_len;
	size_t qname_off; /* where it sits in the query (uncompressed) */
	uint16_t qtype;
	uint16_t qclass;
	bool edns;
	bool dnssec_ok;
	uint16_t max_size; /* largest answer the client takes over this transport */
	unsigned pcache_bits;
	bool refresh; /* answered, but near its expiry: the worker prefetches it */
};

enum hf_verdict {
	HF_VERDICT_DROP,    /* no answer at all (not a query, or unreadable header) */
	HF_VERDICT_ANSWER,  /* out holds the answer */
	HF_VERDICT_RESOLVE, /* q is filled: resolve upstream, then hf_answer_upstream() */
};

struct hf_policy;

struct hf_answer_ctx {
	const struct hf_config *cfg;
	struct hf_cache *cache;
	struct hf_pcache *pcache;
	struct hf_policy *policy; /* local data, RPZ, block lists (src/policy); NULL: none */
	/* The answering zone's name servers, when the iterator knows them (RPZ NSDNAME). */
	const uint8_t *const *ns_names;
	unsigned nns;
	int64_t now; /* wall seconds */
	bool tcp;
};

/* Per worker: the worker's thread adds (hf_counter_inc), the control plane reads. */
struct hf_answer_stats {
	_Atomic uint64_t queries, formerr, refused, notimp, badvers, any, local, pcache_hits,
	    cache_hits, resolving, dropped, stale, policy;
};

/*
 * Looks at a client's message and answers it if it can without asking
 * upstream. out must hold HF_MSG_MAX octets; *out_len gets the length.
 */
enum hf_verdict hf_answer_query(const struct hf_answer_ctx *ctx, const uint8_t *msg, size_t len,
                                const struct sockaddr *client, struct hf_query *q, uint8_t *out,
                                size_t *out_len, struct hf_answer_stats *st);

/*
 * Builds the answer to q from an upstream reply the resolver accepted, files
 * the reply in the caches (unless it was filed already: the iterator files
 * what it validated), and returns the answer's length (0 if none can be
 * built). The answer comes from the record cache when the reply was
 * cacheable, so the first answer and later hits agree (TTL clamping, AD bit
 * and DNSSEC records included), and from the reply's own sections otherwise.
 */
size_t hf_answer_upstream(const struct hf_answer_ctx *ctx, const struct hf_query *q,
                          const uint8_t *reply, size_t reply_len, bool filed, uint8_t *out);

/*
 * RFC 8767: when resolving q failed (why), the expired data the cache still
 * keeps, with the stale answer TTL and Extended DNS Error 3 (Stale Answer);
 * 0 when there is none.
 */
size_t hf_answer_stale(const struct hf_answer_ctx *ctx, const struct hf_query *q, const char *why,
                       uint8_t *out);

/* SERVFAIL for q, with an Extended DNS Error when q had EDNS. */
size_t hf_answer_servfail(const struct hf_answer_ctx *ctx, const struct hf_query *q, uint16_t ede,
                          const char *ede_text, uint8_t *out);

/*
 * The rate limiter's slip (RRL-style): an empty answer with TC=1 and the
 * query's question, so a real client retries over TCP where no rate limit
 * applies; never longer than the query, so it amplifies nothing. 0 when msg
 * is not a query with one uncompressed question (then nothing is sent).
 */
size_t hf_answer_slip(const uint8_t *msg, size_t len, uint8_t *out);
