/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internals of the iterator shared by iterator.c (tasks, sending, reading
 * replies) and trust.c (the chain of trust and aggressive NSEC). Not part of
 * the API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iterator/iterator.h"
#include "resolve/resolve.h"
#include "validator/validator.h"
#include "wire/pkt.h"
#include "wire/rdata.h"

#define IT_MAX_TASKS   32 /* name server lookups and the chain of trust's DS/DNSKEY fetches */
#define IT_MAX_FETCHES 24
#define IT_GO_ON       (-1) /* validation: file the reply and go on */
#define IT_MAX_NS      13
#define IT_MAX_ADDRS   26
#define IT_MAX_STEPS   10 /* minimisation steps before sending the full name (RFC 9156 §2.3) */

struct it_addr {
	struct hf_upstream *srv;
	bool tried;
};

struct it_ns {
	uint8_t name[HF_NAME_MAX];
	bool looked_up;
};

struct it_task {
	uint8_t qname[HF_NAME_MAX];
	uint16_t qtype;
	bool ns_lookup; /* finding a name server's address for the task below */
	bool prime;     /* RFC 8109 priming of the root NS set */
	bool key_fetch; /* a DS or DNSKEY RRset the chain of trust needs */
	/* A validated reply waiting for a key_fetch above it (scrubbed, hf_malloc). */
	uint8_t *pending;
	size_t pending_len;
	/* The last reply failed validation: why, should no other server do better. */
	bool bogus;
	uint16_t bogus_ede;
	const char *bogus_why;
	bool have_cut;
	uint8_t zone[HF_NAME_MAX];
	struct it_ns ns[IT_MAX_NS];
	unsigned nns;
	struct it_addr addr[IT_MAX_ADDRS];
	unsigned naddr;
	unsigned ns_lookups;
	unsigned referrals;
	bool minimise;
	unsigned min_labels;
	unsigned min_steps;
	/* The attempt in flight. */
	int cur;
	bool tcp;
	bool no_edns;
	bool retry_same;
	uint8_t sent_name[HF_NAME_MAX];
	uint16_t sent_type;
};

/* A DS or DNSKEY fetch started for the chain of trust, and how it ended. */
struct it_fetch {
	uint8_t name[HF_NAME_MAX];
	uint16_t type;
	uint16_t ede;
	const char *why;
};

struct hf_iter {
	struct hf_iter_env env;
	uint8_t qname[HF_NAME_MAX];
	uint16_t qtype;
	uint16_t qclass;
	bool cd;
	struct it_task *task[IT_MAX_TASKS];
	unsigned ntask;
	struct it_fetch fetch[IT_MAX_FETCHES];
	unsigned nfetch;
	struct hf_val_limits lim;
	struct hf_val_work work;
	struct hf_val_keys keys; /* scratch for a zone's keys */
	bool primed;
	unsigned queries;
	unsigned cnames;
	uint64_t deadline_ms;
	uint8_t query[HF_REQ_QUERY_MAX];
	size_t query_len;
	uint64_t sent_us;
	struct hf_upstream *inflight;
	uint8_t *reply;
	size_t reply_len;
	uint16_t ede;
	const char *ede_text;
	uint8_t scrubbed[HF_MSG_MAX];
	uint8_t rdata[HF_RDATA_MAX];
};

struct it_task *it_top(struct hf_iter *it);
struct it_task *it_push(struct hf_iter *it, const uint8_t *qname, uint16_t qtype);
bool it_in_stack(const struct hf_iter *it, const uint8_t *name, uint16_t type);
struct it_fetch *it_find_fetch(struct hf_iter *it, const uint8_t *name, uint16_t type);

/* Outcomes: the client's question fails; a task cannot go on (a helper task just ends). */
int it_fail(struct hf_iter *it, uint16_t ede, const char *text);
int it_task_failed(struct hf_iter *it, uint16_t ede, const char *text);
/* The client's answer assembled from the cache, or copied from a reply. */
bool it_answer_from_cache(struct hf_iter *it);
void it_answer_from_reply(struct hf_iter *it, const uint8_t *wire, size_t len);

/* trust.c */
bool it_validating(const struct hf_iter *it);
/*
 * Validates a reply about to be filed. IT_GO_ON with its security (and how
 * long it may be cached; not_cut for a DS denial at a name with no NS), or
 * the state to return: fetching keys, trying another server, failing.
 */
int it_validate(struct hf_iter *it, struct it_task *t, const struct hf_pkt *p, const uint8_t *wire,
                size_t len, enum hf_sec *sec, uint32_t *ttl_cap, bool *not_cut);
/* RFC 8198: the client's question denied from the validated NSEC chain, without asking. */
bool it_aggressive_answer(struct hf_iter *it);
