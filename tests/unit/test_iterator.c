/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Iterator bounds that a sequential replay cannot reach: queries in flight
 * per server address (resolver.max-outstanding), shared by all requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "config/config.h"
#include "iterator/infra.h"
#include "iterator/iterator.h"
#include "iterator/roots.h"
#include "resolve/resolve.h"
#include "util/err.h"
#include "wire/rrtype.h"

static const char conf[] = "trust-anchors: []\n"
                           "resolver: {max-outstanding: 2, qname-minimisation: false}\n";
static const char hints[] = ". 3600000 NS a.root.test.\na.root.test. 3600000 A 192.0.2.1\n";

struct world {
	struct hf_config *cfg;
	struct hf_roots *roots;
	struct hf_cache *cache;
	struct hf_infra *infra;
	struct hf_iter_env env;
};

static int setup(void **state)
{
	static struct world w;
	char err[HF_CONFIG_ERR_MAX];
	w.cfg = hf_config_parse("t", conf, sizeof(conf) - 1, err);
	w.roots = hf_roots_parse("hints", hints, sizeof(hints) - 1, err);
	struct hf_cache_opts co = {.max_bytes = 1 << 20, .max_ttl = 86400, .neg_max_ttl = 3600};
	w.cache = hf_cache_new(&co);
	w.infra = hf_infra_new();
	assert_non_null(w.cfg);
	assert_non_null(w.roots);
	w.env = (struct hf_iter_env){
	    .cfg = w.cfg, .cache = w.cache, .roots = w.roots, .infra = w.infra, .now_wall = 1};
	*state = &w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	hf_infra_free(w->infra);
	hf_cache_free(w->cache);
	hf_roots_free(w->roots);
	hf_config_free(w->cfg);
	return 0;
}

static void test_max_outstanding_per_server(void **state)
{
	struct world *w = *state;
	static const uint8_t qname[] = "\3www\7example\3com";
	struct hf_req r[3];
	struct hf_req_out out;
	/* Two requests may each have a query in flight to the only root server... */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
		    hf_req_init_iter(&r[i], &w->env, qname, HF_TYPE_A, HF_CLASS_IN, false, 1000),
		    HF_OK);
		assert_int_equal(hf_req_produce(&r[i], 1000000, &out), HF_REQ_SEND);
		assert_int_equal(atomic_load(&out.server->outstanding), (unsigned)i + 1);
	}
	/* ...a third finds it full and, with no other server, fails instead of piling on. */
	assert_int_equal(
	    hf_req_init_iter(&r[2], &w->env, qname, HF_TYPE_A, HF_CLASS_IN, false, 1000), HF_OK);
	assert_int_equal(hf_req_produce(&r[2], 1000000, &out), HF_REQ_DONE);
	assert_null(r[2].reply);
	assert_int_equal(r[2].ede, 22);
	hf_req_clear(&r[2]);
	/* Ending a request gives its slot back. */
	struct hf_upstream *root = hf_infra_get(w->infra, &w->roots->servers[0].addr[0]);
	hf_req_clear(&r[0]);
	assert_int_equal(atomic_load(&root->outstanding), 1);
	hf_req_clear(&r[1]);
	assert_int_equal(atomic_load(&root->outstanding), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_max_outstanding_per_server),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
