/* SPDX-License-Identifier: GPL-3.0-or-later */
/* EDNS(0) options: iteration, layout checks, and encoders. See edns.h. */
#include "wire/edns.h"

#include <string.h>

#include "util/err.h"
#include "wire/buf.h"

int hf_edns_next(const uint8_t *opts, size_t len, size_t *pos, struct hf_edns_opt *o)
{
	if (*pos >= len)
		return 0;
	if (len - *pos < 4)
		return HF_EOPTDATA;
	uint16_t code = hf_get16(opts + *pos);
	uint16_t olen = hf_get16(opts + *pos + 2);
	if (len - *pos - 4 < olen)
		return HF_EOPTDATA;
	o->code = code;
	o->len = olen;
	o->data = opts + *pos + 4;
	*pos += 4 + (size_t)olen;
	return 1;
}

static int check_option(const struct hf_edns_opt *o)
{
	struct hf_edns_cookie cookie;
	struct hf_edns_ecs ecs;
	struct hf_edns_ede ede;
	switch (o->code) {
	case HF_EDNS_COOKIE:
		return hf_edns_cookie_parse(o, &cookie);
	case HF_EDNS_ECS:
		return hf_edns_ecs_parse(o, &ecs);
	case HF_EDNS_EDE:
		return hf_edns_ede_parse(o, &ede);
	default:
		return HF_OK; /* padding and unknown options: any content */
	}
}

int hf_edns_check(const uint8_t *opts, size_t len)
{
	size_t pos = 0;
	struct hf_edns_opt o;
	for (;;) {
		int r = hf_edns_next(opts, len, &pos, &o);
		if (r <= 0)
			return r;
		int err = check_option(&o);
		if (err != HF_OK)
			return err;
	}
}

bool hf_edns_find(const uint8_t *opts, size_t len, uint16_t code, struct hf_edns_opt *o)
{
	size_t pos = 0;
	while (hf_edns_next(opts, len, &pos, o) > 0) {
		if (o->code == code)
			return true;
	}
	return false;
}

/* RFC 7873 §4: 8 octets of client cookie, then nothing or 8 to 32 of server cookie. */
int hf_edns_cookie_parse(const struct hf_edns_opt *o, struct hf_edns_cookie *c)
{
	if (o->len != HF_COOKIE_CLIENT_LEN &&
	    (o->len < HF_COOKIE_CLIENT_LEN + HF_COOKIE_SERVER_MIN ||
	     o->len > HF_COOKIE_CLIENT_LEN + HF_COOKIE_SERVER_MAX))
		return HF_EOPTDATA;
	memcpy(c->client, o->data, HF_COOKIE_CLIENT_LEN);
	c->server_len = (uint8_t)(o->len - HF_COOKIE_CLIENT_LEN);
	memcpy(c->server, o->data + HF_COOKIE_CLIENT_LEN, c->server_len);
	return HF_OK;
}

static unsigned family_bits(uint16_t family)
{
	return family == 1 ? 32 : family == 2 ? 128 : 0;
}

/*
 * RFC 7871 §6: FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, then the
 * address cut to ceil(source / 8) octets with the bits past the prefix zero
 * (§7.1.1 answers anything else with FORMERR).
 */
int hf_edns_ecs_parse(const struct hf_edns_opt *o, struct hf_edns_ecs *e)
{
	if (o->len < 4)
		return HF_EOPTDATA;
	memset(e, 0, sizeof(*e));
	e->family = hf_get16(o->data);
	e->source_prefix = o->data[2];
	e->scope_prefix = o->data[3];
	unsigned bits = family_bits(e->family);
	if (bits == 0 || e->source_prefix > bits || e->scope_prefix > bits)
		return HF_EOPTDATA;
	size_t alen = (e->source_prefix + 7u) / 8u;
	if ((size_t)o->len - 4 != alen)
		return HF_EOPTDATA;
	memcpy(e->addr, o->data + 4, alen);
	if (e->source_prefix % 8 != 0) {
		uint8_t mask = (uint8_t)(0xffu >> (e->source_prefix % 8));
		if (e->addr[alen - 1] & mask)
			return HF_EOPTDATA;
	}
	return HF_OK;
}

/* RFC 8914 §2: INFO-CODE, then EXTRA-TEXT (UTF-8, possibly empty). */
int hf_edns_ede_parse(const struct hf_edns_opt *o, struct hf_edns_ede *e)
{
	if (o->len < 2)
		return HF_EOPTDATA;
	e->info_code = hf_get16(o->data);
	e->text = o->data + 2;
	e->text_len = (uint16_t)(o->len - 2);
	return HF_OK;
}

int hf_edns_cookie_encode(const struct hf_edns_cookie *c, uint8_t *out, size_t cap)
{
	if (c->server_len != 0 &&
	    (c->server_len < HF_COOKIE_SERVER_MIN || c->server_len > HF_COOKIE_SERVER_MAX))
		return HF_EINVAL;
	size_t len = HF_COOKIE_CLIENT_LEN + (size_t)c->server_len;
	if (cap < len)
		return HF_ESPACE;
	memcpy(out, c->client, HF_COOKIE_CLIENT_LEN);
	memcpy(out + HF_COOKIE_CLIENT_LEN, c->server, c->server_len);
	return (int)len;
}

int hf_edns_ecs_encode(const struct hf_edns_ecs *e, uint8_t *out, size_t cap)
{
	unsigned bits = family_bits(e->family);
	if (bits == 0 || e->source_prefix > bits || e->scope_prefix > bits)
		return HF_EINVAL;
	size_t alen = (e->source_prefix + 7u) / 8u;
	if (cap < 4 + alen)
		return HF_ESPACE;
	hf_put16(out, e->family);
	out[2] = e->source_prefix;
	out[3] = e->scope_prefix;
	memcpy(out + 4, e->addr, alen);
	if (e->source_prefix % 8 != 0)
		out[4 + alen - 1] &= (uint8_t)(0xff00u >> (e->source_prefix % 8));
	return (int)(4 + alen);
}

int hf_edns_ede_encode(uint16_t info_code, const char *text, size_t text_len, uint8_t *out,
                       size_t cap)
{
	if (text_len > UINT16_MAX - 2)
		return HF_EINVAL;
	if (cap < 2 + text_len)
		return HF_ESPACE;
	hf_put16(out, info_code);
	if (text_len != 0)
		memcpy(out + 2, text, text_len);
	return (int)(2 + text_len);
}

const char *hf_edns_ede_name(uint16_t info_code)
{
	/* RFC 8914 §5.2, plus 25-29 from the IANA registry. */
	static const char *const names[] = {
	    "Other Error",
	    "Unsupported DNSKEY Algorithm",
	    "Unsupported DS Digest Type",
	    "Stale Answer",
	    "Forged Answer",
	    "DNSSEC Indeterminate",
	    "DNSSEC Bogus",
	    "Signature Expired",
	    "Signature Not Yet Valid",
	    "DNSKEY Missing",
	    "RRSIGs Missing",
	    "No Zone Key Bit Set",
	    "NSEC Missing",
	    "Cached Error",
	    "Not Ready",
	    "Blocked",
	    "Censored",
	    "Filtered",
	    "Prohibited",
	    "Stale NXDomain Answer",
	    "Not Authoritative",
	    "Not Supported",
	    "No Reachable Authority",
	    "Network Error",
	    "Invalid Data",
	    "Signature Expired before Valid",
	    "Too Early",
	    "Unsupported NSEC3 Iterations Value",
	    "Unable to conform to policy",
	    "Synthesized",
	};
	return info_code < sizeof(names) / sizeof(names[0]) ? names[info_code] : NULL;
}

const char *hf_edns_opt_name(uint16_t code)
{
	switch (code) {
	case HF_EDNS_ECS:
		return "ECS";
	case HF_EDNS_COOKIE:
		return "COOKIE";
	case HF_EDNS_KEEPALIVE:
		return "KEEPALIVE";
	case HF_EDNS_PADDING:
		return "PADDING";
	case HF_EDNS_EDE:
		return "EDE";
	default:
		return NULL;
	}
}
