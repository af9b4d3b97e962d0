/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trust anchor files and the built-in root anchors. See anchors.h. */
#include "validator/anchors.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define DEFAULT_ANCHOR_FILE "/usr/share/dns/root.ds"
#define MAX_ANCHORS         256

/* IANA's root KSKs: KSK-2017 and KSK-2024, as DS records (the same as dns-root-data). */
static const char builtin[] =
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
    ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";

static int add_line(struct hf_anchors *a, const char *name, unsigned line, const char *text,
                    size_t len, struct hf_rrdata *rr, char *err)
{
	int rc = hf_rr_from_text(text, len, NULL, 3600, rr);
	if (rc != HF_OK) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s:%u: not a record: %s", name, line,
		         hf_strerror(rc));
		return rc;
	}
	if (rr->type != HF_TYPE_DS && rr->type != HF_TYPE_DNSKEY) {
		snprintf(err, HF_CONFIG_ERR_MAX,
		         "%s:%u: a trust anchor must be a DS or DNSKEY record", name, line);
		return HF_EINVAL;
	}
	if (a->n == MAX_ANCHORS || rr->rdlen > HF_ANCHOR_RDATA_MAX) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s:%u: too many or too large trust anchors", name,
		         line);
		return HF_EINVAL;
	}
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
	unsigned line = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *l = text + pos;
		size_t llen = end - pos;
		pos = end + 1;
		line++;
		size_t k = 0;
		while (k < llen && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'))
			k++;
		if (k == llen || l[k] == ';')
			continue;
		int rc = add_line(a, name, line, l, llen, rr, err);
		if (rc != HF_OK)
			return rc;
	}
	return HF_OK;
}

static int parse_file(struct hf_anchors *a, const char *path, struct hf_rrdata *rr, char *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: cannot read trust anchors: %s", path,
		         strerror(errno));
		return -errno;
	}
	static const size_t cap = 1 << 20;
	char *buf = hf_malloc(cap);
	size_t n = buf ? fread(buf, 1, cap, f) : 0;
	fclose(f);
	if (buf == NULL || n == cap) {
		hf_free(buf);
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: too large for a trust anchor file", path);
		return HF_EINVAL;
	}
	size_t before = a->n;
	int rc = parse_text(a, path, buf, n, rr, err);
	hf_free(buf);
	if (rc == HF_OK && a->n == before) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: no DS or DNSKEY record in it", path);
		return HF_EINVAL;
	}
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
