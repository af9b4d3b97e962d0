/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Iteration from the root: one client question resolved by following
 * referrals down the tree, as Unbound and Knot Resolver do. Like the
 * forwarder it does no I/O: it says what to send (hf_iter_produce) and is
 * handed what came back (hf_iter_consume, hf_iter_timeout); resolve.h wraps
 * both modes behind one interface.
 *
 * A resolution is a small stack of tasks: the client's question at the
 * bottom, and above it the lookups of name server addresses that no glue
 * provided (resolved from the top of the tree again), the root priming
 * query (RFC 8109), and so on. Each task knows its zone cut: the deepest
 * zone whose NS set is known (from the cache, or the root hints), the names
 * of its servers and the addresses known for them.
 *
 * What each reply means, after scrubbing every record the server has no
 * authority for (owner outside the zone it was asked as):
 *   - an answer for the name asked: cached; a CNAME chain that leaves the
 *     reply restarts the task at its target (from the closest known cut);
 *   - a referral to a zone below the current one: its NS set and glue are
 *     cached as infrastructure data (never served to clients); glue counts
 *     only for names inside the delegated zone (resolver.strict-glue) or,
 *     relaxed, inside the zone that sent it; everything else is resolved
 *     separately;
 *   - NXDOMAIN or NODATA: cached per RFC 2308 and final (RFC 8020: an
 *     NXDOMAIN at an ancestor is cached and ends the question too);
 *   - anything else (REFUSED, SERVFAIL, an upward referral, garbage) marks
 *     the server lame for this question; the next server is asked.
 * QNAME minimisation (RFC 9156, relaxed) sends each server one label more
 * than the zone it serves, with QTYPE A, and falls back to the full name on
 * NXDOMAIN or an alias at an intermediate name.
 *
 * DNSSEC (when trust anchors are configured): every reply that is filed is
 * first validated (validator.h) against the chain of trust, which the
 * iterator builds on demand: a reply that needs a zone's DNSKEY RRset, or
 * the DS RRset above it, is set aside while a task fetches that (from the
 * parent's servers for DS, RFC 4035 §4.2) and validates it, down from the
 * trust anchor; then the reply is validated again. Queries carry DO. Secure
 * and insecure data are filed with their status; bogus data never is: the
 * next server of the zone is asked, and when none is left the question
 * fails with the Extended DNS Error that says why (or, for a client that
 * set CD, the bogus reply is passed on). Names under a negative trust
 * anchor, or under no anchor, are insecure. The priming answer is not
 * validated.
 *
 * Every resolution is bounded (resolver.max-queries, max-depth,
 * max-cname-chain, max-ns-lookups, max-time, max-outstanding): past a bound
 * it ends in SERVFAIL with an Extended DNS Error naming the bound.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"
#include "config/config.h"
#include "iterator/infra.h"
#include "iterator/roots.h"

struct hf_req_out;
enum hf_req_state;

struct hf_anchors;

struct hf_iter_env {
	const struct hf_config *cfg;
	struct hf_cache *cache;
	const struct hf_roots *roots;
	const struct hf_anchors *anchors; /* NULL or empty: no validation */
	bool refresh; /* a prefetch: resolve even what the cache still answers */
	struct hf_infra *infra;
	int64_t now_wall; /* seconds, for cache lookups and inserts */
};

struct hf_iter;

/* cd: the client set CD, so a bogus answer is passed on (uncached) instead of SERVFAIL. */
struct hf_iter *hf_iter_new(const struct hf_iter_env *env, const uint8_t *qname, uint16_t qtype,
                            uint16_t qclass, bool cd, uint64_t now_ms);
void hf_iter_free(struct hf_iter *it);

int hf_iter_produce(struct hf_iter *it, uint64_t now_us, struct hf_req_out *out);
int hf_iter_consume(struct hf_iter *it, const uint8_t *wire, size_t len, uint64_t now_us);
int hf_iter_timeout(struct hf_iter *it, uint64_t now_ms);

/* The attempt in flight is asked again, of the same server, over TCP (the guard doubted it). */
int hf_iter_retry_tcp(struct hf_iter *it);

/* After HF_REQ_DONE: the answer as a reply message to the client's question, or NULL. */
const uint8_t *hf_iter_reply(const struct hf_iter *it, size_t *len);
/* After HF_REQ_DONE without a reply: why (RFC 8914 code and text). */
uint16_t hf_iter_ede(const struct hf_iter *it, const char **text);

/* Upstream queries sent so far. */
unsigned hf_iter_queries(const struct hf_iter *it);
/*
 * The name servers of the zone the client's question was last asked of (its
 * answer's zone once done): up to max pointers into the iterator, valid
 * until it is freed. For RPZ NSDNAME triggers (src/policy).
 */
unsigned hf_iter_ns_names(const struct hf_iter *it, const uint8_t **names, unsigned max);

/* The zone (wire name) the attempt in flight asks about, or NULL before there is a cut. */
const uint8_t *hf_iter_zone(const struct hf_iter *it);
