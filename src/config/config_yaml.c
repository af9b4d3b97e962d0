/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Pass 1 of the loader: libyaml's event parser turns the text into a small
 * tree of scalars, lists and mappings (struct hf_config_node), each node with
 * its 1-based line. Syntax errors come out here in libyaml's own words.
 * Aliases are refused (a few bytes of YAML could expand into millions of
 * list items); so are a second document and nesting deeper than DEPTH_MAX.
 *
 * Also the message helpers every pass shares: the first error becomes
 * "FILE:LINE: KEY: what is wrong", values quoted with non-printable octets
 * escaped so the message stays one line.
 */
#include "config/impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "util/alloc.h"
#include "util/err.h"

#define DEPTH_MAX 64 /* nesting levels in a YAML document */

/* --- messages -------------------------------------------------------------- */

/* Copies s[0..len) into out with non-printable octets, '"' and '\' escaped. */
void hf_config_escape(const char *s, size_t len, bool quotes, char *out, size_t cap)
{
	size_t o = 0, limit = len > HF_CONFIG_QUOTE_MAX ? HF_CONFIG_QUOTE_MAX : len;
	if (cap < 8) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	/* Do not cut a UTF-8 sequence in two. */
	while (limit < len && limit > 0 && ((unsigned char)s[limit] & 0xc0) == 0x80)
		limit--;
	if (quotes)
		out[o++] = '"';
	for (size_t i = 0; i < limit && o + 8 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
		} else {
			if (quotes && (ch == '"' || ch == '\\'))
				out[o++] = '\\';
			out[o++] = (char)ch;
		}
	}
	if (limit < len && o + 4 < cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (quotes)
		out[o++] = '"';
	out[o] = '\0';
}

const char *hf_config_quote(const struct hf_config_node *n, char out[HF_CONFIG_QUOTE_CAP])
{
	hf_config_escape(n->text, n->len, true, out, HF_CONFIG_QUOTE_CAP);
	return out;
}

/* "a mapping", "a list", "nothing" or the quoted scalar. */
const char *hf_config_describe(const struct hf_config_node *n, char out[HF_CONFIG_QUOTE_CAP])
{
	if (n->kind == HF_CONFIG_NODE_MAP)
		return "a mapping";
	if (n->kind == HF_CONFIG_NODE_SEQ)
		return "a list";
	if (n->null)
		return "nothing";
	return hf_config_quote(n, out);
}

/* Records the first error as "NAME:LINE: KEY: message" (no KEY when key is NULL or ""). */
int hf_config_fail(struct hf_config_ctx *c, unsigned long line, const char *key, const char *fmt,
                   ...)
{
	if (c->failed)
		return HF_EINVAL;
	c->failed = true;
	int n;
	if (key != NULL && key[0] != '\0')
		n = snprintf(c->err, HF_CONFIG_ERR_MAX, "%s:%lu: %s: ", c->name, line, key);
	else
		n = snprintf(c->err, HF_CONFIG_ERR_MAX, "%s:%lu: ", c->name, line);
	if (n >= 0 && n < HF_CONFIG_ERR_MAX) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err + n, HF_CONFIG_ERR_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return HF_EINVAL;
}

int hf_config_fail_nomem(struct hf_config_ctx *c)
{
	if (!c->failed) {
		c->failed = true;
		snprintf(c->err, HF_CONFIG_ERR_MAX, "%s: out of memory", c->name);
	}
	return HF_ENOMEM;
}

/* One line, whatever the file name held. */
void hf_config_one_line(char *err)
{
	for (char *p = err; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}

/* out = path "." leaf, or leaf alone at the top. */
void hf_config_join(char out[HF_CONFIG_KEY_MAX], const char *path, const char *leaf)
{
	if (path[0] != '\0')
		snprintf(out, HF_CONFIG_KEY_MAX, "%s.%s", path, leaf);
	else
		snprintf(out, HF_CONFIG_KEY_MAX, "%s", leaf);
}

/* The last component of a dotted key. */
const char *hf_config_leaf(const char *key)
{
	const char *dot = strrchr(key, '.');
	return dot != NULL ? dot + 1 : key;
}

/* --- pass 1: YAML text to a tree ----------------------------------------------- */

void hf_config_tree_free(struct hf_config_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++)
		hf_config_tree_free(n->items[i]);
	hf_free(n->items);
	hf_free((void *)n->text);
	hf_free(n);
}

static int node_append(struct hf_config_node *parent, struct hf_config_node *child)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap != 0 ? parent->cap * 2 : 8;
		struct hf_config_node **items = hf_realloc(parent->items, cap * sizeof(*items));
		if (items == NULL)
			return HF_ENOMEM;
		parent->items = items;
		parent->cap = cap;
	}
	parent->items[parent->n++] = child;
	return HF_OK;
}

static bool is_null_text(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '~') ||
	       (len == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
	                     memcmp(s, "NULL", 4) == 0));
}

static struct hf_config_node *node_from_event(const yaml_event_t *ev)
{
	struct hf_config_node *n = hf_calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->line = (unsigned long)ev->start_mark.line + 1;
	if (ev->type == YAML_MAPPING_START_EVENT) {
		n->kind = HF_CONFIG_NODE_MAP;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		n->kind = HF_CONFIG_NODE_SEQ;
	} else {
		size_t len = ev->data.scalar.length;
		char *text = hf_malloc(len + 1);
		if (text == NULL) {
			hf_free(n);
			return NULL;
		}
		memcpy(text, ev->data.scalar.value, len);
		text[len] = '\0';
		n->kind = HF_CONFIG_NODE_SCALAR;
		n->text = text;
		n->len = len;
		n->null =
		    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && is_null_text(text, len);
	}
	return n;
}

static int syntax_error(struct hf_config_ctx *c, const yaml_parser_t *p, const char *text,
                        size_t len)
{
	if (p->error == YAML_MEMORY_ERROR)
		return hf_config_fail_nomem(c);
	unsigned long line = (unsigned long)p->problem_mark.line + 1;
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors carry an offset, not a mark. */
		size_t end = p->problem_offset < len ? p->problem_offset : len;
		line = 1;
		for (size_t i = 0; i < end; i++)
			line += text[i] == '\n';
	}
	const char *problem = p->problem != NULL ? p->problem : "unknown problem";
	if (p->context != NULL)
		return hf_config_fail(c, line, NULL, "YAML syntax error: %s (%s at line %lu)",
		                      problem, p->context, (unsigned long)p->context_mark.line + 1);
	return hf_config_fail(c, line, NULL, "YAML syntax error: %s", problem);
}

/* Handles one event; *root gets the document's top node. */
static int take_event(struct hf_config_ctx *c, const yaml_event_t *ev, struct hf_config_node **root,
                      struct hf_config_node *stack[DEPTH_MAX], size_t *depth, unsigned *docs)
{
	unsigned long line = (unsigned long)ev->start_mark.line + 1;
	struct hf_config_node *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return hf_config_fail(c, line, NULL,
			                      "a second YAML document; a config file holds one");
		return HF_OK;
	case YAML_ALIAS_EVENT:
		return hf_config_fail(
		    c, line, NULL, "YAML aliases (*name) are not supported; write the value out");
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (*depth > 0)
			(*depth)--;
		return HF_OK;
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	default:
		return HF_OK;
	}

	n = node_from_event(ev);
	if (n == NULL)
		return hf_config_fail_nomem(c);
	if (*depth == 0) {
		hf_config_tree_free(*root);
		*root = n;
	} else if (node_append(stack[*depth - 1], n) != HF_OK) {
		hf_config_tree_free(n);
		return hf_config_fail_nomem(c);
	}
	if (n->kind == HF_CONFIG_NODE_SCALAR)
		return HF_OK;
	if (*depth == DEPTH_MAX)
		return hf_config_fail(c, line, NULL, "nested deeper than %d levels", DEPTH_MAX);
	stack[(*depth)++] = n;
	return HF_OK;
}

int hf_config_tree_parse(struct hf_config_ctx *c, const char *text, size_t len,
                         struct hf_config_node **root)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct hf_config_node *stack[DEPTH_MAX];
	size_t depth = 0;
	unsigned docs = 0;
	int ret = HF_OK;
	bool done = false;

	*root = NULL;
	if (!yaml_parser_initialize(&p))
		return hf_config_fail_nomem(c);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && ret == HF_OK) {
		if (!yaml_parser_parse(&p, &ev)) {
			ret = syntax_error(c, &p, text, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = take_event(c, &ev, root, stack, &depth, &docs);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (ret != HF_OK) {
		hf_config_tree_free(*root);
		*root = NULL;
	}
	return ret;
}
