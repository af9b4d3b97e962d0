/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The stored form of a record-cache entry, as the persistent cache keeps it
 * in LMDB (persist.c): encoding an entry as a key and a value, and reading a
 * stored record back, checked as hostile input, into an entry. Pure: no I/O,
 * no globals; fuzz/fuzz_persist.c feeds it whatever a damaged or forged file
 * could hold.
 *
 * Key: the owner name with its labels in reverse order (length octets kept,
 * the root label left out), a 0 octet, class, type:
 *
 *   \3com\7example\3www | 0 | class (u16) | type (u16)        (www.example.com.)
 *
 * so the keys of a name and of everything below it share a prefix (a flush
 * is one range), a name's own keys (after the 0) come before its children's
 * (a length octet is at least 1), and its NXDOMAIN entry (type 0) first among
 * its own. Value, integers big-endian:
 *
 *    0  expire (u64, wall-clock seconds)      12  nrr (u16)
 *    8  ttl (u32, as stored)                  14  extra_len (u16)
 *   16  kind (u8)   17  sec (u8)   18  SOA owner length (u8)   19  0
 *   20  RDLENGTH (u16) x nrr | SOA owner | RDATA... | DNSSEC records (extra_len)
 *
 * the part from the SOA owner on exactly as rrcache.c lays out an entry.
 *
 * What a record must be to be read: key labels of 1..63 octets in
 * lowercase, a name of at most 255 octets; a TTL of 1..2^31-1 and an expiry
 * no earlier than the TTL and before 2^40; a known kind and security status;
 * NXDOMAIN entries, and only they, under type 0; no class ANY, no OPT or
 * query-only type; a negative entry has one record, an SOA, and an SOA owner
 * that is a name at or above its own, other entries no SOA owner; a CNAME
 * that answers has one record; every RDATA matches its type's layout
 * (hf_rdata_check(), so a CNAME target is one whole name); the DNSSEC records
 * (section | owner length | owner | type | RDLENGTH | RDATA) are RRSIGs in
 * the answer section without an owner, or RRSIGs, NSECs and NSEC3s in the
 * authority section with one, each owner a name, each RDATA matching its
 * type; and nothing is left over.
 * Whatever the cache later does with an entry relies on no more than that.
 */
#include "cache/impl.h"

#include "util/alloc.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

#define VALUE_MAX  (1 << 20) /* no entry comes near: each came from one message */
#define EXPIRE_MAX ((int64_t)1 << 40)

static void put64(uint8_t *p, uint64_t v)
{
	hf_put32(p, (uint32_t)(v >> 32));
	hf_put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)hf_get32(p) << 32 | hf_get32(p + 4);
}

/*
 * The label at offset off of a name of len octets (root label left out)
 * goes to len - off - its size: reversing the labels is its own inverse.
 */
size_t hf_persist_rev_name(const uint8_t *name, uint8_t *out)
{
	size_t len = hf_name_len(name) - 1;
	for (size_t off = 0; off < len; off += 1u + name[off])
		memcpy(out + len - off - (1u + name[off]), name + off, 1u + name[off]);
	return len;
}

size_t hf_persist_key(struct rr_entry *e, uint8_t out[HF_PERSIST_KEY_MAX])
{
	size_t n = hf_persist_rev_name(entry_owner(e), out);
	out[n] = 0;
	hf_put16(out + n + 1, e->rclass);
	hf_put16(out + n + 3, e->type);
	return n + 5;
}

static size_t rdata_and_extra(struct rr_entry *e)
{
	return (size_t)(entry_extra(e) - entry_rdata(e)) + e->extra_len;
}

size_t hf_persist_value_len(struct rr_entry *e)
{
	return HF_PERSIST_VALUE_HEAD + e->nrr * 2u + e->soa_owner_len + rdata_and_extra(e);
}

void hf_persist_value(struct rr_entry *e, uint8_t *out)
{
	put64(out, (uint64_t)e->expire);
	hf_put32(out + 8, e->ttl);
	hf_put16(out + 12, e->nrr);
	hf_put16(out + 14, e->extra_len);
	out[16] = e->kind;
	out[17] = e->sec;
	out[18] = e->soa_owner_len;
	out[19] = 0;
	uint8_t *p = out + HF_PERSIST_VALUE_HEAD;
	for (size_t i = 0; i < e->nrr; i++, p += 2)
		hf_put16(p, entry_rdlen(e)[i]);
	memcpy(p, entry_soa_owner(e), e->soa_owner_len);
	memcpy(p + e->soa_owner_len, entry_rdata(e), rdata_and_extra(e));
}

#define BAD(text)                                                                                  \
	do {                                                                                       \
		*why = text;                                                                       \
		return HF_EMALF;                                                                   \
	} while (0)

static int read_key(const uint8_t *key, size_t klen, struct hf_persist_rec *r, const char **why)
{
	if (klen < 5 || klen > HF_PERSIST_KEY_MAX)
		BAD("key length out of range");
	size_t nlen = klen - 5;
	if (key[nlen] != 0)
		BAD("key without the octet that ends its name");
	if (nlen >= HF_NAME_MAX)
		BAD("key name longer than a name");
	for (size_t off = 0; off < nlen; off += 1u + key[off]) {
		if (key[off] == 0 || key[off] > 63 || off + 1 + key[off] > nlen)
			BAD("key name with a bad label");
		for (size_t i = 1; i <= key[off]; i++) {
			if (key[off + i] >= 'A' && key[off + i] <= 'Z')
				BAD("key name not in lowercase");
		}
		memcpy(r->owner + nlen - off - (1u + key[off]), key + off, 1u + key[off]);
	}
	r->owner[nlen] = 0;
	r->owner_len = nlen + 1;
	r->rclass = hf_get16(key + nlen + 1);
	r->type = hf_get16(key + nlen + 3);
	return HF_OK;
}

/* Types no entry is ever kept under: OPT and the query-only types (RFC 6895 §3.1). */
static bool never_cached(uint16_t type)
{
	return type == HF_TYPE_OPT || (type >= 249 && type <= 255);
}

/* The DNSSEC records: section | owner length | owner | type | RDLENGTH | RDATA, exactly. */
static int read_extra(const uint8_t *x, size_t len, uint16_t rclass, const char **why)
{
	struct hf_rbuf b;
	hf_rbuf_init(&b, x, len);
	while (hf_rbuf_left(&b) > 0) {
		uint8_t section = hf_rbuf_u8(&b);
		uint8_t olen = hf_rbuf_u8(&b);
		const uint8_t *owner = hf_rbuf_take(&b, olen);
		uint16_t type = hf_rbuf_u16(&b);
		uint16_t rdlen = hf_rbuf_u16(&b);
		const uint8_t *rdata = hf_rbuf_take(&b, rdlen);
		if (b.err != HF_OK)
			BAD("DNSSEC record runs past the value");
		if (section == HF_SECTION_ANSWER && olen != 0)
			BAD("answer-section DNSSEC record with an owner of its own");
		if (section == HF_SECTION_AUTHORITY && olen == 0)
			BAD("authority-section DNSSEC record without an owner");
		if (section != HF_SECTION_ANSWER && section != HF_SECTION_AUTHORITY)
			BAD("DNSSEC record in an unknown section");
		/* What rrcache.c keeps (extra_wanted()): RRSIGs with the data, proofs apart. */
		if (type != HF_TYPE_RRSIG && (section == HF_SECTION_ANSWER ||
		                              (type != HF_TYPE_NSEC && type != HF_TYPE_NSEC3)))
			BAD("DNSSEC record of a type that is not kept");
		if (olen != 0 && hf_name_check(owner, olen) != olen)
			BAD("DNSSEC record owner is not a name");
		if (hf_rdata_check(hf_rdata_layout(type, rclass), rdata, rdlen) != HF_OK)
			BAD("DNSSEC record RDATA does not match its type");
	}
	return HF_OK;
}

static int read_value(const uint8_t *val, size_t vlen, struct hf_persist_rec *r, const char **why)
{
	if (vlen > VALUE_MAX)
		BAD("value longer than any entry");
	struct hf_rbuf b;
	hf_rbuf_init(&b, val, vlen);
	uint64_t hi = hf_rbuf_u32(&b);
	uint64_t expire = hi << 32 | hf_rbuf_u32(&b);
	r->ttl = hf_rbuf_u32(&b);
	r->nrr = hf_rbuf_u16(&b);
	r->extra_len = hf_rbuf_u16(&b);
	r->kind = hf_rbuf_u8(&b);
	r->sec = hf_rbuf_u8(&b);
	r->soa_owner_len = hf_rbuf_u8(&b);
	uint8_t reserved = hf_rbuf_u8(&b);
	if (b.err != HF_OK)
		BAD("value shorter than its header");
	if (reserved != 0)
		BAD("reserved octet set");
	if (r->ttl == 0 || r->ttl > INT32_MAX)
		BAD("TTL out of range");
	if (expire < r->ttl || expire > (uint64_t)EXPIRE_MAX)
		BAD("expiry time out of range");
	r->expire = (int64_t)expire;
	if (r->kind > RR_SYNTH)
		BAD("unknown entry kind");
	if (r->sec > HF_SEC_SECURE)
		BAD("unknown security status");
	bool negative = r->kind == RR_NODATA || r->kind == RR_NXDOMAIN;
	if ((r->kind == RR_NXDOMAIN) != (r->type == TYPE_NXDOMAIN))
		BAD("NXDOMAIN entry under a type, or another entry under type 0");
	if (r->rclass == HF_CLASS_ANY || never_cached(r->type))
		BAD("class or type that is never cached");
	if (r->kind == RR_SYNTH && r->type != HF_TYPE_CNAME)
		BAD("synthesized entry that is not a CNAME");
	if (r->nrr == 0 || (negative && r->nrr != 1))
		BAD("wrong number of records for its kind");
	if (r->type == HF_TYPE_CNAME && (r->kind == RR_POSITIVE || r->kind == RR_SYNTH) &&
	    r->nrr != 1)
		BAD("CNAME entry with more than one record");
	if (negative != (r->soa_owner_len != 0))
		BAD("SOA owner missing from a negative entry, or present in another");
	r->rdlens = hf_rbuf_take(&b, 2u * r->nrr);
	r->soa_owner = hf_rbuf_take(&b, r->soa_owner_len);
	if (b.err != HF_OK)
		BAD("record lengths run past the value");
	if (negative && (hf_name_check(r->soa_owner, r->soa_owner_len) != r->soa_owner_len ||
	                 !hf_name_in_zone(r->owner, r->soa_owner)))
		BAD("SOA owner is not a name at or above the entry's");
	uint16_t layout = hf_rdata_layout(negative ? HF_TYPE_SOA : r->type, r->rclass);
	r->rdata = val + b.pos;
	r->rdtotal = 0;
	for (size_t i = 0; i < r->nrr; i++) {
		uint16_t len = hf_get16(r->rdlens + 2 * i);
		const uint8_t *rd = hf_rbuf_take(&b, len);
		if (b.err != HF_OK)
			BAD("RDATA runs past the value");
		if (hf_rdata_check(layout, rd, len) != HF_OK)
			BAD("RDATA does not match its type");
		r->rdtotal += len;
	}
	if (hf_rbuf_left(&b) != r->extra_len)
		BAD("DNSSEC records do not fill the rest of the value");
	return read_extra(val + b.pos, r->extra_len, r->rclass, why);
}

#undef BAD

int hf_persist_read(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                    struct hf_persist_rec *r, const char **why)
{
	r->owner_len = 0;
	int rc = read_key(key, klen, r, why);
	return rc == HF_OK ? read_value(val, vlen, r, why) : rc;
}

struct rr_entry *hf_persist_rec_entry(const struct hf_persist_rec *r)
{
	struct rr_entry *e =
	    hf_rrcache_entry_new(r->owner, r->owner_len, r->type, r->rclass, r->kind, r->nrr,
	                         r->soa_owner_len, r->rdtotal, r->extra_len);
	if (e == NULL)
		return NULL;
	e->expire = r->expire;
	e->ttl = r->ttl;
	e->sec = r->sec;
	for (size_t i = 0; i < r->nrr; i++)
		entry_rdlen(e)[i] = hf_get16(r->rdlens + 2 * i);
	memcpy(entry_soa_owner(e), r->soa_owner, r->soa_owner_len);
	memcpy(entry_rdata(e), r->rdata, r->rdtotal + r->extra_len);
	return e;
}

int hf_persist_parse(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                     struct rr_entry **out, const char **why)
{
	struct hf_persist_rec r;
	*out = NULL;
	int rc = hf_persist_read(key, klen, val, vlen, &r, why);
	if (rc != HF_OK)
		return rc;
	*out = hf_persist_rec_entry(&r);
	return *out != NULL ? HF_OK : HF_ENOMEM;
}

void hf_persist_value_times(const uint8_t *val, int64_t *expire, int64_t *stored)
{
	uint64_t e = get64(val);
	if (e > (uint64_t)EXPIRE_MAX)
		e = (uint64_t)EXPIRE_MAX;
	*expire = (int64_t)e;
	*stored = (int64_t)e - (int64_t)hf_get32(val + 8);
}
