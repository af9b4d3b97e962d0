/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the guard's state file (guard/state.h) read back from disk,
 * where anyone with access to cache.path could have written anything. Each
 * accepted line must name a real address and a time within a day.
 */
#include <stdlib.h>

#include "guard/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ctx, const struct hf_addr *a, int64_t until)
{
	const int64_t *now = ctx;
	if (a->len == 0 || until <= *now || until > *now + HF_GUARD_STATE_MAX_AHEAD)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t now = 1700000000;
	(void)hf_guard_state_parse((const char *)data, size, now, check, &now);
	return 0;
}
