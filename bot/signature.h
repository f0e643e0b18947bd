/*
 * signature.h — Meta's X-Hub-Signature-256 check, and HMAC helpers.
 * The only module that includes OpenSSL (besides password hashing).
 */
#ifndef LOKET_SIGNATURE_H
#define LOKET_SIGNATURE_H

#include <stddef.h>

/*
 * Checks header ("sha256=" + 64 hex digits) against HMAC-SHA256 of the
 * raw body keyed with secret, in constant time.  Returns 0 when it
 * matches, -1 when the header is missing, malformed or wrong.
 */
int	signature_check(const char *secret, const void *body, size_t len,
	    const char *header);
/* Writes the 2n lower-case hex digits of in[0..n) and a NUL into out. */
void	signature_hex(const unsigned char *in, size_t n, char *out);
/* Writes the 64 lower-case hex digits of HMAC-SHA256(key, data) + NUL. */
void	signature_hmac_hex(const char *key, const void *data, size_t len,
	    char out[65]);

/*
 * 1 if the strings a and b are equal, else 0 (also when either is NULL);
 * the time taken depends on their lengths only, never on where they
 * differ (bearer tokens).
 */
int	signature_equal(const char *a, const char *b);

/* Writes the 64 lower-case hex digits of SHA-256(a || b) + NUL. */
void	signature_sha256_hex(const void *a, size_t alen, const void *b,
	    size_t blen, char out[65]);

#endif
