/*
 * test_dialog.c — the pure conversation state machine, path by path,
 * for the three policies (VMSW redirect, VLAIO redirect with dossier
 * referral, WSE case) without a database, a clock or a classifier: the
 * intent of every message is given by the test.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dialog.h"
#include "testhelp.h"

static char *vlaio_pat[] = {
	"dossier[a-z]*[ .:#-]*[nrume.]*[ .:#-]*([0-9]{4}/[0-9]{3,6}|"
	"[a-z]{2}-[0-9]{4}-[0-9]{3,6})"
};

static struct agency vmsw = {
	.id = "vmsw", .name = "VMSW", .policy = POLICY_REDIRECT,
	.complaint_url = "https://www.vmsw.be/klachten",
	.coordinator_email = "klachten@vmsw.be",
	.coordinator_phone = "+32 2 505 45 45",
	.languages = LANG_NL | LANG_FR | LANG_EN,
};
static struct agency vlaio = {
	.id = "vlaio", .name = "VLAIO", .policy = POLICY_REDIRECT,
	.complaint_url = "https://www.vlaio.be/klachten",
	.coordinator_email = "klachten@vlaio.be",
	.dossier_email = "dossierbeheer@vlaio.be",
	.dossier_patterns = { vlaio_pat, 1, NULL },
	.languages = LANG_NL | LANG_EN,
};
static struct agency wse = {
	.id = "wse", .name = "WSE", .policy = POLICY_CASE,
	.languages = LANG_NL | LANG_FR | LANG_EN,
};

static struct dialog_state st;
static struct dialog_output out;
static const struct agency *ag;
static int channel_wa = 1, office = 1, burst;

static void
start(const struct agency *a)
{
	ag = a;
	dialog_init(&st, "nl");
}

/* One message: intent (NULL = not classified), topic, text, payload. */
static void
msg_full(const char *intent, const char *topic, const char *lang,
    const char *text, const char *payload)
{
	struct intent_result r;
	struct dialog_input in;
	struct signals sig;
	char key[DIALOG_TOPIC_KEY_MAX], pending[DIALOG_TOPIC_KEY_MAX];

	memset(&r, 0, sizeof(r));
	snprintf(r.intent, sizeof(r.intent), "%s", intent ? intent :
	    "onbekend");
	snprintf(r.topic, sizeof(r.topic), "%s", topic ? topic : "");
	snprintf(r.lang, sizeof(r.lang), "%s", lang ? lang : "nl");
	/* Insults are classified with high confidence in practice. */
	r.confidence = intent && strcmp(intent, "scheldwoorden") == 0 ?
	    0.95 : 0.8;
	memset(&in, 0, sizeof(in));
	in.kind = DI_TEXT;
	in.text = text;
	in.payload = payload;
	in.intent = &r;
	in.whatsapp = channel_wa;
	in.user_phone = channel_wa ? "+32470998877" : NULL;
	/* The engine reads the signals the same way (conv.c). */
	signals_read(text, &r, ag != NULL ? &ag->dossier_patterns : NULL,
	    st.step == DS_ASK_NAME ? SIGNALS_NAME_ASKED :
	    st.step == DS_ASK_CONTACT ? SIGNALS_NAME_GIVEN : 0, &sig);
	signals_decide(&sig, &r);
	in.sig = &sig;
	if (topic != NULL && strcmp(topic, "geen") != 0) {
		snprintf(key, sizeof(key), "onderwerp.%s", topic);
		in.topic_key = key;
	}
	if (st.pending_topic[0] != '\0') {	/* as conv.c looks it up */
		snprintf(pending, sizeof(pending), "onderwerp.%s",
		    st.pending_topic);
		in.pending_topic_key = pending;
	}
	in.lang_offered = 1;
	in.in_office = office;
	in.burst = burst;
	dialog_step(ag, &st, &in, &out);
}

static void
msg(const char *intent, const char *text)
{
	msg_full(intent, NULL, NULL, text, NULL);
}

/* A message a second after the last one. */
static void
burst_msg(const char *intent, const char *text)
{
	burst = 1;
	msg_full(intent, NULL, NULL, text, NULL);
	burst = 0;
}

static void
button(const char *id, const char *title)
{
	msg_full(NULL, NULL, NULL, title, id);
}

static void
other(enum dialog_input_kind kind)
{
	struct dialog_input in;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.in_office = office;
	dialog_step(ag, &st, &in, &out);
}

static const char *
key(int i)
{
	return i < out.n_replies ? out.replies[i].key : "(none)";
}

static void
test_greeting_and_choices(void)
{
	start(&vmsw);
	msg("begroeting", "hallo");
	TEST_STR("welcome", key(0), "welkom");
	TEST("three buttons", out.replies[0].n_choices == 3);
	TEST_STR("button 2 is klacht", out.replies[0].choices[1].id,
	    "klacht");
	TEST("step choice", st.step == DS_CHOICE);
	msg(NULL, "2");
	TEST_STR("typed 2 is a confirmed complaint", key(0),
	    "klacht.doorverwijzing_tel");
	TEST_STR("redirected", st.outcome, OUTCOME_REDIRECTED);
	TEST("done", st.step == DS_DONE);
	msg("begroeting", "hallo");
	TEST_STR("hello again: what else", key(0), "keuze.nog_iets");
	msg("bedankt", "merci");
	TEST_STR("polite close", key(0), "bedankt.afsluiting");
	TEST("ended", (out.actions & DA_END) && st.step == DS_ENDED);
	TEST_STR("end outcome", out.end_outcome, OUTCOME_REDIRECTED);

	start(&vmsw);
	msg("begroeting", "dag");
	msg("vraag", "een vraag eigenlijk");
	TEST_STR("typed question", key(0), "vraag.welke");
	msg_full("vraag", "openingsuren", NULL, "wanneer zijn jullie open?",
	    NULL);
	TEST_STR("topic answer", key(0), "onderwerp.openingsuren");
	TEST_STR("answered", st.outcome, OUTCOME_ANSWERED);

	start(&vmsw);
	msg("begroeting", "dag");
	button("suggestie", "Een suggestie");
	TEST_STR("suggestion asked", key(0), "suggestie.welke");
	msg(NULL, "meer zitbanken aan de halte");
	TEST_STR("suggestion thanked", key(0), "suggestie.bedankt");
	TEST("logged", out.actions & DA_LOG_SUGGESTION);
	TEST_STR("suggestion outcome", st.outcome, OUTCOME_SUGGESTION);
}

/* A grievance about a topic, then "een vraag" at the clarify question:
 * the topic of the grievance is answered, not asked for again. */
static void
test_grievance_topic(void)
{
	start(&vmsw);
	msg_full("ongenoegen", "betaling", NULL, "hoe lang moet ik nog "
	    "wachten op mijn premie??", NULL);
	TEST("a grievance is clarified first", st.step == DS_CLARIFY);
	TEST_STR("its topic waits", st.pending_topic, "betaling");
	msg("vraag", "een vraag");
	TEST_STR("'een vraag' answers the waiting topic", key(0),
	    "onderwerp.betaling");
	TEST_STR("outcome answered", st.outcome, "answered");
	TEST_STR("nothing waits any more", st.pending_topic, "");
	start(&vmsw);
	msg_full("ongenoegen", "betaling", NULL, "hoe lang moet ik nog "
	    "wachten op mijn premie??", NULL);
	msg("klacht", "ja, een klacht");
	TEST_STR("a complaint is redirected", st.outcome,
	    OUTCOME_REDIRECTED);
	TEST_STR("and forgets the topic", st.pending_topic, "");

	/* "nee, geen vraag" and a story: the complaint, told without the
	 * denial */
	start(&wse);
	msg("ongenoegen", "hoe lang moet ik nog wachten??");
	msg("ongenoegen", "nee, geen vraag. ik heb al drie keer gebeld en "
	    "niemand weet iets");
	TEST("'nee, geen vraag' and a story confirm", st.step == DS_ASK_NAME);
	TEST("the story is kept without the denial", strstr(st.description,
	    "geen vraag") == NULL && strstr(st.description, "drie keer") !=
	    NULL);

	/* "ok merci" to "do you want to file a complaint?": no, thanks */
	start(&wse);
	msg("ongenoegen", "wat een trage dienst");
	msg("bedankt", "ok merci");
	TEST_STR("'ok merci' at the clarify question closes", key(0),
	    "bedankt.afsluiting");
	TEST("no case is started", st.step == DS_ENDED);
}

static void
test_clarify(void)
{
	start(&vmsw);
	msg("klacht", "ik wil een klacht indienen");
	TEST_STR("klacht is clarified", key(0), "klacht.verduidelijk");
	TEST("clarify buttons", out.replies[0].n_choices == 3);
	msg(NULL, "ja");
	TEST_STR("ja confirms", key(0), "klacht.doorverwijzing_tel");

	start(&vmsw);
	msg("ongenoegen", "wat een trage bedoening");
	TEST_STR("criticism acknowledged", key(0), "kritiek.erkend");
	msg("ongenoegen", "echt waardeloos");
	TEST_STR("second clarify", key(0), "klacht.verduidelijk_opnieuw");
	msg("ongenoegen", "niemand doet iets");
	TEST("third: staff", (out.actions & DA_HANDOVER) &&
	    st.step == DS_STAFF);
	TEST_STR("handed over", st.outcome, OUTCOME_HANDED_OVER);
	msg("ongenoegen", "hallo??");
	TEST("silent while staff has it", out.n_replies == 0);

	start(&vmsw);
	msg("ongenoegen", "slechte service");
	msg(NULL, "nee, een vraag");
	TEST_STR("nee een vraag -> question", key(0), "vraag.welke");

	start(&vmsw);
	msg("klacht", "klacht");
	msg(NULL, "nee, ik wil geen klacht");
	TEST_STR("withdrawn", key(0), "klacht.ingetrokken");
	TEST("menu again", st.step == DS_CHOICE);

	/* Criticism after the redirect is not answered again. */
	start(&vmsw);
	msg("ongenoegen", "wat een chaos");
	msg(NULL, "klacht");
	TEST_STR("redirect", st.outcome, OUTCOME_REDIRECTED);
	msg("ongenoegen", "dat helpt mij niks");
	TEST("criticism answered once", out.n_replies == 0);
}

/* Classes from the fourth blind set (tests/conversations/fresh4), each
 * with other words than the lines that showed it. */
static void
test_said_in_passing(void)
{
	/* "not that we complain" with a question: a question */
	start(&wse);
	msg_full("ongenoegen", NULL, NULL, "Ik wil niet klagen hoor, maar "
	    "wanneer krijgen we bericht over onze arbeidskaart?", NULL);
	TEST("'ik wil niet klagen, maar wanneer ...?' is a question",
	    st.step == DS_STAFF);
	TEST_STR("handed over as a question", st.outcome,
	    OUTCOME_HANDED_OVER);

	/* "nee, geen klacht" and a question without the word "vraag" */
	start(&wse);
	msg("ongenoegen", "amai wat een gedoe met die premie");
	msg_full("vraag", "aanmoedigingspremie", NULL, "neenee geen klacht, "
	    "ik zou graag weten wanneer die premie gestort wordt", NULL);
	TEST_STR("the question after 'geen klacht' is answered", key(0),
	    "onderwerp.aanmoedigingspremie");
	TEST_STR("outcome answered", st.outcome, OUTCOME_ANSWERED);

	/* "vraag." and a question without a topic: the discontent's topic */
	start(&vlaio);
	msg_full("ongenoegen", "hinderpremie", NULL, "die hinderpremie is "
	    "toch zo omslachtig", NULL);
	msg("vraag", "vraag: moet ik dat elk jaar opnieuw doen?");
	TEST_STR("the waiting topic is answered", key(0),
	    "onderwerp.hinderpremie");

	/* the yes comes with name and number: all kept, the summary next */
	start(&wse);
	msg("klacht", "ik dien een klacht in over mijn begeleider");
	msg(NULL, "ja! Koen Wouters, 0495 11 22 33");
	TEST_STR("name after the yes kept", st.name, "Koen Wouters");
	TEST_STR("number kept", st.phone, "+32495112233");
	TEST("no name asked", st.step != DS_ASK_NAME);
	start(&wse);
	msg("klacht", "ik dien een klacht in over mijn begeleider");
	msg(NULL, "ja aub");
	TEST_STR("'ja aub' gives no name", st.name, "");
	TEST("the name is asked", st.step == DS_ASK_NAME);

	/* an address instead of the name: kept, the name asked afresh */
	msg(NULL, "koen.w@example.org");
	TEST_STR("the address is kept", st.email, "koen.w@example.org");
	TEST_STR("the name asked as a new question", key(0),
	    "klacht.naam_na_verhaal");
	msg(NULL, "ok");
	TEST("one answer without a name is not yet a hand-over",
	    st.step == DS_ASK_NAME);
	msg(NULL, "Koen Wouters");
	TEST_STR("then the name", st.name, "Koen Wouters");

	/* fifth blind set: "why?" at a data step, a one-word "name" at the
	 * clarify question, a name spelt right at the summary, and a second
	 * complaint after a case */
	start(&wse);
	msg("klacht", "ik dien een klacht in over mijn begeleider");
	msg(NULL, "ja");
	msg(NULL, "waarvoor hebt ge dat nodig?");
	TEST_STR("why is answered", key(0), "klacht.waarom_naam");
	TEST("the name is still asked", st.step == DS_ASK_NAME);
	msg(NULL, "ja hoor, Koen Wouters");
	TEST_STR("then the name after 'ja hoor'", st.name, "Koen Wouters");
	msg(NULL, "koen@example.org");
	TEST("the summary", st.step == DS_CONFIRM);
	msg(NULL, "bijna: Woutters met dubbel t");
	TEST_STR("the surname spelt right at the summary", st.name,
	    "Koen Woutters");
	TEST_STR("a new summary", key(0), "klacht.bevestig");
	TEST("the description is untouched", strstr(st.description,
	    "dubbel") == NULL);
	msg(NULL, "ja");
	TEST("the case", out.actions & DA_CREATE_CASE);
	msg("klacht", "ik wil nog een klacht indienen");
	msg(NULL, "ja");
	TEST("a second complaint asks its own description",
	    st.step == DS_ASK_DESC && st.description[0] == '\0');

	/* "super, opgelost" at the clarify question closes: no complaint */
	start(&vmsw);
	msg("ongenoegen", "waar blijft mijn attest nu weer");
	msg(NULL, "super, opgelost, merci");
	TEST_STR("sorted out closes", key(0), "bedankt.afsluiting");
	TEST("no redirect", strcmp(st.outcome, OUTCOME_REDIRECTED) != 0);

	/* the dossier number a second after the redirect: referred */
	start(&vlaio);
	msg("klacht", "ik heb een klacht over hoe mijn aanvraag behandeld "
	    "werd");
	msg(NULL, "ja");
	TEST_STR("redirected first", st.outcome, OUTCOME_REDIRECTED);
	burst_msg(NULL, "dossier 2025/11873");
	TEST_STR("then referred with the number", st.outcome,
	    OUTCOME_REFERRED);
	TEST_STR("...by the dossier text", key(0), "klacht.dossier");

	/* a complaint sent in pieces: the pieces are its description */
	start(&wse);
	msg("klacht", "klacht");
	burst_msg(NULL, "opleidingsverlof");
	burst_msg(NULL, "al 2 maanden geen antwoord!!");
	TEST("the pieces are kept", strstr(st.description, "opleidingsverlof")
	    != NULL && strstr(st.description, "geen antwoord") != NULL);

	start(&wse);
	msg("klacht", "ik dien een klacht in over mijn begeleider");
	msg(NULL, "Gisteren");
	TEST_STR("one word at the clarify question is no name", st.name, "");
	start(&wse);
	msg("klacht", "ik dien een klacht in over mijn begeleider");
	msg(NULL, "ja");
	msg(NULL, "waarom?");
	msg(NULL, "waarom moet dat?");
	TEST("asking why again and again: a person", st.step == DS_STAFF);
}

static void
test_vlaio_dossier(void)
{
	start(&vlaio);
	msg("klacht", "klacht over dossier 2025/11873, jullie hebben het "
	    "verkeerde bedrag betaald");
	TEST_STR("clarify first", key(0), "klacht.verduidelijk");
	TEST_STR("dossier kept", st.dossier, "2025/11873");
	button("klacht", "Ja, een klacht");
	TEST_STR("referred", key(0), "klacht.dossier");
	TEST_STR("referred outcome", st.outcome, OUTCOME_REFERRED);

	start(&vlaio);
	msg("klacht", "ik wil klagen");
	msg(NULL, "1");
	TEST_STR("no dossier: redirect", key(0), "klacht.doorverwijzing");
}

static void
run_case_to_confirm(void)
{
	start(&wse);
	msg("klacht", "ik wil een klacht indienen");
	msg(NULL, "ja");
	TEST_STR("name asked", key(0), "klacht.naam");
	msg(NULL, "els peeters");
	TEST_STR("name kept", st.name, "Els Peeters");
	TEST_STR("contact asked (wa)", key(0), "klacht.contact_wa");
	TEST_STR("own number offered", out.replies[0].choices[0].id,
	    "eigen_nummer");
	msg(NULL, "jan@@telenet");
	TEST_STR("invalid mail hint", key(0), "klacht.contact_email_fout");
	msg(NULL, "0470/12.34.56");
	TEST_STR("phone kept", st.phone, "+32470123456");
	TEST_STR("description asked", key(0), "klacht.beschrijving");
	msg("klacht", "mijn premie werd zonder uitleg stopgezet");
	TEST_STR("confirm asked", key(0), "klacht.bevestig");
	TEST("confirm buttons", out.replies[0].n_choices == 2);
}

static void
test_wse_case(void)
{
	run_case_to_confirm();
	msg(NULL, "ja dat klopt");
	TEST_STR("registered", key(0), "klacht.geregistreerd");
	TEST("create case", out.actions & DA_CREATE_CASE);
	TEST_STR("case outcome", st.outcome, OUTCOME_CASE);

	/* "2" typed instead of pressed is "Nee, aanpassen", not the
	 * second field of the menu that comes after it. */
	run_case_to_confirm();
	msg(NULL, "2");
	TEST_STR("typed 2: what to change", key(0), "klacht.aanpassen");

	/* Correction: change the contact, then confirm. */
	run_case_to_confirm();
	msg(NULL, "nee");
	TEST_STR("what to change", key(0), "klacht.aanpassen");
	msg(NULL, "2");
	TEST_STR("contact re-asked", key(0), "klacht.contact_aanpassen");
	button("eigen_nummer", "Dit nummer gebruiken");
	TEST_STR("own number", st.phone, "+32470998877");
	TEST_STR("confirm again", key(0), "klacht.bevestig");
	msg(NULL, "nee, de naam is fout");
	TEST_STR("name re-asked", key(0), "klacht.naam_aanpassen");
	msg(NULL, "Mijn naam is Els Janssens");
	TEST("third confirmation -> staff", out.actions & DA_HANDOVER);
	/* No case: the contact details are not kept (staff read the
	 * messages themselves). */
	TEST_STR("details dropped at hand-over", st.name, "");
	TEST_STR("phone dropped at hand-over", st.phone, "");

	/* Two invalid contacts: staff. */
	run_case_to_confirm();
	start(&wse);
	st.step = DS_CLARIFY;
	st.asks[DS_CLARIFY] = 1;
	msg(NULL, "klacht");
	msg(NULL, "Ik ben Jan Smet");
	msg(NULL, "0470 12 34");
	TEST_STR("short phone hint", key(0), "klacht.contact_tel_fout");
	msg(NULL, "weet ik niet");
	TEST("second failure -> staff", (out.actions & DA_HANDOVER) &&
	    strcmp(key(0), "overdracht.gegevens") == 0);

	/* Name and mail in the first message; long text is the description. */
	start(&wse);
	channel_wa = 0;
	msg("klacht", "Ik ben Els Peeters (els@x.be) en ik wil klagen over "
	    "de behandeling van mijn aanvraag aan het loket");
	msg(NULL, "ja");
	TEST_STR("straight to confirm", key(0), "klacht.bevestig");
	TEST_STR("mail from first message", st.email, "els@x.be");
	channel_wa = 1;

	/* Change of mind during collection. */
	start(&wse);
	msg("klacht", "klacht");
	msg(NULL, "ja");
	msg(NULL, "laat maar, toch geen klacht");
	TEST_STR("withdrawn in case", key(0), "klacht.ingetrokken");
	msg_full("vraag", "contact", NULL, "wat is jullie telefoonnummer?",
	    NULL);
	TEST_STR("then a question", key(0), "onderwerp.contact");

	start(&wse);
	msg("klacht", "klacht");
	msg(NULL, "ja");
	msg_full("vraag", "openingsuren", NULL, "wanneer zijn jullie open",
	    NULL);
	TEST_STR("question instead of a name", key(0),
	    "onderwerp.openingsuren");
}

static void
test_global_rules(void)
{
	const enum dialog_step steps[] = {
		DS_START, DS_CHOICE, DS_CLARIFY, DS_ASK_NAME, DS_ASK_CONTACT,
		DS_ASK_DESC, DS_CONFIRM, DS_DONE
	};
	size_t i;
	char d[64];

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		start(&wse);
		st.step = steps[i];
		msg("scheldwoorden", "stomme bot");
		snprintf(d, sizeof(d), "abuse ignored at %s",
		    dialog_step_name(steps[i]));
		TEST(d, out.n_replies == 0 && (out.actions & DA_FLAG_ABUSE) &&
		    st.step == steps[i]);
		msg("stop", "stop");
		snprintf(d, sizeof(d), "stop at %s",
		    dialog_step_name(steps[i]));
		TEST(d, (out.actions & DA_END) &&
		    strcmp(key(0), "stop.bevestiging") == 0);
		TEST_STR("abuse was the only outcome", out.end_outcome,
		    OUTCOME_ABUSE);
	}
	start(&vmsw);
	msg("stop", "stop");
	TEST_STR("stopped", out.end_outcome, OUTCOME_STOPPED);

	/* A name the classifier takes for an insult is still a name. */
	start(&wse);
	st.step = DS_ASK_NAME;
	msg_full(NULL, NULL, NULL, "Els Peeters", NULL);
	TEST_STR("name kept despite low-confidence abuse", st.name,
	    "Els Peeters");
	start(&vmsw);
	st.step = DS_CHOICE;
	msg(NULL, "2");
	TEST_STR("typed 2 in the menu", st.outcome, OUTCOME_REDIRECTED);

	start(&vmsw);
	msg("medewerker", "mag ik een mens");
	TEST_STR("person", key(0), "overdracht.medewerker");
	TEST("staff_when", out.replies[0].staff_when);
	TEST("handover", out.actions & DA_HANDOVER);

	start(&wse);
	st.step = DS_ASK_DESC;
	msg("medewerker", "de medewerker aan het loket was onbeleefd tegen "
	    "mij en mijn moeder");
	TEST_STR("long text about staff is a description", key(0),
	    "klacht.naam");

	start(&vmsw);
	msg(NULL, "blablabla");
	TEST_STR("unknown first: welcome", key(0), "welkom");
	msg(NULL, "qwerty");
	TEST_STR("unknown twice: staff", key(0), "overdracht.onbekend");

	start(&vmsw);
	other(DI_MEDIA);
	TEST_STR("media: staff", key(0), "overdracht.media");
	TEST("media handover", out.actions & DA_HANDOVER);

	start(&vmsw);
	msg("begroeting", "hallo");
	other(DI_TIMEOUT);
	TEST("timeout ends", (out.actions & DA_END) && out.n_replies == 0);
	TEST_STR("abandoned", out.end_outcome, OUTCOME_ABANDONED);

	start(&vmsw);
	msg_full("vraag", "geen", NULL, "Heb ik recht op een sociale woning "
	    "als ik samenwoon?", NULL);
	TEST_STR("question without answer: staff", key(0),
	    "overdracht.vraag");
	other(DI_TIMEOUT);
	TEST_STR("timeout keeps outcome", out.end_outcome,
	    OUTCOME_HANDED_OVER);
}

static void
test_language(void)
{
	start(&vmsw);
	msg_full("klacht", NULL, "fr", "je voudrais porter plainte", NULL);
	TEST_STR("french", st.lang, "fr");
	msg_full(NULL, NULL, "nl", "oui", NULL);
	TEST_STR("one word keeps french", st.lang, "fr");
	TEST_STR("oui confirms", key(0), "klacht.doorverwijzing_tel");
}

static void
test_never_loops(void)
{
	int i, replies = 0;

	start(&wse);
	for (i = 0; i < 40 && st.step != DS_STAFF; i++) {
		msg(NULL, i % 2 ? "ja" : "hmm");
		replies += out.n_replies;
	}
	TEST("gibberish reaches staff", st.step == DS_STAFF && i < 6);
	for (i = 0; i < 10; i++) {
		msg(NULL, "hallo?");
		replies += out.n_replies;
	}
	TEST("then silent", out.n_replies == 0);
	TEST_STR("step names round-trip", dialog_step_name(
	    dialog_step_parse("ask_contact")), "ask_contact");
	TEST("outcome names", dialog_outcome_valid("case_created") &&
	    !dialog_outcome_valid("bogus"));
}

/* Random walks: whatever the citizen sends, no text that asks or
 * directs is sent more than twice in one conversation, and the bot is
 * silent once a person has it. */
static const struct {
	const char	*intent, *topic, *text, *payload;
} pool[] = {
	{ "begroeting", NULL, "hallo", NULL },
	{ "klacht", NULL, "ik wil een klacht indienen", NULL },
	{ "klacht", NULL, "klacht over dossier 2025/11873 want het bedrag "
	    "was helemaal verkeerd berekend", NULL },
	{ "ongenoegen", NULL, "wat een chaos hier", NULL },
	{ "vraag", NULL, "ik heb een vraag", NULL },
	{ "vraag", "openingsuren", "wanneer zijn jullie open?", NULL },
	{ "vraag", "geen", "mag ik onderverhuren?", NULL },
	{ "suggestie", NULL, "een idee", NULL },
	{ "ja", NULL, "ja", NULL }, { "nee", NULL, "nee", NULL },
	{ NULL, NULL, "1", NULL }, { NULL, NULL, "2", NULL },
	{ NULL, NULL, "3", NULL }, { NULL, NULL, "blabla", NULL },
	{ NULL, NULL, "Els Peeters", NULL },
	{ NULL, NULL, "els@telenet.be", NULL },
	{ NULL, NULL, "jan@@telenet", NULL },
	{ NULL, NULL, "0470 12 34", NULL },
	{ NULL, NULL, "de consulent belde nooit terug", NULL },
	{ NULL, NULL, "Dit nummer gebruiken", "eigen_nummer" },
	{ NULL, NULL, "Een klacht", "klacht" },
	{ NULL, NULL, "toch geen klacht", NULL },
	{ "bedankt", NULL, "merci", NULL },
	{ "medewerker", NULL, "medewerker", NULL },
	{ "scheldwoorden", NULL, "stomme bot", NULL },
	{ "stop", NULL, "stop", NULL },
};
#define POOL	(sizeof(pool) / sizeof(pool[0]))

static int
repeatable(const char *key)
{
	return strncmp(key, "onderwerp.", 10) == 0 ||
	    strcmp(key, "suggestie.bedankt") == 0;
}

static void
test_random_walks(void)
{
	const struct agency *ags[] = { &vmsw, &vlaio, &wse };
	unsigned long long rnd = 42;
	char keys[64][48];
	int counts[64], nk, conv, m, i, k, bad = 0, spoke_in_staff = 0;
	static char summary[2048], now[2048];
	int changed = 0;

	for (conv = 0; conv < 3000 && !bad; conv++) {
		start(ags[conv % 3]);
		channel_wa = conv % 2;
		nk = 0;
		summary[0] = '\0';
		for (m = 0; m < 40 && st.step != DS_ENDED; m++) {
			int staff = (st.step == DS_STAFF);

			rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
			i = (int)((rnd >> 33) % POOL);
			msg_full(pool[i].intent, pool[i].topic, NULL, pool[i].text,
			    pool[i].payload);
			if (staff && out.n_replies > 0)
				spoke_in_staff++;
			for (k = 0; k < out.n_replies; k++) {
				const char *key = out.replies[k].key;
				int j;

				if (repeatable(key))
					continue;
				/* A summary after a change is a new question:
				 * only the same summary counts as a repeat. */
				if (strcmp(key, "klacht.bevestig") == 0) {
					snprintf(now, sizeof(now), "%s|%s|%s|%s",
					    st.name, st.email, st.phone,
					    st.description);
					changed = strcmp(now, summary) != 0;
					memcpy(summary, now, sizeof(summary));
				}
				for (j = 0; j < nk && strcmp(keys[j], key); j++)
					;
				if (j < nk && changed)
					counts[j] = 0;
				changed = 0;
				if (j == nk && nk < 64) {
					snprintf(keys[nk], sizeof(keys[nk]), "%s",
					    key);
					counts[nk++] = 0;
				}
				if (j < 64 && ++counts[j] > 2 && !bad) {
					printf("     conversation %d: '%s' a third "
					    "time\n", conv, key);
					bad = 1;
				}
			}
		}
	}
	channel_wa = 1;
	TEST("no text asked three times", !bad);
	TEST("silent while staff has it", spoke_in_staff == 0);
}

int
main(void)
{
	test_greeting_and_choices();
	test_clarify();
	test_said_in_passing();
	test_vlaio_dossier();
	test_wse_case();
	test_grievance_topic();
	test_global_rules();
	test_language();
	test_never_loops();
	test_random_walks();
	return TEST_REPORT();
}
