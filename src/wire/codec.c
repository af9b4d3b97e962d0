/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RFC 4648 encodings: base64 (§4), base32 with the extended-hex alphabet
 * (§7, no padding, as NSEC3 uses it) and base16 (§8). Encoders write
 * lowercase where the alphabet allows; decoders are strict (no whitespace,
 * no missing or misplaced padding, no stray bits in the last group).
 */
#include "wire/codec.h"

#include <limits.h>
#include <stdbool.h>

#include "util/err.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32hex_alphabet[] = "0123456789abcdefghijklmnopqrstuv";
static const char hex_alphabet[] = "0123456789abcdef";

int hf_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t need = (len + 2) / 3 * 4;
	size_t o = 0;

	if (len > INT_MAX / 2 || cap <= need)
		return HF_ESPACE;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t n = len - i;

		if (n > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (n > 2)
			v |= in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = n > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = n > 2 ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int hf_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;

	if (len % 4 != 0)
		return HF_ESYNTAX;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t pad = 0;
		bool last = i + 4 == len;

		for (size_t j = 0; j < 4; j++) {
			if (in[i + j] == '=' && last && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad != 0)
				return HF_ESYNTAX; /* data after padding */
			v[j] = b64_value(in[i + j]);
			if (v[j] < 0)
				return HF_ESYNTAX;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		             (uint32_t)v[3];
		size_t n = 3 - pad;

		/* The bits the padding stands for must be zero (RFC 4648 §3.5). */
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return HF_ESYNTAX;
		if (cap - o < n)
			return HF_ESPACE;
		out[o++] = (uint8_t)(w >> 16);
		if (n > 1)
			out[o++] = (uint8_t)(w >> 8);
		if (n > 2)
			out[o++] = (uint8_t)w;
	}
	return (int)o;
}

int hf_base32hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t need = (len * 8 + 4) / 5;
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (len > INT_MAX / 2 || cap <= need)
		return HF_ESPACE;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xffff;
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32hex_alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32hex_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return (int)o;
}

static int b32hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

int hf_base32hex_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	/* Lengths 1, 3 and 6 mod 8 cannot come from whole octets. */
	switch (len % 8) {
	case 1:
	case 3:
	case 6:
		return HF_ESYNTAX;
	default:
		break;
	}
	for (size_t i = 0; i < len; i++) {
		int v = b32hex_value(in[i]);

		if (v < 0)
			return HF_ESYNTAX;
		acc = (acc << 5 | (uint32_t)v) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			if (o == cap)
				return HF_ESPACE;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* Leftover bits must be zero. */
	if ((acc & ((1u << bits) - 1)) != 0)
		return HF_ESYNTAX;
	return (int)o;
}

int hf_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (cap == 0 || len > (cap - 1) / 2 || len > INT_MAX / 2)
		return HF_ESPACE;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_alphabet[in[i] >> 4];
		out[2 * i + 1] = hex_alphabet[in[i] & 15];
	}
	out[2 * len] = '\0';
	return (int)(2 * len);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hf_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	if (len % 2 != 0)
		return HF_ESYNTAX;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_value(in[i]);
		int lo = hex_value(in[i + 1]);

		if (hi < 0 || lo < 0)
			return HF_ESYNTAX;
		if (i / 2 >= cap)
			return HF_ESPACE;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}
