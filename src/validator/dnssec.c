/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DNSSEC primitives: key tags, DS digests, signed data, signatures. See dnssec.h. */
#include "validator/dnssec.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "wire/buf.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

/* RSA moduli outside this range are refused: tiny ones are forgeable, huge ones a CPU sink. */
#define RSA_MIN_BITS 512
#define RSA_MAX_BITS 4096

#define DNSKEY_FIXED  4  /* flags, protocol, algorithm */
#define RRSIG_FIXED   18 /* type covered .. key tag */
#define SIGNED_RR_MAX 512

uint16_t hf_dnssec_key_tag(const uint8_t *dnskey, size_t len)
{
	if (len < DNSKEY_FIXED || dnskey[3] == 1)
		return 0; /* algorithm 1 (RSA/MD5) used another rule; it is long dead */
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? dnskey[i] : (uint32_t)dnskey[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

bool hf_dnssec_alg_supported(uint8_t alg, bool allow_sha1)
{
	switch (alg) {
	case HF_ALG_RSASHA1:
	case HF_ALG_RSASHA1_NSEC3:
		return allow_sha1;
	case HF_ALG_RSASHA256:
	case HF_ALG_RSASHA512:
	case HF_ALG_ECDSAP256:
	case HF_ALG_ECDSAP384:
	case HF_ALG_ED25519:
	case HF_ALG_ED448:
		return true;
	default:
		return false;
	}
}

static const EVP_MD *digest_md(uint8_t digest, bool allow_sha1)
{
	switch (digest) {
	case HF_DS_SHA1:
		return allow_sha1 ? EVP_sha1() : NULL;
	case HF_DS_SHA256:
		return EVP_sha256();
	case HF_DS_SHA384:
		return EVP_sha384();
	default:
		return NULL;
	}
}

bool hf_dnssec_digest_supported(uint8_t digest, bool allow_sha1)
{
	return digest_md(digest, allow_sha1) != NULL;
}

int hf_dnssec_ds_match(const uint8_t *owner, const uint8_t *ds, size_t ds_len,
                       const uint8_t *dnskey, size_t key_len, bool allow_sha1)
{
	if (ds_len < 4 || key_len < DNSKEY_FIXED)
		return HF_ERDATA;
	if (hf_get16(ds) != hf_dnssec_key_tag(dnskey, key_len) || ds[2] != dnskey[3])
		return HF_EBOGUS;
	const EVP_MD *md = digest_md(ds[3], allow_sha1);
	if (md == NULL)
		return HF_EUNSUPPORTED;
	uint8_t name[HF_NAME_MAX];
	size_t nlen = hf_name_len(owner);
	memcpy(name, owner, nlen);
	hf_name_lower(name);
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	          EVP_DigestUpdate(ctx, name, nlen) == 1 &&
	          EVP_DigestUpdate(ctx, dnskey, key_len) == 1 &&
	          EVP_DigestFinal_ex(ctx, digest, &dlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return HF_ENOMEM;
	if (ds_len - 4 != dlen || CRYPTO_memcmp(ds + 4, digest, dlen) != 0)
		return HF_EBOGUS;
	return HF_OK;
}

/* --- the signed data ------------------------------------------------------------------ */

struct canon_rr {
	const uint8_t *rdata;
	uint16_t rdlen;
	uint8_t *canon; /* canonical RDATA, for ordering */
};

static int cmp_canon(const void *a, const void *b)
{
	const struct canon_rr *x = a, *y = b;
	return hf_rdata_cmp(x->canon, x->rdlen, y->canon, y->rdlen);
}

int hf_dnssec_signed_data(const uint8_t *owner, uint16_t type, uint16_t rclass,
                          const uint8_t *rrsig, size_t rrsig_len, const uint8_t *const *rdata,
                          const uint16_t *rdlen, size_t n, uint8_t *out, size_t cap)
{
	if (rrsig_len < RRSIG_FIXED + 1 || n == 0 || n > SIGNED_RR_MAX)
		return HF_ERDATA;
	int signer_len = hf_name_check(rrsig + RRSIG_FIXED, rrsig_len - RRSIG_FIXED);
	if (signer_len < 0)
		return HF_ERDATA;
	size_t head = RRSIG_FIXED + (size_t)signer_len;
	if (cap < head)
		return HF_ESPACE;
	/* RFC 4034 §3.1.8.1: the RRSIG RDATA without the signature, signer in canonical form. */
	memcpy(out, rrsig, head);
	hf_name_lower(out + RRSIG_FIXED);
	unsigned labels = rrsig[3];
	uint32_t orig_ttl = hf_get32(rrsig + 4);
	/* RFC 4035 §5.3.1: a signature claiming more labels than its owner has is invalid. */
	if (labels > hf_name_labels(owner))
		return HF_ERDATA;

	struct canon_rr *rrs = hf_calloc(n, sizeof(*rrs));
	if (rrs == NULL)
		return HF_ENOMEM;
	int rc = HF_OK;
	uint16_t layout = hf_rdata_layout(type, rclass);
	for (size_t i = 0; i < n && rc == HF_OK; i++) {
		rrs[i].rdata = rdata[i];
		rrs[i].rdlen = rdlen[i];
		rrs[i].canon = hf_malloc(rdlen[i] ? rdlen[i] : 1);
		if (rrs[i].canon == NULL) {
			rc = HF_ENOMEM;
			break;
		}
		memcpy(rrs[i].canon, rdata[i], rdlen[i]);
		hf_rdata_canonicalize(layout, rrs[i].canon, rdlen[i]);
	}
	size_t pos = head;
	if (rc == HF_OK) {
		/* RFC 4034 §6.3: in canonical order, each record once. */
		qsort(rrs, n, sizeof(*rrs), cmp_canon);
		for (size_t i = 0; i < n && rc == HF_OK; i++) {
			if (i > 0 && cmp_canon(&rrs[i - 1], &rrs[i]) == 0)
				continue;
			int w = hf_rr_canonical(owner, type, rclass, orig_ttl, labels, rrs[i].rdata,
			                        rrs[i].rdlen, out + pos, cap - pos);
			if (w < 0)
				rc = w;
			else
				pos += (size_t)w;
		}
	}
	for (size_t i = 0; i < n; i++)
		hf_free(rrs[i].canon);
	hf_free(rrs);
	return rc == HF_OK ? (int)pos : rc;
}

/* --- keys and signatures --------------------------------------------------------------- */

static EVP_PKEY *from_params(const char *kind, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, kind, NULL);
	if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* RFC 3110 §2: exponent length (1 octet, or 0 and 2 octets), exponent, modulus. */
static EVP_PKEY *rsa_key(const uint8_t *key, size_t len)
{
	if (len < 1)
		return NULL;
	size_t elen = key[0], off = 1;
	if (elen == 0) {
		if (len < 3)
			return NULL;
		elen = hf_get16(key + 1);
		off = 3;
	}
	if (elen == 0 || len - off <= elen)
		return NULL;
	const uint8_t *exp = key + off, *mod = exp + elen;
	size_t mlen = len - off - elen;
	if (mlen * 8 < RSA_MIN_BITS || mlen * 8 > RSA_MAX_BITS)
		return NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = BN_bin2bn(mod, (int)mlen, NULL);
	BIGNUM *e = BN_bin2bn(exp, (int)elen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	if (n != NULL && e != NULL && bld != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1)
		pkey = from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* RFC 6605 §4: the point's X and Y, without the uncompressed-point prefix. */
static EVP_PKEY *ec_key(const uint8_t *key, size_t len, const char *group, size_t want)
{
	if (len != want)
		return NULL;
	uint8_t point[1 + 96];
	point[0] = 0x04;
	memcpy(point + 1, key, len);
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	if (bld != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, len + 1) == 1)
		pkey = from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* RFC 6605 §4: r and s side by side; OpenSSL wants them DER-encoded. */
static uint8_t *ecdsa_der(const uint8_t *sig, size_t len, size_t half, size_t *der_len)
{
	if (len != 2 * half)
		return NULL;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)half, NULL);
	BIGNUM *s = BN_bin2bn(sig + half, (int)half, NULL);
	if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return NULL;
	}
	uint8_t *der = NULL;
	int n = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return NULL;
	*der_len = (size_t)n;
	return der;
}

int hf_dnssec_verify(const uint8_t *rrsig, size_t rrsig_len, const uint8_t *dnskey, size_t key_len,
                     const uint8_t *data, size_t data_len, bool allow_sha1)
{
	if (rrsig_len < RRSIG_FIXED + 1 || key_len < DNSKEY_FIXED)
		return HF_ERDATA;
	int signer_len = hf_name_check(rrsig + RRSIG_FIXED, rrsig_len - RRSIG_FIXED);
	if (signer_len < 0)
		return HF_ERDATA;
	uint8_t alg = rrsig[2];
	if (alg != dnskey[3])
		return HF_EBOGUS;
	if (!hf_dnssec_alg_supported(alg, allow_sha1))
		return HF_EUNSUPPORTED;
	const uint8_t *sig = rrsig + RRSIG_FIXED + signer_len;
	size_t sig_len = rrsig_len - RRSIG_FIXED - (size_t)signer_len;
	const uint8_t *key = dnskey + DNSKEY_FIXED;
	size_t klen = key_len - DNSKEY_FIXED;

	EVP_PKEY *pkey = NULL;
	const EVP_MD *md = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	switch (alg) {
	case HF_ALG_RSASHA1:
	case HF_ALG_RSASHA1_NSEC3:
		md = EVP_sha1();
		pkey = rsa_key(key, klen);
		break;
	case HF_ALG_RSASHA256:
		md = EVP_sha256();
		pkey = rsa_key(key, klen);
		break;
	case HF_ALG_RSASHA512:
		md = EVP_sha512();
		pkey = rsa_key(key, klen);
		break;
	case HF_ALG_ECDSAP256:
		md = EVP_sha256();
		pkey = ec_key(key, klen, "P-256", 64);
		der = ecdsa_der(sig, sig_len, 32, &der_len);
		break;
	case HF_ALG_ECDSAP384:
		md = EVP_sha384();
		pkey = ec_key(key, klen, "P-384", 96);
		der = ecdsa_der(sig, sig_len, 48, &der_len);
		break;
	case HF_ALG_ED25519:
		if (klen == 32)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, klen);
		break;
	case HF_ALG_ED448:
		if (klen == 57)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, key, klen);
		break;
	default:
		return HF_EUNSUPPORTED;
	}
	if (der != NULL) {
		sig = der;
		sig_len = der_len;
	}
	int rc = HF_EBOGUS;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ecdsa = alg == HF_ALG_ECDSAP256 || alg == HF_ALG_ECDSAP384;
	if (pkey != NULL && ctx != NULL && (!ecdsa || der != NULL) &&
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, sig_len, data, data_len) == 1)
		rc = HF_OK;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	OPENSSL_free(der);
	return rc;
}
