/*
 * htab.c — open-addressing hash table.  See htab.h.
 */
#include <stdlib.h>

#include "htab.h"

void
htab_init(struct htab *h)
{
	h->keys = NULL;
	h->vals = NULL;
	h->cap = 0;
	h->n = 0;
}

void
htab_fini(struct htab *h)
{
	free(h->keys);
	free(h->vals);
	htab_init(h);
}

uint64_t
htab_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t x = seed ^ 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= s[i];
		x *= 0x100000001b3ULL;
	}
	/* FNV's low bits are weak for short keys; finish like splitmix64
	 * so masking by a power of two spreads well. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x ? x : 1;
}

static size_t
slot(const struct htab *h, uint64_t key)
{
	size_t i = (size_t)key & (h->cap - 1);

	while (h->keys[i] != 0 && h->keys[i] != key)
		i = (i + 1) & (h->cap - 1);
	return i;
}

static int
grow(struct htab *h)
{
	struct htab nh;
	size_t i, j;

	nh.cap = h->cap ? h->cap * 2 : 64;
	nh.n = h->n;
	nh.keys = calloc(nh.cap, sizeof(*nh.keys));
	nh.vals = calloc(nh.cap, sizeof(*nh.vals));
	if (nh.keys == NULL || nh.vals == NULL) {
		free(nh.keys);
		free(nh.vals);
		return -1;
	}
	for (i = 0; i < h->cap; i++) {
		if (h->keys[i] == 0)
			continue;
		j = slot(&nh, h->keys[i]);
		nh.keys[j] = h->keys[i];
		nh.vals[j] = h->vals[i];
	}
	free(h->keys);
	free(h->vals);
	*h = nh;
	return 0;
}

int
htab_put(struct htab *h, uint64_t key, uint32_t val)
{
	size_t i;

	if ((h->n + 1) * 2 > h->cap && grow(h) == -1)
		return -1;
	i = slot(h, key);
	if (h->keys[i] == 0)
		h->n++;
	h->keys[i] = key;
	h->vals[i] = val;
	return 0;
}

int
htab_get(const struct htab *h, uint64_t key, uint32_t *val)
{
	size_t i;

	if (h->cap == 0)
		return 0;
	i = slot(h, key);
	if (h->keys[i] == 0)
		return 0;
	*val = h->vals[i];
	return 1;
}
