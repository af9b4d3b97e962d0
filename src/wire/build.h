/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writing a DNS message under a size limit.
 *
 * Sections are written in order: header, questions, answer, authority,
 * additional, and the OPT record last. Names are compressed (owners always,
 * RDATA names for the RFC 3597 §4 types) against every name already
 * written. A record or RRset that does not fit is left out whole: in the
 * answer or authority section that sets TC and every later record is refused
 * too (RFC 2181 §9); in the additional section it is simply dropped. Room for
 * the OPT record is reserved up front with hf_build_reserve(), so EDNS is
 * never what gets cut.
 *
 *   struct hf_build b;
 *   hf_build_init(&b, buf, 1232);
 *   hf_build_header(&b, id, HF_FLAG_QR | HF_FLAG_RD);
 *   hf_build_question(&b, qname, qtype, HF_CLASS_IN);
 *   hf_build_reserve(&b, hf_build_edns_size(&edns));
 *   hf_build_rr(&b, HF_SECTION_ANSWER, ...);
 *   hf_build_edns(&b, &edns);
 *   len = hf_build_finish(&b);
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "wire/pkt.h"

/* Name offsets remembered for compression; later names still fit, uncompressed. */
#define HF_BUILD_CTAB 96

struct hf_build {
	uint8_t *buf;
	size_t limit; /* hard size limit of the message */
	size_t pos;
	size_t reserved; /* octets kept free for the OPT record */
	uint16_t count[4];
	int section; /* section of the last record written */
	bool tc;     /* an answer or authority record did not fit */
	int err;     /* first error other than running out of room */
	size_t nctab;
	uint16_t ctab[HF_BUILD_CTAB]; /* offsets of names (and their suffixes) written */
};

/* One EDNS option to write. */
struct hf_build_opt {
	uint16_t code;
	uint16_t len;
	const uint8_t *data;
};

/* What goes into the OPT record. */
struct hf_build_edns {
	uint16_t udp_size;
	uint8_t ext_rcode;
	uint8_t version;
	uint16_t flags;
	const struct hf_build_opt *opts;
	size_t nopts;
	/* RFC 7830/8467: pad the whole message to a multiple of this (0 = no padding). */
	uint16_t pad_block;
};

/* limit is capped at HF_MSG_MAX; buf must hold limit octets. */
void hf_build_init(struct hf_build *b, uint8_t *buf, size_t limit);

HF_MUSTCHECK int hf_build_header(struct hf_build *b, uint16_t id, uint16_t flags);

/* Sets the header flag word (e.g. to change RCODE after the fact). */
void hf_build_set_flags(struct hf_build *b, uint16_t flags);

HF_MUSTCHECK int hf_build_question(struct hf_build *b, const uint8_t *qname, uint16_t qtype,
                                   uint16_t qclass);

/*
 * Appends one record with uncompressed rdata. Returns HF_OK, HF_ESPACE (did
 * not fit; TC set for answer/authority), HF_EINVAL (section out of order or
 * after TC) or HF_ERDATA.
 */
HF_MUSTCHECK int hf_build_rr(struct hf_build *b, enum hf_section s, const uint8_t *owner,
                             uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
                             size_t rdlen);

/* Appends n records sharing owner, type, class and TTL: all of them or none. */
HF_MUSTCHECK int hf_build_rrset(struct hf_build *b, enum hf_section s, const uint8_t *owner,
                                uint16_t type, uint16_t rclass, uint32_t ttl,
                                const uint8_t *const *rdata, const uint16_t *rdlen, size_t n);

/* Size of the OPT record e would produce, padding excluded. */
size_t hf_build_edns_size(const struct hf_build_edns *e);

/* Keeps n more octets free for the final OPT record; HF_ESPACE if they are not there. */
HF_MUSTCHECK int hf_build_reserve(struct hf_build *b, size_t n);

/* Writes the OPT record, using the reserved room. */
HF_MUSTCHECK int hf_build_edns(struct hf_build *b, const struct hf_build_edns *e);

/* Writes the counts and TC into the header and returns the message length. */
size_t hf_build_finish(struct hf_build *b);
