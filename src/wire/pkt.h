/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Parsing a DNS message (RFC 1035 §4.1) into views.
 *
 *                                 1  1  1  1  1  1
 *   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 * |                    QDCOUNT                    |
 * |                    ANCOUNT                    |
 * |                    NSCOUNT                    |
 * |                    ARCOUNT                    |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * hf_pkt_parse() walks the whole message once and checks everything a
 * later stage could trip on: every name (compression rules in name.h), every
 * RDATA against its type's layout, the EDNS OPT record (exactly one, only in
 * the additional section, owner root, well-formed options) and that no bytes
 * trail the last record. What it keeps are views: offsets into the caller's
 * buffer, which must outlive the struct hf_pkt. It allocates at most once per
 * message, for the view array, and only when the message holds more records
 * than fit inline.
 *
 * Errors are specific (HF_EHDR, HF_ECOUNT, HF_ERDLEN, HF_ERDATA,
 * HF_ETRAILING, name errors, HF_EOPTDUP, HF_EOPTSECT, HF_EOPTNAME,
 * HF_EOPTDATA) so callers can log exactly what was wrong. HF_EBADVERS is
 * special: the message is fully parsed and usable, so a server can answer
 * BADVERS (RFC 6891 §6.1.3) with the right ID and question.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/alloc.h"
#include "util/compiler.h"
#include "util/err.h"
#include "wire/name.h"

#define HF_HEADER_LEN 12
#define HF_MSG_MAX    65535

/* Header flag bits in the second 16-bit word. */
#define HF_FLAG_QR 0x8000
#define HF_FLAG_AA 0x0400
#define HF_FLAG_TC 0x0200
#define HF_FLAG_RD 0x0100
#define HF_FLAG_RA 0x0080
#define HF_FLAG_Z  0x0040
#define HF_FLAG_AD 0x0020
#define HF_FLAG_CD 0x0010

#define HF_OPCODE(flags) (((flags) >> 11) & 0xf)
#define HF_RCODE(flags)  ((flags)&0xf)

/* EDNS header flag (RFC 3225). */
#define HF_EDNS_DO 0x8000

enum hf_opcode {
	HF_OPCODE_QUERY = 0,
	HF_OPCODE_IQUERY = 1,
	HF_OPCODE_STATUS = 2,
	HF_OPCODE_NOTIFY = 4,
	HF_OPCODE_UPDATE = 5,
	HF_OPCODE_DSO = 6,
};

enum hf_rcode {
	HF_RCODE_NOERROR = 0,
	HF_RCODE_FORMERR = 1,
	HF_RCODE_SERVFAIL = 2,
	HF_RCODE_NXDOMAIN = 3,
	HF_RCODE_NOTIMP = 4,
	HF_RCODE_REFUSED = 5,
	HF_RCODE_YXDOMAIN = 6,
	HF_RCODE_YXRRSET = 7,
	HF_RCODE_NXRRSET = 8,
	HF_RCODE_NOTAUTH = 9,
	HF_RCODE_NOTZONE = 10,
	HF_RCODE_BADVERS = 16, /* needs EDNS: upper 8 bits live in OPT */
	HF_RCODE_BADCOOKIE = 23,
};

enum hf_section {
	HF_SECTION_QUESTION = 0,
	HF_SECTION_ANSWER = 1,
	HF_SECTION_AUTHORITY = 2,
	HF_SECTION_ADDITIONAL = 3,
};

/* A record (or question) inside a parsed message: offsets into the wire. */
struct hf_rr {
	uint16_t owner; /* offset of the owner name, possibly compressed */
	uint16_t type;
	uint16_t rclass; /* for OPT: the UDP payload size */
	uint16_t rdata;  /* offset of RDATA (0 for questions) */
	uint16_t rdlen;
	uint32_t ttl; /* for OPT: extended RCODE, version and flags */
};

/* EDNS(0) as found in the OPT record (RFC 6891 §6.1.2). */
struct hf_pkt_edns {
	uint16_t udp_size; /* requestor's payload size, as sent (may be < 512) */
	uint8_t ext_rcode; /* upper 8 bits of the 12-bit RCODE */
	uint8_t version;
	uint16_t flags; /* DO and the rest of the Z field */
	uint16_t opts;  /* offset of the options (the OPT RDATA) */
	uint16_t opts_len;
};

#define HF_PKT_INLINE_RRS 16

struct hf_pkt {
	const uint8_t *wire;
	size_t len;
	uint16_t id;
	uint16_t flags;    /* the raw second header word */
	uint16_t count[4]; /* QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT as in the header */
	/* Questions and records of all sections in wire order; rr[sect[s]] is the
	 * first of section s. The OPT record is kept here as well. */
	struct hf_rr *rr;
	size_t nrr;
	size_t sect[4];
	bool has_edns;
	struct hf_pkt_edns edns;
	size_t opt_index; /* index of the OPT record in rr[], if has_edns */
	const struct hf_mm *mm;
	struct hf_rr inline_rr[HF_PKT_INLINE_RRS];
};

/*
 * Parses wire[0..len) into pkt. mm (NULL = heap) supplies the view array if
 * the inline one is too small. On any error except HF_EBADVERS, pkt holds
 * nothing that needs freeing; on success or HF_EBADVERS, call hf_pkt_clear().
 */
HF_MUSTCHECK int hf_pkt_parse(struct hf_pkt *pkt, const uint8_t *wire, size_t len,
                              const struct hf_mm *mm);

/* Releases what hf_pkt_parse() allocated. Safe on a zeroed struct. */
void hf_pkt_clear(struct hf_pkt *pkt);

/*
 * hf_pkt_parse() for callers that only want a fully valid message: true
 * (call hf_pkt_clear() after) or false with nothing to free, HF_EBADVERS
 * included.
 */
static inline bool hf_pkt_parse_valid(struct hf_pkt *pkt, const uint8_t *wire, size_t len)
{
	int rc = hf_pkt_parse(pkt, wire, len, NULL);
	if (rc == HF_EBADVERS)
		hf_pkt_clear(pkt);
	return rc == HF_OK;
}

/* Number of entries in a section, and the i-th of them. */
static inline size_t hf_pkt_section_count(const struct hf_pkt *pkt, enum hf_section s)
{
	size_t end = s == HF_SECTION_ADDITIONAL ? pkt->nrr : pkt->sect[s + 1];
	return end - pkt->sect[s];
}

static inline const struct hf_rr *hf_pkt_section_rr(const struct hf_pkt *pkt, enum hf_section s,
                                                    size_t i)
{
	return &pkt->rr[pkt->sect[s] + i];
}

/* The full 12-bit RCODE (header RCODE plus OPT extended RCODE). */
uint16_t hf_pkt_rcode(const struct hf_pkt *pkt);

/* Copies the owner of a record in pkt, uncompressed; returns its length. */
HF_MUSTCHECK int hf_pkt_owner(const struct hf_pkt *pkt, const struct hf_rr *rr,
                              uint8_t out[HF_NAME_MAX]);

/*
 * Copies the RDATA of a record in pkt, uncompressed (see hf_rdata_unpack),
 * read with the layout hf_rdata_layout() gives for its type and class.
 * Returns its length or an error; HF_RDATA_MAX octets always suffice.
 */
HF_MUSTCHECK int hf_pkt_rdata(const struct hf_pkt *pkt, const struct hf_rr *rr, uint8_t *out,
                              size_t cap);

/*
 * Is reply an answer to query (a message we built: one question, written
 * uncompressed)? Same ID, QR set, opcode QUERY, exactly one question, and that
 * question the same name (octet for octet: case included, so a reply that
 * changed the 0x20 pattern was not built from our query), type and class.
 */
bool hf_pkt_answers(const struct hf_pkt *reply, const uint8_t *query, size_t query_len);

/* Static names for opcodes, rcodes and sections ("QUERY", "NXDOMAIN", "ANSWER"); NULL if unknown.
 */
const char *hf_opcode_name(unsigned opcode);
const char *hf_rcode_name(unsigned rcode);
const char *hf_section_name(enum hf_section s);
