/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The guard's state file. See state.h for the format and the rules. */
#include "guard/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define LINE_MAX_LEN 128

/* One line: "ADDR@PORT UNTIL". */
static bool parse_line(const char *line, size_t len, int64_t now, struct hf_addr *a, int64_t *until)
{
	char buf[LINE_MAX_LEN];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	char *space = strchr(buf, ' ');
	if (space == NULL)
		return false;
	*space = '\0';
	char *end;
	long long t = strtoll(space + 1, &end, 10);
	if (end == space + 1 || *end != '\0' || t <= now || t > now + HF_GUARD_STATE_MAX_AHEAD)
		return false;
	*until = t;
	return hf_addr_parse(buf, 53, a) == HF_OK;
}

unsigned hf_guard_state_parse(const char *text, size_t len, int64_t now,
                              void (*fn)(void *ctx, const struct hf_addr *a, int64_t until),
                              void *ctx)
{
	unsigned skipped = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		struct hf_addr a;
		int64_t until;
		if (end > pos) {
			if (parse_line(text + pos, end - pos, now, &a, &until))
				fn(ctx, &a, until);
			else
				skipped++;
		}
		pos = end + 1;
	}
	return skipped;
}

bool hf_guard_state_line(const struct hf_addr *a, int64_t until, char *out, size_t *len, size_t cap)
{
	char addr[64];
	hf_addr_format(a, addr, sizeof(addr));
	int n = snprintf(out + *len, cap - *len, "%s %lld\n", addr, (long long)until);
	if (n < 0 || (size_t)n >= cap - *len)
		return false;
	*len += (size_t)n;
	return true;
}
