/*
 * stem.c — wrapper around libstemmer's Dutch stemmer.  See stem.h.
 * libstemmer's output buffer is overwritten by the next call, so the
 * stem is copied into our own buffer at once: a caller that keeps a
 * pointer across two calls then sees its own mistake in tests, not a
 * use-after-free inside the library.
 */
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "stem.h"

#define STEM_MAX	128

struct stem {
	struct sb_stemmer	*sb;
	char			 out[STEM_MAX + 1];
};

struct stem *
stem_new(void)
{
	struct stem *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if ((st->sb = sb_stemmer_new("dutch", "UTF_8")) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
stem_free(struct stem *st)
{
	if (st == NULL)
		return;
	sb_stemmer_delete(st->sb);
	free(st);
}

static const char *
copy_out(struct stem *st, const char *s, size_t n, size_t *outlen)
{
	if (n > STEM_MAX)
		n = STEM_MAX;
	memcpy(st->out, s, n);
	st->out[n] = '\0';
	*outlen = n;
	return st->out;
}

const char *
stem_word(struct stem *st, const char *w, size_t n, size_t *outlen)
{
	const sb_symbol *s;

	if (n <= 2 || w[0] == '_')
		return copy_out(st, w, n, outlen);
	s = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)n);
	if (s == NULL)
		return NULL;
	return copy_out(st, (const char *)s,
	    (size_t)sb_stemmer_length(st->sb), outlen);
}
