/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * holdfast: arguments, configuration, signals, and the server's life.
 *
 *   holdfast [-c FILE] [--listen ADDR]... [--forward ADDR]... [--foreground] [-v]
 *   holdfast --check-config [-c FILE]
 *
 * SIGHUP reloads the configuration file (a bad one keeps the running
 * configuration and says why); so does POST /api/reload on the control
 * socket, whose HTTP thread hands the work to the main loop (uv_async) and
 * waits for the result. SIGTERM and SIGINT let requests in flight finish,
 * then exit with status 0.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "config/config.h"
#include "guard/forged.h"
#include "control/control.h"
#include "iterator/roots.h"
#include "policy/policy.h"
#include "server/server.h"
#include "upstream/upstream.h"
#include "util/alloc.h"
#include "validator/anchors.h"
#include "util/err.h"
#include "util/log.h"
#include "util/version.h"

#define RESOLV_CONF       "/etc/resolv.conf"
#define UNPRIVILEGED_PORT 5300
#define MAX_CLI_ADDRS     16
#define RELOAD_WAIT_S     30 /* how long a control request waits for the main loop to reload */

struct options {
	const char *config;
	bool check_only;
	bool foreground;
	bool verbose;
	const char *listen[MAX_CLI_ADDRS];
	size_t nlisten;
	const char *forward[MAX_CLI_ADDRS];
	size_t nforward;
};

/* A reload asked for over the control socket, done on the main loop. */
struct reload_req {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	uv_async_t async;
	bool open;    /* the async handle may be sent to */
	bool busy;    /* one request at a time; others wait their turn */
	bool pending; /* sent, not yet done */
	bool force;   /* load a policy the blast-radius guard refuses */
	int rc;
	char err[HF_CONFIG_ERR_MAX];
};

struct daemon {
	struct options opt;
	struct hf_server *server;
	struct hf_control *control;
	uv_signal_t sigterm, sigint, sighup;
	struct reload_req reload;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: holdfast [-c FILE] [--listen ADDR[@PORT]]... [--forward ADDR[@PORT]]...\n"
	    "                [--foreground] [-v]\n"
	    "       holdfast --check-config [-c FILE]\n"
	    "       holdfast --version\n"
	    "\n"
	    "  -c, --config FILE   configuration file (YAML); none means the defaults\n"
	    "  --check-config      check the configuration and exit (0 when it is good)\n"
	    "  --listen ADDR       listen here instead of the configured addresses (repeatable)\n"
	    "  --forward ADDR      forward everything to this server (repeatable)\n"
	    "  --foreground        log to stderr (otherwise syslog)\n"
	    "  -v, --verbose       log debug messages\n");
}

/* The configuration reference in the README is this output. */
static void print_reference(void)
{
	size_t need = hf_config_write_reference(NULL, 0) + 1;
	char *text = hf_malloc(need);
	if (text == NULL)
		exit(1);
	hf_config_write_reference(text, need);
	fputs(text, stdout);
	hf_free(text);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && has_value) {
			o->config = argv[++i];
		} else if (strcmp(a, "--listen") == 0 && has_value && o->nlisten < MAX_CLI_ADDRS) {
			o->listen[o->nlisten++] = argv[++i];
		} else if (strcmp(a, "--forward") == 0 && has_value &&
		           o->nforward < MAX_CLI_ADDRS) {
			o->forward[o->nforward++] = argv[++i];
		} else if (strcmp(a, "--check-config") == 0) {
			o->check_only = true;
		} else if (strcmp(a, "--foreground") == 0 || strcmp(a, "-f") == 0) {
			o->foreground = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o->verbose = true;
		} else if (strcmp(a, "--config-reference") == 0) {
			print_reference();
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			printf("holdfast %s\n", HOLDFAST_VERSION);
			exit(0);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "holdfast: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

static int parse_addrs(const char *const *texts, size_t n, struct hf_addr **out, char *err)
{
	struct hf_addr *addrs = hf_calloc(n, sizeof(*addrs));
	if (addrs == NULL)
		return HF_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (hf_addr_parse(texts[i], 53, &addrs[i]) != HF_OK) {
			snprintf(err, HF_CONFIG_ERR_MAX, "command line: '%s' is not an address",
			         texts[i]);
			hf_free(addrs);
			return HF_EINVAL;
		}
	}
	*out = addrs;
	return HF_OK;
}

/* Command-line --listen and --forward take the place of the file's settings. */
static int apply_overrides(const struct options *o, struct hf_config *cfg, char *err)
{
	if (o->nlisten > 0) {
		struct hf_addr *addrs;
		int rc = parse_addrs(o->listen, o->nlisten, &addrs, err);
		if (rc != HF_OK)
			return rc;
		hf_free(cfg->listen);
		cfg->listen = addrs;
		cfg->nlisten = o->nlisten;
	}
	if (o->nforward > 0) {
		struct hf_addr *addrs;
		int rc = parse_addrs(o->forward, o->nforward, &addrs, err);
		if (rc != HF_OK)
			return rc;
		struct hf_forward_zone *fz = hf_calloc(1, sizeof(*fz));
		struct hf_upstream_conf *ups = hf_calloc(o->nforward, sizeof(*ups));
		if (fz == NULL || ups == NULL) {
			hf_free(addrs);
			hf_free(fz);
			hf_free(ups);
			return HF_ENOMEM;
		}
		for (size_t i = 0; i < o->nforward; i++) {
			ups[i].proto = HF_UPSTREAM_DNS;
			ups[i].addr = addrs[i];
		}
		hf_free(addrs);
		fz->zone[0] = 0;
		fz->upstreams = ups;
		fz->nupstreams = o->nforward;
		for (size_t i = 0; i < cfg->nforward; i++)
			hf_free(cfg->forward[i].upstreams);
		hf_free(cfg->forward);
		cfg->forward = fz;
		cfg->nforward = 1;
		cfg->forward_resolv_conf = false;
	}
	return HF_OK;
}

static uint16_t addr_port(const struct hf_addr *a)
{
	return ntohs(a->ss.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)&a->ss)->sin6_port
	                                         : ((const struct sockaddr_in *)&a->ss)->sin_port);
}

static void set_port(struct hf_addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

/*
 * Without root, port 53 cannot be bound. When the listen addresses are the
 * defaults (no file, no --listen), move them to a high port and say so,
 * so `make run` works for anyone; explicit settings are left to fail loudly.
 */
static void unprivileged_defaults(const struct options *o, struct hf_config *cfg)
{
	if (geteuid() == 0 || o->config != NULL || o->nlisten > 0)
		return;
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (addr_port(&cfg->listen[i]) < 1024)
			set_port(&cfg->listen[i], UNPRIVILEGED_PORT);
	}
	hf_log_warn("not running as root, so not on port 53: listening on port %d instead "
	            "(try: dig @127.0.0.1 -p %d example.com)",
	            UNPRIVILEGED_PORT, UNPRIVILEGED_PORT);
}

/* guard.forged-list must read, or the configuration is refused (at start, check, reload). */
static bool forged_list_ok(const struct hf_config *cfg, char *err)
{
	char why[HF_CONFIG_ERR_MAX];
	struct hf_forged *f = hf_forged_load(cfg->guard.forged_list, why);
	if (f == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "guard.forged-list: %.400s", why);
		return false;
	}
	hf_forged_free(f);
	return true;
}

/* The policy's files must read too (at start, check, reload); *policy is NULL when none. */
static bool policy_ok(const struct hf_config *cfg, struct hf_policy **policy, char *err)
{
	return hf_policy_load(cfg, policy, err, HF_CONFIG_ERR_MAX) == HF_OK;
}

/*
 * At start there are no recent names to weigh a policy against, but a rule
 * at or above a TLD is refused all the same, unless policy.force.
 */
static bool policy_wide_ok(const struct hf_config *cfg, const struct hf_policy *policy, char *err)
{
	char why[HF_CONFIG_ERR_MAX - 128];
	if (cfg->policy.force || hf_policy_check_wide(policy, why, sizeof(why)) == HF_OK)
		return true;
	snprintf(err, HF_CONFIG_ERR_MAX, "policy refused (policy.force: true loads it anyway): %s",
	         why);
	return false;
}

/* --check-config: the forged list and the policy's files read, and the policy is not too wide. */
static bool files_ok(const struct hf_config *cfg, char *err)
{
	struct hf_policy *policy = NULL;
	bool ok = forged_list_ok(cfg, err) && policy_ok(cfg, &policy, err) &&
	          policy_wide_ok(cfg, policy, err);
	hf_policy_free(policy);
	return ok;
}

/* Config plus upstreams, root hints, trust anchors and policy, or NULL with err set. */
static struct hf_config *load(const struct options *o, struct hf_upstreams **up,
                              struct hf_roots **roots, struct hf_anchors **anchors_out,
                              struct hf_policy **policy, char *err)
{
	struct hf_config *cfg = hf_config_load(o->config, err);
	if (cfg == NULL)
		return NULL;
	if (apply_overrides(o, cfg, err) != HF_OK) {
		hf_config_free(cfg);
		return NULL;
	}
	unprivileged_defaults(o, cfg);
	*up = hf_upstreams_new(cfg, RESOLV_CONF, err);
	if (*up == NULL) {
		hf_config_free(cfg);
		return NULL;
	}
	*roots = hf_roots_load(cfg->root_hints, err);
	struct hf_anchors *anchors = *roots ? hf_anchors_load(cfg, err) : NULL;
	if (anchors != NULL && (!forged_list_ok(cfg, err) || !policy_ok(cfg, policy, err))) {
		hf_anchors_free(anchors);
		anchors = NULL;
	}
	if (anchors == NULL) {
		hf_roots_free(*roots);
		hf_upstreams_free(*up);
		hf_config_free(cfg);
		return NULL;
	}
	if (anchors->n == 0)
		hf_log_info("trust-anchors is empty: DNSSEC validation is off");
	else if (cfg->forward != NULL || cfg->forward_resolv_conf)
		hf_log_info("DNSSEC validation covers names resolved from the root; forwarded "
		            "answers are passed on unvalidated");
	*anchors_out = anchors;
	return cfg;
}

static void log_start(const struct hf_config *cfg, const struct hf_upstreams *up)
{
	char line[1024] = "";
	size_t len = 0;
	for (size_t i = 0; i < cfg->nlisten && len < sizeof(line) - 80; i++) {
		char a[64];
		hf_addr_format(&cfg->listen[i], a, sizeof(a));
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", i ? ", " : "", a);
	}
	hf_log_info("holdfast %s listening on %s (UDP and TCP)", HOLDFAST_VERSION, line);
	for (size_t z = 0; z < up->nzones; z++) {
		char zone[HF_NAME_TEXT_MAX];
		if (hf_name_to_text(up->zones[z].zone, zone, sizeof(zone)) < 0)
			continue;
		len = 0;
		line[0] = '\0';
		for (size_t i = 0; i < up->zones[z].n && len < sizeof(line) - 80; i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
			                        i ? ", " : "", up->zones[z].servers[i].name);
		if (up->zones[z].trusted)
			hf_log_info("trusted path for doubted answers in %s: %s", zone, line);
		else
			hf_log_info("forwarding %s to %s", zone, line);
	}
	if (hf_upstreams_find((struct hf_upstreams *)up, (const uint8_t *)"") == NULL)
		hf_log_info("resolving everything else from the root (root hints: %s)",
		            cfg->root_hints[0] ? cfg->root_hints : "built in");
}

static void close_reload(struct reload_req *r)
{
	pthread_mutex_lock(&r->lock);
	r->open = false;
	if (r->pending) {
		r->pending = false;
		r->rc = HF_EINVAL;
		snprintf(r->err, sizeof(r->err), "holdfast is stopping");
		pthread_cond_broadcast(&r->done_cv);
	}
	pthread_mutex_unlock(&r->lock);
	uv_close((uv_handle_t *)&r->async, NULL);
}

static void on_stop_signal(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;
	close_reload(&d->reload);
	hf_log_info("received %s: finishing requests in flight, then exiting",
	            signum == SIGTERM ? "SIGTERM" : "SIGINT");
	uv_signal_stop(&d->sigterm);
	uv_signal_stop(&d->sigint);
	uv_signal_stop(&d->sighup);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sighup, NULL);
}

/*
 * SIGHUP and POST /api/reload: HF_OK, or an error with err set (the old
 * configuration stays). force (or policy.force) loads a policy the
 * blast-radius guard refuses.
 */
static int reload_config(struct daemon *d, bool force, char *err)
{
	struct hf_upstreams *up = NULL;
	struct hf_roots *roots = NULL;
	struct hf_anchors *anchors = NULL;
	struct hf_policy *policy = NULL;
	struct hf_config *cfg = load(&d->opt, &up, &roots, &anchors, &policy, err);
	if (cfg == NULL) {
		hf_log_error("reload failed: %s; keeping the running configuration", err);
		return HF_EINVAL;
	}
	char why[HF_CONFIG_ERR_MAX - 128];
	if (hf_server_check_policy(d->server, policy, force || cfg->policy.force, why,
	                           sizeof(why)) != HF_OK) {
		snprintf(err, HF_CONFIG_ERR_MAX,
		         "policy refused, the running one stays (holdfastctl reload --force or "
		         "policy.force loads it anyway): %s",
		         why);
		hf_log_error("reload failed: %s", err);
		hf_policy_free(policy);
		hf_anchors_free(anchors);
		hf_roots_free(roots);
		hf_upstreams_free(up);
		hf_config_free(cfg);
		return HF_EINVAL;
	}
	hf_server_reload(d->server, cfg, up, roots, anchors, policy);
	hf_log_info("reloaded %s (listen addresses, cache size and control listeners change only "
	            "on restart)",
	            d->opt.config ? d->opt.config : "the built-in defaults");
	return HF_OK;
}

static void on_reload_signal(uv_signal_t *h, int signum)
{
	(void)signum;
	char err[HF_CONFIG_ERR_MAX];
	(void)reload_config(h->data, false, err);
}

/* On the main loop: the reload a control request asked for. */
static void on_reload_async(uv_async_t *a)
{
	struct daemon *d = a->data;
	struct reload_req *r = &d->reload;
	char err[HF_CONFIG_ERR_MAX] = "";
	pthread_mutex_lock(&r->lock);
	bool force = r->force;
	pthread_mutex_unlock(&r->lock);
	int rc = reload_config(d, force, err);
	pthread_mutex_lock(&r->lock);
	if (r->pending) {
		r->rc = rc;
		memcpy(r->err, err, sizeof(err));
		r->pending = false;
		pthread_cond_broadcast(&r->done_cv);
	}
	pthread_mutex_unlock(&r->lock);
}

/* On the control's HTTP thread: asks the main loop to reload and waits (bounded). */
static int reload_from_control(void *ctx, bool force, char *err, size_t cap)
{
	struct reload_req *r = &((struct daemon *)ctx)->reload;
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += RELOAD_WAIT_S;
	int rc = -ETIMEDOUT;
	snprintf(err, cap, "the reload did not finish within %d s", RELOAD_WAIT_S);
	pthread_mutex_lock(&r->lock);
	while (r->busy && r->open)
		if (pthread_cond_timedwait(&r->done_cv, &r->lock, &until) != 0)
			goto out;
	if (!r->open) {
		snprintf(err, cap, "holdfast is stopping");
		rc = HF_EINVAL;
		goto out;
	}
	r->busy = r->pending = true;
	r->force = force;
	uv_async_send(&r->async);
	while (r->pending)
		if (pthread_cond_timedwait(&r->done_cv, &r->lock, &until) != 0)
			break;
	if (!r->pending) {
		rc = r->rc;
		snprintf(err, cap, "%s", r->err);
	}
	r->pending = false; /* a late result is dropped: nobody waits for it */
	r->busy = false;
	pthread_cond_broadcast(&r->done_cv);
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static void reload_init(struct daemon *d, uv_loop_t *loop)
{
	struct reload_req *r = &d->reload;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&r->lock, NULL);
	uv_async_init(loop, &r->async, on_reload_async);
	r->async.data = d;
	r->open = true;
}

static int start_control(struct daemon *d, const struct hf_config *cfg)
{
	char err[HF_CONFIG_ERR_MAX];
	struct hf_control_opts o = {.server = d->server,
	                            .socket_path = cfg->control.socket,
	                            .http = cfg->control.http_enabled ? &cfg->control.http : NULL,
	                            .reload = reload_from_control,
	                            .reload_ctx = d,
	                            .version = HOLDFAST_VERSION};
	d->control = hf_control_new(&o, err);
	if (d->control == NULL) {
		hf_log_error("%s", err);
		return -1;
	}
	return 0;
}

static int run(struct daemon *d, struct hf_config *cfg, struct hf_upstreams *up,
               struct hf_roots *roots, struct hf_anchors *anchors, struct hf_policy *policy)
{
	char err[HF_CONFIG_ERR_MAX];
	log_start(cfg, up);
	d->server = hf_server_new(cfg, up, roots, anchors, policy, err);
	if (d->server == NULL) {
		hf_log_error("%s", err);
		return 1;
	}
	uv_loop_t *loop = uv_default_loop();
	uv_signal_init(loop, &d->sigterm);
	uv_signal_init(loop, &d->sigint);
	uv_signal_init(loop, &d->sighup);
	d->sigterm.data = d->sigint.data = d->sighup.data = d;
	uv_signal_start(&d->sigterm, on_stop_signal, SIGTERM);
	uv_signal_start(&d->sigint, on_stop_signal, SIGINT);
	uv_signal_start(&d->sighup, on_reload_signal, SIGHUP);
	reload_init(d, loop);
	int rc = hf_server_start(d->server);
	if (rc < 0 || start_control(d, cfg) < 0) {
		if (rc < 0)
			hf_log_error("starting workers: %s", uv_strerror(rc));
		hf_server_stop(d->server);
		hf_server_free(d->server);
		return 1;
	}
	uv_run(loop, UV_RUN_DEFAULT);
	/* The control goes first: its requests read the server. */
	hf_control_free(d->control);
	hf_server_stop(d->server);
	char summary[256];
	hf_server_summary(d->server, summary, sizeof(summary));
	hf_log_info("stopped: %s", summary);
	hf_server_free(d->server);
	uv_loop_close(loop);
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d;
	memset(&d, 0, sizeof(d));
	if (parse_args(argc, argv, &d.opt) < 0)
		return 2;
	hf_log_set_level(d.opt.verbose ? HF_LOG_LVL_DEBUG : HF_LOG_LVL_INFO);
	signal(SIGPIPE, SIG_IGN);

	char err[HF_CONFIG_ERR_MAX];
	struct hf_upstreams *up = NULL;
	if (d.opt.check_only) {
		struct hf_config *cfg = hf_config_load(d.opt.config, err);
		if (cfg == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		/* The files the configuration names must be usable too (tls-ca among them). */
		up = hf_upstreams_new(cfg, RESOLV_CONF, err);
		struct hf_roots *roots = up ? hf_roots_load(cfg->root_hints, err) : NULL;
		struct hf_anchors *anchors = roots ? hf_anchors_load(cfg, err) : NULL;
		if (anchors != NULL && !files_ok(cfg, err)) {
			hf_anchors_free(anchors);
			anchors = NULL;
		}
		hf_upstreams_free(up);
		hf_config_free(cfg);
		hf_roots_free(roots);
		if (anchors == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		hf_anchors_free(anchors);
		printf("%s: configuration is good\n", d.opt.config ? d.opt.config : "(defaults)");
		return 0;
	}
	if (!d.opt.foreground)
		hf_log_use_syslog(true);
	struct hf_roots *roots = NULL;
	struct hf_anchors *anchors = NULL;
	struct hf_policy *policy = NULL;
	struct hf_config *cfg = load(&d.opt, &up, &roots, &anchors, &policy, err);
	if (cfg != NULL && !policy_wide_ok(cfg, policy, err)) {
		hf_policy_free(policy);
		hf_anchors_free(anchors);
		hf_roots_free(roots);
		hf_upstreams_free(up);
		hf_config_free(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		hf_log_error("%s", err);
		return 1;
	}
	hf_log_set_level(d.opt.verbose ? HF_LOG_LVL_DEBUG : (enum hf_log_lvl)cfg->log.level);
	return run(&d, cfg, up, roots, anchors, policy);
}
