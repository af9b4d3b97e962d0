/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The response guard: is a UDP reply that answers our query (ID, source
 * and question already checked) one we can believe? On-path injectors race
 * forged replies ahead of the real one (TESTWORLD.md); the guard looks at
 * each reply against what the server's honest replies have looked like and
 * says:
 *
 *   REJECT  impossible as an honest reply: an answer record of a type the
 *           question cannot produce (an A record answering a DS, DNSKEY, NS
 *           or TXT question), or a DNS cookie that is not ours. Never used;
 *           listening goes on.
 *   DOUBT   plausible, but something is off: no OPT although we sent EDNS and
 *           the server has answered with OPT before (or was never seen); an
 *           IP TTL unlike the one the server's replies arrive with; a reply
 *           in under half the fastest round trip its accepted replies ever
 *           took (load only slows honest replies down); no cookie from
 *           a server that has sent cookies. The request
 *           holds on for a short window to see whether a reply without doubt
 *           comes; when none does, the question goes over TCP to the same
 *           server. A doubted reply is never used.
 *   ACCEPT  nothing is off: used at once, no waiting (the common case, so
 *           hold-on costs unattacked traffic nothing but this check).
 *
 * The baseline (IP TTL, EDNS) is learned per server address from accepted
 * replies only, so a forger cannot teach it; a server that answers without
 * OPT over TCP too is remembered as one that does not do EDNS. No single
 * signal decides alone: a careful injector copies the TTL and adds an OPT
 * record, and then DNSSEC (in the iterator) and TCP are what is left.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "upstream/upstream.h"
#include "wire/pkt.h"

enum hf_guard_verdict {
	HF_GUARD_ACCEPT,
	HF_GUARD_DOUBT,
	HF_GUARD_REJECT,
};

/* Why a reply was doubted or rejected (bits). */
enum hf_guard_reason {
	HF_GUARD_WRONG_TYPE = 1 << 0,   /* answer record of a type the question cannot produce */
	HF_GUARD_NO_OPT = 1 << 1,       /* no OPT although EDNS was sent */
	HF_GUARD_IP_TTL = 1 << 2,       /* IP TTL unlike the server's */
	HF_GUARD_TOO_FAST = 1 << 3,     /* faster than the path allows */
	HF_GUARD_COOKIE = 1 << 4,       /* another client cookie than ours (RFC 7873 §5.3) */
	HF_GUARD_NO_COOKIE = 1 << 5,    /* no cookie from a server that sends them */
	HF_GUARD_KNOWN_FORGED = 1 << 6, /* an address on the known-forged list (forged.h) */
	HF_GUARD_FAN_IN = 1 << 7,       /* an address in an open fan-in incident (incidents.h) */
	HF_GUARD_DIFFERING = 1 << 8,    /* replies to one query that say different things */
	HF_GUARD_REASONS = 9,           /* how many bits there are */
};

/*
 * Judges reply (parsed, known to answer our query of qtype) from server s,
 * received over UDP with IP TTL ip_ttl (-1: unknown) rtt_us after sending.
 * edns_sent: the query carried OPT. *reasons gets the bits that fired.
 */
enum hf_guard_verdict hf_guard_check(struct hf_upstream *s, const struct hf_pkt *reply,
                                     uint16_t qtype, bool edns_sent, int ip_ttl, uint32_t rtt_us,
                                     unsigned *reasons);

/* Learns from a reply the guard accepted (ip_ttl -1 and rtt_us 0 over TCP: not learned). */
void hf_guard_learn(struct hf_upstream *s, const struct hf_pkt *reply, bool edns_sent, int ip_ttl,
                    uint32_t rtt_us);

/*
 * The server's TCP answer agreed with a reply the guard doubted: the doubt
 * was wrong (a new route, no EDNS, a path faster than it looked), so what
 * was learned starts over and the server goes back to UDP.
 */
void hf_guard_relearn(struct hf_upstream *s);

/*
 * Do two replies say the same: rcode, and the same answer records (owner
 * case, TTLs and order aside)? How a TCP answer clears a doubted UDP one.
 */
bool hf_guard_same_answer(const struct hf_pkt *a, const struct hf_pkt *b);

/* Text for the reason bits, for logs ("no OPT, IP TTL"); static buffer per thread. */
const char *hf_guard_reasons(unsigned reasons);

/* The rule's name in events and metrics ("ip-ttl") for one reason bit; NULL if none. */
const char *hf_guard_rule(unsigned bit);
