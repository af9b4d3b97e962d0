/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Evidence of a suspected hijack (issue #7, first part): everything the
 * guard saw for one query it doubted, kept so that a person can later show
 * what the network did. One event per query: the query as sent (name with
 * its case, type, ID, transport, server, EDNS, cookie: the message itself),
 * every reply that answered it with its arrival time, IP TTL, the guard's
 * verdict and the rules that fired, the server's learned baseline at the
 * time, and the outcome (what was done, and what the client got).
 *
 * Events are written as JSON lines (events.h); each message is given both
 * as readable text (the dig-like form of msgtext.h) and as its exact octets
 * (Base64), so the record can be checked against a packet capture.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "upstream/upstream.h"

#define HF_EVIDENCE_REPLIES 8 /* replies kept per query; more are counted */

struct hf_evidence_reply {
	char source[64]; /* the server it came from (the query's, or a retry's on another path) */
	uint8_t *wire;
	uint16_t len;
	uint32_t after_us; /* since the query was sent */
	int ip_ttl;        /* -1: unknown (TCP) */
	uint8_t verdict;   /* enum hf_guard_verdict */
	unsigned reasons;  /* enum hf_guard_reason bits */
};

struct hf_evidence {
	int64_t when; /* wall seconds when the query was sent */
	char server[64];
	bool tcp;
	uint8_t *query;
	uint16_t query_len;
	/* The server's baseline when the first doubt came. */
	int base_ip_ttl;
	uint32_t base_ttl_seen;
	uint8_t base_edns;
	uint32_t base_min_rtt_us;
	struct hf_evidence_reply reply[HF_EVIDENCE_REPLIES];
	size_t nreply;
	unsigned more_replies;
	unsigned rules;     /* every reason that fired */
	uint64_t incident;  /* the open fan-in incident a reply matched (0: none) */
	char client[64];    /* the client's address, when events.client-addresses is on */
	const char *action; /* what the resolver did about it (static text) */
	/* What the client got, set when the question ends. */
	uint16_t client_rcode;
	bool client_stale;
	bool client_ad; /* the answer was validated (AD): what DNSSEC made of the reply used */
	char client_answer[512]; /* the answer records, "; "-separated */
};

/* A new event for the query in flight to s (copies query). NULL when out of memory. */
struct hf_evidence *hf_evidence_new(const struct hf_upstream *s, const uint8_t *query, size_t len,
                                    bool tcp, int64_t when);
void hf_evidence_free(struct hf_evidence *ev);

/* One more reply for the query (copied), from server from, with what the guard made of it. */
void hf_evidence_reply(struct hf_evidence *ev, const struct hf_upstream *from, const uint8_t *wire,
                       size_t len, uint32_t after_us, int ip_ttl, int verdict, unsigned reasons);

/* What the client got in the end: the answer message sent to it. */
void hf_evidence_outcome(struct hf_evidence *ev, const uint8_t *answer, size_t len, bool stale);

/*
 * The event as one JSON object (no newline) into out, with prev (the hex
 * SHA-256 of the previous line, for the hash chain). Returns its length, or
 * HF_ESPACE.
 */
int hf_evidence_json(const struct hf_evidence *ev, const char *prev, char *out, size_t cap);
