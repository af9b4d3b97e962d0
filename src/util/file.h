/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a small file whole (root hints, trust anchors), with a size limit. */
#pragma once

#include <stddef.h>

/*
 * Reads path into a new hf_malloc() buffer (NUL-terminated; *len excludes
 * the NUL). Returns NULL with *err set to -errno, or HF_ETOOBIG when the
 * file is larger than max octets.
 */
char *hf_read_file(const char *path, size_t max, size_t *len, int *err);
