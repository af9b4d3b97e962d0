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

#define HF_EVENTS_ROTATE_BYTES (16u << 20)

struct hf_events;

/* Opens (creates) the file and finds where its chain ends; NULL (and a log line) on error. */
struct hf_events *hf_events_open(const char *path);
void hf_events_close(struct hf_events *e);

/* Appends the event; failures are logged and counted, never fatal. */
void hf_events_write(struct hf_events *e, const struct hf_evidence *ev);

/* Events written so far. */
uint64_t hf_events_count(const struct hf_events *e);
