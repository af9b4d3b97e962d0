/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: message parsing and the wire -> text -> wire round trip.
 * Any parse error is fine. A message that parses must print, every record's
 * owner and RDATA must unpack, check and print, and the text must build a
 * message that parses to the same text again. Leaks and crashes fail.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/msgtext.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_LIMIT ((size_t)64 << 20)

struct text {
	char *p;
	size_t cap;
};

static void fail(const char *what, int err)
{
	fprintf(stderr, "fuzz_pkt: %s: %s (%d)\n", what, hf_errname(err), err);
	abort();
}

/* Grows t after HF_ESPACE; false when it may not grow any further. */
static bool grow(struct text *t, int ret)
{
	if (ret != HF_ESPACE || t->cap >= TEXT_LIMIT)
		return false;
	hf_free(t->p);
	t->cap *= 4;
	t->p = hf_malloc(t->cap);
	if (t->p == NULL)
		fail("growing the text buffer", HF_ENOMEM);
	return true;
}

static void check_records(const struct hf_pkt *pkt, uint8_t *rdata, struct text *t)
{
	for (size_t i = 0; i < pkt->nrr; i++) {
		const struct hf_rr *rr = &pkt->rr[i];
		uint8_t owner[HF_NAME_MAX];
		int n = hf_pkt_owner(pkt, rr, owner);
		if (n < 0 || hf_name_check(owner, (size_t)n) != n)
			fail("hf_pkt_owner", n);
		if (i < pkt->sect[HF_SECTION_ANSWER])
			continue; /* a question has no RDATA */
		int len = hf_pkt_rdata(pkt, rr, rdata, HF_RDATA_MAX);
		if (len < 0)
			fail("hf_pkt_rdata", len);
		uint16_t layout = hf_rdata_layout(rr->type, rr->rclass);
		int ret;
		while ((ret = hf_rdata_to_text(layout, rdata, (size_t)len, t->p, t->cap)) < 0 &&
		       grow(t, ret))
			;
		if (rr->type == HF_TYPE_OPT)
			continue; /* OPT RDATA is options, not a type layout */
		if (ret < 0 && ret != HF_ESPACE)
			fail("hf_rdata_to_text", ret);
		if (hf_rdata_check(layout, rdata, (size_t)len) != HF_OK)
			fail("hf_rdata_check after hf_pkt_rdata", HF_ERDATA);
		hf_rdata_canonicalize(layout, rdata, (size_t)len);
		if (hf_rdata_check(layout, rdata, (size_t)len) != HF_OK)
			fail("hf_rdata_check after hf_rdata_canonicalize", HF_ERDATA);
	}
}

static int msg_text(const struct hf_pkt *pkt, struct text *t)
{
	int ret;
	while ((ret = hf_msg_to_text(pkt, t->p, t->cap)) < 0 && grow(t, ret))
		;
	if (ret < 0 && ret != HF_ESPACE)
		fail("hf_msg_to_text", ret);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_pkt pkt, again;
	int ret = hf_pkt_parse(&pkt, data, size, NULL);
	if (ret != HF_OK && ret != HF_EBADVERS)
		return 0;
	struct text t1 = {hf_malloc(4096), 4096}, t2 = {hf_malloc(4096), 4096};
	uint8_t *wire = hf_malloc(HF_MSG_MAX), *rdata = hf_malloc(HF_RDATA_MAX);
	if (t1.p == NULL || t2.p == NULL || wire == NULL || rdata == NULL)
		goto out;
	check_records(&pkt, rdata, &t1);

	int n1 = msg_text(&pkt, &t1);
	if (n1 < 0)
		goto out;
	int line = 0;
	int wlen = hf_msg_from_text(t1.p, (size_t)n1, wire, HF_MSG_MAX, &line);
	if (wlen == HF_ESPACE)
		goto out; /* compressed less well than the original: may not fit */
	if (wlen < 0) {
		fprintf(stderr, "%s\nfuzz_pkt: line %d does not parse\n", t1.p, line);
		fail("hf_msg_from_text", wlen);
	}
	int ret2 = hf_pkt_parse(&again, wire, (size_t)wlen, NULL);
	if (ret2 != ret)
		fail("hf_pkt_parse of the rebuilt message", ret2);
	int n2 = msg_text(&again, &t2);
	hf_pkt_clear(&again);
	if (n2 >= 0 && (n2 != n1 || memcmp(t1.p, t2.p, (size_t)n1) != 0)) {
		fprintf(stderr, "%s\n-- became --\n%s\n", t1.p, t2.p);
		fail("text differs after the round trip", HF_OK);
	}
out:
	hf_pkt_clear(&pkt);
	hf_free(t1.p);
	hf_free(t2.p);
	hf_free(wire);
	hf_free(rdata);
	return 0;
}
