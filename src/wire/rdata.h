/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RDATA of every type: checking, decompression, presentation text in both
 * directions, canonical form.
 *
 * Outside a message, RDATA is always uncompressed: names in it are plain
 * wire names. hf_rdata_unpack() turns the RDATA of a record inside a message
 * into that form (following compression pointers only for the types RFC 3597
 * §4 allows), and checks its layout on the way. Every other function here
 * works on uncompressed RDATA. All of them take the layout type from
 * hf_rdata_layout(), not the bare type, wherever the class is known.
 *
 * Text follows the RFC presentation formats, written the way dnspython,
 * Unbound and kdig write them: base64 and hex in one unbroken run, hex in
 * lowercase, TXT strings always quoted, SVCB parameters sorted by key and
 * quoted, unknown types as "\# LEN HEX" (RFC 3597 §5). Text input accepts
 * what those tools accept, including "\#" generic form for any type.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

/* RDATA is at most 65535 octets on the wire; uncompressed it must fit too. */
#define HF_RDATA_MAX 65535

/* A type number no layout belongs to (TYPE0 is reserved): RDATA kept as octets. */
#define HF_RDATA_OPAQUE 0

/*
 * The type whose layout the functions below should be given for RDATA of
 * (type, rclass). RFC 3597 §5 and the RFCs defining them make A, AAAA, SRV,
 * NAPTR, PX, SVCB and HTTPS class IN types: in any other class their RDATA is
 * unknown, so this returns HF_RDATA_OPAQUE. So it does for every type in
 * class ANY, where RFC 2136 deletions carry empty RDATA. Every other type
 * keeps its layout in every class.
 */
uint16_t hf_rdata_layout(uint16_t type, uint16_t rclass);

/*
 * Copies the RDATA at msg[pos..pos+rdlen) of a record of the given type into
 * out uncompressed, checking it against the type's layout. Names in RDATA may
 * be compressed only for NS, CNAME, SOA, PTR, MX (RFC 1035) and, as RFC 3597
 * §4 asks receivers to tolerate, RP, AFSDB, RT, PX, SRV, NAPTR, DNAME;
 * elsewhere a pointer is HF_ERDATA. Returns the uncompressed length, or HF_ERDATA (layout wrong),
 * a name error (HF_EPTRLOOP, ...), or HF_ESPACE (cap too small). With out
 * NULL it only checks (and measures), copying nothing.
 */
HF_MUSTCHECK int hf_rdata_unpack(const uint8_t *msg, size_t msglen, size_t pos, size_t rdlen,
                                 uint16_t type, uint8_t *out, size_t cap);

/* Checks uncompressed RDATA against its type's layout: HF_OK or HF_ERDATA. */
HF_MUSTCHECK int hf_rdata_check(uint16_t type, const uint8_t *rdata, size_t rdlen);

/*
 * Writes the presentation text of uncompressed RDATA (no owner, TTL, class
 * or type) into out, NUL-terminated. Returns the text length, HF_ESPACE, or
 * HF_ERDATA if the RDATA does not match its type.
 */
HF_MUSTCHECK int hf_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t rdlen, char *out,
                                  size_t cap);

/*
 * Parses presentation text (the RDATA part only; may span tokens, quoted
 * strings, and "( )" groups) into uncompressed RDATA. Relative names get
 * origin appended (NULL = root). Returns the RDATA length, or HF_ESYNTAX,
 * HF_ERANGE, HF_ETYPE, HF_ESPACE, a name error, or HF_ERDATA when "\#" text
 * for a typed type does not match the type's layout.
 */
HF_MUSTCHECK int hf_rdata_from_text(uint16_t type, const char *text, size_t len,
                                    const uint8_t *origin, uint8_t *out, size_t cap);

/*
 * Puts uncompressed RDATA into canonical form in place (RFC 4034 §6.2 with
 * the RFC 6840 §5.1 correction): ASCII letters of the embedded names are
 * lowercased for NS, CNAME, SOA, PTR, MX, SRV, NAPTR, DNAME, RRSIG (signer)
 * and the obsolete types in that list; NSEC's next name keeps its case.
 */
void hf_rdata_canonicalize(uint16_t type, uint8_t *rdata, size_t rdlen);

/* Canonical RR ordering within an RRset (RFC 4034 §6.3): <0, 0, >0. */
int hf_rdata_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/*
 * For types whose RDATA names may be compressed when written (RFC 3597 §4:
 * NS, CNAME, SOA, PTR, MX), stores the offsets of those names within the
 * uncompressed RDATA in offs and returns how many (0, 1 or 2; 0 for other
 * types), or HF_ERDATA for malformed RDATA.
 */
int hf_rdata_compressible_names(uint16_t type, const uint8_t *rdata, size_t rdlen,
                                uint16_t offs[2]);
