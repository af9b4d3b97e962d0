/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: what a client or an upstream can send the resolver core.
 * The first octet picks the role of the rest:
 *   even: a client's query, through every check and both caches;
 *   odd:  an upstream's reply to "www.example.com. A" (ID 0x1234), through
 *         the request state machine and, when accepted, into the caches and
 *         back out as an answer, which must parse.
 * Nothing may crash, leak or produce an answer that does not parse.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "config/config.h"
#include "resolve/resolve.h"
#include "server/answer.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require_parses(const uint8_t *msg, size_t len)
{
	struct hf_pkt p;
	int rc = hf_pkt_parse(&p, msg, len, NULL);
	if (rc != HF_OK && rc != HF_EBADVERS) {
		fprintf(stderr, "fuzz_answer: an answer of ours does not parse: %s\n",
		        hf_errname(rc));
		abort();
	}
	hf_pkt_clear(&p);
}

static void as_query(const struct hf_answer_ctx *ctx, const uint8_t *msg, size_t len, uint8_t *out)
{
	struct sockaddr_in client = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	struct hf_query q;
	struct hf_answer_stats st = {0};
	size_t out_len = 0;
	enum hf_verdict v = hf_answer_query(ctx, msg, len, (const struct sockaddr *)&client, &q,
	                                    out, &out_len, &st);
	if (v == HF_VERDICT_ANSWER && out_len > HF_HEADER_LEN)
		require_parses(out, out_len);
	if (v == HF_VERDICT_RESOLVE)
		require_parses(out, hf_answer_servfail(ctx, &q, 22, "fuzz", out));
}

static void as_reply(const struct hf_answer_ctx *ctx, const uint8_t *msg, size_t len, uint8_t *out)
{
	static const uint8_t qname[] = "\3www\7example\3com";
	struct hf_upstream server = {.name = "fuzz"};
	struct hf_fwd_set set = {.servers = &server, .n = 1};
	struct hf_req r;
	struct hf_req_out o;
	hf_req_init(&r, qname, HF_TYPE_A, HF_CLASS_IN, true, false, &set, 1232, 1000, 100000);
	if (hf_req_produce(&r, 1000, &o) != HF_REQ_SEND)
		abort();
	/* Make the reply carry our ID so it gets past the first check. */
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return;
	memcpy(copy, msg, len);
	if (len >= 2)
		memcpy(copy, r.query, 2);
	if (hf_req_consume(&r, copy, len, 2000) == HF_REQ_DONE && r.reply != NULL) {
		struct hf_query q = {.id = 7,
		                     .flags = HF_FLAG_RD,
		                     .qname_len = sizeof(qname),
		                     .qtype = HF_TYPE_A,
		                     .qclass = HF_CLASS_IN,
		                     .edns = true,
		                     .max_size = 1232};
		memcpy(q.qname, qname, sizeof(qname));
		size_t n = hf_answer_upstream(ctx, &q, r.reply, r.reply_len, out);
		if (n != 0)
			require_parses(out, n);
	}
	free(copy);
	hf_req_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char err[HF_CONFIG_ERR_MAX];
	static const char conf[] = "cache: {size: 1M}\n";
	struct hf_config *cfg = hf_config_parse("fuzz", conf, sizeof(conf) - 1, err);
	struct hf_cache_opts co = {.max_bytes = 1 << 20, .max_ttl = 86400, .neg_max_ttl = 3600};
	struct hf_cache *cache = hf_cache_new(&co);
	struct hf_pcache *pcache = hf_pcache_new(1 << 20);
	uint8_t *out = malloc(HF_MSG_MAX);
	if (cfg == NULL || cache == NULL || pcache == NULL || out == NULL)
		abort();
	struct hf_answer_ctx ctx = {.cfg = cfg, .cache = cache, .pcache = pcache, .now = 1000000};
	if (data[0] % 2 == 0) {
		as_query(&ctx, data + 1, size - 1, out);
		ctx.tcp = true;
		as_query(&ctx, data + 1, size - 1, out);
	} else {
		as_reply(&ctx, data + 1, size - 1, out);
		/* Whatever was cached must answer cleanly too. */
		static const uint8_t query[] = {
		    0,   9,   1,   0,   0,   1,   0,   0, 0,   0,   0,   0, 3, 'w', 'w', 'w', 7,
		    'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1,   0,   1};
		as_query(&ctx, query, sizeof(query), out);
		as_query(&ctx, query, sizeof(query), out);
	}
	free(out);
	hf_pcache_free(pcache);
	hf_cache_free(cache);
	hf_config_free(cfg);
	return 0;
}
