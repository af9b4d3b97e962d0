/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the cache holds for a name and type (GET /api/cache), asked the way
 * a client's query would be answered from the record cache (CNAMEs
 * followed, stale data within the stale window shown as such), records as
 * zone-file text; and flushing a name (POST /api/cache/flush).
 */
#include <string.h>

#include "control/impl.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "wire/build.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define LINE_MAX_TEXT 4096

/* The answer and authority records of msg as text lines into a; the smallest TTL. */
static uint32_t records_text(const uint8_t *msg, size_t len, json_t *a)
{
	struct hf_pkt p;
	uint32_t ttl = UINT32_MAX;
	if (!hf_pkt_parse_valid(&p, msg, len))
		return 0;
	uint8_t *rdata = hf_malloc(HF_MSG_MAX);
	char *line = hf_malloc(LINE_MAX_TEXT);
	for (int s = HF_SECTION_ANSWER; rdata && line && s <= HF_SECTION_AUTHORITY; s++) {
		for (size_t i = 0; i < hf_pkt_section_count(&p, s); i++) {
			const struct hf_rr *rr = hf_pkt_section_rr(&p, s, i);
			uint8_t owner[HF_NAME_MAX];
			int n = hf_pkt_rdata(&p, rr, rdata, HF_MSG_MAX);
			if (n < 0 || hf_pkt_owner(&p, rr, owner) < 0 ||
			    hf_rr_to_text(owner, rr->type, rr->rclass, rr->ttl, rdata, (size_t)n,
			                  line, LINE_MAX_TEXT) < 0)
				continue;
			json_array_append_new(a, json_string(line));
			if (rr->ttl < ttl)
				ttl = rr->ttl;
		}
	}
	hf_free(rdata);
	hf_free(line);
	hf_pkt_clear(&p);
	return ttl == UINT32_MAX ? 0 : ttl;
}

json_t *hf_ctl_cache_lookup(struct hf_ctl_view *v, const uint8_t *name, uint16_t type)
{
	uint8_t *msg = hf_malloc(HF_MSG_MAX);
	json_t *records = json_array();
	if (msg == NULL || records == NULL) {
		hf_free(msg);
		json_decref(records);
		return NULL;
	}
	struct hf_build b;
	hf_build_init(&b, msg, HF_MSG_MAX);
	uint16_t rcode = 0;
	enum hf_sec sec = HF_SEC_INSECURE;
	enum hf_cache_result r = HF_CACHE_MISS;
	if (hf_build_header(&b, 0, HF_FLAG_QR) == HF_OK &&
	    hf_build_question(&b, name, type, HF_CLASS_IN) == HF_OK)
		r = hf_cache_answer(hf_server_cache(v->server), name, type, HF_CLASS_IN,
		                    hf_clock_wall(), &b, &rcode, HF_CACHE_USE_STALE, &sec);
	uint32_t ttl = 0;
	if (r != HF_CACHE_MISS)
		ttl = records_text(msg, hf_build_finish(&b), records);
	hf_free(msg);
	char text[HF_NAME_TEXT_MAX], tbuf[HF_RRTYPE_TEXT_MAX];
	if (hf_name_to_text(name, text, sizeof(text)) < 0)
		text[0] = '\0';
	const char *rname = r == HF_CACHE_MISS ? "" : hf_rcode_name(rcode);
	return json_pack("{s:s, s:s, s:b, s:s, s:I, s:b, s:s, s:o}", "name", text, "type",
	                 hf_rrtype_name(type, tbuf), "found", r != HF_CACHE_MISS, "rcode",
	                 rname ? rname : "", "ttl", (json_int_t)ttl, "stale", r == HF_CACHE_STALE,
	                 "security",
	                 r == HF_CACHE_MISS     ? "unchecked"
	                 : sec == HF_SEC_SECURE ? "secure"
	                                        : "insecure",
	                 "records", records);
}

json_t *hf_ctl_cache_flush(struct hf_ctl_view *v, const uint8_t *name, bool zone)
{
	struct hf_cache *c = hf_server_cache(v->server);
	struct hf_pcache *pc = hf_server_pcache(v->server);
	if (zone) {
		hf_cache_flush(c, name);
		hf_pcache_flush(pc, name);
	} else {
		hf_cache_flush_name(c, name);
		hf_pcache_flush_name(pc, name);
	}
	char text[HF_NAME_TEXT_MAX];
	if (hf_name_to_text(name, text, sizeof(text)) < 0)
		text[0] = '\0';
	return json_pack("{s:s, s:b}", "flushed", text, "zone", zone);
}
