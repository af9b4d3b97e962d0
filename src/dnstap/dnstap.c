/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The dnstap query log: encoding with protobuf-c (the code protoc-c makes
 * from dnstap.proto at build time), writing with fstrm's I/O thread. See
 * dnstap.h. This file does not decide what is logged or when; the server
 * calls in where messages cross a socket.
 */
#include "dnstap/dnstap.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstrm.h>

#include "dnstap/dnstap.pb-c.h"
#include "upstream/tls.h"
#include "upstream/upstream.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/log.h"
#include "util/version.h"
#include "wire/name.h"

#define CONTENT_TYPE "protobuf:dnstap.Dnstap"
/* Frames a worker may have waiting before its messages are dropped: a burst of about a
 * second of a busy worker, a few MB at most. A power of 2, as fstrm wants. */
#define QUEUE_SIZE 4096
#define TEXT_MAX   256 /* identity, version; the config allows 255 octets */

/* One worker's queue and its figures (written by that worker, read at exit). */
struct tap_queue {
	struct fstrm_iothr_queue *q;
	_Atomic uint64_t written, dropped;
};

struct hf_dnstap {
	struct fstrm_iothr *iothr;
	struct tap_queue *queues;
	unsigned nqueues;
	bool client, upstream;
	char identity[TEXT_MAX];
	char version[TEXT_MAX];
	char where[HF_CONFIG_ERR_MAX / 2]; /* "file PATH" or "socket PATH", for the log */
};

/* --- encoding -------------------------------------------------------------------- */

static ProtobufCBinaryData bytes(const void *p, size_t len)
{
	return (ProtobufCBinaryData){.len = len, .data = (uint8_t *)p};
}

/* The address and port of sa into the message's fields; the family from the first one set. */
static void put_addr(Dnstap__Message *dm, const struct sockaddr *sa, bool query_side)
{
	if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return;
	ProtobufCBinaryData a;
	uint16_t port;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		a = bytes(&s4->sin_addr, 4);
		port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		a = bytes(&s6->sin6_addr, 16);
		port = ntohs(s6->sin6_port);
	}
	if (!dm->has_socket_family) {
		dm->has_socket_family = true;
		dm->socket_family = sa->sa_family == AF_INET ? DNSTAP__SOCKET_FAMILY__INET
		                                             : DNSTAP__SOCKET_FAMILY__INET6;
	}
	if (query_side) {
		dm->has_query_address = dm->has_query_port = true;
		dm->query_address = a;
		dm->query_port = port;
	} else {
		dm->has_response_address = dm->has_response_port = true;
		dm->response_address = a;
		dm->response_port = port;
	}
}

static void put_times(Dnstap__Message *dm, const struct hf_dnstap_msg *m)
{
	if (m->query_time_us != 0) {
		dm->has_query_time_sec = dm->has_query_time_nsec = true;
		dm->query_time_sec = m->query_time_us / 1000000u;
		dm->query_time_nsec = (uint32_t)(m->query_time_us % 1000000u) * 1000u;
	}
	if (m->response_time_us != 0) {
		dm->has_response_time_sec = dm->has_response_time_nsec = true;
		dm->response_time_sec = m->response_time_us / 1000000u;
		dm->response_time_nsec = (uint32_t)(m->response_time_us % 1000000u) * 1000u;
	}
}

static void put_messages(Dnstap__Message *dm, const struct hf_dnstap_msg *m)
{
	if (m->query != NULL) {
		dm->has_query_message = true;
		dm->query_message = bytes(m->query, m->query_len);
	}
	if (m->response != NULL) {
		dm->has_response_message = true;
		dm->response_message = bytes(m->response, m->response_len);
	}
	if (m->zone != NULL) {
		int n = hf_name_check(m->zone, HF_NAME_MAX);
		if (n > 0) {
			dm->has_query_zone = true;
			dm->query_zone = bytes(m->zone, (size_t)n);
		}
	}
}

uint8_t *hf_dnstap_encode(const struct hf_dnstap_msg *m, const char *identity, const char *version,
                          size_t *len)
{
	Dnstap__Message dm = DNSTAP__MESSAGE__INIT;
	Dnstap__Dnstap dt = DNSTAP__DNSTAP__INIT;
	dm.type = (Dnstap__Message__Type)m->type;
	dm.has_socket_protocol = true;
	dm.socket_protocol = (Dnstap__SocketProtocol)m->proto;
	put_addr(&dm, m->query_addr, true);
	put_addr(&dm, m->response_addr, false);
	put_times(&dm, m);
	put_messages(&dm, m);
	dt.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	dt.message = &dm;
	if (identity != NULL && identity[0] != '\0') {
		dt.has_identity = true;
		dt.identity = bytes(identity, strlen(identity));
	}
	if (version != NULL && version[0] != '\0') {
		dt.has_version = true;
		dt.version = bytes(version, strlen(version));
	}
	size_t size = dnstap__dnstap__get_packed_size(&dt);
	uint8_t *buf = hf_malloc(size > 0 ? size : 1);
	if (buf == NULL)
		return NULL;
	*len = dnstap__dnstap__pack(&dt, buf);
	return buf;
}

enum hf_dnstap_proto hf_dnstap_proto_of(const struct hf_upstream *s, bool tcp)
{
	if (s->tls != NULL)
		return s->tls->https ? HF_DNSTAP_DOH : HF_DNSTAP_DOT;
	return tcp ? HF_DNSTAP_TCP : HF_DNSTAP_UDP;
}

/* --- writing --------------------------------------------------------------------- */

/* Runs on fstrm's I/O thread once a frame is written or thrown away. */
static void free_frame(void *buf, void *unused)
{
	(void)unused;
	hf_free(buf);
}

void hf_dnstap_log(struct hf_dnstap *d, unsigned queue, const struct hf_dnstap_msg *m)
{
	if (hf_fails_assert(queue < d->nqueues))
		return;
	struct tap_queue *tq = &d->queues[queue];
	size_t len = 0;
	uint8_t *frame = hf_dnstap_encode(m, d->identity, d->version, &len);
	if (frame == NULL) {
		atomic_fetch_add_explicit(&tq->dropped, 1, memory_order_relaxed);
		return;
	}
	/* Full (fstrm_res_again) or closed: the answer matters more than its log line. */
	if (fstrm_iothr_submit(d->iothr, tq->q, frame, len, free_frame, NULL) !=
	    fstrm_res_success) {
		hf_free(frame);
		atomic_fetch_add_explicit(&tq->dropped, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&tq->written, 1, memory_order_relaxed);
}

bool hf_dnstap_logs_client(const struct hf_dnstap *d)
{
	return d != NULL && d->client;
}

bool hf_dnstap_logs_upstream(const struct hf_dnstap *d)
{
	return d != NULL && d->upstream;
}

void hf_dnstap_stats(const struct hf_dnstap *d, struct hf_dnstap_stats *out)
{
	*out = (struct hf_dnstap_stats){0};
	for (unsigned i = 0; d != NULL && i < d->nqueues; i++) {
		out->written += atomic_load_explicit(&d->queues[i].written, memory_order_relaxed);
		out->dropped += atomic_load_explicit(&d->queues[i].dropped, memory_order_relaxed);
	}
}

static bool same_text(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

bool hf_dnstap_same_config(const struct hf_config *a, const struct hf_config *b)
{
	return same_text(a->dnstap.file, b->dnstap.file) &&
	       same_text(a->dnstap.socket, b->dnstap.socket) &&
	       a->dnstap.client == b->dnstap.client && a->dnstap.upstream == b->dnstap.upstream &&
	       same_text(a->dnstap.identity, b->dnstap.identity) &&
	       same_text(a->dnstap.version, b->dnstap.version);
}

/* --- opening ---------------------------------------------------------------------- */

/*
 * fstrm opens the output on its own thread and only logs a failure, so the
 * path is tried here first: the operator sees why at start, not an empty log.
 */
static int check_file(const char *path, char *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0) {
		int e = errno;
		snprintf(err, HF_CONFIG_ERR_MAX, "dnstap.file %s: cannot be created: %s", path,
		         strerror(e));
		return -e;
	}
	close(fd);
	return HF_OK;
}

static int check_socket(const char *path, char *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, HF_CONFIG_ERR_MAX, "dnstap.socket %s: path longer than %zu octets",
		         path, sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, HF_CONFIG_ERR_MAX,
		         "dnstap.socket %s: no collector listening (%s); start one, e.g. "
		         "fstrm_capture -t protobuf:dnstap.Dnstap -u %s -w FILE",
		         path, strerror(e), path);
		return -e;
	}
	close(fd);
	return HF_OK;
}

/* The writer for the file or socket; NULL when out of memory. */
static struct fstrm_writer *make_writer(const struct hf_config *cfg)
{
	struct fstrm_writer *w = NULL;
	struct fstrm_writer_options *wopt = fstrm_writer_options_init();
	if (wopt == NULL)
		return NULL;
	if (fstrm_writer_options_add_content_type(wopt, CONTENT_TYPE, strlen(CONTENT_TYPE)) !=
	    fstrm_res_success)
		goto out;
	if (cfg->dnstap.file[0] != '\0') {
		struct fstrm_file_options *fopt = fstrm_file_options_init();
		if (fopt == NULL)
			goto out;
		fstrm_file_options_set_file_path(fopt, cfg->dnstap.file);
		w = fstrm_file_writer_init(fopt, wopt);
		fstrm_file_options_destroy(&fopt);
	} else {
		struct fstrm_unix_writer_options *uopt = fstrm_unix_writer_options_init();
		if (uopt == NULL)
			goto out;
		fstrm_unix_writer_options_set_socket_path(uopt, cfg->dnstap.socket);
		w = fstrm_unix_writer_init(uopt, wopt);
		fstrm_unix_writer_options_destroy(&uopt);
	}
out:
	fstrm_writer_options_destroy(&wopt);
	return w;
}

/* fstrm's I/O thread over w, one single-producer queue per worker; takes w. */
static int start_thread(struct hf_dnstap *d, struct fstrm_writer **w)
{
	struct fstrm_iothr_options *opt = fstrm_iothr_options_init();
	if (opt == NULL)
		return HF_ENOMEM;
	fstrm_iothr_options_set_num_input_queues(opt, d->nqueues);
	fstrm_iothr_options_set_input_queue_size(opt, QUEUE_SIZE);
	fstrm_iothr_options_set_queue_model(opt, FSTRM_IOTHR_QUEUE_MODEL_SPSC);
	d->iothr = fstrm_iothr_init(opt, w);
	fstrm_iothr_options_destroy(&opt);
	if (d->iothr == NULL)
		return HF_ENOMEM;
	for (unsigned i = 0; i < d->nqueues; i++) {
		d->queues[i].q = fstrm_iothr_get_input_queue_idx(d->iothr, i);
		if (d->queues[i].q == NULL)
			return HF_ENOMEM;
	}
	return HF_OK;
}

static void set_names(struct hf_dnstap *d, const struct hf_config *cfg)
{
	const char *id = cfg->dnstap.identity;
	if (id[0] != '\0')
		snprintf(d->identity, sizeof(d->identity), "%s", id);
	else if (gethostname(d->identity, sizeof(d->identity) - 1) != 0)
		d->identity[0] = '\0';
	d->identity[sizeof(d->identity) - 1] = '\0';
	if (cfg->dnstap.version[0] != '\0')
		snprintf(d->version, sizeof(d->version), "%s", cfg->dnstap.version);
	else
		snprintf(d->version, sizeof(d->version), "holdfast %s", HOLDFAST_VERSION);
	snprintf(d->where, sizeof(d->where), "%s %s", cfg->dnstap.file[0] ? "file" : "socket",
	         cfg->dnstap.file[0] ? cfg->dnstap.file : cfg->dnstap.socket);
}

int hf_dnstap_open(const struct hf_config *cfg, unsigned nqueues, struct hf_dnstap **out,
                   char err[HF_CONFIG_ERR_MAX])
{
	*out = NULL;
	bool file = cfg->dnstap.file[0] != '\0';
	if (!file && cfg->dnstap.socket[0] == '\0')
		return HF_OK;
	int rc = file ? check_file(cfg->dnstap.file, err) : check_socket(cfg->dnstap.socket, err);
	if (rc != HF_OK)
		return rc;
	struct hf_dnstap *d = hf_calloc(1, sizeof(*d));
	if (d != NULL)
		d->queues = hf_calloc(nqueues, sizeof(*d->queues));
	struct fstrm_writer *w = d != NULL && d->queues != NULL ? make_writer(cfg) : NULL;
	if (w == NULL) {
		rc = HF_ENOMEM;
		goto fail;
	}
	d->nqueues = nqueues;
	d->client = cfg->dnstap.client;
	d->upstream = cfg->dnstap.upstream;
	set_names(d, cfg);
	rc = start_thread(d, &w);
	if (rc != HF_OK)
		goto fail;
	hf_log_info("dnstap: logging %s to %s",
	            d->client && d->upstream ? "client and upstream messages"
	            : d->client              ? "client messages"
	            : d->upstream            ? "upstream messages"
	                          : "nothing (dnstap.client and dnstap.upstream are off)",
	            d->where);
	*out = d;
	return HF_OK;
fail:
	if (w != NULL)
		fstrm_writer_destroy(&w);
	snprintf(err, HF_CONFIG_ERR_MAX, "dnstap: cannot start the log: %s", hf_strerror(rc));
	hf_dnstap_close(d);
	return rc;
}

void hf_dnstap_close(struct hf_dnstap *d)
{
	if (d == NULL)
		return;
	if (d->iothr != NULL) {
		struct hf_dnstap_stats st;
		/* Blocks until the I/O thread has written what is queued and closed the stream. */
		fstrm_iothr_destroy(&d->iothr);
		hf_dnstap_stats(d, &st);
		hf_log_info("dnstap: %llu messages written to %s, %llu dropped (queue full)",
		            (unsigned long long)st.written, d->where,
		            (unsigned long long)st.dropped);
	}
	hf_free(d->queues);
	hf_free(d);
}
