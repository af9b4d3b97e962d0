/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * holdfastctl: asks a running holdfast over its control socket (HTTP over
 * a Unix socket, libcurl) and prints the answer for people, or as the
 * server's JSON with --json. See usage() for the commands and
 * doc/control-api.md for what the server answers.
 *
 * Exit status: 0 done; 1 bad usage, or holdfast refused the request (its
 * error is printed); 2 holdfast could not be reached.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "util/alloc.h"

#define BODY_MAX     (16u << 20) /* the largest answer read */
#define TIMEOUT_S    40L         /* longer than the server's wait for a reload */
#define FOLLOW_EVERY 1           /* seconds between polls of events follow */
#define EXIT_REFUSED 1
#define EXIT_UNREACH 2

struct ctl {
	const char *socket;
	bool json;
};

struct body {
	char *data;
	size_t len;
	bool too_big;
};

static void usage(FILE *out)
{
	fputs(
	    "usage: holdfastctl [-c FILE | -s SOCKET] [--json] COMMAND [ARGS]\n"
	    "\n"
	    "Asks a running holdfast over its control socket (control.socket).\n"
	    "\n"
	    "  -c, --config FILE   read control.socket from holdfast's configuration file\n"
	    "  -s, --socket PATH   the control socket (default: control.socket's default,\n"
	    "                      /run/holdfast/control.sock)\n"
	    "  --json              print holdfast's JSON answer as it is\n"
	    "\n"
	    "commands:\n"
	    "  status                    one line: healthy, serving-stale, upstream-down or\n"
	    "                            network-lying, and why; then the figures\n"
	    "  stats                     every counter /metrics has, one per line\n"
	    "  events                    the suspected hijacks kept in memory, one per line\n"
	    "  events show ID            one event's evidence: the query, each reply, the outcome\n"
	    "  events follow [--count N] print new events as they come (every second), until\n"
	    "                            interrupted or N have been printed\n"
	    "  incidents                 incidents (many names, one address...), newest first\n"
	    "  cache lookup NAME [TYPE]  what the cache holds for NAME (type A by default)\n"
	    "  cache flush NAME [--zone] drop NAME from the caches; --zone: and all below it\n"
	    "  reload [--force]          reload the configuration file, as SIGHUP does; --force:\n"
	    "                            even a policy the blast-radius guard refuses\n"
	    "\n"
	    "exit status: 0 done, 1 bad usage or refused by holdfast, 2 holdfast not reachable\n",
	    out);
}

/* --- talking to holdfast ------------------------------------------------------------- */

static size_t on_data(char *ptr, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t add = size * n;
	if (b->len + add > BODY_MAX) {
		b->too_big = true;
		return 0;
	}
	char *d = hf_realloc(b->data, b->len + add + 1);
	if (d == NULL)
		return 0;
	memcpy(d + b->len, ptr, add);
	b->data = d;
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

/* Why the socket refuses a connection, in the system's words (curl's speak of port 80). */
static const char *why_unreachable(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return "the socket path is too long";
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = fd >= 0 ? connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) : -1;
	int e = errno;
	if (fd >= 0)
		close(fd);
	return rc == 0 ? NULL : strerror(e);
}

/* GET or POST path; the HTTP status, or -1 when holdfast could not be reached (exit 2). */
static long request(const struct ctl *c, const char *method, const char *path, struct body *b)
{
	memset(b, 0, sizeof(*b));
	CURL *h = curl_easy_init();
	if (h == NULL) {
		fprintf(stderr, "holdfastctl: out of memory\n");
		exit(EXIT_REFUSED);
	}
	char url[2048], errbuf[CURL_ERROR_SIZE] = "";
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	}
	CURLcode rc = curl_easy_perform(h);
	long status = -1;
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	else if (b->too_big)
		fprintf(stderr, "holdfastctl: the answer is larger than %u bytes\n", BODY_MAX);
	else if (rc == CURLE_COULDNT_CONNECT && why_unreachable(c->socket) != NULL)
		fprintf(stderr, "holdfastctl: cannot reach holdfast at %s: %s\n", c->socket,
		        why_unreachable(c->socket));
	else
		fprintf(stderr, "holdfastctl: cannot reach holdfast at %s: %s\n", c->socket,
		        errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_cleanup(h);
	return status;
}

/* The answer to method path as JSON, or exits with a clear message. */
static json_t *call(const struct ctl *c, const char *method, const char *path)
{
	struct body b;
	long status = request(c, method, path, &b);
	if (status < 0) {
		hf_free(b.data);
		exit(EXIT_UNREACH);
	}
	json_error_t jerr = {.text = "empty answer"};
	json_t *j = b.data ? json_loadb(b.data, b.len, 0, &jerr) : NULL;
	hf_free(b.data);
	if (status != 200) {
		const char *why = json_string_value(json_object_get(j, "error"));
		fprintf(stderr, "holdfastctl: holdfast says: %s (HTTP %ld)\n",
		        why ? why : "no reason given", status);
		json_decref(j);
		exit(EXIT_REFUSED);
	}
	if (j == NULL) {
		fprintf(stderr, "holdfastctl: holdfast's answer is not JSON: %s\n", jerr.text);
		exit(EXIT_REFUSED);
	}
	return j;
}

/* --json: the server's JSON as it is, one line. */
static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(j);
	return 0;
}

/* --- printing -------------------------------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "-";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_number_value(json_object_get(o, key));
}

static void print_time(json_t *o, const char *key, char *out, size_t cap)
{
	json_t *v = json_object_get(o, key);
	time_t t = (time_t)json_number_value(v);
	struct tm tm;
	if (!json_is_number(v) || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
		snprintf(out, cap, "-");
}

/* A JSON array of strings as "a,b,c". */
static void joined(json_t *a, char *out, size_t cap)
{
	size_t len = 0, i;
	json_t *v;
	out[0] = '\0';
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		int w = snprintf(out + len, cap - len, "%s%s", len ? "," : "", s ? s : "?");
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	if (len == 0)
		snprintf(out, cap, "-");
}

static int cmd_status(const struct ctl *c)
{
	json_t *j = call(c, "GET", "/api/status");
	if (c->json)
		return print_json(j);
	printf("%s: %s\n", str(j, "state"), str(j, "why"));
	printf("  %lld queries since start, %.1f/s over the last minute, cache hit ratio %.0f%%\n",
	       num(j, "queries"), json_number_value(json_object_get(j, "qps_1m")),
	       100 * json_number_value(json_object_get(j, "cache_hit_ratio_1m")));
	printf("  last minute: %lld stale, %lld failed, %lld forged answers caught\n",
	       num(j, "stale_1m"), num(j, "failed_1m"), num(j, "forged_caught_1m"));
	printf("  %lld suspected hijacks recorded, %lld incidents open\n", num(j, "events"),
	       num(j, "incidents_open"));
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(j, "upstreams"), i, u)
	{
		const char *kind = str(u, "kind");
		printf("  %s %s: %s, rtt %.1f ms\n",
		       strcmp(kind, "name server") == 0 ? "name server" : "upstream",
		       str(u, "server"), str(u, "state"),
		       json_number_value(json_object_get(u, "rtt_ms")));
	}
	printf("  holdfast %s, up %llds\n", str(j, "version"), num(j, "uptime_s"));
	json_decref(j);
	return 0;
}

static int cmd_stats(const struct ctl *c)
{
	json_t *j = call(c, "GET", "/api/stats");
	if (c->json)
		return print_json(j);
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		if (json_is_integer(v))
			printf("%s %" JSON_INTEGER_FORMAT "\n", k, json_integer_value(v));
		else
			printf("%s %g\n", k, json_number_value(v));
	}
	json_decref(j);
	return 0;
}

static void event_line(json_t *e)
{
	char when[32], rules[256];
	print_time(e, "time", when, sizeof(when));
	joined(json_object_get(e, "rules"), rules, sizeof(rules));
	printf("%lld  %s  %s %s  %s  rules=%s  %s\n", num(e, "id"), when, str(e, "name"),
	       str(e, "qtype"), str(e, "type"), rules, str(e, "action"));
}

/* A list answer: one line per member of its array key, or the none line. */
static int print_list(const struct ctl *c, const char *path, const char *key, const char *none,
                      void (*line)(json_t *item))
{
	json_t *j = call(c, "GET", path);
	if (c->json)
		return print_json(j);
	size_t i;
	json_t *item;
	json_t *list = json_object_get(j, key);
	if (json_array_size(list) == 0)
		printf("%s\n", none);
	json_array_foreach(list, i, item)
	{
		line(item);
	}
	json_decref(j);
	return 0;
}

static int cmd_events(const struct ctl *c)
{
	return print_list(c, "/api/events?limit=1000", "events", "no suspected hijacks in memory",
	                  event_line);
}

static void print_indented(const char *prefix, const char *text)
{
	while (text != NULL && *text != '\0') {
		size_t n = strcspn(text, "\n");
		printf("%s%.*s\n", prefix, (int)n, text);
		text += n + (text[n] == '\n');
	}
}

static void show_reply(size_t i, json_t *r)
{
	char rules[256];
	joined(json_object_get(r, "rules"), rules, sizeof(rules));
	printf("  reply %zu: after %.1f ms, IP TTL %lld, verdict %s, rules %s\n", i + 1,
	       json_number_value(json_object_get(r, "after_us")) / 1000.0, num(r, "ip_ttl"),
	       str(r, "verdict"), rules);
	print_indented("      ", json_string_value(json_object_get(r, "text")));
}

static int cmd_event_show(const struct ctl *c, const char *id)
{
	char path[64];
	if (strspn(id, "0123456789") != strlen(id) || strlen(id) == 0 || strlen(id) > 19) {
		fprintf(stderr, "holdfastctl: event ids are numbers, not '%s'\n", id);
		return EXIT_REFUSED;
	}
	snprintf(path, sizeof(path), "/api/events/%s", id);
	json_t *e = call(c, "GET", path);
	if (c->json)
		return print_json(e);
	char when[32], rules[256];
	print_time(e, "time", when, sizeof(when));
	joined(json_object_get(e, "rules"), rules, sizeof(rules));
	printf("event %lld: %s at %s\n", num(e, "id"), str(e, "type"), when);
	printf("  question: %s %s, asked %s over %s\n", str(e, "name"), str(e, "qtype"),
	       str(e, "server"), str(e, "transport"));
	printf("  rules: %s\n", rules);
	json_t *q = json_object_get(e, "query");
	printf("  query:\n");
	print_indented("      ", json_string_value(json_object_get(q, "text")));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(e, "replies"), i, r)
	{
		show_reply(i, r);
	}
	if (num(e, "more_replies") > 0)
		printf("  (%lld more replies not kept)\n", num(e, "more_replies"));
	json_t *cl = json_object_get(e, "client");
	printf("  action: %s\n", str(e, "action"));
	printf("  the client got: rcode %lld%s: %s\n", num(cl, "rcode"),
	       json_is_true(json_object_get(cl, "stale")) ? " (stale)" : "", str(cl, "answer"));
	json_decref(e);
	return 0;
}

static int cmd_events_follow(const struct ctl *c, long count)
{
	/* Start after what is there now: follow shows what comes next, as tail -f does. */
	json_t *st = call(c, "GET", "/api/status");
	long long after = num(st, "events");
	json_decref(st);
	long printed = 0;
	for (;;) {
		char path[96];
		snprintf(path, sizeof(path), "/api/events?after=%lld&limit=1000", after);
		json_t *j = call(c, "GET", path);
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(j, "events"), i, e)
		{
			if (count > 0 && printed >= count)
				break;
			if (c->json) {
				char *s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
				if (s != NULL)
					puts(s);
				free(s);
			} else {
				event_line(e);
			}
			printed++;
			after = num(e, "id");
		}
		json_decref(j);
		fflush(stdout);
		if (count > 0 && printed >= count)
			return 0;
		sleep(FOLLOW_EVERY);
	}
}

static void incident_line(json_t *in)
{
	char start[32], last[32];
	print_time(in, "start", start, sizeof(start));
	print_time(in, "last", last, sizeof(last));
	printf("%lld  %s  %s  %s .. %s  %s\n", num(in, "id"), str(in, "rule"), str(in, "state"),
	       start, last, str(in, "why"));
}

static int cmd_incidents(const struct ctl *c)
{
	return print_list(c, "/api/incidents", "incidents", "no incidents", incident_line);
}

/* "/api/...?name=NAME" with NAME escaped for a URL. */
static void name_path(const char *base, const char *name, const char *rest, char *out, size_t cap)
{
	char *esc = curl_easy_escape(NULL, name, 0);
	snprintf(out, cap, "%s?name=%s%s", base, esc ? esc : "", rest);
	curl_free(esc);
}

static int cmd_cache_lookup(const struct ctl *c, const char *name, const char *type)
{
	char path[1600], rest[64] = "";
	if (type != NULL) {
		if (strlen(type) > 20 || strspn(type, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
		                                      "rstuvwxyz0123456789") != strlen(type)) {
			fprintf(stderr, "holdfastctl: '%s' is not a record type\n", type);
			return EXIT_REFUSED;
		}
		snprintf(rest, sizeof(rest), "&type=%s", type);
	}
	name_path("/api/cache", name, rest, path, sizeof(path));
	json_t *j = call(c, "GET", path);
	if (c->json)
		return print_json(j);
	if (!json_is_true(json_object_get(j, "found"))) {
		printf("%s %s: not in the cache\n", str(j, "name"), str(j, "type"));
	} else {
		printf("%s %s: %s, ttl %lld, %s%s\n", str(j, "name"), str(j, "type"),
		       str(j, "rcode"), num(j, "ttl"), str(j, "security"),
		       json_is_true(json_object_get(j, "stale")) ? ", stale" : "");
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(j, "records"), i, r)
		{
			printf("  %s\n", json_string_value(r));
		}
	}
	json_decref(j);
	return 0;
}

static int cmd_cache_flush(const struct ctl *c, const char *name, bool zone)
{
	char path[1600];
	name_path("/api/cache/flush", name, zone ? "&zone=1" : "", path, sizeof(path));
	json_t *j = call(c, "POST", path);
	if (c->json)
		return print_json(j);
	printf("flushed %s%s\n", str(j, "flushed"), zone ? " and everything below it" : "");
	json_decref(j);
	return 0;
}

/* --force: load a policy the blast-radius guard refuses (its message says why it did). */
static int cmd_reload(const struct ctl *c, bool force)
{
	json_t *j = call(c, "POST", force ? "/api/reload?force=1" : "/api/reload");
	if (c->json)
		return print_json(j);
	printf("reloaded\n");
	json_decref(j);
	return 0;
}

/* --- arguments ---------------------------------------------------------------------------- */

static int bad_usage(const char *why)
{
	fprintf(stderr, "holdfastctl: %s\n\n", why);
	usage(stderr);
	return EXIT_REFUSED;
}

/* control.socket from the configuration file (or the built-in default). */
static char *socket_from_config(const char *file)
{
	char err[HF_CONFIG_ERR_MAX];
	struct hf_config *cfg = hf_config_load(file, err);
	if (cfg == NULL) {
		fprintf(stderr, "holdfastctl: %s\n", err);
		exit(EXIT_REFUSED);
	}
	const char *path = cfg->control.socket ? cfg->control.socket : "";
	char *s = hf_malloc(strlen(path) + 1);
	if (s != NULL)
		memcpy(s, path, strlen(path) + 1);
	hf_config_free(cfg);
	if (s == NULL || s[0] == '\0') {
		fprintf(stderr, "holdfastctl: control.socket is off in %s\n",
		        file ? file : "the defaults");
		exit(EXIT_REFUSED);
	}
	return s;
}

static int run_events(const struct ctl *c, int argc, char **argv)
{
	if (argc == 0)
		return cmd_events(c);
	if (strcmp(argv[0], "show") == 0 && argc == 2)
		return cmd_event_show(c, argv[1]);
	if (strcmp(argv[0], "follow") == 0 && argc == 1)
		return cmd_events_follow(c, 0);
	if (strcmp(argv[0], "follow") == 0 && argc == 3 && strcmp(argv[1], "--count") == 0) {
		char *end;
		long n = strtol(argv[2], &end, 10);
		if (*end != '\0' || n <= 0)
			return bad_usage("--count wants a number above 0");
		return cmd_events_follow(c, n);
	}
	return bad_usage("events, events show ID, or events follow [--count N]");
}

static int run_cache(const struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && argc <= 3 && strcmp(argv[0], "lookup") == 0)
		return cmd_cache_lookup(c, argv[1], argc == 3 ? argv[2] : NULL);
	if (argc == 2 && strcmp(argv[0], "flush") == 0)
		return cmd_cache_flush(c, argv[1], false);
	if (argc == 3 && strcmp(argv[0], "flush") == 0 && strcmp(argv[2], "--zone") == 0)
		return cmd_cache_flush(c, argv[1], true);
	return bad_usage("cache lookup NAME [TYPE], or cache flush NAME [--zone]");
}

static int run(const struct ctl *c, int argc, char **argv)
{
	const char *cmd = argv[0];
	if (strcmp(cmd, "status") == 0 && argc == 1)
		return cmd_status(c);
	if (strcmp(cmd, "stats") == 0 && argc == 1)
		return cmd_stats(c);
	if (strcmp(cmd, "events") == 0)
		return run_events(c, argc - 1, argv + 1);
	if (strcmp(cmd, "incidents") == 0 && argc == 1)
		return cmd_incidents(c);
	if (strcmp(cmd, "cache") == 0)
		return run_cache(c, argc - 1, argv + 1);
	if (strcmp(cmd, "reload") == 0 && argc == 1)
		return cmd_reload(c, false);
	if (strcmp(cmd, "reload") == 0 && argc == 2 && strcmp(argv[1], "--force") == 0)
		return cmd_reload(c, true);
	return bad_usage("unknown command or wrong arguments");
}

int main(int argc, char **argv)
{
	struct ctl c = {0};
	const char *config = NULL;
	char *from_config = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && has_value)
			config = argv[++i];
		else if ((strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) && has_value)
			c.socket = argv[++i];
		else if (strcmp(a, "--json") == 0)
			c.json = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else
			return bad_usage("unknown or incomplete option");
	}
	if (i == argc)
		return bad_usage("no command");
	if (config != NULL && c.socket != NULL)
		return bad_usage("-c and -s both say where the socket is: give one");
	if (c.socket == NULL)
		c.socket = from_config = socket_from_config(config);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = run(&c, argc - i, argv + i);
	curl_global_cleanup();
	hf_free(from_config);
	return rc;
}
