/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Response policy: what holdfast answers instead of the truth, and the
 * guards that keep a wrong rule from redirecting everything (issue #8).
 *
 * A policy is built once per (re)load from the configuration and never
 * changes afterwards, except for counters and the breaker's suspensions
 * (atomics). Its rules come from, in this order of precedence:
 *
 *   local-data      records answered as given, for their exact owner names;
 *   policy.rpz[]    response policy zones (draft-vixie-dnsop-dns-rpz) in
 *                   config order: QNAME triggers ("name", "*.name"),
 *                   response-IP triggers ("32.1.2.0.192.rpz-ip") and NSDNAME
 *                   triggers ("ns.example.rpz-nsdname");
 *   policy.blocklists[]  hosts files (those names exactly) and domain lists
 *                   (a plain name: the name and everything below it;
 *                   "*.name": only below it).
 *
 * The first source that matches decides (PASSTHRU included: it stops the
 * search); within one source an exact name beats a wildcard and a closer
 * wildcard a farther one, and for addresses a longer prefix a shorter one.
 *
 * Lookups cost one hash probe per label of the name (hf_policy_qname), or
 * per distinct prefix length in use (hf_policy_ip): no scan over rules. A
 * configuration without policy has no struct hf_policy at all (NULL), so
 * the query path pays one test.
 *
 * The caches always hold the true answers: QNAME rules are applied before
 * the caches are asked, response-IP rules to every answer on its way out
 * (cached or fresh). A policy change therefore needs no cache flush.
 *
 * Blast radius (blast.c): a sample of recently asked names per worker; a new
 * policy that would newly change the answer for more than policy.max-blast
 * of them, or that holds a rule at or above a TLD, is refused unless forced.
 * Breaker (breaker.c): per-rule hit counts in a window; a rule that suddenly
 * takes a large share of the traffic is suspended and an incident raised.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

#define HF_POLICY_ERR_MAX 512

struct hf_config;
struct hf_incidents;

enum hf_policy_action {
	HF_POLICY_NXDOMAIN, /* RPZ "CNAME ."; block lists' default */
	HF_POLICY_NODATA,   /* RPZ "CNAME *." */
	HF_POLICY_PASSTHRU, /* RPZ "CNAME rpz-passthru.": the truth, and no further rules */
	HF_POLICY_DROP,     /* RPZ "CNAME rpz-drop.": no answer at all */
	HF_POLICY_TCP_ONLY, /* RPZ "CNAME rpz-tcp-only.": UDP gets TC=1, TCP the truth */
	HF_POLICY_LOCAL,    /* records answered instead (local-data, RPZ data, a list's address) */
	HF_POLICY_ACTIONS
};

enum hf_policy_kind { HF_POLICY_LOCAL_DATA, HF_POLICY_RPZ, HF_POLICY_BLOCKLIST };

enum hf_policy_format { HF_POLICY_HOSTS, HF_POLICY_DOMAINS };

/* A record a LOCAL rule answers with; its owner is the question's name. */
struct hf_policy_rr {
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t *rdata;
};

struct hf_policy;
struct hf_policy_rule;
struct hf_policy_sample;

/* --- building (policy.c, rpz.c, blocklist.c) ---------------------------------------- */

struct hf_policy *hf_policy_new(void);
void hf_policy_free(struct hf_policy *p);

/*
 * Adds one source. Each returns HF_OK, or an error with err set to
 * "line N: what is wrong" (the caller names the file). name is what answers'
 * Extended DNS Error text and the metrics call the source.
 */
HF_MUSTCHECK int hf_policy_add_local_data(struct hf_policy *p, char *const *lines, size_t n,
                                          char *err, size_t cap);
HF_MUSTCHECK int hf_policy_add_rpz(struct hf_policy *p, const char *name, const uint8_t *origin,
                                   const char *text, size_t len, char *err, size_t cap);
/* action: "nxdomain", "nodata" or an IPv4 or IPv6 address. */
HF_MUSTCHECK int hf_policy_add_blocklist(struct hf_policy *p, const char *name,
                                         enum hf_policy_format fmt, const char *action,
                                         const char *text, size_t len, char *err, size_t cap);

/*
 * The policy the configuration describes, files read: *out is NULL when it
 * has none (no local-data, no zones, no lists). On error returns it with err
 * naming the configuration file and line, the key, the policy file and its
 * line.
 */
HF_MUSTCHECK int hf_policy_load(const struct hf_config *cfg, struct hf_policy **out, char *err,
                                size_t cap);

/* --- asking (policy.c) --------------------------------------------------------------- */

/* The rule that decides for a question's name, or NULL. PASSTHRU rules are returned. */
struct hf_policy_rule *hf_policy_qname(struct hf_policy *p, const uint8_t *qname);
/* The rule for an address in an answer (4 or 16 octets), or NULL. */
struct hf_policy_rule *hf_policy_ip(struct hf_policy *p, const uint8_t *addr, size_t len);
/* The rule for a name server name of the zone that answered, or NULL. */
struct hf_policy_rule *hf_policy_nsdname(struct hf_policy *p, const uint8_t *nsname);
bool hf_policy_has_ip(const struct hf_policy *p);
bool hf_policy_has_nsdname(const struct hf_policy *p);
size_t hf_policy_rule_count(const struct hf_policy *p);

/* A rule was applied to an answer: counted for the metrics and the breaker. */
void hf_policy_hit(struct hf_policy *p, struct hf_policy_rule *r);

enum hf_policy_action hf_policy_rule_action(const struct hf_policy_rule *r);
enum hf_policy_kind hf_policy_rule_kind(const struct hf_policy_rule *r);
/* The zone's or list's name ("local-data" for local data). */
const char *hf_policy_rule_source(const struct hf_policy_rule *r);
/* Its records (LOCAL rules), and how many. */
size_t hf_policy_rule_rrs(const struct hf_policy_rule *r, const struct hf_policy_rr **rrs);
/* The trigger as text ("*.com.", "ads.example.", "192.0.2.0/24", "ns.example. (nsdname)"). */
void hf_policy_rule_text(const struct hf_policy_rule *r, char *out, size_t cap);
const char *hf_policy_action_name(enum hf_policy_action a);

/* Calls fn for each source: its name, kind and hits per action since the policy loaded. */
void hf_policy_each_source(const struct hf_policy *p,
                           void (*fn)(void *ctx, const char *name, enum hf_policy_kind kind,
                                      const uint64_t hits[HF_POLICY_ACTIONS]),
                           void *ctx);

/* --- the blast-radius guard (blast.c) ----------------------------------------------- */

#define HF_POLICY_SAMPLE 4096 /* recently asked names kept, over all workers */

/* The recent names, one ring per worker (shards); each ring has its own lock. */
struct hf_policy_sample *hf_policy_sample_new(unsigned shards);
void hf_policy_sample_free(struct hf_policy_sample *s);
void hf_policy_sample_add(struct hf_policy_sample *s, unsigned shard, const uint8_t *qname);

/*
 * Rules at or above a TLD ("*", "*.com", "com"; passthru and local-data
 * aside) and response-IP rules wider than /8 (IPv6 /16): HF_OK, or
 * HF_EINVAL with err saying how many and naming the first few.
 */
HF_MUSTCHECK int hf_policy_check_wide(const struct hf_policy *p, char *err, size_t cap);

/*
 * Evaluates old (NULL: none) and new on the sample: HF_EINVAL with err
 * saying how many of the sampled names the new one newly changes and which
 * (the first few), when that is more than max_bp basis points of them. A
 * sample of fewer than HF_POLICY_SAMPLE_MIN names shows no share and passes.
 */
#define HF_POLICY_SAMPLE_MIN 100
HF_MUSTCHECK int hf_policy_check_blast(struct hf_policy *old, struct hf_policy *new_policy,
                                       struct hf_policy_sample *s, uint32_t max_bp, char *err,
                                       size_t cap);

/* --- the run-time breaker (breaker.c) ----------------------------------------------- */

struct hf_policy_breaker_opts {
	bool enabled;
	uint32_t window_s;
	uint32_t share_bp; /* basis points of the window's queries */
	unsigned min_hits;
	unsigned growth; /* times the rule's earlier rate */
};

void hf_policy_set_breaker(struct hf_policy *p, const struct hf_policy_breaker_opts *o);

/*
 * About once a second, from one thread: queries is the count of client
 * queries since start. A rule that trips is suspended (lookups pass over
 * it) and an incident "policy-breaker" raised, with sample names drawn from
 * s. Returns the number of rules suspended now.
 */
unsigned hf_policy_tick(struct hf_policy *p, uint64_t queries, struct hf_policy_sample *s,
                        struct hf_incidents *inc, int64_t now);

/* The policy is replaced (a reload): its breaker's incidents close. */
void hf_policy_retire(struct hf_policy *p, struct hf_incidents *inc, int64_t now);

/* Rules suspended by the breaker. */
unsigned hf_policy_suspended(const struct hf_policy *p);
