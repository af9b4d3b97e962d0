/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The server: worker threads, each with its own libuv loop and its own
 * SO_REUSEPORT sockets on every listen address (the kernel spreads clients
 * across them), sharing the caches and the upstream figures.
 *
 * UDP is read and answered in batches (recvmmsg/sendmmsg), which is what a
 * cache hit costs most. TCP follows RFC 7766: several queries in flight per
 * connection, answers in whatever order they are ready, an idle timeout, and
 * caps on connections in total and per client address.
 *
 * The running configuration can be swapped (SIGHUP) without stopping:
 * workers pick up the new one at the next query; a configuration stays
 * allocated until exit, so a request started under the old one finishes
 * under it.
 */
#pragma once

#include <stdbool.h>

#include "config/config.h"
#include "iterator/roots.h"
#include "validator/anchors.h"
#include "upstream/upstream.h"

struct hf_server;
struct hf_policy;

/*
 * Opens every listen socket (so errors surface before anything runs). NULL and err on failure.
 * The server owns cfg, up, roots, anchors and policy (NULL: none) from now on.
 */
struct hf_server *hf_server_new(struct hf_config *cfg, struct hf_upstreams *up,
                                struct hf_roots *roots, struct hf_anchors *anchors,
                                struct hf_policy *policy, char err[HF_CONFIG_ERR_MAX]);

/* Starts the worker threads. */
int hf_server_start(struct hf_server *s);

/*
 * The blast-radius guard on a policy about to replace the running one
 * (policy.h): HF_OK, or an error with err saying what it would hit. force
 * loads it anyway (with a warning in the log). Refusals are counted.
 */
int hf_server_check_policy(struct hf_server *s, struct hf_policy *p, bool force, char *err,
                           size_t cap);

/*
 * Swaps in a new configuration; the server owns cfg, up, roots, anchors and
 * policy from now on. The old policy's breaker incidents close.
 */
void hf_server_reload(struct hf_server *s, struct hf_config *cfg, struct hf_upstreams *up,
                      struct hf_roots *roots, struct hf_anchors *anchors, struct hf_policy *policy);

/* Stops accepting, lets requests in flight finish (bounded), joins the workers. */
void hf_server_stop(struct hf_server *s);

void hf_server_free(struct hf_server *s);

/* --- for the control plane (src/control) --- */

struct hf_hub;
struct hf_incidents;
struct hf_cache;
struct hf_pcache;

/* The hub the workers feed (client outcomes) and the guard feeds (events, incidents). */
struct hf_hub *hf_server_hub(struct hf_server *s);
/* The incidents (guard/incidents.h): others raise theirs through it too. */
struct hf_incidents *hf_server_incidents(struct hf_server *s);
struct hf_cache *hf_server_cache(struct hf_server *s);
struct hf_pcache *hf_server_pcache(struct hf_server *s);
/* The running policy (NULL: none); it stays allocated until exit. */
struct hf_policy *hf_server_policy(struct hf_server *s);
/* Policies the blast-radius guard refused since start. */
uint64_t hf_server_policy_refused(struct hf_server *s);

#define HF_SERVER_DROPPED 16 /* result index: no answer sent; 0..15 are header RCODEs */
#define HF_SERVER_RESULTS 17

/* Figures summed over the workers since start. */
struct hf_server_stats {
	uint64_t answers[2][HF_SERVER_RESULTS]; /* [0 UDP, 1 TCP][RCODE, or HF_SERVER_DROPPED] */
	uint64_t queries, pcache_hits, cache_hits, resolving, stale, local, formerr, refused,
	    policy;
	/* Flood protection: UDP queries over their client's rate dropped or slipped (TC=1);
	 * cache misses refused past resolver.max-per-client, max-per-zone, max-pending. */
	uint64_t ratelimit_dropped, ratelimit_slipped, refused_client, refused_zone, shed;
	uint64_t pending; /* resolutions in flight now */
	unsigned workers;
};

void hf_server_stats(struct hf_server *s, struct hf_server_stats *out);

/*
 * Calls fn for each upstream server: forwarders of the running
 * configuration (forwarder true), then the name servers iteration has met.
 * fn may read the server's atomic figures only.
 */
void hf_server_upstreams(struct hf_server *s,
                         void (*fn)(void *ctx, const struct hf_upstream *u, bool forwarder),
                         void *ctx);

/* One line of figures for the log. */
void hf_server_summary(struct hf_server *s, char *out, size_t cap);
