/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Zone-file tokenizer (RFC 1035 §5.1), internal to src/wire.
 *
 * Splits one entry of presentation text into tokens: runs of characters
 * separated by blanks, or "quoted strings". A backslash escapes the next
 * character (so "\ " and "\;" stay inside a token); escapes are not decoded
 * here but kept in the token for the consumer, which knows whether it wants
 * a name (hf_name_from_text decodes its own escapes) or octets
 * (hf_lex_unescape). "( )" groups lines into one entry, ";" starts a comment
 * running to the end of the line. A newline outside parentheses ends the
 * entry.
 *
 *   struct hf_lex lx;
 *   struct hf_lex_tok t;
 *   hf_lex_init(&lx, text, len);
 *   while ((rc = hf_lex_next(&lx, &t)) == 1)   -- (callers write it without
 *           use(t.text, t.len);                    the assignment in the test)
 *
 * Nothing is allocated and the text must outlive the tokens.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

struct hf_lex {
	const char *text;
	size_t len;
	size_t pos;
	unsigned depth;  /* open parentheses */
	size_t last_end; /* where the previous token ended, for glued */
	bool ended;      /* the entry's end (newline or end of text) was reached */
};

struct hf_lex_tok {
	const char *text; /* raw characters, escapes kept, quotes removed */
	size_t len;
	bool quoted;
	bool glued; /* follows the previous token with nothing in between */
};

void hf_lex_init(struct hf_lex *lx, const char *text, size_t len);

/*
 * Reads the next token of the current entry. Returns 1 and fills tok, 0 at
 * the end of the entry (then keeps returning 0), or HF_ESYNTAX (unbalanced
 * parentheses, unterminated quote, newline inside a quote, trailing
 * backslash).
 */
HF_MUSTCHECK int hf_lex_next(struct hf_lex *lx, struct hf_lex_tok *tok);

/*
 * After the end of an entry: HF_OK if nothing but blanks, comments and empty
 * lines follows, HF_ESYNTAX otherwise.
 */
HF_MUSTCHECK int hf_lex_finish(struct hf_lex *lx);

/*
 * Decodes the escapes of a raw token ("\X" is X, "\DDD" the octet DDD) into
 * out. Returns the octet count, HF_ESYNTAX for a bad escape, or HF_ESPACE if
 * more than cap octets result.
 */
HF_MUSTCHECK int hf_lex_unescape(const char *raw, size_t len, uint8_t *out, size_t cap);

/*
 * Parses the RDATA part of an entry from an open tokenizer (rdata.c), so
 * rr.c can hand over after the type with any "(" still open. Stops at the
 * end of the entry; the caller runs hf_lex_finish(). Same results as
 * hf_rdata_from_text().
 */
HF_MUSTCHECK int hf_rdata_from_lex(uint16_t type, struct hf_lex *lx, const uint8_t *origin,
                                   uint8_t *out, size_t cap);

/* A TTL or RDATA time interval: decimal seconds or BIND units ("1w2d3h4m5s"),
 * 0..2^32-1. HF_OK, HF_ESYNTAX or HF_ERANGE. */
HF_MUSTCHECK int hf_rdata_parse_ttl(const char *s, size_t n, uint32_t *v);
