/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RR types and classes: numbers, mnemonics, and what holdfast knows of each.
 * Types not listed here are still carried everywhere, as opaque RDATA printed
 * in RFC 3597 form ("TYPE65280", "\# 3 abcdef").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

enum hf_rrtype {
	HF_TYPE_A = 1,
	HF_TYPE_NS = 2,
	HF_TYPE_CNAME = 5,
	HF_TYPE_SOA = 6,
	HF_TYPE_PTR = 12,
	HF_TYPE_HINFO = 13,
	HF_TYPE_MX = 15,
	HF_TYPE_TXT = 16,
	HF_TYPE_RP = 17,
	HF_TYPE_AFSDB = 18,
	HF_TYPE_RT = 21,
	HF_TYPE_PX = 26,
	HF_TYPE_AAAA = 28,
	HF_TYPE_SRV = 33,
	HF_TYPE_NAPTR = 35,
	HF_TYPE_DNAME = 39,
	HF_TYPE_OPT = 41,
	HF_TYPE_DS = 43,
	HF_TYPE_RRSIG = 46,
	HF_TYPE_NSEC = 47,
	HF_TYPE_DNSKEY = 48,
	HF_TYPE_NSEC3 = 50,
	HF_TYPE_NSEC3PARAM = 51,
	HF_TYPE_TLSA = 52,
	HF_TYPE_CDS = 59,
	HF_TYPE_CDNSKEY = 60,
	HF_TYPE_ZONEMD = 63,
	HF_TYPE_SVCB = 64,
	HF_TYPE_HTTPS = 65,
	HF_TYPE_IXFR = 251,
	HF_TYPE_AXFR = 252,
	HF_TYPE_ANY = 255,
	HF_TYPE_CAA = 257,
};

enum hf_rrclass {
	HF_CLASS_IN = 1,
	HF_CLASS_CH = 3,
	HF_CLASS_HS = 4,
	HF_CLASS_NONE = 254,
	HF_CLASS_ANY = 255,
};

/* Longest mnemonic holdfast prints, "TYPE65535" or "CLASS65535", plus NUL. */
#define HF_RRTYPE_TEXT_MAX 12

/* Writes the mnemonic (or "TYPEnnn") into buf and returns buf. */
const char *hf_rrtype_name(uint16_t type, char buf[HF_RRTYPE_TEXT_MAX]);

/* Parses a mnemonic or "TYPEnnn", case-insensitively. HF_OK or HF_ETYPE. */
HF_MUSTCHECK int hf_rrtype_from_text(const char *text, size_t len, uint16_t *type);

const char *hf_rrclass_name(uint16_t rclass, char buf[HF_RRTYPE_TEXT_MAX]);
HF_MUSTCHECK int hf_rrclass_from_text(const char *text, size_t len, uint16_t *rclass);

/* True for types with a typed RDATA layout in holdfast (not printed as \#). */
bool hf_rrtype_known(uint16_t type);

/* Meta types (OPT, TSIG, IXFR, AXFR, ANY, ...) that never sit in a zone or cache (RFC 6895). */
bool hf_rrtype_is_meta(uint16_t type);
