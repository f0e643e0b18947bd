/*
 * wordtab.c — binary search of a sorted word table.  See wordtab.h.
 */
#include "wordtab.h"

#include <stdlib.h>
#include <string.h>

struct key {
	const char	*s;
	size_t		 n;
};

static int
cmp_key(const void *k, const void *e)
{
	const struct key *key = k;
	const char *word = *(const char *const *)e;
	int c;

	c = strncmp(key->s, word, key->n);
	if (c != 0)
		return c;
	return word[key->n] == '\0' ? 0 : -1;
}

const void *
wordtab_find(const char *w, size_t n, const void *table, size_t count,
    size_t size)
{
	struct key key = { w, n };

	return bsearch(&key, table, count, size, cmp_key);
}
