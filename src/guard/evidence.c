/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One event of evidence. See evidence.h for what it holds and why. */
#include "guard/evidence.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "guard/guard.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "wire/msgtext.h"
#include "wire/pkt.h"
#include "wire/buf.h"
#include "wire/name.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define TEXT_MAX 8192

struct hf_evidence *hf_evidence_new(const struct hf_upstream *s, const uint8_t *query, size_t len,
                                    bool tcp, int64_t when)
{
	struct hf_evidence *ev = hf_calloc(1, sizeof(*ev));
	if (ev == NULL)
		return NULL;
	ev->query = hf_malloc(len);
	if (ev->query == NULL) {
		hf_free(ev);
		return NULL;
	}
	memcpy(ev->query, query, len);
	ev->query_len = (uint16_t)len;
	ev->when = when;
	ev->tcp = tcp;
	snprintf(ev->server, sizeof(ev->server), "%s", s->name);
	ev->base_ip_ttl = atomic_load(&s->ip_ttl);
	ev->base_ttl_seen = atomic_load(&s->ttl_seen);
	ev->base_edns = atomic_load(&s->edns);
	ev->base_min_rtt_us = atomic_load(&s->min_rtt_us);
	return ev;
}

void hf_evidence_free(struct hf_evidence *ev)
{
	if (ev == NULL)
		return;
	for (size_t i = 0; i < ev->nreply; i++)
		hf_free(ev->reply[i].wire);
	hf_free(ev->query);
	hf_free(ev);
}

/* Does this reply say something else than the first one did? (the rule "differing-replies") */
static bool differs_from_first(const struct hf_evidence *ev, const uint8_t *wire, size_t len)
{
	struct hf_pkt a, b;
	if (ev->nreply == 0 || !hf_pkt_parse_valid(&a, ev->reply[0].wire, ev->reply[0].len))
		return false;
	bool differ = false;
	if (hf_pkt_parse_valid(&b, wire, len)) {
		differ = !hf_guard_same_answer(&a, &b);
		hf_pkt_clear(&b);
	}
	hf_pkt_clear(&a);
	return differ;
}

void hf_evidence_reply(struct hf_evidence *ev, const struct hf_upstream *from, const uint8_t *wire,
                       size_t len, uint32_t after_us, int ip_ttl, int verdict, unsigned reasons)
{
	ev->rules |= reasons;
	if (differs_from_first(ev, wire, len))
		ev->rules |= HF_GUARD_DIFFERING;
	if (ev->nreply == HF_EVIDENCE_REPLIES || len > UINT16_MAX) {
		ev->more_replies++;
		return;
	}
	struct hf_evidence_reply *r = &ev->reply[ev->nreply];
	r->wire = hf_malloc(len);
	if (r->wire == NULL) {
		ev->more_replies++;
		return;
	}
	memcpy(r->wire, wire, len);
	r->len = (uint16_t)len;
	snprintf(r->source, sizeof(r->source), "%s", from != NULL ? from->name : ev->server);
	r->after_us = after_us;
	r->ip_ttl = ip_ttl;
	r->verdict = (uint8_t)verdict;
	r->reasons = reasons;
	ev->nreply++;
}

/* The answer section as "; "-separated record lines. */
static void answer_summary(const struct hf_pkt *p, char *out, size_t cap)
{
	static _Thread_local uint8_t rdata[HF_MSG_MAX];
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_ANSWER, i);
		uint8_t owner[HF_NAME_MAX];
		char line[1024];
		int n = hf_pkt_rdata(p, rr, rdata, sizeof(rdata));
		if (n < 0 || hf_pkt_owner(p, rr, owner) < 0 ||
		    hf_rr_to_text(owner, rr->type, rr->rclass, rr->ttl, rdata, (size_t)n, line,
		                  sizeof(line)) < 0)
			continue;
		int w = snprintf(out + len, cap - len, "%s%s", len ? "; " : "", line);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

void hf_evidence_outcome(struct hf_evidence *ev, const uint8_t *answer, size_t len, bool stale)
{
	struct hf_pkt p;
	ev->client_stale = stale;
	if (!hf_pkt_parse_valid(&p, answer, len))
		return;
	ev->client_rcode = hf_pkt_rcode(&p);
	ev->client_ad = (p.flags & HF_FLAG_AD) != 0;
	answer_summary(&p, ev->client_answer, sizeof(ev->client_answer));
	hf_pkt_clear(&p);
}

/* --- JSON ------------------------------------------------------------------------------- */

static void put_b64(struct hf_jsonw *o, const uint8_t *data, size_t len)
{
	char b64[4 * ((UINT16_MAX + 2) / 3) + 1];
	EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
	hf_jsonw_put(o, "\"%s\"", b64);
}

/* A message as its text form and its octets. */
static void put_msg(struct hf_jsonw *o, const uint8_t *wire, size_t len)
{
	static _Thread_local char text[TEXT_MAX];
	struct hf_pkt p;
	text[0] = '\0';
	if (hf_pkt_parse_valid(&p, wire, len)) {
		if (hf_msg_to_text(&p, text, sizeof(text)) < 0)
			text[0] = '\0';
		hf_pkt_clear(&p);
	}
	hf_jsonw_put(o, "\"text\":");
	hf_jsonw_str(o, text);
	hf_jsonw_put(o, ",\"wire\":");
	put_b64(o, wire, len);
}

static void put_rules(struct hf_jsonw *o, unsigned rules)
{
	hf_jsonw_put(o, "[");
	bool first = true;
	for (unsigned i = 0; i < HF_GUARD_REASONS; i++) {
		const char *name = hf_guard_rule(1u << i);
		if ((rules & (1u << i)) && name != NULL) {
			hf_jsonw_put(o, "%s\"%s\"", first ? "" : ",", name);
			first = false;
		}
	}
	hf_jsonw_put(o, "]");
}

/* The question of our own query (uncompressed, as sent): name with its case, and type. */
static void put_question(struct hf_jsonw *o, const uint8_t *q, size_t len)
{
	char name[HF_NAME_TEXT_MAX], type[HF_RRTYPE_TEXT_MAX];
	int n = len > HF_HEADER_LEN ? hf_name_check(q + HF_HEADER_LEN, len - HF_HEADER_LEN) : -1;
	if (n < 0 || (size_t)n + HF_HEADER_LEN + 4 > len ||
	    hf_name_to_text(q + HF_HEADER_LEN, name, sizeof(name)) < 0) {
		hf_jsonw_put(o, "\"name\":\"\",\"qtype\":\"\"");
		return;
	}
	hf_jsonw_put(o, "\"name\":");
	hf_jsonw_str(o, name);
	hf_jsonw_put(o, ",\"qtype\":");
	hf_jsonw_str(o, hf_rrtype_name(hf_get16(q + HF_HEADER_LEN + n), type));
}

static const char *verdict_name(uint8_t v)
{
	return v == HF_GUARD_ACCEPT ? "accepted" : v == HF_GUARD_DOUBT ? "doubted" : "rejected";
}

int hf_evidence_json(const struct hf_evidence *ev, const char *prev, char *buf, size_t cap)
{
	struct hf_jsonw o = {.buf = buf, .cap = cap};
	hf_jsonw_put(&o, "{\"type\":\"suspected-hijack\",\"time\":%lld,\"prev\":\"%s\",",
	             (long long)ev->when, prev);
	put_question(&o, ev->query, ev->query_len);
	hf_jsonw_put(&o, ",\"rules\":");
	put_rules(&o, ev->rules);
	hf_jsonw_put(&o, ",\"server\":");
	hf_jsonw_str(&o, ev->server);
	hf_jsonw_put(&o,
	             ",\"transport\":\"%s\",\"baseline\":{\"ip_ttl\":%d,\"ip_ttl_seen\":%u,"
	             "\"edns\":\"%s\",\"min_rtt_us\":%u},\"query\":{",
	             ev->tcp ? "tcp" : "udp", ev->base_ip_ttl, ev->base_ttl_seen,
	             ev->base_edns == HF_GUARD_EDNS_YES  ? "yes"
	             : ev->base_edns == HF_GUARD_EDNS_NO ? "no"
	                                                 : "unknown",
	             ev->base_min_rtt_us);
	put_msg(&o, ev->query, ev->query_len);
	hf_jsonw_put(&o, "},\"replies\":[");
	for (size_t i = 0; i < ev->nreply; i++) {
		const struct hf_evidence_reply *r = &ev->reply[i];
		hf_jsonw_put(&o, "%s{\"source\":", i ? "," : "");
		hf_jsonw_str(&o, r->source);
		hf_jsonw_put(&o, ",\"after_us\":%u,\"ip_ttl\":%d,\"verdict\":\"%s\",\"rules\":",
		             r->after_us, r->ip_ttl, verdict_name(r->verdict));
		put_rules(&o, r->reasons);
		hf_jsonw_put(&o, ",");
		put_msg(&o, r->wire, r->len);
		hf_jsonw_put(&o, "}");
	}
	hf_jsonw_put(&o, "],\"more_replies\":%u,", ev->more_replies);
	if (ev->incident != 0)
		hf_jsonw_put(&o, "\"incident\":%llu,", (unsigned long long)ev->incident);
	if (ev->client[0] != '\0') {
		hf_jsonw_put(&o, "\"client_address\":");
		hf_jsonw_str(&o, ev->client);
		hf_jsonw_put(&o, ",");
	}
	hf_jsonw_put(&o, "\"action\":");
	hf_jsonw_str(&o, ev->action != NULL ? ev->action : "");
	hf_jsonw_put(
	    &o, ",\"client\":{\"rcode\":%u,\"stale\":%s,\"ad\":%s,\"answer\":", ev->client_rcode,
	    ev->client_stale ? "true" : "false", ev->client_ad ? "true" : "false");
	hf_jsonw_str(&o, ev->client_answer);
	hf_jsonw_put(&o, "}}");
	return o.full ? HF_ESPACE : (int)o.len;
}
