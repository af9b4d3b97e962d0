/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The known-forged address list (issue #7): addresses on-path injectors are
 * known to have put in forged answers (data/forged-addresses.txt, built in;
 * guard.forged-list names another file). One ADDR or ADDR/LEN per line, '#'
 * comments. A reply whose answer carries one of them is doubted, not
 * rejected: injectors answer with real sites' addresses, so a match alone
 * is a weak signal that only makes the guard hold on for a better reply.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define HF_FORGED_MAX_ENTRIES 65536
#define HF_FORGED_MAX_BYTES   (4u << 20)

struct hf_forged;

/*
 * Parses the list in text (len octets; need not be NUL-terminated). NULL on
 * error, with err naming the line ("line 12: 'x' is not an address").
 */
struct hf_forged *hf_forged_parse(const char *text, size_t len, char err[HF_CONFIG_ERR_MAX]);

/* The list in path, or the built-in one when path is NULL or "". Errors name the file. */
struct hf_forged *hf_forged_load(const char *path, char err[HF_CONFIG_ERR_MAX]);

void hf_forged_free(struct hf_forged *f);

/* Entries in the list. */
size_t hf_forged_count(const struct hf_forged *f);

/* Is the address (4 or 16 octets) on the list? */
bool hf_forged_has(const struct hf_forged *f, const uint8_t *addr, size_t len);
