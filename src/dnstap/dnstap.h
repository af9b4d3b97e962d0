/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The query log, in dnstap (https://dnstap.info): each DNS message holdfast
 * receives from or sends to a client, and each it exchanges with an
 * upstream, as one protobuf frame (dnstap.proto) in a Frame Streams (fstrm)
 * stream with content type "protobuf:dnstap.Dnstap", written to a file or a
 * Unix socket. Every DNS tool reads it: dnstap-ldns -r FILE, fstrm_capture.
 *
 * One message, from a worker's point of view:
 *
 *   worker thread                       fstrm I/O thread
 *   hf_dnstap_log(d, w->index, &m)
 *     encode m (hf_dnstap_encode)
 *     submit to the worker's own   -->  writes frames in batches, flushes
 *     queue; full: drop and count       at least every second, reopens a
 *     (never waits)                     socket that went away (5 s)
 *
 * A worker never blocks on the log: each worker has its own lock-free
 * single-producer queue, and when the writer cannot keep up the message is
 * dropped and counted rather than delaying an answer. The worker that does
 * not log pays one branch on a NULL pointer (the server keeps it per
 * worker); encoding happens only when logging is on.
 *
 * Start-up is strict: a file that cannot be created, or a socket nobody
 * listens on, is an error and holdfast does not start (better to know than
 * to run unlogged). Later failures are the writer's to handle: a collector
 * that goes away is reconnected, messages in between are dropped.
 *
 * Settings come from the dnstap section of the config and take effect at
 * start only: a reload keeps the running log (hf_dnstap_same_config tells
 * the server whether to say so).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/config.h"
#include "util/compiler.h"

struct hf_dnstap;
struct hf_upstream;

/* Message types, numbered as dnstap.proto's Message.Type. */
enum hf_dnstap_type {
	HF_DNSTAP_RESOLVER_QUERY = 3,
	HF_DNSTAP_RESOLVER_RESPONSE = 4,
	HF_DNSTAP_CLIENT_QUERY = 5,
	HF_DNSTAP_CLIENT_RESPONSE = 6,
	HF_DNSTAP_FORWARDER_QUERY = 7,
	HF_DNSTAP_FORWARDER_RESPONSE = 8,
};

/* Transports, numbered as dnstap.proto's SocketProtocol. */
enum hf_dnstap_proto {
	HF_DNSTAP_UDP = 1,
	HF_DNSTAP_TCP = 2,
	HF_DNSTAP_DOT = 3,
	HF_DNSTAP_DOH = 4,
};

/* One message and what is known around it; anything NULL or 0 is left out of the frame. */
struct hf_dnstap_msg {
	enum hf_dnstap_type type;
	enum hf_dnstap_proto proto;
	const struct sockaddr *query_addr;    /* the initiator: a client, or holdfast */
	const struct sockaddr *response_addr; /* the responder: holdfast, or an upstream */
	uint64_t query_time_us;               /* wall clock, µs since the epoch */
	uint64_t response_time_us;
	const uint8_t *query; /* wire format */
	size_t query_len;
	const uint8_t *response;
	size_t response_len;
	const uint8_t *zone; /* wire-format name: the zone (forward zone or cut) asked */
};

struct hf_dnstap_stats {
	uint64_t written; /* handed to the writer */
	uint64_t dropped; /* queue full, or out of memory */
};

/*
 * Starts the log the config asks for, with one input queue per worker
 * (nqueues). *out is NULL when dnstap is off (neither file nor socket).
 * On failure returns a negative code and writes a line naming the key and
 * the path into err.
 */
HF_MUSTCHECK int hf_dnstap_open(const struct hf_config *cfg, unsigned nqueues,
                                struct hf_dnstap **out, char err[HF_CONFIG_ERR_MAX]);

/*
 * Flushes what is queued, ends the stream (the STOP frame), closes the file
 * or socket and frees d (NULL is fine). Call after the workers have stopped.
 */
void hf_dnstap_close(struct hf_dnstap *d);

/* Which side d logs (false when d is NULL): the server keeps a pointer per side. */
bool hf_dnstap_logs_client(const struct hf_dnstap *d);
bool hf_dnstap_logs_upstream(const struct hf_dnstap *d);

/* Logs m on the queue of worker `queue` (< nqueues); only that worker may use it. */
void hf_dnstap_log(struct hf_dnstap *d, unsigned queue, const struct hf_dnstap_msg *m);

/* The transport a query to s goes over: DoT or DoH for TLS upstreams, else TCP or UDP. */
enum hf_dnstap_proto hf_dnstap_proto_of(const struct hf_upstream *s, bool tcp);

void hf_dnstap_stats(const struct hf_dnstap *d, struct hf_dnstap_stats *out);

/* True when a reload from a to b leaves the dnstap settings as they are. */
bool hf_dnstap_same_config(const struct hf_config *a, const struct hf_config *b);

/*
 * One Dnstap frame for m, identity and version (NUL-terminated, "" = left
 * out), allocated with hf_malloc (the caller frees it); NULL when out of
 * memory.
 */
HF_TESTABLE uint8_t *hf_dnstap_encode(const struct hf_dnstap_msg *m, const char *identity,
                                      const char *version, size_t *len);
