/*
 * signals.c — reads the acts in one message apart (see signals.h).
 *
 * The rules are about the shape of a message, not about single phrases:
 * a yes, no or menu choice counts when the message is short or opens
 * with it, so "niet" inside a story never means "nee"; "stop" and a
 * request for a person count when a sentence is that request, so "de
 * medewerker was onvriendelijk" or "ik wil niet dat mijn premie stopt"
 * are stories; a complaint word counts unless it is negated ("geen
 * klacht").  Word lists cover Dutch with Flemish chat spellings, French
 * and English.
 */
#include "signals.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "normalize.h"

#define FOLD_MAX	1024
#define TOKENS_MAX	160

struct tok {
	const char	*w;	/* folded word, in the fold buffer */
	size_t		 n;
	int		 off;	/* byte offset of the word in the text */
	int		 end;	/* byte offset just past it */
	int		 sent;	/* sentence number */
	int		 clause; /* sentence or part between commas */
	int		 data;	/* digits or '@': a number or address */
	const char	*canon;	/* the word map's one-word form ("nei":
				   "nee", "sugestie": "suggestie"), or NULL */
};

struct reader {
	const char	*text;
	char		 fold[FOLD_MAX];
	struct tok	 t[TOKENS_MAX];
	int		 n;
	int		 nsent;
	int		 nclause;
};

/* ---- word lists ---------------------------------------------------------- */

static const char *const fillers[] = {
	"ah", "oh", "oeh", "euh", "eh", "uh", "uhm", "ehm", "hmm", "hm",
	"allez", "awel", "hallo", "hoi", "dag", "goeiedag", "goedendag",
	"goeiemiddag", "goedemiddag", "goeiemorgen", "goedemorgen",
	"goeienavond", "hey", "hi", "hello", "bonjour", "salut", "sorry",
	"oei", "oeps", "well", "bon", "ben", "bonsoir", "goedenavond",
	"goeiendag", "goeienmiddag", "goeiemorgend", "hola", "yo", "hej",
	"good", "morning", "afternoon", "evening", "joe", "jow", "hoila",
	"hallo's", "dagske", "madame", "monsieur", "mevrouw", "meneer",
	"mijnheer", "mevr", "dhr", NULL
};

static const char *const yes_words[] = {
	"jao", "joa", "joah", "jah", "jaah", "ouais",
	"ja", "jaa", "jaaa", "jawel", "jaja", "jep", "jup", "yes", "yep",
	"yup", "yeah", "oui", "ok", "oke", "okay", "okey", "okee", "oki",
	"okido", "klopt", "correct", "juist", "zeker", "akkoord", "inderdaad",
	"idd", "exact", "graag", "prima", "perfect", "top",
	"goed", "allright", "alright", "sure", "right", "absoluut",
	"natuurlijk", "uiteraard", "voila", "parfait", "exactement",
	"daccord", "certainement", "jazeker", "jawadde", "tuurlijk",
	"inorde", "nickel", "super", "yess", "yesss", NULL
};

static const char *const no_words[] = {
	"nee", "neen", "neeje", "nein", "no", "non", "nope", "nah", "nay",
	"nei", "neej", "nene",
	"neenee", "fout", "incorrect", "wrong", NULL
};

static const char *const negators[] = {
	"geen", "gene", "niet", "nie", "ni", "not", "pas", "no", "never",
	"nooit", "zonder", NULL
};

/* The three menu choices and the words that name them. */
static const struct {
	const char	*word;
	const char	*choice;
} choice_words[] = {
	{ "vraag", "vraag" }, { "vraagje", "vraag" }, { "vragen", "vraag" },
	{ "vraagske", "vraag" }, { "question", "vraag" }, { "info", "vraag" },
	{ "informatie", "vraag" }, { "inlichting", "vraag" },
	{ "inlichtingen", "vraag" },
	{ "klacht", "klacht" }, { "klachten", "klacht" },
	{ "klagt", "klacht" }, { "klachtje", "klacht" },
	{ "klagen", "klacht" }, { "plainte", "klacht" },
	{ "reclamation", "klacht" }, { "complaint", "klacht" },
	{ "complain", "klacht" },
	{ "suggestie", "suggestie" }, { "suggesties", "suggestie" },
	{ "idee", "suggestie" }, { "ideetje", "suggestie" },
	{ "voorstel", "suggestie" }, { "voorstelleke", "suggestie" },
	{ "tip", "suggestie" }, { "tipje", "suggestie" },
	{ "suggestion", "suggestie" }, { "idea", "suggestie" },
	{ "conseil", "suggestie" }, { "proposition", "suggestie" },
	{ NULL, NULL }
};

/* Words that make a sentence a complaint when not negated. */
static const char *const complaint_words[] = {
	"klacht", "klachten", "klagt", "klachtje", "klagen", "beklagen",
	"aanklagen", "plainte", "plaintes", "reclamation", "complaint",
	"complain", "complaining", "plains", "plaindre", "plaint", NULL
};

/* Insults aimed at people; mild swearing ("miljaar", "shit",
 * "verdomme") is about a situation and not listed. */
static const char *const insults[] = {
	"sukkel", "sukkels", "idioot", "idioten", "imbeciel", "imbecielen",
	"imbeciles", "debiel", "debielen", "randdebiel",
	"randdebielen", "nietsnut", "nietsnutten", "klootzak", "klootzakken",
	"zakkenvuller", "zakkenvullers", "parasiet", "parasieten",
	"oplichter", "oplichters", "dieven", "profiteurs", "profiteur",
	"luiaard", "luiaards", "luilakken", "hoer", "hoeren", "teef", "lul",
	"lullen", "eikel", "eikels", "mongool", "mongolen", "achterlijke",
	"kankerlijers", "kankerbende", "teringlijers", "tyfuslijers",
	"kutbende", "kutwijf", "kutwijven", "trut", "trutten", "smeerlappen",
	"smeerlap", "schoften", "schoft", "ezels", "stommeriken",
	"onnozelaars", "onnozelaar", "uilskuikens", "apen", "varkens",
	"connard", "connards", "connasse", "encule", "encules", "salaud",
	"salauds", "batard", "batards", "cretins", "cretin", "abrutis",
	"idiots", "idiot", "morons", "moron", "bastards", "bastard",
	"assholes", "asshole", "scumbags", "prutsers", "incapables",
	"d'incapables", "faineants", "nuls", "escrocs", "voleurs",
	"guignols", "kiekens", "kiekenkop", "kiekenkoppen", "leeghoofd",
	"leeghoofden", "sukkelaar", "sukkelaars", "nullen", "zotten",
	"dwazen", "dommerik", "dommeriken", "domkop", "domkoppen",
	"stommeling", "stommelingen", "onbenul", "onbenullen", "klojo",
	"klojos", "klojo's", "mafkezen", "malloten", "oenen", "paljassen",
	"lapzwans", "lapzwansen", "zeverzak", "zeverzakken", "flapdrol",
	"flapdrollen", "lamzak", "lamzakken", "luizak", "luizakken",
	"knoeiers", "kloothommels", "pipo's", "pipos", "clowns", "bouffons",
	"cons", "fools", "losers", "loosers", "jerks", "muppets", "sloeber",
	"sloebers", "zatlap", "zatlappen", "kneus", "kneusjes", "gare",
	"garen", "nitwits", "incapable", "klungel", "klungels",
	"lomperik", "lomperiken", "zeikerd", "zeikerds", "heks", "heksen",
	"beunhaas", "beunhazen", "leugenaar", "leugenaars", "analfabeten",
	"analfabeet", "hufter", "hufters", "etterbak", "etterbakken",
	"rotzak", "rotzakken", "zakkenwassers", "zakkenwasser", "kwezels",
	"pummel", "pummels", "lummel", "lummels", "stommerik", "oetlul",
	"oetlullen", "charlatans", "charlatan", "mislukkelingen",
	"mislukkeling", "menteurs", "menteur", "liars", "liar", "idiotes",
	"pennelikkers",
	/* contempt for a group */
	"tuig", "gespuis", "uitschot", "schorem", "crapuul", "geboefte",
	"gajes", "racaille", "scum", "riffraff", NULL
};

/* Adjectives that insult when aimed at people: "incompetente bende",
 * "nutteloos volk", "zijn jullie zo achterlijk". */
static const char *const insult_adjectives[] = {
	"achterlijk", "achterlijke", "achterlijken", "incompetent",
	"incompetente", "incompetenten", "nutteloos", "nutteloze", "lui",
	"luie", "dom", "domme", "stom", "stomme", "onbekwaam", "onbekwame",
	"onnozel", "onnozele", "debiel", "debiele", "waardeloos",
	"waardeloze", "zot", "zotte", "gestoord", "gestoorde", "corrupt",
	"corrupte", "vuil", "vuile", "vies", "vieze", "smerig", "smerige",
	"hopeloos", "hopeloze", "useless", "incompetents", "stupid",
	"stupide", "stupides", "nul", NULL
};

/* Who an insult adjective can be aimed at. */
static const char *const insult_targets[] = {
	"bende", "volk", "ambtenaren", "ambtenaartjes", "bureaucraten",
	"medewerkers", "kliek", "club", "zakken", "bot", "robot", "chatbot",
	"computer", "mensen", "bunch",
	"people", "bande", "fonctionnaires", "jullie", "ge", "gij",
	"julle", "you", "vous",
	/* "domme gans", "stomme koe": an animal for a person */
	"gans", "ganzen", "koe", "koeien", "ezel", "aap", "kieken", "kip",
	"kippen", "varken", "geit", "geiten", "schaap", "schapen", "oen",
	"vache", "cow", "donkey", NULL
};

/* Words that make a message a suggestion: it calls itself one. */
static const char *const suggestion_words[] = {
	"suggestie", "suggesties", "idee", "ideetje", "voorstel", "tip",
	"tipje", "suggestion", "idea", "proposition", "conseil", NULL
};

/* "het zou handig zijn", "ce serait pratique", "it would be nice". */
static const struct {
	const char	*a, *b;
} suggestion_pairs[] = {
	{ "zou", "handig" }, { "zou", "fijn" }, { "zou", "beter" },
	{ "zou", "leuk" }, { "zou", "praktisch" }, { "zou", "tof" },
	{ "zou", "makkelijker" }, { "zou", "gemakkelijker" },
	{ "ware", "handig" }, { "waar", "handig" }, { "serait", "pratique" },
	{ "serait", "bien" }, { "serait", "utile" }, { "be", "nice" },
	{ "be", "useful" }, { "be", "easier" }, { "be", "handy" },
	{ "zou", "schelen" }, { "zou", "helpen" }, { "misschien", "eens" },
	{ "mss", "eens" }, { "eventueel", "eens" }, { "zou", "goed" },
	{ "zou", "super" }, { "zou", "mooi" }, { "zou", "plezant" },
	{ "zou", "besparen" }, { "zou", "uitsparen" }, { "zou", "sparen" },
	{ "zouden", "handig" }, { "zouden", "helpen" }, { "graag", "zien" },
	{ "serait", "mieux" }, { "serait", "top" }, { "serait", "super" },
	{ "serait", "genial" }, { "serait", "chouette" },
	{ "be", "great" }, { "be", "good" }, { "be", "better" },
	{ "be", "helpful" },
	{ NULL, NULL }
};

static const char *const stop_words[] = {
	"stop", "stoppen", "stopen", "ophouden", "afmelden", "uitschrijven",
	"unsubscribe", "arrete", "arretez", "arreter", "quit", NULL
};

/* Nouns that name a person to talk to, and those that need a verb. */
static const char *const person_nouns[] = {
	"medewerker", "medewerkster", "mens", "persoon", "operator",
	"human", "person", "personne", "humain", "medewerkers", NULL
};
/* These name a person only with a verb of talking: "ik wil klacht
 * indienen tegen mijn conseiller" is about one. */
static const char *const someone_words[] = {
	"iemand", "someone", "somebody", "quelqu'un", "quelquun", "agent",
	"collega", "conseiller", "conseillere", "dossierbeheerder",
	"dossierbehandelaar", "behandelaar", "consulent", "begeleider",
	"trajectbegeleider", "gestionnaire", "caseworker", NULL
};
static const char *const talk_verbs[] = {
	"spreken", "praten", "bellen", "babbelen", "chatten", "verbinden",
	"doorverbinden", "speak", "talk", "call", "parler", "appeler",
	"contact", "helpen", "lijn", "telefoon", "phone", "antwoorden",
	"reageren", "overnemen", "repondre", "answer", "contacteren",
	"terugbellen", "opbellen", "contacter", "rappeler", NULL
};
static const char *const request_cues[] = {
	"kan", "kunt", "kunnen", "mag", "wil", "wilt", "wens", "graag",
	"zou", "liefst", "spreken", "praten", "bellen", "verbinden",
	"doorverbinden", "please", "pls", "aub", "svp", "can", "could",
	"want", "like", "speak", "talk", "veux", "voudrais", "parler",
	"puis", "peux", "vraag", "plait", NULL
};
/* A sentence with one of these tells what a person did. */
static const char *const story_verbs[] = {
	"was", "waren", "had", "hadden", "heeft", "hebben", "zei", "zegt",
	"zeiden", "deed", "gaf", "kwam", "stuurde", "belde", "vertelde",
	"beloofde", "antwoordde", "liet", "behandelde", "reageerde",
	"wist", "weigerde", NULL
};

static const char *const question_words[] = {
	"wanneer", "hoe", "wat", "waar", "welke", "welk", "hoeveel",
	"hoelang", "wie", "waarom", "kan", "kunt", "kunnen", "mag", "moet",
	"moeten", "is", "zijn", "heb", "hebt", "hebben", "wordt", "worden",
	"zou", "weet", "weten", "when", "how", "what", "where", "which",
	"who", "why", "quand", "comment", "quel", "quelle", "pourquoi",
	"est-ce", "combien", "ou", NULL
};

/* A question without a question mark: "ik wil graag weten ...". */
static const char *const asking_words[] = {
	"weten", "afvragen", "afgevraagd", "benieuwd", "vraagje",
	"wondering", "wonder", "wondered", "savoir", "know", "demandais",
	NULL
};

/* Thanks and goodbyes: the citizen closes ("merci, bonne soiree"). */
static const char *const thanks_words[] = {
	"bedankt", "dank", "danku", "dankje", "dankjewel", "dankuwel",
	"merci", "mercikes", "mercie", "thanks", "thank", "thx", "tnx",
	"remercie", "remercions",
	"ty", "doei", "daag", "bye", "ciao", "tschau",
	"revoir", "ziens", "soiree", "journee", "avond", "weekend", NULL
};

/* Words that only close when nothing else is said. */
static const char *const closing_extra[] = {
	"ok", "oke", "okay", "top", "super", "perfect", "prima", "great",
	"nice", "cool", "fijne", "fijn", "goeie", "goede", "nog", "een",
	"bonne", "a", "lot", "so", "much", "very", "vous", "beaucoup",
	"voor", "de", "het", "info", "uitleg", "hulp", "antwoord",
	"informatie", "for", "the", "your", "help", "you", "u", "wel",
	"allez", "alleen", "hoor", "pour", "l'info", "linfo", "la",
	"reponse", "quand", "meme", "dommage", "daccord", "d'accord",
	"jammer", "oh", "ah", "ja", "oui", "yes", "vriendelijk", "heel",
	"hartelijk", "tres", "bien", "zeer", "mvg", "groetjes", "groeten",
	"gr", "en", "and", "et", "tot", "later", "morgen", "the", "day",
	"have", "good", "bon", "happy", "pas", "quoi", "rien", "je",
	"schone", "schoon", "ne", "nen", "dagje",
	"pour", "votre", "aide", NULL
};

/* "ff wachten", "momentje", "ik zoek het even op": the answer follows. */
static const char *const wait_words[] = {
	"wacht", "wachten", "momentje", "moment", "ogenblik", "ogenblikje",
	"secondje", "seconde", "sec", "minuutje", "instant", "attendez",
	"attends", "wait", "hold", NULL
};
static const char *const looking_words[] = {
	"zoek", "zoeken", "kijk", "kijken", "pak", "haal", "nakijken",
	"opzoeken", "cherche", "look", "looking", "checking", "check", NULL
};

/* "al drie weken", "al twee keer". */
static const char *const numbers[] = {
	"een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht",
	"negen", "tien", "maanden", "weken", "jaren", "dagen", "lang",
	"meer", "zo", "veel", NULL
};

static const char *const correction_cues[] = {
	"vergist", "vergissing", "verkeerd", "correctie", "verbetering",
	"typfout", "tikfout", "schrijffout", "bedoel", "bedoelde",
	"moet", "eigenlijk", "juiste", "correcte", "oeps", "oops",
	"mistake", "typo", "erreur", "trompe", NULL
};

/* ---- folding and tokens ---------------------------------------------- */

/* One folded character for the UTF-8 letter at p, or 0; *len bytes. */
static char
fold_char(const unsigned char *p, int *len)
{
	unsigned char d;

	*len = 1;
	if (p[0] < 0x80) {
		if (isalnum(p[0]))
			return (char)tolower(p[0]);
		return p[0] == '\'' ? '\'' : 0;
	}
	if (p[0] == 0xc3 && p[1] != '\0') {
		*len = 2;
		d = p[1] | 0x20;
		if (d >= 0xa0 && d <= 0xa5)
			return 'a';
		if (d == 0xa7)
			return 'c';
		if (d >= 0xa8 && d <= 0xab)
			return 'e';
		if (d >= 0xac && d <= 0xaf)
			return 'i';
		if ((d >= 0xb2 && d <= 0xb6) || d == 0xb8)
			return 'o';
		if (d >= 0xb9 && d <= 0xbc)
			return 'u';
		if (d == 0xb1)
			return 'n';
		return 0;
	}
	while ((p[*len] & 0xc0) == 0x80)
		(*len)++;
	return 0;
}

void
signals_fold(const char *text, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = 0;
	int len;
	char c;

	if (outlen == 0)
		return;
	for (; text != NULL && *p != '\0' && n + 1 < outlen; p += len) {
		c = fold_char(p, &len);
		out[n++] = c != 0 ? c : ' ';
	}
	out[n] = '\0';
}

static int
sentence_end(const unsigned char *p)
{
	if (*p == '\n' || *p == ';')
		return 1;
	if (*p == '.' || *p == '!' || *p == '?')
		return p[1] == '\0' || isspace(p[1]) || p[1] == '.' ||
		    p[1] == '!' || p[1] == '?';
	return 0;
}

/* Characters that join a word when letters or digits are on both sides:
 * "0470.12.34", "jan.peeters@x.be", "HP-2023-0458", "m'n". */
static int
joiner(unsigned char c)
{
	return c == '.' || c == '-' || c == '/' || c == '@' || c == '_' ||
	    c == '\'' || c == '+' || c == '*';	/* '*': "f*ck" */
}

/* Dialect, chat and misspelt forms the classifier's word map knows
 * ("ich", "gein", "joat", "klaht") are read as their Dutch word too, so
 * the word lists here need not repeat them.  One-word forms only: the
 * token count stays what was written. */
static const char *
canonical(const char *w, size_t n)
{
	const char *m = normalize_map_lookup(w, n);

	if (m == NULL || *m == '\0' || strchr(m, ' ') != NULL)
		return NULL;
	return m;
}

static void
tokenise(struct reader *r, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t fn = 0;
	int len, sent = 0, clause = 0;
	char c;

	memset(r, 0, sizeof(*r));
	r->text = text;
	while (*p != '\0' && r->n < TOKENS_MAX && fn + 2 < sizeof(r->fold)) {
		struct tok *t;

		c = fold_char(p, &len);
		if (c == 0 && !(*p == '@' || *p == '+')) {
			if (sentence_end(p))
				sent++, clause++;
			else if (*p == ',')
				clause++;
			p += len;
			continue;
		}
		t = &r->t[r->n];
		t->w = r->fold + fn;
		t->off = (int)((const char *)p - text);
		t->sent = sent;
		t->clause = clause;
		for (;;) {
			c = fold_char(p, &len);
			if (c != 0 || (joiner(*p) && t->n > 0 &&
			    fold_char(p + 1 + (*p == '*' ?
			    strspn((const char *)p + 1, "*") : 0), &len) !=
			    0)) {
				if (c == 0) {
					c = (char)*p;
					len = 1;
				}
			} else {
				break;
			}
			if (isdigit((unsigned char)c) || c == '@')
				t->data = 1;
			if (fn + 2 >= sizeof(r->fold))
				break;
			r->fold[fn++] = c;
			t->n++;
			p += len;
		}
		if (t->n == 0) {	/* a lone '@' or '+' */
			p++;
			continue;
		}
		r->fold[fn++] = '\0';
		t->end = (int)((const char *)p - text);
		t->canon = canonical(t->w, t->n);
		r->n++;
	}
	r->nsent = sent + 1;
	r->nclause = clause + 1;
}

static int
is_word(const struct tok *t, const char *w)
{
	/* The first letter rules out almost every word of a list without
	 * measuring it: this runs for every token against every list. */
	if (t->w[0] == w[0] && strncmp(t->w, w, t->n) == 0 &&
	    w[t->n] == '\0')
		return 1;
	return t->canon != NULL && t->canon[0] == w[0] &&
	    strcmp(t->canon, w) == 0;
}

static int
in_list(const struct tok *t, const char *const *list)
{
	for (; *list != NULL; list++)
		if (is_word(t, *list))
			return 1;
	return 0;
}

static int
has_any(const struct reader *r, const char *const *list)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (in_list(&r->t[i], list))
			return 1;
	return 0;
}

static const char *
choice_of(const struct tok *t)
{
	int i;

	for (i = 0; choice_words[i].word != NULL; i++)
		if (is_word(t, choice_words[i].word))
			return choice_words[i].choice;
	return NULL;
}

/* Whether one of the three words before i negates it ("geen klacht",
 * "geen officiele klacht", "pas une plainte").  A negation does not
 * reach over a comma or another menu word: in "nee, geen vraag, ne
 * klacht" only the vraag is denied. */
static int
negated(const struct reader *r, int i)
{
	int k;

	for (k = i - 1; k >= 0 && k >= i - 3; k--) {
		if (r->t[k].clause != r->t[i].clause)
			break;
		if (in_list(&r->t[k], negators))
			return 1;
		if (choice_of(&r->t[k]) != NULL)
			break;
	}
	return 0;
}

/* French denies after the verb: "je ne me plains pas". */
static int
denied_after(const struct reader *r, int i)
{
	int k;

	for (k = i + 1; k < r->n && k <= i + 2; k++) {
		if (r->t[k].clause != r->t[i].clause)
			break;
		if (is_word(&r->t[k], "pas") || is_word(&r->t[k], "point"))
			return 1;
	}
	return 0;
}

/* The first token that is not a filler or greeting. */
static int
first_content(const struct reader *r)
{
	int i;

	for (i = 0; i < r->n && in_list(&r->t[i], fillers); i++)
		;
	return i;
}

/* Offset of the text after token i, past punctuation and "maar",
 * "hoor", "dus"; -1 when nothing follows. */
static int
rest_after(const struct reader *r, int i)
{
	static const char *const skip[] = {
		"maar", "hoor", "dus", "en", "but", "mais", "wel", "toch",
		"eigenlijk", "gewoon", "eerder", "juist", "alleen", "enkel",
		"rather", "plutot", "just", "juste", NULL
	};
	int k = i + 1;

	while (k < r->n && in_list(&r->t[k], skip))
		k++;
	return k < r->n ? r->t[k].off : -1;
}

/* ---- the signals ------------------------------------------------------- */

/* A thumbs-up, OK hand or check mark emoji in text. */
static int
yes_emoji(const char *text)
{
	static const char *const yes[] = {
		"\xf0\x9f\x91\x8d",	/* thumbs up */
		"\xf0\x9f\x91\x8c",	/* OK hand */
		"\xe2\x9c\x85",		/* check mark button */
		"\xe2\x9c\x94",		/* check mark */
		"\xf0\x9f\x86\x97",	/* OK button */
		"\xf0\x9f\x99\x86",	/* gesture OK */
		NULL
	};
	int i;

	for (i = 0; text != NULL && yes[i] != NULL; i++)
		if (strstr(text, yes[i]) != NULL)
			return 1;
	return 0;
}

static int
opens_with_yes_emoji(const char *text)
{
	char head[8];

	text += strspn(text, " \t");
	snprintf(head, sizeof(head), "%s", text);
	return (unsigned char)head[0] >= 0xe2 && yes_emoji(head);
}

/* "wat een chaos", "what a joke", "quelle honte": an exclamation that
 * opens with a question word. */
static int
exclamative(const struct reader *r, int i)
{
	static const char *const what[] = {
		"wat", "wa", "what", "quel", "quelle", "welk", "welke", NULL
	};
	static const char *const a[] = {
		"een", "ne", "nen", "e", "a", "an", "honte", "bordel",
		"blague", "cirque", "gedoe", "toestand", NULL
	};

	return in_list(&r->t[i], what) && i + 1 < r->n &&
	    r->t[i + 1].clause == r->t[i].clause && in_list(&r->t[i + 1], a);
}

/* A clause that opens with a question word, maybe after "tot", "en" or
 * "maar": "tot wanneer kan ik ...", "..., wat wil dat zeggen". */
static int
asks_in_clause(const struct reader *r, int i)
{
	static const char *const wh[] = {
		"wanneer", "hoe", "wat", "waar", "welke", "welk", "hoeveel",
		"hoelang", "wie", "waarom", "when", "how", "what", "where",
		"which", "who", "why", "quand", "comment", "pourquoi", "combien",
		NULL
	};
	static const char *const links[] = {
		"tot", "en", "maar", "of", "dus", "but", "and", "et", "mais",
		"from", "since", "until", "jusqu'a", "depuis", NULL
	};
	int start = i == 0 || r->t[i - 1].clause != r->t[i].clause;

	if (!in_list(&r->t[i], wh) || exclamative(r, i))
		return 0;
	if (start)
		return 1;
	return i >= 1 && in_list(&r->t[i - 1], links) && (i == 1 ||
	    r->t[i - 2].clause != r->t[i].clause);
}

/* A short question that opens with why ("waarom moet ge dat weten?",
 * "waarvoor dient dat", "why do you need that?", "pourquoi?"), or that
 * doubts giving one's details ("moet ik echt mijn naam en nummer
 * geven?", "is mijn e-mail verplicht?"). */
static int
asks_why(const struct reader *r, const struct signals *s)
{
	static const char *const why[] = {
		"waarom", "waarvoor", "why", "pourquoi", NULL
	};
	static const char *const details[] = {
		"naam", "nummer", "telefoonnummer", "gsm", "gsmnummer", "email",
		"e-mail", "mail", "mailadres", "gegevens", "adres", "name",
		"number", "details", "nom", "numero", "coordonnees", NULL
	};
	static const char *const doubt[] = {
		"moet", "moeten", "echt", "nodig", "verplicht", "must", "need",
		"really", "required", "dois", "obligatoire", "vraiment", NULL
	};
	int first = first_content(r);

	if (!s->question || s->words > 12)
		return 0;
	if (first < r->n && in_list(&r->t[first], why))
		return 1;
	return has_any(r, details) && has_any(r, doubt);
}

/* "top, gevonden, merci", "is al gelukt hoor", "ok opgelost": the
 * citizen found the answer; short, no question, not denied ("nog niet
 * gevonden" is the opposite). */
static int
sorted_out(const struct reader *r, const struct signals *s)
{
	static const char *const done[] = {
		"gevonden", "gelukt", "opgelost", "geregeld", "gefixt",
		"found", "solved", "sorted", "trouve", "regle", "resolu", NULL
	};
	int i;

	if (s->question || s->words > 6)
		return 0;
	for (i = 0; i < r->n; i++)
		if (in_list(&r->t[i], done) && !negated(r, i))
			return 1;
	return 0;
}

/* "ik wil graag weten of ...", but not "niemand die iets laat weten" or
 * "we krijgen niks te weten": nobody telling is a grievance. */
static int
asks_to_know(const struct reader *r, int i)
{
	static const char *const nobody[] = {
		"niemand", "niets", "niks", "nobody", "nothing", "personne",
		"rien", NULL
	};
	int k;

	if (!in_list(&r->t[i], asking_words))
		return 0;
	for (k = i - 1; k >= 0 && k >= i - 4 &&
	    r->t[k].clause == r->t[i].clause; k--)
		if (in_list(&r->t[k], negators) || in_list(&r->t[k], nobody))
			return 0;
	return 1;
}

/* "ik vroeg mij af", "ik vraag me af of": a question without a mark. */
static int
wonders(const struct reader *r, int i)
{
	static const char *const ask[] = {
		"vroeg", "vraag", "vroegen", "vragen", NULL
	};
	int k;

	if (!in_list(&r->t[i], ask))
		return 0;
	for (k = i + 1; k < r->n && k <= i + 3; k++)
		if (is_word(&r->t[k], "af"))
			return 1;
	return 0;
}

/* Repetition by count: "drie keer gebeld", "de derde keer", "for the
 * third time", "3 fois". */
static int
repeated(const struct reader *r, int i)
{
	static const char *const times[] = {
		"keer", "keren", "maal", "fois", "times", "time", NULL
	};
	static const char *const counts[] = {
		"twee", "drie", "vier", "vijf", "zes", "tien", "derde",
		"vierde", "vijfde", "zoveelste", "3e", "3de", "4e", "4de",
		"5e", "5de", "third", "fourth", "fifth", "nth", "troisieme",
		"quatrieme", "trois", "quatre", "three", "four", NULL
	};

	return i + 1 < r->n && in_list(&r->t[i + 1], times) &&
	    (in_list(&r->t[i], counts) || (r->t[i].data && r->t[i].n <= 2 &&
	    strcmp(r->t[i].w, "1") != 0));
}

/* Indignation: "da kan toch ni", "dat is toch niet normaal", "c'est
 * pas possible". */
static int
indignant(const struct reader *r, int i)
{
	int k;

	if (is_word(&r->t[i], "toch"))
		for (k = i + 1; k < r->n && k <= i + 2; k++)
			if (r->t[k].clause == r->t[i].clause &&
			    in_list(&r->t[k], negators))
				return 1;
	return (is_word(&r->t[i], "pas") || is_word(&r->t[i], "not")) &&
	    i + 1 < r->n && (is_word(&r->t[i + 1], "possible") ||
	    is_word(&r->t[i + 1], "normal") || is_word(&r->t[i + 1],
	    "serieux"));
}

/* Waiting beyond patience: "ik kan niet blijven wachten", "90 dagen
 * verder", "je ne peux plus attendre". */
static int
waited(const struct reader *r, int i)
{
	static const char *const waiting[] = {
		"wachten", "attendre", "wait", "waiting", NULL
	};
	static const char *const spans[] = {
		"dagen", "weken", "maanden", "jaar", "jaren", NULL
	};
	int k;

	if (is_word(&r->t[i], "verder") && i > 0 &&
	    in_list(&r->t[i - 1], spans))
		return 1;
	if (!in_list(&r->t[i], waiting))
		return 0;
	for (k = i - 1; k >= 0 && k >= i - 4; k--) {
		if (r->t[k].clause != r->t[i].clause)
			break;
		if (in_list(&r->t[k], negators) || is_word(&r->t[k], "plus") ||
		    is_word(&r->t[k], "blijven") || is_word(&r->t[k], "meer"))
			return 1;
	}
	return 0;
}

/* Idioms of being fed up: "ik heb er mijn buik van vol", "het hangt
 * mijn keel uit", "sick of", "tired of". */
static int
fed_up(const struct reader *r, int i)
{
	int k;

	if ((is_word(&r->t[i], "sick") || is_word(&r->t[i], "tired")) &&
	    i + 1 < r->n && is_word(&r->t[i + 1], "of"))
		return 1;
	if (!is_word(&r->t[i], "buik") && !is_word(&r->t[i], "keel"))
		return 0;
	for (k = i + 1; k < r->n && k <= i + 4; k++)
		if (is_word(&r->t[k], "vol") || is_word(&r->t[k], "uit"))
			return 1;
	return 0;
}

/* Praise alone after a grievance is sarcasm: "eerst zeggen ze ja, dan
 * nee. schitterend", "weer niks ontvangen, bravo". */
static int
sarcastic_close(const struct reader *r)
{
	static const char *const praise[] = {
		"schitterend", "fantastisch", "geweldig", "prachtig", "bravo",
		"chapeau", "proficiat", "formidabel", "subliem",
		"fantastique", "genial", "brilliant", "wonderful", "great",
		"super", "top", "perfect", NULL
	};
	int last, k;

	if (r->n < 4 || !in_list(&r->t[r->n - 1], praise))
		return 0;
	last = r->n - 1;
	if (r->t[last].clause == r->t[0].clause ||
	    (last > 0 && r->t[last - 1].clause == r->t[last].clause &&
	    !is_word(&r->t[last - 1], "echt") &&
	    !is_word(&r->t[last - 1], "gewoon")))
		return 0;	/* praise must stand alone in its clause */
	for (k = 0; k < last; k++)
		if (in_list(&r->t[k], negators) || is_word(&r->t[k], "weer") ||
		    is_word(&r->t[k], "again"))
			return 1;
	return 0;
}

/* What makes a story a grievance rather than a request for help:
 * waiting ("nog altijd niet", "al drie weken", "sinds maart"), "nooit"
 * or "niemand", repetition ("weer", "opnieuw"), judgement or
 * exclamation.  A plain "niet" is no grievance: "ik kan niet inloggen"
 * asks for help. */
static int
discontent_from(const struct reader *r, int from)
{
	static const char *const cues[] = {
		"sinds", "weer", "opnieuw", "alweer", "steeds",
		"nooit", "niemand", "jamais", "personne", "never", "nobody",
		"jammer", "spijtig", "belachelijk", "schande",
		"onaanvaardbaar", "onbeleefd", "onvriendelijk", "slecht",
		"weeral", "miljaar", "verdomme", "godverdomme", "amai",
		"pff", "pfff", "zucht", "ballen", "zever", "ambetant",
		"niks", "niets", "decu", "decue", "marre", "lamentable",
		"scandaleux", "honteux", "honte", "inacceptable", "nimporte",
		"n'importe", "bravo", "worst", "slowest", "terrible",
		"disappointed", "disappointing", "fed", "joke", "useless",
		"traag", "lang", "genoeg", "beu", "zat", "kwaad", "boos",
		"teleurgesteld", "frustrerend", "ridicule", "inadmissible",
		"toujours", "depuis", "encore", "still", "again", "since",
		"ridiculous", "unacceptable", "ongelooflijk",
		"onwaarschijnlijk", "unbelievable",
		"incroyable", "absurd", "absurde", "pathetic", "pathetique",
		"lachwekkend", "hallucinant", "frustrating", "frustrated",
		"frustrant", "keeps", "kotsbeu", "strontbeu", "spuugzat",
		"schandalig", "pathetisch", "zomaar", NULL
	};
	/* "ni content", "pas content du tout", "not happy" */
	static const char *const content[] = {
		"content", "contente", "tevreden", "blij", "gelukkig", "normaal",
		"oke", "ok", "correct", "aanvaardbaar", "happy", "satisfied",
		"satisfait", "satisfaite", "normal", "acceptable", NULL
	};
	/* eye roll, pouting, angry, cursing faces, thumbs down, the
	 * slow clap of sarcasm */
	static const char *const faces[] = {
		"\xf0\x9f\x99\x84", "\xf0\x9f\x98\xa1", "\xf0\x9f\x98\xa4",
		"\xf0\x9f\xa4\xac", "\xf0\x9f\x98\xa0", "\xf0\x9f\x91\x8e",
		"\xf0\x9f\x91\x8f", NULL
	};
	/* "nog altijd", "nog steeds", "nog niks": "nog" alone is not */
	static const char *const still[] = {
		"altijd", "steeds", "niks", "niets", "niet", "ni", "nie",
		"geen", "gene", "nooit", "altyd", NULL
	};
	/* "het bedrag klopt niet", "dat is niet juist": a judgement */
	static const char *const right[] = {
		"klopt", "klopte", "kloppen", "juist", "correct", NULL
	};
	/* "geen antwoord", "nooit nieuws", "niks gehoord" */
	static const char *const news[] = {
		"antwoord", "reactie", "nieuws", "bericht", "uitleg", "gehoord",
		"teruggehoord", "response", "reponse", NULL
	};
	int i;

	for (i = 0; faces[i] != NULL; i++)
		if (strstr(r->text + r->t[from].off, faces[i]) != NULL)
			return 2;
	for (i = from; i < r->n; i++)
		if (in_list(&r->t[i], cues) || (is_word(&r->t[i], "nog") &&
		    i + 1 < r->n && in_list(&r->t[i + 1], still)) ||
		    (in_list(&r->t[i], news) &&
		    i > 0 && in_list(&r->t[i - 1], negators)) ||
		    (in_list(&r->t[i], content) && negated(r, i)) ||
		    (in_list(&r->t[i], right) && (negated(r, i) ||
		    (i + 1 < r->n && in_list(&r->t[i + 1], negators)))) ||
		    (is_word(&r->t[i], "al") && i + 1 < r->n &&
		    (r->t[i + 1].data || in_list(&r->t[i + 1], numbers))) ||
		    repeated(r, i) || indignant(r, i) || waited(r, i) ||
		    fed_up(r, i))
			return 2;
	if (from == 0 && sarcastic_close(r))
		return 2;
	return strchr(r->text + r->t[from].off, '!') != NULL;
}

/* 2 for a sign of a grievance, 1 for a "!" and nothing more. */
static int
discontent(const struct reader *r)
{
	return r->n > 0 ? discontent_from(r, 0) :
	    strchr(r->text, '!') != NULL;
}

/* A message in capitals, like shouting: most letters upper case. */
static int
shouts(const char *text)
{
	int upper = 0, lower = 0;

	for (; *text != '\0'; text++) {
		if (*text >= 'A' && *text <= 'Z')
			upper++;
		else if (*text >= 'a' && *text <= 'z')
			lower++;
	}
	return upper >= 12 && upper > 4 * lower;
}

/* "communiceren jullie eigenlijk onderling?", "do you ever answer?":
 * asking the agency whether it does its job at all. */
static int
asks_them_ever(const struct reader *r)
{
	static const char *const them[] = {
		"jullie", "ge", "gij", "gulder", "you", "vous", NULL
	};
	static const char *const at_all[] = {
		"eigenlijk", "ooit", "ever", "even", "seulement", "jamais",
		NULL
	};
	int i, k;

	for (i = 0; i < r->n; i++) {
		if (!in_list(&r->t[i], at_all))
			continue;
		for (k = 0; k < r->n; k++)
			if (r->t[k].sent == r->t[i].sent &&
			    in_list(&r->t[k], them))
				return 1;
	}
	return 0;
}

/* A story with a question inside that ends on a grievance: "... Welke
 * dan? Niemand die het weet. Ik ben het echt beu." */
static int
question_then_grievance(const struct reader *r)
{
	int from;
	const char *q;

	if (r->nsent < 3 || r->n == 0)
		return 0;
	for (from = r->n - 1; from > 0 &&
	    r->t[from - 1].sent == r->t[r->n - 1].sent; from--)
		;
	q = strchr(r->text, '?');
	return q != NULL && q < r->text + r->t[from].off &&
	    strchr(r->text + r->t[from].off, '?') == NULL &&
	    discontent_from(r, from) == 2;
}

/* A question that vents rather than asks: "hoe lang moet ik nog
 * wachten??", "waarom moet ik alles drie keer uitleggen?", "wie moet ik
 * nu nog geloven?", "seriously?", or a grievance shouted in capitals.
 * What the citizen wants is to be heard; a topic in it is still
 * answered. */
static int
rhetorical(const struct reader *r, const struct intent_result *ir,
    const struct signals *s)
{
	static const char *const why[] = {
		"waarom", "waarvoor", "pourquoi", "why", NULL
	};
	static const char *const really[] = {
		"seriously", "serieus", "serieux", "serieusement", "echt",
		"really", "vraiment", "allez", "allee", NULL
	};
	/* "waarom moet het altijd zo ingewikkeld": a rule, not a case */
	static const char *const always[] = {
		"altijd", "telkens", "always", "toujours", NULL
	};
	static const char *const devised[] = {
		"bedacht", "verzonnen", "uitgevonden", "uitgevonde", NULL
	};
	int i, first = first_content(r), asks_why = 0, how_long = 0;
	int still = 0, who = 0, rule = 0;

	if (!s->question)
		return 0;
	if ((s->discontent || (ir != NULL && strcmp(ir->intent,
	    "ongenoegen") == 0)) && (strstr(r->text, "??") != NULL ||
	    strstr(r->text, "?!") != NULL || strstr(r->text, "!?") != NULL ||
	    shouts(r->text)))
		return 1;
	/* "seriously? ...", "echt?": disbelief as the opening question */
	if (first < r->n && in_list(&r->t[first], really) &&
	    (first + 1 == r->n || r->t[first + 1].sent != r->t[first].sent) &&
	    s->discontent)
		return 1;
	for (i = 0; i < r->n; i++) {
		const struct tok *t = &r->t[i];

		asks_why |= in_list(t, why);
		rule |= in_list(t, always);
		who |= is_word(t, "wie") || is_word(t, "who") ||
		    is_word(t, "qui");
		how_long |= is_word(t, "hoelang") || (i > 0 &&
		    is_word(t, "lang") && is_word(&r->t[i - 1], "hoe")) ||
		    (i > 0 && is_word(t, "long") && is_word(&r->t[i - 1],
		    "how")) || (i > 0 && is_word(t, "longer") &&
		    is_word(&r->t[i - 1], "much"));
		/* "wie moet ik nu nog geloven", "wat moet ik nog allemaal
		 * doen", "combien de temps encore" */
		if (is_word(t, "nog") && ((i > 0 && is_word(&r->t[i - 1],
		    "nu")) || (i + 1 < r->n && is_word(&r->t[i + 1],
		    "allemaal"))))
			return 1;
		still |= is_word(t, "nog") || is_word(t, "encore") ||
		    is_word(t, "still");
		if (in_list(t, devised) && who)
			return 1;	/* "wie heeft dat formulier bedacht" */
	}
	if ((how_long && still) || (asks_why && (s->discontent || rule)))
		return 1;
	return s->discontent == 2 && (asks_them_ever(r) ||
	    question_then_grievance(r));
}

/* A one-word "name" that is a yes or a no. */
static int
name_is_answer(const char *name)
{
	struct reader r;	/* about 8 KiB */

	tokenise(&r, name);
	return r.n == 1 && (in_list(&r.t[0], yes_words) ||
	    in_list(&r.t[0], no_words));
}

static void
read_answer(const struct reader *r, struct signals *s)
{
	int i = first_content(r), k;
	const struct tok *t, *u;

	if (i >= r->n) {
		if (yes_emoji(r->text))
			s->answer = SIGNALS_YES;
		return;
	}
	t = &r->t[i];
	u = i + 1 < r->n && r->t[i + 1].sent == t->sent ? &r->t[i + 1] : NULL;
	if (in_list(t, no_words)) {
		s->answer = SIGNALS_NO;
		s->rest = rest_after(r, i);
		return;
	}
	/* "dat klopt", "'t is goed", "is juist": the yes is the 2nd word */
	if ((is_word(t, "dat") || is_word(t, "is") || is_word(t, "'t") ||
	    is_word(t, "tis") || is_word(t, "da") || is_word(t, "c'est") ||
	    is_word(t, "thats") || is_word(t, "that's")) && u != NULL) {
		k = i + 1;
		if (is_word(u, "is") && k + 1 < r->n)
			k++;
		if (in_list(&r->t[k], yes_words)) {
			i = k;
			t = &r->t[i];
			u = i + 1 < r->n && r->t[i + 1].sent == t->sent ?
			    &r->t[i + 1] : NULL;
		}
	}
	if (in_list(t, yes_words)) {
		if (u != NULL && in_list(u, negators)) {
			s->answer = SIGNALS_NO;	/* "klopt niet" */
			s->rest = rest_after(r, i + 1);
		} else {
			s->answer = SIGNALS_YES;
			s->rest = rest_after(r, i);
		}
		return;
	}
	if (opens_with_yes_emoji(r->text)) {	/* "👍 merci" */
		s->answer = SIGNALS_YES;
		return;
	}
	/* "een klacht, ja", "c'est une plainte, oui": a yes that closes a
	 * short first sentence. */
	for (k = i; k + 1 < r->n && r->t[k + 1].sent == t->sent; k++)
		;
	if (k > i && k - i <= 5 && in_list(&r->t[k], yes_words) &&
	    r->t[k].clause != r->t[k - 1].clause && !negated(r, k)) {
		s->answer = SIGNALS_YES;
		s->rest = rest_after(r, k);
		return;
	}
	if (!s->short_answer)
		return;
	/* A short message: "ok 👍 bedankt", "ja hoor dat is juist". */
	for (k = 0; k < r->n; k++) {
		if (in_list(&r->t[k], no_words) || (in_list(&r->t[k],
		    negators) && k > 0 && in_list(&r->t[k - 1], yes_words))) {
			s->answer = SIGNALS_NO;
			return;
		}
	}
	for (k = 0; k < r->n; k++)
		if (in_list(&r->t[k], yes_words) && !negated(r, k)) {
			s->answer = SIGNALS_YES;
			return;
		}
	if (yes_emoji(r->text))
		s->answer = SIGNALS_YES;
}

static void
set_choice(struct signals *s, const char *choice)
{
	snprintf(s->choice, sizeof(s->choice), "%s", choice);
}

/* "mijn collega diende vorig jaar een klacht in": someone else's
 * complaint, told about, is no wish to file one.  The citizen's own
 * earlier complaint ("ik heb al klacht ingediend, nu opnieuw") still
 * is. */
static int
complained_before(const struct reader *r, int i)
{
	static const char *const made[] = {
		"diende", "dienden", "ingediend", "klaagde", "klaagden",
		"geklaagd", "filed", "complained", "depose", "deposee",
		"deposait", NULL
	};
	static const char *const me[] = {
		"ik", "k", "'k", "kheb", "ikke", "we", "wij", "ons", "mij",
		"i", "je", "j'ai", "jai", "nous", "graag", "heb", "ben", NULL
	};
	int k, told = 0;

	for (k = 0; k < r->n; k++) {
		if (r->t[k].clause != r->t[i].clause)
			continue;
		if (in_list(&r->t[k], me))
			return 0;
		told |= in_list(&r->t[k], made);
	}
	return told;
}

static void
read_choice(const struct reader *r, struct signals *s)
{
	const char *c;
	int i, k, first = first_content(r);

	for (i = 0; i < r->n; i++) {
		if (!in_list(&r->t[i], complaint_words))
			continue;
		if (negated(r, i) || denied_after(r, i)) {
			s->not_complaint = 1;
			/* "geen klacht, eerder een vraag: ..." */
			for (k = i + 1; k < r->n && k <= i + 8; k++) {
				c = choice_of(&r->t[k]);
				if (c != NULL && strcmp(c, "klacht") != 0) {
					set_choice(s, c);
					s->rest = rest_after(r, k);
					break;
				}
			}
		} else if (!complained_before(r, i)) {
			s->explicit_complaint = 1;
		}
	}
	if (s->choice[0] != '\0')
		return;
	if (s->short_answer) {
		for (i = 0; i < r->n; i++)
			if ((c = choice_of(&r->t[i])) != NULL &&
			    !negated(r, i)) {
				set_choice(s, c);
				return;
			}
		return;
	}
	/* Opening with the choice: "klacht: ...", "een vraag: ...",
	 * "ik heb een vraagje, ...", "vraagje." */
	for (i = first; i < r->n && i <= first + 4; i++) {
		if (r->t[i].sent != r->t[first].sent)
			break;
		if ((c = choice_of(&r->t[i])) == NULL)
			continue;
		if (negated(r, i)) {
			if (strcmp(c, "klacht") != 0) {
				snprintf(s->denied, sizeof(s->denied), "%s", c);
				s->rest = rest_after(r, i);
			}
			return;
		}
		k = i + 1;
		if (k >= r->n || r->t[k].sent != r->t[i].sent ||
		    strchr(":,-", r->text[r->t[i].end]) != NULL) {
			set_choice(s, c);
			s->rest = rest_after(r, i);
		}
		return;
	}
}

static int
sentence_words(const struct reader *r, int sent, int *first)
{
	int i, n = 0;

	*first = -1;
	for (i = 0; i < r->n; i++)
		if (r->t[i].clause == sent && !r->t[i].data) {
			if (*first == -1)
				*first = i;
			n++;
		}
	return n;
}

static int
sentence_has(const struct reader *r, int sent, const char *const *list)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->t[i].clause == sent && in_list(&r->t[i], list))
			return 1;
	return 0;
}

/* A sentence that is a stop: short, with a stop word not negated. */
static int
stop_sentence(const struct reader *r, int sent)
{
	static const char *const polite[] = {
		"aub", "alsjeblieft", "alstublieft", "maar", "nu", "hier",
		"dan", "ok", "oke", "ja", "nee", "dank", "u", "bedankt", "merci",
		"gewoon", "pls", "please", "svp", "ermee", "er", "mee", "met",
		"dit", "het", "gesprek", "chat", "de", "ik", "wil", "wilt",
		"mag", "nu", "it", "this", "conversation", "a", "la",
		"s'il", "vous", "plait", "berichten", "messages", "m'envoyer",
		"envoyer", "sturen", "meer", "plus", "des", "me", "mij",
		"sending", NULL
	};
	int i, first, n = 0, hit = 0;

	if (sentence_words(r, sent, &first) > 5)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct tok *t = &r->t[i];

		if (t->clause != sent)
			continue;
		if (in_list(t, stop_words) || (is_word(t, "op") && i > 0 &&
		    is_word(&r->t[i - 1], "hou"))) {
			if (negated(r, i))
				return 0;
			hit = 1;
		} else if (!in_list(t, polite) && !is_word(t, "hou")) {
			n++;
		}
	}
	return hit && n <= 2;
}

/* Whether receive word i closes "ik wil niets meer ontvangen", "je ne
 * veux plus rien recevoir", "I don't want to receive any more": the
 * wish, the denial and the "more" close together.  "Ik wil klacht
 * indienen: ... na meer dan een jaar niet gebeurd en we krijgen geen
 * antwoord" has them all in one clause, far apart. */
static int
wants_nothing(const struct reader *r, int i, const char *const *want,
    const char *const *denied, const char *const *no_more)
{
	int k, j, deny, more;

	for (k = i - 1; k >= 0 && k >= i - 5 &&
	    r->t[k].clause == r->t[i].clause; k--) {
		if (!in_list(&r->t[k], want))
			continue;
		deny = more = 0;
		for (j = k - 2; j <= i + 2; j++) {
			if (j < 0 || j >= r->n ||
			    r->t[j].clause != r->t[i].clause)
				continue;
			deny |= in_list(&r->t[j], denied);
			more |= in_list(&r->t[j], no_more);
		}
		return deny && more;
	}
	return 0;
}

/* "da ge stopt met mij berichten te sturen": a stop of the messages,
 * however long the clause. */
static int
stop_sending(const struct reader *r, int sent)
{
	static const char *const sending[] = {
		"berichten", "bericht", "messages", "message", "sms", "smsen",
		"meldingen", "notificaties", "sturen", "versturen", "envoyer",
		"sending", "texting", "contacteren", "contact", NULL
	};
	static const char *const advice[] = {
		"beter", "best", "zou", "zoudt", "zouden", "should", NULL
	};
	/* "stuur me geen berichten meer", "ne m'envoyez plus de messages",
	 * "don't send me messages anymore": an order to stop sending. */
	static const char *const send[] = {
		"stuur", "stuurt", "envoyez", "m'envoyez", "send", "text",
		"contacteer", NULL
	};
	static const char *const no_more[] = {
		"meer", "plus", "anymore", "more", NULL
	};
	static const char *const denied[] = {
		"geen", "gene", "niet", "nie", "ni", "ne", "not", "don't",
		"dont", "no", "never", "nooit", "niets", "niks", "rien",
		"nothing", NULL
	};
	static const char *const senders[] = {
		"ik", "i", "we", "wij", "je", NULL
	};
	/* "ik wil niets meer ontvangen", "je ne veux plus rien recevoir" */
	static const char *const receive[] = {
		"ontvangen", "krijgen", "recevoir", "receive", "get", NULL
	};
	static const char *const want[] = {
		"wil", "wens", "veux", "souhaite", "want", NULL
	};
	int i, stop = 0, order = 0, wanted = 0, more = 0;

	for (i = 0; i < r->n; i++) {
		if (r->t[i].clause != sent)
			continue;
		if (in_list(&r->t[i], stop_words) || is_word(&r->t[i],
		    "stopt") || is_word(&r->t[i], "arretez")) {
			if (negated(r, i))
				return 0;
			stop = 1;
		}
		order |= in_list(&r->t[i], send) &&
		    !(i > 0 && in_list(&r->t[i - 1], senders));
		wanted |= in_list(&r->t[i], receive) &&
		    wants_nothing(r, i, want, denied, no_more);
		more |= in_list(&r->t[i], no_more);
	}
	if ((order || wanted) && more && sentence_has(r, sent, denied) &&
	    strchr(r->text, '?') == NULL) {
		if (wanted)	/* nothing more at all: no object needed */
			return !sentence_has(r, sent, story_verbs);
		stop = 1;
	}
	return stop && sentence_has(r, sent, sending) &&
	    !sentence_has(r, sent, story_verbs) &&
	    !sentence_has(r, sent, advice);	/* "ge zoudt beter stoppen" */
}

/* French "personne" as "nobody": "personne ne rappelle", "il n'y a
 * personne". */
static int
nobody(const struct reader *r, int i)
{
	int k;

	if (!is_word(&r->t[i], "personne"))
		return 0;
	if (i + 1 < r->n && (is_word(&r->t[i + 1], "ne") ||
	    strncmp(r->t[i + 1].w, "n'", 2) == 0))
		return 1;
	for (k = i - 1; k >= 0 && r->t[k].clause == r->t[i].clause; k--)
		if (is_word(&r->t[k], "ne") || strncmp(r->t[k].w, "n'", 2) == 0)
			return 1;
	return 0;
}

/* "ik ben medewerker in een bakkerij", "ik ben zelf een medewerker
 * van ...", "je suis employé": who the citizen is, not whom they want. */
static int
own_role(const struct reader *r, int i)
{
	static const char *const am[] = {
		"ben", "was", "werk", "werkte", "suis", "am", "work", NULL
	};
	static const char *const between[] = {
		"een", "zelf", "ook", "nen", "ne", "a", "un", "une", "als",
		NULL
	};
	int k = i - 1;

	while (k >= 0 && k >= i - 3 && in_list(&r->t[k], between))
		k--;
	return k >= 0 && r->t[k].clause == r->t[i].clause &&
	    in_list(&r->t[k], am);
}

/* "een medewerker van mij", "onze medewerkers": the citizen's own
 * staff, not someone to talk to. */
static int
employs(const struct reader *r, int i)
{
	static const char *const mine[] = {
		"mijn", "mijne", "m'n", "mn", "onze", "ons", "my", "our", "mon",
		"ma", "mes", "notre", "nos", NULL
	};
	static const char *const me[] = { "mij", "ons", "me", "us", NULL };

	if (i > 0 && in_list(&r->t[i - 1], mine))
		return 1;
	return i + 2 < r->n && (is_word(&r->t[i + 1], "van") ||
	    is_word(&r->t[i + 1], "of")) && in_list(&r->t[i + 2], me);
}

/* "bel mij maar terug", "kunt u mij terugbellen?": a person asked for,
 * by phone.  Not with a number in the clause (the contact question's
 * answer) and not in a story ("ze zouden mij terugbellen"). */
static int
callback_sentence(const struct reader *r, int sent)
{
	static const char *const call[] = {
		"bel", "belt", "bellen", "call", NULL
	};
	static const char *const callback[] = {
		"terugbellen", "opbellen", "rappeler", "rappelez", NULL
	};
	static const char *const me[] = { "mij", "me", "moi", NULL };
	int i, calls = 0, back = 0, mine = 0, both;

	for (i = 0; i < r->n; i++) {
		if (r->t[i].clause != sent)
			continue;
		if (r->t[i].data)
			return 0;
		both = in_list(&r->t[i], callback);	/* "terugbellen" */
		calls |= both || in_list(&r->t[i], call);
		back |= both || is_word(&r->t[i], "terug") ||
		    is_word(&r->t[i], "back");
		mine |= in_list(&r->t[i], me);
	}
	return calls && back && mine && !sentence_has(r, sent, story_verbs) &&
	    !sentence_has(r, sent, negators);
}

/* A person noun in the clause that names someone to talk to: "als
 * medewerker van een maatwerkbedrijf" is the citizen's own role. */
static int
person_named(const struct reader *r, int sent)
{
	static const char *const as[] = { "als", "as", "comme", NULL };
	static const char *const real[] = {
		"echte", "echt", "vrai", "vraie", "real", "actual", NULL
	};
	int i;

	for (i = 0; i < r->n; i++) {
		if (r->t[i].clause != sent)
			continue;
		if (in_list(&r->t[i], person_nouns) &&
		    !(i > 0 && in_list(&r->t[i - 1], as)) && !nobody(r, i) &&
		    !own_role(r, i) && !employs(r, i))
			return 1;
		/* "een echte mens", "un vrai conseiller", "a real agent" */
		if (in_list(&r->t[i], someone_words) && i > 0 &&
		    in_list(&r->t[i - 1], real))
			return 1;
	}
	return 0;
}

/* "kan ik niet gewoon iemand spreken?": a request in the form of a
 * question keeps its "niet". */
static int
asks_with_modal(const struct reader *r, int sent, int first)
{
	static const char *const modals[] = {
		"kan", "kunt", "kunnen", "mag", "zou", "can", "could",
		"puis", "peux", "pourrais", NULL
	};

	return first >= 0 && in_list(&r->t[first], modals) &&
	    strchr(r->text + r->t[first].off, '?') != NULL;
}

/* A sentence that asks for a person rather than telling about one. */
static int
person_sentence(const struct reader *r, int sent)
{
	int first, words = sentence_words(r, sent, &first);
	int noun = person_named(r, sent);
	int someone = sentence_has(r, sent, someone_words) &&
	    sentence_has(r, sent, talk_verbs);

	if ((!noun && !someone) || words > 14 ||
	    sentence_has(r, sent, complaint_words))
		return 0;
	if (sentence_has(r, sent, story_verbs) ||
	    (sentence_has(r, sent, negators) &&
	    !asks_with_modal(r, sent, first)))
		return 0;
	/* "laat iemand van het personeel antwoorden" */
	return words <= 4 || sentence_has(r, sent, request_cues) ||
	    (someone && first >= 0 && is_word(&r->t[first], "laat"));
}

/* "fuck", also masked: "f*ck", "f**k". */
static int
fuck_word(const struct tok *t)
{
	return is_word(t, "fuck") || is_word(t, "fck") || (t->n >= 3 &&
	    t->n <= 5 && t->w[0] == 'f' && t->w[t->n - 1] == 'k' &&
	    memchr(t->w, '*', t->n) != NULL);
}

/* A word that only strengthens the next: "stupid f***ing bot",
 * "stomme verdomde bende". */
static int
intensifier(const struct tok *t)
{
	static const char *const words[] = {
		"fucking", "verdomde", "godverdomde", "echte", "grote",
		"ongelooflijke", "ongelofelijke", "totale", "complete",
		"bloody", "putain", "de", NULL
	};

	return in_list(t, words) || memchr(t->w, '*', t->n) != NULL;
}

/* An insult noun, also after a French elision ("d'abrutis"); "gare"
 * only as "halve gare". */
static int
insult_word(const struct tok *t)
{
	const char *q = memchr(t->w, '\'', t->n);
	struct tok rest;

	/* "kutloket", "klotepersoneel": a swear prefix on who is meant */
	static const char *const prefixes[] = { "kut", "klote", NULL };
	static const char *const meant[] = {
		"personeel", "loket", "dienst", "bende", "volk", "ambtenaren",
		"medewerkers", "medewerker", "bot", "robot", "chatbot",
		"administratie", "regering", "mensen", NULL
	};
	int p;

	if ((is_word(t, "gare") || is_word(t, "garen")))
		return 0;	/* checked with the word before, below */
	if (in_list(t, insults))
		return 1;
	for (p = 0; prefixes[p] != NULL; p++) {
		size_t n = strlen(prefixes[p]);

		if (t->n > n + 2 && strncmp(t->w, prefixes[p], n) == 0) {
			rest = *t;
			rest.w = t->w + n;
			rest.n = t->n - n;
			rest.canon = NULL;
			if (in_list(&rest, meant))
				return 1;
		}
	}
	if (q == NULL || q - t->w > 3)
		return 0;
	rest = *t;
	rest.w = q + 1;
	rest.n = t->n - (size_t)(q + 1 - t->w);
	rest.canon = NULL;
	return in_list(&rest, insults);
}

/* An insulting adjective next to whom it is aimed at ("luie bende",
 * "bende achterlijken", "vuile bureaucraten", "nutteloos volk"), or in
 * a clause that says what "jullie" are ("zijn jullie zo achterlijk"). */
static int
aimed_insult(const struct reader *r)
{
	static const char *const are[] = {
		"zijn", "zijt", "zijde", "zet", "are", "etes", NULL
	};
	int i, k, aimed, be;

	for (i = 0; i + 1 < r->n; i++)	/* "halve garen" */
		if (is_word(&r->t[i], "halve") && (is_word(&r->t[i + 1],
		    "gare") || is_word(&r->t[i + 1], "garen")))
			return 1;
	for (i = 0; i < r->n; i++) {
		if (!in_list(&r->t[i], insult_adjectives) || negated(r, i))
			continue;
		if ((i + 1 < r->n && in_list(&r->t[i + 1], insult_targets)) ||
		    (i + 2 < r->n && intensifier(&r->t[i + 1]) &&
		    in_list(&r->t[i + 2], insult_targets)) ||
		    (i > 0 && is_word(&r->t[i - 1], "bende")))
			return 1;
		aimed = be = 0;
		for (k = 0; k < r->n; k++) {
			if (r->t[k].clause != r->t[i].clause)
				continue;
			aimed |= is_word(&r->t[k], "jullie") ||
			    is_word(&r->t[k], "gij") || is_word(&r->t[k], "ge") ||
			    is_word(&r->t[k], "you") || is_word(&r->t[k], "vous");
			be |= in_list(&r->t[k], are);
		}
		if (aimed && be)
			return 1;
	}
	return 0;
}

static void
read_acts(const struct reader *r, const struct intent_result *ir,
    struct signals *s)
{
	int sent, i;

	for (sent = 0; sent < r->nclause; sent++) {
		if (stop_sentence(r, sent) || stop_sending(r, sent))
			s->stop = 1;
	}
	for (sent = 0; sent < r->nclause; sent++)
		if (person_sentence(r, sent) || callback_sentence(r, sent))
			s->person = 1;
	/* A stop word alone is not always in the list ("genoeg nu"). */
	if (!s->stop && ir != NULL && strcmp(ir->intent, "stop") == 0 &&
	    ir->confidence >= 0.8 && s->words <= 3 && !s->contact.phone[0] &&
	    !s->contact.email[0])
		s->stop = 1;
	/* Nor every way to ask for one ("is er iemand van vlees en
	 * bloed?"): a short message the classifier is sure of counts. */
	if (!s->person && ir != NULL && strcmp(ir->intent, "medewerker") ==
	    0 && ir->confidence >= 0.9 && !s->narrative && !has_any(r,
	    story_verbs) && !has_any(r, negators))
		s->person = 1;
	for (i = 0; i < r->n; i++)
		if (insult_word(&r->t[i]) || (is_word(&r->t[i],
		    "stelletje") && i + 1 < r->n) || (fuck_word(&r->t[i]) &&
		    i + 1 < r->n && (is_word(&r->t[i + 1], "you") ||
		    is_word(&r->t[i + 1], "off") ||
		    is_word(&r->t[i + 1], "jullie"))))
			s->abuse = 1;
	if (strstr(r->text, "\xf0\x9f\x96\x95") != NULL)	/* middle finger */
		s->abuse = 1;
	if (aimed_insult(r))
		s->abuse = 1;
}

/* A thank-you or goodbye and nothing else: no question, no detail. */
static int
closes(const struct reader *r)
{
	int i, thanks = 0;

	if (strchr(r->text, '?') != NULL)
		return 0;
	for (i = 0; i < r->n; i++) {
		if (r->t[i].data)
			return 0;
		if (in_list(&r->t[i], thanks_words))
			thanks = 1;
		else if (!in_list(&r->t[i], closing_extra) &&
		    !in_list(&r->t[i], fillers))
			return 0;
	}
	return thanks;
}

/* "geen idee", "weet ik niet", "aucune idee", "no idea": the citizen
 * cannot say what they need. */
static int
unsure(const struct reader *r)
{
	static const char *const no_idea[] = {
		"idee", "gedacht", "benul", "idea", "clue", NULL
	};
	static const char *const know[] = {
		"weet", "weten", "sais", "know", NULL
	};
	int i, k;

	for (i = 0; i < r->n; i++) {
		if (in_list(&r->t[i], no_idea) && i > 0 && (is_word(&r->t[i -
		    1], "geen") || is_word(&r->t[i - 1], "gene") ||
		    is_word(&r->t[i - 1], "flauw") || is_word(&r->t[i - 1],
		    "no") || is_word(&r->t[i - 1], "aucune")))
			return 1;
		if (!in_list(&r->t[i], know))
			continue;
		for (k = i - 2; k <= i + 3 && k < r->n; k++)
			if (k >= 0 && k != i && r->t[k].clause ==
			    r->t[i].clause && (in_list(&r->t[k], negators) ||
			    is_word(&r->t[k], "dont") ||
			    is_word(&r->t[k], "don't")))
				return 1;
	}
	return 0;
}

/* "ff wachten", "momentje, ik zoek de brief erbij", "ik kijk het even
 * na": the citizen asks for time.  "ik wacht al drie maanden" is a
 * story, so a wait word counts only where the message opens. */
static int
asks_for_time(const struct reader *r, const struct signals *s)
{
	static const char *const soft[] = {
		"ff", "even", "effe", "eventjes", "een", "ne", "one", "un",
		"just", "juste", "allez", "allee", "ok", "oke", NULL
	};
	static const char *const briefly[] = {
		"ff", "even", "effe", "eventjes", "erbij", "op", "na", "up",
		NULL
	};
	int i = first_content(r), k, look = 0, brief = 0;

	if (s->question || s->correction != SIGNALS_FIELD_NONE ||
	    s->contact.phone[0] || s->contact.email[0] || s->words > 12 ||
	    i >= r->n)
		return 0;
	if (in_list(&r->t[i], wait_words))
		return 1;
	if (i + 1 < r->n && in_list(&r->t[i], soft) &&
	    in_list(&r->t[i + 1], wait_words))
		return 1;
	if (s->words <= 4 && i + 1 < r->n)
		for (k = i; k + 1 < r->n; k++)
			if (is_word(&r->t[k], "ik") &&
			    in_list(&r->t[k + 1], wait_words))
				return 1;
	for (k = 0; k < r->n; k++) {
		look |= in_list(&r->t[k], looking_words) && k > 0 &&
		    is_word(&r->t[k - 1], "ik");
		brief |= in_list(&r->t[k], briefly);
	}
	return look && brief && s->words <= 10;
}

/* The clause of token i speaks of the citizen's own case: "stuur
 * mij", "mijn dossier".  "zet X duidelijker, ik heb lang gezocht" is
 * still a proposal: the reason is another clause. */
static int
about_self(const struct reader *r, int i)
{
	static const char *const self[] = {
		"ik", "mij", "me", "mijn", "m'n", "mn", "kheb", "kzou", "moi",
		"mon", "ma", "mes", "je", "j'ai", "jai", "m'envoyer", "my",
		"mine", "i", NULL
	};
	int k;

	for (k = 0; k < r->n; k++)
		if (r->t[k].clause == r->t[i].clause &&
		    in_list(&r->t[k], self))
			return 1;
	return 0;
}

/* Whether the sentence of token i ends in a question mark. */
static int
sentence_asks(const struct reader *r, int i)
{
	int k = i;

	while (k + 1 < r->n && r->t[k + 1].sent == r->t[i].sent)
		k++;
	return memchr(r->text + r->t[i].off, '?', (size_t)(r->t[k].end -
	    r->t[i].off) + 1) != NULL;
}

/* An imperative at token i that is about the service, not a request
 * for the citizen's own case: "stuur mij", "zet mijn adres juist", "laat
 * maar" (never mind) and questions are not proposals. */
static int
imperative_for_all(const struct reader *r, int i)
{
	static const char *const self[] = {
		"ik", "mij", "me", "mijn", "m'n", "mn", "moi", "mon", "ma",
		"mes", "my", "ons", "onze", "maar", NULL
	};
	int k;

	if (sentence_asks(r, i))
		return 0;
	/* "laat iemand van het personeel antwoorden": a person asked for */
	if (i + 1 < r->n && in_list(&r->t[i + 1], someone_words))
		return 0;
	for (k = i + 1; k < r->n && k <= i + 2; k++)
		if (r->t[k].clause == r->t[i].clause && in_list(&r->t[k], self))
			return 0;
	return 1;
}

/* Any verb softened into advice: "betaal de premies toch gewoon
 * maandelijks", "stop toch met die papieren formulieren".  Not a
 * pronoun or question word ("da kan toch ni"), not a denial after it. */
static int
softened(const struct reader *r, int i)
{
	static const char *const soft[] = { "toch", "gewoon", NULL };
	static const char *const not_verbs[] = {
		"da", "dat", "dit", "het", "'t", "ik", "je", "jij", "ge", "gij",
		"jullie", "we", "wij", "ze", "zij", "hij", "die", "er", "de",
		"een", "mijn", "uw", "hun", "is", "was", "zijn", "heb", "had",
		"en", "maar", "want", "dan", "nu", "ja", "nee", "kan", "ben",
		"wordt", "moet", "zal", "wil", "zou", "weet", NULL
	};
	int k, n = 0;

	for (k = i; k < r->n && r->t[k].clause == r->t[i].clause; k++)
		n++;
	if (n < 4 || r->t[i].data || in_list(&r->t[i], not_verbs) ||
	    in_list(&r->t[i], stop_words) ||
	    in_list(&r->t[i], question_words) || in_list(&r->t[i],
	    wait_words) || in_list(&r->t[i], fillers) ||
	    in_list(&r->t[i], no_words) || in_list(&r->t[i], yes_words))
		return 0;
	for (k = i + 1; k < r->n && k <= i + 3; k++) {
		if (r->t[k].clause != r->t[i].clause)
			return 0;
		if (in_list(&r->t[k], soft))
			return !(k + 1 < r->n && in_list(&r->t[k + 1],
			    negators));
	}
	return 0;
}

/* A proposal by its form, whatever its words: an imperative about the
 * service ("zet de rekenmodule op de homepage", "doe eens een
 * infoavond"), "jullie mogen gerust ...", or "waarom maken jullie geen
 * checklist?".  About the citizen's own case it is a request. */
static int
proposal(const struct reader *r)
{
	static const char *const imperatives[] = {
		"doe", "maak", "zet", "voeg", "plaats", "publiceer", "leg",
		"voorzie", "organiseer", "vermeld", "toon", "stuur", "geef",
		"bied", "zorg", "steek", "hang", "schrijf", "verander",
		"vereenvoudig", "verstuur", "verleng", "breng", "gebruik",
		"vervang", "schaf", "maakt", "laat", "betaal", "mettez",
		"ajoutez",
		"faites", "publiez", "proposez", "envoyez", "creez",
		"simplifiez", "prevoyez", "indiquez", "installez", "put",
		"add", "publish", "offer", "make", "create", "provide",
		"allow", "let", NULL
	};
	/* "misschien een filmpje maken?": a proposal with a question mark */
	static const char *const maybe[] = {
		"misschien", "mss", "misschie", "eventueel", "maybe",
		"perhaps", "peut-etre", "peutetre", NULL
	};
	static const char *const may[] = {
		"mogen", "moogt", "moogde", "mag", "zoudt", "zouden", NULL
	};
	static const char *const gently[] = {
		"gerust", "eens", "beter", "best", NULL
	};
	static const char *const doing[] = {
		"maken", "zetten", "doen", "voorzien", "bieden", "organiseren",
		"publiceren", "geven", "tonen", "vermelden", "sturen",
		"maakt", "zet", "doet", "voorziet", "toont", "steken",
		"plaatsen", "aanbieden", "opnemen", "toevoegen", "invoeren",
		"proposer", "offrir", "mettre", "ajouter", "faire", "creer",
		"make", "add", "offer", "create", "provide", NULL
	};
	static const char *const should[] = {
		"should", "devriez", "devriezvous", NULL
	};
	int i = first_content(r), k;

	if (i >= r->n)
		return 0;
	for (k = i; k < r->n; k++)
		if ((k == i || r->t[k - 1].clause != r->t[k].clause) &&
		    (in_list(&r->t[k], imperatives) || (k == i &&
		    softened(r, k))) && imperative_for_all(r, k))
			return 1;
	if (in_list(&r->t[i], maybe) && !about_self(r, i))
		for (k = i + 1; k < r->n; k++)
			if (r->t[k].clause == r->t[i].clause &&
			    in_list(&r->t[k], doing))
				return 1;
	for (k = 0; k + 1 < r->n; k++) {
		if (about_self(r, k))
			continue;
		if (in_list(&r->t[k], may) && k + 2 < r->n &&
		    (in_list(&r->t[k + 1], gently) ||
		    in_list(&r->t[k + 2], gently)))
			return 1;
		/* "you should ...", "vous devriez ...", "why don't you" */
		if (in_list(&r->t[k], should) && k > 0 &&
		    (is_word(&r->t[k - 1], "you") ||
		    is_word(&r->t[k - 1], "vous")))
			return 1;
		if (is_word(&r->t[k], "why") && (is_word(&r->t[k + 1],
		    "dont") || is_word(&r->t[k + 1], "don't")))
			return 1;
		/* "wat als jullie de formulieren digitaal laten tekenen?" */
		if (is_word(&r->t[k], "wat") && is_word(&r->t[k + 1], "als") &&
		    k + 2 < r->n && (is_word(&r->t[k + 2], "jullie") ||
		    is_word(&r->t[k + 2], "ge") || is_word(&r->t[k + 2], "u")))
			return 1;
		/* "why not ...", "pourquoi ne pas ..." */
		if ((is_word(&r->t[k], "why") && is_word(&r->t[k + 1], "not")) ||
		    (is_word(&r->t[k], "pourquoi") && k + 2 < r->n &&
		    is_word(&r->t[k + 1], "ne") && is_word(&r->t[k + 2], "pas")))
			return 1;
		/* "waarom niet alle premies op één website?" */
		if (is_word(&r->t[k], "waarom") && (is_word(&r->t[k + 1],
		    "niet") || is_word(&r->t[k + 1], "ni") ||
		    is_word(&r->t[k + 1], "geen")))
			return 1;
		if (is_word(&r->t[k], "waarom") && k + 3 < r->n &&
		    in_list(&r->t[k + 1], doing) &&
		    (is_word(&r->t[k + 2], "jullie") ||
		    is_word(&r->t[k + 2], "ge")) &&
		    (is_word(&r->t[k + 3], "geen") ||
		    is_word(&r->t[k + 3], "niet") || is_word(&r->t[k + 3],
		    "ni") || is_word(&r->t[k + 3], "gene")))
			return 1;
	}
	return 0;
}

static void
read_suggestion(const struct reader *r, struct signals *s)
{
	int i, k, j;

	s->proposal = proposal(r);

	for (i = 0; i < r->n; i++) {
		if (in_list(&r->t[i], suggestion_words) && !negated(r, i))
			s->explicit_suggestion = 1;
		for (k = 0; suggestion_pairs[k].a != NULL; k++) {
			if (!is_word(&r->t[i], suggestion_pairs[k].a))
				continue;
			for (j = i + 1; j < r->n && j <= i + 4; j++)
				if (is_word(&r->t[j], suggestion_pairs[k].b))
					s->explicit_suggestion = 1;
		}
	}
}

/* Words that name the detail a correction is about. */
static const char *const name_words[] = { "naam", "name", "nom", NULL };
static const char *const name_part_words[] = {
	"achternaam", "familienaam", "voornaam", "surname", "prenom", NULL
};
static const char *const contact_words[] = {
	"nummer", "gsm", "telefoon", "gsmnummer", "telefoonnummer", "mail",
	"email", "e-mail", "mailadres", "emailadres", "number", "numero",
	NULL
};

/* "mijn achternaam is Verhaegen": the word after token i, unless it is
 * a judgement ("de familienaam is fout") or no name at all. */
static void
read_name_part(const struct reader *r, int i, struct signals *s)
{
	static const char *const linking[] = {
		"is", "moet", "zijn", "est", NULL
	};
	const struct tok *u;
	char *to = r->t[i].w[0] == 'v' || r->t[i].w[0] == 'p' ?
	    s->firstname : s->surname;
	int k;

	for (k = i + 1; k < r->n && k <= i + 3; k++) {
		u = &r->t[k];
		if (in_list(u, linking))
			continue;
		if (!u->data && !in_list(u, negators) &&
		    !contact_name_stopword(u->w, u->n))
			snprintf(to, CONTACT_NAME_MAX, "%.*s", u->end - u->off,
			    r->text + u->off);
		return;
	}
}

static void
read_correction(const struct reader *r, struct signals *s)
{
	int i, field_name = 0, field_contact = 0, cue = 0, about;

	for (i = 0; i < r->n; i++) {
		const struct tok *t = &r->t[i];

		cue |= in_list(t, correction_cues);
		field_name |= in_list(t, name_words);
		field_contact |= in_list(t, contact_words);
		if (in_list(t, name_part_words)) {
			field_name = 1;
			read_name_part(r, i, s);
		}
	}
	about = field_contact || cue || s->answer == SIGNALS_NO;
	if (s->surname[0] != '\0' || s->firstname[0] != '\0' ||
	    (field_name && s->contact.name[0] != '\0'))
		s->correction = SIGNALS_FIELD_NAME;
	else if (about && (s->contact.phone[0] != '\0' ||
	    s->contact.email[0] != '\0'))
		s->correction = SIGNALS_FIELD_CONTACT;
	else if (about && s->contact.dossier[0] != '\0')
		s->correction = SIGNALS_FIELD_DOSSIER;
}

/* Right after the name was given: "Jos Claessen bedoel ik, sorry",
 * "oeps, Jan Peeters": a name with a word that owns up to a slip. */
static void
read_name_fix(const struct reader *r, const char *text,
    const struct strlist *patterns, struct signals *s)
{
	static const char *const slip[] = {
		"bedoel", "bedoelde", "sorry", "oeps", "oops", "typfout",
		"tikfout", "correctie", "verbetering", "pardon", "excuseer",
		"meant", "desole", NULL
	};
	struct contact_found f;
	char part[CONTACT_NAME_MAX * 2];
	int k;

	if (s->correction != SIGNALS_FIELD_NONE || s->contact.name[0] ||
	    s->contact.email[0] || s->contact.phone[0])
		return;
	for (k = 0; k < r->n && !in_list(&r->t[k], slip); k++)
		;
	if (k == r->n)
		return;
	/* The name is what stands before the slip word, or after it */
	if (k > 0)
		snprintf(part, sizeof(part), "%.*s", r->t[k].off, text);
	else
		snprintf(part, sizeof(part), "%s", text + r->t[k].end);
	contact_extract(part, patterns, 1, &f);
	if (f.name[0] == '\0')
		return;
	memcpy(s->contact.name, f.name, sizeof(s->contact.name));
	s->correction = SIGNALS_FIELD_NAME;
}

void
signals_read(const char *text, const struct intent_result *ir,
    const struct strlist *patterns, int name_asked, struct signals *s)
{
	struct reader r;	/* about 8 KiB */
	int i, first;

	memset(s, 0, sizeof(*s));
	s->rest = -1;
	if (text == NULL)
		return;
	tokenise(&r, text);
	for (i = 0; i < r.n; i++)
		if (!r.t[i].data)
			s->words++;
	contact_extract(text, patterns, name_asked == SIGNALS_NAME_ASKED,
	    &s->contact);
	s->short_answer = s->words <= SIGNALS_SHORT_WORDS;
	first = first_content(&r);
	s->question = strchr(text, '?') != NULL || (first < r.n &&
	    in_list(&r.t[first], question_words) && !exclamative(&r, first));
	for (i = 0; i < r.n && !s->question; i++)
		s->question = asks_to_know(&r, i) ||
		    wonders(&r, i) || asks_in_clause(&r, i);
	s->discontent = discontent(&r);
	s->rhetorical = rhetorical(&r, ir, s);
	s->negation = has_any(&r, negators);
	s->greeting = r.n > 0 && first == r.n;
	/* One question is not a story, even a long one. */
	s->narrative = s->words >= SIGNALS_STORY_WORDS && !(r.nsent <= 2 &&
	    first < r.n && in_list(&r.t[first], question_words));
	read_answer(&r, s);
	/* "jaja", "jao" answering "wat is uw naam?" is no name */
	if (s->contact.name[0] != '\0' && s->short_answer &&
	    s->answer != SIGNALS_NONE && name_is_answer(s->contact.name))
		s->contact.name[0] = '\0';
	read_choice(&r, s);
	read_acts(&r, ir, s);
	read_suggestion(&r, s);
	read_correction(&r, s);
	if (name_asked == SIGNALS_NAME_GIVEN)
		read_name_fix(&r, text, patterns, s);
	s->thanks = closes(&r);
	s->resolved = sorted_out(&r, s);
	s->thanked = first < r.n && in_list(&r.t[first], thanks_words) &&
	    !is_word(&r.t[first], "bye") && !is_word(&r.t[first], "doei");
	s->unsure = unsure(&r);
	s->wait = asks_for_time(&r, s);
	s->why = asks_why(&r, s);
}

int
signals_decide(const struct signals *s, struct intent_result *ir)
{
	char next[INTENT_ID_MAX];
	const char *to = NULL;

	if (s->abuse)
		to = "scheldwoorden";
	else if (s->explicit_complaint && !s->not_complaint)
		to = "klacht";
	else if (strcmp(ir->intent, "klacht") == 0 && s->not_complaint)
		to = s->question ? "vraag" : ir->second; /* "geen klacht" */
	else if ((s->explicit_suggestion || s->proposal) &&
	    !s->explicit_complaint &&
	    (strcmp(ir->intent, "ongenoegen") == 0 ||
	    strcmp(ir->intent, "vraag") == 0 ||
	    strcmp(ir->intent, "medewerker") == 0 ||
	    strcmp(ir->intent, "begroeting") == 0 ||
	    strcmp(ir->intent, "onbekend") == 0) &&
	    (ir->topic[0] == '\0' || !s->question || s->proposal ||
	    strcmp(s->choice, "suggestie") == 0))
		to = "suggestie";	/* "tip: ...", even about a topic */
	else if ((strcmp(ir->intent, "vraag") == 0 ||
	    (strcmp(ir->intent, "onbekend") == 0 && s->discontent == 2) ||
	    (strcmp(ir->intent, "suggestie") == 0 && s->rhetorical)) &&
	    !s->not_complaint && (s->words >= 3 ||
	    strcmp(ir->intent, "onbekend") == 0) && (s->rhetorical ||
	    (s->discontent && !s->question && (s->answer == SIGNALS_NONE ||
	    (s->answer == SIGNALS_YES && !s->short_answer)))))
		to = "ongenoegen";	/* a grievance that asks nothing, or
					   only for the sake of asking */
	else if (strcmp(ir->intent, "ongenoegen") == 0 && s->question &&
	    !s->discontent && !s->rhetorical && ir->confidence < 0.6 &&
	    !s->abuse)
		to = "vraag";	/* "wat moeten wij nu doen?" */
	else if (strcmp(ir->intent, "suggestie") == 0 && s->question &&
	    !s->explicit_suggestion && !s->proposal && !s->negation)
		to = "vraag";	/* "doen jullie ook afspraken via video?" */
	else if ((strcmp(ir->intent, "suggestie") == 0 ||
	    strcmp(ir->intent, "bedankt") == 0 ||
	    strcmp(ir->intent, "medewerker") == 0) && s->discontent == 2 &&
	    !s->question && !s->explicit_suggestion && !s->proposal &&
	    !s->thanks && !s->person)
		to = "ongenoegen";	/* "bedankt voor niks 🙄" */
	else if (s->thanked && !s->person && !s->question &&
	    s->discontent != 2 && (strcmp(ir->intent, "medewerker") == 0 ||
	    strcmp(ir->intent, "ongenoegen") == 0))
		to = "bedankt";	/* "merci aan de medewerker die ..." */
	else if (s->stop && strcmp(ir->intent, "stop") != 0)
		to = "stop";
	else if (s->person && strcmp(ir->intent, "medewerker") != 0 &&
	    strcmp(ir->intent, "klacht") != 0)
		to = "medewerker";
	else if ((s->thanks || s->greeting) && (strcmp(ir->intent,
	    "onbekend") == 0 || strcmp(ir->intent, "vraag") == 0))
		to = s->thanks ? "bedankt" : "begroeting";
	else if (strcmp(ir->intent, "begroeting") == 0 && s->words > 4 &&
	    (s->question || s->narrative))
		to = "vraag";	/* "Bonjour, à quelle heure ...?" */
	else if (strcmp(ir->intent, "medewerker") == 0 && !s->person &&
	    s->question && s->narrative)
		to = "vraag";	/* "who is the contact person for ...?" */
	else if (strcmp(ir->intent, "stop") == 0 && !s->stop &&
	    s->words > 3 && s->question)
		to = "vraag";	/* "is het waar dat de premie stopt?" */
	else if (strcmp(ir->intent, "scheldwoorden") == 0 &&
	    ir->confidence < 0.9 && ir->second[0] != '\0')
		to = ir->second;	/* swearing without an insult */
	else if (strcmp(ir->intent, "stop") == 0 && !s->stop &&
	    (s->contact.phone[0] != '\0' || s->contact.email[0] != '\0') &&
	    ir->second[0] != '\0')
		to = ir->second;	/* "bel me maar op ...": no stop */
	if (to == NULL || strcmp(ir->intent, to) == 0)
		return 0;
	snprintf(next, sizeof(next), "%s", to);	/* to may be ir->second */
	to = next;
	if (strcmp(ir->intent, "onbekend") != 0) {
		snprintf(ir->second, sizeof(ir->second), "%s", ir->intent);
		ir->second_confidence = ir->confidence;
	}
	snprintf(ir->intent, sizeof(ir->intent), "%s", to);
	if (ir->confidence < 0.9)
		ir->confidence = 0.9;
	return 1;
}
