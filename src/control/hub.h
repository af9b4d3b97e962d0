/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hub: what the control plane shows (holdfastctl, /metrics, the web
 * page), fed by the workers and the guard. Safe from any thread; a worker
 * never waits on a reader for long (one short mutex per call).
 *
 * Records are the JSON objects written to events.file (one per line there),
 * without a trailing newline. The hub keeps the last HF_HUB_EVENTS of them
 * in memory with an id counted from 1 since start, the incidents (aggregate
 * detections: fan-in, DNSSEC-failure bursts, unmatched-reply floods) by id
 * with their latest JSON, and a per-minute tally of what clients got for
 * the timeline. See doc/control-api.md for what readers see.
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
