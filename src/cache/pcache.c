/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The packet cache: whole responses ready to send, keyed by (question name
 * read case-insensitively, type, class, key bits). Each entry is one
 * allocation:
 *
 *   struct pc_entry | ttl_off[nttl] (u16) | response wire (question name lowercased)
 *
 * hf_pcache_store() parses the response once and remembers where every TTL
 * field sits (OPT's excepted: its "TTL" holds the extended RCODE, version
 * and flags). A hit then costs a hash of the query's name (eight octets at
 * a time, lowercased on the fly, no copy), one chain walk, a memcpy of the
 * response and a few stores: the ID and the RD bit from the query, the
 * query's question name over the stored one (the key makes them the same
 * length, so compression pointers into it stay valid and carry the client's
 * 0x20 case), and each TTL lowered by the seconds elapsed since the store.
 *
 * Measured cost of a hit (gcc 12 -O2, this 2-vCPU VM, 100 000 entries of a
 * 63-octet "wNNNNN.example.com A" response with OPT, queries in mixed case,
 * timing hf_pcache_answer() calls in a loop):
 *
 *   names hit (uniformly)        1 000    10 000   100 000
 *   ns per hit, one thread         ~72      ~155      ~310
 *
 * The small set is the CPU-cache-resident case (hash, lock pair, copy and
 * patch). The larger sets pay for main-memory misses on the bucket and the
 * entry; moving the entry to the LRU head on every hit made the 100 000 case
 * ~450 ns (two more cold entries written), hence lazy promotion (impl.h).
 * Two threads on the two vCPUs hitting the same 1 000 names: ~170 ns per
 * hit each, the shard locks' cache lines moving between cores. At 100k qps
 * per core that is 1-3% of the core.
 */
#include "cache/cache.h"

#include "cache/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/name.h"
#include "wire/rrtype.h"

struct pc_entry {
	struct hf_cent h;
	int64_t stored; /* wall seconds when stored: TTLs in the wire are as of then */
	int64_t expire; /* stored + smallest TTL */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t len;  /* response length */
	uint16_t nttl; /* TTL fields to patch */
	uint8_t qname_len;
	uint8_t bits;
	bool refreshing; /* a prefetch was asked for */
	_Alignas(uint64_t) uint8_t data[];
};

#define QNAME_OFF HF_HEADER_LEN /* the single question starts right after the header */

struct hf_pcache {
	struct hf_cshard shards[HF_CACHE_SHARDS];
	uint64_t seed;
};

static uint16_t *entry_ttl_off(struct pc_entry *e)
{
	return (uint16_t *)(void *)e->data;
}

static uint8_t *entry_wire(struct pc_entry *e)
{
	return e->data + e->nttl * sizeof(uint16_t);
}

struct hf_pcache *hf_pcache_new(uint64_t max_bytes)
{
	struct hf_pcache *pc = hf_calloc(1, sizeof(*pc));
	if (pc == NULL)
		return NULL;
	pc->seed = hf_cache_seed() * HF_CACHE_P2; /* not the record cache's seed */
	size_t i;
	for (i = 0; i < HF_CACHE_SHARDS; i++) {
		if (hf_cshard_init(&pc->shards[i], max_bytes / HF_CACHE_SHARDS) != HF_OK)
			goto fail;
	}
	return pc;
fail:
	while (i-- > 0)
		hf_cshard_clear(&pc->shards[i]);
	hf_free(pc);
	return NULL;
}

void hf_pcache_free(struct hf_pcache *pc)
{
	if (pc == NULL)
		return;
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++)
		hf_cshard_clear(&pc->shards[i]);
	hf_free(pc);
}

static inline uint64_t key_hash(const struct hf_pcache *pc, const uint8_t *qname, size_t len,
                                uint16_t qtype, uint16_t qclass, unsigned bits)
{
	uint64_t extra = (uint64_t)bits << 32 | (uint64_t)qtype << 16 | qclass;
	return hf_cache_hash(pc->seed, qname, len, extra);
}

static inline bool key_eq(struct pc_entry *e, uint64_t hash, const uint8_t *qname, size_t len,
                          uint16_t qtype, uint16_t qclass, unsigned bits)
{
	return e->h.hash == hash && e->qtype == qtype && e->qclass == qclass && e->bits == bits &&
	       e->qname_len == len && hf_cache_name_eq(entry_wire(e) + QNAME_OFF, qname, len);
}

static uint32_t wire_ttl(uint32_t ttl)
{
	return ttl > 0x7fffffffu ? 0 : ttl; /* RFC 2181 §8 */
}

int hf_pcache_store(struct hf_pcache *pc, const uint8_t *wire, size_t len, unsigned key_bits,
                    uint32_t ttl_cap, int64_t now)
{
	struct hf_pkt pkt;
	int rc = hf_pkt_parse(&pkt, wire, len, NULL);
	if (rc == HF_EBADVERS)
		hf_pkt_clear(&pkt);
	if (rc != HF_OK)
		return HF_EINVAL;
	if (pkt.count[HF_SECTION_QUESTION] != 1 || pkt.rr[0].owner != QNAME_OFF ||
	    key_bits > UINT8_MAX) {
		rc = HF_EINVAL;
		goto out;
	}
	/* The question name must be written out whole: hf_pcache_answer() overwrites it. */
	int qname_len = hf_name_check(wire + QNAME_OFF, len - QNAME_OFF);
	if (qname_len < 0) {
		rc = HF_EINVAL;
		goto out;
	}
	size_t nttl = 0;
	uint32_t ttl = ttl_cap;
	for (size_t i = pkt.sect[HF_SECTION_ANSWER]; i < pkt.nrr; i++) {
		if (pkt.rr[i].type == HF_TYPE_OPT)
			continue;
		if (wire_ttl(pkt.rr[i].ttl) < ttl)
			ttl = wire_ttl(pkt.rr[i].ttl);
		nttl++;
	}
	if (ttl == 0)
		goto out; /* rc is HF_OK: nothing worth keeping */
	size_t size = sizeof(struct pc_entry) + nttl * sizeof(uint16_t) + len;
	struct pc_entry *e = hf_malloc(size);
	if (e == NULL) {
		rc = HF_ENOMEM;
		goto out;
	}
	memset(e, 0, sizeof(*e));
	e->h.size = (uint32_t)size;
	e->stored = now;
	e->expire = now + ttl;
	e->qtype = pkt.rr[0].type;
	e->qclass = pkt.rr[0].rclass;
	e->len = (uint16_t)len;
	e->nttl = (uint16_t)nttl;
	e->qname_len = (uint8_t)qname_len;
	e->bits = (uint8_t)key_bits;
	uint16_t *off = entry_ttl_off(e);
	for (size_t i = pkt.sect[HF_SECTION_ANSWER]; i < pkt.nrr; i++) {
		if (pkt.rr[i].type != HF_TYPE_OPT)
			*off++ = (uint16_t)(pkt.rr[i].rdata - 6); /* TTL, RDLENGTH, then RDATA */
	}
	uint8_t *stored = entry_wire(e);
	memcpy(stored, wire, len);
	hf_name_lower(stored + QNAME_OFF);

	const uint8_t *qname = stored + QNAME_OFF;
	e->h.hash = key_hash(pc, qname, e->qname_len, e->qtype, e->qclass, e->bits);
	struct hf_cshard *s = hf_cshard_of(pc->shards, e->h.hash);
	pthread_mutex_lock(&s->lock);
	for (struct hf_cent *h = hf_cshard_chain(s, e->h.hash); h != NULL; h = h->hnext) {
		if (key_eq((struct pc_entry *)h, e->h.hash, qname, e->qname_len, e->qtype,
		           e->qclass, e->bits)) {
			hf_cshard_remove(s, h);
			break;
		}
	}
	hf_cshard_insert(s, &e->h);
	pthread_mutex_unlock(&s->lock);
out:
	hf_pkt_clear(&pkt);
	return rc;
}

size_t hf_pcache_answer(struct hf_pcache *pc, const uint8_t *query, size_t qname_off,
                        size_t qname_len, uint16_t qtype, uint16_t qclass, unsigned key_bits,
                        int64_t now, uint8_t *out, size_t cap, bool *refresh)
{
	if (HF_UNLIKELY(qname_len == 0 || qname_len > HF_NAME_MAX))
		return 0;
	const uint8_t *qname = query + qname_off;
	uint64_t hash = key_hash(pc, qname, qname_len, qtype, qclass, key_bits);
	struct hf_cshard *s = hf_cshard_of(pc->shards, hash);
	size_t len = 0;
	pthread_mutex_lock(&s->lock);
	struct hf_cent *h = hf_cshard_chain(s, hash);
	while (h != NULL &&
	       !key_eq((struct pc_entry *)h, hash, qname, qname_len, qtype, qclass, key_bits))
		h = h->hnext;
	if (h == NULL)
		goto miss;
	struct pc_entry *e = (struct pc_entry *)h;
	if (e->expire <= now) {
		hf_cshard_remove(s, h);
		goto miss;
	}
	if (e->len > cap)
		goto miss;
	len = e->len;
	memcpy(out, entry_wire(e), len);
	out[0] = query[0];
	out[1] = query[1];
	out[2] = (uint8_t)((out[2] & ~1u) | (query[2] & 1u)); /* RD is copied (RFC 1035 §4.1.1) */
	memcpy(out + QNAME_OFF, qname, qname_len);
	if (now > e->stored) {
		int64_t elapsed = now - e->stored; /* < every TTL: the entry has not expired */
		const uint16_t *off = entry_ttl_off(e);
		for (size_t i = 0; i < e->nttl; i++) {
			uint32_t ttl = wire_ttl(hf_get32(out + off[i]));
			hf_put32(out + off[i], ttl > elapsed ? ttl - (uint32_t)elapsed : 0);
		}
	}
	/* A popular answer near its end is fetched again before it expires (prefetch). */
	if (refresh != NULL && !e->refreshing && (e->expire - now) * 10 <= e->expire - e->stored) {
		e->refreshing = true;
		*refresh = true;
	}
	hf_cshard_touch(h);
	s->hits++;
	pthread_mutex_unlock(&s->lock);
	return len;
miss:
	s->misses++;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void flush_where(struct hf_pcache *pc, const uint8_t *name, bool below)
{
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++) {
		struct hf_cshard *s = &pc->shards[i];
		pthread_mutex_lock(&s->lock);
		struct hf_cent *h = s->lru.lnext;
		while (h != &s->lru) {
			struct hf_cent *next = h->lnext;
			const uint8_t *qname = entry_wire((struct pc_entry *)h) + QNAME_OFF;
			if (below ? hf_name_in_zone(qname, name) : hf_name_eq(qname, name))
				hf_cshard_remove(s, h);
			h = next;
		}
		pthread_mutex_unlock(&s->lock);
	}
}

void hf_pcache_flush(struct hf_pcache *pc, const uint8_t *name)
{
	flush_where(pc, name, true);
}

void hf_pcache_flush_name(struct hf_pcache *pc, const uint8_t *name)
{
	flush_where(pc, name, false);
}

void hf_pcache_stats(struct hf_pcache *pc, struct hf_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++) {
		struct hf_cshard *s = &pc->shards[i];
		pthread_mutex_lock(&s->lock);
		out->entries += s->count;
		out->bytes += s->bytes;
		out->hits += s->hits;
		out->misses += s->misses;
		out->inserts += s->inserts;
		out->evictions += s->evictions;
		pthread_mutex_unlock(&s->lock);
	}
}
