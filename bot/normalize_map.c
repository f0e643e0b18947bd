/*
 * normalize_map.c — chat abbreviations and Flemish spellings mapped to
 * one canonical Dutch form, so that "kheb", "'k heb" and "ik heb" (or
 * "ge", "gij", "je" and "u") reach the classifier as the same words and
 * the phrase files need not list every spelling.  Pronouns of address
 * collapse to "u": the formality of a message says nothing about what
 * it wants.  Flemish chat borrows French and English words ("rendez-
 * vous", "appointment", "password"): the few that carry an intent map
 * to their Dutch word, since the phrase files are Dutch.  Looked up
 * after squeezing; an empty value drops the word.
 */
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

struct wordmap {
	const char	*from;
	const char	*to;
};

/* Sorted by strcmp (LC_ALL=C sort); normalize_map_sorted() checks. */
static const struct wordmap map[] = {
	{ "address", "adres" },
	{ "adresse", "adres" },
	{ "agent", "medewerker" },
	{ "ajb", "alstublieft" },
	{ "alsjeblief", "alstublieft" },
	{ "alsjeblieft", "alstublieft" },
	{ "alstublief", "alstublieft" },
	{ "amaai", "amai" },
	{ "angry", "kwaad" },
	{ "application", "aanvraag" },
	{ "appointment", "afspraak" },
	{ "asb", "alstublieft" },
	{ "aub", "alstublieft" },
	{ "awb", "alstublieft" },
	{ "bedankd", "bedankt" },
	{ "bonjour", "goedendag" },
	{ "bv", "bijvoorbeeld" },
	{ "bvb", "bijvoorbeeld" },
	{ "changed", "gewijzigd" },
	{ "complaint", "klacht" },
	{ "da", "dat" },
	{ "das", "dat is" },
	{ "dees", "deze" },
	{ "documents", "documenten" },
	{ "douverture", "opening" },
	{ "eefkes", "even" },
	{ "effe", "even" },
	{ "effekes", "even" },
	{ "effen", "even" },
	{ "efjes", "even" },
	{ "efkes", "even" },
	{ "ehm", "" },
	{ "employee", "medewerker" },
	{ "euh", "" },
	{ "eventjes", "even" },
	{ "ff", "even" },
	{ "ge", "u" },
	{ "gene", "geen" },
	{ "genen", "geen" },
	{ "gij", "u" },
	{ "goedenmorgen", "goedemorgen" },
	{ "goeieavond", "goedenavond" },
	{ "goeiedag", "goedendag" },
	{ "goeiemiddag", "goedemiddag" },
	{ "goeiemorgen", "goedemorgen" },
	{ "gulder", "jullie" },
	{ "gulle", "jullie" },
	{ "gullie", "jullie" },
	{ "hebde", "hebt u" },
	{ "hedde", "hebt u" },
	{ "hello", "hallo" },
	{ "heures", "uren" },
	{ "hi", "hallo" },
	{ "hoelang", "hoe lang" },
	{ "human", "medewerker" },
	{ "idd", "inderdaad" },
	{ "idiot", "idioot" },
	{ "idiots", "idioten" },
	{ "ivm", "in verband met" },
	{ "je", "u" },
	{ "jep", "ja" },
	{ "jij", "u" },
	{ "jou", "u" },
	{ "jouw", "uw" },
	{ "jup", "ja" },
	{ "k", "ik" },
	{ "kben", "ik ben" },
	{ "kga", "ik ga" },
	{ "kheb", "ik heb" },
	{ "kmoet", "ik moet" },
	{ "kunde", "kunt u" },
	{ "kvind", "ik vind" },
	{ "kweet", "ik weet" },
	{ "kwil", "ik wil" },
	{ "kzen", "ik ben" },
	{ "kzit", "ik zit" },
	{ "kzou", "ik zou" },
	{ "login", "aanmelden" },
	{ "merci", "bedankt" },
	{ "mercikes", "bedankt" },
	{ "mn", "mijn" },
	{ "moete", "moet u" },
	{ "mss", "misschien" },
	{ "mvg", "met vriendelijke groeten" },
	{ "nah", "nee" },
	{ "ne", "een" },
	{ "neej", "nee" },
	{ "neen", "nee" },
	{ "nein", "nee" },
	{ "nen", "een" },
	{ "ni", "niet" },
	{ "nie", "niet" },
	{ "niks", "niets" },
	{ "nikske", "niets" },
	{ "nmr", "nummer" },
	{ "nop", "nee" },
	{ "nope", "nee" },
	{ "nr", "nummer" },
	{ "number", "nummer" },
	{ "numero", "nummer" },
	{ "ok", "oke" },
	{ "okay", "oke" },
	{ "okee", "oke" },
	{ "oki", "oke" },
	{ "okido", "oke" },
	{ "oui", "ja" },
	{ "ouverture", "opening" },
	{ "paid", "betaald" },
	{ "password", "wachtwoord" },
	{ "payment", "betaling" },
	{ "person", "persoon" },
	{ "phone", "telefoon" },
	{ "plainte", "klacht" },
	{ "please", "alstublieft" },
	{ "pls", "alstublieft" },
	{ "plz", "alstublieft" },
	{ "question", "vraag" },
	{ "rendezvous", "afspraak" },
	{ "sebiet", "straks" },
	{ "seffens", "straks" },
	{ "subiet", "straks" },
	{ "subsidy", "subsidie" },
	{ "svp", "alstublieft" },
	{ "t", "het" },
	{ "tel", "telefoon" },
	{ "telephone", "telefoon" },
	{ "terrible", "slecht" },
	{ "thanks", "bedankt" },
	{ "thx", "bedankt" },
	{ "tis", "het is" },
	{ "tnx", "bedankt" },
	{ "uhm", "" },
	{ "ulder", "jullie" },
	{ "ulle", "jullie" },
	{ "update", "nieuws" },
	{ "uwe", "uw" },
	{ "vg", "vriendelijke groeten" },
	{ "wa", "wat" },
	{ "wadde", "wat" },
	{ "weette", "weet u" },
	{ "wnr", "wanneer" },
	{ "wrm", "waarom" },
	{ "yep", "ja" },
	{ "yes", "ja" },
	{ "zedde", "bent u" },
	{ "zen", "zijn" },
	{ "zijde", "bent u" },
	{ "zn", "zijn" },
};

#define NMAP	(sizeof(map) / sizeof(map[0]))

struct key {
	const char	*s;
	size_t		 n;
};

static int
cmp_key(const void *k, const void *e)
{
	const struct key *key = k;
	const struct wordmap *m = e;
	int c;

	c = strncmp(key->s, m->from, key->n);
	if (c != 0)
		return c;
	return m->from[key->n] == '\0' ? 0 : -1;
}

const char *
normalize_map_lookup(const char *w, size_t n)
{
	struct key key = { w, n };
	const struct wordmap *m;

	m = bsearch(&key, map, NMAP, sizeof(map[0]), cmp_key);
	return m != NULL ? m->to : NULL;
}

int
normalize_map_sorted(void)
{
	size_t i;

	for (i = 1; i < NMAP; i++)
		if (strcmp(map[i - 1].from, map[i].from) >= 0)
			return 0;
	return 1;
}
