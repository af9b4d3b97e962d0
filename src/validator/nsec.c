/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Authenticated denial of existence: NSEC (RFC 4035 §5.4, RFC 6840 §4) and
 * NSEC3 (RFC 5155 §8, RFC 9276) proofs. See nsec.h for what each proof means.
 *
 * Every record comes from the network. RDATA is read with bounds checks, and
 * a record that does not parse, or does not belong to the zone, is skipped as
 * if it were absent: a proof that needed it then fails (HF_EBOGUS). A
 * malformed record never proves anything.
 *
 * NSEC3 work is bounded three ways: at most HF_NSEC3_PROOF_MAX usable records
 * are looked at; the iteration count is checked before the first hash; and
 * each name is hashed at most once per call (the memo in struct n3), every
 * hash counting against the caller's budget.
 */
#include "validator/nsec.h"

#include <openssl/evp.h>
#include <string.h>

#include "wire/buf.h"
#include "wire/name.h"
#include "wire/rrtype.h"

#define BITMAP_WINDOW_MAX 32   /* octets in one window block (RFC 4034 §4.1.2) */
#define NSEC3_ALG_SHA1    1    /* the only NSEC3 hash algorithm (RFC 5155 §11) */
#define NSEC3_OPT_OUT     0x01 /* the only NSEC3 flag (RFC 5155 §3.1.2.1) */
#define HASH_B32_LEN      32   /* base32hex text of a 20-octet hash, unpadded */
/* One memo slot per (suffix of qname, plain or wildcard): 127 labels at most, so 256 slots. */
#define MEMO_SLOTS (2 * (HF_NAME_MAX / 2 + 1))

/* --- type bitmaps ----------------------------------------------------------------------- */

bool hf_nsec_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type)
{
	unsigned window = type >> 8, octet = (type & 0xff) >> 3;
	size_t pos = 0;
	while (len - pos >= 2) {
		unsigned w = bitmap[pos], wlen = bitmap[pos + 1];
		if (wlen == 0 || wlen > BITMAP_WINDOW_MAX || len - pos - 2 < wlen)
			return false;
		if (w == window)
			return octet < wlen &&
			       (bitmap[pos + 2 + octet] & (0x80 >> (type & 7))) != 0;
		if (w > window)
			return false; /* windows ascend: the one wanted is not there */
		pos += 2 + wlen;
	}
	return false;
}

/* RFC 4034 §4.1.2: windows strictly ascending, each 1..32 octets, nothing left over. */
static bool bitmap_valid(const uint8_t *bitmap, size_t len)
{
	size_t pos = 0;
	int last = -1;
	while (pos < len) {
		if (len - pos < 2)
			return false;
		int w = bitmap[pos];
		unsigned wlen = bitmap[pos + 1];
		if (w <= last || wlen == 0 || wlen > BITMAP_WINDOW_MAX || len - pos - 2 < wlen)
			return false;
		last = w;
		pos += 2 + wlen;
	}
	return true;
}

/* The parent side of a zone cut: NS without SOA (RFC 6840 §4.1). */
static bool parent_side(const uint8_t *bm, size_t len)
{
	return hf_nsec_bitmap_has(bm, len, HF_TYPE_NS) && !hf_nsec_bitmap_has(bm, len, HF_TYPE_SOA);
}

/* Names below such an owner are not in this zone's chain: nothing there is denied. */
static bool shields_below(const uint8_t *bm, size_t len)
{
	return parent_side(bm, len) || hf_nsec_bitmap_has(bm, len, HF_TYPE_DNAME);
}

/*
 * Does the bitmap of the record matching qname prove qtype absent? Neither
 * qtype nor CNAME may be there. A DS is denied only by the parent side of a
 * cut (RFC 6840 §4.4: NS present, SOA absent), or at the root, which has no
 * parent; any other type never by the parent side (RFC 6840 §4.1).
 */
static bool types_absent(const uint8_t *bm, size_t len, uint16_t qtype, const uint8_t *qname)
{
	if (hf_nsec_bitmap_has(bm, len, qtype) || hf_nsec_bitmap_has(bm, len, HF_TYPE_CNAME))
		return false;
	if (qtype == HF_TYPE_DS)
		return parent_side(bm, len) || qname[0] == 0;
	return !parent_side(bm, len);
}

/* --- names ------------------------------------------------------------------------------ */

static bool strictly_below(const uint8_t *name, const uint8_t *parent)
{
	return hf_name_labels(name) > hf_name_labels(parent) && hf_name_in_zone(name, parent);
}

/* Labels shared at the right-hand end of a and b. */
/* --- NSEC3 hash ------------------------------------------------------------------------- */

/* One SHA-1 over in || salt. md NULL reuses the digest the context already has. */
static bool sha1_round(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *in, size_t in_len,
                       const uint8_t *salt, size_t salt_len, uint8_t out[HF_NSEC3_HASH_LEN])
{
	unsigned n = 0;
	return EVP_DigestInit_ex(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, in, in_len) == 1 &&
	       (salt_len == 0 || EVP_DigestUpdate(ctx, salt, salt_len) == 1) &&
	       EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == HF_NSEC3_HASH_LEN;
}

int hf_nsec3_hash(const uint8_t *name, uint8_t alg, uint16_t iterations, const uint8_t *salt,
                  size_t salt_len, uint8_t out[HF_NSEC3_HASH_LEN])
{
	if (alg != NSEC3_ALG_SHA1 || salt_len > UINT8_MAX)
		return HF_EINVAL;
	/* RFC 5155 §5: the owner name in canonical form, i.e. lowercased. */
	uint8_t lower[HF_NAME_MAX];
	size_t len = hf_name_len(name);
	memcpy(lower, name, len);
	hf_name_lower(lower);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx != NULL && sha1_round(ctx, EVP_sha1(), lower, len, salt, salt_len, out);
	for (unsigned i = 0; ok && i < iterations; i++)
		ok = sha1_round(ctx, NULL, out, HF_NSEC3_HASH_LEN, salt, salt_len, out);
	EVP_MD_CTX_free(ctx);
	return ok ? HF_OK : HF_ENOMEM;
}

/* --- NSEC ------------------------------------------------------------------------------- */

/* One NSEC record that parsed and lies in the zone. */
struct nsec {
	const uint8_t *owner;
	const uint8_t *next;
	const uint8_t *bitmap;
	size_t bitmap_len;
};

struct nsec_set {
	const struct hf_denial_rr *rr;
	size_t n;
	const uint8_t *zone;
};

/* Record i, if its owner and next name are in the zone and its RDATA parses. */
static bool nsec_at(const struct nsec_set *s, size_t i, struct nsec *p)
{
	const struct hf_denial_rr *rr = &s->rr[i];
	if (rr->owner == NULL || rr->rdata == NULL || !hf_name_in_zone(rr->owner, s->zone))
		return false;
	int n = hf_name_check(rr->rdata, rr->rdlen);
	if (n < 0 || !hf_name_in_zone(rr->rdata, s->zone))
		return false;
	p->owner = rr->owner;
	p->next = rr->rdata;
	p->bitmap = rr->rdata + n;
	p->bitmap_len = rr->rdlen - (size_t)n;
	return bitmap_valid(p->bitmap, p->bitmap_len);
}

/* Is name strictly between owner and next, the last NSEC wrapping round to the apex? */
static bool nsec_spans(const struct nsec *p, const uint8_t *name)
{
	bool after_owner = hf_name_cmp_canonical(p->owner, name) < 0;
	bool before_next = hf_name_cmp_canonical(name, p->next) < 0;
	if (hf_name_cmp_canonical(p->owner, p->next) < 0)
		return after_owner && before_next;
	return after_owner || before_next;
}

/* Does p prove that name does not exist (RFC 4035 §5.4, RFC 6840 §4.1, §4.3)? */
static bool nsec_denies(const struct nsec *p, const uint8_t *name)
{
	if (!nsec_spans(p, name))
		return false;
	/* A next name below name makes name an empty non-terminal, which exists. */
	if (strictly_below(p->next, name))
		return false;
	return !(strictly_below(name, p->owner) && shields_below(p->bitmap, p->bitmap_len));
}

/*
 * The closest encloser of a name p denies: the longer of its common ancestors
 * with owner and next. Both exist, and any longer ancestor of name would sort
 * between them, so p would deny it.
 */
static unsigned nsec_ce_labels(const struct nsec *p, const uint8_t *name)
{
	unsigned a = hf_name_common_labels(name, p->owner),
	         b = hf_name_common_labels(name, p->next);
	return a > b ? a : b;
}

static bool nsec_find_match(const struct nsec_set *s, const uint8_t *name, struct nsec *p)
{
	for (size_t i = 0; i < s->n; i++) {
		if (nsec_at(s, i, p) && hf_name_eq(p->owner, name))
			return true;
	}
	return false;
}

static bool nsec_find_denial(const struct nsec_set *s, const uint8_t *name, struct nsec *p)
{
	for (size_t i = 0; i < s->n; i++) {
		if (nsec_at(s, i, p) && nsec_denies(p, name))
			return true;
	}
	return false;
}

/* An NSEC spanning qname whose next name lies below it: qname is an empty non-terminal. */
static bool nsec_find_ent(const struct nsec_set *s, const uint8_t *qname)
{
	struct nsec p;
	for (size_t i = 0; i < s->n; i++) {
		if (nsec_at(s, i, &p) && nsec_spans(&p, qname) && strictly_below(p.next, qname) &&
		    !(strictly_below(qname, p.owner) && shields_below(p.bitmap, p.bitmap_len)))
			return true;
	}
	return false;
}

/* The wildcard at the closest encloser of a qname that cover denies. */
static bool nsec_wildcard_name(const struct nsec *cover, const uint8_t *qname,
                               uint8_t out[HF_NAME_MAX])
{
	return hf_name_wildcard(hf_name_suffix(qname, nsec_ce_labels(cover, qname)), out);
}

/* RFC 4035 §5.4: qname denied, no NSEC owned by it, and the wildcard that could answer denied. */
static int nsec_nxdomain(const struct nsec_set *s, const uint8_t *qname)
{
	struct nsec cover, p;
	uint8_t wild[HF_NAME_MAX];
	if (nsec_find_match(s, qname, &p) || !nsec_find_denial(s, qname, &cover))
		return HF_EBOGUS;
	if (!nsec_wildcard_name(&cover, qname, wild) || !nsec_find_denial(s, wild, &p))
		return HF_EBOGUS;
	return HF_OK;
}

/*
 * NODATA: the NSEC at qname lacks qtype; or qname is an empty non-terminal;
 * or (RFC 4035 §3.1.3.4) qname is denied and the wildcard at its closest
 * encloser exists without qtype. A DS is denied at a cut only.
 */
static int nsec_nodata(const struct nsec_set *s, const uint8_t *qname, uint16_t qtype)
{
	struct nsec p;
	uint8_t wild[HF_NAME_MAX];
	if (nsec_find_match(s, qname, &p))
		return types_absent(p.bitmap, p.bitmap_len, qtype, qname) ? HF_OK : HF_EBOGUS;
	if (qtype == HF_TYPE_DS)
		return HF_EBOGUS;
	if (nsec_find_ent(s, qname))
		return HF_OK;
	if (!nsec_find_denial(s, qname, &p) || !nsec_wildcard_name(&p, qname, wild) ||
	    !nsec_find_match(s, wild, &p))
		return HF_EBOGUS;
	return types_absent(p.bitmap, p.bitmap_len, qtype, wild) ? HF_OK : HF_EBOGUS;
}

/*
 * RFC 4035 §5.3.4: an answer expanded from *.ce needs an NSEC denying qname
 * whose closest encloser is ce, so no closer name could have answered.
 */
static int nsec_wildcard(const struct nsec_set *s, const uint8_t *qname, const uint8_t *ce)
{
	unsigned ce_labels = hf_name_labels(ce);
	struct nsec p;
	for (size_t i = 0; i < s->n; i++) {
		if (nsec_at(s, i, &p) && nsec_denies(&p, qname) &&
		    nsec_ce_labels(&p, qname) == ce_labels)
			return HF_OK;
	}
	return HF_EBOGUS;
}

static int nsec_check(enum hf_denial_kind kind, const struct nsec_set *s, const uint8_t *qname,
                      uint16_t qtype, const uint8_t *ce)
{
	switch (kind) {
	case HF_DENY_NXDOMAIN:
		return nsec_nxdomain(s, qname);
	case HF_DENY_NODATA:
		return nsec_nodata(s, qname, qtype);
	case HF_DENY_WILDCARD:
		return nsec_wildcard(s, qname, ce);
	}
	return HF_EINVAL;
}

/* --- NSEC3 ------------------------------------------------------------------------------ */

/* One usable NSEC3 record: hashes in binary, bitmap checked. */
struct n3rec {
	uint8_t owner[HF_NSEC3_HASH_LEN];
	const uint8_t *next;
	const uint8_t *bitmap;
	size_t bitmap_len;
	uint8_t flags;
};

struct n3params {
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t salt_len;
};

/* The state of one NSEC3 proof: the usable records and the hashes computed so far. */
struct n3 {
	const uint8_t *qname;
	unsigned qlabels;
	unsigned zlabels;
	struct n3params par;
	struct hf_nsec3_budget *budget;
	struct n3rec rec[HF_NSEC3_PROOF_MAX];
	size_t n;
	bool have[MEMO_SLOTS];
	uint8_t hash[MEMO_SLOTS][HF_NSEC3_HASH_LEN];
};

static int b32hex_value(uint8_t c)
{
	c = hf_lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	return -1;
}

/* 32 base32hex characters (RFC 4648 §7, either case) to 20 octets. */
static bool b32hex_decode(const uint8_t *text, uint8_t out[HF_NSEC3_HASH_LEN])
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < HASH_B32_LEN; i++) {
		int v = b32hex_value(text[i]);
		if (v < 0)
			return false;
		acc = ((acc << 5) | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return true;
}

/*
 * Parses one NSEC3 record (RFC 5155 §3.2, §8.1, §8.2): the owner must be one
 * base32hex label directly below the zone, hash algorithm 1, flags 0 or
 * opt-out, a 20-octet next hash and a well-formed bitmap.
 */
static bool n3_parse(const struct hf_denial_rr *rr, const uint8_t *zone, struct n3rec *out,
                     struct n3params *par)
{
	if (rr->owner == NULL || rr->rdata == NULL || rr->owner[0] != HASH_B32_LEN ||
	    !hf_name_eq(rr->owner + 1 + HASH_B32_LEN, zone) ||
	    !b32hex_decode(rr->owner + 1, out->owner))
		return false;
	struct hf_rbuf r;
	hf_rbuf_init(&r, rr->rdata, rr->rdlen);
	uint8_t alg = hf_rbuf_u8(&r);
	out->flags = hf_rbuf_u8(&r);
	par->iterations = hf_rbuf_u16(&r);
	par->salt_len = hf_rbuf_u8(&r);
	par->salt = hf_rbuf_take(&r, par->salt_len);
	uint8_t hash_len = hf_rbuf_u8(&r);
	out->next = hf_rbuf_take(&r, hash_len);
	out->bitmap_len = hf_rbuf_left(&r);
	out->bitmap = hf_rbuf_take(&r, out->bitmap_len);
	if (r.err != HF_OK || alg != NSEC3_ALG_SHA1 || (out->flags & ~NSEC3_OPT_OUT) != 0 ||
	    hash_len != HF_NSEC3_HASH_LEN)
		return false;
	return bitmap_valid(out->bitmap, out->bitmap_len);
}

static bool same_params(const struct n3params *a, const struct n3params *b)
{
	return a->iterations == b->iterations && a->salt_len == b->salt_len &&
	       memcmp(a->salt, b->salt, a->salt_len) == 0;
}

/*
 * Collects the usable records. The first one fixes the parameters (one
 * chain); records with others are ignored, as are those past
 * HF_NSEC3_PROOF_MAX. HF_EBOGUS if none is usable, HF_EUNSUPPORTED if the
 * chain has more iterations than allowed, checked before any hashing.
 */
static int n3_init(struct n3 *c, const uint8_t *zone, const struct hf_denial_rr *rr, size_t n)
{
	for (size_t i = 0; i < n && c->n < HF_NSEC3_PROOF_MAX; i++) {
		struct n3params par;
		if (!n3_parse(&rr[i], zone, &c->rec[c->n], &par))
			continue;
		if (c->n == 0)
			c->par = par;
		else if (!same_params(&c->par, &par))
			continue;
		c->n++;
	}
	if (c->n == 0)
		return HF_EBOGUS;
	if (c->par.iterations > c->budget->max_iterations)
		return HF_EUNSUPPORTED;
	return HF_OK;
}

/*
 * The hash of the suffix of qname with `labels` labels, or of the wildcard
 * just below it: from the memo, or computed against the budget.
 */
static int n3_hash(struct n3 *c, unsigned labels, bool wild, const uint8_t **out)
{
	unsigned slot = 2 * labels + (wild ? 1 : 0);
	if (!c->have[slot]) {
		if (c->budget->hashes >= c->budget->max_hashes)
			return HF_ELIMIT; /* CVE-2023-50868: a long qname must not buy unbounded
			                     work */
		uint8_t name[HF_NAME_MAX];
		const uint8_t *src = hf_name_suffix(c->qname, labels);
		if (wild) {
			if (!hf_name_wildcard(src, name))
				return HF_EBOGUS;
			src = name;
		}
		c->budget->hashes++;
		int rc = hf_nsec3_hash(src, NSEC3_ALG_SHA1, c->par.iterations, c->par.salt,
		                       c->par.salt_len, c->hash[slot]);
		if (rc != HF_OK)
			return rc;
		c->have[slot] = true;
	}
	*out = c->hash[slot];
	return HF_OK;
}

static const struct n3rec *n3_match(const struct n3 *c, const uint8_t *h)
{
	for (size_t i = 0; i < c->n; i++) {
		if (memcmp(c->rec[i].owner, h, HF_NSEC3_HASH_LEN) == 0)
			return &c->rec[i];
	}
	return NULL;
}

/* Is h strictly between owner and next hash, the last record wrapping round? */
static bool n3_covers(const struct n3rec *r, const uint8_t *h)
{
	bool after_owner = memcmp(r->owner, h, HF_NSEC3_HASH_LEN) < 0;
	bool before_next = memcmp(h, r->next, HF_NSEC3_HASH_LEN) < 0;
	if (memcmp(r->owner, r->next, HF_NSEC3_HASH_LEN) < 0)
		return after_owner && before_next;
	return after_owner || before_next;
}

/*
 * A record covering h. When several do, one whose opt-out flag is `optout`
 * is preferred: a proof that can do without opt-out should say so, and a DS
 * proof needs it.
 */
static const struct n3rec *n3_cover(const struct n3 *c, const uint8_t *h, bool optout)
{
	const struct n3rec *any = NULL;
	for (size_t i = 0; i < c->n; i++) {
		if (!n3_covers(&c->rec[i], h))
			continue;
		if (((c->rec[i].flags & NSEC3_OPT_OUT) != 0) == optout)
			return &c->rec[i];
		if (any == NULL)
			any = &c->rec[i];
	}
	return any;
}

/*
 * RFC 5155 §8.3: the closest encloser proof. From qname up to the zone, the
 * longest name with a matching record is the closest encloser (*ce, in
 * labels); the next closer name, one label longer, must be covered (*nc).
 * qname itself must not match, and a closest encloser at a DNAME or at the
 * parent side of a cut denies nothing below it (RFC 6840 §4.1, §4.3).
 */
static int n3_closest_encloser(struct n3 *c, bool optout, unsigned *ce, const struct n3rec **nc)
{
	for (unsigned k = c->qlabels + 1; k-- > c->zlabels;) {
		const uint8_t *h;
		int rc = n3_hash(c, k, false, &h);
		if (rc != HF_OK)
			return rc;
		const struct n3rec *m = n3_match(c, h);
		if (m == NULL)
			continue;
		if (k == c->qlabels || shields_below(m->bitmap, m->bitmap_len))
			return HF_EBOGUS;
		rc = n3_hash(c, k + 1, false, &h);
		if (rc != HF_OK)
			return rc;
		*nc = n3_cover(c, h, optout);
		if (*nc == NULL)
			return HF_EBOGUS;
		*ce = k;
		return HF_OK;
	}
	return HF_EBOGUS;
}

/* RFC 5155 §8.4: closest encloser proof, and the wildcard at the closest encloser covered. */
static int n3_nxdomain(struct n3 *c, bool *opt_out)
{
	unsigned ce;
	const struct n3rec *nc;
	const uint8_t *h;
	int rc = n3_closest_encloser(c, false, &ce, &nc);
	if (rc == HF_OK)
		rc = n3_hash(c, ce, true, &h);
	if (rc != HF_OK)
		return rc;
	if (n3_cover(c, h, false) == NULL)
		return HF_EBOGUS;
	/* RFC 5155 §9.2: an unsigned delegation may hide in an opt-out span. */
	*opt_out = (nc->flags & NSEC3_OPT_OUT) != 0;
	return HF_OK;
}

/*
 * RFC 5155 §8.5-§8.7: a record matching qname (an empty non-terminal's has
 * an empty bitmap) without qtype; for DS, failing that, a closest encloser
 * proof whose next closer lies in an opt-out span; otherwise a closest
 * encloser proof and a matching wildcard without qtype.
 */
static int n3_nodata(struct n3 *c, uint16_t qtype, bool *opt_out)
{
	unsigned ce;
	const struct n3rec *nc, *m;
	const uint8_t *h;
	int rc = n3_hash(c, c->qlabels, false, &h);
	if (rc != HF_OK)
		return rc;
	m = n3_match(c, h);
	if (m != NULL)
		return types_absent(m->bitmap, m->bitmap_len, qtype, c->qname) ? HF_OK : HF_EBOGUS;
	bool ds = qtype == HF_TYPE_DS;
	rc = n3_closest_encloser(c, ds, &ce, &nc);
	if (rc != HF_OK)
		return rc;
	bool nc_opt_out = (nc->flags & NSEC3_OPT_OUT) != 0;
	if (!ds) {
		rc = n3_hash(c, ce, true, &h);
		if (rc != HF_OK)
			return rc;
		m = n3_match(c, h);
		if (m == NULL || !types_absent(m->bitmap, m->bitmap_len, qtype, c->qname))
			return HF_EBOGUS;
	} else if (!nc_opt_out) {
		return HF_EBOGUS;
	}
	/* Set on success only: a failed proof never reports opt-out. */
	*opt_out = nc_opt_out;
	return HF_OK;
}

/* RFC 5155 §8.8: the next closer name below the wildcard's closest encloser is covered. */
static int n3_wildcard(struct n3 *c, unsigned ce, bool *opt_out)
{
	const uint8_t *h;
	int rc = n3_hash(c, ce + 1, false, &h);
	if (rc != HF_OK)
		return rc;
	const struct n3rec *nc = n3_cover(c, h, false);
	if (nc == NULL)
		return HF_EBOGUS;
	*opt_out = (nc->flags & NSEC3_OPT_OUT) != 0;
	return HF_OK;
}

static int nsec3_check(enum hf_denial_kind kind, const uint8_t *zone, const uint8_t *qname,
                       uint16_t qtype, const uint8_t *ce, const struct hf_denial_rr *rr, size_t n,
                       struct hf_nsec3_budget *budget, bool *opt_out)
{
	struct n3 c;
	memset(&c, 0, sizeof(c));
	c.qname = qname;
	c.qlabels = hf_name_labels(qname);
	c.zlabels = hf_name_labels(zone);
	c.budget = budget;
	int rc = n3_init(&c, zone, rr, n);
	if (rc != HF_OK)
		return rc;
	switch (kind) {
	case HF_DENY_NXDOMAIN:
		return n3_nxdomain(&c, opt_out);
	case HF_DENY_NODATA:
		return n3_nodata(&c, qtype, opt_out);
	case HF_DENY_WILDCARD:
		return n3_wildcard(&c, hf_name_labels(ce), opt_out);
	}
	return HF_EINVAL;
}

/* --- the entry point -------------------------------------------------------------------- */

int hf_denial_check(enum hf_denial_kind kind, const uint8_t *zone, const uint8_t *qname,
                    uint16_t qtype, const uint8_t *ce, const struct hf_denial_rr *nsec,
                    size_t n_nsec, const struct hf_denial_rr *nsec3, size_t n_nsec3,
                    struct hf_nsec3_budget *budget, bool *opt_out)
{
	bool ignored;
	if (opt_out == NULL)
		opt_out = &ignored;
	*opt_out = false;
	if (hf_fails_assert(zone != NULL && qname != NULL) ||
	    hf_fails_assert(kind == HF_DENY_NXDOMAIN || kind == HF_DENY_NODATA ||
	                    kind == HF_DENY_WILDCARD) ||
	    hf_fails_assert(kind != HF_DENY_WILDCARD || ce != NULL) ||
	    hf_fails_assert(n_nsec == 0 || nsec != NULL) ||
	    hf_fails_assert(n_nsec3 == 0 || (nsec3 != NULL && budget != NULL)))
		return HF_EINVAL;
	if (!hf_name_in_zone(qname, zone))
		return HF_EBOGUS;
	/* The wildcard's closest encloser lies in the zone and strictly above qname. */
	if (kind == HF_DENY_WILDCARD && (!hf_name_in_zone(ce, zone) || !strictly_below(qname, ce)))
		return HF_EBOGUS;

	int rc = HF_EBOGUS;
	if (n_nsec > 0) {
		struct nsec_set s = {.rr = nsec, .n = n_nsec, .zone = zone};
		rc = nsec_check(kind, &s, qname, qtype, ce);
	}
	/* Each chain is complete on its own, so either may prove; they are never mixed. */
	if (rc == HF_EBOGUS && n_nsec3 > 0)
		rc = nsec3_check(kind, zone, qname, qtype, ce, nsec3, n_nsec3, budget, opt_out);
	return rc;
}
