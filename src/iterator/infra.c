/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-address server figures: a locked hash table of never-freed entries. See infra.h. */
#include "iterator/infra.h"

#include <pthread.h>
#include <string.h>

#include "util/alloc.h"

#define BUCKETS 4096

struct infra_entry {
	struct infra_entry *next;
	struct hf_upstream up;
};

struct hf_infra {
	pthread_mutex_t lock;
	struct infra_entry *buckets[BUCKETS];
	size_t count;
	struct hf_upstream overflow;
};

static uint32_t hash_addr(const struct hf_addr *a)
{
	const uint8_t *p = (const uint8_t *)&a->ss;
	uint32_t h = 2166136261u; /* FNV-1a: the table is internal, addresses are ours */
	for (socklen_t i = 0; i < a->len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct hf_infra *hf_infra_new(void)
{
	struct hf_infra *in = hf_calloc(1, sizeof(*in));
	if (in == NULL)
		return NULL;
	pthread_mutex_init(&in->lock, NULL);
	strcpy(in->overflow.name, "(other servers)");
	return in;
}

void hf_infra_free(struct hf_infra *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		struct infra_entry *e = in->buckets[i];
		while (e != NULL) {
			struct infra_entry *next = e->next;
			hf_free(e);
			e = next;
		}
	}
	pthread_mutex_destroy(&in->lock);
	hf_free(in);
}

struct hf_upstream *hf_infra_get(struct hf_infra *in, const struct hf_addr *addr)
{
	uint32_t b = hash_addr(addr) % BUCKETS;
	struct hf_upstream *found = NULL;
	pthread_mutex_lock(&in->lock);
	for (struct infra_entry *e = in->buckets[b]; e != NULL && found == NULL; e = e->next) {
		if (e->up.addr.len == addr->len &&
		    memcmp(&e->up.addr.ss, &addr->ss, addr->len) == 0)
			found = &e->up;
	}
	if (found == NULL && in->count < HF_INFRA_MAX) {
		struct infra_entry *e = hf_calloc(1, sizeof(*e));
		if (e != NULL) {
			e->up.addr = *addr;
			hf_addr_format(addr, e->up.name, sizeof(e->up.name));
			e->next = in->buckets[b];
			in->buckets[b] = e;
			in->count++;
			found = &e->up;
		}
	}
	pthread_mutex_unlock(&in->lock);
	return found != NULL ? found : &in->overflow;
}

void hf_infra_each(struct hf_infra *in, void (*fn)(void *ctx, struct hf_upstream *u), void *ctx)
{
	pthread_mutex_lock(&in->lock);
	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct infra_entry *e = in->buckets[i]; e != NULL; e = e->next)
			fn(ctx, &e->up);
	}
	pthread_mutex_unlock(&in->lock);
}
