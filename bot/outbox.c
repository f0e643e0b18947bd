/*
 * outbox.c — durable outbound queue: enqueue, the sender's lifetime, and
 * applying the worker's results.  Choosing and submitting rows is in
 * outbox_send.c, delivery statuses in outbox_status.c.  See outbox.h.
 * Service thread only.
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "outbox_int.h"
#include "store.h"
long long
outbox_enqueue(struct store *s, const struct outbox_item *it)
{
	static const char sql[] = "INSERT INTO outbox (conversation_id, "
	    "agency, channel, account_id, user_id, to_phone, kind, body, "
	    "author, status, next_attempt_at, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', 0, "
	    "?10, ?10) RETURNING id";
	struct store *db = s;
	struct store_stmt *st;
	long long id = -1, now = store_now_ms();

	if ((st = store_stmt(s, sql)) == NULL)
		goto out;
	if (it->conversation_id > 0)
		store_bind_int64(st, 1, it->conversation_id);
	store_bind_text(st, 2, it->agency, -1);
	store_bind_text(st, 3, it->channel, -1);
	store_bind_text(st, 4, it->account_id, -1);
	store_bind_text(st, 5, it->user_id, -1);
	store_bind_text(st, 6, it->to_phone, -1);
	store_bind_text(st, 7, it->kind, -1);
	store_bind_text(st, 8, it->body, -1);
	store_bind_text(st, 9, it->author ? it->author : "bot", -1);
	store_bind_int64(st, 10, now);
	if (store_step(st) == STORE_ROW)
		id = store_col_int64(st, 0);
out:
	if (id == -1)
		log_warnx("event=outbox_enqueue_failed msg=\"%s\"",
		    store_errmsg(db));
	store_stmt_done(st);
	return id;
}

/* ---- the sender: lifetime and results ---- */

long long
outbox_now(struct outbox *ob)
{
	return ob->o.now != NULL ? ob->o.now(ob->o.now_arg) : store_now_ms();
}

const struct outbox_stats *
outbox_stats(const struct outbox *ob)
{
	return &ob->stats;
}

void
outbox_set_config(struct outbox *ob, const struct config *cfg)
{
	ob->cfg = cfg;
}

/*
 * Makes claimer's rows in flight pending again, due only after the grace
 * period (see reset_inflight).  Returns the number of rows or -1.
 */
static int
hold_claimed(struct outbox *ob, long long claimer)
{
	static const char sql[] = "UPDATE outbox SET submitted_at = NULL, "
	    "claimed_by = NULL, next_attempt_at = CASE WHEN next_attempt_at "
	    "> ?2 THEN next_attempt_at ELSE ?2 END WHERE submitted_at IS NOT "
	    "NULL AND COALESCE(claimed_by, 0) = ?1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, claimer);
	store_bind_int64(st, 2, outbox_now(ob) + ob->o.resend_grace_ms);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? store_changes(ob->store) : -1;
}

/*
 * Rows a crash left in flight: those of a claimer that no longer lives
 * (its session lock is free), and with mine, ours after a restart.  With
 * several instances on PostgreSQL this also hands a dead instance's rows
 * to the living.  They may have reached Meta: they are made pending but
 * due only after the grace period, by when a status or echo naming them
 * (the tag, graph.h) will have marked them sent (outbox_status.c, or
 * consider() in outbox_send.c finds it).  Nothing is lost: without one
 * the row goes out again.
 */
static int
reset_inflight(struct outbox *ob, int mine)
{
	static const char sql_claimers[] = "SELECT DISTINCT "
	    "COALESCE(claimed_by, 0) FROM outbox WHERE submitted_at IS NOT NULL";
	long long dead[16];
	struct store_stmt *st;
	int n = 0, i, rc, total = 0;

	if ((st = store_stmt(ob->store, sql_claimers)) == NULL)
		return -1;
	while (n < 16 && store_step(st) == STORE_ROW) {
		dead[n] = store_col_int64(st, 0);
		if ((dead[n] == ob->claimer && mine) || (dead[n] !=
		    ob->claimer && store_key_free(ob->store, dead[n]) == 1))
			n++;
	}
	store_stmt_done(st);
	for (i = 0; i < n; i++) {
		if ((rc = hold_claimed(ob, dead[i])) < 0)
			return -1;
		total += rc;
	}
	if (total > 0) {
		ob->stats.held += (unsigned long)total;
		log_warnx("event=outbox_held_after_restart rows=%d "
		    "grace_ms=%lld", total, ob->o.resend_grace_ms);
	}
	return 0;
}

int
outbox_tagged_status(struct outbox *ob, long long id, char *out,
    size_t outlen)
{
	static const char sql[] = "SELECT msg_id FROM statuses WHERE "
	    "outbox_id = ?1 ORDER BY id LIMIT 1";
	struct store_stmt *st;
	const char *m;
	int rc;

	out[0] = '\0';
	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	if (rc == STORE_ROW && (m = store_col_text(st, 0)) != NULL &&
	    strncmp(m, "watermark:", 10) != 0)
		snprintf(out, outlen, "%s", m);
	store_stmt_done(st);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* Every few seconds on PostgreSQL: another instance may have died. */
void
outbox_orphans(struct outbox *ob, long long now)
{
	if (store_kind(ob->store) != STORE_PG || now < ob->orphans_at ||
	    store_in_transaction(ob->store))
		return;
	ob->orphans_at = now + 3000;
	reset_inflight(ob, 0);
}

/* A random key for this instance, held while its connection lives. */
static int
claim_key(struct outbox *ob)
{
	int i;

	for (i = 0; i < 8; i++) {
		ob->rnd ^= ob->rnd << 13;
		ob->rnd ^= ob->rnd >> 7;
		ob->rnd ^= ob->rnd << 17;
		ob->claimer = (long long)(ob->rnd >> 2) + 1;
		if (store_session_lock(ob->store, ob->claimer) == 1)
			return 0;
	}
	return -1;
}

struct outbox *
outbox_new(const struct config *cfg, struct store *s, void (*wake)(void *),
    void *wake_arg)
{
	struct outbox_opts o;

	memset(&o, 0, sizeof(o));
	o.wake = wake;
	o.wake_arg = wake_arg;
	return outbox_new_opts(cfg, s, &o);
}

struct outbox *
outbox_new_opts(const struct config *cfg, struct store *s,
    const struct outbox_opts *o)
{
	struct graph_opts go;
	struct outbox *ob;

	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		return NULL;
	ob->cfg = cfg;
	ob->store = s;
	ob->o = *o;
	if (ob->o.max_attempts <= 0)
		ob->o.max_attempts = OUTBOX_MAX_ATTEMPTS;
	if (ob->o.resend_grace_ms <= 0)
		ob->o.resend_grace_ms = OUTBOX_RESEND_GRACE_MS;
	ob->status_seen = -1;
	ob->rnd = (((unsigned long long)store_now_ms() * 2654435761u) ^
	    ((unsigned long long)getpid() << 32)) | 1;
	memset(&go, 0, sizeof(go));
	go.base_url = cfg->graph_url;
	go.timeout_ms = o->timeout_ms;
	go.wake = o->wake;
	go.wake_arg = o->wake_arg;
	go.responder = o->responder;
	go.responder_arg = o->responder_arg;
	if ((ob->pace = outbox_pace_new()) == NULL || claim_key(ob) == -1 ||
	    reset_inflight(ob, 1) == -1 ||
	    (ob->graph = graph_new(&go)) == NULL) {
		store_session_unlock(s, ob->claimer);
		outbox_pace_free(ob->pace);
		free(ob);
		return NULL;
	}
	log_info("event=outbox_started graph=%s", graph_is_log(ob->graph) ?
	    "log" : "http");
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	/* Results that arrive in the grace time are stored, so fewer rows
	 * are sent twice after the restart. */
	graph_stop(ob->graph, ob->n_inflight > 0 ? 2000 : 0);
	ob->closing = 1;
	outbox_on_wake(ob);
	reset_inflight(ob, 1);
	store_session_unlock(ob->store, ob->claimer);
	graph_result_free(ob->held);
	graph_free(ob->graph);
	outbox_pace_free(ob->pace);
	free(ob);
}

int
outbox_inflight_del(struct outbox *ob, long long id)
{
	int i;

	for (i = 0; i < ob->n_inflight; i++)
		if (ob->inflight[i] == id) {
			ob->inflight[i] = ob->inflight[--ob->n_inflight];
			return 0;
		}
	return -1;
}

int
outbox_mark_failed(struct outbox *ob, long long id, int code,
    const char *text)
{
	static const char sql[] = "UPDATE outbox SET status = 'failed', "
	    "submitted_at = NULL, error_code = ?2, error_text = ?3, "
	    "updated_at = ?4 WHERE id = ?1 AND status IN ('pending', 'sent')";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	if (code >= 0)
		store_bind_int(st, 2, code);
	store_bind_text(st, 3, text, -1);
	store_bind_int64(st, 4, outbox_now(ob));
	rc = store_step(st);
	store_stmt_done(st);
	/* Staff see the row; the log says it once, without the text sent. */
	log_warnx("event=outbox_failed id=%lld code=%d reason=\"%s\"", id,
	    code, text);
	ob->stats.failed++;
	return rc == STORE_DONE ? 0 : -1;
}

int
outbox_mark_sent(struct outbox *ob, long long id, const char *msg_id)
{
	static const char sql[] = "UPDATE outbox SET status = 'sent', "
	    "submitted_at = NULL, meta_msg_id = ?2, error_code = NULL, "
	    "error_text = NULL, updated_at = ?3 WHERE id = ?1 AND "
	    "status = 'pending'";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	if (msg_id != NULL && *msg_id != '\0')
		store_bind_text(st, 2, msg_id, -1);
	store_bind_int64(st, 3, outbox_now(ob));
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

/* Exponential back-off with equal jitter, honouring Retry-After. */
static long long
backoff_ms(struct outbox *ob, int attempts, int code, long retry_after_s)
{
	long long d = OUTBOX_BACKOFF_BASE_MS, p = 1000;
	int i;

	for (i = 1; i < attempts && d < OUTBOX_BACKOFF_MAX_MS; i++)
		d *= 2;
	/* Pair limit: Meta suggests waiting 4^X seconds. */
	for (i = 1; code == 131056 && i < attempts && p < d * 4; i++)
		p *= 4;
	if (code == 131056 && p > d)
		d = p;
	if (d > OUTBOX_BACKOFF_MAX_MS)
		d = OUTBOX_BACKOFF_MAX_MS;
	ob->rnd ^= ob->rnd << 13;
	ob->rnd ^= ob->rnd >> 7;
	ob->rnd ^= ob->rnd << 17;
	d = d / 2 + (long long)(ob->rnd % (unsigned long long)(d / 2 + 1));
	if (retry_after_s > 0 && retry_after_s * 1000LL > d)
		d = retry_after_s * 1000LL;
	return d;
}

static int
attempts_of(struct outbox *ob, long long id)
{
	struct store_stmt *st;
	int n = 0;

	if ((st = store_stmt(ob->store, "SELECT attempts FROM outbox WHERE id = ?1")) == NULL)
		return 0;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW)
		n = store_col_int(st, 0);
	store_stmt_done(st);
	return n;
}

static int
schedule_retry(struct outbox *ob, long long id, const struct graph_outcome *g,
    long retry_after_s)
{
	static const char sql[] = "UPDATE outbox SET submitted_at = NULL, "
	    "next_attempt_at = ?2, error_code = ?3, error_text = ?4, "
	    "updated_at = ?5 WHERE id = ?1 AND status = 'pending'";
	int attempts = attempts_of(ob, id), rc;
	char text[600];
	struct store_stmt *st;
	long long wait;

	if (attempts >= ob->o.max_attempts) {
		snprintf(text, sizeof(text), "gave up after %d attempts: %s",
		    attempts, g->text);
		return outbox_mark_failed(ob, id, g->code, text);
	}
	wait = backoff_ms(ob, attempts, g->code, retry_after_s);
	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, outbox_now(ob) + wait);
	if (g->code >= 0)
		store_bind_int(st, 3, g->code);
	store_bind_text(st, 4, g->text, -1);
	store_bind_int64(st, 5, outbox_now(ob));
	rc = store_step(st);
	store_stmt_done(st);
	ob->stats.retried++;
	log_info("event=outbox_retry id=%lld attempts=%d in_ms=%lld code=%d "
	    "reason=\"%s\"", id, attempts, wait, g->code, g->text);
	return rc == STORE_DONE ? 0 : -1;
}

static int
apply_result(struct outbox *ob, const struct graph_result *r)
{
	struct graph_outcome g;
	int rc;

	outbox_inflight_del(ob, r->id);
	graph_classify(r->http_status, r->curl_code, r->curl_error, r->body,
	    &g);
	switch (g.verdict) {
	case GRAPH_ACCEPTED:
		ob->stats.accepted++;
		if (outbox_mark_sent(ob, r->id, g.msg_id) == -1)
			return -1;
		/* A status that overtook this answer waits for it. */
		return outbox_apply_statuses_of(ob, g.msg_id);
	case GRAPH_RETRY:
		return schedule_retry(ob, r->id, &g, r->retry_after_s);
	default:
		if (g.code == 131047 &&
		    (rc = outbox_retry_as_template(ob, r->id, g.text)) != 0)
			return rc == 1 ? 0 : -1;
		return outbox_mark_failed(ob, r->id, g.code, g.text);
	}
}

/* Appends the worker's new results to those a failed commit kept. */
static struct graph_result *
take_results(struct outbox *ob)
{
	struct graph_result *res = ob->held, **tail = &res;

	ob->held = NULL;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = graph_drain(ob->graph);
	return res;
}

int
outbox_on_wake(struct outbox *ob)
{
	struct graph_result *res = take_results(ob), *r;
	struct graph_job *jobs = NULL;
	unsigned long accepted = ob->stats.accepted;
	/* A sending number at its rate limit: the rows these results free
	 * wait for the kick it is due (outbox_service), as new rows do.
	 * Choosing now would read the due rows (with a backlog, 256 per
	 * wake-up, under the write lock) only to find them held. */
	int held = ob->rate_held && outbox_now(ob) < ob->service_at;
	int n = 0;

	if (res == NULL)
		return 0;
	if (store_in_transaction(ob->store)) {
		ob->held = res;		/* applied on the next call */
		return 0;
	}
	if (store_begin(ob->store) == -1)
		goto fail;
	for (r = res; r != NULL; r = r->next, n++)
		if (apply_result(ob, r) == -1)
			goto fail;
	/* The rows these results unblock go in the same commit: one fsync
	 * per wake-up, not two. */
	if ((!held && outbox_choose(ob, &jobs) == -1) ||
	    store_commit(ob->store) == -1)
		goto fail;
	graph_result_free(res);
	outbox_jobs_submit(ob, jobs);
	/* A status can overtake the id it belongs to; look again. */
	if (ob->stats.accepted != accepted)
		outbox_apply_statuses(ob);
	return n;
fail:
	/* Kept and applied on the next wake-up or tick; the rows stay in
	 * flight meanwhile, so nothing is sent twice or dropped. */
	log_error("event=outbox_results_held count=%d msg=\"%s\"", n,
	    store_errmsg(ob->store));
	store_rollback(ob->store);
	outbox_jobs_drop(ob, jobs);
	ob->held = res;
	return -1;
}
