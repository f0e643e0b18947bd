/*
 * contact_name.c — the citizen's name in free text: after "ik ben",
 * "mijn naam is", "naam:" and the like, or the whole reply when the bot
 * just asked for a name.  Flemish names have particles (Van Damme, de
 * Smet, van den Broeck) that may come first; everyday words and insults
 * are never names.  See contact.h.
 */
#include "contact.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_WORDS	5

/* After "ik ben", these say how someone feels, not who they are. */
static const char *const not_names[] = {
	"het", "niet", "nie", "een", "ne", "nen", "al", "zo", "echt", "heel",
	"zeer", "boos", "kwaad", "blij", "ontevreden", "tevreden", "verhuisd",
	"ja", "nee", "neen", "ok", "oke", "klacht", "vraag", "suggestie",
	"waarom", "wat", "hoe", "wie", "waar", "wanneer", "ik", "hallo", "dag",
	"hoi", "bedankt", "merci", "dank", "geen", "stop", "sorry", "hier",
	"daar", "nog", "toch", "ook", "de", "die", "dat", "dit", "er", "mijn",
	"uw", "jullie", "u", "je", "ge", "gij", "maar", "en", "of", "want",
	"goed", "slecht", "moe", "beu", "aan", "op", "in", "bij",
	"is", "was", "ben", "bent", "heb", "hebt", "heeft", "wil", "wilt",
	"kan", "kunt", "moet", "zijn", "te", "met", "voor", "om", "naar",
	"over", "al", "nog", "weet", "niks", "niets", "alles",
	"fout", "verkeerd", "juist", "correct", "mis", "anders", "gespeld",
	"wrong", "incorrect", "faux", "klopt", "akkoord", "prima", "perfect",
	"zeker", "graag", "inderdaad", "exact", "yep", "jep", "nope",
	"allez", "allee", "awel", "bon", "thanks", "dankje", "dankuwel",
	"wacht", "wachten", "ff", "effe", "efkes", "even", "moment",
	"momentje", "sec", "seconde", "oke", "okay", "top", "super",
	"le", "la", "un", "une", "the", "a", "not", "very", "so", "yes", "no",
	"hello", "hi", "bonjour", "oui", "non", "medewerker", "iemand", "mens",
	/* greetings and how to reach: "Goeiemorgen, ...", "Bel mij, 0475" */
	"goeiemorgen", "goedemorgen", "goeiedag", "goedendag", "goeiendag",
	"goeiemiddag", "goedemiddag", "goeieavond", "goedenavond", "hey",
	"beste", "bel", "belt", "mail", "mailt", "mij", "me", "contacteer",
	"adres", "gsm", "tel", "telefoon", "nummer", "email", "e-mail",
	/* when to call: "0475 ... liefst na 5 uur" */
	"liefst", "na", "tussen", "vanaf", "tot", "voormiddag", "namiddag",
	"avond", "avonds", "ochtend", "uur", "bellen", "mailen", "bereikbaar",
	"enkel", "alleen", "best", "voorkeur",
	/* owning up to a slip: "Jos Claessen bedoel ik" */
	"bedoel", "bedoelde", "bedoelt", "ich", "oeps", "oops", "typfout",
	"tikfout", "pardon", "excuseer", "meant", "mean",
	/* insults are no names either */
	"stom", "stomme", "bot", "idioot", "idioten", "debiel", "debielen",
	"klootzak", "klootzakken", "kut", "fuck", "shit", "sukkel", "sukkels",
	"eikel", "eikels", "zak", "rot", "onnozel", "onnozelaar", "putain",
	NULL
};

static const char *const particles[] = {
	"van", "de", "der", "den", "vanden", "vander", "ter", "ten", "het",
	"t", "'t", "le", "la", "du", "des", "von", "d'", "di", "da", NULL
};

int
contact_word_in(const char *const *list, const char *w, size_t n)
{
	char low[32];
	size_t i;

	if (n >= sizeof(low))
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)w[i]);
	low[n] = '\0';
	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], low) == 0)
			return 1;
	return 0;
}

/* Letters (UTF-8 included), hyphen, apostrophe, a dot after initials. */
static int
name_word(const char *w, size_t n)
{
	size_t i, letters = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		/* Latin letters only: an emoji or symbol is no name. */
		if (isalpha(c) || (c >= 0xc3 && c <= 0xc5))
			letters++;
		else if (c >= 0x80 && c <= 0xbf && letters > 0)
			;
		else if (c >= 0x80)
			return 0;
		else if (c == '.' && i == n - 1 && letters == 1)
			;
		else if (c != '-' && c != '\'')
			return 0;
	}
	return letters > 0;
}

static int
has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (isupper((unsigned char)*s))
			return 1;
	return 0;
}

/* "els van den broeck" -> "Els van den Broeck"; typed capitals stay. */
static void
capitalise(char *s)
{
	char *w = s;
	size_t n;

	if (has_upper(s))
		return;
	while (*w != '\0') {
		n = strcspn(w, " ");
		if (w == s || !contact_word_in(particles, w, n))
			*w = (char)toupper((unsigned char)*w);
		w += n;
		w += strspn(w, " ");
	}
}

int
contact_name_stopword(const char *w, size_t n)
{
	return contact_word_in(not_names, w, n) && !contact_word_in(particles, w, n);
}

/* Forms of address are not part of the name ("Mevrouw Nadia El
 * Amrani" is Nadia El Amrani). */
static const char *const titles[] = {
	"mevrouw", "mevr", "mvr", "mw", "meneer", "mijnheer", "mnr", "dhr",
	"heer", "mr", "mrs", "ms", "miss", "mme", "mlle", "monsieur",
	"madame", "dr", "ir", "prof", "meester", "mr.", NULL
};

/*
 * Collects name words from p.  strict: every word after the first must
 * be capitalised or a particle (after "ik ben", where the rest of the
 * sentence follows).  Returns the number of words; *rest points past
 * them.
 */
static int
collect_name(const char *p, int strict, char *out, size_t outlen,
    const char **rest)
{
	size_t len = 0, n;
	int words = 0;

	out[0] = '\0';
	for (;;) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t\r\n,;:!?()\"");
		if (words == 0 && n > 0 && contact_word_in(titles, p,
		    p[n - 1] == '.' ? n - 1 : n)) {
			p += n;
			continue;
		}
		n = strcspn(p, " \t\r\n,;:!?()\"");
		while (n > 1 && p[n - 1] == '.' && !(n == 2))
			n--;
		if (n == 0 || !name_word(p, n) || words == NAME_MAX_WORDS)
			break;
		/* "Van Damme Sofie": a particle may even come first. */
		if (contact_name_stopword(p, n))
			break;
		if (strict && words > 0 && !isupper((unsigned char)p[0]) &&
		    !contact_word_in(particles, p, n))
			break;
		if (len + n + 2 > outlen)
			break;
		if (words > 0)
			out[len++] = ' ';
		memcpy(out + len, p, n);
		len += n;
		out[len] = '\0';
		words++;
		p += n;
		if (*p == '.')		/* the sentence ends after "Peeters." */
			break;
	}
	/* A trailing particle is no part of a name ("Els van"). */
	while (words > 0) {
		char *sp = strrchr(out, ' '), *last = sp ? sp + 1 : out;

		if (!contact_word_in(particles, last, strlen(last)))
			break;
		if (sp != NULL)
			*sp = '\0';
		else
			out[0] = '\0';
		words--;
	}
	*rest = p;
	return words;
}

struct marker {
	const char	*text;
	int		 strict;	/* first word must be capitalised */
};

static const struct marker markers[] = {
	{ "mijn naam is ", 0 }, { "mijne naam is ", 0 }, { "naam is ", 0 },
	{ "mijn naam: ", 0 }, { "naam: ", 0 }, { "naam:", 0 },
	{ "naam moet ", 1 }, { "naam moet zijn ", 1 },
	{ "ik heet ", 0 }, { "ik noem ", 0 }, { "je m'appelle ", 0 },
	{ "mon nom est ", 0 }, { "nom: ", 0 }, { "my name is ", 0 },
	{ "name: ", 0 }, { "vraag naar ", 1 }, { "mvg, ", 1 }, { "mvg ", 1 },
	{ "groeten, ", 1 }, { "groetjes, ", 1 }, { "groetjes ", 1 },
	{ "regards, ", 1 }, { "cordialement, ", 1 }, { "ik ben ", 1 }, { "ik zen ", 1 }, { "ikke ", 1 },
	/* a role before the name: "Bedrijf X, contactpersoon Ingrid
	 * Peeters, ingrid@..." */
	{ "contactpersoon: ", 0 }, { "contactpersoon ", 1 },
	{ "contactpersoon is ", 0 }, { "contact person ", 1 },
	{ "personne de contact ", 1 },
	{ "je suis ", 1 }, { "i am ", 1 }, { "i'm ", 1 }, { "hier is ", 1 },
	{ NULL, 0 }
};

/* needle (lower case) in lower, at a word start; an offset or -1. */
static long
find_word(const char *lower, const char *needle)
{
	const char *p = lower;

	while ((p = strstr(p, needle)) != NULL) {
		if (p == lower || !isalnum((unsigned char)p[-1]))
			return p - lower;
		p++;
	}
	return -1;
}

/* lower: text lower-cased (cut at its size), made once by
 * contact_name(). */
static int
name_after_marker(const char *text, const char *lower, char *out,
    size_t outlen)
{
	const struct marker *m;
	const char *p, *rest;
	long at;

	for (m = markers; m->text != NULL; m++) {
		if ((at = find_word(lower, m->text)) == -1)
			continue;
		p = text + at + strlen(m->text);
		p += strspn(p, " \t");
		if (m->strict && !isupper((unsigned char)*p))
			continue;
		if (collect_name(p, m->strict, out, outlen, &rest) > 0)
			return 1;
	}
	return 0;
}

/* Lower-case words that are no particles: a typed name has at most two
 * ("els van den broeck"), a sentence usually more. */
static int
plain_words(const char *s)
{
	size_t n;
	int k = 0;

	while (*s != '\0') {
		n = strcspn(s, " ");
		if (!isupper((unsigned char)*s) && !contact_word_in(particles, s, n))
			k++;
		s += n;
		s += strspn(s, " ");
	}
	return k;
}

/* Words a reply may open with before the name: "ok, Lotte Vermeiren",
 * "ja hoor: Els Peeters", "sorry, Bram Verstraeten". */
static const char *const openers[] = {
	"ok", "oke", "oké", "okay", "ja", "jaja", "jawel", "hoor", "tuurlijk",
	"natuurlijk", "sorry", "oei", "oeps", "goed", "allee", "allez",
	"awel", "bon", "euh", "uhm", "zeker", "graag", "prima", "top", "yes",
	"oui", "voila", "voilà", NULL
};

static const char *
skip_openers(const char *p)
{
	size_t n;
	int i;

	for (i = 0; i < 3; i++) {
		p += strspn(p, " \t\r\n,;:-/.!");
		n = strcspn(p, " \t\r\n,;:!?.");
		if (n == 0 || !contact_word_in(openers, p, n))
			break;
		p += n;
	}
	return p + strspn(p, " \t\r\n,;:-/.!");
}

/* "Nadia Bouzid en ge kunt mij bellen op ...", "Kevin Wouters gsm
 * 0478/...": a capitalised name, then the sentence goes on after a
 * conjunction, or a label says what the details after it are. */
static int
name_then_clause(const char *text, char *out, size_t outlen)
{
	static const char *const conj[] = {
		"en", "maar", "want", "of", "and", "but", "et", "mais",
		"gsm", "tel", "tel.", "telefoon", "telefoonnummer", "nummer",
		"nr", "nr.", "mail", "email", "e-mail", "mailadres", "op", "via",
		"phone", "mobile", "portable", NULL
	};
	const char *rest;
	size_t n;

	if (!isupper((unsigned char)*text) ||
	    collect_name(text, 1, out, outlen, &rest) < 2)
		return 0;
	rest += strspn(rest, " \t");
	n = strcspn(rest, " \t\r\n,;:!?.");
	if (n > 0 && contact_word_in(conj, rest, n))
		return 1;
	/* "Lien De Smet lien.desmet @example.com": what follows is part of
	 * an address (its '@' part was blanked already) */
	n = strcspn(rest, " \t\r\n,;");
	return n > 2 && memchr(rest, '.', n) != NULL &&
	    rest[n - 1] != '.';
}

/* The whole reply is a name, maybe followed by contact details. */
static int
bare_name(const char *text, char *out, size_t outlen)
{
	const char *rest;

	text = skip_openers(text);
	if (collect_name(text, 0, out, outlen, &rest) == 0 ||
	    plain_words(out) > 2)
		return name_then_clause(text, out, outlen);
	/* "Bart Van Damme. ge kunt mij mailen op ...": the name is a
	 * sentence of its own. */
	if (*rest == '.' || *rest == '!')
		return 1;
	rest += strspn(rest, " \t.!");
	/* "Jeroen De Smet - jeroen@...": the address was blanked already,
	 * a dash or slash separates as a comma does. */
	if (*rest == '\0' || strchr(",;\n\r:-/|", *rest) != NULL ||
	    strncmp(rest, "\xe2\x80\x93", 3) == 0 ||	/* en dash */
	    strncmp(rest, "\xe2\x80\x94", 3) == 0 ||	/* em dash */
	    strpbrk(rest, "@0123456789") != NULL)
		return 1;
	return name_then_clause(text, out, outlen);
}

/* A part of the sentence that says what someone does or for whom:
 * "zaakvoerder Claeys Schoonmaak BV", "namens de vzw". */
static int
role_part(const char *p, size_t n)
{
	static const char *const roles[] = {
		"zaakvoerder", "zaakvoerster", "directeur", "directrice",
		"bestuurder", "eigenaar", "eigenares", "verantwoordelijke",
		"coordinator", "manager", "ceo", "voorzitter", "secretaris",
		"boekhouder", "bediende", "namens", "bv", "nv", "vzw", "bvba",
		"commv", "vof", "srl", "sa", "asbl", "ltd", NULL
	};
	size_t k;

	while (n > 0) {
		k = strcspn(p, " \t.,");
		if (k > n)
			k = n;
		if (k > 0 && contact_word_in(roles, p, k))
			return 1;
		p += k;
		n -= k;
		k = strspn(p, " \t.");
		if (k > n)
			k = n;
		p += k;
		n -= k;
	}
	return 0;
}

int
contact_name_before(const char *text, size_t at, char *out, size_t outlen)
{
	char name[CONTACT_NAME_MAX];
	const char *rest;
	size_t start = 0, end = at;
	int parts, comma;

	/* Back over the separator ("Ann Willems, ann@...", "Ann Willems -
	 * 0495 ...") and over one part that gives a role or a firm ("Tom
	 * Claeys, zaakvoerder Claeys BV, 0475 ..."). */
	for (parts = 0; parts < 2; parts++) {
		while (end > 0 && strchr(" \t,;-/|", text[end - 1]) != NULL)
			end--;
		for (start = end; start > 0 &&
		    strchr(".!?:;,\n\r()", text[start - 1]) == NULL; start--)
			;
		comma = start > 0 && text[start - 1] == ',';
		start += strspn(text + start, " \t");
		if (start >= end || end - start >= sizeof(name))
			return 0;
		if (parts == 0 && comma && role_part(text + start,
		    end - start)) {
			end = start;
			continue;
		}
		break;
	}
	if (!isupper((unsigned char)text[start]))
		return 0;
	memcpy(name, text + start, end - start);
	name[end - start] = '\0';
	/* capitalised words only, nothing else in the part */
	if (collect_name(name, 1, out, outlen, &rest) < 2 ||
	    rest[strspn(rest, " \t")] != '\0') {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	return 1;
}

/* "Dag, Pieter van Acker hier, ...": a name introducing itself, as on
 * the phone. */
static int
name_here(const char *text, const char *lower, char *out, size_t outlen)
{
	long at;

	if ((at = find_word(lower, "hier")) <= 0 || isalpha((unsigned char)
	    lower[at + 4]))
		return 0;
	return contact_name_before(text, (size_t)at, out, outlen);
}

enum contact_rc
contact_name(const char *text, int asked, char *out, size_t outlen)
{
	char tmp[CONTACT_NAME_MAX], lower[1024];
	size_t i;

	if (outlen == 0)
		return CONTACT_NONE;
	/* One lower-cased copy for every marker and "hier": this runs on
	 * every message, so no strncasecmp at every position. */
	for (i = 0; text[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)text[i]);
	lower[i] = '\0';
	if (!name_after_marker(text, lower, tmp, sizeof(tmp)) &&
	    !name_here(text, lower, tmp, sizeof(tmp)) &&
	    !(asked && bare_name(text, tmp, sizeof(tmp))))
		return CONTACT_NONE;
	capitalise(tmp);
	snprintf(out, outlen, "%s", tmp);
	return CONTACT_FOUND;
}

