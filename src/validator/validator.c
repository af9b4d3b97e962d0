/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DNSSEC validation of one reply. See validator.h for the rules. */
#include "validator/validator.h"

#include <string.h>

#include "util/alloc.h"
#include "validator/dnssec.h"
#include "wire/buf.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

#define MAX_CHAIN      16 /* CNAME/DNAME links followed inside one reply */
#define SIGNED_MAX     (70 * 1024)
#define RRSIG_FIXED    18 /* RRSIG RDATA before the signer's name */
#define EDE_OTHER      0
#define EDE_UNSUPP_ALG 1
#define EDE_UNSUPP_DS  2
#define EDE_BOGUS      6
#define EDE_EXPIRED    7
#define EDE_NOT_YET    8
#define EDE_NO_DNSKEY  9
#define EDE_NO_RRSIG   10
#define EDE_NO_ZONEKEY 11
#define EDE_NO_NSEC    12

/* --- the reply, with names and RDATA uncompressed ------------------------------------ */

struct vrr {
	uint8_t section;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	const uint8_t *owner;
	const uint8_t *rdata;
	uint16_t rdlen;
};

struct vmsg {
	struct vrr *rr;
	size_t n;
	uint8_t *store;
	uint16_t rcode;
	/* Per-RRset scratch, sized for the whole message. */
	const uint8_t **rdata;
	uint16_t *rdlens;
	uint8_t *signed_data;
};

static void vmsg_free(struct vmsg *m)
{
	hf_free(m->rr);
	hf_free(m->store);
	hf_free(m->rdata);
	hf_free(m->rdlens);
	hf_free(m->signed_data);
}

static int vmsg_load(struct vmsg *m, const struct hf_pkt *p)
{
	memset(m, 0, sizeof(*m));
	size_t total = 0, count = 0;
	for (int s = HF_SECTION_ANSWER; s <= HF_SECTION_AUTHORITY; s++) {
		for (size_t i = 0; i < hf_pkt_section_count(p, (enum hf_section)s); i++) {
			int len =
			    hf_pkt_rdata(p, hf_pkt_section_rr(p, (enum hf_section)s, i), NULL, 0);
			total += HF_NAME_MAX + (len > 0 ? (size_t)len : 0);
			count++;
		}
	}
	m->rcode = hf_pkt_rcode(p);
	m->rr = hf_calloc(count + 1, sizeof(*m->rr));
	m->store = hf_malloc(total + 1);
	m->rdata = hf_calloc(count + 1, sizeof(*m->rdata));
	m->rdlens = hf_calloc(count + 1, sizeof(*m->rdlens));
	m->signed_data = hf_malloc(SIGNED_MAX);
	if (m->rr == NULL || m->store == NULL || m->rdata == NULL || m->rdlens == NULL ||
	    m->signed_data == NULL)
		return HF_ENOMEM;
	uint8_t *w = m->store;
	for (int s = HF_SECTION_ANSWER; s <= HF_SECTION_AUTHORITY; s++) {
		for (size_t i = 0; i < hf_pkt_section_count(p, (enum hf_section)s); i++) {
			const struct hf_rr *rr = hf_pkt_section_rr(p, (enum hf_section)s, i);
			int olen = hf_pkt_owner(p, rr, w);
			if (olen < 0 || rr->type == HF_TYPE_OPT)
				continue;
			struct vrr *v = &m->rr[m->n];
			v->owner = w;
			w += olen;
			int len = hf_pkt_rdata(p, rr, w, total - (size_t)(w - m->store));
			if (len < 0) {
				w -= olen;
				continue;
			}
			v->section = (uint8_t)s;
			v->type = rr->type;
			v->rclass = rr->rclass;
			v->ttl = rr->ttl;
			v->rdata = w;
			v->rdlen = (uint16_t)len;
			w += len;
			m->n++;
		}
	}
	return HF_OK;
}

static bool is_sig_over(const struct vrr *r, uint8_t section, const uint8_t *owner, uint16_t type)
{
	return r->type == HF_TYPE_RRSIG && r->section == section && r->rdlen > RRSIG_FIXED &&
	       hf_get16(r->rdata) == type && hf_name_eq(r->owner, owner);
}

/* The RRset (owner, type) of a section into m->rdata/m->rdlens; returns its size. */
static size_t gather(struct vmsg *m, uint8_t section, const uint8_t *owner, uint16_t type,
                     uint16_t *rclass)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct vrr *r = &m->rr[i];
		if (r->section != section || r->type != type || !hf_name_eq(r->owner, owner))
			continue;
		m->rdata[n] = r->rdata;
		m->rdlens[n++] = r->rdlen;
		*rclass = r->rclass;
	}
	return n;
}

/* --- one RRset, one key set ----------------------------------------------------------- */

static void set_result(struct hf_val_result *res, enum hf_val_verdict v, uint16_t ede,
                       const char *why)
{
	res->verdict = v;
	res->ede = ede;
	res->why = why;
}

/* How far a failed signature got: later stages say more about what went wrong. */
enum sig_fail {
	FAIL_NONE,
	FAIL_NO_KEY,   /* no key with its tag and algorithm */
	FAIL_NOT_ZONE, /* the key lacks the zone-key bit */
	FAIL_TIME,     /* outside its validity window */
	FAIL_CRYPTO,   /* the math says no */
};

struct sig_view {
	uint8_t alg;
	uint8_t labels;
	uint32_t orig_ttl;
	uint32_t expiration;
	uint32_t inception;
	uint16_t tag;
	const uint8_t *signer;
};

static bool sig_parse(const struct vrr *r, struct sig_view *sv)
{
	const uint8_t *d = r->rdata;
	int n = hf_name_check(d + RRSIG_FIXED, r->rdlen - RRSIG_FIXED);
	if (n < 0 || (size_t)n + RRSIG_FIXED >= r->rdlen)
		return false;
	sv->alg = d[2];
	sv->labels = d[3];
	sv->orig_ttl = hf_get32(d + 4);
	sv->expiration = hf_get32(d + 8);
	sv->inception = hf_get32(d + 12);
	sv->tag = hf_get16(d + 16);
	sv->signer = d + RRSIG_FIXED;
	return true;
}

/* RFC 4034 §3.1.5: serial-number arithmetic, so the window survives 2106. */
static enum sig_fail check_time(const struct hf_val *v, const struct sig_view *sv, uint16_t *ede)
{
	uint32_t now = (uint32_t)v->now;
	int64_t skew = v->lim->skew;
	if ((int64_t)(int32_t)(now - sv->inception) < -skew) {
		*ede = EDE_NOT_YET;
		return FAIL_TIME;
	}
	if ((int64_t)(int32_t)(sv->expiration - now) < -skew) {
		*ede = EDE_EXPIRED;
		return FAIL_TIME;
	}
	return FAIL_NONE;
}

struct rrset_ref {
	uint8_t section;
	const uint8_t *owner;
	uint16_t type;
};

/*
 * Verifies the RRset with keys. SECURE (ttl_cap set, *labels = the RRSIG's
 * labels field) or BOGUS with the most telling reason.
 */
static void verify_rrset(const struct hf_val *v, struct vmsg *m, const struct rrset_ref *ref,
                         const struct hf_val_keys *keys, unsigned *labels,
                         struct hf_val_result *res)
{
	const struct hf_val_limits *lim = v->lim;
	uint16_t rclass = 0;
	size_t n = gather(m, ref->section, ref->owner, ref->type, &rclass);
	enum sig_fail worst = FAIL_NONE;
	uint16_t time_ede = EDE_EXPIRED;
	unsigned tried_sigs = 0;
	bool any_sig = false;
	for (size_t i = 0; i < m->n && tried_sigs < lim->max_sigs; i++) {
		const struct vrr *r = &m->rr[i];
		struct sig_view sv;
		if (!is_sig_over(r, ref->section, ref->owner, ref->type) || !sig_parse(r, &sv))
			continue;
		any_sig = true;
		if (!hf_name_eq(sv.signer, keys->zone) || sv.labels > hf_name_labels(ref->owner) ||
		    !hf_dnssec_alg_supported(sv.alg, lim->allow_sha1))
			continue;
		tried_sigs++;
		uint16_t ede = 0;
		if (check_time(v, &sv, &ede) != FAIL_NONE) {
			if (worst < FAIL_TIME) {
				worst = FAIL_TIME;
				time_ede = ede;
			}
			continue;
		}
		int len = hf_dnssec_signed_data(ref->owner, ref->type, rclass, r->rdata, r->rdlen,
		                                m->rdata, m->rdlens, n, m->signed_data, SIGNED_MAX);
		if (len < 0)
			continue;
		unsigned tries = 0;
		enum sig_fail this = FAIL_NO_KEY;
		for (size_t k = 0; k < keys->n && tries < lim->max_key_tries; k++) {
			const uint8_t *key = keys->rdata[k];
			uint16_t klen = keys->rdlen[k];
			if (klen < 4 || key[3] != sv.alg || hf_dnssec_key_tag(key, klen) != sv.tag)
				continue;
			if (!(hf_get16(key) & HF_DNSKEY_ZONE)) {
				if (this < FAIL_NOT_ZONE)
					this = FAIL_NOT_ZONE;
				continue;
			}
			tries++;
			if (v->work->sig_checks >= lim->max_sig_checks) {
				set_result(res, HF_VAL_BOGUS, EDE_OTHER,
				           "DNSSEC validation needed more signature checks than "
				           "allowed (KeyTrap bound)");
				return;
			}
			v->work->sig_checks++;
			if (hf_dnssec_verify(r->rdata, r->rdlen, key, klen, m->signed_data,
			                     (size_t)len, lim->allow_sha1) == HF_OK) {
				uint32_t left = sv.expiration - (uint32_t)v->now;
				res->ttl_cap = left < sv.orig_ttl ? left : sv.orig_ttl;
				*labels = sv.labels;
				set_result(res, HF_VAL_SECURE, 0, NULL);
				return;
			}
			this = FAIL_CRYPTO;
		}
		if (this > worst)
			worst = this;
	}
	if (!any_sig)
		set_result(res, HF_VAL_BOGUS, EDE_NO_RRSIG, "RRSIG missing");
	else if (worst == FAIL_CRYPTO)
		set_result(res, HF_VAL_BOGUS, EDE_BOGUS, "signature does not verify");
	else if (worst == FAIL_TIME)
		set_result(res, HF_VAL_BOGUS, time_ede,
		           time_ede == EDE_EXPIRED ? "signature expired"
		                                   : "signature not yet valid");
	else if (worst == FAIL_NOT_ZONE)
		set_result(res, HF_VAL_BOGUS, EDE_NO_ZONEKEY, "signing key lacks the zone key bit");
	else if (worst == FAIL_NO_KEY)
		set_result(res, HF_VAL_BOGUS, EDE_NO_DNSKEY, "no DNSKEY matches the signature");
	else
		set_result(res, HF_VAL_BOGUS, EDE_BOGUS, "no usable signature");
}

bool hf_val_keys_add(struct hf_val_keys *keys, const uint8_t *rdata, uint16_t rdlen)
{
	if (keys->n == HF_VAL_MAX_KEYS || keys->used + rdlen > sizeof(keys->buf))
		return false;
	uint8_t *at = keys->buf + keys->used;
	memcpy(at, rdata, rdlen);
	keys->rdata[keys->n] = at;
	keys->rdlen[keys->n++] = rdlen;
	keys->used += rdlen;
	return true;
}

/* --- an RRset of the reply, through the chain of trust -------------------------------- */

struct reply_ctx {
	const struct hf_val *v;
	struct vmsg m;
	const uint8_t *zone;
	struct hf_val_keys keys;
	uint32_t ttl_cap;
	bool insecure;
	bool not_cut;
};

/* The signer of the first RRSIG over the RRset that may vouch for it, or NULL. */
static const uint8_t *signer_of(const struct reply_ctx *rc, const struct rrset_ref *ref)
{
	for (size_t i = 0; i < rc->m.n; i++) {
		const struct vrr *r = &rc->m.rr[i];
		struct sig_view sv;
		if (!is_sig_over(r, ref->section, ref->owner, ref->type) || !sig_parse(r, &sv))
			continue;
		/* A signer outside the zone asked, or not above the owner, cannot vouch. */
		if (hf_name_in_zone(sv.signer, rc->zone) && hf_name_in_zone(ref->owner, sv.signer))
			return sv.signer;
	}
	return NULL;
}

/*
 * Validates one RRset of the reply. false when the reply's verdict is
 * settled (BOGUS or NEED in res); true to go on, with *labels for a SECURE
 * RRset (0xff for an insecure one).
 */
static bool check_rrset(struct reply_ctx *rc, const struct rrset_ref *ref, unsigned *labels,
                        struct hf_val_result *res)
{
	const uint8_t *signer = signer_of(rc, ref);
	uint8_t zone[HF_NAME_MAX];
	memcpy(zone, signer != NULL ? signer : rc->zone,
	       hf_name_len(signer != NULL ? signer : rc->zone));
	*labels = 0xff;
	rc->keys.n = 0;
	rc->keys.used = 0;
	memcpy(rc->keys.zone, zone, hf_name_len(zone));
	rc->v->zone_status(rc->v->ctx, zone, &rc->keys, res);
	if (res->verdict == HF_VAL_INSECURE) {
		rc->insecure = true;
		return true;
	}
	if (res->verdict != HF_VAL_SECURE)
		return false;
	if (signer == NULL) {
		set_result(res, HF_VAL_BOGUS, EDE_NO_RRSIG, "RRSIG missing in a signed zone");
		return false;
	}
	memcpy(rc->keys.zone, zone, hf_name_len(zone));
	verify_rrset(rc->v, &rc->m, ref, &rc->keys, labels, res);
	if (res->verdict != HF_VAL_SECURE)
		return false;
	if (res->ttl_cap < rc->ttl_cap)
		rc->ttl_cap = res->ttl_cap;
	return true;
}

/* --- denial of existence ---------------------------------------------------------------- */

static bool has_rrset(const struct vmsg *m, uint8_t section, const uint8_t *owner, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vrr *r = &m->rr[i];
		if (r->section == section && r->type == type && hf_name_eq(r->owner, owner))
			return true;
	}
	return false;
}

/* Does the authority section delegate name (or an ancestor below zone) to a child zone? */
static bool referral_to(const struct vmsg *m, const uint8_t *zone, const uint8_t *name)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vrr *r = &m->rr[i];
		if (r->section == HF_SECTION_AUTHORITY && r->type == HF_TYPE_NS &&
		    hf_name_labels(r->owner) > hf_name_labels(zone) &&
		    hf_name_in_zone(name, r->owner))
			return true;
	}
	return false;
}

/* Has an earlier record the same owner and type (so its RRset was checked already)? */
static bool seen_before(const struct vmsg *m, size_t i)
{
	for (size_t k = 0; k < i; k++) {
		if (m->rr[k].section == m->rr[i].section && m->rr[k].type == m->rr[i].type &&
		    hf_name_eq(m->rr[k].owner, m->rr[i].owner))
			return true;
	}
	return false;
}

/*
 * Validates the authority section's SOA, NSEC and NSEC3 RRsets and checks
 * the denial proof of kind for (name, type). false when settled in res.
 */
static bool check_denial(struct reply_ctx *rc, enum hf_denial_kind kind, const uint8_t *name,
                         uint16_t type, const uint8_t *ce, struct hf_val_result *res)
{
	struct vmsg *m = &rc->m;
	size_t nn = 0, nn3 = 0;
	/* The zone whose records deny: the signer of what the section holds, else the one asked. */
	uint8_t deny_zone[HF_NAME_MAX];
	memcpy(deny_zone, rc->zone, hf_name_len(rc->zone));
	struct hf_denial_rr *nsec = hf_calloc(m->n + 1, sizeof(*nsec));
	struct hf_denial_rr *nsec3 = hf_calloc(m->n + 1, sizeof(*nsec3));
	bool go_on = nsec != NULL && nsec3 != NULL;
	if (!go_on)
		set_result(res, HF_VAL_BOGUS, EDE_OTHER, "out of memory");
	for (size_t i = 0; go_on && i < m->n; i++) {
		const struct vrr *r = &m->rr[i];
		if (r->section != HF_SECTION_AUTHORITY ||
		    (r->type != HF_TYPE_SOA && r->type != HF_TYPE_NSEC && r->type != HF_TYPE_NSEC3))
			continue;
		unsigned labels;
		if (!seen_before(m, i)) {
			struct rrset_ref ref = {HF_SECTION_AUTHORITY, r->owner, r->type};
			go_on = check_rrset(rc, &ref, &labels, res);
			if (go_on && labels != 0xff)
				memcpy(deny_zone, rc->keys.zone, hf_name_len(rc->keys.zone));
		}
		if (r->type == HF_TYPE_NSEC)
			nsec[nn++] = (struct hf_denial_rr){r->owner, r->rdata, r->rdlen};
		else if (r->type == HF_TYPE_NSEC3)
			nsec3[nn3++] = (struct hf_denial_rr){r->owner, r->rdata, r->rdlen};
	}
	if (go_on && !rc->insecure) {
		bool opt_out = false;
		int rv = hf_denial_check(kind, deny_zone, name, type, ce, nsec, nn, nsec3, nn3,
		                         &rc->v->work->nsec3, &opt_out);
		/* No DS at a name with no NS either: not a delegation at all (RFC 4035 §5.4
		 * proves NS absent the same way). Secure, but no sign of an insecure child. */
		if (rv == HF_EBOGUS && kind == HF_DENY_NODATA && type == HF_TYPE_DS) {
			rv = hf_denial_check(kind, deny_zone, name, HF_TYPE_NS, ce, nsec, nn, nsec3,
			                     nn3, &rc->v->work->nsec3, &opt_out);
			rc->not_cut = rv == HF_OK;
		}
		if (rv == HF_EUNSUPPORTED || (rv == HF_OK && opt_out)) {
			rc->insecure = true;
		} else if (rv == HF_ELIMIT) {
			set_result(res, HF_VAL_BOGUS, EDE_OTHER,
			           "NSEC3 proof needed more hashing than allowed");
			go_on = false;
		} else if (rv != HF_OK) {
			/* RFC 8914: 12 when the proof is missing; records that are there, signed,
			 * and prove something else make the answer plain bogus (as Unbound). */
			if (nn + nn3 == 0)
				set_result(res, HF_VAL_BOGUS, EDE_NO_NSEC,
				           "denial of existence without NSEC or NSEC3");
			else
				set_result(res, HF_VAL_BOGUS, EDE_BOGUS,
				           "NSEC or NSEC3 records do not prove the denial");
			go_on = false;
		}
	}
	hf_free(nsec);
	hf_free(nsec3);
	return go_on;
}

/* --- the reply -------------------------------------------------------------------------- */

/* The DNAME in the answer whose owner is a proper ancestor of name, if any. */
static const struct vrr *covering_dname(const struct vmsg *m, const uint8_t *name)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vrr *r = &m->rr[i];
		if (r->section == HF_SECTION_ANSWER && r->type == HF_TYPE_DNAME &&
		    hf_name_labels(r->owner) < hf_name_labels(name) &&
		    hf_name_in_zone(name, r->owner))
			return r;
	}
	return NULL;
}

/* The CNAME target at name, or NULL. */
static const uint8_t *cname_at(const struct vmsg *m, const uint8_t *name)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vrr *r = &m->rr[i];
		if (r->section == HF_SECTION_ANSWER && r->type == HF_TYPE_CNAME &&
		    hf_name_eq(r->owner, name) && hf_name_check(r->rdata, r->rdlen) > 0)
			return r->rdata;
	}
	return NULL;
}

/* Does target equal name with the DNAME owner's suffix replaced by its target (RFC 6672)? */
static bool dname_synthesis(const struct vrr *dname, const uint8_t *name, const uint8_t *target)
{
	if (hf_name_check(dname->rdata, dname->rdlen) < 0)
		return false;
	unsigned keep = hf_name_labels(name) - hf_name_labels(dname->owner);
	size_t prefix = (size_t)(hf_name_suffix(name, hf_name_labels(name) - keep) - name);
	size_t tail = hf_name_len(dname->rdata);
	uint8_t want[HF_NAME_MAX * 2];
	memcpy(want, name, prefix);
	memcpy(want + prefix, dname->rdata, tail);
	return prefix + tail <= HF_NAME_MAX && hf_name_eq(want, target);
}

/*
 * One link of the answer's chain at name: validates the qtype RRset or the
 * CNAME (or the DNAME it was synthesised from). *next gets the CNAME target,
 * NULL when the chain ended in data or nothing. false when settled.
 */
static bool check_link(struct reply_ctx *rc, const uint8_t *name, uint16_t qtype,
                       const uint8_t **next, bool *data, struct hf_val_result *res)
{
	struct vmsg *m = &rc->m;
	unsigned labels;
	*next = NULL;
	*data = false;
	uint16_t type = qtype;
	if (!has_rrset(m, HF_SECTION_ANSWER, name, qtype)) {
		const uint8_t *target = cname_at(m, name);
		if (target == NULL || qtype == HF_TYPE_CNAME)
			return true;
		*next = target;
		const struct vrr *dname = covering_dname(m, name);
		if (dname != NULL && dname_synthesis(dname, name, target)) {
			/* The synthesised CNAME is unsigned; the DNAME it follows from is. */
			struct rrset_ref ref = {HF_SECTION_ANSWER, dname->owner, HF_TYPE_DNAME};
			return check_rrset(rc, &ref, &labels, res);
		}
		type = HF_TYPE_CNAME;
	}
	*data = type == qtype;
	struct rrset_ref ref = {HF_SECTION_ANSWER, name, type};
	if (!check_rrset(rc, &ref, &labels, res))
		return false;
	if (labels == 0xff || labels >= hf_name_labels(name))
		return true;
	/* A wildcard expansion: the name itself must be proven absent (RFC 4035 §5.3.4). */
	const uint8_t *ce = hf_name_suffix(name, labels);
	return check_denial(rc, HF_DENY_WILDCARD, name, type, ce, res);
}

void hf_val_reply(const struct hf_val *v, const struct hf_pkt *p, const uint8_t *zone,
                  const uint8_t *qname, uint16_t qtype, struct hf_val_result *res)
{
	struct reply_ctx *rc = hf_calloc(1, sizeof(*rc));
	memset(res, 0, sizeof(*res));
	if (rc == NULL || vmsg_load(&rc->m, p) != HF_OK) {
		set_result(res, HF_VAL_BOGUS, EDE_OTHER, "out of memory");
		goto out;
	}
	rc->v = v;
	rc->zone = zone;
	rc->ttl_cap = UINT32_MAX;
	uint8_t name[HF_NAME_MAX];
	memcpy(name, qname, hf_name_len(qname));
	bool data = false;
	for (unsigned links = 0; links < MAX_CHAIN; links++) {
		const uint8_t *next;
		if (!check_link(rc, name, qtype, &next, &data, res))
			goto out;
		if (next == NULL)
			break;
		memcpy(name, next, hf_name_len(next));
		if (!hf_name_in_zone(name, zone))
			break; /* the chain goes on in another zone: validated there */
	}
	/* A chain that ends at a referral (a CNAME into a child zone, RFC 1034 §4.3.2 3b)
	 * denies nothing, the iterator follows it there; anything else that ends without
	 * data must prove it. */
	bool denies = rc->m.rcode == HF_RCODE_NXDOMAIN || !referral_to(&rc->m, zone, name);
	if (!data && denies && hf_name_in_zone(name, zone)) {
		enum hf_denial_kind kind =
		    rc->m.rcode == HF_RCODE_NXDOMAIN ? HF_DENY_NXDOMAIN : HF_DENY_NODATA;
		if (!check_denial(rc, kind, name, qtype, NULL, res))
			goto out;
	}
	set_result(res, rc->insecure ? HF_VAL_INSECURE : HF_VAL_SECURE, 0, NULL);
	res->ttl_cap = rc->ttl_cap;
	res->not_cut = rc->not_cut;
out:
	if (rc != NULL)
		vmsg_free(&rc->m);
	hf_free(rc);
}

/* --- a zone's keys ---------------------------------------------------------------------- */

/* Marks in trusted[] the keys of the RRset a trusted record names; how many are usable. */
static size_t trusted_keys(const struct hf_val *v, const struct vmsg *m, size_t n,
                           const uint8_t *zone, const struct hf_val_trust *trust,
                           struct hf_val_keys *out, bool *unsupported)
{
	size_t usable = 0;
	*unsupported = true;
	for (size_t t = 0; t < trust->n; t++) {
		const uint8_t *tr = trust->rdata[t];
		uint16_t tlen = trust->rdlen[t];
		if (trust->type == HF_TYPE_DS) {
			if (tlen < 4 || !hf_dnssec_alg_supported(tr[2], v->lim->allow_sha1) ||
			    !hf_dnssec_digest_supported(tr[3], v->lim->allow_sha1))
				continue;
		} else if (tlen < 4 || !hf_dnssec_alg_supported(tr[3], v->lim->allow_sha1)) {
			continue;
		}
		*unsupported = false;
		for (size_t k = 0; k < n; k++) {
			bool match =
			    trust->type == HF_TYPE_DS
			        ? hf_dnssec_ds_match(zone, tr, tlen, m->rdata[k], m->rdlens[k],
			                             v->lim->allow_sha1) == HF_OK
			        : (tlen == m->rdlens[k] && memcmp(tr, m->rdata[k], tlen) == 0);
			if (match && hf_val_keys_add(out, m->rdata[k], m->rdlens[k]))
				usable++;
		}
	}
	return usable;
}

void hf_val_dnskey(const struct hf_val *v, const struct hf_pkt *p, const uint8_t *zone,
                   const struct hf_val_trust *trust, struct hf_val_keys *keys,
                   struct hf_val_result *res)
{
	struct vmsg m;
	memset(res, 0, sizeof(*res));
	if (vmsg_load(&m, p) != HF_OK) {
		set_result(res, HF_VAL_BOGUS, EDE_OTHER, "out of memory");
		goto out;
	}
	uint16_t rclass;
	size_t n = gather(&m, HF_SECTION_ANSWER, zone, HF_TYPE_DNSKEY, &rclass);
	if (n == 0) {
		set_result(res, HF_VAL_BOGUS, EDE_NO_DNSKEY, "zone has no DNSKEY RRset");
		goto out;
	}
	struct hf_val_keys *sep = hf_calloc(1, sizeof(*sep));
	if (sep == NULL) {
		set_result(res, HF_VAL_BOGUS, EDE_OTHER, "out of memory");
		goto out;
	}
	memcpy(sep->zone, zone, hf_name_len(zone));
	bool unsupported;
	size_t usable = trusted_keys(v, &m, n, zone, trust, sep, &unsupported);
	if (unsupported) {
		/* RFC 6840 §5.2: nothing we can check vouches for the zone: it is insecure. */
		bool ds = trust->type == HF_TYPE_DS && trust->n > 0 && trust->rdlen[0] >= 4 &&
		          hf_dnssec_alg_supported(trust->rdata[0][2], true);
		set_result(res, HF_VAL_INSECURE, ds ? EDE_UNSUPP_DS : EDE_UNSUPP_ALG,
		           "zone signed with an algorithm or digest not supported");
	} else if (usable == 0) {
		set_result(res, HF_VAL_BOGUS, EDE_NO_DNSKEY, "no DNSKEY matches the DS records");
	} else {
		unsigned labels;
		struct rrset_ref ref = {HF_SECTION_ANSWER, zone, HF_TYPE_DNSKEY};
		verify_rrset(v, &m, &ref, sep, &labels, res);
	}
	if (res->verdict == HF_VAL_SECURE) {
		keys->n = 0;
		keys->used = 0;
		memcpy(keys->zone, zone, hf_name_len(zone));
		n = gather(&m, HF_SECTION_ANSWER, zone, HF_TYPE_DNSKEY, &rclass);
		for (size_t k = 0; k < n; k++)
			(void)hf_val_keys_add(keys, m.rdata[k], m.rdlens[k]);
	}
	hf_free(sep);
out:
	vmsg_free(&m);
}
