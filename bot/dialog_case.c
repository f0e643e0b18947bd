/*
 * dialog_case.c — what happens to a confirmed complaint, per agency
 * policy: a dossier complaint is referred to the dossier service
 * (VLAIO), policy `redirect` points to the official procedure (VMSW),
 * policy `case` collects name, contact and description, confirms and
 * registers a case (WSE).  Invalid contact input is re-asked once with a
 * hint; the second failure hands the conversation to staff.
 */
#include "dialog_int.h"

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

static void
ask_contact(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *again_key)
{
	int offer = in->whatsapp && in->user_phone != NULL &&
	    in->user_phone[0] != '\0';
	struct dialog_reply *r;

	r = dlg_ask(st, out, DS_ASK_CONTACT, first_key(st, FIX_CONTACT,
	    offer ? "klacht.contact_wa" : "klacht.contact",
	    "klacht.contact_aanpassen"), again_key, "overdracht.gegevens");
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
		ask_contact(st, in, out, "klacht.contact_opnieuw");
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

void
dlg_confirmed_complaint(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	if (a->policy == POLICY_REDIRECT || (st->dossier[0] != '\0' &&
	    a->dossier_email != NULL && a->dossier_email[0] != '\0')) {
		/* The same directions twice is enough: then a person. */
		if (st->referrals >= DIALOG_MAX_ASKS) {
			dlg_handover(st, out, "overdracht.herhaald");
			return;
		}
		st->referrals++;
	}
	if (st->dossier[0] != '\0' && a->dossier_email != NULL &&
	    a->dossier_email[0] != '\0') {
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
		return in->topic_answer;
	for (i = 0; other[i] != NULL; i++)
		if (dlg_is(in, other[i]))
			return 1;
	return 0;
}

static void
withdraw(struct dialog_state *st, struct dialog_output *out)
{
	dlg_reply_menu(out, "klacht.ingetrokken", &dlg_menu_main);
	st->step = DS_CHOICE;
}

/* Keeps what a message says about the citizen; 1 if anything new. */
static int
take_contact(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, int name_asked,
    struct contact_found *f)
{
	int got = 0;

	contact_extract(in->text, &a->dossier_patterns, name_asked, f);
	if (f->name[0] != '\0' && (name_asked || st->name[0] == '\0')) {
		dlg_copy(st->name, sizeof(st->name), f->name);
		got = 1;
	}
	if (f->email[0] != '\0' && strcmp(f->email, CONTACT_INVALID) != 0) {
		dlg_copy(st->email, sizeof(st->email), f->email);
		got = 1;
	}
	if (f->phone[0] != '\0' && strcmp(f->phone, CONTACT_INVALID) != 0) {
		dlg_copy(st->phone, sizeof(st->phone), f->phone);
		got = 1;
	}
	return got;
}

static int
on_name(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	struct contact_found f;

	st->name[0] = '\0';
	take_contact(a, st, in, 1, &f);
	if (st->name[0] != '\0') {
		next_question(st, in, out);
		return 1;
	}
	if (changes_subject(in))
		return 0;
	dlg_ask(st, out, DS_ASK_NAME, "klacht.naam", "klacht.naam_opnieuw",
	    "overdracht.gegevens");
	return 1;
}

static int
on_contact(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	static const char *const own[] = { "eigen_nummer", "ja", NULL };
	struct contact_found f;
	const char *hint = "klacht.contact_opnieuw";

	if (in->whatsapp && in->user_phone != NULL && *in->user_phone &&
	    (dlg_this_number(in->text) ||
	    dlg_match(in->text, in->payload, NULL, own) != NULL)) {
		dlg_copy(st->phone, sizeof(st->phone), in->user_phone);
		next_question(st, in, out);
		return 1;
	}
	if (take_contact(a, st, in, 0, &f) && has_contact(st)) {
		next_question(st, in, out);
		return 1;
	}
	if (strcmp(f.email, CONTACT_INVALID) == 0)
		hint = "klacht.contact_email_fout";
	else if (strcmp(f.phone, CONTACT_INVALID) == 0)
		hint = "klacht.contact_tel_fout";
	else if (changes_subject(in))
		return 0;
	ask_contact(st, in, out, hint);
	return 1;
}

static int
on_description(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out)
{
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

/* DS_CONFIRM and DS_FIX: yes, no, which field, or a typed correction. */
static int
on_confirm(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	static const char *const fields[] = {
		"naam", "contact", "beschrijving", NULL
	};
	struct contact_found f;
	int confirming = (st->step == DS_CONFIRM);
	const char *id = dlg_match(in->text, in->payload, confirming ?
	    &dlg_menu_confirm : &dlg_menu_fix, confirming ? fields : NULL);

	if (id != NULL && strcmp(id, "ja") == 0)
		register_case(st, out);
	else if (id != NULL && strcmp(id, "nee") == 0)
		ask_fix(st, out);
	else if (id != NULL)
		fix(st, in, out, id);
	else if (take_contact(a, st, in, 0, &f))
		next_question(st, in, out);	/* a correction, typed */
	else if (changes_subject(in))
		return 0;
	else if (!confirming)
		ask_fix(st, out);
	else
		next_question(st, in, out);
	return 1;
}

int
dlg_case_expected(const struct agency *a, const struct dialog_state *st,
    const struct dialog_input *in)
{
	static const char *const fields[] = {
		"naam", "contact", "beschrijving", NULL
	};
	static const char *const own[] = { "eigen_nummer", NULL };
	struct contact_found f;

	if (in->text == NULL || dlg_withdraws(in->text))
		return dlg_withdraws(in->text);
	switch (st->step) {
	case DS_ASK_NAME:
		contact_extract(in->text, &a->dossier_patterns, 1, &f);
		return f.name[0] != '\0';
	case DS_ASK_CONTACT:
		contact_extract(in->text, &a->dossier_patterns, 0, &f);
		return f.email[0] != '\0' || f.phone[0] != '\0' ||
		    dlg_this_number(in->text) ||
		    dlg_match(in->text, in->payload, NULL, own) != NULL;
	case DS_ASK_DESC:
		return dlg_words(in->text) >= 2;
	case DS_CONFIRM:
		return dlg_match(in->text, in->payload, &dlg_menu_confirm,
		    fields) != NULL;
	default:
		return dlg_match(in->text, in->payload, &dlg_menu_fix,
		    NULL) != NULL;
	}
}

int
dlg_case_step(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	if (dlg_withdraws(in->text)) {
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
