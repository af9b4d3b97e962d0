/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hf_pkt_parse() against hand-crafted messages, one malformation per test,
 * each asserting the exact error code of pkt.h/err.h; then the cases that
 * must parse (more records than fit inline, compressed names). Every input
 * is copied into a heap block of exactly its size, so AddressSanitizer sees
 * any read past the end, and every parse is checked for leaks through the
 * counting allocator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

/* Compares error codes by name first, so a failure says which code came back. */
#define assert_err(got, want)                                                                      \
	do {                                                                                       \
		int got_ = (got);                                                                  \
		assert_string_equal(hf_errname(got_), hf_errname(want));                           \
		assert_int_equal(got_, (want));                                                    \
	} while (0)

#define U16(v) (uint8_t)((v) >> 8 & 0xff), (uint8_t)((v)&0xff)
#define U32(v) U16((v) >> 16), U16(v)
/* Header: ID 0x1234, RD, then the four counts. */
#define HDR(qd, an, ns, ar) 0x12, 0x34, 0x01, 0x00, U16(qd), U16(an), U16(ns), U16(ar)
/* Question for the root name, type A, class IN (5 octets). */
#define Q_ROOT 0x00, U16(HF_TYPE_A), U16(HF_CLASS_IN)
/* Type, class, TTL and RDLENGTH of a record, after its owner (10 octets). */
#define RR(type, rclass, ttl, rdlen) U16(type), U16(rclass), U32(ttl), U16(rdlen)
/* An OPT record with the root owner (11 octets), RDATA to follow. */
#define OPT(version, rdlen) 0x00, RR(HF_TYPE_OPT, 1232, (uint32_t)(version) << 16, rdlen)
/* A record with the root owner, type A, 192.0.2.1 (15 octets). */
#define A_ROOT 0x00, RR(HF_TYPE_A, HF_CLASS_IN, 300, 4), 192, 0, 2, 1

/* Parses a heap copy of wire[0..len) and returns the code; clears and checks for leaks. */
static int parse(const uint8_t *wire, size_t len)
{
	size_t before = hf_alloc_in_use();
	uint8_t *copy = hf_malloc(len != 0 ? len : 1);
	assert_non_null(copy);
	if (len != 0)
		memcpy(copy, wire, len);
	struct hf_pkt pkt;
	int ret = hf_pkt_parse(&pkt, copy, len, NULL);
	if (ret == HF_OK || ret == HF_EBADVERS)
		hf_pkt_clear(&pkt);
	hf_free(copy);
	assert_int_equal(hf_alloc_in_use(), before);
	return ret;
}

#define assert_parse(msg, want) assert_err(parse(msg, sizeof(msg)), want)

/* --- header and counts ---------------------------------------------------- */

static void test_empty(void **state)
{
	(void)state;
	static const uint8_t msg[1] = {0};
	assert_err(parse(msg, 0), HF_EHDR);
}

static void test_header_11_octets(void **state)
{
	(void)state;
	static const uint8_t msg[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0};
	assert_parse(msg, HF_EHDR);
}

static void test_qdcount_without_question(void **state)
{
	(void)state;
	static const uint8_t msg[] = {HDR(1, 0, 0, 0)};
	assert_parse(msg, HF_ECOUNT);
}

static void test_ancount_too_large(void **state)
{
	(void)state;
	/* Too short for the counts at all: refused before walking. */
	static const uint8_t msg[] = {HDR(1, 2, 0, 0), Q_ROOT, A_ROOT};
	assert_parse(msg, HF_ECOUNT);
}

static void test_ancount_too_large_at_boundary(void **state)
{
	(void)state;
	/* Long enough for the minimum sizes, so the walk itself runs out of
	 * octets exactly where the second answer should begin. */
	/* clang-format off */
	static const uint8_t msg[] = {
		HDR(1, 2, 0, 0), Q_ROOT,
		0x00, RR(0xff00, HF_CLASS_IN, 0, 16),
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	/* clang-format on */
	assert_parse(msg, HF_ECOUNT);
}

static void test_rdlength_past_end(void **state)
{
	(void)state;
	static const uint8_t msg[] = {
	    HDR(1, 1, 0, 0), Q_ROOT, 0x00, RR(HF_TYPE_A, HF_CLASS_IN, 300, 4), 192, 0};
	assert_parse(msg, HF_ERDLEN);
}

/* --- compression pointers ------------------------------------------------- */

static void test_ptr_to_itself(void **state)
{
	(void)state;
	static const uint8_t msg[] = {HDR(1, 0, 0, 0), 0xc0, 12, U16(HF_TYPE_A), U16(HF_CLASS_IN)};
	assert_parse(msg, HF_EPTRLOOP);
}

static void test_ptr_loop_two_step(void **state)
{
	(void)state;
	/*
	 * Every pointer looks backward from where it sits, yet they loop.
	 * The first record (unknown type, opaque RDATA at 23) holds:
	 *   23: 02        label of 2 octets covering 24..25
	 *   24: c0 17     pointer to 23
	 *   26: c0 18     pointer to 24
	 * The second record's owner at 28 points to 24: 24 -> 23, the label
	 * skips over 24..25, 26 -> 24 again. 26's target lies inside the run
	 * that started at 23, which is the loop the rule catches.
	 */
	/* clang-format off */
	static const uint8_t msg[] = {
		HDR(0, 2, 0, 0),
		/* 12 */ 0x00, RR(0xff00, HF_CLASS_IN, 0, 5),
		/* 23 */ 0x02, 0xc0, 23, 0xc0, 24,
		/* 28 */ 0xc0, 24, RR(HF_TYPE_A, HF_CLASS_IN, 0, 4), 192, 0, 2, 1,
	};
	/* clang-format on */
	assert_parse(msg, HF_EPTRLOOP);
}

static void test_ptr_into_own_name(void **state)
{
	(void)state;
	/* "a" then a pointer back to the start of the same name. */
	static const uint8_t msg[] = {HDR(1, 0, 0, 0), 0x01, 'a', 0xc0, 12, U16(HF_TYPE_A),
	                              U16(HF_CLASS_IN)};
	assert_parse(msg, HF_EPTRLOOP);
}

static void test_ptr_forward(void **state)
{
	(void)state;
	/* The question's name points at the (valid, root) owner of the answer at 18. */
	static const uint8_t msg[] = {HDR(1, 1, 0, 0),  0xc0,  18, U16(HF_TYPE_A),
	                              U16(HF_CLASS_IN), A_ROOT};
	assert_parse(msg, HF_EPTRFWD);
}

/* --- labels and names ----------------------------------------------------- */

/* A question whose name is lens[] labels of 'a' octets; returns its length. */
static size_t make_question(uint8_t *msg, const uint8_t *lens, size_t nlens)
{
	static const uint8_t hdr[] = {HDR(1, 0, 0, 0)};
	size_t p = sizeof(hdr);
	memcpy(msg, hdr, p);
	for (size_t i = 0; i < nlens; i++) {
		msg[p++] = lens[i];
		memset(msg + p, 'a', lens[i]);
		p += lens[i];
	}
	msg[p++] = 0;
	hf_put16(msg + p, HF_TYPE_A);
	hf_put16(msg + p + 2, HF_CLASS_IN);
	return p + 4;
}

static void test_label_64(void **state)
{
	(void)state;
	/* 64 = 0x40 cannot be a label length; name.c reports it as too long. */
	uint8_t msg[12 + 65 + 1 + 4];
	size_t len = make_question(msg, (const uint8_t[]){64}, 1);
	assert_int_equal(len, sizeof(msg));
	assert_err(parse(msg, len), HF_ELABEL);
}

static void test_name_255_ok(void **state)
{
	(void)state;
	uint8_t msg[12 + 255 + 4];
	size_t len = make_question(msg, (const uint8_t[]){63, 63, 63, 61}, 4);
	assert_int_equal(len, sizeof(msg));
	assert_err(parse(msg, len), HF_OK);
}

static void test_name_256(void **state)
{
	(void)state;
	uint8_t msg[12 + 256 + 4];
	size_t len = make_question(msg, (const uint8_t[]){63, 63, 63, 62}, 4);
	assert_int_equal(len, sizeof(msg));
	assert_err(parse(msg, len), HF_ENAMELEN);
}

static void test_name_256_compressed(void **state)
{
	(void)state;
	/* 255 octets in the question, then an answer owner of "a" plus a
	 * pointer to it: each part is legal, the whole is 257 octets. */
	uint8_t msg[12 + 255 + 4 + 18];
	size_t len = make_question(msg, (const uint8_t[]){63, 63, 63, 61}, 4);
	static const uint8_t answer[] = {0x01, 'a', 0xc0, 12, RR(HF_TYPE_A, HF_CLASS_IN, 0, 4),
	                                 192,  0,   2,    1};
	memcpy(msg + len, answer, sizeof(answer));
	len += sizeof(answer);
	msg[7] = 1; /* ANCOUNT */
	assert_int_equal(len, sizeof(msg));
	assert_err(parse(msg, len), HF_ENAMELEN);
}

static void test_label_type_0x80(void **state)
{
	(void)state;
	static const uint8_t msg1[] = {HDR(1, 0, 0, 0), 0x80, 0x00, U16(HF_TYPE_A),
	                               U16(HF_CLASS_IN)};
	static const uint8_t msg2[] = {HDR(1, 0, 0, 0), 0xbf, 0x00, U16(HF_TYPE_A),
	                               U16(HF_CLASS_IN)};
	assert_parse(msg1, HF_ELABELTYPE);
	assert_parse(msg2, HF_ELABELTYPE);
}

static void test_label_type_0x40(void **state)
{
	(void)state;
	/* The 0x40 prefix (RFC 2671's extended label type, withdrawn by RFC
	 * 6891 §5): name.c treats 0x40..0x7f as a label longer than 63. */
	static const uint8_t msg1[] = {HDR(1, 0, 0, 0), 0x41, 0x00, U16(HF_TYPE_A),
	                               U16(HF_CLASS_IN)};
	static const uint8_t msg2[] = {HDR(1, 0, 0, 0), 0x7f, 0x00, U16(HF_TYPE_A),
	                               U16(HF_CLASS_IN)};
	assert_parse(msg1, HF_ELABEL);
	assert_parse(msg2, HF_ELABEL);
}

/* --- EDNS ----------------------------------------------------------------- */

static void test_opt_twice(void **state)
{
	(void)state;
	static const uint8_t msg[] = {HDR(1, 0, 0, 2), Q_ROOT, OPT(0, 0), OPT(0, 0)};
	assert_parse(msg, HF_EOPTDUP);
}

static void test_opt_in_answer(void **state)
{
	(void)state;
	static const uint8_t msg[] = {HDR(1, 1, 0, 0), Q_ROOT, OPT(0, 0)};
	assert_parse(msg, HF_EOPTSECT);
}

static void test_opt_in_authority(void **state)
{
	(void)state;
	static const uint8_t msg[] = {HDR(1, 0, 1, 0), Q_ROOT, OPT(0, 0)};
	assert_parse(msg, HF_EOPTSECT);
}

static void test_opt_owner_not_root(void **state)
{
	(void)state;
	static const uint8_t msg[] = {
	    HDR(1, 0, 0, 1), Q_ROOT, 0x01, 'a', 0x00, RR(HF_TYPE_OPT, 1232, 0, 0)};
	assert_parse(msg, HF_EOPTNAME);
}

static void test_edns_version_1(void **state)
{
	(void)state;
	/* clang-format off */
	static const uint8_t msg[] = {
		0xbe, 0xef, 0x01, 0x00, U16(1), U16(0), U16(0), U16(1),
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, U16(HF_TYPE_AAAA), U16(HF_CLASS_IN),
		OPT(1, 0),
	};
	/* clang-format on */
	size_t before = hf_alloc_in_use();
	struct hf_pkt pkt;
	assert_err(hf_pkt_parse(&pkt, msg, sizeof(msg), NULL), HF_EBADVERS);
	assert_int_equal(pkt.id, 0xbeef);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_QUESTION), 1);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_ADDITIONAL), 1);
	const struct hf_rr *q = hf_pkt_section_rr(&pkt, HF_SECTION_QUESTION, 0);
	uint8_t name[HF_NAME_MAX];
	assert_int_equal(hf_pkt_owner(&pkt, q, name), 9);
	assert_memory_equal(name, "\7example", 9);
	assert_int_equal(q->type, HF_TYPE_AAAA);
	assert_int_equal(q->rclass, HF_CLASS_IN);
	assert_true(pkt.has_edns);
	assert_int_equal(pkt.edns.version, 1);
	assert_int_equal(pkt.edns.udp_size, 1232);
	hf_pkt_clear(&pkt);
	assert_int_equal(hf_alloc_in_use(), before);
}

static void test_edns_version_1_many_records(void **state)
{
	(void)state;
	/* Past the inline array: hf_pkt_clear() is what frees the views. */
	uint8_t msg[12 + 5 + 20 * 15 + 11];
	static const uint8_t head[] = {HDR(1, 20, 0, 1), Q_ROOT};
	static const uint8_t a[] = {A_ROOT};
	static const uint8_t opt[] = {OPT(1, 0)};
	size_t p = 0;
	memcpy(msg, head, sizeof(head));
	p += sizeof(head);
	for (int i = 0; i < 20; i++, p += sizeof(a))
		memcpy(msg + p, a, sizeof(a));
	memcpy(msg + p, opt, sizeof(opt));
	p += sizeof(opt);
	assert_int_equal(p, sizeof(msg));

	size_t before = hf_alloc_in_use();
	struct hf_pkt pkt;
	assert_err(hf_pkt_parse(&pkt, msg, sizeof(msg), NULL), HF_EBADVERS);
	assert_int_equal(pkt.nrr, 22);
	assert_true(hf_alloc_in_use() > before);
	hf_pkt_clear(&pkt);
	assert_int_equal(hf_alloc_in_use(), before);
}

static void test_cookie_length_7(void **state)
{
	(void)state;
	static const uint8_t msg[] = {
	    HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 11), U16(10), U16(7), 1, 2, 3, 4, 5, 6, 7};
	assert_parse(msg, HF_EOPTDATA);
}

static void test_cookie_length_41(void **state)
{
	(void)state;
	/* Client cookie of 8 plus a server cookie of 33, one past the maximum. */
	uint8_t msg[12 + 5 + 11 + 4 + 41];
	static const uint8_t head[] = {HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 45), U16(10), U16(41)};
	memcpy(msg, head, sizeof(head));
	memset(msg + sizeof(head), 0xab, 41);
	assert_parse(msg, HF_EOPTDATA);
}

static void test_cookie_lengths_ok(void **state)
{
	(void)state;
	/* Client cookie alone, then with the shortest and longest server cookie. */
	static const uint8_t c8[] = {
	    HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 12), U16(10), U16(8), 1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t c40[12 + 5 + 11 + 4 + 40];
	static const uint8_t head[] = {HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 44), U16(10), U16(40)};
	memcpy(c40, head, sizeof(head));
	memset(c40 + sizeof(head), 0xab, 40);
	assert_parse(c8, HF_OK);
	assert_parse(c40, HF_OK);
}

static void test_ecs_bits_past_prefix(void **state)
{
	(void)state;
	/* 192.0.15.0/20: the third octet has bits set past the 20-bit prefix. */
	static const uint8_t msg[] = {
	    HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 11), U16(8), U16(7), U16(1), 20, 0, 192, 0, 0x0f};
	static const uint8_t ok[] = {
	    HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 11), U16(8), U16(7), U16(1), 20, 0, 192, 0, 0xf0};
	assert_parse(msg, HF_EOPTDATA);
	assert_parse(ok, HF_OK);
}

static void test_option_past_opt_rdata(void **state)
{
	(void)state;
	/* Option says 4 octets, the OPT RDATA has room for 2. */
	static const uint8_t msg[] = {HDR(1, 0, 0, 1), Q_ROOT, OPT(0, 6), U16(65001), U16(4), 1, 2};
	assert_parse(msg, HF_EOPTDATA);
}

/* --- records -------------------------------------------------------------- */

static void test_trailing_garbage(void **state)
{
	(void)state;
	static const uint8_t msg[] = {HDR(1, 1, 0, 0), Q_ROOT, A_ROOT, 0x00};
	assert_parse(msg, HF_ETRAILING);
}

static void test_a_rdlength_3(void **state)
{
	(void)state;
	static const uint8_t msg[] = {
	    HDR(1, 1, 0, 0), Q_ROOT, 0x00, RR(HF_TYPE_A, HF_CLASS_IN, 0, 3), 192, 0, 2};
	assert_parse(msg, HF_ERDATA);
}

static void test_too_big(void **state)
{
	(void)state;
	size_t len = HF_MSG_MAX + 1;
	uint8_t *msg = hf_calloc(1, len);
	assert_non_null(msg);
	static const uint8_t head[] = {HDR(1, 0, 0, 0), Q_ROOT};
	memcpy(msg, head, sizeof(head));
	assert_err(parse(msg, len), HF_ETOOBIG);
	hf_free(msg);
}

struct counting_mm {
	unsigned allocs;
	unsigned frees;
};

static void *counting_alloc(void *ctx, size_t n)
{
	((struct counting_mm *)ctx)->allocs++;
	return hf_malloc(n);
}

static void counting_free(void *ctx, void *p)
{
	((struct counting_mm *)ctx)->frees++;
	hf_free(p);
}

static void test_more_than_inline(void **state)
{
	(void)state;
	enum { N = HF_PKT_INLINE_RRS + 4 };
	uint8_t msg[12 + 5 + N * 15];
	static const uint8_t head[] = {HDR(1, N, 0, 0), Q_ROOT};
	static const uint8_t a[] = {A_ROOT};
	memcpy(msg, head, sizeof(head));
	for (int i = 0; i < N; i++)
		memcpy(msg + sizeof(head) + (size_t)i * sizeof(a), a, sizeof(a));

	/* Through the heap: the counting allocator must return to where it was. */
	size_t before = hf_alloc_in_use();
	struct hf_pkt pkt;
	assert_err(hf_pkt_parse(&pkt, msg, sizeof(msg), NULL), HF_OK);
	assert_int_equal(pkt.nrr, N + 1);
	assert_ptr_not_equal(pkt.rr, pkt.inline_rr);
	assert_true(hf_alloc_in_use() > before);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_ANSWER), N);
	assert_int_equal(hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, N - 1)->type, HF_TYPE_A);
	hf_pkt_clear(&pkt);
	assert_int_equal(hf_alloc_in_use(), before);

	/* Through a caller's allocator: one allocation, freed by hf_pkt_clear(). */
	struct counting_mm counts = {0, 0};
	const struct hf_mm mm = {counting_alloc, counting_free, &counts};
	assert_err(hf_pkt_parse(&pkt, msg, sizeof(msg), &mm), HF_OK);
	assert_int_equal(counts.allocs, 1);
	assert_int_equal(counts.frees, 0);
	hf_pkt_clear(&pkt);
	assert_int_equal(counts.frees, 1);
	assert_int_equal(hf_alloc_in_use(), before);

	/* An error after the allocation frees it too. */
	msg[sizeof(msg) - 5] = 3; /* last A record's RDLENGTH low octet: 4 -> 3 */
	counts.allocs = counts.frees = 0;
	assert_err(hf_pkt_parse(&pkt, msg, sizeof(msg), &mm), HF_ERDATA);
	assert_int_equal(counts.allocs, counts.frees);
	assert_int_equal(hf_alloc_in_use(), before);
}

static void test_compressed_ok(void **state)
{
	(void)state;
	/* clang-format off */
	static const uint8_t msg[] = {
		0xab, 0xcd, 0x81, 0x80, U16(1), U16(3), U16(0), U16(0),
		/* 12: www.example.com. A IN; "example" at 16, "com" at 24 */
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		U16(HF_TYPE_A), U16(HF_CLASS_IN),
		/* 33: www.example.com. CNAME web.example.com. (RDATA at 45) */
		0xc0, 12, RR(HF_TYPE_CNAME, HF_CLASS_IN, 300, 6), 3, 'w', 'e', 'b', 0xc0, 16,
		/* 51: web.example.com. A 192.0.2.1 */
		0xc0, 45, RR(HF_TYPE_A, HF_CLASS_IN, 300, 4), 192, 0, 2, 1,
		/* 67: example.com. MX 10 web.example.com. */
		0xc0, 16, RR(HF_TYPE_MX, HF_CLASS_IN, 300, 4), U16(10), 0xc0, 45,
	};
	/* clang-format on */
	static const uint8_t www[] = "\3www\7example\3com";
	static const uint8_t web[] = "\3web\7example\3com";
	static const uint8_t example[] = "\7example\3com";
	static const uint8_t mx[] = "\0\12\3web\7example\3com";

	struct hf_pkt pkt;
	uint8_t name[HF_NAME_MAX], rdata[512];
	assert_err(hf_pkt_parse(&pkt, msg, sizeof(msg), NULL), HF_OK);
	assert_int_equal(pkt.id, 0xabcd);
	assert_int_equal(pkt.flags, HF_FLAG_QR | HF_FLAG_RD | HF_FLAG_RA);
	assert_false(pkt.has_edns);
	assert_int_equal(pkt.nrr, 4);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_QUESTION), 1);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_ANSWER), 3);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_AUTHORITY), 0);
	assert_int_equal(hf_pkt_section_count(&pkt, HF_SECTION_ADDITIONAL), 0);
	assert_int_equal(hf_pkt_rcode(&pkt), HF_RCODE_NOERROR);

	const struct hf_rr *q = hf_pkt_section_rr(&pkt, HF_SECTION_QUESTION, 0);
	assert_int_equal(hf_pkt_owner(&pkt, q, name), sizeof(www));
	assert_memory_equal(name, www, sizeof(www));

	const struct hf_rr *cname = hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, 0);
	assert_int_equal(cname->type, HF_TYPE_CNAME);
	assert_int_equal(cname->ttl, 300);
	assert_int_equal(cname->rdlen, 6);
	assert_int_equal(hf_pkt_owner(&pkt, cname, name), sizeof(www));
	assert_memory_equal(name, www, sizeof(www));
	assert_int_equal(hf_pkt_rdata(&pkt, cname, rdata, sizeof(rdata)), sizeof(web));
	assert_memory_equal(rdata, web, sizeof(web));

	const struct hf_rr *a = hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, 1);
	assert_int_equal(hf_pkt_owner(&pkt, a, name), sizeof(web));
	assert_memory_equal(name, web, sizeof(web));
	assert_int_equal(hf_pkt_rdata(&pkt, a, rdata, sizeof(rdata)), 4);
	assert_memory_equal(rdata, ((const uint8_t[]){192, 0, 2, 1}), 4);

	const struct hf_rr *m = hf_pkt_section_rr(&pkt, HF_SECTION_ANSWER, 2);
	assert_int_equal(m->type, HF_TYPE_MX);
	assert_int_equal(hf_pkt_owner(&pkt, m, name), sizeof(example));
	assert_memory_equal(name, example, sizeof(example));
	assert_int_equal(hf_pkt_rdata(&pkt, m, rdata, sizeof(rdata)), sizeof(mx));
	assert_memory_equal(rdata, mx, sizeof(mx));
	hf_pkt_clear(&pkt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_header_11_octets),
	    cmocka_unit_test(test_qdcount_without_question),
	    cmocka_unit_test(test_ancount_too_large),
	    cmocka_unit_test(test_ancount_too_large_at_boundary),
	    cmocka_unit_test(test_rdlength_past_end),
	    cmocka_unit_test(test_ptr_to_itself),
	    cmocka_unit_test(test_ptr_loop_two_step),
	    cmocka_unit_test(test_ptr_into_own_name),
	    cmocka_unit_test(test_ptr_forward),
	    cmocka_unit_test(test_label_64),
	    cmocka_unit_test(test_name_255_ok),
	    cmocka_unit_test(test_name_256),
	    cmocka_unit_test(test_name_256_compressed),
	    cmocka_unit_test(test_label_type_0x80),
	    cmocka_unit_test(test_label_type_0x40),
	    cmocka_unit_test(test_opt_twice),
	    cmocka_unit_test(test_opt_in_answer),
	    cmocka_unit_test(test_opt_in_authority),
	    cmocka_unit_test(test_opt_owner_not_root),
	    cmocka_unit_test(test_edns_version_1),
	    cmocka_unit_test(test_edns_version_1_many_records),
	    cmocka_unit_test(test_cookie_length_7),
	    cmocka_unit_test(test_cookie_length_41),
	    cmocka_unit_test(test_cookie_lengths_ok),
	    cmocka_unit_test(test_ecs_bits_past_prefix),
	    cmocka_unit_test(test_option_past_opt_rdata),
	    cmocka_unit_test(test_trailing_garbage),
	    cmocka_unit_test(test_a_rdlength_3),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_more_than_inline),
	    cmocka_unit_test(test_compressed_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
