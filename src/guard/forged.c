/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The known-forged list: entries sorted by family and address, so a lookup
 * is a binary search and a short walk back (see hf_forged_has).
 */
#include "guard/forged.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/file.h"

extern const char hf_forged_builtin_start[];
extern const char hf_forged_builtin_end[];

/* The shipped list, built in with .incbin (the Makefile names it as a dependency). */
__asm__(".section .rodata\n"
        ".global hf_forged_builtin_start\n"
        ".global hf_forged_builtin_end\n"
        "hf_forged_builtin_start:\n"
        ".incbin \"data/forged-addresses.txt\"\n"
        "hf_forged_builtin_end:\n"
        ".previous\n");

struct hf_forged {
	struct hf_prefix *e;
	size_t n;
	uint8_t widest[2]; /* per family (IPv4, IPv6): the fewest prefix bits of any entry */
};

static int cmp_prefix(const void *a, const void *b)
{
	const struct hf_prefix *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->addr, y->addr, 16);
	return c != 0 ? c : (int)x->bits - (int)y->bits;
}

static bool covers(const struct hf_prefix *p, const uint8_t *addr)
{
	unsigned full = p->bits / 8, rest = p->bits % 8;
	if (memcmp(p->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr[full] & mask) == (addr[full] & mask);
}

/* One line: blank, a comment, or an entry (trailing comment allowed). 1 = entry, 0 = none. */
static int parse_line(const char *line, size_t len, struct hf_prefix *out)
{
	char buf[128];
	size_t end = 0;
	while (end < len && line[end] != '#')
		end++;
	size_t start = 0;
	while (start < end && (line[start] == ' ' || line[start] == '\t' || line[start] == '\r'))
		start++;
	while (end > start &&
	       (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
		end--;
	if (start == end)
		return 0;
	if (end - start >= sizeof(buf) || memchr(line + start, '\0', end - start) != NULL)
		return HF_EINVAL;
	memcpy(buf, line + start, end - start);
	buf[end - start] = '\0';
	return hf_prefix_parse(buf, out) == HF_OK ? 1 : HF_EINVAL;
}

static void shown(const char *line, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < cap && line[i] != '\n'; i++)
		out[n++] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	out[n] = '\0';
}

struct hf_forged *hf_forged_parse(const char *text, size_t len, char err[HF_CONFIG_ERR_MAX])
{
	struct hf_forged *f = hf_calloc(1, sizeof(*f));
	size_t cap = 0;
	unsigned lineno = 0;
	if (f == NULL)
		goto nomem;
	f->widest[0] = 32;
	f->widest[1] = 128;
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += llen + 1;
		lineno++;
		struct hf_prefix p;
		int rc = parse_line(line, llen, &p);
		if (rc == 0)
			continue;
		if (rc < 0) {
			char what[48];
			shown(line, llen, what, sizeof(what));
			snprintf(err, HF_CONFIG_ERR_MAX,
			         "line %u: '%s' is not an address or prefix", lineno, what);
			hf_forged_free(f);
			return NULL;
		}
		if (f->n == HF_FORGED_MAX_ENTRIES) {
			snprintf(err, HF_CONFIG_ERR_MAX, "line %u: more than %u entries", lineno,
			         HF_FORGED_MAX_ENTRIES);
			hf_forged_free(f);
			return NULL;
		}
		if (f->n == cap) {
			cap = cap ? 2 * cap : 256;
			struct hf_prefix *e = hf_realloc(f->e, cap * sizeof(*e));
			if (e == NULL)
				goto nomem;
			f->e = e;
		}
		f->e[f->n++] = p;
		uint8_t *widest = &f->widest[p.family == AF_INET ? 0 : 1];
		if (p.bits < *widest)
			*widest = p.bits;
	}
	if (f->n != 0)
		qsort(f->e, f->n, sizeof(*f->e), cmp_prefix);
	return f;
nomem:
	hf_forged_free(f);
	snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
	return NULL;
}

struct hf_forged *hf_forged_load(const char *path, char err[HF_CONFIG_ERR_MAX])
{
	if (path == NULL || path[0] == '\0')
		return hf_forged_parse(hf_forged_builtin_start,
		                       (size_t)(hf_forged_builtin_end - hf_forged_builtin_start),
		                       err);
	size_t len;
	int rc;
	char *text = hf_read_file(path, HF_FORGED_MAX_BYTES, &len, &rc);
	if (text == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: %s", path, hf_strerror(rc));
		return NULL;
	}
	char why[HF_CONFIG_ERR_MAX];
	struct hf_forged *f = hf_forged_parse(text, len, why);
	hf_free(text);
	if (f == NULL)
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: %.400s", path, why);
	return f;
}

void hf_forged_free(struct hf_forged *f)
{
	if (f == NULL)
		return;
	hf_free(f->e);
	hf_free(f);
}

size_t hf_forged_count(const struct hf_forged *f)
{
	return f != NULL ? f->n : 0;
}

/*
 * The last entry sorting at or below the address, then back over entries a
 * covering prefix could hide behind: a covering prefix sorts at or below the
 * address, but entries it covers may sort between it and the address.
 */
bool hf_forged_has(const struct hf_forged *f, const uint8_t *addr, size_t len)
{
	if (f == NULL || f->n == 0 || (len != 4 && len != 16))
		return false;
	struct hf_prefix key = {.family = len == 4 ? AF_INET : AF_INET6, .bits = 128};
	memcpy(key.addr, addr, len);
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_prefix(&f->e[mid], &key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct hf_prefix reach = key; /* what the widest entry of the family could cover */
	reach.bits = f->widest[len == 4 ? 0 : 1];
	for (size_t i = lo; i-- > 0;) {
		const struct hf_prefix *p = &f->e[i];
		if (p->family != key.family || !covers(&reach, p->addr))
			return false;
		if (covers(p, addr))
			return true;
	}
	return false;
}
