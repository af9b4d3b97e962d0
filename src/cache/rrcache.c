/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The record cache, in memory: RRsets and negative entries keyed by
 * (lowercased owner, type, class), one allocation each.
 *
 *   struct rr_entry | rdlen[nrr] (u16) | owner | SOA owner (negative) | RDATA...
 *                   | DNSSEC records (extra_len octets)
 *
 * The DNSSEC records are what a client asking with DO gets besides the data:
 * the RRSIGs of the RRset, and the NSEC/NSEC3 proof (with its RRSIGs) of a
 * negative entry or a wildcard expansion. Each is stored as
 *   section (u8) | owner length (u8, 0 = the entry's owner) | owner | type (u16)
 *   | RDLENGTH (u16) | RDATA
 *
 * An NXDOMAIN entry sits under type 0 (reserved, RFC 6895 §3.1) and answers
 * every type at its name; a NODATA entry sits under the type it denies. Both
 * keep the SOA (owner and RDATA) for the authority section. Storing a
 * positive RRset drops an NXDOMAIN entry at the same name, and lookups check
 * NXDOMAIN first, so whichever was stored last wins.
 *
 * With cache.path set, every entry filed here is also written through to an
 * LMDB file, and the file's entries are loaded at start (persist.c): insert()
 * and drop() queue the write, hf_cache_flush() the removal. Lookups never
 * touch the file.
 *
 * Not done here (yet): duplicate records in an RRset are kept as they came; DNAME is not
 * synthesised (the CNAME an upstream synthesises is stored like any other).
 */
#include "cache/cache.h"

#include <stdatomic.h>

#include "cache/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/name.h"
#include "wire/rrtype.h"

#define MAX_LINKS 16 /* CNAMEs followed from the question name */
#define STACK_RRS 32 /* RRsets this large are written without allocating */

struct hf_cache *hf_cache_new(const struct hf_cache_opts *opts)
{
	struct hf_cache *c = hf_calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->opts = *opts;
	c->seed = hf_cache_seed();
	c->nsec = hf_nsec_index_new(opts->max_bytes / 16);
	if (c->nsec == NULL) {
		hf_free(c);
		return NULL;
	}
	size_t i;
	for (i = 0; i < HF_CACHE_SHARDS; i++) {
		if (hf_cshard_init(&c->shards[i], opts->max_bytes / HF_CACHE_SHARDS) != HF_OK)
			goto fail;
	}
	if (opts->path != NULL && opts->path[0] != '\0')
		c->persist = hf_persist_open(c); /* NULL: memory only, and the log says why */
	c->opts.path = NULL;
	return c;
fail:
	while (i-- > 0)
		hf_cshard_clear(&c->shards[i]);
	hf_nsec_index_free(c->nsec);
	hf_free(c);
	return NULL;
}

struct hf_nsec_index *hf_cache_nsec_index(struct hf_cache *c)
{
	return c->nsec;
}

void hf_cache_free(struct hf_cache *c)
{
	if (c == NULL)
		return;
	hf_persist_close(c->persist);
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++)
		hf_cshard_clear(&c->shards[i]);
	hf_nsec_index_free(c->nsec);
	hf_free(c);
}

static uint64_t key_hash(const struct hf_cache *c, const uint8_t *name, size_t len, uint16_t type,
                         uint16_t rclass)
{
	return hf_cache_hash(c->seed, name, len, (uint64_t)type << 16 | rclass);
}

/*
 * Finds the live entry for (name, type, rclass), name lowercased. On success
 * returns it with its shard locked (*sp); the caller unlocks. Expired
 * entries are freed on the way.
 */
static struct rr_entry *lookup_kept(struct hf_cache *c, const uint8_t *name, uint16_t type,
                                    uint16_t rclass, int64_t now, bool stale,
                                    struct hf_cshard **sp);

static struct rr_entry *lookup(struct hf_cache *c, const uint8_t *name, uint16_t type,
                               uint16_t rclass, int64_t now, struct hf_cshard **sp)
{
	return lookup_kept(c, name, type, rclass, now, false, sp);
}

/*
 * As lookup(), and with stale also an entry expired less than the stale
 * window ago (RFC 8767). Expired entries stay that long either way; past it
 * they are freed on the way.
 */
static struct rr_entry *lookup_kept(struct hf_cache *c, const uint8_t *name, uint16_t type,
                                    uint16_t rclass, int64_t now, bool stale, struct hf_cshard **sp)
{
	size_t len = hf_name_len(name);
	uint64_t hash = key_hash(c, name, len, type, rclass);
	struct hf_cshard *s = hf_cshard_of(c->shards, hash);
	pthread_mutex_lock(&s->lock);
	for (struct hf_cent *h = hf_cshard_chain(s, hash); h != NULL; h = h->hnext) {
		struct rr_entry *e = (struct rr_entry *)h;
		if (h->hash != hash || e->type != type || e->rclass != rclass ||
		    e->owner_len != len || memcmp(entry_owner(e), name, len) != 0)
			continue;
		if (e->expire <= now) {
			bool kept = now < e->expire + (int64_t)c->opts.stale_window;
			if (!kept)
				hf_cshard_remove(s, h);
			if (!kept || !stale)
				break;
		}
		hf_cshard_touch(h);
		*sp = s;
		return e;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void drop(struct hf_cache *c, const uint8_t *name, uint16_t type, uint16_t rclass)
{
	struct hf_cshard *s;
	/* INT64_MIN: every entry still counts as live, so it is found and dropped here. */
	struct rr_entry *e = lookup(c, name, type, rclass, INT64_MIN, &s);
	if (e == NULL)
		return;
	hf_cshard_remove(s, &e->h);
	pthread_mutex_unlock(&s->lock);
	hf_persist_del(c->persist, name, type, rclass);
}

void hf_rrcache_file(struct hf_cache *c, struct rr_entry *e)
{
	uint8_t *owner = entry_owner(e);
	e->h.hash = key_hash(c, owner, e->owner_len, e->type, e->rclass);
	struct hf_cshard *s = hf_cshard_of(c->shards, e->h.hash);
	pthread_mutex_lock(&s->lock);
	for (struct hf_cent *h = hf_cshard_chain(s, e->h.hash); h != NULL; h = h->hnext) {
		struct rr_entry *old = (struct rr_entry *)h;
		if (h->hash == e->h.hash && old->type == e->type && old->rclass == e->rclass &&
		    old->owner_len == e->owner_len &&
		    memcmp(entry_owner(old), owner, e->owner_len) == 0) {
			hf_cshard_remove(s, h);
			break;
		}
	}
	hf_cshard_insert(s, &e->h);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Files a filled-in entry (hash set here), replacing any entry with its key,
 * and queues it for the persistent store.
 */
static void insert(struct hf_cache *c, struct rr_entry *e)
{
	hf_persist_put(c->persist, e);
	hf_rrcache_file(c, e);
}

/* RFC 2181 §8: a TTL with the top bit set is read as zero. */
static uint32_t wire_ttl(uint32_t ttl)
{
	return ttl > 0x7fffffffu ? 0 : ttl;
}

static uint32_t clamp(uint32_t ttl, uint32_t lo, uint32_t hi)
{
	if (ttl > hi)
		ttl = hi;
	if (ttl < lo)
		ttl = lo;
	return ttl;
}

static bool owner_is(const struct hf_pkt *pkt, const struct hf_rr *rr, const uint8_t *name)
{
	uint8_t owner[HF_NAME_MAX];
	return hf_pkt_owner(pkt, rr, owner) > 0 && hf_name_eq(owner, name);
}

struct rr_entry *hf_rrcache_entry_new(const uint8_t *key, size_t owner_len, uint16_t type,
                                      uint16_t rclass, uint8_t kind, size_t n, size_t soa_owner_len,
                                      size_t rdtotal, size_t extra_len)
{
	size_t size = sizeof(struct rr_entry) + n * sizeof(uint16_t) + owner_len + soa_owner_len +
	              rdtotal + extra_len;
	struct rr_entry *e = hf_malloc(size);
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->h.size = (uint32_t)size;
	e->type = type;
	e->rclass = rclass;
	e->nrr = (uint16_t)n;
	e->kind = kind;
	e->owner_len = (uint8_t)owner_len;
	e->soa_owner_len = (uint8_t)soa_owner_len;
	e->extra_len = (uint16_t)extra_len;
	memcpy(entry_owner(e), key, owner_len);
	return e;
}

/* --- DNSSEC records kept with an entry ----------------------------------------------- */

enum extra_what {
	EXTRA_SIGS = 1,  /* RRSIGs over (name, type) in the answer section */
	EXTRA_PROOF = 2, /* NSEC, NSEC3 and their RRSIGs in the authority section */
	EXTRA_SOA_SIG = 4,
};

static bool extra_wanted(const struct hf_pkt *pkt, enum hf_section s, const struct hf_rr *rr,
                         const uint8_t *name, uint16_t type, unsigned what)
{
	if (rr->type == HF_TYPE_NSEC || rr->type == HF_TYPE_NSEC3)
		return s == HF_SECTION_AUTHORITY && (what & EXTRA_PROOF);
	if (rr->type != HF_TYPE_RRSIG || rr->rdlen < 18)
		return false;
	uint16_t covered = hf_get16(pkt->wire + rr->rdata);
	if (s == HF_SECTION_ANSWER)
		return (what & EXTRA_SIGS) && covered == type && owner_is(pkt, rr, name);
	if (covered == HF_TYPE_SOA)
		return (what & EXTRA_SOA_SIG) != 0;
	return (covered == HF_TYPE_NSEC || covered == HF_TYPE_NSEC3) && (what & EXTRA_PROOF);
}

/*
 * Writes (out != NULL) or measures the DNSSEC records of pkt that go with
 * the RRset or negative entry (name, type). Returns the octets, or 0 when
 * there are none or they would not fit an entry.
 */
static size_t collect_extra(const struct hf_pkt *pkt, const uint8_t *name, uint16_t type,
                            unsigned what, uint8_t *out)
{
	size_t total = 0;
	for (int s = HF_SECTION_ANSWER; s <= HF_SECTION_AUTHORITY; s++) {
		for (size_t i = 0; i < hf_pkt_section_count(pkt, (enum hf_section)s); i++) {
			const struct hf_rr *rr = hf_pkt_section_rr(pkt, (enum hf_section)s, i);
			uint8_t owner[HF_NAME_MAX];
			if (!extra_wanted(pkt, (enum hf_section)s, rr, name, type, what))
				continue;
			int olen = hf_pkt_owner(pkt, rr, owner);
			int rdlen = hf_pkt_rdata(pkt, rr, NULL, 0);
			if (olen < 0 || rdlen < 0)
				continue;
			bool own = s == HF_SECTION_ANSWER;
			size_t need = 6 + (own ? 0 : (size_t)olen) + (size_t)rdlen;
			if (total + need > UINT16_MAX)
				return 0;
			if (out != NULL) {
				uint8_t *p = out + total;
				p[0] = (uint8_t)s;
				p[1] = own ? 0 : (uint8_t)olen;
				p += 2;
				if (!own) {
					memcpy(p, owner, (size_t)olen);
					p += olen;
				}
				hf_put16(p, rr->type);
				hf_put16(p + 2, (uint16_t)rdlen);
				if (hf_pkt_rdata(pkt, rr, p + 4, (size_t)rdlen) != rdlen)
					return 0;
			}
			total += need;
		}
	}
	return total;
}

/* Does an RRSIG over (name, type) show a wildcard expansion (RFC 4035 §5.3.4)? */
static bool wildcard_expanded(const struct hf_pkt *pkt, const uint8_t *name, uint16_t type)
{
	for (size_t i = 0; i < hf_pkt_section_count(pkt, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(pkt, HF_SECTION_ANSWER, i);
		if (extra_wanted(pkt, HF_SECTION_ANSWER, rr, name, type, EXTRA_SIGS) &&
		    pkt->wire[rr->rdata + 3] < hf_name_labels(name))
			return true;
	}
	return false;
}

/* Fills an entry's DNSSEC records (measured before with the same arguments). */
static void fill_extra(struct rr_entry *e, const struct hf_pkt *pkt, const uint8_t *name,
                       uint16_t type, unsigned what)
{
	if (e->extra_len != 0 &&
	    collect_extra(pkt, name, type, what, entry_extra(e)) != e->extra_len)
		e->extra_len = 0;
}

/*
 * Stores the answer-section RRset (name, type, rclass) of pkt, name
 * lowercased. Returns how many records it has (0: none, nothing stored) or
 * HF_ENOMEM. A CNAME RRset keeps its first record only (RFC 2181 §10.1).
 */
struct store_ctx {
	int64_t now;
	enum hf_sec sec;
	uint32_t ttl_cap;
};

static int store_rrset_kind(struct hf_cache *c, const struct hf_pkt *pkt, const uint8_t *name,
                            uint16_t type, uint16_t rclass, const struct store_ctx *sc,
                            uint8_t kind)
{
	size_t first = pkt->sect[HF_SECTION_ANSWER];
	size_t end = first + hf_pkt_section_count(pkt, HF_SECTION_ANSWER);
	size_t n = 0, rdtotal = 0;
	uint32_t ttl = UINT32_MAX;
	for (size_t i = first; i < end; i++) {
		const struct hf_rr *rr = &pkt->rr[i];
		if (rr->type != type || rr->rclass != rclass || !owner_is(pkt, rr, name))
			continue;
		int len = hf_pkt_rdata(pkt, rr, NULL, 0);
		if (len < 0 || len > UINT16_MAX)
			continue;
		rdtotal += (size_t)len;
		if (wire_ttl(rr->ttl) < ttl)
			ttl = wire_ttl(rr->ttl);
		n++;
		if (type == HF_TYPE_CNAME)
			break;
	}
	if (n == 0)
		return 0;
	ttl = clamp(ttl, c->opts.min_ttl, c->opts.max_ttl);
	if (ttl > sc->ttl_cap)
		ttl = sc->ttl_cap;
	if (ttl == 0 || n > UINT16_MAX)
		return (int)n; /* nothing worth keeping */
	unsigned what = EXTRA_SIGS | (wildcard_expanded(pkt, name, type) ? EXTRA_PROOF : 0);
	size_t extra = collect_extra(pkt, name, type, what, NULL);
	struct rr_entry *e =
	    hf_rrcache_entry_new(name, hf_name_len(name), type, rclass, kind, n, 0, rdtotal, extra);
	if (e == NULL)
		return HF_ENOMEM;
	e->expire = sc->now + ttl;
	e->ttl = ttl;
	e->sec = (uint8_t)sc->sec;
	uint16_t *rdlen = entry_rdlen(e);
	uint8_t *out = entry_rdata(e);
	size_t k = 0;
	for (size_t i = first; i < end && k < n; i++) {
		const struct hf_rr *rr = &pkt->rr[i];
		if (rr->type != type || rr->rclass != rclass || !owner_is(pkt, rr, name))
			continue;
		int len = hf_pkt_rdata(pkt, rr, out, rdtotal);
		if (len < 0 || len > UINT16_MAX)
			continue;
		rdlen[k++] = (uint16_t)len;
		out += len;
		rdtotal -= (size_t)len;
	}
	e->nrr = (uint16_t)k; /* the same records as the first pass: the message is unchanged */
	fill_extra(e, pkt, name, type, what);
	drop(c, name, TYPE_NXDOMAIN, rclass);
	insert(c, e);
	return (int)n;
}

static int store_rrset(struct hf_cache *c, const struct hf_pkt *pkt, const uint8_t *name,
                       uint16_t type, uint16_t rclass, const struct store_ctx *sc)
{
	return store_rrset_kind(c, pkt, name, type, rclass, sc, RR_POSITIVE);
}

/* A DNAME in the answer section whose owner is a proper ancestor of name (RFC 6672). */
static bool find_dname(const struct hf_pkt *pkt, const uint8_t *name, uint16_t rclass,
                       uint8_t owner[HF_NAME_MAX])
{
	for (size_t i = 0; i < hf_pkt_section_count(pkt, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(pkt, HF_SECTION_ANSWER, i);
		if (rr->type != HF_TYPE_DNAME || rr->rclass != rclass ||
		    hf_pkt_owner(pkt, rr, owner) < 0)
			continue;
		if (hf_name_labels(owner) < hf_name_labels(name) && hf_name_in_zone(name, owner)) {
			hf_name_lower(owner);
			return true;
		}
	}
	return false;
}

/* The first CNAME at name in the answer section; its target into target. */
static bool find_cname(const struct hf_pkt *pkt, const uint8_t *name, uint16_t rclass,
                       uint8_t target[HF_NAME_MAX])
{
	for (size_t i = 0; i < hf_pkt_section_count(pkt, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(pkt, HF_SECTION_ANSWER, i);
		if (rr->type != HF_TYPE_CNAME || rr->rclass != rclass || !owner_is(pkt, rr, name))
			continue;
		if (hf_pkt_rdata(pkt, rr, target, HF_NAME_MAX) > 0)
			return true;
	}
	return false;
}

/*
 * Stores a negative entry (RFC 2308 §5) at name, lowercased: NXDOMAIN, or
 * NODATA for type. It needs an SOA in the authority section whose owner is
 * the name or an ancestor; without one nothing is stored.
 */
static int store_negative(struct hf_cache *c, const struct hf_pkt *pkt, const uint8_t *name,
                          enum rr_kind kind, uint16_t type, uint16_t rclass,
                          const struct store_ctx *sc)
{
	uint8_t soa_owner[HF_NAME_MAX];
	const struct hf_rr *soa = NULL;
	for (size_t i = 0; i < hf_pkt_section_count(pkt, HF_SECTION_AUTHORITY); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(pkt, HF_SECTION_AUTHORITY, i);
		if (rr->type != HF_TYPE_SOA || rr->rclass != rclass)
			continue;
		if (hf_pkt_owner(pkt, rr, soa_owner) > 0 && hf_name_in_zone(name, soa_owner)) {
			soa = rr;
			break;
		}
	}
	if (soa == NULL)
		return HF_OK;
	int rdlen = hf_pkt_rdata(pkt, soa, NULL, 0);
	if (rdlen < 20)
		return HF_OK;
	size_t soa_owner_len = hf_name_len(soa_owner);
	unsigned what = EXTRA_PROOF | EXTRA_SOA_SIG;
	size_t extra = collect_extra(pkt, name, type, what, NULL);
	struct rr_entry *e = hf_rrcache_entry_new(
	    name, hf_name_len(name), kind == RR_NXDOMAIN ? TYPE_NXDOMAIN : type, rclass,
	    (uint8_t)kind, 1, soa_owner_len, (size_t)rdlen, extra);
	if (e == NULL)
		return HF_ENOMEM;
	memcpy(entry_soa_owner(e), soa_owner, soa_owner_len);
	uint8_t *rdata = entry_rdata(e);
	if (hf_pkt_rdata(pkt, soa, rdata, (size_t)rdlen) != rdlen) {
		hf_free(e);
		return HF_OK;
	}
	entry_rdlen(e)[0] = (uint16_t)rdlen;
	fill_extra(e, pkt, name, type, what);
	/* RFC 2308 §5: the lesser of the SOA's TTL and its MINIMUM field. */
	uint32_t ttl = wire_ttl(soa->ttl);
	uint32_t minimum = wire_ttl(hf_get32(rdata + rdlen - 4));
	if (minimum < ttl)
		ttl = minimum;
	ttl = clamp(ttl, c->opts.min_ttl, c->opts.neg_max_ttl);
	if (ttl > sc->ttl_cap)
		ttl = sc->ttl_cap;
	if (ttl == 0) {
		hf_free(e);
		return HF_OK;
	}
	e->ttl = ttl;
	e->expire = sc->now + ttl;
	e->sec = (uint8_t)sc->sec;
	insert(c, e);
	return HF_OK;
}

int hf_cache_store_response(struct hf_cache *c, const struct hf_pkt *resp, const uint8_t *qname,
                            uint16_t qtype, uint16_t qclass, int64_t now, enum hf_sec sec,
                            uint32_t ttl_cap)
{
	const struct store_ctx sc = {.now = now, .sec = sec, .ttl_cap = ttl_cap};
	uint16_t rcode = hf_pkt_rcode(resp);
	if ((resp->flags & HF_FLAG_TC) || HF_OPCODE(resp->flags) != HF_OPCODE_QUERY)
		return HF_OK;
	if (rcode != HF_RCODE_NOERROR && rcode != HF_RCODE_NXDOMAIN)
		return HF_OK;
	if (qtype == HF_TYPE_ANY || qtype == HF_TYPE_RRSIG || qtype == HF_TYPE_OPT ||
	    qtype == TYPE_NXDOMAIN || qclass == HF_CLASS_ANY)
		return HF_OK;

	uint8_t name[HF_NAME_MAX];
	memcpy(name, qname, hf_name_len(qname));
	hf_name_lower(name);
	for (unsigned links = 0;; links++) {
		int n = store_rrset(c, resp, name, qtype, qclass, &sc);
		if (n != 0)
			return n < 0 ? n : HF_OK;
		if (qtype == HF_TYPE_CNAME)
			break;
		uint8_t target[HF_NAME_MAX];
		if (!find_cname(resp, name, qclass, target))
			break;
		if (links == MAX_LINKS)
			return HF_OK; /* too long a chain: keep the links, deny nothing */
		uint8_t dname[HF_NAME_MAX];
		bool synth = find_dname(resp, name, qclass, dname);
		if (synth && store_rrset(c, resp, dname, HF_TYPE_DNAME, qclass, &sc) < 0)
			return HF_ENOMEM;
		n = store_rrset_kind(c, resp, name, HF_TYPE_CNAME, qclass, &sc,
		                     synth ? RR_SYNTH : RR_POSITIVE);
		if (n < 0)
			return n;
		memcpy(name, target, hf_name_len(target));
		hf_name_lower(name);
	}
	if (rcode == HF_RCODE_NXDOMAIN)
		return store_negative(c, resp, name, RR_NXDOMAIN, qtype, qclass, &sc);
	return store_negative(c, resp, name, RR_NODATA, qtype, qclass, &sc);
}

/* One answer being written from the cache. */
struct answer_state {
	struct hf_build *b;
	bool dnssec;     /* the client set DO: RRSIGs and proofs go out too */
	bool stale;      /* expired entries may answer (RFC 8767) */
	bool used_stale; /* and one did */
	uint32_t stale_ttl;
	enum hf_sec sec; /* weakest piece so far */
	/* Authority-section proofs of wildcard expansions, written after the answer section. */
	uint8_t deferred[4096];
	size_t ndeferred;
	uint32_t deferred_ttl;
};

/* The TTL to write for an entry: what is left, or for a stale one the stale answer TTL. */
static uint32_t ttl_left(struct answer_state *as, const struct rr_entry *e, int64_t now)
{
	if (e->expire > now)
		return (uint32_t)(e->expire - now);
	as->used_stale = true;
	return as->stale_ttl;
}

static struct rr_entry *find(struct hf_cache *c, const struct answer_state *as, const uint8_t *name,
                             uint16_t type, uint16_t rclass, int64_t now, struct hf_cshard **sp)
{
	return lookup_kept(c, name, type, rclass, now, as->stale, sp);
}

static void used(struct answer_state *as, const struct rr_entry *e)
{
	if (e->sec < as->sec)
		as->sec = (enum hf_sec)e->sec;
}

/* Writes an entry's DNSSEC records of section s (owner: the entry's, as written). */
static int write_extra_from(const uint8_t *p, size_t len, enum hf_section s, const uint8_t *owner,
                            uint16_t rclass, uint32_t ttl, struct hf_build *b)
{
	for (size_t off = 0; off < len;) {
		const uint8_t *r = p + off;
		size_t olen = r[1];
		const uint8_t *rowner = olen ? r + 2 : owner;
		uint16_t type = hf_get16(r + 2 + olen);
		uint16_t rdlen = hf_get16(r + 4 + olen);
		off += 6 + olen + rdlen;
		if (r[0] != s)
			continue;
		int rc = hf_build_rr(b, s, rowner, type, rclass, ttl, r + 6 + olen, rdlen);
		if (rc != HF_OK)
			return rc;
	}
	return HF_OK;
}

/* Keeps an entry's authority-section records to write once the answer section is done. */
static void defer_proof(struct answer_state *as, struct rr_entry *e, uint32_t ttl)
{
	const uint8_t *p = entry_extra(e);
	for (size_t off = 0; off < e->extra_len;) {
		size_t olen = p[off + 1];
		size_t len = 6 + olen + hf_get16(p + off + 4 + olen);
		if (p[off] == HF_SECTION_AUTHORITY && as->ndeferred + len <= sizeof(as->deferred)) {
			memcpy(as->deferred + as->ndeferred, p + off, len);
			as->ndeferred += len;
			if (ttl < as->deferred_ttl)
				as->deferred_ttl = ttl;
		}
		off += len;
	}
}

/* Writes the SOA of a negative entry, and its proof for DO clients, into the authority section. */
static int write_soa(struct rr_entry *e, struct answer_state *as, uint32_t ttl)
{
	used(as, e);
	int rc = hf_build_rr(as->b, HF_SECTION_AUTHORITY, entry_soa_owner(e), HF_TYPE_SOA,
	                     e->rclass, ttl, entry_rdata(e), entry_rdlen(e)[0]);
	if (rc == HF_OK && as->dnssec)
		rc = write_extra_from(entry_extra(e), e->extra_len, HF_SECTION_AUTHORITY,
		                      entry_soa_owner(e), e->rclass, ttl, as->b);
	return rc;
}

/* Writes a positive entry's RRset (and for DO clients its RRSIGs) under owner. */
static int write_rrset(struct rr_entry *e, const uint8_t *owner, struct answer_state *as,
                       uint32_t ttl)
{
	struct hf_build *b = as->b;
	used(as, e);
	const uint8_t *stack[STACK_RRS];
	const uint8_t **rdata = stack;
	if (e->nrr > STACK_RRS) {
		rdata = hf_malloc(e->nrr * sizeof(*rdata));
		if (rdata == NULL)
			return HF_ENOMEM;
	}
	const uint16_t *rdlen = entry_rdlen(e);
	const uint8_t *p = entry_rdata(e);
	for (size_t i = 0; i < e->nrr; i++) {
		rdata[i] = p;
		p += rdlen[i];
	}
	int rc = hf_build_rrset(b, HF_SECTION_ANSWER, owner, e->type, e->rclass, ttl, rdata, rdlen,
	                        e->nrr);
	if (rdata != stack)
		hf_free(rdata);
	if (rc == HF_OK && as->dnssec && e->extra_len != 0) {
		rc = write_extra_from(entry_extra(e), e->extra_len, HF_SECTION_ANSWER, owner,
		                      e->rclass, ttl, b);
		defer_proof(as, e, ttl);
	}
	return rc;
}

enum step {
	STEP_NONE,  /* nothing cached for this name */
	STEP_DONE,  /* answered */
	STEP_CNAME, /* wrote a CNAME; follow it */
	STEP_FAIL,  /* could not write */
};

static enum step written(int rc)
{
	/* Out of room is still an answer: b has set TC. */
	return rc == HF_OK || rc == HF_ESPACE ? STEP_DONE : STEP_FAIL;
}

/* Writes the cached DNAME at the nearest proper ancestor of key, spelled as owner's suffix. */
static enum step write_dname(struct hf_cache *c, const uint8_t *key, const uint8_t *owner,
                             uint16_t qclass, int64_t now, struct answer_state *as)
{
	unsigned labels = hf_name_labels(key);
	for (unsigned l = labels; l-- > 1;) {
		struct hf_cshard *s;
		struct rr_entry *e =
		    find(c, as, hf_name_suffix(key, l), HF_TYPE_DNAME, qclass, now, &s);
		if (e == NULL)
			continue;
		enum step st = STEP_DONE;
		if (e->kind == RR_POSITIVE)
			st = written(
			    write_rrset(e, hf_name_suffix(owner, l), as, ttl_left(as, e, now)));
		pthread_mutex_unlock(&s->lock);
		return st;
	}
	return STEP_NONE;
}

/* One name of the chain: key lowercased, owner as the answer spells it. */
static enum step answer_name(struct hf_cache *c, const uint8_t *key, uint8_t *owner, uint16_t qtype,
                             uint16_t qclass, int64_t now, struct answer_state *as, uint16_t *rcode)
{
	struct hf_build *b = as->b;
	struct hf_cshard *s;
	struct rr_entry *e = find(c, as, key, TYPE_NXDOMAIN, qclass, now, &s);
	enum step st = STEP_NONE;
	if (e != NULL) {
		*rcode = HF_RCODE_NXDOMAIN;
		st = written(write_soa(e, as, ttl_left(as, e, now)));
		goto out;
	}
	if (qtype != HF_TYPE_CNAME) {
		e = find(c, as, key, qtype, qclass, now, &s);
		if (e != NULL && e->kind == RR_INFRA) {
			/* RFC 2181 §5.4.1: glue and referral data never answer a client. */
			pthread_mutex_unlock(&s->lock);
			return STEP_NONE;
		}
		if (e != NULL) {
			uint32_t ttl = ttl_left(as, e, now);
			*rcode = HF_RCODE_NOERROR;
			if (e->kind == RR_NODATA)
				st = written(write_soa(e, as, ttl));
			else
				st = written(write_rrset(e, owner, as, ttl));
			goto out;
		}
	}
	e = find(c, as, key, HF_TYPE_CNAME, qclass, now, &s);
	if (e == NULL)
		return STEP_NONE;
	if (e->kind == RR_SYNTH) {
		/* The DNAME the CNAME came from goes first (RFC 6672 §5.3.1). It
		 * lives in another entry, maybe in this shard: let go of this one. */
		pthread_mutex_unlock(&s->lock);
		if (write_dname(c, key, owner, qclass, now, as) == STEP_FAIL)
			return STEP_FAIL;
		e = find(c, as, key, HF_TYPE_CNAME, qclass, now, &s);
		if (e == NULL)
			return STEP_NONE;
	}
	if (e->kind == RR_INFRA) {
		pthread_mutex_unlock(&s->lock);
		return STEP_NONE;
	}
	uint32_t ttl = ttl_left(as, e, now);
	*rcode = HF_RCODE_NOERROR;
	if (e->kind == RR_NODATA) {
		if (qtype == HF_TYPE_CNAME)
			st = written(write_soa(e, as, ttl));
		goto out;
	}
	st = written(write_rrset(e, owner, as, ttl));
	if (st == STEP_DONE && qtype != HF_TYPE_CNAME && !b->tc) {
		/* The target becomes the next owner, copied before the entry is unlocked. */
		memcpy(owner, entry_rdata(e), entry_rdlen(e)[0]);
		st = STEP_CNAME;
	}
out:
	pthread_mutex_unlock(&s->lock);
	return st;
}

/* The proofs of wildcard expansions on the chain, after everything else the answer has. */
static void write_deferred(struct answer_state *as, uint16_t qclass)
{
	if (as->ndeferred == 0 || as->b->tc)
		return;
	int rc = write_extra_from(as->deferred, as->ndeferred, HF_SECTION_AUTHORITY, NULL, qclass,
	                          as->deferred_ttl, as->b);
	(void)rc; /* out of room: b has set TC */
}

int hf_cache_answer(struct hf_cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
                    int64_t now, struct hf_build *b, uint16_t *rcode, unsigned flags,
                    enum hf_sec *sec)
{
	struct hf_build saved = *b;
	uint8_t owner[HF_NAME_MAX], key[HF_NAME_MAX];
	struct answer_state as = {.b = b,
	                          .dnssec = flags & HF_CACHE_DNSSEC,
	                          .stale = flags & HF_CACHE_USE_STALE,
	                          .stale_ttl = c->opts.stale_answer_ttl,
	                          .sec = HF_SEC_SECURE,
	                          .deferred_ttl = UINT32_MAX};
	if (qtype == HF_TYPE_ANY || qtype == TYPE_NXDOMAIN || qclass == HF_CLASS_ANY)
		goto miss;
	memcpy(owner, qname, hf_name_len(qname));
	for (unsigned links = 0; links <= MAX_LINKS; links++) {
		memcpy(key, owner, hf_name_len(owner));
		hf_name_lower(key);
		enum step st = answer_name(c, key, owner, qtype, qclass, now, &as, rcode);
		if (st == STEP_DONE) {
			write_deferred(&as, qclass);
			*sec = as.sec;
			atomic_fetch_add_explicit(&c->hits, 1, memory_order_relaxed);
			return as.used_stale ? HF_CACHE_STALE : HF_CACHE_HIT;
		}
		if (st != STEP_CNAME)
			break;
	}
	/* A chain into nothing (or past 16 links) leaves b as it was. */
	*b = saved;
miss:
	atomic_fetch_add_explicit(&c->misses, 1, memory_order_relaxed);
	return HF_CACHE_MISS;
}

/* Is a live entry with a better claim than infrastructure data at this key? */
static bool has_answer_data(struct hf_cache *c, const uint8_t *name, uint16_t type, uint16_t rclass,
                            int64_t now)
{
	struct hf_cshard *s;
	struct rr_entry *e = lookup(c, name, type, rclass, now, &s);
	if (e == NULL)
		return false;
	bool better = e->kind != RR_INFRA;
	pthread_mutex_unlock(&s->lock);
	return better;
}

int hf_cache_put_infra(struct hf_cache *c, const uint8_t *owner, uint16_t type, uint16_t rclass,
                       uint32_t ttl, const uint8_t *const *rdata, const uint16_t *rdlen, size_t n,
                       int64_t now)
{
	uint8_t key[HF_NAME_MAX];
	size_t owner_len = hf_name_len(owner);
	memcpy(key, owner, owner_len);
	hf_name_lower(key);
	ttl = clamp(wire_ttl(ttl), c->opts.min_ttl, c->opts.max_ttl);
	if (n == 0 || n > UINT16_MAX || ttl == 0 || has_answer_data(c, key, type, rclass, now))
		return HF_OK;
	size_t rdtotal = 0;
	for (size_t i = 0; i < n; i++)
		rdtotal += rdlen[i];
	struct rr_entry *e =
	    hf_rrcache_entry_new(key, owner_len, type, rclass, RR_INFRA, n, 0, rdtotal, 0);
	if (e == NULL)
		return HF_ENOMEM;
	e->expire = now + ttl;
	e->ttl = ttl;
	uint8_t *out = entry_rdata(e);
	for (size_t i = 0; i < n; i++) {
		entry_rdlen(e)[i] = rdlen[i];
		memcpy(out, rdata[i], rdlen[i]);
		out += rdlen[i];
	}
	insert(c, e);
	return HF_OK;
}

uint32_t hf_cache_get_rrset(struct hf_cache *c, const uint8_t *owner, uint16_t type,
                            uint16_t rclass, int64_t now,
                            void (*fn)(void *ctx, const uint8_t *rdata, uint16_t rdlen), void *ctx)
{
	uint8_t key[HF_NAME_MAX];
	memcpy(key, owner, hf_name_len(owner));
	hf_name_lower(key);
	struct hf_cshard *s;
	struct rr_entry *e = lookup(c, key, type, rclass, now, &s);
	if (e == NULL)
		return 0;
	uint32_t ttl = 0;
	if (e->kind == RR_POSITIVE || e->kind == RR_INFRA || e->kind == RR_SYNTH) {
		const uint8_t *p = entry_rdata(e);
		for (size_t i = 0; i < e->nrr; i++) {
			fn(ctx, p, entry_rdlen(e)[i]);
			p += entry_rdlen(e)[i];
		}
		ttl = (uint32_t)(e->expire - now);
	}
	pthread_mutex_unlock(&s->lock);
	return ttl;
}

enum hf_cache_probe hf_cache_probe(struct hf_cache *c, const uint8_t *owner, uint16_t type,
                                   uint16_t rclass, int64_t now, enum hf_sec *sec)
{
	uint8_t key[HF_NAME_MAX];
	memcpy(key, owner, hf_name_len(owner));
	hf_name_lower(key);
	struct hf_cshard *s;
	enum hf_cache_probe found = HF_PROBE_NXDOMAIN;
	struct rr_entry *e = lookup(c, key, TYPE_NXDOMAIN, rclass, now, &s);
	if (e == NULL) {
		e = lookup(c, key, type, rclass, now, &s);
		if (e == NULL)
			return HF_PROBE_NONE;
		found = e->kind == RR_NODATA  ? HF_PROBE_NEGATIVE
		        : e->kind == RR_INFRA ? HF_PROBE_NONE
		                              : HF_PROBE_POSITIVE;
	}
	*sec = (enum hf_sec)e->sec;
	pthread_mutex_unlock(&s->lock);
	return found;
}

bool hf_cache_has_nxdomain(struct hf_cache *c, const uint8_t *name, uint16_t rclass, int64_t now)
{
	uint8_t key[HF_NAME_MAX];
	memcpy(key, name, hf_name_len(name));
	hf_name_lower(key);
	struct hf_cshard *s;
	struct rr_entry *e = lookup(c, key, TYPE_NXDOMAIN, rclass, now, &s);
	if (e == NULL)
		return false;
	pthread_mutex_unlock(&s->lock);
	return true;
}

/* Removes one entry whose owner is exactly name from shard s; false when there is none. */
static bool drop_one_named(struct hf_cache *c, struct hf_cshard *s, const uint8_t *name)
{
	pthread_mutex_lock(&s->lock);
	for (struct hf_cent *h = s->lru.lnext; h != &s->lru; h = h->lnext) {
		struct rr_entry *e = (struct rr_entry *)h;
		if (!hf_name_eq(entry_owner(e), name))
			continue;
		uint16_t type = e->type, rclass = e->rclass;
		hf_cshard_remove(s, h);
		pthread_mutex_unlock(&s->lock);
		/* Outside the shard's lock, as drop() does: the store has locks of its own. */
		hf_persist_del(c->persist, name, type, rclass);
		return true;
	}
	pthread_mutex_unlock(&s->lock);
	return false;
}

void hf_cache_flush_name(struct hf_cache *c, const uint8_t *name)
{
	uint8_t key[HF_NAME_MAX];
	memcpy(key, name, hf_name_len(name));
	hf_name_lower(key);
	/* A proof of the zone's NSEC chain could deny the name again: drop its zones too. */
	hf_nsec_index_flush(c->nsec, key);
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++) {
		while (drop_one_named(c, &c->shards[i], key))
			;
	}
}

void hf_cache_flush(struct hf_cache *c, const uint8_t *name)
{
	hf_nsec_index_flush(c->nsec, name);
	hf_persist_flush(c->persist, name);
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++) {
		struct hf_cshard *s = &c->shards[i];
		pthread_mutex_lock(&s->lock);
		struct hf_cent *h = s->lru.lnext;
		while (h != &s->lru) {
			struct hf_cent *next = h->lnext;
			if (hf_name_in_zone(entry_owner((struct rr_entry *)h), name))
				hf_cshard_remove(s, h);
			h = next;
		}
		pthread_mutex_unlock(&s->lock);
	}
}

void hf_cache_stats(struct hf_cache *c, struct hf_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < HF_CACHE_SHARDS; i++) {
		struct hf_cshard *s = &c->shards[i];
		pthread_mutex_lock(&s->lock);
		out->entries += s->count;
		out->bytes += s->bytes;
		out->inserts += s->inserts;
		out->evictions += s->evictions;
		pthread_mutex_unlock(&s->lock);
	}
	out->hits = atomic_load_explicit(&c->hits, memory_order_relaxed);
	out->misses = atomic_load_explicit(&c->misses, memory_order_relaxed);
	hf_persist_stats(c->persist, out);
}
