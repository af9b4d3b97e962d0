/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: domain names. The input is decoded as a possibly compressed
 * wire name at offset 0 and at offsets taken from its first octet, and read
 * as presentation text. Every name that decodes must print and parse back to
 * the same octets (case kept), compare equal to itself and to its lowercase
 * form, and have consistent labels, suffixes and zone membership.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wire/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void check_name(const uint8_t *name, int n)
{
	char text[HF_NAME_TEXT_MAX];
	uint8_t back[HF_NAME_MAX], low[HF_NAME_MAX], low2[HF_NAME_MAX];
	if (hf_name_check(name, (size_t)n) != n || hf_name_len(name) != (size_t)n)
		abort();
	int t = hf_name_to_text(name, text, sizeof(text));
	if (t < 0 || strlen(text) != (size_t)t)
		abort();
	if (hf_name_from_text(text, (size_t)t, NULL, back) != n || memcmp(back, name, (size_t)n))
		abort();
	if (hf_name_cmp_canonical(name, name) != 0 || !hf_name_eq(name, name))
		abort();
	memcpy(low, name, (size_t)n);
	hf_name_lower(low);
	memcpy(low2, low, (size_t)n);
	hf_name_lower(low2);
	if (memcmp(low, low2, (size_t)n) != 0 || !hf_name_eq(name, low) ||
	    hf_name_cmp_canonical(name, low) != 0)
		abort();
	unsigned labels = hf_name_labels(name);
	if (hf_name_suffix(name, labels) != name || hf_name_suffix(name, labels + 1) != NULL ||
	    hf_name_suffix(name, 0)[0] != 0)
		abort();
	for (unsigned k = 0; k <= labels; k++) {
		const uint8_t *sfx = hf_name_suffix(name, k);
		if (hf_name_labels(sfx) != k || !hf_name_in_zone(name, sfx))
			abort();
	}
}

static void check_pair(const uint8_t *a, const uint8_t *b)
{
	int ab = hf_name_cmp_canonical(a, b), ba = hf_name_cmp_canonical(b, a);
	if (sign(ab) != -sign(ba) || (ab == 0) != hf_name_eq(a, b))
		abort();
	if (hf_name_in_zone(a, b) && hf_name_in_zone(b, a) && !hf_name_eq(a, b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t first[HF_NAME_MAX], name[HF_NAME_MAX], rel[HF_NAME_MAX];
	bool have_first = false;
	if (size == 0)
		return 0;
	const size_t offs[] = {0, data[0] % size, data[0] >> 4, data[0] & 0x0f};
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		size_t pos = offs[i], skip_pos = offs[i];
		int n = hf_name_unpack(data, size, &pos, name);
		if (hf_name_skip(data, size, &skip_pos) != n || (n >= 0 && skip_pos != pos))
			abort();
		if (n < 0)
			continue;
		check_name(name, n);
		if (have_first)
			check_pair(first, name);
		memcpy(first, name, (size_t)n);
		have_first = true;
	}

	int n = hf_name_from_text((const char *)data, size, NULL, name);
	if (n >= 0)
		check_name(name, n);
	if (!have_first)
		return 0;
	/* With an origin, a relative name lands inside it; an absolute one is unchanged. */
	int r = hf_name_from_text((const char *)data, size, first, rel);
	if (r >= 0) {
		check_name(rel, r);
		if ((n != r || memcmp(name, rel, (size_t)r) != 0) && !hf_name_in_zone(rel, first))
			abort();
	}
	return 0;
}
