/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scalar forms a config file writes: addresses (ADDR or ADDR@PORT, IPv6
 * without brackets), prefixes, durations, sizes and upstreams, each parsed
 * strictly and printed back in the same form. Pure functions: no YAML, no
 * I/O, no allocation. The loader in config.c turns their error codes into
 * messages.
 */
#include "config/config.h"
#include "config/impl.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

/* Longest address text we accept: an IPv6 address with an embedded IPv4 tail. */
#define ADDR_TEXT_MAX INET6_ADDRSTRLEN

/* Parses 1-5 decimal digits in text[0..len) into a port. */
static int parse_port(const char *text, size_t len, uint16_t *port)
{
	uint32_t v = 0;
	if (len == 0)
		return HF_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return HF_EINVAL;
		if (v <= 65535)
			v = v * 10 + (uint32_t)(text[i] - '0');
	}
	if (v > 65535)
		return HF_ERANGE;
	*port = (uint16_t)v;
	return HF_OK;
}

/* Parses a bare IPv4 or IPv6 address in text[0..len) into family and addr[16]. */
static int parse_ip(const char *text, size_t len, int *family, uint8_t addr[16])
{
	char buf[ADDR_TEXT_MAX + 1];
	if (len == 0 || len > ADDR_TEXT_MAX || memchr(text, '\0', len) != NULL)
		return HF_EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return HF_OK;
	}
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		return HF_OK;
	}
	return HF_EINVAL;
}

/* Sets the address from ip (family, 16 octets) and port. */
static void addr_set(struct hf_addr *a, int family, const uint8_t ip[16], uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, ip, 4);
		a->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, ip, 16);
		a->len = sizeof(*sin6);
	}
}

/* Like hf_addr_parse() for text[0..len), which need not be NUL-terminated. */
static int addr_parse_len(const char *text, size_t len, uint16_t default_port, struct hf_addr *out)
{
	const char *at = memrchr(text, '@', len);
	size_t alen = at != NULL ? (size_t)(at - text) : len;
	uint16_t port = default_port;
	uint8_t ip[16];
	int family, ret;

	ret = parse_ip(text, alen, &family, ip);
	if (ret != HF_OK)
		return ret;
	if (at != NULL) {
		ret = parse_port(at + 1, len - alen - 1, &port);
		if (ret != HF_OK)
			return ret;
	}
	addr_set(out, family, ip, port);
	return HF_OK;
}

int hf_addr_parse(const char *text, uint16_t default_port, struct hf_addr *out)
{
	if (hf_fails_assert(text != NULL && out != NULL))
		return HF_EINVAL;
	return addr_parse_len(text, strlen(text), default_port, out);
}

void hf_addr_format(const struct hf_addr *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;

	if (cap == 0)
		return;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;
		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		port = ntohs(sin->sin_port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		port = ntohs(sin6->sin6_port);
	} else {
		snprintf(out, cap, "(no address)");
		return;
	}
	snprintf(out, cap, "%s@%u", ip, port);
}

int hf_prefix_parse(const char *text, struct hf_prefix *out)
{
	struct hf_prefix p;
	bool host_bits;
	if (hf_fails_assert(text != NULL && out != NULL))
		return HF_EINVAL;
	int ret = hf_config_parse_prefix(text, &p, &host_bits);
	if (ret == HF_OK)
		*out = p;
	return ret;
}

int hf_config_parse_prefix(const char *text, struct hf_prefix *out, bool *host_bits)
{
	*host_bits = false;
	size_t len = strlen(text);
	const char *slash = memchr(text, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - text) : len;
	struct hf_prefix p = {0};
	int ret = parse_ip(text, alen, &p.family, p.addr);
	if (ret != HF_OK)
		return ret;
	unsigned full = p.family == AF_INET ? 32 : 128;
	unsigned bits = full;
	if (slash != NULL) {
		const char *d = slash + 1;
		size_t dlen = len - alen - 1;
		if (dlen == 0)
			return HF_EINVAL;
		bits = 0;
		for (size_t i = 0; i < dlen; i++) {
			if (d[i] < '0' || d[i] > '9')
				return HF_EINVAL;
			if (bits <= 128)
				bits = bits * 10 + (unsigned)(d[i] - '0');
		}
		if (bits > full)
			return HF_ERANGE;
	}
	p.bits = (uint8_t)bits;
	/* No bits may be set past the prefix length. */
	for (unsigned i = bits; i < full; i++) {
		uint8_t bit = (uint8_t)(0x80u >> (i % 8));
		if (p.addr[i / 8] & bit) {
			p.addr[i / 8] &= (uint8_t)~bit;
			*host_bits = true;
		}
	}
	*out = p;
	return *host_bits ? HF_EINVAL : HF_OK;
}

void hf_prefix_format(const struct hf_prefix *p, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	if (cap == 0)
		return;
	if (p->family != AF_INET && p->family != AF_INET6) {
		snprintf(out, cap, "(no prefix)");
		return;
	}
	inet_ntop(p->family, p->addr, ip, sizeof(ip));
	snprintf(out, cap, "%s/%u", ip, (unsigned)p->bits);
}

static bool prefix_covers(const struct hf_prefix *p, const uint8_t *addr)
{
	unsigned whole = p->bits / 8, rest = p->bits % 8;
	if (memcmp(p->addr, addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (p->addr[whole] & mask) == (addr[whole] & mask);
}

bool hf_prefix_match(const struct hf_prefix *prefixes, size_t n, const struct sockaddr *addr)
{
	const uint8_t *a4 = NULL, *a6 = NULL;
	if (addr == NULL)
		return false;
	if (addr->sa_family == AF_INET) {
		a4 = (const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr;
	} else if (addr->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;
		a6 = in6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(in6))
			a4 = in6->s6_addr + 12;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hf_prefix *p = &prefixes[i];
		if (p->family == AF_INET && a4 != NULL && prefix_covers(p, a4))
			return true;
		if (p->family == AF_INET6 && a6 != NULL && prefix_covers(p, a6))
			return true;
	}
	return false;
}

/* --- durations and sizes --------------------------------------------------- */

/* Reads decimal digits at text[*pos..len) into *v; HF_ESYNTAX if none, HF_ERANGE on overflow. */
static int read_number(const char *text, size_t len, size_t *pos, uint64_t *v)
{
	size_t start = *pos;
	uint64_t n = 0;
	while (*pos < len && text[*pos] >= '0' && text[*pos] <= '9') {
		unsigned d = (unsigned)(text[*pos] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return HF_ERANGE;
		n = n * 10 + d;
		(*pos)++;
	}
	if (*pos == start)
		return HF_ESYNTAX;
	*v = n;
	return HF_OK;
}

static int mul_add(uint64_t *total, uint64_t n, uint64_t unit)
{
	if (n > UINT64_MAX / unit || *total > UINT64_MAX - n * unit)
		return HF_ERANGE;
	*total += n * unit;
	return HF_OK;
}

int hf_config_parse_duration(const char *text, size_t len, uint64_t *ms)
{
	uint64_t total = 0, n;
	size_t pos = 0;
	int ret;

	if (len == 0)
		return HF_ESYNTAX;
	while (pos < len) {
		size_t start = pos;
		ret = read_number(text, len, &pos, &n);
		if (ret != HF_OK)
			return ret;
		uint64_t unit;
		if (pos == len) {
			/* A bare number is seconds; the "30" of "1h30" is not. */
			if (start != 0)
				return HF_ESYNTAX;
			unit = 1000;
		} else if (len - pos >= 2 && text[pos] == 'm' && text[pos + 1] == 's') {
			unit = 1;
			pos += 2;
		} else {
			switch (text[pos]) {
			case 's':
				unit = 1000;
				break;
			case 'm':
				unit = 60 * 1000;
				break;
			case 'h':
				unit = 3600 * 1000;
				break;
			case 'd':
				unit = 86400 * 1000;
				break;
			case 'w':
				unit = 7 * 86400 * 1000;
				break;
			default:
				return HF_ESYNTAX;
			}
			pos++;
		}
		ret = mul_add(&total, n, unit);
		if (ret != HF_OK)
			return ret;
	}
	*ms = total;
	return HF_OK;
}

int hf_config_parse_size(const char *text, size_t len, uint64_t *out)
{
	uint64_t n, unit = 1, total = 0;
	size_t pos = 0;
	int ret = read_number(text, len, &pos, &n);
	if (ret != HF_OK)
		return ret;
	if (pos < len) {
		switch (text[pos]) {
		case 'K':
		case 'k':
			unit = (uint64_t)1 << 10;
			break;
		case 'M':
		case 'm':
			unit = (uint64_t)1 << 20;
			break;
		case 'G':
		case 'g':
			unit = (uint64_t)1 << 30;
			break;
		case 'T':
		case 't':
			unit = (uint64_t)1 << 40;
			break;
		default:
			return HF_ESYNTAX;
		}
		pos++;
	}
	if (pos != len)
		return HF_ESYNTAX;
	ret = mul_add(&total, n, unit);
	if (ret != HF_OK)
		return ret;
	*out = total;
	return HF_OK;
}

void hf_config_format_duration(uint64_t ms, char *out, size_t cap)
{
	static const struct {
		uint64_t ms;
		const char *unit;
	} units[] = {
	    {7 * 86400 * 1000ull, "w"}, {86400 * 1000ull, "d"}, {3600 * 1000ull, "h"},
	    {60 * 1000ull, "m"},        {1000ull, "s"},
	};
	if (ms != 0) {
		for (size_t i = 0; i < HF_ARRAY_LEN(units); i++) {
			if (ms % units[i].ms == 0) {
				snprintf(out, cap, "%llu%s", (unsigned long long)(ms / units[i].ms),
				         units[i].unit);
				return;
			}
		}
		snprintf(out, cap, "%llums", (unsigned long long)ms);
		return;
	}
	snprintf(out, cap, "0s");
}

void hf_config_format_size(uint64_t n, char *out, size_t cap)
{
	static const char units[] = "TGMK";
	for (unsigned i = 0; i < 4 && n != 0; i++) {
		unsigned shift = 10 * (4 - i);
		if (n % ((uint64_t)1 << shift) == 0) {
			snprintf(out, cap, "%llu%c", (unsigned long long)(n >> shift), units[i]);
			return;
		}
	}
	snprintf(out, cap, "%llu", (unsigned long long)n);
}

void hf_config_format_share(uint32_t bp, char *out, size_t cap)
{
	if (bp % 100 == 0)
		snprintf(out, cap, "%u%%", bp / 100);
	else if (bp % 10 == 0)
		snprintf(out, cap, "%u.%u%%", bp / 100, bp % 100 / 10);
	else
		snprintf(out, cap, "%u.%02u%%", bp / 100, bp % 100);
}

/* --- upstreams ------------------------------------------------------------- */

static bool is_hostname_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

/* Base64 (RFC 4648 §4, padded, canonical) of exactly `want` octets; false for anything else. */
static bool base64_decode(const char *text, size_t len, uint8_t *out, size_t want)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t pad = (3 - want % 3) % 3, n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	if (len != (want + 2) / 3 * 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i >= len - pad) {
			if (text[i] != '=')
				return false;
			continue;
		}
		const char *p = text[i] != '\0' ? memchr(alphabet, text[i], 64) : NULL;
		if (p == NULL)
			return false;
		acc = (acc << 6) | (uint32_t)(p - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* The bits left over from the last character must be zero (one spelling per pin). */
	return n == want && acc == 0;
}

/* "sha256/BASE64": the SHA-256 of a SubjectPublicKeyInfo, as kdig's +tls-pin and RFC 7858 §4.2. */
static bool parse_pin(const char *text, size_t len, uint8_t out[HF_TLS_PIN_LEN])
{
	static const char prefix[] = "sha256/";
	size_t plen = sizeof(prefix) - 1;
	return len > plen && memcmp(text, prefix, plen) == 0 &&
	       base64_decode(text + plen, len - plen, out, HF_TLS_PIN_LEN);
}

/* The authentication name after '#' (TLS, HTTPS): a host name, 253 characters at most. */
static int parse_tls_name(const char *name, size_t nlen, struct hf_upstream_conf *out,
                          const char **why)
{
	if (nlen == 0 || nlen > 253) {
		*why = nlen == 0 ? "has an empty TLS name after #"
		                 : "has a TLS name longer than 253 characters";
		return HF_EINVAL;
	}
	for (size_t i = 0; i < nlen; i++) {
		if (!is_hostname_char(name[i])) {
			*why = "has a TLS name that is not a host name";
			return HF_EINVAL;
		}
	}
	memcpy(out->tls_name, name, nlen);
	out->tls_name[nlen] = '\0';
	return HF_OK;
}

/* The pins from caret on: ^sha256/PIN^sha256/PIN... (caret NULL: none). */
static int parse_pins(const char *caret, struct hf_upstream_conf *out, const char **why)
{
	while (caret != NULL) {
		const char *pin = caret + 1;
		caret = strchr(pin, '^');
		size_t plen = caret != NULL ? (size_t)(caret - pin) : strlen(pin);
		if (out->tls_npins == HF_TLS_PINS_MAX) {
			*why = "has more than 4 pins";
			return HF_EINVAL;
		}
		if (!parse_pin(pin, plen, out->tls_pins[out->tls_npins])) {
			*why = "has a pin that is not sha256/BASE64 (the SHA-256 of the server's "
			       "SubjectPublicKeyInfo: 44 characters of Base64)";
			return HF_EINVAL;
		}
		out->tls_npins++;
	}
	return HF_OK;
}

/* tls://ADDR[@PORT][#name][^sha256/PIN]... */
static int parse_tls(const char *text, struct hf_upstream_conf *out, const char **why)
{
	const char *rest = text + strlen("tls://");
	const char *caret = strchr(rest, '^');
	const char *end = caret != NULL ? caret : rest + strlen(rest);
	const char *hash = memchr(rest, '#', (size_t)(end - rest));
	size_t alen = (size_t)((hash != NULL ? hash : end) - rest);

	int ret = addr_parse_len(rest, alen, 853, &out->addr);
	if (ret != HF_OK) {
		*why = ret == HF_ERANGE ? "has a port out of range (0..65535)"
		                        : "is not tls://ADDR[@PORT][#name][^sha256/PIN] (like "
		                          "tls://192.0.2.1@853#dns.example)";
		return HF_EINVAL;
	}
	if (hash != NULL) {
		ret = parse_tls_name(hash + 1, (size_t)(end - hash - 1), out, why);
		if (ret != HF_OK)
			return ret;
	}
	ret = parse_pins(caret, out, why);
	if (ret != HF_OK)
		return ret;
	out->proto = HF_UPSTREAM_TLS;
	return HF_OK;
}

/*
 * The URL's authority, HOST[:PORT] with HOST an IPv4 address, [IPv6] or a
 * host name: *family is 0 for a name (then ip is untouched).
 */
static int parse_authority(const char *auth, size_t len, int *family, uint8_t ip[16],
                           uint16_t *port, size_t *hlen, const char **why)
{
	const char *host = auth, *colon;
	size_t n;
	if (memchr(auth, '@', len) != NULL) {
		*why = "has user information in the URL (https://user@host is not supported)";
		return HF_EINVAL;
	}
	if (len > 0 && auth[0] == '[') {
		const char *close = memchr(auth, ']', len);
		if (close == NULL ||
		    parse_ip(auth + 1, (size_t)(close - auth - 1), family, ip) != HF_OK ||
		    *family != AF_INET6) {
			*why = "has a host in brackets that is not an IPv6 address";
			return HF_EINVAL;
		}
		n = (size_t)(close - auth) + 1;
		colon = n < len && auth[n] == ':' ? auth + n : NULL;
		if (n < len && colon == NULL) {
			*why = "has something other than :PORT after the IPv6 address";
			return HF_EINVAL;
		}
	} else {
		colon = memchr(auth, ':', len);
		n = colon != NULL ? (size_t)(colon - auth) : len;
		if (n == 0) {
			*why = "has no host after https://";
			return HF_EINVAL;
		}
		if (parse_ip(host, n, family, ip) != HF_OK) {
			*family = 0;
			for (size_t i = 0; i < n; i++) {
				if (!is_hostname_char(host[i])) {
					*why =
					    "has a host that is neither an address nor a host name "
					    "(an IPv6 address goes in brackets: "
					    "https://[2001:db8::1]/...)";
					return HF_EINVAL;
				}
			}
			if (n > 253) {
				*why = "has a host name longer than 253 characters";
				return HF_EINVAL;
			}
		}
	}
	*hlen = n;
	*port = 443;
	if (colon != NULL) {
		int ret = parse_port(colon + 1, len - (size_t)(colon + 1 - auth), port);
		if (ret != HF_OK || *port == 0) {
			*why = "has a port that is not 1..65535";
			return HF_EINVAL;
		}
	}
	return HF_OK;
}

/*
 * https://HOST[:PORT]/PATH[@ADDR][#name][^sha256/PIN]...
 *
 * HOST a name: it is the authentication name, and @ADDR the address to
 * connect to (holdfast does not look up its own upstreams: the lookup would
 * go through itself). HOST an address: it is where to connect, and #name
 * the authentication name as for tls://. The port is the URL's (443).
 */
static int parse_https(const char *text, struct hf_upstream_conf *out, const char **why)
{
	static const char template[] = "{?dns}"; /* RFC 8484's URI template, for GET */
	size_t len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c <= ' ' || c >= 0x7f) {
			*why = "has a space or a character outside printable ASCII in the URL";
			return HF_EINVAL;
		}
	}
	if (len >= sizeof(out->url)) {
		*why = "is too long for a URL (511 characters at most)";
		return HF_EINVAL;
	}
	const char *rest = text + strlen("https://");
	const char *caret = strchr(rest, '^');
	const char *end = caret != NULL ? caret : text + len;
	const char *hash = memchr(rest, '#', (size_t)(end - rest));
	const char *url_end = hash != NULL ? hash : end;
	const char *slash = memchr(rest, '/', (size_t)(url_end - rest));
	if (slash == rest || rest == url_end) {
		*why = "has no host after https://";
		return HF_EINVAL;
	}
	if (slash == NULL) {
		*why = "has no path (like https://dns.example/dns-query@192.0.2.1)";
		return HF_EINVAL;
	}
	int family;
	uint8_t ip[16];
	uint16_t port;
	size_t hlen;
	int ret = parse_authority(rest, (size_t)(slash - rest), &family, ip, &port, &hlen, why);
	if (ret != HF_OK)
		return ret;

	/* The path, and the address after its last '@'. */
	const char *at = memrchr(slash, '@', (size_t)(url_end - slash));
	const char *path_end = at != NULL ? at : url_end;
	size_t plen = (size_t)(path_end - slash);
	size_t tlen = sizeof(template) - 1;
	if (plen > tlen && memcmp(path_end - tlen, template, tlen) == 0)
		plen -= tlen;
	memcpy(out->http_path, slash, plen);
	out->http_path[plen] = '\0';

	if (family != 0) {
		if (at != NULL) {
			*why = "has an address both as host and after @ (give one)";
			return HF_EINVAL;
		}
		addr_set(&out->addr, family, ip, port);
		if (hash != NULL) {
			ret = parse_tls_name(hash + 1, (size_t)(end - hash - 1), out, why);
			if (ret != HF_OK)
				return ret;
		}
	} else {
		if (hash != NULL) {
			*why = "has both a host name and #name (the host name is the name checked)";
			return HF_EINVAL;
		}
		if (at == NULL) {
			*why = "has a host name but no @ADDR: holdfast does not look up its own "
			       "upstreams (like https://dns.example/dns-query@192.0.2.1)";
			return HF_EINVAL;
		}
		if (parse_ip(at + 1, (size_t)(url_end - at - 1), &family, ip) != HF_OK) {
			*why = "has something after @ that is not an address (the port goes in "
			       "the URL: https://dns.example:8443/dns-query@192.0.2.1)";
			return HF_EINVAL;
		}
		addr_set(&out->addr, family, ip, port);
		memcpy(out->tls_name, rest, hlen);
		out->tls_name[hlen] = '\0';
	}
	/* :authority: the authentication name when there is one, else the host as written. */
	if (out->tls_name[0] != '\0' && port != 443)
		snprintf(out->http_authority, sizeof(out->http_authority), "%s:%u", out->tls_name,
		         (unsigned)port);
	else if (out->tls_name[0] != '\0')
		snprintf(out->http_authority, sizeof(out->http_authority), "%s", out->tls_name);
	else
		snprintf(out->http_authority, sizeof(out->http_authority), "%.*s",
		         (int)(slash - rest), rest);
	ret = parse_pins(caret, out, why);
	if (ret != HF_OK)
		return ret;
	memcpy(out->url, text, len + 1);
	out->proto = HF_UPSTREAM_HTTPS;
	return HF_OK;
}

int hf_config_parse_upstream(const char *text, struct hf_upstream_conf *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(text, "https://", 8) == 0)
		return parse_https(text, out, why);
	if (strncmp(text, "tls://", 6) == 0)
		return parse_tls(text, out, why);
	if (strstr(text, "://") != NULL) {
		*why = "has an unknown scheme (tls:// and https:// are known)";
		return HF_EINVAL;
	}
	int ret = hf_addr_parse(text, 53, &out->addr);
	if (ret != HF_OK) {
		*why = ret == HF_ERANGE ? "has a port out of range (0..65535)"
		                        : "is not an upstream (ADDR@PORT, tls://ADDR@PORT#name or "
		                          "https://host/path@ADDR)";
		return HF_EINVAL;
	}
	out->proto = HF_UPSTREAM_DNS;
	return HF_OK;
}
