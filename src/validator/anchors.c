/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trust anchor files and the built-in root anchors. See anchors.h. */
#include "validator/anchors.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/file.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define DEFAULT_ANCHOR_FILE "/usr/share/dns/root.ds"
#define MAX_ANCHORS         256
#define ANCHORS_MAX         (1 << 20)

/* IANA's root KSKs: KSK-2017 and KSK-2024, as DS records (the same as dns-root-data). */
static const char builtin[] =
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
    ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";

static int take_anchor(void *ctx, const struct hf_rrdata *rr)
{
	struct hf_anchors *a = ctx;
	if (rr->type != HF_TYPE_DS && rr->type != HF_TYPE_DNSKEY)
		return HF_ETYPE;
	if (a->n == MAX_ANCHORS || rr->rdlen > HF_ANCHOR_RDATA_MAX)
		return HF_ESPACE;
	struct hf_anchor *e = &a->anchors[a->n++];
	memcpy(e->owner, rr->owner, hf_name_len(rr->owner));
	hf_name_lower(e->owner);
	e->type = rr->type;
	e->rdlen = rr->rdlen;
	memcpy(e->rdata, rr->rdata, rr->rdlen);
	return HF_OK;
}

static int parse_text(struct hf_anchors *a, const char *name, const char *text, size_t len,
                      struct hf_rrdata *rr, char *err)
{
	size_t before = a->n;
	unsigned line;
	int rc = hf_rr_each_line(text, len, 3600, rr, take_anchor, a, &line);
	if (rc == HF_ETYPE) {
		/* Both "not DS or DNSKEY" and an unknown type mnemonic end here. */
		snprintf(err, HF_CONFIG_ERR_MAX,
		         "%s:%u: a trust anchor must be a DS or DNSKEY record", name, line);
	} else if (rc == HF_ESPACE) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s:%u: too many or too large trust anchors", name,
		         line);
	} else if (rc != HF_OK) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s:%u: not a record: %s", name, line,
		         hf_strerror(rc));
	} else if (a->n == before) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: no DS or DNSKEY record in it", name);
		rc = HF_EINVAL;
	}
	return rc;
}

static int parse_file(struct hf_anchors *a, const char *path, struct hf_rrdata *rr, char *err)
{
	size_t len;
	int rc;
	char *text = hf_read_file(path, ANCHORS_MAX, &len, &rc);
	if (text == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: cannot read trust anchors: %s", path,
		         rc == HF_ETOOBIG ? "too large" : hf_strerror(rc));
		return rc;
	}
	rc = parse_text(a, path, text, len, rr, err);
	hf_free(text);
	return rc;
}

struct hf_anchors *hf_anchors_load(const struct hf_config *cfg, char err[HF_CONFIG_ERR_MAX])
{
	struct hf_anchors *a = hf_calloc(1, sizeof(*a));
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	if (a != NULL)
		a->anchors = hf_calloc(MAX_ANCHORS, sizeof(*a->anchors));
	if (a == NULL || rr == NULL || a->anchors == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		goto fail;
	}
	bool only_default =
	    cfg->ntrust_anchors == 1 && strcmp(cfg->trust_anchors[0], DEFAULT_ANCHOR_FILE) == 0;
	for (size_t i = 0; i < cfg->ntrust_anchors; i++) {
		const char *path = cfg->trust_anchors[i];
		FILE *probe = only_default ? fopen(path, "r") : NULL;
		if (only_default && probe == NULL && errno == ENOENT) {
			/* No dns-root-data here: the compiled-in root anchors stand in. */
			a->builtin = true;
			if (parse_text(a, "built-in trust anchors", builtin, sizeof(builtin) - 1,
			               rr, err) != HF_OK)
				goto fail;
			continue;
		}
		if (probe != NULL)
			fclose(probe);
		if (parse_file(a, path, rr, err) != HF_OK)
			goto fail;
	}
	hf_free(rr);
	return a;
fail:
	hf_free(rr);
	hf_anchors_free(a);
	return NULL;
}

void hf_anchors_free(struct hf_anchors *a)
{
	if (a == NULL)
		return;
	hf_free(a->anchors);
	hf_free(a);
}
