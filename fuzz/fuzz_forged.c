/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the known-forged list (guard/forged.h), a file an operator
 * edits by hand. Whatever it holds, parsing ends with a list or an error
 * naming a line, and lookups of any address stay within bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "guard/forged.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[HF_CONFIG_ERR_MAX];
	err[0] = '\0';
	struct hf_forged *f = hf_forged_parse((const char *)data, size, err);
	if (f == NULL) {
		if (strncmp(err, "line ", 5) != 0 && strcmp(err, "out of memory") != 0)
			abort();
		return 0;
	}
	/* An address built from the input's first octets: looked up, whatever the answer. */
	uint8_t addr[16] = {0};
	memcpy(addr, data, size < 16 ? size : 16);
	(void)hf_forged_has(f, addr, 4);
	(void)hf_forged_has(f, addr, 16);
	if (size < 64 && hf_forged_count(f) > size)
		abort(); /* an entry needs at least one octet of text */
	hf_forged_free(f);
	return 0;
}
