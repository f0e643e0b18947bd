/*
 * buf.h — a growable byte buffer with a mandatory maximum (curl dynbuf).
 * Every input from outside (webhook bodies, config and phrase lines,
 * console frames) is collected through it.  The content is always
 * NUL-terminated so it can be used as a C string when it holds text.
 */
#ifndef LOKET_BUF_H
#define LOKET_BUF_H

#include <stddef.h>

/* A string literal and its length, for (const char *, size_t) pairs:
 * the length is counted by the compiler, never by hand. */
#define STRLIT(s)	("" s ""), (sizeof(s) - 1)

struct buf {
	char	*data;	/* NUL-terminated; NULL until the first append */
	size_t	 len;	/* bytes used, excluding the NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* appends past this many bytes fail */
};

/* Prepares an empty buffer that will refuse to grow past max bytes. */
void	buf_init(struct buf *b, size_t max);
/*
 * Appends len bytes.  Returns 0, or -1 when the result would pass max
 * or memory runs out; on failure the buffer is freed and reset to empty
 * (a half-filled buffer is never left behind).
 */
int	buf_append(struct buf *b, const void *data, size_t len);
int	buf_appendf(struct buf *b, const char *fmt, ...)
	    __attribute__((__format__(printf, 2, 3)));
int	buf_putc(struct buf *b, char c);
/* Empties the buffer but keeps its memory. */
void	buf_reset(struct buf *b);
/* Frees the memory; the buffer may be used again after buf_init. */
void	buf_free(struct buf *b);
/*
 * Appends the whole file at path.  Returns 0, or -1 with errno set
 * (EFBIG when it would pass the buffer's maximum; the buffer is then
 * empty, as after any failed append).
 */
int	buf_read_file(struct buf *b, const char *path);
/* Hands the NUL-terminated data to the caller (free() it); b is emptied. */
char	*buf_take(struct buf *b);

#endif
