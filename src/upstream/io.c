/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One query to one upstream over UDP or TCP on a libuv loop. See io.h. */
#include "upstream/io.h"

#include <errno.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/random.h"
#include "wire/buf.h"
#include "wire/pkt.h"

/* Larger than any payload size holdfast advertises; a bigger datagram is a broken reply. */
#define UDP_BUF     4096
#define PORT_TRIES  16
#define PORT_LOWEST 1024

struct hf_upq {
	bool tcp;
	bool cancelled;
	bool failed; /* an error was delivered: no more callbacks */
	int open_handles;
	union {
		uv_udp_t udp;
		uv_tcp_t tcp;
		uv_handle_t handle;
	} h;
	uv_timer_t timer;
	uv_connect_t connect;
	uv_write_t write;
	uv_udp_send_t send;
	hf_upq_cb cb;
	void *arg;
	uint8_t *out; /* the query, with the TCP length prefix in front */
	size_t out_len;
	uint8_t *in; /* receive buffer */
	size_t in_len;
	size_t in_cap;
};

static void release(struct hf_upq *q)
{
	hf_free(q->out);
	hf_free(q->in);
	hf_free(q);
}

static void on_close(uv_handle_t *h)
{
	struct hf_upq *q = h->data;
	if (--q->open_handles == 0)
		release(q);
}

static void deliver_error(struct hf_upq *q, int err)
{
	if (q->cancelled || q->failed)
		return;
	q->failed = true;
	q->cb(q->arg, NULL, 0, err);
}

static void deliver(struct hf_upq *q, const uint8_t *wire, size_t len)
{
	if (!q->cancelled && !q->failed)
		q->cb(q->arg, wire, len, HF_OK);
}

void hf_upq_cancel(struct hf_upq *q)
{
	if (q == NULL || q->cancelled)
		return;
	q->cancelled = true;
	uv_timer_stop(&q->timer);
	uv_close((uv_handle_t *)&q->timer, on_close);
	uv_close(&q->h.handle, on_close);
}

static void on_timeout(uv_timer_t *t)
{
	deliver_error(t->data, -ETIMEDOUT);
}

static void alloc_in(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct hf_upq *q = h->data;
	*buf = uv_buf_init((char *)q->in + q->in_len, (unsigned)(q->in_cap - q->in_len));
}

/* --- UDP ------------------------------------------------------------------- */

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags)
{
	(void)buf;
	(void)addr;
	struct hf_upq *q = h->data;
	if (nread < 0) {
		deliver_error(q, (int)nread); /* e.g. ICMP port unreachable: ECONNREFUSED */
		return;
	}
	if (nread == 0 || (flags & UV_UDP_PARTIAL))
		return; /* nothing, or more than any reply to us may be: ignore */
	deliver(q, q->in, (size_t)nread);
}

static void on_udp_sent(uv_udp_send_t *req, int status)
{
	struct hf_upq *q = req->handle->data;
	if (status < 0 && status != UV_ECANCELED)
		deliver_error(q, status);
}

/* Binds to a port drawn from the CSPRNG, so an off-path forger must guess it too. */
static int bind_random_port(uv_udp_t *h, int family)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	int rc = UV_EADDRINUSE;
	for (int i = 0; i < PORT_TRIES && rc == UV_EADDRINUSE; i++) {
		uint16_t port = (uint16_t)(PORT_LOWEST + hf_random_below(65536 - PORT_LOWEST));
		if (family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
		}
		rc = uv_udp_bind(h, (const struct sockaddr *)&ss, 0);
	}
	return rc;
}

static int start_udp(struct hf_upq *q, uv_loop_t *loop, const struct hf_addr *server)
{
	int family = server->ss.ss_family;
	int rc = uv_udp_init_ex(loop, &q->h.udp, (unsigned)family);
	if (rc < 0)
		return rc;
	q->h.udp.data = q;
	q->open_handles++;
	rc = bind_random_port(&q->h.udp, family);
	if (rc < 0)
		return rc;
	rc = uv_udp_connect(&q->h.udp, (const struct sockaddr *)&server->ss);
	if (rc < 0)
		return rc;
	rc = uv_udp_recv_start(&q->h.udp, alloc_in, on_udp_recv);
	if (rc < 0)
		return rc;
	uv_buf_t b = uv_buf_init((char *)q->out, (unsigned)q->out_len);
	return uv_udp_send(&q->send, &q->h.udp, &b, 1, NULL, on_udp_sent);
}

/* --- TCP ------------------------------------------------------------------- */

static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct hf_upq *q = s->data;
	if (nread < 0) {
		deliver_error(q, nread == UV_EOF ? -ECONNRESET : (int)nread);
		return;
	}
	q->in_len += (size_t)nread;
	while (q->in_len >= 2 && !q->cancelled) {
		size_t len = hf_get16(q->in);
		if (q->in_len < 2 + len)
			return;
		deliver(q, q->in + 2, len);
		memmove(q->in, q->in + 2 + len, q->in_len - 2 - len);
		q->in_len -= 2 + len;
	}
}

static void on_tcp_written(uv_write_t *req, int status)
{
	struct hf_upq *q = req->handle->data;
	if (status < 0 && status != UV_ECANCELED)
		deliver_error(q, status);
}

static void on_tcp_connected(uv_connect_t *req, int status)
{
	struct hf_upq *q = req->handle->data;
	if (status < 0) {
		if (status != UV_ECANCELED)
			deliver_error(q, status);
		return;
	}
	int rc = uv_read_start((uv_stream_t *)&q->h.tcp, alloc_in, on_tcp_read);
	uv_buf_t b = uv_buf_init((char *)q->out, (unsigned)q->out_len);
	if (rc == 0)
		rc = uv_write(&q->write, (uv_stream_t *)&q->h.tcp, &b, 1, on_tcp_written);
	if (rc < 0)
		deliver_error(q, rc);
}

static int start_tcp(struct hf_upq *q, uv_loop_t *loop, const struct hf_addr *server)
{
	int rc = uv_tcp_init_ex(loop, &q->h.tcp, (unsigned)server->ss.ss_family);
	if (rc < 0)
		return rc;
	q->h.tcp.data = q;
	q->open_handles++;
	uv_tcp_nodelay(&q->h.tcp, 1);
	return uv_tcp_connect(&q->connect, &q->h.tcp, (const struct sockaddr *)&server->ss,
	                      on_tcp_connected);
}

struct hf_upq *hf_upq_start(uv_loop_t *loop, const struct hf_addr *server, bool tcp,
                            const uint8_t *wire, size_t len, uint32_t timeout_ms, hf_upq_cb cb,
                            void *arg)
{
	struct hf_upq *q = hf_calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->tcp = tcp;
	q->cb = cb;
	q->arg = arg;
	q->in_cap = tcp ? 2 + HF_MSG_MAX : UDP_BUF;
	q->in = hf_malloc(q->in_cap);
	q->out_len = len + (tcp ? 2 : 0);
	q->out = hf_malloc(q->out_len);
	if (q->in == NULL || q->out == NULL || len > HF_MSG_MAX) {
		release(q);
		return NULL;
	}
	if (tcp)
		hf_put16(q->out, (uint16_t)len);
	memcpy(q->out + (tcp ? 2 : 0), wire, len);
	uv_timer_init(loop, &q->timer);
	q->timer.data = q;
	q->open_handles++;
	int rc = tcp ? start_tcp(q, loop, server) : start_udp(q, loop, server);
	if (rc == 0)
		rc = uv_timer_start(&q->timer, on_timeout, timeout_ms, 0);
	if (rc < 0) {
		/* Close what was opened; the caller sees NULL and moves on. */
		q->cancelled = true;
		uv_close((uv_handle_t *)&q->timer, on_close);
		if (q->open_handles > 1)
			uv_close(&q->h.handle, on_close);
		return NULL;
	}
	return q;
}
