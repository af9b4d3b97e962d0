/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside the control plane (src/control only): what the HTTP side (http.c)
 * asks the figures side (figures.c, metrics.c, lookup.c) for. Every answer
 * is built from a snapshot taken in one go, so one answer never mixes
 * figures from two moments.
 */
#pragma once

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"
#include "control/hub.h"
#include "server/server.h"

#define HF_CTL_SAMPLES   13 /* every 5 s: a minute and one more */
#define HF_CTL_SAMPLE_MS 5000
/* Distinct upstream names shown; past that they are summed as "other". */
#define HF_CTL_UPSTREAMS_MAX 256

/* Cumulative figures at one moment, for "in the last minute" rates. */
struct hf_ctl_sample {
	uint64_t t_ms; /* monotonic; 0: empty */
	uint64_t queries, hits, up_queries, up_timeouts;
};

struct hf_ctl_view {
	struct hf_server *server;
	struct hf_hub *hub;
	const char *version;
	int64_t started_s;
	uint64_t started_ms;
	pthread_mutex_t lock; /* the samples */
	struct hf_ctl_sample samples[HF_CTL_SAMPLES];
	size_t next_sample;
};

/* One upstream server's figures, summed over every object of that name. */
struct hf_ctl_upstream {
	char name[64];
	bool forwarder, down, tcp_only;
	uint32_t srtt_us;
	uint64_t queries, answers, timeouts, accepted, doubted, rejected;
	uint64_t rtt_hist[HF_RTT_BUCKETS];
	uint64_t rtt_sum_us;
};

struct hf_ctl_figures {
	struct hf_server_stats srv;
	struct hf_cache_stats rec, pkt;
	struct hf_ctl_upstream *up; /* hf_malloc'd, HF_CTL_UPSTREAMS_MAX */
	size_t nup;
	struct hf_hub_summary hub;
	int64_t now_s;
	uint64_t now_ms;
};

/* figures.c */
void hf_ctl_view_init(struct hf_ctl_view *v, struct hf_server *s, const char *version);
void hf_ctl_view_clear(struct hf_ctl_view *v);
/* Takes a sample for the last-minute rates (the sampler thread, every HF_CTL_SAMPLE_MS). */
void hf_ctl_sample(struct hf_ctl_view *v);
/* HF_OK or HF_ENOMEM; hf_ctl_figures_clear() after either. */
int hf_ctl_figures(struct hf_ctl_view *v, struct hf_ctl_figures *f);
void hf_ctl_figures_clear(struct hf_ctl_figures *f);

json_t *hf_ctl_status(struct hf_ctl_view *v);
json_t *hf_ctl_timeline(struct hf_ctl_view *v, size_t minutes);
json_t *hf_ctl_events(struct hf_ctl_view *v, uint64_t after, size_t limit);
json_t *hf_ctl_event(struct hf_ctl_view *v, uint64_t id); /* NULL: no longer kept */
json_t *hf_ctl_incidents(struct hf_ctl_view *v);

/* metrics.c: every figure, as Prometheus text (hf_malloc'd, *len set) or as flat JSON. */
char *hf_ctl_metrics(struct hf_ctl_view *v, size_t *len);
json_t *hf_ctl_stats(struct hf_ctl_view *v);

/* lookup.c: the cache's answer for (name, type), and flushing. */
json_t *hf_ctl_cache_lookup(struct hf_ctl_view *v, const uint8_t *name, uint16_t type);
json_t *hf_ctl_cache_flush(struct hf_ctl_view *v, const uint8_t *name, bool zone);
