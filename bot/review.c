/*
 * review.c — the SQL of the review of misunderstood messages: collect an
 * item (one per inbound message), read the open ones, close them.  See
 * review.h.  Every statement is prepared here and binds its parameters;
 * the purge and erase of items are with the others in report_purge.c.
 */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "signals.h"
#include "store.h"

static const char *const reason_names[] = {
	"onbekend", "herhaald", "overdracht", "overgenomen", "gemarkeerd"
};

const char *
review_reason_name(unsigned reason)
{
	size_t i;

	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (reason & (1u << i))
			return reason_names[i];
	return NULL;
}

static void
add_word(char *out, size_t outlen, const char *w, const char *v)
{
	size_t n = strlen(out);

	if (n >= outlen)
		return;
	snprintf(out + n, outlen - n, "%s%s%s%s", n ? " " : "", w,
	    v != NULL ? ":" : "", v != NULL ? v : "");
}

void
review_signals_text(const struct signals *s, char *out, size_t outlen)
{
	static const char *const fields[] = { NULL, "name", "contact",
	    "dossier" };

	out[0] = '\0';
	if (s == NULL)
		return;
#define FLAG(f) if (s->f) add_word(out, outlen, #f, NULL)
	FLAG(explicit_complaint); FLAG(not_complaint);
	FLAG(explicit_suggestion); FLAG(proposal); FLAG(abuse); FLAG(narrative);
	FLAG(short_answer); FLAG(stop); FLAG(person); FLAG(question);
	FLAG(thanks); FLAG(thanked); FLAG(unsure); FLAG(wait); FLAG(why);
	FLAG(resolved);
	FLAG(discontent); FLAG(rhetorical);
#undef FLAG
	if (s->answer != SIGNALS_NONE)
		add_word(out, outlen, "answer",
		    s->answer == SIGNALS_YES ? "yes" : "no");
	if (s->choice[0] != '\0')
		add_word(out, outlen, "choice", s->choice);
	if (s->correction != SIGNALS_FIELD_NONE)
		add_word(out, outlen, "correction", fields[s->correction]);
}

/* ---- statements -------------------------------------------------------- */

static struct store_stmt *
prep(struct store *s, const char *sql)
{
	struct store_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		log_warnx("event=review_sql_failed msg=\"%s\"",
		    store_errmsg(s));
	return st;
}

static int
failed(struct store *s, struct store_stmt *st)
{
	log_warnx("event=review_sql_failed msg=\"%s\"",
	    store_errmsg(s));
	store_stmt_done(st);
	return -1;
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
col_copy(struct store_stmt *st, int i, char *out, size_t outlen)
{
	const char *t = store_col_text(st, i);

	snprintf(out, outlen, "%s", t != NULL ? (const char *)t : "");
}

static const char sql_collect[] =
	"INSERT INTO review_items (inbound_id, conversation_id, agency,"
	" channel, received_at, reasons, text, guess, topic, confidence,"
	" second, signals, answer, marked_by, created_at)"
	" VALUES (?1, ?2, ?3, ?4, coalesce((SELECT received_at FROM inbound"
	" WHERE id = ?1), ?5), ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
	" ON CONFLICT (inbound_id) DO UPDATE SET"
	" reasons = review_items.reasons | excluded.reasons,"
	" answer = coalesce(excluded.answer, review_items.answer),"
	" marked_by = coalesce(excluded.marked_by, review_items.marked_by),"
	" status = CASE WHEN excluded.marked_by IS NOT NULL"
	" AND review_items.status = 'ignored' THEN 'open'"
	" ELSE review_items.status END";

int
review_collect(struct store *s, const struct review_new *n, long long now_ms)
{
	const struct intent_result *ir = n->ir;
	struct store_stmt *st;
	char conf[32];

	if ((st = prep(s, sql_collect)) == NULL)
		return -1;
	store_bind_int64(st, 1, n->inbound_id);
	if (n->conversation_id > 0)
		store_bind_int64(st, 2, n->conversation_id);
	store_bind_text(st, 3, n->agency != NULL ? n->agency : "", -1);
	store_bind_text(st, 4, n->channel != NULL ? n->channel : "", -1);
	store_bind_int64(st, 5, n->received_at);
	store_bind_int(st, 6, (int)(n->reasons & REVIEW_ALL));
	bind_text(st, 7, n->text);
	store_bind_text(st, 8, ir != NULL && ir->intent[0] ? ir->intent :
	    "onbekend", -1);
	bind_text(st, 9, ir != NULL ? ir->topic : NULL);
	snprintf(conf, sizeof(conf), "%.4f", ir != NULL ? ir->confidence : 0);
	store_bind_value(st, 10, conf);	/* a REAL, given as text */
	bind_text(st, 11, ir != NULL ? ir->second : NULL);
	bind_text(st, 12, n->signals);
	bind_text(st, 13, n->answer);
	bind_text(st, 14, n->marked_by);
	store_bind_int64(st, 15, now_ms);
	if (store_step(st) != STORE_DONE)
		return failed(s, st);
	store_stmt_done(st);
	return 0;
}

/* ---- the message behind an item --------------------------------------- */

static const char sql_msg[] =
	"SELECT id, coalesce(conversation_id, 0), received_at,"
	" coalesce(agency, ''), channel, text FROM inbound WHERE id = ?1"
	" AND kind = 'message' AND text IS NOT NULL AND text <> ''";
static const char sql_last_msg[] =
	"SELECT id, coalesce(conversation_id, 0), received_at,"
	" coalesce(agency, ''), channel, text FROM inbound"
	" WHERE conversation_id = ?1 AND kind = 'message'"
	" AND text IS NOT NULL AND text <> '' ORDER BY id DESC LIMIT 1";

int
review_message(struct store *s, long long inbound_id, long long last_of_conv,
    struct review_msg *m)
{
	struct store_stmt *st;
	const char *t;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((st = prep(s, last_of_conv ? sql_last_msg : sql_msg)) == NULL)
		return -1;
	store_bind_int64(st, 1, last_of_conv ? last_of_conv : inbound_id);
	if ((rc = store_step(st)) == STORE_ROW) {
		m->id = store_col_int64(st, 0);
		m->conversation_id = store_col_int64(st, 1);
		m->received_at = store_col_int64(st, 2);
		col_copy(st, 3, m->agency, sizeof(m->agency));
		col_copy(st, 4, m->channel, sizeof(m->channel));
		t = store_col_text(st, 5);
		if (t != NULL && (m->text = strdup((const char *)t)) == NULL) {
			store_stmt_done(st);
			return -1;
		}
	} else if (rc != STORE_DONE)
		return failed(s, st);
	store_stmt_done(st);
	return rc == STORE_ROW ? 1 : 0;
}

/* ---- reading and closing ---------------------------------------------- */

static const char sql_open[] =
	"SELECT id, inbound_id, coalesce(conversation_id, 0), received_at,"
	" reasons, confidence, agency, channel, guess, topic, second,"
	" answer, signals, text, (SELECT coalesce(user_name, '') FROM inbound"
	" WHERE inbound.id = inbound_id) FROM review_items"
	" WHERE status = 'open'"
	" AND text IS NOT NULL AND (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" ORDER BY id LIMIT ?2";

static int
read_item(struct store_stmt *st, struct review_item *it)
{
	const char *t;

	memset(it, 0, sizeof(*it));
	it->id = store_col_int64(st, 0);
	it->inbound_id = store_col_int64(st, 1);
	it->conversation_id = store_col_int64(st, 2);
	it->received_at = store_col_int64(st, 3);
	it->reasons = (unsigned)store_col_int(st, 4);
	t = store_col_text(st, 5);
	it->confidence = t != NULL ? strtod(t, NULL) : 0;
	col_copy(st, 6, it->agency, sizeof(it->agency));
	col_copy(st, 7, it->channel, sizeof(it->channel));
	col_copy(st, 8, it->guess, sizeof(it->guess));
	col_copy(st, 9, it->topic, sizeof(it->topic));
	col_copy(st, 10, it->second, sizeof(it->second));
	col_copy(st, 11, it->answer, sizeof(it->answer));
	col_copy(st, 12, it->signals, sizeof(it->signals));
	col_copy(st, 14, it->user_name, sizeof(it->user_name));
	t = store_col_text(st, 13);
	it->text = strdup(t != NULL ? (const char *)t : "");
	return it->text == NULL ? -1 : 0;
}

int
review_open(struct store *s, const char *agency, struct review_item **out)
{
	struct review_item *v = NULL, *nv;
	struct store_stmt *st;
	int n = 0, cap = 0, rc;

	*out = NULL;
	if ((st = prep(s, sql_open)) == NULL)
		return -1;
	bind_text(st, 1, agency);
	store_bind_int(st, 2, REVIEW_LIST_MAX);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, (size_t)cap * sizeof(*v))) ==
			    NULL)
				break;
			v = nv;
		}
		if (read_item(st, &v[n]) == -1)
			break;
		n++;
	}
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		if (rc != STORE_ROW)
			log_warnx("event=review_sql_failed msg=\"%s\"",
			    store_errmsg(s));
		review_items_free(v, n);
		return -1;
	}
	*out = v;
	return n;
}

void
review_items_free(struct review_item *v, int n)
{
	int i;

	for (i = 0; i < n && v != NULL; i++)
		free(v[i].text);
	free(v);
}

static const char sql_resolve[] =
	"UPDATE review_items SET status = ?2, assigned = ?3,"
	" resolved_by = ?4, resolved_at = ?5 WHERE id = ?1"
	" AND status = 'open'";

int
review_resolve(struct store *s, const long long *ids, int n,
    const char *intent, const char *by, long long now_ms)
{
	struct store_stmt *st;
	int i, changed = 0;

	for (i = 0; i < n; i++) {
		if ((st = prep(s, sql_resolve)) == NULL)
			return -1;
		store_bind_int64(st, 1, ids[i]);
		store_bind_text(st, 2, intent != NULL ? "assigned" :
		    "ignored", -1);
		bind_text(st, 3, intent);
		bind_text(st, 4, by);
		store_bind_int64(st, 5, now_ms);
		if (store_step(st) != STORE_DONE)
			return failed(s, st);
		changed += store_changes(s);
		store_stmt_done(st);
	}
	return changed;
}
