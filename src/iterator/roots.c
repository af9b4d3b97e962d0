/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Root hints from a file or the built-in copy. See roots.h. */
#include "iterator/roots.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/file.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define HINTS_MAX (1 << 16)

/* The IANA root hints (the same data as Debian's dns-root-data, July 2024). */
static const char builtin[] = ". 3600000 NS A.ROOT-SERVERS.NET.\n"
                              "A.ROOT-SERVERS.NET. 3600000 A 198.41.0.4\n"
                              "A.ROOT-SERVERS.NET. 3600000 AAAA 2001:503:ba3e::2:30\n"
                              ". 3600000 NS B.ROOT-SERVERS.NET.\n"
                              "B.ROOT-SERVERS.NET. 3600000 A 170.247.170.2\n"
                              "B.ROOT-SERVERS.NET. 3600000 AAAA 2801:1b8:10::b\n"
                              ". 3600000 NS C.ROOT-SERVERS.NET.\n"
                              "C.ROOT-SERVERS.NET. 3600000 A 192.33.4.12\n"
                              "C.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:2::c\n"
                              ". 3600000 NS D.ROOT-SERVERS.NET.\n"
                              "D.ROOT-SERVERS.NET. 3600000 A 199.7.91.13\n"
                              "D.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:2d::d\n"
                              ". 3600000 NS E.ROOT-SERVERS.NET.\n"
                              "E.ROOT-SERVERS.NET. 3600000 A 192.203.230.10\n"
                              "E.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:a8::e\n"
                              ". 3600000 NS F.ROOT-SERVERS.NET.\n"
                              "F.ROOT-SERVERS.NET. 3600000 A 192.5.5.241\n"
                              "F.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:2f::f\n"
                              ". 3600000 NS G.ROOT-SERVERS.NET.\n"
                              "G.ROOT-SERVERS.NET. 3600000 A 192.112.36.4\n"
                              "G.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:12::d0d\n"
                              ". 3600000 NS H.ROOT-SERVERS.NET.\n"
                              "H.ROOT-SERVERS.NET. 3600000 A 198.97.190.53\n"
                              "H.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:1::53\n"
                              ". 3600000 NS I.ROOT-SERVERS.NET.\n"
                              "I.ROOT-SERVERS.NET. 3600000 A 192.36.148.17\n"
                              "I.ROOT-SERVERS.NET. 3600000 AAAA 2001:7fe::53\n"
                              ". 3600000 NS J.ROOT-SERVERS.NET.\n"
                              "J.ROOT-SERVERS.NET. 3600000 A 192.58.128.30\n"
                              "J.ROOT-SERVERS.NET. 3600000 AAAA 2001:503:c27::2:30\n"
                              ". 3600000 NS K.ROOT-SERVERS.NET.\n"
                              "K.ROOT-SERVERS.NET. 3600000 A 193.0.14.129\n"
                              "K.ROOT-SERVERS.NET. 3600000 AAAA 2001:7fd::1\n"
                              ". 3600000 NS L.ROOT-SERVERS.NET.\n"
                              "L.ROOT-SERVERS.NET. 3600000 A 199.7.83.42\n"
                              "L.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:9f::42\n"
                              ". 3600000 NS M.ROOT-SERVERS.NET.\n"
                              "M.ROOT-SERVERS.NET. 3600000 A 202.12.27.33\n"
                              "M.ROOT-SERVERS.NET. 3600000 AAAA 2001:dc3::35\n";

static struct hf_root_server *server_named(struct hf_roots *r, const uint8_t *name, bool add)
{
	for (size_t i = 0; i < r->n; i++) {
		if (hf_name_eq(r->servers[i].name, name))
			return &r->servers[i];
	}
	if (!add || r->n == HF_ROOTS_MAX)
		return NULL;
	struct hf_root_server *s = &r->servers[r->n++];
	memcpy(s->name, name, hf_name_len(name));
	return s;
}

static void add_address(struct hf_roots *r, const struct hf_rrdata *rr)
{
	struct hf_root_server *s = server_named(r, rr->owner, false);
	if (s == NULL || s->naddr == 2)
		return; /* an address of a name the NS records do not mention */
	struct hf_addr *a = &s->addr[s->naddr++];
	memset(a, 0, sizeof(*a));
	if (rr->type == HF_TYPE_A) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		memcpy(&sin->sin_addr, rr->rdata, 4);
		a->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		memcpy(&sin6->sin6_addr, rr->rdata, 16);
		a->len = sizeof(*sin6);
	}
}

struct pass {
	struct hf_roots *roots;
	bool ns; /* NS records first, so addresses may come in any order */
};

static int take_record(void *ctx, const struct hf_rrdata *rr)
{
	struct pass *p = ctx;
	if (p->ns && rr->type == HF_TYPE_NS && rr->owner[0] == 0)
		server_named(p->roots, rr->rdata, true);
	else if (!p->ns && (rr->type == HF_TYPE_A || rr->type == HF_TYPE_AAAA))
		add_address(p->roots, rr);
	return HF_OK;
}

struct hf_roots *hf_roots_parse(const char *name, const char *text, size_t len,
                                char err[HF_CONFIG_ERR_MAX])
{
	struct hf_roots *r = hf_calloc(1, sizeof(*r));
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	if (r == NULL || rr == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		goto fail;
	}
	for (int ns = 1; ns >= 0; ns--) {
		struct pass p = {.roots = r, .ns = ns};
		unsigned line;
		int rc = hf_rr_each_line(text, len, 3600000, rr, take_record, &p, &line);
		if (rc != HF_OK) {
			snprintf(err, HF_CONFIG_ERR_MAX, "%s:%u: not a record: %s", name, line,
			         hf_strerror(rc));
			goto fail;
		}
	}
	size_t usable = 0;
	for (size_t i = 0; i < r->n; i++)
		usable += r->servers[i].naddr;
	if (usable == 0) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: no root server with an address", name);
		goto fail;
	}
	hf_free(rr);
	return r;
fail:
	hf_free(rr);
	hf_free(r);
	return NULL;
}

struct hf_roots *hf_roots_load(const char *path, char err[HF_CONFIG_ERR_MAX])
{
	if (path == NULL || path[0] == '\0')
		return hf_roots_parse("built-in root hints", builtin, sizeof(builtin) - 1, err);
	size_t len;
	int rc;
	char *text = hf_read_file(path, HINTS_MAX, &len, &rc);
	if (text == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: cannot read: %s", path,
		         rc == HF_ETOOBIG ? "larger than any root hints file" : hf_strerror(rc));
		return NULL;
	}
	struct hf_roots *r = hf_roots_parse(path, text, len, err);
	hf_free(text);
	return r;
}

void hf_roots_free(struct hf_roots *r)
{
	hf_free(r);
}
