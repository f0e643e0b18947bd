/*
 * locales.c — the reply texts.  See locales.h for the file format and the
 * checks.  Sets are small (a hundred keys per language) so lookups are
 * linear; loading happens at start and on SIGHUP only.
 */
#include "locales.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define LINE_MAX_BYTES	4096
#define TOPIC_PREFIX	"onderwerp."

/* The texts the dialog sends (dialog.c names them); all required. */
const char *const locales_keys[] = {
	"welkom", "keuze.opnieuw", "keuze.nog_iets", "kritiek.erkend", "klacht.verduidelijk",
	"klacht.verduidelijk_opnieuw", "klacht.doorverwijzing",
	"klacht.doorverwijzing_tel", "klacht.dossier", "klacht.naam",
	"klacht.naam_opnieuw", "klacht.contact", "klacht.contact_wa",
	"klacht.contact_email_fout", "klacht.contact_tel_fout",
	"klacht.contact_opnieuw", "klacht.naam_na_verhaal",
	"klacht.contact_na_verhaal", "klacht.waarom_naam",
	"klacht.waarom_contact", "klacht.beschrijving",
	"klacht.beschrijving_opnieuw", "klacht.bevestig",
	"klacht.aanpassen", "klacht.naam_aanpassen",
	"klacht.contact_aanpassen", "klacht.beschrijving_aanpassen", "klacht.geregistreerd", "klacht.ingetrokken",
	"vraag.welke", "suggestie.welke", "suggestie.bedankt",
	"bedankt.afsluiting", "wachten.ok", "stop.bevestiging",
	"overdracht.vraag",
	"overdracht.medewerker", "overdracht.onbekend", "overdracht.media",
	"overdracht.gegevens", "overdracht.herhaald", "wanneer.open",
	"wanneer.gesloten", "wanneer.later", "knop.vraag", "knop.klacht",
	"knop.suggestie", "knop.klacht_ja", "knop.ja", "knop.nee",
	"knop.eigen_nummer", "knop.naam", "knop.contact",
	"knop.beschrijving", "knop.kies",
	/* Added by conv_text.c around the dialog's replies. */
	"chatbot.intro", "taal.alleen_nl", "privacy.uitleg",
	"klacht.bevestig_ingekort",
	/* Sent when staff hand a conversation back (conv_staff.c). */
	"terug.bot", "terug.wachtrij",
	NULL
};

const char *const locales_placeholders[] = {
	"agency_name", "agency_phone", "agency_email", "website",
	"office_hours", "complaint_url", "coordinator_email",
	"coordinator_phone", "dossier_email", "dossier", "reference", "name",
	"contact", "description", "term_days", "next_open", "staff_when",
	"agency_of", "privacy_url", "privacy_note",
	NULL
};

static const char *const langs[] = { "nl", "fr", "en" };
#define N_LANGS	(sizeof(langs) / sizeof(langs[0]))

struct entry {
	char	*key;
	char	*text;
};

struct lang_set {
	int		 loaded;
	struct entry	*v;
	size_t		 n, cap;
};

struct locales {
	struct lang_set	 set[N_LANGS];
};

static int
lang_index(const char *lang)
{
	size_t i;

	for (i = 0; lang != NULL && i < N_LANGS; i++)
		if (strcmp(langs[i], lang) == 0)
			return (int)i;
	return -1;
}

static int
in_list(const char *const *list, const char *s, size_t n)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncmp(list[i], s, n) == 0)
			return 1;
	return 0;
}

static const struct entry *
find(const struct lang_set *ls, const char *key)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].key, key) == 0)
			return &ls->v[i];
	return NULL;
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Unescapes \n and \\ in place. */
static void
unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*w++ = '\\';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* The first unknown {placeholder} in text, or NULL; n gets its length. */
static const char *
bad_placeholder(const char *text, size_t *n)
{
	const char *p = text, *e;

	while ((p = strchr(p, '{')) != NULL) {
		e = p + 1;
		while (*e == '_' || islower((unsigned char)*e))
			e++;
		if (*e == '}' && e > p + 1 &&
		    !in_list(locales_placeholders, p + 1, (size_t)(e - p - 1))) {
			*n = (size_t)(e - p + 1);
			return p;
		}
		p++;
	}
	return NULL;
}

static int
valid_key(const char *k)
{
	if (*k == '\0')
		return 0;
	for (; *k != '\0'; k++)
		if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) &&
		    *k != '.' && *k != '_' && *k != '-')
			return 0;
	return 1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
add_entry(struct lang_set *ls, const char *key, const char *text)
{
	struct entry *nv;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;

		nv = realloc(ls->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		ls->v = nv;
		ls->cap = cap;
	}
	ls->v[ls->n].key = strdup(key);
	ls->v[ls->n].text = strdup(text);
	if (ls->v[ls->n].key == NULL || ls->v[ls->n].text == NULL) {
		free(ls->v[ls->n].key);
		free(ls->v[ls->n].text);
		return -1;
	}
	ls->n++;
	return 0;
}

/* Checks and stores one `key = text` line; 0 or -1 with err filled. */
static int
parse_line(struct lang_set *ls, char *line, const char *file, int lineno,
    char *err, size_t errlen)
{
	char *eq, *key, *text;
	const char *bad;
	size_t n;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(err, errlen, "%s:%d: expected 'key = text'", file,
		    lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	text = trim(eq + 1);
	unescape(text);
	if (!valid_key(key) || (!in_list(locales_keys, key, strlen(key)) &&
	    strncmp(key, TOPIC_PREFIX, strlen(TOPIC_PREFIX)) != 0)) {
		snprintf(err, errlen, "%s:%d: unknown key '%s'", file, lineno,
		    key);
		return -1;
	}
	if (find(ls, key) != NULL) {
		snprintf(err, errlen, "%s:%d: duplicate key '%s'", file,
		    lineno, key);
		return -1;
	}
	if (*text == '\0') {
		snprintf(err, errlen, "%s:%d: empty text for '%s'", file,
		    lineno, key);
		return -1;
	}
	if ((bad = bad_placeholder(text, &n)) != NULL) {
		snprintf(err, errlen, "%s:%d: unknown placeholder '%.*s'",
		    file, lineno, (int)n, bad);
		return -1;
	}
	if (strncmp(key, "knop.", 5) == 0 &&
	    utf8_chars(text) > LOCALE_BUTTON_MAX) {
		snprintf(err, errlen, "%s:%d: button title '%s' is longer "
		    "than %d characters", file, lineno, text,
		    LOCALE_BUTTON_MAX);
		return -1;
	}
	if (add_entry(ls, key, text) == -1) {
		snprintf(err, errlen, "%s:%d: out of memory", file, lineno);
		return -1;
	}
	return 0;
}

static int
check_complete(const struct lang_set *ls, const char *file, int lines,
    char *err, size_t errlen)
{
	size_t i;

	for (i = 0; locales_keys[i] != NULL; i++) {
		if (find(ls, locales_keys[i]) == NULL) {
			snprintf(err, errlen, "%s:%d: missing key '%s'", file,
			    lines, locales_keys[i]);
			return -1;
		}
	}
	return 0;
}

/* Reads the lines of f (named path in errors) into ls. */
static int
load_stream(struct lang_set *ls, FILE *f, const char *path, char *err,
    size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (len > LINE_MAX_BYTES) {
			snprintf(err, errlen, "%s:%d: line too long", path,
			    lineno);
			rc = -1;
		} else {
			rc = parse_line(ls, line, path, lineno, err, errlen);
		}
	}
	free(line);
	if (rc == 0)
		rc = check_complete(ls, path, lineno, err, errlen);
	ls->loaded = (rc == 0);
	return rc;
}

/* Loads one file; a missing optional file is not an error. */
static int
load_lang(struct lang_set *ls, const char *dir, const char *lang,
    int required, char *err, size_t errlen)
{
	char path[1024];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.txt", dir, lang);
	if ((f = fopen(path, "r")) == NULL) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s:0: %s", path, strerror(errno));
		return -1;
	}
	rc = load_stream(ls, f, path, err, errlen);
	fclose(f);
	return rc;
}

struct locales *
locales_parse_nl(const char *text, size_t len, char *err, size_t errlen)
{
	struct locales *l;
	FILE *f;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "nl.txt: out of memory");
		return NULL;
	}
	/* fmemopen() refuses a zero size; an empty text reads as "\n". */
	f = len > 0 ? fmemopen((void *)(uintptr_t)text, len, "r") :
	    fmemopen((void *)(uintptr_t)"\n", 1, "r");
	if (f == NULL || load_stream(&l->set[0], f, "nl.txt", err,
	    errlen) == -1) {
		if (f == NULL)
			snprintf(err, errlen, "nl.txt: out of memory");
		else
			fclose(f);
		locales_free(l);
		return NULL;
	}
	fclose(f);
	return l;
}

void
locales_free(struct locales *l)
{
	size_t i, k;

	if (l == NULL)
		return;
	for (i = 0; i < N_LANGS; i++) {
		for (k = 0; k < l->set[i].n; k++) {
			free(l->set[i].v[k].key);
			free(l->set[i].v[k].text);
		}
		free(l->set[i].v);
	}
	free(l);
}

struct locales *
locales_load(const char *dir, char *err, size_t errlen)
{
	struct locales *l;
	size_t i;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return NULL;
	}
	for (i = 0; i < N_LANGS; i++) {
		if (load_lang(&l->set[i], dir, langs[i], i == 0, err,
		    errlen) == -1) {
			locales_free(l);
			return NULL;
		}
	}
	return l;
}

int
locales_has_lang(const struct locales *l, const char *lang)
{
	int i = lang_index(lang);

	return l != NULL && i >= 0 && l->set[i].loaded;
}

const char *
locales_text(const struct locales *l, const char *lang, const char *key)
{
	const struct entry *e = NULL;
	int i = lang_index(lang);

	if (l == NULL || key == NULL)
		return NULL;
	if (i >= 0 && l->set[i].loaded)
		e = find(&l->set[i], key);
	if (e == NULL && (i <= 0 || strncmp(key, TOPIC_PREFIX,
	    strlen(TOPIC_PREFIX)) == 0))
		e = find(&l->set[0], key);
	return e != NULL ? e->text : NULL;
}

int
locales_has(const struct locales *l, const char *lang, const char *key)
{
	return locales_text(l, lang, key) != NULL;
}

static const char *
arg_value(const struct locale_arg *args, size_t nargs, const char *name,
    size_t n)
{
	size_t i;

	for (i = 0; i < nargs; i++)
		if (strlen(args[i].name) == n &&
		    strncmp(args[i].name, name, n) == 0)
			return args[i].value != NULL ? args[i].value : "";
	return NULL;
}

char *
locales_render(const struct locales *l, const char *lang, const char *key,
    const struct locale_arg *args, size_t nargs)
{
	const char *t = locales_text(l, lang, key), *p, *e, *v;
	struct buf b;

	if (t == NULL)
		return NULL;
	buf_init(&b, 64 * 1024);
	for (p = t; *p != '\0'; p++) {
		if (*p == '{') {
			e = p + 1;
			while (*e == '_' || islower((unsigned char)*e))
				e++;
			if (*e == '}' && in_list(locales_placeholders, p + 1,
			    (size_t)(e - p - 1))) {
				v = arg_value(args, nargs, p + 1,
				    (size_t)(e - p - 1));
				if (v != NULL && buf_append(&b, v,
				    strlen(v)) == -1)
					return NULL;
				p = e;
				continue;
			}
		}
		if (buf_putc(&b, *p) == -1)
			return NULL;
	}
	if (b.data == NULL && buf_append(&b, "", 0) == -1)
		return NULL;
	return buf_take(&b);
}
