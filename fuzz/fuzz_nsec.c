/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: denial proofs (validator/nsec.h) over hostile NSEC and NSEC3
 * records. The input (fuzz/corpus/gen_nsec_seeds.py writes seeds in it):
 *
 *   qtype selector, max hashes, max iterations, closest-encloser depth  4 octets
 *   zone                                            wire name
 *   qname, less the zone                            wire name (its labels go in front of zone)
 *   records, to the end:
 *     flags (bit 0: NSEC3, else NSEC)               1 octet
 *     owner, less the zone                          wire name
 *     RDATA length, RDATA                           2 octets, then that many
 *
 * Names are built below the zone so that most inputs reach the proofs
 * rather than the zone check; RDATA is left exactly as given, each record in
 * a heap block of its own size, so a read past rdlen is caught. Every kind
 * of proof runs on each input, with both record sets and with NSEC3 alone,
 * against one budget. Besides not crashing, the results must keep the
 * contract: only the documented codes, opt-out only with success from NSEC3,
 * and the budget never overspent.
 */
#include <stdlib.h>
#include <string.h>

#include "validator/nsec.h"
#include "wire/name.h"
#include "wire/rrtype.h"

#define MAX_RRS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t left;
};

/* A wire name from the input, or NULL when what follows is not one. */
static const uint8_t *take_name(struct input *in)
{
	int len = hf_name_check(in->p, in->left);
	if (len < 0)
		return NULL;
	const uint8_t *name = in->p;
	in->p += len;
	in->left -= (size_t)len;
	return name;
}

/* prefix's labels in front of zone, into out; false if longer than a name may be. */
static bool join(const uint8_t *prefix, const uint8_t *zone, uint8_t out[HF_NAME_MAX])
{
	size_t plen = hf_name_len(prefix) - 1, zlen = hf_name_len(zone);
	if (plen + zlen > HF_NAME_MAX)
		return false;
	memcpy(out, prefix, plen);
	memcpy(out + plen, zone, zlen);
	return true;
}

struct records {
	uint8_t owner[2][MAX_RRS][HF_NAME_MAX];
	uint8_t *rdata[2][MAX_RRS];
	struct hf_denial_rr rr[2][MAX_RRS];
	size_t n[2];
};

static void read_records(struct input *in, const uint8_t *zone, struct records *r)
{
	while (in->left > 0 && r->n[0] + r->n[1] < MAX_RRS) {
		unsigned set = in->p[0] & 1;
		in->p++;
		in->left--;
		const uint8_t *prefix = take_name(in);
		if (prefix == NULL || in->left < 2)
			return;
		size_t rdlen = (size_t)in->p[0] << 8 | in->p[1];
		in->p += 2;
		in->left -= 2;
		if (rdlen > in->left)
			rdlen = in->left;
		const uint8_t *rdata = in->p;
		in->p += rdlen;
		in->left -= rdlen;
		size_t i = r->n[set];
		if (!join(prefix, zone, r->owner[set][i]))
			continue;
		r->rdata[set][i] = malloc(rdlen ? rdlen : 1);
		if (r->rdata[set][i] == NULL)
			return;
		memcpy(r->rdata[set][i], rdata, rdlen);
		r->rr[set][i] = (struct hf_denial_rr){
		    .owner = r->owner[set][i], .rdata = r->rdata[set][i], .rdlen = (uint16_t)rdlen};
		r->n[set]++;
	}
}

static void check_result(int rc, bool opt_out, bool nsec3_given,
                         const struct hf_nsec3_budget *budget)
{
	if (rc != HF_OK && rc != HF_EBOGUS && rc != HF_EUNSUPPORTED && rc != HF_ELIMIT &&
	    rc != HF_ENOMEM)
		abort();
	if (opt_out && (rc != HF_OK || !nsec3_given))
		abort();
	if (budget->hashes > budget->max_hashes)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t qtypes[] = {HF_TYPE_A,   HF_TYPE_NS,    HF_TYPE_CNAME, HF_TYPE_SOA,
	                                  HF_TYPE_MX,  HF_TYPE_AAAA,  HF_TYPE_DS,    HF_TYPE_DNAME,
	                                  HF_TYPE_TXT, HF_TYPE_RRSIG, HF_TYPE_NSEC,  HF_TYPE_NSEC3};
	static const enum hf_denial_kind kinds[] = {HF_DENY_NXDOMAIN, HF_DENY_NODATA,
	                                            HF_DENY_WILDCARD};
	if (size < 4)
		return 0;
	uint16_t qtype = qtypes[data[0] % HF_ARRAY_LEN(qtypes)];
	/* Iterations stay small so that each input runs quickly; the cap is what is tested. */
	struct hf_nsec3_budget budget = {.max_hashes = data[1], .max_iterations = data[2] % 32};
	unsigned ce_depth = data[3];
	struct input in = {.p = data + 4, .left = size - 4};

	uint8_t qname[HF_NAME_MAX];
	const uint8_t *zone = take_name(&in);
	const uint8_t *prefix = zone ? take_name(&in) : NULL;
	if (prefix == NULL || !join(prefix, zone, qname))
		return 0;
	unsigned zlabels = hf_name_labels(zone), qlabels = hf_name_labels(qname);
	const uint8_t *ce = hf_name_suffix(qname, zlabels + ce_depth % (qlabels - zlabels + 1));

	struct records *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return 0;
	read_records(&in, zone, r);

	for (size_t k = 0; k < HF_ARRAY_LEN(kinds); k++) {
		bool opt_out = false;
		int rc = hf_denial_check(kinds[k], zone, qname, qtype, ce, r->rr[0], r->n[0],
		                         r->rr[1], r->n[1], &budget, &opt_out);
		check_result(rc, opt_out, r->n[1] > 0, &budget);
		rc = hf_denial_check(kinds[k], zone, qname, qtype, ce, NULL, 0, r->rr[1], r->n[1],
		                     &budget, &opt_out);
		check_result(rc, opt_out, r->n[1] > 0, &budget);
	}
	/* The bitmap reader on whatever follows each record's first octets. */
	for (unsigned set = 0; set < 2; set++) {
		for (size_t i = 0; i < r->n[set]; i++) {
			const struct hf_denial_rr *rr = &r->rr[set][i];
			size_t skip = rr->rdlen < 8 ? rr->rdlen : 8;
			(void)hf_nsec_bitmap_has(rr->rdata + skip, rr->rdlen - skip, qtype);
			free(r->rdata[set][i]);
		}
	}
	free(r);
	return 0;
}
