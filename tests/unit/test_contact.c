/*
 * test_contact.c — names, e-mail, Belgian phone numbers and dossier
 * numbers from free text.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "contact.h"
#include "testhelp.h"

static const char *
email(const char *t)
{
	static char out[CONTACT_EMAIL_MAX];

	if (contact_email(t, out, sizeof(out)) == CONTACT_NONE)
		return "";
	return out;
}

static const char *
phone(const char *t)
{
	static char out[CONTACT_PHONE_MAX];

	if (contact_phone(t, out, sizeof(out)) == CONTACT_NONE)
		return "";
	return out;
}

static const char *
name(const char *t, int asked)
{
	static char out[CONTACT_NAME_MAX];

	if (contact_name(t, asked, out, sizeof(out)) == CONTACT_NONE)
		return "";
	return out;
}

static void
test_email(void)
{
	TEST_STR("plain", email("mijn mail is els.peeters@telenet.be"),
	    "els.peeters@telenet.be");
	TEST_STR("lower-cased", email("Els.Peeters@Telenet.BE."),
	    "els.peeters@telenet.be");
	TEST_STR("in brackets", email("mail (jan+loket@vlaanderen.be)"),
	    "jan+loket@vlaanderen.be");
	TEST_STR("mailto", email("mailto:a.b@c-d.eu"), "a.b@c-d.eu");
	TEST_STR("end of sentence", email("Stuur naar x@y.com!"), "x@y.com");
	TEST_STR("double at", email("jan@@telenet"), "INVALID");
	TEST_STR("no tld", email("jan@telenet"), "INVALID");
	TEST_STR("dots", email("jan..p@telenet.be"), "INVALID");
	TEST_STR("numeric tld", email("jan@telenet.b3"), "INVALID");
	TEST_STR("hyphen label", email("jan@-telenet.be"), "INVALID");
	TEST_STR("none", email("ik heb geen mail"), "");
	TEST_STR("valid after invalid",
	    email("jan@@telenet sorry jan@telenet.be"), "jan@telenet.be");
	TEST_STR("just at", email("@ VLAIO"), "INVALID");
}

static void
test_phone(void)
{
	TEST_STR("mobile spaces", phone("0470 12 34 56"), "+32470123456");
	TEST_STR("mobile slash dots", phone("0470/12.34.56"), "+32470123456");
	TEST_STR("mobile compact", phone("bel 0470123456 aub"),
	    "+32470123456");
	TEST_STR("plus32", phone("+32 470 12 34 56"), "+32470123456");
	TEST_STR("plus32 zero", phone("+32 (0)470 12 34 56"), "+32470123456");
	TEST_STR("0032", phone("0032 470 12 34 56"), "+32470123456");
	TEST_STR("0032 compact", phone("0032470123456"), "+32470123456");
	TEST_STR("dashes", phone("0499-11-22-33"), "+32499112233");
	TEST_STR("brussels", phone("02 553 11 11"), "+3225531111");
	TEST_STR("gent", phone("09/123.45.67"), "+3291234567");
	TEST_STR("hasselt", phone("011 23 45 67"), "+3211234567");
	TEST_STR("liege", phone("04 123 45 67"), "+3241234567");
	TEST_STR("free number", phone("0800 12 345"), "+3280012345");
	TEST_STR("foreign", phone("+31 6 12345678"), "+31612345678");
	TEST_STR("too short", phone("0470 12 34"), "INVALID");
	/* A digit too many is asked again, never cut to ten digits. */
	TEST_STR("too long", phone("0470 12 34 56 78 9"), "INVALID");
	TEST_STR("one digit too many", phone("0486 55 44 33 2"), "INVALID");
	TEST_STR("eleven digits", phone("Marc De Smet 0472 123 456 78"),
	    "INVALID");
	TEST_STR("mobile cut short", phone("0478 12 34 5"), "INVALID");
	TEST_STR("two numbers", phone("0470 12 34 56 of 0495 11 22 33"),
	    "+32470123456");
	TEST_STR("bad mobile", phone("0412 34 56 78 1"), "INVALID");
	TEST_STR("date", phone("op 03/06/2025 gebeld"), "");
	TEST_STR("short date", phone("sinds 03/06"), "");
	TEST_STR("dossier-like", phone("dossier 2025/11873"), "");
	TEST_STR("time", phone("om 14u30"), "");
	TEST_STR("amount", phone("ik kreeg 250 euro"), "");
	TEST_STR("glued letters", phone("AB-2024-000123"), "");
	TEST_STR("two numbers", phone("0470 12 34 56 of 02 553 11 11"),
	    "+32470123456");
	TEST_STR("after text", phone("mijn gsm:0475.11.22.33."),
	    "+32475112233");
	TEST_STR("none", phone("geen nummer"), "");
}

static void
test_name(void)
{
	TEST_STR("ik ben", name("Ik ben Els Peeters", 0), "Els Peeters");
	TEST_STR("ik ben + rest", name("dag, ik ben Els Peeters en ik heb "
	    "een klacht", 0), "Els Peeters");
	TEST_STR("ik ben boos", name("ik ben boos", 0), "");
	TEST_STR("ik ben lower", name("ik ben het beu", 0), "");
	TEST_STR("naam:", name("naam: jan de smet", 0), "Jan de Smet");
	TEST_STR("mijn naam is", name("Mijn naam is Sofie Van Damme.", 0),
	    "Sofie Van Damme");
	TEST_STR("ik heet", name("ik heet ahmed el amrani, mail volgt", 0),
	    "Ahmed El Amrani");
	TEST_STR("particles", name("mijn naam is els van den broeck", 0),
	    "Els van den Broeck");
	TEST_STR("accents", name("Je m'appelle Hélène Dupré", 0),
	    "Hélène Dupré");
	TEST_STR("english", name("my name is John Smith", 0), "John Smith");
	TEST_STR("bare asked", name("els peeters", 1), "Els Peeters");
	TEST_STR("bare not asked", name("els peeters", 0), "");
	TEST_STR("bare with mail", name("Els Peeters els@x.be", 1),
	    "Els Peeters");
	TEST_STR("bare comma", name("Peeters, Els", 1), "Peeters");
	TEST_STR("bare sentence", name("waarom moet ik dat geven", 1), "");
	TEST_STR("bare ja", name("ja", 1), "");
	TEST_STR("bare digits", name("0470 12 34 56", 1), "");
	TEST_STR("bare long sentence",
	    name("weet ik niet waarom vraagt ge dat", 1), "");
	TEST_STR("initial", name("naam: J. Peeters", 0), "J. Peeters");
	TEST_STR("particle first", name("Van Damme Sofie", 1),
	    "Van Damme Sofie");
	TEST_STR("particle first, lower", name("de smet jan", 1),
	    "De Smet Jan");
	TEST_STR("only a particle", name("van", 1), "");
	TEST_STR("a sentence is no name", name("de bus was te laat", 1), "");
	TEST_STR("lower-case sentence", name("de consulent belde nooit", 1),
	    "");
	TEST_STR("four words, two plain", name("els van den broeck", 1),
	    "Els van den Broeck");
	TEST_STR("hyphen", name("ik ben Anne-Marie Janssens-Claes", 0),
	    "Anne-Marie Janssens-Claes");
}

static void
test_dossier(void)
{
	/* ERE has no (?:...): group 1 is the first parenthesised group. */
	char *v[] = { "(bad", "referentie[ .:#]*([a-z]{2}-[0-9]{4}-"
	    "[0-9]{6})", "dossier[a-z]*[ .:#]*([0-9]{4}/[0-9]{3,6})" };
	char *simple[] = { "dossier [0-9]+" };
	struct strlist vl = { v, 3, NULL }, sl = { simple, 1, NULL };
	struct contact_found f;
	char out[CONTACT_DOSSIER_MAX];

	TEST("whole match without group", contact_dossier("over dossier "
	    "123456 gaat het", &sl, out, sizeof(out)) == CONTACT_FOUND);
	TEST_STR("whole match value", out, "dossier 123456");
	TEST("no match", contact_dossier("geen nummer", &vl, out,
	    sizeof(out)) == CONTACT_NONE);
	TEST("null patterns", contact_dossier("dossier 1", NULL, out,
	    sizeof(out)) == CONTACT_NONE);
	TEST("slash", contact_dossier("klacht over dossiernr. 2025/11873 "
	    "aub", &vl, out, sizeof(out)) == CONTACT_FOUND);
	TEST_STR("slash value", out, "2025/11873");
	TEST("ref", contact_dossier("Referentie AB-2024-000123", &vl, out,
	    sizeof(out)) == CONTACT_FOUND);
	TEST_STR("ref value", out, "AB-2024-000123");
	TEST("case-insensitive", contact_dossier("DOSSIER 2024/555", &vl,
	    out, sizeof(out)) == CONTACT_FOUND);
	TEST_STR("case-insensitive value", out, "2024/555");

	contact_extract("Ik ben Els Peeters, dossier 2025/11873, bel "
	    "0470 12 34 56 of els@x.be", &vl, 0, &f);
	TEST_STR("extract dossier", f.dossier, "2025/11873");
	TEST_STR("extract phone", f.phone, "+32470123456");
	TEST_STR("extract email", f.email, "els@x.be");
	TEST_STR("extract name", f.name, "Els Peeters");
	contact_extract("dossier 0470/123456", &vl, 0, &f);
	TEST_STR("dossier digits are not a phone", f.phone, "");
	TEST_STR("dossier digits value", f.dossier, "0470/123456");
	contact_extract("mijn dossier O&O-2023-5521 ligt stil", NULL, 0, &f);
	TEST_STR("an ampersand in a dossier code", f.dossier,
	    "O&O-2023-5521");
	contact_extract("Tom & Jerry in 2023", NULL, 0, &f);
	TEST_STR("an ampersand alone is no code", f.dossier, "");
	contact_extract(NULL, NULL, 0, &f);
	TEST_STR("null text", f.name, "");
}

/* The name that stands with the details, and what is no name (fifth
 * blind set: the classes, in other words than its lines). */
static void
test_name_with_details(void)
{
	struct contact_found f;

	contact_extract("Al een week kan ik niet inloggen. Sara De Wilde, "
	    "sara.dw@example.net", NULL, 0, &f);
	TEST_STR("a name before the address, unasked", f.name,
	    "Sara De Wilde");
	contact_extract("Bert Claes - 0491 22 33 44", NULL, 0, &f);
	TEST_STR("a name before a dash and the number", f.name,
	    "Bert Claes");
	contact_extract("Adres: Kerkstraat Oost 12, 9000 Gent", NULL, 0, &f);
	TEST_STR("a street before a house number is no name", f.name, "");
	contact_extract("Bel mij, 0491 22 33 44", NULL, 0, &f);
	TEST_STR("'Bel mij' is no name", f.name, "");
	contact_extract("ik wacht al lang op Jan Peeters 0491 22 33 44", NULL,
	    0, &f);
	TEST_STR("a name inside a sentence is no stated name", f.name, "");
	contact_extract("0491 22 33 44 liefst na 6 uur", NULL, 1, &f);
	TEST_STR("when to call is no name, also when asked", f.name, "");
	contact_extract("Firma Janssens & Co, contactpersoon Lies Janssens, "
	    "lies@example.com", NULL, 1, &f);
	TEST_STR("the name after 'contactpersoon', not the firm", f.name,
	    "Lies Janssens");
	contact_extract("Tom Claes gsm 0485/11.22.33", NULL, 1, &f);
	TEST_STR("a name, then 'gsm' and the number", f.name, "Tom Claes");
	TEST_STR("...and the number", f.phone, "+32485112233");
	contact_extract("Dringend aub. Lies Maes, bestuurder Maes Bouw BV, "
	    "0486 55 44 33", NULL, 0, &f);
	TEST_STR("a name, then its role and firm, then the number", f.name,
	    "Lies Maes");
	contact_extract("we wachten al maanden, namens de vzw, 0486 55 44 33",
	    NULL, 0, &f);
	TEST_STR("a role part with no name before it gives none", f.name, "");
	/* ninth blind set, in other words */
	contact_extract("Goedemiddag, Greet Van Hove hier. Mijn premie is "
	    "laat", NULL, 0, &f);
	TEST_STR("'<name> hier' introduces a name", f.name, "Greet Van Hove");
	contact_extract("we zijn hier al lang klant", NULL, 0, &f);
	TEST_STR("'hier' in a sentence gives none", f.name, "");
	contact_extract("nee, de naam moet Greet Van Hove zijn", NULL, 0, &f);
	TEST_STR("'de naam moet X zijn'", f.name, "Greet Van Hove");
	contact_extract("Greet Van Hove greet.vh @example.org", NULL, 1, &f);
	TEST_STR("the name before a broken address", f.name,
	    "Greet Van Hove");
	TEST_STR("...which is invalid, not repaired", f.email,
	    CONTACT_INVALID);
	contact_extract("greet@work.example, oeps nee, greet@home.example",
	    NULL, 0, &f);
	TEST_STR("a later address after 'oeps nee' replaces the first",
	    f.email, "greet@home.example");
	contact_extract("greet@work.example of greet@home.example", NULL, 0,
	    &f);
	TEST_STR("two addresses without a correction: the first", f.email,
	    "greet@work.example");
	contact_extract("greet apenstaart example punt org", NULL, 0, &f);
	TEST_STR("an address written out is invalid", f.email,
	    CONTACT_INVALID);
	contact_extract("ik ben at the office", NULL, 0, &f);
	TEST_STR("'at' alone is no address", f.email, "");
	contact_extract("oké, Sara De Wilde", NULL, 1, &f);
	TEST_STR("an opening 'oké' before the asked name", f.name,
	    "Sara De Wilde");
	contact_extract("Sara De Wilde en mailen mag naar sara@example.net",
	    NULL, 1, &f);
	TEST_STR("the asked name, then the sentence goes on", f.name,
	    "Sara De Wilde");
}

int
main(void)
{
	test_name_with_details();
	test_email();
	test_phone();
	test_name();
	test_dossier();
	return TEST_REPORT();
}
