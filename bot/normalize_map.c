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
#include "wordtab.h"

struct wordmap {
	const char	*from;
	const char	*to;
};

/* Keys are at most this long; normalize_map_sorted() checks. */
#define NORM_MAP_KEY_MAX	16

/* Sorted by strcmp (LC_ALL=C sort); normalize_map_sorted() checks. */
static const struct wordmap map[] = {
	{ "address", "adres" },
	{ "adresse", "adres" },
	{ "agent", "medewerker" },
	{ "aide", "hulp" },
	{ "ajb", "alstublieft" },
	{ "alsjeblief", "alstublieft" },
	{ "alsjeblieft", "alstublieft" },
	{ "alstublief", "alstublieft" },
	{ "amaai", "amai" },
	{ "angry", "kwaad" },
	{ "application", "aanvraag" },
	{ "appointment", "afspraak" },
	{ "asb", "alstublieft" },
	{ "attendre", "wachten" },
	{ "aub", "alstublieft" },
	{ "awb", "alstublieft" },
	{ "bad", "slecht" },
	{ "bedankd", "bedankt" },
	{ "bonjour", "goedendag" },
	{ "bv", "bijvoorbeeld" },
	{ "bvb", "bijvoorbeeld" },
	{ "call", "bellen" },
	{ "change", "wijzigen" },
	{ "changed", "gewijzigd" },
	{ "complaint", "klacht" },
	{ "connexion", "aanmelden" },
	{ "da", "dat" },
	{ "dankje", "dank u" },
	{ "dankjewel", "dank u wel" },
	{ "dankjwl", "dank u wel" },
	{ "danku", "dank u" },
	{ "dankuwel", "dank u wel" },
	{ "das", "dat is" },
	{ "dees", "deze" },
	{ "documents", "documenten" },
	{ "dossiernr", "dossiernummer" },
	{ "douverture", "opening" },
	{ "eefkes", "even" },
	{ "effe", "even" },
	{ "effekes", "even" },
	{ "effen", "even" },
	{ "efjes", "even" },
	{ "efkes", "even" },
	{ "ehm", "" },
	{ "employee", "medewerker" },
	{ "ene", "een" },
	{ "euh", "" },
	{ "eventjes", "even" },
	{ "facture", "factuur" },
	{ "ff", "even" },
	{ "gade", "gaat u" },
	{ "ge", "u" },
	{ "gene", "geen" },
	{ "genen", "geen" },
	{ "gij", "u" },
	{ "goedenmorgen", "goedemorgen" },
	{ "goeieavond", "goedenavond" },
	{ "goeiedag", "goedendag" },
	{ "goeiemiddag", "goedemiddag" },
	{ "goeiemorgen", "goedemorgen" },
	{ "goeiendag", "goedendag" },
	{ "grts", "groetjes" },
	{ "grtz", "groetjes" },
	{ "gsmnr", "gsmnummer" },
	{ "gulder", "jullie" },
	{ "gulle", "jullie" },
	{ "gullie", "jullie" },
	{ "hadde", "had u" },
	{ "hebde", "hebt u" },
	{ "hedde", "hebt u" },
	{ "hello", "hallo" },
	{ "heures", "uren" },
	{ "hi", "hallo" },
	{ "hoelaat", "hoe laat" },
	{ "hoelang", "hoe lang" },
	{ "hours", "uren" },
	{ "human", "medewerker" },
	{ "idd", "inderdaad" },
	{ "idiot", "idioot" },
	{ "idiots", "idioten" },
	{ "invoice", "factuur" },
	{ "ivm", "in verband met" },
	{ "jah", "ja" },
	{ "je", "u" },
	{ "jep", "ja" },
	{ "jij", "u" },
	{ "jou", "u" },
	{ "jouw", "uw" },
	{ "jup", "ja" },
	{ "k", "ik" },
	{ "kbel", "ik bel" },
	{ "kben", "ik ben" },
	{ "kdenk", "ik denk" },
	{ "kga", "ik ga" },
	{ "khad", "ik had" },
	{ "kheb", "ik heb" },
	{ "kkan", "ik kan" },
	{ "kkrijg", "ik krijg" },
	{ "kmoet", "ik moet" },
	{ "kunde", "kunt u" },
	{ "kvind", "ik vind" },
	{ "kvraag", "ik vraag" },
	{ "kweet", "ik weet" },
	{ "kwil", "ik wil" },
	{ "kwist", "ik wist" },
	{ "kwou", "ik wou" },
	{ "kzal", "ik zal" },
	{ "kzen", "ik ben" },
	{ "kzit", "ik zit" },
	{ "kzou", "ik zou" },
	{ "login", "aanmelden" },
	{ "merci", "bedankt" },
	{ "mercie", "bedankt" },
	{ "mercikes", "bedankt" },
	{ "mersi", "bedankt" },
	{ "misch", "misschien" },
	{ "mn", "mijn" },
	{ "moete", "moet u" },
	{ "mrg", "morgen" },
	{ "mss", "misschien" },
	{ "mvg", "met vriendelijke groeten" },
	{ "mvgr", "met vriendelijke groeten" },
	{ "nah", "nee" },
	{ "ne", "een" },
	{ "neej", "nee" },
	{ "neen", "nee" },
	{ "nein", "nee" },
	{ "nen", "een" },
	{ "ni", "niet" },
	{ "nie", "niet" },
	{ "niemeer", "niet meer" },
	{ "nii", "niet" },
	{ "niks", "niets" },
	{ "nikske", "niets" },
	{ "nimeer", "niet meer" },
	{ "nix", "niets" },
	{ "nmr", "nummer" },
	{ "non", "nee" },
	{ "nop", "nee" },
	{ "nope", "nee" },
	{ "nr", "nummer" },
	{ "number", "nummer" },
	{ "numero", "nummer" },
	{ "ok", "oke" },
	{ "okay", "oke" },
	{ "okee", "oke" },
	{ "okey", "oke" },
	{ "oki", "oke" },
	{ "okido", "oke" },
	{ "oky", "oke" },
	{ "oui", "ja" },
	{ "ouverture", "opening" },
	{ "paid", "betaald" },
	{ "paiement", "betaling" },
	{ "parler", "spreken" },
	{ "password", "wachtwoord" },
	{ "payment", "betaling" },
	{ "person", "persoon" },
	{ "personne", "persoon" },
	{ "phone", "telefoon" },
	{ "plainte", "klacht" },
	{ "please", "alstublieft" },
	{ "plis", "alstublieft" },
	{ "pliz", "alstublieft" },
	{ "pls", "alstublieft" },
	{ "plz", "alstublieft" },
	{ "probleme", "probleem" },
	{ "quelquun", "iemand" },
	{ "question", "vraag" },
	{ "refund", "terugbetaling" },
	{ "remboursement", "terugbetaling" },
	{ "rendezvous", "afspraak" },
	{ "salut", "hallo" },
	{ "sebiet", "straks" },
	{ "seffens", "straks" },
	{ "slow", "traag" },
	{ "someone", "iemand" },
	{ "sorryy", "sorry" },
	{ "speak", "spreken" },
	{ "sry", "sorry" },
	{ "subiet", "straks" },
	{ "subsidy", "subsidie" },
	{ "svp", "alstublieft" },
	{ "t", "het" },
	{ "talk", "praten" },
	{ "tel", "telefoon" },
	{ "telephone", "telefoon" },
	{ "telnr", "telefoonnummer" },
	{ "terrible", "slecht" },
	{ "thanks", "bedankt" },
	{ "thanx", "bedankt" },
	{ "thnks", "bedankt" },
	{ "thnx", "bedankt" },
	{ "thx", "bedankt" },
	{ "tis", "het is" },
	{ "tnx", "bedankt" },
	{ "uhm", "" },
	{ "ulder", "jullie" },
	{ "ulle", "jullie" },
	{ "unsubscribe", "uitschrijven" },
	{ "update", "nieuws" },
	{ "uwe", "uw" },
	{ "vdg", "vandaag" },
	{ "vg", "vriendelijke groeten" },
	{ "wa", "wat" },
	{ "wadde", "wat" },
	{ "wait", "wachten" },
	{ "waiting", "wachten" },
	{ "weette", "weet u" },
	{ "wnr", "wanneer" },
	{ "wrm", "waarom" },
	{ "wrong", "fout" },
	{ "wss", "waarschijnlijk" },
	{ "yea", "ja" },
	{ "yeah", "ja" },
	{ "yep", "ja" },
	{ "yes", "ja" },
	{ "zedde", "bent u" },
	{ "zen", "zijn" },
	{ "zenne", "" },
	{ "zijde", "bent u" },
	{ "zkr", "zeker" },
	{ "zn", "zijn" },
};

#define NMAP	(sizeof(map) / sizeof(map[0]))

const char *
normalize_map_lookup(const char *w, size_t n)
{
	const struct wordmap *m;

	/* Most words are longer than any key (normalize_map_sorted() checks
	 * the bound): skip the search for them. */
	if (n > NORM_MAP_KEY_MAX)
		return NULL;
	m = wordtab_find(w, n, map, NMAP, sizeof(map[0]));
	return m != NULL ? m->to : NULL;
}

int
normalize_map_sorted(void)
{
	size_t i;

	for (i = 0; i < NMAP; i++)
		if ((i > 0 && strcmp(map[i - 1].from, map[i].from) >= 0) ||
		    strlen(map[i].from) > NORM_MAP_KEY_MAX)
			return 0;
	return 1;
}
