/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/random.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/compiler.h"

#define POOL_SIZE 512

static _Thread_local uint8_t pool[POOL_SIZE];
static _Thread_local size_t pool_left;

static void refill(void)
{
	size_t got = 0;
	while (got < POOL_SIZE) {
		ssize_t n = getrandom(pool + got, POOL_SIZE - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		/* Without randomness, IDs and ports become guessable: refuse to go on. */
		hf_require(n > 0);
		got += (size_t)n;
	}
	pool_left = POOL_SIZE;
}

void hf_random_bytes(void *out, size_t n)
{
	uint8_t *p = out;
	while (n > 0) {
		if (pool_left == 0)
			refill();
		size_t take = n < pool_left ? n : pool_left;
		memcpy(p, pool + POOL_SIZE - pool_left, take);
		/* Used bytes are wiped so they cannot be read back later. */
		memset(pool + POOL_SIZE - pool_left, 0, take);
		pool_left -= take;
		p += take;
		n -= take;
	}
}

uint16_t hf_random_u16(void)
{
	uint16_t v;
	hf_random_bytes(&v, sizeof(v));
	return v;
}

uint32_t hf_random_u32(void)
{
	uint32_t v;
	hf_random_bytes(&v, sizeof(v));
	return v;
}

uint32_t hf_random_below(uint32_t bound)
{
	uint32_t limit = UINT32_MAX - UINT32_MAX % bound;
	for (;;) {
		uint32_t v = hf_random_u32();
		if (v < limit)
			return v % bound;
	}
}
