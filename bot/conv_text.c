/*
 * conv_text.c — turns the dialog's replies (locale keys and choices) into
 * outbox bodies: fills the placeholders from the agency, the slots and
 * the clock, formats office hours and opening times per language, and
 * writes the JSON that outbox.h describes.
 */
#include "conv_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "locale.h"

struct lang_words {
	const char	*lang;
	const char	*day_short[7];	/* Monday first */
	const char	*day_long[7];
	const char	*month[12];
	const char	*and_word;
	char		 time_sep;	/* 9.00, 9h00, 9:00 */
	const char	*at_word;	/* "om", "à", "at" */
	const char	*hour_word;	/* "uur" after the time, or "" */
};

static const struct lang_words words[] = {
	{ "nl", { "ma", "di", "wo", "do", "vr", "za", "zo" },
	  { "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
	    "zaterdag", "zondag" },
	  { "januari", "februari", "maart", "april", "mei", "juni", "juli",
	    "augustus", "september", "oktober", "november", "december" },
	  "en", '.', "om", " uur" },
	{ "fr", { "lun", "mar", "mer", "jeu", "ven", "sam", "dim" },
	  { "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
	    "dimanche" },
	  { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	    "août", "septembre", "octobre", "novembre", "décembre" },
	  "et", 'h', "à", "" },
	{ "en", { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" },
	  { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	    "Saturday", "Sunday" },
	  { "January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December" },
	  "and", ':', "at", "" },
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

static void
fmt_minutes(const struct lang_words *w, int m, char *out, size_t outlen)
{
	snprintf(out, outlen, "%d%c%02d", m / 60, w->time_sep, m % 60);
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

/* "9.00-12.00 en 13.00-16.00" */
static void
fmt_ranges(const struct lang_words *w, const struct day_hours *h,
    char *out, size_t outlen)
{
	char o[16], c[16], sep[16];
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < h->n && len < outlen; i++) {
		fmt_minutes(w, h->open[i], o, sizeof(o));
		fmt_minutes(w, h->close[i], c, sizeof(c));
		if (i == 0)
			sep[0] = '\0';
		else if (i == h->n - 1)
			snprintf(sep, sizeof(sep), " %s ", w->and_word);
		else
			snprintf(sep, sizeof(sep), ", ");
		len += (size_t)snprintf(out + len, outlen - len, "%s%s-%s",
		    sep, o, c);
	}
}

void
conv_office_hours(const struct agency *a, const char *lang, char *out,
    size_t outlen)
{
	const struct lang_words *w = words_for(lang);
	char ranges[128];
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
		fmt_ranges(w, &a->hours[d], ranges, sizeof(ranges));
		if (e == d)
			len += (size_t)snprintf(out + len, outlen - len,
			    "%s%s %s", len ? ", " : "", w->day_short[d],
			    ranges);
		else
			len += (size_t)snprintf(out + len, outlen - len,
			    "%s%s-%s %s", len ? ", " : "", w->day_short[d],
			    w->day_short[e], ranges);
		d = e + 1;
	}
}

void
conv_format_time(long long ms, const char *lang, char *out, size_t outlen)
{
	const struct lang_words *w = words_for(lang);
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char hm[16];

	t += brussels_utc_offset(t);
	gmtime_r(&t, &tm);
	fmt_minutes(w, tm.tm_hour * 60 + tm.tm_min, hm, sizeof(hm));
	snprintf(out, outlen, "%s %d %s %s %s%s",
	    w->day_long[(tm.tm_wday + 6) % 7], tm.tm_mday, w->month[tm.tm_mon],
	    w->at_word, hm, w->hour_word);
}

/* ---- placeholders ------------------------------------------------------ */

#define MAX_ARGS	20
/* The description is repeated in the confirmation, a message with
 * buttons, whose body WhatsApp limits to 1024 characters. */
#define DESC_SHOWN	300

/* Copies at most max bytes of s, cut at a UTF-8 boundary, with "…". */
static void
shorten(const char *s, size_t max, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (n <= max) {
		snprintf(out, outlen, "%s", s);
		return;
	}
	while (n > max || (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80))
		n--;
	snprintf(out, outlen, "%.*s\xe2\x80\xa6", (int)n, s);
}

struct args {
	struct locale_arg	 v[MAX_ARGS];
	size_t			 n;
	char			 hours[256], next_open[96], term[16];
	char			 contact[CONTACT_EMAIL_MAX + CONTACT_PHONE_MAX + 4];
	char			 desc[DESC_SHOWN + 4];
	char			*staff_when;	/* malloc'd */
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
	snprintf(g->contact, sizeof(g->contact), "%s%s%s", st->email,
	    st->email[0] && st->phone[0] ? " / " : "", st->phone);
	add(g, "agency_name", a->name);
	add(g, "agency_phone", a->phone);
	add(g, "agency_email", a->email);
	add(g, "website", a->website);
	add(g, "office_hours", g->hours);
	add(g, "complaint_url", a->complaint_url);
	add(g, "coordinator_email", a->coordinator_email);
	add(g, "coordinator_phone", a->coordinator_phone);
	add(g, "dossier_email", a->dossier_email);
	add(g, "dossier", st->dossier);
	add(g, "reference", r->conv->case_ref);
	add(g, "name", st->name);
	add(g, "contact", g->contact);
	shorten(st->description, DESC_SHOWN, g->desc, sizeof(g->desc));
	add(g, "description", g->desc);
	add(g, "term_days", g->term);
	add(g, "next_open", g->next_open);
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
	const char *lang = r->conv->st.lang;
	struct args g;
	char *text, *body;

	fill_args(r, &g);
	if (reply->staff_when) {
		g.staff_when = locales_render(r->loc, lang, when_key(r), g.v,
		    g.n);
		add(&g, "staff_when", g.staff_when);
	}
	text = locales_render(r->loc, lang, reply->key, g.v, g.n);
	free(g.staff_when);
	if (text == NULL)
		return NULL;
	if (reply->n_choices > 0) {
		*kind = "choices";
		body = choices_body(r, reply, text, &g);
	} else {
		*kind = "text";
		body = conv_text_body(text);
	}
	free(text);
	return body;
}
