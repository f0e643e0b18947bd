/*
 * wordtab.c — binary search of a sorted word table.  See wordtab.h.
 */
#include "wordtab.h"

#include <stdlib.h>

struct key {
	const char	*s;
	size_t		 n;
};

/* strcmp order of key->s[0..n) against word; inline because it runs
 * for every word of every message (a libc call per step costs more). */
static int
cmp_key(const void *k, const void *e)
{
	const struct key *key = k;
	const unsigned char *a = (const unsigned char *)key->s;
	const unsigned char *b = *(const unsigned char *const *)e;
	size_t i;

	for (i = 0; i < key->n; i++) {
		if (b[i] == '\0' || a[i] != b[i])
			return b[i] == '\0' ? 1 : (int)a[i] - (int)b[i];
	}
	return b[i] == '\0' ? 0 : -1;
}

const void *
wordtab_find(const char *w, size_t n, const void *table, size_t count,
    size_t size)
{
	struct key key = { w, n };

	return bsearch(&key, table, count, size, cmp_key);
}
