/*
 * conv_text.c — turns the dialog's replies (locale keys and choices) into
 * outbox bodies: fills the placeholders from the agency, the slots and
 * the clock (agency names in sentence form, phone numbers grouped),
 * formats office hours and opening times per language, adds what goes
 * around a text (the chatbot's introduction, the note on a language the
 * agency does not offer, what personal data are for), and writes the JSON
 * that outbox.h describes.
 */
#include "conv_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "locales.h"
#include "phone.h"

/*
 * How each language writes days and times.  Office hours become one
 * line per group of days with the same hours, in words a screen reader
 * reads well ("maandag tot donderdag: 9 tot 12 uur"), not "ma-do
 * 9.00-12.00".
 */
struct lang_words {
	const char	*lang;
	const char	*day[7];	/* Monday first */
	const char	*month[12];
	/* Words around days and times: pre, between: "le ", " et le ". */
	const char	*one_pre;		/* one day */
	const char	*two_pre, *two_mid;	/* two days */
	const char	*span_pre, *span_mid;	/* days from ... to */
	const char	*range_pre, *range_mid;	/* hours from ... to */
	const char	*and_word;	/* between the last two ranges */
	const char	*at_word;	/* a moment: "maandag ... om 9 uur" */
	int		 style;		/* how a time of day is written */
};

enum { T_NL, T_FR, T_EN };	/* 9 uur / 8.30 uur, 9 h / 8 h 30, 9:00 */

static const struct lang_words words[] = {
	{ "nl",
	  { "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
	    "zaterdag", "zondag" },
	  { "januari", "februari", "maart", "april", "mei", "juni", "juli",
	    "augustus", "september", "oktober", "november", "december" },
	  "", "", " en ", "", " tot ", "", " tot ", "en", "om", T_NL },
	{ "fr",
	  { "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
	    "dimanche" },
	  { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	    "août", "septembre", "octobre", "novembre", "décembre" },
	  "le ", "le ", " et le ", "du ", " au ", "de ", " à ", "et", "à",
	  T_FR },
	{ "en",
	  { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	    "Saturday", "Sunday" },
	  { "January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December" },
	  "", "", " and ", "", " to ", "", " to ", "and", "at", T_EN },
};

static const struct lang_words *
words_for(const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (lang != NULL && strcmp(words[i].lang, lang) == 0)
			return &words[i];
	return &words[0];
}

/* A time of day; "uur" only after the last time of a Dutch range, so
 * "9 tot 12 uur" reads as it is said. */
static void
fmt_minutes(const struct lang_words *w, int m, int last, char *out,
    size_t outlen)
{
	int h = m / 60, min = m % 60;

	switch (w->style) {
	case T_NL:
		if (min == 0)
			snprintf(out, outlen, "%d%s", h, last ? " uur" : "");
		else
			snprintf(out, outlen, "%d.%02d%s", h, min,
			    last ? " uur" : "");
		break;
	case T_FR:
		if (min == 0)
			snprintf(out, outlen, "%d h", h);
		else
			snprintf(out, outlen, "%d h %02d", h, min);
		break;
	default:
		snprintf(out, outlen, "%d:%02d", h, min);
		break;
	}
}

static int
same_hours(const struct day_hours *a, const struct day_hours *b)
{
	int i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->open[i] != b->open[i] || a->close[i] != b->close[i])
			return 0;
	return 1;
}

/* "9 tot 12 uur en 13 tot 16 uur" */
static void
fmt_ranges(const struct lang_words *w, const struct day_hours *h,
    char *out, size_t outlen)
{
	char o[24], c[24], sep[16], one[64];
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < h->n && len < outlen; i++) {
		fmt_minutes(w, h->open[i], 0, o, sizeof(o));
		fmt_minutes(w, h->close[i], 1, c, sizeof(c));
		if (i == 0)
			sep[0] = '\0';
		else if (i == h->n - 1)
			snprintf(sep, sizeof(sep), " %s ", w->and_word);
		else
			snprintf(sep, sizeof(sep), ", ");
		snprintf(one, sizeof(one), "%s%s%s%s", w->range_pre, o,
		    w->range_mid, c);
		len += (size_t)snprintf(out + len, outlen - len, "%s%s", sep,
		    one);
	}
}

/* The days d to e: "vrijdag", "maandag en dinsdag", "du lundi au jeudi". */
static void
fmt_days(const struct lang_words *w, int d, int e, char *out, size_t outlen)
{
	if (e == d)
		snprintf(out, outlen, "%s%s", w->one_pre, w->day[d]);
	else if (e == d + 1)
		snprintf(out, outlen, "%s%s%s%s", w->two_pre, w->day[d],
		    w->two_mid, w->day[e]);
	else
		snprintf(out, outlen, "%s%s%s%s", w->span_pre, w->day[d],
		    w->span_mid, w->day[e]);
}

void
conv_office_hours(const struct agency *a, const char *lang, char *out,
    size_t outlen)
{
	const struct lang_words *w = words_for(lang);
	char ranges[160], days[64];
	size_t len = 0;
	int d = 0, e;

	out[0] = '\0';
	while (d < 7 && len < outlen) {
		if (a->hours[d].n == 0) {
			d++;
			continue;
		}
		for (e = d; e + 1 < 7 && same_hours(&a->hours[d],
		    &a->hours[e + 1]); e++)
			;
		fmt_days(w, d, e, days, sizeof(days));
		fmt_ranges(w, &a->hours[d], ranges, sizeof(ranges));
		len += (size_t)snprintf(out + len, outlen - len, "%s%s%s: %s",
		    len ? "\n" : "", days, w->style == T_FR ? " " : "",
		    ranges);
		d = e + 1;
	}
}

void
conv_format_time(long long ms, const char *lang, char *out, size_t outlen)
{
	const struct lang_words *w = words_for(lang);
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char hm[24];

	t += config_brussels_utc_offset(t);
	gmtime_r(&t, &tm);
	fmt_minutes(w, tm.tm_hour * 60 + tm.tm_min, 1, hm, sizeof(hm));
	snprintf(out, outlen, "%s %d %s %s %s", w->day[(tm.tm_wday + 6) % 7],
	    tm.tm_mday, w->month[tm.tm_mon], w->at_word, hm);
}

/* ---- placeholders ------------------------------------------------------ */

#define MAX_ARGS	24
/* The description is repeated in the confirmation, a message with
 * buttons, whose body WhatsApp limits to 1024 characters. */
#define DESC_SHOWN	300
/* A reply with everything around it; WhatsApp allows 4096 characters. */
#define REPLY_MAX	(64u << 10)

/* Copies at most max bytes of s, cut at a UTF-8 boundary, with "…";
 * 1 if it had to cut. */
static int
shorten(const char *s, size_t max, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (n <= max) {
		snprintf(out, outlen, "%s", s);
		return 0;
	}
	while (n > max || (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80))
		n--;
	snprintf(out, outlen, "%.*s\xe2\x80\xa6", (int)n, s);
	return 1;
}

/* Whether a French word takes "d'" instead of "de": a vowel or a mute h,
 * accented capitals included (É, È, Ê, À, Â, Î, Ô, Û are 0xc3 0x80-0x9f). */
static int
elides(const char *w)
{
	const unsigned char *u = (const unsigned char *)w;

	return strchr("aeiouyhAEIOUYH", u[0]) != NULL ||
	    (u[0] == 0xc3 && u[1] >= 0x80 && u[1] <= 0xbf);
}

/*
 * The agency name after "of": "van de Vlaamse Maatschappij ...", "of the
 * Department ...", and in French "de" contracted or elided: "du
 * Département", "de la Société", "de l'Agence", "d'Agentschap ...".
 */
static void
agency_of(const struct agency *a, const char *lang, char *out,
    size_t outlen)
{
	const char *form = config_agency_name(a, lang);

	if (strcmp(lang, "en") == 0)
		snprintf(out, outlen, "of %s", form);
	else if (strcmp(lang, "fr") != 0)
		snprintf(out, outlen, "van %s", form);
	else if (strncmp(form, "le ", 3) == 0)
		snprintf(out, outlen, "du %s", form + 3);
	else if (strncmp(form, "les ", 4) == 0)
		snprintf(out, outlen, "des %s", form + 4);
	else if (strncmp(form, "la ", 3) == 0 || strncmp(form, "l'", 2) == 0 ||
	    strncmp(form, "l\xe2\x80\x99", 4) == 0 || !elides(form))
		snprintf(out, outlen, "de %s", form);
	else
		snprintf(out, outlen, "d'%s", form);
}

struct args {
	struct locale_arg	 v[MAX_ARGS];
	size_t			 n;
	char			 hours[512], next_open[96], term[16];
	char			 of[320];
	char			 phone[CONTACT_PHONE_MAX + 8];
	char			 contact[CONTACT_EMAIL_MAX + CONTACT_PHONE_MAX + 12];
	char			 desc[DESC_SHOWN + 4];
	int			 desc_cut;	/* desc was shortened */
	char			*staff_when;	/* malloc'd */
	char			*privacy_note;	/* malloc'd */
};

static void
add(struct args *g, const char *name, const char *value)
{
	if (g->n < MAX_ARGS) {
		g->v[g->n].name = name;
		g->v[g->n].value = value;
		g->n++;
	}
}

static void
fill_args(const struct conv_render *r, struct args *g)
{
	const struct agency *a = r->agency;
	const struct dialog_state *st = &r->conv->st;

	memset(g, 0, sizeof(*g));
	conv_office_hours(a, st->lang, g->hours, sizeof(g->hours));
	if (r->next_open_ms > 0)
		conv_format_time(r->next_open_ms, st->lang, g->next_open,
		    sizeof(g->next_open));
	snprintf(g->term, sizeof(g->term), "%d", a->handling_term_days > 0 ?
	    a->handling_term_days : 45);
	agency_of(a, st->lang, g->of, sizeof(g->of));
	/* The citizen's own number with +32, grouped: it may be the
	 * WhatsApp number of someone abroad. */
	phone_write(st->phone, PHONE_INTERNATIONAL, g->phone,
	    sizeof(g->phone));
	snprintf(g->contact, sizeof(g->contact), "%s%s%s", st->email,
	    st->email[0] && g->phone[0] ? " / " : "", g->phone);
	add(g, "agency_name", config_agency_name(a, st->lang));
	add(g, "agency_of", g->of);
	add(g, "agency_phone", a->phone);
	add(g, "agency_email", a->email);
	add(g, "website", a->website);
	add(g, "privacy_url", a->privacy_url != NULL ? a->privacy_url :
	    a->website);
	add(g, "office_hours", g->hours);
	add(g, "complaint_url", a->complaint_url);
	add(g, "coordinator_email", a->coordinator_email);
	add(g, "coordinator_phone", a->coordinator_phone);
	add(g, "dossier_email", a->dossier_email);
	add(g, "dossier", st->dossier);
	add(g, "reference", r->conv->case_ref);
	add(g, "name", st->name);
	add(g, "contact", g->contact);
	g->desc_cut = shorten(st->description, DESC_SHOWN, g->desc,
	    sizeof(g->desc));
	add(g, "description", g->desc);
	add(g, "term_days", g->term);
	add(g, "next_open", g->next_open);
}

/*
 * Whether key is the first time this conversation asks for personal
 * data, where the citizen is told what for (privacy.uitleg).  The dialog
 * asks the name first, then a contact, then confirms; a citizen who gave
 * a detail unasked skips a question, so the note goes with whichever of
 * the three comes first.  The dialog has counted this ask already.
 */
static int
first_data_question(const struct dialog_state *st, const char *key)
{
	if (strcmp(key, "klacht.naam") == 0)
		return st->asks[DS_ASK_NAME] <= 1;
	if (strcmp(key, "klacht.contact") == 0 ||
	    strcmp(key, "klacht.contact_wa") == 0)
		return st->asks[DS_ASK_NAME] == 0 &&
		    st->asks[DS_ASK_CONTACT] <= 1;
	if (strcmp(key, "klacht.bevestig") == 0)
		return st->asks[DS_ASK_NAME] == 0 &&
		    st->asks[DS_ASK_CONTACT] == 0 &&
		    st->asks[DS_CONFIRM] <= 1;
	return 0;
}

/* Whether the agency leaves lang out although Loket has its texts: the
 * citizen then gets Dutch, and is told so in their own language. */
static int
lang_refused(const struct conv_render *r, const char *lang)
{
	int flag = config_lang_flag(lang);

	return flag != 0 && flag != LANG_NL &&
	    !(r->agency->languages & flag) &&
	    strcmp(lang, r->conv->st.lang) != 0 &&
	    locales_has_lang(r->loc, lang);
}

/*
 * What goes before a reply: the chatbot introduces itself in the first
 * reply of a conversation (the greeting does so itself), and a citizen
 * writing in a language the agency does not offer learns why the answer
 * is in Dutch, once per message.  Appended to b, each on its own line;
 * -1 when memory runs out.
 */
static int
add_preamble(const struct conv_render *r, const char *key,
    const struct args *g, struct buf *b)
{
	const struct conv *c = r->conv;
	char *intro = NULL, *lang = NULL;
	int first_of_turn = c->first_reply_at == 0 ||
	    c->last_out_at < c->last_in_at, rc = 0;

	if (c->first_reply_at == 0 && strcmp(key, "welkom") != 0)
		intro = locales_render(r->loc, c->st.lang, "chatbot.intro",
		    g->v, g->n);
	if (first_of_turn && lang_refused(r, c->msg_lang)) {
		/* In the citizen's language, the name included. */
		struct locale_arg name = { "agency_name",
		    config_agency_name(r->agency, c->msg_lang) };

		lang = locales_render(r->loc, c->msg_lang, "taal.alleen_nl",
		    &name, 1);
	}
	if (lang != NULL)
		rc = buf_appendf(b, "%s\n", lang);
	if (rc == 0 && intro != NULL)
		rc = buf_appendf(b, "%s\n", intro);
	free(intro);
	free(lang);
	return rc;
}

static const char *
when_key(const struct conv_render *r)
{
	if (r->in_office)
		return "wanneer.open";
	return r->next_open_ms > 0 ? "wanneer.gesloten" : "wanneer.later";
}

char *
conv_text_body(const char *text)
{
	json_t *o = json_pack("{s:s}", "text", text != NULL ? text : "");
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return s;
}

static char *
choices_body(const struct conv_render *r, const struct dialog_reply *reply,
    const char *text, const struct args *g)
{
	const char *lang = r->conv->st.lang;
	json_t *o, *arr = json_array();
	char *title, *button, *s = NULL;
	int i;

	button = locales_render(r->loc, lang, "knop.kies", g->v, g->n);
	o = json_pack("{s:s, s:s}", "text", text, "button",
	    button != NULL ? button : "Kies");
	free(button);
	if (o == NULL || arr == NULL)
		goto out;
	for (i = 0; i < reply->n_choices; i++) {
		title = locales_render(r->loc, lang, reply->choices[i].title_key,
		    g->v, g->n);
		json_array_append_new(arr, json_pack("{s:s, s:s}", "id",
		    reply->choices[i].id, "title", title != NULL ? title :
		    reply->choices[i].id));
		free(title);
	}
	json_object_set(o, "choices", arr);
	s = json_dumps(o, JSON_COMPACT);
out:
	json_decref(arr);
	json_decref(o);
	return s;
}

char *
conv_render_reply(const struct conv_render *r,
    const struct dialog_reply *reply, const char **kind)
{
	const char *lang = r->conv->st.lang, *key = reply->key;
	struct args g;
	struct buf full;
	char *pre, *text, *body;

	fill_args(r, &g);
	if (reply->staff_when) {
		g.staff_when = locales_render(r->loc, lang, when_key(r), g.v,
		    g.n);
		add(&g, "staff_when", g.staff_when);
	}
	if (first_data_question(&r->conv->st, key) && (pre = locales_render(
	    r->loc, lang, "privacy.uitleg", g.v, g.n)) != NULL) {
		/* Its own lines, before the question it explains. */
		buf_init(&full, REPLY_MAX);
		if (buf_appendf(&full, "%s\n", pre) == 0)
			g.privacy_note = buf_take(&full);
		free(pre);
	}
	add(&g, "privacy_note", g.privacy_note);
	/* A shortened description says so: the citizen confirms it. */
	if (g.desc_cut && strcmp(key, "klacht.bevestig") == 0)
		key = "klacht.bevestig_ingekort";
	text = locales_render(r->loc, lang, key, g.v, g.n);
	buf_init(&full, REPLY_MAX);
	if (text == NULL || add_preamble(r, reply->key, &g, &full) == -1 ||
	    buf_appendf(&full, "%s", text) == -1) {
		free(text);
		free(g.staff_when);
		free(g.privacy_note);
		buf_free(&full);
		return NULL;
	}
	free(text);
	if (reply->n_choices > 0) {
		*kind = "choices";
		body = choices_body(r, reply, full.data, &g);
	} else {
		*kind = "text";
		body = conv_text_body(full.data);
	}
	free(g.staff_when);
	free(g.privacy_note);
	buf_free(&full);
	return body;
}
