/*
 * lang.c — stop-word language guess.  See lang.h.  Words shared by two
 * of the languages ("de", "en", "in", "is", "me", "a") are left out of
 * all lists; the rest are the most frequent function words and chat
 * greetings of each language, accents folded like the normaliser does.
 */
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "wordtab.h"

#define NL	0x1
#define FR	0x2
#define EN	0x4

struct stopword {
	const char	*w;
	int		 lang;
};

/* Sorted by strcmp, for bsearch. */
static const struct stopword words[] = {
	{ "aan", NL },
	{ "about", EN },
	{ "ai", FR },
	{ "aide", FR },
	{ "al", NL },
	{ "alors", FR },
	{ "already", EN },
	{ "als", NL },
	{ "alstublieft", NL },
	{ "am", EN },
	{ "an", EN },
	{ "and", EN },
	{ "anybody", EN },
	{ "anyone", EN },
	{ "are", EN },
	{ "au", FR },
	{ "aussi", FR },
	{ "aux", FR },
	{ "avec", FR },
	{ "avez", FR },
	{ "avoir", FR },
	{ "be", EN },
	{ "beaucoup", FR },
	{ "bedankt", NL },
	{ "ben", NL },
	{ "bent", NL },
	{ "besoin", FR },
	{ "bien", FR },
	{ "bij", NL },
	{ "bonjour", FR },
	{ "bonsoir", FR },
	{ "but", EN },
	{ "c", FR },
	{ "can", EN },
	{ "cant", EN },
	{ "ce", FR },
	{ "ces", FR },
	{ "cest", FR },
	{ "cetait", FR },
	{ "chez", FR },
	{ "comment", FR },
	{ "complaint", EN },
	{ "comprendre", FR },
	{ "comprends", FR },
	{ "could", EN },
	{ "da", NL },
	{ "dag", NL },
	{ "dank", NL },
	{ "dans", FR },
	{ "dat", NL },
	{ "deja", FR },
	{ "demande", FR },
	{ "depuis", FR },
	{ "des", FR },
	{ "die", NL },
	{ "dit", NL },
	{ "do", EN },
	{ "does", EN },
	{ "dont", EN },
	{ "du", FR },
	{ "dus", NL },
	{ "een", NL },
	{ "elle", FR },
	{ "encore", FR },
	{ "er", NL },
	{ "est", FR },
	{ "estce", FR },
	{ "et", FR },
	{ "etre", FR },
	{ "faire", FR },
	{ "for", EN },
	{ "from", EN },
	{ "ge", NL },
	{ "geen", NL },
	{ "get", EN },
	{ "gij", NL },
	{ "goedemorgen", NL },
	{ "goeiedag", NL },
	{ "good", EN },
	{ "got", EN },
	{ "graag", NL },
	{ "had", NL },
	{ "have", EN },
	{ "heb", NL },
	{ "hebt", NL },
	{ "heel", NL },
	{ "hello", EN },
	{ "het", NL },
	{ "hier", NL },
	{ "hoe", NL },
	{ "hoi", NL },
	{ "how", EN },
	{ "i", EN },
	{ "ik", NL },
	{ "il", FR },
	{ "im", EN },
	{ "it", EN },
	{ "ive", EN },
	{ "ja", NL },
	{ "jai", FR },
	{ "jaimerais", FR },
	{ "jij", NL },
	{ "jullie", NL },
	{ "kan", NL },
	{ "kheb", NL },
	{ "kunt", NL },
	{ "la", FR },
	{ "le", FR },
	{ "maar", NL },
	{ "madame", FR },
	{ "mag", NL },
	{ "mais", FR },
	{ "mes", FR },
	{ "met", NL },
	{ "mijn", NL },
	{ "moet", NL },
	{ "moi", FR },
	{ "mon", FR },
	{ "monsieur", FR },
	{ "morning", EN },
	{ "my", EN },
	{ "naar", NL },
	{ "nee", NL },
	{ "need", EN },
	{ "nie", NL },
	{ "niet", NL },
	{ "nog", NL },
	{ "non", FR },
	{ "not", EN },
	{ "nous", FR },
	{ "of", NL|EN },
	{ "om", NL },
	{ "on", EN },
	{ "ook", NL },
	{ "op", NL },
	{ "ou", FR },
	{ "oui", FR },
	{ "our", EN },
	{ "over", NL },
	{ "par", FR },
	{ "parce", FR },
	{ "personne", FR },
	{ "peux", FR },
	{ "plainte", FR },
	{ "plait", FR },
	{ "pour", FR },
	{ "pourquoi", FR },
	{ "pouvez", FR },
	{ "quand", FR },
	{ "que", FR },
	{ "quel", FR },
	{ "quelle", FR },
	{ "quelquun", FR },
	{ "question", EN },
	{ "qui", FR },
	{ "quoi", FR },
	{ "received", EN },
	{ "rien", FR },
	{ "sa", FR },
	{ "savoir", FR },
	{ "se", FR },
	{ "sil", FR },
	{ "someone", EN },
	{ "son", FR },
	{ "sont", FR },
	{ "still", EN },
	{ "suis", FR },
	{ "sur", FR },
	{ "svp", FR },
	{ "te", NL },
	{ "thank", EN },
	{ "that", EN },
	{ "the", EN },
	{ "there", EN },
	{ "this", EN },
	{ "to", EN },
	{ "toujours", FR },
	{ "tres", FR },
	{ "tu", FR },
	{ "u", NL },
	{ "un", FR },
	{ "une", FR },
	{ "uw", NL },
	{ "van", NL },
	{ "veel", NL },
	{ "veux", FR },
	{ "voor", NL },
	{ "vos", FR },
	{ "votre", FR },
	{ "voudrais", FR },
	{ "vous", FR },
	{ "wa", NL },
	{ "waar", NL },
	{ "waarom", NL },
	{ "wanneer", NL },
	{ "wat", NL },
	{ "we", NL },
	{ "wel", NL },
	{ "werd", NL },
	{ "what", EN },
	{ "when", EN },
	{ "where", EN },
	{ "why", EN },
	{ "wij", NL },
	{ "wil", NL },
	{ "wilt", NL },
	{ "with", EN },
	{ "word", NL },
	{ "wordt", NL },
	{ "would", EN },
	{ "yes", EN },
	{ "you", EN },
	{ "your", EN },
	{ "zijn", NL },
	{ "zo", NL },
	{ "zou", NL },
};

const char *
lang_detect(const char *tokens)
{
	const struct stopword *sw;
	const char *p = tokens, *q;
	int snl = 0, sfr = 0, sen = 0;

	while (*p != '\0') {
		if ((q = strchr(p, ' ')) == NULL)
			q = p + strlen(p);
		sw = wordtab_find(p, (size_t)(q - p), words,
		    sizeof(words) / sizeof(words[0]), sizeof(words[0]));
		if (sw != NULL) {
			snl += (sw->lang & NL) != 0;
			sfr += (sw->lang & FR) != 0;
			sen += (sw->lang & EN) != 0;
		}
		p = *q ? q + 1 : q;
	}
	if (sfr > snl && sfr >= sen)
		return "fr";
	if (sen > snl && sen > sfr)
		return "en";
	return "nl";
}

int
lang_table_sorted(void)
{
	size_t i;

	for (i = 1; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i - 1].w, words[i].w) >= 0)
			return 0;
	return 1;
}
