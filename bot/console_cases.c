/*
 * console_cases.c — complaint cases in the console: list with filters,
 * one case, and the coordinator's decisions in the order the decree's
 * procedure takes them:
 *
 *   nieuw --admissibility--> ontvankelijk --verdict--> beoordeeld
 *     |                                                   |
 *     +--------------------> onontvankelijk (reason) -----+--handled-->
 *                                                       afgehandeld
 *
 * The admissibility decision may be corrected until a verdict is given; a
 * note can be added at any step, and notes are kept as a history (who,
 * when, what) in case_notes; cases.note holds the latest.  The legal deadline (deadline_at, set
 * when the case was registered from the agency's handling term) is shown,
 * and an open case within NEAR_MS of it, or past it, is flagged.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console_int.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define NEAR_MS		(7LL * 24 * 3600 * 1000)
#define CASES_MAX	500
#define NOTE_MAX	4000

static const char *const reasons[] = {
	"anoniem", "beleid_of_regelgeving", "niet_bevoegd",
	"beroep_niet_uitgeput", "al_behandeld", "ouder_dan_een_jaar",
	"geen_klacht", "andere",
};
static const char *const verdicts[] = {
	"gegrond", "deels_gegrond", "ongegrond",
};

#define CASE_COLS "reference, agency, channel, conversation_id, name, " \
	"email, phone, description, subject, dossier, status, admissible, " \
	"inadmissible_reason, verdict, note, received_at, deadline_at, " \
	"handled_at, updated_at"

static int
in_list(const char *v, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

static json_t *
str_or_null(struct store_stmt *st, int i)
{
	const char *t = store_col_text(st, i);

	return t ? json_string((const char *)t) : json_null();
}

static json_t *
int_or_null(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? json_null() :
	    json_integer(store_col_int64(st, i));
}

static const char *
deadline_flag(struct store_stmt *st, long long now)
{
	long long deadline = store_col_int64(st, 16);

	if (!store_col_null(st, 17))
		return NULL;	/* handled */
	if (now > deadline)
		return "overdue";
	return deadline - now < NEAR_MS ? "near" : NULL;
}

static json_t *
case_row(struct server *s, struct store_stmt *st, long long now)
{
	const char *agency = store_col_text(st, 1);
	const struct agency *a = agency ? config_agency(s->cfg, agency) : NULL;
	const char *flag = deadline_flag(st, now);
	json_t *adm = store_col_null(st, 11) ?
	    json_null() : json_boolean(store_col_int(st, 11));

	return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "reference", str_or_null(st, 0), "agency", str_or_null(st, 1),
	    "agency_name", a && a->name ? a->name : agency ? agency : "",
	    "channel", str_or_null(st, 2),
	    "conversation_id", int_or_null(st, 3),
	    "name", str_or_null(st, 4), "email", str_or_null(st, 5),
	    "phone", str_or_null(st, 6), "description", str_or_null(st, 7),
	    "subject", str_or_null(st, 8), "dossier", str_or_null(st, 9),
	    "status", str_or_null(st, 10), "admissible", adm,
	    "inadmissible_reason", str_or_null(st, 12),
	    "verdict", str_or_null(st, 13), "note", str_or_null(st, 14),
	    "received_at", int_or_null(st, 15),
	    "deadline_at", int_or_null(st, 16),
	    "handled_at", int_or_null(st, 17),
	    "updated_at", int_or_null(st, 18),
	    "deadline_flag", flag ? json_string(flag) : json_null());
}

/* The case's notes, oldest first: a history, never overwritten. */
static json_t *
case_notes(struct server *s, const char *ref)
{
	static const char sql[] = "SELECT author, text, created_at FROM "
	    "case_notes WHERE case_ref = ?1 ORDER BY id LIMIT 500";
	struct store_stmt *st;
	json_t *list = json_array();

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL)
		return list ? list : json_array();
	store_bind_text(st, 1, ref, -1);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(list, json_pack("{s:o, s:o, s:o}",
		    "author", str_or_null(st, 0), "text", str_or_null(st, 1),
		    "at", int_or_null(st, 2)));
	store_stmt_done(st);
	return list;
}

static int
add_note(struct server *s, const char *ref, const char *author,
    const char *text)
{
	static const char sql[] = "INSERT INTO case_notes (case_ref, author, "
	    "text, created_at) VALUES (?1, ?2, ?3, ?4)";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, ref, -1);
	store_bind_text(st, 2, author, -1);
	store_bind_text(st, 3, text, -1);
	store_bind_int64(st, 4, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

json_t *
console_case_json(struct server *s, const char *ref)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases "
	    "WHERE reference = ?1";
	struct store_stmt *st;
	json_t *o = NULL;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return NULL;
	store_bind_text(st, 1, ref, -1);
	if (store_step(st) == STORE_ROW)
		o = case_row(s, st, store_now_ms());
	store_stmt_done(st);
	if (o != NULL) {
		json_object_set_new(o, "notes", case_notes(s, ref));
		json_object_set_new(o, "evidence", console_media_case(s, ref));
	}
	return o;
}

/* Filter value from the query string, or NULL when absent or empty. */
static const char *
filter(struct http_req *r, const char *name, char *buf, size_t len)
{
	return http_query(r, name, buf, len) == 0 && buf[0] != '\0' ? buf :
	    NULL;
}

int
console_cases_get(struct http_req *r)
{
	static const char sql[] = "SELECT " CASE_COLS " FROM cases "
	    "WHERE (CAST(?1 AS TEXT) IS NULL OR agency = ?1) AND "
	    "(CAST(?3 AS TEXT) IS NULL OR channel = ?3) AND "
	    "(CAST(?2 AS TEXT) IS NULL OR status = ?2 OR (?2 = 'open' AND "
	    "status <> 'afgehandeld')) "
	    "ORDER BY handled_at IS NOT NULL, CASE WHEN handled_at IS NULL "
	    "THEN deadline_at ELSE -handled_at END LIMIT ?4";
	char agency[64], status[32], channel[32];
	struct session sess;
	struct store_stmt *st;
	json_t *list;
	long long now = store_now_ms();
	int rc;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if ((st = store_stmt(r->srv->store, sql)) == NULL ||
	    (list = json_array()) == NULL)
		return console_error(r, 503, "database");
	store_bind_text(st, 1, filter(r, "agency", agency, sizeof(agency)),
	    -1);
	store_bind_text(st, 2, filter(r, "status", status, sizeof(status)),
	    -1);
	store_bind_text(st, 3, filter(r, "channel", channel,
	    sizeof(channel)), -1);
	store_bind_int(st, 4, CASES_MAX);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(list, case_row(r->srv, st, now));
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		json_decref(list);
		return console_error(r, 503, "database");
	}
	return console_json(r, 200, json_pack("{s:I, s:o}", "now",
	    (json_int_t)now, "cases", list));
}

static const char *
case_ref(struct http_req *r)
{
	const char *ref = r->path + strlen("/api/cases/");

	return *ref != '\0' && strlen(ref) < 64 && strchr(ref, '/') == NULL ?
	    ref : NULL;
}

int
console_case_get(struct http_req *r)
{
	struct session sess;
	const char *ref;
	json_t *o;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if ((ref = case_ref(r)) == NULL ||
	    (o = console_case_json(r->srv, ref)) == NULL)
		return console_error(r, 404, "not_found");
	return console_json(r, 200, o);
}

const char *
console_next_status(const char *cur, const struct console_decision *d,
    const char **why)
{
	*why = "wrong_order";
	if (strcmp(d->step, "note") == 0)
		return cur;
	if (strcmp(d->step, "admissibility") == 0) {
		if (strcmp(cur, "nieuw") && strcmp(cur, "ontvankelijk") &&
		    strcmp(cur, "onontvankelijk"))
			return NULL;
		*why = "reason_required";
		if (d->admissible == 0 && !in_list(d->reason, reasons,
		    sizeof(reasons) / sizeof(reasons[0])))
			return NULL;
		*why = "admissible_required";
		return d->admissible == 1 ? "ontvankelijk" :
		    d->admissible == 0 ? "onontvankelijk" : NULL;
	}
	if (strcmp(d->step, "verdict") == 0) {
		if (strcmp(cur, "ontvankelijk") && strcmp(cur, "beoordeeld"))
			return NULL;
		*why = "bad_verdict";
		return in_list(d->verdict, verdicts, sizeof(verdicts) /
		    sizeof(verdicts[0])) ? "beoordeeld" : NULL;
	}
	if (strcmp(d->step, "handled") == 0)
		return strcmp(cur, "beoordeeld") == 0 ||
		    strcmp(cur, "onontvankelijk") == 0 ? "afgehandeld" : NULL;
	*why = "bad_step";
	return NULL;
}

static int
apply(struct server *s, const char *ref, const struct console_decision *d,
    const char *status)
{
	static const char sql[] = "UPDATE cases SET status = ?2, "
	    "admissible = CASE WHEN ?3 = 'admissibility' THEN ?4 "
	    "ELSE admissible END, "
	    "inadmissible_reason = CASE WHEN ?3 = 'admissibility' THEN ?5 "
	    "ELSE inadmissible_reason END, "
	    "verdict = CASE WHEN ?3 = 'verdict' THEN ?6 ELSE verdict END, "
	    "note = COALESCE(?7, note), "
	    "handled_at = CASE WHEN ?3 = 'handled' THEN ?8 ELSE handled_at END,"
	    " updated_at = ?8 WHERE reference = ?1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, ref, -1);
	store_bind_text(st, 2, status, -1);
	store_bind_text(st, 3, d->step, -1);
	if (d->admissible >= 0)
		store_bind_int(st, 4, d->admissible);
	if (d->admissible == 0)
		store_bind_text(st, 5, d->reason, -1);
	store_bind_text(st, 6, d->verdict, -1);
	store_bind_text(st, 7, d->note, -1);
	store_bind_int64(st, 8, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

int
console_parse_decision(json_t *body, struct console_decision *d)
{
	json_t *adm = json_object_get(body, "admissible");

	memset(d, 0, sizeof(*d));
	d->step = json_string_value(json_object_get(body, "step"));
	d->admissible = json_is_boolean(adm) ? json_is_true(adm) : -1;
	d->reason = json_string_value(json_object_get(body, "reason"));
	d->verdict = json_string_value(json_object_get(body, "verdict"));
	d->note = json_string_value(json_object_get(body, "note"));
	if (d->note != NULL && d->note[0] == '\0')
		d->note = NULL;
	return d->step != NULL && (d->note == NULL ||
	    strlen(d->note) <= NOTE_MAX) ? 0 : -1;
}

static int
decide(struct http_req *r, const struct session *sess, const char *ref,
    json_t *body)
{
	const char *status, *why;
	struct console_decision d;
	json_t *cur, *o;
	long long conv;

	if (console_parse_decision(body, &d) == -1)
		return console_error(r, 400, "step_required");
	if ((cur = console_case_json(r->srv, ref)) == NULL)
		return console_error(r, 404, "not_found");
	status = console_next_status(json_string_value(json_object_get(cur,
	    "status")), &d, &why);
	conv = json_integer_value(json_object_get(cur, "conversation_id"));
	if (status == NULL) {
		json_decref(cur);
		return console_error(r, strcmp(why, "wrong_order") ? 400 : 409,
		    why);
	}
	if (strcmp(d.step, "note") == 0 && d.note == NULL) {
		json_decref(cur);
		return console_error(r, 400, "note_required");
	}
	/* The decision and its note together, or neither. */
	if (store_begin(r->srv->store) == -1 ||
	    apply(r->srv, ref, &d, status) == -1 || (d.note != NULL &&
	    add_note(r->srv, ref, sess->name, d.note) == -1) ||
	    store_commit(r->srv->store) == -1) {
		if (store_in_transaction(r->srv->store))
			store_rollback(r->srv->store);
		json_decref(cur);
		return console_error(r, 503, "database");
	}
	/* status may point into cur (a note keeps the status): log first. */
	log_info("event=case_%s case=%s status=%s staff=%s", d.step, ref,
	    status, sess->name);
	json_decref(cur);
	console_notify(r->srv, conv);
	store_notify(r->srv->store, "console");	/* the other instances */
	if (r->srv->console != NULL)
		r->srv->console->cases_dirty = 1;
	if ((o = console_case_json(r->srv, ref)) == NULL)
		return console_error(r, 503, "database");
	return console_json(r, 200, o);
}

int
console_case_post(struct http_req *r)
{
	struct session sess;
	const char *ref;
	json_t *body;
	int rc;

	if (console_auth(r, &sess, 1) == HTTP_DONE)
		return HTTP_DONE;
	if (!console_is_coordinator(&sess))
		return console_error(r, 403, "coordinator_only");
	if ((ref = case_ref(r)) == NULL)
		return console_error(r, 404, "not_found");
	if ((body = console_body(r)) == NULL)
		return HTTP_DONE;
	rc = decide(r, &sess, ref, body);
	json_decref(body);
	return rc;
}
