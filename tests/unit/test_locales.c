/*
 * test_locales.c — loading, checking and rendering the reply texts: the
 * shipped locales/ must load, and every broken file must be refused with
 * FILE:LINE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locales.h"
#include "testhelp.h"

static char dir[] = "/tmp/test_locale.XXXXXX";

/* Writes a complete nl.txt with every catalogue key, then extra lines. */
static void
write_nl(const char *extra, const char *skip)
{
	char path[256];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/nl.txt", dir);
	f = fopen(path, "w");
	fprintf(f, "# test\n\n");
	for (i = 0; locales_keys[i] != NULL; i++)
		if (skip == NULL || strcmp(skip, locales_keys[i]) != 0)
			fprintf(f, "%s = tekst %zu\n", locales_keys[i], i);
	fputs(extra, f);
	fclose(f);
}

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void
remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int
load_fails_with(const char *want)
{
	char err[256] = "";
	struct locales *l = locales_load(dir, err, sizeof(err));

	if (l != NULL) {
		locales_free(l);
		printf("     loaded, wanted error '%s'\n", want);
		return 0;
	}
	if (strstr(err, want) == NULL) {
		printf("     error '%s', wanted '%s'\n", err, want);
		return 0;
	}
	return 1;
}

static void
test_shipped(void)
{
	char err[256] = "", *s;
	struct locale_arg args[] = {
		{ "reference", "WSE-2026-00001" }, { "term_days", "45" },
		{ "contact", "els@x.be" }, { "agency_name", "VMSW" },
	};
	struct locales *l = locales_load("locales", err, sizeof(err));

	TEST("shipped locales load", l != NULL);
	if (l == NULL) {
		printf("     %s\n", err);
		return;
	}
	TEST("nl, fr, en", locales_has_lang(l, "nl") &&
	    locales_has_lang(l, "fr") && locales_has_lang(l, "en"));
	s = locales_render(l, "nl", "klacht.geregistreerd", args, 4);
	TEST("render reference", s != NULL &&
	    strstr(s, "WSE-2026-00001") != NULL && strstr(s, "45 dagen"));
	free(s);
	s = locales_render(l, "fr", "welkom", args, 4);
	TEST("render fr", s != NULL && strstr(s, "bienvenue chez VMSW"));
	free(s);
	s = locales_render(l, "de", "welkom", args, 4);
	TEST("unknown language falls back to nl", s != NULL &&
	    strstr(s, "welkom bij VMSW"));
	free(s);
	TEST("unknown key", locales_render(l, "nl", "nope", NULL, 0) == NULL);
	locales_free(l);
}

static void
test_checks(void)
{
	char err[256], want[64], *s;
	struct locales *l;
	int nkeys = 0;
	struct locale_arg a[] = { { "name", "Els" }, { "dossier", NULL } };

	while (locales_keys[nkeys] != NULL)
		nkeys++;
	remove_file("fr.txt");
	remove_file("en.txt");
	write_nl("onderwerp.openingsuren = Open {office_hours}.\\nWelkom!\n"
	    "klacht.naam_x = x\n", NULL);
	/* 2 header lines, the keys, the topic line, then the bad one. */
	snprintf(want, sizeof(want), "nl.txt:%d: unknown key 'klacht.naam_x'",
	    nkeys + 4);
	TEST("unknown key", load_fails_with(want));
	write_nl("", "klacht.bevestig");
	TEST("missing key", load_fails_with("missing key 'klacht.bevestig'"));
	write_nl("onderwerp.x = Hallo {naam}\n", NULL);
	TEST("unknown placeholder", load_fails_with("unknown placeholder "
	    "'{naam}'"));
	write_nl("welkom = twee keer\n", NULL);
	TEST("duplicate", load_fails_with("duplicate key 'welkom'"));
	write_nl("zomaar tekst\n", NULL);
	TEST("no equals", load_fails_with("expected 'key = text'"));
	write_nl("onderwerp.x =   \n", NULL);
	TEST("empty text", load_fails_with("empty text"));
	write_file("nl.txt", "knop.ja = Ja, dat klopt helemaal zeker\n");
	TEST("long button", load_fails_with("longer than 20"));
	remove_file("nl.txt");
	TEST("nl required", load_fails_with("nl.txt:0:"));

	write_nl("onderwerp.x = Dag {name}, {dossier}{X}{ {} \\\\n.\n", NULL);
	write_file("fr.txt", "welkom = Bonjour\n");
	TEST("incomplete fr refused", load_fails_with("fr.txt:1: missing "
	    "key"));
	remove_file("fr.txt");
	l = locales_load(dir, err, sizeof(err));
	TEST("valid file loads", l != NULL);
	if (l == NULL)
		return;
	TEST("fr not loaded", !locales_has_lang(l, "fr"));
	TEST("topic falls back to nl", locales_has(l, "fr", "onderwerp.x"));
	s = locales_render(l, "nl", "onderwerp.x", a, 2);
	TEST_STR("render", s, "Dag Els, {X}{ {} \\n.");
	free(s);
	s = locales_render(l, "nl", "welkom", NULL, 0);
	TEST_STR("plain", s, "tekst 0");
	free(s);
	locales_free(l);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_shipped();
	test_checks();
	remove_file("nl.txt");
	remove_file("fr.txt");
	rmdir(dir);
	return TEST_REPORT();
}
