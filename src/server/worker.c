/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Worker threads: listeners, the UDP batch loop, TCP connections, and the
 * requests that wait on upstreams. See server.h for the shape; answer.c
 * decides what to say, this file only moves bytes.
 */
#include "server/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "cache/cache.h"
#include "control/hub.h"
#include "dnstap/dnstap.h"
#include "iterator/infra.h"
#include "iterator/iterator.h"
#include "resolve/resolve.h"
#include "server/answer.h"
#include "control/hub.h"
#include "guard/events.h"
#include "guard/forged.h"
#include "policy/policy.h"
#include "guard/incidents.h"
#include "server/guardfile.h"
#include "server/ratelimit.h"
#include "upstream/io.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/counter.h"
#include "util/err.h"
#include "util/log.h"
#include "util/random.h"
#include "wire/buf.h"
#include "wire/name.h"

#define MAX_LISTEN        16
#define BATCH             32
#define UDP_BUF           4096 /* the largest edns-buffer-size the config allows */
#define BATCHES_PER_WAKE  8
#define DRAIN_MAX_MS      2000
#define DRAIN_TICK_MS     20
#define TCP_BACKLOG       256
#define UDP_SOCKET_BUFFER (4 << 20)
#define STALE_TICK_MS     50   /* how often slow resolutions are checked for a stale answer */
#define STALE_HOLDS       1024 /* questions remembered as failing lately, per worker */
#define GUARD_SYNC_TICKS  100  /* the guard's state file is brought up to date every 5 s */
#define STALE_REFRESH_MS  2000 /* a held question is resolved again in the background this often */
#define SAMPLE_EVERY      8    /* once the policy sample is full, one question in this many */
#define INCIDENT_TICKS    20   /* incidents are updated and closed once a second */

struct runtime {
	struct hf_config *cfg;
	struct hf_upstreams *up;
	struct hf_roots *roots;
	struct hf_anchors *anchors;
	struct hf_forged *forged; /* guard.forged-list */
	bool forged_shared;       /* the list is an older runtime's (a reload could not read it) */
	struct hf_policy *policy; /* local data, RPZ, block lists; NULL: none */
	struct runtime *older;    /* kept until exit: requests may still point into them */
};

struct worker;

struct udp_sock {
	uv_poll_t poll;
	int fd;
	struct worker *w;
};

struct tcp_conn {
	uv_tcp_t h;
	uv_timer_t idle;
	struct worker *w;
	struct sockaddr_storage peer;
	uint8_t *buf;
	size_t len;
	unsigned refs; /* the connection itself, plus one per request in flight */
	unsigned inflight;
	int open_handles;
	bool closing;
	struct tcp_conn *prev, *next;
};

struct pending {
	struct worker *w;
	struct runtime *rt;
	struct hf_req req;
	struct hf_query q;
	struct hf_upq *upq;
	int udp_fd; /* -1 for TCP */
	struct sockaddr_storage client;
	socklen_t client_len;
	struct tcp_conn *conn;
	uint64_t started_ms;
	bool answered; /* the client already got a stale answer; the result only fills the cache */
	/* The replies to this question held a forgery the guard caught (set by the guard's
	 * code): the client's answer counts as "forged caught" on the timeline. */
	bool forged_caught;
	/* Counters this resolution holds in the flood tables (NO_SLOT: none). */
	uint32_t client_slot, zone_slot;
	struct pending *prev, *next;
};

#define NO_SLOT UINT32_MAX

struct worker {
	struct hf_server *srv;
	unsigned index;
	uv_loop_t loop;
	uv_thread_t thread;
	uv_async_t wake;
	uv_timer_t drain;
	uint64_t drain_started;
	uv_timer_t stale_tick;
	/* Questions whose resolution failed lately and got a stale answer: hash of (name,
	 * type), until when clients get the stale answer at once (RFC 8767 §4), and when a
	 * background refresh may go out next, so recovery shows within seconds. */
	struct {
		uint64_t key;
		uint64_t until_ms;
		uint64_t refresh_ms;
	} stale_hold[STALE_HOLDS];
	uint64_t hold_seed;
	unsigned ticks;
	bool stopping;
	struct udp_sock udp[MAX_LISTEN];
	uv_tcp_t tcp[MAX_LISTEN];
	size_t nudp, ntcp;
	struct tcp_conn *conns;
	unsigned nconns;
	struct pending *pending;
	unsigned npending;
	struct hf_upio *upio; /* upstream I/O: the loop, and its DNS-over-TLS connections */
	struct hf_answer_stats st;
	uint64_t sampled_seen;                 /* questions seen for the policy sample */
	struct hf_dnstap *tap_client, *tap_up; /* the query log, per side; NULL: not logged */
	/* Answers sent, by transport (0 UDP, 1 TCP) and header RCODE or HF_SERVER_DROPPED. */
	_Atomic uint64_t results[2][HF_SERVER_RESULTS];
	/* Flood protection: UDP queries over their rate dropped and slipped (TC=1), and cache
	 * misses refused past resolver.max-per-client, max-per-zone and max-pending. */
	_Atomic uint64_t rl_dropped, rl_slipped, refused_client, refused_zone, shed;
	unsigned slip_count;
	_Atomic uint64_t pending_now; /* npending, for the control plane's thread */

	struct mmsghdr rmsg[BATCH];
	struct mmsghdr smsg[BATCH];
	struct iovec riov[BATCH];
	struct iovec siov[BATCH];
	struct sockaddr_storage raddr[BATCH];
	uint8_t rbuf[BATCH][UDP_BUF];
	uint8_t sbuf[BATCH][UDP_BUF];
	uint8_t out[HF_MSG_MAX];
};

struct hf_server {
	_Atomic(struct runtime *) rt;
	struct hf_cache *cache;
	struct hf_pcache *pcache;
	struct hf_infra *infra;
	struct hf_guard_file *guard_file; /* servers asked over TCP only, across restarts */
	struct hf_events *events;         /* evidence of suspected hijacks (events.file, the hub) */
	struct hf_incidents *incidents;   /* what many replies together show (incidents.h) */
	struct hf_hub *hub;               /* what the control plane shows */
	struct hf_dnstap *dnstap;         /* the query log (dnstap.*); NULL: off */
	struct hf_ratelimit *rl;          /* per-client query rates (ratelimit.*) */
	struct hf_inflight *per_client;   /* resolutions in flight per client prefix */
	struct hf_inflight *per_zone;     /* ... and per zone */
	struct hf_policy_sample *sample;  /* recently asked names, for the blast-radius guard */
	_Atomic uint64_t policy_refused;  /* policies the guard refused */
	unsigned nworkers;
	struct worker *workers;
	size_t nlisten;
	struct hf_addr listen[MAX_LISTEN];
	int *udp_fds; /* [worker][listen] */
	int *tcp_fds;
	bool started;
};

static struct runtime *runtime_now(struct worker *w)
{
	return atomic_load_explicit(&w->srv->rt, memory_order_acquire);
}

static struct hf_answer_ctx answer_ctx(struct worker *w, struct runtime *rt, bool tcp)
{
	return (struct hf_answer_ctx){.cfg = rt->cfg,
	                              .cache = w->srv->cache,
	                              .pcache = w->srv->pcache,
	                              .policy = rt->policy,
	                              .now = hf_clock_wall(),
	                              .tcp = tcp};
}

/* --- the query log (dnstap) ---------------------------------------------------- */

/* Called only when w->tap_client is set: with dnstap off, that test is all it costs. */
static void tap_client(struct worker *w, bool response, bool tcp, const struct sockaddr *client,
                       const struct sockaddr *local, const uint8_t *msg, size_t len)
{
	struct hf_dnstap_msg m = {.proto = tcp ? HF_DNSTAP_TCP : HF_DNSTAP_UDP,
	                          .query_addr = client,
	                          .response_addr = local};
	if (response) {
		m.type = HF_DNSTAP_CLIENT_RESPONSE;
		m.response = msg;
		m.response_len = len;
		m.response_time_us = hf_clock_wall_us();
	} else {
		m.type = HF_DNSTAP_CLIENT_QUERY;
		m.query = msg;
		m.query_len = len;
		m.query_time_us = hf_clock_wall_us();
	}
	hf_dnstap_log(w->tap_client, w->index, &m);
}

/* The listen address behind one of the worker's UDP sockets. */
static const struct sockaddr *udp_local(const struct worker *w, int fd)
{
	for (size_t i = 0; i < w->nudp; i++) {
		if (w->udp[i].fd == fd)
			return (const struct sockaddr *)&w->srv->listen[i].ss;
	}
	return NULL;
}

static void tap_tcp(struct tcp_conn *c, bool response, const uint8_t *msg, size_t len)
{
	struct sockaddr_storage local;
	int n = sizeof(local);
	bool known = uv_tcp_getsockname(&c->h, (struct sockaddr *)&local, &n) == 0;
	tap_client(c->w, response, true, (const struct sockaddr *)&c->peer,
	           known ? (const struct sockaddr *)&local : NULL, msg, len);
}

/*
 * An upstream query as it leaves (reply NULL) or a reply as it arrives, before the
 * resolver judges it: forged replies the guard throws away are in the log too.
 */
static void tap_upstream(struct worker *w, const struct hf_req *r, const struct hf_req_out *o,
                         const uint8_t *reply, size_t len)
{
	bool fwd = r->it == NULL;
	struct hf_dnstap_msg m = {.proto = hf_dnstap_proto_of(o->server, o->tcp),
	                          .response_addr = (const struct sockaddr *)&o->server->addr.ss,
	                          .zone = fwd ? r->set->zone : hf_iter_zone(r->it)};
	uint64_t now = hf_clock_wall_us(), mono = hf_clock_mono_us();
	if (reply == NULL) {
		m.type = fwd ? HF_DNSTAP_FORWARDER_QUERY : HF_DNSTAP_RESOLVER_QUERY;
		m.query = o->wire;
		m.query_len = o->len;
		m.query_time_us = now;
	} else {
		m.type = fwd ? HF_DNSTAP_FORWARDER_RESPONSE : HF_DNSTAP_RESOLVER_RESPONSE;
		m.response = reply;
		m.response_len = len;
		m.response_time_us = now;
		if (r->sent_at_us != 0 && r->sent_at_us <= mono && mono - r->sent_at_us < now)
			m.query_time_us = now - (mono - r->sent_at_us);
	}
	hf_dnstap_log(w->tap_up, w->index, &m);
}

/* --- sending answers --------------------------------------------------------- */

/*
 * Counts one client answer (len 0: none was sent) for /metrics, and its
 * outcome for the timeline. Answers that refuse a query (REFUSED, FORMERR,
 * NOTIMP) count in /metrics but say nothing about resolution, so they stay
 * off the timeline.
 */
static void count_answer(struct worker *w, bool tcp, const uint8_t *msg, size_t len, bool stale,
                         bool forged_caught, int64_t now_s)
{
	unsigned rcode = len >= HF_HEADER_LEN ? msg[3] & 0xF : HF_SERVER_DROPPED;
	hf_counter_inc(&w->results[tcp][rcode]);
	enum hf_outcome o;
	if (rcode == HF_SERVER_DROPPED || rcode == HF_RCODE_SERVFAIL)
		o = HF_OUTCOME_FAILED;
	else if (stale)
		o = HF_OUTCOME_STALE;
	else if (rcode == HF_RCODE_NOERROR || rcode == HF_RCODE_NXDOMAIN)
		o = forged_caught ? HF_OUTCOME_FORGED_CAUGHT : HF_OUTCOME_HONEST;
	else
		return;
	hf_hub_outcome(w->srv->hub, o, now_s);
}

/* A message that got no answer at all (not a query, or unreadable). */
static void count_dropped(struct worker *w, bool tcp)
{
	hf_counter_inc(&w->results[tcp][HF_SERVER_DROPPED]);
}

struct tcp_write {
	uv_write_t req;
	uint8_t data[];
};

static void on_tcp_written(uv_write_t *req, int status)
{
	(void)status;
	hf_free(req);
}

static void tcp_send(struct tcp_conn *c, const uint8_t *msg, size_t len)
{
	if (c->closing || len == 0 || len > HF_MSG_MAX)
		return;
	if (c->w->tap_client != NULL)
		tap_tcp(c, true, msg, len);
	struct tcp_write *wr = hf_malloc(sizeof(*wr) + 2 + len);
	if (wr == NULL)
		return;
	hf_put16(wr->data, (uint16_t)len);
	memcpy(wr->data + 2, msg, len);
	uv_buf_t b = uv_buf_init((char *)wr->data, (unsigned)(2 + len));
	if (uv_write(&wr->req, (uv_stream_t *)&c->h, &b, 1, on_tcp_written) < 0)
		hf_free(wr);
}

/* --- TCP connections ----------------------------------------------------------- */

static void conn_unref(struct tcp_conn *c)
{
	if (--c->refs > 0)
		return;
	struct worker *w = c->w;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->nconns--;
	hf_free(c->buf);
	hf_free(c);
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	struct tcp_conn *c = h->data;
	if (--c->open_handles == 0)
		conn_unref(c);
}

static void conn_close(struct tcp_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_timer_stop(&c->idle);
	uv_close((uv_handle_t *)&c->idle, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->h, on_conn_handle_closed);
}

static void on_conn_idle(uv_timer_t *t)
{
	struct tcp_conn *c = t->data;
	/* RFC 7766 §6.2.3: close when idle; a connection waiting on answers is not idle. */
	if (c->inflight > 0) {
		uv_timer_again(t);
		return;
	}
	conn_close(c);
}

static void start_resolve(struct worker *w, struct runtime *rt, const struct hf_query *q,
                          int udp_fd, const struct sockaddr_storage *client, socklen_t client_len,
                          struct tcp_conn *conn);
static size_t stale_if_held(struct worker *w, struct runtime *rt, const struct hf_query *q,
                            bool tcp, uint8_t *out);

/*
 * The blast-radius guard's sample of recent questions: every question until
 * the sample has filled once, then one in SAMPLE_EVERY, which keeps the
 * cached-answer path to a counter test and reaches further back in time.
 */
static void sample_question(struct worker *w, const struct hf_query *q)
{
	if (!q->asked)
		return;
	uint64_t n = w->sampled_seen++;
	if (n < HF_POLICY_SAMPLE || n % SAMPLE_EVERY == 0)
		hf_policy_sample_add(w->srv->sample, w->index, q->qname);
}

static void conn_handle_message(struct tcp_conn *c, const uint8_t *msg, size_t len)
{
	struct worker *w = c->w;
	struct runtime *rt = runtime_now(w);
	struct hf_answer_ctx ctx = answer_ctx(w, rt, true);
	struct hf_query q;
	size_t out_len = 0;
	if (w->tap_client != NULL)
		tap_tcp(c, false, msg, len);
	enum hf_verdict v = hf_answer_query(&ctx, msg, len, (const struct sockaddr *)&c->peer, &q,
	                                    w->out, &out_len, &w->st);
	sample_question(w, &q);
	bool stale = false;
	if (v == HF_VERDICT_RESOLVE && (out_len = stale_if_held(w, rt, &q, true, w->out)) != 0) {
		v = HF_VERDICT_ANSWER;
		stale = true;
	}
	if (v == HF_VERDICT_DROP)
		count_dropped(w, true);
	if (v == HF_VERDICT_ANSWER) {
		tcp_send(c, w->out, out_len);
		count_answer(w, true, w->out, out_len, stale, false, ctx.now);
	} else if (v == HF_VERDICT_RESOLVE)
		start_resolve(w, rt, &q, -1, &c->peer, sizeof(c->peer), c);
	if (v == HF_VERDICT_ANSWER && q.refresh)
		start_resolve(w, rt, &q, -1, NULL, 0, NULL);
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct tcp_conn *c = h->data;
	*buf = uv_buf_init((char *)c->buf + c->len, (unsigned)(2 + HF_MSG_MAX - c->len));
}

static void conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct tcp_conn *c = s->data;
	if (nread < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	uv_timer_again(&c->idle);
	/* Several queries may arrive in one read (RFC 7766 §6.2.1.1 pipelining). */
	size_t off = 0;
	while (!c->closing && c->len - off >= 2) {
		size_t mlen = hf_get16(c->buf + off);
		if (c->len - off < 2 + mlen)
			break;
		conn_handle_message(c, c->buf + off + 2, mlen);
		off += 2 + mlen;
	}
	if (off > 0 && !c->closing) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
	}
}

static unsigned conns_from(const struct worker *w, const struct sockaddr_storage *peer)
{
	unsigned n = 0;
	for (const struct tcp_conn *c = w->conns; c != NULL; c = c->next) {
		if (c->peer.ss_family != peer->ss_family)
			continue;
		if (peer->ss_family == AF_INET
		        ? ((const struct sockaddr_in *)&c->peer)->sin_addr.s_addr ==
		              ((const struct sockaddr_in *)peer)->sin_addr.s_addr
		        : memcmp(&((const struct sockaddr_in6 *)&c->peer)->sin6_addr,
		                 &((const struct sockaddr_in6 *)peer)->sin6_addr, 16) == 0)
			n++;
	}
	return n;
}

static void on_tcp_connection(uv_stream_t *server, int status)
{
	struct worker *w = server->data;
	if (status < 0 || w->stopping)
		return;
	struct tcp_conn *c = hf_calloc(1, sizeof(*c));
	if (c != NULL)
		c->buf = hf_malloc(2 + HF_MSG_MAX);
	if (c == NULL || c->buf == NULL) {
		if (c != NULL)
			hf_free(c);
		return;
	}
	c->w = w;
	c->refs = 1;
	uv_tcp_init(&w->loop, &c->h);
	uv_timer_init(&w->loop, &c->idle);
	c->h.data = c;
	c->idle.data = c;
	c->open_handles = 2;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->h) < 0) {
		conn_close(c);
		return;
	}
	int namelen = sizeof(c->peer);
	uv_tcp_getpeername(&c->h, (struct sockaddr *)&c->peer, &namelen);

	const struct hf_config *cfg = runtime_now(w)->cfg;
	unsigned per_worker = (cfg->tcp.max_connections + w->srv->nworkers - 1) / w->srv->nworkers;
	if (w->nconns > per_worker || conns_from(w, &c->peer) > cfg->tcp.max_per_client) {
		conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->h, 1);
	uv_timer_start(&c->idle, on_conn_idle, cfg->tcp.idle_timeout_ms, cfg->tcp.idle_timeout_ms);
	if (uv_read_start((uv_stream_t *)&c->h, conn_alloc, conn_read) < 0)
		conn_close(c);
}

/* --- requests waiting on upstreams ---------------------------------------------- */

static void pending_unlink(struct pending *p)
{
	struct worker *w = p->w;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		w->pending = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	w->npending--;
	atomic_store_explicit(&w->pending_now, w->npending, memory_order_relaxed);
}

static void release_slots(struct worker *w, struct pending *p);

static void pending_free(struct pending *p)
{
	pending_unlink(p);
	hf_upq_cancel(p->upq);
	hf_req_clear(&p->req);
	release_slots(p->w, p);
	if (p->conn != NULL) {
		p->conn->inflight--;
		conn_unref(p->conn);
	}
	hf_free(p);
}

static void send_answer(struct pending *p, size_t len, bool stale)
{
	if (p->client_len == 0)
		return; /* a prefetch: nobody is waiting */
	count_answer(p->w, p->conn != NULL, p->w->out, len, stale, p->forged_caught,
	             hf_clock_wall());
	if (p->conn != NULL)
		tcp_send(p->conn, p->w->out, len);
	else if (len != 0) {
		(void)sendto(p->udp_fd, p->w->out, len, MSG_DONTWAIT, (struct sockaddr *)&p->client,
		             p->client_len);
		if (p->w->tap_client != NULL)
			tap_client(p->w, true, false, (const struct sockaddr *)&p->client,
			           udp_local(p->w, p->udp_fd), p->w->out, len);
	}
}

/* FNV-1a over the lowercased name and the type, from a per-worker random seed. */
static uint64_t hold_key(const struct worker *w, const struct hf_query *q)
{
	uint64_t h = w->hold_seed;
	for (size_t i = 0; i < q->qname_len; i++)
		h = (h ^ hf_lower(q->qname[i])) * 0x100000001b3ULL;
	h = (h ^ q->qtype) * 0x100000001b3ULL;
	return h | 1; /* 0 marks a free slot */
}

static void hold_stale(struct worker *w, const struct hf_query *q, uint32_t for_ms)
{
	uint64_t key = hold_key(w, q);
	size_t i = key % STALE_HOLDS;
	w->stale_hold[i].key = key;
	w->stale_hold[i].until_ms = hf_clock_mono_ms() + for_ms;
	w->stale_hold[i].refresh_ms = hf_clock_mono_ms() + STALE_REFRESH_MS;
}

/*
 * Is the question held (answered stale at once)? *refresh says whether a
 * background refresh is due (then the next one is STALE_REFRESH_MS away).
 */
static bool held_stale(struct worker *w, const struct hf_query *q, bool *refresh)
{
	uint64_t key = hold_key(w, q);
	size_t i = key % STALE_HOLDS;
	uint64_t now = hf_clock_mono_ms();
	if (w->stale_hold[i].key != key || w->stale_hold[i].until_ms <= now)
		return false;
	*refresh = w->stale_hold[i].refresh_ms <= now;
	if (*refresh)
		w->stale_hold[i].refresh_ms = now + STALE_REFRESH_MS;
	return true;
}

/* One evidence event of the request, with what the client got. */
static void record_event(struct pending *p, struct hf_evidence *ev, const uint8_t *answer,
                         size_t len, bool stale)
{
	if (p->rt->cfg->events.client_addresses && p->client_len != 0) {
		struct hf_addr a = {.ss = p->client, .len = p->client_len};
		hf_addr_format(&a, ev->client, sizeof(ev->client));
	}
	if (len != 0)
		hf_evidence_outcome(ev, answer, len, stale);
	else
		ev->client_stale = stale;
	hf_events_write(p->w->srv->events, ev);
}

/* Each upstream question the guard doubted replies to becomes one evidence event. */
static void record_evidence(struct pending *p, const uint8_t *answer, size_t len, bool stale)
{
	for (unsigned i = 0; i < p->req.nev_done; i++)
		record_event(p, p->req.ev_done[i], answer, len, stale);
	if (p->req.ev != NULL)
		record_event(p, p->req.ev, answer, len, stale);
}

/* RFC 8914 codes 6-12: DNSSEC Bogus, Signature Expired / Not Yet Valid, DNSKEY Missing,
 * RRSIGs Missing, No Zone Key Bit Set, NSEC Missing. */
static bool is_dnssec_failure(uint16_t ede)
{
	return ede >= 6 && ede <= 12;
}

#define NS_NAMES_MAX 13

static void finish(struct pending *p)
{
	struct worker *w = p->w;
	struct hf_answer_ctx ctx = answer_ctx(w, p->rt, p->conn != NULL);
	const uint8_t *ns[NS_NAMES_MAX];
	/* RPZ NSDNAME: only iteration knows which servers answered (forwarding does not). */
	if (p->rt->policy != NULL && p->req.it != NULL && hf_policy_has_nsdname(p->rt->policy)) {
		ctx.nns = hf_iter_ns_names(p->req.it, ns, NS_NAMES_MAX);
		ctx.ns_names = ns;
	}
	size_t len;
	bool stale = false;
	if (p->req.reply == NULL && is_dnssec_failure(p->req.ede))
		hf_incidents_dnssec_failure(w->srv->incidents, p->q.qname,
		                            p->req.it != NULL ? hf_iter_zone(p->req.it) : NULL,
		                            hf_clock_wall());
	if (p->answered) {
		/* The client has its stale answer; a fresh result still refreshes the cache. */
		if (p->req.reply != NULL)
			(void)hf_answer_upstream(&ctx, &p->q, p->req.reply, p->req.reply_len,
			                         p->req.it != NULL, w->out);
		record_evidence(p, NULL, 0, true);
		pending_free(p);
		return;
	}
	if (p->req.reply != NULL)
		len = hf_answer_upstream(&ctx, &p->q, p->req.reply, p->req.reply_len,
		                         p->req.it != NULL, w->out);
	else if (p->rt->cfg->serve_stale.enabled &&
	         (len = hf_answer_stale(&ctx, &p->q, p->req.ede_text, w->out)) != 0) {
		hf_counter_inc(&w->st.stale);
		stale = true;
		hold_stale(w, &p->q, p->rt->cfg->serve_stale.recheck_ms);
	} else
		len = hf_answer_servfail(&ctx, &p->q, p->req.ede, p->req.ede_text, w->out);
	/* The evidence is on disk before the client has its answer: whoever sees the answer can
	 * find the event. */
	record_evidence(p, w->out, len, stale);
	p->forged_caught = p->req.ev != NULL || p->req.nev_done != 0;
	send_answer(p, len, stale);
	pending_free(p);
}

/*
 * A question whose resolution failed lately gets its stale answer at once
 * (RFC 8767 §4): out gets it, 0 when it is not held or nothing stale is left.
 */
static size_t stale_if_held(struct worker *w, struct runtime *rt, const struct hf_query *q,
                            bool tcp, uint8_t *out)
{
	bool refresh = false;
	if (!rt->cfg->serve_stale.enabled || !held_stale(w, q, &refresh))
		return 0;
	struct hf_answer_ctx ctx = answer_ctx(w, rt, tcp);
	size_t len = hf_answer_stale(&ctx, q, "upstream failed lately", out);
	if (len == 0)
		return 0;
	hf_counter_inc(&w->st.stale);
	/* Keep trying, throttled: the first refresh that succeeds ends the stale answers. */
	if (refresh)
		start_resolve(w, rt, q, -1, NULL, 0, NULL);
	return len;
}

/*
 * RFC 8767 §5: a client whose question has taken serve-stale.client-timeout
 * already gets the expired answer, if the cache still has one; the
 * resolution goes on and refreshes the cache when it ends.
 */
static void policy_tick(struct hf_server *s);

static void on_stale_tick(uv_timer_t *t)
{
	struct worker *w = t->data;
	uint64_t now = hf_clock_mono_ms();
	if (w->index == 0 && ++w->ticks % GUARD_SYNC_TICKS == 0)
		hf_guard_file_sync(w->srv->guard_file, runtime_now(w)->up, w->srv->infra);
	if (w->index == 0 && w->ticks % INCIDENT_TICKS == 0) {
		hf_incidents_tick(w->srv->incidents, hf_clock_wall());
		policy_tick(w->srv);
	}
	for (struct pending *p = w->pending; p != NULL; p = p->next) {
		const struct hf_config *cfg = p->rt->cfg;
		if (p->answered || !cfg->serve_stale.enabled ||
		    cfg->serve_stale.client_timeout_ms == 0 ||
		    now - p->started_ms < cfg->serve_stale.client_timeout_ms)
			continue;
		struct hf_answer_ctx ctx = answer_ctx(w, p->rt, p->conn != NULL);
		size_t len = hf_answer_stale(&ctx, &p->q, "resolution is taking long", w->out);
		if (len == 0)
			continue;
		p->answered = true;
		hf_counter_inc(&w->st.stale);
		send_answer(p, len, true);
	}
}

static void step(struct pending *p);

static void on_upstream(void *arg, const uint8_t *wire, size_t len, int err, int ip_ttl)
{
	struct pending *p = arg;
	uint64_t now_us = hf_clock_mono_us();
	/* Replies that match no question are counted on the server (the iterator and the
	 * forwarder alike); other workers' share in the difference only adds to a flood. */
	struct hf_upstream *server = p->req.sent.server;
	uint64_t bad_before = server != NULL ? atomic_load(&server->bad_replies) : 0;
	if (p->w->tap_up != NULL && err == HF_OK)
		tap_upstream(p->w, &p->req, &p->req.sent, wire, len);
	enum hf_req_state st = err != HF_OK ? hf_req_timeout(&p->req, now_us / 1000)
	                                    : hf_req_consume(&p->req, wire, len, now_us, ip_ttl);
	uint64_t bad = server != NULL ? atomic_load(&server->bad_replies) - bad_before : 0;
	if (bad != 0)
		hf_incidents_unmatched(p->w->srv->incidents, server->name,
		                       bad > UINT32_MAX ? UINT32_MAX : (unsigned)bad,
		                       hf_clock_wall());
	if (st == HF_REQ_WAIT)
		return;
	if (st == HF_REQ_HOLD) {
		/* Hold on: later replies still come in; the timer now ends the hold. */
		hf_upq_rearm(p->upq, hf_req_hold_ms(&p->req, now_us));
		return;
	}
	hf_upq_cancel(p->upq);
	p->upq = NULL;
	if (st == HF_REQ_DONE)
		finish(p);
	else
		step(p);
}

static void step(struct pending *p)
{
	for (;;) {
		struct hf_req_out out;
		if (hf_req_produce(&p->req, hf_clock_mono_us(), &out) != HF_REQ_SEND) {
			finish(p);
			return;
		}
		p->upq = hf_upq_start(p->w->upio, out.server, out.tcp, out.wire, out.len,
		                      out.timeout_ms, on_upstream, p);
		if (p->upq != NULL && p->w->tap_up != NULL)
			tap_upstream(p->w, &p->req, &out, NULL, 0);
		if (p->upq != NULL)
			return;
		/* No socket for this attempt: count it as a failed server and go on. */
		if (hf_req_timeout(&p->req, hf_clock_mono_ms()) == HF_REQ_DONE) {
			finish(p);
			return;
		}
	}
}

/*
 * A client whose cache miss is not resolved (out of memory, or past a flood
 * limit) gets what the cache still has, stale (RFC 8767), or SERVFAIL with
 * Extended DNS Error 0 saying why: a stub then tries its next resolver at
 * once instead of waiting out a timeout. Background work gets nothing.
 */
static void refuse(struct worker *w, struct runtime *rt, const struct hf_query *q, int udp_fd,
                   const struct sockaddr_storage *client, socklen_t client_len,
                   struct tcp_conn *conn, const char *why)
{
	if (client_len == 0)
		return;
	struct hf_answer_ctx ctx = answer_ctx(w, rt, conn != NULL);
	size_t len = 0;
	if (rt->cfg->serve_stale.enabled)
		len = hf_answer_stale(&ctx, q, why, w->out);
	bool stale = len != 0;
	if (stale)
		hf_counter_inc(&w->st.stale);
	else
		len = hf_answer_servfail(&ctx, q, 0, why, w->out);
	count_answer(w, conn != NULL, w->out, len, stale, false, ctx.now);
	if (conn != NULL)
		tcp_send(conn, w->out, len);
	else
		(void)sendto(udp_fd, w->out, len, MSG_DONTWAIT, (const struct sockaddr *)client,
		             client_len);
}

/*
 * Flood limits on resolutions: the worker's cap, then the client's prefix,
 * then the zone. NULL when admitted (p holds the slots it took), else why
 * not. Background work (no client) is charged to its zone only.
 */
static const char *admit(struct worker *w, const struct hf_config *cfg,
                         const struct hf_fwd_set *set, const struct hf_query *q,
                         const struct sockaddr_storage *client, socklen_t client_len,
                         struct pending *p)
{
	p->client_slot = p->zone_slot = NO_SLOT;
	if (w->npending >= cfg->resolver.max_pending) {
		hf_counter_inc(&w->shed);
		return "resolver overloaded";
	}
	if (client_len != 0) {
		uint64_t key =
		    hf_client_prefix((const struct sockaddr *)client, cfg->ratelimit.ipv4_prefix,
		                     cfg->ratelimit.ipv6_prefix);
		if (!hf_inflight_take(w->srv->per_client, key, cfg->resolver.max_per_client,
		                      &p->client_slot)) {
			p->client_slot = NO_SLOT;
			hf_counter_inc(&w->refused_client);
			return "too many queries in flight from this client";
		}
	}
	uint64_t zone = hf_zone_key(q->qname, set != NULL ? set->zone : NULL);
	if (!hf_inflight_take(w->srv->per_zone, zone, cfg->resolver.max_per_zone, &p->zone_slot)) {
		p->zone_slot = NO_SLOT;
		hf_counter_inc(&w->refused_zone);
		return "too many queries in flight for this zone";
	}
	return NULL;
}

/* Sets p up to resolve q: forwarding when a forward zone covers it, else iteration. */
static int init_request(struct worker *w, struct runtime *rt, struct hf_fwd_set *set,
                        const struct hf_query *q, bool background, struct pending *p)
{
	const struct hf_config *cfg = rt->cfg;
	int rc = HF_OK;
	if (set != NULL) {
		hf_req_init(&p->req, q->qname, q->qtype, q->qclass, q->dnssec_ok,
		            q->flags & HF_FLAG_CD, set, cfg->resolver.edns_buffer_size,
		            cfg->resolver.query_timeout_ms,
		            hf_clock_mono_ms() + cfg->resolver.max_time_ms);
	} else {
		struct hf_iter_env env = {.cfg = cfg,
		                          .cache = w->srv->cache,
		                          .roots = rt->roots,
		                          .anchors = rt->anchors,
		                          .infra = w->srv->infra,
		                          .now_wall = hf_clock_wall(),
		                          .refresh = background};
		rc = hf_req_init_iter(&p->req, &env, q->qname, q->qtype, q->qclass,
		                      q->flags & HF_FLAG_CD, hf_clock_mono_ms());
	}
	if (rc != HF_OK)
		return rc;
	struct hf_req_guard g = {.on = cfg->guard.hold_on,
	                         .max_hold_ms = cfg->guard.max_hold_ms,
	                         .tcp_for_ms = cfg->guard.tcp_after_doubt_ms,
	                         .tcp_timeout_ms = cfg->resolver.query_timeout_ms,
	                         .trusted = hf_upstreams_find_trusted(rt->up, q->qname),
	                         .deadline_ms = hf_clock_mono_ms() + cfg->resolver.max_time_ms,
	                         .edns_size = cfg->resolver.edns_buffer_size,
	                         .forged = rt->forged,
	                         .incidents = w->srv->incidents};
	hf_req_set_guard(&p->req, &g);
	return HF_OK;
}

static void release_slots(struct worker *w, struct pending *p)
{
	if (p->client_slot != NO_SLOT)
		hf_inflight_put(w->srv->per_client, p->client_slot);
	if (p->zone_slot != NO_SLOT)
		hf_inflight_put(w->srv->per_zone, p->zone_slot);
}

static void start_resolve(struct worker *w, struct runtime *rt, const struct hf_query *q,
                          int udp_fd, const struct sockaddr_storage *client, socklen_t client_len,
                          struct tcp_conn *conn)
{
	struct hf_fwd_set *set = hf_upstreams_find(rt->up, q->qname);
	struct pending *p = hf_calloc(1, sizeof(*p));
	if (p == NULL) {
		refuse(w, rt, q, udp_fd, client, client_len, conn, "out of memory");
		return;
	}
	const char *why = admit(w, rt->cfg, set, q, client, client_len, p);
	if (why == NULL && init_request(w, rt, set, q, client_len == 0, p) != HF_OK) {
		hf_req_clear(&p->req);
		why = "out of memory";
	}
	if (why != NULL) {
		release_slots(w, p);
		hf_free(p);
		refuse(w, rt, q, udp_fd, client, client_len, conn, why);
		return;
	}
	p->w = w;
	p->rt = rt;
	p->q = *q;
	p->udp_fd = udp_fd;
	p->started_ms = hf_clock_mono_ms();
	if (client_len != 0)
		memcpy(&p->client, client, client_len);
	p->client_len = client_len;
	p->answered = client_len == 0; /* a prefetch has no client to answer stale */
	p->conn = conn;
	if (conn != NULL) {
		conn->refs++;
		conn->inflight++;
	}
	p->next = w->pending;
	if (w->pending != NULL)
		w->pending->prev = p;
	w->pending = p;
	w->npending++;
	atomic_store_explicit(&w->pending_now, w->npending, memory_order_relaxed);
	step(p);
}

/* --- UDP ------------------------------------------------------------------------ */

/*
 * ratelimit.*: is this UDP query from a client over its rate? Exempt
 * prefixes are looked up only for queries already over it, so the check
 * that every query pays stays one hash and one cache line.
 */
static bool over_rate(struct worker *w, const struct hf_config *cfg, const struct sockaddr *client,
                      uint64_t now_us)
{
	unsigned qps = cfg->ratelimit.qps;
	unsigned burst = cfg->ratelimit.burst != 0 ? cfg->ratelimit.burst : qps;
	uint64_t prefix =
	    hf_client_prefix(client, cfg->ratelimit.ipv4_prefix, cfg->ratelimit.ipv6_prefix);
	if (hf_ratelimit_allow(w->srv->rl, prefix, qps, burst, now_us))
		return false;
	return !hf_prefix_match(cfg->ratelimit.exempt, cfg->ratelimit.nexempt, client);
}

/*
 * A query over its client's rate: every slip-th gets an empty truncated
 * answer (into out; its length returned), so a real client behind the
 * prefix moves to TCP; the rest are dropped (0), which also caps what a
 * spoofed source can reflect.
 */
static size_t limited(struct worker *w, const struct hf_config *cfg, const uint8_t *msg, size_t len,
                      uint8_t *out)
{
	unsigned slip = cfg->ratelimit.slip;
	size_t n = 0;
	if (slip != 0 && ++w->slip_count >= slip) {
		w->slip_count = 0;
		n = hf_answer_slip(msg, len, out);
	}
	if (n != 0) {
		hf_counter_inc(&w->rl_slipped);
		hf_counter_inc(&w->results[0][HF_RCODE_NOERROR]);
	} else {
		hf_counter_inc(&w->rl_dropped);
		count_dropped(w, false);
	}
	return n;
}

static void send_batch(int fd, struct mmsghdr *msgs, unsigned n)
{
	unsigned done = 0;
	while (done < n) {
		int sent = sendmmsg(fd, msgs + done, n - done, MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			done++; /* skip the datagram the kernel refused (EAGAIN: dropped) */
			continue;
		}
		done += (unsigned)sent;
	}
}

static unsigned receive_batch(struct worker *w, int fd)
{
	for (unsigned i = 0; i < BATCH; i++) {
		w->riov[i] = (struct iovec){.iov_base = w->rbuf[i], .iov_len = UDP_BUF};
		w->rmsg[i].msg_hdr = (struct msghdr){.msg_name = &w->raddr[i],
		                                     .msg_namelen = sizeof(w->raddr[i]),
		                                     .msg_iov = &w->riov[i],
		                                     .msg_iovlen = 1};
	}
	int n = recvmmsg(fd, w->rmsg, BATCH, MSG_DONTWAIT, NULL);
	return n > 0 ? (unsigned)n : 0;
}

/* Answer ns of the batch (in sbuf[ns]) goes to the sender of query i. */
static void queue_reply(struct worker *w, unsigned ns, unsigned i, size_t len)
{
	w->siov[ns] = (struct iovec){.iov_base = w->sbuf[ns], .iov_len = len};
	w->smsg[ns].msg_hdr = (struct msghdr){.msg_name = &w->raddr[i],
	                                      .msg_namelen = w->rmsg[i].msg_hdr.msg_namelen,
	                                      .msg_iov = &w->siov[ns],
	                                      .msg_iovlen = 1};
}

static void on_udp_readable(uv_poll_t *h, int status, int events)
{
	(void)events;
	struct udp_sock *us = h->data;
	struct worker *w = us->w;
	if (status < 0 || w->stopping)
		return;
	for (int round = 0; round < BATCHES_PER_WAKE; round++) {
		unsigned n = receive_batch(w, us->fd);
		if (n == 0)
			return;
		struct runtime *rt = runtime_now(w);
		struct hf_answer_ctx ctx = answer_ctx(w, rt, false);
		uint64_t now_us = rt->cfg->ratelimit.qps != 0 ? hf_clock_mono_us() : 0;
		unsigned ns = 0;
		for (unsigned i = 0; i < n; i++) {
			if (w->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				count_dropped(w, false);
				continue; /* no query is that big */
			}
			size_t out_len = 0;
			if (now_us != 0 &&
			    over_rate(w, rt->cfg, (const struct sockaddr *)&w->raddr[i], now_us)) {
				out_len = limited(w, rt->cfg, w->rbuf[i], w->rmsg[i].msg_len,
				                  w->sbuf[ns]);
				if (out_len != 0)
					queue_reply(w, ns++, i, out_len);
				continue;
			}
			if (w->tap_client != NULL)
				tap_client(w, false, false, (const struct sockaddr *)&w->raddr[i],
				           udp_local(w, us->fd), w->rbuf[i], w->rmsg[i].msg_len);
			struct hf_query q;
			enum hf_verdict v = hf_answer_query(&ctx, w->rbuf[i], w->rmsg[i].msg_len,
			                                    (const struct sockaddr *)&w->raddr[i],
			                                    &q, w->sbuf[ns], &out_len, &w->st);
			sample_question(w, &q);
			bool stale = false;
			if (v == HF_VERDICT_RESOLVE &&
			    (out_len = stale_if_held(w, rt, &q, false, w->sbuf[ns])) != 0) {
				v = HF_VERDICT_ANSWER;
				stale = true;
			}
			if (v == HF_VERDICT_RESOLVE) {
				start_resolve(w, rt, &q, us->fd, &w->raddr[i],
				              w->rmsg[i].msg_hdr.msg_namelen, NULL);
				continue;
			}
			if (v == HF_VERDICT_ANSWER && q.refresh)
				start_resolve(w, rt, &q, -1, NULL, 0, NULL);
			if (v == HF_VERDICT_DROP)
				count_dropped(w, false);
			if (v != HF_VERDICT_ANSWER || out_len == 0)
				continue;
			count_answer(w, false, w->sbuf[ns], out_len, stale, false, ctx.now);
			if (w->tap_client != NULL)
				tap_client(w, true, false, (const struct sockaddr *)&w->raddr[i],
				           udp_local(w, us->fd), w->sbuf[ns], out_len);
			queue_reply(w, ns++, i, out_len);
		}
		send_batch(us->fd, w->smsg, ns);
		if (n < BATCH)
			return;
	}
}

/* --- worker life ------------------------------------------------------------------ */

/* A poll handle does not own its descriptor: close it once libuv lets go. */
static void on_udp_closed(uv_handle_t *h)
{
	struct udp_sock *us = h->data;
	close(us->fd);
}

static void close_listeners(struct worker *w)
{
	for (size_t i = 0; i < w->nudp; i++) {
		uv_poll_stop(&w->udp[i].poll);
		uv_close((uv_handle_t *)&w->udp[i].poll, on_udp_closed);
	}
	for (size_t i = 0; i < w->ntcp; i++)
		uv_close((uv_handle_t *)&w->tcp[i], NULL);
}

static void shut_down(struct worker *w)
{
	while (w->pending != NULL)
		pending_free(w->pending);
	hf_upio_close(w->upio);
	w->upio = NULL;
	for (struct tcp_conn *c = w->conns; c != NULL; c = c->next)
		conn_close(c);
	uv_timer_stop(&w->drain);
	uv_close((uv_handle_t *)&w->drain, NULL);
	uv_timer_stop(&w->stale_tick);
	uv_close((uv_handle_t *)&w->stale_tick, NULL);
	uv_close((uv_handle_t *)&w->wake, NULL);
}

static void on_drain_tick(uv_timer_t *t)
{
	struct worker *w = t->data;
	if (w->npending == 0 || hf_clock_mono_ms() - w->drain_started >= DRAIN_MAX_MS)
		shut_down(w);
}

static void on_wake(uv_async_t *a)
{
	struct worker *w = a->data;
	if (w->stopping)
		return;
	w->stopping = true;
	close_listeners(w);
	/* Idle connections go now; those with answers pending go when drained. */
	for (struct tcp_conn *c = w->conns; c != NULL; c = c->next) {
		if (c->inflight == 0)
			conn_close(c);
	}
	w->drain_started = hf_clock_mono_ms();
	uv_timer_start(&w->drain, on_drain_tick, 0, DRAIN_TICK_MS);
}

static int worker_init(struct worker *w)
{
	struct hf_server *s = w->srv;
	int rc = uv_loop_init(&w->loop);
	if (rc < 0)
		return rc;
	w->upio = hf_upio_new(&w->loop);
	if (w->upio == NULL)
		return HF_ENOMEM;
	w->tap_client = hf_dnstap_logs_client(s->dnstap) ? s->dnstap : NULL;
	w->tap_up = hf_dnstap_logs_upstream(s->dnstap) ? s->dnstap : NULL;
	uv_async_init(&w->loop, &w->wake, on_wake);
	w->wake.data = w;
	uv_timer_init(&w->loop, &w->drain);
	w->drain.data = w;
	uv_timer_init(&w->loop, &w->stale_tick);
	w->stale_tick.data = w;
	hf_random_bytes(&w->hold_seed, sizeof(w->hold_seed));
	uv_timer_start(&w->stale_tick, on_stale_tick, STALE_TICK_MS, STALE_TICK_MS);
	for (size_t i = 0; i < s->nlisten; i++) {
		struct udp_sock *us = &w->udp[w->nudp];
		us->fd = s->udp_fds[w->index * s->nlisten + i];
		us->w = w;
		rc = uv_poll_init(&w->loop, &us->poll, us->fd);
		if (rc < 0)
			return rc;
		us->poll.data = us;
		w->nudp++;
		uv_poll_start(&us->poll, UV_READABLE, on_udp_readable);

		uv_tcp_t *t = &w->tcp[w->ntcp];
		uv_tcp_init(&w->loop, t);
		t->data = w;
		w->ntcp++;
		rc = uv_tcp_open(t, s->tcp_fds[w->index * s->nlisten + i]);
		if (rc == 0)
			rc = uv_listen((uv_stream_t *)t, TCP_BACKLOG, on_tcp_connection);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void worker_main(void *arg)
{
	struct worker *w = arg;
	uv_run(&w->loop, UV_RUN_DEFAULT);
	uv_loop_close(&w->loop);
}

/* --- sockets ---------------------------------------------------------------------- */

/*
 * Bursts of queries must not overflow the socket between two reads: ask for
 * large buffers, beyond the system maximum when running as root.
 */
static void grow_buffers(int fd)
{
	int size = UDP_SOCKET_BUFFER;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static int open_socket(const struct hf_addr *a, int type, char *err)
{
	char name[64];
	hf_addr_format(a, name, sizeof(name));
	int fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (a->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (type == SOCK_DGRAM)
		grow_buffers(fd);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, TCP_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, HF_CONFIG_ERR_MAX, "listen %s (%s): %s", name,
	         type == SOCK_STREAM ? "tcp" : "udp", strerror(errno));
	int saved = errno;
	if (fd >= 0)
		close(fd);
	return -saved;
}

static void close_fds(struct hf_server *s)
{
	size_t n = (size_t)s->nworkers * s->nlisten;
	for (size_t i = 0; i < n; i++) {
		if (s->udp_fds != NULL && s->udp_fds[i] >= 0)
			close(s->udp_fds[i]);
		if (s->tcp_fds != NULL && s->tcp_fds[i] >= 0)
			close(s->tcp_fds[i]);
	}
	hf_free(s->udp_fds);
	hf_free(s->tcp_fds);
	s->udp_fds = s->tcp_fds = NULL;
}

/* An IPv6 address the machine does not have is skipped (with a warning), not fatal. */
static int open_all(struct hf_server *s, const struct hf_config *cfg, char *err)
{
	for (size_t i = 0; i < cfg->nlisten && s->nlisten < MAX_LISTEN; i++) {
		char probe_err[HF_CONFIG_ERR_MAX];
		int fd = open_socket(&cfg->listen[i], SOCK_DGRAM, probe_err);
		if (fd == -EADDRNOTAVAIL && cfg->listen[i].ss.ss_family == AF_INET6) {
			hf_log_warn("%s; skipped", probe_err);
			continue;
		}
		if (fd < 0) {
			snprintf(err, HF_CONFIG_ERR_MAX, "%s", probe_err);
			return fd;
		}
		close(fd);
		s->listen[s->nlisten++] = cfg->listen[i];
	}
	if (s->nlisten == 0) {
		snprintf(err, HF_CONFIG_ERR_MAX, "no address to listen on");
		return HF_EINVAL;
	}
	size_t n = (size_t)s->nworkers * s->nlisten;
	s->udp_fds = hf_malloc(n * sizeof(int));
	s->tcp_fds = hf_malloc(n * sizeof(int));
	if (s->udp_fds == NULL || s->tcp_fds == NULL)
		return HF_ENOMEM;
	for (size_t i = 0; i < n; i++)
		s->udp_fds[i] = s->tcp_fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct hf_addr *a = &s->listen[i % s->nlisten];
		s->udp_fds[i] = open_socket(a, SOCK_DGRAM, err);
		if (s->udp_fds[i] < 0)
			return s->udp_fds[i];
		s->tcp_fds[i] = open_socket(a, SOCK_STREAM, err);
		if (s->tcp_fds[i] < 0)
			return s->tcp_fds[i];
	}
	return HF_OK;
}

/* --- the server ------------------------------------------------------------------- */

static uint64_t total_queries(struct hf_server *s)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < s->nworkers; i++)
		n += hf_counter_get(&s->workers[i].st.queries);
	return n;
}

/* Once a second: the running policy's breaker looks at its rules' hits. */
static void policy_tick(struct hf_server *s)
{
	struct hf_policy *p = atomic_load_explicit(&s->rt, memory_order_acquire)->policy;
	if (p != NULL)
		(void)hf_policy_tick(p, total_queries(s), s->sample, s->incidents, hf_clock_wall());
}

static struct hf_incident_opts incident_opts(const struct hf_config *cfg)
{
	return (struct hf_incident_opts){.window_s = cfg->guard.incident_window,
	                                 .quiet_s = cfg->guard.incident_quiet,
	                                 .fanin_names = cfg->guard.fan_in_names,
	                                 .fanin_zones = cfg->guard.fan_in_zones,
	                                 .fanin_servers = cfg->guard.fan_in_servers,
	                                 .dnssec_zones = cfg->guard.dnssec_burst_zones,
	                                 .unmatched_flood = cfg->guard.unmatched_flood};
}

/* An incident opened, changed or closed: the evidence file and the hub hear of it. */
static void on_incident(void *arg, uint64_t id, const char *rule, enum hf_incident_change change,
                        const char *json, size_t len)
{
	struct hf_server *s = arg;
	hf_events_incident(s->events, id, rule, change, json, len);
	if (change == HF_INCIDENT_OPEN)
		hf_log_warn("incident %llu opened (%s): %.*s", (unsigned long long)id, rule,
		            (int)len, json);
	else if (change == HF_INCIDENT_CLOSE)
		hf_log_warn("incident %llu closed (%s)", (unsigned long long)id, rule);
}

/* A fan-in incident's breaker: what was accepted in its prefix before it opened goes. */
static void on_rollback(void *arg, const uint8_t *name)
{
	struct hf_server *s = arg;
	hf_cache_flush_name(s->cache, name); /* the name's records, not the zone below it */
	hf_pcache_flush_name(s->pcache, name);
}

static unsigned worker_count(const struct hf_config *cfg)
{
	if (cfg->workers != 0)
		return cfg->workers;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

struct hf_server *hf_server_new(struct hf_config *cfg, struct hf_upstreams *up,
                                struct hf_roots *roots, struct hf_anchors *anchors,
                                struct hf_policy *policy, char err[HF_CONFIG_ERR_MAX])
{
	struct hf_server *s = hf_calloc(1, sizeof(*s));
	struct runtime *rt = hf_calloc(1, sizeof(*rt));
	if (s == NULL || rt == NULL) {
		hf_free(s);
		hf_free(rt);
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		return NULL;
	}
	rt->cfg = cfg;
	rt->up = up;
	rt->roots = roots;
	rt->anchors = anchors;
	rt->policy = policy;
	atomic_store(&s->rt, rt);
	rt->forged = hf_forged_load(cfg->guard.forged_list, err);
	if (rt->forged == NULL) {
		hf_server_free(s);
		return NULL;
	}
	s->nworkers = worker_count(cfg);
	struct hf_cache_opts co = {.max_bytes = cfg->cache.size - cfg->cache.size / 4,
	                           .min_ttl = cfg->cache.min_ttl,
	                           .max_ttl = cfg->cache.max_ttl,
	                           .neg_max_ttl = cfg->cache.negative_max_ttl,
	                           .stale_window =
	                               cfg->serve_stale.enabled ? cfg->serve_stale.max_stale : 0,
	                           .stale_answer_ttl = cfg->serve_stale.answer_ttl,
	                           .path = cfg->cache.path, /* loads it; "" = memory only */
	                           .disk_bytes = cfg->cache.size};
	s->cache = hf_cache_new(&co);
	s->pcache = hf_pcache_new(cfg->cache.size / 4);
	s->infra = hf_infra_new();
	s->hub = hf_hub_new();
	s->events = hf_events_open(cfg->events.file, s->hub);
	struct hf_incident_opts io = incident_opts(cfg);
	s->incidents = hf_incidents_new(&io, on_incident, on_rollback, s);
	s->rl = hf_ratelimit_new(HF_RATELIMIT_SLOTS, hf_clock_mono_us());
	s->per_client = hf_inflight_new(HF_INFLIGHT_SLOTS);
	s->per_zone = hf_inflight_new(HF_INFLIGHT_SLOTS);
	if (s->infra != NULL)
		s->guard_file = hf_guard_file_open(cfg->cache.path, up, s->infra);
	s->workers = hf_calloc(s->nworkers, sizeof(struct worker));
	s->sample = hf_policy_sample_new(s->nworkers);
	if (s->cache == NULL || s->pcache == NULL || s->infra == NULL || s->workers == NULL ||
	    s->hub == NULL || s->events == NULL || s->incidents == NULL || s->rl == NULL ||
	    s->per_client == NULL || s->per_zone == NULL || s->sample == NULL) {
		snprintf(err, HF_CONFIG_ERR_MAX, "out of memory");
		goto fail;
	}
	if (open_all(s, cfg, err) != HF_OK)
		goto fail;
	if (hf_dnstap_open(cfg, s->nworkers, &s->dnstap, err) != HF_OK)
		goto fail;
	return s;
fail:
	hf_server_free(s);
	return NULL;
}

int hf_server_start(struct hf_server *s)
{
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct worker *w = &s->workers[i];
		w->srv = s;
		w->index = i;
		int rc = worker_init(w);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < s->nworkers; i++) {
		int rc = uv_thread_create(&s->workers[i].thread, worker_main, &s->workers[i]);
		if (rc < 0)
			return rc;
	}
	s->started = true;
	/* The listening sockets now belong to the loops, which close them. */
	hf_free(s->udp_fds);
	hf_free(s->tcp_fds);
	s->udp_fds = s->tcp_fds = NULL;
	return 0;
}

int hf_server_check_policy(struct hf_server *s, struct hf_policy *p, bool force, char *err,
                           size_t cap)
{
	struct runtime *rt = atomic_load(&s->rt);
	char wide[HF_CONFIG_ERR_MAX], blast[HF_CONFIG_ERR_MAX];
	/* Both checks, so the operator reads the wide rule and what it would hit together. */
	int rw = hf_policy_check_wide(p, wide, sizeof(wide));
	int rb = hf_policy_check_blast(rt->policy, p, s->sample, rt->cfg->policy.max_blast, blast,
	                               sizeof(blast));
	if (rb == HF_ENOMEM)
		snprintf(err, cap, "out of memory");
	if (rb == HF_ENOMEM || (rw == HF_OK && rb == HF_OK))
		return rb;
	snprintf(err, cap, "%s%s%s", rw != HF_OK ? wide : "",
	         rw != HF_OK && rb != HF_OK ? "; " : "", rb != HF_OK ? blast : "");
	if (force) {
		hf_log_warn("policy loaded by force: %s", err);
		return HF_OK;
	}
	atomic_fetch_add(&s->policy_refused, 1);
	return HF_EINVAL;
}

void hf_server_reload(struct hf_server *s, struct hf_config *cfg, struct hf_upstreams *up,
                      struct hf_roots *roots, struct hf_anchors *anchors, struct hf_policy *policy)
{
	struct runtime *rt = hf_calloc(1, sizeof(*rt));
	if (rt == NULL) {
		hf_log_error("reload: out of memory; keeping the running configuration");
		hf_config_free(cfg);
		hf_upstreams_free(up);
		hf_roots_free(roots);
		hf_anchors_free(anchors);
		hf_policy_free(policy);
		return;
	}
	rt->cfg = cfg;
	rt->up = up;
	rt->roots = roots;
	rt->anchors = anchors;
	rt->policy = policy;
	rt->older = atomic_load(&s->rt);
	char err[HF_CONFIG_ERR_MAX];
	rt->forged = hf_forged_load(cfg->guard.forged_list, err);
	if (rt->forged == NULL) {
		hf_log_error("reload: guard.forged-list: %s; the list in use stays", err);
		rt->forged = rt->older->forged;
		rt->forged_shared = true;
	}
	struct hf_incident_opts io = incident_opts(cfg);
	hf_incidents_set_opts(s->incidents, &io);
	if (!hf_dnstap_same_config(rt->older->cfg, cfg))
		hf_log_warn("reload: dnstap settings change only on restart; the log goes on as "
		            "it was");
	atomic_store_explicit(&s->rt, rt, memory_order_release);
	/* The operator has looked at the policy again: what its breaker suspended is over. */
	hf_policy_retire(rt->older->policy, s->incidents, hf_clock_wall());
}

void hf_server_stop(struct hf_server *s)
{
	if (!s->started)
		return;
	for (unsigned i = 0; i < s->nworkers; i++)
		uv_async_send(&s->workers[i].wake);
	for (unsigned i = 0; i < s->nworkers; i++)
		uv_thread_join(&s->workers[i].thread);
	s->started = false;
	hf_guard_file_sync(s->guard_file, atomic_load(&s->rt)->up, s->infra);
}

void hf_server_free(struct hf_server *s)
{
	if (s == NULL)
		return;
	close_fds(s);
	struct runtime *rt = atomic_load(&s->rt);
	while (rt != NULL) {
		struct runtime *older = rt->older;
		hf_config_free(rt->cfg);
		hf_upstreams_free(rt->up);
		hf_roots_free(rt->roots);
		hf_anchors_free(rt->anchors);
		if (!rt->forged_shared)
			hf_forged_free(rt->forged);
		hf_policy_free(rt->policy);
		hf_free(rt);
		rt = older;
	}
	hf_cache_free(s->cache);
	hf_pcache_free(s->pcache);
	hf_guard_file_close(s->guard_file);
	hf_incidents_free(s->incidents);
	hf_events_close(s->events);
	hf_hub_free(s->hub);
	hf_dnstap_close(s->dnstap);
	hf_infra_free(s->infra);
	hf_ratelimit_free(s->rl);
	hf_inflight_free(s->per_client);
	hf_inflight_free(s->per_zone);
	hf_policy_sample_free(s->sample);
	hf_free(s->workers);
	hf_free(s);
}

void hf_server_summary(struct hf_server *s, char *out, size_t cap)
{
	struct hf_server_stats t;
	hf_server_stats(s, &t);
	int n = snprintf(out, cap,
	                 "%llu queries: %llu from the packet cache, %llu from the record cache, "
	                 "%llu resolved upstream, %llu stale answers, %llu FORMERR, %llu REFUSED",
	                 (unsigned long long)t.queries, (unsigned long long)t.pcache_hits,
	                 (unsigned long long)t.cache_hits, (unsigned long long)t.resolving,
	                 (unsigned long long)t.stale, (unsigned long long)t.formerr,
	                 (unsigned long long)t.refused);
	size_t len = n > 0 && (size_t)n < cap ? (size_t)n : cap;
	const struct hf_upstreams *up = atomic_load(&s->rt)->up;
	for (size_t z = 0; z < up->nzones; z++) {
		for (size_t i = 0; i < up->zones[z].n && len < cap; i++) {
			const struct hf_upstream *u = &up->zones[z].servers[i];
			n = snprintf(out + len, cap - len,
			             "; upstream %s: %llu queries, %llu answers, %llu timeouts, "
			             "%llu bad replies dropped, %llu TCP retries",
			             u->name, (unsigned long long)atomic_load(&u->queries),
			             (unsigned long long)atomic_load(&u->answers),
			             (unsigned long long)atomic_load(&u->timeouts),
			             (unsigned long long)atomic_load(&u->bad_replies),
			             (unsigned long long)atomic_load(&u->tcp_fallbacks));
			len = n > 0 && (size_t)n < cap - len ? len + (size_t)n : cap;
		}
	}
}

/* --- for the control plane ---------------------------------------------------------- */

struct hf_hub *hf_server_hub(struct hf_server *s)
{
	return s->hub;
}

struct hf_incidents *hf_server_incidents(struct hf_server *s)
{
	return s->incidents;
}

struct hf_policy *hf_server_policy(struct hf_server *s)
{
	return atomic_load_explicit(&s->rt, memory_order_acquire)->policy;
}

uint64_t hf_server_policy_refused(struct hf_server *s)
{
	return atomic_load(&s->policy_refused);
}

struct hf_cache *hf_server_cache(struct hf_server *s)
{
	return s->cache;
}

struct hf_pcache *hf_server_pcache(struct hf_server *s)
{
	return s->pcache;
}

void hf_server_stats(struct hf_server *s, struct hf_server_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->workers = s->nworkers;
	for (unsigned i = 0; i < s->nworkers; i++) {
		const struct worker *w = &s->workers[i];
		const struct hf_answer_stats *st = &w->st;
		for (int t = 0; t < 2; t++) {
			for (int r = 0; r < HF_SERVER_RESULTS; r++)
				out->answers[t][r] += hf_counter_get(&w->results[t][r]);
		}
		out->queries += hf_counter_get(&st->queries);
		out->pcache_hits += hf_counter_get(&st->pcache_hits);
		out->cache_hits += hf_counter_get(&st->cache_hits);
		out->resolving += hf_counter_get(&st->resolving);
		out->stale += hf_counter_get(&st->stale);
		out->local += hf_counter_get(&st->local);
		out->policy += hf_counter_get(&st->policy);
		out->formerr += hf_counter_get(&st->formerr);
		out->refused += hf_counter_get(&st->refused);
		out->ratelimit_dropped += hf_counter_get(&w->rl_dropped);
		out->ratelimit_slipped += hf_counter_get(&w->rl_slipped);
		out->refused_client += hf_counter_get(&w->refused_client);
		out->refused_zone += hf_counter_get(&w->refused_zone);
		out->shed += hf_counter_get(&w->shed);
		out->pending += hf_counter_get(&w->pending_now);
	}
}

struct upstream_walk {
	void (*fn)(void *ctx, const struct hf_upstream *u, bool forwarder);
	void *ctx;
};

static void walk_infra(void *ctx, struct hf_upstream *u)
{
	struct upstream_walk *wk = ctx;
	wk->fn(wk->ctx, u, false);
}

void hf_server_upstreams(struct hf_server *s,
                         void (*fn)(void *ctx, const struct hf_upstream *u, bool forwarder),
                         void *ctx)
{
	/* Older runtimes stay allocated until exit, so this one outlives the walk. */
	const struct hf_upstreams *up = atomic_load_explicit(&s->rt, memory_order_acquire)->up;
	for (size_t z = 0; z < up->nzones; z++) {
		for (size_t i = 0; i < up->zones[z].n; i++)
			fn(ctx, &up->zones[z].servers[i], true);
	}
	struct upstream_walk wk = {.fn = fn, .ctx = ctx};
	hf_infra_each(s->infra, walk_infra, &wk);
}
