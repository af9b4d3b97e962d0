/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A whole DNS message as text, both directions (layout in msgtext.h).
 *
 * Printing walks a parsed struct hf_pkt and leaves the records to
 * hf_rr_to_text(). Parsing reads the text line by line with a small state
 * machine (header, edns, options, then the sections in order) and writes
 * the message with hf_build_*; records go through hf_rr_from_text(), which
 * may continue over lines inside "( )". Nothing here does I/O.
 */
#include "wire/msgtext.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/build.h"
#include "wire/codec.h"
#include "wire/edns.h"
#include "wire/name.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

static const char *const sect_names[4] = {"QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL"};

static const struct {
	uint16_t bit;
	const char *name;
} flag_names[] = {
    {HF_FLAG_QR, "qr"}, {HF_FLAG_AA, "aa"}, {HF_FLAG_TC, "tc"}, {HF_FLAG_RD, "rd"},
    {HF_FLAG_RA, "ra"}, {HF_FLAG_Z, "z"},   {HF_FLAG_AD, "ad"}, {HF_FLAG_CD, "cd"},
};

/* --- printing ---------------------------------------------------------- */

/* Output text under a cap; the first overflow sticks as HF_ESPACE. */
struct tbuf {
	char *p;
	size_t cap;
	size_t len;
	int err;
};

__attribute__((format(printf, 2, 3))) static void tb_printf(struct tbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->err != HF_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->err = HF_ESPACE;
		t->p[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

/* Appends the result of a library writer that returns a length or an error. */
static void tb_took(struct tbuf *t, int n)
{
	if (t->err != HF_OK)
		return;
	if (n < 0) {
		t->err = n;
		t->p[t->len] = '\0';
		return;
	}
	t->len += (size_t)n;
}

static void tb_hex(struct tbuf *t, const uint8_t *data, size_t len)
{
	if (t->err == HF_OK)
		tb_took(t, hf_hex_encode(data, len, t->p + t->len, t->cap - t->len));
}

/* A quoted string escaped as TXT is: \" \\ and \DDD outside 0x20..0x7e. */
static void tb_quoted(struct tbuf *t, const uint8_t *s, size_t len)
{
	tb_printf(t, "\"");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			tb_printf(t, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] > 0x7e)
			tb_printf(t, "\\%03u", s[i]);
		else
			tb_printf(t, "%c", s[i]);
	}
	tb_printf(t, "\"");
}

static void header_text(struct tbuf *t, const struct hf_pkt *pkt)
{
	unsigned opcode = HF_OPCODE(pkt->flags);
	unsigned rcode = hf_pkt_rcode(pkt);
	const char *name;

	tb_printf(t, ";; id %u opcode ", pkt->id);
	name = hf_opcode_name(opcode);
	if (name != NULL)
		tb_printf(t, "%s", name);
	else
		tb_printf(t, "%u", opcode);
	name = hf_rcode_name(rcode);
	if (name != NULL)
		tb_printf(t, " rcode %s flags", name);
	else
		tb_printf(t, " rcode %u flags", rcode);
	for (size_t i = 0; i < HF_ARRAY_LEN(flag_names); i++) {
		if (pkt->flags & flag_names[i].bit)
			tb_printf(t, " %s", flag_names[i].name);
	}
	tb_printf(t, "\n");
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* One option line; a known option that does not parse is printed generically. */
static void option_text(struct tbuf *t, const struct hf_edns_opt *o)
{
	struct hf_edns_cookie cookie;
	struct hf_edns_ede ede;
	struct hf_edns_ecs ecs;
	char addr[INET6_ADDRSTRLEN];

	if (o->code == HF_EDNS_COOKIE && hf_edns_cookie_parse(o, &cookie) == HF_OK) {
		tb_printf(t, ";; option COOKIE ");
		tb_hex(t, o->data, o->len);
		tb_printf(t, "\n");
		return;
	}
	if (o->code == HF_EDNS_EDE && hf_edns_ede_parse(o, &ede) == HF_OK) {
		tb_printf(t, ";; option EDE %u ", ede.info_code);
		tb_quoted(t, ede.text, ede.text_len);
		tb_printf(t, "\n");
		return;
	}
	if (o->code == HF_EDNS_ECS && hf_edns_ecs_parse(o, &ecs) == HF_OK &&
	    inet_ntop(ecs.family == 1 ? AF_INET : AF_INET6, ecs.addr, addr, sizeof(addr)) != NULL) {
		tb_printf(t, ";; option ECS %s/%u/%u\n", addr, ecs.source_prefix, ecs.scope_prefix);
		return;
	}
	/* Padding with non-zero content goes out generically, so no byte is lost. */
	if (o->code == HF_EDNS_PADDING && all_zero(o->data, o->len)) {
		tb_printf(t, ";; option PADDING %u\n", o->len);
		return;
	}
	tb_printf(t, ";; option %u ", o->code);
	if (o->len == 0)
		tb_printf(t, "-");
	else
		tb_hex(t, o->data, o->len);
	tb_printf(t, "\n");
}

static int edns_text(struct tbuf *t, const struct hf_pkt *pkt)
{
	const struct hf_pkt_edns *e = &pkt->edns;
	struct hf_edns_opt o;
	size_t pos = 0;
	int ret;

	tb_printf(t, ";; edns version %u udp %u flags", e->version, e->udp_size);
	if (e->flags & HF_EDNS_DO)
		tb_printf(t, " do");
	for (unsigned bit = 0x4000; bit != 0; bit >>= 1) {
		if (e->flags & bit)
			tb_printf(t, " 0x%04x", bit);
	}
	tb_printf(t, "\n");
	for (;;) {
		ret = hf_edns_next(pkt->wire + e->opts, e->opts_len, &pos, &o);
		if (ret <= 0)
			return ret;
		option_text(t, &o);
	}
}

static int question_text(struct tbuf *t, const struct hf_pkt *pkt, const struct hf_rr *rr)
{
	uint8_t owner[HF_NAME_MAX];
	char tbuf[HF_RRTYPE_TEXT_MAX], cbuf[HF_RRTYPE_TEXT_MAX];
	int ret;

	ret = hf_pkt_owner(pkt, rr, owner);
	if (ret < 0)
		return ret;
	if (t->err == HF_OK)
		tb_took(t, hf_name_to_text(owner, t->p + t->len, t->cap - t->len));
	tb_printf(t, " %s %s\n", hf_rrclass_name(rr->rclass, cbuf), hf_rrtype_name(rr->type, tbuf));
	return HF_OK;
}

static int record_text(struct tbuf *t, const struct hf_pkt *pkt, const struct hf_rr *rr,
                       uint8_t *rdata)
{
	uint8_t owner[HF_NAME_MAX];
	int ret, rdlen;

	ret = hf_pkt_owner(pkt, rr, owner);
	if (ret < 0)
		return ret;
	rdlen = hf_pkt_rdata(pkt, rr, rdata, HF_RDATA_MAX);
	if (rdlen < 0)
		return rdlen;
	if (t->err == HF_OK)
		tb_took(t, hf_rr_to_text(owner, rr->type, rr->rclass, rr->ttl, rdata, (size_t)rdlen,
		                         t->p + t->len, t->cap - t->len));
	tb_printf(t, "\n");
	return HF_OK;
}

int hf_msg_to_text(const struct hf_pkt *pkt, char *out, size_t cap)
{
	struct tbuf t = {.p = out, .cap = cap > INT32_MAX ? INT32_MAX : cap};
	uint8_t *rdata = NULL;
	int ret = HF_OK;

	if (cap == 0)
		return HF_ESPACE;
	out[0] = '\0';
	header_text(&t, pkt);
	if (pkt->has_edns) {
		ret = edns_text(&t, pkt);
		if (ret < 0)
			goto out;
	}
	rdata = hf_malloc(HF_RDATA_MAX);
	if (rdata == NULL) {
		ret = HF_ENOMEM;
		goto out;
	}
	for (int s = HF_SECTION_QUESTION; s <= HF_SECTION_ADDITIONAL; s++) {
		size_t n = hf_pkt_section_count(pkt, (enum hf_section)s);

		tb_printf(&t, ";; %s\n", sect_names[s]);
		for (size_t i = 0; i < n; i++) {
			const struct hf_rr *rr = hf_pkt_section_rr(pkt, (enum hf_section)s, i);

			if (s == HF_SECTION_QUESTION)
				ret = question_text(&t, pkt, rr);
			else if (pkt->has_edns && rr == &pkt->rr[pkt->opt_index])
				continue;
			else
				ret = record_text(&t, pkt, rr, rdata);
			if (ret < 0)
				goto out;
			if (t.err != HF_OK)
				break;
		}
	}
	ret = t.err != HF_OK ? t.err : (int)t.len;
out:
	hf_free(rdata);
	return ret;
}

/* --- parsing ----------------------------------------------------------- */

enum mstate {
	ST_START,   /* nothing yet: the header line must come first */
	ST_HEADER,  /* after the header line */
	ST_OPTIONS, /* after the edns line */
	ST_SECTION, /* inside a section (msg->section) */
};

struct mparse {
	enum mstate state;
	int section;
	int header_line;
	int err_line; /* reported instead of the current line, if set */
	uint16_t id;
	uint16_t flags; /* header flags and opcode, RCODE bits excluded */
	uint16_t rcode;
	bool has_edns;
	bool started;
	struct hf_build_edns edns;
	struct hf_build_opt *opts;
	size_t opts_cap;
	uint8_t *optbuf; /* HF_RDATA_MAX octets: option data, pointed at by opts */
	size_t optlen;
	struct hf_build b;
	struct hf_rrdata *rr;
};

struct tok {
	const char *s;
	size_t len;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Splits p[0..len) into at most max whitespace-separated tokens, keeping
 * quoted strings and backslash escapes whole; stops at an unquoted ';'.
 * Returns the count, or -1 if there are more than max or a quote is open.
 */
static int tokenize(const char *p, size_t len, struct tok *toks, int max)
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		while (i < len && is_space(p[i]))
			i++;
		if (i == len || p[i] == ';')
			return n;
		if (n == max)
			return -1;
		size_t start = i;
		bool quoted = false;
		while (i < len && (quoted || (!is_space(p[i]) && p[i] != ';'))) {
			if (p[i] == '\\' && i + 1 < len)
				i++;
			else if (p[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (quoted)
			return -1;
		toks[n].s = p + start;
		toks[n].len = i - start;
		n++;
	}
}

static bool tok_is(const struct tok *t, const char *word)
{
	return t->len == strlen(word) && strncasecmp(t->s, word, t->len) == 0;
}

static int parse_uint(const struct tok *t, unsigned long max, unsigned long *val)
{
	unsigned long v = 0;

	if (t->len == 0 || t->len > 10)
		return HF_ESYNTAX;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return HF_ESYNTAX;
		v = v * 10 + (unsigned long)(t->s[i] - '0');
	}
	if (v > max)
		return HF_ESYNTAX;
	*val = v;
	return HF_OK;
}

/* A mnemonic from lookup(0..max), or a decimal number up to max. */
static int parse_code(const struct tok *t, const char *(*lookup)(unsigned), unsigned max,
                      uint16_t *val)
{
	unsigned long v;

	for (unsigned i = 0; i <= max; i++) {
		const char *name = lookup(i);
		if (name != NULL && tok_is(t, name)) {
			*val = (uint16_t)i;
			return HF_OK;
		}
	}
	if (parse_uint(t, max, &v) != HF_OK)
		return HF_ESYNTAX;
	*val = (uint16_t)v;
	return HF_OK;
}

/* ";; id N opcode OP rcode RC flags [qr aa tc rd ra z ad cd]" */
static int parse_header(struct mparse *m, const struct tok *t, int n)
{
	unsigned long id;
	uint16_t opcode;
	size_t f;

	if (n < 7 || !tok_is(&t[0], "id") || !tok_is(&t[2], "opcode") || !tok_is(&t[4], "rcode") ||
	    !tok_is(&t[6], "flags"))
		return HF_ESYNTAX;
	if (parse_uint(&t[1], 0xffff, &id) != HF_OK ||
	    parse_code(&t[3], hf_opcode_name, 15, &opcode) != HF_OK ||
	    parse_code(&t[5], hf_rcode_name, 4095, &m->rcode) != HF_OK)
		return HF_ESYNTAX;
	m->id = (uint16_t)id;
	m->flags = (uint16_t)(opcode << 11);
	for (int i = 7; i < n; i++) {
		for (f = 0; f < HF_ARRAY_LEN(flag_names); f++) {
			if (tok_is(&t[i], flag_names[f].name))
				break;
		}
		if (f == HF_ARRAY_LEN(flag_names))
			return HF_ESYNTAX;
		m->flags |= flag_names[f].bit;
	}
	return HF_OK;
}

/* ";; edns version V udp N flags [do] [0xHHHH ...]" */
static int parse_edns(struct mparse *m, const struct tok *t, int n)
{
	unsigned long v, udp;

	if (n < 6 || !tok_is(&t[1], "version") || !tok_is(&t[3], "udp") || !tok_is(&t[5], "flags"))
		return HF_ESYNTAX;
	if (parse_uint(&t[2], 255, &v) != HF_OK || parse_uint(&t[4], 0xffff, &udp) != HF_OK)
		return HF_ESYNTAX;
	m->edns.version = (uint8_t)v;
	m->edns.udp_size = (uint16_t)udp;
	for (int i = 6; i < n; i++) {
		uint8_t bits[2];

		if (tok_is(&t[i], "do")) {
			m->edns.flags |= HF_EDNS_DO;
			continue;
		}
		if (t[i].len != 6 || strncasecmp(t[i].s, "0x", 2) != 0 ||
		    hf_hex_decode(t[i].s + 2, 4, bits, sizeof(bits)) != 2)
			return HF_ESYNTAX;
		m->edns.flags |= hf_get16(bits);
	}
	m->optbuf = hf_malloc(HF_RDATA_MAX);
	if (m->optbuf == NULL)
		return HF_ENOMEM;
	m->has_edns = true;
	return HF_OK;
}

/* Unquotes a TXT-style string ("..." or a bare word) into out. */
static int unquote(const struct tok *t, uint8_t *out, size_t cap)
{
	const char *s = t->s, *end = t->s + t->len;
	size_t n = 0;

	if (t->len >= 2 && s[0] == '"' && end[-1] == '"') {
		s++;
		end--;
	}
	while (s < end) {
		unsigned c = (unsigned char)*s++;
		if (c == '\\') {
			if (s == end)
				return HF_ESYNTAX;
			c = (unsigned char)*s++;
			if (c >= '0' && c <= '9') {
				if (end - s < 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
				    s[1] > '9')
					return HF_ESYNTAX;
				c = (c - '0') * 100 + (unsigned)(s[0] - '0') * 10 +
				    (unsigned)(s[1] - '0');
				s += 2;
				if (c > 255)
					return HF_ESYNTAX;
			}
		} else if (c == '"') {
			return HF_ESYNTAX;
		}
		if (n == cap)
			return HF_ESPACE;
		out[n++] = (uint8_t)c;
	}
	return (int)n;
}

/* ADDRESS/SOURCE/SCOPE into ECS option data. */
static int parse_ecs(const struct tok *t, uint8_t *out, size_t cap)
{
	struct hf_edns_ecs e = {0};
	const char *slash1 = memchr(t->s, '/', t->len);
	const char *slash2;
	char addr[INET6_ADDRSTRLEN];
	unsigned long src, scope;
	struct tok num;
	size_t alen;

	if (slash1 == NULL)
		return HF_ESYNTAX;
	alen = (size_t)(slash1 - t->s);
	slash2 = memchr(slash1 + 1, '/', (size_t)(t->s + t->len - slash1 - 1));
	if (slash2 == NULL || alen >= sizeof(addr))
		return HF_ESYNTAX;
	memcpy(addr, t->s, alen);
	addr[alen] = '\0';
	e.family = memchr(addr, ':', alen) != NULL ? 2 : 1;
	if (inet_pton(e.family == 1 ? AF_INET : AF_INET6, addr, e.addr) != 1)
		return HF_ESYNTAX;
	num.s = slash1 + 1;
	num.len = (size_t)(slash2 - num.s);
	if (parse_uint(&num, e.family == 1 ? 32 : 128, &src) != HF_OK)
		return HF_ESYNTAX;
	num.s = slash2 + 1;
	num.len = (size_t)(t->s + t->len - num.s);
	if (parse_uint(&num, e.family == 1 ? 32 : 128, &scope) != HF_OK)
		return HF_ESYNTAX;
	/* Text is exact: address bits past the source prefix must be zero. */
	for (unsigned long bit = src; bit < (e.family == 1 ? 32u : 128u); bit++) {
		if (e.addr[bit / 8] & (0x80 >> (bit % 8)))
			return HF_ESYNTAX;
	}
	e.source_prefix = (uint8_t)src;
	e.scope_prefix = (uint8_t)scope;
	int ret = hf_edns_ecs_encode(&e, out, cap);
	return ret == HF_ESPACE || ret >= 0 ? ret : HF_ESYNTAX;
}

/* ";; option NAME ARGS" or ";; option CODE HEX|-" */
static int parse_option(struct mparse *m, const struct tok *t, int n)
{
	size_t room = HF_RDATA_MAX - m->optlen;
	uint8_t *data = m->optbuf + m->optlen;
	struct hf_edns_cookie cookie;
	struct hf_build_opt *o;
	unsigned long v;
	int len;

	if (m->edns.nopts == m->opts_cap) {
		size_t cap = m->opts_cap == 0 ? 8 : m->opts_cap * 2;
		o = hf_realloc(m->opts, cap * sizeof(*o));
		if (o == NULL)
			return HF_ENOMEM;
		m->opts = o;
		m->opts_cap = cap;
	}
	o = &m->opts[m->edns.nopts];
	/* t[0] is "option" */
	if (n == 3 && tok_is(&t[1], "COOKIE")) {
		o->code = HF_EDNS_COOKIE;
		len = hf_hex_decode(t[2].s, t[2].len, data, room);
		struct hf_edns_opt view = {o->code, (uint16_t)len, data};
		if (len >= 0 && hf_edns_cookie_parse(&view, &cookie) != HF_OK)
			len = HF_ESYNTAX;
	} else if ((n == 3 || n == 4) && tok_is(&t[1], "EDE")) {
		o->code = HF_EDNS_EDE;
		if (room < 2 || parse_uint(&t[2], 0xffff, &v) != HF_OK)
			return room < 2 ? HF_ESPACE : HF_ESYNTAX;
		hf_put16(data, (uint16_t)v);
		len = n == 3 ? 0 : unquote(&t[3], data + 2, room - 2);
		if (len >= 0)
			len += 2;
	} else if (n == 3 && tok_is(&t[1], "ECS")) {
		o->code = HF_EDNS_ECS;
		len = parse_ecs(&t[2], data, room);
	} else if (n == 3 && tok_is(&t[1], "PADDING")) {
		o->code = HF_EDNS_PADDING;
		if (parse_uint(&t[2], 0xffff, &v) != HF_OK)
			return HF_ESYNTAX;
		if (v > room)
			return HF_ESPACE;
		memset(data, 0, v);
		len = (int)v;
	} else if (n == 3 && parse_uint(&t[1], 0xffff, &v) == HF_OK) {
		o->code = (uint16_t)v;
		if (tok_is(&t[2], "-"))
			len = 0;
		else
			len = hf_hex_decode(t[2].s, t[2].len, data, room);
	} else {
		return HF_ESYNTAX;
	}
	if (len < 0)
		return len;
	o->len = (uint16_t)len;
	o->data = data;
	m->optlen += (size_t)len;
	m->edns.nopts++;
	/* Each option also takes 4 octets of code and length in the OPT RDATA. */
	if (m->optlen + 4 * m->edns.nopts > 0xffff)
		return HF_ESPACE;
	return HF_OK;
}

/* Header, then room for the OPT record: done once the first section starts. */
static int start_build(struct mparse *m)
{
	int ret;

	if (m->started)
		return HF_OK;
	m->started = true;
	if (m->rcode > 15 && !m->has_edns) {
		m->err_line = m->header_line;
		return HF_ESYNTAX;
	}
	ret = hf_build_header(&m->b, m->id, (uint16_t)(m->flags | (m->rcode & 0xf)));
	if (ret < 0 || !m->has_edns)
		return ret;
	m->edns.ext_rcode = (uint8_t)(m->rcode >> 4);
	m->edns.opts = m->opts;
	return hf_build_reserve(&m->b, hf_build_edns_size(&m->edns));
}

/* A ";;" line: header, edns, option or section marker; p is past the ";;". */
static int parse_directive(struct mparse *m, const char *p, size_t len, int lineno)
{
	struct tok t[64];
	int n;

	n = tokenize(p, len, t, (int)HF_ARRAY_LEN(t));
	if (n < 1)
		return HF_ESYNTAX;
	if (tok_is(&t[0], "id") && m->state == ST_START) {
		m->header_line = lineno;
		m->state = ST_HEADER;
		return parse_header(m, t, n);
	}
	if (tok_is(&t[0], "edns") && m->state == ST_HEADER) {
		m->state = ST_OPTIONS;
		return parse_edns(m, t, n);
	}
	if (tok_is(&t[0], "option") && m->state == ST_OPTIONS)
		return parse_option(m, t, n);
	for (int s = HF_SECTION_QUESTION; n == 1 && s <= HF_SECTION_ADDITIONAL; s++) {
		if (!tok_is(&t[0], sect_names[s]))
			continue;
		if (m->state == ST_START || (m->state == ST_SECTION && s <= m->section))
			return HF_ESYNTAX;
		m->state = ST_SECTION;
		m->section = s;
		return start_build(m);
	}
	return HF_ESYNTAX;
}

/* "NAME CLASS TYPE" */
static int parse_question(struct mparse *m, const char *p, size_t len)
{
	uint8_t name[HF_NAME_MAX];
	uint16_t qclass, qtype;
	struct tok t[3];
	int ret;

	if (tokenize(p, len, t, 3) != 3)
		return HF_ESYNTAX;
	ret = hf_name_from_text(t[0].s, t[0].len, NULL, name);
	if (ret < 0)
		return ret;
	ret = hf_rrclass_from_text(t[1].s, t[1].len, &qclass);
	if (ret < 0)
		return ret;
	ret = hf_rrtype_from_text(t[2].s, t[2].len, &qtype);
	if (ret < 0)
		return ret;
	return hf_build_question(&m->b, name, qtype, qclass);
}

static int parse_record(struct mparse *m, const char *p, size_t len)
{
	int ret;

	if (m->rr == NULL) {
		m->rr = hf_malloc(sizeof(*m->rr));
		if (m->rr == NULL)
			return HF_ENOMEM;
	}
	ret = hf_rr_from_text(p, len, NULL, 0, m->rr);
	if (ret < 0)
		return ret;
	return hf_build_rr(&m->b, (enum hf_section)m->section, m->rr->owner, m->rr->type,
	                   m->rr->rclass, m->rr->ttl, m->rr->rdata, m->rr->rdlen);
}

/*
 * End of the entry starting at text[pos]: the end of its line, or of a
 * later line when a "(" outside quotes and comments is still open there.
 * Counts the extra lines into *lines.
 */
static size_t entry_end(const char *text, size_t len, size_t pos, int *lines)
{
	bool quoted = false, comment = false;
	int depth = 0;

	for (; pos < len; pos++) {
		char c = text[pos];

		if (c == '\n') {
			if (depth <= 0 || quoted)
				break;
			comment = false;
			(*lines)++;
		} else if (comment) {
			continue;
		} else if (c == '\\' && pos + 1 < len && text[pos + 1] != '\n') {
			pos++;
		} else if (c == '"') {
			quoted = !quoted;
		} else if (quoted) {
			continue;
		} else if (c == ';') {
			comment = true;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			depth--;
		}
	}
	return pos;
}

int hf_msg_from_text(const char *text, size_t len, uint8_t *out, size_t cap, int *line)
{
	struct mparse m = {0};
	size_t pos = 0;
	int lineno = 0, ret = HF_OK;

	hf_build_init(&m.b, out, cap < HF_MSG_MAX ? cap : HF_MSG_MAX);
	while (pos < len) {
		size_t start = pos, end;
		int extra = 0;

		lineno++;
		while (start < len && is_space(text[start]))
			start++;
		end = entry_end(text, len, start, &extra);
		pos = end < len ? end + 1 : end;
		const char *p = text + start;
		size_t n = end - start;

		ret = HF_OK;
		if (n >= 2 && p[0] == ';' && p[1] == ';')
			ret = parse_directive(&m, p + 2, n - 2, lineno);
		else if (n == 0 || p[0] == ';')
			; /* blank line or comment */
		else if (m.state != ST_SECTION)
			ret = HF_ESYNTAX;
		else if (m.section == HF_SECTION_QUESTION)
			ret = parse_question(&m, p, n);
		else
			ret = parse_record(&m, p, n);
		if (ret < 0)
			goto fail;
		lineno += extra;
	}
	if (m.state == ST_START) {
		lineno = 1;
		ret = HF_ESYNTAX;
		goto fail;
	}
	ret = start_build(&m);
	if (ret < 0)
		goto fail;
	if (m.has_edns) {
		ret = hf_build_edns(&m.b, &m.edns);
		if (ret < 0)
			goto fail;
	}
	ret = (int)hf_build_finish(&m.b);
	goto out;
fail:
	if (line != NULL)
		*line = m.err_line != 0 ? m.err_line : lineno;
out:
	hf_free(m.rr);
	hf_free(m.opts);
	hf_free(m.optbuf);
	return ret;
}
