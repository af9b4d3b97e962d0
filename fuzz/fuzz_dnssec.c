/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: DNSSEC primitives on hostile RDATA. The input is split by its
 * first two octets into a DNSKEY, an RRSIG and an RRset of records (each
 * record a 1-octet length and RDATA); key tag, DS match, signed data and
 * verification must never crash or leak, whatever the bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "validator/dnssec.h"
#include "wire/rrtype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t owner[] = "\7example\3com";
	if (size < 2)
		return 0;
	size_t klen = data[0], slen = data[1];
	data += 2;
	size -= 2;
	if (klen + slen > size)
		return 0;
	const uint8_t *key = data, *sig = data + klen, *rest = sig + slen;
	size_t rest_len = size - klen - slen;

	(void)hf_dnssec_key_tag(key, klen);
	int rc = hf_dnssec_ds_match(owner, rest, rest_len, key, klen, true);
	(void)rc;

	const uint8_t *rdata[16];
	uint16_t rdlen[16];
	size_t n = 0;
	for (size_t pos = 0; pos < rest_len && n < 16;) {
		size_t l = rest[pos];
		if (l > rest_len - pos - 1)
			break;
		rdata[n] = rest + pos + 1;
		rdlen[n++] = (uint16_t)l;
		pos += 1 + l;
	}
	uint8_t *out = malloc(1 << 16);
	if (out == NULL)
		return 0;
	int len = n ? hf_dnssec_signed_data(owner, HF_TYPE_MX, 1, sig, slen, rdata, rdlen, n, out,
	                                    1 << 16)
	            : -1;
	rc = hf_dnssec_verify(sig, slen, key, klen, len > 0 ? out : rest,
	                      len > 0 ? (size_t)len : rest_len, true);
	(void)rc;
	free(out);
	return 0;
}
