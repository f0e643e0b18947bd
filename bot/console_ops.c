/*
 * console_ops.c — what staff do to a conversation: take it over (the bot
 * goes silent), reply (through the outbox, author = the staff member),
 * hand it back to the bot, release it to the queue, close it with an
 * outcome, register a case; and what a coordinator adds: assign it to a
 * colleague, and release, hand back or close a colleague's conversation
 * (someone fell ill, or left: a conversation must never be stuck).
 *
 * The changes themselves are the conversation engine's (conv.h), so the
 * rules live in one place; this file adds what the console promises on
 * top: a conversation a colleague holds is refused (409) unless the
 * caller coordinates, a reply needs your own takeover first, closed is
 * final, and the outcome chosen matches what happened (a case outcome
 * only with a case).
 */
#include <stdio.h>
#include <string.h>


#include "backend.h"
#include "console_int.h"
#include "conv.h"
#include "dialog.h"
#include "log.h"
#include "server.h"
#include "staff.h"
#include "store.h"

struct conv_row {
	int	 open;
	int	 has_case;
	char	 mode[16];
	char	 staff[STAFF_NAME_MAX];
};

/* What an operation needs before it may run. */
enum need {
	NEED_OPEN,		/* open, not a colleague's */
	NEED_MINE,		/* open, held by the caller */
	NEED_HELD,		/* open, held by someone: the caller, or a
				   colleague when the caller coordinates */
	NEED_ANY_OPEN		/* open; a colleague's only for coordinators */
};

/* The outcomes staff may choose when closing (not handed_over: closing
 * is the end of staff handling, not a hand-over). */
static const char *const staff_outcomes[] = {
	OUTCOME_ANSWERED, OUTCOME_REFERRED, OUTCOME_REDIRECTED, OUTCOME_CASE,
	OUTCOME_SUGGESTION, OUTCOME_ABUSE, OUTCOME_STOPPED, OUTCOME_ABANDONED,
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
	static const char sql[] = "SELECT open, mode, staff, "
	    "case_ref IS NOT NULL OR EXISTS (SELECT 1 FROM cases k WHERE "
	    "k.conversation_id = conversations.id) FROM conversations "
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
		c->has_case = store_col_int(st, 3);
	}
	store_stmt_done(st);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? 404 : 503;
}

/*
 * The console's checks before an operation.  0 or an HTTP status with
 * *why set.  c is filled for the caller's own checks.
 */
static int
check(struct server *s, long long id, const struct session *who,
    enum need need, struct conv_row *c, const char **why)
{
	int rc, held, mine, coord = console_is_coordinator(who);

	if ((rc = load(s, id, c)) != 0) {
		*why = rc == 404 ? "not_found" : "database";
		return rc;
	}
	held = strcmp(c->mode, "staff") == 0 && c->staff[0] != '\0';
	mine = held && strcmp(c->staff, who->name) == 0;
	*why = "closed";
	if (!c->open)
		return 409;
	*why = "taken_by_other";
	if (held && !mine && !(coord && need != NEED_MINE &&
	    need != NEED_OPEN))
		return 409;
	*why = "not_taken_over";
	if ((need == NEED_MINE && !mine) || (need == NEED_HELD && !held))
		return 409;
	return 0;
}

/* An engine result (0, -1 database, -2 gone, -3 has a case) as a
 * status. */
static int
result(int rc, const char **why)
{
	switch (rc) {
	case 0:
		return 0;
	case -2:
		*why = "closed";
		return 409;
	case -3:
		*why = "has_case";
		return 409;
	default:
		*why = "database";
		return 503;
	}
}

/* The operations, by name; arg is the text, outcome, colleague or case
 * fields (struct conv_case_fields). */
enum op { OP_TAKEOVER, OP_HANDBACK, OP_REPLY, OP_CLOSE, OP_RELEASE,
	OP_ASSIGN, OP_CASE };

static const enum need needs[] = {
	[OP_TAKEOVER] = NEED_OPEN,	[OP_HANDBACK] = NEED_HELD,
	[OP_REPLY] = NEED_MINE,		[OP_CLOSE] = NEED_ANY_OPEN,
	[OP_RELEASE] = NEED_HELD,	[OP_ASSIGN] = NEED_ANY_OPEN,
	[OP_CASE] = NEED_ANY_OPEN,
};

static int
outcome_fits(const struct conv_row *c, const char *outcome, const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(staff_outcomes) / sizeof(staff_outcomes[0]);
	    i++)
		if (strcmp(outcome, staff_outcomes[i]) == 0)
			break;
	*why = "bad_outcome";
	if (i == sizeof(staff_outcomes) / sizeof(staff_outcomes[0]))
		return 400;
	/* The report counts a complaint per case outcome: one without a
	 * case would be a complaint nobody registered, and a registered
	 * case closed as something else would vanish from the count. */
	*why = c->has_case ? "case_outcome_required" : "no_case";
	if (c->has_case != (strcmp(outcome, OUTCOME_CASE) == 0))
		return 409;
	return 0;
}

static int
engine(struct conv_engine *e, enum op op, long long id,
    const struct session *who, const void *arg, char *ref, size_t reflen)
{
	long long now = store_now_ms();

	switch (op) {
	case OP_TAKEOVER:
		return conv_takeover(e, id, who->name, now);
	case OP_ASSIGN:
		return conv_takeover(e, id, arg, now);
	case OP_HANDBACK:
		return conv_handback(e, id, now);
	case OP_RELEASE:
		return conv_release(e, id, now);
	case OP_REPLY:
		return conv_staff_reply(e, id, who->name, arg, now);
	case OP_CLOSE:
		return conv_close(e, id, arg, now);
	case OP_CASE:
		return conv_staff_case(e, id, arg, now, ref, reflen);
	}
	return -1;
}

/* Runs op between the back end's rounds: the check and the change under
 * one lock, so no message slips between them. */
static int
run(struct server *s, enum op op, long long id, const struct session *who,
    const void *arg, const char **why)
{
	struct conv_engine *e;
	struct conv_row c;
	char ref[64];
	int rc;

	if ((e = backend_lock(s->backend)) == NULL) {
		*why = "engine_unavailable";
		return 503;
	}
	rc = check(s, id, who, needs[op], &c, why);
	if (rc == 0 && op == OP_CLOSE)
		rc = outcome_fits(&c, arg, why);
	if (rc == 0 && op == OP_CASE && c.has_case) {
		*why = "has_case";
		rc = 409;
	}
	if (rc == 0)
		rc = result(engine(e, op, id, who, arg, ref, sizeof(ref)), why);
	backend_unlock(s->backend);
	if (rc == 0 && op == OP_CASE && s->console != NULL)
		s->console->cases_dirty = 1;
	return rc;
}

int
console_op_takeover(struct server *s, long long id,
    const struct session *who, const char **why)
{
	return run(s, OP_TAKEOVER, id, who, NULL, why);
}

int
console_op_handback(struct server *s, long long id,
    const struct session *who, const char **why)
{
	return run(s, OP_HANDBACK, id, who, NULL, why);
}

int
console_op_release(struct server *s, long long id,
    const struct session *who, const char **why)
{
	return run(s, OP_RELEASE, id, who, NULL, why);
}

int
console_op_reply(struct server *s, long long id, const struct session *who,
    const char *text, const char **why)
{
	return run(s, OP_REPLY, id, who, text, why);
}

int
console_op_close(struct server *s, long long id, const struct session *who,
    const char *outcome, const char **why)
{
	if (outcome == NULL || !dialog_outcome_valid(outcome)) {
		*why = "bad_outcome";
		return 400;
	}
	return run(s, OP_CLOSE, id, who, outcome, why);
}

int
console_op_assign(struct server *s, long long id, const struct session *who,
    const char *colleague, const char **why)
{
	struct staff_account a;
	int rc;

	if (!console_is_coordinator(who)) {
		*why = "coordinator_only";
		return 403;
	}
	if (colleague == NULL || !staff_name_valid(colleague)) {
		*why = "staff_required";
		return 400;
	}
	if ((rc = staff_find(s->store, colleague, &a, NULL, 0)) != 1) {
		*why = rc == 0 ? "unknown_staff" : "database";
		return rc == 0 ? 400 : 503;
	}
	return run(s, OP_ASSIGN, id, who, a.name, why);
}

int
console_op_case(struct server *s, long long id, const struct session *who,
    const struct conv_case_fields *f, const char **why)
{
	return run(s, OP_CASE, id, who, f, why);
}
