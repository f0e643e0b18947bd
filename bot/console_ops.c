/*
 * console_ops.c — what staff do to a conversation: take it over (the bot
 * goes silent), reply (through the outbox, author = the staff member),
 * hand it back to the bot, or close it with an outcome.  The changes
 * themselves are the conversation engine's (conv_takeover,
 * conv_staff_reply, conv_handback, conv_close in conv.h),
 * so the rules live in one place; this file adds what the console
 * promises on top: a conversation a colleague holds is refused (409), a
 * reply needs your own takeover first, and closed is final.
 */
#include <stdio.h>
#include <string.h>


#include "backend.h"
#include "console_int.h"
#include "conv.h"
#include "dialog.h"
#include "log.h"
#include "server.h"
#include "store.h"

struct conv_row {
	int	 open;
	char	 mode[16];
	char	 staff[STAFF_NAME_MAX];
};

static void
copy_text(struct store_stmt *st, int i, char *out, size_t len)
{
	const char *t = store_col_text(st, i);

	snprintf(out, len, "%s", t ? (const char *)t : "");
}

/* Loads conversation id; 0, 404 or 503. */
static int
load(struct server *s, long long id, struct conv_row *c)
{
	static const char sql[] = "SELECT open, mode, staff FROM conversations "
	    "WHERE id = ?1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return 503;
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) == STORE_ROW) {
		c->open = store_col_int(st, 0);
		copy_text(st, 1, c->mode, sizeof(c->mode));
		copy_text(st, 2, c->staff, sizeof(c->staff));
	}
	store_stmt_done(st);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? 404 : 503;
}

/*
 * The console's checks before an operation: the conversation exists, is
 * open and is not held by a colleague; need_mine also requires that the
 * caller holds it.  0 or an HTTP status with *why set.
 */
static int
check(struct server *s, long long id, const char *staff, int need_mine,
    const char **why)
{
	struct conv_row c;
	int rc, held;

	if ((rc = load(s, id, &c)) != 0) {
		*why = rc == 404 ? "not_found" : "database";
		return rc;
	}
	held = strcmp(c.mode, "staff") == 0 && c.staff[0] != '\0';
	if (!c.open) {
		*why = "closed";
		return 409;
	}
	if (held && strcmp(c.staff, staff) != 0) {
		*why = "taken_by_other";
		return 409;
	}
	if (need_mine && !held) {
		*why = "not_taken_over";
		return 409;
	}
	return 0;
}

/* An engine result (0, -1 database, -2 gone) as a status. */
static int
result(int rc, const char **why)
{
	if (rc == 0)
		return 0;
	*why = rc == -2 ? "closed" : "database";
	return rc == -2 ? 409 : 503;
}

/* The engine's operations, run between the back end's rounds; the
 * check and the change under one lock, so no message slips between. */
enum op { OP_TAKEOVER, OP_HANDBACK, OP_REPLY, OP_CLOSE };

static int
run(struct server *s, enum op op, long long id, const char *staff,
    const char *arg, const char **why)
{
	struct conv_engine *e;
	long long now = store_now_ms();
	int rc;

	if ((e = backend_lock(s->backend)) == NULL) {
		*why = "engine_unavailable";
		return 503;
	}
	if ((rc = check(s, id, staff, op == OP_HANDBACK || op == OP_REPLY,
	    why)) == 0) {
		switch (op) {
		case OP_TAKEOVER:
			rc = conv_takeover(e, id, staff, now);
			break;
		case OP_HANDBACK:
			rc = conv_handback(e, id, now);
			break;
		case OP_REPLY:
			rc = conv_staff_reply(e, id, staff, arg, now);
			break;
		case OP_CLOSE:
			rc = conv_close(e, id, arg, now);
			break;
		}
		rc = result(rc, why);
	}
	backend_unlock(s->backend);
	return rc;
}

int
console_op_takeover(struct server *s, long long id, const char *staff,
    const char **why)
{
	return run(s, OP_TAKEOVER, id, staff, NULL, why);
}

int
console_op_handback(struct server *s, long long id, const char *staff,
    const char **why)
{
	return run(s, OP_HANDBACK, id, staff, NULL, why);
}

int
console_op_reply(struct server *s, long long id, const char *staff,
    const char *text, const char **why)
{
	return run(s, OP_REPLY, id, staff, text, why);
}

int
console_op_close(struct server *s, long long id, const char *staff,
    const char *outcome, const char **why)
{
	if (outcome == NULL || !dialog_outcome_valid(outcome)) {
		*why = "bad_outcome";
		return 400;
	}
	return run(s, OP_CLOSE, id, staff, outcome, why);
}
