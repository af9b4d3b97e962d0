/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The clock, read through these functions only. TTLs and cache expiry use
 * wall-clock seconds (CLOCK_REALTIME), because cache entries outlive the
 * process and tools like faketime must be able to move time; timers and RTT
 * measurements use the monotonic clock.
 */
#pragma once

#include <stdint.h>

/* Seconds since the epoch (wall clock). */
int64_t hf_clock_wall(void);

/* Microseconds since the epoch (wall clock): timestamps in logs others read (dnstap). */
uint64_t hf_clock_wall_us(void);

/* Milliseconds on the monotonic clock. */
uint64_t hf_clock_mono_ms(void);

/* Microseconds on the monotonic clock. */
uint64_t hf_clock_mono_us(void);
