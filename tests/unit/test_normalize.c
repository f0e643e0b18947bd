/*
 * test_normalize.c — normalisation of chat messages and phrases.
 */
#include <stdio.h>
#include <string.h>

#include "lang.h"
#include "normalize.h"
#include "utf8.h"
#include "testhelp.h"

static struct buf b;

static const char *
norm(const char *s, int flags)
{
	if (normalize(s, strlen(s), flags, &b, NULL) == -1)
		return "(oom)";
	return b.data;
}

static const struct {
	const char	*in;
	const char	*want;
} cases[] = {
	{ "Heeeel SLECHT!!! \xf0\x9f\x98\xa1\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1",
	  "heel slecht \xf0\x9f\x98\xa1" },
	{ "Café, ideeën; Ĳzer", "cafe ideen ijzer" },
	{ "É è Ê ë Ï ç À ô Ö ü ñ ß", "e e e e i c a o o u n ss" },
	{ "heel been vaak alle nee twee", "heel been vaak alle nee twee" },
	{ "jaaaa neeeee hallooo dankuuuu", "ja nee hallo dank u" },
	{ "goeeeed alllle slechtttt", "goed alle slecht" },
	{ "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbb top \xf0\x9f\x99\x8f",
	  "\xf0\x9f\x91\x8d top \xf0\x9f\x99\x8f" },
	{ "\xf0\x9f\x91\x8c", "\xf0\x9f\x91\x8d" },	/* ok hand -> thumbs */
	{ "\xf0\x9f\xa4\xac!!", "\xf0\x9f\x98\xa1" },	/* cursing -> angry */
	{ "ik ben 42 jaar", "ik ben _num_ jaar" },
	{ "kost €12,50", "kost euro _num_" },
	{ "op 12/03 of 12-03-2025", "op _date_ of _date_" },
	{ "op 3 maart", "op _date_" },
	{ "om 14u30", "om _time_" },
	{ "dossier 2025/11873.", "dossier _dossier_" },
	{ "ref AB-2024-000123", "ref _dossier_" },
	{ "nummer:2025/11873", "nummer _dossier_" },
	{ "in 2025", "in _num_" },
	{ "bel 0475/12.34.56", "bel _phone_" },
	{ "mail jan.peeters@example.be", "mail _email_" },
	{ "zie https://www.vlaanderen.be/x", "zie _url_" },
	{ "mvg", "met vriendelijke groeten" },
	{ "aub pls a.u.b.", "alstublieft alstublieft alstublieft" },
	{ "tnx thx idd", "bedankt bedankt inderdaad" },
	{ "nr", "nummer" },
	{ "hebde gij da nie gezien", "hebt u u dat niet gezien" },
	{ "wa is da", "wat is dat" },
	{ "ik zen kwaad, ze zen weg", "ik ben kwaad ze zijn weg" },
	{ "efkes wachten, seffens", "even wachten straks" },
	{ "amaaai", "amai" },
	{ "kheb 'k heb da's z'n m'n", "ik heb ik heb dat is zijn mijn" },
	{ "e-mail", "email" },
	{ "vraagje vraagske momentje mailtje boompje vraagjes",
	  "vraag vraag moment mail boom vraag" },
	{ "meisje je kastje", "meis u kast" },
	{ "merciekes vriendelijke", "bedankt vriendelijke" },
	{ "  ...  ", "" },
	{ "", "" },
};

static void
test_cases(void)
{
	size_t i;
	char descr[128];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(descr, sizeof(descr), "normalize case %zu", i);
		TEST_STR(descr, norm(cases[i].in, 0), cases[i].want);
	}
}

static void
test_raw_and_marks(void)
{
	unsigned m = 0;

	TEST_STR("raw keeps abbreviations", norm("mvg ge", NORM_RAW),
	    "mvg ge");
	normalize("wanneer open?", 13, 0, &b, &m);
	TEST("question mark noted", m & NORM_MARK_QUESTION);
	normalize("stop!", 5, 0, &b, &m);
	TEST("exclamation noted", (m & NORM_MARK_EXCLAIM) &&
	    !(m & NORM_MARK_QUESTION));
	TEST("word map sorted", normalize_map_sorted());
	TEST("stop-word table sorted", lang_table_sorted());
	TEST("symbol: class token", normalize_is_symbol("_num_"));
	TEST("symbol: emoji", normalize_is_symbol("\xf0\x9f\x91\x8d"));
	TEST("symbol: word is not", !normalize_is_symbol("klacht"));
}

static void
test_bad_utf8(void)
{
	static const char bad[] = "ab\xff\xfe" "cd \xc3 \xe2\x82 x\xf0\x9f"
	    " \xc0\xaf \xed\xa0\x80 caf\xc3\xa9";
	unsigned char all[256];
	size_t i;

	TEST_STR("bad bytes separate", norm(bad, 0), "ab cd x cafe");
	TEST("utf8_check finds the bad byte", utf8_check(bad, 6) == 2);
	TEST("utf8_check passes good text", utf8_check("caf\xc3\xa9", 5) ==
	    -1);
	TEST("overlong refused", utf8_check("\xc0\xaf", 2) == 0);
	TEST("surrogate refused", utf8_check("\xed\xa0\x80", 3) == 0);
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	TEST("every byte survives", normalize((const char *)all, 256, 0,
	    &b, NULL) == 0);
}

/* Random bytes, biased towards UTF-8 lead bytes, digits and separators:
 * the output must always be valid UTF-8 with single spaces. */
static void
test_random(void)
{
	static const char pool[] = "aeiouklmnst0123456789 /-.:@'?!\xc3\xa9"
	    "\xf0\x9f\x98\xa1\xe2\x82\xac\xff\x80";
	unsigned seed = 1;
	char in[64];
	size_t i, j, ok = 0;

	for (i = 0; i < 20000; i++) {
		for (j = 0; j < sizeof(in); j++) {
			seed = seed * 1103515245u + 12345u;
			in[j] = pool[(seed >> 16) % (sizeof(pool) - 1)];
		}
		if (normalize(in, (seed >> 8) % sizeof(in), 0, &b, NULL) == 0 &&
		    utf8_check(b.data, b.len) == -1 && strstr(b.data, "  ") ==
		    NULL && (b.len == 0 || (b.data[0] != ' ' &&
		    b.data[b.len - 1] != ' ')))
			ok++;
	}
	TEST("random input normalises to clean UTF-8", ok == 20000);
}

static void
test_limits(void)
{
	struct buf small;
	char big[4000];

	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = "abc"[i % 3];
	big[sizeof(big) - 1] = '\0';
	TEST("long word cut", normalize(big, strlen(big), 0, &b, NULL) == 0 &&
	    b.len == NORM_WORD_MAX);
	buf_init(&small, 16);
	TEST("output cut at max, not failed", normalize("een twee drie vier "
	    "vijf zes zeven", 33, 0, &small, NULL) == 0 && small.len <= 16 &&
	    strcmp(small.data, "een twee drie") == 0);
	buf_free(&small);
	buf_init(&small, 10);
	TEST("date merge at the limit", normalize("een 3 maart", 11, 0, &small,
	    NULL) == 0 && strcmp(small.data, "een _num_") == 0 &&
	    small.len == 9);
	buf_free(&small);
}

int
main(void)
{
	buf_init(&b, 8192);
	test_cases();
	test_raw_and_marks();
	test_bad_utf8();
	test_random();
	test_limits();
	buf_free(&b);
	return TEST_REPORT();
}
