/*
 * test_signature.c — HMAC-SHA256 and SHA-256 against published vectors
 * (RFC 4231, FIPS 180-2), and signature_check() on well-formed, malformed
 * and wrong X-Hub-Signature-256 headers.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "signature.h"
#include "testhelp.h"

#define RFC2_KEY	"Jefe"
#define RFC2_DATA	"what do ya want for nothing?"
#define RFC2_MAC	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define RFC1_MAC	"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
#define ABC_SHA		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_SHA	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define BODY		"{\"object\":\"page\"}"
#define BODY_MAC	"3fa164928bb0c3afff0cfa4db3a178e4bd00524c6d0f29d84b50fa30469e6c13"

static void
test_hmac(void)
{
	char key1[21], out[65];

	signature_hmac_hex(RFC2_KEY, RFC2_DATA, strlen(RFC2_DATA), out);
	TEST_STR("RFC 4231 case 2", out, RFC2_MAC);
	memset(key1, 0x0b, 20);
	key1[20] = '\0';
	signature_hmac_hex(key1, "Hi There", 8, out);
	TEST_STR("RFC 4231 case 1", out, RFC1_MAC);
	signature_hmac_hex("k", "", 0, out);
	TEST_STR("HMAC of empty data",
	    out, "8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620");
}

/* The per-thread context is keyed once: keys that alternate, the same
 * key again, and a thread of its own (whose context is freed when it
 * ends: the sanitizer build checks for leaks) give the vectors still. */
static void *
hmac_in_thread(void *arg)
{
	char *out = arg;

	signature_hmac_hex(RFC2_KEY, RFC2_DATA, strlen(RFC2_DATA), out);
	return NULL;
}

static void
test_hmac_cached(void)
{
	char out[65], again[65], other[65], threaded[65] = "";
	pthread_t t;
	int i, same = 1;

	for (i = 0; i < 3; i++) {
		signature_hmac_hex(RFC2_KEY, RFC2_DATA, strlen(RFC2_DATA), out);
		same &= strcmp(out, RFC2_MAC) == 0;
		signature_hmac_hex("k", "", 0, other);
		same &= strcmp(other, "8bb990c40a7d61cb97597a942125025be50ac8be"
		    "b74436e3735b98893a7f6620") == 0;
	}
	TEST("alternating keys keep their vectors", same);
	signature_hmac_hex(RFC2_KEY, RFC2_DATA, strlen(RFC2_DATA), out);
	signature_hmac_hex(RFC2_KEY, RFC2_DATA, strlen(RFC2_DATA), again);
	TEST_STR("same key twice: no state left from the last", again, out);
	TEST("a thread of its own", pthread_create(&t, NULL, hmac_in_thread,
	    threaded) == 0 && pthread_join(t, NULL) == 0);
	TEST_STR("a thread of its own: the vector", threaded, RFC2_MAC);
}

static void
test_sha256(void)
{
	char out[65];

	signature_sha256_hex("abc", 3, "", 0, out);
	TEST_STR("sha256(abc)", out, ABC_SHA);
	signature_sha256_hex("ab", 2, "c", 1, out);
	TEST_STR("sha256(ab || c) = sha256(abc)", out, ABC_SHA);
	signature_sha256_hex("", 0, "abc", 3, out);
	TEST_STR("sha256('' || abc)", out, ABC_SHA);
	signature_sha256_hex("", 0, "", 0, out);
	TEST_STR("sha256 of nothing", out, EMPTY_SHA);
}

static int
check(const char *secret, const char *body, const char *header)
{
	return signature_check(secret, body, body ? strlen(body) : 0, header);
}

static void
test_check(void)
{
	char hdr[128];
	size_t i;

	TEST("lower-case hex accepted",
	    check("dev-secret", BODY, "sha256=" BODY_MAC) == 0);
	snprintf(hdr, sizeof(hdr), "sha256=%s", BODY_MAC);
	for (i = 7; hdr[i]; i++)
		if (hdr[i] >= 'a' && hdr[i] <= 'f')
			hdr[i] = (char)(hdr[i] - 'a' + 'A');
	TEST("upper-case hex accepted", check("dev-secret", BODY, hdr) == 0);
	TEST("RFC vector as a header",
	    check(RFC2_KEY, RFC2_DATA, "sha256=" RFC2_MAC) == 0);

	TEST("missing header refused", check("dev-secret", BODY, NULL) == -1);
	TEST("empty header refused", check("dev-secret", BODY, "") == -1);
	TEST("bare hex refused", check("dev-secret", BODY, BODY_MAC) == -1);
	TEST("upper-case prefix refused",
	    check("dev-secret", BODY, "SHA256=" BODY_MAC) == -1);
	TEST("other prefix refused",
	    check("dev-secret", BODY, "sha512=" BODY_MAC) == -1);
	TEST("sha1= refused", check("dev-secret", BODY,
	    "sha1=0123456789abcdef0123456789abcdef01234567") == -1);
	TEST("short hex refused", check("dev-secret", BODY,
	    "sha256=3fa164928bb0c3afff0cfa4db3a178e4bd00524c6d0f29d84b50fa30469e6c1") == -1);
	TEST("long hex refused",
	    check("dev-secret", BODY, "sha256=" BODY_MAC "0") == -1);
	TEST("trailing newline refused",
	    check("dev-secret", BODY, "sha256=" BODY_MAC "\n") == -1);
	snprintf(hdr, sizeof(hdr), "sha256=%s", BODY_MAC);
	hdr[7 + 10] = 'g';
	TEST("non-hex char refused", check("dev-secret", BODY, hdr) == -1);
	snprintf(hdr, sizeof(hdr), "sha256=%s", BODY_MAC);
	hdr[7 + 63] = ' ';
	TEST("blank inside hex refused", check("dev-secret", BODY, hdr) == -1);
	snprintf(hdr, sizeof(hdr), "sha256=%s", BODY_MAC);
	hdr[7] = hdr[7] == '0' ? '1' : '0';
	TEST("one digit off refused", check("dev-secret", BODY, hdr) == -1);
	TEST("wrong secret refused",
	    check("other-secret", BODY, "sha256=" BODY_MAC) == -1);
	TEST("empty secret refused",
	    check("", BODY, "sha256=" BODY_MAC) == -1);
	TEST("NULL secret refused",
	    check(NULL, BODY, "sha256=" BODY_MAC) == -1);
	TEST("other body refused",
	    check("dev-secret", "{\"object\":\"pagE\"}", "sha256=" BODY_MAC)
	    == -1);
	TEST("body prefix refused", signature_check("dev-secret", BODY,
	    strlen(BODY) - 1, "sha256=" BODY_MAC) == -1);
	TEST("empty body, right mac", check("k", "",
	    "sha256=8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620")
	    == 0);
}

/* signature_equal: the bearer-token compare of /metrics. */
static void
test_equal(void)
{
	TEST("equal", signature_equal("metrics-token", "metrics-token"));
	TEST("differs at the end", !signature_equal("metrics-token",
	    "metrics-tokeN"));
	TEST("prefix", !signature_equal("metrics-token", "metrics-toke"));
	TEST("longer", !signature_equal("metrics-token", "metrics-token1"));
	TEST("empty equals empty", signature_equal("", ""));
	TEST("NULL never equal", !signature_equal(NULL, "") &&
	    !signature_equal("", NULL) && !signature_equal(NULL, NULL));
}

int
main(void)
{
	test_hmac();
	test_hmac_cached();
	test_sha256();
	test_check();
	test_equal();
	return TEST_REPORT();
}
