/*
 * dialog_match.c — understanding typed choices.  Buttons are not always
 * pressed: people type "2" or name what they mean ("de naam is fout").
 * Yes, no and the menu choices are read by signals.c, in the light of
 * the message's shape; this file maps them onto the menu asked, and
 * finds the detail of a summary a citizen names.
 */
#include "dialog_int.h"

#include "signals.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define FOLD_MAX	512

struct keyword {
	const char	*word;
	const char	*id;
};

/* The details of a case summary, as citizens name them. */
static const struct keyword field_words[] = {
	{ "naam", "naam" }, { "name", "naam" }, { "nom", "naam" },
	{ "contact", "contact" }, { "contactgegevens", "contact" },
	{ "email", "contact" }, { "mail", "contact" }, { "mailadres", "contact" },
	{ "emailadres", "contact" }, { "telefoon", "contact" },
	{ "telefoonnummer", "contact" }, { "nummer", "contact" },
	{ "gsm", "contact" }, { "phone", "contact" }, { "coordonnees", "contact" },
	{ "beschrijving", "beschrijving" }, { "omschrijving", "beschrijving" },
	{ "description", "beschrijving" }, { "tekst", "beschrijving" },
	{ NULL, NULL }
};

static const char *const negators[] = {
	"geen", "niet", "nie", "not", "pas", "no", "never", NULL
};

static const char *
lookup(const struct keyword *kw, const char *w, size_t n)
{
	for (; kw->word != NULL; kw++)
		if (strlen(kw->word) == n && strncmp(kw->word, w, n) == 0)
			return kw->id;
	return NULL;
}

static int
is_negator(const char *w, size_t n)
{
	size_t i;

	for (i = 0; negators[i] != NULL; i++)
		if (strlen(negators[i]) == n && strncmp(negators[i], w, n) == 0)
			return 1;
	return 0;
}

static int
allowed(const char *id, const struct dlg_menu *menu,
    const char *const *extra)
{
	int i;

	for (i = 0; menu != NULL && i < menu->n; i++)
		if (strcmp(menu->ids[i], id) == 0)
			return 1;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		if (strcmp(extra[i], id) == 0)
			return 1;
	return 0;
}

/* First keyword of kw in the folded text, skipping negated ones. */
static const char *
scan(const char *f, const struct keyword *kw)
{
	const char *p = f, *id;
	int negated = 0;
	size_t n;

	for (;;) {
		p += strspn(p, " '");
		if (*p == '\0')
			return NULL;
		n = strcspn(p, " '");
		id = lookup(kw, p, n);
		if (id != NULL && !negated)
			return id;
		negated = is_negator(p, n);
		p += n;
	}
}

/* "2", "2.", "(2)", "nr 2": a number from the menu. */
static const char *
menu_number(const char *f, const struct dlg_menu *menu)
{
	const char *p = f + strspn(f, " ");
	int k;

	if (strncmp(p, "nr ", 3) == 0)
		p += 3 + strspn(p + 3, " ");
	if (!isdigit((unsigned char)p[0]) || isdigit((unsigned char)p[1]))
		return NULL;
	if (p[1 + strspn(p + 1, " ")] != '\0')
		return NULL;
	k = p[0] - '1';
	return menu != NULL && k >= 0 && k < menu->n ? menu->ids[k] : NULL;
}

const char *
dlg_field(const char *text)
{
	char f[FOLD_MAX];

	if (text == NULL)
		return NULL;
	signals_fold(text, f, sizeof(f));
	return scan(f, field_words);
}

int
dlg_words(const char *text)
{
	const char *p = text;
	int n = 0;

	if (text == NULL)
		return 0;
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			return n;
		n++;
		p += strcspn(p, " \t\r\n");
	}
}

static int
has_phrase(const char *text, const char *const *phrases)
{
	char f[FOLD_MAX], pad[FOLD_MAX + 2], needle[64];
	size_t i;

	if (text == NULL)
		return 0;
	signals_fold(text, f, sizeof(f));
	snprintf(pad, sizeof(pad), " %s ", f);
	for (i = 0; phrases[i] != NULL; i++) {
		snprintf(needle, sizeof(needle), " %s ", phrases[i]);
		if (strstr(pad, needle) != NULL)
			return 1;
	}
	return 0;
}

int
dlg_withdraws(const char *text)
{
	static const char *const p[] = {
		"geen klacht", "toch niet", "laat maar", "laat maar zitten",
		"niet meer nodig", "hoeft niet", "toch geen", "pas de plainte",
		"laisse tomber", "no complaint", "never mind", "nevermind",
		"forget it", NULL
	};

	return has_phrase(text, p);
}

int
dlg_this_number(const char *text)
{
	static const char *const p[] = {
		"dit nummer", "dat nummer", "zelfde nummer", "hetzelfde nummer",
		"dit nummer gebruiken", "mijn whatsapp nummer", "dit gsm nummer",
		"ce numero", "this number", "same number", NULL
	};

	return has_phrase(text, p);
}

int
dlg_is(const struct dialog_input *in, const char *intent)
{
	return in->intent != NULL && strcmp(in->intent->intent, intent) == 0;
}

const char *
dlg_menu_pick(const struct dialog_input *in, const struct dlg_menu *menu,
    const char *const *extra)
{
	char f[FOLD_MAX];

	if (in->payload != NULL && *in->payload != '\0' &&
	    allowed(in->payload, menu, extra))
		return in->payload;
	if (in->text == NULL)
		return NULL;
	signals_fold(in->text, f, sizeof(f));
	return menu_number(f, menu);
}

const char *
dlg_choice(const struct dialog_input *in, const struct dlg_menu *menu)
{
	const char *id = dlg_menu_pick(in, menu, NULL);

	if (id == NULL && in->sig != NULL && in->sig->choice[0] != '\0' &&
	    allowed(in->sig->choice, menu, NULL))
		id = in->sig->choice;
	return id;
}

const char *
dlg_answer(const struct dialog_input *in, const struct dlg_menu *menu)
{
	const char *id = dlg_menu_pick(in, menu, NULL);

	if (id != NULL || in->sig == NULL)
		return id;
	if (in->sig->answer == SIGNALS_YES && allowed("ja", menu, NULL))
		return "ja";
	if (in->sig->answer == SIGNALS_NO && allowed("nee", menu, NULL))
		return "nee";
	return NULL;
}

int
dlg_plain_yes(const char *text)
{
	static const char *const plain[] = {
		"ja", "jawel", "jaja", "jaa", "graag", "yes", "oui", NULL
	};
	char f[FOLD_MAX];
	size_t n, i;
	const char *p;

	if (text == NULL)
		return 0;
	signals_fold(text, f, sizeof(f));
	p = f + strspn(f, " ");
	n = strcspn(p, " ");
	for (i = 0; plain[i] != NULL; i++)
		if (strlen(plain[i]) == n && strncmp(plain[i], p, n) == 0)
			return 1;
	return 0;
}

int
dlg_rest_words(const struct dialog_input *in, int n)
{
	if (in->sig == NULL || in->sig->rest < 0 || in->text == NULL ||
	    (size_t)in->sig->rest >= strlen(in->text))
		return 0;
	return dlg_words(in->text + in->sig->rest) >= n;
}
