/*
 * dialog_case.c — what happens to a confirmed complaint, per agency
 * policy: a dossier complaint is referred to the dossier service
 * (VLAIO), policy `redirect` points to the official procedure (VMSW),
 * policy `case` collects name, contact and description, confirms and
 * registers a case (WSE).  Invalid contact input is re-asked once with a
 * hint; the second failure hands the conversation to staff.
 */
#include "dialog_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

enum { FIX_NONE, FIX_NAME, FIX_CONTACT, FIX_DESC };

static int
has_contact(const struct dialog_state *st)
{
	return st->email[0] != '\0' || st->phone[0] != '\0';
}

/* The first wording of a slot's question: after "nee, aanpassen" it asks
 * for the correct value, which is a new question, not a repeat. */
static const char *
first_key(const struct dialog_state *st, int field, const char *normal,
    const char *fixing)
{
	return st->fix_field == field ? fixing : normal;
}

/* Asks for an address or number; hint (or NULL) says what was wrong
 * with the last one and is used whether or not it was asked before. */
static void
ask_contact(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *again_key, const char *hint)
{
	int offer = in->whatsapp && in->user_phone != NULL &&
	    in->user_phone[0] != '\0';
	struct dialog_reply *r;

	r = dlg_ask(st, out, DS_ASK_CONTACT, hint != NULL ? hint :
	    first_key(st, FIX_CONTACT, offer ? "klacht.contact_wa" :
	    "klacht.contact", "klacht.contact_aanpassen"),
	    hint != NULL ? hint : again_key, "overdracht.gegevens");
	if (r != NULL && offer) {
		r->choices[0].id = "eigen_nummer";
		r->choices[0].title_key = "knop.eigen_nummer";
		r->n_choices = 1;
	}
}

/* Asks for the first missing slot, or for confirmation. */
static void
next_question(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out)
{
	if (st->name[0] == '\0') {
		dlg_ask(st, out, DS_ASK_NAME, first_key(st, FIX_NAME,
		    "klacht.naam", "klacht.naam_aanpassen"),
		    "klacht.naam_opnieuw", "overdracht.gegevens");
	} else if (!has_contact(st)) {
		ask_contact(st, in, out, "klacht.contact_opnieuw", NULL);
	} else if (st->description[0] == '\0') {
		dlg_ask(st, out, DS_ASK_DESC, first_key(st, FIX_DESC,
		    "klacht.beschrijving", "klacht.beschrijving_aanpassen"),
		    "klacht.beschrijving_opnieuw", "overdracht.gegevens");
	} else {
		st->fix_field = FIX_NONE;
		dlg_add_menu(dlg_ask(st, out, DS_CONFIRM, "klacht.bevestig",
		    "klacht.bevestig", "overdracht.herhaald"),
		    &dlg_menu_confirm);
	}
}

int
dlg_refers_dossiers(const struct agency *a)
{
	return a != NULL && a->dossier_email != NULL &&
	    a->dossier_email[0] != '\0';
}

void
dlg_confirmed_complaint(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	if (a->policy == POLICY_REDIRECT || (st->dossier[0] != '\0' &&
	    dlg_refers_dossiers(a))) {
		/* The same directions twice is enough: then a person. */
		if (st->referrals >= DIALOG_MAX_ASKS) {
			dlg_handover(st, out, "overdracht.herhaald");
			return;
		}
		st->referrals++;
	}
	if (st->dossier[0] != '\0' && dlg_refers_dossiers(a)) {
		dlg_reply(out, "klacht.dossier");
		dlg_outcome(st, OUTCOME_REFERRED);
		st->step = DS_DONE;
	} else if (a->policy == POLICY_REDIRECT) {
		dlg_reply(out, a->coordinator_phone != NULL &&
		    a->coordinator_phone[0] != '\0' ?
		    "klacht.doorverwijzing_tel" : "klacht.doorverwijzing");
		dlg_outcome(st, OUTCOME_REDIRECTED);
		st->step = DS_DONE;
	} else {
		next_question(st, in, out);
	}
}

/* The citizen talks about something else: let the general rules act.
 * A question without a topic answer ("waarom moet ik dat geven?") is
 * most likely about the step itself, so the step re-asks instead. */
static int
changes_subject(const struct dialog_input *in)
{
	static const char *const other[] = {
		"suggestie", "bedankt", "begroeting", NULL
	};
	int i;

	if (in->intent == NULL || in->intent->confidence < 0.6)
		return 0;
	if (dlg_is(in, "vraag"))
		return in->topic_key != NULL;
	for (i = 0; other[i] != NULL; i++)
		if (dlg_is(in, other[i]))
			return 1;
	return 0;
}

static void
withdraw(struct dialog_state *st, struct dialog_output *out)
{
	dlg_forget_contact(st);
	dlg_reply_menu(out, "klacht.ingetrokken", &dlg_menu_main);
	st->step = DS_CHOICE;
}

static int
valid(const char *v)
{
	return v[0] != '\0' && strcmp(v, CONTACT_INVALID) != 0;
}

static int
invalid(const char *v)
{
	return strcmp(v, CONTACT_INVALID) == 0;
}

/* "mijn achternaam is Verhaegen": the last name replaced, the first
 * kept; "mijn voornaam is ..." the other way round. */
static void
fix_name_part(struct dialog_state *st, const char *part, int first)
{
	char name[CONTACT_NAME_MAX];
	const char *sp = strchr(st->name, ' ');

	if (sp == NULL || st->name[0] == '\0')
		dlg_copy(name, sizeof(name), part);
	else if (first)
		snprintf(name, sizeof(name), "%s%s", part, sp);
	else
		snprintf(name, sizeof(name), "%.*s %s",
		    (int)(sp - st->name), st->name, part);
	dlg_copy(st->name, sizeof(st->name), name);
}

/*
 * Keeps what a message says about the citizen: a name (replacing the
 * old one when it is asked or corrected), a valid address or number
 * (the newest wins: "nee, mijn nummer is ..."), a story as the
 * description.  Returns 1 if anything was taken.
 */
static int
take_details(struct dialog_state *st, const struct dialog_input *in,
    int name_asked)
{
	const struct signals *sig = in->sig;
	const struct contact_found *f;
	int got = 0;

	if (sig == NULL)
		return 0;
	f = &sig->contact;
	if (sig->surname[0] != '\0' && st->name[0] != '\0') {
		fix_name_part(st, sig->surname, 0);
		got = 1;
	} else if (sig->firstname[0] != '\0' && st->name[0] != '\0') {
		fix_name_part(st, sig->firstname, 1);
		got = 1;
	} else if (f->name[0] != '\0' && (name_asked || st->name[0] == '\0' ||
	    sig->correction == SIGNALS_FIELD_NAME)) {
		dlg_copy(st->name, sizeof(st->name), f->name);
		got = 1;
	}
	if (valid(f->email)) {
		dlg_copy(st->email, sizeof(st->email), f->email);
		got = 1;
	}
	if (valid(f->phone)) {
		dlg_copy(st->phone, sizeof(st->phone), f->phone);
		got = 1;
	}
	if (f->dossier[0] != '\0')
		dlg_copy(st->dossier, sizeof(st->dossier), f->dossier);
	if (sig->narrative && !valid(f->email) && !valid(f->phone) &&
	    f->name[0] == '\0' && sig->correction == SIGNALS_FIELD_NONE &&
	    sig->answer == SIGNALS_NONE) {
		dlg_keep_description(st, in);
		got = 1;
	}
	if (valid(f->email) || valid(f->phone))
		st->invalid = 0;
	return got;
}

/* An address or number that is clearly meant but wrong: the hint that
 * says what was wrong, or NULL. */
static const char *
invalid_hint(const struct dialog_input *in)
{
	if (in->sig == NULL)
		return NULL;
	if (invalid(in->sig->contact.email) && !valid(in->sig->contact.phone))
		return "klacht.contact_email_fout";
	if (invalid(in->sig->contact.phone) && !valid(in->sig->contact.email))
		return "klacht.contact_tel_fout";
	return NULL;
}

/* Two invalid answers in a row: a person takes over (README of the
 * natural corpus, assumption 2), nothing wrong is ever stored. */
static int
count_invalid(struct dialog_state *st, struct dialog_output *out,
    const char *hint)
{
	if (hint == NULL)
		return 0;
	if (++st->invalid >= DIALOG_MAX_ASKS) {
		dlg_handover(st, out, "overdracht.gegevens");
		return 1;
	}
	return 0;
}

/* An invalid address or number: asked again with the hint, or staff
 * the second time in a row. */
static void
reask_invalid(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *hint)
{
	if (!count_invalid(st, out, hint))
		ask_contact(st, in, out, NULL, hint);
}

/* After new details: the next missing one, with a hint when the
 * message held an invalid address or number for it. */
static void
continue_with(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *hint)
{
	if (hint != NULL && count_invalid(st, out, hint))
		return;
	if (hint != NULL && st->name[0] != '\0' && !has_contact(st))
		ask_contact(st, in, out, NULL, hint);
	else
		next_question(st, in, out);
}

/* Whether the input holds a valid address or number other than the one
 * kept (take_details() would keep it). */
static int
brings_new_contact(const struct dialog_state *st,
    const struct dialog_input *in)
{
	const struct contact_found *f;

	if (in->sig == NULL)
		return 0;
	f = &in->sig->contact;
	return (valid(f->email) && strcmp(f->email, st->email) != 0) ||
	    (valid(f->phone) && strcmp(f->phone, st->phone) != 0);
}

/* "waarom moet ge dat weten?" at a data step: why it is asked, and the
 * same question again instead of "not understood".  It counts as an
 * ask, so asking why again and again ends with a person. */
static int
explain_why(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *key)
{
	if (in->sig == NULL || !in->sig->why ||
	    st->asks[st->step] >= DIALOG_MAX_ASKS)
		return 0;
	st->asks[st->step]++;
	dlg_reply(out, key);
	return 1;
}

static int
on_name(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	const char *hint = invalid_hint(in);
	int had_story = st->description[0] != '\0';
	int new_contact = brings_new_contact(st, in);

	(void)a;
	take_details(st, in, 1);
	if (st->name[0] != '\0') {
		continue_with(st, in, out, hint);
		return 1;
	}
	if (hint == NULL && new_contact) {
		/* A new address or number instead of the name ("mijn mail
		 * is fout getypt, 't is ..."): kept, and the name asked
		 * again as a new question, not as one not understood. */
		st->asks[DS_ASK_NAME] = 0;
		dlg_ask(st, out, DS_ASK_NAME, "klacht.naam_na_verhaal",
		    "klacht.naam_na_verhaal", "overdracht.gegevens");
		return 1;
	}
	if (!had_story && st->description[0] != '\0') {
		/* A story instead of a name: kept, and the name asked
		 * again without saying it was not understood. */
		dlg_ask(st, out, DS_ASK_NAME, "klacht.naam_na_verhaal",
		    "klacht.naam_na_verhaal", "overdracht.gegevens");
		return 1;
	}
	if (explain_why(st, in, out, "klacht.waarom_naam"))
		return 1;
	if (changes_subject(in))
		return 0;
	dlg_ask(st, out, DS_ASK_NAME, "klacht.naam", "klacht.naam_opnieuw",
	    "overdracht.gegevens");
	return 1;
}

static int
own_number(const struct dialog_input *in)
{
	static const char *const own[] = { "eigen_nummer", NULL };

	if (!in->whatsapp || in->user_phone == NULL || *in->user_phone == '\0')
		return 0;
	return dlg_this_number(in->text) ||
	    dlg_menu_pick(in, NULL, own) != NULL ||
	    (in->sig != NULL && in->sig->short_answer &&
	    in->sig->answer == SIGNALS_YES);
}

static int
on_contact(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	const char *hint = invalid_hint(in);
	int had_story = st->description[0] != '\0';

	(void)a;
	if (own_number(in)) {
		dlg_copy(st->phone, sizeof(st->phone), in->user_phone);
		next_question(st, in, out);
		return 1;
	}
	take_details(st, in, 0);
	if (has_contact(st)) {
		next_question(st, in, out);
		return 1;
	}
	if (in->sig != NULL && in->sig->correction == SIGNALS_FIELD_NAME &&
	    hint == NULL) {
		/* "Jos Claessen bedoel ik": thanked by the right name, and
		 * the same question, not "not understood" */
		st->asks[DS_ASK_CONTACT] = 0;
		ask_contact(st, in, out, "klacht.contact_opnieuw", NULL);
		return 1;
	}
	if (hint != NULL) {
		reask_invalid(st, in, out, hint);
		return 1;
	}
	if (!had_story && st->description[0] != '\0') {
		ask_contact(st, in, out, "klacht.contact_na_verhaal", NULL);
		return 1;
	}
	if (explain_why(st, in, out, "klacht.waarom_contact"))
		return 1;
	if (changes_subject(in))
		return 0;
	ask_contact(st, in, out, "klacht.contact_opnieuw", NULL);
	return 1;
}

/* Right after a detail was given, "nee, het nummer is ..." corrects it:
 * a message that is mostly a contact detail or a name is no story. */
static int
is_correction(const struct dialog_input *in)
{
	const struct signals *sig = in->sig;

	if (sig == NULL)
		return 0;
	if (sig->correction != SIGNALS_FIELD_NONE)
		return 1;
	return (valid(sig->contact.email) || valid(sig->contact.phone) ||
	    invalid(sig->contact.email) || invalid(sig->contact.phone)) &&
	    sig->words <= 6;
}

static int
on_description(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out)
{
	if (is_correction(in)) {
		const char *hint = invalid_hint(in);

		take_details(st, in, 0);
		if (hint != NULL)
			reask_invalid(st, in, out, hint);
		else
			next_question(st, in, out);
		return 1;
	}
	if (in->text != NULL && dlg_words(in->text) >= 2) {
		dlg_copy(st->description, sizeof(st->description), in->text);
		next_question(st, in, out);
		return 1;
	}
	if (changes_subject(in))
		return 0;
	dlg_ask(st, out, DS_ASK_DESC, "klacht.beschrijving",
	    "klacht.beschrijving_opnieuw", "overdracht.gegevens");
	return 1;
}

static void
register_case(struct dialog_state *st, struct dialog_output *out)
{
	dlg_reply(out, "klacht.geregistreerd");
	out->actions |= DA_CREATE_CASE;
	dlg_outcome(st, OUTCOME_CASE);
	st->step = DS_DONE;
}

/* Re-asks one slot, cleared, with its own wording ("what is the correct
 * name?"); its count starts again, but fixes and confirmations are each
 * limited to two, so this cannot loop. */
static void
fix(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *id)
{
	if (strcmp(id, "naam") == 0) {
		st->name[0] = '\0';
		st->fix_field = FIX_NAME;
		st->asks[DS_ASK_NAME] = 0;
	} else if (strcmp(id, "contact") == 0) {
		st->email[0] = st->phone[0] = '\0';
		st->fix_field = FIX_CONTACT;
		st->asks[DS_ASK_CONTACT] = 0;
	} else {
		st->description[0] = '\0';
		st->fix_field = FIX_DESC;
		st->asks[DS_ASK_DESC] = 0;
	}
	next_question(st, in, out);
}

static void
ask_fix(struct dialog_state *st, struct dialog_output *out)
{
	dlg_add_menu(dlg_ask(st, out, DS_FIX, "klacht.aanpassen",
	    "klacht.aanpassen", "overdracht.herhaald"), &dlg_menu_fix);
}

/* A field picked from menu (or extra), or named in a short message or
 * after "nee" ("nee, de naam is fout"). */
static const char *
field_named(const struct dialog_input *in, const struct dlg_menu *menu,
    const char *const *extra)
{
	const char *id = dlg_menu_pick(in, menu, extra);

	if (id == NULL && in->sig != NULL && (in->sig->short_answer ||
	    in->sig->answer == SIGNALS_NO))	/* "nee, de naam is fout" */
		id = dlg_field(in->text);
	return id;
}

/* More for the summary: a new address or number ("ge moogt ook
 * bellen, 0473 ..."), or more of the story. */
static int
adds_details(const struct dialog_input *in)
{
	const struct signals *sig = in->sig;

	return sig != NULL && (valid(sig->contact.email) ||
	    valid(sig->contact.phone) || (sig->narrative && !sig->question));
}

/* Whether the summary's fields changed since before. */
static int
slots_differ(const struct dialog_state *st, const struct dialog_state *before)
{
	return strcmp(st->name, before->name) != 0 ||
	    strcmp(st->email, before->email) != 0 ||
	    strcmp(st->phone, before->phone) != 0 ||
	    strcmp(st->dossier, before->dossier) != 0 ||
	    strcmp(st->description, before->description) != 0;
}

/* Edit distance of two short words, case folded (ASCII); large when
 * either is too long to matter. */
static int
distance(const char *a, size_t na, const char *b, size_t nb)
{
	int row[CONTACT_NAME_MAX], prev, cur, i, j, sub;

	if (na >= CONTACT_NAME_MAX || nb >= CONTACT_NAME_MAX)
		return 99;
	for (j = 0; j <= (int)nb; j++)
		row[j] = j;
	for (i = 1; i <= (int)na; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= (int)nb; j++) {
			sub = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			cur = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 :
			    row[j - 1] + 1;
			prev = row[j];
			row[j] = sub < cur ? sub : cur;
		}
	}
	return row[nb];
}

/*
 * "bijna, Verstraete zonder n op het einde" at the summary: a
 * capitalised word one or two letters away from a word of the name is
 * that word spelt right.  Replaces it; 1 if the name changed.
 */
static int
respell_name(struct dialog_state *st, const struct dialog_input *in)
{
	const char *p = in->text, *w;
	char name[sizeof(st->name)];
	size_t n, k, len;
	int d;

	while (p != NULL && *p != '\0') {
		p += strcspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		if (*p == '\0')
			break;
		if (p > in->text && isalpha((unsigned char)p[-1])) {
			p++;		/* inside a word: "McDonald" */
			continue;
		}
		n = strcspn(p, " \t\r\n,;:.!?()\"/");
		for (w = st->name; n >= 4 && *w != '\0'; w += k) {
			w += strspn(w, " ");
			k = strcspn(w, " ");
			d = distance(p, n, w, k);
			if (k < 4 || d == 0 || d > 2)
				continue;
			len = (size_t)(w - st->name);
			if (len + n + strlen(w + k) >= sizeof(name))
				return 0;
			snprintf(name, sizeof(name), "%.*s%.*s%s", (int)len,
			    st->name, (int)n, p, w + k);
			dlg_copy(st->name, sizeof(st->name), name);
			return 1;
		}
		p += n;
	}
	return 0;
}

/* DS_CONFIRM and DS_FIX: a correction typed, yes, no, which field. */
static int
on_confirm(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	static const char *const fields[] = {
		"naam", "contact", "beschrijving", NULL
	};
	int confirming = (st->step == DS_CONFIRM);
	struct dialog_state before = *st;
	const char *answer = confirming ? dlg_answer(in, &dlg_menu_confirm) :
	    NULL;
	const char *field = confirming ? field_named(in, NULL, fields) :
	    field_named(in, &dlg_menu_fix, NULL);
	const char *hint = invalid_hint(in);

	(void)a;
	if (field != NULL && answer != NULL && strcmp(answer, "nee") == 0 &&
	    !is_correction(in))
		answer = NULL;		/* "nee, de naam": that field */
	if (confirming && !is_correction(in) && (answer == NULL ||
	    strcmp(answer, "ja") != 0) && in->text != NULL &&
	    respell_name(st, in)) {
		st->asks[DS_CONFIRM] = 0;	/* a new summary */
		next_question(st, in, out);
	} else if (is_correction(in) || (hint != NULL && answer == NULL) ||
	    (answer == NULL && adds_details(in))) {
		int changed;

		take_details(st, in, in->sig->correction ==
		    SIGNALS_FIELD_NAME);
		changed = slots_differ(st, &before);
		/* A new summary; the same one again counts as a repeat. */
		if ((hint == NULL || has_contact(st)) && changed)
			st->asks[DS_CONFIRM] = 0;
		continue_with(st, in, out, hint);
	} else if (answer != NULL && strcmp(answer, "ja") == 0) {
		register_case(st, out);
	} else if (answer != NULL && strcmp(answer, "nee") == 0) {
		ask_fix(st, out);
	} else if (field != NULL) {
		fix(st, in, out, field);
	} else if (changes_subject(in)) {
		return 0;
	} else if (!confirming) {
		ask_fix(st, out);
	} else {
		next_question(st, in, out);
	}
	return 1;
}

int
dlg_case_expected(const struct agency *a, const struct dialog_state *st,
    const struct dialog_input *in)
{
	static const char *const fields[] = {
		"naam", "contact", "beschrijving", NULL
	};
	const struct signals *sig = in->sig;

	(void)a;
	if (in->text == NULL || dlg_withdraws(in->text))
		return dlg_withdraws(in->text);
	if (sig == NULL)
		return 0;
	switch (st->step) {
	case DS_ASK_NAME:
		return sig->contact.name[0] != '\0';
	case DS_ASK_CONTACT:
		return sig->contact.email[0] != '\0' ||
		    sig->contact.phone[0] != '\0' || own_number(in);
	case DS_ASK_DESC:
		return dlg_words(in->text) >= 2;
	case DS_CONFIRM:
		return dlg_answer(in, &dlg_menu_confirm) != NULL ||
		    is_correction(in) ||
		    dlg_menu_pick(in, NULL, fields) != NULL;
	default:
		return field_named(in, &dlg_menu_fix, NULL) != NULL;
	}
}

int
dlg_case_step(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	if (dlg_withdraws(in->text) && (in->sig == NULL ||
	    in->sig->short_answer || in->sig->not_complaint)) {
		withdraw(st, out);
		return 1;
	}
	switch (st->step) {
	case DS_ASK_NAME:
		return on_name(a, st, in, out);
	case DS_ASK_CONTACT:
		return on_contact(a, st, in, out);
	case DS_ASK_DESC:
		return on_description(st, in, out);
	default:
		return on_confirm(a, st, in, out);
	}
}
