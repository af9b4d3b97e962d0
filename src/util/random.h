/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unpredictable numbers for query IDs and source ports: the kernel's CSPRNG
 * (getrandom), buffered per thread so a query costs no system call.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

void hf_random_bytes(void *out, size_t n);
uint16_t hf_random_u16(void);
uint32_t hf_random_u32(void);
/* Uniform in [0, bound) without modulo bias; bound > 0. */
uint32_t hf_random_below(uint32_t bound);
