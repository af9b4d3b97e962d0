/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A resource record outside a message: owner, type, class, TTL and
 * uncompressed RDATA, as config (local-data), logs, the control tool and
 * tests write them, and the canonical form DNSSEC signs (RFC 4034 §6.2).
 *
 * Text is one zone-file entry: "OWNER [TTL] [CLASS] TYPE RDATA", with the TTL
 * and class in either order, "( )" continuing over lines and ";" comments.
 * Directives ($ORIGIN, $TTL, $INCLUDE) are not records and are not accepted
 * here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "wire/name.h"
#include "wire/rdata.h"

/* One record, self-contained. About 64 KiB: allocate, do not put on a small stack. */
struct hf_rrdata {
	uint8_t owner[HF_NAME_MAX];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[HF_RDATA_MAX];
};

/*
 * Parses one record from text[0..len). origin completes relative names
 * (NULL = root); default_ttl is used when the text has no TTL. The class
 * defaults to IN. TTLs may use BIND units (1w2d3h4m5s). Returns HF_OK or
 * HF_ESYNTAX, HF_ETYPE, HF_ECLASS, HF_ERANGE, a name error, or an RDATA error.
 */
HF_MUSTCHECK int hf_rr_from_text(const char *text, size_t len, const uint8_t *origin,
                                 uint32_t default_ttl, struct hf_rrdata *rr);

/*
 * Writes "owner ttl class type rdata" (absolute owner, one line, no newline)
 * into out, NUL-terminated. Returns the text length, HF_ESPACE or HF_ERDATA.
 */
HF_MUSTCHECK int hf_rr_to_text(const uint8_t *owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                               const uint8_t *rdata, size_t rdlen, char *out, size_t cap);

/*
 * Writes the canonical form of one RR for signing (RFC 4034 §6.2): owner
 * lowercased and, when rrsig_labels is less than the owner's label count,
 * replaced by "*." plus its rrsig_labels rightmost labels (§3.1.3,
 * wildcard expansion); the RRSIG's original TTL; RDATA in canonical form.
 * Pass rrsig_labels = 255 to keep the owner whole. Returns the length written
 * or HF_ESPACE / HF_ERDATA.
 */
HF_MUSTCHECK int hf_rr_canonical(const uint8_t *owner, uint16_t type, uint16_t rclass,
                                 uint32_t orig_ttl, unsigned rrsig_labels, const uint8_t *rdata,
                                 size_t rdlen, uint8_t *out, size_t cap);

/*
 * Reads text as one record per line (blank lines and ";" comments skipped;
 * no "( )" across lines), calling fn with each record parsed into *rr.
 * Relative names are completed with the root, a missing TTL is default_ttl.
 * Stops at the first error, from parsing or from fn, and returns it with
 * *line set to the 1-based line at fault.
 */
HF_MUSTCHECK int hf_rr_each_line(const char *text, size_t len, uint32_t default_ttl,
                                 struct hf_rrdata *rr,
                                 int (*fn)(void *ctx, const struct hf_rrdata *rr), void *ctx,
                                 unsigned *line);
