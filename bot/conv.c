/*
 * conv.c — the conversation engine around the pure dialog.  See
 * conv.h.  One inbound row = one transaction: either everything
 * it causes (state, replies, case, outcome, processed flag) is committed
 * or nothing is, so a crash between two rows loses and repeats nothing.
 * Service thread only.
 */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "conv_int.h"
#include "intake.h"
#include "intent.h"
#include "locales.h"
#include "log.h"
#include "media.h"
#include "outbox.h"
#include "review.h"
#include "signals.h"
#include "store.h"

#define BATCH_MAX	500
#define GIVE_UP_AFTER	3	/* failures of one row before skipping it */
#define BURST_MS	2500	/* messages this close are one burst */
#define AFTERWORD_MS	120000	/* a closing word this soon after the end
				   belongs to the ended conversation */
#define BURST_ROWS	8	/* queued messages read as one at most */
#define BURST_BYTES	4096	/* and their text at most */

struct conv_engine {
	const struct config	*cfg;
	struct store		*store;
	struct intent_model	*model;
	const struct locales	*loc;
	long long		 failing_id;	/* row that failed last */
	long long		 behind_ms;	/* conv_behind_ms() */
	int			 failures;
	int			 reroute;	/* config new: route the rows
						   stored without agency */
};

struct conv_engine *
conv_new(const struct config *cfg, struct store *s,
    struct intent_model *model, const struct locales *loc)
{
	struct conv_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cfg = cfg;
	e->store = s;
	e->model = model;
	e->loc = loc;
	e->reroute = 1;
	return e;
}

void
conv_free(struct conv_engine *e)
{
	free(e);
}

struct store *
conv_store(struct conv_engine *e)
{
	return e->store;
}

const struct config *
conv_config(struct conv_engine *e)
{
	return e->cfg;
}

const struct locales *
conv_locales(const struct conv_engine *e)
{
	return e->loc;
}

int
conv_knows(struct conv_engine *e, const char *id)
{
	return strcmp(id, "onbekend") != 0 && (e->model == NULL ||
	    intent_is_known(e->model, id));
}

void
conv_labels(struct conv_engine *e, void (*fn)(void *arg, const char *id,
    int topic), void *arg)
{
	const char *id;
	int i, topic;

	if (e->model == NULL)
		return;
	for (i = 0; (id = intent_label(e->model, i, &topic)) != NULL; i++)
		if (strcmp(id, "onbekend") != 0)
			fn(arg, id, topic);
}

void
conv_set_config(struct conv_engine *e, const struct config *cfg)
{
	e->cfg = cfg;
	e->reroute = 1;
}

void
conv_set_model(struct conv_engine *e, struct intent_model *m)
{
	e->model = m;
}

void
conv_set_locales(struct conv_engine *e, const struct locales *l)
{
	e->loc = l;
}

/* ---- helpers ----------------------------------------------------------- */

static int
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* WhatsApp digits ("32470...") as E.164 ("+32470..."). */
static void
e164(const char *digits, char *out, size_t outlen)
{
	if (digits == NULL || *digits == '\0')
		out[0] = '\0';
	else
		snprintf(out, outlen, "%s%s", digits[0] == '+' ? "" : "+",
		    digits);
}

static int
enqueue(struct conv_engine *e, const struct conv *c, const char *account,
    const char *kind, const char *body, const char *author)
{
	struct outbox_item it;
	int wa = is(c->channel, "whatsapp");

	memset(&it, 0, sizeof(it));
	it.conversation_id = c->id;
	it.agency = c->agency;
	it.channel = c->channel;
	it.account_id = account != NULL && *account ? account : NULL;
	it.user_id = c->user_id;
	it.to_phone = wa && c->user_phone[0] ? c->user_phone : NULL;
	it.kind = kind;
	it.body = body;
	it.author = author;
	return outbox_enqueue(e->store, &it) == -1 ? -1 : 0;
}

static void
note_reply(struct conv *c, long long now_ms)
{
	if (c->first_reply_at == 0)
		c->first_reply_at = now_ms;
	c->last_out_at = now_ms;
}

/* The last time anything happened in c, either way. */
static long long
last_activity(const struct conv *c)
{
	long long t = c->started_at;

	if (c->last_in_at > t)
		t = c->last_in_at;
	if (c->last_out_at > t)
		t = c->last_out_at;
	return t;
}

/* Silence ends only conversations in which the bot has the word. */
static int
timed_out(const struct agency *a, const struct conv *c, long long now_ms)
{
	return is(c->mode, "bot") && c->waiting_since == 0 &&
	    c->st.step != DS_STAFF && a->timeout_secs > 0 &&
	    now_ms - last_activity(c) >= a->timeout_secs * 1000LL;
}

/* Ends c through the dialog's own silence rule (no reply). */
static int
end_silent(struct conv_engine *e, const struct agency *a, struct conv *c,
    long long now_ms)
{
	struct dialog_input in;
	struct dialog_output out;

	memset(&in, 0, sizeof(in));
	in.kind = DI_TIMEOUT;
	dialog_step(a, &c->st, &in, &out);
	return conv_db_end(e->store, c, out.end_outcome[0] ?
	    out.end_outcome : OUTCOME_ABANDONED, now_ms);
}

/* ---- one message through the dialog ---------------------------------- */

static int
lang_offered(const struct conv_engine *e, const struct agency *a,
    const char *lang)
{
	int flag = config_lang_flag(lang);

	if (flag == LANG_NL)
		return 1;
	return flag != 0 && (a->languages & flag) &&
	    locales_has_lang(e->loc, lang);
}

static int
is_button(const struct conv_inrow *r)
{
	return is(r->type, "interactive") || is(r->type, "button") ||
	    is(r->type, "quick_reply") || is(r->type, "postback");
}

/* A photo, file, voice note, location, ... with nothing typed. */
static int
is_media(const struct conv_inrow *r)
{
	return (r->text == NULL || r->text[0] == '\0') && !is_button(r) &&
	    !is(r->type, "text");
}

void
conv_classify(struct conv_engine *e, const char *text,
    struct intent_result *ir)
{
	memset(ir, 0, sizeof(*ir));
	if (e->model == NULL || intent_classify(e->model, text, ir) == -1) {
		memset(ir, 0, sizeof(*ir));
		snprintf(ir->intent, sizeof(ir->intent), "onbekend");
	}
	if (ir->lang[0] == '\0')
		snprintf(ir->lang, sizeof(ir->lang), "nl");
}

/* Whether the folded text holds the words of id ("kmo_portefeuille":
 * "kmo portefeuille") as whole words. */
static int
names(const char *folded, const char *id)
{
	char want[INTENT_ID_MAX + 2], *u;
	const char *p = folded;
	size_t n;

	snprintf(want, sizeof(want), "%s", id);
	for (u = want; *u != '\0'; u++)
		if (*u == '_')
			*u = ' ';
	n = strlen(want);
	while ((p = strstr(p, want)) != NULL) {
		if ((p == folded || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return 1;
		p++;
	}
	return 0;
}

/*
 * A message that names one of the agency's own programmes ("heb ik recht
 * op een hinderpremie als ik niet helemaal dicht ben?") is about it,
 * however the other words are put: the classifier weighs them all, and
 * a long question about the KMO-portefeuille could lose its topic to the
 * words it shares with every question.  Only topics with the agency's
 * own answer text count; general ones ("betaling") are too common words.
 */
static void
named_topic(const struct conv_engine *e, const struct agency *a,
    const char *text, struct intent_result *ir)
{
	char folded[1024], key[DIALOG_TOPIC_KEY_MAX];
	const char *id;
	int i, topic;

	if (ir->topic[0] != '\0' || e->model == NULL || text == NULL)
		return;
	signals_fold(text, folded, sizeof(folded));
	for (i = 0; (id = intent_label(e->model, i, &topic)) != NULL; i++) {
		if (!topic || !names(folded, id))
			continue;
		snprintf(key, sizeof(key), "onderwerp.%s.%s", a->id, id);
		if (locales_has(e->loc, "nl", key)) {
			snprintf(ir->topic, sizeof(ir->topic), "%s", id);
			return;
		}
	}
}

/* The text answering the topic: the agency's own ("onderwerp.wse.
 * opleidingsverlof") before the general one; 0 when there is none. */
static int
topic_key(const struct conv_engine *e, const struct agency *a,
    const char *topic, char *key, size_t keylen)
{
	if (topic[0] == '\0')
		return 0;
	snprintf(key, keylen, "onderwerp.%s.%s", a->id, topic);
	if (locales_has(e->loc, "nl", key))
		return 1;
	snprintf(key, keylen, "onderwerp.%s", topic);
	return locales_has(e->loc, "nl", key);
}

static int
send_replies(struct conv_engine *e, const struct agency *a, struct conv *c,
    const char *account, const struct dialog_output *out, int in_office,
    long long next_open_ms, long long now_ms)
{
	struct conv_render rr = { e->loc, a, c, in_office, next_open_ms };
	const char *kind = "text";
	char *body;
	int i, rc;

	for (i = 0; i < out->n_replies; i++) {
		body = conv_render_reply(&rr, &out->replies[i], &kind);
		if (body == NULL) {
			log_warnx("event=reply_text_missing key=%s lang=%s",
			    out->replies[i].key, c->st.lang);
			continue;
		}
		rc = enqueue(e, c, account, kind, body, "bot");
		free(body);
		if (rc == -1)
			return -1;
		note_reply(c, now_ms);
	}
	return 0;
}

/* Messenger: the thread goes to Meta's Page Inbox, where staff work. */
static int
pass_to_page_inbox(struct conv_engine *e, struct conv *c, const char *account)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"target_app_id\":\"%s\","
	    "\"metadata\":\"loket:%lld\"}", PAGE_INBOX_APP_ID, c->id);
	snprintf(c->mode, sizeof(c->mode), "page_inbox");
	return enqueue(e, c, account, "handover", body, "bot");
}

/* Carries out what the dialog decided; 1 if c was ended. */
static int
apply(struct conv_engine *e, const struct agency *a, struct conv *c,
    const char *account, const struct dialog_output *out, int in_office,
    long long next_open_ms, long long now_ms)
{
	if ((out->actions & DA_CREATE_CASE) &&
	    conv_db_create_case(e->store, a, c, now_ms) == -1)
		return -1;
	if (send_replies(e, a, c, account, out, in_office, next_open_ms,
	    now_ms) == -1)
		return -1;
	if (out->actions & DA_FLAG_ABUSE)
		c->abuse++;
	if (out->actions & DA_HANDOVER) {
		c->waiting_since = now_ms;
		if (is(c->channel, "messenger") && a->page_inbox_handover &&
		    pass_to_page_inbox(e, c, account) == -1)
			return -1;
	}
	if (out->actions & DA_END)
		return conv_db_end(e->store, c, out->end_outcome, now_ms) ==
		    -1 ? -1 : 1;
	return 0;
}

/*
 * Why the bot may have misread a typed message, as REVIEW_* bits (0:
 * understood): the classifier did not know it, the dialog asked its
 * question again (a greeting that brings the menu back is no
 * misreading), or it handed the citizen to staff for not understanding.
 */
static unsigned
misread(const int *asks_before, const struct dialog_state *st,
    const struct intent_result *ir, const struct signals *sig,
    const struct dialog_output *out)
{
	unsigned why = 0;
	int i;

	if (is(ir->intent, "onbekend"))
		why |= REVIEW_UNKNOWN;
	for (i = 0; i < DS_COUNT && !sig->greeting &&
	    !is(ir->intent, "begroeting"); i++)
		if (asks_before[i] > 0 && st->asks[i] > asks_before[i])
			why |= REVIEW_REASKED;
	for (i = 0; i < out->n_replies; i++)
		if (is(out->replies[i].key, "overdracht.onbekend") ||
		    is(out->replies[i].key, "overdracht.herhaald"))
			why |= REVIEW_HANDOVER;
	return why;
}

static int
collect(struct conv_engine *e, const struct conv_inrow *r,
    const struct conv *c, const char *text, unsigned why,
    const struct intent_result *ir, const struct signals *sig,
    long long now_ms)
{
	struct review_new n;
	char sigs[REVIEW_SIGNALS_MAX];

	review_signals_text(sig, sigs, sizeof(sigs));
	memset(&n, 0, sizeof(n));
	n.inbound_id = r->id;
	n.conversation_id = c->id;
	n.received_at = now_ms;
	n.agency = c->agency;
	n.channel = c->channel;
	n.text = text;
	n.reasons = why;
	n.ir = ir;
	n.signals = sigs;
	return review_collect(e->store, &n, now_ms);
}

static int
run_dialog(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, struct conv *c, int burst, long long now_ms)
{
	struct intent_result ir;
	struct signals sig;
	struct dialog_input in;
	struct dialog_output out;
	char phone[40], key[DIALOG_TOPIC_KEY_MAX];
	char pending[DIALOG_TOPIC_KEY_MAX];
	time_t next_open = 0;
	int asks[DS_COUNT], rc;
	unsigned why;

	memset(&in, 0, sizeof(in));
	e164(c->user_phone, phone, sizeof(phone));
	in.kind = is_media(r) ? DI_MEDIA : DI_TEXT;
	if (in.kind == DI_TEXT) {
		in.text = r->text != NULL ? r->text : "";
		in.payload = is_button(r) ? r->payload : NULL;
		conv_classify(e, in.text, &ir);
		named_topic(e, a, in.text, &ir);
		/* For the notice when the agency does not offer it. */
		snprintf(c->msg_lang, sizeof(c->msg_lang), "%s", ir.lang);
		signals_read(in.text, &ir, &a->dossier_patterns,
		    c->st.step == DS_ASK_NAME ? SIGNALS_NAME_ASKED :
		    c->st.step == DS_ASK_CONTACT ? SIGNALS_NAME_GIVEN : 0,
		    &sig);
		signals_decide(&sig, &ir);
		in.intent = &ir;
		in.sig = &sig;
		if (topic_key(e, a, ir.topic, key, sizeof(key)))
			in.topic_key = key;
		if (topic_key(e, a, c->st.pending_topic, pending,
		    sizeof(pending)))
			in.pending_topic_key = pending;
		in.lang_offered = lang_offered(e, a, ir.lang);
		in.burst = burst;
	}
	in.whatsapp = is(c->channel, "whatsapp");
	in.user_phone = phone[0] ? phone : NULL;
	in.in_office = config_agency_in_office(a, (time_t)(now_ms / 1000),
	    &next_open);
	memcpy(asks, c->st.asks, sizeof(asks));
	dialog_step(a, &c->st, &in, &out);
	if ((rc = apply(e, a, c, r->account_id, &out, in.in_office,
	    (long long)next_open * 1000, now_ms)) == -1)
		return -1;
	if (in.kind == DI_TEXT && in.payload == NULL &&
	    (why = misread(asks, &c->st, &ir, &sig, &out)) != 0 &&
	    collect(e, r, c, in.text, why, &ir, &sig, now_ms) == -1)
		return -1;
	return rc;
}

static void
new_conv(struct conv *c, const struct agency *a, const struct conv_inrow *r)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->agency, sizeof(c->agency), "%s", a->id);
	snprintf(c->channel, sizeof(c->channel), "%s", r->channel);
	snprintf(c->user_id, sizeof(c->user_id), "%s", r->user_id);
	snprintf(c->mode, sizeof(c->mode), "bot");
	dialog_init(&c->st, "nl");
}

/* The open conversation of r's user, a timed-out one ended first;
 * created when create is set.  1 found/created, 0 none, -1 error. */
static int
open_conv(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, struct conv *c, int create, long long now_ms)
{
	int found = conv_db_load_open(e->store, a->id, r->channel,
	    r->user_id, c);

	if (found == 1 && timed_out(a, c, now_ms)) {
		if (end_silent(e, a, c, now_ms) == -1)
			return -1;
		found = 0;
	}
	if (found != 0 || !create)
		return found;
	new_conv(c, a, r);
	if (r->user_phone != NULL)
		snprintf(c->user_phone, sizeof(c->user_phone), "%s",
		    r->user_phone);
	return conv_db_create(e->store, c, r->user_name, now_ms) == -1 ?
	    -1 : 1;
}

/*
 * "stop aub" a second after "laat maar zitten" ended the conversation,
 * "👍" after "graag gedaan": a closing word right after the end belongs
 * to the conversation that ended and opens no new one (no second
 * welcome, no second outcome).  Kept with that conversation, unanswered.
 * 1 when r was such a word, 0 not, -1 error.
 */
static int
afterword(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, long long now_ms)
{
	struct intent_result ir;
	struct signals sig;
	long long ended;
	int rc;

	if (is_media(r) || is_button(r) || r->text == NULL)
		return 0;
	rc = conv_db_ended_since(e->store, a->id, r->channel, r->user_id,
	    now_ms - AFTERWORD_MS, &ended);
	if (rc != 1)
		return rc;
	conv_classify(e, r->text, &ir);
	signals_read(r->text, &ir, &a->dossier_patterns, 0, &sig);
	if (!sig.stop && !sig.thanks && !(sig.short_answer &&
	    sig.answer == SIGNALS_YES && !sig.question))
		return 0;
	return conv_db_mark_processed(e->store, r->id, ended) == -1 ? -1 : 1;
}

/*
 * Messages that queued up behind r while the bot was busy ("dag" /
 * "vraagje" / "wanneer zijn jullie open?") are one thought: read as one
 * text, answered once, every row kept with the conversation.
 */
static int
read_together(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, struct conv *c, int burst, long long now_ms)
{
	long long ids[BURST_ROWS];
	struct conv_inrow merged;
	struct buf text;
	int n, i, rc;

	if (is_media(r) || is_button(r) || r->text == NULL)
		return run_dialog(e, a, r, c, burst, now_ms);
	buf_init(&text, BURST_BYTES);
	if (buf_append(&text, r->text, strlen(r->text)) == -1)
		return run_dialog(e, a, r, c, burst, now_ms);
	n = conv_db_burst(e->store, r, BURST_MS, BURST_BYTES, &text, ids,
	    BURST_ROWS);
	if (n <= 0) {
		buf_free(&text);
		return n == -1 ? -1 : run_dialog(e, a, r, c, burst, now_ms);
	}
	merged = *r;
	merged.text = text.data;
	c->turns += n;
	rc = run_dialog(e, a, &merged, c, burst, now_ms);
	buf_free(&text);
	for (i = 0; i < n && rc != -1; i++)
		if (conv_db_mark_processed(e->store, ids[i], c->id) == -1)
			rc = -1;
	return rc;
}

static int
on_message(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, long long now_ms)
{
	struct conv c;
	int rc, burst;

	if ((rc = open_conv(e, a, r, &c, 0, now_ms)) == -1)
		return -1;
	if (rc == 0 && (rc = afterword(e, a, r, now_ms)) != 0)
		return rc == 1 ? 0 : -1;
	if (rc == 0 && open_conv(e, a, r, &c, 1, now_ms) != 1)
		return -1;
	/* Several messages within seconds are one thought: the later ones
	 * are read as adding to the first, not as new answers.  Processing
	 * times are compared, so a message that waited in a backlog while
	 * the one before it was answered counts as well (it came while the
	 * bot was still answering). */
	burst = c.turns > 0 && c.last_in_at > 0 &&
	    now_ms - c.last_in_at <= BURST_MS;
	c.turns++;
	c.last_in_at = now_ms;
	if (r->user_phone != NULL && *r->user_phone)
		snprintf(c.user_phone, sizeof(c.user_phone), "%s",
		    r->user_phone);
	if (r->standby && is(r->channel, "messenger")) {
		/* A person answers in another app (Page Inbox). */
		snprintf(c.mode, sizeof(c.mode), "page_inbox");
		c.staff_involved = 1;
	}
	rc = 0;
	if (is(c.mode, "bot"))
		rc = read_together(e, a, r, &c, burst, now_ms);
	if (rc == 0)
		rc = conv_db_save(e->store, &c);
	/* A photo or file: kept, and evidence of the case the conversation
	 * has (one registered later takes it then: conv_db_create_case). */
	if (rc == 0 && media_is_kind(r->type) && media_note(e->store, r->id,
	    c.id, c.case_ref, now_ms) == -1)
		rc = -1;
	if (rc == -1)
		return -1;
	return conv_db_mark_processed(e->store, r->id, c.id);
}

/* ---- Messenger handover protocol --------------------------------------- */

/* Whether app (an echo's sender or a thread's new owner) is this bot.
 * Without messenger_app_id configured only Page Inbox counts as other. */
static int
our_app(const struct agency *a, const char *app)
{
	if (app == NULL || *app == '\0')
		return 1;
	if (a->messenger_app_id != NULL && *a->messenger_app_id)
		return strcmp(app, a->messenger_app_id) == 0;
	return strcmp(app, PAGE_INBOX_APP_ID) != 0;
}

static int
to_page_inbox(struct conv *c, long long now_ms, int person_wrote)
{
	snprintf(c->mode, sizeof(c->mode), "page_inbox");
	c->staff_involved = 1;
	c->waiting_since = 0;
	if (person_wrote)
		note_reply(c, now_ms);
	return 0;
}

static int
on_echo(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, long long now_ms)
{
	struct conv c;
	int ours = our_app(a, r->payload), found;

	found = open_conv(e, a, r, &c, !ours, now_ms);
	if (found == -1)
		return -1;
	if (found == 1 && !ours) {
		to_page_inbox(&c, now_ms, 1);
		if (conv_db_save(e->store, &c) == -1)
			return -1;
	}
	return conv_db_mark_processed(e->store, r->id, found == 1 ? c.id : 0);
}

static int
on_handover(struct conv_engine *e, const struct agency *a,
    const struct conv_inrow *r, long long now_ms)
{
	struct conv c;
	int found = open_conv(e, a, r, &c, 0, now_ms);

	if (found == -1)
		return -1;
	if (found == 1 && is(r->type, "pass_thread_control") &&
	    our_app(a, r->payload)) {
		snprintf(c.mode, sizeof(c.mode), "bot");
		c.waiting_since = 0;
		if (c.st.step == DS_STAFF)
			c.st.step = DS_DONE;
	} else if (found == 1 && is(r->type, "take_thread_control") &&
	    !(r->payload != NULL && *r->payload &&
	    a->messenger_app_id != NULL &&
	    strcmp(r->payload, a->messenger_app_id) == 0)) {
		/* Someone took the thread from us (the event need not say
		 * who): a person answers elsewhere. */
		to_page_inbox(&c, now_ms, 0);
	}
	if (found == 1 && conv_db_save(e->store, &c) == -1)
		return -1;
	return conv_db_mark_processed(e->store, r->id, found == 1 ? c.id : 0);
}

/* ---- the loop ---------------------------------------------------------- */

static int
handle_row(struct conv_engine *e, const struct conv_inrow *r, long long now_ms)
{
	const struct agency *a = r->agency != NULL ?
	    config_agency(e->cfg, r->agency) : NULL;

	/* Stored while the config had no agency for it: route it now. */
	if (r->agency == NULL && (a = intake_route_row(e->cfg, r->channel,
	    r->account_id)) != NULL && intake_set_agency(e->store, r->id,
	    a->id) == -1)
		return -1;
	if (a == NULL)	/* unrouted: kept; intake_reroute() after a reload */
		return conv_db_mark_processed(e->store, r->id, 0);
	if (is(r->kind, "message"))
		return on_message(e, a, r, now_ms);
	if (is(r->kind, "echo") && is(r->channel, "messenger"))
		return on_echo(e, a, r, now_ms);
	if (is(r->kind, "handover"))
		return on_handover(e, a, r, now_ms);
	return conv_db_mark_processed(e->store, r->id, 0);
}

/*
 * Several instances on one PostgreSQL: the citizen's lock (held to the
 * end of the transaction, released at once if the holder dies) makes one
 * instance at a time handle a citizen's rows, and only the oldest one
 * still waiting, so they stay in order.  0 when r is not ours to handle
 * now (another instance has the citizen, or handled r already).
 */
static int
claim(struct conv_engine *e, const struct conv_inrow *r)
{
	int rc = store_xact_lock(e->store, store_key(r->channel, r->agency,
	    r->user_id), 0);

	if (rc != 1)
		return rc;
	return conv_db_oldest_waiting(e->store, r) == r->id ? 1 : 0;
}

static int
handle_in_tx(struct conv_engine *e, const struct conv_inrow *r, long long now_ms)
{
	int rc;

	if (store_begin(e->store) == -1)
		return -1;
	if ((rc = claim(e, r)) != 1) {
		store_rollback(e->store);
		return rc == 0 ? 1 : -1;
	}
	if (handle_row(e, r, now_ms) == -1) {
		store_rollback(e->store);
		return -1;
	}
	return store_commit(e->store);
}

/* A row that keeps failing is set aside, so it cannot block the rest. */
static int
give_up(struct conv_engine *e, const struct conv_inrow *r)
{
	if (e->failing_id != r->id) {
		e->failing_id = r->id;
		e->failures = 0;
	}
	if (++e->failures < GIVE_UP_AFTER)
		return 0;
	log_error("event=inbound_skipped id=%lld reason=repeated_failure",
	    r->id);
	if (store_begin(e->store) == -1)
		return 0;
	if (conv_db_mark_processed(e->store, r->id, 0) == -1) {
		store_rollback(e->store);
		return 0;
	}
	return store_commit(e->store) == 0;
}

int
conv_process_pending(struct conv_engine *e, long long now_ms)
{
	return conv_process_some(e, now_ms, BATCH_MAX);
}

/* After a config change: messages that waited for an agency. */
static void
reroute(struct conv_engine *e, long long now_ms)
{
	e->reroute = intake_reroute_recent(e->store, e->cfg, now_ms) == -1;
}

int
conv_process_some(struct conv_engine *e, long long now_ms, int max)
{
	struct conv_inrow r;
	long long after = 0;
	int n = 0, rc;

	if (e->reroute)
		reroute(e, now_ms);
	e->behind_ms = 0;
	for (;;) {
		if ((rc = conv_db_next_inbound(e->store, after, &r)) <= 0) {
			conv_inrow_free(&r);
			return rc == 0 ? n : -1;
		}
		/* Webhooks wait to be acknowledged: let them commit first;
		 * the caller comes back for the rest. */
		if (n >= max || (n > 0 && store_write_contended(e->store))) {
			e->behind_ms = r.received_at < now_ms ?
			    now_ms - r.received_at : 1;
			conv_inrow_free(&r);
			return n;
		}
		after = r.id;
		if ((rc = handle_in_tx(e, &r, now_ms)) == -1) {
			rc = give_up(e, &r);
			conv_inrow_free(&r);
			if (!rc)
				return -1;
			continue;
		}
		conv_inrow_free(&r);
		if (rc == 0)		/* handled; 1: another instance's */
			n++;
	}
}

long long
conv_behind_ms(const struct conv_engine *e)
{
	return e->behind_ms;
}

static int
tick_one(struct conv_engine *e, const struct conv_idle *v, long long now_ms)
{
	const struct agency *a = config_agency(e->cfg, v->agency);
	struct conv c;
	int rc;

	if (a == NULL || a->timeout_secs <= 0 ||
	    now_ms - v->last < a->timeout_secs * 1000LL)
		return 0;
	if (store_begin(e->store) == -1)
		return -1;
	rc = conv_db_load(e->store, v->id, &c);
	/* The citizen's lock, then a fresh read: another instance may be
	 * answering this citizen right now. */
	if (rc == 1 && (rc = store_xact_lock(e->store, store_key(c.channel,
	    c.agency, c.user_id), 0)) == 1)
		rc = conv_db_load(e->store, v->id, &c);
	if (rc == 1 && timed_out(a, &c, now_ms))
		rc = end_silent(e, a, &c, now_ms) == -1 ? -1 : 1;
	if (rc == -1) {
		store_rollback(e->store);
		return -1;
	}
	return store_commit(e->store) == -1 ? -1 : rc;
}

int
conv_tick(struct conv_engine *e, long long now_ms)
{
	struct conv_idle *v;
	int n, i, rc, ended = 0;

	if ((n = conv_db_idle(e->store, now_ms, &v)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((rc = tick_one(e, &v[i], now_ms)) == -1) {
			free(v);
			return -1;
		}
		ended += rc;
	}
	free(v);
	return ended;
}
