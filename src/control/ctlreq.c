/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * From an HTTP request line to a struct hf_ctl_req (see control.h). Pure:
 * no I/O, no globals, so it can be fuzzed on its own. Arguments the route
 * does not use are ignored (a page may add a cache-buster); arguments it
 * uses must be well-formed, or the answer is 400 saying which.
 */
#include "control/control.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "wire/rrtype.h"

#define NUM_DIGITS_MAX 19 /* fits in int64 without overflow checks beyond this */

static int fail(int status, char *err, size_t cap, const char *what)
{
	snprintf(err, cap, "%s", what);
	return status;
}

/* A decimal number, digits only, no sign, at most NUM_DIGITS_MAX digits. */
static bool parse_num(const char *s, uint64_t *out)
{
	size_t n = s != NULL ? strlen(s) : 0;
	if (n == 0 || n > NUM_DIGITS_MAX)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static const char *arg(const struct hf_ctl_arg *args, size_t nargs, const char *key, bool *present)
{
	*present = false;
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].key != NULL && strcmp(args[i].key, key) == 0) {
			*present = true;
			return args[i].value;
		}
	}
	return NULL;
}

/* A number argument in [min, max], def when absent. HTTP status 200 or 400. */
static int num_arg(const struct hf_ctl_arg *args, size_t nargs, const char *key, uint64_t min,
                   uint64_t max, uint64_t def, uint64_t *out, char *err, size_t cap)
{
	bool present;
	const char *v = arg(args, nargs, key, &present);
	if (!present) {
		*out = def;
		return 200;
	}
	if (!parse_num(v, out) || *out < min || *out > max) {
		snprintf(err, cap, "%s must be a number from %llu to %llu", key,
		         (unsigned long long)min, (unsigned long long)max);
		return 400;
	}
	return 200;
}

/* name= (required), and for the cache lookup type= (A when absent). */
static int name_args(const struct hf_ctl_arg *args, size_t nargs, bool want_type,
                     struct hf_ctl_req *req, char *err, size_t cap)
{
	bool present;
	const char *name = arg(args, nargs, "name", &present);
	if (name == NULL || name[0] == '\0')
		return fail(400, err, cap, "name is missing");
	size_t len = strlen(name);
	/* "example.com" means the absolute name: add the final dot people leave out. */
	if (hf_name_from_text(name, len, NULL, req->name) < 0)
		return fail(400, err, cap, "name is not a domain name");
	req->type = HF_TYPE_A;
	if (!want_type)
		return 200;
	const char *type = arg(args, nargs, "type", &present);
	if (!present)
		return 200;
	if (type == NULL || hf_rrtype_from_text(type, strlen(type), &req->type) < 0 ||
	    hf_rrtype_is_meta(req->type))
		return fail(400, err, cap, "type is not a record type (like A, AAAA, MX)");
	return 200;
}

/* The routes, which method each wants and whether only control.socket serves it. */
static const struct route {
	const char *path;
	enum hf_ctl_route route;
	bool post;
	bool privileged;
} routes[] = {
    {"/", HF_CTL_PAGE, false, false},
    {"/metrics", HF_CTL_METRICS, false, false},
    {"/api/status", HF_CTL_STATUS, false, false},
    {"/api/stats", HF_CTL_STATS, false, false},
    {"/api/timeline", HF_CTL_TIMELINE, false, false},
    {"/api/events", HF_CTL_EVENTS, false, false},
    {"/api/incidents", HF_CTL_INCIDENTS, false, false},
    {"/api/cache", HF_CTL_CACHE, false, true},
    {"/api/cache/flush", HF_CTL_FLUSH, true, true},
    {"/api/reload", HF_CTL_RELOAD, true, true},
};

#define EVENT_PREFIX "/api/events/"

static const struct route *find_route(const char *path, uint64_t *event_id, bool *bad_id)
{
	static const struct route event = {EVENT_PREFIX, HF_CTL_EVENT, false, false};
	*bad_id = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(path, routes[i].path) == 0)
			return &routes[i];
	}
	if (strncmp(path, EVENT_PREFIX, strlen(EVENT_PREFIX)) == 0) {
		*bad_id = !parse_num(path + strlen(EVENT_PREFIX), event_id) || *event_id == 0;
		return &event;
	}
	return NULL;
}

static int route_args(const struct hf_ctl_arg *args, size_t nargs, struct hf_ctl_req *req,
                      char *err, size_t cap)
{
	uint64_t v = 0;
	int st = 200;
	switch (req->route) {
	case HF_CTL_TIMELINE:
		st = num_arg(args, nargs, "minutes", 1, 1440, HF_CTL_TIMELINE_DEF, &v, err, cap);
		req->limit = (size_t)v;
		return st;
	case HF_CTL_EVENTS:
		st = num_arg(args, nargs, "after", 0, INT64_MAX, 0, &req->id, err, cap);
		if (st == 200)
			st = num_arg(args, nargs, "limit", 1, HF_CTL_EVENTS_MAX, HF_CTL_EVENTS_DEF,
			             &v, err, cap);
		req->limit = (size_t)v;
		return st;
	case HF_CTL_CACHE:
		return name_args(args, nargs, true, req, err, cap);
	case HF_CTL_FLUSH:
		st = name_args(args, nargs, false, req, err, cap);
		if (st == 200)
			st = num_arg(args, nargs, "zone", 0, 1, 0, &v, err, cap);
		req->zone = v == 1;
		return st;
	case HF_CTL_RELOAD:
		st = num_arg(args, nargs, "force", 0, 1, 0, &v, err, cap);
		req->force = v == 1;
		return st;
	default:
		return 200;
	}
}

int hf_ctl_parse(const char *method, const char *path, const struct hf_ctl_arg *args, size_t nargs,
                 bool privileged, struct hf_ctl_req *req, char *err, size_t errcap)
{
	memset(req, 0, sizeof(*req));
	if (errcap > 0)
		err[0] = '\0';
	if (method == NULL || path == NULL)
		return fail(400, err, errcap, "no request");
	if (nargs > HF_CTL_ARGS_MAX)
		return fail(400, err, errcap, "too many query arguments");
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;
	if (!privileged && !get)
		return fail(405, err, errcap, "only GET here; changes go through control.socket");
	uint64_t id = 0;
	bool bad_id;
	const struct route *r = find_route(path, &id, &bad_id);
	if (r == NULL)
		return fail(404, err, errcap, "no such path");
	if (bad_id)
		return fail(404, err, errcap, "events are numbered from 1");
	if (r->post ? !post : !get)
		return fail(405, err, errcap, r->post ? "use POST" : "use GET");
	if (r->privileged && !privileged)
		return fail(403, err, errcap, "only on control.socket (holdfastctl)");
	req->route = r->route;
	req->id = id;
	return route_args(args, nargs, req, err, errcap);
}

/* An optional ":PORT" (1-5 digits) at s; true if that is all there is. */
static bool port_only(const char *s)
{
	if (*s == '\0')
		return true;
	size_t n = strspn(s + 1, "0123456789");
	return s[0] == ':' && n >= 1 && n <= 5 && s[1 + n] == '\0';
}

bool hf_ctl_host_is_local(const char *host)
{
	char addr[INET6_ADDRSTRLEN];
	uint8_t bin[16];
	if (host == NULL)
		return false;
	if (host[0] == '[') {
		const char *end = strchr(host, ']');
		size_t n = end != NULL ? (size_t)(end - host - 1) : 0;
		if (n == 0 || n >= sizeof(addr))
			return false;
		memcpy(addr, host + 1, n);
		addr[n] = '\0';
		return inet_pton(AF_INET6, addr, bin) == 1 && port_only(end + 1);
	}
	size_t n = strcspn(host, ":");
	if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
		return port_only(host + n);
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, host, n);
	addr[n] = '\0';
	return inet_pton(AF_INET, addr, bin) == 1 && port_only(host + n);
}
