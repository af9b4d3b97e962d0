/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The schema: every configuration key, once. The loader, the defaults, the
 * free function and the README's reference table (hf_config_write_reference)
 * all come from this table, so a key added here is parsed, defaulted, freed
 * and documented without touching anything else. Key names are the contract
 * in DESIGN.md ("Configuration"); renaming one needs a migration note.
 *
 * Defaults are YAML text and go through the same parser as the file. Rows
 * are listed in the order the reference prints them; section rows only tell
 * the loader that a key holds a mapping.
 */
#include "config/impl.h"

#include <stddef.h>

/* A field of struct hf_config, and the count of a list in it. */
#define FIELD(m) .off = offsetof(struct hf_config, m), .size = sizeof(((struct hf_config *)0)->m)
#define COUNT(m) .aux = offsetof(struct hf_config, m)
/* A field of one forward zone. */
#define ZFIELD(m)                                                                                  \
	.off = offsetof(struct hf_forward_zone, m), .size = sizeof(((struct hf_forward_zone *)0)->m)

#define MS(n)   ((uint64_t)(n))
#define SEC(n)  ((uint64_t)(n)*1000)
#define MIN(n)  (SEC(n) * 60)
#define HOUR(n) (MIN(n) * 60)
#define DAY(n)  (HOUR(n) * 24)
#define WEEK(n) (DAY(n) * 7)
#define MIB(n)  ((uint64_t)(n) << 20)
#define TIB(n)  ((uint64_t)(n) << 40)

const struct hf_config_key hf_config_schema[] = {
    {.key = "listen",
     .type = HF_CONFIG_ADDRS,
     .flags = HF_CONFIG_NONEMPTY,
     FIELD(listen),
     COUNT(nlisten),
     .port = 53,
     .def = "[127.0.0.1@53, \"::1@53\"]",
     .doc = "Addresses for plain DNS over UDP and TCP (`ADDR` or `ADDR@PORT`, port 53 when "
            "omitted; IPv6 without brackets, quoted: `\"::1@53\"`)."},
    {.key = "workers",
     .type = HF_CONFIG_UINT,
     .flags = HF_CONFIG_AUTO,
     FIELD(workers),
     .min = 1,
     .max = 256,
     .def = "auto",
     .doc = "Worker threads, each with its own event loop on `SO_REUSEPORT` sockets; `auto` = one "
            "per core."},
    {.key = "forward",
     .type = HF_CONFIG_FORWARD,
     FIELD(forward),
     COUNT(nforward),
     .def = "resolv.conf",
     .doc = "Where queries go. `resolv.conf`: the name servers in /etc/resolv.conf. A list of "
            "`{zone, upstreams}`: each zone to its own upstreams, the longest matching zone "
            "winning. Leaving it out (or `[]`) means `resolv.conf` until recursion from the "
            "root lands."},
    {.key = "forward[].zone",
     .type = HF_CONFIG_NAME,
     ZFIELD(zone),
     .def = NULL,
     .doc = "The zone forwarded (`.` for everything); each zone at most once."},
    {.key = "forward[].upstreams",
     .type = HF_CONFIG_UPSTREAMS,
     .flags = HF_CONFIG_NONEMPTY,
     ZFIELD(upstreams),
     .aux = offsetof(struct hf_forward_zone, nupstreams),
     .def = NULL,
     .doc = "Servers for the zone, tried in turn: `ADDR@PORT` (port 53 when omitted), "
            "`tls://ADDR@PORT#name` (DNS over TLS, port 853 when omitted, name checked against "
            "the certificate) or `https://host/path` (DNS over HTTPS)."},
    {.key = "root-hints",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(root_hints),
     .def = "/usr/share/dns/root.hints",
     .doc = "Root server hints (Debian's dns-root-data); `\"\"` = the built-in copy."},
    {.key = "trust-anchors",
     .type = HF_CONFIG_PATHS,
     FIELD(trust_anchors),
     COUNT(ntrust_anchors),
     .def = "[/usr/share/dns/root.ds]",
     .doc = "Files of DS or DNSKEY records for the root trust anchor; `[]` disables DNSSEC "
            "validation."},
    {.key = "negative-trust-anchors",
     .type = HF_CONFIG_NAMES,
     FIELD(negative_trust_anchors),
     COUNT(nnegative_trust_anchors),
     .def = "[]",
     .doc = "Zones treated as insecure: answers in them are not validated (RFC 7646)."},
    {.key = "local-data",
     .type = HF_CONFIG_RECORDS,
     FIELD(local_data),
     COUNT(nlocal_data),
     .def = "[]",
     .doc = "Records answered as given, in zone-file text: `\"host.lan. 300 A 192.0.2.7\"` "
            "(absolute names; TTL 3600 when omitted)."},

    {.key = "resolver", .type = HF_CONFIG_SECTION, .doc = "How queries are resolved."},
    {.key = "resolver.qname-minimisation",
     .type = HF_CONFIG_BOOL,
     FIELD(resolver.qname_minimisation),
     .def = "true",
     .doc = "Send each server only the labels it needs to see (RFC 9156)."},
    {.key = "resolver.strict-glue",
     .type = HF_CONFIG_BOOL,
     FIELD(resolver.strict_glue),
     .def = "true",
     .doc = "Accept glue only from within the delegating zone's bailiwick."},
    {.key = "resolver.upstream-ip4",
     .type = HF_CONFIG_BOOL,
     FIELD(resolver.upstream_ip4),
     .def = "true",
     .doc = "Query upstream servers over IPv4."},
    {.key = "resolver.upstream-ip6",
     .type = HF_CONFIG_BOOL,
     FIELD(resolver.upstream_ip6),
     .def = "true",
     .doc = "Query upstream servers over IPv6 (at least one of the two must stay on)."},
    {.key = "resolver.allow-loopback-upstreams",
     .type = HF_CONFIG_BOOL,
     FIELD(resolver.allow_loopback_upstreams),
     .def = "false",
     .doc = "Allow upstream servers on loopback addresses (tests and labs turn this on)."},
    {.key = "resolver.outgoing",
     .type = HF_CONFIG_ADDRS,
     FIELD(resolver.outgoing),
     COUNT(resolver.noutgoing),
     .port = 0,
     .def = "[]",
     .doc = "Source addresses for upstream queries (port 0, any, when omitted); `[]` = let the "
            "system choose."},
    {.key = "resolver.edns-buffer-size",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.edns_buffer_size),
     .min = 512,
     .max = 4096,
     .def = "1232",
     .doc = "EDNS UDP payload size offered to clients and upstreams (DNS Flag Day 2020)."},
    {.key = "resolver.local-zones",
     .type = HF_CONFIG_BOOL,
     FIELD(resolver.local_zones),
     .def = "true",
     .doc = "Built-in answers for localhost, private reverse zones and other special-use names "
            "(RFC 6761, RFC 6303)."},
    {.key = "resolver.query-timeout",
     .type = HF_CONFIG_DURATION,
     FIELD(resolver.query_timeout_ms),
     .unit = 1,
     .min = MS(50),
     .max = SEC(30),
     .def = "1500ms",
     .doc = "How long one upstream attempt may take before the next one starts."},

    {.key = "cache", .type = HF_CONFIG_SECTION, .doc = "The record cache."},
    {.key = "cache.path",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(cache.path),
     .def = "/var/cache/holdfast",
     .doc = "LMDB directory, so the cache survives restarts; `\"\"` = memory only."},
    {.key = "cache.size",
     .type = HF_CONFIG_SIZE,
     FIELD(cache.size),
     .min = MIB(1),
     .max = TIB(1),
     .def = "256M",
     .doc = "Most memory or disk the cache uses (suffixes K, M, G, T are powers of 1024)."},
    {.key = "cache.min-ttl",
     .type = HF_CONFIG_DURATION,
     FIELD(cache.min_ttl),
     .unit = 1000,
     .min = 0,
     .max = DAY(1),
     .def = "0s",
     .doc = "Records are cached for at least this long, whatever their TTL."},
    {.key = "cache.max-ttl",
     .type = HF_CONFIG_DURATION,
     FIELD(cache.max_ttl),
     .unit = 1000,
     .min = SEC(1),
     .max = WEEK(52),
     .def = "1d",
     .doc = "Records are cached for at most this long, whatever their TTL; at least "
            "`cache.min-ttl`."},
    {.key = "cache.negative-max-ttl",
     .type = HF_CONFIG_DURATION,
     FIELD(cache.negative_max_ttl),
     .unit = 1000,
     .min = 0,
     .max = DAY(1),
     .def = "3h",
     .doc = "Negative answers (NXDOMAIN, NODATA) are cached for at most this long (RFC 2308)."},

    {.key = "serve-stale", .type = HF_CONFIG_SECTION, .doc = "Stale answers (RFC 8767)."},
    {.key = "serve-stale.enabled",
     .type = HF_CONFIG_BOOL,
     FIELD(serve_stale.enabled),
     .def = "true",
     .doc = "Answer from expired records when the upstreams fail (RFC 8767)."},
    {.key = "serve-stale.max-stale",
     .type = HF_CONFIG_DURATION,
     FIELD(serve_stale.max_stale),
     .unit = 1000,
     .min = 0,
     .max = WEEK(4),
     .def = "1d",
     .doc = "How long past its expiry a record may still be served."},
    {.key = "serve-stale.client-timeout",
     .type = HF_CONFIG_DURATION,
     FIELD(serve_stale.client_timeout_ms),
     .unit = 1,
     .min = 0,
     .max = SEC(30),
     .def = "1800ms",
     .doc = "How long a client waits for a fresh answer before it gets a stale one."},
    {.key = "serve-stale.answer-ttl",
     .type = HF_CONFIG_DURATION,
     FIELD(serve_stale.answer_ttl),
     .unit = 1000,
     .min = 0,
     .max = HOUR(1),
     .def = "30s",
     .doc = "The TTL given on stale answers."},

    {.key = "access", .type = HF_CONFIG_SECTION, .doc = "Who may query."},
    {.key = "access.allow",
     .type = HF_CONFIG_PREFIXES,
     FIELD(access.allow),
     COUNT(access.nallow),
     .def = "[127.0.0.0/8, \"::1/128\"]",
     .doc = "Client prefixes allowed to query (`192.0.2.0/24`, `\"2001:db8::/32\"`; a bare "
            "address is one host); everyone else gets REFUSED."},

    {.key = "tcp", .type = HF_CONFIG_SECTION, .doc = "Client TCP connections."},
    {.key = "tcp.idle-timeout",
     .type = HF_CONFIG_DURATION,
     FIELD(tcp.idle_timeout_ms),
     .unit = 1,
     .min = MS(100),
     .max = HOUR(1),
     .def = "10s",
     .doc = "A client connection idle this long is closed (RFC 7766)."},
    {.key = "tcp.max-connections",
     .type = HF_CONFIG_UINT,
     FIELD(tcp.max_connections),
     .min = 1,
     .max = 1000000,
     .def = "1000",
     .doc = "Most client TCP connections open at once."},
    {.key = "tcp.max-per-client",
     .type = HF_CONFIG_UINT,
     FIELD(tcp.max_per_client),
     .min = 1,
     .max = 65535,
     .def = "32",
     .doc = "Most TCP connections open at once from one client address."},

    {.key = "control", .type = HF_CONFIG_SECTION, .doc = "The control tool and web page."},
    {.key = "control.socket",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(control.socket),
     .def = "/run/holdfast/control.sock",
     .doc = "Unix socket holdfastctl talks to; `\"\"` = none."},
    {.key = "control.http",
     .type = HF_CONFIG_ADDR,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(control.http),
     .aux = offsetof(struct hf_config, control.http_enabled),
     .port = 8053,
     .def = "127.0.0.1@8053",
     .doc = "Address of the metrics and status web page (port 8053 when omitted); `\"\"` = "
            "none."},

    {.key = "events", .type = HF_CONFIG_SECTION, .doc = "Evidence events."},
    {.key = "events.file",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(events.file),
     .def = "/var/log/holdfast/events.jsonl",
     .doc = "Evidence of suspected hijacks, one JSON object per line; `\"\"` = none."},

    {.key = "log", .type = HF_CONFIG_SECTION, .doc = "Logging."},
    {.key = "log.level",
     .type = HF_CONFIG_LOG_LEVEL,
     FIELD(log.level),
     .def = "info",
     .doc = "Least severe messages logged: `error`, `warning`, `info` or `debug`."},
};

const size_t hf_config_schema_len = HF_ARRAY_LEN(hf_config_schema);

_Static_assert(HF_ARRAY_LEN(hf_config_schema) <= HF_CONFIG_ROWS_MAX,
               "raise HF_CONFIG_ROWS_MAX in config/impl.h");
