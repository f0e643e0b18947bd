/*
 * utf8.h — the few UTF-8 primitives the text modules need: decode one
 * code point (never failing: a bad byte decodes as UTF8_BAD and is
 * consumed alone), encode one, and validate a span.  Pure, any thread.
 */
#ifndef LOKET_UTF8_H
#define LOKET_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_BAD	0xFFFFFFFFu	/* decoded value of an invalid byte */

/*
 * Decodes the code point at s (len > 0 bytes available) into *cp and
 * returns the bytes used (1-4).  Overlong forms, surrogates, values past
 * U+10FFFF and truncated sequences give *cp = UTF8_BAD and use 1 byte,
 * so a caller always makes progress.
 */
size_t	utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Writes cp as 1-4 bytes into out; returns the count (0 if invalid). */
size_t	utf8_encode(uint32_t cp, char out[4]);
/* Returns the offset of the first invalid byte, or -1 if s is valid. */
long	utf8_check(const char *s, size_t len);

#endif
