/*
 * stem.h — the Dutch Snowball stemmer (libstemmer), the only module that
 * includes libstemmer.h.  A stemmer is not thread safe: one per thread
 * (the intent engine owns one and runs on the service thread).
 */
#ifndef LOKET_STEM_H
#define LOKET_STEM_H

#include <stddef.h>

struct stem;

/* Returns a Dutch UTF-8 stemmer, or NULL when memory runs out. */
struct stem	*stem_new(void);
void		 stem_free(struct stem *st);
/*
 * Stems the n-byte lower-case, accent-folded word w.  Returns the stem
 * and stores its length in *outlen; the result is owned by st and valid
 * until the next call.  Returns NULL when memory runs out.  Words of up
 * to two letters and class tokens (starting with '_') come back as
 * they are.
 */
const char	*stem_word(struct stem *st, const char *w, size_t n,
		    size_t *outlen);

#endif
