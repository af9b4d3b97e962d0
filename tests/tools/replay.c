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
 *   anchors                    trust anchors: DS or DNSKEY lines in zone-file text
 *   ...                        (until "end"), written to a temporary file that
 *   end                        becomes the config's trust-anchors (a config block
 *                              used with it must not set trust-anchors itself)
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
 *   query www.example. A       a client question ("query NAME TYPE cd": with CD set)
 *   answer NOERROR             the outcome: the rcode and the answer section's
 *   www.example. 300 IN A ...  records (any order) until "end"; "answer NOERROR ad"
 *   end                        when the answer must be secure, else it must not be
 *                              (secure: what the daemon answers with AD to a client
 *                              that set DO: the cache's answer to the question, as
 *                              hf_cache_answer() rates it; a reply passed on unfiled,
 *                              as bogus data is to a CD client, has no AD); or
 *                              "answer SERVFAIL ede 22" (no records, that EDE;
 *                              "ede 12,6": either), and "answer SERVFAIL ede 0 some
 *                              words" when the EDE text must contain "some words"
 *   sent                       the exact queries sent for the last question,
 *   192.0.2.1 example. A       in order (address, name, type), until "end"
 *   end
 *   queries-at-most 5          a bound on how many went out
 *   verifications-at-most 64   a bound on the signature verifications (calls of
 *                              hf_dnssec_verify, which the Makefile links with
 *                              -Wl,--wrap) made for the last question
 *   srtt 192.0.2.1 5000        sets the smoothed RTT (microseconds) holdfast has
 *                              measured for that server, so that of a zone's
 *                              servers the quicker one is asked first (but for
 *                              the 1 in 20 choices that explore another)
 *   time 30                    the wall clock moves on (seconds)
 *
 * A server with no entry for a question does not answer (a timeout).
 * Each file runs in a child process, killed after REPLAY_TIMEOUT seconds
 * (60 unless the environment says otherwise). A file's first failed check
 * is printed with its line and ends that file; the others still run. Exit
 * status 0 when every check of every file holds, 1 otherwise.
 * REPLAY_VERBOSE=1 prints each query sent and how each question ended.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/cache.h"
#include "config/config.h"
#include "iterator/infra.h"
#include "iterator/iterator.h"
#include "iterator/roots.h"
#include "resolve/resolve.h"
#include "util/err.h"
#include "validator/anchors.h"
#include "wire/buf.h"
#include "wire/build.h"
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
/* The default when an anchors block names the trust anchors. */
static const char default_config_anchored[] = "resolver: {allow-loopback-upstreams: true}\n"
                                              "cache: {path: \"\"}\n";

/* Signature verifications so far: the validator's calls, counted on their way through. */
static unsigned verifications;

int __real_hf_dnssec_verify(const uint8_t *rrsig, size_t rrsig_len, const uint8_t *dnskey,
                            size_t key_len, const uint8_t *data, size_t data_len, bool allow_sha1);
int __wrap_hf_dnssec_verify(const uint8_t *rrsig, size_t rrsig_len, const uint8_t *dnskey,
                            size_t key_len, const uint8_t *data, size_t data_len, bool allow_sha1);

int __wrap_hf_dnssec_verify(const uint8_t *rrsig, size_t rrsig_len, const uint8_t *dnskey,
                            size_t key_len, const uint8_t *data, size_t data_len, bool allow_sha1)
{
	verifications++;
	return __real_hf_dnssec_verify(rrsig, rrsig_len, dnskey, key_len, data, data_len,
	                               allow_sha1);
}

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
	char anchors_text[TEXT_MAX];
	struct hf_config *cfg;
	struct hf_roots *roots;
	struct hf_anchors *anchors;
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
	bool secure; /* the last answer, as the cache reports its security */
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

/* Writes the anchors block to a temporary file; its path into path. */
static void write_anchors(struct scenario *sc, char *path, size_t cap)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, cap, "%s/replay-anchors-XXXXXX", dir != NULL && dir[0] ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		die(sc, "cannot create a file for the trust anchors in %s", path);
	size_t len = strlen(sc->anchors_text);
	FILE *f = fdopen(fd, "w");
	if (f == NULL || fwrite(sc->anchors_text, 1, len, f) != len || fclose(f) != 0)
		die(sc, "cannot write the trust anchors to %s", path);
}

static void setup(struct scenario *sc)
{
	char err[HF_CONFIG_ERR_MAX];
	if (sc->cfg != NULL)
		return;
	static char conf[TEXT_MAX + 4200];
	char path[4096] = "";
	if (sc->anchors_text[0] != '\0') {
		write_anchors(sc, path, sizeof(path));
		snprintf(conf, sizeof(conf), "%strust-anchors: [\"%s\"]\n",
		         sc->config[0] ? sc->config : default_config_anchored, path);
	} else {
		snprintf(conf, sizeof(conf), "%s", sc->config[0] ? sc->config : default_config);
	}
	sc->cfg = hf_config_parse(sc->file, conf, strlen(conf), err);
	if (sc->cfg == NULL)
		die(sc, "config: %s", err);
	sc->anchors = hf_anchors_load(sc->cfg, err);
	if (path[0] != '\0')
		unlink(path);
	if (sc->anchors == NULL)
		die(sc, "trust anchors: %s", err);
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
				st = hf_req_consume(&sc->req, reply, e->len, sc->mono_us, -1);
			}
			if (st != HF_REQ_WAIT)
				break;
			e = NULL; /* nothing more arrives: the wait ends in a timeout */
		}
		if (st == HF_REQ_DONE)
			return;
	}
}

/*
 * Would the daemon set AD on this answer? It sends what the cache holds
 * for the question, with AD when that is secure (server/answer.c); a reply
 * that was not filed (bogus data for a CD client) goes out without AD.
 */
static bool answer_secure(struct scenario *sc, const uint8_t *qname, uint16_t qtype)
{
	static uint8_t buf[HF_MSG_MAX];
	struct hf_build b;
	uint16_t rcode = HF_RCODE_NOERROR;
	enum hf_sec sec = HF_SEC_INSECURE;
	hf_build_init(&b, buf, sizeof(buf));
	if (hf_build_header(&b, 0, HF_FLAG_QR) != HF_OK ||
	    hf_build_question(&b, qname, qtype, HF_CLASS_IN) != HF_OK)
		die(sc, "answer_secure: question");
	return hf_cache_answer(sc->cache, qname, qtype, HF_CLASS_IN, sc->wall, &b, &rcode, true,
	                       &sec) == HF_CACHE_HIT &&
	       sec == HF_SEC_SECURE;
}

static void start_query(struct scenario *sc, char *args)
{
	char name[1024], type[32], flag[32] = "";
	if (sscanf(args, "%1023s %31s %31s", name, type, flag) < 2)
		die(sc, "query needs NAME TYPE");
	if (flag[0] != '\0' && strcmp(flag, "cd") != 0)
		die(sc, "unknown query flag \"%s\"", flag);
	setup(sc);
	if (sc->have_req)
		hf_req_clear(&sc->req);
	uint8_t qname[HF_NAME_MAX];
	name_arg(sc, name, qname);
	uint16_t qtype = type_arg(sc, type);
	struct hf_iter_env env = {.cfg = sc->cfg,
	                          .cache = sc->cache,
	                          .roots = sc->roots,
	                          .anchors = sc->anchors,
	                          .infra = sc->infra,
	                          .now_wall = sc->wall};
	if (hf_req_init_iter(&sc->req, &env, qname, qtype, HF_CLASS_IN, flag[0] != '\0',
	                     sc->mono_us / 1000) != HF_OK)
		die(sc, "out of memory");
	sc->have_req = true;
	sc->nsent = 0;
	verifications = 0;
	run_request(sc);
	sc->secure = sc->req.reply != NULL && answer_secure(sc, qname, qtype);
	if (getenv("REPLAY_VERBOSE") == NULL)
		return;
	if (sc->req.reply != NULL)
		fprintf(stderr, "  = an answer%s", sc->secure ? " (secure)" : "");
	else
		fprintf(stderr, "  = SERVFAIL, EDE %u: %s", sc->req.ede,
		        sc->req.ede_text != NULL ? sc->req.ede_text : "");
	fprintf(stderr, "; %u signature verifications\n", verifications);
}

/* "srtt ADDRESS MICROSECONDS": what holdfast has measured for that server. */
static void set_srtt(struct scenario *sc, const char *args)
{
	char text[64];
	unsigned long us;
	struct hf_addr a;
	memset(&a, 0, sizeof(a));
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
	if (sscanf(args, "%63s %lu", text, &us) != 2 || us == 0 || us > UINT32_MAX)
		die(sc, "srtt needs ADDRESS MICROSECONDS (not 0)");
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		a.len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(53);
		a.len = sizeof(*sin6);
	} else {
		die(sc, "\"%s\" is not an address", text);
	}
	setup(sc);
	atomic_store(&hf_infra_get(sc->infra, &a)->srtt_us, (uint32_t)us);
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

/* Is code in list, EDE codes separated by commas ("12,6")? */
static bool ede_listed(const char *list, unsigned code)
{
	for (const char *p = list; *p != '\0';) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p)
			return false;
		if (v == code)
			return true;
		p = *end == ',' ? end + 1 : end;
	}
	return false;
}

static void check_answer(struct scenario *sc, char *args)
{
	char rcode[32], word[32] = "", codes[64] = "";
	int used = 0;
	int n = sscanf(args, "%31s %31s %63s %n", rcode, word, codes, &used);
	if (!sc->have_req || n < 1)
		die(sc, "answer needs a query before it and an RCODE");
	bool want_ad = n >= 2 && strcmp(word, "ad") == 0;
	if (n >= 2 && !want_ad && strcmp(word, "ede") != 0)
		die(sc, "unknown answer word \"%s\"", word);
	static char want[TEXT_MAX];
	if (strcmp(rcode, "SERVFAIL") != 0)
		read_block(sc, want, sizeof(want));
	if (strcmp(rcode, "SERVFAIL") == 0) {
		const char *got_text = sc->req.ede_text ? sc->req.ede_text : "";
		const char *want_text = n == 3 ? args + used : "";
		if (sc->req.reply != NULL)
			die(sc, "expected SERVFAIL, got an answer");
		if (n == 3 && !ede_listed(codes, sc->req.ede))
			die(sc, "expected EDE %s, got %u (%s)", codes, sc->req.ede, got_text);
		if (want_text[0] != '\0' && strstr(got_text, want_text) == NULL)
			die(sc, "expected an EDE text with \"%s\", got \"%s\"", want_text,
			    got_text);
		sc->checks++;
		return;
	}
	if (sc->req.reply == NULL)
		die(sc, "expected %s, got SERVFAIL (EDE %u: %s)", rcode, sc->req.ede,
		    sc->req.ede_text ? sc->req.ede_text : "");
	if (want_ad != sc->secure)
		die(sc, "expected an answer %s AD, got one %s", want_ad ? "with" : "without",
		    sc->secure ? "with" : "without");
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
		else if (strcmp(p, "anchors") == 0)
			read_block(&sc, sc.anchors_text, sizeof(sc.anchors_text));
		else if (strcmp(p, "srtt") == 0)
			set_srtt(&sc, args);
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
		} else if (strcmp(p, "verifications-at-most") == 0) {
			if (verifications > (unsigned)atoi(args))
				die(&sc, "%u signature verifications, more than %s", verifications,
				    args);
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
	hf_anchors_free(sc.anchors);
	hf_config_free(sc.cfg);
	printf("%s: %d checks passed\n", file, sc.checks);
}

/* Runs one file in a child, so one failure (or hang) does not hide the others. */
static bool run_isolated(const char *file, unsigned timeout)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return false;
	}
	if (pid == 0) {
		alarm(timeout);
		run_file(file);
		exit(0); /* exit, not _exit: LeakSanitizer looks at the child too */
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "%s: %s\n", file,
		        WTERMSIG(status) == SIGALRM ? "timed out (REPLAY_TIMEOUT)"
		                                    : strsignal(WTERMSIG(status)));
		return false;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: replay FILE.rpl...\n");
		return 2;
	}
	const char *t = getenv("REPLAY_TIMEOUT");
	unsigned timeout = t != NULL && atoi(t) > 0 ? (unsigned)atoi(t) : 60;
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		if (!run_isolated(argv[i], timeout))
			failed++;
	}
	if (failed > 0)
		fprintf(stderr, "replay: %d of %d files failed\n", failed, argc - 1);
	return failed > 0 ? 1 : 0;
}
