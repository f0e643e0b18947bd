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
#include "signals.h"

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

/* Contact details live only as long as they serve a case: once the
 * conversation ends or goes to staff without one, they are dropped
 * (staff read the messages themselves). */
void
dlg_forget_contact(struct dialog_state *st)
{
	st->name[0] = st->email[0] = st->phone[0] = '\0';
}

void
dlg_handover(struct dialog_state *st, struct dialog_output *out,
    const char *key)
{
	struct dialog_reply *r = dlg_reply(out, key);

	dlg_forget_contact(st);
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
	dlg_forget_contact(st);
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
answer_topic(struct dialog_state *st, const char *topic, const char *key,
    struct dialog_output *out)
{
	struct dialog_reply *r = dlg_reply(out, NULL);

	if (r != NULL) {
		dlg_copy(r->topic_key, sizeof(r->topic_key), key);
		r->key = r->topic_key;
	}
	dlg_copy(st->topic, sizeof(st->topic), topic);
	dlg_outcome(st, OUTCOME_ANSWERED);
	st->step = DS_DONE;
}

/* The citizen's own address or number, with no question: "mail me op
 * ..." is no question about how to reach the agency. */
static int
own_details(const struct dialog_input *in)
{
	return in->sig != NULL && !in->sig->question &&
	    (in->sig->contact.email[0] != '\0' ||
	    in->sig->contact.phone[0] != '\0');
}

/* A question: answered from a topic text, asked for, or handed over. */
static void
on_question(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, int may_ask)
{
	if (in->intent != NULL && in->intent->topic[0] != '\0' &&
	    in->topic_key != NULL && !own_details(in)) {
		answer_topic(st, in->intent->topic, in->topic_key, out);
		return;
	}
	if (may_ask && dlg_words(in->text) <= 4 && !dlg_rest_words(in, 3) &&
	    (in->text == NULL || strchr(in->text, '?') == NULL)) {
		dlg_ask(st, out, DS_ASK_QUESTION, "vraag.welke", "vraag.welke",
		    "overdracht.herhaald");
		return;
	}
	/* "Pieter Claes hier, van schrijnwerkerij Claes", "wij hebben
	 * een bakkerij in de Kerkstraat": context, the question follows. */
	if (may_ask && in->sig != NULL && !in->sig->question) {
		if (st->step == DS_START)
			ask_menu(st, out, DS_CHOICE, "welkom", "keuze.opnieuw",
			    &dlg_menu_main);
		else
			dlg_ask(st, out, DS_ASK_QUESTION, "vraag.welke",
			    "vraag.welke", "overdracht.herhaald");
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
	/* "ik heb ne suggestie" announces one; the tip itself follows. */
	int announces = in->sig != NULL &&
	    strcmp(in->sig->choice, "suggestie") == 0 &&
	    !dlg_rest_words(in, 3) && in->sig->words <= 8;

	if (dlg_words(in->text) >= 5 && !announces)
		log_suggestion(st, out);
	else
		dlg_ask(st, out, DS_ASK_SUGGESTION, "suggestie.welke",
		    "suggestie.welke", "overdracht.herhaald");
}

/* Adds text to the description on a line of its own, once. */
static void
append_description(struct dialog_state *st, const char *text)
{
	size_t n = strlen(st->description);

	if (strstr(st->description, text) != NULL)
		return;
	if (n == 0) {
		dlg_copy(st->description, sizeof(st->description), text);
	} else if (n + 2 < sizeof(st->description)) {
		st->description[n] = '\n';
		dlg_copy(st->description + n + 1,
		    sizeof(st->description) - n - 1, text);
	}
}

/* A story is kept: the case may need no description then.  A second
 * story is added to the first (bursts, "en ook nog ..."). */
void
dlg_keep_description(struct dialog_state *st, const struct dialog_input *in)
{
	const char *text = in->text;

	if (in->sig == NULL || !in->sig->narrative || text == NULL)
		return;
	/* "ja, ...", "nee, geen vraag. ...": the story, not the answer */
	if (in->sig->rest > 0 && (in->sig->answer != SIGNALS_NONE ||
	    in->sig->denied[0] != '\0') && dlg_words(text + in->sig->rest) >= 3)
		text += in->sig->rest;
	append_description(st, text);
}

/* "klacht" / "aanmoedigingspremie" / "nog altijd niet betaald!!!": in a
 * burst at the clarify question, short pieces are the story too. */
static void
keep_fragment(struct dialog_state *st, const struct dialog_input *in)
{
	if (in->sig != NULL && in->sig->narrative)
		dlg_keep_description(st, in);
	else if (in->text != NULL && dlg_words(in->text) > 0)
		append_description(st, in->text);
}

/* Complaint or criticism: clarify first, criticism answered once. */
static void
on_complaint(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out, int venting)
{
	if (!venting && st->step == DS_DONE &&
	    strcmp(st->outcome, OUTCOME_CASE) == 0) {
		/* A new complaint after a case was registered: its own
		 * description, confirmation and summary (the name and the
		 * contact may serve again, the summary shows them), never
		 * the last case's story again. */
		st->description[0] = '\0';
		memset(st->asks, 0, sizeof(st->asks));
		st->fix_field = 0;
		st->invalid = 0;
	}
	dlg_keep_description(st, in);
	if (in->intent != NULL && in->intent->topic[0] != '\0')
		dlg_copy(st->pending_topic, sizeof(st->pending_topic),
		    in->intent->topic);
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

/* After an outcome: "nee" (nothing else) closes, "ja" shows the menu;
 * "ok", "top" or a thumbs-up is a thank-you and closes as well. */
static void
on_done_yesno(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *id)
{
	if (strcmp(id, "nee") == 0 || (in->payload == NULL &&
	    !dlg_plain_yes(in->text)))
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
	else if ((dlg_is(in, "klacht") || dlg_is(in, "ongenoegen")) &&
	    in->sig != NULL && in->sig->not_complaint && in->sig->question)
		on_question(st, in, out, 1);	/* "niet dat we klagen, maar
						   hoe lang duurt ...?" */
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
	else if (st->step == DS_DONE && (id = dlg_answer(in,
	    &dlg_menu_confirm)) != NULL)
		on_done_yesno(st, in, out, id);
	else
		on_unknown(st, out);
}

/* ---- the steps --------------------------------------------------------- */

/* The citizen says it is no complaint; what else the message says is
 * acted on in the same reply.  Details given for the complaint go with
 * it. */
static void
not_a_complaint(struct dialog_state *st, const struct dialog_input *in,
    struct dialog_output *out, const char *choice)
{
	int asked = dlg_rest_words(in, 3) || in->topic_key != NULL;
	int question;

	dlg_forget_contact(st);
	/* "nee geen klacht, ik wil gewoon weten of ...": the question is
	 * the choice, named or not. */
	question = choice != NULL ? strcmp(choice, "vraag") == 0 :
	    in->sig != NULL && in->sig->question && asked;
	/* A question with no topic of its own is about the one the
	 * discontent named: "die kmo portefeuille ..." "vraag. hoeveel
	 * krijg ik terug?", or "hoe lang nog??" "vraag". */
	if (question && in->topic_key == NULL &&
	    in->pending_topic_key != NULL)
		answer_topic(st, st->pending_topic, in->pending_topic_key,
		    out);
	else if (question && asked)
		on_question(st, in, out, 0);
	else if (question)
		dlg_ask(st, out, DS_ASK_QUESTION, "vraag.welke", "vraag.welke",
		    "overdracht.herhaald");
	else if (choice != NULL && strcmp(choice, "suggestie") == 0)
		on_suggestion(st, in, out);
	else
		ask_menu(st, out, DS_CHOICE, "klacht.ingetrokken",
		    "klacht.ingetrokken", &dlg_menu_main);
}

/* A choice from the main menu. */
static int
on_choice(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	const char *id = dlg_choice(in, &dlg_menu_main);

	if (id == NULL)
		return 0;
	if (strcmp(id, "klacht") == 0) {
		if (in->sig != NULL && in->sig->not_complaint)
			return 0;
		/* A button is a clear choice, and so is "een klacht, ja";
		 * other typed words are confirmed once ("ik heb een
		 * klacht" -> "u wilt klacht indienen?"). */
		if (in->payload == NULL && dlg_menu_pick(in, &dlg_menu_main,
		    NULL) == NULL && (in->sig == NULL ||
		    in->sig->answer != SIGNALS_YES))
			on_complaint(a, st, in, out, 0);
		else
			dlg_confirmed_complaint(a, st, in, out);
	} else if (strcmp(id, "vraag") == 0) {
		on_question(st, in, out, 1);
	} else {
		on_suggestion(st, in, out);
	}
	return 1;
}

/* A bare name or contact details in answer to "a complaint?": the
 * citizen goes ahead with it.  The name is kept where cases are
 * registered (other details are kept by collect_slots). */
static int
gives_details(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in)
{
	const struct contact_found *c = &in->sig->contact;
	struct contact_found f;
	int details = c->email[0] != '\0' || c->phone[0] != '\0';

	if (in->sig->words > 4 || in->sig->question || in->text == NULL)
		return details;
	contact_extract(in->text, NULL, 1, &f);
	/* One word is no full name, and is too often something else: a
	 * dialect "joat", a "pardon". */
	if (f.name[0] == '\0' || strchr(f.name, ' ') == NULL)
		return details;
	if (a != NULL && a->policy == POLICY_CASE && st->name[0] == '\0')
		dlg_copy(st->name, sizeof(st->name), f.name);
	return 1;
}

/* "ja. Lien Martens, lien@..., 0468 ...": the yes comes with the details
 * for the case.  What follows the yes is read as a reply to the name
 * question (addresses and numbers are kept by collect_slots), only when
 * it holds an address or number: "ja aub" or "yes please" is no name. */
static void
name_after_yes(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in)
{
	struct contact_found f;

	if (a == NULL || a->policy != POLICY_CASE || st->name[0] != '\0' ||
	    in->sig == NULL || in->sig->answer != SIGNALS_YES ||
	    in->sig->rest < 0 || in->text == NULL ||
	    (size_t)in->sig->rest >= strlen(in->text) ||
	    (in->sig->contact.email[0] == '\0' &&
	    in->sig->contact.phone[0] == '\0'))
		return;
	contact_extract(in->text + in->sig->rest, NULL, 1, &f);
	if (f.name[0] != '\0')
		dlg_copy(st->name, sizeof(st->name), f.name);
}

/* The answer to "a complaint, or rather a question or a suggestion?",
 * read in the light of that question: a story confirms the complaint
 * and describes it, "niet" inside it means nothing, "geen klacht" with
 * a question or tip after it is that question or tip. */
static int
on_clarify(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	static const char *const yesno[] = { "ja", "nee", NULL };
	const struct signals *sig = in->sig;
	const char *id = dlg_menu_pick(in, &dlg_menu_clarify, yesno);

	if (id == NULL && sig != NULL) {
		if (sig->not_complaint || (sig->words <= 6 &&
		    dlg_withdraws(in->text)))
			id = sig->choice[0] != '\0' ? sig->choice : "nee";
		else if (sig->explicit_complaint)
			id = "klacht";
		else if ((sig->thanks && !dlg_plain_yes(in->text)) ||
		    sig->resolved) {
			/* "ok merci": no, thanks; "ja, bedankt" is a yes */
			st->pending_topic[0] = '\0';
			on_thanks(st, out);
			return 1;
		} else if (sig->answer == SIGNALS_YES)
			id = "ja";
		else if (sig->choice[0] != '\0')
			id = sig->choice;
		else if (sig->answer == SIGNALS_NO && sig->denied[0] != '\0' &&
		    (sig->narrative || sig->discontent) &&
		    !dlg_is(in, "suggestie"))
			id = "klacht";	/* "nee, geen vraag: ik heb al ..." */
		else if (sig->answer == SIGNALS_NO)
			id = "nee";
		else if (sig->narrative && !dlg_is(in, "suggestie") &&
		    (!sig->question || !dlg_is(in, "vraag")))
			id = "klacht";	/* the story is the answer */
		else if (gives_details(a, st, in))
			id = "klacht";	/* "Stijn Verbeke": for the case */
		else if (sig->unsure) {
			dlg_handover(st, out, "overdracht.vraag");
			return 1;
		}
	}
	if (id == NULL)
		return 0;
	if (strcmp(id, "klacht") == 0 || strcmp(id, "ja") == 0) {
		dlg_keep_description(st, in);
		name_after_yes(a, st, in);
		dlg_confirmed_complaint(a, st, in, out);
	} else if (strcmp(id, "nee") == 0) {
		not_a_complaint(st, in, out, NULL);
	} else {
		not_a_complaint(st, in, out, id);
	}
	st->pending_topic[0] = '\0';
	return 1;
}

static int
step_handler(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in, struct dialog_output *out)
{
	switch (st->step) {
	case DS_CHOICE:
		if (in->sig != NULL && in->sig->not_complaint &&
		    in->sig->choice[0] != '\0') {
			not_a_complaint(st, in, out, in->sig->choice);
			return 1;
		}
		if (in->sig != NULL && in->sig->unsure &&
		    in->sig->choice[0] == '\0' && !in->sig->question) {
			dlg_handover(st, out, "overdracht.vraag");
			return 1;
		}
		return on_choice(a, st, in, out);
	case DS_CLARIFY:
		return on_clarify(a, st, in, out);
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

/* Names, addresses and yes/no say nothing about a language, so the
 * reply language only follows messages of some length outside the data
 * steps (and the very first message).  Dutch is the guess when nothing
 * says otherwise, so "Merci, bonne soirée" keeps a French conversation
 * French: back to Dutch takes a longer message. */
static void
switch_language(struct dialog_state *st, const struct dialog_input *in)
{
	int words = dlg_words(in->text);

	if (in->intent == NULL || !in->lang_offered ||
	    in->intent->lang[0] == '\0')
		return;
	if (strcmp(in->intent->lang, "nl") == 0 &&
	    strcmp(st->lang, "nl") != 0 && words < 6 && st->step != DS_START)
		return;
	if (st->step == DS_START || (words >= 3 &&
	    (st->step < DS_ASK_NAME || st->step > DS_FIX)))
		dlg_copy(st->lang, sizeof(st->lang), in->intent->lang);
}

/* Details any message may carry, kept before they are asked: a dossier
 * number always, contact details only where the policy registers cases
 * (an agency that redirects stores none). */
static void
collect_slots(const struct agency *a, struct dialog_state *st,
    const struct dialog_input *in)
{
	const struct contact_found *f;

	if (in->sig == NULL)
		return;
	f = &in->sig->contact;
	if (f->dossier[0] != '\0')
		dlg_copy(st->dossier, sizeof(st->dossier), f->dossier);
	if (a == NULL || a->policy != POLICY_CASE)
		return;
	if (st->name[0] == '\0' && f->name[0] != '\0')
		dlg_copy(st->name, sizeof(st->name), f->name);
	if (f->email[0] != '\0' && strcmp(f->email, CONTACT_INVALID) != 0)
		dlg_copy(st->email, sizeof(st->email), f->email);
	if (f->phone[0] != '\0' && strcmp(f->phone, CONTACT_INVALID) != 0)
		dlg_copy(st->phone, sizeof(st->phone), f->phone);
}

/* The classifier is least sure about short inputs (a bare name can look
 * like an insult), so without an insult word abuse is only believed
 * above ABUSE_MIN, and only above ABUSE_SURE when the input is what the
 * bot just asked for. */
#define ABUSE_MIN	0.5
#define ABUSE_SURE	0.9

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
	switch (st->step) {
	case DS_CHOICE:
		return dlg_choice(in, &dlg_menu_main) != NULL;
	case DS_CLARIFY:
		return in->payload != NULL || (in->sig != NULL &&
		    (in->sig->answer != SIGNALS_NONE ||
		    in->sig->choice[0] != '\0' || in->sig->not_complaint));
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

static int
abusive(const struct agency *a, const struct dialog_state *st,
    const struct dialog_input *in)
{
	if (in->sig != NULL && in->sig->abuse)
		return 1;
	if (sure(in, "scheldwoorden", ABUSE_SURE))
		return 1;
	return sure(in, "scheldwoorden", ABUSE_MIN) && !expected(a, st, in);
}

/* A message in a burst that adds nothing to act on: the question the
 * bot asked a second ago is still open, so it is kept, not answered. */
static int
adds_nothing(const struct agency *a, const struct dialog_state *st,
    const struct dialog_input *in)
{
	const struct signals *sig = in->sig;

	if (!in->burst || sig == NULL || in->payload != NULL)
		return 0;
	if (st->step != DS_CLARIFY && st->step != DS_DONE &&
	    st->step != DS_CHOICE)
		return 0;
	/* "wat moet ik doen??" a second after a topic was answered: the
	 * answer it asks for is the one just sent */
	if (st->step == DS_DONE && strcmp(st->outcome, OUTCOME_ANSWERED) ==
	    0 && sig->question && sig->words <= 6 && in->topic_key == NULL &&
	    !sig->person && !sig->stop && !sig->abuse &&
	    !sig->explicit_complaint && sig->choice[0] == '\0')
		return 1;
	if (sig->answer != SIGNALS_NONE || sig->choice[0] != '\0' ||
	    sig->not_complaint || (sig->explicit_complaint &&
	    st->step != DS_CLARIFY) || sig->question)
		return 0;
	if (a != NULL && a->policy == POLICY_CASE &&
	    (sig->contact.email[0] != '\0' || sig->contact.phone[0] != '\0'))
		return 0;
	if (st->step == DS_CHOICE)
		return !sig->narrative && !dlg_is(in, "klacht") &&
		    !dlg_is(in, "ongenoegen") && !dlg_is(in, "suggestie");
	return 1;
}

/* Whether the bot asked something the citizen may need time for (after
 * an answer: a detail to add). */
static int
awaits_answer(const struct dialog_state *st)
{
	return st->step == DS_CHOICE || st->step == DS_CLARIFY ||
	    st->step == DS_DONE || st->step == DS_ASK_QUESTION ||
	    st->step == DS_ASK_SUGGESTION ||
	    (st->step >= DS_ASK_NAME && st->step <= DS_FIX);
}

/* A thank-you closes where it cannot be an answer: not in the case
 * steps ("ok bedankt" confirms a summary), and not as "ja, bedankt" to
 * the question whether it is a complaint. */
static int
may_close(const struct dialog_state *st, const struct dialog_input *in)
{
	if (st->step == DS_CLARIFY)
		return in->sig->answer != SIGNALS_YES;
	return st->step == DS_CHOICE || st->step == DS_DONE ||
	    st->step == DS_ASK_QUESTION || st->step == DS_ASK_SUGGESTION;
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
		if (abusive(a, st, in)) {
			st->abuse++;
			out->actions |= DA_FLAG_ABUSE;
		}
		return;
	}
	switch_language(st, in);
	if (st->step < DS_ASK_NAME || st->step > DS_FIX)
		collect_slots(a, st, in);
	if (in->sig != NULL && in->sig->stop) {
		dlg_reply(out, "stop.bevestiging");
		end_with(st, out, OUTCOME_STOPPED);
		return;
	}
	if (in->sig != NULL && in->sig->person) {
		dlg_handover(st, out, "overdracht.medewerker");
		return;
	}
	if (abusive(a, st, in)) {
		/* Never engage: no reply, staff sees the flag. */
		st->abuse++;
		out->actions |= DA_FLAG_ABUSE;
		dlg_outcome(st, OUTCOME_ABUSE);
		return;
	}
	/* "ja", and a second later "dossier is GS-24-00391": the number the
	 * referral needs came just after the general redirect */
	if (st->step == DS_DONE && strcmp(st->outcome, OUTCOME_REDIRECTED) ==
	    0 && in->sig != NULL && in->sig->contact.dossier[0] != '\0' &&
	    dlg_refers_dossiers(a)) {
		dlg_confirmed_complaint(a, st, in, out);
		return;
	}
	if (in->sig != NULL && in->sig->wait && awaits_answer(st)) {
		dlg_reply(out, "wachten.ok");	/* the question stays open */
		return;
	}
	if (in->sig != NULL && in->sig->thanks && may_close(st, in)) {
		on_thanks(st, out);
		return;
	}
	if (adds_nothing(a, st, in)) {
		if (st->step == DS_CLARIFY)
			keep_fragment(st, in);
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
