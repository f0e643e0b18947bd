/*
 * outbox_send.c — choosing what goes out now: the oldest pending row per
 * citizen that is due, not in flight, inside the 24-hour window (or
 * turned into a template), and allowed by the rate limits; marking it in
 * flight and handing the request to the graph worker.  Service thread.
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph.h"
#include "htab.h"
#include "log.h"
#include "outbox_int.h"
#include "store.h"

/* The head rows: no older pending row of the same citizen exists. */
#define HEADS_WHERE "o.status = 'pending' AND o.submitted_at IS NULL " \
	"AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.status = " \
	"'pending' AND p.agency = o.agency AND p.channel = o.channel AND " \
	"p.user_id = o.user_id AND p.id < o.id)"

struct row {
	long long	 id;
	long long	 conversation_id;
	const char	*agency, *channel, *account_id, *user_id, *to_phone;
	const char	*kind, *body, *author;
	int		 attempts;
};

static void
read_row(struct store_stmt *st, struct row *r)
{
	r->id = store_col_int64(st, 0);
	r->conversation_id = store_col_int64(st, 1);
	r->agency = store_col_text(st, 2);
	r->channel = store_col_text(st, 3);
	r->account_id = store_col_text(st, 4);
	r->user_id = store_col_text(st, 5);
	r->to_phone = store_col_text(st, 6);
	r->kind = store_col_text(st, 7);
	r->body = store_col_text(st, 8);
	r->author = store_col_text(st, 9);
	r->attempts = store_col_int(st, 10);
}

static int
is_wa(const struct row *r)
{
	return strcmp(r->channel, "whatsapp") == 0;
}

/* A message to the citizen, as opposed to read/typing/handover. */
static int
is_message(const struct row *r)
{
	return strcmp(r->kind, "text") == 0 || strcmp(r->kind, "choices") == 0
	    || strcmp(r->kind, "buttons") == 0 || strcmp(r->kind, "list") == 0
	    || strcmp(r->kind, "template") == 0;
}

/* Time of the citizen's last message to this agency, -1 if none. */
static long long
last_inbound(struct outbox *ob, const struct row *r)
{
	static const char sql[] = "SELECT max(meta_ts) FROM inbound WHERE "
	    "channel = ?1 AND agency = ?2 AND user_id = ?3 AND "
	    "(kind = 'message' OR (channel = 'messenger' AND "
	    "kind = 'reaction'))";
	struct store_stmt *st;
	long long t = -1;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, r->channel, -1);
	store_bind_text(st, 2, r->agency, -1);
	store_bind_text(st, 3, r->user_id, -1);
	if (store_step(st) == STORE_ROW &&
	    !store_col_null(st, 0))
		t = store_col_int64(st, 0);
	store_stmt_done(st);
	return t;
}

/* The conversation's case reference (malloc'd), or NULL. */
static char *
case_ref(struct outbox *ob, long long conversation_id)
{
	struct store_stmt *st;
	char *ref = NULL;

	if (conversation_id <= 0 || (st = store_stmt(ob->store, "SELECT case_ref FROM conversations WHERE id = ?1")) == NULL)
		return NULL;
	store_bind_int64(st, 1, conversation_id);
	if (store_step(st) == STORE_ROW &&
	    !store_col_null(st, 0))
		ref = strdup(store_col_text(st, 0));
	store_stmt_done(st);
	return ref;
}

/* WhatsApp outside the window: the agency's template, if it has one. */
static enum graph_build_rc
wa_fallback(struct outbox *ob, const struct agency *a, const struct row *r,
    struct graph_send *s, struct graph_job **job, char *err, size_t errlen)
{
	enum graph_build_rc rc;
	char *param;

	if (a->wa_template == NULL || *a->wa_template == '\0') {
		snprintf(err, errlen, "not sent: more than 24 hours since the "
		    "citizen's last message and no wa_template configured");
		return GRAPH_BUILD_ERR;
	}
	if ((param = case_ref(ob, r->conversation_id)) == NULL)
		param = graph_body_text(r->body);
	rc = graph_build_template(s, a->wa_template, a->wa_template_lang,
	    param, job, err, errlen);
	free(param);
	if (rc == GRAPH_BUILD_OK)
		ob->stats.templated++;
	return rc;
}

/* Applies the 24-hour window and builds the request for r. */
static enum graph_build_rc
build(struct outbox *ob, const struct agency *a, const struct row *r,
    struct graph_job **job, char *err, size_t errlen)
{
	struct graph_send s;
	long long last, age;

	memset(&s, 0, sizeof(s));
	s.id = r->id;
	s.channel = r->channel;
	s.base_url = ob->cfg->graph_url;
	s.account_id = r->account_id;
	s.token = is_wa(r) ? (a->access_token ? a->access_token :
	    ob->cfg->access_token) : a->page_token;
	s.app_secret = ob->cfg->app_secret;
	s.to = is_wa(r) ? (r->to_phone ? r->to_phone : r->user_id) :
	    r->user_id;
	s.kind = r->kind;
	s.body = r->body;
	if (!is_message(r) || strcmp(r->kind, "template") == 0)
		return graph_build(&s, job, err, errlen);
	last = last_inbound(ob, r);
	age = last < 0 ? -1 : outbox_now(ob) - last;
	if (age >= 0 && age <= OUTBOX_WINDOW_MS)
		return graph_build(&s, job, err, errlen);
	if (is_wa(r))
		return wa_fallback(ob, a, r, &s, job, err, errlen);
	if (strcmp(r->author, "bot") == 0 || age < 0 || age > OUTBOX_HUMAN_MS) {
		snprintf(err, errlen, "not sent: outside Messenger's %s",
		    strcmp(r->author, "bot") == 0 ? "24-hour window (bot "
		    "message)" : "7-day human agent window");
		return GRAPH_BUILD_ERR;
	}
	s.human_agent = 1;
	return graph_build(&s, job, err, errlen);
}

/* The rate-limit keys of r: its sending number, and the citizen. */
static void
pace_keys(const struct row *r, char *skey, size_t slen, char *pkey,
    size_t plen)
{
	snprintf(skey, slen, "s|%s|%s", r->channel,
	    r->account_id ? r->account_id : "");
	snprintf(pkey, plen, "p|%s|%s", skey + 2, r->user_id);
}

static double
send_interval(const struct agency *a, const struct row *r, int *burst)
{
	*burst = is_wa(r) ? (a->rate_per_sec > 0 ? a->rate_per_sec :
	    OUTBOX_WA_RATE) : OUTBOX_MS_RATE;
	return 1000.0 / *burst;
}

/* Rows held back until when (the earliest of them is looked at again). */
static void
hold(struct outbox *ob, long long when)
{
	if (ob->hold_until == 0 || when < ob->hold_until)
		ob->hold_until = when;
}

/* The sending number of a row, hashed (the channel's NUL separates). */
static uint64_t
number_key(const char *channel, const char *account_id)
{
	const char *acc = account_id ? account_id : "";

	return htab_hash(acc, strlen(acc),
	    htab_hash(channel, strlen(channel) + 1, 0));
}

/* r's sending number is at its rate limit until when: held, and its
 * other due rows are passed over unread for the rest of this kick. */
static void
hold_number(struct outbox *ob, const struct row *r, long long when)
{
	hold(ob, when);
	if (ob->n_busy < OUTBOX_BUSY_KEYS)
		ob->busy[ob->n_busy++] = number_key(r->channel, r->account_id);
}

static int
is_number_busy(const struct outbox *ob, uint64_t key)
{
	int i;

	for (i = 0; i < ob->n_busy; i++)
		if (ob->busy[i] == key)
			return 1;
	return 0;
}

/*
 * Rate limits, checked before anything is built (with a backlog most due
 * rows wait, and building a request costs JSON and an HMAC).  Returns 0
 * if r may go now, 1 if the sending number (or, on PostgreSQL, the
 * citizen's shared pacing) is busy: held in memory, 2 if the citizen's
 * pair limit defers it, -1 on a database error.  Takes nothing:
 * pace_take() does, once the request exists.
 */
static int
pace_check(struct outbox *ob, const struct agency *a, const struct row *r,
    long long now)
{
	char skey[200], pkey[400];
	int burst;
	double si = send_interval(a, r, &burst);
	long long when;

	pace_keys(r, skey, sizeof(skey), pkey, sizeof(pkey));
	switch (outbox_pace_sync(ob, skey)) {
	case -1:
		return -1;
	case 0:		/* another instance claims for it: look again soon */
		hold_number(ob, r, now + 20);
		return 1;
	}
	if ((when = outbox_pace_when(ob->pace, skey, now, si, burst)) > now) {
		hold_number(ob, r, when);
		return 1;
	}
	if (!is_wa(r) || !is_message(r))
		return 0;
	switch (outbox_pace_sync(ob, pkey)) {
	case -1:
		return -1;
	case 0:
		hold(ob, now + 20);
		return 1;
	}
	return outbox_pace_when(ob->pace, pkey, now, OUTBOX_PAIR_INTERVAL_MS,
	    OUTBOX_PAIR_BURST) > now ? 2 : 0;
}

static void
pace_take(struct outbox *ob, const struct agency *a, const struct row *r,
    long long now)
{
	char skey[200], pkey[400];
	int burst;
	double si = send_interval(a, r, &burst);

	pace_keys(r, skey, sizeof(skey), pkey, sizeof(pkey));
	if (is_wa(r) && is_message(r))
		outbox_pace_take(ob->pace, pkey, now, OUTBOX_PAIR_INTERVAL_MS);
	outbox_pace_take(ob->pace, skey, now, si);
}

static int
exec_row(struct outbox *ob, const char *sql, long long id, long long t)
{
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, t);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

/* Marks row id in flight for this instance: 1, or 0 when another
 * instance claimed it first, -1 on a database error. */
static int
claim(struct outbox *ob, long long id, long long now)
{
	static const char sql[] = "UPDATE outbox SET submitted_at = ?2, "
	    "attempts = attempts + 1, updated_at = ?2, claimed_by = ?3 "
	    "WHERE id = ?1 AND submitted_at IS NULL AND status = 'pending'";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, now);
	store_bind_int64(st, 3, ob->claimer);
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE)
		return -1;
	return store_changes(ob->store) == 1 ? 1 : 0;
}

static int
finished(int rc)
{
	return rc == 0 ? 2 : -1;
}

static int
defer(struct outbox *ob, const struct row *r, long long now)
{
	char skey[200], pkey[400];
	long long when;

	pace_keys(r, skey, sizeof(skey), pkey, sizeof(pkey));
	when = outbox_pace_when(ob->pace, pkey, now, OUTBOX_PAIR_INTERVAL_MS,
	    OUTBOX_PAIR_BURST);
	ob->stats.paced++;
	log_debug("event=outbox_paced id=%lld in_ms=%lld", r->id, when - now);
	return exec_row(ob, "UPDATE outbox SET next_attempt_at = ?2 "
	    "WHERE id = ?1", r->id, when);
}

/*
 * Decides one head row: 1 if a job was made (*job), 2 if the row was
 * finished without one (failed, skipped: the citizen's next row is now
 * the head), 0 if it waits (deferred, held), -1 on a database error.
 */
static int
consider(struct outbox *ob, const struct row *r, long long now,
    struct graph_job **job)
{
	const struct agency *a = config_agency(ob->cfg, r->agency);
	enum graph_build_rc rc;
	char err[300];
	int p;

	*job = NULL;
	/* Sent before a crash, and Meta told us since (outbox_new()); a
	 * row never handed to the worker cannot have been. */
	if (r->attempts > 0 &&
	    (p = outbox_tagged_status(ob, r->id, err, sizeof(err))) != 0) {
		if (p == -1)
			return -1;
		ob->stats.not_resent++;
		log_info("event=outbox_not_resent id=%lld msg_id=%s", r->id,
		    err);
		return finished(outbox_mark_sent(ob, r->id, err));
	}
	if (a == NULL)
		return finished(outbox_mark_failed(ob, r->id, -1,
		    "not sent: agency not in the configuration"));
	if (r->attempts >= ob->o.max_attempts) {
		snprintf(err, sizeof(err), "gave up after %d attempts "
		    "(interrupted)", r->attempts);
		return finished(outbox_mark_failed(ob, r->id, -1, err));
	}
	if ((p = pace_check(ob, a, r, now)) != 0)
		return p == 2 ? defer(ob, r, now) : p == 1 ? 0 : -1;
	rc = build(ob, a, r, job, err, sizeof(err));
	if (rc == GRAPH_BUILD_ERR)
		return finished(outbox_mark_failed(ob, r->id, -1, err));
	if (rc == GRAPH_BUILD_SKIP) {
		ob->stats.skipped++;
		return finished(outbox_mark_sent(ob, r->id, NULL));
	}
	BOT_ASSERT(*job != NULL);
	if ((p = claim(ob, r->id, now)) != 1) {
		graph_job_free(*job);
		*job = NULL;
		return p == 0 ? 0 : -1;
	}
	pace_take(ob, a, r, now);
	return 1;
}

static struct store_stmt *
heads(struct outbox *ob, long long now, int limit)
{
	static const char sql[] = "SELECT o.id, o.conversation_id, o.agency, "
	    "o.channel, o.account_id, o.user_id, o.to_phone, o.kind, o.body, "
	    "o.author, o.attempts FROM outbox o WHERE " HEADS_WHERE
	    " AND o.next_attempt_at <= ?1 ORDER BY o.next_attempt_at, o.id "
	    "LIMIT ?2 FOR UPDATE OF o SKIP LOCKED";
	struct store_stmt *st;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return NULL;
	store_bind_int64(st, 1, now);
	store_bind_int(st, 2, limit);
	return st;
}

struct due {
	long long	id;
	uint64_t	number;		/* number_key() */
};

/* Reads up to max due heads into due (no updates while reading). */
static int
due_rows(struct outbox *ob, long long now, struct due *due, int max)
{
	struct store_stmt *st = heads(ob, now, max);
	int n = 0;

	if (st == NULL)
		return -1;
	while (n < max && store_step(st) == STORE_ROW) {
		due[n].id = store_col_int64(st, 0);
		due[n++].number = number_key(store_col_text(st, 3),
		    store_col_text(st, 4));
	}
	store_stmt_done(st);
	return n;
}

/*
 * Reads pending row id into r: 1, or 0 when it is not pending, -1 on a
 * database error.  r's strings live until store_stmt_done(*stp).
 */
static int
load_pending(struct outbox *ob, long long id, struct row *r,
    struct store_stmt **stp)
{
	static const char sql[] = "SELECT id, conversation_id, agency, "
	    "channel, account_id, user_id, to_phone, kind, body, author, "
	    "attempts FROM outbox WHERE id = ?1 AND status = 'pending' "
	    "FOR UPDATE SKIP LOCKED";

	if ((*stp = store_stmt(ob->store, sql)) == NULL)
		return -1;
	store_bind_int64(*stp, 1, id);
	if (store_step(*stp) != STORE_ROW)
		return 0;
	read_row(*stp, r);
	return 1;
}

static int
consider_id(struct outbox *ob, long long id, long long now,
    struct graph_job **job)
{
	struct store_stmt *st;
	struct row r;
	int rc;

	*job = NULL;
	if ((rc = load_pending(ob, id, &r, &st)) == 1)
		rc = consider(ob, &r, now, job);
	store_stmt_done(st);
	return rc;
}

/* One pass over the due heads inside a transaction; *moved counts rows
 * finished without a request (their successors may be due now). */
static int
kick_pass(struct outbox *ob, long long now, struct graph_job ***tail,
    int *moved)
{
	struct due due[OUTBOX_MAX_INFLIGHT * 4];
	int room = OUTBOX_MAX_INFLIGHT - ob->n_inflight, n, i, sent = 0;
	struct graph_job *j;

	*moved = 0;
	if (room <= 0)
		return 0;
	if ((n = due_rows(ob, now, due, room * 4)) == -1)
		return -1;
	for (i = 0; i < n && sent < room; i++) {
		if (is_number_busy(ob, due[i].number))
			continue;
		switch (consider_id(ob, due[i].id, now, &j)) {
		case -1:
			return -1;
		case 1:
			**tail = j;
			*tail = &j->next;
			ob->inflight[ob->n_inflight++] = j->id;
			sent++;
			break;
		case 2:
			(*moved)++;
			break;
		}
	}
	return sent;
}

int
outbox_choose(struct outbox *ob, struct graph_job **jobs)
{
	struct graph_job **tail = jobs;
	long long now = outbox_now(ob);
	int sent = 0, n, moved = 1, rounds;

	*jobs = NULL;
	ob->hold_until = 0;
	ob->n_busy = 0;
	if (ob->closing)
		return 0;
	outbox_pace_prune(ob->pace, now);
	outbox_pace_begin(ob->pace);
	for (rounds = 0; moved > 0 && rounds < 8; rounds++) {
		if ((n = kick_pass(ob, now, &tail, &moved)) == -1)
			return -1;
		sent += n;
	}
	return outbox_pace_save(ob) == -1 ? -1 : sent;
}

void
outbox_jobs_submit(struct outbox *ob, struct graph_job *jobs)
{
	struct graph_job *j, *next;

	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		ob->stats.submitted++;
		graph_submit(ob->graph, j);
	}
}

void
outbox_jobs_drop(struct outbox *ob, struct graph_job *jobs)
{
	struct graph_job *j, *next;

	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		outbox_inflight_del(ob, j->id);
		graph_job_free(j);
	}
}

int
outbox_kick(struct outbox *ob)
{
	struct graph_job *jobs = NULL;
	struct due probe;
	int sent;

	ob->hold_until = 0;
	if (ob->closing || ob->n_inflight >= OUTBOX_MAX_INFLIGHT ||
	    store_in_transaction(ob->store))
		return 0;
	/* Most calls find nothing due: no transaction for them. */
	if (due_rows(ob, outbox_now(ob), &probe, 1) != 1)
		return 0;
	if (store_begin(ob->store) == -1)
		return -1;
	if ((sent = outbox_choose(ob, &jobs)) == -1 ||
	    store_commit(ob->store) == -1) {
		log_warnx("event=outbox_kick_failed msg=\"%s\"",
		    store_errmsg(ob->store));
		store_rollback(ob->store);
		outbox_jobs_drop(ob, jobs);
		return -1;
	}
	/* Only after the commit: a crash before it leaves nothing marked. */
	outbox_jobs_submit(ob, jobs);
	return sent;
}

long long
outbox_next_due_ms(struct outbox *ob)
{
	static const char sql[] = "SELECT min(o.next_attempt_at) FROM "
	    "outbox o WHERE " HEADS_WHERE;
	long long now = outbox_now(ob), due = -1;
	struct store_stmt *st;

	if ((st = store_stmt(ob->store, sql)) == NULL)
		return 1000;	/* try again soon */
	if (store_step(st) == STORE_ROW &&
	    !store_col_null(st, 0))
		due = store_col_int64(st, 0);
	store_stmt_done(st);
	if (due < 0)
		return -1;
	/* Due rows the last kick held back wait for the sending number. */
	if (due <= now && ob->hold_until > now)
		due = ob->hold_until;
	/* Due rows that found no room wait for results (a wake-up). */
	if (due <= now && ob->n_inflight >= OUTBOX_MAX_INFLIGHT)
		return -1;
	return due <= now ? 0 : due - now;
}

void
outbox_service(struct outbox *ob, int new_rows)
{
	long long now = outbox_now(ob), due;

	if (store_in_transaction(ob->store))
		return;
	outbox_orphans(ob, now);
	outbox_pace_prune_shared(ob, now);
	outbox_on_wake(ob);
	/* New rows are looked at at once, unless a sending number is at its
	 * rate limit: then they wait for the kick it is due (at most
	 * OUTBOX_HELD_MIN_MS more than its rate requires). */
	if (now < ob->service_at && (!new_rows || ob->rate_held))
		return;
	/* Replies first: delivery statuses can wait a round. */
	outbox_kick(ob);
	ob->rate_held = ob->hold_until > now;
	outbox_apply_statuses(ob);
	due = outbox_next_due_ms(ob);
	if (ob->rate_held && due >= 0 && due < OUTBOX_HELD_MIN_MS)
		due = OUTBOX_HELD_MIN_MS;
	ob->service_at = now + (due < 0 || due > 1000 ? 1000 : due);
}

/* Rewrites row r as the agency's template and makes it due at once. */
static int
rewrite_as_template(struct outbox *ob, const struct agency *a,
    const struct row *r, const char *why)
{
	static const char sql[] = "UPDATE outbox SET kind = 'template', "
	    "body = ?2, submitted_at = NULL, next_attempt_at = 0, "
	    "error_code = 131047, error_text = ?3, updated_at = ?4 "
	    "WHERE id = ?1 AND status = 'pending'";
	char *param, *body, text[600];
	struct store_stmt *st;
	int rc = -1;

	if ((param = case_ref(ob, r->conversation_id)) == NULL)
		param = graph_body_text(r->body);
	body = graph_template_body(a->wa_template, a->wa_template_lang, param);
	free(param);
	if (body == NULL)
		return 0;
	snprintf(text, sizeof(text), "sent again as template %s: %s",
	    a->wa_template, why);
	if ((st = store_stmt(ob->store, sql)) != NULL) {
		store_bind_int64(st, 1, r->id);
		store_bind_text(st, 2, body, -1);
		store_bind_text(st, 3, text, -1);
		store_bind_int64(st, 4, outbox_now(ob));
		rc = store_step(st) == STORE_DONE ? 1 : -1;
		store_stmt_done(st);
	}
	free(body);
	if (rc == 1) {
		ob->stats.templated++;
		log_info("event=outbox_as_template id=%lld", r->id);
	}
	return rc;
}

int
outbox_retry_as_template(struct outbox *ob, long long id, const char *why)
{
	const struct agency *a;
	struct store_stmt *st;
	struct row r;
	int rc;

	if ((rc = load_pending(ob, id, &r, &st)) == 1) {
		rc = 0;
		a = config_agency(ob->cfg, r.agency);
		if (a != NULL && a->wa_template != NULL && *a->wa_template &&
		    is_wa(&r) && is_message(&r) &&
		    strcmp(r.kind, "template") != 0)
			rc = rewrite_as_template(ob, a, &r, why);
	}
	store_stmt_done(st);
	return rc;
}
