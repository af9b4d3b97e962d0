/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The guard's memory across restarts (guard/state.h) for the running
 * server: which upstream and authoritative server addresses are asked over
 * TCP only, and until when. Kept in `guard.state` under cache.path; nothing
 * is kept when cache.path is "".
 */
#pragma once

#include "iterator/infra.h"
#include "upstream/upstream.h"

struct hf_guard_file;

/* Reads the saved state into the forward servers and the iterator's; NULL when not kept. */
struct hf_guard_file *hf_guard_file_open(const char *cache_path, struct hf_upstreams *up,
                                         struct hf_infra *infra);

/*
 * Writes the servers now asked over TCP only, when that changed since the
 * last write (atomically: a temporary file, then rename). Cheap otherwise.
 */
void hf_guard_file_sync(struct hf_guard_file *gf, struct hf_upstreams *up, struct hf_infra *infra);

void hf_guard_file_close(struct hf_guard_file *gf);
