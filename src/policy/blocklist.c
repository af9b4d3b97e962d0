/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Block lists, in the two forms lists are published in:
 *
 *   hosts     "0.0.0.0 ads.example tracker.example": the names after the
 *             address, exactly those names (a hosts file lists each host).
 *             The address itself is ignored (the list's action decides).
 *             Single-label names ("localhost", "broadcasthost", which the
 *             usual lists start with) are skipped: they are not what a list
 *             blocks, and a rule that high would trip the blast-radius guard.
 *   domains   one name a line: the name and everything below it, because
 *             that is what people mean by blocking a domain; "*.example"
 *             blocks only what is below example.
 *
 * "#" starts a comment in both. Every name must be a valid domain name;
 * any other line is an error naming its line, so a truncated or mangled
 * download is refused rather than half applied.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "policy/impl.h"
#include "util/err.h"
#include "wire/rrtype.h"

#define LINE_MAX_LEN 4096
#define LIST_TTL     300 /* of an address answer: short, lists change */

struct list_ctx {
	struct hf_policy *p;
	struct hf_policy_source *src;
	enum hf_policy_action action;
	const struct hf_policy_rr *rr;
	char *err;
	size_t cap;
};

/* The list's action: an address answer keeps its record in the source, shared by every rule. */
static int set_action(struct list_ctx *c, const char *action)
{
	struct hf_policy_source *s = c->src;
	c->rr = NULL;
	if (strcmp(action, "nxdomain") == 0) {
		c->action = HF_POLICY_NXDOMAIN;
		return HF_OK;
	}
	if (strcmp(action, "nodata") == 0) {
		c->action = HF_POLICY_NODATA;
		return HF_OK;
	}
	c->action = HF_POLICY_LOCAL;
	s->shared_rr = (struct hf_policy_rr){.ttl = LIST_TTL, .rdata = s->shared_rdata};
	if (inet_pton(AF_INET, action, s->shared_rdata) == 1) {
		s->shared_rr.type = HF_TYPE_A;
		s->shared_rr.rdlen = 4;
	} else if (inet_pton(AF_INET6, action, s->shared_rdata) == 1) {
		s->shared_rr.type = HF_TYPE_AAAA;
		s->shared_rr.rdlen = 16;
	} else {
		snprintf(c->err, c->cap, "action \"%.40s\" is not nxdomain, nodata or an address",
		         action);
		return HF_EINVAL;
	}
	c->rr = &s->shared_rr;
	return HF_OK;
}

static int add_key(struct list_ctx *c, enum trigger t, const uint8_t *name, unsigned line)
{
	uint8_t key[KEY_MAX];
	size_t klen = hf_policy_name_key(key, t, name);
	unsigned prev;
	int rc = hf_policy_rule_add(c->p, c->src, key, klen, c->action, c->rr, line, &prev);
	if (rc == RULE_DUP)
		return HF_OK; /* listed twice: lists often are */
	if (rc != HF_OK)
		snprintf(c->err, c->cap, "out of memory");
	return rc;
}

/* Host names only: a line in another list syntax (adblock's "||x^") is not taken for one. */
static bool hostname_chars(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* One name of a list; below_too: the name and below (domains), exactly (hosts). */
static int add_name(struct list_ctx *c, const char *tok, size_t len, bool below_too, unsigned line)
{
	uint8_t name[HF_NAME_MAX];
	bool wild = len >= 2 && tok[0] == '*' && tok[1] == '.';
	if (wild) {
		tok += 2;
		len -= 2;
	}
	if (len == 0 || !hostname_chars(tok, len) || hf_name_from_text(tok, len, NULL, name) < 0)
		return hf_policy_fail(c->err, c->cap, line, "\"%.*s\" is not a domain name",
		                      (int)(len < 64 ? len : 64), tok);
	if (!below_too && !wild && hf_name_labels(name) < 2)
		return HF_OK; /* "localhost" and friends in hosts files */
	int rc = HF_OK;
	if (!wild)
		rc = add_key(c, TRIG_QNAME, name, line);
	if (rc == HF_OK && (wild || below_too))
		rc = add_key(c, TRIG_WILD, name, line);
	return rc;
}

/* The next blank-separated token of s[*pos..len); its length, 0 at the end. */
static size_t token(const char *s, size_t len, size_t *pos, const char **tok)
{
	while (*pos < len && (s[*pos] == ' ' || s[*pos] == '\t' || s[*pos] == '\r'))
		(*pos)++;
	*tok = s + *pos;
	size_t start = *pos;
	while (*pos < len && s[*pos] != ' ' && s[*pos] != '\t' && s[*pos] != '\r')
		(*pos)++;
	return *pos - start;
}

static bool is_address(const char *tok, size_t len)
{
	char buf[64];
	uint8_t a[16];
	const char *zone = memchr(tok, '%', len); /* fe80::1%lo0 */
	size_t n = zone != NULL ? (size_t)(zone - tok) : len;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

static int one_line(struct list_ctx *c, enum hf_policy_format fmt, const char *s, size_t len,
                    unsigned line)
{
	const char *hash = memchr(s, '#', len);
	if (hash != NULL)
		len = (size_t)(hash - s);
	size_t pos = 0;
	const char *tok;
	size_t n = token(s, len, &pos, &tok);
	if (n == 0)
		return HF_OK;
	if (fmt == HF_POLICY_DOMAINS) {
		const char *extra;
		if (token(s, len, &pos, &extra) != 0)
			return hf_policy_fail(c->err, c->cap, line, "one name a line, found more");
		return add_name(c, tok, n, true, line);
	}
	if (!is_address(tok, n))
		return hf_policy_fail(c->err, c->cap, line,
		                      "\"%.*s\" is not an address (hosts lines are ADDR NAME...)",
		                      (int)(n < 64 ? n : 64), tok);
	int rc = HF_OK;
	while (rc == HF_OK && (n = token(s, len, &pos, &tok)) != 0)
		rc = add_name(c, tok, n, false, line);
	return rc;
}

int hf_policy_add_blocklist(struct hf_policy *p, const char *name, enum hf_policy_format fmt,
                            const char *action, const char *text, size_t len, char *err, size_t cap)
{
	struct list_ctx c = {.p = p, .err = err, .cap = cap};
	err[0] = '\0';
	c.src = hf_policy_source_add(p, name, HF_POLICY_BLOCKLIST);
	if (c.src == NULL) {
		snprintf(err, cap, "out of memory");
		return HF_ENOMEM;
	}
	int rc = set_action(&c, action);
	unsigned line = 1;
	for (size_t pos = 0; rc == HF_OK && pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		if (end - pos > LINE_MAX_LEN)
			return hf_policy_fail(err, cap, line, "line too long");
		if (memchr(text + pos, '\0', end - pos) != NULL)
			return hf_policy_fail(err, cap, line, "NUL in the text");
		rc = one_line(&c, fmt, text + pos, end - pos, line);
		pos = end + 1;
	}
	return rc;
}
