/*
 * conv_staff.c — what staff do to a conversation from the console: take
 * it over (the bot falls silent), hand it back, close it with an outcome,
 * reply to the citizen.  Each is one transaction.  Service thread only.
 */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	rc = conv_db_load(s, conv_id, &c);
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

static int
do_handback(struct store *s, struct conv *c, const void *arg,
    long long now_ms)
{
	snprintf(c->mode, sizeof(c->mode), "bot");
	c->staff[0] = '\0';
	c->waiting_since = 0;
	if (c->st.step == DS_STAFF)
		c->st.step = DS_DONE;
	c->st.unknown = 0;
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
	struct outbox_item it;
	char account[CONV_ID_MAX], *body;
	long long id;

	if (conv_db_account(s, c->id, account, sizeof(account)) == -1 ||
	    (body = conv_text_body(v[1])) == NULL)
		return -1;
	memset(&it, 0, sizeof(it));
	it.conversation_id = c->id;
	it.agency = c->agency;
	it.channel = c->channel;
	it.account_id = account[0] ? account : NULL;
	it.user_id = c->user_id;
	it.to_phone = strcmp(c->channel, "whatsapp") == 0 &&
	    c->user_phone[0] ? c->user_phone : NULL;
	it.kind = "text";
	it.body = body;
	it.author = v[0];
	id = outbox_enqueue(s, &it);
	free(body);
	if (id == -1)
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
	return with_conv(e, conv_id, do_handback, NULL, now_ms);
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
