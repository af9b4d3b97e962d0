/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One client question being resolved upstream: a state machine that does no
 * I/O (Knot Resolver's produce/consume loop). The daemon asks it what to send
 * (hf_req_produce), sends it, and hands back what arrived (hf_req_consume)
 * or that nothing did (hf_req_timeout). The same code runs under a replay
 * test with a scripted network and clock.
 *
 *   hf_req_init(&r, ...);
 *   while (hf_req_produce(&r, now, &out) == HF_REQ_SEND) {
 *           send out.wire to out.server over UDP or TCP, wait out.timeout_ms;
 *           on each datagram: st = hf_req_consume(&r, data, len, now_us);
 *                   HF_REQ_WAIT: keep listening; HF_REQ_NEXT: stop, loop;
 *                   HF_REQ_DONE: stop, done;
 *           on timeout or transport error: hf_req_timeout(&r, now);
 *   }
 *   r.reply holds the accepted answer, or r.reply is NULL and r.ede says why.
 *
 * Today it forwards: each attempt goes to the zone's best upstream (see
 * upstream.h) with a fresh random ID and source port; a reply counts only if
 * it comes from the socket the query left on (the daemon connects it) with
 * the same ID and exactly the same question, case included. Anything else is
 * dropped and counted. TC moves the same server to TCP; FORMERR or NOTIMP to
 * a query with EDNS retries without it (RFC 6891 §7); SERVFAIL, REFUSED and
 * malformed replies move to the next server. Every server is tried at most
 * twice and the whole resolution is bounded in time.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "upstream/upstream.h"
#include "util/compiler.h"
#include "wire/name.h"
#include "wire/pkt.h"

#define HF_REQ_MAX_ATTEMPTS 6
#define HF_REQ_EVENTS       8 /* evidence events kept per request */
/* Header, question, OPT with a COOKIE option (8 + up to 32 octets). */
#define HF_REQ_QUERY_MAX (HF_HEADER_LEN + HF_NAME_MAX + 4 + 11 + 4 + 40)

enum hf_req_state {
	HF_REQ_SEND, /* produce: out is filled, send it */
	HF_REQ_WAIT, /* consume: not for us; keep waiting for the reply */
	HF_REQ_NEXT, /* consume/timeout: stop this attempt and call produce */
	HF_REQ_DONE, /* finished: r->reply, or a failure in r->ede */
	HF_REQ_HOLD, /* consume: a doubted reply; keep listening until hf_req_hold_ms() from
	              * now, then call hf_req_timeout() (which asks again over TCP) */
};

struct hf_forged;
struct hf_incidents;

/* Hold-on settings (src/guard); off unless hf_req_guard() is called. */
struct hf_req_guard {
	bool on;
	uint32_t max_hold_ms;    /* longest wait for a better reply */
	uint32_t tcp_for_ms;     /* a doubted server is asked over TCP this long */
	uint32_t tcp_timeout_ms; /* timeout for those TCP attempts */
	/* The trusted path for the name (forward[].trusted), or NULL: a doubted question is
	 * forwarded there instead of asked over TCP, until deadline_ms. */
	struct hf_fwd_set *trusted;
	uint64_t deadline_ms;
	uint16_t edns_size;
	/* Addresses seen in forged answers before (a reply with one is doubted), and the
	 * incidents that see across replies (a reply in an open fan-in incident is
	 * rejected); either may be NULL. */
	const struct hf_forged *forged;
	struct hf_incidents *incidents;
};

struct hf_req_out {
	struct hf_upstream *server;
	bool tcp;
	const uint8_t *wire;
	size_t len;
	uint32_t timeout_ms;
};

struct hf_req_stats {
	unsigned attempts;
	unsigned timeouts;
	unsigned bad_replies; /* wrong ID or question, malformed, not a response */
	unsigned tcp_retries;
	unsigned doubted;  /* replies the guard doubted */
	unsigned rejected; /* replies the guard rejected */
};

struct hf_req {
	uint8_t qname[HF_NAME_MAX];
	size_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	bool dnssec_ok;
	bool checking_disabled;

	struct hf_fwd_set *set;
	uint16_t edns_size;
	uint32_t max_timeout_ms;
	uint64_t deadline_ms;

	/* The attempt in flight. */
	int server; /* index in set->servers, -1 before the first */
	bool tcp;
	bool no_edns;    /* this server choked on EDNS */
	bool retry_same; /* next attempt goes to the same server */
	uint32_t tried;  /* servers given up on in this round */
	unsigned round;
	uint64_t sent_us;
	uint8_t query[HF_REQ_QUERY_MAX];
	size_t query_len;

	/* Iteration from the root instead of forwarding (NULL when forwarding). */
	struct hf_iter *it;

	/* The attempt in flight, whichever mode sent it, for the guard. */
	struct hf_req_guard guard;
	struct hf_req_out sent;
	uint64_t sent_at_us;
	uint64_t hold_until_us; /* 0: not holding on */
	uint8_t *doubted;       /* the first doubted reply (hf_malloc), checked against TCP's */
	unsigned doubted_why;   /* every reason the question's replies were doubted for */
	struct hf_upstream *doubted_server; /* the server the doubted reply claimed to be from */
	struct hf_evidence *ev; /* what the guard saw, when it doubted or rejected a reply */
	/* Events of earlier questions of this request (a referral, a key fetch): one per
	 * upstream question the guard doubted replies to, written when the request ends. */
	struct hf_evidence *ev_done[HF_REQ_EVENTS];
	unsigned nev_done;
	size_t doubted_len;

	/* Outcome. */
	uint8_t *reply; /* accepted reply (hf_malloc), freed by hf_req_clear */
	size_t reply_len;
	uint16_t ede; /* RFC 8914 code when there is no reply */
	const char *ede_text;
	struct hf_req_stats stats;
};

void hf_req_init(struct hf_req *r, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
                 bool dnssec_ok, bool checking_disabled, struct hf_fwd_set *set, uint16_t edns_size,
                 uint32_t max_timeout_ms, uint64_t deadline_ms);

struct hf_iter_env;

/* Starts iteration from the root for the question (no forward zone matched it); cd as asked. */
HF_MUSTCHECK int hf_req_init_iter(struct hf_req *r, const struct hf_iter_env *env,
                                  const uint8_t *qname, uint16_t qtype, uint16_t qclass, bool cd,
                                  uint64_t now_ms);

/* Turns hold-on on for this request (the daemon does; replay tests may). */
void hf_req_set_guard(struct hf_req *r, const struct hf_req_guard *g);

enum hf_req_state hf_req_produce(struct hf_req *r, uint64_t now_us, struct hf_req_out *out);
/* A datagram or message for the attempt in flight; ip_ttl as hf_upq_cb gives it (-1: none). */
enum hf_req_state hf_req_consume(struct hf_req *r, const uint8_t *wire, size_t len, uint64_t now_us,
                                 int ip_ttl);
/* After HF_REQ_HOLD: how long from now_us the hold lasts, in ms. */
uint32_t hf_req_hold_ms(const struct hf_req *r, uint64_t now_us);
enum hf_req_state hf_req_timeout(struct hf_req *r, uint64_t now_ms);

void hf_req_clear(struct hf_req *r);
