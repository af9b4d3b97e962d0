/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hub: what the control plane shows (holdfastctl, /metrics, the web
 * page), fed by the workers and the guard. Safe from any thread; a worker
 * never waits on a reader for long.
 *
 * Records are the JSON objects written to events.file (one per line there),
 * without a trailing newline. The hub keeps the last HF_HUB_EVENTS of them
 * in memory with an id counted from 1 since start, the incidents (aggregate
 * detections: fan-in, DNSSEC-failure bursts, unmatched-reply floods) by id
 * with their latest JSON, and a per-minute tally of what clients got for
 * the timeline. See doc/control-api.md for what readers see.
 *
 * hf_hub_outcome() runs for every client answer, cache hits included, on
 * every worker thread: it takes no lock (relaxed atomic counters in a ring
 * of per-minute buckets). Events and incidents are rare and take one short
 * mutex. The readers below copy out under that mutex: their callbacks must
 * only copy.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HF_HUB_EVENTS  1024 /* per-query events kept in memory */
#define HF_HUB_MINUTES 1440 /* timeline minutes kept */

/* What one client answer was, for the timeline. */
enum hf_outcome {
	HF_OUTCOME_HONEST,        /* an answer (NOERROR/NXDOMAIN) nothing doubted */
	HF_OUTCOME_FORGED_CAUGHT, /* an answer to a question whose replies held a forgery */
	HF_OUTCOME_STALE,         /* a stale answer (RFC 8767) */
	HF_OUTCOME_FAILED,        /* SERVFAIL, or no answer at all */
	HF_OUTCOME_COUNT
};

struct hf_hub;

struct hf_hub *hf_hub_new(void);
void hf_hub_free(struct hf_hub *h);

/* One client answer at wall time now_s. */
void hf_hub_outcome(struct hf_hub *h, enum hf_outcome o, int64_t now_s);

/*
 * A per-query event (JSON object, no newline), and the names of the rules
 * that fired in it (counted for /metrics). Returns its id (1, 2, ...).
 */
uint64_t hf_hub_event(struct hf_hub *h, const char *json, size_t len, const char *const *rules,
                      size_t nrules);

/*
 * An incident opened, changed or closed: its latest JSON replaces the one
 * kept under id. rule names it for /metrics (counted once per id, when first
 * seen); open says whether it still runs (for the status).
 */
void hf_hub_incident(struct hf_hub *h, uint64_t id, const char *rule, bool open, const char *json,
                     size_t len);

/* --- readers (the control plane) --- */

/* One minute of the timeline. */
struct hf_hub_point {
	int64_t t; /* start of the minute, Unix seconds */
	uint64_t n[HF_OUTCOME_COUNT];
};

/*
 * The n minutes (at most HF_HUB_MINUTES) up to and including now_s's, oldest
 * first, into out; minutes with nothing are zeros. Returns n.
 */
size_t hf_hub_timeline(struct hf_hub *h, int64_t now_s, size_t n, struct hf_hub_point *out);

/*
 * Outcomes of the last 60 seconds: the current minute plus the part of the
 * previous one still inside the window.
 */
void hf_hub_last_minute(struct hf_hub *h, int64_t now_s, uint64_t out[HF_OUTCOME_COUNT]);

typedef void (*hf_hub_json_fn)(void *ctx, uint64_t id, const char *json, size_t len);

/*
 * Calls fn for the events kept with id > after, oldest first, at most limit
 * of them. Returns the id of the last one passed (after when none).
 */
uint64_t hf_hub_events_after(struct hf_hub *h, uint64_t after, size_t limit, hf_hub_json_fn fn,
                             void *ctx);

/* Calls fn for event id if it is still kept; false if not. */
bool hf_hub_event_get(struct hf_hub *h, uint64_t id, hf_hub_json_fn fn, void *ctx);

/* Calls fn for each incident, newest (highest id) first. */
void hf_hub_incidents(struct hf_hub *h, hf_hub_json_fn fn, void *ctx);

/* Calls fn for each rule name seen, with its event and incident counts. */
void hf_hub_rules(struct hf_hub *h,
                  void (*fn)(void *ctx, const char *rule, uint64_t events, uint64_t incidents),
                  void *ctx);

struct hf_hub_summary {
	uint64_t events;         /* recorded since start (the last id) */
	uint64_t incidents;      /* distinct ids seen */
	uint64_t incidents_open; /* of those, still open */
	int64_t last_event_s;    /* wall time the last event came in; 0: none yet */
};

void hf_hub_summary(struct hf_hub *h, struct hf_hub_summary *out);
