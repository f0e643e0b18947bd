/*
 * conv_db.c — the conversation engine's SQL: inbound rows, conversations,
 * cases and outcomes.  Every statement is prepared with bound parameters;
 * the caller holds the transaction (one per inbound message).  Service
 * thread only.
 */
#include "conv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "media.h"
#include "store.h"

/* sql is a string literal: its address keys the statement cache, so each
 * statement is compiled once per connection (store_stmt). */
static struct store_stmt *
prep(struct store *s, const char *sql)
{
	struct store_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		log_warnx("event=conv_sql_failed msg=\"%s\"",
		    store_errmsg(s));
	return st;
}

/* Steps a statement that returns no rows, then finalizes it. */
static int
done(struct store *s, struct store_stmt *st)
{
	int rc = store_step(st);

	if (rc != STORE_DONE)
		log_warnx("event=conv_sql_failed msg=\"%s\"",
		    store_errmsg(s));
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

/* Steps an INSERT ... RETURNING id: the new row's id, or -1. */
static long long
returned_id(struct store *s, struct store_stmt *st)
{
	long long id = -1;

	if (store_step(st) == STORE_ROW)
		id = store_col_int64(st, 0);
	else
		log_warnx("event=conv_sql_failed msg=\"%s\"", store_errmsg(s));
	store_stmt_done(st);
	return id;
}

static void
bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		store_bind_text(st, i, v, -1);
	else
		store_bind_null(st, i);
}

static void
bind_ms(struct store_stmt *st, int i, long long v)
{
	if (v > 0)
		store_bind_int64(st, i, v);
	else
		store_bind_null(st, i);
}

static char *
col_dup(struct store_stmt *st, int i)
{
	const char *t = store_col_text(st, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

static void
col_copy(struct store_stmt *st, int i, char *out, size_t outlen)
{
	const char *t = store_col_text(st, i);

	snprintf(out, outlen, "%s", t != NULL ? (const char *)t : "");
}

/* ---- inbound ----------------------------------------------------------- */

int
conv_db_next_inbound(struct store *s, long long after, struct conv_inrow *r)
{
	struct store_stmt *st = prep(s, "SELECT id, channel, agency, account_id, "
	    "user_id, user_phone, user_name, msg_id, kind, type, text, "
	    "payload, standby, received_at FROM inbound WHERE processed = 0 "
	    "AND id > ?1 "
	    "ORDER BY id LIMIT 1");
	int rc;

	memset(r, 0, sizeof(*r));
	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, after);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		r->id = store_col_int64(st, 0);
		r->channel = col_dup(st, 1);
		r->agency = col_dup(st, 2);
		r->account_id = col_dup(st, 3);
		r->user_id = col_dup(st, 4);
		r->user_phone = col_dup(st, 5);
		r->user_name = col_dup(st, 6);
		r->msg_id = col_dup(st, 7);
		r->kind = col_dup(st, 8);
		r->type = col_dup(st, 9);
		r->text = col_dup(st, 10);
		r->payload = col_dup(st, 11);
		r->standby = store_col_int(st, 12);
		r->received_at = store_col_int64(st, 13);
	}
	store_stmt_done(st);
	if (rc == STORE_ROW)
		return r->channel && r->user_id && r->kind ? 1 : -1;
	return rc == STORE_DONE ? 0 : -1;
}

int
conv_db_burst(struct store *s, const struct conv_inrow *r, long long window_ms,
    size_t max_bytes, struct buf *out, long long *ids, int nids)
{
	/* Rows of the same user after r, up to the first that is not plain
	 * text (a photo, a button): later texts never jump ahead of it. */
	struct store_stmt *st = prep(s, "SELECT id, kind, type, text, payload "
	    "FROM inbound WHERE processed = 0 AND id > ?1 AND channel = ?2 "
	    "AND user_id = ?3 AND agency IS NOT DISTINCT FROM ?4 AND "
	    "received_at <= (SELECT "
	    "received_at FROM inbound WHERE id = ?1) + ?5 ORDER BY id "
	    "LIMIT ?6");
	const char *kind, *type, *text;
	int n = 0, rc;

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, r->id);
	store_bind_text(st, 2, r->channel, -1);
	store_bind_text(st, 3, r->user_id, -1);
	if (r->agency != NULL)
		store_bind_text(st, 4, r->agency, -1);
	store_bind_int64(st, 5, window_ms);
	store_bind_int(st, 6, nids);
	while ((rc = store_step(st)) == STORE_ROW) {
		kind = store_col_text(st, 1);
		type = store_col_text(st, 2);
		text = store_col_text(st, 3);
		if (kind == NULL || strcmp(kind, "message") != 0 ||
		    type == NULL || strcmp(type, "text") != 0 ||
		    text == NULL || *text == '\0' ||
		    !store_col_null(st, 4) ||
		    out->len + strlen(text) + 1 > max_bytes)
			break;
		if (buf_putc(out, '\n') == -1 ||
		    buf_append(out, text, strlen(text)) == -1) {
			rc = STORE_ERROR;
			break;
		}
		ids[n++] = store_col_int64(st, 0);
	}
	store_stmt_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return -1;
	return n;
}

long long
conv_db_oldest_waiting(struct store *s, const struct conv_inrow *r)
{
	struct store_stmt *st = prep(s, "SELECT min(id) FROM inbound WHERE "
	    "processed = 0 AND channel = ?1 AND user_id = ?2 AND agency IS "
	    "NOT DISTINCT FROM ?3");
	long long id = -1;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, r->channel, -1);
	store_bind_text(st, 2, r->user_id, -1);
	store_bind_text(st, 3, r->agency, -1);
	if (store_step(st) == STORE_ROW)
		id = store_col_null(st, 0) ? 0 : store_col_int64(st, 0);
	store_stmt_done(st);
	return id;
}

void
conv_inrow_free(struct conv_inrow *r)
{
	free(r->channel);
	free(r->agency);
	free(r->account_id);
	free(r->user_id);
	free(r->user_phone);
	free(r->user_name);
	free(r->msg_id);
	free(r->kind);
	free(r->type);
	free(r->text);
	free(r->payload);
	memset(r, 0, sizeof(*r));
}

int
conv_db_mark_processed(struct store *s, long long inbound_id,
    long long conv_id)
{
	struct store_stmt *st = prep(s, "UPDATE inbound SET processed = 1, "
	    "conversation_id = ?2 WHERE id = ?1");

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, inbound_id);
	bind_ms(st, 2, conv_id);
	return done(s, st);
}

/* ---- conversations ----------------------------------------------------- */

#define CONV_COLS "id, agency, channel, user_id, user_phone, lang, state, " \
	"data, mode, staff, first_intent, outcome, case_ref, started_at, " \
	"first_reply_at, last_in_at, last_out_at, waiting_since, turns, " \
	"staff_involved, abuse"

static void
read_conv(struct store_stmt *st, struct conv *c)
{
	memset(c, 0, sizeof(*c));
	c->id = store_col_int64(st, 0);
	col_copy(st, 1, c->agency, sizeof(c->agency));
	col_copy(st, 2, c->channel, sizeof(c->channel));
	col_copy(st, 3, c->user_id, sizeof(c->user_id));
	col_copy(st, 4, c->user_phone, sizeof(c->user_phone));
	dialog_init(&c->st, store_col_text(st, 5));
	c->st.step = dialog_step_parse(
	    store_col_text(st, 6));
	conv_state_decode(&c->st, store_col_text(st, 7));
	col_copy(st, 8, c->mode, sizeof(c->mode));
	col_copy(st, 9, c->staff, sizeof(c->staff));
	col_copy(st, 10, c->st.first_intent, sizeof(c->st.first_intent));
	col_copy(st, 11, c->st.outcome, sizeof(c->st.outcome));
	col_copy(st, 12, c->case_ref, sizeof(c->case_ref));
	c->started_at = store_col_int64(st, 13);
	c->first_reply_at = store_col_int64(st, 14);
	c->last_in_at = store_col_int64(st, 15);
	c->last_out_at = store_col_int64(st, 16);
	c->waiting_since = store_col_int64(st, 17);
	c->turns = store_col_int(st, 18);
	c->staff_involved = store_col_int(st, 19);
	c->abuse = store_col_int(st, 20);
}

static int
load_one(struct store_stmt *st, struct conv *c)
{
	int rc = store_step(st);

	if (rc == STORE_ROW)
		read_conv(st, c);
	store_stmt_done(st);
	if (rc == STORE_ROW)
		return 1;
	return rc == STORE_DONE ? 0 : -1;
}

int
conv_db_load_open(struct store *s, const char *agency, const char *channel,
    const char *user_id, struct conv *c)
{
	struct store_stmt *st = prep(s, "SELECT " CONV_COLS " FROM conversations "
	    "WHERE agency = ?1 AND channel = ?2 AND user_id = ?3 AND open = 1");

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, agency, -1);
	store_bind_text(st, 2, channel, -1);
	store_bind_text(st, 3, user_id, -1);
	return load_one(st, c);
}

int
conv_db_ended_since(struct store *s, const char *agency, const char *channel,
    const char *user_id, long long since_ms, long long *id)
{
	struct store_stmt *st = prep(s, "SELECT id FROM conversations WHERE "
	    "agency = ?1 AND channel = ?2 AND user_id = ?3 AND open = 0 AND "
	    "ended_at >= ?4 AND last_in_at >= ?4 ORDER BY ended_at DESC "
	    "LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, agency, -1);
	store_bind_text(st, 2, channel, -1);
	store_bind_text(st, 3, user_id, -1);
	store_bind_int64(st, 4, since_ms);
	rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int64(st, 0);
	store_stmt_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return -1;
	return rc == STORE_ROW;
}

int
conv_db_load(struct store *s, long long id, struct conv *c)
{
	struct store_stmt *st = prep(s, "SELECT " CONV_COLS " FROM conversations "
	    "WHERE id = ?1 AND open = 1");

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	return load_one(st, c);
}

int
conv_db_create(struct store *s, struct conv *c, const char *user_name,
    long long now_ms)
{
	struct store_stmt *st = prep(s, "INSERT INTO conversations (agency, "
	    "channel, user_id, user_phone, user_name, lang, state, mode, "
	    "started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "RETURNING id");

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, c->agency, -1);
	store_bind_text(st, 2, c->channel, -1);
	store_bind_text(st, 3, c->user_id, -1);
	bind_text(st, 4, c->user_phone);
	bind_text(st, 5, user_name);
	store_bind_text(st, 6, c->st.lang, -1);
	store_bind_text(st, 7, dialog_step_name(c->st.step), -1);
	store_bind_text(st, 8, c->mode, -1);
	store_bind_int64(st, 9, now_ms);
	if ((c->id = returned_id(s, st)) <= 0)
		return -1;
	c->started_at = now_ms;
	return 0;
}

int
conv_db_save(struct store *s, const struct conv *c)
{
	struct store_stmt *st;
	char *data = conv_state_encode(&c->st);

	if (data == NULL)
		return -1;
	st = prep(s, "UPDATE conversations SET user_phone = ?2, lang = ?3, "
	    "state = ?4, data = ?5, mode = ?6, staff = ?7, first_intent = ?8, "
	    "outcome = ?9, case_ref = ?10, first_reply_at = ?11, "
	    "last_in_at = ?12, last_out_at = ?13, waiting_since = ?14, "
	    "turns = ?15, staff_involved = ?16, abuse = ?17 WHERE id = ?1");
	if (st == NULL) {
		free(data);
		return -1;
	}
	store_bind_int64(st, 1, c->id);
	bind_text(st, 2, c->user_phone);
	store_bind_text(st, 3, c->st.lang, -1);
	store_bind_text(st, 4, dialog_step_name(c->st.step), -1);
	store_bind_text(st, 5, data, -1);
	free(data);
	store_bind_text(st, 6, c->mode, -1);
	bind_text(st, 7, c->staff);
	bind_text(st, 8, c->st.first_intent);
	bind_text(st, 9, c->st.outcome);
	bind_text(st, 10, c->case_ref);
	bind_ms(st, 11, c->first_reply_at);
	bind_ms(st, 12, c->last_in_at);
	bind_ms(st, 13, c->last_out_at);
	bind_ms(st, 14, c->waiting_since);
	store_bind_int(st, 15, c->turns);
	store_bind_int(st, 16, c->staff_involved);
	store_bind_int(st, 17, c->abuse);
	return done(s, st);
}

int
conv_db_end(struct store *s, struct conv *c, const char *outcome,
    long long now_ms)
{
	struct store_stmt *st;

	snprintf(c->st.outcome, sizeof(c->st.outcome), "%s", outcome);
	c->st.step = DS_ENDED;
	if (conv_db_save(s, c) == -1)
		return -1;
	if ((st = prep(s, "UPDATE conversations SET open = 0, ended_at = ?2, "
	    "waiting_since = NULL WHERE id = ?1")) == NULL)
		return -1;
	store_bind_int64(st, 1, c->id);
	store_bind_int64(st, 2, now_ms);
	if (done(s, st) == -1)
		return -1;
	if ((st = prep(s, "INSERT INTO outcomes (conversation_id, agency, "
	    "channel, first_intent, topic, outcome, case_ref, first_msg_at, "
	    "first_reply_at, ended_at, turns, staff_involved) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")) == NULL)
		return -1;
	store_bind_int64(st, 1, c->id);
	store_bind_text(st, 2, c->agency, -1);
	store_bind_text(st, 3, c->channel, -1);
	bind_text(st, 4, c->st.first_intent);
	bind_text(st, 5, c->st.topic);
	store_bind_text(st, 6, outcome, -1);
	bind_text(st, 7, c->case_ref);
	bind_ms(st, 8, c->started_at);
	bind_ms(st, 9, c->first_reply_at);
	store_bind_int64(st, 10, now_ms);
	store_bind_int(st, 11, c->turns);
	store_bind_int(st, 12, c->staff_involved);
	return done(s, st);
}

/* ---- cases ------------------------------------------------------------- */

static int
brussels_year(long long now_ms)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	t += config_brussels_utc_offset(t);
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static int
next_seq(struct store *s, const char *agency, int year)
{
	struct store_stmt *st = prep(s, "SELECT COALESCE(MAX(seq), 0) + 1 FROM "
	    "cases WHERE agency = ?1 AND year = ?2");
	int seq = -1;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, agency, -1);
	store_bind_int(st, 2, year);
	if (store_step(st) == STORE_ROW)
		seq = store_col_int(st, 0);
	store_stmt_done(st);
	return seq;
}

int
conv_db_create_case(struct store *s, const struct agency *a, struct conv *c,
    long long now_ms)
{
	int year = brussels_year(now_ms), seq;
	char y[16];
	long long term = (long long)(a->handling_term_days > 0 ?
	    a->handling_term_days : 45) * 86400000LL;
	struct store_stmt *st;

	/* Numbers are per agency and year: instances take turns. */
	snprintf(y, sizeof(y), "%d", year);
	if (store_xact_lock(s, store_key("case", a->id, y), 1) != 1 ||
	    (seq = next_seq(s, a->id, year)) < 0)
		return -1;
	snprintf(c->case_ref, sizeof(c->case_ref), "%s-%d-%05d",
	    a->case_prefix != NULL ? a->case_prefix : a->id, year, seq);
	if ((st = prep(s, "INSERT INTO cases (reference, agency, year, seq, "
	    "channel, conversation_id, name, email, phone, description, "
	    "dossier, status, received_at, deadline_at, updated_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'nieuw', ?12, "
	    "?13, ?12)")) == NULL)
		return -1;
	store_bind_text(st, 1, c->case_ref, -1);
	store_bind_text(st, 2, a->id, -1);
	store_bind_int(st, 3, year);
	store_bind_int(st, 4, seq);
	store_bind_text(st, 5, c->channel, -1);
	store_bind_int64(st, 6, c->id);
	bind_text(st, 7, c->st.name);
	bind_text(st, 8, c->st.email);
	bind_text(st, 9, c->st.phone);
	bind_text(st, 10, c->st.description);
	bind_text(st, 11, c->st.dossier);
	store_bind_int64(st, 12, now_ms);
	store_bind_int64(st, 13, now_ms + term);
	if (done(s, st) == -1)
		return -1;
	/* Photos and files sent in the conversation so far are its
	 * evidence. */
	return media_attach_case(s, c->id, c->case_ref) == -1 ? -1 : 0;
}

int
conv_db_account(struct store *s, long long conv_id, char *out,
    size_t outlen)
{
	struct store_stmt *st = prep(s, "SELECT account_id FROM inbound WHERE "
	    "conversation_id = ?1 AND account_id IS NOT NULL ORDER BY id DESC "
	    "LIMIT 1");
	int rc;

	out[0] = '\0';
	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, conv_id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		col_copy(st, 0, out, outlen);
	store_stmt_done(st);
	return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

int
conv_db_idle(struct store *s, long long cutoff_ms, struct conv_idle **out)
{
	/* The latest of three times, in C: SQLite's MAX(a, b, c) is
	 * PostgreSQL's GREATEST(a, b, c). */
	struct store_stmt *st = prep(s, "SELECT id, agency, started_at, "
	    "COALESCE(last_in_at, 0), COALESCE(last_out_at, 0) FROM "
	    "conversations WHERE open = 1 AND mode = 'bot' AND waiting_since "
	    "IS NULL AND state <> 'staff' AND started_at < ?1 AND "
	    "COALESCE(last_in_at, 0) < ?1 AND COALESCE(last_out_at, 0) < ?1 "
	    "ORDER BY id");
	long long t;
	int k;
	struct conv_idle *v = NULL, *nv;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, cutoff_ms);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		v[n].id = store_col_int64(st, 0);
		col_copy(st, 1, v[n].agency, sizeof(v[n].agency));
		for (k = 2, v[n].last = 0; k <= 4; k++)
			if ((t = store_col_int64(st, k)) > v[n].last)
				v[n].last = t;
		n++;
	}
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		free(v);
		return -1;
	}
	*out = v;
	return (int)n;
}
