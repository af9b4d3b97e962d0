/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Allocation. Long-lived data goes through hf_malloc()/hf_free(), which count
 * the bytes in use (for memory limits and metrics) and can be told to fail on
 * the Nth call so tests reach every out-of-memory path. Raw malloc() is used
 * nowhere else.
 *
 * Code that may allocate either from the heap or from a per-request arena
 * takes a struct hf_mm (Knot's knot_mm_t): an allocator context. NULL means
 * the heap.
 */
#pragma once

#include <stddef.h>

#include "util/compiler.h"

void *hf_malloc(size_t n);
void *hf_calloc(size_t count, size_t n);
void *hf_realloc(void *p, size_t n);
void hf_free(void *p);

/* Bytes currently allocated through hf_malloc() and friends. */
size_t hf_alloc_in_use(void);

/* Tests: make the nth allocation from now on fail (1 = the next one); 0 turns it off. */
void hf_alloc_fail_nth(unsigned long nth);

struct hf_mm {
	void *(*alloc)(void *ctx, size_t n);
	void (*free)(void *ctx, void *p); /* may be NULL for arenas that free in bulk */
	void *ctx;
};

/* Allocate through mm, or through hf_malloc() when mm is NULL. */
void *hf_mm_alloc(const struct hf_mm *mm, size_t n);
void hf_mm_free(const struct hf_mm *mm, void *p);
