/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Domain names (RFC 1035 §3.1, §4.1.4; RFC 4343; RFC 4034 §6.1).
 *
 * Inside holdfast a name is its uncompressed wire form: length-prefixed
 * labels ending in the zero-length root label, at most HF_NAME_MAX octets,
 * each label at most HF_LABEL_MAX. A buffer of HF_NAME_MAX octets holds any
 * name. Functions taking `const uint8_t *name` without a length trust that it
 * was produced by this module (hf_name_unpack, hf_name_from_text,
 * hf_name_check); everything arriving from outside is checked first.
 *
 * Decompression (hf_name_unpack) accepts a pointer only if it points strictly
 * before the start of the run of labels that contains it. Real compressors
 * only ever point back at names written earlier, and the rule makes every
 * decode terminate: each jump lands at a lower offset than the last. A
 * pointer to itself or into the run being read is HF_EPTRLOOP; a pointer at
 * or past its own offset is HF_EPTRFWD. The name pointed at must also end
 * before that run began (it was written earlier, whole); one that reads on
 * over the pointer is HF_EPTRLOOP.
 *
 * Text form follows RFC 1035 §5.1: "\." and "\\" escape special characters,
 * "\DDD" any octet. Output escapes the characters that are special in zone
 * files ( " ( ) . ; \ @ $ ) and writes octets outside 0x21..0x7e as \DDD, as
 * BIND, Unbound and dnspython do; the root is ".".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

#define HF_NAME_MAX  255
#define HF_LABEL_MAX 63
/* Longest text form: every octet as \DDD (4 chars) plus dots, plus NUL. */
#define HF_NAME_TEXT_MAX (HF_NAME_MAX * 4 + 2)

/*
 * Reads a possibly compressed name at *pos in msg[0..msglen) into out
 * (uncompressed, case kept). On success returns the uncompressed length and
 * advances *pos past the name as it sits in the message (past the first
 * pointer, if any). Errors: HF_ETRUNC, HF_ELABEL, HF_ENAMELEN, HF_ELABELTYPE,
 * HF_EPTRLOOP, HF_EPTRFWD.
 */
HF_MUSTCHECK int hf_name_unpack(const uint8_t *msg, size_t msglen, size_t *pos,
                                uint8_t out[HF_NAME_MAX]);

/*
 * Skips a possibly compressed name at *pos, validating it like
 * hf_name_unpack() but without copying. Returns the uncompressed length.
 */
HF_MUSTCHECK int hf_name_skip(const uint8_t *msg, size_t msglen, size_t *pos);

/*
 * Checks an uncompressed name in buf[0..len): no pointers (HF_EPTRHERE),
 * label and name limits. Returns the name's length (may be less than len).
 */
HF_MUSTCHECK int hf_name_check(const uint8_t *buf, size_t len);

/* Length of a trusted uncompressed name, including the root label. */
size_t hf_name_len(const uint8_t *name);

/* Number of labels, not counting the root (so "." is 0, "a.b." is 2). */
unsigned hf_name_labels(const uint8_t *name);

/*
 * Parses text[0..len) into out. A name not ending in an unescaped dot is
 * relative and gets origin appended (origin NULL means the root); "@" alone
 * is the origin. Returns the wire length or HF_ESYNTAX, HF_ELABEL,
 * HF_ENAMELEN.
 */
HF_MUSTCHECK int hf_name_from_text(const char *text, size_t len, const uint8_t *origin,
                                   uint8_t out[HF_NAME_MAX]);

/*
 * Writes the absolute text form of name into out (NUL-terminated). Returns
 * the text length, or HF_ESPACE if cap is too small (HF_NAME_TEXT_MAX always
 * suffices).
 */
HF_MUSTCHECK int hf_name_to_text(const uint8_t *name, char *out, size_t cap);

/* Case-insensitive equality (RFC 4343: ASCII letters only). */
bool hf_name_eq(const uint8_t *a, const uint8_t *b);

/* Canonical DNS name order, RFC 4034 §6.1: <0, 0, >0. */
int hf_name_cmp_canonical(const uint8_t *a, const uint8_t *b);

/* True if name is parent or lies below it (case-insensitive). */
bool hf_name_in_zone(const uint8_t *name, const uint8_t *parent);

/* How many labels a and b share at their end (their closest common ancestor's count). */
unsigned hf_name_common_labels(const uint8_t *a, const uint8_t *b);

/* "*." + name into out (RFC 4592); false if that would be longer than a name may be. */
bool hf_name_wildcard(const uint8_t *name, uint8_t out[HF_NAME_MAX]);

/* Lowercases the ASCII letters of name in place. */
void hf_name_lower(uint8_t *name);

/*
 * Points at the suffix of name that has the given number of labels (0 gives
 * the root label). Returns NULL if name has fewer labels.
 */
const uint8_t *hf_name_suffix(const uint8_t *name, unsigned labels);

/* Lowercase-ASCII a single octet; the DNS comparison table. */
static inline uint8_t hf_lower(uint8_t c)
{
	return (uint8_t)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}
