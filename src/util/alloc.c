/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Counting allocator. Each block carries a small header with its size so
 * hf_free() can keep the in-use figure exact. The counter is atomic because
 * worker threads share it.
 */
#include "util/alloc.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct block_head {
	alignas(max_align_t) size_t size;
};

static atomic_size_t in_use;
static atomic_ulong fail_countdown;

static int should_fail(void)
{
	unsigned long n = atomic_load(&fail_countdown);
	while (n != 0) {
		if (atomic_compare_exchange_weak(&fail_countdown, &n, n - 1))
			return n == 1;
	}
	return 0;
}

void *hf_malloc(size_t n)
{
	if (should_fail() || n > SIZE_MAX - sizeof(struct block_head))
		return NULL;
	struct block_head *h = malloc(sizeof(*h) + n);
	if (h == NULL)
		return NULL;
	h->size = n;
	atomic_fetch_add(&in_use, n);
	return h + 1;
}

void *hf_calloc(size_t count, size_t n)
{
	if (n != 0 && count > SIZE_MAX / n)
		return NULL;
	void *p = hf_malloc(count * n);
	if (p != NULL)
		memset(p, 0, count * n);
	return p;
}

void *hf_realloc(void *p, size_t n)
{
	if (p == NULL)
		return hf_malloc(n);
	if (should_fail() || n > SIZE_MAX - sizeof(struct block_head))
		return NULL;
	struct block_head *old = (struct block_head *)p - 1;
	size_t old_size = old->size;
	struct block_head *h = realloc(old, sizeof(*h) + n);
	if (h == NULL)
		return NULL;
	h->size = n;
	atomic_fetch_sub(&in_use, old_size);
	atomic_fetch_add(&in_use, n);
	return h + 1;
}

void hf_free(void *p)
{
	if (p == NULL)
		return;
	struct block_head *h = (struct block_head *)p - 1;
	atomic_fetch_sub(&in_use, h->size);
	free(h);
}

size_t hf_alloc_in_use(void)
{
	return atomic_load(&in_use);
}

void hf_alloc_fail_nth(unsigned long nth)
{
	atomic_store(&fail_countdown, nth);
}

void *hf_mm_alloc(const struct hf_mm *mm, size_t n)
{
	if (mm == NULL)
		return hf_malloc(n);
	return mm->alloc(mm->ctx, n);
}

void hf_mm_free(const struct hf_mm *mm, void *p)
{
	if (mm == NULL) {
		hf_free(p);
		return;
	}
	if (mm->free != NULL)
		mm->free(mm->ctx, p);
}
