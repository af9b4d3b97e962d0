/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The evidence file (events.file): one JSON object per line, appended, each
 * carrying in "prev" the hex SHA-256 of the line before it, so that deleting
 * or editing a line breaks the chain where it happened (the first line of a
 * file chains to the last line of the file before it, or to 64 zeros). At
 * HF_EVENTS_ROTATE_BYTES the file is renamed FILE.1 (the older FILE.1 goes)
 * and a new one starts, the chain going on. Safe from several threads.
 */
#pragma once

#include <stdint.h>

#include "guard/evidence.h"
#include "guard/incidents.h"

#define HF_EVENTS_ROTATE_BYTES (16u << 20)

struct hf_events;

struct hf_hub;

/*
 * Opens (creates) the file and finds where its chain ends. path NULL or ""
 * keeps no file; events still reach hub (which may be NULL). A file that
 * cannot be opened is logged, and events go to the hub alone. NULL only when
 * out of memory.
 */
struct hf_events *hf_events_open(const char *path, struct hf_hub *hub);
void hf_events_close(struct hf_events *e);

/* Appends the event; failures are logged and counted, never fatal. */
void hf_events_write(struct hf_events *e, const struct hf_evidence *ev);

/*
 * An incident opened, changed or closed (incidents.h): the hub gets every
 * change; the file a line when it opens and when it closes (json with
 * "prev" put first, chained like every line).
 */
void hf_events_incident(struct hf_events *e, uint64_t id, const char *rule,
                        enum hf_incident_change change, const char *json, size_t len);

