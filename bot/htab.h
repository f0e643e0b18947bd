/*
 * htab.h — an open-addressing hash table from 64-bit keys (hashes of
 * feature strings, phrases, ...) to 32-bit values.  Linear probing,
 * power-of-two size, at most half full.  Key 0 is reserved; callers
 * hash with htab_hash(), which never returns 0.  Not thread safe.
 */
#ifndef LOKET_HTAB_H
#define LOKET_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab {
	uint64_t	*keys;	/* 0 = empty slot */
	uint32_t	*vals;
	size_t		 cap;	/* slots, a power of two, or 0 */
	size_t		 n;	/* keys stored */
};

void	htab_init(struct htab *h);
void	htab_fini(struct htab *h);
/* FNV-1a 64 of n bytes, mixed; never 0.  seed chains calls (start 0). */
uint64_t htab_hash(const void *p, size_t n, uint64_t seed);
/* Stores val under key (replacing).  Returns 0, or -1 on out-of-memory
 * (the table is then unchanged). */
int	htab_put(struct htab *h, uint64_t key, uint32_t val);
/* Returns 1 and sets *val when key is present, else 0. */
int	htab_get(const struct htab *h, uint64_t key, uint32_t *val);

#endif
