/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Response policy zones (draft-vixie-dnsop-dns-rpz, as BIND, Unbound and
 * Knot Resolver read them): a zone file whose owner names, relative to the
 * zone's origin, are triggers, and whose records are actions.
 *
 *   trigger (owner)                  matches
 *   name / *.name                    the question's name / names below it
 *   32.1.2.0.192.rpz-ip              an answer address in 192.0.2.1/32
 *   48.zz.db8.2001.rpz-ip            an answer address in 2001:db8::/48
 *   ns.example.rpz-nsdname           the answering zone's name server
 *                                    (*.example.rpz-nsdname: below it)
 *
 *   action (records)                 answer
 *   CNAME .                          NXDOMAIN
 *   CNAME *.                         NODATA
 *   CNAME rpz-passthru.              the truth; no later zone or list applies
 *   CNAME rpz-drop.                  none at all
 *   CNAME rpz-tcp-only.              TC=1 over UDP, the truth over TCP
 *   anything else                    those records (local data)
 *
 * rpz-client-ip and rpz-nsip triggers are not supported: they are skipped,
 * so a feed that has them still loads (README says so). The apex's SOA
 * and NS records are the zone's own, not rules.
 *
 * The text is read entry by entry: "$ORIGIN" and "$TTL" directives, an
 * owner left blank repeating the last one, "( )" across lines and ";"
 * comments; each entry goes to hf_rr_from_text(). Any entry that does not
 * parse is an error naming its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/impl.h"
#include "util/alloc.h"
#include "util/err.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define ENTRY_MAX   8192 /* one record's text, continuation lines included */
#define DEFAULT_TTL 3600

struct zreader {
	const char *text;
	size_t len, pos;
	unsigned line; /* of the entry being read */
	unsigned next_line;
	uint8_t origin[HF_NAME_MAX];
	uint32_t ttl;
	char owner[HF_NAME_TEXT_MAX]; /* the last owner written, absolute */
	char entry[ENTRY_MAX + HF_NAME_TEXT_MAX + 2];
	size_t elen;
};

struct rpz_ctx {
	struct hf_policy *p;
	struct hf_policy_source *src;
	const uint8_t *apex;
	struct hf_rrdata rr;
	char *err;
	size_t cap;
};

/* Copies one entry (up to the newline that ends it outside parentheses) into z->entry. */
static int read_entry(struct zreader *z)
{
	int depth = 0;
	bool quoted = false, comment = false;
	z->elen = 0;
	z->line = z->next_line;
	while (z->pos < z->len) {
		char c = z->text[z->pos++];
		if (c == '\n') {
			z->next_line++;
			comment = false;
			if (depth == 0)
				break;
		} else if (comment) {
			continue;
		} else if (c == '"' && (z->elen == 0 || z->entry[z->elen - 1] != '\\')) {
			quoted = !quoted;
		} else if (!quoted && c == ';') {
			comment = true;
			continue;
		} else if (!quoted && (c == '(' || c == ')')) {
			depth += c == '(' ? 1 : -1;
			if (depth < 0)
				return HF_ESYNTAX;
		}
		if (z->elen >= ENTRY_MAX)
			return HF_ESPACE;
		z->entry[z->elen++] = c == '\n' || c == '\r' ? ' ' : c;
	}
	z->entry[z->elen] = '\0';
	return depth == 0 && !quoted ? HF_OK : HF_ESYNTAX;
}

static bool blank_entry(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* $ORIGIN and $TTL; anything else starting with '$' is refused. */
static int directive(struct zreader *z, struct rpz_ctx *c)
{
	char word[16], arg[HF_NAME_TEXT_MAX];
	if (sscanf(z->entry, "%15s %1000s", word, arg) != 2)
		return hf_policy_fail(c->err, c->cap, z->line, "%s needs an argument", z->entry);
	if (strcmp(word, "$ORIGIN") == 0) {
		uint8_t o[HF_NAME_MAX];
		if (hf_name_from_text(arg, strlen(arg), z->origin, o) < 0)
			return hf_policy_fail(c->err, c->cap, z->line, "$ORIGIN %s is not a name",
			                      arg);
		memcpy(z->origin, o, sizeof(o));
		return HF_OK;
	}
	if (strcmp(word, "$TTL") == 0) {
		char *end;
		unsigned long t = strtoul(arg, &end, 10);
		if (*end != '\0' || end == arg || t > 0x7fffffffUL)
			return hf_policy_fail(c->err, c->cap, z->line, "$TTL %s is not a TTL", arg);
		z->ttl = (uint32_t)t;
		return HF_OK;
	}
	return hf_policy_fail(c->err, c->cap, z->line, "%s is not supported", word);
}

/* An entry whose owner is blank takes the last one's; the text gets it written out. */
static int with_owner(struct zreader *z, struct rpz_ctx *c)
{
	if (z->entry[0] != ' ' && z->entry[0] != '\t') {
		size_t n = strcspn(z->entry, " \t");
		uint8_t o[HF_NAME_MAX];
		if (n >= sizeof(z->owner) || hf_name_from_text(z->entry, n, z->origin, o) < 0 ||
		    hf_name_to_text(o, z->owner, sizeof(z->owner)) < 0)
			return hf_policy_fail(c->err, c->cap, z->line, "%.*s is not a name",
			                      (int)(n < 64 ? n : 64), z->entry);
		return HF_OK;
	}
	if (z->owner[0] == '\0')
		return hf_policy_fail(c->err, c->cap, z->line, "no owner name yet");
	size_t olen = strlen(z->owner);
	memmove(z->entry + olen, z->entry, z->elen + 1);
	memcpy(z->entry, z->owner, olen);
	z->elen += olen;
	return HF_OK;
}

/* The labels of owner above the apex, as a name of their own ("a.b." for a.b.APEX.). */
static unsigned relative(const uint8_t *owner, const uint8_t *apex, uint8_t rel[HF_NAME_MAX])
{
	unsigned n = hf_name_labels(owner) - hf_name_labels(apex);
	const uint8_t *cut = hf_name_suffix(owner, hf_name_labels(apex));
	size_t len = (size_t)(cut - owner);
	memcpy(rel, owner, len);
	rel[len] = 0;
	return n;
}

/* Label i (0 = leftmost) of a name, its length in *len. */
static const uint8_t *label_at(const uint8_t *name, unsigned i, size_t *len)
{
	while (i-- > 0)
		name += 1 + name[0];
	*len = name[0];
	return name + 1;
}

static bool label_is(const uint8_t *name, unsigned i, const char *word)
{
	size_t len;
	const uint8_t *l = label_at(name, i, &len);
	if (len != strlen(word))
		return false;
	for (size_t j = 0; j < len; j++) {
		if (hf_lower(l[j]) != (uint8_t)word[j])
			return false;
	}
	return true;
}

/* A decimal or hexadecimal label as a number, at most max; -1 if it is not one. */
static long label_number(const uint8_t *name, unsigned i, int base, long max)
{
	size_t len;
	const uint8_t *l = label_at(name, i, &len);
	char buf[8];
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, l, len);
	buf[len] = '\0';
	char *end;
	long v = strtol(buf, &end, base);
	return *end == '\0' && buf[0] != '-' && buf[0] != '+' && v <= max ? v : -1;
}

/* "32.1.2.0.192": prefix length, then octets least significant first. */
static bool ip4_key(const uint8_t *rel, unsigned n, uint8_t *key)
{
	long bits = label_number(rel, 0, 10, 32);
	if (n != 6 || bits < 1)
		return false;
	for (unsigned i = 0; i < 4; i++) {
		long o = label_number(rel, 4 - i, 10, 255);
		if (o < 0)
			return false;
		key[3 + i] = (uint8_t)o;
	}
	key[1] = 4;
	key[2] = (uint8_t)bits;
	return true;
}

/* "48.zz.db8.2001": prefix length, then 16-bit groups in reverse; "zz" stands for "::". */
static bool ip6_key(const uint8_t *rel, unsigned n, uint8_t *key)
{
	long bits = label_number(rel, 0, 10, 128), groups[8];
	unsigned ng = 0, zz = 9, words = n - 2;
	if (bits < 1 || words < 1 || words > 8)
		return false;
	for (unsigned i = 0; i < words; i++) {
		unsigned at = words - i; /* the most significant group is the last label */
		if (label_is(rel, at, "zz")) {
			if (zz != 9)
				return false;
			zz = ng;
			continue;
		}
		long g = label_number(rel, at, 16, 0xffff);
		if (g < 0)
			return false;
		groups[ng++] = g;
	}
	if (zz == 9 ? ng != 8 : ng > 7)
		return false;
	memset(key + 3, 0, 16);
	unsigned gap = 8 - ng;
	for (unsigned i = 0, w = 0; i < ng; i++, w++) {
		if (i == zz)
			w += gap;
		key[3 + 2 * w] = (uint8_t)(groups[i] >> 8);
		key[3 + 2 * w + 1] = (uint8_t)groups[i];
	}
	key[1] = 6;
	key[2] = (uint8_t)bits;
	return true;
}

/* The masked address key of an rpz-ip owner; 0 when it is not one. */
static size_t ip_key(const uint8_t *rel, unsigned n, uint8_t key[KEY_MAX])
{
	key[0] = TRIG_IP;
	if (!ip4_key(rel, n, key) && !ip6_key(rel, n, key))
		return 0;
	size_t alen = key[1] == 4 ? 4 : 16;
	unsigned bits = key[2];
	for (size_t i = 0; i < alen; i++) {
		if (i * 8 >= bits)
			key[3 + i] = 0;
		else if (i * 8 + 8 > bits)
			key[3 + i] &= (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	return 3 + alen;
}

/* A name trigger: "*.rest" is the wildcard of rest; strip `drop` labels off the end first. */
static size_t name_key(const uint8_t *rel, unsigned n, unsigned drop, enum trigger exact,
                       enum trigger wild, uint8_t key[KEY_MAX])
{
	uint8_t name[HF_NAME_MAX];
	const uint8_t *cut = hf_name_suffix(rel, drop);
	size_t len = (size_t)(cut - rel);
	memcpy(name, rel, len);
	name[len] = 0;
	if (n - drop >= 1 && label_is(name, 0, "*"))
		return hf_policy_name_key(key, wild, name + 2);
	return hf_policy_name_key(key, exact, name);
}

/* The key for an owner (relative name rel of n labels); 0: skipped, negative: bad. */
static long trigger_key(struct rpz_ctx *c, const uint8_t *rel, unsigned n, unsigned line,
                        uint8_t key[KEY_MAX])
{
	if (label_is(rel, n - 1, "rpz-client-ip") || label_is(rel, n - 1, "rpz-nsip")) {
		return 0;
	}
	if (label_is(rel, n - 1, "rpz-ip")) {
		size_t k = ip_key(rel, n, key);
		if (k == 0)
			return hf_policy_fail(c->err, c->cap, line,
			                      "not an rpz-ip trigger (PREFIXLEN.address reversed)");
		return (long)k;
	}
	if (label_is(rel, n - 1, "rpz-nsdname")) {
		if (n < 2)
			return hf_policy_fail(c->err, c->cap, line, "rpz-nsdname without a name");
		return (long)name_key(rel, n, 1, TRIG_NSD, TRIG_NSD_WILD, key);
	}
	return (long)name_key(rel, n, 0, TRIG_QNAME, TRIG_WILD, key);
}

/* CNAME targets that are actions rather than data. */
static int cname_action(const struct hf_rrdata *rr, enum hf_policy_action *a)
{
	static const struct {
		const char *target;
		enum hf_policy_action action;
	} special[] = {{".", HF_POLICY_NXDOMAIN},
	               {"*.", HF_POLICY_NODATA},
	               {"rpz-passthru.", HF_POLICY_PASSTHRU},
	               {"rpz-drop.", HF_POLICY_DROP},
	               {"rpz-tcp-only.", HF_POLICY_TCP_ONLY}};
	char t[HF_NAME_TEXT_MAX];
	*a = HF_POLICY_LOCAL;
	if (rr->type != HF_TYPE_CNAME || hf_name_to_text(rr->rdata, t, sizeof(t)) < 0)
		return HF_OK;
	for (size_t i = 0; i < HF_ARRAY_LEN(special); i++) {
		if (strcasecmp(t, special[i].target) == 0)
			*a = special[i].action;
	}
	return HF_OK;
}

static int add_record(struct rpz_ctx *c, unsigned line)
{
	const struct hf_rrdata *rr = &c->rr;
	uint8_t rel[HF_NAME_MAX], key[KEY_MAX];
	char owner[HF_NAME_TEXT_MAX];
	if (hf_name_to_text(rr->owner, owner, sizeof(owner)) < 0)
		snprintf(owner, sizeof(owner), "?");
	if (!hf_name_in_zone(rr->owner, c->apex))
		return hf_policy_fail(c->err, c->cap, line, "%s is outside the zone", owner);
	unsigned n = relative(rr->owner, c->apex, rel);
	if (n == 0)
		return HF_OK; /* the apex: SOA, NS and the like describe the zone */
	long klen = trigger_key(c, rel, n, line, key);
	if (klen <= 0)
		return (int)klen;
	enum hf_policy_action action;
	(void)cname_action(rr, &action);
	struct hf_policy_rr one = {
	    .type = rr->type, .ttl = rr->ttl, .rdlen = rr->rdlen, .rdata = (uint8_t *)rr->rdata};
	unsigned prev = 0;
	int rc = hf_policy_rule_add(c->p, c->src, key, (size_t)klen, action,
	                            action == HF_POLICY_LOCAL ? &one : NULL, line, &prev);
	if (rc == RULE_DUP)
		return hf_policy_fail(c->err, c->cap, line,
		                      "%s has a policy action already (line %u); an action takes "
		                      "no other records",
		                      owner, prev);
	if (rc == HF_ENOMEM)
		snprintf(c->err, c->cap, "out of memory");
	return rc;
}

static int one_entry(struct zreader *z, struct rpz_ctx *c)
{
	if (z->entry[0] == '$')
		return directive(z, c);
	int rc = with_owner(z, c);
	if (rc != HF_OK)
		return rc;
	rc = hf_rr_from_text(z->entry, z->elen, z->origin, z->ttl, &c->rr);
	if (rc != HF_OK)
		return hf_policy_fail(c->err, c->cap, z->line, "%s", hf_strerror(rc));
	return add_record(c, z->line);
}

static int read_zone(struct zreader *z, struct rpz_ctx *c)
{
	while (z->pos < z->len) {
		int rc = read_entry(z);
		if (rc != HF_OK)
			return hf_policy_fail(c->err, c->cap, z->line,
			                      rc == HF_ESPACE ? "entry too long"
			                                      : "unbalanced parentheses or quotes");
		if (blank_entry(z->entry))
			continue;
		rc = one_entry(z, c);
		if (rc != HF_OK)
			return rc;
	}
	return HF_OK;
}

int hf_policy_add_rpz(struct hf_policy *p, const char *name, const uint8_t *origin,
                      const char *text, size_t len, char *err, size_t cap)
{
	struct zreader *z = hf_calloc(1, sizeof(*z));
	struct rpz_ctx *c = hf_calloc(1, sizeof(*c));
	int rc = HF_ENOMEM;
	snprintf(err, cap, "out of memory");
	if (z == NULL || c == NULL)
		goto out;
	c->p = p;
	c->src = hf_policy_source_add(p, name, HF_POLICY_RPZ);
	if (c->src == NULL)
		goto out;
	c->apex = origin;
	c->err = err;
	c->cap = cap;
	*z = (struct zreader){.text = text, .len = len, .next_line = 1, .ttl = DEFAULT_TTL};
	memcpy(z->origin, origin, hf_name_len(origin));
	err[0] = '\0';
	rc = read_zone(z, c);
out:
	hf_free(z);
	hf_free(c);
	return rc;
}
