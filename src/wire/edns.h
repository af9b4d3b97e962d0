/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * EDNS(0) options (RFC 6891 §6.1.2): reading them out of an OPT record's
 * RDATA, checking them, and encoding the ones holdfast writes.
 *
 *   +0 (MSB)                            +1 (LSB)
 *   +---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
 *   |                          OPTION-CODE                          |
 *   |                         OPTION-LENGTH                         |
 *   |                          OPTION-DATA ...                      |
 *
 * Known options are checked for their layout: COOKIE (RFC 7873 §4: client
 * cookie of 8 octets, optionally a server cookie of 8 to 32), Extended DNS
 * Error (RFC 8914 §2: INFO-CODE then UTF-8 text), Padding (RFC 7830: any
 * length; content is not checked, senders should use zeros), Client Subnet
 * (RFC 7871 §6: family 1 or 2, source prefix within the family, exactly
 * ceil(source/8) address octets, bits past the prefix zero). Any other
 * option is kept as bytes. A malformed known option is HF_EOPTDATA, which
 * RFC 7873 and RFC 7871 both answer with FORMERR.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

enum hf_edns_code {
	HF_EDNS_ECS = 8,
	HF_EDNS_COOKIE = 10,
	HF_EDNS_KEEPALIVE = 11,
	HF_EDNS_PADDING = 12,
	HF_EDNS_EDE = 15,
};

/* A view of one option inside OPT RDATA. */
struct hf_edns_opt {
	uint16_t code;
	uint16_t len;
	const uint8_t *data;
};

/*
 * Iterates the options in opts[0..len). *pos starts at 0. Returns 1 and fills
 * o for each option, 0 at the end, HF_EOPTDATA if an option overruns.
 */
HF_MUSTCHECK int hf_edns_next(const uint8_t *opts, size_t len, size_t *pos, struct hf_edns_opt *o);

/* Checks every option in opts[0..len) (lengths and known layouts). */
HF_MUSTCHECK int hf_edns_check(const uint8_t *opts, size_t len);

/* Finds the first option with the given code; returns true and fills o. */
bool hf_edns_find(const uint8_t *opts, size_t len, uint16_t code, struct hf_edns_opt *o);

#define HF_COOKIE_CLIENT_LEN 8
#define HF_COOKIE_SERVER_MIN 8
#define HF_COOKIE_SERVER_MAX 32

struct hf_edns_cookie {
	uint8_t client[HF_COOKIE_CLIENT_LEN];
	uint8_t server[HF_COOKIE_SERVER_MAX];
	uint8_t server_len; /* 0 when only a client cookie was sent */
};

struct hf_edns_ecs {
	uint16_t family; /* 1 = IPv4, 2 = IPv6 */
	uint8_t source_prefix;
	uint8_t scope_prefix;
	uint8_t addr[16]; /* full-width address, bits past source_prefix zero */
};

struct hf_edns_ede {
	uint16_t info_code;
	const uint8_t *text; /* UTF-8, not NUL-terminated, may be empty */
	uint16_t text_len;
};

HF_MUSTCHECK int hf_edns_cookie_parse(const struct hf_edns_opt *o, struct hf_edns_cookie *c);
HF_MUSTCHECK int hf_edns_ecs_parse(const struct hf_edns_opt *o, struct hf_edns_ecs *e);
HF_MUSTCHECK int hf_edns_ede_parse(const struct hf_edns_opt *o, struct hf_edns_ede *e);

/*
 * Encoders write the OPTION-DATA only (no code or length) into out and
 * return its length or HF_ESPACE / HF_EINVAL.
 */
HF_MUSTCHECK int hf_edns_cookie_encode(const struct hf_edns_cookie *c, uint8_t *out, size_t cap);
HF_MUSTCHECK int hf_edns_ecs_encode(const struct hf_edns_ecs *e, uint8_t *out, size_t cap);
HF_MUSTCHECK int hf_edns_ede_encode(uint16_t info_code, const char *text, size_t text_len,
                                    uint8_t *out, size_t cap);

/* RFC 8914 §5.2 names ("Stale Answer", "DNSSEC Bogus", ...); NULL if unassigned. */
const char *hf_edns_ede_name(uint16_t info_code);

/* Mnemonic for an option code ("COOKIE", "ECS", ...); NULL for unknown codes. */
const char *hf_edns_opt_name(uint16_t code);
