/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Message builder: sections in order, name compression, all-or-nothing
 * records under a size limit. See build.h.
 *
 * Compression is exact: a name is pointed at an earlier one only when the
 * octets match, case included. Pointing "WWW.example" at "www.example" would
 * be legal but would change what the receiver reads (0x20 case checks, logs
 * and round trips would see another name), so the builder never does it.
 */
#include "wire/build.h"

#include <string.h>

#include "util/err.h"
#include "wire/buf.h"
#include "wire/edns.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

/* Pointers carry 14 bits of offset. */
#define PTR_MAX_OFFSET 0x3fff

#define OPT_FIXED_LEN 11 /* root owner, type, class, TTL, RDLENGTH */
#define OPT_HDR_LEN   4  /* option code and length */

void hf_build_init(struct hf_build *b, uint8_t *buf, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->limit = limit > HF_MSG_MAX ? HF_MSG_MAX : limit;
	b->section = -1;
}

static size_t room(const struct hf_build *b)
{
	size_t end = b->limit - b->reserved;
	return b->pos < end ? end - b->pos : 0;
}

static bool put(struct hf_build *b, const void *data, size_t n)
{
	if (room(b) < n)
		return false;
	if (n == 0)
		return true;
	memcpy(b->buf + b->pos, data, n);
	b->pos += n;
	return true;
}

static bool put16(struct hf_build *b, uint16_t v)
{
	uint8_t tmp[2];
	hf_put16(tmp, v);
	return put(b, tmp, 2);
}

static bool put32(struct hf_build *b, uint32_t v)
{
	uint8_t tmp[4];
	hf_put32(tmp, v);
	return put(b, tmp, 4);
}

int hf_build_header(struct hf_build *b, uint16_t id, uint16_t flags)
{
	if (b->pos != 0)
		return HF_EINVAL;
	uint8_t hdr[HF_HEADER_LEN] = {0};
	hf_put16(hdr, id);
	hf_put16(hdr + 2, flags);
	if (!put(b, hdr, sizeof(hdr)))
		return HF_ESPACE;
	b->section = HF_SECTION_QUESTION;
	return HF_OK;
}

void hf_build_set_flags(struct hf_build *b, uint16_t flags)
{
	if (b->pos >= HF_HEADER_LEN)
		hf_put16(b->buf + 2, flags);
}

/* --- names ---------------------------------------------------------------- */

/* Does the (possibly compressed, self-written) name at buf[off] equal name exactly? */
static bool written_name_equals(const uint8_t *buf, size_t off, const uint8_t *name)
{
	for (;;) {
		while ((buf[off] & 0xc0) == 0xc0)
			off = (size_t)(buf[off] & 0x3f) << 8 | buf[off + 1];
		uint8_t len = buf[off];
		if (len != name[0])
			return false;
		if (len == 0)
			return true;
		if (memcmp(buf + off + 1, name + 1, len) != 0)
			return false;
		off += (size_t)len + 1;
		name += (size_t)len + 1;
	}
}

/* Looks among the first n remembered offsets: those of names written in full before this one. */
static int find_suffix(const struct hf_build *b, size_t n, const uint8_t *suffix)
{
	for (size_t i = 0; i < n; i++) {
		if (written_name_equals(b->buf, b->ctab[i], suffix))
			return b->ctab[i];
	}
	return -1;
}

static void remember(struct hf_build *b, size_t off)
{
	if (off <= PTR_MAX_OFFSET && b->nctab < HF_BUILD_CTAB)
		b->ctab[b->nctab++] = (uint16_t)off;
}

/*
 * Writes name, pointing its longest already-written suffix at the earlier
 * copy. Only names written before this one are candidates: this one's own
 * labels are not complete yet, and the octets after them are stale.
 */
static bool put_name(struct hf_build *b, const uint8_t *name, bool compress)
{
	size_t p = 0, known = b->nctab;
	while (name[p] != 0) {
		if (compress) {
			int target = find_suffix(b, known, name + p);
			if (target >= 0)
				return put16(b, (uint16_t)(0xc000 | target));
			remember(b, b->pos);
		}
		if (!put(b, name + p, (size_t)name[p] + 1))
			return false;
		p += (size_t)name[p] + 1;
	}
	return put(b, "", 1);
}

/* --- records -------------------------------------------------------------- */

struct mark {
	size_t pos;
	size_t nctab;
};

static struct mark mark_here(const struct hf_build *b)
{
	return (struct mark){.pos = b->pos, .nctab = b->nctab};
}

static void rollback(struct hf_build *b, struct mark m)
{
	b->pos = m.pos;
	b->nctab = m.nctab;
}

/* RDATA with the names RFC 3597 §4 lets us compress written compressed. */
static int put_rdata(struct hf_build *b, uint16_t layout, const uint8_t *rdata, size_t rdlen)
{
	uint16_t offs[2];
	int n = hf_rdata_compressible_names(layout, rdata, rdlen, offs);
	if (n < 0)
		return HF_ERDATA;
	size_t done = 0;
	for (int i = 0; i < n; i++) {
		if (offs[i] < done || offs[i] >= rdlen)
			return HF_ERDATA;
		int nlen = hf_name_check(rdata + offs[i], rdlen - offs[i]);
		if (nlen < 0)
			return HF_ERDATA;
		if (!put(b, rdata + done, offs[i] - done) || !put_name(b, rdata + offs[i], true))
			return HF_ESPACE;
		done = offs[i] + (size_t)nlen;
	}
	return put(b, rdata + done, rdlen - done) ? HF_OK : HF_ESPACE;
}

static int put_record(struct hf_build *b, const uint8_t *owner, uint16_t type, uint16_t rclass,
                      uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	if (rdlen > HF_RDATA_MAX)
		return HF_ERDATA;
	if (!put_name(b, owner, true) || !put16(b, type) || !put16(b, rclass) || !put32(b, ttl))
		return HF_ESPACE;
	size_t rdlen_at = b->pos;
	if (!put16(b, 0))
		return HF_ESPACE;
	int err = put_rdata(b, hf_rdata_layout(type, rclass), rdata, rdlen);
	if (err != HF_OK)
		return err;
	hf_put16(b->buf + rdlen_at, (uint16_t)(b->pos - rdlen_at - 2));
	return HF_OK;
}

static int enter_section(struct hf_build *b, enum hf_section s)
{
	if (b->section < 0 || (int)s < b->section)
		return HF_EINVAL;
	if (b->tc)
		return HF_ESPACE; /* RFC 2181 §9: nothing after what did not fit */
	b->section = (int)s;
	return HF_OK;
}

/* A record that does not fit truncates the answer, unless it was only additional data. */
static int no_room(struct hf_build *b, enum hf_section s)
{
	if (s == HF_SECTION_ANSWER || s == HF_SECTION_AUTHORITY)
		b->tc = true;
	return HF_ESPACE;
}

int hf_build_question(struct hf_build *b, const uint8_t *qname, uint16_t qtype, uint16_t qclass)
{
	if (b->section != HF_SECTION_QUESTION)
		return HF_EINVAL;
	struct mark m = mark_here(b);
	if (!put_name(b, qname, true) || !put16(b, qtype) || !put16(b, qclass)) {
		rollback(b, m);
		return HF_ESPACE;
	}
	b->count[HF_SECTION_QUESTION]++;
	return HF_OK;
}

int hf_build_rrset(struct hf_build *b, enum hf_section s, const uint8_t *owner, uint16_t type,
                   uint16_t rclass, uint32_t ttl, const uint8_t *const *rdata,
                   const uint16_t *rdlen, size_t n)
{
	if (s == HF_SECTION_QUESTION || s > HF_SECTION_ADDITIONAL || b->count[s] + n > UINT16_MAX)
		return HF_EINVAL;
	int err = enter_section(b, s);
	if (err != HF_OK)
		return err;
	struct mark m = mark_here(b);
	for (size_t i = 0; i < n; i++) {
		err = put_record(b, owner, type, rclass, ttl, rdata[i], rdlen[i]);
		if (err != HF_OK) {
			rollback(b, m);
			return err == HF_ESPACE ? no_room(b, s) : err;
		}
	}
	b->count[s] = (uint16_t)(b->count[s] + n);
	return HF_OK;
}

int hf_build_rr(struct hf_build *b, enum hf_section s, const uint8_t *owner, uint16_t type,
                uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	if (rdlen > HF_RDATA_MAX)
		return HF_ERDATA;
	uint16_t len16 = (uint16_t)rdlen;
	return hf_build_rrset(b, s, owner, type, rclass, ttl, &rdata, &len16, 1);
}

/* --- EDNS ----------------------------------------------------------------- */

size_t hf_build_edns_size(const struct hf_build_edns *e)
{
	size_t n = OPT_FIXED_LEN;
	for (size_t i = 0; i < e->nopts; i++)
		n += OPT_HDR_LEN + e->opts[i].len;
	return n;
}

int hf_build_reserve(struct hf_build *b, size_t n)
{
	if (room(b) < n)
		return HF_ESPACE;
	b->reserved += n;
	return HF_OK;
}

/* RFC 7830 §3, RFC 8467: pad the message to a multiple of the block, room permitting. */
static size_t padding_len(const struct hf_build *b, size_t opt_len, uint16_t block)
{
	if (block == 0 || room(b) < opt_len + OPT_HDR_LEN)
		return SIZE_MAX;
	size_t total = b->pos + opt_len + OPT_HDR_LEN;
	size_t pad = (block - total % block) % block;
	size_t spare = room(b) - opt_len - OPT_HDR_LEN;
	return pad < spare ? pad : spare;
}

int hf_build_edns(struct hf_build *b, const struct hf_build_edns *e)
{
	if (b->section < 0 || b->count[HF_SECTION_ADDITIONAL] == UINT16_MAX)
		return HF_EINVAL;
	b->reserved = 0;
	b->section = HF_SECTION_ADDITIONAL;
	size_t opt_len = hf_build_edns_size(e);
	if (opt_len - OPT_FIXED_LEN > HF_RDATA_MAX)
		return HF_EINVAL;
	size_t pad = padding_len(b, opt_len, e->pad_block);
	size_t rdlen = opt_len - OPT_FIXED_LEN + (pad == SIZE_MAX ? 0 : OPT_HDR_LEN + pad);
	if (rdlen > HF_RDATA_MAX || room(b) < OPT_FIXED_LEN + rdlen)
		return HF_ESPACE;

	uint32_t ttl = (uint32_t)e->ext_rcode << 24 | (uint32_t)e->version << 16 | e->flags;
	put(b, "", 1);
	put16(b, HF_TYPE_OPT);
	put16(b, e->udp_size);
	put32(b, ttl);
	put16(b, (uint16_t)rdlen);
	for (size_t i = 0; i < e->nopts; i++) {
		put16(b, e->opts[i].code);
		put16(b, e->opts[i].len);
		put(b, e->opts[i].data, e->opts[i].len);
	}
	if (pad != SIZE_MAX) {
		put16(b, HF_EDNS_PADDING);
		put16(b, (uint16_t)pad);
		memset(b->buf + b->pos, 0, pad);
		b->pos += pad;
	}
	b->count[HF_SECTION_ADDITIONAL]++;
	return HF_OK;
}

size_t hf_build_finish(struct hf_build *b)
{
	if (b->pos < HF_HEADER_LEN)
		return 0;
	for (int s = 0; s < 4; s++)
		hf_put16(b->buf + 4 + 2 * s, b->count[s]);
	if (b->tc)
		b->buf[2] |= HF_FLAG_TC >> 8;
	return b->pos;
}
