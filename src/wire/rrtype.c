/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RR type and class mnemonics (IANA "Resource Record (RR) TYPEs" registry,
 * spelled as dnspython spells them), the RFC 3597 §5 "TYPEnnn"/"CLASSnnn"
 * forms, and the two predicates holdfast needs: which types have a typed
 * RDATA layout, and which are meta types (RFC 6895 §3.1).
 *
 * Naming a type here only makes it print by name; whether its RDATA is typed
 * is decided by hf_rrtype_known(), which must agree with rdata.c.
 */
#include "wire/rrtype.h"

#include <stdio.h>

#include "util/err.h"

struct mnemonic {
	uint16_t value;
	const char *name;
};

/* Sorted by value. */
static const struct mnemonic types[] = {
    {1, "A"},         {2, "NS"},          {3, "MD"},        {4, "MF"},          {5, "CNAME"},
    {6, "SOA"},       {7, "MB"},          {8, "MG"},        {9, "MR"},          {10, "NULL"},
    {11, "WKS"},      {12, "PTR"},        {13, "HINFO"},    {14, "MINFO"},      {15, "MX"},
    {16, "TXT"},      {17, "RP"},         {18, "AFSDB"},    {19, "X25"},        {20, "ISDN"},
    {21, "RT"},       {22, "NSAP"},       {23, "NSAP-PTR"}, {24, "SIG"},        {25, "KEY"},
    {26, "PX"},       {27, "GPOS"},       {28, "AAAA"},     {29, "LOC"},        {30, "NXT"},
    {33, "SRV"},      {35, "NAPTR"},      {36, "KX"},       {37, "CERT"},       {38, "A6"},
    {39, "DNAME"},    {41, "OPT"},        {42, "APL"},      {43, "DS"},         {44, "SSHFP"},
    {45, "IPSECKEY"}, {46, "RRSIG"},      {47, "NSEC"},     {48, "DNSKEY"},     {49, "DHCID"},
    {50, "NSEC3"},    {51, "NSEC3PARAM"}, {52, "TLSA"},     {53, "SMIMEA"},     {55, "HIP"},
    {56, "NINFO"},    {59, "CDS"},        {60, "CDNSKEY"},  {61, "OPENPGPKEY"}, {62, "CSYNC"},
    {63, "ZONEMD"},   {64, "SVCB"},       {65, "HTTPS"},    {99, "SPF"},        {103, "UNSPEC"},
    {104, "NID"},     {105, "L32"},       {106, "L64"},     {107, "LP"},        {108, "EUI48"},
    {109, "EUI64"},   {249, "TKEY"},      {250, "TSIG"},    {251, "IXFR"},      {252, "AXFR"},
    {253, "MAILB"},   {254, "MAILA"},     {255, "ANY"},     {256, "URI"},       {257, "CAA"},
    {258, "AVC"},     {260, "AMTRELAY"},  {32768, "TA"},    {32769, "DLV"},
};

static const struct mnemonic classes[] = {
    {1, "IN"}, {3, "CH"}, {4, "HS"}, {254, "NONE"}, {255, "ANY"},
};

/* Input-only spellings. */
static const struct mnemonic class_aliases[] = {
    {3, "CHAOS"},
    {4, "HESIOD"},
};

static const char *find_name(const struct mnemonic *tab, size_t n, uint16_t value)
{
	size_t lo = 0;
	size_t hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab[mid].value == value)
			return tab[mid].name;
		if (tab[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool eq_nocase(const char *text, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char a = text[i];
		char b = name[i];

		if (b == '\0')
			return false;
		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (a != b)
			return false;
	}
	return name[i] == '\0';
}

static bool find_value(const struct mnemonic *tab, size_t n, const char *text, size_t len,
                       uint16_t *value)
{
	for (size_t i = 0; i < n; i++) {
		if (eq_nocase(text, len, tab[i].name)) {
			*value = tab[i].value;
			return true;
		}
	}
	return false;
}

/* Parses "<prefix><decimal 0..65535>" without leading zeros beyond "0". */
static bool numeric_form(const char *text, size_t len, const char *prefix, uint16_t *value)
{
	size_t plen = 0;
	uint32_t v = 0;

	while (prefix[plen] != '\0')
		plen++;
	if (len <= plen || !eq_nocase(text, plen, prefix))
		return false;
	if (len - plen > 5)
		return false;
	for (size_t i = plen; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(text[i] - '0');
	}
	if (v > 65535)
		return false;
	*value = (uint16_t)v;
	return true;
}

const char *hf_rrtype_name(uint16_t type, char buf[HF_RRTYPE_TEXT_MAX])
{
	const char *name = find_name(types, HF_ARRAY_LEN(types), type);

	if (name != NULL)
		snprintf(buf, HF_RRTYPE_TEXT_MAX, "%s", name);
	else
		snprintf(buf, HF_RRTYPE_TEXT_MAX, "TYPE%u", (unsigned)type);
	return buf;
}

int hf_rrtype_from_text(const char *text, size_t len, uint16_t *type)
{
	if (find_value(types, HF_ARRAY_LEN(types), text, len, type))
		return HF_OK;
	if (numeric_form(text, len, "TYPE", type))
		return HF_OK;
	return HF_ETYPE;
}

const char *hf_rrclass_name(uint16_t rclass, char buf[HF_RRTYPE_TEXT_MAX])
{
	const char *name = find_name(classes, HF_ARRAY_LEN(classes), rclass);

	if (name != NULL)
		snprintf(buf, HF_RRTYPE_TEXT_MAX, "%s", name);
	else
		snprintf(buf, HF_RRTYPE_TEXT_MAX, "CLASS%u", (unsigned)rclass);
	return buf;
}

int hf_rrclass_from_text(const char *text, size_t len, uint16_t *rclass)
{
	if (find_value(classes, HF_ARRAY_LEN(classes), text, len, rclass))
		return HF_OK;
	if (find_value(class_aliases, HF_ARRAY_LEN(class_aliases), text, len, rclass))
		return HF_OK;
	if (numeric_form(text, len, "CLASS", rclass))
		return HF_OK;
	return HF_ECLASS;
}

bool hf_rrtype_known(uint16_t type)
{
	switch (type) {
	case HF_TYPE_A:
	case HF_TYPE_NS:
	case HF_TYPE_CNAME:
	case HF_TYPE_SOA:
	case HF_TYPE_PTR:
	case HF_TYPE_MX:
	case HF_TYPE_TXT:
	case HF_TYPE_AAAA:
	case HF_TYPE_SRV:
	case HF_TYPE_NAPTR:
	case HF_TYPE_DNAME:
	case HF_TYPE_OPT:
	case HF_TYPE_DS:
	case HF_TYPE_RRSIG:
	case HF_TYPE_NSEC:
	case HF_TYPE_DNSKEY:
	case HF_TYPE_NSEC3:
	case HF_TYPE_NSEC3PARAM:
	case HF_TYPE_TLSA:
	case HF_TYPE_CDS:
	case HF_TYPE_CDNSKEY:
	case HF_TYPE_ZONEMD:
	case HF_TYPE_SVCB:
	case HF_TYPE_HTTPS:
	case HF_TYPE_CAA:
		return true;
	default:
		return false;
	}
}

bool hf_rrtype_is_meta(uint16_t type)
{
	/* OPT, and the 128..255 range of QTYPEs and meta-TYPEs (RFC 6895 §3.1). */
	return type == HF_TYPE_OPT || (type >= 128 && type <= 255);
}
