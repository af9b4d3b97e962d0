/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Assertion failure handler. Test and fuzz builds define HF_ASSERT_ABORT so
 * every soft assertion is fatal there; production logs and carries on.
 */
#include "util/compiler.h"

#include <stdio.h>
#include <stdlib.h>

void hf_assert_failed(const char *expr, const char *file, int line, bool fatal)
{
	fprintf(stderr, "holdfast: assertion failed: %s (%s:%d)\n", expr, file, line);
#ifdef HF_ASSERT_ABORT
	fatal = true;
#endif
	if (fatal)
		abort();
}
