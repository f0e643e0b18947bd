/*
 * signature.c — HMAC-SHA256 webhook signatures.  Meta signs the raw bytes
 * as sent (non-ASCII travels as \u escapes), so the body is hashed exactly
 * as it arrived, before any parsing.
 */
#include "signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
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

/*
 * One HMAC-SHA256 context per thread, keyed once: OpenSSL 3's one-shot
 * HMAC() fetches the algorithm and sets the key up on every call, which
 * cost more than hashing a webhook body.  The context is made again when
 * the key changes (a reloaded app secret) and freed when its thread ends.
 */
struct hmac_cache {
	EVP_MAC_CTX	*ctx;
	char		*key;
};

static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;
static pthread_key_t hmac_key;		/* this thread's struct hmac_cache */
static int hmac_key_ok;

static void
hmac_cache_free(void *p)
{
	struct hmac_cache *c = p;

	if (c == NULL)
		return;
	EVP_MAC_CTX_free(c->ctx);
	if (c->key != NULL) {
		OPENSSL_cleanse(c->key, strlen(c->key));
		free(c->key);
	}
	free(c);
}

static void
hmac_key_create(void)
{
	hmac_key_ok = pthread_key_create(&hmac_key, hmac_cache_free) == 0;
}

/* A context keyed with key, or NULL. */
static struct hmac_cache *
hmac_cache_new(const char *key)
{
	struct hmac_cache *c = calloc(1, sizeof(*c));
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	if (c == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac);		/* the context holds its own reference */
	if (c->ctx == NULL || (c->key = strdup(key)) == NULL ||
	    EVP_MAC_init(c->ctx, (const unsigned char *)key, strlen(key),
	    params) != 1) {
		hmac_cache_free(c);
		return NULL;
	}
	return c;
}

/* This thread's context, keyed with key and ready for data; NULL when
 * it cannot be made (the caller then uses the one-shot HMAC()). */
static EVP_MAC_CTX *
hmac_ctx(const char *key)
{
	struct hmac_cache *c;

	pthread_once(&hmac_once, hmac_key_create);
	if (!hmac_key_ok)
		return NULL;
	c = pthread_getspecific(hmac_key);
	if (c != NULL && strcmp(c->key, key) == 0)
		return EVP_MAC_init(c->ctx, NULL, 0, NULL) == 1 ? c->ctx :
		    NULL;
	hmac_cache_free(c);
	c = hmac_cache_new(key);
	if (pthread_setspecific(hmac_key, c) != 0) {
		hmac_cache_free(c);
		return NULL;
	}
	return c != NULL ? c->ctx : NULL;
}

void
signature_hmac_hex(const char *key, const void *data, size_t len,
    char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t n = 0;
	EVP_MAC_CTX *ctx = hmac_ctx(key);

	if (ctx != NULL) {
		if (EVP_MAC_update(ctx, data, len) == 1 &&
		    EVP_MAC_final(ctx, mac, &n, sizeof(mac)) == 1)
			maclen = (unsigned int)n;
	} else if (HMAC(EVP_sha256(), key, (int)strlen(key), data, len, mac,
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
