/*
 * test_stem.c — the Snowball Dutch stemmer wrapper.
 */
#include <string.h>

#include "stem.h"
#include "testhelp.h"

static const char *
stem(struct stem *st, const char *w)
{
	size_t n;
	const char *s = stem_word(st, w, strlen(w), &n);

	return s != NULL && strlen(s) == n ? s : "(error)";
}

int
main(void)
{
	struct stem *st = stem_new();
	const char *a;
	size_t n;

	TEST("stemmer created", st != NULL);
	if (st == NULL)
		return TEST_REPORT();
	TEST_STR("bestelling", stem(st, "bestelling"), "bestell");
	TEST_STR("bestellingen", stem(st, "bestellingen"), "bestell");
	TEST_STR("afspraken", stem(st, "afspraken"), "afsprak");
	TEST_STR("afspraak", stem(st, "afspraak"), "afsprak");
	TEST_STR("openingstijden", stem(st, "openingstijden"),
	    "openingstijd");
	TEST_STR("klachten", stem(st, "klachten"), "klacht");
	TEST_STR("short words untouched", stem(st, "ja"), "ja");
	TEST_STR("class tokens untouched", stem(st, "_dossier_"),
	    "_dossier_");
	/* The result is ours until the next call, then overwritten. */
	a = stem_word(st, "klachten", 8, &n);
	TEST("stem length", n == 6);
	stem_word(st, "afspraken", 9, &n);
	TEST_STR("buffer reused by the next call", a, "afsprak");
	TEST("empty word", stem_word(st, "", 0, &n) != NULL && n == 0);
	stem_free(st);
	stem_free(NULL);
	return TEST_REPORT();
}
