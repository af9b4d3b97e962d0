/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: one record in presentation text. Any parse error is fine. A
 * record that parses must have RDATA that passes hf_rdata_check(), must print,
 * and the printed line must parse to the same owner, type, class, TTL and
 * RDATA. The canonical (signing) form is computed too, for coverage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/rdata.h"
#include "wire/rr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_LIMIT ((size_t)64 << 20)

static void fail(const char *what, int err)
{
	fprintf(stderr, "fuzz_text: %s: %s (%d)\n", what, hf_errname(err), err);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr)), *again = hf_malloc(sizeof(*again));
	size_t cap = 4096, canon_cap = HF_NAME_MAX + 10 + HF_RDATA_MAX;
	char *text = hf_malloc(cap);
	uint8_t *canon = hf_malloc(canon_cap);
	if (rr == NULL || again == NULL || text == NULL || canon == NULL)
		fail("allocating", HF_ENOMEM);
	if (hf_rr_from_text((const char *)data, size, NULL, 3600, rr) != HF_OK)
		goto out;
	if (hf_rdata_check(hf_rdata_layout(rr->type, rr->rclass), rr->rdata, rr->rdlen) != HF_OK)
		fail("hf_rdata_check", HF_ERDATA);

	int n;
	while ((n = hf_rr_to_text(rr->owner, rr->type, rr->rclass, rr->ttl, rr->rdata, rr->rdlen,
	                          text, cap)) == HF_ESPACE &&
	       cap < TEXT_LIMIT) {
		hf_free(text);
		cap *= 4;
		text = hf_malloc(cap);
		if (text == NULL)
			fail("growing the text buffer", HF_ENOMEM);
	}
	if (n < 0)
		fail("hf_rr_to_text", n);
	int ret = hf_rr_from_text(text, (size_t)n, NULL, 3600, again);
	if (ret != HF_OK) {
		fprintf(stderr, "%s\n", text);
		fail("hf_rr_from_text of printed text", ret);
	}
	if (memcmp(rr->owner, again->owner, hf_name_len(rr->owner)) != 0 ||
	    rr->type != again->type || rr->rclass != again->rclass || rr->ttl != again->ttl ||
	    rr->rdlen != again->rdlen || memcmp(rr->rdata, again->rdata, rr->rdlen) != 0) {
		fprintf(stderr, "%s\n", text);
		fail("record differs after the round trip", HF_OK);
	}
	ret = hf_rr_canonical(rr->owner, rr->type, rr->rclass, rr->ttl, 255, rr->rdata, rr->rdlen,
	                      canon, canon_cap);
	if (ret < 0)
		fail("hf_rr_canonical", ret);
out:
	hf_free(rr);
	hf_free(again);
	hf_free(text);
	hf_free(canon);
	return 0;
}
