/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to src/policy: the rule store shared by the parsers (rpz.c,
 * blocklist.c), the lookups (policy.c), the blast-radius guard (blast.c)
 * and the breaker (breaker.c).
 *
 * Rules live in one open-addressing hash table keyed by a trigger octet and
 * the trigger's bytes (a lowercased wire name, or family, prefix length and
 * masked address). A slot holds the first source's rule for its key; rules
 * of later sources for the same key hang off it through `next`, in source
 * order, so a lookup takes the first one the breaker has not suspended.
 */
#pragma once

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "policy/policy.h"
#include "wire/name.h"

enum trigger {
	TRIG_QNAME,    /* the name itself */
	TRIG_WILD,     /* names strictly below the key ("*.key") */
	TRIG_IP,       /* an address in the answer within the prefix */
	TRIG_NSD,      /* a name server named key */
	TRIG_NSD_WILD, /* a name server below key */
};

#define KEY_MAX         (1 + HF_NAME_MAX)
#define TOUCHED_MAX     4096 /* rules the breaker looks at per window */
#define BREAKER_OPEN    16   /* incidents one policy keeps track of */
#define SOURCE_NAME_MAX 128
#define RULE_DUP        (-EEXIST) /* a key its source has already */

struct hf_policy_source {
	char name[SOURCE_NAME_MAX];
	enum hf_policy_kind kind;
	unsigned order;
	/* A block list's address answer, shared by all its rules. */
	struct hf_policy_rr shared_rr;
	uint8_t shared_rdata[16];
	_Atomic uint64_t hits[HF_POLICY_ACTIONS];
};

struct hf_policy_rule {
	struct hf_policy_rule *next; /* same key, a later source */
	struct hf_policy_source *src;
	uint8_t action; /* enum hf_policy_action */
	unsigned line;  /* where the source wrote it */
	struct hf_policy_rr *rrs;
	uint16_t nrr;
	bool shared_rrs;        /* rrs is src->shared_rr */
	_Atomic uint32_t hits;  /* in the breaker's window */
	_Atomic uint32_t epoch; /* the window hits counts for */
	uint32_t baseline;      /* hits in earlier windows (averaged) */
	_Atomic bool suspended;
	uint16_t keylen;
	uint8_t key[]; /* key[0] is the trigger */
};

/* An incident the breaker raised, remembered until the policy retires. */
struct tripped {
	uint64_t id;
	const struct hf_policy_rule *rule;
	int64_t start;
	uint32_t hits;
	uint64_t queries;
	char sample[1024]; /* a JSON array of names */
};

struct breaker {
	pthread_mutex_t lock;
	struct hf_policy_breaker_opts o;
	_Atomic uint32_t epoch; /* the window: rules first hit in it are touched */
	_Atomic(struct hf_policy_rule *) touched[TOUCHED_MAX];
	_Atomic size_t ntouched;
	int64_t window_start;
	uint64_t window_queries; /* the query count when the window began */
	bool started;
	struct tripped open[BREAKER_OPEN];
	unsigned nopen;
	_Atomic unsigned suspended;
};

struct hf_policy {
	struct hf_policy_rule **slot;
	size_t cap, n;
	struct hf_policy_source **src;
	size_t nsrc, srccap;
	bool ip4_len[33], ip6_len[129]; /* prefix lengths in use, longest tried first */
	size_t nip, nnsd, nwild;
	struct breaker br;
};

/* policy.c: the store */

/* A source at the end of the order; NULL when out of memory. */
struct hf_policy_source *hf_policy_source_add(struct hf_policy *p, const char *name,
                                              enum hf_policy_kind kind);

/*
 * Adds a rule of src for key (key[0] the trigger). A LOCAL rule whose key the
 * source has already gets rr appended; any other repeat is RULE_DUP with
 * *prev_line set. rr may be NULL.
 */
HF_MUSTCHECK int hf_policy_rule_add(struct hf_policy *p, struct hf_policy_source *src,
                                    const uint8_t *key, size_t keylen, enum hf_policy_action action,
                                    const struct hf_policy_rr *rr, unsigned line,
                                    unsigned *prev_line);

/* Builds a name key: trigger, then the name lowercased. Returns the key's length. */
size_t hf_policy_name_key(uint8_t key[KEY_MAX], enum trigger t, const uint8_t *name);

/* Calls fn for each rule (every source's). */
void hf_policy_each_rule(const struct hf_policy *p,
                         void (*fn)(void *ctx, const struct hf_policy_rule *r), void *ctx);

/* The rule for qname, ignoring suspensions when all is true (the blast check's view). */
struct hf_policy_rule *hf_policy_qname_lookup(struct hf_policy *p, const uint8_t *qname, bool all);

/* Formats "line N: ..." into err; returns HF_EINVAL. */
int hf_policy_fail(char *err, size_t cap, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* blast.c: every name in the sample, copied into a new array of HF_NAME_MAX octets each. */
uint8_t (*hf_policy_sample_names(struct hf_policy_sample *s, size_t *n))[HF_NAME_MAX];
