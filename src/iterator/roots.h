/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Root hints: where iteration starts. Read from `root-hints` (Debian's
 * /usr/share/dns/root.hints by default: NS records for "." and the
 * addresses of those servers, in zone-file text), or a built-in copy of the
 * same data when the key is "". Priming (RFC 8109) then asks one of them for
 * the current root NS set, which replaces the hints in the cache.
 */
#pragma once

#include <stddef.h>

#include "config/config.h"
#include "wire/name.h"

#define HF_ROOTS_MAX 32

struct hf_root_server {
	uint8_t name[HF_NAME_MAX];
	struct hf_addr addr[2]; /* IPv4 and/or IPv6 */
	size_t naddr;
};

struct hf_roots {
	struct hf_root_server servers[HF_ROOTS_MAX];
	size_t n;
};

/* Loads path ("" or NULL = built-in). NULL with a message naming file and line on error. */
struct hf_roots *hf_roots_load(const char *path, char err[HF_CONFIG_ERR_MAX]);
void hf_roots_free(struct hf_roots *r);

/* The same from text already in memory (tests); name is used in messages. */
struct hf_roots *hf_roots_parse(const char *name, const char *text, size_t len,
                                char err[HF_CONFIG_ERR_MAX]);
