/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The forwarding state machine. See resolve.h for the loop and the rules. */
#include "resolve/resolve.h"

#include <string.h>

#include "guard/evidence.h"
#include "guard/forged.h"
#include "guard/guard.h"
#include "guard/incidents.h"
#include "iterator/iterator.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "util/random.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/rrtype.h"

#define ROUNDS 2

void hf_req_init(struct hf_req *r, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
                 bool dnssec_ok, bool checking_disabled, struct hf_fwd_set *set, uint16_t edns_size,
                 uint32_t max_timeout_ms, uint64_t deadline_ms)
{
	memset(r, 0, sizeof(*r));
	r->qname_len = hf_name_len(qname);
	memcpy(r->qname, qname, r->qname_len);
	r->qtype = qtype;
	r->qclass = qclass;
	r->dnssec_ok = dnssec_ok;
	r->checking_disabled = checking_disabled;
	r->set = set;
	r->edns_size = edns_size;
	r->max_timeout_ms = max_timeout_ms;
	r->deadline_ms = deadline_ms;
	r->server = -1;
}

void hf_req_clear(struct hf_req *r)
{
	hf_free(r->reply);
	r->reply = NULL;
	hf_free(r->doubted);
	r->doubted = NULL;
	hf_evidence_free(r->ev);
	r->ev = NULL;
	for (unsigned i = 0; i < r->nev_done; i++)
		hf_evidence_free(r->ev_done[i]);
	r->nev_done = 0;
	r->reply_len = 0;
	hf_iter_free(r->it);
	r->it = NULL;
}

int hf_req_init_iter(struct hf_req *r, const struct hf_iter_env *env, const uint8_t *qname,
                     uint16_t qtype, uint16_t qclass, bool cd, uint64_t now_ms)
{
	memset(r, 0, sizeof(*r));
	r->qname_len = hf_name_len(qname);
	memcpy(r->qname, qname, r->qname_len);
	r->qtype = qtype;
	r->qclass = qclass;
	r->server = -1;
	r->checking_disabled = cd;
	r->it = hf_iter_new(env, qname, qtype, qclass, cd, now_ms);
	return r->it != NULL ? HF_OK : HF_ENOMEM;
}

/* Copies the iterator's outcome into the request once it is done. */
static enum hf_req_state iter_state(struct hf_req *r, int st)
{
	if (st != HF_REQ_DONE)
		return (enum hf_req_state)st;
	size_t len;
	const uint8_t *reply = hf_iter_reply(r->it, &len);
	if (reply != NULL && r->reply == NULL) {
		r->reply = hf_malloc(len);
		if (r->reply != NULL) {
			memcpy(r->reply, reply, len);
			r->reply_len = len;
		}
	}
	if (r->reply == NULL)
		r->ede = hf_iter_ede(r->it, &r->ede_text);
	return HF_REQ_DONE;
}

static enum hf_req_state fail(struct hf_req *r, uint16_t ede, const char *text)
{
	r->ede = ede;
	r->ede_text = text;
	return HF_REQ_DONE;
}

static enum hf_req_state give_up(struct hf_req *r)
{
	if (r->stats.bad_replies > 0 && r->stats.timeouts == 0)
		return fail(r, 23, "upstream replies were unusable"); /* Network Error */
	return fail(r, 22, "no upstream server answered");            /* No Reachable Authority */
}

static int build_query(struct hf_req *r)
{
	struct hf_build b;
	uint16_t id = hf_random_u16();
	uint16_t flags = HF_FLAG_RD | (r->checking_disabled ? HF_FLAG_CD : 0);
	hf_build_init(&b, r->query, sizeof(r->query));
	int rc = hf_build_header(&b, id, flags);
	if (rc == HF_OK)
		rc = hf_build_question(&b, r->qname, r->qtype, r->qclass);
	if (rc == HF_OK && !r->no_edns) {
		struct hf_build_opt cookie;
		uint8_t cookie_buf[40];
		hf_upstream_cookie_opt(&r->set->servers[r->server], &cookie, cookie_buf);
		struct hf_build_edns e = {.udp_size = r->edns_size,
		                          .flags = r->dnssec_ok ? HF_EDNS_DO : 0,
		                          .opts = &cookie,
		                          .nopts = 1};
		rc = hf_build_edns(&b, &e);
	}
	if (rc != HF_OK)
		return rc;
	r->query_len = hf_build_finish(&b);
	return HF_OK;
}

/* Chooses the server for the next attempt; false when there is none left. */
static bool choose_server(struct hf_req *r, uint64_t now_ms)
{
	if (r->retry_same && r->server >= 0) {
		r->retry_same = false;
		return true;
	}
	r->tcp = false;
	r->no_edns = false;
	int i = hf_upstream_pick(r->set, r->tried, now_ms);
	if (i < 0 && r->round + 1 < ROUNDS) {
		r->round++;
		r->tried = 0;
		i = hf_upstream_pick(r->set, r->tried, now_ms);
	}
	if (i < 0)
		return false;
	r->server = i;
	return true;
}

static enum hf_req_state produce(struct hf_req *r, uint64_t now_us, struct hf_req_out *out)
{
	if (r->it != NULL)
		return iter_state(r, hf_iter_produce(r->it, now_us, out));
	uint64_t now_ms = now_us / 1000;
	if (r->reply != NULL)
		return HF_REQ_DONE;
	if (now_ms >= r->deadline_ms || r->stats.attempts >= HF_REQ_MAX_ATTEMPTS)
		return give_up(r);
	if (!choose_server(r, now_ms))
		return give_up(r);
	if (build_query(r) != HF_OK)
		return fail(r, 0, "query does not fit");

	struct hf_upstream *s = &r->set->servers[r->server];
	if (s->tls != NULL)
		r->tcp = true; /* DNS over TLS: a stream no forger reaches; never UDP, no TC */
	uint32_t timeout = hf_upstream_timeout_ms(s, r->max_timeout_ms);
	if (r->tcp)
		timeout = r->max_timeout_ms; /* a connection setup costs round trips */
	if (now_ms + timeout > r->deadline_ms)
		timeout = (uint32_t)(r->deadline_ms - now_ms);
	r->stats.attempts++;
	r->sent_us = now_us;
	atomic_fetch_add_explicit(&s->queries, 1, memory_order_relaxed);
	out->server = s;
	out->tcp = r->tcp;
	out->wire = r->query;
	out->len = r->query_len;
	out->timeout_ms = timeout;
	return HF_REQ_SEND;
}

/* Is this message an answer to the query in flight: ID, QR, opcode, the exact question? */

static struct hf_upstream *current(struct hf_req *r)
{
	return &r->set->servers[r->server];
}

static enum hf_req_state next_server(struct hf_req *r, uint64_t now_ms)
{
	hf_upstream_failed(current(r), now_ms);
	r->tried |= 1u << r->server;
	return HF_REQ_NEXT;
}

static enum hf_req_state bad_reply(struct hf_req *r)
{
	r->stats.bad_replies++;
	atomic_fetch_add_explicit(&current(r)->bad_replies, 1, memory_order_relaxed);
	return HF_REQ_WAIT;
}

static enum hf_req_state accept_reply(struct hf_req *r, const uint8_t *wire, size_t len,
                                      uint64_t now_us)
{
	r->reply = hf_malloc(len);
	if (r->reply == NULL)
		return fail(r, 0, "out of memory");
	memcpy(r->reply, wire, len);
	r->reply_len = len;
	hf_upstream_answered(current(r), (uint32_t)(now_us - r->sent_us));
	return HF_REQ_DONE;
}

static enum hf_req_state consume(struct hf_req *r, const uint8_t *wire, size_t len, uint64_t now_us)
{
	if (r->it != NULL)
		return iter_state(r, hf_iter_consume(r->it, wire, len, now_us));
	uint64_t now_ms = now_us / 1000;
	struct hf_pkt p;
	int rc = hf_pkt_parse(&p, wire, len, NULL);
	if (rc != HF_OK) {
		if (rc == HF_EBADVERS)
			hf_pkt_clear(&p);
		/* Only a reply carrying our ID costs the server its turn; other
		 * garbage is somebody else's and is only counted. */
		if (len < 2 || hf_get16(wire) != hf_get16(r->query))
			return bad_reply(r);
		r->stats.bad_replies++;
		atomic_fetch_add_explicit(&current(r)->bad_replies, 1, memory_order_relaxed);
		hf_log_debug("upstream %s: malformed reply (%s)", current(r)->name, hf_errname(rc));
		return next_server(r, now_ms);
	}
	bool ours = hf_pkt_answers(&p, r->query, r->query_len);
	uint16_t rcode = hf_pkt_rcode(&p);
	bool tc = p.flags & HF_FLAG_TC;
	bool has_edns = p.has_edns;
	hf_pkt_clear(&p);
	if (!ours)
		return bad_reply(r);

	if (tc && !r->tcp) {
		r->tcp = true;
		r->retry_same = true;
		r->stats.tcp_retries++;
		atomic_fetch_add_explicit(&current(r)->tcp_fallbacks, 1, memory_order_relaxed);
		return HF_REQ_NEXT;
	}
	if ((rcode == HF_RCODE_FORMERR || rcode == HF_RCODE_NOTIMP) && !r->no_edns && !has_edns) {
		r->no_edns = true;
		r->retry_same = true;
		return HF_REQ_NEXT;
	}
	if (rcode == HF_RCODE_NOERROR || rcode == HF_RCODE_NXDOMAIN)
		return accept_reply(r, wire, len, now_us);
	hf_log_debug("upstream %s answered %s", current(r)->name,
	             hf_rcode_name(rcode) ? hf_rcode_name(rcode) : "an unknown rcode");
	return next_server(r, now_ms);
}

static enum hf_req_state timeout(struct hf_req *r, uint64_t now_ms)
{
	if (r->it != NULL)
		return iter_state(r, hf_iter_timeout(r->it, now_ms));
	r->stats.timeouts++;
	atomic_fetch_add_explicit(&current(r)->timeouts, 1, memory_order_relaxed);
	return next_server(r, now_ms);
}

/* --- hold-on (src/guard) ---------------------------------------------------------------- */

#define HOLD_MIN_MS     20  /* even a near server gets this long to send its real reply */
#define HOLD_DEFAULT_MS 100 /* for a server whose RTT is not measured yet */

void hf_req_set_guard(struct hf_req *r, const struct hf_req_guard *g)
{
	r->guard = *g;
}

/* The question type of our own query, and whether it carries OPT. */
static uint16_t sent_qtype(const struct hf_req *r, bool *edns)
{
	const uint8_t *q = r->sent.wire;
	int n = hf_name_check(q + HF_HEADER_LEN, r->sent.len - HF_HEADER_LEN);
	*edns = hf_get16(q + 10) != 0; /* ARCOUNT: our queries add nothing but OPT */
	if (n < 0 || (size_t)n + HF_HEADER_LEN + 4 > r->sent.len)
		return 0;
	return hf_get16(q + HF_HEADER_LEN + n);
}

/* How long to wait for a better reply: about two round trips, bounded. */
static uint32_t hold_window_ms(const struct hf_req *r)
{
	uint32_t srtt_ms = atomic_load(&r->sent.server->srtt_us) / 1000;
	uint32_t ms = srtt_ms != 0 ? 2 * srtt_ms : HOLD_DEFAULT_MS;
	if (ms < HOLD_MIN_MS)
		ms = HOLD_MIN_MS;
	return ms < r->guard.max_hold_ms ? ms : r->guard.max_hold_ms;
}

uint32_t hf_req_hold_ms(const struct hf_req *r, uint64_t now_us)
{
	return r->hold_until_us > now_us ? (uint32_t)((r->hold_until_us - now_us + 999) / 1000) : 0;
}

/*
 * Evidence (guard/evidence.h): from the first reply the guard doubts or
 * rejects, every reply to the question is kept for the event.
 */
static void note_reply(struct hf_req *r, const uint8_t *wire, size_t len, uint32_t after_us,
                       int ip_ttl, enum hf_guard_verdict v, unsigned why)
{
	if (r->ev == NULL && v != HF_GUARD_ACCEPT) {
		r->ev = hf_evidence_new(r->sent.server, r->sent.wire, r->sent.len, r->sent.tcp,
		                        hf_clock_wall());
		if (r->ev != NULL)
			r->ev->action = v == HF_GUARD_REJECT
			                    ? "rejected: dropped; waited for the server's reply"
			                    : "doubted: held on for a better reply";
	}
	if (r->ev != NULL)
		hf_evidence_reply(r->ev, r->sent.server, wire, len, after_us, ip_ttl, (int)v, why);
}

/*
 * What the server's own replies would show (its path, EDNS, cookies): only a
 * doubt for these says something of the server; the known-forged list and
 * an open incident judge what a reply says, whoever sent it.
 */
#define SERVER_SIGNALS (HF_GUARD_NO_OPT | HF_GUARD_IP_TTL | HF_GUARD_TOO_FAST | HF_GUARD_NO_COOKIE)

static void keep_doubted(struct hf_req *r, const uint8_t *wire, size_t len, unsigned why)
{
	r->doubted_why |= why;
	if (r->doubted != NULL)
		return;
	r->doubted = hf_malloc(len);
	if (r->doubted != NULL) {
		memcpy(r->doubted, wire, len);
		r->doubted_len = len;
		r->doubted_server = r->sent.server;
	}
}

static void drop_doubted(struct hf_req *r)
{
	hf_free(r->doubted);
	r->doubted = NULL;
	r->doubted_why = 0;
	r->doubted_server = NULL;
}

/* The reply's A and AAAA data, and where it came from, for the incidents. */
static void seen_from(const struct hf_req *r, const struct hf_pkt *p, bool suspect,
                      struct hf_seen *seen)
{
	*seen = (struct hf_seen){.name = r->sent.wire + HF_HEADER_LEN,
	                         .zone = r->it != NULL ? hf_iter_zone(r->it) : NULL,
	                         .server = r->sent.server->name,
	                         .suspect = suspect};
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_ANSWER) && seen->naddr < 16;
	     i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_ANSWER, i);
		if ((rr->type == HF_TYPE_A && rr->rdlen == 4) ||
		    (rr->type == HF_TYPE_AAAA && rr->rdlen == 16)) {
			seen->addr[seen->naddr] = p->wire + rr->rdata;
			seen->addr_len[seen->naddr++] = (uint8_t)rr->rdlen;
		}
	}
}

/* A reply shown to be forged (rejected, or contradicted by the answer used) counts for fan-in. */
static void seen_forged(struct hf_req *r, const struct hf_pkt *p)
{
	struct hf_seen seen;
	seen_from(r, p, true, &seen);
	uint64_t incident = hf_incidents_answer(r->guard.incidents, &seen, hf_clock_wall());
	if (incident != 0 && r->ev != NULL)
		r->ev->incident = incident; /* the event is part of it */
}

/* A reply with an address on the known-forged list is doubted: a weak signal alone. */
static enum hf_guard_verdict check_forged_list(const struct hf_req *r, const struct hf_seen *seen,
                                               enum hf_guard_verdict v, unsigned *why)
{
	for (size_t i = 0; i < seen->naddr && r->guard.forged != NULL; i++) {
		if (hf_forged_has(r->guard.forged, seen->addr[i], seen->addr_len[i])) {
			*why |= HF_GUARD_KNOWN_FORGED;
			return v == HF_GUARD_ACCEPT ? HF_GUARD_DOUBT : v;
		}
	}
	return v;
}

/*
 * An accepted reply goes past the incidents: one whose addresses fall in an
 * open fan-in incident is doubted after all (the breaker: held on for
 * another reply, then asked over TCP, where the breaker applies too), and
 * its id goes to *incident; others are learned as the name's history.
 */
static enum hf_guard_verdict check_breaker(struct hf_req *r, const struct hf_seen *seen,
                                           enum hf_guard_verdict v, unsigned *why,
                                           uint64_t *incident)
{
	if (v != HF_GUARD_ACCEPT)
		return v;
	*incident = hf_incidents_answer(r->guard.incidents, seen, hf_clock_wall());
	if (*incident == 0)
		return v;
	*why |= HF_GUARD_FAN_IN;
	return HF_GUARD_DOUBT;
}

/*
 * A doubt raised only by a listed address, which the server's own answer then
 * confirmed, was a real site at one of the addresses injectors borrow: no
 * evidence of anything, so no event (it would keep the status at "network
 * lying" for every visit to such a site).
 */
static void forget_refuted_event(struct hf_req *r)
{
	if (r->ev == NULL || (r->ev->rules & ~(unsigned)HF_GUARD_KNOWN_FORGED) != 0)
		return;
	hf_evidence_free(r->ev);
	r->ev = NULL;
}

/*
 * The question has the answer it will use (reply): a doubted reply kept from
 * before is settled. Saying something else, it was forged. Saying the same
 * over TCP or on the trusted path, the doubt was wrong: if something about
 * the server raised it (a new route, no EDNS, a path faster than it looked),
 * what was learned of that server starts over.
 */
static void settle_doubt(struct hf_req *r, const struct hf_pkt *reply, bool confirmed)
{
	struct hf_pkt d;
	if (r->doubted != NULL && hf_pkt_parse_valid(&d, r->doubted, r->doubted_len)) {
		if (!hf_guard_same_answer(&d, reply)) {
			seen_forged(r, &d);
		} else if (confirmed && (r->doubted_why & SERVER_SIGNALS) &&
		           r->doubted_server != NULL) {
			hf_guard_relearn(r->doubted_server);
			hf_log_debug(
			    "upstream %s: the answer confirms the doubted reply; UDP again",
			    r->doubted_server->name);
		} else if (confirmed) {
			forget_refuted_event(r);
		}
		hf_pkt_clear(&d);
	}
	drop_doubted(r);
}

/*
 * The guard's look at a UDP reply before the mode sees it: -1 to pass it on
 * (accepted, or not ours: the mode counts that), else the state to return.
 */
static int guard_reply(struct hf_req *r, const uint8_t *wire, size_t len, uint64_t now_us,
                       int ip_ttl)
{
	struct hf_pkt p;
	int rc = hf_pkt_parse(&p, wire, len, NULL);
	if (rc != HF_OK) {
		if (rc == HF_EBADVERS)
			hf_pkt_clear(&p);
		return -1; /* the mode judges what does not parse */
	}
	int st = -1;
	if (!hf_pkt_answers(&p, r->sent.wire, r->sent.len))
		goto out;
	bool edns;
	uint16_t qtype = sent_qtype(r, &edns);
	struct hf_upstream *s = r->sent.server;
	unsigned why;
	uint32_t rtt = (uint32_t)(now_us - r->sent_at_us);
	enum hf_guard_verdict v = hf_guard_check(s, &p, qtype, edns, ip_ttl, rtt, &why);
	uint64_t incident = 0;
	struct hf_seen seen;
	seen_from(r, &p, false, &seen); /* the addresses the next two look at */
	v = check_forged_list(r, &seen, v, &why);
	v = check_breaker(r, &seen, v, &why, &incident);
	note_reply(r, wire, len, rtt, ip_ttl, v, why);
	if (incident != 0 && r->ev != NULL)
		r->ev->incident = incident;
	switch (v) {
	case HF_GUARD_ACCEPT:
		atomic_fetch_add_explicit(&s->accepted, 1, memory_order_relaxed);
		hf_guard_learn(s, &p, edns, ip_ttl, rtt != 0 ? rtt : 1);
		settle_doubt(r, &p, false);
		if (r->ev != NULL && r->hold_until_us != 0)
			r->ev->action = "held on: a reply without doubt came and was used";
		r->hold_until_us = 0;
		break;
	case HF_GUARD_REJECT:
		r->stats.rejected++;
		atomic_fetch_add(&s->rejected, 1);
		hf_log_debug("upstream %s: reply rejected (%s)", s->name, hf_guard_reasons(why));
		seen_forged(r, &p);
		st = r->hold_until_us != 0 ? HF_REQ_HOLD : HF_REQ_WAIT;
		break;
	case HF_GUARD_DOUBT:
	default:
		r->stats.doubted++;
		atomic_fetch_add(&s->doubted, 1);
		hf_log_debug("upstream %s: reply doubted (%s), holding on", s->name,
		             hf_guard_reasons(why));
		if (r->hold_until_us == 0)
			r->hold_until_us = now_us + (uint64_t)hold_window_ms(r) * 1000;
		keep_doubted(r, wire, len, why);
		st = HF_REQ_HOLD;
		break;
	}
out:
	hf_pkt_clear(&p);
	return st;
}

/*
 * The hold-on window passed with only doubted replies: they are dropped, the
 * same server is asked over TCP, and for a while it is asked over TCP only.
 */
/*
 * A doubted question goes to the trusted path (forward[].trusted) instead:
 * from here on the request forwards there, whichever mode it was in.
 */
static enum hf_req_state to_trusted(struct hf_req *r)
{
	hf_log_debug("upstream %s: only doubted replies; asking the trusted path",
	             r->sent.server->name);
	hf_iter_free(r->it);
	r->it = NULL;
	r->set = r->guard.trusted;
	r->server = -1;
	r->tried = 0;
	r->round = 0;
	r->tcp = false;
	r->no_edns = false;
	r->retry_same = false;
	r->edns_size = r->guard.edns_size;
	r->max_timeout_ms = r->guard.tcp_timeout_ms;
	r->deadline_ms = r->guard.deadline_ms;
	r->stats.attempts = 0;
	return HF_REQ_NEXT;
}

static enum hf_req_state hold_over(struct hf_req *r, uint64_t now_ms)
{
	r->hold_until_us = 0;
	struct hf_upstream *s = r->sent.server;
	/* Only what the server's replies showed sends it to TCP for a while: a reply doubted
	 * for what it said (a listed address, an incident's prefix) is this question's matter. */
	if (r->doubted_why & SERVER_SIGNALS)
		atomic_store(&s->tcp_until_ms, now_ms + r->guard.tcp_for_ms);
	if (r->ev != NULL)
		r->ev->action = r->guard.trusted != NULL && r->set != r->guard.trusted
		                    ? "only doubted replies: dropped; asked the trusted path"
		                    : "only doubted replies: dropped; asked again over TCP";
	if (r->guard.trusted != NULL && r->set != r->guard.trusted)
		return to_trusted(r);
	r->stats.tcp_retries++;
	hf_log_debug("upstream %s: only doubted replies; asking again over TCP", s->name);
	if (r->it != NULL)
		return iter_state(r, hf_iter_retry_tcp(r->it));
	r->tcp = true;
	r->retry_same = true;
	return HF_REQ_NEXT;
}

/* Do two of our queries (uncompressed, one question) ask the same? */
static bool same_question(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int n = alen > HF_HEADER_LEN ? hf_name_check(a + HF_HEADER_LEN, alen - HF_HEADER_LEN) : -1;
	if (n < 0 || (size_t)n + HF_HEADER_LEN + 4 > alen || (size_t)n + HF_HEADER_LEN + 4 > blen)
		return false;
	return hf_name_eq(a + HF_HEADER_LEN, b + HF_HEADER_LEN) &&
	       memcmp(a + HF_HEADER_LEN + n, b + HF_HEADER_LEN + n, 4) == 0;
}

/*
 * An event is about one question to upstream (with its retry over TCP or on
 * the trusted path): when the request goes on to another question, the
 * event is set aside until the request ends and the client's answer is known.
 */
static void retire_event(struct hf_req *r, const struct hf_req_out *next)
{
	if (r->ev == NULL || same_question(r->ev->query, r->ev->query_len, next->wire, next->len))
		return;
	if (r->nev_done < HF_REQ_EVENTS)
		r->ev_done[r->nev_done++] = r->ev;
	else
		hf_evidence_free(r->ev); /* bounded: a request with more is an attack in itself */
	r->ev = NULL;
}

enum hf_req_state hf_req_produce(struct hf_req *r, uint64_t now_us, struct hf_req_out *out)
{
	enum hf_req_state st = produce(r, now_us, out);
	if (st != HF_REQ_SEND)
		return st;
	/* A server that sent doubted replies lately is asked over TCP, out of reach of UDP forgers.
	 */
	if (r->guard.on && !out->tcp && atomic_load(&out->server->tcp_until_ms) > now_us / 1000) {
		out->tcp = true;
		if (out->timeout_ms < r->guard.tcp_timeout_ms)
			out->timeout_ms = r->guard.tcp_timeout_ms;
	}
	retire_event(r, out);
	/* The doubted reply waits for the answer to its question, from this server over TCP or
	 * from the trusted path; a question of another kind says nothing of it. */
	if (r->doubted != NULL && !same_question(r->doubted, r->doubted_len, out->wire, out->len))
		drop_doubted(r);
	r->sent = *out;
	r->sent_at_us = now_us;
	r->hold_until_us = 0;
	return st;
}

/*
 * A reply over TCP (p, parsed): no forger reaches us there, so what the
 * server says of EDNS is the truth and a doubt from UDP is settled. Only an
 * open fan-in incident still stands in the way: an answer in its prefix
 * ends the question at once, without blaming the server, and the client
 * gets the last known good answer (stale) or SERVFAIL. -1 to pass it on.
 */
static int tcp_reply(struct hf_req *r, const struct hf_pkt *p, const uint8_t *wire, size_t len,
                     uint64_t now_us)
{
	if (!hf_pkt_answers(p, r->sent.wire, r->sent.len))
		return -1;
	bool edns;
	(void)sent_qtype(r, &edns);
	hf_guard_learn(r->sent.server, p, edns, -1, 0);
	uint64_t incident = 0;
	unsigned why = 0;
	struct hf_seen seen;
	seen_from(r, p, false, &seen);
	enum hf_guard_verdict v = check_breaker(r, &seen, HF_GUARD_ACCEPT, &why, &incident);
	if (r->ev == NULL && v != HF_GUARD_ACCEPT)
		note_reply(r, wire, len, (uint32_t)(now_us - r->sent_at_us), -1, HF_GUARD_REJECT,
		           why);
	else if (r->ev != NULL)
		hf_evidence_reply(r->ev, r->sent.server, wire, len,
		                  (uint32_t)(now_us - r->sent_at_us), -1,
		                  v == HF_GUARD_ACCEPT ? HF_GUARD_ACCEPT : HF_GUARD_REJECT, why);
	if (v == HF_GUARD_ACCEPT) {
		settle_doubt(r, p, true);
		return -1;
	}
	if (r->ev != NULL) {
		r->ev->incident = incident;
		r->ev->action = "the answer is in an open incident's prefix: not used (breaker)";
	}
	drop_doubted(r);
	return fail(r, 0, "the answer falls in an open hijack incident (fan-in breaker)");
}

enum hf_req_state hf_req_consume(struct hf_req *r, const uint8_t *wire, size_t len, uint64_t now_us,
                                 int ip_ttl)
{
	if (r->guard.on && !r->sent.tcp && r->sent.wire != NULL) {
		int st = guard_reply(r, wire, len, now_us, ip_ttl);
		if (st >= 0)
			return (enum hf_req_state)st;
	} else if (r->sent.tcp && r->sent.server != NULL) {
		/* Over TCP no forger reaches us: what the server says of EDNS is the truth. */
		struct hf_pkt p;
		if (hf_pkt_parse_valid(&p, wire, len)) {
			int st = tcp_reply(r, &p, wire, len, now_us);
			hf_pkt_clear(&p);
			if (st >= 0)
				return (enum hf_req_state)st;
		}
	}
	return consume(r, wire, len, now_us);
}

enum hf_req_state hf_req_timeout(struct hf_req *r, uint64_t now_ms)
{
	if (r->hold_until_us != 0)
		return hold_over(r, now_ms);
	return timeout(r, now_ms);
}
