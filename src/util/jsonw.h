/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writing JSON into a fixed buffer: formatted pieces and escaped strings.
 * Once something does not fit, full is set and the rest is skipped, so a
 * caller checks once at the end.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hf_jsonw {
	char *buf;
	size_t len, cap;
	bool full;
};

void hf_jsonw_put(struct hf_jsonw *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s as a JSON string: quotes, backslashes, control and non-ASCII octets escaped. */
void hf_jsonw_str(struct hf_jsonw *o, const char *s);
