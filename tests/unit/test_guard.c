/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The response guard (src/guard) on its own, then hold-on in the request
 * state machine: doubted replies wait, an honest one ends the wait, only
 * doubted ones send the question over TCP, rejected ones are never used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard/events.h"
#include "guard/evidence.h"
#include "guard/guard.h"
#include "guard/incidents.h"
#include "guard/state.h"
#include "resolve/resolve.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/edns.h"
#include "wire/msgtext.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

static struct hf_upstream srv;

static void parse_text(const char *text, uint8_t *buf, size_t cap, struct hf_pkt *p)
{
	int len = hf_msg_from_text(text, strlen(text), buf, cap, NULL);
	assert_true(len > 0);
	assert_int_equal(hf_pkt_parse(p, buf, (size_t)len, NULL), HF_OK);
}

#define A_REPLY_OPT                                                                                \
	";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; edns version 0 udp 1232 flags\n"       \
	";; QUESTION\nwww.example. IN A\n;; ANSWER\nwww.example. 300 IN A 192.0.2.1\n"
#define A_REPLY_BARE                                                                               \
	";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"                                         \
	";; QUESTION\nwww.example. IN A\n;; ANSWER\nwww.example. 300 IN A 192.0.2.66\n"
#define A_REPLY_SAME_BARE                                                                          \
	";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"                                         \
	";; QUESTION\nwww.example. IN A\n;; ANSWER\nwww.example. 300 IN A 192.0.2.1\n"
#define A_REPLY_FORGED                                                                             \
	";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"                                         \
	";; QUESTION\nwww.example. IN A\n;; ANSWER\nwww.example. 300 IN A 65.49.2.178\n"
#define A_REPLY_FORGED_OPT                                                                         \
	";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; edns version 0 udp 1232 flags\n"       \
	";; QUESTION\nwww.example. IN A\n;; ANSWER\nwww.example. 300 IN A 65.49.2.9\n"
#define DS_ANSWERED_WITH_A                                                                         \
	";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; edns version 0 udp 1232 flags\n"       \
	";; QUESTION\nexample. IN DS\n;; ANSWER\nexample. 300 IN A 192.0.2.66\n"

static enum hf_guard_verdict judge(const char *text, uint16_t qtype, int ttl, uint32_t rtt,
                                   unsigned *why)
{
	uint8_t buf[1024];
	struct hf_pkt p;
	parse_text(text, buf, sizeof(buf), &p);
	enum hf_guard_verdict v = hf_guard_check(&srv, &p, qtype, true, ttl, rtt, why);
	if (v == HF_GUARD_ACCEPT)
		hf_guard_learn(&srv, &p, true, ttl, rtt);
	hf_pkt_clear(&p);
	return v;
}

static void test_signals(void **state)
{
	(void)state;
	memset(&srv, 0, sizeof(srv));
	unsigned why;
	/* An A record answering a DS question is never an honest reply. */
	assert_int_equal(judge(DS_ANSWERED_WITH_A, HF_TYPE_DS, 60, 40000, &why), HF_GUARD_REJECT);
	assert_true(why & HF_GUARD_WRONG_TYPE);
	/* First contact, with OPT: accepted, and the server's IP TTL and EDNS are learned. */
	assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 60, 40000, &why), HF_GUARD_ACCEPT);
	assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 60, 40000, &why), HF_GUARD_ACCEPT);
	assert_int_equal(srv.ip_ttl, 60);
	assert_int_equal(srv.edns, HF_GUARD_EDNS_YES);
	/* The injector's habits: no OPT, another IP TTL. */
	assert_int_equal(judge(A_REPLY_BARE, HF_TYPE_A, 60, 40000, &why), HF_GUARD_DOUBT);
	assert_int_equal(why, HF_GUARD_NO_OPT);
	assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 250, 40000, &why), HF_GUARD_DOUBT);
	assert_int_equal(why, HF_GUARD_IP_TTL);
	/* Faster than the path allows, once its floor is known (eight replies at 40 ms or more
	 * so far); slower than usual is only load. */
	for (int i = 0; i < 6; i++)
		assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 60, 90000, &why), HF_GUARD_ACCEPT);
	assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 60, 900, &why), HF_GUARD_DOUBT);
	assert_int_equal(why, HF_GUARD_TOO_FAST);
	assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 60, 30000, &why), HF_GUARD_ACCEPT);
	/* A server proven (over TCP) not to do EDNS is not doubted for it. */
	srv.edns = HF_GUARD_EDNS_NO;
	assert_int_equal(judge(A_REPLY_BARE, HF_TYPE_A, 60, 30000, &why), HF_GUARD_ACCEPT);
	assert_string_equal(hf_guard_reasons(HF_GUARD_NO_OPT | HF_GUARD_IP_TTL),
	                    "no OPT, IP TTL off the server's");
}

/* DNS cookies (RFC 7873): another client cookie is a forgery; a server that gave one
 * and then does not is doubted; the server cookie goes back in the next query. */
static void test_cookies(void **state)
{
	(void)state;
	memset(&srv, 0, sizeof(srv));
	struct hf_build_opt opt;
	uint8_t cbuf[40];
	hf_upstream_cookie_opt(&srv, &opt, cbuf);
	assert_int_equal(opt.code, HF_EDNS_COOKIE);
	assert_int_equal(opt.len, 8); /* only ours, no server cookie yet */
	char ours[17], text[1024];
	for (int i = 0; i < 8; i++)
		snprintf(ours + 2 * i, 3, "%02x", srv.client_cookie[i]);
	unsigned why;
	snprintf(
	    text, sizeof(text),
	    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; edns version 0 udp 1232 flags\n"
	    ";; option COOKIE %s0102030405060708\n;; QUESTION\nwww.example. IN A\n"
	    ";; ANSWER\nwww.example. 300 IN A 192.0.2.1\n",
	    ours);
	assert_int_equal(judge(text, HF_TYPE_A, 60, 40000, &why), HF_GUARD_ACCEPT);
	assert_int_equal(srv.server_cookie_len, 8);
	hf_upstream_cookie_opt(&srv, &opt, cbuf);
	assert_int_equal(opt.len, 16);
	assert_int_equal(judge(A_REPLY_OPT, HF_TYPE_A, 60, 40000, &why), HF_GUARD_DOUBT);
	assert_int_equal(why, HF_GUARD_NO_COOKIE);
	snprintf(
	    text, sizeof(text),
	    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; edns version 0 udp 1232 flags\n"
	    ";; option COOKIE 11111111111111110102030405060708\n;; QUESTION\nwww.example. IN A\n"
	    ";; ANSWER\nwww.example. 300 IN A 192.0.2.66\n");
	assert_int_equal(judge(text, HF_TYPE_A, 60, 40000, &why), HF_GUARD_REJECT);
	assert_true(why & HF_GUARD_COOKIE);
}

/* --- the state file ---------------------------------------------------------------- */

static void count_entry(void *ctx, const struct hf_addr *a, int64_t until)
{
	(void)a;
	int64_t *sum = ctx;
	*sum += until;
}

/* Lines that are not ADDR@PORT UNTIL, or out of date, are skipped, never trusted. */
static void test_state_file(void **state)
{
	(void)state;
	const int64_t now = 1700000000;
	char text[512];
	size_t len = 0;
	struct hf_addr a;
	assert_int_equal(hf_addr_parse("192.0.2.53@5353", 53, &a), HF_OK);
	assert_true(hf_guard_state_line(&a, now + 600, text, &len, sizeof(text)));
	assert_int_equal(hf_addr_parse("2001:db8::1", 53, &a), HF_OK);
	assert_true(hf_guard_state_line(&a, now + 60, text, &len, sizeof(text)));
	const char *bad = "garbage\n"
	                  "192.0.2.9@53 1600000000\n"   /* in the past */
	                  "192.0.2.9@53 1800000000\n"   /* more than a day ahead */
	                  "192.0.2.999@53 1700000100\n" /* no address */
	                  "192.0.2.9@53 17000001xx\n"
	                  "\n";
	memcpy(text + len, bad, strlen(bad));
	len += strlen(bad);
	int64_t sum = 0;
	assert_int_equal(hf_guard_state_parse(text, len, now, count_entry, &sum), 5);
	assert_int_equal(sum, 2 * now + 660);
	char small[8];
	size_t slen = 0;
	assert_false(hf_guard_state_line(&a, now, small, &slen, sizeof(small)));
}

/* --- evidence ------------------------------------------------------------------------- */

/* An event names the rules, keeps every reply as text and octets, and escapes for JSON. */
static void test_evidence_json(void **state)
{
	(void)state;
	memset(&srv, 0, sizeof(srv));
	strcpy(srv.name, "192.0.2.53@53");
	uint8_t q[512], r[512];
	int qlen =
	    hf_msg_from_text(";; id 7 opcode QUERY rcode NOERROR flags rd\n;; QUESTION\n"
	                     "Odd\\\"Name.example. IN A\n",
	                     strlen(";; id 7 opcode QUERY rcode NOERROR flags rd\n;; QUESTION\n"
	                            "Odd\\\"Name.example. IN A\n"),
	                     q, sizeof(q), NULL);
	assert_true(qlen > 0);
	int rlen = hf_msg_from_text(A_REPLY_BARE, strlen(A_REPLY_BARE), r, sizeof(r), NULL);
	assert_true(rlen > 0);
	struct hf_evidence *ev = hf_evidence_new(&srv, q, (size_t)qlen, false, 1700000000);
	assert_non_null(ev);
	hf_evidence_reply(ev, NULL, r, (size_t)rlen, 900, 250, HF_GUARD_DOUBT,
	                  HF_GUARD_NO_OPT | HF_GUARD_IP_TTL);
	ev->action = "asked again over TCP";
	hf_evidence_outcome(ev, r, (size_t)rlen, false);
	char out[16384];
	int n = hf_evidence_json(ev, "ab", out, sizeof(out));
	assert_true(n > 0);
	assert_non_null(strstr(out, "\"rules\":[\"no-opt\",\"ip-ttl\"]"));
	assert_non_null(strstr(out, "\"verdict\":\"doubted\""));
	assert_non_null(strstr(out, "\"ip_ttl\":250"));
	assert_non_null(strstr(out, "Odd\\\\\\\"Name")); /* the name's \" escaped for JSON */
	assert_non_null(strstr(out, "192.0.2.66"));
	assert_null(strchr(out, '\n'));
	char small[64];
	assert_int_equal(hf_evidence_json(ev, "ab", small, sizeof(small)), HF_ESPACE);
	hf_evidence_free(ev);
}

/* --- hold-on in the request ------------------------------------------------------------ */

static struct hf_upstream servers[2];
static struct hf_fwd_set set = {.zone = {0}, .servers = servers, .n = 2};

/* The reply text patched with the query's ID, as wire in out. */
static size_t reply_to(const struct hf_req *r, const char *text, uint8_t *out, size_t cap)
{
	int len = hf_msg_from_text(text, strlen(text), out, cap, NULL);
	assert_true(len > 0);
	memcpy(out, r->query, 2);
	return (size_t)len;
}

/* The reply in text, made to answer r's query, handed to r at now_us with IP TTL ip_ttl. */
static enum hf_req_state feed(struct hf_req *r, const char *text, uint64_t now_us, int ip_ttl)
{
	uint8_t buf[1024];
	size_t n = reply_to(r, text, buf, sizeof(buf));
	return hf_req_consume(r, buf, n, now_us, ip_ttl);
}

/* The hold-on window passes with only doubted replies: the question goes out again over TCP. */
static struct hf_req_out retry_over_tcp(struct hf_req *r)
{
	struct hf_req_out again;
	assert_int_equal(hf_req_timeout(r, 1500), HF_REQ_NEXT);
	assert_int_equal(hf_req_produce(r, 1500000, &again), HF_REQ_SEND);
	assert_true(again.tcp);
	return again;
}

static void start(struct hf_req *r, struct hf_req_out *out)
{
	uint8_t qname[HF_NAME_MAX];
	assert_true(hf_name_from_text("www.example.", 12, NULL, qname) > 0);
	memset(servers, 0, sizeof(servers));
	hf_req_init(r, qname, HF_TYPE_A, HF_CLASS_IN, false, false, &set, 1232, 1500, 10000);
	struct hf_req_guard g = {
	    .on = true, .max_hold_ms = 400, .tcp_for_ms = 60000, .tcp_timeout_ms = 1500};
	hf_req_set_guard(r, &g);
	assert_int_equal(hf_req_produce(r, 1000000, out), HF_REQ_SEND);
	assert_false(out->tcp);
}

static void test_hold_on_honest_reply_wins(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	start(&r, &out);
	/* Two forged replies race in: held, not used. */
	assert_int_equal(feed(&r, A_REPLY_BARE, 1001000, 250), HF_REQ_HOLD);
	assert_int_equal(feed(&r, A_REPLY_BARE, 1001500, 58), HF_REQ_HOLD);
	assert_true(hf_req_hold_ms(&r, 1001500) > 0);
	assert_null(r.reply);
	/* The real one, with OPT: used at once. */
	assert_int_equal(feed(&r, A_REPLY_OPT, 1040000, 60), HF_REQ_DONE);
	assert_non_null(r.reply);
	assert_int_equal(hf_get16(r.reply + 2) & 0xf, 0);
	assert_int_equal(r.stats.doubted, 2);
	hf_req_clear(&r);
}

/* A line cut short at the end of events.file is cut off; the chain goes on from the last whole
 * line, and the file stays one JSON object per line. */
static void test_events_file_cut_line(void **state)
{
	(void)state;
	char path[] = "/tmp/hf-events-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *before = "{\"a\":1}\n{\"b\":2}\n{\"cut\":";
	assert_int_equal(write(fd, before, strlen(before)), (ssize_t)strlen(before));
	close(fd);
	struct hf_events *e = hf_events_open(path, NULL);
	assert_non_null(e);
	const char *inc = "{\"type\":\"incident\",\"id\":1}";
	hf_events_incident(e, 1, "fan-in", HF_INCIDENT_OPEN, inc, strlen(inc));
	hf_events_close(e);
	FILE *f = fopen(path, "r");
	char text[512];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	unlink(path);
	text[n] = '\0';
	/* sha256("{\"b\":2}") */
	assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n{\"prev\":\""
	                          "0ab1a6d394cd30195f0642b67ae1180c375ffadf5dd7f39c390668b5fdb6da93"
	                          "\",\"type\":\"incident\",\"id\":1}\n");
}

static void count_opened(void *arg, uint64_t id, const char *rule, enum hf_incident_change ch,
                         const char *json, size_t len)
{
	(void)id;
	(void)rule;
	(void)json;
	(void)len;
	*(unsigned *)arg += ch == HF_INCIDENT_OPEN;
}

/*
 * Fan-in counts a doubted reply once the answer used contradicts it (forged),
 * not when the answer used says the same (the doubt was wrong); a rejected one
 * at once. Thresholds of one name make every counted reply an incident.
 */
static void test_doubts_count_for_fan_in_once_contradicted(void **state)
{
	(void)state;
	static const struct hf_incident_opts o = {
	    .window_s = 60, .quiet_s = 60, .fanin_names = 1, .fanin_zones = 1, .fanin_servers = 1};
	unsigned opened = 0;
	struct hf_incidents *inc = hf_incidents_new(&o, count_opened, NULL, &opened);
	struct hf_req r;
	struct hf_req_out out;
	/* Doubted, then the honest reply says the same: no incident. */
	start(&r, &out);
	r.guard.incidents = inc;
	assert_int_equal(feed(&r, A_REPLY_SAME_BARE, 1001000, 250), HF_REQ_HOLD);
	assert_int_equal(feed(&r, A_REPLY_OPT, 1040000, 60), HF_REQ_DONE);
	hf_req_clear(&r);
	assert_int_equal(opened, 0);
	/* Doubted, then contradicted: it was forged. */
	start(&r, &out);
	r.guard.incidents = inc;
	assert_int_equal(feed(&r, A_REPLY_FORGED, 1001000, 250), HF_REQ_HOLD);
	assert_int_equal(opened, 0);
	assert_int_equal(feed(&r, A_REPLY_OPT, 1040000, 60), HF_REQ_DONE);
	hf_req_clear(&r);
	assert_int_equal(opened, 1);
	/* The breaker: an accepted reply in the incident's prefix is doubted now (held on for
	 * another), then asked over TCP; over TCP too an answer in the prefix is not used: the
	 * question ends, and the server is not sent to TCP for it (nothing was wrong with it). */
	start(&r, &out);
	r.guard.incidents = inc;
	assert_int_equal(feed(&r, A_REPLY_FORGED_OPT, 1040000, 60), HF_REQ_HOLD);
	assert_int_equal(r.stats.doubted, 1);
	(void)retry_over_tcp(&r);
	assert_int_equal(out.server->tcp_until_ms, 0);
	assert_int_equal(feed(&r, A_REPLY_FORGED_OPT, 1520000, -1), HF_REQ_DONE);
	assert_null(r.reply);
	assert_non_null(strstr(r.ede_text, "breaker"));
	assert_non_null(r.ev);
	assert_int_equal(r.ev->incident, 1);
	hf_req_clear(&r);
	hf_incidents_free(inc);
}

static void test_hold_on_only_doubts_go_tcp(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	start(&r, &out);
	assert_int_equal(feed(&r, A_REPLY_BARE, 1001000, 250), HF_REQ_HOLD);
	/* The window passes: the same server, over TCP; and over TCP for a while after. */
	struct hf_req_out again = retry_over_tcp(&r);
	assert_ptr_equal(again.server, out.server);
	assert_true(out.server->tcp_until_ms > 1500);
	assert_int_equal(feed(&r, A_REPLY_OPT, 1520000, -1), HF_REQ_DONE);
	assert_true(out.server->tcp_until_ms > 1500); /* TCP said otherwise: the doubt stands */
	hf_req_clear(&r);
}

/* The TCP answer says what the doubted UDP reply said (a server without EDNS): no attack,
 * so the server is not kept on TCP, and its missing OPT is doubted no more. */
static void test_hold_on_false_alarm(void **state)
{
	(void)state;
	struct hf_req r;
	struct hf_req_out out;
	start(&r, &out);
	assert_int_equal(feed(&r, A_REPLY_BARE, 1001000, 64), HF_REQ_HOLD);
	(void)retry_over_tcp(&r);
	assert_int_equal(feed(&r, A_REPLY_BARE, 1520000, -1), HF_REQ_DONE);
	assert_int_equal(out.server->tcp_until_ms, 0);
	assert_int_equal(out.server->edns, HF_GUARD_EDNS_NO);
	hf_req_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_cookies),
	    cmocka_unit_test(test_state_file),
	    cmocka_unit_test(test_evidence_json),
	    cmocka_unit_test(test_hold_on_honest_reply_wins),
	    cmocka_unit_test(test_hold_on_only_doubts_go_tcp),
	    cmocka_unit_test(test_hold_on_false_alarm),
	    cmocka_unit_test(test_doubts_count_for_fan_in_once_contradicted),
	    cmocka_unit_test(test_events_file_cut_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
