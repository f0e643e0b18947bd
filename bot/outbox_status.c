/*
 * outbox_status.c — delivery statuses from webhooks (table statuses,
 * written by intake.c) applied to outbox rows.  Meta sends them out of
 * order, skips some (read without delivered) and can send failed after
 * accepted (131047) or even after delivered (another device): a row's
 * status only moves forward, pending < sent < delivered < read, and
 * failed ends a row that was not yet delivered.  Service thread only.
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "outbox_int.h"
#include "store.h"

#define STATUS_BATCH	500

struct status_row {
	long long	 id;
	const char	*channel;
	const char	*msg_id;
	const char	*status;
	const char	*user_id;
	int		 code;		/* -1 if none */
	const char	*text;
	long long	 received_at;
	long long	 outbox_id;	/* the row its tag names, or 0 */
};

static int
rank(const char *s)
{
	if (strcmp(s, "sent") == 0)
		return 1;
	if (strcmp(s, "delivered") == 0)
		return 2;
	if (strcmp(s, "read") == 0 || strcmp(s, "played") == 0)
		return 3;
	return 0;	/* pending, and anything unknown */
}

static const char *
rank_name(int r)
{
	static const char *const names[] = { "pending", "sent", "delivered",
	    "read" };

	return names[r];
}

static int
step_done(struct store_stmt *st)
{
	int rc = store_step(st);

	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

static int
mark_applied(struct store *db, long long id)
{
	struct store_stmt *st;

	if ((st = store_stmt(db, "UPDATE statuses SET applied = 1 "
	    "WHERE id = ?1")) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	return step_done(st);
}

/* Moves row oid from its status cur according to s. */
static int
advance(struct outbox *ob, long long oid, const char *cur,
    const struct status_row *s)
{
	struct store *db = ob->store;
	struct store_stmt *st;
	int failed = strcmp(s->status, "failed") == 0;

	if (strcmp(cur, "failed") == 0)
		return 0;
	if (failed && rank(cur) >= 2) {
		/* Delivered to one device, failed on another: it arrived. */
		log_info("event=outbox_late_failure id=%lld code=%d", oid,
		    s->code);
		return 0;
	}
	if (!failed && rank(s->status) <= rank(cur))
		return 0;
	if (failed)
		return outbox_mark_failed(ob, oid, s->code,
		    s->text ? s->text : "failed (status webhook)");
	if ((st = store_stmt(db, "UPDATE outbox SET status = ?2, "
	    "updated_at = ?3 WHERE id = ?1")) == NULL)
		return -1;
	store_bind_int64(st, 1, oid);
	store_bind_text(st, 2, rank_name(rank(s->status)), -1);
	store_bind_int64(st, 3, outbox_now(ob));
	return step_done(st);
}

/*
 * Messenger read/delivery watermarks ("watermark:<psid>:<ms>"): every
 * message to that citizen sent before the mark.
 */
static int
apply_watermark(struct outbox *ob, const struct status_row *s)
{
	static const char sql[] = "UPDATE outbox SET status = ?1, "
	    "updated_at = ?2 WHERE channel = 'messenger' AND user_id = ?3 "
	    "AND meta_msg_id IS NOT NULL AND created_at <= ?4 AND "
	    "status IN ('sent', 'delivered') AND status != ?1";
	const char *colon = strrchr(s->msg_id, ':');
	long long mark = colon ? strtoll(colon + 1, NULL, 10) : 0;
	struct store_stmt *st;
	int r = rank(s->status);

	if (s->user_id == NULL || mark <= 0 || r < 2)
		return 0;
	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, rank_name(r), -1);
	store_bind_int64(st, 2, outbox_now(ob));
	store_bind_text(st, 3, s->user_id, -1);
	store_bind_int64(st, 4, mark);
	return step_done(st);
}

static int apply_one(struct outbox *, const struct status_row *);

/*
 * A status that names its row by tag (graph.h) before we know the
 * message id: Meta's answer is still on its way, or was lost in a crash.
 * The row was sent: record the id, then apply the status as usual.  A
 * row that has another id already was sent twice (a resend after the
 * grace period); the status of the first copy is only counted.
 */
static int
apply_tagged(struct outbox *ob, const struct status_row *s)
{
	static const char sql[] = "UPDATE outbox SET status = 'sent', "
	    "submitted_at = NULL, meta_msg_id = ?2, updated_at = ?3 WHERE "
	    "id = ?1 AND status = 'pending' AND meta_msg_id IS NULL";
	struct store_stmt *st;
	struct status_row t = *s;
	int rc;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, s->outbox_id);
	store_bind_text(st, 2, s->msg_id, -1);
	store_bind_int64(st, 3, outbox_now(ob));
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE)
		return -1;
	if (store_changes(ob->store) == 0) {
		log_info("event=outbox_status_of_other_copy id=%lld "
		    "msg_id=%s", s->outbox_id, s->msg_id);
		return 1;
	}
	log_info("event=outbox_sent_by_status id=%lld msg_id=%s",
	    s->outbox_id, s->msg_id);
	t.outbox_id = 0;	/* found by its id now */
	return apply_one(ob, &t);
}

/* 1 if applied (or given up), 0 if kept for later, -1 on error. */
static int
apply_one(struct outbox *ob, const struct status_row *s)
{
	struct store *db = ob->store;
	struct store_stmt *st;
	long long oid = 0;
	char cur[16] = "";
	int rc;

	if (strncmp(s->msg_id, "watermark:", 10) == 0)
		return apply_watermark(ob, s) == 0 ? 1 : -1;
	if ((st = store_stmt(db, "SELECT id, status FROM outbox WHERE "
	    "meta_msg_id = ?1 AND channel = ?2")) == NULL)
		return -1;
	store_bind_text(st, 1, s->msg_id, -1);
	store_bind_text(st, 2, s->channel, -1);
	if (store_step(st) == STORE_ROW) {
		oid = store_col_int64(st, 0);
		snprintf(cur, sizeof(cur), "%s", store_col_text(st, 1));
	}
	store_stmt_done(st);
	if (oid == 0 && s->outbox_id > 0)
		return apply_tagged(ob, s);
	if (oid == 0)	/* not ours (yet): wait for the id, then give up */
		return outbox_now(ob) - s->received_at > OUTBOX_STATUS_GRACE_MS;
	rc = advance(ob, oid, cur, s);
	if (rc == 0)
		ob->stats.statuses++;
	return rc == 0 ? 1 : -1;
}

static void
read_row(struct store_stmt *st, struct status_row *s)
{
	s->id = store_col_int64(st, 0);
	s->channel = store_col_text(st, 1);
	s->msg_id = store_col_text(st, 2);
	s->status = store_col_text(st, 3);
	s->user_id = store_col_text(st, 4);
	s->code = store_col_null(st, 5) ? -1 :
	    store_col_int(st, 5);
	s->text = store_col_text(st, 6);
	s->received_at = store_col_int64(st, 7);
	s->outbox_id = store_col_null(st, 8) ? 0 : store_col_int64(st, 8);
}

/*
 * The statuses to look at now, oldest first, read before any update so
 * no statement iterates rows that change under it: those that came since
 * the last look (status_seen), and once a second those past the grace
 * time, given up.  A status still waiting for its message id is looked
 * at once when it comes and again when the id arrives
 * (outbox_apply_statuses_of), never on every pass: a flood of statuses
 * for unknown messages would otherwise be read again on every wake-up.
 */
static int
pending_ids(struct outbox *ob, struct store *db, long long *ids, int max)
{
	static const char fresh[] = "SELECT id FROM statuses WHERE "
	    "applied = 0 AND id > ?1 ORDER BY id LIMIT ?2";
	static const char oldest[] = "SELECT id, received_at FROM statuses "
	    "WHERE applied = 0 AND id <= ?1 ORDER BY id LIMIT ?2";
	struct store_stmt *st;
	long long now = outbox_now(ob);
	int n = 0, rc = STORE_DONE;

	if (now >= ob->status_expiry_at) {
		ob->status_expiry_at = now + 1000;
		if ((st = store_stmt(db, oldest)) == NULL)
			return -1;
		store_bind_int64(st, 1, ob->status_seen);
		store_bind_int(st, 2, max / 2);
		while (n < max / 2 && (rc = store_step(st)) == STORE_ROW &&
		    store_col_int64(st, 1) < now - OUTBOX_STATUS_GRACE_MS)
			ids[n++] = store_col_int64(st, 0);
		store_stmt_done(st);
		if (rc != STORE_DONE && rc != STORE_ROW)
			return -1;
	}
	if ((st = store_stmt(db, fresh)) == NULL)
		return -1;
	store_bind_int64(st, 1, ob->status_seen);
	store_bind_int(st, 2, max - n);
	while (n < max && (rc = store_step(st)) == STORE_ROW) {
		ids[n] = store_col_int64(st, 0);
		if (ids[n] > ob->status_seen)
			ob->status_seen = ids[n];
		n++;
	}
	store_stmt_done(st);
	return rc == STORE_DONE || rc == STORE_ROW ? n : -1;
}

/* Where the first look starts: the oldest status not yet applied. */
static int
find_start(struct outbox *ob, struct store *db)
{
	static const char sql[] = "SELECT (SELECT min(id) FROM statuses "
	    "WHERE applied = 0), (SELECT max(id) FROM statuses)";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(db, sql)) == NULL)
		return -1;
	if ((rc = store_step(st)) == STORE_ROW)
		ob->status_seen = !store_col_null(st, 0) ?
		    store_col_int64(st, 0) - 1 : store_col_null(st, 1) ? 0 :
		    store_col_int64(st, 1);
	store_stmt_done(st);
	return rc == STORE_ROW ? 0 : -1;
}

static int
apply_id(struct outbox *ob, struct store *db, long long id)
{
	static const char sql[] = "SELECT id, channel, msg_id, status, "
	    "user_id, error_code, error_text, received_at, outbox_id FROM "
	    "statuses WHERE id = ?1";
	struct status_row s;
	struct store_stmt *st;
	int rc = 0;

	if ((st = store_stmt(db, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		read_row(st, &s);
		rc = apply_one(ob, &s);
	}
	store_stmt_done(st);
	if (rc == 1 && mark_applied(db, id) == -1)
		return -1;
	return rc;
}

int
outbox_apply_statuses(struct outbox *ob)
{
	struct store *db = ob->store;
	long long ids[STATUS_BATCH];
	int n, i, rc, applied = 0;

	if (store_in_transaction(ob->store))
		return 0;
	if (ob->status_seen < 0 && find_start(ob, db) == -1)
		return -1;
	if ((n = pending_ids(ob, db, ids, STATUS_BATCH)) <= 0)
		return n;
	if (store_begin(ob->store) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((rc = apply_id(ob, db, ids[i])) == -1)
			goto fail;
		applied += rc;
	}
	if (store_commit(ob->store) == -1)
		goto fail;
	return applied;
fail:
	log_warnx("event=outbox_statuses_failed msg=\"%s\"",
	    store_errmsg(db));
	store_rollback(ob->store);
	return -1;
}

int
outbox_apply_statuses_of(struct outbox *ob, const char *msg_id)
{
	static const char sql[] = "SELECT id FROM statuses WHERE channel IN "
	    "('whatsapp', 'messenger') AND msg_id = ?1 AND applied = 0 "
	    "ORDER BY id LIMIT 8";
	struct store_stmt *st;
	long long ids[8];
	int n = 0, i, rc;

	if (msg_id == NULL || msg_id[0] == '\0')
		return 0;
	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, msg_id, -1);
	while (n < 8 && (rc = store_step(st)) == STORE_ROW)
		ids[n++] = store_col_int64(st, 0);
	store_stmt_done(st);
	for (i = 0; i < n; i++)
		if (apply_id(ob, ob->store, ids[i]) == -1)
			return -1;
	return 0;
}
