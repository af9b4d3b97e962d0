/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Replay runner: drives the resolution core (src/resolve, src/iterator,
 * src/cache) with a scripted network and a scripted clock, no sockets.
 *
 *   replay FILE.rpl...
 *
 * A scenario declares how each server address behaves, then asks
 * questions and checks the outcome:
 *
 *   config                     YAML for holdfast (until "end"); the default is
 *   ...                        trust-anchors: [] with loopback upstreams allowed
 *   end
 *   hints                      root hints in zone-file text (until "end")
 *   ...
 *   end
 *   server 192.0.2.1           the entries below are this server's
 *   entry www.example. A       the reply to this question (name case-insensitive;
 *   ;; id 0 opcode ...         "*" matches any), as message text (msgtext.h) until
 *   end                        "end"; its ID and question spelling are patched to
 *                              the query's. "entry NAME TYPE drop" never answers;
 *                              "entry NAME TYPE udp" (or "tcp") answers only queries
 *                              over that transport; "edns" (or "noedns") only queries
 *                              with (without) an OPT record.
 *   query www.example. A       a client question
 *   answer NOERROR             the outcome: the rcode and the answer section's
 *   www.example. 300 IN A ...  records (any order) until "end"; or
 *   end                        "answer SERVFAIL ede 22" (no records, that EDE)
 *   sent                       the exact queries sent for the last question,
 *   192.0.2.1 example. A       in order (address, name, type), until "end"
 *   end
 *   queries-at-most 5          a bound on how many went out
 *   time 30                    the wall clock moves on (seconds)
 *
 * A server with no entry for a question does not answer (a timeout).
 * Exit status 0 when every check holds; otherwise the first failure is
 * printed with the scenario's line.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "config/config.h"
#include "iterator/infra.h"
#include "iterator/iterator.h"
#include "iterator/roots.h"
#include "resolve/resolve.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/msgtext.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

#define MAX_ENTRIES 256
#define MAX_SENT    256
#define TEXT_MAX    65536

static const char default_config[] = "trust-anchors: []\n"
                                     "resolver: {allow-loopback-upstreams: true}\n"
                                     "cache: {path: \"\"}\n";

struct entry {
	char server[64];
	uint8_t qname[HF_NAME_MAX]; /* qname[0] == 0xff: any */
	uint16_t qtype;
	bool drop;
	int transport; /* 0 any, 1 UDP only, 2 TCP only, 3 with EDNS only, 4 without */
	uint8_t *wire;
	size_t len;
};

struct sent {
	char server[64];
	uint8_t qname[HF_NAME_MAX];
	uint16_t qtype;
};

struct scenario {
	const char *file;
	FILE *f;
	int line;
	char config[TEXT_MAX];
	char hints[TEXT_MAX];
	struct hf_config *cfg;
	struct hf_roots *roots;
	struct hf_cache *cache;
	struct hf_infra *infra;
	struct entry entries[MAX_ENTRIES];
	size_t nentries;
	struct sent sent[MAX_SENT];
	size_t nsent;
	char server[64];
	int64_t wall;
	uint64_t mono_us;
	struct hf_req req;
	bool have_req;
	int checks;
};

static void die(struct scenario *sc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: ", sc->file, sc->line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static bool next_line(struct scenario *sc, char *buf, size_t cap)
{
	if (fgets(buf, (int)cap, sc->f) == NULL)
		return false;
	sc->line++;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* Reads lines up to "end" into out (newline-joined). */
static void read_block(struct scenario *sc, char *out, size_t cap)
{
	char line[4096];
	size_t len = 0;
	out[0] = '\0';
	while (next_line(sc, line, sizeof(line))) {
		if (strcmp(line, "end") == 0)
			return;
		int n = snprintf(out + len, cap - len, "%s\n", line);
		if (n < 0 || (size_t)n >= cap - len)
			die(sc, "block too long");
		len += (size_t)n;
	}
	die(sc, "missing \"end\"");
}

static void name_arg(struct scenario *sc, const char *text, uint8_t *out)
{
	if (hf_name_from_text(text, strlen(text), NULL, out) < 0)
		die(sc, "\"%s\" is not a name", text);
}

static uint16_t type_arg(struct scenario *sc, const char *text)
{
	uint16_t t;
	if (hf_rrtype_from_text(text, strlen(text), &t) != HF_OK)
		die(sc, "\"%s\" is not a type", text);
	return t;
}

static void setup(struct scenario *sc)
{
	char err[HF_CONFIG_ERR_MAX];
	if (sc->cfg != NULL)
		return;
	const char *conf = sc->config[0] ? sc->config : default_config;
	sc->cfg = hf_config_parse(sc->file, conf, strlen(conf), err);
	if (sc->cfg == NULL)
		die(sc, "config: %s", err);
	sc->roots = hf_roots_parse(sc->file, sc->hints, strlen(sc->hints), err);
	if (sc->roots == NULL)
		die(sc, "hints: %s", err);
	struct hf_cache_opts co = {.max_bytes = 16 << 20,
	                           .min_ttl = sc->cfg->cache.min_ttl,
	                           .max_ttl = sc->cfg->cache.max_ttl,
	                           .neg_max_ttl = sc->cfg->cache.negative_max_ttl};
	sc->cache = hf_cache_new(&co);
	sc->infra = hf_infra_new();
	if (sc->cache == NULL || sc->infra == NULL)
		die(sc, "out of memory");
}

static void add_entry(struct scenario *sc, char *args)
{
	if (sc->nentries == MAX_ENTRIES)
		die(sc, "too many entries");
	struct entry *e = &sc->entries[sc->nentries++];
	char name[1024], type[32], flag[32] = "";
	if (sscanf(args, "%1023s %31s %31s", name, type, flag) < 2)
		die(sc, "entry needs NAME TYPE");
	snprintf(e->server, sizeof(e->server), "%s", sc->server);
	if (strcmp(name, "*") == 0)
		e->qname[0] = 0xff;
	else
		name_arg(sc, name, e->qname);
	e->qtype = strcmp(type, "*") == 0 ? 0 : type_arg(sc, type);
	if (strcmp(flag, "drop") == 0) {
		e->drop = true;
		return;
	}
	if (strcmp(flag, "udp") == 0)
		e->transport = 1;
	else if (strcmp(flag, "tcp") == 0)
		e->transport = 2;
	else if (strcmp(flag, "edns") == 0)
		e->transport = 3;
	else if (strcmp(flag, "noedns") == 0)
		e->transport = 4;
	else if (flag[0] != '\0')
		die(sc, "unknown entry flag \"%s\"", flag);
	static char text[TEXT_MAX];
	read_block(sc, text, sizeof(text));
	e->wire = malloc(HF_MSG_MAX);
	int line = 0;
	int n = e->wire ? hf_msg_from_text(text, strlen(text), e->wire, HF_MSG_MAX, &line) : -1;
	if (n < 0)
		die(sc, "reply text, its line %d: %s", line, hf_errname(n));
	e->len = (size_t)n;
}

static const struct entry *find_entry(struct scenario *sc, const char *server, const uint8_t *qname,
                                      uint16_t qtype, bool tcp, bool edns)
{
	for (size_t i = 0; i < sc->nentries; i++) {
		const struct entry *e = &sc->entries[i];
		if (strcmp(e->server, server) != 0 || (e->qtype != 0 && e->qtype != qtype))
			continue;
		if ((e->transport == 1 && tcp) || (e->transport == 2 && !tcp) ||
		    (e->transport == 3 && !edns) || (e->transport == 4 && edns))
			continue;
		if (e->qname[0] == 0xff || hf_name_eq(e->qname, qname))
			return e;
	}
	return NULL;
}

static void server_text(const struct hf_addr *a, char *out, size_t cap)
{
	const void *raw = a->ss.ss_family == AF_INET6
	                      ? (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr
	                      : (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr;
	inet_ntop(a->ss.ss_family, raw, out, (socklen_t)cap);
}

/* Runs the request until it is done, answering from the entries. */
static void run_request(struct scenario *sc)
{
	for (;;) {
		struct hf_req_out out;
		enum hf_req_state st = hf_req_produce(&sc->req, sc->mono_us, &out);
		if (st == HF_REQ_DONE)
			return;
		if (st != HF_REQ_SEND)
			die(sc, "unexpected state from produce");
		char server[64];
		server_text(&out.server->addr, server, sizeof(server));
		struct hf_pkt q;
		if (hf_pkt_parse(&q, out.wire, out.len, NULL) != HF_OK)
			die(sc, "holdfast sent a query that does not parse");
		struct sent *s = &sc->sent[sc->nsent < MAX_SENT ? sc->nsent++ : MAX_SENT - 1];
		snprintf(s->server, sizeof(s->server), "%s", server);
		const struct hf_rr *qr = hf_pkt_section_rr(&q, HF_SECTION_QUESTION, 0);
		if (hf_pkt_owner(&q, qr, s->qname) < 0)
			die(sc, "query name");
		s->qtype = qr->type;
		bool edns = q.has_edns;
		hf_pkt_clear(&q);

		const struct entry *e = find_entry(sc, server, s->qname, s->qtype, out.tcp, edns);
		if (getenv("REPLAY_VERBOSE") != NULL) {
			char n[HF_NAME_TEXT_MAX], t[HF_RRTYPE_TEXT_MAX];
			if (hf_name_to_text(s->qname, n, sizeof(n)) >= 0)
				fprintf(stderr, "  -> %s %s %s%s%s\n", server, n,
				        hf_rrtype_name(s->qtype, t), out.tcp ? " (tcp)" : "",
				        e == NULL || e->drop ? " (no answer)" : "");
		}
		sc->mono_us += 1000;
		for (;;) {
			if (e == NULL || e->drop) {
				sc->mono_us += (uint64_t)out.timeout_ms * 1000;
				st = hf_req_timeout(&sc->req, sc->mono_us / 1000);
			} else {
				uint8_t reply[HF_MSG_MAX];
				memcpy(reply, e->wire, e->len);
				memcpy(reply, out.wire, 2); /* the query's ID */
				size_t qlen = hf_name_len(s->qname);
				/* Echo the query's spelling of the name, as servers do. */
				if (e->len >= 12 + qlen && hf_name_eq(reply + 12, s->qname))
					memcpy(reply + 12, out.wire + 12, qlen);
				st = hf_req_consume(&sc->req, reply, e->len, sc->mono_us);
			}
			if (st != HF_REQ_WAIT)
				break;
			e = NULL; /* nothing more arrives: the wait ends in a timeout */
		}
		if (st == HF_REQ_DONE)
			return;
	}
}

static void start_query(struct scenario *sc, char *args)
{
	char name[1024], type[32];
	if (sscanf(args, "%1023s %31s", name, type) != 2)
		die(sc, "query needs NAME TYPE");
	setup(sc);
	if (sc->have_req)
		hf_req_clear(&sc->req);
	uint8_t qname[HF_NAME_MAX];
	name_arg(sc, name, qname);
	struct hf_iter_env env = {.cfg = sc->cfg,
	                          .cache = sc->cache,
	                          .roots = sc->roots,
	                          .infra = sc->infra,
	                          .now_wall = sc->wall};
	if (hf_req_init_iter(&sc->req, &env, qname, type_arg(sc, type), HF_CLASS_IN,
	                     sc->mono_us / 1000) != HF_OK)
		die(sc, "out of memory");
	sc->have_req = true;
	sc->nsent = 0;
	run_request(sc);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, newline-terminated lines of text, for order-insensitive comparison. */
static char *sorted(char *text)
{
	char *lines[1024];
	size_t n = 0;
	for (char *p = strtok(text, "\n"); p != NULL && n < 1024; p = strtok(NULL, "\n"))
		lines[n++] = p;
	qsort(lines, n, sizeof(lines[0]), cmp_lines);
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += strlen(lines[i]) + 1;
	char *out = malloc(total);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	return out;
}

static void check_answer(struct scenario *sc, char *args)
{
	char rcode[32], word[32] = "";
	unsigned ede = 0;
	int n = sscanf(args, "%31s %31s %u", rcode, word, &ede);
	if (!sc->have_req || n < 1)
		die(sc, "answer needs a query before it and an RCODE");
	static char want[TEXT_MAX];
	if (strcmp(rcode, "SERVFAIL") != 0)
		read_block(sc, want, sizeof(want));
	if (strcmp(rcode, "SERVFAIL") == 0) {
		if (sc->req.reply != NULL)
			die(sc, "expected SERVFAIL, got an answer");
		if (n == 3 && sc->req.ede != ede)
			die(sc, "expected EDE %u, got %u (%s)", ede, sc->req.ede,
			    sc->req.ede_text ? sc->req.ede_text : "");
		sc->checks++;
		return;
	}
	if (sc->req.reply == NULL)
		die(sc, "expected %s, got SERVFAIL (EDE %u: %s)", rcode, sc->req.ede,
		    sc->req.ede_text ? sc->req.ede_text : "");
	struct hf_pkt p;
	if (hf_pkt_parse(&p, sc->req.reply, sc->req.reply_len, NULL) != HF_OK)
		die(sc, "the answer does not parse");
	const char *got_rcode = hf_rcode_name(hf_pkt_rcode(&p));
	if (got_rcode == NULL || strcmp(got_rcode, rcode) != 0)
		die(sc, "expected %s, got %s", rcode, got_rcode ? got_rcode : "?");
	static char got[TEXT_MAX];
	size_t len = 0;
	got[0] = '\0';
	for (size_t i = 0; i < hf_pkt_section_count(&p, HF_SECTION_ANSWER); i++) {
		const struct hf_rr *rr = hf_pkt_section_rr(&p, HF_SECTION_ANSWER, i);
		uint8_t owner[HF_NAME_MAX], rdata[HF_RDATA_MAX];
		int rl = hf_pkt_rdata(&p, rr, rdata, sizeof(rdata));
		if (hf_pkt_owner(&p, rr, owner) < 0 || rl < 0)
			die(sc, "answer record");
		int tl = hf_rr_to_text(owner, rr->type, rr->rclass, rr->ttl, rdata, (size_t)rl,
		                       got + len, sizeof(got) - len - 1);
		if (tl < 0)
			die(sc, "answer text");
		len += (size_t)tl;
		got[len++] = '\n';
		got[len] = '\0';
	}
	hf_pkt_clear(&p);
	char *a = sorted(got), *b = sorted(want);
	if (strcmp(a, b) != 0)
		die(sc, "answer section differs\n--- expected\n%s--- got\n%s", b, a);
	free(a);
	free(b);
	sc->checks++;
}

static void check_sent(struct scenario *sc)
{
	static char want[TEXT_MAX], got[TEXT_MAX];
	read_block(sc, want, sizeof(want));
	size_t len = 0;
	got[0] = '\0';
	for (size_t i = 0; i < sc->nsent; i++) {
		char name[HF_NAME_TEXT_MAX], type[HF_RRTYPE_TEXT_MAX];
		if (hf_name_to_text(sc->sent[i].qname, name, sizeof(name)) < 0)
			die(sc, "sent name");
		len +=
		    (size_t)snprintf(got + len, sizeof(got) - len, "%s %s %s\n", sc->sent[i].server,
		                     name, hf_rrtype_name(sc->sent[i].qtype, type));
	}
	if (strcasecmp(want, got) != 0)
		die(sc, "queries sent differ\n--- expected\n%s--- got\n%s", want, got);
	sc->checks++;
}

static void run_file(const char *file)
{
	static struct scenario sc;
	memset(&sc, 0, sizeof(sc));
	sc.file = file;
	sc.wall = 1700000000;
	sc.mono_us = 1000000000;
	sc.f = fopen(file, "r");
	if (sc.f == NULL)
		die(&sc, "cannot read");
	char line[4096];
	while (next_line(&sc, line, sizeof(line))) {
		char *p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		char *args = p + strcspn(p, " \t");
		if (*args != '\0')
			*args++ = '\0';
		if (strcmp(p, "config") == 0)
			read_block(&sc, sc.config, sizeof(sc.config));
		else if (strcmp(p, "hints") == 0)
			read_block(&sc, sc.hints, sizeof(sc.hints));
		else if (strcmp(p, "server") == 0)
			snprintf(sc.server, sizeof(sc.server), "%s", args);
		else if (strcmp(p, "entry") == 0)
			add_entry(&sc, args);
		else if (strcmp(p, "query") == 0)
			start_query(&sc, args);
		else if (strcmp(p, "answer") == 0)
			check_answer(&sc, args);
		else if (strcmp(p, "sent") == 0)
			check_sent(&sc);
		else if (strcmp(p, "queries-at-most") == 0) {
			if (sc.nsent > (size_t)atoi(args))
				die(&sc, "%zu queries sent, more than %s", sc.nsent, args);
			sc.checks++;
		} else if (strcmp(p, "time") == 0)
			sc.wall += atoi(args);
		else
			die(&sc, "unknown step \"%s\"", p);
	}
	fclose(sc.f);
	if (sc.have_req)
		hf_req_clear(&sc.req);
	for (size_t i = 0; i < sc.nentries; i++)
		free(sc.entries[i].wire);
	hf_cache_free(sc.cache);
	hf_infra_free(sc.infra);
	hf_roots_free(sc.roots);
	hf_config_free(sc.cfg);
	printf("%s: %d checks passed\n", file, sc.checks);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: replay FILE.rpl...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		run_file(argv[i]);
	return 0;
}
