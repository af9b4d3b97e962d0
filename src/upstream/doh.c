/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DNS over HTTPS: the HTTP/2 client session, without I/O. See doh.h. */
#include "upstream/doh.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "util/alloc.h"
#include "util/err.h"

#define STREAM_WINDOW  65536     /* a whole DNS message per stream at once */
#define SESSION_WINDOW (1 << 20) /* room for many answers in flight together */
#define MEDIA_TYPE     "application/dns-message"

/* One request: ours until nghttp2 closes its stream (or the session ends). */
struct doh_stream {
	struct doh_stream *prev, *next;
	struct hf_doh *d;
	int32_t id;
	void *q;        /* whose it is; NULL once it ended or was cancelled */
	int status;     /* :status as read (-1: not three digits); 0 until it came */
	bool final;     /* the final response's header block is complete */
	bool dns_type;  /* its content-type was application/dns-message */
	bool too_large; /* its content-length says more than a DNS message can be */
	uint8_t *body;  /* the response so far */
	size_t body_len, body_cap;
	size_t sent; /* octets of the query handed to nghttp2 */
	size_t qlen;
	uint8_t query[];
};

struct hf_doh {
	nghttp2_session *session;
	struct doh_stream *streams; /* every one not yet closed by nghttp2 */
	hf_doh_cb cb;
	void *arg;
	char authority[262];
	char path[512];
};

/* --- header values ------------------------------------------------------------ */

int hf_doh_status(const uint8_t *value, size_t len)
{
	if (len != 3)
		return -1;
	int v = 0;
	for (size_t i = 0; i < 3; i++) {
		if (value[i] < '0' || value[i] > '9')
			return -1;
		v = v * 10 + (value[i] - '0');
	}
	return v >= 100 ? v : -1;
}

static bool is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

bool hf_doh_is_dns_message(const uint8_t *value, size_t len)
{
	static const char want[] = MEDIA_TYPE;
	size_t n = sizeof(want) - 1, i = 0;
	while (i < len && is_ows(value[i]))
		i++;
	if (len - i < n)
		return false;
	for (size_t k = 0; k < n; k++) {
		uint8_t c = value[i + k];
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != (uint8_t)want[k])
			return false;
	}
	i += n;
	while (i < len && is_ows(value[i]))
		i++;
	return i == len || value[i] == ';'; /* parameters (RFC 9110 §8.3.1) are not ours to judge */
}

int64_t hf_doh_content_length(const uint8_t *value, size_t len)
{
	int64_t v = 0;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (value[i] < '0' || value[i] > '9' || v > UINT32_MAX / 10)
			return -1;
		v = v * 10 + (value[i] - '0');
	}
	return v <= UINT32_MAX ? v : -1;
}

/* --- streams ------------------------------------------------------------------------ */

static struct doh_stream *stream_find(const struct hf_doh *d, int32_t id)
{
	for (struct doh_stream *s = d->streams; s != NULL; s = s->next) {
		if (s->id == id)
			return s;
	}
	return NULL;
}

static void stream_free(struct doh_stream *s)
{
	struct hf_doh *d = s->d;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		d->streams = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	hf_free(s->body);
	hf_free(s);
}

/* The stream ends for its owner (once): a reply, or why not. */
static void stream_end(struct doh_stream *s, enum hf_doh_end how, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void stream_end(struct doh_stream *s, enum hf_doh_end how, const char *fmt, ...)
{
	if (s->q == NULL)
		return;
	void *q = s->q;
	s->q = NULL;
	char why[160] = "";
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	s->d->cb(s->d->arg, q, how, how == HF_DOH_REPLY ? s->body : NULL,
	         how == HF_DOH_REPLY ? s->body_len : 0, why);
}

/* Ends the stream as failed and tells the server we want no more of it. */
static void stream_refuse(struct doh_stream *s, const char *why)
{
	(void)nghttp2_submit_rst_stream(s->d->session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
	stream_end(s, HF_DOH_FAILED, "%s", why);
}

/* --- nghttp2's callbacks --------------------------------------------------------------- */

static ssize_t read_query(nghttp2_session *session, int32_t id, uint8_t *buf, size_t length,
                          uint32_t *flags, nghttp2_data_source *source, void *user_data)
{
	(void)session;
	(void)id;
	(void)user_data;
	struct doh_stream *s = source->ptr;
	size_t n = s->qlen - s->sent;
	if (n > length)
		n = length;
	memcpy(buf, s->query + s->sent, n);
	s->sent += n;
	if (s->sent == s->qlen)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user_data)
{
	(void)flags;
	(void)user_data;
	if (frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	struct doh_stream *s = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
	if (s == NULL || s->q == NULL || s->final)
		return 0; /* cancelled, or trailers after the final response */
	if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
		s->status = hf_doh_status(value, valuelen);
	} else if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
		s->dns_type = hf_doh_is_dns_message(value, valuelen);
	} else if (namelen == 14 && memcmp(name, "content-length", 14) == 0) {
		int64_t n = hf_doh_content_length(value, valuelen);
		s->too_large = n > HF_DOH_BODY_MAX;
	}
	return 0;
}

/* A response's header block is complete: is it a DNS answer? */
static void headers_done(struct doh_stream *s)
{
	if (s->status >= 100 && s->status < 200) {
		s->status = 0; /* informational: the final response is still to come */
		s->dns_type = false;
		s->too_large = false;
		return;
	}
	s->final = true;
	if (s->status != 200) {
		char why[64];
		if (s->status <= 0)
			snprintf(why, sizeof(why), "HTTP response without a valid :status");
		else
			snprintf(why, sizeof(why), "HTTP status %d (a DNS answer has 200)",
			         s->status);
		stream_refuse(s, why);
	} else if (!s->dns_type) {
		stream_refuse(s, "HTTP response whose content-type is not " MEDIA_TYPE);
	} else if (s->too_large) {
		stream_refuse(s, "HTTP response larger than 65535 octets; refused");
	}
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
	(void)user_data;
	if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
		return 0;
	struct doh_stream *s = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
	if (s == NULL || s->q == NULL)
		return 0;
	if (frame->hd.type == NGHTTP2_HEADERS && !s->final)
		headers_done(s); /* the response's (trailers come after it: final already) */
	if (s->q == NULL || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	if (s->body_len == 0)
		stream_end(s, HF_DOH_FAILED, "HTTP response without a body");
	else
		stream_end(s, HF_DOH_REPLY, NULL);
	return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t id, const uint8_t *data,
                         size_t len, void *user_data)
{
	(void)session;
	(void)flags;
	struct hf_doh *d = user_data;
	struct doh_stream *s = nghttp2_session_get_stream_user_data(d->session, id);
	if (s == NULL || s->q == NULL)
		return 0;
	if (!s->final) {
		/* DATA before the final HEADERS: nghttp2's HTTP checks stop that; be sure. */
		stream_refuse(s, "HTTP data before the response");
		return 0;
	}
	if (len > HF_DOH_BODY_MAX - s->body_len) {
		stream_refuse(s, "HTTP response larger than 65535 octets; refused");
		return 0;
	}
	if (s->body_len + len > s->body_cap) {
		/* Grows by doubling from 512 octets: most answers are small. */
		size_t cap = s->body_cap != 0 ? s->body_cap : 512;
		while (cap < s->body_len + len)
			cap *= 2;
		if (cap > HF_DOH_BODY_MAX)
			cap = HF_DOH_BODY_MAX;
		uint8_t *body = hf_realloc(s->body, cap);
		if (body == NULL) {
			stream_refuse(s, "out of memory for the HTTP response");
			return 0;
		}
		s->body = body;
		s->body_cap = cap;
	}
	memcpy(s->body + s->body_len, data, len);
	s->body_len += len;
	return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t id, uint32_t error_code,
                           void *user_data)
{
	(void)session;
	struct hf_doh *d = user_data;
	struct doh_stream *s = stream_find(d, id);
	if (s == NULL)
		return 0;
	if (error_code == NGHTTP2_REFUSED_STREAM)
		stream_end(s, HF_DOH_REFUSED, "the server refused the stream");
	else if (error_code != NGHTTP2_NO_ERROR)
		stream_end(s, HF_DOH_FAILED, "HTTP/2 stream reset (%s)",
		           nghttp2_http2_strerror(error_code));
	else
		stream_end(s, HF_DOH_FAILED, "HTTP/2 stream closed without a response");
	stream_free(s);
	return 0;
}

/* A request that never went out (GOAWAY came first, or it was cancelled in the queue). */
static int on_frame_not_send(nghttp2_session *session, const nghttp2_frame *frame, int error,
                             void *user_data)
{
	struct hf_doh *d = user_data;
	if (frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	struct doh_stream *s = stream_find(d, frame->hd.stream_id);
	if (s == NULL)
		return 0;
	stream_end(s, HF_DOH_REFUSED, "HTTP/2 request not sent (%s)", nghttp2_strerror(error));
	/* A stream nghttp2 never opened gets no close callback. */
	if (nghttp2_session_get_stream_user_data(session, frame->hd.stream_id) == NULL)
		stream_free(s);
	return 0;
}

/* --- the API -------------------------------------------------------------------------- */

struct hf_doh *hf_doh_new(const char *authority, const char *path, hf_doh_cb cb, void *arg)
{
	struct hf_doh *d = hf_calloc(1, sizeof(*d));
	nghttp2_session_callbacks *cbs = NULL;
	nghttp2_option *opt = NULL;
	if (d == NULL || nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0)
		goto fail;
	d->cb = cb;
	d->arg = arg;
	snprintf(d->authority, sizeof(d->authority), "%s", authority);
	snprintf(d->path, sizeof(d->path), "%s", path);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, on_frame_not_send);
	nghttp2_option_set_no_closed_streams(opt, 1);
	if (nghttp2_session_client_new2(&d->session, cbs, d, opt) != 0) {
		d->session = NULL;
		goto fail;
	}
	nghttp2_session_callbacks_del(cbs);
	nghttp2_option_del(opt);
	const nghttp2_settings_entry iv[] = {
	    {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
	    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW},
	};
	if (nghttp2_submit_settings(d->session, NGHTTP2_FLAG_NONE, iv, HF_ARRAY_LEN(iv)) != 0 ||
	    nghttp2_session_set_local_window_size(d->session, NGHTTP2_FLAG_NONE, 0,
	                                          SESSION_WINDOW) != 0) {
		hf_doh_free(d);
		return NULL;
	}
	return d;
fail:
	if (cbs != NULL)
		nghttp2_session_callbacks_del(cbs);
	if (opt != NULL)
		nghttp2_option_del(opt);
	hf_free(d);
	return NULL;
}

void hf_doh_free(struct hf_doh *d)
{
	if (d == NULL)
		return;
	nghttp2_session_del(d->session); /* calls no stream-close callbacks */
	while (d->streams != NULL)
		stream_free(d->streams);
	hf_free(d);
}

static nghttp2_nv header(const char *name, const char *value)
{
	return (nghttp2_nv){(uint8_t *)name, (uint8_t *)value, strlen(name), strlen(value),
	                    NGHTTP2_NV_FLAG_NONE};
}

int32_t hf_doh_submit(struct hf_doh *d, const uint8_t *wire, size_t len, void *q)
{
	if (len == 0 || len > HF_DOH_BODY_MAX)
		return HF_EINVAL;
	if (!nghttp2_session_check_request_allowed(d->session))
		return -ECONNRESET;
	struct doh_stream *s = hf_calloc(1, sizeof(*s) + len);
	if (s == NULL)
		return HF_ENOMEM;
	s->d = d;
	s->q = q;
	s->qlen = len;
	memcpy(s->query, wire, len);
	char clen[8];
	snprintf(clen, sizeof(clen), "%zu", len);
	const nghttp2_nv nva[] = {
	    header(":method", "POST"),          header(":scheme", "https"),
	    header(":authority", d->authority), header(":path", d->path),
	    header("content-type", MEDIA_TYPE), header("accept", MEDIA_TYPE),
	    header("content-length", clen),
	};
	nghttp2_data_provider body = {.source.ptr = s, .read_callback = read_query};
	int32_t id = nghttp2_submit_request(d->session, NULL, nva, HF_ARRAY_LEN(nva), &body, s);
	if (id < 0) {
		hf_free(s);
		return id == NGHTTP2_ERR_NOMEM ? HF_ENOMEM : -ECONNRESET;
	}
	s->id = id;
	s->next = d->streams;
	if (d->streams != NULL)
		d->streams->prev = s;
	d->streams = s;
	return id;
}

void hf_doh_cancel(struct hf_doh *d, int32_t stream)
{
	struct doh_stream *s = stream_find(d, stream);
	if (s == NULL || s->q == NULL)
		return;
	s->q = NULL;
	(void)nghttp2_submit_rst_stream(d->session, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
}

int hf_doh_recv(struct hf_doh *d, const uint8_t *data, size_t len, char *why, size_t cap)
{
	ssize_t n = nghttp2_session_mem_recv(d->session, data, len);
	if (n < 0) {
		snprintf(why, cap, "HTTP/2: %s", nghttp2_strerror((int)n));
		return n == NGHTTP2_ERR_NOMEM ? HF_ENOMEM : -EPROTO;
	}
	return HF_OK;
}

int hf_doh_send(struct hf_doh *d, int (*write)(void *ctx, const uint8_t *data, size_t len),
                void *ctx)
{
	for (;;) {
		const uint8_t *data;
		ssize_t n = nghttp2_session_mem_send(d->session, &data);
		if (n < 0)
			return n == NGHTTP2_ERR_NOMEM ? HF_ENOMEM : -EPROTO;
		if (n == 0)
			return HF_OK;
		int rc = write(ctx, data, (size_t)n);
		if (rc != HF_OK)
			return rc;
	}
}

void hf_doh_goaway(struct hf_doh *d)
{
	(void)nghttp2_session_terminate_session(d->session, NGHTTP2_NO_ERROR);
}

bool hf_doh_refusing(const struct hf_doh *d)
{
	return !nghttp2_session_check_request_allowed(d->session);
}

bool hf_doh_done(const struct hf_doh *d)
{
	return !nghttp2_session_want_read(d->session) && !nghttp2_session_want_write(d->session);
}

unsigned hf_doh_max_streams(const struct hf_doh *d, unsigned cap)
{
	uint32_t n = nghttp2_session_get_remote_settings(d->session,
	                                                 NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
	return n < cap ? (unsigned)n : cap;
}
