/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration loader and its API. A load runs in two passes:
 *
 *   1. config_yaml.c turns the YAML text into a tree of nodes with lines.
 *   2. This file walks the tree's mappings against the schema table
 *      (config_schema.c), looking each key up and handing its value to
 *      config_convert.c, which checks and stores it. Keys the file leaves
 *      out get their defaults, parsed from the YAML text in the table by the
 *      same code; then checks between keys run (cache.min-ttl is at most
 *      cache.max-ttl, ...).
 *
 * The first error stops the load and becomes the one-line message
 * "FILE:LINE: KEY: what is wrong", with KEY the dotted path and [i] for list
 * items (forward[1].upstreams[0]).
 *
 * It does not open, create or check the files and directories the config
 * names (cache.path, trust-anchors, ...): their users do, when they start.
 * The reference table for the README is printed from the same schema.
 */
#include "config/config.h"
#include "config/impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/name.h"

#define FILE_MAX    ((size_t)16 << 20) /* longest config file read */
#define SUGGEST_MAX 64                 /* longest key considered for "did you mean" */

static unsigned key_distance(const char *a, size_t alen, const char *b)
{
	unsigned row[SUGGEST_MAX + 1];
	size_t blen = strlen(b);
	if (blen > SUGGEST_MAX)
		return UINT32_MAX;
	for (size_t j = 0; j <= blen; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= alen; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= blen; j++) {
			char x = a[i - 1] == '_' ? '-' : (char)hf_lower((uint8_t)a[i - 1]);
			unsigned up = row[j];
			unsigned best = diag + (x != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[blen];
}

static int unknown_key(struct hf_config_ctx *c, const struct hf_config_node *k, const char *prefix,
                       const char *path)
{
	char name[HF_CONFIG_QUOTE_CAP], sub[HF_CONFIG_KEY_MAX], allowed[HF_CONFIG_ERR_MAX];
	const char *best = NULL;
	unsigned best_d = UINT32_MAX;
	size_t plen = strlen(prefix), used = 0;

	hf_config_escape(k->text, k->len, false, name, sizeof(name));
	hf_config_join(sub, path, name);
	allowed[0] = '\0';
	for (size_t i = 0; i < hf_config_schema_len; i++) {
		const char *key = hf_config_schema[i].key;
		if (plen != 0 && (strncmp(key, prefix, plen) != 0 || key[plen] != '.'))
			continue;
		const char *rest = plen != 0 ? key + plen + 1 : key;
		if (strchr(rest, '.') != NULL)
			continue;
		int n = snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
		                 used != 0 ? ", " : "", rest);
		if (n > 0 && (size_t)n < sizeof(allowed) - used)
			used += (size_t)n;
		if (k->len <= SUGGEST_MAX) {
			unsigned d = key_distance(k->text, k->len, rest);
			if (d < best_d) {
				best_d = d;
				best = rest;
			}
		}
	}
	size_t longer = strlen(best != NULL ? best : "");
	if (k->len > longer)
		longer = k->len;
	if (best != NULL && (best_d <= 1 || best_d * 3 <= longer))
		return hf_config_fail(c, k->line, sub, "unknown key; did you mean %s?", best);
	return hf_config_fail(c, k->line, sub, "unknown key (allowed here: %s)", allowed);
}

/*
 * Walks the keys of map, which holds the keys under prefix; path is how the
 * mapping is named in messages. lines[row] records where each key was set.
 */
int hf_config_walk_map(struct hf_config_ctx *c, const struct hf_config_node *map,
                       const char *prefix, const char *path, void *base, unsigned long *lines)
{
	char q[HF_CONFIG_QUOTE_CAP], sub[HF_CONFIG_KEY_MAX];
	int ret;

	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct hf_config_node *k = map->items[i], *v = map->items[i + 1];
		if (k->kind != HF_CONFIG_NODE_SCALAR)
			return hf_config_fail(c, k->line, path,
			                      "a key must be a plain string, found %s",
			                      hf_config_describe(k, q));
		int r = hf_config_find_row(prefix, k->text, k->len);
		if (r < 0)
			return unknown_key(c, k, prefix, path);
		const struct hf_config_key *row = &hf_config_schema[r];
		hf_config_join(sub, path, hf_config_leaf(row->key));
		if (lines[r] != 0)
			return hf_config_fail(c, k->line, sub, "duplicate key (first at line %lu)",
			                      lines[r]);
		lines[r] = k->line;
		if (row->type != HF_CONFIG_SECTION) {
			ret = hf_config_convert(c, row, v, k->line, sub, base);
		} else if (v->kind == HF_CONFIG_NODE_MAP) {
			ret = hf_config_walk_map(c, v, row->key, sub, base, lines);
		} else if (v->kind == HF_CONFIG_NODE_SCALAR && v->null) {
			ret = HF_OK; /* "cache:" with every key commented out */
		} else {
			ret = hf_config_fail(c, v->line, sub, "expected a mapping, found %s",
			                     hf_config_describe(v, q));
		}
		if (ret != HF_OK)
			return ret;
	}
	return HF_OK;
}

static int apply_default(struct hf_config_ctx *c, const struct hf_config_key *row, void *base)
{
	struct hf_config_node *tree = NULL;
	int ret;

	if (row->def[0] != '[') {
		struct hf_config_node v = {
		    .kind = HF_CONFIG_NODE_SCALAR, .text = row->def, .len = strlen(row->def)};
		return hf_config_convert(c, row, &v, 0, row->key, base);
	}
	ret = hf_config_tree_parse(c, row->def, strlen(row->def), &tree);
	if (ret == HF_OK)
		ret = tree != NULL ? hf_config_convert(c, row, tree, 0, row->key, base) : HF_EINVAL;
	hf_config_tree_free(tree);
	return ret;
}

/* Defaults for the keys under prefix the file left out; a required one missing is an error. */
int hf_config_fill_defaults(struct hf_config_ctx *c, const char *prefix, const char *path,
                            unsigned long line, void *base, unsigned long *lines)
{
	for (size_t i = 0; i < hf_config_schema_len; i++) {
		const struct hf_config_key *row = &hf_config_schema[i];
		if (lines[i] != 0 || row->type == HF_CONFIG_SECTION ||
		    !hf_config_in_scope(row, prefix))
			continue;
		if (row->def == NULL)
			return hf_config_fail(c, line, path, "missing key %s",
			                      hf_config_leaf(row->key));
		int ret = apply_default(c, row, base);
		if (ret != HF_OK)
			return ret;
	}
	return HF_OK;
}

#define DNSTAP_TEXT_MAX 255 /* identity, version: short names, not a place for payloads */

/* The query log goes to one place; its names stay short. */
static int check_dnstap(struct hf_config_ctx *c, const struct hf_config *cfg,
                        const unsigned long *lines)
{
	int file = hf_config_find_key("dnstap.file"), sock = hf_config_find_key("dnstap.socket");
	if (cfg->dnstap.file[0] != '\0' && cfg->dnstap.socket[0] != '\0') {
		int at = lines[file] >= lines[sock] ? file : sock;
		return hf_config_fail(c, lines[at], hf_config_schema[at].key,
		                      "dnstap.file and dnstap.socket are both set; choose one");
	}
	int id = hf_config_find_key("dnstap.identity"), ver = hf_config_find_key("dnstap.version");
	if (strlen(cfg->dnstap.identity) > DNSTAP_TEXT_MAX)
		return hf_config_fail(c, lines[id], hf_config_schema[id].key,
		                      "longer than %d octets", DNSTAP_TEXT_MAX);
	if (strlen(cfg->dnstap.version) > DNSTAP_TEXT_MAX)
		return hf_config_fail(c, lines[ver], hf_config_schema[ver].key,
		                      "longer than %d octets", DNSTAP_TEXT_MAX);
	return HF_OK;
}

/* Checks between keys, reported at whichever of the two was set later. */
static int check_relations(struct hf_config_ctx *c, const struct hf_config *cfg,
                           const unsigned long *lines)
{
	char a[32], b[32];
	int lo = hf_config_find_key("cache.min-ttl"), hi = hf_config_find_key("cache.max-ttl");
	if (cfg->cache.min_ttl > cfg->cache.max_ttl) {
		int at = lines[lo] >= lines[hi] ? lo : hi;
		hf_config_format_duration((uint64_t)cfg->cache.min_ttl * 1000, a, sizeof(a));
		hf_config_format_duration((uint64_t)cfg->cache.max_ttl * 1000, b, sizeof(b));
		return hf_config_fail(c, lines[at], hf_config_schema[at].key,
		                      "cache.min-ttl (%s) is longer than cache.max-ttl (%s)", a, b);
	}
	int ip4 = hf_config_find_key("resolver.upstream-ip4"),
	    ip6 = hf_config_find_key("resolver.upstream-ip6");
	if (!cfg->resolver.upstream_ip4 && !cfg->resolver.upstream_ip6) {
		int at = lines[ip4] >= lines[ip6] ? ip4 : ip6;
		return hf_config_fail(c, lines[at], hf_config_schema[at].key,
		                      "upstream-ip4 and upstream-ip6 cannot both be false");
	}
	return check_dnstap(c, cfg, lines);
}

void hf_config_free(struct hf_config *cfg)
{
	if (cfg == NULL)
		return;
	hf_config_free_fields("", cfg);
	hf_free(cfg->path);
	hf_free(cfg);
}

struct hf_config *hf_config_parse(const char *name, const char *text, size_t len,
                                  char err[HF_CONFIG_ERR_MAX])
{
	struct hf_config_ctx c = {.name = name != NULL ? name : "(config)", .err = err};
	unsigned long lines[HF_CONFIG_ROWS_MAX] = {0};
	struct hf_config *cfg = NULL;
	struct hf_config_node *root = NULL;
	char q[HF_CONFIG_QUOTE_CAP];
	int ret;

	err[0] = '\0';
	cfg = hf_calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		goto nomem;
	if (name != NULL) {
		size_t nlen = strlen(name);
		cfg->path = hf_malloc(nlen + 1);
		if (cfg->path == NULL)
			goto nomem;
		memcpy(cfg->path, name, nlen + 1);
	}
	ret = hf_config_tree_parse(&c, text != NULL ? text : "", text != NULL ? len : 0, &root);
	if (ret != HF_OK)
		goto fail;
	if (root != NULL && root->kind == HF_CONFIG_NODE_MAP) {
		ret = hf_config_walk_map(&c, root, "", "", cfg, lines);
		if (ret != HF_OK)
			goto fail;
	} else if (root != NULL && !(root->kind == HF_CONFIG_NODE_SCALAR && root->null)) {
		hf_config_fail(
		    &c, root->line, NULL,
		    "expected a mapping of keys at the top level (like \"listen: ...\"), found %s",
		    hf_config_describe(root, q));
		goto fail;
	}
	ret = hf_config_fill_defaults(&c, "", "", 1, cfg, lines);
	if (ret != HF_OK)
		goto fail;
	ret = check_relations(&c, cfg, lines);
	if (ret != HF_OK)
		goto fail;
	hf_config_tree_free(root);
	hf_free(c.rr);
	return cfg;
nomem:
	hf_config_fail_nomem(&c);
fail:
	hf_config_one_line(err);
	hf_config_tree_free(root);
	hf_free(c.rr);
	hf_config_free(cfg);
	return NULL;
}

struct hf_config *hf_config_load(const char *path, char err[HF_CONFIG_ERR_MAX])
{
	struct hf_config *cfg = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int e = 0;
	FILE *f;

	if (path == NULL)
		return hf_config_parse(NULL, "", 0, err);
	f = fopen(path, "rb");
	if (f == NULL) {
		e = errno;
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 4096;
			if (cap > FILE_MAX) {
				e = EFBIG;
				goto fail;
			}
			char *nbuf = hf_realloc(buf, ncap);
			if (nbuf == NULL) {
				e = ENOMEM;
				goto fail;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got != 0)
			continue;
		if (ferror(f)) {
			e = errno != 0 ? errno : EIO;
			goto fail;
		}
		break;
	}
	fclose(f);
	cfg = hf_config_parse(path, buf, len, err);
	hf_free(buf);
	return cfg;
fail:
	snprintf(err, HF_CONFIG_ERR_MAX, "%s: cannot read: %s", path, strerror(e));
	hf_config_one_line(err);
	if (f != NULL)
		fclose(f);
	hf_free(buf);
	return NULL;
}

/* --- the reference table -------------------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL,
	                  o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void type_text(const struct hf_config_key *row, char *out, size_t cap)
{
	static const char *const names[] = {
	    [HF_CONFIG_BOOL] = "boolean",
	    [HF_CONFIG_UINT] = "integer",
	    [HF_CONFIG_DURATION] = "duration",
	    [HF_CONFIG_SIZE] = "size",
	    [HF_CONFIG_PATH] = "path",
	    [HF_CONFIG_STRING] = "string",
	    [HF_CONFIG_ADDR] = "address",
	    [HF_CONFIG_ADDRS] = "list of addresses",
	    [HF_CONFIG_PREFIXES] = "list of prefixes",
	    [HF_CONFIG_PATHS] = "list of paths",
	    [HF_CONFIG_NAME] = "domain name",
	    [HF_CONFIG_NAMES] = "list of domain names",
	    [HF_CONFIG_RECORDS] = "list of records",
	    [HF_CONFIG_LOG_LEVEL] = "error, warning, info, debug",
	    [HF_CONFIG_FORWARD] = "`resolv.conf` or list of zones",
	    [HF_CONFIG_UPSTREAMS] = "list of upstreams",
	    [HF_CONFIG_SHARE] = "share",
	    [HF_CONFIG_TABLE] = "list of mappings",
	};
	char range[64];
	const char *name = names[row->type] != NULL ? names[row->type] : "?";
	if (row->type == HF_CONFIG_UINT || row->type == HF_CONFIG_DURATION ||
	    row->type == HF_CONFIG_SIZE || row->type == HF_CONFIG_SHARE) {
		hf_config_format_range(row, range, sizeof(range));
		snprintf(out, cap, "%s, %s", name, range);
	} else {
		snprintf(out, cap, "%s", name);
	}
}

size_t hf_config_write_reference(char *out, size_t cap)
{
	struct out o = {.buf = out, .cap = cap};
	char type[128];

	if (cap > 0)
		out[0] = '\0';
	put(&o, "| key | type | default | description |\n| --- | --- | --- | --- |\n");
	for (size_t i = 0; i < hf_config_schema_len; i++) {
		const struct hf_config_key *row = &hf_config_schema[i];
		if (row->type == HF_CONFIG_SECTION)
			continue;
		type_text(row, type, sizeof(type));
		if (row->def != NULL) /* an empty default prints as YAML would write it */
			put(&o, "| `%s` | %s | `%s` | %s |\n", row->key, type,
			    row->def[0] != '\0' ? row->def : "\"\"", row->doc);
		else
			put(&o, "| `%s` | %s | required | %s |\n", row->key, type, row->doc);
	}
	return o.len;
}
