/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Binary-to-text encodings used in presentation formats (RFC 4648): base64
 * (DNSKEY, RRSIG, ...), base32 with the extended-hex alphabet and no padding
 * (NSEC3 hashed owner names, RFC 5155 §3.3), and base16 (DS, TLSA, ...).
 *
 * Encoders write NUL-terminated text and return its length or HF_ESPACE.
 * Decoders ignore nothing: whitespace must be removed by the caller (the
 * tokenizer joins tokens); they return the decoded length, HF_ESYNTAX for a
 * bad character or padding, or HF_ESPACE.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

HF_MUSTCHECK int hf_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
HF_MUSTCHECK int hf_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/* Lowercase output, as dnspython and Unbound print NSEC3 owner hashes. */
HF_MUSTCHECK int hf_base32hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/* Accepts either case; no padding. */
HF_MUSTCHECK int hf_base32hex_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/* Lowercase output. */
HF_MUSTCHECK int hf_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/* Accepts either case; an odd number of digits is HF_ESYNTAX. */
HF_MUSTCHECK int hf_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap);
