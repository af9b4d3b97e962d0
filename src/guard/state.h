/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the guard remembers across restarts: which server addresses sent
 * doubted replies lately and are asked over TCP only until when. A text file
 * (`guard.state` under cache.path), rewritten whole, one line per server:
 *
 *   ADDR@PORT UNTIL        UNTIL: wall-clock seconds since the epoch
 *
 * The file is read back as hostile input: a line that does not parse, an
 * address that is no address, a time in the past or absurdly far ahead is
 * skipped (and counted); nothing in it can do more than send some queries
 * over TCP for at most a day.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/compiler.h"

#define HF_GUARD_STATE_MAX_AHEAD 86400 /* seconds: no entry lasts longer than a day */

/*
 * Calls fn for each usable line of text[0..len): address and until (wall
 * seconds), given now. Returns how many lines were skipped.
 */
unsigned hf_guard_state_parse(const char *text, size_t len, int64_t now,
                              void (*fn)(void *ctx, const struct hf_addr *a, int64_t until),
                              void *ctx);

/* Appends one line for a into out[*len..cap); false when it does not fit. */
bool hf_guard_state_line(const struct hf_addr *a, int64_t until, char *out, size_t *len,
                         size_t cap);
