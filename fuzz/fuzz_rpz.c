/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: a response policy zone file (policy/rpz.c), which comes from
 * feeds and hand edits. Whatever it holds, loading ends with a policy or an
 * error naming a line, and lookups of any name and address stay in bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "util/err.h"
#include "wire/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t origin[] = {3, 'r', 'p', 'z', 4, 't', 'e', 's', 't', 0};

/* A name made of the input's first octets, as labels of at most 8 (lookups of odd names). */
static void probe_name(const uint8_t *data, size_t size, uint8_t name[HF_NAME_MAX])
{
	size_t at = 0;
	for (size_t i = 0; i < size && at + 10 < 64;) {
		size_t n = size - i < 8 ? size - i : 8;
		name[at++] = (uint8_t)n;
		memcpy(name + at, data + i, n);
		at += n;
		i += n;
	}
	name[at] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy *p = hf_policy_new();
	if (p == NULL)
		return 0;
	int rc =
	    hf_policy_add_rpz(p, "rpz.test.", origin, (const char *)data, size, err, sizeof(err));
	if (rc != HF_OK && strncmp(err, "line ", 5) != 0 && strcmp(err, "out of memory") != 0)
		abort();
	uint8_t name[HF_NAME_MAX], addr[16] = {0};
	probe_name(data, size, name);
	memcpy(addr, data, size < 16 ? size : 16);
	(void)hf_policy_qname(p, name);
	(void)hf_policy_nsdname(p, name);
	(void)hf_policy_ip(p, addr, 4);
	(void)hf_policy_ip(p, addr, 16);
	char text[HF_POLICY_ERR_MAX] = "";
	if (hf_policy_check_wide(p, text, sizeof(text)) != HF_OK && text[0] == '\0')
		abort(); /* a refusal says why */
	hf_policy_free(p);
	return 0;
}
