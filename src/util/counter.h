/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Counters one thread writes and any thread reads (the control plane's
 * figures). The writer adds with a relaxed load and store, not an atomic
 * read-modify-write: there is only one writer, so nothing is lost, no lock
 * prefix is paid on the hot path, and a reader on another thread sees a
 * whole value (no torn reads, no data race for the sanitizers).
 */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

/* Only the one thread that owns c may add to it. */
static inline void hf_counter_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	                      memory_order_relaxed);
}

static inline void hf_counter_inc(_Atomic uint64_t *c)
{
	hf_counter_add(c, 1);
}

static inline uint64_t hf_counter_get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}
