/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What holdfast knows about every authoritative server address it has
 * asked: smoothed RTT, failures, queries in flight. The same figures as a
 * forwarder's (struct hf_upstream, see upstream.h), so server choice and
 * back-off work alike in both modes. Entries live until exit, so pointers
 * stay valid; past HF_INFRA_MAX addresses, new ones share one entry.
 */
#pragma once

#include "upstream/upstream.h"

#define HF_INFRA_MAX 100000

struct hf_infra;

struct hf_infra *hf_infra_new(void);
void hf_infra_free(struct hf_infra *in);

/* Calls fn for every entry (under the table's lock: fn must not call back in). */
void hf_infra_each(struct hf_infra *in, void (*fn)(void *ctx, struct hf_upstream *u), void *ctx);

/* The entry for addr (created on first use); never NULL. Thread-safe. */
struct hf_upstream *hf_infra_get(struct hf_infra *in, const struct hf_addr *addr);
