/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Incidents (issue #7): what no single reply shows, seen across many.
 *
 *   fan-in          the 2014 rule: within guard.incident-window, many
 *                   unrelated names (guard.fan-in-names, from at least
 *                   guard.fan-in-zones zones and guard.fan-in-servers
 *                   servers) newly resolving to one /24 (IPv6: /64). A name
 *                   counts when a reply for it was shown forged (rejected by
 *                   the guard, or doubted and then contradicted by the answer
 *                   used), or when it had accepted answers before and none
 *                   was in that prefix; at least one reply must have been
 *                   shown forged. A name first seen in an accepted reply does
 *                   not count (hosting and CDNs put many names on one /24
 *                   every day), nor does a doubt the answer used confirmed (a
 *                   new route), nor a CDN moving names between its /24s.
 *   dnssec-burst    DNSSEC failures in guard.dnssec-burst-zones unrelated
 *                   zones within the window.
 *   unmatched-flood guard.unmatched-flood replies that match no question
 *                   (wrong ID or question: off-path spoofing) within 10 s.
 *
 * An outage is none of these: a server that does not answer sends nothing
 * to doubt, so timeouts never feed a rule.
 *
 * While a fan-in incident is open, the breaker: hf_incidents_answer() says
 * that a reply carries its prefix, and the resolver refuses such a reply as
 * forged (it is not cached; the client gets the last known good answer the
 * cache still holds, stale, or SERVFAIL). Names whose answers in the prefix
 * were accepted before the incident opened are handed to the rollback
 * callback once, to be dropped from the caches. An incident closes by
 * itself after guard.incident-quiet without a matching reply, and records
 * its end.
 *
 * Every change reaches the sink (open, update at most once a second,
 * close) as the incident's JSON. Safe from several threads (one mutex; only
 * upstream replies and failures take it, never a cache hit).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/name.h"

#define HF_INCIDENT_JSON_MAX 4096
#define HF_INCIDENT_SAMPLE   8   /* names shown in an incident */
#define HF_INCIDENT_ROLLBACK 256 /* accepted names remembered per fan-in candidate */

struct hf_incident_opts {
	uint32_t window_s;    /* how close in time the observations of one incident are */
	uint32_t quiet_s;     /* an incident closes after this long without a match */
	unsigned fanin_names; /* 0: fan-in off */
	unsigned fanin_zones;
	unsigned fanin_servers;
	unsigned dnssec_zones;    /* 0: off */
	unsigned unmatched_flood; /* 0: off */
};

enum hf_incident_change { HF_INCIDENT_OPEN, HF_INCIDENT_UPDATE, HF_INCIDENT_CLOSE };

/* Called with the incident's JSON (no newline); rule is "fan-in", "dnssec-burst", ... */
typedef void (*hf_incident_sink)(void *arg, uint64_t id, const char *rule,
                                 enum hf_incident_change change, const char *json, size_t len);
/* A name to drop from the caches: its accepted answer was in an incident's prefix. */
typedef void (*hf_incident_rollback)(void *arg, const uint8_t *name);

struct hf_incidents;

struct hf_incidents *hf_incidents_new(const struct hf_incident_opts *o, hf_incident_sink sink,
                                      hf_incident_rollback rollback, void *arg);
void hf_incidents_free(struct hf_incidents *h);

/* New thresholds (a reload); what is open stays open. */
void hf_incidents_set_opts(struct hf_incidents *h, const struct hf_incident_opts *o);

/* What one reply said of a name. */
struct hf_seen {
	const uint8_t *name;     /* the question's name */
	const uint8_t *zone;     /* the zone that answered (forwarding: NULL, the name's parent) */
	const char *server;      /* the server that answered, as text */
	const uint8_t *addr[16]; /* the answer's A and AAAA data (4 or 16 octets each) */
	uint8_t addr_len[16];
	size_t naddr;
	bool suspect; /* the guard doubted or rejected the reply */
};

/*
 * A reply with addresses in it, at wall time now (seconds). Returns the id
 * of the open fan-in incident one of its addresses falls in (0: none): for
 * a reply not yet shown forged, the caller treats it as forged now (the
 * breaker). Accepted replies that match nothing are learned as the name's
 * history.
 */
uint64_t hf_incidents_answer(struct hf_incidents *h, const struct hf_seen *s, int64_t now);

/* A question that failed DNSSEC validation (name, and its zone where known). */
void hf_incidents_dnssec_failure(struct hf_incidents *h, const uint8_t *name, const uint8_t *zone,
                                 int64_t now);

/* n replies that matched no question, from server. */
void hf_incidents_unmatched(struct hf_incidents *h, const char *server, unsigned n, int64_t now);

/* Closes quiet incidents and reports pending updates; call about once a second or more. */
void hf_incidents_tick(struct hf_incidents *h, int64_t now);

/* Incidents open now. */
unsigned hf_incidents_open(struct hf_incidents *h);

/*
 * Incidents other parts raise (a policy rule's breaker, say) go through the
 * same ids, sink and count of open ones: an id for a new incident, then its
 * JSON (which carries that id, "type":"incident" and its rule) at each
 * change. Safe from any thread.
 */
uint64_t hf_incidents_new_id(struct hf_incidents *h);
void hf_incidents_report(struct hf_incidents *h, uint64_t id, const char *rule,
                         enum hf_incident_change change, const char *json, size_t len);
