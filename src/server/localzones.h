/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Built-in answers for special-use names (RFC 6761, RFC 6303, RFC 7686),
 * switched by `resolver.local-zones`. See localzones.c for the list.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "wire/build.h"

/*
 * If qname falls in a built-in zone, writes the answer's records into b
 * (whose header and question are written) and sets *rcode: returns 1.
 * Returns 0 for any other name, or a negative error.
 */
/* False for every name no built-in zone can contain (a test of the last label only). */
bool hf_local_zone_candidate(const uint8_t *qname);

int hf_local_zone_answer(const uint8_t *qname, uint16_t qtype, uint16_t qclass, struct hf_build *b,
                         uint16_t *rcode);
