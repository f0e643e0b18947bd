/*
 * wordtab.h — lookup of a word (not NUL-terminated) in a static table
 * sorted by strcmp whose entries start with a `const char *` key: the
 * word lists of the normaliser and the language guess.
 */
#ifndef LOKET_WORDTAB_H
#define LOKET_WORDTAB_H

#include <stddef.h>

/* The entry whose key equals w[0..n), or NULL. */
const void	*wordtab_find(const char *w, size_t n, const void *table,
		    size_t count, size_t size);

#endif
