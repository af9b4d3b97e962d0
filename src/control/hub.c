/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Placeholder until the control plane lands: the hub keeps nothing yet. */
#include "control/hub.h"

#include "util/alloc.h"

struct hf_hub {
	uint64_t events;
};

struct hf_hub *hf_hub_new(void)
{
	return hf_calloc(1, sizeof(struct hf_hub));
}

void hf_hub_free(struct hf_hub *h)
{
	hf_free(h);
}

void hf_hub_outcome(struct hf_hub *h, enum hf_outcome o, int64_t now_s)
{
	(void)h;
	(void)o;
	(void)now_s;
}

uint64_t hf_hub_event(struct hf_hub *h, const char *json, size_t len, const char *const *rules,
                      size_t nrules)
{
	(void)json;
	(void)len;
	(void)rules;
	(void)nrules;
	return h != NULL ? ++h->events : 0;
}

void hf_hub_incident(struct hf_hub *h, uint64_t id, const char *rule, bool open, const char *json,
                     size_t len)
{
	(void)h;
	(void)id;
	(void)rule;
	(void)open;
	(void)json;
	(void)len;
}
