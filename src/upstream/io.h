/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sending one query to one upstream server and collecting what comes back,
 * on a worker's libuv loop.
 *
 * UDP: a fresh socket per query, bound to a source port drawn from the
 * CSPRNG across 1024-65535 and connected to the server, so the kernel drops
 * datagrams from any other address or port. Every datagram that arrives is
 * handed to the callback (the resolver decides whether it answers the
 * query); the attempt ends when the caller cancels it. TCP (RFC 7766): one
 * connection per query, the message framed by its 2-octet length. TLS (an
 * upstream written tls:// or https://, server->tls set): always, whatever
 * the caller asked for, over the worker's reused, pipelined and
 * authenticated connection to that server (tls.h; HTTP/2 for https://,
 * doh.h); never in clear.
 *
 * The callback gets (wire, len, HF_OK, ip_ttl) for a message, with the IP
 * TTL or hop limit it arrived with (UDP; -1 over TCP, TLS and HTTPS or when the
 * kernel does not say), or (NULL, 0, error, -1) once, for a timeout
 * (-ETIMEDOUT) or a transport failure; after an error nothing more arrives.
 * The caller ends every attempt with hf_upq_cancel(), which may be called
 * from inside the callback.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config/config.h"

struct hf_upq;
struct hf_upstream;

typedef void (*hf_upq_cb)(void *arg, const uint8_t *wire, size_t len, int err, int ip_ttl);

/* One worker loop's upstream I/O: its loop, and its pool of TLS connections. */
struct hf_upio;

struct hf_upio *hf_upio_new(uv_loop_t *loop);

/*
 * Closes the TLS connections once every attempt is cancelled (a worker
 * shutting down); the loop must run on until they are closed. Frees io.
 */
void hf_upio_close(struct hf_upio *io);

/*
 * Starts an attempt to server, over TCP when tcp (and over TLS whenever the
 * server is a TLS upstream); NULL if no socket could be set up (the caller
 * treats it as a failure).
 */
struct hf_upq *hf_upq_start(struct hf_upio *io, struct hf_upstream *server, bool tcp,
                            const uint8_t *wire, size_t len, uint32_t timeout_ms, hf_upq_cb cb,
                            void *arg);

/* Sets the attempt's timer to fire (-ETIMEDOUT) timeout_ms from now instead. */
void hf_upq_rearm(struct hf_upq *q, uint32_t timeout_ms);

/* Ends the attempt: no more callbacks; resources are freed once libuv lets go. */
void hf_upq_cancel(struct hf_upq *q);
