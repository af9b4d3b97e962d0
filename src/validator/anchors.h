/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Trust anchors: the DS or DNSKEY records validation starts from, read from
 * the files `trust-anchors` names (zone-file text, one record per line, as
 * Debian's /usr/share/dns/root.ds and root.key are written). An empty list
 * turns validation off. When the list is the default (Debian's root.ds) and
 * that file is absent, the built-in root anchors are used instead: the DS
 * records of KSK-2017 (key tag 20326) and KSK-2024 (38696). An anchor file
 * that was named explicitly must be readable.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "wire/name.h"

#define HF_ANCHOR_RDATA_MAX 2048

struct hf_anchor {
	uint8_t owner[HF_NAME_MAX]; /* lowercased */
	uint16_t type;              /* HF_TYPE_DS or HF_TYPE_DNSKEY */
	uint16_t rdlen;
	uint8_t rdata[HF_ANCHOR_RDATA_MAX];
};

struct hf_anchors {
	struct hf_anchor *anchors;
	size_t n;
	bool builtin; /* the compiled-in root anchors are in use */
};

/* Loads the configured files. NULL and a message naming file and line on error. */
struct hf_anchors *hf_anchors_load(const struct hf_config *cfg, char err[HF_CONFIG_ERR_MAX]);
void hf_anchors_free(struct hf_anchors *a);
