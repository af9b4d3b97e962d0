/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The guard's state file for the running server. See guardfile.h. */
#include "server/guardfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard/state.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"

#define STATE_FILE    "guard.state"
#define STATE_MAX     (1 << 20)
#define STATE_ENTRIES 4096 /* servers written at most */

struct apply_ctx {
	struct hf_upstreams *up;
	struct hf_infra *infra;
	int64_t now_wall;
	uint64_t now_ms;
	unsigned applied;
};

static void apply_to(struct apply_ctx *c, struct hf_upstream *u, int64_t until)
{
	uint64_t ms = c->now_ms + (uint64_t)(until - c->now_wall) * 1000;
	if (atomic_load(&u->tcp_until_ms) < ms)
		atomic_store(&u->tcp_until_ms, ms);
	c->applied++;
}

static void apply(void *ctx, const struct hf_addr *a, int64_t until)
{
	struct apply_ctx *c = ctx;
	bool forward = false;
	for (size_t z = 0; c->up != NULL && z < c->up->nzones; z++) {
		for (size_t i = 0; i < c->up->zones[z].n; i++) {
			struct hf_upstream *u = &c->up->zones[z].servers[i];
			if (u->addr.len == a->len && memcmp(&u->addr.ss, &a->ss, a->len) == 0) {
				apply_to(c, u, until);
				forward = true;
			}
		}
	}
	if (!forward && c->infra != NULL)
		apply_to(c, hf_infra_get(c->infra, a), until);
}

static int state_path(const char *cache_path, char *out, size_t cap, const char *suffix)
{
	if (cache_path == NULL || cache_path[0] == '\0')
		return -1;
	int n = snprintf(out, cap, "%s/%s%s", cache_path, STATE_FILE, suffix);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

struct hf_guard_file {
	char path[4096];
	char tmp[4096];
	char *last; /* what the file holds now */
	size_t last_len;
};

static void load(const char *path, struct hf_upstreams *up, struct hf_infra *infra)
{
	size_t len;
	int err;
	char *text = hf_read_file(path, STATE_MAX, &len, &err);
	if (text == NULL) {
		if (err != -ENOENT)
			hf_log_warn("%s: cannot read (%s); servers start on UDP", path,
			            strerror(-err));
		return;
	}
	struct apply_ctx c = {
	    .up = up, .infra = infra, .now_wall = hf_clock_wall(), .now_ms = hf_clock_mono_ms()};
	unsigned skipped = hf_guard_state_parse(text, len, c.now_wall, apply, &c);
	hf_free(text);
	if (skipped != 0)
		hf_log_warn("%s: %u line%s skipped (not ADDR@PORT UNTIL, or out of date)", path,
		            skipped, skipped == 1 ? "" : "s");
	if (c.applied != 0)
		hf_log_info("%s: %u server%s asked over TCP only, as before the restart", path,
		            c.applied, c.applied == 1 ? "" : "s");
}

struct save_ctx {
	char *buf;
	size_t len, cap;
	unsigned n;
	int64_t now_wall;
	uint64_t now_ms;
};

static void collect(void *ctx, struct hf_upstream *u)
{
	struct save_ctx *c = ctx;
	uint64_t until_ms = atomic_load(&u->tcp_until_ms);
	if (until_ms <= c->now_ms || c->n >= STATE_ENTRIES)
		return;
	int64_t until = c->now_wall + (int64_t)((until_ms - c->now_ms + 999) / 1000);
	if (hf_guard_state_line(&u->addr, until, c->buf, &c->len, c->cap))
		c->n++;
}

struct hf_guard_file *hf_guard_file_open(const char *cache_path, struct hf_upstreams *up,
                                         struct hf_infra *infra)
{
	struct hf_guard_file *gf = hf_calloc(1, sizeof(*gf));
	if (gf == NULL || state_path(cache_path, gf->path, sizeof(gf->path), "") < 0 ||
	    state_path(cache_path, gf->tmp, sizeof(gf->tmp), ".tmp") < 0) {
		hf_free(gf);
		return NULL;
	}
	/* The directory is cache.path: made here if the cache has not made it yet. */
	if (mkdir(cache_path, 0700) != 0 && errno != EEXIST) {
		hf_log_warn(
		    "%s: cannot create (%s); the guard's memory is not kept across restarts",
		    cache_path, strerror(errno));
		hf_free(gf);
		return NULL;
	}
	load(gf->path, up, infra);
	return gf;
}

void hf_guard_file_close(struct hf_guard_file *gf)
{
	if (gf == NULL)
		return;
	hf_free(gf->last);
	hf_free(gf);
}

static void write_file(struct hf_guard_file *gf, const char *text, size_t len)
{
	FILE *f = fopen(gf->tmp, "w");
	bool ok = f != NULL && fwrite(text, 1, len, f) == len;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (ok && rename(gf->tmp, gf->path) != 0)
		ok = false;
	if (!ok) {
		hf_log_warn("%s: cannot write (%s)", gf->path, strerror(errno));
		(void)unlink(gf->tmp);
	}
}

void hf_guard_file_sync(struct hf_guard_file *gf, struct hf_upstreams *up, struct hf_infra *infra)
{
	if (gf == NULL)
		return;
	struct save_ctx c = {
	    .cap = STATE_ENTRIES * 80, .now_wall = hf_clock_wall(), .now_ms = hf_clock_mono_ms()};
	c.buf = hf_malloc(c.cap);
	if (c.buf == NULL)
		return;
	for (size_t z = 0; up != NULL && z < up->nzones; z++) {
		for (size_t i = 0; i < up->zones[z].n; i++)
			collect(&c, &up->zones[z].servers[i]);
	}
	if (infra != NULL)
		hf_infra_each(infra, collect, &c);
	/* Unchanged text (the usual case: nothing escalated) is not written again. */
	if (gf->last != NULL && gf->last_len == c.len && memcmp(gf->last, c.buf, c.len) == 0) {
		hf_free(c.buf);
		return;
	}
	if (gf->last == NULL && c.len == 0) {
		gf->last = c.buf; /* nothing escalated, nothing to write yet */
		return;
	}
	write_file(gf, c.buf, c.len);
	hf_free(gf->last);
	gf->last = c.buf;
	gf->last_len = c.len;
}
