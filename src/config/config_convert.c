/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Pass 2 of the loader, one value at a time: a node of the YAML tree is
 * checked against its schema row (type, range, form) and stored into the
 * struct the row points into. Lists are stored as soon as they are
 * allocated, so hf_config_free_fields() frees a half-built config as well as
 * a whole one. Walking mappings, defaults and checks between keys are in
 * config.c.
 */
#include "config/impl.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/name.h"
#include "wire/rr.h"

#define LOCAL_DATA_TTL 3600 /* for local-data records written without one */

/* --- the schema ----------------------------------------------------------------- */

/* The row for name[0..len) directly under prefix ("" = the top level), or -1. */
int hf_config_find_row(const char *prefix, const char *name, size_t len)
{
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < hf_config_schema_len; i++) {
		const char *k = hf_config_schema[i].key;
		if (plen != 0) {
			if (strncmp(k, prefix, plen) != 0 || k[plen] != '.')
				continue;
			k += plen + 1;
		}
		if (strchr(k, '.') == NULL && strlen(k) == len && memcmp(k, name, len) == 0)
			return (int)i;
	}
	return -1;
}

int hf_config_find_key(const char *key)
{
	const char *dot = strrchr(key, '.');
	char prefix[HF_CONFIG_KEY_MAX] = "";
	if (dot != NULL)
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot - key), key);
	const char *leaf = hf_config_leaf(key);
	int r = hf_config_find_row(prefix, leaf, strlen(leaf));
	hf_require(r >= 0);
	return r;
}

/* True if the row is a field of the struct that keys under prefix fill. */
bool hf_config_in_scope(const struct hf_config_key *row, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (plen == 0)
		return strstr(row->key, "[]") == NULL;
	/* The keys of a table's items ("policy.rpz[].file") are not the section's own. */
	return strncmp(row->key, prefix, plen) == 0 && row->key[plen] == '.' &&
	       strstr(row->key + plen + 1, "[]") == NULL;
}

const char *hf_config_type_noun(enum hf_config_type t, unsigned flags)
{
	switch (t) {
	case HF_CONFIG_SECTION:
		return "a mapping";
	case HF_CONFIG_BOOL:
		return "a boolean (true or false)";
	case HF_CONFIG_UINT:
		return (flags & HF_CONFIG_AUTO) ? "a number or \"auto\"" : "a number";
	case HF_CONFIG_DURATION:
		return "a duration (like 30s, 5m, 1d)";
	case HF_CONFIG_SIZE:
		return "a size (like 512K, 256M, 2G)";
	case HF_CONFIG_PATH:
		return "a path";
	case HF_CONFIG_STRING:
		return "a string";
	case HF_CONFIG_ADDR:
		return "an address";
	case HF_CONFIG_ADDRS:
		return "a list of addresses";
	case HF_CONFIG_PREFIXES:
		return "a list of prefixes";
	case HF_CONFIG_PATHS:
		return "a list of paths";
	case HF_CONFIG_NAME:
		return "a domain name";
	case HF_CONFIG_NAMES:
		return "a list of domain names";
	case HF_CONFIG_RECORDS:
		return "a list of records";
	case HF_CONFIG_LOG_LEVEL:
		return "a log level (error, warning, info or debug)";
	case HF_CONFIG_FORWARD:
		return "\"resolv.conf\" or a list of zones";
	case HF_CONFIG_UPSTREAMS:
		return "a list of upstreams";
	case HF_CONFIG_SHARE:
		return "a share (like 1% or 0.5%)";
	case HF_CONFIG_TABLE:
		return "a list of mappings";
	}
	return "a value";
}

/* What one item of a list type is called. */
static const char *item_noun(enum hf_config_type t)
{
	switch (t) {
	case HF_CONFIG_ADDRS:
		return "an address";
	case HF_CONFIG_PREFIXES:
		return "a prefix";
	case HF_CONFIG_PATHS:
		return "a path";
	case HF_CONFIG_NAMES:
		return "a domain name";
	case HF_CONFIG_RECORDS:
		return "a record";
	case HF_CONFIG_UPSTREAMS:
		return "an upstream";
	default:
		return "a value";
	}
}

static size_t item_size(enum hf_config_type t)
{
	switch (t) {
	case HF_CONFIG_ADDRS:
		return sizeof(struct hf_addr);
	case HF_CONFIG_PREFIXES:
		return sizeof(struct hf_prefix);
	case HF_CONFIG_NAMES:
		return HF_NAME_MAX;
	case HF_CONFIG_UPSTREAMS:
		return sizeof(struct hf_upstream_conf);
	default:
		return sizeof(char *);
	}
}

/* The range of a number, duration or size row as text ("512..4096", "50ms..30s"). */
void hf_config_format_range(const struct hf_config_key *row, char *out, size_t cap)
{
	char lo[32], hi[32];
	if (row->type == HF_CONFIG_SHARE) {
		hf_config_format_share((uint32_t)row->min, lo, sizeof(lo));
		hf_config_format_share((uint32_t)row->max, hi, sizeof(hi));
	} else if (row->type == HF_CONFIG_DURATION) {
		hf_config_format_duration(row->min, lo, sizeof(lo));
		hf_config_format_duration(row->max, hi, sizeof(hi));
	} else if (row->type == HF_CONFIG_SIZE) {
		hf_config_format_size(row->min, lo, sizeof(lo));
		hf_config_format_size(row->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)row->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)row->max);
	}
	snprintf(out, cap, "%s%s..%s", (row->flags & HF_CONFIG_AUTO) ? "auto or " : "", lo, hi);
}

/* --- pass 2: values ----------------------------------------------------------------- */

static void store_uint(void *field, size_t size, uint64_t v)
{
	if (size == sizeof(uint8_t)) {
		uint8_t x = (uint8_t)v;
		memcpy(field, &x, size);
	} else if (size == sizeof(uint16_t)) {
		uint16_t x = (uint16_t)v;
		memcpy(field, &x, size);
	} else if (size == sizeof(uint32_t)) {
		uint32_t x = (uint32_t)v;
		memcpy(field, &x, size);
	} else {
		hf_require(size == sizeof(uint64_t));
		memcpy(field, &v, size);
	}
}

static char *dup_text(const struct hf_config_node *n)
{
	char *s = hf_malloc(n->len + 1);
	if (s != NULL)
		memcpy(s, n->text, n->len + 1);
	return s;
}

/*
 * Checks that v is a scalar with a value and no NUL octet. line is where to
 * report a missing value (the key's line: libyaml places an empty value after it).
 */
static int want_scalar(struct hf_config_ctx *c, const struct hf_config_node *v, unsigned long line,
                       const char *path, const char *noun)
{
	char q[HF_CONFIG_QUOTE_CAP];
	if (v->kind != HF_CONFIG_NODE_SCALAR)
		return hf_config_fail(c, v->line, path, "expected %s, found %s", noun,
		                      hf_config_describe(v, q));
	if (v->null)
		return hf_config_fail(c, line, path, "has no value; expected %s", noun);
	if (memchr(v->text, '\0', v->len) != NULL)
		return hf_config_fail(c, v->line, path, "%s contains a NUL character",
		                      hf_config_quote(v, q));
	return HF_OK;
}

static int conv_bool(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                     bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
	                                  "YES",  "on",   "On",   "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No",
	                                 "NO",    "off",   "Off",   "OFF"};
	char q[HF_CONFIG_QUOTE_CAP];
	for (size_t i = 0; i < HF_ARRAY_LEN(yes); i++) {
		if (strcmp(v->text, yes[i]) == 0) {
			*out = true;
			return HF_OK;
		}
		if (strcmp(v->text, no[i]) == 0) {
			*out = false;
			return HF_OK;
		}
	}
	return hf_config_fail(c, v->line, path, "%s is not a boolean (true or false)",
	                      hf_config_quote(v, q));
}

/* The errors of a number that is not one (well_formed false) or out of the row's range. */
static int number_in_range(struct hf_config_ctx *c, const struct hf_config_key *row,
                           const struct hf_config_node *v, const char *path, bool well_formed,
                           uint64_t n)
{
	char q[HF_CONFIG_QUOTE_CAP], range[64];
	if (!well_formed)
		return hf_config_fail(c, v->line, path, "%s is not %s", hf_config_quote(v, q),
		                      hf_config_type_noun(row->type, row->flags));
	if (n < row->min || n > row->max) {
		hf_config_format_range(row, range, sizeof(range));
		return hf_config_fail(c, v->line, path, "%s is out of range (%s)",
		                      hf_config_quote(v, q), range);
	}
	return HF_OK;
}

static int conv_uint(struct hf_config_ctx *c, const struct hf_config_key *row,
                     const struct hf_config_node *v, const char *path, void *field)
{
	uint64_t n = 0;
	size_t i;

	if ((row->flags & HF_CONFIG_AUTO) && strcmp(v->text, "auto") == 0) {
		store_uint(field, row->size, 0);
		return HF_OK;
	}
	for (i = 0; i < v->len && v->text[i] >= '0' && v->text[i] <= '9'; i++) {
		if (n <= row->max)
			n = n * 10 + (uint64_t)(v->text[i] - '0');
	}
	int ret = number_in_range(c, row, v, path, i != 0 && i == v->len, n);
	if (ret == HF_OK)
		store_uint(field, row->size, n);
	return ret;
}

static int conv_duration(struct hf_config_ctx *c, const struct hf_config_key *row,
                         const struct hf_config_node *v, const char *path, void *field)
{
	char q[HF_CONFIG_QUOTE_CAP], range[64];
	uint64_t ms;
	int ret = hf_config_parse_duration(v->text, v->len, &ms);
	if (ret == HF_ESYNTAX)
		return hf_config_fail(c, v->line, path, "%s is not a duration (like 30s, 5m, 1d)",
		                      hf_config_quote(v, q));
	if (ret != HF_OK || ms < row->min || ms > row->max) {
		hf_config_format_range(row, range, sizeof(range));
		return hf_config_fail(c, v->line, path, "%s is out of range (%s)",
		                      hf_config_quote(v, q), range);
	}
	if (ms % row->unit != 0)
		return hf_config_fail(c, v->line, path, "%s is not a whole number of seconds",
		                      hf_config_quote(v, q));
	store_uint(field, row->size, ms / row->unit);
	return HF_OK;
}

static int conv_size(struct hf_config_ctx *c, const struct hf_config_key *row,
                     const struct hf_config_node *v, const char *path, void *field)
{
	char q[HF_CONFIG_QUOTE_CAP], range[64];
	uint64_t n;
	int ret = hf_config_parse_size(v->text, v->len, &n);
	if (ret == HF_ESYNTAX)
		return hf_config_fail(c, v->line, path, "%s is not a size (like 512K, 256M, 2G)",
		                      hf_config_quote(v, q));
	if (ret != HF_OK || n < row->min || n > row->max) {
		hf_config_format_range(row, range, sizeof(range));
		return hf_config_fail(c, v->line, path, "%s is out of range (%s)",
		                      hf_config_quote(v, q), range);
	}
	store_uint(field, row->size, n);
	return HF_OK;
}

static int conv_path(struct hf_config_ctx *c, const struct hf_config_key *row,
                     const struct hf_config_node *v, const char *path, void *field)
{
	char *old, *s;
	if (v->len == 0 && !(row->flags & HF_CONFIG_EMPTY_OK))
		return hf_config_fail(c, v->line, path, "must not be empty");
	s = dup_text(v);
	if (s == NULL)
		return hf_config_fail_nomem(c);
	memcpy(&old, field, sizeof(old));
	hf_free(old);
	memcpy(field, &s, sizeof(s));
	return HF_OK;
}

static int conv_addr(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                     uint16_t port, struct hf_addr *out)
{
	char q[HF_CONFIG_QUOTE_CAP];
	int ret = hf_addr_parse(v->text, port, out);
	if (ret == HF_ERANGE)
		return hf_config_fail(c, v->line, path, "%s has a port out of range (0..65535)",
		                      hf_config_quote(v, q));
	if (ret != HF_OK)
		return hf_config_fail(
		    c, v->line, path,
		    "%s is not an address (ADDR or ADDR@PORT, like 192.0.2.1@53 or "
		    "\"2001:db8::1@53\")",
		    hf_config_quote(v, q));
	return HF_OK;
}

static int conv_prefix(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                       struct hf_prefix *out)
{
	char q[HF_CONFIG_QUOTE_CAP], fixed[64];
	bool host_bits;
	int ret = hf_config_parse_prefix(v->text, out, &host_bits);
	if (ret == HF_OK)
		return HF_OK;
	if (host_bits) {
		hf_prefix_format(out, fixed, sizeof(fixed));
		return hf_config_fail(c, v->line, path,
		                      "%s has bits set past the prefix length (did you mean %s?)",
		                      hf_config_quote(v, q), fixed);
	}
	if (ret == HF_ERANGE)
		return hf_config_fail(c, v->line, path,
		                      "%s has a prefix length too long for its address",
		                      hf_config_quote(v, q));
	return hf_config_fail(c, v->line, path,
	                      "%s is not a prefix (ADDR/BITS or ADDR, like 192.0.2.0/24 or "
	                      "\"2001:db8::/32\")",
	                      hf_config_quote(v, q));
}

static int conv_name(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                     uint8_t *out)
{
	char q[HF_CONFIG_QUOTE_CAP];
	int ret = v->len != 0 ? hf_name_from_text(v->text, v->len, NULL, out) : HF_ESYNTAX;
	if (ret < 0)
		return hf_config_fail(c, v->line, path, "%s is not a domain name: %s",
		                      hf_config_quote(v, q), hf_strerror(ret));
	return HF_OK;
}

static int conv_record(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                       char **out)
{
	char q[HF_CONFIG_QUOTE_CAP];
	if (c->rr == NULL) {
		c->rr = hf_malloc(sizeof(*c->rr));
		if (c->rr == NULL)
			return hf_config_fail_nomem(c);
	}
	int ret = hf_rr_from_text(v->text, v->len, NULL, LOCAL_DATA_TTL, c->rr);
	if (ret != HF_OK)
		return hf_config_fail(c, v->line, path, "%s is not a record: %s",
		                      hf_config_quote(v, q), hf_strerror(ret));
	*out = dup_text(v);
	return *out != NULL ? HF_OK : hf_config_fail_nomem(c);
}

static int conv_log_level(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                          void *field)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const enum hf_log_lvl levels[] = {HF_LOG_LVL_ERROR, HF_LOG_LVL_WARNING,
	                                         HF_LOG_LVL_INFO, HF_LOG_LVL_DEBUG};
	char q[HF_CONFIG_QUOTE_CAP];
	for (size_t i = 0; i < HF_ARRAY_LEN(names); i++) {
		if (strcmp(v->text, names[i]) == 0) {
			memcpy(field, &levels[i], sizeof(levels[i]));
			return HF_OK;
		}
	}
	return hf_config_fail(c, v->line, path,
	                      "%s is not a log level (error, warning, info or debug)",
	                      hf_config_quote(v, q));
}

static int conv_upstream(struct hf_config_ctx *c, const struct hf_config_node *v, const char *path,
                         struct hf_upstream_conf *out)
{
	char q[HF_CONFIG_QUOTE_CAP];
	const char *why = "is not an upstream";
	if (hf_config_parse_upstream(v->text, out, &why) != HF_OK)
		return hf_config_fail(c, v->line, path, "%s %s", hf_config_quote(v, q), why);
	return HF_OK;
}

/* One item of a list row into slot. */
static int conv_item(struct hf_config_ctx *c, const struct hf_config_key *row,
                     const struct hf_config_node *v, unsigned long line, const char *path,
                     void *slot)
{
	char *s = NULL;
	int ret = want_scalar(c, v, line, path, item_noun(row->type));
	if (ret != HF_OK)
		return ret;
	switch (row->type) {
	case HF_CONFIG_ADDRS:
		return conv_addr(c, v, path, row->port, slot);
	case HF_CONFIG_PREFIXES:
		return conv_prefix(c, v, path, slot);
	case HF_CONFIG_NAMES:
		return conv_name(c, v, path, slot);
	case HF_CONFIG_UPSTREAMS:
		return conv_upstream(c, v, path, slot);
	case HF_CONFIG_RECORDS:
		ret = conv_record(c, v, path, &s);
		break;
	case HF_CONFIG_PATHS:
		if (v->len == 0)
			return hf_config_fail(c, v->line, path, "must not be empty");
		s = dup_text(v);
		ret = s != NULL ? HF_OK : hf_config_fail_nomem(c);
		break;
	default:
		hf_require(false);
	}
	memcpy(slot, &s, sizeof(s));
	return ret;
}

/* A list row: a YAML list, one scalar (a list of one) or nothing (empty). */
static int conv_list(struct hf_config_ctx *c, const struct hf_config_key *row,
                     const struct hf_config_node *v, unsigned long line, const char *path,
                     void *base)
{
	char q[HF_CONFIG_QUOTE_CAP], ipath[HF_CONFIG_KEY_MAX];
	size_t n, size = item_size(row->type);
	bool indexed = v->kind == HF_CONFIG_NODE_SEQ;
	void *arr = NULL;

	if (v->kind == HF_CONFIG_NODE_MAP)
		return hf_config_fail(c, v->line, path, "expected %s, found %s",
		                      hf_config_type_noun(row->type, row->flags),
		                      hf_config_describe(v, q));
	n = indexed ? v->n : (v->null ? 0 : 1);
	if (n == 0 && (row->flags & HF_CONFIG_NONEMPTY))
		return hf_config_fail(c, line, path, "must not be empty");
	if (n != 0) {
		arr = hf_calloc(n, size);
		if (arr == NULL)
			return hf_config_fail_nomem(c);
	}
	/* Stored at once, so hf_config_free() frees a half-filled list too. */
	memcpy((char *)base + row->off, &arr, sizeof(arr));
	memcpy((char *)base + row->aux, &n, sizeof(n));
	for (size_t i = 0; i < n; i++) {
		const struct hf_config_node *item = indexed ? v->items[i] : v;
		if (indexed)
			snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		else
			snprintf(ipath, sizeof(ipath), "%s", path);
		int ret = conv_item(c, row, item, indexed ? item->line : line, ipath,
		                    (char *)arr + i * size);
		if (ret != HF_OK)
			return ret;
	}
	return HF_OK;
}

/* A list is expected: HF_OK, with *empty when it holds nothing (or is null). */
static int want_list(struct hf_config_ctx *c, const struct hf_config_key *row,
                     const struct hf_config_node *v, const char *path, bool *empty)
{
	char q[HF_CONFIG_QUOTE_CAP];
	*empty = v->kind == HF_CONFIG_NODE_SCALAR && v->null;
	if (*empty)
		return HF_OK;
	if (v->kind != HF_CONFIG_NODE_SEQ)
		return hf_config_fail(c, v->line, path, "expected %s, found %s",
		                      hf_config_type_noun(row->type, row->flags),
		                      hf_config_describe(v, q));
	*empty = v->n == 0;
	return HF_OK;
}

static int conv_forward(struct hf_config_ctx *c, const struct hf_config_key *row,
                        const struct hf_config_node *v, const char *path, void *base)
{
	struct hf_config *cfg = base;
	char q[HF_CONFIG_QUOTE_CAP], ipath[HF_CONFIG_KEY_MAX], zpath[HF_CONFIG_KEY_MAX];
	char ztext[HF_NAME_TEXT_MAX];
	const int zrow = hf_config_find_key("forward[].zone");
	struct hf_forward_zone *zones;
	int ret;

	if (v->kind == HF_CONFIG_NODE_SCALAR && v->null)
		return HF_OK; /* no forwarding: recursion from the root */
	if (v->kind == HF_CONFIG_NODE_SCALAR && strcmp(v->text, "resolv.conf") == 0) {
		cfg->forward_resolv_conf = true;
		return HF_OK;
	}
	bool empty;
	ret = want_list(c, row, v, path, &empty);
	if (ret != HF_OK || empty)
		return ret; /* [] is the same as leaving it out */
	zones = hf_calloc(v->n, sizeof(*zones));
	if (zones == NULL)
		return hf_config_fail_nomem(c);
	cfg->forward = zones;
	cfg->nforward = v->n;
	cfg->forward_resolv_conf = false;
	for (size_t i = 0; i < v->n; i++) {
		const struct hf_config_node *item = v->items[i];
		unsigned long ilines[HF_CONFIG_ROWS_MAX] = {0};
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (item->kind != HF_CONFIG_NODE_MAP)
			return hf_config_fail(
			    c, item->line, ipath,
			    "expected a mapping with zone and upstreams, found %s",
			    hf_config_describe(item, q));
		ret = hf_config_walk_map(c, item, "forward[]", ipath, &zones[i], ilines);
		if (ret != HF_OK)
			return ret;
		ret = hf_config_fill_defaults(c, "forward[]", ipath, item->line, &zones[i], ilines);
		if (ret != HF_OK)
			return ret;
		for (size_t j = 0; j < i; j++) {
			if (!hf_name_eq(zones[j].zone, zones[i].zone))
				continue;
			if (hf_name_to_text(zones[i].zone, ztext, sizeof(ztext)) < 0)
				snprintf(ztext, sizeof(ztext), "?");
			hf_config_join(zpath, ipath, "zone");
			return hf_config_fail(c, ilines[zrow], zpath,
			                      "%s is already forwarded by %s[%zu]", ztext, path, j);
		}
	}
	return HF_OK;
}

/* "1%", "0.25%", "100%": basis points, at most two decimals. */
static int conv_share(struct hf_config_ctx *c, const struct hf_config_key *row,
                      const struct hf_config_node *v, const char *path, void *field)
{
	uint64_t bp = 0;
	size_t i = 0, whole = 0, frac = 0;
	for (; i < v->len && v->text[i] >= '0' && v->text[i] <= '9' && whole < 4; i++, whole++)
		bp = bp * 10 + (uint64_t)(v->text[i] - '0');
	bp *= 100;
	if (i < v->len && v->text[i] == '.') {
		for (i++; i < v->len && v->text[i] >= '0' && v->text[i] <= '9' && frac < 2;
		     i++, frac++)
			bp += (uint64_t)(v->text[i] - '0') * (frac == 0 ? 10 : 1);
		if (frac == 0)
			whole = 0; /* "1.%" */
	}
	int ret = number_in_range(c, row, v, path,
	                          whole != 0 && i + 1 == v->len && v->text[i] == '%', bp);
	uint32_t x = (uint32_t)bp;
	if (ret == HF_OK)
		memcpy(field, &x, sizeof(x));
	return ret;
}

/* A list of mappings: each item's keys walked like a section, then the row's own check. */
static int conv_table(struct hf_config_ctx *c, const struct hf_config_key *row,
                      const struct hf_config_node *v, const char *path, void *base)
{
	char q[HF_CONFIG_QUOTE_CAP], ipath[HF_CONFIG_KEY_MAX], prefix[HF_CONFIG_KEY_MAX];
	bool empty;
	int ret = want_list(c, row, v, path, &empty);
	if (ret != HF_OK || empty)
		return ret;
	char *items = hf_calloc(v->n, row->item_size);
	if (items == NULL)
		return hf_config_fail_nomem(c);
	memcpy((char *)base + row->off, &items, sizeof(items));
	memcpy((char *)base + row->aux, &v->n, sizeof(v->n));
	snprintf(prefix, sizeof(prefix), "%s[]", row->key);
	for (size_t i = 0; i < v->n; i++) {
		const struct hf_config_node *item = v->items[i];
		unsigned long ilines[HF_CONFIG_ROWS_MAX] = {0};
		void *ib = items + i * row->item_size;
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (item->kind != HF_CONFIG_NODE_MAP)
			return hf_config_fail(c, item->line, ipath, "expected a mapping, found %s",
			                      hf_config_describe(item, q));
		ret = hf_config_walk_map(c, item, prefix, ipath, ib, ilines);
		if (ret == HF_OK)
			ret = hf_config_fill_defaults(c, prefix, ipath, item->line, ib, ilines);
		if (ret == HF_OK && row->check != NULL)
			ret = row->check(c, ib, ilines, ipath);
		if (ret != HF_OK)
			return ret;
	}
	return HF_OK;
}

/* Stores v, the value of row, into base. line is the key's line. */
int hf_config_convert(struct hf_config_ctx *c, const struct hf_config_key *row,
                      const struct hf_config_node *v, unsigned long line, const char *path,
                      void *base)
{
	void *field = (char *)base + row->off;
	int ret;

	switch (row->type) {
	case HF_CONFIG_ADDRS:
	case HF_CONFIG_PREFIXES:
	case HF_CONFIG_PATHS:
	case HF_CONFIG_NAMES:
	case HF_CONFIG_RECORDS:
	case HF_CONFIG_UPSTREAMS:
		return conv_list(c, row, v, line, path, base);
	case HF_CONFIG_FORWARD:
		return conv_forward(c, row, v, path, base);
	case HF_CONFIG_TABLE:
		return conv_table(c, row, v, path, base);
	default:
		break;
	}

	ret = want_scalar(c, v, line, path, hf_config_type_noun(row->type, row->flags));
	if (ret != HF_OK)
		return ret;
	switch (row->type) {
	case HF_CONFIG_BOOL:
		return conv_bool(c, v, path, field);
	case HF_CONFIG_UINT:
		return conv_uint(c, row, v, path, field);
	case HF_CONFIG_DURATION:
		return conv_duration(c, row, v, path, field);
	case HF_CONFIG_SIZE:
		return conv_size(c, row, v, path, field);
	case HF_CONFIG_PATH:
	case HF_CONFIG_STRING:
		return conv_path(c, row, v, path, field);
	case HF_CONFIG_ADDR: {
		bool enabled = v->len != 0 || !(row->flags & HF_CONFIG_EMPTY_OK);
		if (enabled) {
			ret = conv_addr(c, v, path, row->port, field);
			if (ret != HF_OK)
				return ret;
		}
		if (row->flags & HF_CONFIG_EMPTY_OK)
			memcpy((char *)base + row->aux, &enabled, sizeof(enabled));
		return HF_OK;
	}
	case HF_CONFIG_NAME:
		return conv_name(c, v, path, field);
	case HF_CONFIG_LOG_LEVEL:
		return conv_log_level(c, v, path, field);
	case HF_CONFIG_SHARE:
		return conv_share(c, row, v, path, field);
	default:
		hf_require(false);
		return HF_EINVAL;
	}
}

/* --- the API --------------------------------------------------------------------------- */

void hf_config_free_fields(const char *prefix, void *base)
{
	for (size_t i = 0; i < hf_config_schema_len; i++) {
		const struct hf_config_key *row = &hf_config_schema[i];
		char *field = (char *)base + row->off;
		void *p;
		size_t n = 0;
		if (!hf_config_in_scope(row, prefix))
			continue;
		switch (row->type) {
		case HF_CONFIG_PATH:
		case HF_CONFIG_STRING:
		case HF_CONFIG_ADDRS:
		case HF_CONFIG_PREFIXES:
		case HF_CONFIG_NAMES:
		case HF_CONFIG_UPSTREAMS:
			memcpy(&p, field, sizeof(p));
			hf_free(p);
			break;
		case HF_CONFIG_PATHS:
		case HF_CONFIG_RECORDS:
			memcpy(&p, field, sizeof(p));
			memcpy(&n, (char *)base + row->aux, sizeof(n));
			for (size_t j = 0; p != NULL && j < n; j++) {
				char *s;
				memcpy(&s, (char *)p + j * sizeof(s), sizeof(s));
				hf_free(s);
			}
			hf_free(p);
			break;
		case HF_CONFIG_TABLE: {
			char items[HF_CONFIG_KEY_MAX];
			snprintf(items, sizeof(items), "%s[]", row->key);
			memcpy(&p, field, sizeof(p));
			memcpy(&n, (char *)base + row->aux, sizeof(n));
			for (size_t j = 0; p != NULL && j < n; j++)
				hf_config_free_fields(items, (char *)p + j * row->item_size);
			hf_free(p);
			break;
		}
		case HF_CONFIG_FORWARD: {
			struct hf_config *cfg = base;
			for (size_t j = 0; cfg->forward != NULL && j < cfg->nforward; j++)
				hf_config_free_fields("forward[]", &cfg->forward[j]);
			hf_free(cfg->forward);
			break;
		}
		default:
			break;
		}
	}
}
