/*
 * test_review.c — the review of misunderstood messages, its pure parts:
 * the masking of personal data (contact_mask) on the forms Flemish
 * citizens write them in, hostile input included, and the grouping of
 * near-duplicates (review_group).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "contact.h"
#include "review.h"
#include "testhelp.h"

static void
mask_is(const char *in, const char *want)
{
	char *got = contact_mask(in, NULL, NULL);

	TEST_STR(in, got, want);
	free(got);
}

/* Masked, the text must not hold needle any more. */
static void
gone(const char *in, const char *needle)
{
	char *got = contact_mask(in, NULL, NULL);

	TEST(in, got != NULL && strstr(got, needle) == NULL);
	if (got != NULL && strstr(got, needle) != NULL)
		printf("     got: %s\n", got);
	free(got);
}

static void
test_emails_phones(void)
{
	mask_is("mail mij op jan.peeters@telenet.be aub",
	    "mail mij op {email} aub");
	mask_is("<els_vdb+loket@gmail.com>.", "<{email}>.");
	mask_is("bel me maar op 0486 55 44 33", "bel me maar op {telefoon}");
	mask_is("0470/12.34.56 of 09/123.45.67",
	    "{telefoon} of {telefoon}");
	mask_is("+32 470 12 34 56!", "{telefoon}!");
	mask_is("gsm: 0032470123456", "gsm: {telefoon}");
	mask_is("+32 (0)470 12 34 56", "{telefoon}");
	mask_is("32470123456", "{telefoon}");
	/* One digit too many is still someone's number. */
	mask_is("0486 55 44 33 2", "{telefoon}");
	mask_is("nummer: 0486554433.", "nummer: {telefoon}.");
}

static void
test_numbers_kept(void)
{
	mask_is("ik wacht al sinds 03/06/2025 op mijn premie",
	    "ik wacht al sinds 03/06/2025 op mijn premie");
	mask_is("afspraak op 2025-06-03 om 09:30",
	    "afspraak op 2025-06-03 om 09:30");
	mask_is("ik kreeg maar € 125000 terug", "ik kreeg maar € 125000 terug");
	mask_is("3 weken en 12 dagen, 2de keer", "3 weken en 12 dagen, 2de keer");
	mask_is("om 10u30 in 2024", "om 10u30 in 2024");
}

static void
test_dossiers_ibans(void)
{
	struct strlist pats;
	char *pv[] = { "ticket-([A-Z]{2}[0-9])" };
	char *got;

	mask_is("mijn dossier VL-2024-12345 is nog niet behandeld",
	    "mijn dossier {dossier} is nog niet behandeld");
	mask_is("dossiernummer: 4521", "dossiernummer: {dossier}");
	mask_is("ref. nr 88-12", "ref. nr {dossier}");
	mask_is("ons kenmerk is HP2023/0458", "ons kenmerk is {dossier}");
	mask_is("rijksregisternummer 85.07.30-033.61",
	    "rijksregisternummer {dossier}");
	mask_is("zaak 2025/11873 loopt al lang", "zaak {dossier} loopt al lang");
	mask_is("IBAN BE68 5390 0754 7034 graag",
	    "IBAN {iban} graag");
	mask_is("op be68539007547034 gestort", "op {iban} gestort");
	mask_is("NL91ABNA0417164300", "{iban}");
	mask_is("rekening BE68-5390-0754-7034.", "rekening {iban}.");
	pats.v = pv;
	pats.n = 1;
	pats.compiled = NULL;
	got = contact_mask("meldde ticket-AB7 gisteren", &pats, NULL);
	TEST_STR("agency pattern", got, "meldde ticket-{dossier} gisteren");
	free(got);
}

static void
test_addresses(void)
{
	mask_is("ik woon in de Kerkstraat 12, 9000 Gent",
	    "ik woon in de {adres}");
	mask_is("Koning Albertlaan 12 bus 3 is mijn adres",
	    "{adres} is mijn adres");
	mask_is("adres: kerkstraat 5a", "adres: {adres}");
	mask_is("rue de la Loi 16, 1000 Bruxelles", "{adres}");
	mask_is("Sint-Pietersnieuwstraat 25", "{adres}");
	mask_is("postcode 2000 Antwerpen", "postcode {adres}");
	/* A street without a number is a place, not an address. */
	mask_is("het loket in de Kerkstraat is dicht",
	    "het loket in de Kerkstraat is dicht");
}

static void
test_names(void)
{
	const char *known[] = { "Lotte Janssens", NULL };
	char *got;

	mask_is("ik ben Els Peeters en ik wacht op mijn premie",
	    "ik ben {naam} en ik wacht op mijn premie");
	mask_is("mijn naam is els van den broeck",
	    "mijn naam is {naam}");
	mask_is("Goeiedag, mevrouw Peeters zei dat het ok was",
	    "Goeiedag, mevrouw {naam} zei dat het ok was");
	mask_is("kunnen jullie helpen? groetjes, Jan", "kunnen jullie "
	    "helpen? groetjes, {naam}");
	mask_is("Met vriendelijke groeten\nAn De Smet",
	    "Met vriendelijke groeten\n{naam}");
	got = contact_mask("hallo, lotte hier. Janssens is mijn achternaam",
	    NULL, known);
	TEST_STR("known names", got,
	    "hallo, {naam} hier. {naam} is mijn achternaam");
	free(got);
	/* Everyday words are no names. */
	mask_is("ik ben boos", "ik ben boos");
	mask_is("wanneer zijn jullie open?", "wanneer zijn jullie open?");
}

static void
test_hostile(void)
{
	char big[40000], *got;
	size_t i;

	mask_is("", "");
	got = contact_mask(NULL, NULL, NULL);
	TEST_STR("NULL text", got, "");
	free(got);
	mask_is("\xff\xfe abc \xc3", "?? abc ?");
	mask_is("a\x01" "b", "a b");
	mask_is("@@@ @", "{email}");
	mask_is("a@b.be, c@d.be en 0470123456", "{email} en {telefoon}");
	mask_is("++++ 0 ---- ////", "++++ 0 ---- ////");
	mask_is("0", "0");
	mask_is("{naam} {telefoon}", "{naam} {telefoon}");
	gone("bel 0", "zzz");
	gone("mijn nr is 0 4 8 6 5 5 4 4 3 3", "0 4 8 6");
	gone("Ik ben Jef.Mijn mail is jef@x.be", "jef@x.be");
	gone("dossier:2025/11873", "11873");
	gone("BE68 5390 0754 7034 BE68 5390 0754 7035", "7035");
	/* Very long input: cut, never overrun. */
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = "0470 12 34 56 "[i % 14];
	big[sizeof(big) - 1] = '\0';
	got = contact_mask(big, NULL, NULL);
	TEST("long input masked", got != NULL && strstr(got, "0470") == NULL &&
	    strlen(got) < 16384);
	free(got);
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = "Mevrouw "[i % 8];
	got = contact_mask(big, NULL, NULL);
	TEST("many titles", got != NULL);
	free(got);
}

static void
test_grouping(void)
{
	const char *t[] = {
		"wanneer zijn jullie open?",		/* 0 */
		"mijn premie is nog altijd niet gestort",	/* 1 */
		"Wanneer zijn jullie open??",		/* 2 */
		"wnr zijn jullie open",			/* 3 */
		"hoe laat zijn jullie open",		/* 4 */
		"premie nog altijd niet gestort",	/* 5 */
		"totaal iets anders over parkeren",	/* 6 */
		"",					/* 7 */
		"\xf0\x9f\x91\x8d",			/* 8 */
	};
	struct review_group *g;
	int n, i, found;

	TEST("same text alike", review_similarity(t[0], t[2]) >= 1.0);
	TEST("abbreviation alike", review_similarity(t[0], t[3]) >= 1.0);
	TEST("other topic not alike", review_similarity(t[0], t[6]) < 1.0);
	TEST("premie vs open not alike", review_similarity(t[1], t[0]) < 1.0);
	n = review_group(t, 9, &g);
	TEST("groups made", n > 0);
	TEST("largest first", n > 0 && g[0].n >= 3 && g[0].members[0] == 0);
	for (i = 0, found = 0; n > 0 && i < g[0].n; i++)
		found += g[0].members[i] == 2 || g[0].members[i] == 3;
	TEST("near-duplicates together", found == 2);
	for (i = 0, found = -1; i < n; i++)
		if (g[i].members[0] == 1)
			found = i;
	TEST("premie group has both", found >= 0 && g[found].n == 2 &&
	    g[found].members[1] == 5);
	for (i = 1; i < n; i++)
		TEST("sorted by size", g[i - 1].n >= g[i].n);
	review_groups_free(g, n);
	TEST("empty list", review_group(t, 0, &g) == 0 && g == NULL);
}

int
main(void)
{
	test_emails_phones();
	test_numbers_kept();
	test_dossiers_ibans();
	test_addresses();
	test_names();
	test_hostile();
	test_grouping();
	return TEST_REPORT();
}
