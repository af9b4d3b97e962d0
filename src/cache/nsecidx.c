/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The validated NSEC chain, per zone, in canonical order (RFC 8198): what
 * lets the resolver answer NXDOMAIN and NODATA for names it never asked
 * about. The record cache is a hash table and cannot find "the NSEC just
 * before this name"; this index can (binary search).
 *
 * Only NSEC records of replies that validated as secure come here, with
 * their RRSIGs (for DO clients) and the zone's SOA (for the negative TTL and
 * the authority section). NSEC3 is not used aggressively: its hashed chain
 * would need the hashing this index saves.
 *
 * Bounded: at most NSEC_PER_ZONE records per zone (expired ones go first,
 * then the oldest), and in all at most a sixteenth of the cache's byte
 * budget; past that new records are simply not kept. One lock for the whole
 * index: it is used on cache misses only.
 */
#include <pthread.h>

#include "cache/cache.h"
#include "cache/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/name.h"
#include "wire/rrtype.h"

#define NSEC_PER_ZONE 1024
#define ZONE_BUCKETS  256

struct nent {
	int64_t expire;
	uint32_t ttl;
	uint16_t rdlen;
	uint16_t siglen;
	uint8_t owner_len;
	uint8_t data[]; /* owner (lowercased) | RDATA | RRSIG RDATA */
};

struct nzone {
	struct nzone *next;
	uint8_t zone[HF_NAME_MAX]; /* lowercased */
	struct nent **v;           /* sorted by owner, canonical order */
	size_t n;
	struct nent *soa;
};

struct hf_nsec_index {
	pthread_mutex_t lock;
	struct nzone *bucket[ZONE_BUCKETS];
	uint64_t bytes, max_bytes;
	uint64_t seed;
};

struct hf_nsec_index *hf_nsec_index_new(uint64_t max_bytes)
{
	struct hf_nsec_index *x = hf_calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	pthread_mutex_init(&x->lock, NULL);
	x->max_bytes = max_bytes;
	x->seed = hf_cache_seed();
	return x;
}

static size_t nent_size(const struct nent *e)
{
	return sizeof(*e) + e->owner_len + e->rdlen + e->siglen;
}

static void drop_entry(struct hf_nsec_index *x, struct nent *e)
{
	if (e == NULL)
		return;
	x->bytes -= nent_size(e);
	hf_free(e);
}

void hf_nsec_index_free(struct hf_nsec_index *x)
{
	if (x == NULL)
		return;
	for (size_t b = 0; b < ZONE_BUCKETS; b++) {
		for (struct nzone *z = x->bucket[b], *next; z != NULL; z = next) {
			next = z->next;
			for (size_t i = 0; i < z->n; i++)
				hf_free(z->v[i]);
			hf_free(z->v);
			hf_free(z->soa);
			hf_free(z);
		}
	}
	pthread_mutex_destroy(&x->lock);
	hf_free(x);
}

static struct nzone **zone_slot(struct hf_nsec_index *x, const uint8_t *zone)
{
	size_t len = hf_name_len(zone);
	struct nzone **p = &x->bucket[hf_cache_hash(x->seed, zone, len, 0) % ZONE_BUCKETS];
	while (*p != NULL && !hf_name_eq((*p)->zone, zone))
		p = &(*p)->next;
	return p;
}

static struct nzone *find_zone(struct hf_nsec_index *x, const uint8_t *zone, bool create)
{
	struct nzone **p = zone_slot(x, zone);
	if (*p != NULL || !create)
		return *p;
	struct nzone *z = hf_calloc(1, sizeof(*z));
	struct nent **v = hf_calloc(NSEC_PER_ZONE, sizeof(*v));
	if (z == NULL || v == NULL ||
	    x->bytes + sizeof(*z) + NSEC_PER_ZONE * sizeof(*v) > x->max_bytes) {
		hf_free(z);
		hf_free(v);
		return NULL;
	}
	memcpy(z->zone, zone, hf_name_len(zone));
	hf_name_lower(z->zone);
	z->v = v;
	x->bytes += sizeof(*z) + NSEC_PER_ZONE * sizeof(*v);
	*p = z;
	return z;
}

static struct nent *new_entry(const struct hf_signed_rec *r, int64_t now)
{
	size_t olen = hf_name_len(r->owner);
	struct nent *e = hf_malloc(sizeof(*e) + olen + r->rdlen + r->siglen);
	if (e == NULL)
		return NULL;
	e->expire = now + r->ttl;
	e->ttl = r->ttl;
	e->rdlen = r->rdlen;
	e->siglen = r->siglen;
	e->owner_len = (uint8_t)olen;
	memcpy(e->data, r->owner, olen);
	hf_name_lower(e->data);
	memcpy(e->data + olen, r->rdata, r->rdlen);
	memcpy(e->data + olen + r->rdlen, r->sig, r->siglen);
	return e;
}

static void read_entry(const struct nent *e, int64_t now, struct hf_signed_rec *out)
{
	memcpy(out->owner, e->data, e->owner_len);
	memcpy(out->rdata, e->data + e->owner_len, e->rdlen);
	out->rdlen = e->rdlen;
	memcpy(out->sig, e->data + e->owner_len + e->rdlen, e->siglen);
	out->siglen = e->siglen;
	out->ttl = (uint32_t)(e->expire - now);
}

/* Index of the first entry whose owner is >= name (canonical order). */
static size_t lower_bound(const struct nzone *z, const uint8_t *name)
{
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (hf_name_cmp_canonical(z->v[mid]->data, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void remove_at(struct hf_nsec_index *x, struct nzone *z, size_t i)
{
	drop_entry(x, z->v[i]);
	memmove(&z->v[i], &z->v[i + 1], (z->n - i - 1) * sizeof(z->v[0]));
	z->n--;
}

static void purge_expired(struct hf_nsec_index *x, struct nzone *z, int64_t now)
{
	for (size_t i = z->n; i-- > 0;) {
		if (z->v[i]->expire <= now)
			remove_at(x, z, i);
	}
}

static bool fits(const struct hf_signed_rec *r)
{
	return r->rdlen <= sizeof(r->rdata) && r->siglen <= sizeof(r->sig) && r->ttl > 0;
}

int hf_nsec_index_put(struct hf_nsec_index *x, const uint8_t *zone, const struct hf_signed_rec *r,
                      bool soa, int64_t now)
{
	if (!fits(r) || !hf_name_in_zone(r->owner, zone))
		return HF_OK;
	struct nent *e = new_entry(r, now);
	if (e == NULL)
		return HF_ENOMEM;
	int rc = HF_OK;
	pthread_mutex_lock(&x->lock);
	struct nzone *z = find_zone(x, zone, true);
	if (z == NULL || x->bytes + nent_size(e) > x->max_bytes) {
		hf_free(e);
		goto out;
	}
	x->bytes += nent_size(e);
	if (soa) {
		drop_entry(x, z->soa);
		z->soa = e;
		goto out;
	}
	size_t i = lower_bound(z, e->data);
	if (i < z->n && hf_name_eq(z->v[i]->data, e->data)) {
		drop_entry(x, z->v[i]);
		z->v[i] = e;
		goto out;
	}
	if (z->n == NSEC_PER_ZONE) {
		purge_expired(x, z, now);
		if (z->n == NSEC_PER_ZONE)
			remove_at(x, z, (size_t)(now % NSEC_PER_ZONE)); /* some entry makes room */
		i = lower_bound(z, e->data);
	}
	memmove(&z->v[i + 1], &z->v[i], (z->n - i) * sizeof(z->v[0]));
	z->v[i] = e;
	z->n++;
out:
	pthread_mutex_unlock(&x->lock);
	return rc;
}

bool hf_nsec_index_zone(struct hf_nsec_index *x, const uint8_t *name, uint8_t zone[HF_NAME_MAX])
{
	bool found = false;
	pthread_mutex_lock(&x->lock);
	for (unsigned l = hf_name_labels(name) + 1; l-- > 0 && !found;) {
		const uint8_t *anc = hf_name_suffix(name, l);
		struct nzone *z = find_zone(x, anc, false);
		if (z != NULL && z->n > 0 && z->soa != NULL) {
			memcpy(zone, anc, hf_name_len(anc));
			found = true;
		}
	}
	pthread_mutex_unlock(&x->lock);
	return found;
}

bool hf_nsec_index_find(struct hf_nsec_index *x, const uint8_t *zone, const uint8_t *name,
                        int64_t now, struct hf_signed_rec *out)
{
	uint8_t key[HF_NAME_MAX];
	memcpy(key, name, hf_name_len(name));
	hf_name_lower(key);
	bool found = false;
	pthread_mutex_lock(&x->lock);
	struct nzone *z = find_zone(x, zone, false);
	if (z != NULL && z->n > 0) {
		size_t i = lower_bound(z, key);
		if (i < z->n && hf_name_eq(z->v[i]->data, key))
			i++; /* the match itself is the one wanted */
		/* The entry before name, or the last one (which wraps around to the apex). */
		const struct nent *e = z->v[i > 0 ? i - 1 : z->n - 1];
		if (e->expire > now) {
			read_entry(e, now, out);
			found = true;
		}
	}
	pthread_mutex_unlock(&x->lock);
	return found;
}

bool hf_nsec_index_soa(struct hf_nsec_index *x, const uint8_t *zone, int64_t now,
                       struct hf_signed_rec *out)
{
	bool found = false;
	pthread_mutex_lock(&x->lock);
	struct nzone *z = find_zone(x, zone, false);
	if (z != NULL && z->soa != NULL && z->soa->expire > now) {
		read_entry(z->soa, now, out);
		found = true;
	}
	pthread_mutex_unlock(&x->lock);
	return found;
}

void hf_nsec_index_flush(struct hf_nsec_index *x, const uint8_t *name)
{
	pthread_mutex_lock(&x->lock);
	for (size_t b = 0; b < ZONE_BUCKETS; b++) {
		for (struct nzone **p = &x->bucket[b]; *p != NULL;) {
			struct nzone *z = *p;
			if (!hf_name_in_zone(z->zone, name)) {
				p = &z->next;
				continue;
			}
			*p = z->next;
			while (z->n > 0)
				remove_at(x, z, z->n - 1);
			drop_entry(x, z->soa);
			x->bytes -= sizeof(*z) + NSEC_PER_ZONE * sizeof(z->v[0]);
			hf_free(z->v);
			hf_free(z);
		}
	}
	pthread_mutex_unlock(&x->lock);
}

/* The RRSIG over (owner, type) in the authority section: its RDATA into out. */
static bool sig_for(const struct hf_pkt *p, const uint8_t *owner, uint16_t type,
                    struct hf_signed_rec *out)
{
	for (size_t i = 0; i < hf_pkt_section_count(p, HF_SECTION_AUTHORITY); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_AUTHORITY, i);
		uint8_t o[HF_NAME_MAX];
		if (rr->type != HF_TYPE_RRSIG || rr->rdlen < 20 ||
		    hf_get16(p->wire + rr->rdata) != type || hf_pkt_owner(p, rr, o) < 0 ||
		    !hf_name_eq(o, owner))
			continue;
		int n = hf_pkt_rdata(p, rr, out->sig, sizeof(out->sig));
		if (n > 0) {
			out->siglen = (uint16_t)n;
			return true;
		}
	}
	return false;
}

int hf_nsec_index_store_reply(struct hf_nsec_index *x, const struct hf_pkt *p, uint32_t ttl_cap,
                              int64_t now)
{
	struct hf_signed_rec *r = hf_malloc(sizeof(*r));
	if (r == NULL)
		return HF_ENOMEM;
	int rc = HF_OK;
	for (size_t i = 0; rc == HF_OK && i < hf_pkt_section_count(p, HF_SECTION_AUTHORITY); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(p, HF_SECTION_AUTHORITY, i);
		if ((rr->type != HF_TYPE_NSEC && rr->type != HF_TYPE_SOA) ||
		    hf_pkt_owner(p, rr, r->owner) < 0 || !sig_for(p, r->owner, rr->type, r))
			continue;
		int n = hf_pkt_rdata(p, rr, r->rdata, sizeof(r->rdata));
		/* The signer is the zone: the RRSIG's name after its 18 fixed octets. */
		const uint8_t *signer = r->sig + 18;
		if (n < 0 || hf_name_check(signer, r->siglen - 18u) < 0)
			continue;
		r->rdlen = (uint16_t)n;
		r->ttl = rr->ttl < ttl_cap ? rr->ttl : ttl_cap;
		if (rr->type == HF_TYPE_SOA && !hf_name_eq(r->owner, signer))
			continue;
		uint8_t zone[HF_NAME_MAX];
		memcpy(zone, signer, hf_name_len(signer));
		rc = hf_nsec_index_put(x, zone, r, rr->type == HF_TYPE_SOA, now);
	}
	hf_free(r);
	return rc;
}
