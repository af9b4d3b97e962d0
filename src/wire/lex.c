/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Zone-file tokenizer; see lex.h. A hand-written scanner over one buffer:
 * no allocation, no copying, escapes left for the consumer.
 */
#include "wire/lex.h"

#include "util/err.h"

void hf_lex_init(struct hf_lex *lx, const char *text, size_t len)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->depth = 0;
	lx->last_end = (size_t)-1;
	lx->ended = false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_delim(char c)
{
	return is_blank(c) || c == '\n' || c == '(' || c == ')' || c == ';' || c == '"';
}

static void skip_comment(struct hf_lex *lx)
{
	while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
		lx->pos++;
}

static int read_quoted(struct hf_lex *lx, struct hf_lex_tok *tok)
{
	size_t start = ++lx->pos; /* past the opening quote */

	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];

		if (c == '"') {
			tok->text = lx->text + start;
			tok->len = lx->pos - start;
			tok->quoted = true;
			lx->pos++;
			return 1;
		}
		if (c == '\n')
			return HF_ESYNTAX;
		if (c == '\\') {
			if (lx->pos + 1 >= lx->len)
				return HF_ESYNTAX;
			lx->pos++;
		}
		lx->pos++;
	}
	return HF_ESYNTAX;
}

static int read_plain(struct hf_lex *lx, struct hf_lex_tok *tok)
{
	size_t start = lx->pos;

	while (lx->pos < lx->len && !is_delim(lx->text[lx->pos])) {
		if (lx->text[lx->pos] == '\\') {
			if (lx->pos + 1 >= lx->len)
				return HF_ESYNTAX;
			lx->pos++;
		}
		lx->pos++;
	}
	tok->text = lx->text + start;
	tok->len = lx->pos - start;
	tok->quoted = false;
	return 1;
}

int hf_lex_next(struct hf_lex *lx, struct hf_lex_tok *tok)
{
	size_t before;
	int rc;

	if (lx->ended)
		return 0;
	before = lx->pos;
	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];

		if (is_blank(c)) {
			lx->pos++;
		} else if (c == ';') {
			skip_comment(lx);
		} else if (c == '\n') {
			lx->pos++;
			if (lx->depth == 0) {
				lx->ended = true;
				return 0;
			}
		} else if (c == '(') {
			lx->depth++;
			lx->pos++;
		} else if (c == ')') {
			if (lx->depth == 0)
				return HF_ESYNTAX;
			lx->depth--;
			lx->pos++;
		} else {
			break;
		}
	}
	if (lx->pos >= lx->len) {
		lx->ended = true;
		return lx->depth == 0 ? 0 : HF_ESYNTAX;
	}
	tok->glued = lx->pos == before && before == lx->last_end;
	if (lx->text[lx->pos] == '"')
		rc = read_quoted(lx, tok);
	else
		rc = read_plain(lx, tok);
	if (rc < 0)
		return rc;
	lx->last_end = lx->pos;
	return 1;
}

int hf_lex_finish(struct hf_lex *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];

		if (is_blank(c) || c == '\n')
			lx->pos++;
		else if (c == ';')
			skip_comment(lx);
		else
			return HF_ESYNTAX;
	}
	return HF_OK;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int hf_lex_unescape(const char *raw, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned v = (unsigned char)raw[i];

		if (raw[i] == '\\') {
			if (i + 1 >= len)
				return HF_ESYNTAX;
			if (is_digit(raw[i + 1])) {
				if (i + 3 >= len || !is_digit(raw[i + 2]) || !is_digit(raw[i + 3]))
					return HF_ESYNTAX;
				v = (unsigned)(raw[i + 1] - '0') * 100 +
				    (unsigned)(raw[i + 2] - '0') * 10 +
				    (unsigned)(raw[i + 3] - '0');
				if (v > 255)
					return HF_ESYNTAX;
				i += 3;
			} else {
				v = (unsigned char)raw[i + 1];
				i++;
			}
		}
		if (o == cap)
			return HF_ESPACE;
		out[o++] = (uint8_t)v;
	}
	if (o > (size_t)INT32_MAX)
		return HF_ESPACE;
	return (int)o;
}
