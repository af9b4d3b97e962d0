/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The listeners (see control.h): sockets bound here and handed to
 * libmicrohttpd, one daemon per listener so each request knows which one it
 * came in on, each polling on its own thread. A request is answered on the
 * first call of the handler, before any body is read: the API takes no
 * bodies, so an upload is never buffered, and libmicrohttpd closes a
 * connection whose body was left unread.
 */
#include "control/control.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/impl.h"
#include "control/webpage.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"

#define CONN_MAX       64    /* connections at once, per listener */
#define CONN_PER_IP    16    /* on control.http, from one address */
#define CONN_TIMEOUT_S 10    /* idle connections are closed after this */
#define CONN_MEMORY    16384 /* request line and headers: a longer URL gets 414 */
#define LISTEN_BACKLOG 64
#define ERR_TEXT_MAX   512

struct listener {
	struct hf_control *c;
	struct MHD_Daemon *d;
	bool privileged;
	bool loopback; /* control.http reachable at 127.0.0.1: Host is checked (rebinding) */
};

struct hf_control {
	struct hf_ctl_view view;
	struct listener unix_l, http_l;
	char *socket_path; /* the file to remove at the end; NULL when none */
	hf_ctl_reload_fn reload;
	void *reload_ctx;
	pthread_t sampler;
	bool sampler_running;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
};

/* --- answering ------------------------------------------------------------------------ */

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type,
                               const char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result respond_json(struct MHD_Connection *conn, unsigned status, json_t *j)
{
	if (j == NULL)
		return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
		               "{\"error\":\"out of memory\"}", 25);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		return MHD_NO;
	enum MHD_Result ok = respond(conn, status, "application/json", text, strlen(text));
	free(text); /* jansson's, from its allocator */
	return ok;
}

static enum MHD_Result respond_error(struct MHD_Connection *conn, unsigned status, const char *why)
{
	return respond_json(conn, status, json_pack("{s:s}", "error", why));
}

static enum MHD_Result page(struct MHD_Connection *conn)
{
	size_t len;
	const char *html = hf_webpage(&len);
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)html, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* The page is self-contained: it may talk to this server and nothing else. */
	MHD_add_response_header(r, "Content-Security-Policy",
	                        "default-src 'none'; script-src 'unsafe-inline'; style-src "
	                        "'unsafe-inline'; img-src 'self' data:; connect-src 'self'");
	enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result metrics(struct hf_control *c, struct MHD_Connection *conn)
{
	size_t len;
	char *text = hf_ctl_metrics(&c->view, &len);
	if (text == NULL)
		return respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	enum MHD_Result ok =
	    respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len);
	hf_free(text);
	return ok;
}

static enum MHD_Result reload(struct hf_control *c, struct MHD_Connection *conn, bool force)
{
	char err[ERR_TEXT_MAX] = "reload is not available";
	if (c->reload == NULL || c->reload(c->reload_ctx, force, err, sizeof(err)) != HF_OK)
		return respond_error(
		    conn, c->reload ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_SERVICE_UNAVAILABLE, err);
	return respond_json(conn, MHD_HTTP_OK, json_pack("{s:b}", "reloaded", 1));
}

static enum MHD_Result event(struct hf_control *c, struct MHD_Connection *conn, uint64_t id)
{
	json_t *e = hf_ctl_event(&c->view, id);
	if (e == NULL)
		return respond_error(conn, MHD_HTTP_NOT_FOUND,
		                     "no such event in memory (events.file keeps them all)");
	return respond_json(conn, MHD_HTTP_OK, e);
}

static enum MHD_Result dispatch(struct hf_control *c, struct MHD_Connection *conn,
                                const struct hf_ctl_req *q)
{
	switch (q->route) {
	case HF_CTL_PAGE:
		return page(conn);
	case HF_CTL_METRICS:
		return metrics(c, conn);
	case HF_CTL_STATUS:
		return respond_json(conn, MHD_HTTP_OK, hf_ctl_status(&c->view));
	case HF_CTL_STATS:
		return respond_json(conn, MHD_HTTP_OK, hf_ctl_stats(&c->view));
	case HF_CTL_TIMELINE:
		return respond_json(conn, MHD_HTTP_OK, hf_ctl_timeline(&c->view, q->limit));
	case HF_CTL_EVENTS:
		return respond_json(conn, MHD_HTTP_OK, hf_ctl_events(&c->view, q->id, q->limit));
	case HF_CTL_EVENT:
		return event(c, conn, q->id);
	case HF_CTL_INCIDENTS:
		return respond_json(conn, MHD_HTTP_OK, hf_ctl_incidents(&c->view));
	case HF_CTL_CACHE:
		return respond_json(conn, MHD_HTTP_OK,
		                    hf_ctl_cache_lookup(&c->view, q->name, q->type));
	case HF_CTL_FLUSH:
		return respond_json(conn, MHD_HTTP_OK,
		                    hf_ctl_cache_flush(&c->view, q->name, q->zone));
	case HF_CTL_RELOAD:
		return reload(c, conn, q->force);
	}
	return respond_error(conn, MHD_HTTP_NOT_FOUND, "no such path");
}

struct args {
	struct hf_ctl_arg a[HF_CTL_ARGS_MAX + 1];
	size_t n;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	(void)kind;
	struct args *a = cls;
	if (a->n == HF_CTL_ARGS_MAX + 1)
		return MHD_NO; /* one too many is enough to refuse */
	a->a[a->n++] = (struct hf_ctl_arg){.key = key, .value = value};
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	struct listener *l = cls;
	if (l->loopback &&
	    !hf_ctl_host_is_local(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host")))
		return respond_error(conn, MHD_HTTP_FORBIDDEN,
		                     "Host must be an address or localhost (DNS rebinding)");
	struct args a = {.n = 0};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	struct hf_ctl_req q;
	char err[128];
	int st = hf_ctl_parse(method, url, a.a, a.n, l->privileged, &q, err, sizeof(err));
	if (st != 200)
		return respond_error(conn, (unsigned)st, err);
	return dispatch(l->c, conn, &q);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[256];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	hf_log_debug("control: %s", line);
}

/* --- listeners ------------------------------------------------------------------------- */

/*
 * Can a browser on this host reach the listener at 127.0.0.1? On a loopback
 * or unspecified address (0.0.0.0, ::, ::ffff:127.x) it can, so requests
 * must name an address in Host (DNS rebinding).
 */
static bool reachable_on_loopback(const struct hf_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		uint32_t v4 = ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr);
		return v4 >> 24 == 127 || v4 == INADDR_ANY;
	}
	const struct in6_addr *v6 = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(v6) || IN6_IS_ADDR_UNSPECIFIED(v6) ||
	       (IN6_IS_ADDR_V4MAPPED(v6) && v6->s6_addr[12] == 127);
}

static int tcp_listener(const struct hf_addr *a, char *err)
{
	char text[64];
	hf_addr_format(a, text, sizeof(text));
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, HF_CONFIG_ERR_MAX, "control.http: cannot listen on %s: %s", text,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Makes the directory that holds path (and its parents), mode 0755, if missing. */
static int make_parent(const char *path, char *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, HF_CONFIG_ERR_MAX, "control.socket: cannot create %s: %s",
			         dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * A socket file left by a holdfast that is gone is removed; one that still
 * answers belongs to a running holdfast, and anything else is not ours.
 */
static int clear_stale(const struct sockaddr_un *sa, char *err)
{
	struct stat st;
	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, HF_CONFIG_ERR_MAX, "control.socket: %s exists and is not a socket",
		         sa->sun_path);
		return -1;
	}
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live = probe >= 0 && connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	if (probe >= 0)
		close(probe);
	if (live) {
		snprintf(err, HF_CONFIG_ERR_MAX,
		         "control.socket: %s is in use (is another holdfast running?)",
		         sa->sun_path);
		return -1;
	}
	unlink(sa->sun_path);
	return 0;
}

static int unix_listener(const char *path, char *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, HF_CONFIG_ERR_MAX, "control.socket: path longer than %zu characters",
		         sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (make_parent(path, err) < 0 || clear_stale(&sa, err) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, HF_CONFIG_ERR_MAX, "control.socket: cannot listen on %s: %s", path,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int serve(struct hf_control *c, struct listener *l, int fd, bool privileged, char *err)
{
	l->c = c;
	l->privileged = privileged;
	unsigned per_ip = privileged ? 0 : CONN_PER_IP; /* 0: no limit (a Unix socket has no IP) */
	l->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, l, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
	    (MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_END);
	if (l->d == NULL) {
		close(fd);
		snprintf(err, HF_CONFIG_ERR_MAX, "%s: cannot start serving",
		         privileged ? "control.socket" : "control.http");
		return -1;
	}
	return 0;
}

/* --- the sampler behind the last-minute rates ------------------------------------------ */

static void *sampler_main(void *arg)
{
	struct hf_control *c = arg;
	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += HF_CTL_SAMPLE_MS / 1000;
		pthread_cond_timedwait(&c->wake, &c->lock, &until);
		if (c->stopping)
			break;
		pthread_mutex_unlock(&c->lock);
		hf_ctl_sample(&c->view);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static int start_sampler(struct hf_control *c)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&c->lock, NULL);
	c->sampler_running = pthread_create(&c->sampler, NULL, sampler_main, c) == 0;
	return c->sampler_running ? 0 : -1;
}

/* --- life ------------------------------------------------------------------------------- */

struct hf_control *hf_control_new(const struct hf_control_opts *o, char err[HF_CONFIG_ERR_MAX])
{
	struct hf_control *c = hf_calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		return NULL;
	}
	hf_ctl_view_init(&c->view, o->server, o->version);
	c->reload = o->reload;
	c->reload_ctx = o->reload_ctx;
	if (start_sampler(c) < 0) {
		snprintf(err, HF_CONFIG_ERR_MAX, "control: cannot start a thread");
		goto fail;
	}
	if (o->socket_path != NULL && o->socket_path[0] != '\0') {
		int fd = unix_listener(o->socket_path, err);
		if (fd < 0)
			goto fail;
		c->socket_path = hf_malloc(strlen(o->socket_path) + 1);
		if (c->socket_path != NULL)
			memcpy(c->socket_path, o->socket_path, strlen(o->socket_path) + 1);
		if (serve(c, &c->unix_l, fd, true, err) < 0)
			goto fail;
	}
	if (o->http != NULL) {
		c->http_l.loopback = reachable_on_loopback(o->http);
		int fd = tcp_listener(o->http, err);
		if (fd < 0 || serve(c, &c->http_l, fd, false, err) < 0)
			goto fail;
	}
	return c;
fail:
	hf_control_free(c);
	return NULL;
}

void hf_control_free(struct hf_control *c)
{
	if (c == NULL)
		return;
	if (c->unix_l.d != NULL)
		MHD_stop_daemon(c->unix_l.d);
	if (c->http_l.d != NULL)
		MHD_stop_daemon(c->http_l.d);
	if (c->sampler_running) {
		pthread_mutex_lock(&c->lock);
		c->stopping = true;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->sampler, NULL);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
	}
	if (c->socket_path != NULL) {
		unlink(c->socket_path);
		hf_free(c->socket_path);
	}
	hf_ctl_view_clear(&c->view);
	hf_free(c);
}
