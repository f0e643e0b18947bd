/*
 * conv_staff.c — what staff do to a conversation from the console: take
 * it over (the bot falls silent), hand it back, close it with an outcome,
 * reply to the citizen.  Each is one transaction.  Service thread only.
 */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "config.h"
#include "conv_int.h"
#include "log.h"
#include "outbox.h"
#include "review.h"
#include "store.h"

typedef int	staff_fn(struct store *s, struct conv *c, const void *arg,
		    long long now_ms);

/* The bot has the word and has not handed the citizen over. */
static int
bot_handling(const struct conv *c)
{
	return strcmp(c->mode, "bot") == 0 && c->waiting_since == 0 &&
	    c->st.step != DS_STAFF && c->st.step != DS_ENDED;
}

/*
 * Loads conv_id inside the caller's transaction under the citizen's lock
 * (the one the message handler holds, conv.c), then reads it again:
 * with several instances, a staff action and a message of the same
 * citizen on another instance take turns instead of interleaving.  On
 * SQLite the lock is free at once.  1, 0 (no such row) or -1.
 */
static int
load_locked(struct store *s, long long conv_id, struct conv *c)
{
	int rc = conv_db_load(s, conv_id, c);

	if (rc == 1 && store_xact_lock(s, store_key(c->channel, c->agency,
	    c->user_id), 1) != 1) {
		log_warnx("event=staff_lock_failed conversation=%lld "
		    "msg=\"%s\"", conv_id, store_errmsg(s));
		return -1;
	}
	return rc == 1 ? conv_db_load(s, conv_id, c) : rc;
}

/* Loads conv_id, runs fn, saves, all in one transaction. */
static int
with_conv(struct conv_engine *e, long long conv_id, staff_fn *fn, const void *arg,
    long long now_ms)
{
	struct store *s = conv_store(e);
	struct conv c;
	int rc, bot;

	if (store_begin(s) == -1)
		return -1;
	rc = load_locked(s, conv_id, &c);
	bot = rc == 1 && bot_handling(&c);
	if (rc == 1)
		rc = fn(s, &c, arg, now_ms);
	else if (rc == 0)
		rc = -2;
	/* Staff took over from the bot: its last message is up for review. */
	if (rc >= 0 && bot && strcmp(c.mode, "staff") == 0 &&
	    conv_review_collect(e, 0, conv_id, REVIEW_TAKEOVER, NULL, NULL,
	    now_ms) == -1)
		rc = -1;
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

static void
take(struct conv *c, const char *staff)
{
	snprintf(c->mode, sizeof(c->mode), "staff");
	snprintf(c->staff, sizeof(c->staff), "%s", staff != NULL ? staff : "");
	c->staff_involved = 1;
	c->waiting_since = 0;
}

static int
do_takeover(struct store *s, struct conv *c, const void *arg,
    long long now_ms)
{
	take(c, arg);
	return conv_db_save(s, c);
}

/*
 * 1 when a member of staff wrote to the citizen after the citizen's last
 * message: nobody is left waiting for a person.  0 when not, -1 on error.
 */
static int
staff_answered(struct store *s, const struct conv *c)
{
	static const char sql[] = "SELECT 1 FROM outbox WHERE "
	    "conversation_id = ?1 AND author <> 'bot' AND created_at >= ?2 "
	    "LIMIT 1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, c->id);
	store_bind_int64(st, 2, c->last_in_at);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* Back in the queue: nobody holds it, the bot stays silent (the dialog
 * keeps waiting for staff), waiting since the unanswered message. */
static int
requeue(struct store *s, struct conv *c, long long now_ms)
{
	int answered = staff_answered(s, c);

	if (answered == -1)
		return -1;
	snprintf(c->mode, sizeof(c->mode), "bot");
	c->staff[0] = '\0';
	c->st.step = DS_STAFF;
	c->waiting_since = !answered && c->last_in_at > 0 ? c->last_in_at :
	    now_ms;
	return 0;
}

static int
do_release(struct store *s, struct conv *c, const void *arg,
    long long now_ms)
{
	if (requeue(s, c, now_ms) == -1)
		return -1;
	return conv_db_save(s, c);
}

/* Queues body to the citizen of c, on the account they wrote to. */
static int
to_citizen(struct store *s, const struct conv *c, const char *kind,
    const char *body, const char *author)
{
	struct outbox_item it;
	char account[CONV_ID_MAX];

	if (conv_db_account(s, c->id, account, sizeof(account)) == -1)
		return -1;
	memset(&it, 0, sizeof(it));
	it.conversation_id = c->id;
	it.agency = c->agency;
	it.channel = c->channel;
	it.account_id = account[0] ? account : NULL;
	it.user_id = c->user_id;
	it.to_phone = strcmp(c->channel, "whatsapp") == 0 &&
	    c->user_phone[0] ? c->user_phone : NULL;
	it.kind = kind;
	it.body = body;
	it.author = author;
	return outbox_enqueue(s, &it) == -1 ? -1 : 0;
}

/* Queues the reply text under key, in the conversation's language. */
static int
tell(struct conv_engine *e, struct conv *c, const char *key,
    long long now_ms)
{
	const struct agency *a = config_agency(conv_config(e), c->agency);
	struct conv_render rr = { conv_locales(e), a, c, 1, 0 };
	struct dialog_reply reply;
	const char *kind = "text";
	char *body;
	int rc;

	if (a == NULL)
		return 0;	/* agency gone from the config: say nothing */
	memset(&reply, 0, sizeof(reply));
	reply.key = key;
	if ((body = conv_render_reply(&rr, &reply, &kind)) == NULL) {
		log_warnx("event=reply_text_missing key=%s", key);
		return 0;
	}
	rc = to_citizen(conv_store(e), c, kind, body, "bot");
	free(body);
	if (rc == -1)
		return -1;
	c->last_out_at = now_ms;
	return 0;
}

/*
 * A citizen whom the bot handed to staff, and who got no answer from
 * staff since, was promised a person: they stay in the queue and are
 * told so.  Anyone else is back with the bot, and is told that too.
 */
static int
do_handback(struct conv_engine *e, struct conv *c, long long now_ms)
{
	struct store *s = conv_store(e);
	int promised = 0, answered;

	if (c->st.step == DS_STAFF) {
		if ((answered = staff_answered(s, c)) == -1)
			return -1;
		promised = !answered;
	}
	if (promised) {
		if (requeue(s, c, now_ms) == -1)
			return -1;
	} else {
		snprintf(c->mode, sizeof(c->mode), "bot");
		c->staff[0] = '\0';
		c->waiting_since = 0;
		if (c->st.step == DS_STAFF)
			c->st.step = DS_DONE;
		c->st.unknown = 0;
	}
	if (tell(e, c, promised ? "terug.wachtrij" : "terug.bot", now_ms)
	    == -1)
		return -1;
	return conv_db_save(s, c);
}

static int
do_close(struct store *s, struct conv *c, const void *arg, long long now_ms)
{
	return conv_db_end(s, c, arg, now_ms);
}

static int
do_reply(struct store *s, struct conv *c, const void *arg, long long now_ms)
{
	const char *const *v = arg;	/* staff name, text */
	char *body;
	int rc;

	if ((body = conv_text_body(v[1])) == NULL)
		return -1;
	rc = to_citizen(s, c, "text", body, v[0]);
	free(body);
	if (rc == -1)
		return -1;
	take(c, v[0]);
	if (c->first_reply_at == 0)
		c->first_reply_at = now_ms;
	c->last_out_at = now_ms;
	return conv_db_save(s, c);
}

int
conv_takeover(struct conv_engine *e, long long conv_id, const char *staff_name,
    long long now_ms)
{
	return with_conv(e, conv_id, do_takeover, staff_name, now_ms);
}

int
conv_handback(struct conv_engine *e, long long conv_id, long long now_ms)
{
	struct store *s = conv_store(e);
	struct conv c;
	int rc;

	/* Not through with_conv: it needs the engine for the reply text. */
	if (store_begin(s) == -1)
		return -1;
	rc = load_locked(s, conv_id, &c);
	rc = rc == 1 ? do_handback(e, &c, now_ms) : rc == 0 ? -2 : -1;
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

int
conv_release(struct conv_engine *e, long long conv_id, long long now_ms)
{
	return with_conv(e, conv_id, do_release, NULL, now_ms);
}

/* Copies v into the slot out (size len) unless v is NULL or empty. */
static void
set_slot(char *out, size_t len, const char *v)
{
	if (v != NULL && *v != '\0')
		snprintf(out, len, "%s", v);
}

int
conv_staff_case(struct conv_engine *e, long long conv_id,
    const struct conv_case_fields *f, long long now_ms, char *ref,
    size_t reflen)
{
	struct store *s = conv_store(e);
	const struct agency *a;
	struct conv c;
	int rc;

	if (store_begin(s) == -1)
		return -1;
	if ((rc = load_locked(s, conv_id, &c)) != 1) {
		store_rollback(s);
		return rc == 0 ? -2 : -1;
	}
	if (c.case_ref[0] != '\0') {
		store_rollback(s);
		return -3;
	}
	if ((a = config_agency(conv_config(e), c.agency)) == NULL) {
		store_rollback(s);
		return -2;
	}
	set_slot(c.st.name, sizeof(c.st.name), f->name);
	set_slot(c.st.email, sizeof(c.st.email), f->email);
	set_slot(c.st.phone, sizeof(c.st.phone), f->phone);
	set_slot(c.st.description, sizeof(c.st.description),
	    f->description);
	if (conv_db_create_case(s, a, &c, now_ms) == -1 ||
	    conv_db_save(s, &c) == -1) {
		store_rollback(s);
		return -1;
	}
	snprintf(ref, reflen, "%s", c.case_ref);
	return store_commit(s);
}

int
conv_close(struct conv_engine *e, long long conv_id, const char *outcome,
    long long now_ms)
{
	if (!dialog_outcome_valid(outcome)) {
		log_warnx("event=close_refused reason=unknown_outcome");
		return -2;
	}
	return with_conv(e, conv_id, do_close, outcome, now_ms);
}

int
conv_staff_reply(struct conv_engine *e, long long conv_id,
    const char *staff_name, const char *text, long long now_ms)
{
	const char *v[2] = { staff_name, text };

	if (staff_name == NULL || *staff_name == '\0' || text == NULL ||
	    *text == '\0')
		return -2;
	return with_conv(e, conv_id, do_reply, v, now_ms);
}
