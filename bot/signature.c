/*
 * signature.c — HMAC-SHA256 webhook signatures.  Meta signs the raw bytes
 * as sent (non-ASCII travels as \u escapes), so the body is hashed exactly
 * as it arrived, before any parsing.
 */
#include "signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

void
signature_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
signature_hmac_hex(const char *key, const void *data, size_t len,
    char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), key, (int)strlen(key), data, len, mac,
	    &maclen) == NULL)
		maclen = 0;
	signature_hex(mac, maclen < 32 ? maclen : 32, out);
}

void
signature_sha256_hex(const void *a, size_t alen, const void *b, size_t blen,
    char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1 ||
	    EVP_DigestUpdate(ctx, b, blen) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		mdlen = 0;
	EVP_MD_CTX_free(ctx);
	signature_hex(md, mdlen < 32 ? mdlen : 32, out);
}

int
signature_check(const char *secret, const void *body, size_t len,
    const char *header)
{
	char want[65], got[65];
	size_t i;

	if (secret == NULL || *secret == '\0' || header == NULL ||
	    strncmp(header, "sha256=", 7) != 0 || strlen(header) != 71)
		return -1;
	/* Hex may come in either case; compare lower-case. */
	for (i = 0; i < 64; i++) {
		char c = header[7 + i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		got[i] = c;
	}
	got[64] = '\0';
	signature_hmac_hex(secret, body, len, want);
	if (strlen(want) != 64)
		return -1;
	return CRYPTO_memcmp(want, got, 64) == 0 ? 0 : -1;
}

int
signature_equal(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL || (n = strlen(a)) != strlen(b))
		return 0;
	return CRYPTO_memcmp(a, b, n) == 0;
}
