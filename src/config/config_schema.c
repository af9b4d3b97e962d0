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
#include <string.h>

#include "util/err.h"

/* A field of struct hf_config, and the count of a list in it. */
#define FIELD(m) .off = offsetof(struct hf_config, m), .size = sizeof(((struct hf_config *)0)->m)
#define COUNT(m) .aux = offsetof(struct hf_config, m)
/* A field of one forward zone. */
#define ZFIELD(m)                                                                                  \
	.off = offsetof(struct hf_forward_zone, m), .size = sizeof(((struct hf_forward_zone *)0)->m)

/* A field of one policy zone or block list. */
#define RFIELD(m)                                                                                  \
	.off = offsetof(struct hf_policy_rpz_conf, m),                                             \
	.size = sizeof(((struct hf_policy_rpz_conf *)0)->m)
#define BFIELD(m)                                                                                  \
	.off = offsetof(struct hf_policy_list_conf, m),                                            \
	.size = sizeof(((struct hf_policy_list_conf *)0)->m)

static int check_rpz(struct hf_config_ctx *c, void *item, const unsigned long *lines,
                     const char *path);
static int check_blocklist(struct hf_config_ctx *c, void *item, const unsigned long *lines,
                           const char *path);

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
     .def = "[]",
     .doc = "Zones answered by forwarding instead of recursion. A list of `{zone, upstreams}`: "
            "each zone to its own upstreams, the longest matching zone winning, every other "
            "name resolved from the root. `resolv.conf`: everything to the name servers in "
            "/etc/resolv.conf. Leaving it out (or `[]`): full recursion from the root."},
    {.key = "forward[].zone",
     .type = HF_CONFIG_NAME,
     ZFIELD(zone),
     .def = NULL,
     .doc = "The zone forwarded (`.` for everything); each zone at most once (and once more "
            "as a trusted path)."},
    {.key = "forward[].upstreams",
     .type = HF_CONFIG_UPSTREAMS,
     .flags = HF_CONFIG_NONEMPTY,
     ZFIELD(upstreams),
     .aux = offsetof(struct hf_forward_zone, nupstreams),
     .def = NULL,
     .doc = "Servers for the zone, tried in turn: `ADDR@PORT` (port 53 when omitted), "
            "`tls://ADDR@PORT#name` (DNS over TLS, port 853 when omitted; the certificate must "
            "chain to `tls-ca` and carry the name; optional `^sha256/BASE64` pins of the "
            "server's key, see [DNS over TLS](#dns-over-tls)) or `https://NAME/PATH@ADDR` (DNS "
            "over HTTPS, port 443 or the URL's: the server's URL, then its address, as holdfast "
            "does not look up its own upstreams; `https://ADDR/PATH#name` says the same; "
            "checked and pinned as `tls://`, see [DNS over HTTPS](#dns-over-https))."},
    {.key = "forward[].tls-ca",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     ZFIELD(tls_ca),
     .def = "",
     .doc = "CA certificates the zone's `tls://` and `https://` upstreams must chain to: a "
            "PEM file, or a "
            "directory in OpenSSL's hashed layout; `\"\"` = the system's store (Debian: "
            "/etc/ssl/certs)."},
    {.key = "forward[].trusted",
     .type = HF_CONFIG_BOOL,
     ZFIELD(trusted),
     .def = "false",
     .doc = "The trusted path for names in the zone: these upstreams (best `tls://`) resolve "
            "nothing themselves; a question whose UDP replies the guard doubted is asked "
            "here instead of over TCP. A zone may be listed once plain and once trusted."},
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
    {.key = "guard",
     .type = HF_CONFIG_SECTION,
     .doc = "Defence against forged UDP replies raced in by on-path injectors."},
    {.key = "guard.hold-on",
     .type = HF_CONFIG_BOOL,
     FIELD(guard.hold_on),
     .def = "true",
     .doc = "Judge each UDP reply against what the server's honest replies look like (IP TTL, "
            "EDNS, RTT, record types); hold on for a better one after a doubted reply, then "
            "ask over TCP."},
    {.key = "guard.max-hold",
     .type = HF_CONFIG_DURATION,
     FIELD(guard.max_hold_ms),
     .unit = 1,
     .min = MS(10),
     .max = SEC(5),
     .def = "400ms",
     .doc = "Longest wait for a better reply after a doubted one (about two round trips "
            "otherwise)."},
    {.key = "guard.tcp-after-doubt",
     .type = HF_CONFIG_DURATION,
     FIELD(guard.tcp_after_doubt_ms),
     .unit = 1,
     .min = 0,
     .max = DAY(1),
     .def = "10m",
     .doc = "A server that sent doubted replies is asked over TCP only, for this long."},
    {.key = "guard.forged-list",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(guard.forged_list),
     .def = "",
     .doc = "Addresses seen in forged answers before, one `ADDR` or `ADDR/LEN` a line (a reply "
            "with one is doubted); `\"\"` = the list built in (data/forged-addresses.txt). "
            "Reloaded with the configuration."},
    {.key = "guard.fan-in-names",
     .type = HF_CONFIG_UINT,
     FIELD(guard.fan_in_names),
     .min = 0,
     .max = 1000000,
     .def = "4",
     .doc = "Fan-in incident (the 2014 rule): this many names newly resolving to one /24 "
            "(IPv6: /64) within guard.incident-window; 0 = off."},
    {.key = "guard.fan-in-zones",
     .type = HF_CONFIG_UINT,
     FIELD(guard.fan_in_zones),
     .min = 1,
     .max = 48, /* what one candidate's set of zones holds (incidents.c) */
     .def = "3",
     .doc = "... from at least this many zones."},
    {.key = "guard.fan-in-servers",
     .type = HF_CONFIG_UINT,
     FIELD(guard.fan_in_servers),
     .min = 1,
     .max = 24, /* what one candidate's set of servers holds */
     .def = "2",
     .doc = "... answered by at least this many servers."},
    {.key = "guard.dnssec-burst-zones",
     .type = HF_CONFIG_UINT,
     FIELD(guard.dnssec_burst_zones),
     .min = 0,
     .max = 48, /* what the burst's set of zones holds */
     .def = "10",
     .doc = "DNSSEC-burst incident: validation failures in this many unrelated zones within "
            "guard.incident-window; 0 = off."},
    {.key = "guard.unmatched-flood",
     .type = HF_CONFIG_UINT,
     FIELD(guard.unmatched_flood),
     .min = 0,
     .max = 100000000,
     .def = "100",
     .doc = "Unmatched-flood incident: this many replies that match no question (off-path "
            "spoofing) within 10 s; 0 = off."},
    {.key = "guard.incident-window",
     .type = HF_CONFIG_DURATION,
     FIELD(guard.incident_window),
     .unit = 1000,
     .min = SEC(1),
     .max = DAY(1),
     .def = "5m",
     .doc = "How close together the observations of one incident must be."},
    {.key = "guard.incident-quiet",
     .type = HF_CONFIG_DURATION,
     FIELD(guard.incident_quiet),
     .unit = 1000,
     .min = SEC(1),
     .max = DAY(1),
     .def = "2m",
     .doc = "An incident ends by itself after this long with nothing new that matches it."},
    {.key = "dnssec",
     .type = HF_CONFIG_SECTION,
     .doc = "Bounds on DNSSEC validation work, and what it tolerates."},
    {.key = "dnssec.max-signature-checks",
     .type = HF_CONFIG_UINT,
     FIELD(dnssec.max_signature_checks),
     .min = 1,
     .max = 4096,
     .def = "64",
     .doc = "Most signature verifications in one resolution (KeyTrap, CVE-2023-50387)."},
    {.key = "dnssec.max-key-tries",
     .type = HF_CONFIG_UINT,
     FIELD(dnssec.max_key_tries),
     .min = 1,
     .max = 64,
     .def = "4",
     .doc = "Most keys tried for one signature (keys sharing its key tag)."},
    {.key = "dnssec.max-signatures",
     .type = HF_CONFIG_UINT,
     FIELD(dnssec.max_signatures),
     .min = 1,
     .max = 64,
     .def = "8",
     .doc = "Most signatures tried for one RRset."},
    {.key = "dnssec.max-nsec3-hashes",
     .type = HF_CONFIG_UINT,
     FIELD(dnssec.max_nsec3_hashes),
     .min = 1,
     .max = 4096,
     .def = "64",
     .doc = "Most names hashed for NSEC3 proofs in one resolution (CVE-2023-50868)."},
    {.key = "dnssec.max-nsec3-iterations",
     .type = HF_CONFIG_UINT,
     FIELD(dnssec.max_nsec3_iterations),
     .min = 0,
     .max = 2500,
     .def = "150",
     .doc = "NSEC3 proofs with more iterations make the answer insecure, not validated "
            "(RFC 9276 §3.2; Unbound's limit)."},
    {.key = "dnssec.clock-skew",
     .type = HF_CONFIG_DURATION,
     FIELD(dnssec.clock_skew),
     .unit = 1000,
     .min = 0,
     .max = DAY(1),
     .def = "5m",
     .doc = "Clock difference tolerated at either end of a signature's validity window."},
    {.key = "dnssec.allow-sha1",
     .type = HF_CONFIG_BOOL,
     FIELD(dnssec.allow_sha1),
     .def = "true",
     .doc = "Accept RSASHA1 signatures (algorithms 5, 7) and SHA-1 DS digests, as RFC 8624 "
            "still requires of validators; `false` treats such zones as insecure."},
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
    {.key = "resolver.max-queries",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_queries),
     .min = 4,
     .max = 1000,
     .def = "80",
     .doc = "Most upstream queries one client question may cause, referrals, name server "
            "lookups and retries included."},
    {.key = "resolver.max-depth",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_depth),
     .min = 1,
     .max = 64,
     .def = "24",
     .doc = "Most referrals followed for one name."},
    {.key = "resolver.max-cname-chain",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_cname_chain),
     .min = 1,
     .max = 16,
     .def = "12",
     .doc = "Most CNAME (and DNAME) links followed from the question's name."},
    {.key = "resolver.max-ns-lookups",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_ns_lookups),
     .min = 1,
     .max = 32,
     .def = "4",
     .doc = "Most name server names without glue resolved for one delegation (NXNSAttack)."},
    {.key = "resolver.max-time",
     .type = HF_CONFIG_DURATION,
     FIELD(resolver.max_time_ms),
     .unit = 1,
     .min = MS(100),
     .max = SEC(60),
     .def = "5s",
     .doc = "Longest a resolution may take before the client gets SERVFAIL."},
    {.key = "resolver.max-outstanding",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_outstanding),
     .min = 1,
     .max = 100000,
     .def = "200",
     .doc = "Most queries in flight to one upstream server address at once; past it, other "
            "servers are asked or the resolution fails."},
    {.key = "resolver.max-per-client",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_per_client),
     .min = 1,
     .max = 1000000,
     .def = "256",
     .doc = "Most resolutions (cache misses) in flight at once for one client prefix "
            "(`ratelimit.ipv4-prefix`, `ratelimit.ipv6-prefix`); past it the client gets a "
            "stale answer or SERVFAIL with Extended DNS Error 0 (Other)."},
    {.key = "resolver.max-per-zone",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_per_zone),
     .min = 1,
     .max = 1000000,
     .def = "256",
     .doc = "Most resolutions in flight at once for names under one zone (the name's last "
            "two labels, or its forward zone when deeper), so a random-subdomain flood "
            "against one zone cannot starve the rest; past it, stale or SERVFAIL with "
            "Extended DNS Error 0."},
    {.key = "resolver.max-pending",
     .type = HF_CONFIG_UINT,
     FIELD(resolver.max_pending),
     .min = 1,
     .max = 1000000,
     .def = "4096",
     .doc = "Most resolutions in flight per worker; past it new cache misses get a stale "
            "answer or SERVFAIL with Extended DNS Error 0, while cached answers go on."},

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
    {.key = "cache.prefetch",
     .type = HF_CONFIG_BOOL,
     FIELD(cache.prefetch),
     .def = "true",
     .doc = "An answer asked for in the last tenth of its TTL is resolved again in the "
            "background, so popular names never expire in the cache."},
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
     .doc = "How long a client waits for a fresh answer before it gets a stale one (the "
            "resolution goes on and refreshes the cache); 0 = only when resolution fails."},
    {.key = "serve-stale.answer-ttl",
     .type = HF_CONFIG_DURATION,
     FIELD(serve_stale.answer_ttl),
     .unit = 1000,
     .min = 0,
     .max = HOUR(1),
     .def = "30s",
     .doc = "The TTL given on stale answers."},
    {.key = "serve-stale.recheck",
     .type = HF_CONFIG_DURATION,
     FIELD(serve_stale.recheck_ms),
     .unit = 1,
     .min = 0,
     .max = HOUR(1),
     .def = "30s",
     .doc = "After resolving a name failed and a stale answer went out, further questions "
            "for it get the stale answer at once for this long, without asking upstream "
            "again (RFC 8767 §4, failure recheck)."},

    {.key = "access", .type = HF_CONFIG_SECTION, .doc = "Who may query."},
    {.key = "access.allow",
     .type = HF_CONFIG_PREFIXES,
     FIELD(access.allow),
     COUNT(access.nallow),
     .def = "[127.0.0.0/8, \"::1/128\"]",
     .doc = "Client prefixes allowed to query (`192.0.2.0/24`, `\"2001:db8::/32\"`; a bare "
            "address is one host); everyone else gets REFUSED."},

    {.key = "ratelimit",
     .type = HF_CONFIG_SECTION,
     .doc = "Per-client query rates over UDP (TCP has its own caps)."},
    {.key = "ratelimit.qps",
     .type = HF_CONFIG_UINT,
     FIELD(ratelimit.qps),
     .min = 0,
     .max = 1000000,
     .def = "0",
     .doc = "UDP queries per second one client prefix may send; past it (and the burst) "
            "queries are dropped, every `slip`-th one answered with an empty truncated "
            "answer (TC=1) so real clients retry over TCP. 0 = off."},
    {.key = "ratelimit.burst",
     .type = HF_CONFIG_UINT,
     FIELD(ratelimit.burst),
     .min = 0,
     .max = 10000000,
     .def = "0",
     .doc = "Queries a client prefix may send at once above the rate; 0 = one second's "
            "worth (`qps`)."},
    {.key = "ratelimit.slip",
     .type = HF_CONFIG_UINT,
     FIELD(ratelimit.slip),
     .min = 0,
     .max = 100,
     .def = "2",
     .doc = "Every slip-th limited query gets a truncated answer, the rest none (1 = all "
            "truncated, 0 = all dropped)."},
    {.key = "ratelimit.ipv4-prefix",
     .type = HF_CONFIG_UINT,
     FIELD(ratelimit.ipv4_prefix),
     .min = 0,
     .max = 32,
     .def = "24",
     .doc = "IPv4 clients in one prefix this long share a rate (and "
            "`resolver.max-per-client`)."},
    {.key = "ratelimit.ipv6-prefix",
     .type = HF_CONFIG_UINT,
     FIELD(ratelimit.ipv6_prefix),
     .min = 0,
     .max = 64,
     .def = "56",
     .doc = "IPv6 clients in one prefix this long share a rate (and "
            "`resolver.max-per-client`)."},
    {.key = "ratelimit.exempt",
     .type = HF_CONFIG_PREFIXES,
     FIELD(ratelimit.exempt),
     COUNT(ratelimit.nexempt),
     .def = "[]",
     .doc = "Client prefixes never rate limited."},

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
    {.key = "events.client-addresses",
     .type = HF_CONFIG_BOOL,
     FIELD(events.client_addresses),
     .def = "false",
     .doc = "Record the address of the client that asked in each event (off: events say "
            "nothing of who asked)."},

    {.key = "dnstap",
     .type = HF_CONFIG_SECTION,
     .doc = "The query log, in dnstap (fstrm frames of protobuf); off unless `file` or `socket` "
            "is set. Changes take effect on restart, not on reload."},
    {.key = "dnstap.file",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(dnstap.file),
     .def = "",
     .doc = "File the log is written to, replaced at each start (read it with `dnstap-ldns -r "
            "FILE`); holdfast does not start if it cannot be created. `\"\"` = none."},
    {.key = "dnstap.socket",
     .type = HF_CONFIG_PATH,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(dnstap.socket),
     .def = "",
     .doc = "Unix socket of a dnstap collector (`fstrm_capture -u PATH`), instead of `file`; "
            "holdfast does not start if nothing listens there, and reconnects if it goes "
            "away later. `\"\"` = none."},
    {.key = "dnstap.client",
     .type = HF_CONFIG_BOOL,
     FIELD(dnstap.client),
     .def = "true",
     .doc = "Log clients' queries and holdfast's answers (CLIENT_QUERY, CLIENT_RESPONSE)."},
    {.key = "dnstap.upstream",
     .type = HF_CONFIG_BOOL,
     FIELD(dnstap.upstream),
     .def = "true",
     .doc = "Log holdfast's queries to upstreams and their replies (RESOLVER_* when resolving "
            "from the root, FORWARDER_* when forwarding)."},
    {.key = "dnstap.identity",
     .type = HF_CONFIG_STRING,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(dnstap.identity),
     .def = "",
     .doc = "The identity field of every message (at most 255 octets); `\"\"` = the host "
            "name."},
    {.key = "dnstap.version",
     .type = HF_CONFIG_STRING,
     .flags = HF_CONFIG_EMPTY_OK,
     FIELD(dnstap.version),
     .def = "",
     .doc = "The version field of every message (at most 255 octets); `\"\"` = `holdfast` "
            "and its version."},

    {.key = "policy",
     .type = HF_CONFIG_SECTION,
     .doc = "Response policy: block lists and RPZ zones answered instead of the truth, and the "
            "guards that keep a wrong rule from redirecting everything (see [Policy](#policy))."},
    {.key = "policy.rpz",
     .type = HF_CONFIG_TABLE,
     FIELD(policy.rpz),
     COUNT(policy.nrpz),
     .item_size = sizeof(struct hf_policy_rpz_conf),
     .check = check_rpz,
     .def = "[]",
     .doc = "Response policy zones, consulted in this order after local-data: a list of "
            "`{file, name}`."},
    {.key = "policy.rpz[].file",
     .type = HF_CONFIG_PATH,
     RFIELD(file),
     .def = NULL,
     .doc = "The zone file (RFC 1035 text; `$ORIGIN`, `$TTL` and `( )` understood)."},
    {.key = "policy.rpz[].name",
     .type = HF_CONFIG_NAME,
     RFIELD(name),
     .def = NULL,
     .doc = "The zone's name: owner names are triggers relative to it, and answers' Extended "
            "DNS Error text names it."},
    {.key = "policy.blocklists",
     .type = HF_CONFIG_TABLE,
     FIELD(policy.blocklists),
     COUNT(policy.nblocklists),
     .item_size = sizeof(struct hf_policy_list_conf),
     .check = check_blocklist,
     .def = "[]",
     .doc = "Block lists, consulted in this order after the RPZ zones: a list of `{file, "
            "format, action, name}`."},
    {.key = "policy.blocklists[].file",
     .type = HF_CONFIG_PATH,
     BFIELD(file),
     .def = NULL,
     .doc = "The list, one entry a line; `#` starts a comment."},
    {.key = "policy.blocklists[].format",
     .type = HF_CONFIG_STRING,
     BFIELD(format),
     .def = "domains",
     .doc = "`hosts` (`0.0.0.0 ads.example` lines: those names exactly) or `domains` (one name "
            "a line: the name and everything below it; `*.example`: only below it)."},
    {.key = "policy.blocklists[].action",
     .type = HF_CONFIG_STRING,
     BFIELD(action),
     .def = "nxdomain",
     .doc = "`nxdomain`, `nodata`, or an address answered for the names (A or AAAA; other "
            "types get no data)."},
    {.key = "policy.blocklists[].name",
     .type = HF_CONFIG_STRING,
     .flags = HF_CONFIG_EMPTY_OK,
     BFIELD(name),
     .def = "",
     .doc = "The list's name in answers' Extended DNS Error text and in metrics; `\"\"` = the "
            "file's name."},
    {.key = "policy.max-blast",
     .type = HF_CONFIG_SHARE,
     FIELD(policy.max_blast),
     .min = 0,
     .max = 10000,
     .def = "1%",
     .doc = "A policy (re)load that would newly change the answer for more than this share of "
            "recently asked names is refused, naming them."},
    {.key = "policy.force",
     .type = HF_CONFIG_BOOL,
     FIELD(policy.force),
     .def = "false",
     .doc = "Load the policy even when the blast-radius guard refuses it (a rule at or above a "
            "TLD, or too many recent names hit); `holdfastctl reload --force` does so once."},
    {.key = "policy.breaker",
     .type = HF_CONFIG_SECTION,
     .doc = "The run-time breaker: a rule that suddenly matches far more of the traffic is "
            "suspended and an incident raised."},
    {.key = "policy.breaker.enabled",
     .type = HF_CONFIG_BOOL,
     FIELD(policy.breaker.enabled),
     .def = "true",
     .doc = "Watch each rule's hits and suspend one that trips."},
    {.key = "policy.breaker.window",
     .type = HF_CONFIG_DURATION,
     FIELD(policy.breaker.window),
     .unit = 1000,
     .min = SEC(1),
     .max = HOUR(1),
     .def = "10s",
     .doc = "The window hits are counted in (checked every second within it)."},
    {.key = "policy.breaker.share",
     .type = HF_CONFIG_SHARE,
     FIELD(policy.breaker.share),
     .min = 1,
     .max = 10000,
     .def = "20%",
     .doc = "A rule trips when it matches more than this share of the window's queries..."},
    {.key = "policy.breaker.min-hits",
     .type = HF_CONFIG_UINT,
     FIELD(policy.breaker.min_hits),
     .min = 1,
     .max = 1000000,
     .def = "50",
     .doc = "...and at least this many of them..."},
    {.key = "policy.breaker.growth",
     .type = HF_CONFIG_UINT,
     FIELD(policy.breaker.growth),
     .min = 1,
     .max = 1000,
     .def = "10",
     .doc = "...and more than this many times its hits in an earlier window (a new rule has "
            "none)."},

    {.key = "log", .type = HF_CONFIG_SECTION, .doc = "Logging."},
    {.key = "log.level",
     .type = HF_CONFIG_LOG_LEVEL,
     FIELD(log.level),
     .def = "info",
     .doc = "Least severe messages logged: `error`, `warning`, `info` or `debug`."},
};

const size_t hf_config_schema_len = HF_ARRAY_LEN(hf_config_schema);

/* Items remember their line: the policy's files are read later, and their errors name it. */
static int check_rpz(struct hf_config_ctx *c, void *item, const unsigned long *lines,
                     const char *path)
{
	(void)c;
	(void)path;
	struct hf_policy_rpz_conf *z = item;
	z->line = lines[hf_config_find_key("policy.rpz[].file")];
	return HF_OK;
}

static bool is_address(const char *s)
{
	struct hf_addr a;
	return strchr(s, '@') == NULL && hf_addr_parse(s, 0, &a) == HF_OK;
}

static int check_blocklist(struct hf_config_ctx *c, void *item, const unsigned long *lines,
                           const char *path)
{
	struct hf_policy_list_conf *b = item;
	char key[HF_CONFIG_KEY_MAX];
	int frow = hf_config_find_key("policy.blocklists[].format");
	int arow = hf_config_find_key("policy.blocklists[].action");
	b->line = lines[hf_config_find_key("policy.blocklists[].file")];
	if (strcmp(b->format, "hosts") != 0 && strcmp(b->format, "domains") != 0) {
		hf_config_join(key, path, "format");
		return hf_config_fail(c, lines[frow], key, "\"%.40s\" is not hosts or domains",
		                      b->format);
	}
	if (strcmp(b->action, "nxdomain") != 0 && strcmp(b->action, "nodata") != 0 &&
	    !is_address(b->action)) {
		hf_config_join(key, path, "action");
		return hf_config_fail(c, lines[arow], key,
		                      "\"%.40s\" is not nxdomain, nodata or an address", b->action);
	}
	return HF_OK;
}

_Static_assert(HF_ARRAY_LEN(hf_config_schema) <= HF_CONFIG_ROWS_MAX,
               "raise HF_CONFIG_ROWS_MAX in config/impl.h");
