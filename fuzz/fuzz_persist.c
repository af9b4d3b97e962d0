/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: a record as the persistent cache file stores it (cache/persist.c),
 * which the loader must treat as hostile. The first two octets are the
 * key's length (big-endian), the key follows, the rest is the value. A record the parser
 * accepts must encode back to exactly the same octets, and once filed in a
 * memory cache it must answer (with DO, stale allowed, before and after its
 * expiry) with a message that parses, and be found by the iterator's and
 * the validator's lookups and by a flush. Nothing may crash or leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/build.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_persist: %s\n", what);
	abort();
}

static void count(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	(void)rdata;
	*(size_t *)ctx += rdlen;
}

static void ask(struct hf_cache *c, const uint8_t *owner, uint16_t type, uint16_t rclass,
                int64_t now)
{
	uint8_t buf[65535];
	struct hf_build b;
	hf_build_init(&b, buf, sizeof(buf));
	if (hf_build_header(&b, 1, HF_FLAG_QR) != HF_OK ||
	    hf_build_question(&b, owner, type, rclass) != HF_OK)
		fail("cannot build the question");
	uint16_t rcode = 0;
	enum hf_sec sec;
	int r = hf_cache_answer(c, owner, type, rclass, now, &b, &rcode,
	                        HF_CACHE_DNSSEC | HF_CACHE_USE_STALE, &sec);
	if (r == HF_CACHE_MISS)
		return;
	hf_build_set_flags(&b, (uint16_t)(HF_FLAG_QR | rcode));
	size_t len = hf_build_finish(&b);
	struct hf_pkt p;
	int rc = hf_pkt_parse(&p, buf, len, NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "fuzz_persist: an answer from a loaded record does not parse: %s\n",
		        hf_errname(rc));
		abort();
	}
	hf_pkt_clear(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t klen = (size_t)data[0] << 8 | data[1];
	if (klen > size - 2)
		return 0;
	const uint8_t *key = data + 2, *val = data + 2 + klen;
	size_t vlen = size - 2 - klen;
	struct rr_entry *e;
	const char *why;
	int rc = hf_persist_parse(key, klen, val, vlen, &e, &why);
	if (rc != HF_OK)
		return 0;

	/* The encoder gives back the same octets. */
	uint8_t key2[HF_PERSIST_KEY_MAX];
	if (hf_persist_key(e, key2) != klen || memcmp(key2, key, klen) != 0)
		fail("key does not encode back to itself");
	if (hf_persist_value_len(e) != vlen)
		fail("value length does not encode back to itself");
	uint8_t *val2 = hf_malloc(vlen);
	if (val2 == NULL) {
		hf_free(e);
		return 0;
	}
	hf_persist_value(e, val2);
	if (memcmp(val2, val, vlen) != 0)
		fail("value does not encode back to itself");
	hf_free(val2);

	/* Filed in a cache, it answers as any entry does. */
	const struct hf_cache_opts o = {.max_bytes = 4 << 20,
	                                .max_ttl = 86400,
	                                .neg_max_ttl = 10800,
	                                .stale_window = 86400,
	                                .stale_answer_ttl = 30};
	struct hf_cache *c = hf_cache_new(&o);
	if (c == NULL) {
		hf_free(e);
		return 0;
	}
	uint8_t owner[HF_NAME_MAX];
	memcpy(owner, entry_owner(e), e->owner_len);
	uint16_t type = e->type, rclass = e->rclass;
	int64_t expire = e->expire;
	hf_rrcache_file(c, e);
	uint16_t qtype = type == 0 ? HF_TYPE_A : type;
	for (int64_t now = expire - 2; now <= expire + 1; now += 3) {
		ask(c, owner, qtype, rclass, now);
		if (qtype != HF_TYPE_CNAME)
			ask(c, owner, HF_TYPE_CNAME, rclass, now);
		size_t octets = 0;
		enum hf_sec sec;
		hf_cache_get_rrset(c, owner, qtype, rclass, now, count, &octets);
		hf_cache_probe(c, owner, qtype, rclass, now, &sec);
		hf_cache_has_nxdomain(c, owner, rclass, now);
	}
	hf_cache_flush(c, owner);
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	if (st.entries != 0)
		fail("a flush left the entry behind");
	hf_cache_free(c);
	return 0;
}
