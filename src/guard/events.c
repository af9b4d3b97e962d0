/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The evidence file. See events.h for the chain and the rotation. */
#include "guard/events.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/hub.h"
#include "guard/guard.h"
#include "util/alloc.h"
#include "util/file.h"
#include "util/log.h"

#define LINE_MAX_BYTES (256u << 10) /* an event of 8 full replies fits */
#define HASH_HEX       65
/* A cut line and the whole one before it, with the newline before that. */
#define TAIL_BYTES (2 * LINE_MAX_BYTES + 2)

struct hf_events {
	pthread_mutex_t lock;
	char path[4096];
	FILE *f;
	uint64_t size;
	char prev[HASH_HEX]; /* hex SHA-256 of the last line written */
	char *line;
	struct hf_hub *hub;
};

static void hash_hex(const char *data, size_t len, char out[HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1)
		n = 0;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", i < n ? md[i] : 0);
}

/*
 * The chain goes on from the last complete line of an existing file. A line
 * cut short (a crash or a full disk while writing) is cut off, so the next
 * line starts on a line of its own and chains to the last whole one. Only
 * the file's tail is read: a line is at most LINE_MAX_BYTES.
 */
static void chain_from_file(struct hf_events *e)
{
	memset(e->prev, '0', HASH_HEX - 1);
	e->prev[HASH_HEX - 1] = '\0';
	FILE *f = fopen(e->path, "r+");
	if (f == NULL)
		return;
	struct stat st;
	char *tail = hf_malloc(TAIL_BYTES);
	if (tail == NULL || fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		hf_free(tail);
		fclose(f);
		return;
	}
	size_t size = (size_t)st.st_size, want = size < TAIL_BYTES ? size : TAIL_BYTES;
	size_t got = fseek(f, (long)(size - want), SEEK_SET) == 0 ? fread(tail, 1, want, f) : 0;
	size_t end = got; /* just past the last '\n' */
	while (end > 0 && tail[end - 1] != '\n')
		end--;
	if (end != got && (end != 0 || got == size)) {
		hf_log_warn("%s: its last line is cut short (%zu octets); cut off", e->path,
		            got - end);
		if (ftruncate(fileno(f), (off_t)(size - (got - end))) != 0)
			hf_log_warn("%s: cannot cut it (%s)", e->path, strerror(errno));
		size -= got - end;
	}
	e->size = size;
	size_t start = end > 0 ? end - 1 : 0; /* the last whole line is [start, end - 1) */
	while (start > 0 && tail[start - 1] != '\n')
		start--;
	if (end > start + 1)
		hash_hex(tail + start, end - 1 - start, e->prev);
	hf_free(tail);
	fclose(f);
}

/* The directory the file goes in (e.g. /var/log/holdfast) is made if missing. */
static void make_parent(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		hf_log_debug("%s: cannot create (%s)", dir, strerror(errno));
}

struct hf_events *hf_events_open(const char *path, struct hf_hub *hub)
{
	struct hf_events *e = hf_calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->hub = hub;
	e->line = hf_malloc(LINE_MAX_BYTES);
	if (e->line == NULL) {
		hf_free(e);
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	memset(e->prev, '0', HASH_HEX - 1);
	if (path == NULL || path[0] == '\0')
		return e; /* events reach the hub (holdfastctl, the web page) only */
	snprintf(e->path, sizeof(e->path), "%s", path);
	make_parent(e->path);
	chain_from_file(e);
	e->f = fopen(path, "a");
	if (e->f == NULL)
		hf_log_warn("%s: cannot open for events (%s); evidence is not kept on disk", path,
		            strerror(errno));
	return e;
}

void hf_events_close(struct hf_events *e)
{
	if (e == NULL)
		return;
	if (e->f != NULL)
		fclose(e->f);
	pthread_mutex_destroy(&e->lock);
	hf_free(e->line);
	hf_free(e);
}

static void rotate(struct hf_events *e)
{
	char old[4200];
	snprintf(old, sizeof(old), "%s.1", e->path);
	fclose(e->f);
	if (rename(e->path, old) != 0)
		hf_log_warn("%s: cannot rotate (%s)", e->path, strerror(errno));
	e->f = fopen(e->path, "a");
	e->size = 0;
}

/* Appends e->line (n octets) to the file and moves the chain on; under the lock. */
static void append_line(struct hf_events *e, size_t n)
{
	if (e->f != NULL) {
		if (e->size + n + 1 > HF_EVENTS_ROTATE_BYTES)
			rotate(e);
		if (e->f != NULL && fwrite(e->line, 1, n, e->f) == n && fputc('\n', e->f) != EOF &&
		    fflush(e->f) == 0) {
			e->size += n + 1;
		} else if (e->f != NULL) {
			/* Half a line would break the chain for whoever checks it: the file goes
			 * back to where it was, and the chain goes on from its last line. */
			hf_log_warn("%s: cannot write an event (%s); dropped", e->path,
			            strerror(errno));
			clearerr(e->f);
			if (ftruncate(fileno(e->f), (off_t)e->size) != 0)
				hf_log_warn("%s: cannot cut a part-written line (%s)", e->path,
				            strerror(errno));
			return;
		}
	}
	hash_hex(e->line, n, e->prev);
}

/* The names of the rules in bits, for the hub's counts. */
static size_t rule_names(unsigned bits, const char *names[HF_GUARD_REASONS])
{
	size_t n = 0;
	for (unsigned i = 0; i < HF_GUARD_REASONS; i++)
		if ((bits & (1u << i)) && hf_guard_rule(1u << i) != NULL)
			names[n++] = hf_guard_rule(1u << i);
	return n;
}

void hf_events_write(struct hf_events *e, const struct hf_evidence *ev)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	int n = hf_evidence_json(ev, e->prev, e->line, LINE_MAX_BYTES);
	if (n < 0) {
		hf_log_warn("%s: an event did not fit in %u octets; dropped", e->path,
		            LINE_MAX_BYTES);
	} else {
		append_line(e, (size_t)n);
		const char *names[HF_GUARD_REASONS];
		hf_hub_event(e->hub, e->line, (size_t)n, names, rule_names(ev->rules, names));
	}
	pthread_mutex_unlock(&e->lock);
}

void hf_events_incident(struct hf_events *e, uint64_t id, const char *rule,
                        enum hf_incident_change change, const char *json, size_t len)
{
	if (e == NULL || len < 2 || json[0] != '{')
		return;
	pthread_mutex_lock(&e->lock);
	hf_hub_incident(e->hub, id, rule, change != HF_INCIDENT_CLOSE, json, len);
	/* The file keeps where an incident began and how it ended; the hub every change. */
	if (change != HF_INCIDENT_UPDATE) {
		int n = snprintf(e->line, LINE_MAX_BYTES, "{\"prev\":\"%s\",%.*s", e->prev,
		                 (int)(len - 1), json + 1);
		if (n > 0 && (size_t)n < LINE_MAX_BYTES)
			append_line(e, (size_t)n);
	}
	pthread_mutex_unlock(&e->lock);
}
