/*
 * console_ops.c — what staff do to a conversation: take it over (the bot
 * goes silent: it only answers conversations in mode 'bot'), reply
 * (through the outbox, author = the staff member), hand it back to the
 * bot, or close it with an outcome (one anonymous outcomes row).
 *
 * Written directly on the tables because the conversation engine
 * (conversation.h) had not landed when the console was built; when it
 * does, these become thin calls to engine_takeover / engine_staff_reply /
 * engine_handback / engine_close so the rules live in one place.
 *
 * Each operation runs in a transaction of its own on the service thread's
 * connection (webhooks are written by the intake writer thread on its
 * own connection; SQLite's busy timeout orders the two).
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_int.h"
#include "log.h"
#include "outbox.h"
#include "server.h"
#include "store.h"

struct conv_row {
	int	 open;
	char	 mode[16];
	char	 staff[STAFF_NAME_MAX];
	char	 agency[64];
	char	 channel[16];
	char	 user_id[128];
	char	 user_phone[32];
	char	 account_id[64];	/* from the citizen's last message */
};

static void
copy_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, len, "%s", t ? (const char *)t : "");
}

/* Loads conversation id; 0, 404 or 503. */
static int
load(struct server *s, long long id, struct conv_row *c)
{
	static const char sql[] = "SELECT open, mode, staff, agency, channel, "
	    "user_id, user_phone, (SELECT account_id FROM inbound i "
	    "WHERE i.conversation_id = c.id AND i.account_id IS NOT NULL "
	    "ORDER BY i.id DESC LIMIT 1) FROM conversations c WHERE id = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return 503;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->open = sqlite3_column_int(st, 0);
		copy_text(st, 1, c->mode, sizeof(c->mode));
		copy_text(st, 2, c->staff, sizeof(c->staff));
		copy_text(st, 3, c->agency, sizeof(c->agency));
		copy_text(st, 4, c->channel, sizeof(c->channel));
		copy_text(st, 5, c->user_id, sizeof(c->user_id));
		copy_text(st, 6, c->user_phone, sizeof(c->user_phone));
		copy_text(st, 7, c->account_id, sizeof(c->account_id));
	}
	store_stmt_done(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 404 : 503;
}

/* Opens our transaction, loads the row and checks it is open and not
 * held by someone else.  0 or a status. */
static int
begin_op(struct server *s, long long id, const char *staff,
    struct conv_row *c, const char **why)
{
	int rc;

	if (store_begin(s->store) == -1) {
		*why = "database";
		return 503;
	}
	if ((rc = load(s, id, c)) != 0) {
		*why = rc == 404 ? "not_found" : "database";
	} else if (!c->open) {
		*why = "closed";
		rc = 409;
	} else if (strcmp(c->mode, "staff") == 0 && c->staff[0] != '\0' &&
	    strcmp(c->staff, staff) != 0) {
		*why = "taken_by_other";
		rc = 409;
	}
	if (rc != 0)
		store_rollback(s->store);
	return rc;
}

/*
 * Runs one UPDATE/INSERT with ?1 the conversation id, ?2 the staff member,
 * ?3 a text and ?4 now; a statement that names fewer parameters just
 * ignores the rest (sqlite3_bind_* past the last returns SQLITE_RANGE).
 */
static int
exec3(struct server *s, const char *sql, long long id, const char *a,
    const char *b)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, store_now_ms());
	rc = sqlite3_step(st);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
end_op(struct server *s, int ok, const char **why)
{
	if (ok && store_commit(s->store) == 0)
		return 0;
	if (!ok)
		store_rollback(s->store);
	*why = "database";
	return 503;
}

int
console_op_takeover(struct server *s, long long id, const char *staff,
    const char **why)
{
	static const char sql[] = "UPDATE conversations SET mode = 'staff', "
	    "staff = ?2, staff_involved = 1, waiting_since = NULL "
	    "WHERE id = ?1";
	struct conv_row c;
	int rc;

	if ((rc = begin_op(s, id, staff, &c, why)) != 0)
		return rc;
	return end_op(s, exec3(s, sql, id, staff, NULL) == 0, why);
}

int
console_op_handback(struct server *s, long long id, const char *staff,
    const char **why)
{
	static const char sql[] = "UPDATE conversations SET mode = 'bot', "
	    "staff = NULL, waiting_since = NULL "
	    "WHERE id = ?1";
	struct conv_row c;
	int rc;

	if ((rc = begin_op(s, id, staff, &c, why)) != 0)
		return rc;
	if (strcmp(c.mode, "staff") != 0) {
		store_rollback(s->store);
		*why = "not_taken_over";
		return 409;
	}
	return end_op(s, exec3(s, sql, id, staff, NULL) == 0, why);
}

int
console_op_reply(struct server *s, long long id, const char *staff,
    const char *text, const char **why)
{
	static const char sql[] = "UPDATE conversations SET last_out_at = ?4, "
	    "first_reply_at = COALESCE(first_reply_at, ?4), "
	    "turns = turns + 1 WHERE id = ?1";
	struct outbox_item it;
	struct conv_row c;
	json_t *body;
	char *json;
	int rc, ok;

	if ((rc = begin_op(s, id, staff, &c, why)) != 0)
		return rc;
	if (strcmp(c.mode, "staff") != 0) {
		store_rollback(s->store);
		*why = "not_taken_over";
		return 409;
	}
	body = json_pack("{s:s}", "text", text);
	json = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (json == NULL) {
		store_rollback(s->store);
		*why = "text_not_utf8";
		return 400;
	}
	memset(&it, 0, sizeof(it));
	it.conversation_id = id;
	it.agency = c.agency;
	it.channel = c.channel;
	it.account_id = c.account_id[0] ? c.account_id : NULL;
	it.user_id = c.user_id;
	it.to_phone = c.user_phone[0] ? c.user_phone : NULL;
	it.kind = "text";
	it.body = json;
	it.author = staff;
	ok = outbox_enqueue(s->store, &it) > 0 &&
	    exec3(s, sql, id, staff, NULL) == 0;
	free(json);
	return end_op(s, ok, why);
}

static int
outcome_valid(const char *o)
{
	static const char *const names[] = { "answered", "handed_over",
	    "referred", "redirected", "case_created", "suggestion_logged",
	    "abusive_ignored", "stopped", "abandoned" };
	size_t i;

	for (i = 0; o != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(o, names[i]) == 0)
			return 1;
	return 0;
}

int
console_op_close(struct server *s, long long id, const char *staff,
    const char *outcome, const char **why)
{
	static const char upd[] = "UPDATE conversations SET open = 0, "
	    "mode = 'bot', waiting_since = NULL, outcome = ?3, ended_at = ?4, "
	    "staff = COALESCE(staff, ?2) WHERE id = ?1";
	static const char ins[] = "INSERT INTO outcomes (conversation_id, "
	    "agency, channel, first_intent, outcome, case_ref, first_msg_at, "
	    "first_reply_at, ended_at, turns, staff_involved) "
	    "SELECT id, agency, channel, first_intent, ?3, case_ref, "
	    "started_at, first_reply_at, ?4, turns, staff_involved "
	    "FROM conversations WHERE id = ?1 "
	    "ON CONFLICT (conversation_id) DO UPDATE SET "
	    "outcome = excluded.outcome, ended_at = excluded.ended_at, "
	    "staff_involved = excluded.staff_involved";
	struct conv_row c;
	int rc;

	if (!outcome_valid(outcome)) {
		*why = "bad_outcome";
		return 400;
	}
	if ((rc = begin_op(s, id, staff, &c, why)) != 0)
		return rc;
	return end_op(s, exec3(s, upd, id, staff, outcome) == 0 &&
	    exec3(s, ins, id, staff, outcome) == 0, why);
}
