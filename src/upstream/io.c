/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One query to one upstream over UDP, TCP or TLS on a libuv loop. See io.h. */
#include "upstream/io.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "upstream/tls.h"
#include "upstream/upstream.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/random.h"
#include "wire/buf.h"
#include "wire/pkt.h"

/* Larger than any payload size holdfast advertises; a bigger datagram is a broken reply. */
#define UDP_BUF     4096
#define PORT_TRIES  16
#define PORT_LOWEST 1024

struct hf_upio {
	uv_loop_t *loop;
	struct hf_tls_pool *tls;
};

struct hf_upq {
	bool tcp;
	struct hf_tls_q *tls; /* over TLS: the query on the pool's connection, no handle here */
	bool cancelled;
	bool failed; /* an error was delivered: no more callbacks */
	int open_handles;
	union {
		uv_poll_t udp; /* our own socket: libuv's UDP handle cannot read the IP TTL */
		uv_tcp_t tcp;
		uv_handle_t handle;
	} h;
	int fd; /* the UDP socket, closed with its poll handle */
	uv_timer_t timer;
	uv_connect_t connect;
	uv_write_t write;
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
	if (h == &q->h.handle && !q->tcp && q->fd >= 0) {
		close(q->fd);
		q->fd = -1;
	}
	if (--q->open_handles == 0)
		release(q);
}

static void deliver_error(struct hf_upq *q, int err)
{
	if (q->cancelled || q->failed)
		return;
	q->failed = true;
	q->cb(q->arg, NULL, 0, err, -1);
}

static void deliver(struct hf_upq *q, const uint8_t *wire, size_t len, int ip_ttl)
{
	if (!q->cancelled && !q->failed)
		q->cb(q->arg, wire, len, HF_OK, ip_ttl);
}

void hf_upq_cancel(struct hf_upq *q)
{
	if (q == NULL || q->cancelled)
		return;
	q->cancelled = true;
	uv_timer_stop(&q->timer);
	uv_close((uv_handle_t *)&q->timer, on_close);
	if (q->tls != NULL) {
		hf_tls_cancel(q->tls);
		q->tls = NULL;
	} else {
		uv_close(&q->h.handle, on_close);
	}
}

static void on_timeout(uv_timer_t *t)
{
	deliver_error(t->data, -ETIMEDOUT);
}

void hf_upq_rearm(struct hf_upq *q, uint32_t timeout_ms)
{
	if (q == NULL || q->cancelled || q->failed)
		return;
	uv_timer_stop(&q->timer);
	uv_timer_start(&q->timer, on_timeout, timeout_ms, 0);
}

static void alloc_in(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct hf_upq *q = h->data;
	*buf = uv_buf_init((char *)q->in + q->in_len, (unsigned)(q->in_cap - q->in_len));
}

/* --- UDP ------------------------------------------------------------------- */

/* The IP TTL (IPv4) or hop limit (IPv6) the datagram arrived with; -1 if not given. */
static int ip_ttl_of(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		int v;
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return -1;
}

static void on_udp_readable(uv_poll_t *h, int status, int events)
{
	(void)events;
	struct hf_upq *q = h->data;
	if (status < 0) {
		deliver_error(q, status);
		return;
	}
	while (!q->cancelled && !q->failed) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int)) * 2];
		} ctl;
		struct iovec iov = {.iov_base = q->in, .iov_len = q->in_cap};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = ctl.buf,
		                    .msg_controllen = sizeof(ctl.buf)};
		ssize_t n = recvmsg(q->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				deliver_error(
				    q, -errno); /* e.g. ICMP port unreachable: ECONNREFUSED */
			if (errno != EINTR)
				return;
			continue;
		}
		/* Nothing, or more than any reply to us may be: ignore it. */
		if (n > 0 && !(mh.msg_flags & MSG_TRUNC))
			deliver(q, q->in, (size_t)n, ip_ttl_of(&mh));
	}
}

/* Binds to a port drawn from the CSPRNG, so an off-path forger must guess it too. */
static int bind_random_port(int fd, int family)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	for (int i = 0; i < PORT_TRIES; i++) {
		uint16_t port = (uint16_t)(PORT_LOWEST + hf_random_below(65536 - PORT_LOWEST));
		socklen_t len;
		if (family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			len = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
			len = sizeof(*s4);
		}
		if (bind(fd, (const struct sockaddr *)&ss, len) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

/* Asks the kernel for each datagram's IP TTL (hop limit): the guard compares them. */
static void want_ip_ttl(int fd, int family)
{
	int on = 1;
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on));
	else
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
}

static int start_udp(struct hf_upq *q, uv_loop_t *loop, const struct hf_addr *server)
{
	int family = server->ss.ss_family;
	q->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return -errno;
	want_ip_ttl(q->fd, family);
	int rc = bind_random_port(q->fd, family);
	if (rc < 0)
		return rc;
	if (connect(q->fd, (const struct sockaddr *)&server->ss, server->len) < 0 ||
	    send(q->fd, q->out, q->out_len, MSG_DONTWAIT) < 0)
		return -errno;
	rc = uv_poll_init(loop, &q->h.udp, q->fd);
	if (rc < 0)
		return rc;
	q->h.udp.data = q;
	q->open_handles++;
	return uv_poll_start(&q->h.udp, UV_READABLE, on_udp_readable);
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
		deliver(q, q->in + 2, len, -1);
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

/* --- TLS: the pool's connection does the work ------------------------------ */

static void on_tls_message(void *arg, const uint8_t *wire, size_t len, int err, int ip_ttl)
{
	(void)ip_ttl;
	struct hf_upq *q = arg;
	if (err != HF_OK)
		deliver_error(q, err);
	else
		deliver(q, wire, len, -1);
}

struct hf_upio *hf_upio_new(uv_loop_t *loop)
{
	struct hf_upio *io = hf_calloc(1, sizeof(*io));
	if (io == NULL)
		return NULL;
	io->loop = loop;
	io->tls = hf_tls_pool_new(loop);
	if (io->tls == NULL) {
		hf_free(io);
		return NULL;
	}
	return io;
}

void hf_upio_close(struct hf_upio *io)
{
	if (io == NULL)
		return;
	hf_tls_pool_close(io->tls);
	hf_free(io);
}

struct hf_upq *hf_upq_start(struct hf_upio *io, struct hf_upstream *server, bool tcp,
                            const uint8_t *wire, size_t len, uint32_t timeout_ms, hf_upq_cb cb,
                            void *arg)
{
	if (len > HF_MSG_MAX)
		return NULL;
	struct hf_upq *q = hf_calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->fd = -1;
	q->cb = cb;
	q->arg = arg;
	if (server->tls != NULL) {
		q->tls = hf_tls_query(io->tls, server, wire, len, on_tls_message, q);
		if (q->tls == NULL) {
			hf_free(q);
			return NULL;
		}
		uv_timer_init(io->loop, &q->timer);
		q->timer.data = q;
		q->open_handles = 1;
		uv_timer_start(&q->timer, on_timeout, timeout_ms, 0);
		return q;
	}
	q->tcp = tcp;
	q->in_cap = tcp ? 2 + HF_MSG_MAX : UDP_BUF;
	q->in = hf_malloc(q->in_cap);
	q->out_len = len + (tcp ? 2 : 0);
	q->out = hf_malloc(q->out_len);
	if (q->in == NULL || q->out == NULL) {
		release(q);
		return NULL;
	}
	if (tcp)
		hf_put16(q->out, (uint16_t)len);
	memcpy(q->out + (tcp ? 2 : 0), wire, len);
	uv_timer_init(io->loop, &q->timer);
	q->timer.data = q;
	q->open_handles++;
	int rc =
	    tcp ? start_tcp(q, io->loop, &server->addr) : start_udp(q, io->loop, &server->addr);
	if (rc == 0)
		rc = uv_timer_start(&q->timer, on_timeout, timeout_ms, 0);
	if (rc < 0) {
		/* Close what was opened; the caller sees NULL and moves on. */
		q->cancelled = true;
		if (q->open_handles == 1 && q->fd >= 0) {
			close(q->fd); /* the socket never got its poll handle */
			q->fd = -1;
		}
		uv_close((uv_handle_t *)&q->timer, on_close);
		if (q->open_handles > 1)
			uv_close(&q->h.handle, on_close);
		return NULL;
	}
	return q;
}
