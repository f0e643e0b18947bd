/*
 * dialog.c — the conversation state machine: greeting, choice, clarifying
 * a complaint, questions, suggestions, hand-over, stop, abuse, silence.
 * The complaint's own steps (referral, redirect, registering a case) are
 * in dialog_case.c.  Pure: see dialog.h.
 *
 * Rules that hold at every step (after MDK and VMSW practice): abuse gets
 * no reply; criticism is answered once; no question is asked more than
 * twice (DIALOG_MAX_ASKS) — after that a person takes over, so the bot
 * can never loop.
 */
#include "dialog_int.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

const struct dlg_menu dlg_menu_main = {
	{ "vraag", "klacht", "suggestie" },
	{ "knop.vraag", "knop.klacht", "knop.suggestie" }, 3
};
const struct dlg_menu dlg_menu_clarify = {
	{ "klacht", "vraag", "suggestie" },
	{ "knop.klacht_ja", "knop.vraag", "knop.suggestie" }, 3
};
const struct dlg_menu dlg_menu_confirm = {
	{ "ja", "nee" }, { "knop.ja", "knop.nee" }, 2
};
const struct dlg_menu dlg_menu_fix = {
	{ "naam", "contact", "beschrijving" },
	{ "knop.naam", "knop.contact", "knop.beschrijving" }, 3
};

static const char *const step_names[DS_COUNT] = {
	"start", "choice", "clarify", "ask_question", "ask_suggestion",
	"ask_name", "ask_contact", "ask_description", "confirm", "fix",
	"done", "staff", "ended"
};

/* Stronger outcomes are not overwritten by weaker ones. */
static const struct {
	const char	*name;
	int		 rank;
} outcomes[] = {
	{ OUTCOME_CASE, 6 }, { OUTCOME_REFERRED, 5 },
	{ OUTCOME_REDIRECTED, 5 }, { OUTCOME_HANDED_OVER, 4 },
	{ OUTCOME_ANSWERED, 3 }, { OUTCOME_SUGGESTION, 3 },
	{ OUTCOME_ABUSE, 1 }, { OUTCOME_STOPPED, 0 },
	{ OUTCOME_ABANDONED, 0 },
};

#define N_OUTCOMES	(sizeof(outcomes) / sizeof(outcomes[0]))

const char *
dialog_step_name(enum dialog_step s)
{
	return s >= 0 && s < DS_COUNT ? step_names[s] : "start";
}

enum dialog_step
dialog_step_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < DS_COUNT; i++)
		if (strcmp(step_names[i], name) == 0)
			return (enum dialog_step)i;
	return DS_START;
}

static int
outcome_rank(const char *name)
{
	size_t i;

	for (i = 0; i < N_OUTCOMES; i++)
		if (strcmp(outcomes[i].name, name) == 0)
			return outcomes[i].rank;
	return -1;
}

int
dialog_outcome_valid(const char *name)
{
	return name != NULL && outcome_rank(name) >= 0;
}

void
dlg_copy(char *dst, size_t len, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (len == 0)
		return;
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;		/* never cut a UTF-8 sequence */
	}
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void
dialog_init(struct dialog_state *st, const char *lang)
{
	memset(st, 0, sizeof(*st));
	st->step = DS_START;
	dlg_copy(st->lang, sizeof(st->lang), lang != NULL ? lang : "nl");
}

/* ---- output helpers ---------------------------------------------------- */

struct dialog_reply *
dlg_reply(struct dialog_output *out, const char *key)
{
	struct dialog_reply *r;

	if (out->n_replies == DIALOG_MAX_REPLIES)
		return NULL;
	r = &out->replies[out->n_replies++];
	memset(r, 0, sizeof(*r));
	r->key = key;
	return r;
}

void
dlg_add_menu(struct dialog_reply *r, const struct dlg_menu *m)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		r->choices[i].id = m->ids[i];
		r->choices[i].title_key = m->keys[i];
	}
	r->n_choices = m->n;
}

void
dlg_reply_menu(struct dialog_output *out, const char *key,
    const struct dlg_menu *m)
{
	dlg_add_menu(dlg_reply(out, key), m);
}

void
dlg_outcome(struct dialog_state *st, const char *outcome)
{
	if (st->outcome[0] == '\0' ||
	    outcome_rank(outcome) >= outcome_rank(st->outcome))
		dlg_copy(st->outcome, sizeof(st->outcome), outcome);
}

void
dlg_handover(struct dialog_state *st, struct dialog_output *out,
    const char *key)
{
	struct dialog_reply *r = dlg_reply(out, key);

	if (r != NULL)
		r->staff_when = 1;
	out->actions |= DA_HANDOVER;
	dlg_outcome(st, OUTCOME_HANDED_OVER);
	st->step = DS_STAFF;
}

/* Closes the conversation with what it reached, else with dflt. */
static void
end_with(struct dialog_state *st, struct dialog_output *out,
    const char *dflt)
{
	const char *o = st->outcome[0] != '\0' ? st->outcome : dflt;

	out->actions |= DA_END;
	dlg_copy(out->end_outcome, sizeof(out->end_outcome), o);
	dlg_copy(st->outcome, sizeof(st->outcome), o);
	st->step = DS_ENDED;
}

struct dialog_reply *
dlg_ask(struct dialog_state *st, struct dialog_output *out,
    enum dialog_step step, const char *first_key, const char *again_key,
    const char *handover_key)
{
	if (st->asks[step] >= DIALOG_MAX_ASKS) {
		dlg_handover(st, out, handover_key);
		return NULL;
	}
	st->asks[step]++;
	st->step = step;
	return dlg_reply(out, st->asks[step] == 1 ? first_key : again_key);
}

static void
ask_menu(struct dialog_state *st, struct dialog_output *out,
    enum dialog_step step, const char *first_key, const char *again_key,
    const struct dlg_menu *m)
{
	dlg_add_menu(dlg_ask(st, out, step, first_key, again_key,
	    "overdracht.herhaald"), m);
}

/* ---- the intents ------------------------------------------------------- */

static void
on_unknown(struct dialog_state *st, struct dialog_output *out)
{
	if (++st->unknown >= DIALOG_MAX_ASKS) {
		dlg_handover(st, out, "overdracht.onbekend");
		return;
	}
	ask_menu(st, out, DS_CHOICE, st->step == DS_START ? "welkom" :
	    "keuze.opnieuw", "keuze.opnieuw", &dlg_menu_main);
}

/* Hello again after an outcome is a new start, not confusion. */
static void
on_greeting(struct dialog_state *st, struct dialog_output *out)
{
	if (st->asks[DS_CHOICE] == 0)
		ask_menu(st, out, DS_CHOICE, "welkom", "welkom",
		    &dlg_menu_main);
	else if (st->step == DS_DONE)
		ask_menu(st, out, DS_CHOICE, "keuze.nog_iets",
		    "keuze.nog_iets", &dlg_menu_main);
	else
		on_unknown(st, out);
}

static void
answer_topic(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out)
{
	struct dialog_reply *r = dlg_reply(out, NULL);

	if (r != NULL) {
		snprintf(r->topic_key, sizeof(r->topic_key), "onderwerp.%s",
		    in->intent->topic);
		r->key = r->topic_key;
	}
	dlg_copy(st->topic, sizeof(st->topic), in->intent->topic);
	dlg_outcome(st, OUTCOME_ANSWERED);
	st->step = DS_DONE;
}

/* A question: answered from a topic text, asked for, or handed over. */
static void
on_question(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, int may_ask)
{
	if (in->intent != NULL && in->intent->topic[0] != '\0' &&
	    in->topic_answer) {
		answer_topic(st, in, out);
		return;
	}
	if (may_ask && dlg_words(in->text) <= 4 &&
	    (in->text == NULL || strchr(in->text, '?') == NULL)) {
		dlg_ask(st, out, DS_ASK_QUESTION, "vraag.welke", "vraag.welke",
		    "overdracht.herhaald");
		return;
	}
	dlg_handover(st, out, "overdracht.vraag");
}

static void
log_suggestion(struct dialog_state *st, struct dialog_output *out)
{
	dlg_reply(out, "suggestie.bedankt");
	out->actions |= DA_LOG_SUGGESTION;
	dlg_outcome(st, OUTCOME_SUGGESTION);
	st->step = DS_DONE;
}

static void
on_suggestion(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out)
{
	if (dlg_words(in->text) >= 5)
		log_suggestion(st, out);
	else
		dlg_ask(st, out, DS_ASK_SUGGESTION, "suggestie.welke",
		    "suggestie.welke", "overdracht.herhaald");
}

/* Long complaint texts are kept: the case may need no description. */
static void
keep_description(struct dialog_state *st, const struct dialog_input *in)
{
	if (st->description[0] == '\0' && dlg_words(in->text) >= 8)
		dlg_copy(st->description, sizeof(st->description), in->text);
}

/* Complaint or criticism: clarify first, criticism answered once. */
static void
on_complaint(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out, int venting)
{
	keep_description(st, in);
	if (!venting && st->asks[DS_CLARIFY] > 0) {
		/* Said complaint again after being asked: that confirms. */
		dlg_confirmed_complaint(a, st, in, out);
		return;
	}
	if (venting && st->step == DS_DONE &&
	    (st->criticism || st->asks[DS_CLARIFY] > 0))
		return;		/* criticism is answered once, no thread */
	if (venting && st->criticism == 0) {
		st->criticism = 1;
		ask_menu(st, out, DS_CLARIFY, "kritiek.erkend",
		    "klacht.verduidelijk_opnieuw", &dlg_menu_clarify);
		return;
	}
	ask_menu(st, out, DS_CLARIFY, "klacht.verduidelijk",
	    "klacht.verduidelijk_opnieuw", &dlg_menu_clarify);
}

static void
on_thanks(struct dialog_state *st, struct dialog_output *out)
{
	dlg_reply(out, "bedankt.afsluiting");
	end_with(st, out, OUTCOME_ABANDONED);
}

/* After an outcome: "nee" (nothing else) closes, "ja" shows the menu. */
static void
on_done_yesno(struct dialog_state *st, struct dialog_output *out,
    const char *id)
{
	if (strcmp(id, "nee") == 0)
		on_thanks(st, out);
	else
		ask_menu(st, out, DS_CHOICE, "keuze.nog_iets",
		    "keuze.nog_iets", &dlg_menu_main);
}

/* Handles a message by its intent, wherever the conversation is. */
void
dlg_general(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	const char *id;

	if (dlg_is(in, "begroeting"))
		on_greeting(st, out);
	else if (dlg_is(in, "klacht"))
		on_complaint(a, st, in, out, 0);
	else if (dlg_is(in, "ongenoegen"))
		on_complaint(a, st, in, out, 1);
	else if (dlg_is(in, "vraag"))
		on_question(st, in, out, 1);
	else if (dlg_is(in, "suggestie"))
		on_suggestion(st, in, out);
	else if (dlg_is(in, "bedankt"))
		on_thanks(st, out);
	else if (st->step == DS_DONE && (id = dlg_match(in->text,
	    in->payload, &dlg_menu_confirm, NULL)) != NULL)
		on_done_yesno(st, out, id);
	else
		on_unknown(st, out);
}

/* ---- the steps --------------------------------------------------------- */

/* A choice from the main or clarify menu. */
static int
on_choice(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out,
    const struct dlg_menu *menu)
{
	static const char *const yesno[] = { "ja", "nee", NULL };
	const char *id = dlg_match(in->text, in->payload, menu,
	    st->step == DS_CLARIFY ? yesno : NULL);

	if (id == NULL)
		return 0;
	if (strcmp(id, "klacht") == 0 || strcmp(id, "ja") == 0) {
		keep_description(st, in);
		dlg_confirmed_complaint(a, st, in, out);
	} else if (strcmp(id, "nee") == 0) {
		ask_menu(st, out, DS_CHOICE, "klacht.ingetrokken",
		    "klacht.ingetrokken", &dlg_menu_main);
	} else if (strcmp(id, "vraag") == 0) {
		on_question(st, in, out, 1);
	} else {
		on_suggestion(st, in, out);
	}
	return 1;
}

static int
step_handler(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	switch (st->step) {
	case DS_CHOICE:
		return on_choice(a, st, in, out, &dlg_menu_main);
	case DS_CLARIFY:
		if (dlg_withdraws(in->text)) {
			ask_menu(st, out, DS_CHOICE, "klacht.ingetrokken",
			    "klacht.ingetrokken", &dlg_menu_main);
			return 1;
		}
		return on_choice(a, st, in, out, &dlg_menu_clarify);
	case DS_ASK_QUESTION:
		if (dlg_is(in, "klacht") || dlg_is(in, "ongenoegen") ||
		    dlg_is(in, "suggestie") || dlg_is(in, "bedankt"))
			return 0;
		on_question(st, in, out, 0);
		return 1;
	case DS_ASK_SUGGESTION:
		if (dlg_is(in, "bedankt") || dlg_withdraws(in->text))
			return 0;
		log_suggestion(st, out);
		return 1;
	case DS_ASK_NAME:
	case DS_ASK_CONTACT:
	case DS_ASK_DESC:
	case DS_CONFIRM:
	case DS_FIX:
		return dlg_case_step(a, st, in, out);
	default:
		return 0;
	}
}

/* Steps that wait for free text: a long message there is the answer,
 * even when it mentions staff or stopping ("de medewerker was
 * onbeleefd", "... en toen stopte de bus"). */
static int
short_or_not_free(const struct dialog_state *st,
    const struct dialog_input *in, int max_words)
{
	if (st->step == DS_ASK_DESC || st->step == DS_ASK_QUESTION ||
	    st->step == DS_ASK_SUGGESTION)
		return dlg_words(in->text) <= max_words;
	return 1;
}

static int
wants_person(const struct dialog_state *st, const struct dialog_input *in)
{
	return dlg_is(in, "medewerker") && short_or_not_free(st, in, 6);
}

/* Names, addresses and yes/no say nothing about a language, so the
 * reply language only follows messages of some length outside the data
 * steps (and the very first message). */
static void
switch_language(struct dialog_state *st, const struct dialog_input *in)
{
	if (in->intent == NULL || !in->lang_offered ||
	    in->intent->lang[0] == '\0')
		return;
	if (st->step == DS_START || (dlg_words(in->text) >= 3 &&
	    (st->step < DS_ASK_NAME || st->step > DS_FIX)))
		dlg_copy(st->lang, sizeof(st->lang), in->intent->lang);
}

/* Slots any message may fill: a dossier number, stated contact data. */
static void
collect_slots(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in)
{
	struct contact_found f;

	contact_extract(in->text, a != NULL ? &a->dossier_patterns : NULL,
	    0, &f);
	if (f.dossier[0] != '\0')
		dlg_copy(st->dossier, sizeof(st->dossier), f.dossier);
	if (st->name[0] == '\0' && f.name[0] != '\0')
		dlg_copy(st->name, sizeof(st->name), f.name);
	if (f.email[0] != '\0' && strcmp(f.email, CONTACT_INVALID) != 0)
		dlg_copy(st->email, sizeof(st->email), f.email);
	if (f.phone[0] != '\0' && strcmp(f.phone, CONTACT_INVALID) != 0)
		dlg_copy(st->phone, sizeof(st->phone), f.phone);
}

/* The classifier is least sure about short inputs (a bare name can look
 * like an insult), so abuse is only believed above ABUSE_MIN, and only
 * above ABUSE_SURE when the input is what the bot just asked for. */
#define ABUSE_MIN	0.5
#define ABUSE_SURE	0.9
#define STOP_MIN	0.5

static int
sure(const struct dialog_input *in, const char *intent, double min)
{
	return dlg_is(in, intent) && in->intent->confidence >= min;
}

/* Whether the input is what the current step asked for. */
static int
expected(const struct agency *a, const struct dialog_state *st,
    const struct dialog_input *in)
{
	static const char *const yesno[] = { "ja", "nee", NULL };

	switch (st->step) {
	case DS_CHOICE:
		return dlg_match(in->text, in->payload, &dlg_menu_main,
		    NULL) != NULL;
	case DS_CLARIFY:
		return dlg_withdraws(in->text) || dlg_match(in->text,
		    in->payload, &dlg_menu_clarify, yesno) != NULL;
	case DS_ASK_NAME:
	case DS_ASK_CONTACT:
	case DS_ASK_DESC:
	case DS_CONFIRM:
	case DS_FIX:
		return dlg_case_expected(a, st, in);
	default:
		return 0;
	}
}

static void
on_text(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	if (st->step == DS_ENDED)
		st->step = DS_START;
	if (st->first_intent[0] == '\0' && in->intent != NULL)
		dlg_copy(st->first_intent, sizeof(st->first_intent),
		    in->intent->intent);
	if (st->step == DS_STAFF) {
		if (sure(in, "scheldwoorden", ABUSE_MIN)) {
			st->abuse++;
			out->actions |= DA_FLAG_ABUSE;
		}
		return;
	}
	switch_language(st, in);
	if (st->step < DS_ASK_NAME || st->step > DS_FIX)
		collect_slots(a, st, in);
	if (sure(in, "stop", STOP_MIN) && short_or_not_free(st, in, 4)) {
		dlg_reply(out, "stop.bevestiging");
		end_with(st, out, OUTCOME_STOPPED);
		return;
	}
	if (wants_person(st, in)) {
		dlg_handover(st, out, "overdracht.medewerker");
		return;
	}
	if (!sure(in, "scheldwoorden", ABUSE_SURE) && expected(a, st, in) &&
	    step_handler(a, st, in, out))
		return;
	if (sure(in, "scheldwoorden", ABUSE_MIN)) {
		/* Never engage: no reply, staff sees the flag. */
		st->abuse++;
		out->actions |= DA_FLAG_ABUSE;
		dlg_outcome(st, OUTCOME_ABUSE);
		return;
	}
	if (!step_handler(a, st, in, out))
		dlg_general(a, st, in, out);
}

void
dialog_step(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	memset(out, 0, sizeof(*out));
	switch (in->kind) {
	case DI_TIMEOUT:
		end_with(st, out, OUTCOME_ABANDONED);
		break;
	case DI_MEDIA:
		if (st->step == DS_STAFF)
			break;
		if (st->step == DS_ENDED)
			st->step = DS_START;
		dlg_handover(st, out, "overdracht.media");
		break;
	case DI_TEXT:
		on_text(a, st, in, out);
		break;
	}
}
