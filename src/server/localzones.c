/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Built-in answers for special-use names (`resolver.local-zones`), so they
 * never leak to the root:
 *
 *   localhost. and below       A 127.0.0.1, AAAA ::1, NODATA otherwise (RFC 6761 §6.3)
 *   invalid., test., onion.    NXDOMAIN (RFC 6761 §6.2, §6.4; RFC 7686)
 *   private and special        NXDOMAIN below the zone, NODATA at its apex
 *   reverse zones              (RFC 6303 §4: RFC 1918, loopback, link-local,
 *                              documentation prefixes, ::1, ::, fd00::/8, fe80::/10)
 *   1.0.0.127.in-addr.arpa.    PTR localhost. (and ::1's reverse name too)
 *
 * Negative answers carry a synthesized SOA for the zone, as Unbound's and
 * BIND's built-in zones do, so they are cached like any other.
 */
#include "server/localzones.h"

#include <string.h>

#include "util/err.h"
#include "wire/build.h"
#include "wire/rrtype.h"

#define LOCAL_TTL 10800

enum kind { LOCALHOST, NEGATIVE };

struct local_zone {
	const char *name; /* text, absolute */
	enum kind kind;
};

/* clang-format off */
static const struct local_zone zones[] = {
	{"localhost.", LOCALHOST},
	{"invalid.", NEGATIVE},
	{"test.", NEGATIVE},
	{"onion.", NEGATIVE},
	{"10.in-addr.arpa.", NEGATIVE},
	{"16.172.in-addr.arpa.", NEGATIVE}, {"17.172.in-addr.arpa.", NEGATIVE},
	{"18.172.in-addr.arpa.", NEGATIVE}, {"19.172.in-addr.arpa.", NEGATIVE},
	{"20.172.in-addr.arpa.", NEGATIVE}, {"21.172.in-addr.arpa.", NEGATIVE},
	{"22.172.in-addr.arpa.", NEGATIVE}, {"23.172.in-addr.arpa.", NEGATIVE},
	{"24.172.in-addr.arpa.", NEGATIVE}, {"25.172.in-addr.arpa.", NEGATIVE},
	{"26.172.in-addr.arpa.", NEGATIVE}, {"27.172.in-addr.arpa.", NEGATIVE},
	{"28.172.in-addr.arpa.", NEGATIVE}, {"29.172.in-addr.arpa.", NEGATIVE},
	{"30.172.in-addr.arpa.", NEGATIVE}, {"31.172.in-addr.arpa.", NEGATIVE},
	{"168.192.in-addr.arpa.", NEGATIVE},
	{"0.in-addr.arpa.", NEGATIVE},
	{"127.in-addr.arpa.", NEGATIVE},
	{"254.169.in-addr.arpa.", NEGATIVE},
	{"2.0.192.in-addr.arpa.", NEGATIVE},
	{"100.51.198.in-addr.arpa.", NEGATIVE},
	{"113.0.203.in-addr.arpa.", NEGATIVE},
	{"255.255.255.255.in-addr.arpa.", NEGATIVE},
	{"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.", NEGATIVE},
	{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.", NEGATIVE},
	{"d.f.ip6.arpa.", NEGATIVE},
	{"8.e.f.ip6.arpa.", NEGATIVE}, {"9.e.f.ip6.arpa.", NEGATIVE},
	{"a.e.f.ip6.arpa.", NEGATIVE}, {"b.e.f.ip6.arpa.", NEGATIVE},
	{"8.b.d.0.1.0.0.2.ip6.arpa.", NEGATIVE},
};
/* clang-format on */

static const char loopback_v4_ptr[] = "1.0.0.127.in-addr.arpa.";
static const char loopback_v6_ptr[] =
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.";
static const uint8_t localhost_name[] = "\x09localhost";

static bool name_is(const uint8_t *name, const char *text, uint8_t *wire)
{
	return hf_name_from_text(text, strlen(text), NULL, wire) > 0 && hf_name_eq(name, wire);
}

static int add_soa(struct hf_build *b, const uint8_t *zone, uint16_t qclass)
{
	/* MNAME the zone itself, RNAME nobody.invalid., serial 1, MINIMUM = LOCAL_TTL. */
	uint8_t rdata[HF_NAME_MAX * 2 + 20];
	size_t zlen = hf_name_len(zone);
	static const uint8_t rname[] = "\x06nobody\x07invalid";
	size_t rlen = sizeof(rname);
	memcpy(rdata, zone, zlen);
	memcpy(rdata + zlen, rname, rlen);
	static const uint8_t nums[20] = {0,    0,    0, 1,    0,    0,    0x0e, 0x10, 0,    0,
	                                 0x04, 0xb0, 0, 0x09, 0x3a, 0x80, 0,    0,    0x2a, 0x30};
	memcpy(rdata + zlen + rlen, nums, sizeof(nums));
	return hf_build_rr(b, HF_SECTION_AUTHORITY, zone, HF_TYPE_SOA, qclass, LOCAL_TTL, rdata,
	                   zlen + rlen + sizeof(nums));
}

/* The top-level label of every built-in zone; anything else is not ours, cheaply. */
bool hf_local_zone_candidate(const uint8_t *qname)
{
	static const char *const tlds[] = {"localhost", "invalid", "test", "onion", "arpa"};
	const uint8_t *last = NULL;
	for (const uint8_t *p = qname; *p != 0; p += *p + 1)
		last = p;
	if (last == NULL)
		return false;
	for (size_t i = 0; i < sizeof(tlds) / sizeof(tlds[0]); i++) {
		size_t n = strlen(tlds[i]);
		if (last[0] != n)
			continue;
		size_t k = 0;
		while (k < n && hf_lower(last[1 + k]) == (uint8_t)tlds[i][k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

int hf_local_zone_answer(const uint8_t *qname, uint16_t qtype, uint16_t qclass, struct hf_build *b,
                         uint16_t *rcode)
{
	uint8_t zone[HF_NAME_MAX];
	uint8_t wire[HF_NAME_MAX];
	if (qclass != HF_CLASS_IN)
		return 0;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (hf_name_from_text(zones[i].name, strlen(zones[i].name), NULL, zone) < 0 ||
		    !hf_name_in_zone(qname, zone))
			continue;
		*rcode = HF_RCODE_NOERROR;
		int rc = HF_OK;
		if (zones[i].kind == LOCALHOST && qtype == HF_TYPE_A) {
			static const uint8_t v4[4] = {127, 0, 0, 1};
			rc = hf_build_rr(b, HF_SECTION_ANSWER, qname, HF_TYPE_A, qclass, LOCAL_TTL,
			                 v4, 4);
		} else if (zones[i].kind == LOCALHOST && qtype == HF_TYPE_AAAA) {
			static const uint8_t v6[16] = {[15] = 1};
			rc = hf_build_rr(b, HF_SECTION_ANSWER, qname, HF_TYPE_AAAA, qclass,
			                 LOCAL_TTL, v6, 16);
		} else if (qtype == HF_TYPE_PTR && (name_is(qname, loopback_v4_ptr, wire) ||
		                                    name_is(qname, loopback_v6_ptr, wire))) {
			rc = hf_build_rr(b, HF_SECTION_ANSWER, qname, HF_TYPE_PTR, qclass,
			                 LOCAL_TTL, localhost_name, sizeof(localhost_name));
		} else {
			bool apex = hf_name_eq(qname, zone);
			if (zones[i].kind == NEGATIVE && !apex)
				*rcode = HF_RCODE_NXDOMAIN;
			rc = add_soa(b, zone, qclass);
		}
		return rc == HF_OK || rc == HF_ESPACE ? 1 : rc;
	}
	return 0;
}
