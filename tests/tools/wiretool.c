/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wiretool: the wire library on the command line, for tests (the dnspython
 * oracle) and for people poking at packets. All I/O lives here.
 *
 *   wiretool print          binary message on stdin -> text (msgtext.h)
 *   wiretool build          message text on stdin -> binary message
 *   wiretool rdata TYPE     RDATA presentation text on stdin -> hex, one line
 *   wiretool rr2text        lines "TYPE HEX" -> one RDATA text line each
 *   wiretool text2rdata     lines "TYPE<TAB>RDATA TEXT" -> one hex line each
 *
 * Exit codes: 0 success; 1 input rejected (the error name on stderr);
 * 2 usage or I/O trouble; 3 print of a message with an unsupported EDNS
 * version (HF_EBADVERS), which is still printed. In the batch modes a line
 * that fails prints "ERROR HF_E..." in its place and the run goes on; "-"
 * or nothing stands for empty RDATA.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/codec.h"
#include "wire/msgtext.h"
#include "wire/pkt.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

#define TEXT_MAX (64u << 20)

/* Reads all of stdin into a heap buffer (NUL-terminated); NULL on failure. */
static char *read_all(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = hf_malloc(cap + 1);
	char *grown;

	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, stdin);
		if (ferror(stdin))
			break;
		if (n < cap) {
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		if (cap >= TEXT_MAX)
			break;
		cap *= 2;
		grown = hf_realloc(buf, cap + 1);
		if (grown == NULL)
			break;
		buf = grown;
	}
	hf_free(buf);
	return NULL;
}

static int cmd_print(void)
{
	struct hf_pkt pkt = {0};
	size_t len, cap = 1 << 20;
	char *wire, *text = NULL;
	int ret, status = 1;

	wire = read_all(&len);
	if (wire == NULL)
		return 2;
	ret = hf_pkt_parse(&pkt, (const uint8_t *)wire, len, NULL);
	if (ret < 0 && ret != HF_EBADVERS) {
		fprintf(stderr, "%s\n", hf_errname(ret));
		goto out_wire;
	}
	status = ret == HF_EBADVERS ? 3 : 0;
	for (;;) {
		text = hf_malloc(cap);
		if (text == NULL) {
			status = 2;
			goto out;
		}
		ret = hf_msg_to_text(&pkt, text, cap);
		if (ret != HF_ESPACE || cap >= TEXT_MAX)
			break;
		hf_free(text);
		cap *= 4;
	}
	if (ret < 0) {
		fprintf(stderr, "%s\n", hf_errname(ret));
		status = 1;
		goto out;
	}
	fwrite(text, 1, (size_t)ret, stdout);
out:
	hf_free(text);
	hf_pkt_clear(&pkt);
out_wire:
	hf_free(wire);
	return status;
}

static int cmd_build(void)
{
	static uint8_t wire[HF_MSG_MAX];
	size_t len;
	char *text;
	int ret, line = 0;

	text = read_all(&len);
	if (text == NULL)
		return 2;
	ret = hf_msg_from_text(text, len, wire, sizeof(wire), &line);
	hf_free(text);
	if (ret < 0) {
		fprintf(stderr, "line %d: %s\n", line, hf_errname(ret));
		return 1;
	}
	fwrite(wire, 1, (size_t)ret, stdout);
	return 0;
}

static int print_hex(const uint8_t *data, size_t len)
{
	static char hex[2 * HF_RDATA_MAX + 1];
	int ret;

	ret = hf_hex_encode(data, len, hex, sizeof(hex));
	if (ret < 0)
		return ret;
	printf("%s\n", hex);
	return HF_OK;
}

/* Parses text as RDATA of the type named by name; returns its length or an error. */
static int rdata_from_text(const char *name, size_t nlen, const char *text, size_t len,
                           uint8_t *out)
{
	uint16_t type;
	int ret;

	ret = hf_rrtype_from_text(name, nlen, &type);
	if (ret < 0)
		return ret;
	return hf_rdata_from_text(type, text, len, NULL, out, HF_RDATA_MAX);
}

static int cmd_rdata(const char *type)
{
	static uint8_t rdata[HF_RDATA_MAX];
	size_t len;
	char *text;
	int ret;

	text = read_all(&len);
	if (text == NULL)
		return 2;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	ret = rdata_from_text(type, strlen(type), text, len, rdata);
	hf_free(text);
	if (ret >= 0)
		ret = print_hex(rdata, (size_t)ret);
	if (ret < 0) {
		fprintf(stderr, "%s\n", hf_errname(ret));
		return 1;
	}
	return 0;
}

/* One "TYPE HEX" line: prints the RDATA text. */
static int rr2text_line(const char *p, size_t len)
{
	static uint8_t rdata[HF_RDATA_MAX];
	static char text[8 * HF_RDATA_MAX];
	size_t tlen = 0, hstart;
	uint16_t type;
	int ret, rdlen = 0;

	while (tlen < len && p[tlen] != ' ' && p[tlen] != '\t')
		tlen++;
	ret = hf_rrtype_from_text(p, tlen, &type);
	if (ret < 0)
		return ret;
	hstart = tlen;
	while (hstart < len && (p[hstart] == ' ' || p[hstart] == '\t'))
		hstart++;
	if (hstart < len && !(len - hstart == 1 && p[hstart] == '-')) {
		rdlen = hf_hex_decode(p + hstart, len - hstart, rdata, sizeof(rdata));
		if (rdlen < 0)
			return rdlen;
	}
	ret = hf_rdata_to_text(type, rdata, (size_t)rdlen, text, sizeof(text));
	if (ret < 0)
		return ret;
	printf("%s\n", text);
	return HF_OK;
}

/* One "TYPE<TAB>TEXT" line: prints the RDATA as hex. */
static int text2rdata_line(const char *p, size_t len)
{
	static uint8_t rdata[HF_RDATA_MAX];
	const char *tab = memchr(p, '\t', len);
	int ret;

	if (tab == NULL)
		return HF_ESYNTAX;
	ret = rdata_from_text(p, (size_t)(tab - p), tab + 1, len - (size_t)(tab - p) - 1, rdata);
	if (ret < 0)
		return ret;
	return print_hex(rdata, (size_t)ret);
}

static int cmd_batch(int (*fn)(const char *, size_t))
{
	size_t len, pos = 0;
	char *in;

	in = read_all(&len);
	if (in == NULL)
		return 2;
	while (pos < len) {
		const char *nl = memchr(in + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - in) : len;
		size_t llen = end - pos;
		int ret;

		if (llen > 0 && in[pos + llen - 1] == '\r')
			llen--;
		ret = fn(in + pos, llen);
		if (ret < 0)
			printf("ERROR %s\n", hf_errname(ret));
		pos = end + 1;
	}
	hf_free(in);
	return fflush(stdout) == 0 ? 0 : 2;
}

static void usage(void)
{
	fprintf(stderr, "usage: wiretool print | build | rdata TYPE | rr2text | text2rdata\n");
}

int main(int argc, char **argv)
{
	int status;

	if (argc == 2 && strcmp(argv[1], "print") == 0)
		status = cmd_print();
	else if (argc == 2 && strcmp(argv[1], "build") == 0)
		status = cmd_build();
	else if (argc == 3 && strcmp(argv[1], "rdata") == 0)
		status = cmd_rdata(argv[2]);
	else if (argc == 2 && strcmp(argv[1], "rr2text") == 0)
		status = cmd_batch(rr2text_line);
	else if (argc == 2 && strcmp(argv[1], "text2rdata") == 0)
		status = cmd_batch(text2rdata_line);
	else {
		usage();
		return 2;
	}
	if (fflush(stdout) != 0 && status == 0)
		status = 2;
	return status;
}
