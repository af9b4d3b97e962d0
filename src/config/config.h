/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Configuration: one YAML file (libyaml), checked against a schema table in
 * config.c that gives every key its type, range, default and documentation.
 * Every key has a default, so an empty file (or none) gives a working
 * resolver. Errors name the file, the line and the key:
 *
 *   holdfast.yaml:7: cache.max-ttl: "2x" is not a duration (like 30s, 5m, 1d)
 *
 * Unknown keys are errors. The key names are the contract in DESIGN.md;
 * they do not change without a migration note.
 *
 * Addresses are written ADDR or ADDR@PORT (IPv6 without brackets, e.g.
 * "::1@53"); durations as a number with a unit (ms, s, m, h, d, w; a bare
 * number is seconds); sizes as a number with an optional K, M or G suffix.
 *
 * A struct hf_config is immutable once loaded: a reload builds a new one and
 * swaps it in, so readers never see half a config.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/compiler.h"
#include "util/log.h"

#define HF_CONFIG_ERR_MAX 512

struct hf_addr {
	struct sockaddr_storage ss; /* sin_port / sin6_port set */
	socklen_t len;
};

/* An address prefix for access control: 192.0.2.0/24, 2001:db8::/32. */
struct hf_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t bits;
};

enum hf_upstream_proto {
	HF_UPSTREAM_DNS = 0, /* plain UDP, TCP on TC */
	HF_UPSTREAM_TLS,   /* tls://ADDR@PORT#name^sha256/PIN (DNS over TLS, src/upstream/tls.c) */
	HF_UPSTREAM_HTTPS, /* https://HOST/PATH@ADDR#name^sha256/PIN (DNS over HTTPS,
	                      src/upstream/doh.c) */
};

#define HF_TLS_PINS_MAX 4  /* SPKI pins per TLS upstream (a current key and backups) */
#define HF_TLS_PIN_LEN  32 /* SHA-256 */

struct hf_upstream_conf {
	enum hf_upstream_proto proto;
	struct hf_addr addr; /* where to connect (HTTPS: the URL's address host, or @ADDR) */
	/* The name the certificate must carry: after '#', or the URL's host name (HTTPS);
	 * "" = none (the certificate must carry the address). */
	char tls_name[256];
	/* After '^': SHA-256 digests of the server's SubjectPublicKeyInfo (RFC 7858 §4.2). */
	uint8_t tls_pins[HF_TLS_PINS_MAX][HF_TLS_PIN_LEN];
	size_t tls_npins;
	char url[512]; /* HTTPS: as written */
	char
	    http_authority[262]; /* HTTPS: the :authority sent (name or host, ":PORT" if not 443) */
	char http_path[512];     /* HTTPS: the :path sent */
};

struct hf_forward_zone {
	uint8_t zone[255]; /* wire-format name */
	struct hf_upstream_conf *upstreams;
	size_t nupstreams;
	char *tls_ca; /* CA file or directory for its tls:// upstreams; "" = the system's store */
	bool trusted; /* the guard's trusted path for the zone, not used to resolve (src/guard) */
};

/* One response policy zone (policy.rpz[]): src/policy reads the file. */
struct hf_policy_rpz_conf {
	char *file;
	uint8_t name[255];  /* the zone's origin: owner names are triggers relative to it */
	unsigned long line; /* where the entry is in the configuration file, for messages */
};

/* One block list (policy.blocklists[]): checked here, read by src/policy. */
struct hf_policy_list_conf {
	char *file;
	char *format; /* "hosts" or "domains" */
	char *action; /* "nxdomain", "nodata" or an address */
	char *name;   /* shown in answers' EDE text and in metrics; "" = the file's name */
	unsigned long line;
};

struct hf_config {
	char *path; /* the file it came from, or NULL for built-in defaults */

	struct hf_addr *listen;
	size_t nlisten;
	unsigned workers; /* 0 = one per core ("auto") */

	/* forward: absent means full recursion; forward_resolv_conf means the
	 * system's servers ("forward: resolv.conf"). */
	struct hf_forward_zone *forward;
	size_t nforward;
	bool forward_resolv_conf;

	char *root_hints;
	char **trust_anchors;
	size_t ntrust_anchors;
	uint8_t (*negative_trust_anchors)[255];
	size_t nnegative_trust_anchors;
	char **local_data; /* zone-file lines, checked with hf_rr_from_text */
	size_t nlocal_data;

	struct {
		bool qname_minimisation;
		bool strict_glue;
		bool upstream_ip4;
		bool upstream_ip6;
		bool allow_loopback_upstreams;
		struct hf_addr *outgoing;
		size_t noutgoing;
		uint16_t edns_buffer_size;
		bool local_zones;
		uint32_t query_timeout_ms; /* per upstream attempt */
		/* Bounds on one resolution (iteration). */
		unsigned max_queries;
		unsigned max_depth;
		unsigned max_cname_chain;
		unsigned max_ns_lookups;
		uint32_t max_time_ms;
		unsigned max_outstanding;
		/* Flood protection: resolutions in flight (src/server/ratelimit.h). */
		unsigned max_per_client; /* per client prefix (ratelimit.ipv4/ipv6-prefix) */
		unsigned max_per_zone;   /* per zone (hf_zone_key) */
		unsigned max_pending;    /* per worker */
	} resolver;

	/* The response guard against on-path injection (src/guard). */
	struct {
		bool hold_on;
		uint32_t max_hold_ms;
		uint32_t tcp_after_doubt_ms;
		char *forged_list; /* "" = the built-in list */
		unsigned fan_in_names, fan_in_zones, fan_in_servers;
		unsigned dnssec_burst_zones;
		unsigned unmatched_flood;
		uint32_t incident_window, incident_quiet; /* seconds */
	} guard;

	/* DNSSEC validation bounds (KeyTrap, NSEC3) and tolerances. */
	struct {
		unsigned max_signature_checks;
		unsigned max_key_tries;
		unsigned max_signatures;
		unsigned max_nsec3_hashes;
		unsigned max_nsec3_iterations;
		uint32_t clock_skew; /* seconds */
		bool allow_sha1;
	} dnssec;

	struct {
		char *path; /* "" = memory only */
		uint64_t size;
		uint32_t min_ttl; /* seconds */
		uint32_t max_ttl;
		uint32_t negative_max_ttl;
		bool prefetch;
	} cache;

	struct {
		bool enabled;
		uint32_t max_stale; /* seconds */
		uint32_t client_timeout_ms;
		uint32_t answer_ttl; /* seconds */
		uint32_t recheck_ms; /* after a failed refresh, stale answers without retrying */
	} serve_stale;

	struct {
		struct hf_prefix *allow;
		size_t nallow;
	} access;

	/* Per-client UDP query rates (src/server/ratelimit.h). */
	struct {
		unsigned qps;   /* 0 = off */
		unsigned burst; /* 0 = qps */
		unsigned slip;  /* every slip-th limited query gets TC=1; 0 = none */
		unsigned ipv4_prefix, ipv6_prefix;
		struct hf_prefix *exempt;
		size_t nexempt;
	} ratelimit;

	struct {
		uint32_t idle_timeout_ms;
		unsigned max_connections;
		unsigned max_per_client;
	} tcp;

	struct {
		char *socket;
		struct hf_addr http;
		bool http_enabled;
	} control;

	struct {
		char *file;
		bool client_addresses;
	} events;

	/* The query log (src/dnstap): off unless file or socket is set (never both). */
	struct {
		char *file;
		char *socket;
		bool client;    /* CLIENT_QUERY and CLIENT_RESPONSE */
		bool upstream;  /* RESOLVER_* or FORWARDER_* */
		char *identity; /* "" = the host name */
		char *version;  /* "" = "holdfast VERSION" */
	} dnstap;

	struct {
		enum hf_log_lvl level;
	} log;

	/* Local data aside, what src/policy answers instead of the truth, and its guards. */
	struct {
		struct hf_policy_rpz_conf *rpz;
		size_t nrpz;
		struct hf_policy_list_conf *blocklists;
		size_t nblocklists;
		uint32_t max_blast; /* basis points (1/100 %) of recently asked names */
		bool force;         /* load even what the blast-radius guard refuses */
		struct {
			bool enabled;
			uint32_t window; /* seconds */
			uint32_t share;  /* basis points of the queries in the window */
			unsigned min_hits;
			unsigned growth; /* times the rule's earlier rate */
		} breaker;
	} policy;
};

/*
 * Loads path (NULL: the built-in defaults, as for an empty file). On error
 * returns NULL and writes one line naming file, line and key into err.
 */
struct hf_config *hf_config_load(const char *path, char err[HF_CONFIG_ERR_MAX]);

/* Loads YAML text directly (for tests); name is used in messages. */
struct hf_config *hf_config_parse(const char *name, const char *text, size_t len,
                                  char err[HF_CONFIG_ERR_MAX]);

void hf_config_free(struct hf_config *cfg);

/*
 * Parses "ADDR" or "ADDR@PORT" (default_port when absent); IPv6 without
 * brackets ("::1@53"). Returns HF_OK, HF_EINVAL if it is not an address, or
 * HF_ERANGE if the port is above 65535.
 */
HF_MUSTCHECK int hf_addr_parse(const char *text, uint16_t default_port, struct hf_addr *out);

/* Writes "ADDR@PORT" into out (at least 64 octets). */
void hf_addr_format(const struct hf_addr *a, char *out, size_t cap);

/*
 * Parses "ADDR/BITS" or a bare ADDR (full length). Bits set past the prefix
 * length ("192.0.2.1/24") are HF_EINVAL like any other malformed prefix;
 * a length too long for the family is HF_ERANGE.
 */
HF_MUSTCHECK int hf_prefix_parse(const char *text, struct hf_prefix *out);

/* Writes "ADDR/BITS" into out (at least 64 octets). */
void hf_prefix_format(const struct hf_prefix *p, char *out, size_t cap);

/*
 * True if addr falls inside one of the prefixes. An IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, as a dual-stack socket reports IPv4 clients) matches
 * IPv4 prefixes too.
 */
bool hf_prefix_match(const struct hf_prefix *prefixes, size_t n, const struct sockaddr *addr);

/*
 * Writes the schema as Markdown (key, type, default, doc): the README's
 * reference table. Always NUL-terminates (when cap > 0); returns the length
 * the whole table needs, like snprintf(), so a return >= cap means it was
 * cut short.
 */
size_t hf_config_write_reference(char *out, size_t cap);
