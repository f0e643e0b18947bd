/*
 * normalize.h — turns a chat message (or a phrase from intents/) into a
 * canonical token string: lower case, accents folded, punctuation gone,
 * emphasis squeezed, emoji kept as tokens, numbers, dates, times, phone
 * numbers, e-mail addresses, URLs and dossier codes replaced by class
 * tokens, chat abbreviations and Flemish spellings mapped.  The same
 * function runs over phrases and messages, so both sides always agree.
 * Pure and reentrant; never fails on bad UTF-8 (bad bytes separate).
 */
#ifndef LOKET_NORMALIZE_H
#define LOKET_NORMALIZE_H

#include <stddef.h>

#include "buf.h"

/* Class tokens.  They start with '_', which no normalised word can. */
#define NORM_TOK_NUM		"_num_"
#define NORM_TOK_DATE		"_date_"
#define NORM_TOK_TIME		"_time_"
#define NORM_TOK_PHONE		"_phone_"
#define NORM_TOK_EMAIL		"_email_"
#define NORM_TOK_URL		"_url_"
#define NORM_TOK_DOSSIER	"_dossier_"

/* flags for normalize() */
#define NORM_RAW	0x1	/* skip the abbreviation/dialect map, so a
				   language guesser sees what was written */

/* bits stored in *marks */
#define NORM_MARK_QUESTION	0x1	/* the text had a '?' */
#define NORM_MARK_EXCLAIM	0x2	/* the text had a '!' */

#define NORM_WORD_MAX	64	/* longer words are cut (bytes) */

/*
 * Normalises len bytes of text into out (emptied first): tokens
 * separated by single spaces, no leading or trailing space.  Output that
 * would pass out->max is cut at a token boundary rather than failing.
 * marks (may be NULL) receives NORM_MARK_* bits.  Returns 0, or -1 when
 * memory runs out (out is then empty).
 */
int	normalize(const char *text, size_t len, int flags, struct buf *out,
	    unsigned *marks);
/*
 * normalize(), and into raw (emptied first; may be NULL) the words as
 * NORM_RAW gives them, before abbreviations and Flemish forms are mapped:
 * what the language guess reads.  One pass serves both.
 */
int	normalize_raw_too(const char *text, size_t len, int flags,
	    struct buf *out, unsigned *marks, struct buf *raw);

/* Whether tok (a normalised token) is a class token or an emoji. */
int	normalize_is_symbol(const char *tok);

/*
 * The word map (normalize_map.c): the canonical form of the n-byte word
 * w, "" to drop it, or NULL when the word is not mapped.
 */
const char *normalize_map_lookup(const char *w, size_t n);
/*
 * The class token for a whitespace-free chunk of n bytes that is a URL,
 * e-mail address, date, time, phone number, dossier code or number
 * (normalize_class.c), or NULL when it is none of these.
 */
const char *normalize_chunk_class(const char *s, size_t n);
/* For the unit test: 1 if the built-in word map is sorted. */
int	normalize_map_sorted(void);

#endif
