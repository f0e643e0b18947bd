/*
 * lang.c — stop-word language guess.  See lang.h.  Words shared by two
 * of the languages ("de", "en", "in", "is", "me", "a") are left out of
 * all lists; the rest are the most frequent function words and chat
 * greetings of each language, accents folded like the normaliser does.
 */
#include <string.h>

#include "lang.h"

static const char *const nl[] = {
	"aan", "al", "alstublieft", "als", "ben", "bent", "bij", "dag",
	"dank", "dat", "die", "dit", "dus", "een", "er", "ge", "geen",
	"gij", "goeiedag", "goedemorgen", "graag", "had", "heb", "hebt",
	"het", "hier", "hoe", "hoi", "ik", "ja", "jij", "jullie",
	"kan", "kunt", "maar", "mag", "met", "mijn", "moet", "nee", "niet",
	"nog", "naar", "of", "om", "ook", "op", "over", "te", "u", "uw",
	"van", "voor", "waar", "waarom", "wanneer", "wat", "we", "wel",
	"wij", "wil", "wilt", "zijn", "zo", "bedankt", "da", "nie", "wa",
	"kheb", "zou", "word", "wordt", "werd", "heel", "veel",
};

static const char *const fr[] = {
	"au", "aux", "avec", "avez", "bonjour", "bonsoir", "c", "ce", "ces",
	"cest", "comment", "dans", "des", "du", "elle", "est", "et", "etre",
	"il", "la", "le", "les", "ma", "mais", "mes", "moi",
	"mon", "non", "nous", "oui", "ou", "par", "pas", "plait",
	"pour", "pourquoi", "quand", "que", "qui", "quoi", "sa", "salut",
	"se", "sil", "son", "sont", "suis", "sur", "svp", "tu", "un", "une",
	"vos", "votre", "vous", "ai", "aide", "besoin", "jai",
	"beaucoup", "madame", "monsieur", "plainte", "demande",
};

static const char *const en[] = {
	"am", "and", "are", "be", "but", "can", "could", "do", "does",
	"for", "from", "good", "have", "hello", "help", "how", "i", "it",
	"morning", "my", "need", "not", "of", "on", "our", "please",
	"thank", "thanks", "that", "the", "this", "to", "want", "was",
	"what", "when", "where", "why", "with", "would", "yes", "you",
	"your", "complaint", "question", "there", "get", "got", "an",
};

static int
in(const char *const *list, size_t n, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0)
			return 1;
	return 0;
}

#define IN(l, w, n)	in(l, sizeof(l) / sizeof(l[0]), w, n)

const char *
lang_detect(const char *tokens)
{
	const char *p = tokens, *q;
	int snl = 0, sfr = 0, sen = 0;
	size_t n;

	while (*p != '\0') {
		if ((q = strchr(p, ' ')) == NULL)
			q = p + strlen(p);
		n = (size_t)(q - p);
		snl += IN(nl, p, n);
		sfr += IN(fr, p, n);
		sen += IN(en, p, n);
		p = *q ? q + 1 : q;
	}
	if (sfr > snl && sfr >= sen)
		return "fr";
	if (sen > snl && sen > sfr)
		return "en";
	return "nl";
}
