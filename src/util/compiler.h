/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Compiler attributes and the two assertion styles used across holdfast.
 *
 * hf_require(x) guards invariants whose breach would make memory unsafe: it
 * always aborts. hf_fails_assert(x) guards everything else: it aborts in test
 * builds (HF_ASSERT_ABORT) and logs in production, returning true so the
 * caller can bail out with an error and keep serving.
 */
#pragma once

#include <stdbool.h>

#define HF_MUSTCHECK    __attribute__((warn_unused_result))
#define HF_UNUSED       __attribute__((unused))
#define HF_LIKELY(x)    __builtin_expect(!!(x), 1)
#define HF_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define HF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Internal functions that tests need are external in every build; the marker
 * says "not API, reachable for tests" (curl's UNITTEST). */
#define HF_TESTABLE

void hf_assert_failed(const char *expr, const char *file, int line, bool fatal);

#define hf_require(x)                                                                              \
	do {                                                                                       \
		if (HF_UNLIKELY(!(x)))                                                             \
			hf_assert_failed(#x, __FILE__, __LINE__, true);                            \
	} while (0)

#define hf_fails_assert(x)                                                                         \
	(HF_UNLIKELY(!(x)) ? (hf_assert_failed(#x, __FILE__, __LINE__, false), true) : false)
