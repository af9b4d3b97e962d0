/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control plane: the HTTP API of doc/control-api.md on two listeners.
 *
 *   control.http    TCP, GET only: the web page, /metrics, read-only API
 *   control.socket  Unix stream socket (mode 0660): everything, including
 *                   the endpoints that change things (cache flush, reload)
 *
 * libmicrohttpd runs each listener on its own thread, so a slow or hostile
 * client never touches a worker; everything it shows it reads from the
 * server's atomic counters and the hub (hub.h). Requests are bounded:
 * connections in total and per address, an idle timeout, the memory a
 * request may take (its URL and headers), the number of query arguments.
 *
 * A request is first turned into a struct hf_ctl_req by hf_ctl_parse(), a
 * pure function (fuzzed: fuzz/fuzz_ctlreq.c); only a request that parsed
 * reaches the code that reads the server.
 *
 * Reload is not done on the HTTP thread: the daemon passes a function that
 * hands the work to its main loop (as SIGHUP does) and waits for the result.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "wire/name.h"

/* --- requests (ctlreq.c, pure) --- */

enum hf_ctl_route {
	HF_CTL_PAGE,      /* GET /            the web page */
	HF_CTL_METRICS,   /* GET /metrics     Prometheus text */
	HF_CTL_STATUS,    /* GET /api/status */
	HF_CTL_STATS,     /* GET /api/stats */
	HF_CTL_TIMELINE,  /* GET /api/timeline?minutes=N */
	HF_CTL_EVENTS,    /* GET /api/events?after=ID&limit=N */
	HF_CTL_EVENT,     /* GET /api/events/ID */
	HF_CTL_INCIDENTS, /* GET /api/incidents */
	HF_CTL_CACHE,     /* GET /api/cache?name=N&type=T         (control.socket only) */
	HF_CTL_FLUSH,     /* POST /api/cache/flush?name=N&zone=1 (control.socket only) */
	HF_CTL_RELOAD,    /* POST /api/reload?force=1             (control.socket only) */
};

#define HF_CTL_ARGS_MAX     16 /* query arguments in one request */
#define HF_CTL_TIMELINE_DEF 60
#define HF_CTL_EVENTS_DEF   100
#define HF_CTL_EVENTS_MAX   1000

struct hf_ctl_arg {
	const char *key;
	const char *value; /* NULL for "?key" without "=" */
};

struct hf_ctl_req {
	enum hf_ctl_route route;
	uint64_t id;  /* EVENT: the event; EVENTS: after */
	size_t limit; /* EVENTS: most events; TIMELINE: minutes */
	uint8_t name[HF_NAME_MAX];
	uint16_t type; /* CACHE: the type (A when not given) */
	bool zone;     /* FLUSH: the name and everything below it */
	bool force;    /* RELOAD: load a policy the blast-radius guard refuses */
};

/*
 * Turns method, path (without the query) and the query arguments into req.
 * privileged says the request came over control.socket. Returns the HTTP
 * status: 200 when req is filled, else 400 (bad argument), 403 (only on
 * control.socket), 404 (no such path) or 405 (method not allowed there),
 * with one line for the client in err.
 */
int hf_ctl_parse(const char *method, const char *path, const struct hf_ctl_arg *args, size_t nargs,
                 bool privileged, struct hf_ctl_req *req, char *err, size_t errcap);

/*
 * DNS rebinding: a web page the operator opens elsewhere can point a name of
 * its own at 127.0.0.1 and read a loopback control.http through the
 * browser. Such a request carries that name in Host; one meant for holdfast
 * names an address or localhost. True if host (the Host header, NULL when
 * absent) is an IPv4 address, a bracketed IPv6 address or "localhost", each
 * with an optional port.
 */
bool hf_ctl_host_is_local(const char *host);

/* --- the listeners (http.c) --- */

struct hf_server;
struct hf_control;

/*
 * Reloads the configuration as SIGHUP does: HF_OK, or an error with err set.
 * force loads a policy the blast-radius guard refuses.
 */
typedef int (*hf_ctl_reload_fn)(void *ctx, bool force, char *err, size_t errcap);

struct hf_control_opts {
	struct hf_server *server;
	const char *socket_path;    /* "" or NULL: none */
	const struct hf_addr *http; /* NULL: none */
	hf_ctl_reload_fn reload;
	void *reload_ctx;
	const char *version;
};

/*
 * Binds the listeners and starts serving. NULL with err set when a listener
 * cannot be set up (startup errors are fatal). With neither listener, returns
 * an object that serves nothing.
 */
struct hf_control *hf_control_new(const struct hf_control_opts *o, char err[HF_CONFIG_ERR_MAX]);

/* Stops serving (requests in flight finish), removes the socket file. NULL is fine. */
void hf_control_free(struct hf_control *c);
