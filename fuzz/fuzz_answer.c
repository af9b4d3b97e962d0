/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: what a client or an upstream can send the resolver core.
 * The first octet (mod 3) picks the role of the rest:
 *   0:    a client's query, through every check and both caches;
 *   1:    an upstream's reply to "www.example.com. A", through the forwarding
 *         state machine and, when accepted, into the caches and back out as
 *         an answer, which must parse;
 *   2:    sections of a reply from an authoritative server to the iterator's
 *         first query (header and question made to match, the rest fuzzed),
 *         through scrubbing, referral, glue and answer handling.
 * Nothing may crash, leak or produce an answer that does not parse.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "config/config.h"
#include "iterator/infra.h"
#include "iterator/iterator.h"
#include "iterator/roots.h"
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
	if (hf_req_consume(&r, copy, len, 2000, -1) == HF_REQ_DONE && r.reply != NULL) {
		struct hf_query q = {.id = 7,
		                     .flags = HF_FLAG_RD,
		                     .qname_len = sizeof(qname),
		                     .qtype = HF_TYPE_A,
		                     .qclass = HF_CLASS_IN,
		                     .edns = true,
		                     .max_size = 1232};
		memcpy(q.qname, qname, sizeof(qname));
		size_t n = hf_answer_upstream(ctx, &q, r.reply, r.reply_len, r.it != NULL, out);
		if (n != 0)
			require_parses(out, n);
	}
	free(copy);
	hf_req_clear(&r);
}

/* The iterator's first query goes to the only root hint; the fuzzed sections answer it. */
static void as_iter_reply(const struct hf_answer_ctx *ctx, const uint8_t *msg, size_t len)
{
	static const char hints[] = ". 3600000 NS a.root.test.\na.root.test. 1 A 192.0.2.1\n";
	static const uint8_t qname[] = "\3www\7example\3com";
	char err[HF_CONFIG_ERR_MAX];
	struct hf_roots *roots = hf_roots_parse("hints", hints, sizeof(hints) - 1, err);
	struct hf_infra *infra = hf_infra_new();
	if (roots == NULL || infra == NULL || len < 10)
		goto out;
	struct hf_iter_env env = {.cfg = ctx->cfg,
	                          .cache = ctx->cache,
	                          .roots = roots,
	                          .infra = infra,
	                          .now_wall = ctx->now};
	struct hf_req r;
	struct hf_req_out o;
	if (hf_req_init_iter(&r, &env, qname, HF_TYPE_A, HF_CLASS_IN, false, 1000) != HF_OK)
		goto out;
	uint64_t now = 1000000;
	/* Up to three rounds: each reply may lead to another query. */
	for (int round = 0; round < 3; round++) {
		if (hf_req_produce(&r, now, &o) != HF_REQ_SEND)
			break;
		/* Header: our ID, fuzzed flags and counts; the question as sent; then the fuzz. */
		uint8_t *reply = malloc(o.len + len);
		if (reply == NULL)
			break;
		size_t qend = o.len - (hf_get16(o.wire + 10) ? 11 : 0);
		memcpy(reply, o.wire, qend);
		memcpy(reply + 2, msg, 2);
		reply[2] |= 0x80;
		memcpy(reply + 6, msg + 2, 6);
		memcpy(reply + qend, msg + 8, len - 8);
		enum hf_req_state st = hf_req_consume(&r, reply, qend + len - 8, now + 1000, -1);
		free(reply);
		now += 2000;
		if (st == HF_REQ_DONE)
			break;
		if (st == HF_REQ_WAIT && hf_req_timeout(&r, now / 1000) == HF_REQ_DONE)
			break;
	}
	if (r.reply != NULL)
		require_parses(r.reply, r.reply_len);
	hf_req_clear(&r);
out:
	hf_infra_free(infra);
	hf_roots_free(roots);
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
	if (data[0] % 3 == 0) {
		as_query(&ctx, data + 1, size - 1, out);
		ctx.tcp = true;
		as_query(&ctx, data + 1, size - 1, out);
	} else if (data[0] % 3 == 2) {
		as_iter_reply(&ctx, data + 1, size - 1);
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
