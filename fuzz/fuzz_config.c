/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the configuration loader on arbitrary bytes. Any error is
 * fine if it is one line that starts with the file name. A config that loads
 * must keep the loader's promises: at least one listen address, min-ttl at
 * most max-ttl, at least one upstream per forward zone, and one of IPv4 and
 * IPv6 on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_config: %s: %s\n", what, err);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = hf_config_parse("fuzz.yaml", (const char *)data, size, err);
	if (cfg == NULL) {
		if (strncmp(err, "fuzz.yaml:", 10) != 0 || strchr(err, '\n') != NULL)
			fail("error message is not one line naming the file", err);
		return 0;
	}
	if (cfg->nlisten == 0 || cfg->cache.min_ttl > cfg->cache.max_ttl ||
	    (!cfg->resolver.upstream_ip4 && !cfg->resolver.upstream_ip6))
		fail("loaded config breaks a promise", "listen, ttl or upstream-ip");
	for (size_t i = 0; i < cfg->nforward; i++) {
		if (cfg->forward[i].nupstreams == 0)
			fail("loaded config breaks a promise", "forward zone without upstreams");
	}
	hf_config_free(cfg);
	return 0;
}
