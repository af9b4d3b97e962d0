/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The response guard. See guard.h for what it says and why. */
#include "guard/guard.h"

#include <stdio.h>
#include <string.h>

#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

#define TTL_CONFIRMED  2    /* accepted replies with one IP TTL before it counts as the baseline */
#define RTT_SAMPLES    8    /* timed replies before the path's floor says what is too fast */
#define TOO_FAST_RATIO 2    /* a reply in under half the fastest honest one did not cross it */
#define TOO_FAST_MIN   5000 /* us: below that, scheduling jitter says more than distance */

/* Can an honest answer to qtype hold a record of this type in its answer section? */
static bool type_fits(uint16_t qtype, uint16_t type)
{
	return qtype == HF_TYPE_ANY || type == qtype || type == HF_TYPE_CNAME ||
	       type == HF_TYPE_DNAME || type == HF_TYPE_RRSIG;
}

static bool wrong_type(const struct hf_pkt *reply, uint16_t qtype)
{
	for (size_t i = 0; i < hf_pkt_section_count(reply, HF_SECTION_ANSWER); i++) {
		if (!type_fits(qtype, hf_pkt_section_rr(reply, HF_SECTION_ANSWER, i)->type))
			return true;
	}
	return false;
}

static const uint8_t *opts_of(const struct hf_pkt *p, size_t *len)
{
	*len = p->has_edns ? p->edns.opts_len : 0;
	return p->has_edns ? p->wire + p->edns.opts : NULL;
}

enum hf_guard_verdict hf_guard_check(struct hf_upstream *s, const struct hf_pkt *reply,
                                     uint16_t qtype, bool edns_sent, int ip_ttl, uint32_t rtt_us,
                                     unsigned *reasons)
{
	unsigned r = 0;
	if (wrong_type(reply, qtype))
		r |= HF_GUARD_WRONG_TYPE;
	size_t olen;
	const uint8_t *opts = opts_of(reply, &olen);
	int cookie = edns_sent ? hf_upstream_cookie_check(s, opts, olen) : 0;
	if (cookie < 0)
		r |= HF_GUARD_COOKIE;
	if (cookie == 0 && edns_sent && reply->has_edns && s->server_cookie_len != 0)
		r |= HF_GUARD_NO_COOKIE;
	if (edns_sent && !reply->has_edns && atomic_load(&s->edns) != HF_GUARD_EDNS_NO)
		r |= HF_GUARD_NO_OPT;
	if (ip_ttl >= 0 && atomic_load(&s->ttl_seen) >= TTL_CONFIRMED &&
	    ip_ttl != atomic_load(&s->ip_ttl))
		r |= HF_GUARD_IP_TTL;
	/* The fastest accepted reply, not the smoothed RTT: load slows honest replies down, so
	 * only the path's floor says what cannot have come from that far. */
	uint32_t floor = atomic_load(&s->min_rtt_us);
	if (floor >= TOO_FAST_MIN && atomic_load(&s->rtt_seen) >= RTT_SAMPLES &&
	    (uint64_t)rtt_us * TOO_FAST_RATIO < floor)
		r |= HF_GUARD_TOO_FAST;
	*reasons = r;
	if (r & (HF_GUARD_WRONG_TYPE | HF_GUARD_COOKIE))
		return HF_GUARD_REJECT;
	return r != 0 ? HF_GUARD_DOUBT : HF_GUARD_ACCEPT;
}

void hf_guard_learn(struct hf_upstream *s, const struct hf_pkt *reply, bool edns_sent, int ip_ttl,
                    uint32_t rtt_us)
{
	if (rtt_us != 0) {
		uint32_t floor = atomic_load(&s->min_rtt_us);
		if (floor == 0 || rtt_us < floor)
			atomic_store(&s->min_rtt_us, rtt_us);
		atomic_fetch_add(&s->rtt_seen, 1);
	}
	if (edns_sent)
		atomic_store(&s->edns, reply->has_edns ? HF_GUARD_EDNS_YES : HF_GUARD_EDNS_NO);
	size_t olen;
	const uint8_t *opts = opts_of(reply, &olen);
	if (opts != NULL)
		hf_upstream_cookie_learn(s, opts, olen);
	if (ip_ttl < 0)
		return;
	if (atomic_load(&s->ttl_seen) > 0 && atomic_load(&s->ip_ttl) == ip_ttl) {
		atomic_fetch_add(&s->ttl_seen, 1);
		return;
	}
	/* A new path (or the first reply): start counting again. */
	atomic_store(&s->ip_ttl, ip_ttl);
	atomic_store(&s->ttl_seen, 1);
}

/* Each reason: its name in events and metrics, and its words in logs. */
static const struct {
	unsigned bit;
	const char *rule, *words;
} reason_names[] = {{HF_GUARD_WRONG_TYPE, "wrong-type", "answer of the wrong type"},
                    {HF_GUARD_NO_OPT, "no-opt", "no OPT"},
                    {HF_GUARD_IP_TTL, "ip-ttl", "IP TTL off the server's"},
                    {HF_GUARD_TOO_FAST, "too-fast", "faster than the path"},
                    {HF_GUARD_COOKIE, "cookie", "not our cookie"},
                    {HF_GUARD_NO_COOKIE, "no-cookie", "no cookie"},
                    {HF_GUARD_KNOWN_FORGED, "known-forged", "a known forged address"},
                    {HF_GUARD_FAN_IN, "fan-in", "an address of an open fan-in incident"},
                    {HF_GUARD_DIFFERING, "differing-replies", "replies that differ"}};

const char *hf_guard_rule(unsigned bit)
{
	for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (reason_names[i].bit == bit)
			return reason_names[i].rule;
	return NULL;
}

const char *hf_guard_reasons(unsigned reasons)
{
	static _Thread_local char buf[256];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++) {
		if (!(reasons & reason_names[i].bit))
			continue;
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "",
		                 reason_names[i].words);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

/* Is record i of a's answer section in b's (same owner, type, class, RDATA)? */
static bool answer_in(const struct hf_pkt *a, size_t i, const struct hf_pkt *b)
{
	static _Thread_local uint8_t ra[HF_RDATA_MAX], rb[HF_RDATA_MAX];
	const struct hf_rr *x = hf_pkt_section_rr(a, HF_SECTION_ANSWER, i);
	uint8_t ox[HF_NAME_MAX], oy[HF_NAME_MAX];
	int nx = hf_pkt_rdata(a, x, ra, sizeof(ra));
	if (nx < 0 || hf_pkt_owner(a, x, ox) < 0)
		return false;
	for (size_t k = 0; k < hf_pkt_section_count(b, HF_SECTION_ANSWER); k++) {
		const struct hf_rr *y = hf_pkt_section_rr(b, HF_SECTION_ANSWER, k);
		if (y->type != x->type || y->rclass != x->rclass || hf_pkt_owner(b, y, oy) < 0 ||
		    !hf_name_eq(ox, oy))
			continue;
		int ny = hf_pkt_rdata(b, y, rb, sizeof(rb));
		if (ny == nx && memcmp(ra, rb, (size_t)nx) == 0)
			return true;
	}
	return false;
}

bool hf_guard_same_answer(const struct hf_pkt *a, const struct hf_pkt *b)
{
	size_t n = hf_pkt_section_count(a, HF_SECTION_ANSWER);
	if (hf_pkt_rcode(a) != hf_pkt_rcode(b) || n != hf_pkt_section_count(b, HF_SECTION_ANSWER))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!answer_in(a, i, b))
			return false;
	}
	return true;
}

void hf_guard_relearn(struct hf_upstream *s)
{
	atomic_store(&s->tcp_until_ms, 0);
	atomic_store(&s->ttl_seen, 0);
	atomic_store(&s->min_rtt_us, 0);
	atomic_store(&s->rtt_seen, 0);
}
