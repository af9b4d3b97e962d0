/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to src/config: the schema table and the value parsers behind it.
 *
 * config_schema.c holds one row per key: its dotted path, type, range,
 * default (as YAML text, parsed by the same code as the file) and the doc
 * string the reference table prints. config.c walks the YAML document
 * against that table, fills in defaults for the keys the file leaves out,
 * and frees a struct hf_config by walking the same table. Rows whose path
 * starts with "forward[]." describe the fields of one forward zone and are
 * offsets into struct hf_forward_zone instead of struct hf_config.
 *
 * The loader is split in the order a load runs: config_yaml.c (text to a
 * tree of nodes, and the error messages), config.c (walking mappings,
 * defaults, the API), config_convert.c (one value into its field).
 * config_values.c parses and prints the scalar forms: addresses, prefixes,
 * durations, sizes and upstreams. It knows nothing of YAML.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/compiler.h"

struct hf_rrdata;
struct hf_config_ctx;

/* Rows in the schema table; config_schema.c checks the table fits. */
#define HF_CONFIG_ROWS_MAX 160

enum hf_config_type {
	HF_CONFIG_SECTION,   /* a mapping of further keys */
	HF_CONFIG_BOOL,      /* bool */
	HF_CONFIG_UINT,      /* unsigned integer of `size` octets, min..max */
	HF_CONFIG_DURATION,  /* uint32_t; min..max in ms; stored in units of `unit` ms */
	HF_CONFIG_SIZE,      /* uint64_t octets; min..max */
	HF_CONFIG_PATH,      /* char *, NUL-terminated */
	HF_CONFIG_STRING,    /* char *, NUL-terminated: free text (a name shown to others) */
	HF_CONFIG_ADDR,      /* struct hf_addr; `port` is the default port */
	HF_CONFIG_ADDRS,     /* struct hf_addr *, count at aux */
	HF_CONFIG_PREFIXES,  /* struct hf_prefix *, count at aux */
	HF_CONFIG_PATHS,     /* char **, count at aux */
	HF_CONFIG_NAME,      /* uint8_t[255], wire form */
	HF_CONFIG_NAMES,     /* uint8_t (*)[255], count at aux */
	HF_CONFIG_RECORDS,   /* char ** of zone-file lines, count at aux */
	HF_CONFIG_LOG_LEVEL, /* enum hf_log_lvl */
	HF_CONFIG_FORWARD,   /* "resolv.conf" or a list of forward zones */
	HF_CONFIG_UPSTREAMS, /* struct hf_upstream_conf *, count at aux */
	HF_CONFIG_SHARE,     /* uint32_t basis points, written "1%" or "0.5%"; min..max */
	HF_CONFIG_TABLE,     /* a list of mappings: items of item_size, keys at "KEY[].leaf" */
};

enum {
	HF_CONFIG_EMPTY_OK =
	    1 << 0,              /* paths: "" is allowed; addresses: "" disables (bool at aux) */
	HF_CONFIG_AUTO = 1 << 1, /* integers: "auto" means 0 */
	HF_CONFIG_NONEMPTY = 1 << 2, /* lists: at least one item */
};

struct hf_config_key {
	const char *key; /* dotted path; "forward[].zone" for fields of a forward zone */
	enum hf_config_type type;
	unsigned flags;
	size_t off;  /* the field, from the start of its struct */
	size_t size; /* sizeof the field */
	size_t aux;  /* lists: offset of the size_t count; addresses: of the enabled bool */
	uint64_t min, max;
	uint32_t unit;   /* durations: ms per stored unit (1 or 1000) */
	uint16_t port;   /* addresses: the port when none is written */
	const char *def; /* default as YAML text; NULL = required */
	const char *doc;
	/* Tables: the size of one item, and checks across an item's keys (NULL: none). */
	size_t item_size;
	int (*check)(struct hf_config_ctx *c, void *item, const unsigned long *lines,
	             const char *path);
};

extern const struct hf_config_key hf_config_schema[];
extern const size_t hf_config_schema_len;

/*
 * Durations: "30s", "1500ms", "1h30m"; a bare number is seconds. Units ms, s,
 * m, h, d, w. Returns HF_OK with *ms set, HF_ESYNTAX, or HF_ERANGE on overflow.
 */
HF_TESTABLE HF_MUSTCHECK int hf_config_parse_duration(const char *text, size_t len, uint64_t *ms);

/* Sizes: a number of octets with an optional K, M, G or T (powers of 1024). */
HF_TESTABLE HF_MUSTCHECK int hf_config_parse_size(const char *text, size_t len, uint64_t *out);

/*
 * hf_prefix_parse() that also reports a prefix with bits set past its length:
 * then it returns HF_EINVAL with *host_bits true and out holding the prefix
 * with those bits cleared, so a message can suggest it.
 */
HF_TESTABLE HF_MUSTCHECK int hf_config_parse_prefix(const char *text, struct hf_prefix *out,
                                                    bool *host_bits);

/* Print with the largest unit that divides evenly ("1d", "1800ms", "256M"). */
HF_TESTABLE void hf_config_format_duration(uint64_t ms, char *out, size_t cap);
HF_TESTABLE void hf_config_format_size(uint64_t n, char *out, size_t cap);
/* Basis points as a percentage: 100 -> "1%", 50 -> "0.5%". */
HF_TESTABLE void hf_config_format_share(uint32_t bp, char *out, size_t cap);

/*
 * One upstream: "ADDR[@PORT]" (port 53), "tls://ADDR[@PORT][#name][^PIN]..."
 * (port 853) or "https://HOST[:PORT]/PATH[@ADDR][#name][^PIN]..." (port 443;
 * a host name needs @ADDR and is the TLS name, an address host may take
 * #name). On error returns HF_EINVAL and points *why at a static phrase
 * saying what is wrong.
 */
HF_TESTABLE HF_MUSTCHECK int
hf_config_parse_upstream(const char *text, struct hf_upstream_conf *out, const char **why);

/* --- the loader's shared pieces -------------------------------------------- */

#define HF_CONFIG_KEY_MAX   256 /* a dotted key path in a message */
#define HF_CONFIG_QUOTE_MAX 48  /* octets of a value quoted in a message */
#define HF_CONFIG_QUOTE_CAP (HF_CONFIG_QUOTE_MAX * 4 + 8)

enum hf_config_node_kind { HF_CONFIG_NODE_SCALAR, HF_CONFIG_NODE_SEQ, HF_CONFIG_NODE_MAP };

/* One YAML node. A mapping holds its keys and values alternately in items. */
struct hf_config_node {
	enum hf_config_node_kind kind;
	unsigned long line; /* 1-based */
	bool null;          /* a plain scalar that is empty, "~" or "null" */
	const char *text;   /* scalars: NUL-terminated, len octets (NULs possible) */
	size_t len;
	struct hf_config_node **items;
	size_t n, cap;
};

/* One load in progress. */
struct hf_config_ctx {
	const char *name;     /* file name for messages */
	char *err;            /* HF_CONFIG_ERR_MAX */
	bool failed;          /* err holds the first error */
	struct hf_rrdata *rr; /* scratch for checking local-data, allocated on first use */
};

/* config_yaml.c */

/* Parses text into *root (NULL when the text holds no document). */
HF_MUSTCHECK int hf_config_tree_parse(struct hf_config_ctx *c, const char *text, size_t len,
                                      struct hf_config_node **root);
void hf_config_tree_free(struct hf_config_node *n);

/*
 * Records the first error as "NAME:LINE: KEY: message" (no KEY when key is
 * NULL or ""). Returns HF_EINVAL, or HF_ENOMEM for hf_config_fail_nomem().
 */
__attribute__((format(printf, 4, 5))) int
hf_config_fail(struct hf_config_ctx *c, unsigned long line, const char *key, const char *fmt, ...);
int hf_config_fail_nomem(struct hf_config_ctx *c);

/* Replaces control characters so err is one line whatever the file name held. */
void hf_config_one_line(char *err);

/* Copies s[0..len), at most HF_CONFIG_QUOTE_MAX octets, escaping the unprintable. */
void hf_config_escape(const char *s, size_t len, bool quotes, char *out, size_t cap);
/* A scalar quoted for a message: "2x". */
const char *hf_config_quote(const struct hf_config_node *n, char out[HF_CONFIG_QUOTE_CAP]);
/* "a mapping", "a list", "nothing" or the quoted scalar. */
const char *hf_config_describe(const struct hf_config_node *n, char out[HF_CONFIG_QUOTE_CAP]);

/* out = path "." leaf, or leaf alone when path is "". */
void hf_config_join(char out[HF_CONFIG_KEY_MAX], const char *path, const char *leaf);
/* The last component of a dotted key. */
const char *hf_config_leaf(const char *key);

/* config_convert.c */

/* The row for name[0..len) directly under prefix ("" = the top level), or -1. */
int hf_config_find_row(const char *prefix, const char *name, size_t len);
/* The row of a key that exists (aborts otherwise). */
int hf_config_find_key(const char *key);
/* True if the row is a field of the struct the keys under prefix fill. */
bool hf_config_in_scope(const struct hf_config_key *row, const char *prefix);
/* "a duration (like 30s, 5m, 1d)" and so on, for "expected ..." messages. */
const char *hf_config_type_noun(enum hf_config_type t, unsigned flags);
/* The range of a number, duration or size row ("512..4096", "50ms..30s"). */
void hf_config_format_range(const struct hf_config_key *row, char *out, size_t cap);

/* Checks v, the value of row, and stores it into base. line is the key's line. */
HF_MUSTCHECK int hf_config_convert(struct hf_config_ctx *c, const struct hf_config_key *row,
                                   const struct hf_config_node *v, unsigned long line,
                                   const char *path, void *base);
/* Frees what the rows under prefix point to in base. */
void hf_config_free_fields(const char *prefix, void *base);

/* config.c */

/*
 * Walks the keys of map, which holds the keys under prefix; path is how the
 * mapping is named in messages. lines[row] records where each key was set.
 */
HF_MUSTCHECK int hf_config_walk_map(struct hf_config_ctx *c, const struct hf_config_node *map,
                                    const char *prefix, const char *path, void *base,
                                    unsigned long *lines);
/* Defaults for the keys under prefix the file left out; a missing required key is an error. */
HF_MUSTCHECK int hf_config_fill_defaults(struct hf_config_ctx *c, const char *prefix,
                                         const char *path, unsigned long line, void *base,
                                         unsigned long *lines);
