/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Upstream servers and the choice between them.
 *
 * Forward zones come from the config (`forward:`, longest zone match wins)
 * or, with `forward: resolv.conf`, from the nameserver lines of
 * /etc/resolv.conf. Each server keeps a smoothed RTT (SRTT, as RFC 6298
 * smooths TCP's: 7/8 old, 1/8 new) and a count of consecutive failures.
 *
 * Choice: the untried server with the lowest SRTT; servers never measured
 * count as fastest, so each is tried early. After 3 failures in a row a
 * server is set aside for a back-off that doubles up to a minute; one
 * choice in 20 explores another live server instead of the best, so a
 * server that recovered wins its place back. When every server is set
 * aside, the one set aside longest is tried anyway rather than failing.
 *
 * The figures are shared by all worker threads and updated with atomics:
 * a lost update costs a slightly stale SRTT, never correctness.
 *
 * A `tls://` or `https://` upstream (DNS over TLS or over HTTPS, tls.h)
 * carries its authentication in `tls`; every query to it goes over TLS,
 * whatever transport the resolver asked for (for the resolver both are a
 * stream: no UDP guard, no TC). Each zone with such upstreams holds one
 * OpenSSL context with its CA store (`forward[].tls-ca`), loaded here, so a
 * CA file that cannot be read is a configuration error.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "wire/name.h"

#define HF_UPSTREAM_MAX_SERVERS 32 /* per zone; tried servers are a bit mask */

/* Upper bounds (microseconds) of the RTT histogram's buckets; one more bucket is +Inf. */
#define HF_RTT_BUCKETS_US                                                                          \
	{                                                                                          \
		1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000    \
	}
#define HF_RTT_BUCKETS 12

struct hf_tls_peer;
struct ssl_ctx_st;

struct hf_upstream {
	struct hf_addr addr;
	char name[64];            /* "ADDR@PORT", "tls://ADDR@PORT#name" or the URL, for logs */
	struct hf_tls_peer *tls;  /* DoT or DoH: how to authenticate it; NULL = plain DNS */
	_Atomic uint32_t srtt_us; /* 0 = never measured */
	_Atomic uint32_t fails;   /* consecutive */
	_Atomic uint64_t down_until_ms;
	_Atomic uint64_t queries, answers, timeouts, bad_replies, tcp_fallbacks;
	_Atomic uint32_t outstanding; /* queries in flight to this address */
	/* What honest replies look like (src/guard), learned from accepted ones. */
	_Atomic int ip_ttl;            /* IP TTL / hop limit they arrive with */
	_Atomic uint32_t ttl_seen;     /* accepted replies that showed it */
	_Atomic uint32_t min_rtt_us;   /* fastest accepted UDP reply: the path's floor */
	_Atomic uint32_t rtt_seen;     /* accepted UDP replies timed */
	_Atomic uint8_t edns;          /* HF_GUARD_EDNS_* */
	_Atomic uint64_t tcp_until_ms; /* doubted lately: ask over TCP until then */
	_Atomic uint64_t doubted, rejected, accepted; /* the guard's verdicts on replies */
	/* Round-trip times of answers (/metrics): counts per bucket (not cumulative), and sum. */
	_Atomic uint64_t rtt_hist[HF_RTT_BUCKETS];
	_Atomic uint64_t rtt_sum_us;
	/* DNS over TLS: connections set up (resumed ones too), and those refused or failed. */
	_Atomic uint64_t tls_connections, tls_resumed, tls_failures;
	/* DNS cookies (RFC 7873, RFC 9018): ours for this server and the one it gave us,
	 * under a spin lock (workers share the server). */
	atomic_flag cookie_lock;
	bool cookie_made;
	uint8_t client_cookie[8];
	uint8_t server_cookie[32];
	uint8_t server_cookie_len; /* 0: the server never sent one */
};

#define HF_GUARD_EDNS_UNKNOWN 0
#define HF_GUARD_EDNS_YES     1 /* answers with OPT */
#define HF_GUARD_EDNS_NO      2 /* answers without, over TCP too */

struct hf_fwd_set {
	uint8_t zone[HF_NAME_MAX];
	struct hf_upstream *servers;
	size_t n;
	struct ssl_ctx_st *tls_ctx; /* for its tls:// servers; NULL when it has none */
	bool trusted;               /* the guard's trusted path: never chosen to resolve a name */
};

struct hf_upstreams {
	struct hf_fwd_set *zones;
	size_t nzones;
};

/*
 * Builds the server sets from cfg. Servers equal to one of holdfast's own
 * listen addresses are left out (forwarding to ourselves would loop), with
 * a warning. Returns
 * NULL with a message in err when a zone is left with no server,
 * resolv.conf lists none, or a zone's tls-ca cannot be loaded.
 */
struct hf_upstreams *hf_upstreams_new(const struct hf_config *cfg, const char *resolv_conf,
                                      char err[HF_CONFIG_ERR_MAX]);
void hf_upstreams_free(struct hf_upstreams *u);

/* The set whose zone is the longest match for qname, or NULL (trusted paths aside). */
struct hf_fwd_set *hf_upstreams_find(struct hf_upstreams *u, const uint8_t *qname);

/* The trusted path (forward[].trusted) whose zone is the longest match for qname, or NULL. */
struct hf_fwd_set *hf_upstreams_find_trusted(struct hf_upstreams *u, const uint8_t *qname);

/* Index of the server to ask next, given those already tried (bit i = server i); -1 if none. */
int hf_upstream_pick(struct hf_fwd_set *set, uint32_t tried, uint64_t now_ms);

/* How long to wait for this server before trying another, in ms (at most max_ms). */
uint32_t hf_upstream_timeout_ms(const struct hf_upstream *s, uint32_t max_ms);

void hf_upstream_answered(struct hf_upstream *s, uint32_t rtt_us);

struct hf_build_opt;

/* The COOKIE option for a query to s (our client cookie, and its server cookie once
 * known) into opt, its data in buf. */
void hf_upstream_cookie_opt(struct hf_upstream *s, struct hf_build_opt *opt, uint8_t buf[40]);

/* What s said of cookies in an accepted reply (opts: the reply's EDNS options). */
void hf_upstream_cookie_learn(struct hf_upstream *s, const uint8_t *opts, size_t len);

/*
 * Does a reply's COOKIE option fit? 1: it carries our client cookie; 0: no
 * option; -1: another client cookie (a forgery: RFC 7873 §5.3).
 */
int hf_upstream_cookie_check(struct hf_upstream *s, const uint8_t *opts, size_t len);
void hf_upstream_failed(struct hf_upstream *s, uint64_t now_ms);
